//! The 360° page in one read: the profile, stage history, consultations, referrals (who brought
//! the customer, whom they brought) and the newest page of the timeline, each under the caller's
//! access. Later areas show up through the timeline, not by changing this module.

pub mod api;

use serde::Serialize;
use serde_json::{json, Value};

use crate::access::{Consultations, Customers, Exported, Grant, Read};
use crate::app::App;
use crate::db::Reader;
use crate::domain::{consultations, customers, timeline};
use crate::error::Result;

#[derive(Serialize)]
pub struct Overview {
    pub customer: Exported,
    pub stage_history: Vec<Value>,
    /// Absent when the role may not read consultations.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consultations: Option<Vec<Exported>>,
    pub referrer: Option<Exported>,
    pub referred: Vec<Exported>,
    pub referral_count: i64,
    pub timeline: timeline::Page,
}

/// Customers shown as a referral: their id, member number, name and stage under the policy.
fn referral_card(
    app: &App,
    grant: &Grant<Customers, Read>,
    row: customers::store::Row_,
) -> Result<Exported> {
    let mut card = row.into_record(&app.config.lifecycle, crate::clock::now_ms());
    card.keep_only(&["id", "member_no", "name", "stage"]);
    grant.export(card, &app.cipher)
}

pub fn overview(
    c: &Reader,
    app: &App,
    grant: &Grant<Customers, Read>,
    consultation_grant: Option<&Grant<Consultations, Read>>,
    id: i64,
) -> Result<(Overview, i64)> {
    let customers::service::Loaded {
        record,
        store_id,
        referrer_id,
    } = customers::service::load_on(c, app, grant, id)?;
    let referrer = match referrer_id {
        // The referrer may be in another store: shown only if the caller may see them.
        Some(r) => customers::store::get(c, r, &grant.rows())?
            .map(|row| referral_card(app, grant, row))
            .transpose()?,
        None => None,
    };
    let referred = customers::store::referred_by(c, id, &grant.rows(), 50)?
        .into_iter()
        .map(|row| referral_card(app, grant, row))
        .collect::<Result<Vec<_>>>()?;
    let stage_visible = grant.policy("stage").visible();
    let stage_history = if stage_visible {
        customers::store::stage_history(c, id)?
            .into_iter()
            .map(|h| json!({"from_stage": h.from_stage, "to_stage": h.to_stage, "reason": h.reason, "at": h.at, "actor_id": h.actor_id, "actor": h.actor, "actor_name": h.actor_name}))
            .collect()
    } else {
        Vec::new()
    };
    let consultations = consultation_grant
        .map(|g| consultations::of_customer(c, app, g, id))
        .transpose()?;
    let overview = Overview {
        customer: grant.export(record, &app.cipher)?,
        stage_history,
        consultations,
        referrer,
        referral_count: customers::store::referral_count(c, id)?,
        referred,
        timeline: timeline::page(c, grant, id, None, 30)?,
    };
    Ok((overview, store_id))
}
