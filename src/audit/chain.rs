//! Walking the hash chain, and the breaks in it that IT has examined and acknowledged.
//!
//! A break found by `verify` stops every backup, so that a tampered log is never kept as a sound
//! one. Once the incident is recorded, `liyan audit acknowledge-break` appends a row to the chain
//! that pins the broken row as it was found: its stored hash, the hash its content gives, and the
//! hash of the row before it. `verify` passes the break only while all three still hold, so the
//! broken row cannot change again, nor can anything before it be removed, inserted or edited,
//! without a new break. The acknowledgment is a chain row like any other: changing or removing
//! it breaks the chain too, and only a sound acknowledgment row after the break counts.

use std::collections::BTreeMap;

use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::store::row_hash;
use super::{append, Actor, ChainHead, Event, GENESIS_HASH};

/// The columns `content_hash_of` reads, in its order.
const ROW: &str = "SELECT id, at, actor_id, actor, role, ip, action, entity, entity_id, store_id, changes, prev_hash, hash
                   FROM audit_log";

/// The audit action and entity of an acknowledgment's row.
const ACK_ACTION: &str = "acknowledge_break";
const ACK_ENTITY: &str = "system";

/// What is wrong with a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    /// Its `prev_hash` is not the previous row's hash: the row before it was removed, inserted or
    /// edited.
    Link,
    /// Its content does not give its hash: the row was edited.
    Content,
}

impl Problem {
    fn code(self) -> &'static str {
        match self {
            Problem::Link => "link",
            Problem::Content => "content",
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Problem::Link => {
                "prev_hash does not match the previous row (the row before it was removed, inserted or edited)"
            }
            Problem::Content => "content does not match its hash (the row was edited)",
        }
    }

    fn describe_zh(self) -> &'static str {
        match self {
            Problem::Link => "与上一行的链接不符（其前一行被删除、插入或改动）",
            Problem::Content => "内容与哈希不符（该行被改动）",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("audit row {id} is broken: {}{} / 审计日志第 {id} 行损坏：{}{}",
        .problem.describe(),
        if *.acknowledged_before { "; its break was acknowledged before and it has changed since" } else { "" },
        .problem.describe_zh(),
        if *.acknowledged_before { "；此前已确认过断裂，之后又被改动" } else { "" })]
    Broken {
        id: i64,
        problem: Problem,
        acknowledged_before: bool,
    },
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
    /// The acknowledgment's own row.
    pub acknowledgment_id: i64,
    pub acknowledged_at: i64,
    pub acknowledged_by: String,
    /// An earlier acknowledgment of this row no longer matched: the row, or what came before it,
    /// changed after that, and this later acknowledgment covers the change.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub changed_after_earlier_acknowledgment: bool,
}

/// A chain that verified: its head, and the acknowledged breaks it passed.
#[derive(Debug)]
pub struct Verified {
    pub head: ChainHead,
    pub acknowledged: Vec<AcknowledgedBreak>,
}

/// What an acknowledgment's row pins: the broken row's stored hash, the hash its content gives,
/// and the hash of the row before it.
#[derive(Serialize, Deserialize)]
struct Pin {
    problem: String,
    reason: String,
    hash: String,
    content_hash: String,
    prev_row_hash: String,
}

/// Walks the whole chain; returns its head, or the first row whose link or hash is wrong and
/// whose break no later acknowledgment covers as it stands.
///
/// One walk, in order: a break waits for an acknowledgment further on, and only an
/// acknowledgment row the walk itself found sound counts. A forged acknowledgment written into
/// a row that is then broken itself acknowledges nothing.
pub fn verify(conn: &rusqlite::Connection) -> Result<Verified, VerifyError> {
    let mut stmt = conn.prepare(&format!("{ROW} ORDER BY id"))?;
    let mut rows = stmt.query([])?;
    let mut expected_prev = GENESIS_HASH.to_string();
    let mut head = ChainHead {
        rows: 0,
        last_id: 0,
        last_hash: GENESIS_HASH.to_string(),
    };
    // Breaks not yet covered, by row: what was found, and whether an acknowledgment of an
    // earlier state of the row was seen.
    let mut open: BTreeMap<i64, (Problem, Pin, bool)> = BTreeMap::new();
    let mut acknowledged = Vec::new();
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        let prev: String = r.get(11)?;
        let hash: String = r.get(12)?;
        let content_hash = found_content_hash(r, &prev)?;
        let problem = if prev != expected_prev {
            Some(Problem::Link)
        } else if content_hash != hash {
            Some(Problem::Content)
        } else {
            None
        };
        match problem {
            Some(problem) => {
                let found = Pin {
                    problem: problem.code().into(),
                    reason: String::new(),
                    hash: hash.clone(),
                    content_hash,
                    prev_row_hash: expected_prev,
                };
                open.insert(id, (problem, found, false));
            }
            None => {
                if let Some((row_id, pin)) = acknowledgment_in(r)? {
                    if let Some((_, found, stale)) = open.get_mut(&row_id) {
                        if pin.holds_for(found) {
                            let changed = *stale;
                            open.remove(&row_id);
                            acknowledged.push(AcknowledgedBreak {
                                row_id,
                                problem: pin.problem,
                                reason: pin.reason,
                                acknowledgment_id: id,
                                acknowledged_at: r.get(1)?,
                                acknowledged_by: r.get(3)?,
                                changed_after_earlier_acknowledgment: changed,
                            });
                        } else {
                            *stale = true;
                        }
                    }
                }
            }
        }
        expected_prev = hash.clone();
        head = ChainHead {
            rows: head.rows + 1,
            last_id: id,
            last_hash: hash,
        };
    }
    if let Some((&id, &(problem, _, stale))) = open.iter().next() {
        return Err(VerifyError::Broken {
            id,
            problem,
            acknowledged_before: stale,
        });
    }
    Ok(Verified { head, acknowledged })
}

