-- Custom values keyed by record first: a page of customers reads each record's values with one
-- key lookup per record, the values of a record stored together. A filter on one field of one
-- record is still a key lookup (record_id, field_id).
CREATE TABLE custom_values_new (
    field_id   INTEGER NOT NULL REFERENCES custom_fields(id),
    record_id  INTEGER NOT NULL,
    value      TEXT,
    secret     BLOB,
    lookup     BLOB,
    masked     TEXT,
    PRIMARY KEY (record_id, field_id),
    CHECK ((value IS NULL) <> (secret IS NULL)),
    CHECK ((secret IS NULL) = (lookup IS NULL))
) WITHOUT ROWID;
INSERT INTO custom_values_new (field_id, record_id, value, secret, lookup, masked)
    SELECT field_id, record_id, value, secret, lookup, masked FROM custom_values;
DROP TABLE custom_values;
ALTER TABLE custom_values_new RENAME TO custom_values;
