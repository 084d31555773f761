-- Custom fields (自定义字段): typed fields admins add to customers and consultations. Each is a
-- declared field of its entity named `cf_<key>` with a sensitivity class; when it is created every
-- role gets a policy for it in field_policies, so the access layer treats it like a built-in field.
CREATE TABLE custom_fields (
    id           INTEGER PRIMARY KEY,
    entity       TEXT NOT NULL CHECK (entity IN ('customer', 'consultation')),
    name         TEXT NOT NULL CHECK (name GLOB 'cf_[a-z]*' AND length(name) BETWEEN 4 AND 35
                                      AND name NOT GLOB 'cf_*[^a-z0-9_]*'),
    label        TEXT NOT NULL CHECK (length(label) BETWEEN 1 AND 30),
    kind         TEXT NOT NULL CHECK (kind IN ('text', 'number', 'date', 'choice', 'multi_choice', 'yes_no')),
    sensitivity  TEXT NOT NULL CHECK (sensitivity IN ('contact', 'identity', 'health', 'finance', 'internal', 'plain')),
    -- JSON array of the offered values (choice kinds only).
    options      TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(options) AND json_type(options) = 'array'),
    position     INTEGER NOT NULL DEFAULT 0,
    created_by   INTEGER REFERENCES users(id),
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    -- An archived field leaves forms, lists and exports; its values stay, and its name stays taken.
    archived_at  INTEGER,
    UNIQUE (entity, name),
    CHECK ((kind IN ('choice', 'multi_choice')) = (json_array_length(options) > 0))
);

-- One value per field and record (a customer or a consultation, by the field's entity). Identity
-- and health values are encrypted (`secret`, the JSON of the value) with a keyed hash (`lookup`)
-- for exact search and a precomputed masked form; the rest are in `value` as text: the text, a
-- decimal number, YYYY-MM-DD, the choice, a JSON array of choices, or true/false.
CREATE TABLE custom_values (
    field_id   INTEGER NOT NULL REFERENCES custom_fields(id),
    record_id  INTEGER NOT NULL,
    value      TEXT,
    secret     BLOB,
    lookup     BLOB,
    masked     TEXT,
    PRIMARY KEY (field_id, record_id),
    CHECK ((value IS NULL) <> (secret IS NULL)),
    CHECK ((secret IS NULL) = (lookup IS NULL))
) WITHOUT ROWID;
-- A page of records loads its values in one query.
CREATE INDEX custom_values_record ON custom_values (record_id, field_id);

-- Everyone on staff reads the definitions (to draw forms); which values they see is each field's
-- own policy. Only admins define fields.
INSERT INTO role_actions (role, entity, action)
    SELECT name, 'custom_field', 'read' FROM roles WHERE name <> 'partner';
INSERT INTO role_actions (role, entity, action) VALUES
    ('admin', 'custom_field', 'create'), ('admin', 'custom_field', 'update'), ('admin', 'custom_field', 'delete');
INSERT INTO field_policies (role, entity, field, policy)
    SELECT r.name, 'custom_field', f.name,
        CASE
            WHEN r.name = 'partner' THEN 'hidden'
            -- entity, key, kind and sensitivity are set once, when the field is created.
            WHEN r.name = 'admin' AND f.name IN ('entity', 'key', 'label', 'kind', 'sensitivity', 'options', 'position') THEN 'write'
            ELSE 'read'
        END
    FROM roles r, (SELECT 'id' AS name UNION ALL SELECT 'entity' UNION ALL SELECT 'key'
        UNION ALL SELECT 'name' UNION ALL SELECT 'label' UNION ALL SELECT 'kind'
        UNION ALL SELECT 'sensitivity' UNION ALL SELECT 'options' UNION ALL SELECT 'position'
        UNION ALL SELECT 'created_at' UNION ALL SELECT 'archived_at') f;
