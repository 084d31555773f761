//! Reading signed consents. A form stays on the customer it was signed under (it is immutable),
//! so it is found through that customer's file: the customer it was merged into, at the end of
//! its merges, or the customer itself when erased. Roles and row scope apply to that customer.

use serde::Serialize;
use serde_json::{Map, Value};

use super::model::Signed;
use super::{agreement_hash, store};
use crate::access::{ActionKind, Entity, Exported, Grant, Read, RowScope, SignedConsents};
use crate::app::App;
use crate::attachments::{self, Purpose};
use crate::audit::ViewRow;
use crate::domain::customers;
use crate::error::{Error, Result};

/// A signed consent as the API shows it: the form under the signed-consent policy, and the
/// customer it was signed under (a duplicate merged since keeps its own member no.) under the
/// customer policy.
#[derive(Serialize)]
pub struct Shown {
    #[serde(flatten)]
    pub form: Exported,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signed_under: Option<Map<String, Value>>,
}

pub(super) fn show<A: ActionKind>(
    app: &App,
    grant: &Grant<SignedConsents, A>,
    s: Signed,
    verified: bool,
    member_no: &str,
) -> Result<Shown> {
    let mut under = Map::new();
    under.insert("id".into(), s.customer_id.into());
    under.insert("member_no".into(), member_no.into());
    Ok(Shown {
        signed_under: grant.view_of(Entity::Customer, under),
        form: grant.export(s.into_record(verified), &app.cipher)?,
    })
}

/// The customers whose forms belong to `id`'s file: itself and those merged into it, with their
/// member numbers. The law keeps the forms of merged and erased customers, so `id` counts as
/// reachable when erased too; its row scope still applies.
fn file_of(c: &rusqlite::Connection, id: i64, scope: &RowScope) -> Result<Vec<(i64, String)>> {
    if !customers::pipl::on_file(c, id, scope)? {
        return Err(Error::not_found());
    }
    Ok(customers::store::merge_family(c, id)?)
}

fn member_no(family: &[(i64, String)], customer_id: i64) -> String {
    family
        .iter()
        .find(|(id, _)| *id == customer_id)
        .map_or_else(String::new, |(_, no)| no.clone())
}

/// The signed consent and the member no. it was signed under, when the customer whose file
/// holds it now (the end of its merges) is in the caller's scope.
fn in_scope(app: &App, scope: &RowScope, id: i64) -> Result<(Signed, String)> {
    app.db.read_sync(|c| {
        let s = store::get_signed(c, id)?.ok_or_else(Error::not_found)?;
        let holder = customers::store::merged_root(c, s.customer_id)?;
        let member_no = member_no(&file_of(c, holder, scope)?, s.customer_id);
        Ok((s, member_no))
    })
}

fn verify(app: &App, s: &Signed) -> Result<(bool, Vec<u8>)> {
    let signature = attachments::read(
        &app.config.data_dir,
        &app.cipher,
        Purpose::Signature,
        &s.signature_sha256,
    )?;
    let ok = agreement_hash(&s.template, s.customer_id, &signature, s.signed_at) == s.hash;
    Ok((ok, signature))
}

/// One signed consent with `verified`: whether its hash still matches what is stored.
pub fn get_signed(app: &App, grant: &Grant<SignedConsents, Read>, id: i64) -> Result<Shown> {
    let (s, member_no) = in_scope(app, &grant.rows(), id)?;
    let (ok, _) = verify(app, &s)?;
    show(app, grant, s, ok, &member_no)
}

/// The customer's signed consents, with those signed under duplicates merged into it.
pub fn list_signed(
    app: &App,
    grant: &Grant<SignedConsents, Read>,
    customer_id: i64,
) -> Result<Vec<Shown>> {
    let scope = grant.rows();
    let (family, rows) = app.db.read_sync(|c| {
        let family = file_of(c, customer_id, &scope)?;
        let ids: Vec<i64> = family.iter().map(|(id, _)| *id).collect();
        Ok::<_, Error>((family, store::signed_of_customers(c, &ids)?))
    })?;
    rows.into_iter()
        .map(|s| {
            let (ok, _) = verify(app, &s)?;
            let member_no = member_no(&family, s.customer_id);
            show(app, grant, s, ok, &member_no)
        })
        .collect()
}

/// The signature picture (PNG); the view is audited.
pub fn signature(app: &App, grant: &Grant<SignedConsents, Read>, id: i64) -> Result<Vec<u8>> {
    if !grant.policy("signature").visible() {
        return Err(Error::forbidden_field("signature", "查看", "read"));
    }
    let (s, _) = in_scope(app, &grant.rows(), id)?;
    let (_, png) = verify(app, &s)?;
    app.views.record(ViewRow {
        actor: grant.principal().actor(),
        entity: "signed_consent",
        entity_id: s.id,
        store_id: Some(s.store_id),
    });
    Ok(png)
}
