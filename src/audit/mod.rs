//! The append-only, hash-chained audit log. Every write appends its row inside the same
//! transaction; triggers refuse UPDATE and DELETE; `verify` walks the chain.

pub mod api;
mod chain;
mod store;
mod views;

pub use chain::{acknowledge, verify, AcknowledgedBreak, Problem, VerifyError};
pub use store::{about, append, append_all, head, list, AuditFilter, AuditRow, ChainHead};
pub use views::{ViewLog, ViewRow};

use serde_json::Value;

/// Who did it. Built from the authenticated principal, or for CLI work from the OS user.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Actor {
    pub id: Option<i64>,
    pub name: String,
    pub role: Option<String>,
    pub ip: Option<String>,
}

impl Actor {
    pub fn system(name: &str) -> Actor {
        // Services and timers often run without $USER: fall back to the numeric uid.
        let os_user = std::env::var("USER")
            .or_else(|_| std::env::var("LOGNAME"))
            .ok()
            .or_else(|| {
                let status = std::fs::read_to_string("/proc/self/status").ok()?;
                let uid = status
                    .lines()
                    .find_map(|l| l.strip_prefix("Uid:"))?
                    .split_whitespace()
                    .next()?
                    .to_string();
                Some(format!("uid {uid}"))
            })
            .unwrap_or_else(|| "unknown".into());
        // IT runs commands as the service account (`sudo -u liyan`): sudo says who asked.
        let os_user = match std::env::var("SUDO_USER") {
            Ok(by) if !by.is_empty() && by != os_user => format!("{os_user}, sudo by {by}"),
            _ => os_user,
        };
        Actor {
            id: None,
            name: format!("{name} ({os_user})"),
            role: None,
            ip: None,
        }
    }
}

/// One event to record.
#[derive(Clone, Debug)]
pub struct Event<'a> {
    pub actor: &'a Actor,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: Option<i64>,
    pub store_id: Option<i64>,
    pub changes: Option<Value>,
}

pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";
