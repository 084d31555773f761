//! Consent form templates (知情同意书) and consents as signed.

use serde_json::json;

use crate::access::Record;

/// Project categories (品项分类): (identifier, 中文, English).
pub const CATEGORIES: &[(&str, &str, &str)] = &[
    ("energy", "光电", "Energy devices"),
    ("injection", "注射", "Injectables"),
    ("surgery", "手术", "Surgery"),
    ("skin_care", "皮肤管理", "Skin care"),
    ("product", "产品", "Products"),
];

/// A template as one of its versions.
#[derive(Debug, Clone, Default)]
pub struct Template {
    pub id: i64,
    pub category: String,
    pub version_id: i64,
    pub version: i64,
    pub title: String,
    pub body: String,
    pub created_by: Option<i64>,
    pub created_at: i64,
}

impl Template {
    pub fn into_record(self) -> Record {
        let mut r = Record::new();
        r.set("id", self.id)
            .set("category", self.category)
            .set("title", self.title)
            .set("body", self.body)
            .set("version", self.version)
            .set("version_id", self.version_id)
            .set("created_by", self.created_by)
            .set("created_at", self.created_at);
        r
    }
}

/// A signed consent with the version it signed.
#[derive(Debug, Clone)]
pub struct Signed {
    pub id: i64,
    pub customer_id: i64,
    pub store_id: i64,
    pub signed_at: i64,
    pub signed_by: i64,
    pub signed_by_name: String,
    pub clinic_name: String,
    pub signature_sha256: String,
    pub hash: String,
    pub template: Template,
}

impl Signed {
    pub fn into_record(self, verified: bool) -> Record {
        let mut r = Record::new();
        r.set("id", self.id)
            .set("customer_id", self.customer_id)
            .set("template_version_id", self.template.version_id)
            .set("category", self.template.category)
            .set("title", self.template.title)
            .set("version", self.template.version)
            .set("body", self.template.body)
            .set("clinic_name", self.clinic_name)
            .set(
                "signature",
                json!({"url": format!("/api/v1/signed-consents/{}/signature", self.id)}),
            )
            .set("signed_at", self.signed_at)
            .set("signed_by", self.signed_by)
            .set("signed_by_name", self.signed_by_name)
            .set("hash", self.hash)
            .set("verified", verified);
        r
    }
}
