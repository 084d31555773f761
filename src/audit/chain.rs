//! Walking the hash chain, and the breaks in it that IT has examined and acknowledged.
//!
//! A break found by `verify` stops every backup, so that a tampered log is never kept as a sound
//! one. Once the incident is recorded, `liyan audit acknowledge-break` pins the broken row as it
//! was found (`audit_chain_breaks`, append-only) and logs the acknowledgment in the chain itself;
//! from then on `verify` passes that row, names it in its report, and fails again if the row
//! changes once more or the acknowledgment has no row of its own in the chain.

use std::collections::{HashMap, HashSet};

use rusqlite::params;
use serde::{Deserialize, Serialize};

use super::store::row_hash;
use super::{append, Actor, ChainHead, Event, GENESIS_HASH};
use crate::clock::now_ms;

/// The audit action and entity of an acknowledgment's own row.
const ACK_ACTION: &str = "acknowledge_break";
const ACK_ENTITY: &str = "system";

/// What is wrong with a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    /// Its `prev_hash` is not the previous row's hash: a row before it was removed or inserted.
    Link,
    /// Its content does not give its hash: the row was edited.
    Content,
    /// An acknowledgment of its break is not logged in the chain.
    UnloggedAcknowledgment,
}

impl Problem {
    pub fn code(self) -> &'static str {
        match self {
            Problem::Link => "link",
            Problem::Content => "content",
            Problem::UnloggedAcknowledgment => "unlogged_acknowledgment",
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Problem::Link => {
                "prev_hash does not match the previous row (a row was removed or inserted)"
            }
            Problem::Content => "content does not match its hash (the row was edited)",
            Problem::UnloggedAcknowledgment => {
                "its break is marked acknowledged, but the acknowledgment is not in the audit log"
            }
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("audit row {id} is broken: {}", .problem.describe())]
    Broken { id: i64, problem: Problem },
    #[error(transparent)]
    Sql(#[from] rusqlite::Error),
}

/// A break that was acknowledged, as `verify` reports it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AcknowledgedBreak {
    pub row_id: i64,
    /// `link` or `content` (see `Problem::code`).
    pub problem: String,
    pub reason: String,
    pub acknowledged_at: i64,
    pub acknowledged_by: String,
}

/// A chain that verified: its head, and the acknowledged breaks it passed.
#[derive(Debug)]
pub struct Verified {
    pub head: ChainHead,
    pub acknowledged: Vec<AcknowledgedBreak>,
}

/// An acknowledgment as stored: the broken row's stored hash and the hash of its content as
/// found, which must both still hold for the break to pass.
struct Pinned {
    hash: String,
    content_hash: String,
    public: AcknowledgedBreak,
}

/// Walks the whole chain; returns its head, or the first row whose link or hash is wrong and
/// whose break was not acknowledged as it stands.
pub fn verify(conn: &rusqlite::Connection) -> Result<Verified, VerifyError> {
    let pinned = acknowledgments(conn)?;
    let mut stmt = conn.prepare(
        "SELECT id, at, actor_id, actor, role, ip, action, entity, entity_id, store_id, changes, prev_hash, hash
         FROM audit_log ORDER BY id",
    )?;
    let mut rows = stmt.query([])?;
    let mut expected_prev = GENESIS_HASH.to_string();
    let mut head = ChainHead {
        rows: 0,
        last_id: 0,
        last_hash: GENESIS_HASH.to_string(),
    };
    let mut acknowledged = Vec::new();
    let mut logged: HashSet<i64> = HashSet::new();
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        let prev: String = r.get(11)?;
        let hash: String = r.get(12)?;
        let action: String = r.get(6)?;
        let entity: String = r.get(7)?;
        let entity_id: Option<i64> = r.get(8)?;
        let content_hash = content_hash_of(r, &prev)?;
        let problem = if prev != expected_prev {
            Some(Problem::Link)
        } else if content_hash != hash {
            Some(Problem::Content)
        } else {
            None
        };
        if let Some(problem) = problem {
            match pinned.get(&id) {
                Some(p) if p.hash == hash && p.content_hash == content_hash => {
                    acknowledged.push(p.public.clone())
                }
                _ => return Err(VerifyError::Broken { id, problem }),
            }
        }
        if action == ACK_ACTION && entity == ACK_ENTITY {
            logged.extend(entity_id);
        }
        expected_prev = hash.clone();
        head = ChainHead {
            rows: head.rows + 1,
            last_id: id,
            last_hash: hash,
        };
    }
    if let Some(a) = acknowledged.iter().find(|a| !logged.contains(&a.row_id)) {
        return Err(VerifyError::Broken {
            id: a.row_id,
            problem: Problem::UnloggedAcknowledgment,
        });
    }
    Ok(Verified { head, acknowledged })
}

