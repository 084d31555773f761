//! `liyan tls export-ca`: hand IT the CA certificate to install on front-desk PCs.

use std::path::PathBuf;

use crate::config::Config;

#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// Write the local CA certificate (PEM) to a file (never one inside the data directory, nor
    /// over another file).
    ExportCa {
        /// The file to write; `-` for standard output.
        #[arg(long, default_value = "liyan-ca.crt")]
        out: PathBuf,
    },
}

pub fn run(config: Config, cmd: Command) -> Result<(), String> {
    let Command::ExportCa { out } = cmd;
    if out.as_os_str() == "-" {
        print!("{}", crate::http::tls::ca_pem(&config)?);
        return Ok(());
    }
    let fp = crate::http::tls::export_ca(&config, &out)?;
    println!(
        "wrote {} (SHA-256 {fp}); install it as a trusted root on each front-desk PC / 已写出 CA 证书，请在每台前台电脑上安装为受信任的根证书",
        out.display()
    );
    Ok(())
}
