//! A consultation record (咨询/面诊记录) and its priced plan (面诊方案).

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::access::Record;
use crate::money::format_fen;

pub const WAYS: &[&str] = &["phone", "online", "wechat", "onsite"];
pub const OUTCOMES: &[&str] = &["pending", "deal", "thinking", "lost"];

/// One line of the plan: a project, how many sessions, the price of the line in fen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanItem {
    pub project: String,
    pub sessions: u32,
    pub price_fen: i64,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Consultation {
    pub id: i64,
    pub customer_id: i64,
    pub store_id: i64,
    pub consultant_id: Option<i64>,
    pub way: String,
    pub at: i64,
    pub needs: Option<String>,
    pub plan: Vec<PlanItem>,
    pub plan_total_fen: i64,
    pub outcome: String,
    pub lost_reason: Option<String>,
    pub follow_up_date: Option<String>,
    pub notes: Option<String>,
    /// Values of the custom fields admins added, in clear (see `custom_fields`).
    pub custom: crate::domain::custom_fields::Values,
    pub created_by: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Consultation {
    /// Plan lines as the API shows them, prices as decimal strings.
    pub fn plan_json(&self) -> Value {
        Value::Array(
            self.plan
                .iter()
                .map(|i| json!({"project": i.project, "sessions": i.sessions, "price": format_fen(i.price_fen)}))
                .collect(),
        )
    }

    pub fn into_record(self) -> Record {
        let mut r = Record::new();
        r.set("plan", self.plan_json())
            .set("id", self.id)
            .set("customer_id", self.customer_id)
            .set("store_id", self.store_id)
            .set("consultant_id", self.consultant_id)
            .set("way", self.way)
            .set("at", self.at)
            .set("needs", self.needs)
            .set("plan_total", format_fen(self.plan_total_fen))
            .set("outcome", self.outcome)
            .set("lost_reason", self.lost_reason)
            .set("follow_up_date", self.follow_up_date)
            .set("notes", self.notes)
            .set("created_by", self.created_by)
            .set("created_at", self.created_at)
            .set("updated_at", self.updated_at);
        r
    }
}
