//! Every field of every entity, declared once with its sensitivity class and how it is masked.
//! A test checks that each has a policy for every role.

use super::mask::Mask;
use super::model::{Entity, Sensitivity};

#[derive(Debug, Clone, Copy)]
pub struct FieldDef {
    pub name: &'static str,
    pub sensitivity: Sensitivity,
    pub mask: Mask,
    /// Set by the system only (ids, timestamps): never writable, whatever the policy says.
    pub system: bool,
}

const fn f(name: &'static str, sensitivity: Sensitivity, mask: Mask) -> FieldDef {
    FieldDef {
        name,
        sensitivity,
        mask,
        system: false,
    }
}

const fn sys(name: &'static str) -> FieldDef {
    FieldDef {
        name,
        sensitivity: Sensitivity::Plain,
        mask: Mask::Hide,
        system: true,
    }
}

use Mask as M;
use Sensitivity as S;

pub const CUSTOMER: &[FieldDef] = &[
    sys("id"),
    sys("member_no"),
    f("name", S::Contact, M::Name),
    f("gender", S::Plain, M::Hide),
    f("birthday", S::Identity, M::Date),
    f("mobile", S::Contact, M::Mobile),
    f("wechat_id", S::Contact, M::Text),
    f("id_number", S::Identity, M::IdNumber),
    f("store_id", S::Internal, M::Hide),
    f("consultant_id", S::Internal, M::Hide),
    f("source", S::Internal, M::Hide),
    f("skin_type", S::Health, M::Hide),
    f("allergies", S::Health, M::Text),
    f("concerns", S::Plain, M::Text),
    f("medical_history", S::Health, M::Text),
    f("notes", S::Internal, M::Text),
    f("consents", S::Plain, M::Hide),
    sys("created_at"),
    sys("updated_at"),
];

pub const USER: &[FieldDef] = &[
    sys("id"),
    f("username", S::Internal, M::Text),
    f("display_name", S::Plain, M::Name),
    f("role", S::Internal, M::Hide),
    f("store_id", S::Internal, M::Hide),
    f("disabled", S::Internal, M::Hide),
    f("must_change_password", S::Internal, M::Hide),
    f("locked_until", S::Internal, M::Hide),
    sys("created_at"),
];

pub const STORE: &[FieldDef] = &[
    sys("id"),
    f("code", S::Plain, M::Hide),
    f("name", S::Plain, M::Hide),
];

pub const AUDIT: &[FieldDef] = &[
    sys("id"),
    sys("at"),
    f("actor", S::Internal, M::Name),
    f("role", S::Internal, M::Hide),
    f("ip", S::Internal, M::Text),
    f("action", S::Internal, M::Hide),
    f("entity", S::Internal, M::Hide),
    f("entity_id", S::Internal, M::Hide),
    f("store_id", S::Internal, M::Hide),
    f("changes", S::Internal, M::Hide),
];

/// A customer import: the file's name and shape and the result, never the cell values.
pub const IMPORT: &[FieldDef] = &[
    sys("id"),
    f("filename", S::Internal, M::Text),
    f("format", S::Plain, M::Hide),
    f("encoding", S::Plain, M::Hide),
    f("status", S::Plain, M::Hide),
    f("row_count", S::Plain, M::Hide),
    f("mapping", S::Internal, M::Hide),
    f("result", S::Internal, M::Hide),
    f("store_id", S::Internal, M::Hide),
    f("created_by", S::Internal, M::Hide),
    sys("created_at"),
    sys("committed_at"),
];

pub fn fields(entity: Entity) -> &'static [FieldDef] {
    match entity {
        Entity::Customer => CUSTOMER,
        Entity::User => USER,
        Entity::Store => STORE,
        Entity::Audit => AUDIT,
        Entity::Access => &[],
        Entity::Import => IMPORT,
    }
}

pub fn field(entity: Entity, name: &str) -> Option<&'static FieldDef> {
    fields(entity).iter().find(|f| f.name == name)
}

/// The actions that mean something for an entity (what the matrix editor offers).
pub fn actions(entity: Entity) -> &'static [super::Action] {
    use super::Action::*;
    match entity {
        Entity::Customer => &[Read, Create, Update, Delete, Export, Reveal],
        Entity::User => &[Read, Create, Update],
        Entity::Store => &[Read, Update],
        Entity::Audit => &[Read, Export],
        Entity::Access => &[Read, Update],
        Entity::Import => &[Read],
    }
}
