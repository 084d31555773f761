//! Fields admins add to customers and consultations (自定义字段). Each is declared with a
//! sensitivity class like a built-in field and gets a policy for every role when it is created;
//! from then on the access layer treats it like any other field of its entity.

use std::collections::HashSet;
use std::sync::{Mutex, OnceLock};

use super::catalog::FieldDef;
use super::mask::Mask;
use super::model::{CustomKind, Entity, Policy, Role, Sensitivity};

/// Custom field names start with this, so they never collide with a built-in field.
pub const PREFIX: &str = "cf_";

/// The entities admins may add fields to.
pub const ENTITIES: &[Entity] = &[Entity::Customer, Entity::Consultation];

#[derive(Debug, Clone)]
pub struct CustomField {
    pub id: i64,
    pub entity: Entity,
    /// Name (`cf_<key>`), sensitivity and mask, as the access layer sees every field.
    pub def: FieldDef,
    pub label: String,
    pub kind: CustomKind,
    pub options: Vec<String>,
}

impl CustomField {
    pub fn new(
        id: i64,
        entity: Entity,
        name: &str,
        label: String,
        kind: CustomKind,
        sensitivity: Sensitivity,
        options: Vec<String>,
    ) -> CustomField {
        let mask = match kind {
            CustomKind::Text => Mask::Text,
            CustomKind::Date => Mask::Date,
            _ => Mask::Hide,
        };
        CustomField {
            id,
            entity,
            def: FieldDef {
                name: intern(name),
                sensitivity,
                mask,
                system: false,
            },
            label,
            kind,
            options,
        }
    }

    pub fn name(&self) -> &'static str {
        self.def.name
    }

    /// Identity and health values are encrypted at rest and searched by exact value only.
    pub fn encrypted(&self) -> bool {
        matches!(
            self.def.sensitivity,
            Sensitivity::Identity | Sensitivity::Health
        )
    }
}

/// The catalog hands out `&'static str` field names. A clinic defines a few dozen custom fields at
/// most, and a name is never reused for another field, so each distinct name is leaked once.
fn intern(name: &str) -> &'static str {
    static NAMES: OnceLock<Mutex<HashSet<&'static str>>> = OnceLock::new();
    let mut names = NAMES
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    match names.get(name) {
        Some(n) => n,
        None => {
            let n: &'static str = Box::leak(name.to_owned().into_boxed_str());
            names.insert(n);
            n
        }
    }
}

/// The policy a new custom field starts with, by role and sensitivity class; admins change it in
/// the permission matrix like any other. It follows the default policies of the built-in customer
/// fields of the same class (health like medical history, identity like the ID number, ...).
pub fn default_policy(role: Role, sensitivity: Sensitivity) -> Policy {
    use Policy::*;
    use Role as R;
    use Sensitivity as S;
    match (sensitivity, role) {
        (_, R::Admin) => Write,
        (_, R::Partner) => Hidden,
        (S::Plain, R::Manager | R::Consultant | R::Doctor | R::FrontDesk) => Write,
        (S::Plain, _) => Read,
        (S::Internal, R::Manager | R::Consultant | R::Doctor | R::FrontDesk) => Write,
        (S::Internal, R::Nurse | R::Finance | R::Auditor) => Read,
        (S::Internal, _) => Hidden,
        (S::Contact, R::Manager) => Write,
        (S::Contact, R::Consultant | R::FrontDesk) => WriteMasked,
        (S::Contact, R::ChannelManager) => Hidden,
        (S::Contact, _) => Masked,
        (S::Identity, R::Manager | R::FrontDesk) => WriteMasked,
        (S::Identity, R::Finance | R::Auditor) => Masked,
        (S::Identity, _) => Hidden,
        (S::Health, R::Manager | R::Consultant | R::Doctor) => Write,
        (S::Health, R::Nurse) => Read,
        (S::Health, _) => Hidden,
        (S::Finance, R::Manager) => Write,
        (S::Finance, R::Consultant | R::Finance | R::Auditor) => Read,
        (S::Finance, _) => Hidden,
    }
}
