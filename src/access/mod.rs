//! The one place that decides who sees what. Services receive a `Grant`, which only
//! `AccessControl::grant` can make, and records leave a service only through `Grant::export`.

pub mod api;
pub mod catalog;
pub mod custom;
pub mod mask;
mod model;
mod record;
mod store;

pub use catalog::FieldDef;
pub use custom::CustomField;
pub use model::{Action, CustomKind, Entity, Policy, Role, Scope, Sensitivity};
pub use record::{Exported, FieldValue, Record};
pub use store::{load_matrix, set_action, set_field_policy};

use std::collections::{HashMap, HashSet};
use std::marker::PhantomData;
use std::sync::{Arc, RwLock};

use crate::error::{Error, Result};

/// The authenticated caller of a request.
#[derive(Debug, Clone)]
pub struct Principal {
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub store_id: i64,
    pub session_id: i64,
    pub ip: Option<String>,
}

impl Principal {
    pub fn actor(&self) -> crate::audit::Actor {
        crate::audit::Actor {
            id: Some(self.user_id),
            name: self.username.clone(),
            role: Some(self.role.as_str().to_string()),
            ip: self.ip.clone(),
        }
    }
}

/// Roles × entities × actions/fields, as stored in the database.
#[derive(Debug, Default, Clone)]
pub struct Matrix {
    pub scopes: HashMap<Role, Scope>,
    pub actions: HashSet<(Role, Entity, Action)>,
    pub policies: HashMap<(Role, Entity, &'static str), Policy>,
    /// The fields admins added, in display order; archived ones are not loaded.
    pub custom: Vec<CustomField>,
}

impl Matrix {
    pub fn allows(&self, role: Role, entity: Entity, action: Action) -> bool {
        self.actions.contains(&(role, entity, action))
    }
    /// A field without a stored policy is hidden: forgetting a policy never leaks.
    pub fn policy(&self, role: Role, entity: Entity, field: &str) -> Policy {
        self.field(entity, field)
            .map_or(Policy::Hidden, |f| self.policy_of(role, entity, &f))
    }

    /// `policy` for a field already looked up.
    fn policy_of(&self, role: Role, entity: Entity, field: &FieldDef) -> Policy {
        self.policies
            .get(&(role, entity, field.name))
            .copied()
            .unwrap_or(Policy::Hidden)
    }

    /// A declared field of `entity`: built in, or added by an admin.
    pub fn field(&self, entity: Entity, name: &str) -> Option<FieldDef> {
        catalog::field(entity, name)
            .copied()
            .or_else(|| self.custom_field(entity, name).map(|c| c.def))
    }

    /// Every declared field of `entity`: the built-in ones, then the custom ones.
    pub fn fields(&self, entity: Entity) -> impl Iterator<Item = FieldDef> + '_ {
        catalog::fields(entity)
            .iter()
            .copied()
            .chain(self.custom_fields(entity).map(|c| c.def))
    }

    pub fn custom_fields(&self, entity: Entity) -> impl Iterator<Item = &CustomField> + '_ {
        self.custom.iter().filter(move |c| c.entity == entity)
    }

    pub fn custom_field(&self, entity: Entity, name: &str) -> Option<&CustomField> {
        self.custom_fields(entity).find(|c| c.name() == name)
    }
}

/// Holds the current matrix; reloaded after every permission change.
pub struct AccessControl {
    matrix: RwLock<Arc<Matrix>>,
}

impl AccessControl {
    pub fn new(matrix: Matrix) -> AccessControl {
        AccessControl {
            matrix: RwLock::new(Arc::new(matrix)),
        }
    }

