//! The permission matrix editor: `/api/v1/access/*`. Every change is audited and takes effect
//! at once.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::{catalog, Action, Entity, Permissions, Policy, Read, Role, Update};
use crate::app::App;
use crate::audit::{self, Event};
use crate::auth::Authenticated;
use crate::error::{Error, Result};
use crate::http::{blocking, Api, Json};

pub fn routes(api: &mut Api) {
    api.get(
        "/access/matrix",
        "Roles × entities × actions and field policies",
        matrix,
    );
    api.put(
        "/access/field-policy",
        "Set one role's policy for one field",
        set_policy,
    );
    api.put(
        "/access/action",
        "Allow or forbid one action for one role",
        set_action,
    );
}

async fn matrix(app: web::Data<App>, auth: Authenticated) -> Result<HttpResponse> {
    let body = auth
        .with_grant::<Permissions, Read, _, _>(app, |app, _grant| {
            let m = app.access.matrix();
            let entities: Vec<Value> = Entity::ALL
                .iter()
                .map(|e| {
                    let fields: Vec<Value> = m
                        .fields(*e)
                        .map(|f| {
                            let label = m.custom_field(*e, f.name).map(|c| c.label.as_str());
                            json!({"name": f.name, "sensitivity": f.sensitivity, "system": f.system, "label": label})
                        })
                        .collect();
                    json!({"name": e, "actions": catalog::actions(*e), "fields": fields})
                })
                .collect();
            let mut policies = Map::new();
            let mut actions = Map::new();
            let mut scopes = Map::new();
            for role in Role::ALL {
                let mut per_entity = Map::new();
                let mut acts = Map::new();
                for e in Entity::ALL {
                    let fields: Map<String, Value> = m.fields(*e).map(|f| (f.name.to_string(), json!(m.policy(*role, *e, f.name)))).collect();
                    per_entity.insert(e.as_str().into(), fields.into());
                    let allowed: Vec<&str> = catalog::actions(*e).iter().filter(|a| m.allows(*role, *e, **a)).map(|a| a.as_str()).collect();
                    acts.insert(e.as_str().into(), json!(allowed));
                }
                policies.insert(role.as_str().into(), per_entity.into());
                actions.insert(role.as_str().into(), acts.into());
                scopes.insert(role.as_str().into(), json!(m.scopes.get(role)));
            }
            Ok(json!({"roles": Role::ALL, "entities": entities, "field_policies": policies, "actions": actions, "scopes": scopes}))
        })
        .await?;
    Ok(HttpResponse::Ok().json(body))
}

fn parse<T>(field: &str, v: &str, f: impl Fn(&str) -> Option<T>) -> Result<T> {
    f(v).ok_or_else(|| {
        Error::field(
            field,
            format!("未知取值 {v}"),
            format!("unknown value `{v}`"),
        )
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyBody {
    role: String,
    entity: String,
    field: String,
    policy: String,
}

async fn set_policy(
    app: web::Data<App>,
    auth: Authenticated,
    Json(b): Json<PolicyBody>,
) -> Result<HttpResponse> {
    blocking(move || {
        let p = auth.principal(&app)?;
        app.access.grant::<Permissions, Update>(&p)?;
        let role = parse("role", &b.role, Role::parse)?;
        let entity = parse("entity", &b.entity, Entity::parse)?;
        let policy = parse("policy", &b.policy, Policy::parse)?;
        let def = app.access.matrix().field(entity, &b.field).ok_or_else(|| Error::field("field", "该实体没有此字段", "no such field on this entity"))?;
        if def.system && policy.writable() {
            return Err(Error::field("policy", "系统字段不可设为可写", "system fields cannot be writable"));
        }
        app.db.write_sync(|tx| {
            let old = super::set_field_policy(tx, role, entity, def.name, policy)?;
            let changes = json!({"role": role, "entity": entity, "field": def.name, "old": old, "new": policy});
            audit::append(tx, &Event { actor: &p.actor(), action: "permission_change", entity: "access", entity_id: None, store_id: None, changes: Some(changes) })?;
            Ok::<_, Error>(())
        })?;
        reload(&app)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ActionBody {
    role: String,
    entity: String,
    action: String,
    allowed: bool,
}

async fn set_action(
    app: web::Data<App>,
    auth: Authenticated,
    Json(b): Json<ActionBody>,
) -> Result<HttpResponse> {
    blocking(move || {
        let p = auth.principal(&app)?;
        app.access.grant::<Permissions, Update>(&p)?;
        let role = parse("role", &b.role, Role::parse)?;
        let entity = parse("entity", &b.entity, Entity::parse)?;
        let action = parse("action", &b.action, Action::parse)?;
        if !catalog::actions(entity).contains(&action) {
            return Err(Error::field(
                "action",
                "此实体不支持该操作",
                "this entity has no such action",
            ));
        }
        // Keep at least one way back in: admins cannot remove their own right to edit permissions.
        if role == Role::Admin && entity == Entity::Access && !b.allowed {
            return Err(Error::field(
                "role",
                "不能撤销管理员的权限管理权",
                "admins keep the right to manage permissions",
            ));
        }
        app.db.write_sync(|tx| {
            if super::set_action(tx, role, entity, action, b.allowed)? {
                let changes =
                    json!({"role": role, "entity": entity, "action": action, "allowed": b.allowed});
                audit::append(
                    tx,
                    &Event {
                        actor: &p.actor(),
                        action: "permission_change",
                        entity: "access",
                        entity_id: None,
                        store_id: None,
                        changes: Some(changes),
                    },
                )?;
            }
            Ok::<_, Error>(())
        })?;
        reload(&app)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Reloads the matrix after a change to roles, policies or custom fields.
pub fn reload(app: &App) -> Result<()> {
    let m = app.db.read_sync(super::load_matrix)?;
    app.access.replace(m);
    Ok(())
}
