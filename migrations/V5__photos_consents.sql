-- Before/after photos, consent form templates (知情同意书) and signed consents. Image and
-- signature files live encrypted under <data_dir>/attachments/ (see src/attachments/); these
-- tables hold their metadata.

CREATE TABLE attachments (
    sha256      TEXT PRIMARY KEY CHECK (length(sha256) = 64),
    purpose     TEXT NOT NULL CHECK (purpose IN ('photo', 'signature')),
    media_type  TEXT NOT NULL CHECK (media_type IN ('image/jpeg', 'image/png', 'image/heic')),
    size_bytes  INTEGER NOT NULL CHECK (size_bytes > 0),
    created_at  INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE photos (
    id               INTEGER PRIMARY KEY,
    customer_id      INTEGER NOT NULL REFERENCES customers(id),
    store_id         INTEGER NOT NULL REFERENCES stores(id),
    consultation_id  INTEGER REFERENCES consultations(id),
    area             TEXT NOT NULL CHECK (area IN ('face', 'forehead', 'eyes', 'nose', 'lips', 'chin', 'cheeks', 'neck', 'body')),
    kind             TEXT NOT NULL CHECK (kind IN ('before', 'after', 'progress')),
    taken_date       TEXT NOT NULL CHECK (taken_date GLOB '[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]'),
    media_type       TEXT NOT NULL CHECK (media_type IN ('image/jpeg', 'image/png', 'image/heic')),
    width            INTEGER CHECK (width IS NULL OR width > 0),
    height           INTEGER CHECK (height IS NULL OR height > 0),
    -- The upload, re-encoded without metadata (HEIC: as uploaded, see docs/decisions.md).
    original_sha256  TEXT NOT NULL REFERENCES attachments(sha256),
    -- Present together, or absent together (HEIC has no preview).
    display_sha256   TEXT REFERENCES attachments(sha256),
    thumb_sha256     TEXT REFERENCES attachments(sha256),
    note             TEXT CHECK (note IS NULL OR length(note) <= 200),
    created_by       INTEGER REFERENCES users(id),
    created_at       INTEGER NOT NULL,
    deleted_at       INTEGER,
    deleted_by       INTEGER REFERENCES users(id),
    CHECK ((display_sha256 IS NULL) = (thumb_sha256 IS NULL))
);
CREATE INDEX photos_customer ON photos(customer_id, taken_date DESC, id DESC) WHERE deleted_at IS NULL;

-- 知情同意书: a template per project category; each edit is a new version, versions never change.
CREATE TABLE consent_templates (
    id          INTEGER PRIMARY KEY,
    category    TEXT NOT NULL CHECK (category IN ('energy', 'injection', 'surgery', 'skin_care', 'product')),
    created_at  INTEGER NOT NULL
);
CREATE TABLE consent_template_versions (
    id           INTEGER PRIMARY KEY,
    template_id  INTEGER NOT NULL REFERENCES consent_templates(id),
    version      INTEGER NOT NULL CHECK (version >= 1),
    title        TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 100),
    body         TEXT NOT NULL CHECK (length(body) BETWEEN 1 AND 20000),
    created_by   INTEGER REFERENCES users(id),
    created_at   INTEGER NOT NULL,
    UNIQUE (template_id, version)
);
CREATE TRIGGER consent_template_versions_no_update BEFORE UPDATE ON consent_template_versions
BEGIN SELECT RAISE(ABORT, 'consent template versions are immutable'); END;
CREATE TRIGGER consent_template_versions_no_delete BEFORE DELETE ON consent_template_versions
BEGIN SELECT RAISE(ABORT, 'consent template versions are immutable'); END;

-- A signed consent is a record of what the customer agreed to: never changed, never removed.
-- `hash` is SHA-256 over the version's text, its number, the customer, the signature and the time.
CREATE TABLE signed_consents (
    id                   INTEGER PRIMARY KEY,
    customer_id          INTEGER NOT NULL REFERENCES customers(id),
    store_id             INTEGER NOT NULL REFERENCES stores(id),
    template_version_id  INTEGER NOT NULL REFERENCES consent_template_versions(id),
    signed_at            INTEGER NOT NULL,
    signed_by            INTEGER NOT NULL REFERENCES users(id),
    signature_sha256     TEXT NOT NULL REFERENCES attachments(sha256),
    hash                 TEXT NOT NULL CHECK (length(hash) = 64)
);
CREATE INDEX signed_consents_customer ON signed_consents(customer_id, signed_at DESC, id DESC);
CREATE TRIGGER signed_consents_no_update BEFORE UPDATE ON signed_consents
BEGIN SELECT RAISE(ABORT, 'signed consents are immutable'); END;
CREATE TRIGGER signed_consents_no_delete BEFORE DELETE ON signed_consents
BEGIN SELECT RAISE(ABORT, 'signed consents are immutable'); END;

