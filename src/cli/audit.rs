//! `liyan audit verify`: walk the hash chain. `liyan audit acknowledge-break`: record in the
//! chain that a break was examined, so that backups go on (docs/backup-restore.md, section 7).

use crate::app;
use crate::audit::{AcknowledgedBreak, Actor, Problem, VerifyError};
use crate::config::Config;

#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// Check every row's hash and link; name the first broken row.
    Verify,
    /// Record that the break `audit verify` names was examined (a security incident): a row in
    /// the chain pins the broken row and the one before it as they are now; backups work again.
    AcknowledgeBreak {
        /// The broken row, as `audit verify` names it.
        #[arg(long)]
        row: i64,
        /// What happened and who decided, for the record (one line, up to 500 characters).
        #[arg(long)]
        reason: String,
    },
}

pub fn run(config: Config, cmd: Command) -> Result<(), String> {
    let (app, _) = app::open(&config, false)?;
    match cmd {
        Command::Verify => {
            let chain = app.db.read_sync(crate::audit::verify).map_err(|e| {
                if let VerifyError::Broken {
                    id,
                    problem: Problem::Link,
                    ..
                } = e
                {
                    eprintln!("{}", row_before(&app, id));
                }
                broken(e)
            })?;
            println!(
                "audit chain intact: {} rows, last id {}, head {}",
                chain.head.rows, chain.head.last_id, chain.head.last_hash
            );
            for b in &chain.acknowledged {
                println!("{}", describe(b));
            }
        }
        Command::AcknowledgeBreak { row, reason } => {
            let reason =
                crate::domain::input::name("reason", &reason, 500).map_err(|e| e.for_people())?;
            let (found, problem) = match app.db.read_sync(crate::audit::verify) {
                Ok(_) => {
                    return Err(
                        "the audit chain has no unacknowledged break; nothing was recorded / 审计链没有未确认的断裂，未做任何记录"
                            .into(),
                    )
                }
                Err(VerifyError::Broken { id, problem, .. }) => (id, problem),
                Err(e) => return Err(e.to_string()),
            };
            if found != row {
                return Err(format!(
                    "the first unacknowledged break is at row {found}, not {row}: acknowledge breaks in the order `audit verify` names them; nothing was recorded / 第一处未确认的断裂在第 {found} 行而不是第 {row} 行，请按 audit verify 报告的顺序确认；未做任何记录"
                ));
            }
            if problem == Problem::Link {
                println!("{}", row_before(&app, row));
            }
            let by = Actor::system("cli");
            app.db
                .write_sync(|tx| crate::audit::acknowledge(tx, row, problem, &reason, &by))
                .map_err(|e| e.to_string())?;
            println!("acknowledged the break at audit row {row} / 已确认第 {row} 行的断裂");
            app.db.read_sync(crate::audit::verify).map_err(|e| {
                format!(
                    "the chain has another break: {e}. Examine it, then acknowledge it or restore the last sound backup; backups still fail / 审计链还有其他断裂，请核查后确认或从备份恢复；备份仍会失败"
                )
            })?;
            println!(
                "audit chain intact apart from acknowledged breaks; backups work again / 除已确认的断裂外审计链完整，备份可以继续"
            );
        }
    }
    Ok(())
}

/// The row a link break follows, for IT to judge: a row inserted by hand shows up right there.
fn row_before(app: &crate::app::App, id: i64) -> String {
    let before = app.db.read_sync(|c| {
        c.query_row(
            "SELECT id, action, entity, entity_id, actor, at FROM audit_log WHERE id < ?1 ORDER BY id DESC LIMIT 1",
            [id],
            |r| {
                let (prev, entity_id): (i64, Option<i64>) = (r.get(0)?, r.get(3)?);
                Ok(format!(
                    "the row before it is audit row {prev}: {} {} {} by {} at {}; if Liyan did not write it, it was inserted / 其前一行是审计第 {prev} 行，若不是系统写入的，即为被插入的行",
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    entity_id.map(|n| n.to_string()).unwrap_or_default(),
                    r.get::<_, String>(4)?,
                    utc(r.get(5)?),
                ))
            },
        )
    });
    match before {
        Ok(line) => line,
        Err(rusqlite::Error::QueryReturnedNoRows) => {
            "no row before it: the rows at the start of the log were removed / 其前没有任何行：日志开头的行被删除".into()
        }
        Err(e) => format!("the row before it cannot be read ({e}): it was edited / 其前一行无法读取，已被改动"),
    }
}

fn utc(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_default()
}

fn broken(e: VerifyError) -> String {
    format!("audit chain BROKEN / 审计链已损坏: {e}")
}

fn describe(b: &AcknowledgedBreak) -> String {
    let when = utc(b.acknowledged_at);
    let again = if b.changed_after_earlier_acknowledgment {
        " [acknowledged again: the row or what came before it changed after an earlier acknowledgment / 此前确认后又有改动，已再次确认]"
    } else {
        ""
    };
    format!(
        "acknowledged break at row {} ({}), by {} at {} (audit row {}): {} / 第 {} 行的断裂已确认{again}",
        b.row_id, b.problem, b.acknowledged_by, when, b.acknowledgment_id, b.reason, b.row_id
    )
}
