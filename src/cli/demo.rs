//! `liyan demo`: a fresh demo clinic in a throw-away directory, served at once.

use crate::audit::Actor;
use crate::auth::{password, store as auth_store};
use crate::config::Config;
use crate::demo::{seed_customers, DEMO_PASSWORD, STAFF};

/// Marks a data directory as the demo's own, so the demo never wipes a clinic's data.
const DEMO_MARKER: &str = "LIYAN-DEMO";

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Number of demo customers (at most 100000; the benchmarks seed larger clinics their own way).
    #[arg(long, default_value_t = 500, value_parser = clap::value_parser!(u64).range(0..=100_000))]
    pub customers: u64,
    /// Address to listen on.
    #[arg(long)]
    pub listen: Option<std::net::SocketAddr>,
    /// Build the demo data and exit without serving (for tests and benchmarks).
    #[arg(long)]
    pub no_serve: bool,
}

pub fn run(mut config: Config, args: Args) -> Result<(), String> {
    if let Some(l) = args.listen {
        config.listen = l;
    }
    // The demo never touches a real clinic's data: it always starts from an empty directory.
    if config.data_dir == Config::default().data_dir {
        config.data_dir = "liyan-demo".into();
    }
    let marker = config.data_dir.join(DEMO_MARKER);
    // Only an empty directory, or one the demo made (its marker), is the demo's to fill: a folder
    // holding anything else (restored keys, a clinic's files) is left alone.
    let has_entries = std::fs::read_dir(&config.data_dir)
        .map(|mut d| d.next().is_some())
        .unwrap_or(false);
    if has_entries {
        if !marker.exists() {
            return Err(format!(
                "{} is not empty and was not created by `liyan demo`; the demo only fills an empty directory or replaces its own \
                 / 该目录非空且不是演示模式创建的：演示模式只使用空目录或它自己创建的目录，不会清除其中的文件",
                config.data_dir.display()
            ));
        }
        if crate::db::DataDirLock::is_held(&config.data_dir) {
            return Err(format!(
                "{} is in use by a running liyan / 该目录正被运行中的 liyan 使用",
                config.data_dir.display()
            ));
        }
        std::fs::remove_dir_all(&config.data_dir)
            .map_err(|e| format!("cannot clear {}: {e}", config.data_dir.display()))?;
    }
    std::fs::create_dir_all(&config.data_dir)
        .map_err(|e| format!("cannot create {}: {e}", config.data_dir.display()))?;
    std::fs::write(
        &marker,
        "created by `liyan demo`; the demo replaces this directory on every start\n",
    )
    .map_err(|e| format!("cannot write {}: {e}", marker.display()))?;
    let (app, lock) = crate::app::open(&config, true)?;
    let actor = Actor::system("demo");
    let now = crate::clock::now_ms();
    let hash = password::hash(DEMO_PASSWORD);
    let mut consultants = Vec::new();
    app.db
        .write_sync(|tx| {
            crate::domain::stores::create(tx, &actor, "east", "东区店", now)?;
            for (username, role, store, name) in STAFF {
                let store_id = crate::domain::stores::id_by_code(tx, store)?.unwrap_or(1);
                let new = auth_store::NewUser {
                    username,
                    display_name: name,
                    role: role.as_str(),
                    store_id,
                    password_hash: &hash,
                    must_change_password: false,
                };
                let id = auth_store::insert_user(tx, &new, now)?;
                if *role == crate::access::Role::Consultant {
                    consultants.push(id);
                }
            }
            Ok::<_, rusqlite::Error>(())
        })
        .map_err(|e| e.to_string())?;
    crate::demo::define_fields(&app)?;
    seed_customers(&app, args.customers, 2026, &[1, 2], &consultants)?;
    let mut banner = vec![format!(
        "Demo clinic: 2 stores, {} customers. Logins (password {DEMO_PASSWORD} for all):",
        args.customers
    )];
    banner.extend(
        STAFF
            .iter()
            .map(|(u, r, s, n)| format!("  {u:<11} {:<16} store {s:<5} {n}", r.as_str())),
    );
    if args.no_serve {
        banner.iter().for_each(|l| println!("{l}"));
        return Ok(());
    }
    crate::cli::serve::serve(app, lock, banner)
}