    pub fn matrix(&self) -> Arc<Matrix> {
        self.matrix
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub fn replace(&self, matrix: Matrix) {
        *self.matrix.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(matrix);
    }

    /// The only way to obtain a capability for `A` on `E`.
    pub fn grant<E: EntityKind, A: ActionKind>(
        &self,
        principal: &Principal,
    ) -> Result<Grant<E, A>> {
        let matrix = self.matrix();
        if !matrix.allows(principal.role, E::ENTITY, A::ACTION) {
            return Err(Error::forbidden());
        }
        let scope = matrix
            .scopes
            .get(&principal.role)
            .copied()
            .unwrap_or(Scope::OwnChannel);
        let fields = matrix
            .fields(E::ENTITY)
            .map(|f| matrix.policy_of(principal.role, E::ENTITY, &f))
            .collect();
        Ok(Grant {
            fields,
            principal: principal.clone(),
            matrix,
            scope,
            _marker: PhantomData,
        })
    }
}

pub trait EntityKind {
    const ENTITY: Entity;
}
pub trait ActionKind {
    const ACTION: Action;
}
/// Actions that change fields.
pub trait WriteAction: ActionKind {}

macro_rules! kinds {
    ($trait:ident: $($name:ident => $value:expr),+) => {
        $(pub struct $name; impl $trait for $name { const ENTITY: Entity = $value; })+
    };
}
macro_rules! actions {
    ($($name:ident => $value:expr),+) => {
        $(pub struct $name; impl ActionKind for $name { const ACTION: Action = $value; })+
    };
}
kinds!(EntityKind: Customers => Entity::Customer, Users => Entity::User, Stores => Entity::Store, AuditLog => Entity::Audit, Consultations => Entity::Consultation, Tags => Entity::Tag, StaffDirectory => Entity::Staff, Segments => Entity::Segment, Permissions => Entity::Access, Imports => Entity::Import, Photos => Entity::Photo, ConsentTemplates => Entity::ConsentTemplate, SignedConsents => Entity::SignedConsent, CustomFields => Entity::CustomField);
actions!(Read => Action::Read, Create => Action::Create, Update => Action::Update, Delete => Action::Delete, Export => Action::Export, Reveal => Action::Reveal);
impl WriteAction for Create {}
impl WriteAction for Update {}

/// Which rows of an entity the principal may touch.
#[derive(Debug, Clone, PartialEq)]
pub enum RowScope {
    All,
    Store(i64),
    Consultant(i64),
    Nothing,
}

/// Proof that `principal` may do `A` on `E`, with the field policies to apply.
pub struct Grant<E, A> {
    principal: Principal,
    matrix: Arc<Matrix>,
    scope: Scope,
    /// The principal's policy for each field of `E`, in catalog order (looked up once).
    fields: Vec<Policy>,
    _marker: PhantomData<(E, A)>,
}

impl<E: EntityKind, A: ActionKind> Grant<E, A> {
    pub fn principal(&self) -> &Principal {
        &self.principal
    }

    pub fn policy(&self, field: &str) -> Policy {
        self.matrix.policy(self.principal.role, E::ENTITY, field)
    }

    /// A declared field of `E`, built in or custom.
    pub fn field(&self, name: &str) -> Option<FieldDef> {
        self.matrix.field(E::ENTITY, name)
    }

    pub fn rows(&self) -> RowScope {
        match self.scope {
            Scope::All => RowScope::All,
            Scope::OwnStores => RowScope::Store(self.principal.store_id),
            Scope::OwnCustomers => RowScope::Consultant(self.principal.user_id),
            // Channels arrive with the channel module; until then a partner sees no rows.
            Scope::OwnChannel => RowScope::Nothing,
        }
    }

    /// Whether the principal could also perform `other` (e.g. show a reveal button).
    pub fn also_allows(&self, other: Action) -> bool {
        self.matrix.allows(self.principal.role, E::ENTITY, other)
    }

    /// Every field of `E` with the principal's policy, in catalog order (built-in, then custom).
    pub fn field_policies(&self) -> impl Iterator<Item = (&'static str, Policy)> + '_ {
        self.matrix
            .fields(E::ENTITY)
            .zip(self.fields.iter().copied())
            .map(|(f, p)| (f.name, p))
    }

    /// The fields the principal sees, in catalog order.
    pub fn visible_fields(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.field_policies()
            .filter(|(_, p)| p.visible())
            .map(|(name, _)| name)
    }

    /// The fields admins added to `E`, in display order.
    pub fn custom_fields(&self) -> impl Iterator<Item = &CustomField> + '_ {
        self.matrix.custom_fields(E::ENTITY)
    }

    /// Searching, filtering or sorting by a field is refused when the field is hidden, and when
    /// it is masked: which records match would tell the part the mask hides.
    pub fn check_searchable(&self, field: &str) -> Result<()> {
        let policy = self.policy(field);
        if !policy.visible() {
            Err(Error::forbidden_field(field, "检索", "search by"))
        } else if policy.masked() {
            Err(Error::masked_field(field))
        } else {
            Ok(())
        }
    }

    /// The quick search by a field: a masked field is searchable only by a query that tells
    /// nothing the mask hides (`within_mask`: the whole value, or no more than the mask shows).
    pub fn check_quick_searchable(&self, field: &str, within_mask: bool) -> Result<()> {
        if within_mask && self.policy(field).masked() {
            return Ok(());
        }
        self.check_searchable(field)
    }

