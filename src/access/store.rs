use rusqlite::{params, Connection};

use super::{catalog, Action, Entity, Matrix, Policy, Role, Scope};

/// Reads the whole matrix. Rows naming a role, entity, field or value this binary does not know
/// are skipped (they may come from a newer version's data).
pub fn load_matrix(conn: &Connection) -> rusqlite::Result<Matrix> {
    let mut m = Matrix::default();
    let mut stmt = conn.prepare("SELECT name, scope FROM roles")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let (role, scope): (String, String) = (r.get(0)?, r.get(1)?);
        if let (Some(role), Some(scope)) = (Role::parse(&role), Scope::parse(&scope)) {
            m.scopes.insert(role, scope);
        }
    }
    let mut stmt = conn.prepare("SELECT role, entity, action FROM role_actions")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let (role, entity, action): (String, String, String) = (r.get(0)?, r.get(1)?, r.get(2)?);
        if let (Some(role), Some(entity), Some(action)) = (
            Role::parse(&role),
            Entity::parse(&entity),
            Action::parse(&action),
        ) {
            m.actions.insert((role, entity, action));
        }
    }
    let mut stmt = conn.prepare("SELECT role, entity, field, policy FROM field_policies")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let (role, entity, field, policy): (String, String, String, String) =
            (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?);
        let (Some(role), Some(entity), Some(policy)) = (
            Role::parse(&role),
            Entity::parse(&entity),
            Policy::parse(&policy),
        ) else {
            continue;
        };
        if let Some(def) = catalog::field(entity, &field) {
            m.policies.insert((role, entity, def.name), policy);
        }
    }
    Ok(m)
}

/// Returns the previous policy.
pub fn set_field_policy(
    tx: &Connection,
    role: Role,
    entity: Entity,
    field: &str,
    policy: Policy,
) -> rusqlite::Result<Option<String>> {
    let old = tx
        .query_row(
            "SELECT policy FROM field_policies WHERE role = ?1 AND entity = ?2 AND field = ?3",
            params![role.as_str(), entity.as_str(), field],
            |r| r.get(0),
        )
        .ok();
    tx.execute(
        "INSERT INTO field_policies (role, entity, field, policy) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (role, entity, field) DO UPDATE SET policy = excluded.policy",
        params![role.as_str(), entity.as_str(), field, policy.as_str()],
    )?;
    Ok(old)
}

/// Returns whether anything changed.
pub fn set_action(
    tx: &Connection,
    role: Role,
    entity: Entity,
    action: Action,
    allowed: bool,
) -> rusqlite::Result<bool> {
    let n = if allowed {
        tx.execute(
            "INSERT OR IGNORE INTO role_actions (role, entity, action) VALUES (?1, ?2, ?3)",
            params![role.as_str(), entity.as_str(), action.as_str()],
        )?
    } else {
        tx.execute(
            "DELETE FROM role_actions WHERE role = ?1 AND entity = ?2 AND action = ?3",
            params![role.as_str(), entity.as_str(), action.as_str()],
        )?
    };
    Ok(n > 0)
}