-- Access defaults. Photos of a patient are health data: the clinical roles take and see them,
-- the auditor sees their metadata but not the image, everyone else nothing.
INSERT INTO role_actions (role, entity, action) VALUES
    ('admin', 'photo', 'read'), ('admin', 'photo', 'create'), ('admin', 'photo', 'delete'),
    ('manager', 'photo', 'read'), ('manager', 'photo', 'create'), ('manager', 'photo', 'delete'),
    ('consultant', 'photo', 'read'), ('consultant', 'photo', 'create'),
    ('doctor', 'photo', 'read'), ('doctor', 'photo', 'create'),
    ('nurse', 'photo', 'read'), ('nurse', 'photo', 'create'),
    ('auditor', 'photo', 'read');
INSERT INTO field_policies (role, entity, field, policy)
    SELECT r.name, 'photo', f.name,
        CASE
            WHEN r.name NOT IN ('admin', 'manager', 'consultant', 'doctor', 'nurse', 'auditor') THEN 'hidden'
            WHEN r.name = 'auditor' AND f.name = 'image' THEN 'hidden'
            WHEN r.name <> 'auditor' AND f.name IN ('consultation_id', 'area', 'kind', 'taken_date', 'note', 'image') THEN 'write'
            ELSE 'read'
        END
    FROM roles r, (SELECT 'id' AS name UNION ALL SELECT 'customer_id' UNION ALL SELECT 'consultation_id'
        UNION ALL SELECT 'area' UNION ALL SELECT 'kind' UNION ALL SELECT 'taken_date' UNION ALL SELECT 'media_type'
        UNION ALL SELECT 'preview' UNION ALL SELECT 'note' UNION ALL SELECT 'image'
        UNION ALL SELECT 'created_by' UNION ALL SELECT 'created_at') f;

-- Templates: every staff role reads them (to show them to a customer); admins and managers edit.
INSERT INTO role_actions (role, entity, action)
    SELECT name, 'consent_template', 'read' FROM roles WHERE name <> 'partner';
INSERT INTO role_actions (role, entity, action) VALUES
    ('admin', 'consent_template', 'create'), ('admin', 'consent_template', 'update'),
    ('manager', 'consent_template', 'create'), ('manager', 'consent_template', 'update');
INSERT INTO field_policies (role, entity, field, policy)
    SELECT r.name, 'consent_template', f.name,
        CASE
            WHEN r.name = 'partner' THEN 'hidden'
            WHEN r.name IN ('admin', 'manager') AND f.name IN ('category', 'title', 'body') THEN 'write'
            ELSE 'read'
        END
    FROM roles r, (SELECT 'id' AS name UNION ALL SELECT 'category' UNION ALL SELECT 'title' UNION ALL SELECT 'body'
        UNION ALL SELECT 'version' UNION ALL SELECT 'version_id' UNION ALL SELECT 'created_by'
        UNION ALL SELECT 'created_at') f;

-- Signed consents name the treatment a customer agreed to (health data): the clinical roles
-- have them signed and read them, the auditor reads them.
INSERT INTO role_actions (role, entity, action) VALUES
    ('admin', 'signed_consent', 'read'), ('admin', 'signed_consent', 'create'),
    ('manager', 'signed_consent', 'read'), ('manager', 'signed_consent', 'create'),
    ('consultant', 'signed_consent', 'read'), ('consultant', 'signed_consent', 'create'),
    ('doctor', 'signed_consent', 'read'), ('doctor', 'signed_consent', 'create'),
    ('nurse', 'signed_consent', 'read'), ('nurse', 'signed_consent', 'create'),
    ('auditor', 'signed_consent', 'read');
INSERT INTO field_policies (role, entity, field, policy)
    SELECT r.name, 'signed_consent', f.name,
        CASE
            WHEN r.name NOT IN ('admin', 'manager', 'consultant', 'doctor', 'nurse', 'auditor') THEN 'hidden'
            WHEN r.name <> 'auditor' AND f.name IN ('template_version_id', 'signature') THEN 'write'
            ELSE 'read'
        END
    FROM roles r, (SELECT 'id' AS name UNION ALL SELECT 'customer_id' UNION ALL SELECT 'template_version_id'
        UNION ALL SELECT 'category' UNION ALL SELECT 'title' UNION ALL SELECT 'version' UNION ALL SELECT 'body'
        UNION ALL SELECT 'clinic_name' UNION ALL SELECT 'signature' UNION ALL SELECT 'signed_at'
        UNION ALL SELECT 'signed_by' UNION ALL SELECT 'signed_by_name' UNION ALL SELECT 'hash'
        UNION ALL SELECT 'verified') f;

