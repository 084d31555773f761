use rusqlite::{params, Connection};

use super::{Action, CustomField, CustomKind, Entity, Matrix, Policy, Role, Scope, Sensitivity};

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
    m.custom = custom_fields(conn)?;
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
        if let Some(def) = m.field(entity, &field) {
            m.policies.insert((role, entity, def.name), policy);
        }
    }
    Ok(m)
}

/// The custom part of the catalog: fields admins added and have not archived.
fn custom_fields(conn: &Connection) -> rusqlite::Result<Vec<CustomField>> {
    let mut stmt = conn.prepare(
        "SELECT id, entity, name, label, kind, sensitivity, options FROM custom_fields
         WHERE archived_at IS NULL ORDER BY position, id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, String>(5)?,
            r.get::<_, String>(6)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, entity, name, label, kind, sensitivity, options) = row?;
        // The table's CHECKs admit only values this binary knows.
        let (Some(entity), Some(kind), Some(sensitivity)) = (
            Entity::parse(&entity),
            CustomKind::parse(&kind),
            Sensitivity::parse(&sensitivity),
        ) else {
            continue;
        };
        let options = serde_json::from_str(&options).unwrap_or_default();
        out.push(CustomField::new(
            id,
            entity,
            &name,
            label,
            kind,
            sensitivity,
            options,
        ));
    }
    Ok(out)
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