impl Pin {
    /// Whether a break found now is the one this pin acknowledged (the reason aside).
    fn holds_for(&self, found: &Pin) -> bool {
        self.problem == found.problem
            && self.hash == found.hash
            && self.content_hash == found.content_hash
            && self.prev_row_hash == found.prev_row_hash
    }
}

/// The row's pin when it is an acknowledgment this version understands, with the row it names.
fn acknowledgment_in(r: &rusqlite::Row) -> rusqlite::Result<Option<(i64, Pin)>> {
    let (action, entity): (String, String) = (r.get(6)?, r.get(7)?);
    if action != ACK_ACTION || entity != ACK_ENTITY {
        return Ok(None);
    }
    let row_id: Option<i64> = r.get(8)?;
    let changes: Option<String> = r.get(10)?;
    let pin = changes.and_then(|c| serde_json::from_str::<Pin>(&c).ok());
    Ok(row_id.zip(pin))
}

/// The hash a row's content gives when chained to `prev` (its stored `prev_hash`). A row whose
/// values no longer have their types (text where a number was) cannot give its hash: it is an
/// edited row, pinned by a hash of what it holds now.
fn found_content_hash(r: &rusqlite::Row, prev: &str) -> rusqlite::Result<String> {
    match content_hash_of(r, prev) {
        Err(rusqlite::Error::InvalidColumnType(..))
        | Err(rusqlite::Error::FromSqlConversionFailure(..)) => {
            let values = (0..r.as_ref().column_count())
                .map(|i| r.get::<_, rusqlite::types::Value>(i))
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(format!(
                "retyped:{}",
                hex::encode(Sha256::digest(format!("{values:?}")))
            ))
        }
        other => other,
    }
}

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

/// Appends the row that acknowledges the break `verify` found at row `id`, pinning the row as it
/// is now; in the caller's write transaction. The caller checks that `id` is the first
/// unacknowledged break `verify` names.
pub fn acknowledge(
    tx: &rusqlite::Connection,
    id: i64,
    problem: Problem,
    reason: &str,
    by: &Actor,
) -> rusqlite::Result<()> {
    let (hash, content_hash) = tx.query_row(&format!("{ROW} WHERE id = ?1"), [id], |r| {
        let prev: String = r.get(11)?;
        Ok((r.get::<_, String>(12)?, found_content_hash(r, &prev)?))
    })?;
    // The walk expects each row to link to the stored hash of the row before it.
    let prev_row_hash = tx
        .query_row(
            "SELECT hash FROM audit_log WHERE id < ?1 ORDER BY id DESC LIMIT 1",
            [id],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or_else(|| GENESIS_HASH.to_string());
    let pin = Pin {
        problem: problem.code().into(),
        reason: reason.into(),
        hash,
        content_hash,
        prev_row_hash,
    };
    append(
        tx,
        &Event {
            actor: by,
            action: ACK_ACTION,
            entity: ACK_ENTITY,
            entity_id: Some(id),
            store_id: None,
            changes: Some(serde_json::to_value(&pin).expect("a pin serialises")),
        },
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_whose_values_lost_their_types_is_an_edited_row_that_can_be_acknowledged() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = rusqlite::Connection::open(dir.path().join("liyan.db")).unwrap();
        crate::db::migrate::migrate(&mut conn, dir.path()).unwrap();
        let actor = Actor::system("test");
        let event = |id| Event {
            actor: &actor,
            action: "update",
            entity: "customer",
            entity_id: Some(id),
            store_id: Some(1),
            changes: None,
        };
        super::super::append_all(&conn, &[event(1), event(2), event(3)]).unwrap();
        conn.execute_batch(
            "DROP TRIGGER audit_log_no_update;
             UPDATE audit_log SET entity_id = 'abc' WHERE id = 2;",
        )
        .unwrap();
        match verify(&conn) {
            Err(VerifyError::Broken {
                id: 2,
                problem: Problem::Content,
                acknowledged_before: false,
            }) => {}
            other => panic!("{other:?}"),
        }
        acknowledge(&conn, 2, Problem::Content, "类型被改", &actor).unwrap();
        let chain = verify(&conn).unwrap();
        assert_eq!(chain.acknowledged.len(), 1);
        assert_eq!(chain.acknowledged[0].row_id, 2);
        assert_eq!(chain.head.rows, 4);
    }
}
