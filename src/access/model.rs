//! The vocabulary of access: roles, actions, field policies, row scopes, entities.

use serde::{Deserialize, Serialize};

macro_rules! str_enum {
    ($name:ident { $($variant:ident = $s:literal),+ $(,)? }) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $s),+ }
            }
            pub fn parse(s: &str) -> Option<$name> {
                match s { $($s => Some($name::$variant),)+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

str_enum!(Role {
    Admin = "admin",
    Manager = "manager",
    Consultant = "consultant",
    Doctor = "doctor",
    Nurse = "nurse",
    FrontDesk = "front_desk",
    Finance = "finance",
    ChannelManager = "channel_manager",
    Marketing = "marketing",
    Auditor = "auditor",
    Partner = "partner",
});

str_enum!(Action {
    Read = "read",
    Create = "create",
    Update = "update",
    Delete = "delete",
    Export = "export",
    Approve = "approve",
    Reveal = "reveal",
});

str_enum!(Entity {
    Customer = "customer",
    User = "user",
    Store = "store",
    Audit = "audit",
    Consultation = "consultation",
    Tag = "tag",
    Staff = "staff",
    Segment = "segment",
    Access = "access",
    Import = "import",
    Photo = "photo",
    ConsentTemplate = "consent_template",
    SignedConsent = "signed_consent",
    CustomField = "custom_field",
});

str_enum!(CustomKind {
    Text = "text",
    Number = "number",
    Date = "date",
    Choice = "choice",
    MultiChoice = "multi_choice",
    YesNo = "yes_no",
});

str_enum!(Scope {
    All = "all",
    OwnStores = "own_stores",
    OwnCustomers = "own_customers",
    OwnChannel = "own_channel",
});

str_enum!(Sensitivity {
    Contact = "contact",
    Identity = "identity",
    Health = "health",
    Finance = "finance",
    Internal = "internal",
    Plain = "plain",
});

// `write_masked`: the role may write the field but reads it masked (front desk types in a mobile
// it is then shown as 138****5678).
str_enum!(Policy {
    Hidden = "hidden",
    Masked = "masked",
    Read = "read",
    WriteMasked = "write_masked",
    Write = "write",
});

impl Policy {
    pub fn visible(self) -> bool {
        self != Policy::Hidden
    }
    pub fn masked(self) -> bool {
        matches!(self, Policy::Masked | Policy::WriteMasked)
    }
    pub fn writable(self) -> bool {
        matches!(self, Policy::Write | Policy::WriteMasked)
    }
}

impl Sensitivity {
    /// Identity and health values never appear in the audit log, only the fact of a change.
    pub fn audit_values(self) -> bool {
        !matches!(self, Sensitivity::Identity | Sensitivity::Health)
    }
}