-- Default templates for 光电 and 注射; clinics edit them (each edit is a new version).
INSERT INTO consent_templates (id, category, created_at) VALUES (1, 'energy', 0), (2, 'injection', 0);
INSERT INTO consent_template_versions (template_id, version, title, body, created_by, created_at) VALUES
(1, 1, '光电类项目治疗知情同意书',
'一、治疗项目
本人自愿接受光电类治疗（如光子嫩肤/OPT、皮秒、热玛吉、射频等），治疗方案、次数与间隔已由医生说明。

二、可能出现的反应与风险
1. 治疗后皮肤发红、发热、轻度肿胀，一般数小时至数天内消退。
2. 色素性病变处可能出现结痂（“咖啡渣”样），约 7–14 天自然脱落，请勿强行剥除。
3. 少数人可能出现水疱、紫癜、暂时性色素沉着或色素减退，个别需要数月恢复。
4. 疗效因个人体质、皮肤状况和病变深浅而异，通常需要多次治疗，无法保证完全消除。
5. 极少数情况下可能出现瘢痕、感染或过敏反应。

三、禁忌与须如实告知的情况
妊娠或哺乳期；光敏性疾病或正在服用光敏性药物（如维 A 酸类、四环素类）；近一个月内暴晒或有晒伤；治疗部位有感染、开放性伤口或不明皮损；瘢痕体质；装有心脏起搏器或体内有金属植入物（射频类项目）；近期做过注射或其他医美项目。

四、术后护理
1. 治疗后 24 小时内避免热水洗脸、蒸桑拿、剧烈运动和饮酒。
2. 严格防晒至少 1 个月，外出使用 SPF30 以上防晒产品并物理遮挡；治疗后 3 天内尽量避免日晒。
3. 一周内不使用果酸、水杨酸、维 A 酸等刺激性护肤品，不去角质。
4. 加强保湿修复，如有异常红肿、水疱或疼痛加重，及时与本院联系复诊。
5. 按约定间隔（通常 21–28 天）返院进行下一次治疗。

五、顾客声明
医生已向本人详细说明上述治疗目的、方法、可能的风险与并发症、替代方案及术后注意事项，本人已充分理解并如实告知了自身健康状况和用药史。本人自愿接受治疗，并同意按要求进行术前术后拍照用于病历记录与疗效对比。', NULL, 0),
(2, 1, '注射类项目治疗知情同意书',
'一、治疗项目
本人自愿接受注射类治疗（如玻尿酸填充、肉毒素注射、水光针等），所用产品名称、品牌、剂量与批号将记录于治疗记录中，本人可查验产品包装与防伪标识。

二、可能出现的反应与风险
1. 注射部位疼痛、红肿、淤青，一般 3–7 天消退。
2. 填充部位可能出现不对称、硬结、凹凸不平或移位，必要时需二次调整或使用溶解酶。
3. 肉毒素注射后可能出现表情不自然、眼睑或眉下垂、咀嚼无力等，通常数周内逐渐恢复。
4. 少见但严重的风险：感染、过敏反应、肉芽肿；玻尿酸误入血管可致局部皮肤坏死，极罕见情况下可致视力受损。
5. 效果维持时间因个人代谢而异（玻尿酸约 6–12 个月，肉毒素约 4–6 个月），需定期补充。

三、禁忌与须如实告知的情况
妊娠或哺乳期；对注射产品成分（如透明质酸、白蛋白、利多卡因）过敏；重症肌无力等神经肌肉疾病（肉毒素）；凝血功能障碍或正在服用阿司匹林等抗凝药物；注射部位有感染或炎症；瘢痕体质；近期接种疫苗或患急性疾病。

四、术后护理
1. 注射后 6 小时内注射部位不沾水、不化妆；24 小时内避免饮酒和剧烈运动。
2. 一周内避免按摩、挤压注射部位，避免高温环境（桑拿、汗蒸、温泉）。
3. 肉毒素注射后 4 小时内不平躺、不低头弯腰，第 14 天返院复查。
4. 注射后两周内避免其他面部医美项目。
5. 如出现皮肤颜色发白或发紫、剧烈疼痛、视物模糊，立即联系本院或就近就医。

五、顾客声明
医生已向本人详细说明注射产品、治疗方法、预期效果、可能的风险与并发症及术后注意事项，本人已充分理解并如实告知了过敏史、疾病史和用药史。本人自愿接受治疗，并同意术前术后拍照用于病历记录与疗效对比。', NULL, 0);