/// The hash a row's content gives when chained to `prev` (its stored `prev_hash`).
fn content_hash_of(r: &rusqlite::Row, prev: &str) -> rusqlite::Result<String> {
    let actor: String = r.get(3)?;
    let role: Option<String> = r.get(4)?;
    let ip: Option<String> = r.get(5)?;
    let action: String = r.get(6)?;
    let entity: String = r.get(7)?;
    let changes: Option<String> = r.get(10)?;
    Ok(row_hash(
        prev,
        r.get(1)?,
        r.get(2)?,
        &actor,
        role.as_deref(),
        ip.as_deref(),
        &action,
        &entity,
        r.get(8)?,
        r.get(9)?,
        changes.as_deref(),
    ))
}

fn acknowledgments(conn: &rusqlite::Connection) -> rusqlite::Result<HashMap<i64, Pinned>> {
    // A backup made before V12 has no such table, and so no acknowledgments.
    if !crate::db::table_exists(conn, "audit_chain_breaks")? {
        return Ok(HashMap::new());
    }
    let mut stmt = conn.prepare(
        "SELECT row_id, hash, content_hash, problem, reason, acknowledged_at, acknowledged_by
         FROM audit_chain_breaks",
    )?;
    let rows = stmt.query_map([], |r| {
        let row_id: i64 = r.get(0)?;
        Ok((
            row_id,
            Pinned {
                hash: r.get(1)?,
                content_hash: r.get(2)?,
                public: AcknowledgedBreak {
                    row_id,
                    problem: r.get(3)?,
                    reason: r.get(4)?,
                    acknowledged_at: r.get(5)?,
                    acknowledged_by: r.get(6)?,
                },
            },
        ))
    })?;
    rows.collect()
}

/// Records that the break `verify` found at row `id` was examined, with the reason given, and
/// logs it in the chain; in the caller's write transaction. Only the first unacknowledged break
/// can be acknowledged: the caller checks that `id` is what `verify` names.
pub fn acknowledge(
    tx: &rusqlite::Connection,
    id: i64,
    problem: Problem,
    reason: &str,
    by: &Actor,
) -> rusqlite::Result<()> {
    let (hash, content_hash) = tx.query_row(
        "SELECT id, at, actor_id, actor, role, ip, action, entity, entity_id, store_id, changes, prev_hash, hash
         FROM audit_log WHERE id = ?1",
        [id],
        |r| {
            let prev: String = r.get(11)?;
            Ok((r.get::<_, String>(12)?, content_hash_of(r, &prev)?))
        },
    )?;
    tx.execute(
        "INSERT INTO audit_chain_breaks (row_id, hash, content_hash, problem, reason, acknowledged_at, acknowledged_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![id, hash, content_hash, problem.code(), reason, now_ms(), by.name],
    )?;
    append(
        tx,
        &Event {
            actor: by,
            action: ACK_ACTION,
            entity: ACK_ENTITY,
            entity_id: Some(id),
            store_id: None,
            changes: Some(serde_json::json!({"problem": problem.code(), "reason": reason})),
        },
    )?;
    Ok(())
}

/// The chain's head when it verifies (acknowledged breaks included), for callers that need
/// nothing else.
pub fn verified_head(conn: &rusqlite::Connection) -> Result<ChainHead, VerifyError> {
    Ok(verify(conn)?.head)
}
