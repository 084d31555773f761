//! `liyan audit verify`: walk the hash chain.

use crate::app;
use crate::config::Config;

#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// Check every row's hash and link; name the first broken row.
    Verify,
}

pub fn run(config: Config, cmd: Command) -> Result<(), String> {
    let Command::Verify = cmd;
    let (app, _) = app::open(&config, false)?;
    let head = app
        .db
        .read_sync(crate::audit::verify)
        .map_err(|e| format!("audit chain BROKEN: {e} / 审计链已损坏"))?;
    println!(
        "audit chain intact: {} rows, last id {}, head {}",
        head.rows, head.last_id, head.last_hash
    );
    Ok(())
}
