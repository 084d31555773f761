-- The audit chain is checked by `liyan audit verify` (each row's prev_hash is the hash of the row
-- before it); nothing looks a row up by its hash. The UNIQUE index on `hash` only cost every
-- audit row a write to a random page of a large index, so the table is rebuilt without it. Rows,
-- ids, indexes and the append-only triggers stay as they were.
CREATE TABLE audit_log_v9 (
    id          INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,
    actor_id    INTEGER,
    actor       TEXT NOT NULL,
    role        TEXT,
    ip          TEXT,
    action      TEXT NOT NULL,
    entity      TEXT NOT NULL,
    entity_id   INTEGER,
    store_id    INTEGER,
    changes     TEXT,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
);
INSERT INTO audit_log_v9 (id, at, actor_id, actor, role, ip, action, entity, entity_id, store_id, changes, prev_hash, hash)
SELECT id, at, actor_id, actor, role, ip, action, entity, entity_id, store_id, changes, prev_hash, hash
FROM audit_log ORDER BY id;
-- Dropping the table drops its triggers too; they are made again below.
DROP TABLE audit_log;
ALTER TABLE audit_log_v9 RENAME TO audit_log;
CREATE INDEX audit_entity ON audit_log(entity, entity_id, id);
CREATE INDEX audit_actor ON audit_log(actor, id);
CREATE INDEX audit_action ON audit_log(action, id);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
