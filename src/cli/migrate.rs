//! `liyan migrate status`.

use crate::config::Config;

#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// Show applied and pending schema migrations.
    Status,
}

pub fn run(config: Config, cmd: Command) -> Result<(), String> {
    let Command::Status = cmd;
    let path = config.db_path();
    // A mistyped directory is a failure a monitor should see, not an empty status.
    if !crate::app::has_database(&config)? {
        return Err(crate::app::no_database(&config));
    }
    let conn =
        rusqlite::Connection::open_with_flags(&path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .map_err(|e| e.to_string())?;
    let st = crate::db::migrate::status(&conn).map_err(|e| e.to_string())?;
    for (v, name) in &st.applied {
        println!("applied  V{v} {name}");
    }
    for (v, name) in &st.pending {
        println!("pending  V{v} {name}");
    }
    println!("binary knows up to V{}", st.binary_version);
    st.refuse_newer()
}