    /// The one way a record leaves a service: hidden fields absent, masked fields masked.
    pub fn export(
        &self,
        mut record: Record,
        cipher: &crate::crypto::FieldCipher,
    ) -> Result<Exported> {
        let mut out = Vec::with_capacity(self.fields.len());
        for (def, &policy) in self.matrix.fields(E::ENTITY).zip(&self.fields) {
            if !policy.visible() {
                continue;
            }
            let Some(value) = record.take(def.name) else {
                continue;
            };
            let shown = if policy.masked() {
                value.masked(def.mask)
            } else {
                value.into_plain(def.name, cipher)?
            };
            out.push((def.name, shown));
        }
        Ok(Exported(out))
    }
}

impl<E: EntityKind, A: ActionKind> Grant<E, A> {
    /// Old/new values recorded in an audit row, shown as this principal may see the fields they
    /// belong to: masked fields masked, hidden fields only as "changed".
    pub fn redact_changes(&self, entity: &str, changes: &serde_json::Value) -> serde_json::Value {
        use serde_json::Value;
        let (Some(entity), Value::Object(map)) = (Entity::parse(entity), changes) else {
            return changes.clone();
        };
        // A search text logged with the field it searched (`q`, `q_field`: an export) is shown
        // as that field would be.
        let searched = map
            .get("q_field")
            .and_then(Value::as_str)
            .and_then(|f| self.matrix.field(entity, f));
        let redacted = map
            .iter()
            .map(|(field, v)| {
                if let (Some(def), "q", Value::String(q)) = (searched, field.as_str(), v) {
                    let shown = match self.matrix.policy(self.principal.role, entity, def.name) {
                        Policy::Hidden => Value::String("***".into()),
                        p if p.masked() => Value::String(mask::mask(def.mask, q)),
                        _ => v.clone(),
                    };
                    return (field.clone(), shown);
                }
                let Some(def) = self.matrix.field(entity, field) else {
                    return (field.clone(), v.clone());
                };
                let shown = match self.matrix.policy(self.principal.role, entity, def.name) {
                    Policy::Hidden => serde_json::json!({"changed": true}),
                    p if p.masked() => match v {
                        Value::Object(pair) => Value::Object(
                            pair.iter()
                                .map(|(k, x)| {
                                    let x = match x {
                                        Value::String(s) => Value::String(mask::mask(def.mask, s)),
                                        Value::Null | Value::Bool(_) => x.clone(),
                                        _ => Value::String("***".into()),
                                    };
                                    (k.clone(), x)
                                })
                                .collect(),
                        ),
                        _ => v.clone(),
                    },
                    _ => v.clone(),
                };
                (field.clone(), shown)
            })
            .collect();
        Value::Object(redacted)
    }

    /// Field values of another entity (a timeline event's data) as this principal may see them:
    /// `None` when the role may not read that entity; hidden and undeclared fields dropped,
    /// masked ones masked.
    pub fn view_of(
        &self,
        entity: Entity,
        data: serde_json::Map<String, serde_json::Value>,
    ) -> Option<serde_json::Map<String, serde_json::Value>> {
        use serde_json::Value;
        let role = self.principal.role;
        if !self.matrix.allows(role, entity, Action::Read) {
            return None;
        }
        let shown = data
            .into_iter()
            .filter_map(|(field, v)| {
                let def = self.matrix.field(entity, &field)?;
                match self.matrix.policy(role, entity, def.name) {
                    Policy::Hidden => None,
                    p if p.masked() => {
                        let m = match &v {
                            Value::String(s) => Value::String(mask::mask(def.mask, s)),
                            Value::Null => Value::Null,
                            _ => Value::String("***".into()),
                        };
                        Some((field, m))
                    }
                    _ => Some((field, v)),
                }
            })
            .collect();
        Some(shown)
    }

    /// `export` of each record, in order.
    pub fn export_all(
        &self,
        records: impl IntoIterator<Item = Record>,
        cipher: &crate::crypto::FieldCipher,
    ) -> Result<Vec<Exported>> {
        records
            .into_iter()
            .map(|r| self.export(r, cipher))
            .collect()
    }
}

impl<E: EntityKind, A: WriteAction> Grant<E, A> {
    /// A write touching any field the principal may not write is refused whole, naming the field.
    pub fn check_writable<'a>(&self, fields: impl IntoIterator<Item = &'a str>) -> Result<()> {
        for name in fields {
            let Some(def) = self.matrix.field(E::ENTITY, name) else {
                return Err(Error::field(name, "未知字段", "unknown field"));
            };
            if def.system || !self.policy(name).writable() {
                return Err(Error::forbidden_field(name, "修改", "write"));
            }
        }
        Ok(())
    }
}

impl<E: EntityKind> Grant<E, Reveal> {
    /// One field of one record in clear, for a role that sees it masked. The caller audits it.
    pub fn reveal(
        &self,
        mut record: Record,
        field: &str,
        cipher: &crate::crypto::FieldCipher,
    ) -> Result<serde_json::Value> {
        let def = self
            .matrix
            .field(E::ENTITY, field)
            .ok_or_else(|| Error::field("field", "未知字段", "unknown field"))?;
        if !self.policy(def.name).visible() {
            return Err(Error::forbidden_field(def.name, "查看", "read"));
        }
        match record.take(def.name) {
            Some(v) => v.into_plain(def.name, cipher),
            None => Ok(serde_json::Value::Null),
        }
    }
}

#[cfg(test)]
mod tests;
