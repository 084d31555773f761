//! Writing a plan inside the commit's transaction: inserts and updates through the customer
//! store (encryption and search terms as for any customer), each with its audit row.

use rusqlite::Connection;

use super::plan::Plan;
use crate::app::App;
use crate::audit::{self, Actor, Event};
use crate::domain::customers::{service, store};
use crate::error::Result;

/// Returns the ids of the customers created.
pub fn write(
    app: &App,
    tx: &Connection,
    by: &Actor,
    plan: &mut Plan,
    import_id: i64,
) -> Result<Vec<i64>> {
    let mut created = Vec::new();
    for t in &mut plan.targets {
        let c = &mut t.after;
        let (action, mut changes) = match &t.before {
            None => {
                c.member_no = store::next_member_no(tx)?;
                c.id = store::insert(tx, c, &app.cipher)?;
                service::save_custom(tx, app, None, c)?;
                service::created(tx, by, c, None)?;
                created.push(c.id);
                ("create", service::diff(app, None, c))
            }
            Some(old) if old != c => {
                let terms =
                    c.name != old.name || c.mobile != old.mobile || c.id_number != old.id_number;
                store::update(tx, c, &app.cipher, terms)?;
                service::save_custom(tx, app, Some(old), c)?;
                service::after_write(tx, by, Some(old), c, None)?;
                ("update", service::diff(app, Some(old), c))
            }
            Some(_) => continue,
        };
        changes["import_id"] = import_id.into();
        audit::append(
            tx,
            &Event {
                actor: by,
                action,
                entity: "customer",
                entity_id: Some(c.id),
                store_id: Some(c.store_id),
                changes: Some(changes),
            },
        )?;
    }
    Ok(created)
}
