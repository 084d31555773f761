//! `liyan`: parse the command line, load config, dispatch.

use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = liyan::cli::Cli::parse();
    liyan::cli::run(cli)
}
