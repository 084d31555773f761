-- Customer 360°: lifecycle stages, referrals, consultations, tags and the customer timeline.

-- Stage as set by people or by the events that move it (triage, consultation, deal). Dormant and
-- lost are also derived at read time from the last visit or purchase (settings: lifecycle.*).
ALTER TABLE customers ADD COLUMN stage TEXT NOT NULL DEFAULT 'lead'
    CHECK (stage IN ('lead', 'triage', 'consultation', 'deal', 'in_treatment', 'repeat', 'dormant', 'lost'));
ALTER TABLE customers ADD COLUMN referrer_id INTEGER REFERENCES customers(id) CHECK (referrer_id IS NULL OR referrer_id <> id);
ALTER TABLE customers ADD COLUMN last_visit_at INTEGER;
ALTER TABLE customers ADD COLUMN last_purchase_at INTEGER;
-- Customers that existed before stages: a customer already in the file has been served.
UPDATE customers SET stage = 'consultation';

-- A merged duplicate points to the customer it was merged into (and is soft-deleted).
ALTER TABLE customers ADD COLUMN merged_into INTEGER REFERENCES customers(id);
-- PIPL: processing restricted (no changes, no marketing) and personal data erased.
ALTER TABLE customers ADD COLUMN restricted_at INTEGER;
ALTER TABLE customers ADD COLUMN erased_at INTEGER;

CREATE INDEX customers_referrer ON customers(referrer_id, id) WHERE referrer_id IS NOT NULL;
-- The duplicate finder: same name and birthday, same WeChat id.
CREATE INDEX customers_name_birthday ON customers(name, birthday_date) WHERE deleted_at IS NULL AND birthday_date IS NOT NULL;
CREATE INDEX customers_wechat ON customers(wechat_id) WHERE deleted_at IS NULL AND wechat_id IS NOT NULL;

-- 个人信息主体权利请求 (PIPL arts. 44–47): who asked for what, why, who handled it, what was done.
CREATE TABLE pipl_requests (
    id            INTEGER PRIMARY KEY,
    customer_id   INTEGER NOT NULL REFERENCES customers(id),
    kind          TEXT NOT NULL CHECK (kind IN ('access', 'restrict', 'lift_restriction', 'erase')),
    reason        TEXT NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
    handled_by    INTEGER NOT NULL REFERENCES users(id),
    handled_at    INTEGER NOT NULL,
    result        TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(result))
);
CREATE INDEX pipl_requests_customer ON pipl_requests(customer_id, id);
CREATE INDEX customers_stage ON customers(stage, id) WHERE deleted_at IS NULL;

CREATE TABLE customer_stage_history (
    id           INTEGER PRIMARY KEY,
    customer_id  INTEGER NOT NULL REFERENCES customers(id),
    from_stage   TEXT,
    to_stage     TEXT NOT NULL,
    reason       TEXT CHECK (reason IS NULL OR length(reason) <= 200),
    at           INTEGER NOT NULL,
    actor_id     INTEGER REFERENCES users(id),
    actor        TEXT NOT NULL
);
CREATE INDEX customer_stage_history_customer ON customer_stage_history(customer_id, id);

-- 咨询/面诊记录. The plan (面诊方案) is a list of {project, sessions, price} with prices in fen.
CREATE TABLE consultations (
    id               INTEGER PRIMARY KEY,
    customer_id      INTEGER NOT NULL REFERENCES customers(id),
    store_id         INTEGER NOT NULL REFERENCES stores(id),
    consultant_id    INTEGER REFERENCES users(id),
    way              TEXT NOT NULL CHECK (way IN ('phone', 'online', 'wechat', 'onsite')),
    at               INTEGER NOT NULL,
    needs            TEXT CHECK (needs IS NULL OR length(needs) <= 2000),
    plan             TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(plan) AND json_type(plan) = 'array'),
    plan_total_fen   INTEGER NOT NULL DEFAULT 0 CHECK (plan_total_fen >= 0),
    outcome          TEXT NOT NULL DEFAULT 'pending' CHECK (outcome IN ('pending', 'deal', 'thinking', 'lost')),
    lost_reason      TEXT CHECK (lost_reason IS NULL OR length(lost_reason) <= 200),
    follow_up_date   TEXT CHECK (follow_up_date IS NULL OR follow_up_date GLOB '[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]'),
    notes            TEXT CHECK (notes IS NULL OR length(notes) <= 2000),
    created_by       INTEGER REFERENCES users(id),
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    deleted_at       INTEGER,
    CHECK (outcome = 'lost' OR lost_reason IS NULL)
);
CREATE INDEX consultations_customer ON consultations(customer_id, at DESC, id DESC) WHERE deleted_at IS NULL;
-- The consultant's worklist: follow-ups due by date.
CREATE INDEX consultations_follow_up ON consultations(consultant_id, follow_up_date, id)
    WHERE follow_up_date IS NOT NULL AND deleted_at IS NULL;

