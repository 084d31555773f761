//! `liyan user add|list|disable|enable|reset-password|unlock`.

use std::io::Read;

use crate::app;
use crate::audit::Actor;
use crate::auth::users;
use crate::config::Config;

#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// Create a staff account; the password is read from standard input.
    Add {
        #[arg(long)]
        username: String,
        /// admin, manager, consultant, doctor, nurse, front_desk, finance, channel_manager, marketing, auditor, partner
        #[arg(long)]
        role: String,
        /// Store code (default: main).
        #[arg(long, default_value = "main")]
        store: String,
        #[arg(long)]
        display_name: Option<String>,
        /// Read the password from standard input (required: passwords never go on the command line).
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// List staff accounts.
    List,
    /// Disable an account (its sessions end at once).
    Disable { username: String },
    /// Enable a disabled account again (it logs in with its current password).
    Enable { username: String },
    /// Set a temporary password (read from standard input); the user must change it at next login.
    ResetPassword {
        username: String,
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// Lift the lock that failed logins put on an account (the password stays).
    Unlock { username: String },
}

fn read_password() -> Result<String, String> {
    let mut s = String::new();
    std::io::stdin()
        .read_to_string(&mut s)
        .map_err(|e| format!("cannot read the password from standard input: {e}"))?;
    // One line: the newline `echo` adds ends it. A second line would become part of a password
    // no browser can type.
    let line = s.strip_suffix('\n').unwrap_or(&s);
    let line = line.strip_suffix('\r').unwrap_or(line);
    if line.is_empty() {
        return Err("no password on standard input / 标准输入中没有密码".into());
    }
    if line.chars().any(char::is_control) {
        return Err(
            "the password must be one line without control characters / 密码须为一行，且不含控制字符"
                .into(),
        );
    }
    Ok(line.to_string())
}

/// Whole minutes, rounded up, that failed logins still lock the account; None when unlocked.
fn locked_minutes(u: &crate::auth::store::UserRow) -> Option<i64> {
    let left = u.locked_until? - crate::clock::now_ms();
    (left > 0).then(|| (left + 59_999) / 60_000)
}

fn active_admins(app: &crate::app::App) -> Result<usize, String> {
    let users = app
        .db
        .read_sync(crate::auth::store::list_users)
        .map_err(|e| e.to_string())?;
    Ok(users
        .iter()
        .filter(|u| u.role == "admin" && u.disabled_at.is_none())
        .count())
}

fn user(app: &crate::app::App, username: &str) -> Result<crate::auth::store::UserRow, String> {
    app.db
        .read_sync(|c| crate::auth::store::user_by_username(c, username))
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("no user `{username}` / 没有用户 `{username}`"))
}

pub fn run(config: Config, cmd: Command) -> Result<(), String> {
    let (app, _) = app::open(&config, false)?;
    let by = Actor::system("cli");
    let disabling = matches!(cmd, Command::Disable { .. });
    match cmd {
        Command::Add {
            username,
            role,
            store,
            display_name,
            ..
        } => {
            let store_id = app
                .db
                .read_sync(|c| crate::domain::stores::id_by_code(c, &store))
                .map_err(|e| e.to_string())?
                .ok_or_else(|| {
                    format!("no store with code `{store}` / 没有编码为 `{store}` 的门店")
                })?;
            let password = read_password()?;
            let name = display_name.unwrap_or_else(|| username.clone());
            let new = users::NewUser {
                username: &username,
                display_name: &name,
                role: &role,
                store_id,
                password: &password,
            };
            let id = users::create(&app, &by, &new).map_err(|e| e.for_people())?;
            println!("created user {username} (id {id}, role {role}, store {store}); the password must be changed at first login / 已创建用户，首次登录须修改密码");
        }
        Command::List => {
            println!(
                "{:<5} {:<20} {:<16} {:<8} {:<15} name",
                "id", "username", "role", "store", "state"
            );
            let (users, stores) = app
                .db
                .read_sync(|c| {
                    Ok::<_, rusqlite::Error>((
                        crate::auth::store::list_users(c)?,
                        crate::domain::stores::all(c)?,
                    ))
                })
                .map_err(|e| e.to_string())?;
            for r in users {
                // Stores by the code `user add --store` takes.
                let store = stores
                    .iter()
                    .find(|s| s.0 == r.store_id)
                    .map_or_else(|| r.store_id.to_string(), |s| s.1.clone());
                let state = match (r.disabled_at.is_some(), locked_minutes(&r).is_some()) {
                    (true, true) => "disabled+locked",
                    (true, false) => "disabled",
                    (false, true) => "locked",
                    (false, false) => "active",
                };
                println!(
                    "{:<5} {:<20} {:<16} {:<8} {:<15} {}",
                    r.id, r.username, r.role, store, state, r.display_name
                );
            }
        }
        Command::Disable { username } | Command::Enable { username } => {
            let u = user(&app, &username)?;
            if disabling == u.disabled_at.is_some() {
                let state = if disabling {
                    "already disabled / 已是停用状态"
                } else {
                    "already enabled / 已是启用状态"
                };
                println!("{username} is {state}; nothing changed / 未作更改");
                if let Some(minutes) = locked_minutes(&u).filter(|_| !disabling) {
                    println!("failed logins lock the account for {minutes} more minutes (liyan user unlock {username}) / 账户因登录失败仍锁定 {minutes} 分钟");
                }
                return Ok(());
            }
            if disabling && u.role == "admin" && active_admins(&app)? == 1 {
                // The CLI is the way back in, so this is allowed; it must not happen unnoticed.
                eprintln!("warning: {username} is the only active admin; until an admin is enabled again (liyan user enable NAME) nobody can manage accounts or permissions in the browser / 警告：这是唯一启用的管理员，停用后在浏览器中无人能管理账户和权限，直到重新启用一位管理员");
            }
            users::update(
                &app,
                &by,
                u.id,
                &users::UserPatch {
                    disabled: Some(disabling),
                    ..Default::default()
                },
            )
            .map_err(|e| e.for_people())?;
            if disabling {
                println!("disabled {username}; their sessions have ended / 已停用，其会话已结束");
            } else if let Some(minutes) = locked_minutes(&u) {
                println!("enabled {username}; failed logins still lock the account for {minutes} more minutes (liyan user unlock {username}) / 已启用，但账户因登录失败仍锁定 {minutes} 分钟");
            } else {
                println!("enabled {username}; they can log in again / 已启用，可以重新登录");
            }
        }
        Command::ResetPassword { username, .. } => {
            let id = user(&app, &username)?.id;
            let password = read_password()?;
            users::reset_password(&app, &by, id, &password).map_err(|e| e.for_people())?;
            println!("password of {username} reset; it must be changed at next login / 密码已重置，下次登录须修改");
        }
        Command::Unlock { username } => {
            let u = user(&app, &username)?;
            if !users::unlock(&app, &by, u.id).map_err(|e| e.for_people())? {
                println!("{username} is not locked; nothing changed / 该账户未被锁定，未作更改");
            } else if u.disabled_at.is_some() {
                println!("unlocked {username}; the account is still disabled (liyan user enable {username}) / 已解锁，但该账户仍处于停用状态");
            } else {
                println!("unlocked {username}; they can log in with their password / 已解锁，可用原密码登录");
            }
        }
    }
    Ok(())
}
