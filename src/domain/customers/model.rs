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
