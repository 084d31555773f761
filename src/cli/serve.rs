//! `liyan serve`: open the data directory (locked), prepare TLS, print where to go, serve.

use std::net::SocketAddr;

use crate::app::{self, App};
use crate::config::Config;
use crate::http::tls::Tls;

#[derive(clap::Args, Debug, Default)]
pub struct Args {
    /// Address to listen on (overrides config and LIYAN_LISTEN), e.g. 127.0.0.1:9443.
    #[arg(long)]
    pub listen: Option<SocketAddr>,
}

pub fn run(mut config: Config, args: Args) -> Result<(), String> {
    if let Some(l) = args.listen {
        config.listen = l;
    }
    let (app, lock) = app::open(&config, true)?;
    serve(app, lock, Vec::new())
}

/// Serves an opened app until SIGINT/SIGTERM. `banner` lines are printed after the URL.
pub fn serve(
    app: App,
    _lock: Option<crate::db::DataDirLock>,
    banner: Vec<String>,
) -> Result<(), String> {
    let config = app.config.clone();
    // No upload is in flight yet: files of uploads that never committed can go.
    app.db
        .read_sync(|c| crate::attachments::sweep(&config.data_dir, c))
        .map_err(|e| format!("cannot clean the attachments folder: {e}"))?;
    let tls = std::sync::Arc::new(Tls::prepare(&config)?);
    let url_host = if config.listen.ip().is_unspecified() {
        "localhost".to_string()
    } else {
        config.listen.ip().to_string()
    };
    let url = format!(
        "https://{}:{}/",
        if url_host.contains(':') {
            format!("[{url_host}]")
        } else {
            url_host
        },
        config.listen.port()
    );
    let setup = crate::auth::service::issue_setup_token(&app).map_err(|e| e.to_string())?;
    let data = actix_web::web::Data::new(app);
    let after_stop = data.clone();
    let server_config = tls.server_config();
    let workers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
        .max(2);

    actix_web::rt::System::new().block_on(async move {
        let server = actix_web::HttpServer::new(move || crate::liyan_app!(data.clone()))
            .workers(workers)
            .bind_rustls_0_23(config.listen, server_config)
            .map_err(|e| format!("cannot listen on {}: {e} / 无法监听该地址：{}", config.listen, listen_hint(&e)))?
            .run();
        println!("Liyan is serving at {url}");
        if config.tls.cert_file.is_none() {
            // The command as IT runs it depends on the install (the service's user and config
            // file, docs/install.md section 7): name what it needs rather than guess one form.
            println!(
                "CA certificate: {} (install it on front-desk PCs; copy it out with `liyan tls export-ca --out liyan-ca.crt`, \
                 run as the server's user with the server's --config or --data-dir / 请在前台电脑安装此 CA 证书)",
                crate::http::tls::ca_cert_path(&config).display(),
            );
        }
        for (i, fp) in tls.fingerprints().iter().enumerate() {
            println!("certificate {} SHA-256: {fp}", if i == 0 { "server" } else { "CA" });
        }
        if let Some(token) = setup {
            println!("No accounts yet. Create the first administrator within 24 hours at:");
            println!("  {url}setup?token={token}");
        }
        for line in banner {
            println!("{line}");
        }
        // Certificate upkeep: reissue before expiry, reload changed files.
        let upkeep = tls.clone();
        actix_web::rt::spawn(async move {
            let mut tick = actix_web::rt::time::interval(std::time::Duration::from_secs(3600));
            loop {
                tick.tick().await;
                match upkeep.refresh() {
                    Ok(true) => tracing::info!("TLS certificate renewed without restart"),
                    Ok(false) => {}
                    Err(e) => tracing::error!(error = %e, "TLS certificate renewal failed"),
                }
            }
        });
        let stopped = server.await.map_err(|e| format!("server stopped: {e}"));
        after_stop.views.flush();
        stopped
    })
}

/// The likely cause of a failed listen, in words IT can act on.
fn listen_hint(e: &std::io::Error) -> &'static str {
    match e.kind() {
        std::io::ErrorKind::AddrInUse => "端口已被占用",
        std::io::ErrorKind::PermissionDenied => {
            "没有权限使用该端口（1024 以下端口需要 CAP_NET_BIND_SERVICE）"
        }
        std::io::ErrorKind::AddrNotAvailable => "本机没有这个地址，请检查 listen 设置",
        _ => "请检查 listen 设置",
    }
}