CREATE TABLE tag_groups (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 30),
    color       TEXT NOT NULL CHECK (color GLOB '#[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]'),
    created_at  INTEGER NOT NULL
);
CREATE TABLE tags (
    id          INTEGER PRIMARY KEY,
    group_id    INTEGER NOT NULL REFERENCES tag_groups(id),
    name        TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 30),
    created_at  INTEGER NOT NULL,
    deleted_at  INTEGER,
    UNIQUE (group_id, name)
);
CREATE TABLE customer_tags (
    customer_id INTEGER NOT NULL REFERENCES customers(id),
    tag_id      INTEGER NOT NULL REFERENCES tags(id),
    tagged_at   INTEGER NOT NULL,
    tagged_by   INTEGER REFERENCES users(id),
    PRIMARY KEY (customer_id, tag_id)
) WITHOUT ROWID;
CREATE INDEX customer_tags_tag ON customer_tags(tag_id, customer_id);

-- Saved filters (客户分群): a name and the list filter, private to their owner or shared.
CREATE TABLE segments (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 50),
    filter      TEXT NOT NULL CHECK (json_valid(filter) AND json_type(filter) = 'object'),
    shared      INTEGER NOT NULL DEFAULT 0 CHECK (shared IN (0, 1)),
    owner_id    INTEGER NOT NULL REFERENCES users(id),
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    deleted_at  INTEGER
);
CREATE INDEX segments_owner ON segments(owner_id, id) WHERE deleted_at IS NULL;
CREATE INDEX segments_shared ON segments(shared, id) WHERE deleted_at IS NULL AND shared = 1;

-- One timeline per customer. Every area appends its events here in the transaction of the change;
-- `data` holds field values of `entity`, shown under the reader's field policy for that entity.
CREATE TABLE customer_events (
    id           INTEGER PRIMARY KEY,
    customer_id  INTEGER NOT NULL REFERENCES customers(id),
    at           INTEGER NOT NULL,
    kind         TEXT NOT NULL,
    entity       TEXT NOT NULL,
    entity_id    INTEGER,
    actor_id     INTEGER REFERENCES users(id),
    actor        TEXT NOT NULL,
    data         TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(data))
);
CREATE INDEX customer_events_customer ON customer_events(customer_id, at DESC, id DESC);

-- Access defaults. Stage and referrer follow the policy of `source`; tags too, and marketing may
-- tag (its only customer write). Consultations: consulting roles write, others read.
INSERT INTO field_policies (role, entity, field, policy)
    SELECT role, 'customer', f.name, policy FROM field_policies, (SELECT 'stage' AS name UNION ALL SELECT 'referrer_id' UNION ALL SELECT 'tags') f
    WHERE entity = 'customer' AND field = 'source';
UPDATE field_policies SET policy = 'write' WHERE role = 'marketing' AND entity = 'customer' AND field = 'tags';
INSERT INTO field_policies (role, entity, field, policy)
    SELECT role, 'customer', f.name, CASE WHEN policy = 'hidden' THEN 'hidden' ELSE 'read' END
    FROM field_policies, (SELECT 'last_visit_at' AS name UNION ALL SELECT 'last_purchase_at' UNION ALL SELECT 'restricted_at') f
    WHERE entity = 'customer' AND field = 'created_at';
INSERT INTO role_actions (role, entity, action) VALUES ('marketing', 'customer', 'update');

INSERT INTO role_actions (role, entity, action) VALUES
    ('admin', 'consultation', 'read'), ('admin', 'consultation', 'create'), ('admin', 'consultation', 'update'), ('admin', 'consultation', 'delete'),
    ('manager', 'consultation', 'read'), ('manager', 'consultation', 'create'), ('manager', 'consultation', 'update'), ('manager', 'consultation', 'delete'),
    ('consultant', 'consultation', 'read'), ('consultant', 'consultation', 'create'), ('consultant', 'consultation', 'update'),
    ('doctor', 'consultation', 'read'), ('doctor', 'consultation', 'create'), ('doctor', 'consultation', 'update'),
    ('front_desk', 'consultation', 'read'), ('front_desk', 'consultation', 'create'), ('front_desk', 'consultation', 'update'),
    ('nurse', 'consultation', 'read'),
    ('finance', 'consultation', 'read'),
    ('auditor', 'consultation', 'read'),
    ('admin', 'tag', 'read'), ('admin', 'tag', 'create'), ('admin', 'tag', 'update'), ('admin', 'tag', 'delete'),
    ('manager', 'tag', 'read'), ('manager', 'tag', 'create'), ('manager', 'tag', 'update'), ('manager', 'tag', 'delete'),
    ('marketing', 'tag', 'read'), ('marketing', 'tag', 'create'), ('marketing', 'tag', 'update'), ('marketing', 'tag', 'delete'),
    ('consultant', 'tag', 'read'), ('doctor', 'tag', 'read'), ('nurse', 'tag', 'read'), ('front_desk', 'tag', 'read'),
    ('finance', 'tag', 'read'), ('channel_manager', 'tag', 'read'), ('auditor', 'tag', 'read');

