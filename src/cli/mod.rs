//! Subcommands, one file each.

mod audit;
mod backup;
mod demo;
mod healthcheck;
mod migrate;
mod restore;
pub mod serve;
mod tls;
mod user;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

use crate::config::Config;

#[derive(Parser, Debug)]
#[command(
    name = "liyan",
    version,
    about = "Liyan (丽颜) — CRM for medical-aesthetics clinics"
)]
pub struct Cli {
    /// Config file (default: ./liyan.toml when present, else built-in defaults).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Data directory (overrides config and LIYAN_DATA_DIR).
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve the app over HTTPS.
    Serve(serve::Args),
    /// Build a throw-away demo clinic, print one login per role, and serve it.
    Demo(demo::Args),
    /// Manage staff accounts.
    #[command(subcommand)]
    User(user::Command),
    /// Write a verified backup while the server runs.
    Backup(backup::Args),
    /// Restore a backup into the data directory (server stopped).
    Restore(restore::Args),
    /// The audit log.
    #[command(subcommand)]
    Audit(audit::Command),
    /// Certificates.
    #[command(subcommand)]
    Tls(tls::Command),
    /// Database schema.
    #[command(subcommand)]
    Migrate(migrate::Command),
    /// Call /api/v1/health on the running server; exit 0 when healthy.
    Healthcheck(healthcheck::Args),
}

/// Loads the layered config with `--data-dir` applied last.
pub fn load_config(cli: &Cli) -> Result<Config, String> {
    let (mut config, unknown) = Config::load(cli.config.as_deref()).map_err(|e| e.to_string())?;
    if let Some(d) = &cli.data_dir {
        config.data_dir = d.clone();
    }
    init_logging(&config.log);
    for key in unknown {
        tracing::warn!(key = %key, "unknown config key ignored");
    }
    Ok(config)
}

fn init_logging(spec: &str) {
    let (filter, bad) = match tracing_subscriber::EnvFilter::try_new(spec) {
        Ok(f) => (f, None),
        Err(e) => (tracing_subscriber::EnvFilter::new("info"), Some(e)),
    };
    // Colours only for a person at a terminal: under systemd they would end up in the journal.
    use std::io::IsTerminal;
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr)
        .try_init();
    if let Some(e) = bad {
        tracing::warn!(log = spec, error = %e, "log filter not understood; logging at info");
    }
}

pub fn run(cli: Cli) -> ExitCode {
    if !matches!(cli.command, Command::Serve(_) | Command::Demo(_)) {
        end_quietly_on_closed_pipe();
    }
    let result = load_config(&cli).and_then(|config| match cli.command {
        Command::Serve(a) => serve::run(config, a),
        Command::Demo(a) => demo::run(config, a),
        Command::User(c) => user::run(config, c),
        Command::Backup(a) => backup::run(config, a),
        Command::Restore(a) => restore::run(config, a),
        Command::Audit(c) => audit::run(config, c),
        Command::Tls(c) => tls::run(config, c),
        Command::Migrate(c) => migrate::run(config, c),
        Command::Healthcheck(a) => healthcheck::run(config, a),
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("liyan: {msg}");
            ExitCode::FAILURE
        }
    }
}

/// `liyan user list | head -1`: when the reader goes away, a one-shot command ends as other Unix
/// tools do instead of panicking on its next line of output. The server keeps ignoring SIGPIPE
/// (Rust's default), since a browser that hangs up must not end it.
fn end_quietly_on_closed_pipe() {
    // SAFETY: restores the default disposition of one signal before any thread is started.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
