-- Breaks in the audit chain that IT has examined and acknowledged (`liyan audit
-- acknowledge-break`), so that backups can go on after a tampering incident was recorded.
-- `hash` and `content_hash` pin the broken row as it was found: any later change to it is a new,
-- unacknowledged break. Each acknowledgment also has its own row in the chain.
CREATE TABLE audit_chain_breaks (
    row_id          INTEGER PRIMARY KEY,
    hash            TEXT NOT NULL,
    content_hash    TEXT NOT NULL,
    problem         TEXT NOT NULL,
    reason          TEXT NOT NULL,
    acknowledged_at INTEGER NOT NULL,
    acknowledged_by TEXT NOT NULL
);
CREATE TRIGGER audit_chain_breaks_no_update BEFORE UPDATE ON audit_chain_breaks
BEGIN SELECT RAISE(ABORT, 'audit_chain_breaks is append-only'); END;
CREATE TRIGGER audit_chain_breaks_no_delete BEFORE DELETE ON audit_chain_breaks
BEGIN SELECT RAISE(ABORT, 'audit_chain_breaks is append-only'); END;
