-- Foundation: stores, staff accounts and sessions, the audit chain, customers and their search terms.

CREATE TABLE stores (
    id          INTEGER PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE CHECK (length(code) BETWEEN 1 AND 32),
    name        TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 64),
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    deleted_at  INTEGER
);
INSERT INTO stores (id, code, name, created_at, updated_at)
VALUES (1, 'main', '总店', CAST(unixepoch('subsec') * 1000 AS INTEGER), CAST(unixepoch('subsec') * 1000 AS INTEGER));

CREATE TABLE roles (
    name        TEXT PRIMARY KEY,
    label_zh    TEXT NOT NULL,
    label_en    TEXT NOT NULL,
    -- Row scope: which customers the role's users see.
    scope       TEXT NOT NULL CHECK (scope IN ('all', 'own_stores', 'own_customers', 'own_channel'))
);

CREATE TABLE users (
    id                    INTEGER PRIMARY KEY,
    username              TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (length(username) BETWEEN 2 AND 32),
    display_name          TEXT NOT NULL CHECK (length(display_name) BETWEEN 1 AND 64),
    role                  TEXT NOT NULL REFERENCES roles(name),
    store_id              INTEGER NOT NULL REFERENCES stores(id),
    password_hash         TEXT NOT NULL,
    must_change_password  INTEGER NOT NULL DEFAULT 0 CHECK (must_change_password IN (0, 1)),
    -- TOTP second factor: the secret encrypted with the field key; active once confirmed.
    totp_secret           BLOB,
    totp_enabled_at       INTEGER,
    failed_logins         INTEGER NOT NULL DEFAULT 0 CHECK (failed_logins >= 0),
    locked_until          INTEGER,
    disabled_at           INTEGER,
    created_at            INTEGER NOT NULL,
    updated_at            INTEGER NOT NULL
);

-- One row per login; the refresh token is stored only as its SHA-256.
CREATE TABLE sessions (
    id             INTEGER PRIMARY KEY,
    user_id        INTEGER NOT NULL REFERENCES users(id),
    refresh_hash   BLOB NOT NULL UNIQUE,
    ip             TEXT,
    created_at     INTEGER NOT NULL,
    last_used_at   INTEGER NOT NULL,
    expires_at     INTEGER NOT NULL,
    revoked_at     INTEGER
);
CREATE INDEX sessions_user ON sessions(user_id) WHERE revoked_at IS NULL;

-- The one-time first-admin token, stored hashed.
CREATE TABLE setup_tokens (
    token_hash  BLOB PRIMARY KEY,
    expires_at  INTEGER NOT NULL,
    used_at     INTEGER
);

CREATE TABLE role_actions (
    role    TEXT NOT NULL REFERENCES roles(name),
    entity  TEXT NOT NULL,
    action  TEXT NOT NULL CHECK (action IN ('read', 'create', 'update', 'delete', 'export', 'approve', 'reveal')),
    PRIMARY KEY (role, entity, action)
) WITHOUT ROWID;

CREATE TABLE field_policies (
    role    TEXT NOT NULL REFERENCES roles(name),
    entity  TEXT NOT NULL,
    field   TEXT NOT NULL,
    policy  TEXT NOT NULL CHECK (policy IN ('hidden', 'masked', 'read', 'write_masked', 'write')),
    PRIMARY KEY (role, entity, field)
) WITHOUT ROWID;

-- Append-only, hash-chained. `changes` holds old/new values, except for identity and health fields
-- where only the fact of the change is kept.
CREATE TABLE audit_log (
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
    hash        TEXT NOT NULL UNIQUE
);
CREATE INDEX audit_entity ON audit_log(entity, entity_id, id);
CREATE INDEX audit_actor ON audit_log(actor, id);
CREATE INDEX audit_action ON audit_log(action, id);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

CREATE TABLE customers (
    id                       INTEGER PRIMARY KEY,
    member_no                TEXT NOT NULL UNIQUE,
    name                     TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 50),
    gender                   TEXT NOT NULL DEFAULT 'unknown' CHECK (gender IN ('female', 'male', 'unknown')),
    birthday_date            TEXT CHECK (birthday_date IS NULL OR birthday_date GLOB '[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]'),
    mobile                   TEXT NOT NULL CHECK (length(mobile) = 11 AND mobile GLOB '1[3-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]'),
    wechat_id                TEXT CHECK (wechat_id IS NULL OR length(wechat_id) <= 64),
    -- Identity and health fields: AES-256-GCM ciphertext; the 身份证 number also as a keyed hash
    -- for exact lookup and as its masked form so lists never decrypt.
    id_number_enc            BLOB,
    id_number_hash           BLOB,
    id_number_masked         TEXT,
    allergies_enc            BLOB,
    medical_history_enc      BLOB,
    store_id                 INTEGER NOT NULL REFERENCES stores(id),
    consultant_id            INTEGER REFERENCES users(id),
    source                   TEXT CHECK (source IS NULL OR source IN ('walk_in', 'referral', 'channel', 'online', 'phone', 'wechat', 'other')),
    skin_type                TEXT CHECK (skin_type IS NULL OR skin_type IN ('dry', 'oily', 'combination', 'normal', 'sensitive')),
    concerns                 TEXT CHECK (concerns IS NULL OR length(concerns) <= 500),
    notes                    TEXT CHECK (notes IS NULL OR length(notes) <= 2000),
    consent_privacy_at       INTEGER,
    consent_privacy_version  TEXT,
    consent_health_at        INTEGER,
    consent_health_version   TEXT,
    consent_marketing_at     INTEGER,
    consent_marketing_version TEXT,
    consent_photos_at        INTEGER,
    consent_photos_version   TEXT,
    created_at               INTEGER NOT NULL,
    updated_at               INTEGER NOT NULL,
    deleted_at               INTEGER,
    CHECK ((allergies_enc IS NULL AND medical_history_enc IS NULL) OR consent_health_at IS NOT NULL)
);
CREATE UNIQUE INDEX customers_mobile ON customers(mobile) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX customers_id_number ON customers(id_number_hash) WHERE deleted_at IS NULL AND id_number_hash IS NOT NULL;
CREATE INDEX customers_store ON customers(store_id, id) WHERE deleted_at IS NULL;
CREATE INDEX customers_consultant ON customers(consultant_id, id) WHERE deleted_at IS NULL;

-- Quick-search terms, one row per (term, customer): name n-grams (n:), pinyin initials and full
-- pinyin (y:), mobile (m:), its last four digits (t:) and the member number (no:).
CREATE TABLE customer_search (
    term         TEXT NOT NULL,
    customer_id  INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    PRIMARY KEY (term, customer_id)
) WITHOUT ROWID;
CREATE INDEX customer_search_customer ON customer_search(customer_id);

CREATE TABLE counters (
    name   TEXT PRIMARY KEY,
    value  INTEGER NOT NULL CHECK (value >= 0)
) WITHOUT ROWID;
INSERT INTO counters (name, value) VALUES ('member_no', 0);
