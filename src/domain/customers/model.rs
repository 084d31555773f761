//! A customer as validated for storage.

/// Version of the consent texts in force; recorded with each consent.
pub const CONSENT_VERSION: &str = "2026.1";

pub const CONSENT_KINDS: &[&str] = &["privacy", "health_data", "marketing", "photos"];

pub const GENDERS: &[&str] = &["female", "male", "unknown"];
pub const SOURCES: &[&str] = &[
    "walk_in", "referral", "channel", "online", "phone", "wechat", "other",
];
pub const SKIN_TYPES: &[&str] = &["dry", "oily", "combination", "normal", "sensitive"];

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Consent {
    pub at: Option<i64>,
    pub version: Option<String>,
}

/// All columns of a customer, plaintext; encryption happens in the store.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Customer {
    pub id: i64,
    pub member_no: String,
    pub name: String,
    pub gender: String,
    pub birthday: Option<String>,
    pub mobile: String,
    pub wechat_id: Option<String>,
    pub id_number: Option<String>,
    pub store_id: i64,
    pub consultant_id: Option<i64>,
    pub source: Option<String>,
    pub skin_type: Option<String>,
    pub allergies: Option<String>,
    pub concerns: Option<String>,
    pub medical_history: Option<String>,
    pub notes: Option<String>,
    /// privacy, health_data, marketing, photos — in `CONSENT_KINDS` order.
    pub consents: [Consent; 4],
    /// As stored; see `lifecycle::effective` for the stage shown.
    pub stage: String,
    /// The existing customer who brought this one (老带新).
    pub referrer_id: Option<i64>,
    pub last_visit_at: Option<i64>,
    pub last_purchase_at: Option<i64>,
    /// PIPL: processing restricted at the customer's request; no changes until lifted.
    pub restricted_at: Option<i64>,
    /// Values of the custom fields admins added, in clear (see `custom_fields`).
    pub custom: crate::domain::custom_fields::Values,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Customer {
    pub fn consent(&self, kind: &str) -> &Consent {
        &self.consents[CONSENT_KINDS
            .iter()
            .position(|k| *k == kind)
            .expect("known consent kind")]
    }

    pub fn has_health_consent(&self) -> bool {
        self.consent("health_data").at.is_some()
    }
}

/// Column titles of customer fields in spreadsheets (export headers; import recognises them).
pub const LABELS: &[(&str, &str, &str)] = &[
    ("id", "编号", "ID"),
    ("member_no", "会员号", "Member no."),
    ("name", "姓名", "Name"),
    ("gender", "性别", "Gender"),
    ("birthday", "生日", "Birthday"),
    ("mobile", "手机号", "Mobile"),
    ("wechat_id", "微信", "WeChat"),
    ("id_number", "身份证号", "ID number"),
    ("store_id", "门店", "Store"),
    ("consultant_id", "咨询师", "Consultant"),
    ("source", "来源", "Source"),
    ("skin_type", "肤质", "Skin type"),
    ("allergies", "过敏史", "Allergies"),
    ("concerns", "关注问题", "Concerns"),
    ("medical_history", "病史", "Medical history"),
    ("notes", "备注", "Notes"),
    ("consents", "同意", "Consents"),
    ("stage", "阶段", "Stage"),
    ("referrer_id", "推荐人", "Referred by"),
    ("tags", "标签", "Tags"),
    ("last_visit_at", "最近到店", "Last visit"),
    ("last_purchase_at", "最近消费", "Last purchase"),
    ("restricted_at", "限制处理", "Processing restricted"),
    ("created_at", "创建时间", "Created"),
    ("updated_at", "更新时间", "Updated"),
];

/// The zh-CN and English titles of a field (the field name itself when it has none).
pub fn label(field: &str) -> (&str, &str) {
    LABELS
        .iter()
        .find(|l| l.0 == field)
        .map_or((field, field), |l| (l.1, l.2))
}

/// Each coded field's codes with the words clinics write for them, the usual word first: the
/// export writes that word and the import reads any of them back.
pub fn code_words(target: &str) -> &'static [(&'static str, &'static [&'static str])] {
    match target {
        "gender" => &[
            ("female", &["女", "女性", "f"]),
            ("male", &["男", "男性", "m"]),
            ("unknown", &["未知", "保密"]),
        ],
        "source" => &[
            ("walk_in", &["到店", "自然到店", "进店"]),
            ("referral", &["转介绍", "老带新", "介绍"]),
            ("channel", &["渠道"]),
            ("online", &["网络", "线上", "网电"]),
            ("phone", &["电话"]),
            ("wechat", &["微信"]),
            ("other", &["其他", "其它"]),
        ],
        "stage" => &[
            ("lead", &["网电咨询", "线索", "潜客"]),
            ("triage", &["分诊"]),
            ("consultation", &["现场咨询", "咨询", "面诊"]),
            ("deal", &["成交"]),
            ("in_treatment", &["治疗中", "疗程中"]),
            ("repeat", &["复购", "活跃", "复购/活跃"]),
            ("dormant", &["沉睡"]),
            ("lost", &["流失"]),
        ],
        "skin_type" => &[
            ("dry", &["干性", "干皮"]),
            ("oily", &["油性", "油皮"]),
            ("combination", &["混合", "混合性"]),
            ("normal", &["中性"]),
            ("sensitive", &["敏感", "敏感性", "敏感肌"]),
        ],
        _ => &[],
    }
}

/// The usual word for a coded value (女, 成交, 转介绍), if the field is coded and knows it.
pub fn code_word(field: &str, code: &str) -> Option<&'static str> {
    code_words(field)
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, words)| words[0])
}
