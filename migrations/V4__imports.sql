-- Customer imports from xlsx / csv files: the uploaded rows (encrypted with the field key until
-- the import is committed), the result, and the column mapping remembered per header layout.

CREATE TABLE imports (
    id            INTEGER PRIMARY KEY,
    filename      TEXT NOT NULL CHECK (length(filename) BETWEEN 1 AND 255),
    format        TEXT NOT NULL CHECK (format IN ('xlsx', 'csv')),
    -- For csv: the text encoding detected (utf-8 or gbk).
    encoding      TEXT CHECK (encoding IS NULL OR encoding IN ('utf-8', 'gbk')),
    header_hash   TEXT NOT NULL CHECK (length(header_hash) = 64),
    row_count     INTEGER NOT NULL CHECK (row_count >= 0),
    -- Header and rows as JSON, AES-256-GCM with the field key; removed once committed.
    rows_enc      BLOB,
    status        TEXT NOT NULL CHECK (status IN ('uploaded', 'committed')),
    mapping       TEXT,
    -- Counts, errors and conflicts by row and column, without the cell values.
    result        TEXT,
    store_id      INTEGER NOT NULL REFERENCES stores(id),
    created_by    INTEGER NOT NULL REFERENCES users(id),
    created_at    INTEGER NOT NULL,
    committed_at  INTEGER,
    CHECK ((status = 'committed') = (committed_at IS NOT NULL)),
    CHECK (status = 'uploaded' OR rows_enc IS NULL)
);
CREATE INDEX imports_store ON imports(store_id, id);
CREATE INDEX imports_creator ON imports(created_by, id);

-- The mapping last committed for a header row, keyed by the SHA-256 of the normalised headers.
CREATE TABLE import_layouts (
    header_hash  TEXT PRIMARY KEY CHECK (length(header_hash) = 64),
    mapping      TEXT NOT NULL,
    updated_by   INTEGER NOT NULL REFERENCES users(id),
    updated_at   INTEGER NOT NULL
) WITHOUT ROWID;

-- Who may see the list of imports: the roles that may both create and update customers.
INSERT INTO role_actions (role, entity, action)
SELECT role, 'import', 'read' FROM role_actions
WHERE entity = 'customer' AND action = 'create'
  AND role IN (SELECT role FROM role_actions WHERE entity = 'customer' AND action = 'update');

INSERT INTO field_policies (role, entity, field, policy)
SELECT r.name, 'import', f.field,
       CASE WHEN EXISTS (SELECT 1 FROM role_actions a WHERE a.role = r.name AND a.entity = 'import' AND a.action = 'read')
            THEN 'read' ELSE 'hidden' END
FROM roles r CROSS JOIN (
    SELECT 'id' AS field UNION ALL SELECT 'filename' UNION ALL SELECT 'format' UNION ALL SELECT 'encoding'
    UNION ALL SELECT 'status' UNION ALL SELECT 'row_count' UNION ALL SELECT 'mapping' UNION ALL SELECT 'result'
    UNION ALL SELECT 'store_id' UNION ALL SELECT 'created_by' UNION ALL SELECT 'created_at' UNION ALL SELECT 'committed_at'
) f;