INSERT INTO field_policies (role, entity, field, policy)
    SELECT r.name, 'consultation', f.name,
        CASE
            WHEN r.name NOT IN ('admin', 'manager', 'consultant', 'doctor', 'front_desk', 'nurse', 'finance', 'auditor') THEN 'hidden'
            WHEN f.name IN ('id', 'plan_total', 'created_by', 'created_at', 'updated_at') THEN 'read'
            WHEN r.name IN ('admin', 'manager', 'consultant', 'doctor') THEN 'write'
            WHEN r.name = 'front_desk' AND f.name <> 'plan' THEN 'write'
            ELSE 'read'
        END
    FROM roles r, (SELECT 'id' AS name UNION ALL SELECT 'customer_id' UNION ALL SELECT 'store_id'
        UNION ALL SELECT 'consultant_id' UNION ALL SELECT 'way' UNION ALL SELECT 'at' UNION ALL SELECT 'needs'
        UNION ALL SELECT 'plan' UNION ALL SELECT 'plan_total' UNION ALL SELECT 'outcome'
        UNION ALL SELECT 'lost_reason' UNION ALL SELECT 'follow_up_date' UNION ALL SELECT 'notes'
        UNION ALL SELECT 'created_by' UNION ALL SELECT 'created_at' UNION ALL SELECT 'updated_at') f;

INSERT INTO field_policies (role, entity, field, policy)
    SELECT r.name, 'tag', f.name,
        CASE
            WHEN r.name = 'partner' THEN 'hidden'
            WHEN r.name IN ('admin', 'manager', 'marketing') AND f.name <> 'id' THEN 'write'
            ELSE 'read'
        END
    FROM roles r, (SELECT 'id' AS name UNION ALL SELECT 'group_id' UNION ALL SELECT 'group_name'
        UNION ALL SELECT 'name' UNION ALL SELECT 'color') f;

-- The staff directory (names and roles for pickers): everyone on staff reads it.
INSERT INTO role_actions (role, entity, action)
    SELECT name, 'staff', 'read' FROM roles WHERE name <> 'partner';
INSERT INTO field_policies (role, entity, field, policy)
    SELECT r.name, 'staff', f.name, CASE WHEN r.name = 'partner' THEN 'hidden' ELSE 'read' END
    FROM roles r, (SELECT 'id' AS name UNION ALL SELECT 'display_name' UNION ALL SELECT 'role' UNION ALL SELECT 'store_id') f;

-- Segments: every staff role keeps its own saved filters (what they filter by is checked
-- against the customer field policy when the filter runs).
INSERT INTO role_actions (role, entity, action)
    SELECT r.name, 'segment', a.action FROM roles r,
        (SELECT 'read' AS action UNION ALL SELECT 'create' UNION ALL SELECT 'update' UNION ALL SELECT 'delete') a
    WHERE r.name <> 'partner';
INSERT INTO field_policies (role, entity, field, policy)
    SELECT r.name, 'segment', f.name,
        CASE WHEN r.name = 'partner' THEN 'hidden' WHEN f.name IN ('id', 'owner_id') THEN 'read' ELSE 'write' END
    FROM roles r, (SELECT 'id' AS name UNION ALL SELECT 'name' UNION ALL SELECT 'filter' UNION ALL SELECT 'shared'
        UNION ALL SELECT 'owner_id') f;

-- The default tag groups of a Chinese clinic; admins rename and add.
INSERT INTO tag_groups (name, color, created_at) VALUES
    ('价值', '#e6a23c', 0), ('皮肤', '#67c23a', 0), ('运营', '#409eff', 0);
INSERT INTO tags (group_id, name, created_at) VALUES
    ((SELECT id FROM tag_groups WHERE name = '价值'), '高价值', 0),
    ((SELECT id FROM tag_groups WHERE name = '皮肤'), '敏感肌', 0),
    ((SELECT id FROM tag_groups WHERE name = '运营'), '待激活', 0);
