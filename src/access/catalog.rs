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

impl FieldDef {
    /// The value as it may be copied into free text that more roles read (a record's notes):
    /// masked, unless the field is plain or internal itself.
    pub fn for_notes(&self, value: &str) -> String {
        match self.sensitivity {
            Sensitivity::Plain | Sensitivity::Internal => value.to_string(),
            _ => super::mask::mask(self.mask, value),
        }
    }
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
    f("stage", S::Internal, M::Hide),
    f("referrer_id", S::Internal, M::Hide),
    f("tags", S::Internal, M::Hide),
    sys("last_visit_at"),
    sys("last_purchase_at"),
    // PIPL: set while the customer has asked to restrict processing.
    sys("restricted_at"),
    sys("created_at"),
    sys("updated_at"),
];

pub const CONSULTATION: &[FieldDef] = &[
    sys("id"),
    f("customer_id", S::Internal, M::Hide),
    f("store_id", S::Internal, M::Hide),
    f("consultant_id", S::Internal, M::Hide),
    f("way", S::Plain, M::Hide),
    f("at", S::Plain, M::Hide),
    f("needs", S::Internal, M::Text),
    f("plan", S::Finance, M::Hide),
    // The sum of the plan's prices: computed, never written.
    FieldDef {
        system: true,
        ..f("plan_total", S::Finance, M::Hide)
    },
    f("outcome", S::Plain, M::Hide),
    f("lost_reason", S::Internal, M::Text),
    f("follow_up_date", S::Plain, M::Hide),
    f("notes", S::Internal, M::Text),
    sys("created_by"),
    sys("created_at"),
    sys("updated_at"),
];

pub const TAG: &[FieldDef] = &[
    sys("id"),
    f("group_id", S::Plain, M::Hide),
    f("group_name", S::Plain, M::Hide),
    f("name", S::Plain, M::Hide),
    f("color", S::Plain, M::Hide),
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

/// The staff directory: who can be picked as a consultant or doctor (active accounts only).
pub const STAFF: &[FieldDef] = &[
    sys("id"),
    f("display_name", S::Plain, M::Name),
    f("role", S::Plain, M::Hide),
    f("store_id", S::Plain, M::Hide),
];

pub const SEGMENT: &[FieldDef] = &[
    sys("id"),
    f("name", S::Plain, M::Hide),
    f("filter", S::Plain, M::Hide),
    f("shared", S::Plain, M::Hide),
    sys("owner_id"),
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

/// A before/after photo. Its metadata and its `image` (the links to the picture) are separate
/// fields, so a role can see that a photo exists without seeing it.
pub const PHOTO: &[FieldDef] = &[
    sys("id"),
    f("customer_id", S::Internal, M::Hide),
    f("consultation_id", S::Internal, M::Hide),
    f("area", S::Health, M::Hide),
    f("kind", S::Plain, M::Hide),
    f("taken_date", S::Plain, M::Hide),
    FieldDef {
        system: true,
        ..f("media_type", S::Plain, M::Hide)
    },
    // Whether thumbnail and display sizes exist (not for HEIC).
    FieldDef {
        system: true,
        ..f("preview", S::Plain, M::Hide)
    },
    f("note", S::Health, M::Hide),
    f("image", S::Health, M::Hide),
    sys("created_by"),
    sys("created_at"),
];

/// A consent form template (知情同意书) as its current version.
pub const CONSENT_TEMPLATE: &[FieldDef] = &[
    sys("id"),
    f("category", S::Plain, M::Hide),
    f("title", S::Plain, M::Hide),
    f("body", S::Plain, M::Hide),
    sys("version"),
    sys("version_id"),
    sys("created_by"),
    sys("created_at"),
];

/// A consent as the customer signed it: the version's text, the signature, the hash over both.
pub const SIGNED_CONSENT: &[FieldDef] = &[
    sys("id"),
    f("customer_id", S::Internal, M::Hide),
    f("template_version_id", S::Health, M::Hide),
    FieldDef {
        system: true,
        ..f("category", S::Health, M::Hide)
    },
    sys("title"),
    sys("version"),
    sys("body"),
    sys("clinic_name"),
    f("signature", S::Identity, M::Hide),
    sys("signed_at"),
    sys("signed_by"),
    sys("signed_by_name"),
    sys("hash"),
    // The hash recomputed from the stored text and signature at read time.
    sys("verified"),
];

/// A custom field's definition. `key` is what the admin typed; `name` (`cf_<key>`) is the field's
/// name in records and in the permission matrix.
pub const CUSTOM_FIELD: &[FieldDef] = &[
    sys("id"),
    f("entity", S::Plain, M::Hide),
    f("key", S::Plain, M::Hide),
    sys("name"),
    f("label", S::Plain, M::Hide),
    f("kind", S::Plain, M::Hide),
    f("sensitivity", S::Plain, M::Hide),
    f("options", S::Plain, M::Hide),
    f("position", S::Plain, M::Hide),
    sys("created_at"),
    sys("archived_at"),
];

/// The built-in fields of an entity (`Matrix::fields` adds the custom ones).
pub fn fields(entity: Entity) -> &'static [FieldDef] {
    match entity {
        Entity::Customer => CUSTOMER,
        Entity::User => USER,
        Entity::Store => STORE,
        Entity::Audit => AUDIT,
        Entity::Consultation => CONSULTATION,
        Entity::Tag => TAG,
        Entity::Staff => STAFF,
        Entity::Segment => SEGMENT,
        Entity::Access => &[],
        Entity::Import => IMPORT,
        Entity::Photo => PHOTO,
        Entity::ConsentTemplate => CONSENT_TEMPLATE,
        Entity::SignedConsent => SIGNED_CONSENT,
        Entity::CustomField => CUSTOM_FIELD,
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
        Entity::Consultation => &[Read, Create, Update, Delete],
        Entity::Tag => &[Read, Create, Update, Delete],
        Entity::Staff => &[Read],
        Entity::Segment => &[Read, Create, Update, Delete],
        Entity::Access => &[Read, Update],
        Entity::Import => &[Read],
        Entity::Photo => &[Read, Create, Delete],
        Entity::ConsentTemplate => &[Read, Create, Update],
        Entity::SignedConsent => &[Read, Create],
        Entity::CustomField => &[Read, Create, Update, Delete],
    }
}
