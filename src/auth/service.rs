//! Login, refresh rotation, logout, password change and first-run setup.

use base64::Engine;
use rand::RngCore;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{password, store};
use crate::access::{Principal, Role};
use crate::app::App;
use crate::audit::{self, Actor, Event};
use crate::clock::{now_ms, HOUR_MS, MINUTE_MS};
use crate::error::{text, Error, Kind, Result};

#[derive(Debug, Clone, Serialize)]
pub struct UserInfo {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub store_id: i64,
}

impl From<&store::UserRow> for UserInfo {
    fn from(u: &store::UserRow) -> UserInfo {
        UserInfo {
            id: u.id,
            username: u.username.clone(),
            display_name: u.display_name.clone(),
            role: u.role.clone(),
            store_id: u.store_id,
        }
    }
}

/// What a successful login, refresh or password change returns; `refresh_token` goes into the
/// cookie, never into the JSON body.
#[derive(Debug, Clone, Serialize)]
pub struct LoginResult {
    pub access_token: String,
    pub expires_in: i64,
    pub must_change_password: bool,
    /// The role requires a second factor the user has not set up yet.
    pub must_enroll_totp: bool,
    pub user: UserInfo,
    #[serde(skip)]
    pub refresh_token: String,
    #[serde(skip)]
    pub refresh_max_age_secs: i64,
}

pub fn new_secret_token() -> String {
    let mut b = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut b);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

pub fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

fn login_failed() -> Error {
    Error::new(
        Kind::Unauthorized,
        "login-failed",
        text(
            "用户名或密码错误；连续失败多次后账户将被临时锁定",
            "Wrong user name or password; repeated failures lock the account for a while",
        ),
    )
}

pub fn must_enroll(app: &App, user: &store::UserRow) -> bool {
    user.totp_enabled_at.is_none() && super::totp::required(app, &user.role)
}

fn ip_actor(username: &str, ip: Option<&str>) -> Actor {
    Actor {
        id: None,
        name: username.chars().take(64).collect(),
        role: None,
        ip: ip.map(str::to_string),
    }
}

fn start_session(
    app: &App,
    tx: &rusqlite::Connection,
    user: &store::UserRow,
    ip: Option<&str>,
    now: i64,
) -> Result<LoginResult> {
    let refresh = new_secret_token();
    let absolute = app.config.auth.absolute_timeout_hours as i64 * HOUR_MS;
    let sid = store::create_session(tx, user.id, &token_hash(&refresh), ip, now, now + absolute)?;
    Ok(LoginResult {
        access_token: app.tokens.issue(user.id, sid, &user.role),
        expires_in: app.tokens.ttl_secs,
        must_change_password: user.must_change_password,
        must_enroll_totp: must_enroll(app, user),
        user: user.into(),
        refresh_token: refresh,
        refresh_max_age_secs: absolute / 1000,
    })
}

pub fn login(
    app: &App,
    username: &str,
    pass: &str,
    totp_code: Option<&str>,
    ip: Option<&str>,
) -> Result<LoginResult> {
    let now = now_ms();
    let ip_key = ip.unwrap_or("unknown");
    if let Some(wait_ms) = app.throttle.blocked_for(ip_key, now) {
        let secs = (wait_ms.clamp(0, 3_600_000) as u32).div_ceil(1000).max(1);
        // Said in minutes, rounded up: people wait by the clock, not by seconds.
        let minutes = secs.div_ceil(60);
        return Err(Error {
            retry_after: Some(secs),
            ..Error::new(
                Kind::TooManyRequests,
                "throttled",
                text(
                    format!("登录尝试过于频繁，请 {minutes} 分钟后再试"),
                    format!(
                        "Too many login attempts; try again in {minutes} minute{}",
                        if minutes == 1 { "" } else { "s" }
                    ),
                ),
            )
        });
    }
    let user = app.db.read_sync(|c| store::user_by_username(c, username))?;
    // Verify even for an unknown user so timing does not tell whether the account exists.
    let ok = password::verify(
        pass,
        user.as_ref()
            .map(|u| u.password_hash.as_str())
            .unwrap_or(password::dummy_hash()),
    );
    let usable = user
        .as_ref()
        .is_some_and(|u| u.disabled_at.is_none() && u.locked_until.is_none_or(|t| t <= now));
    // With the right password, an enrolled user also needs a valid current code.
    let second = match (user.as_ref().filter(|_| ok && usable), totp_code) {
        (Some(u), code) if u.totp_enabled_at.is_some() => match (code, &u.totp_secret) {
            (None, _) => {
                return Err(Error::new(
                    Kind::Unauthorized,
                    "totp-required",
                    text("请输入两步验证码", "Enter your two-step verification code"),
                ));
            }
            (Some(code), Some(sealed)) => super::totp::check(app, sealed, code)?,
            (Some(_), None) => false,
        },
        _ => true,
    };
    let ok = ok && second;
    let auth = &app.config.auth;
    // A failure is committed (counter, lockout, audit row) and then reported: hence the nesting.
    let outcome: Result<LoginResult> = app.db.write_sync(|tx| {
        if let (Some(u), true) = (&user, ok && usable) {
            store::clear_failures(tx, u.id)?;
            let result = start_session(app, tx, u, ip, now)?;
            let actor = Actor {
                id: Some(u.id),
                name: u.username.clone(),
                role: Some(u.role.clone()),
                ip: ip.map(str::to_string),
            };
            audit::append(
                tx,
                &Event {
                    actor: &actor,
                    action: "login",
                    entity: "user",
                    entity_id: Some(u.id),
                    store_id: Some(u.store_id),
                    changes: None,
                },
            )?;
            return Ok(Ok(result));
        }
        app.throttle.record_failure(ip_key, now);
        let reason = match (&user, ok) {
            (None, _) => "unknown_user",
            (Some(_), true) => "locked_or_disabled",
            (Some(_), false) if !second => "wrong_totp",
            (Some(_), false) => "wrong_password",
        };
        let mut changes = serde_json::json!({ "reason": reason });
        if let Some(u) = user.as_ref().filter(|_| !ok && usable) {
            let n = store::record_failure(
                tx,
                u.id,
                auth.max_failed_logins as i64,
                now + auth.lockout_minutes as i64 * MINUTE_MS,
                now,
            )?;
            changes["failed_logins"] = n.into();
        }
        let actor = ip_actor(username, ip);
        let entity_id = user.as_ref().map(|u| u.id);
        audit::append(
            tx,
            &Event {
                actor: &actor,
                action: "login_failed",
                entity: "user",
                entity_id,
                store_id: None,
                changes: Some(changes),
            },
        )?;
        Ok::<_, Error>(Err(login_failed()))
    })?;
    outcome
}

/// Swaps a valid refresh token for a new pair; idle and absolute timeouts end the session.
pub fn refresh(app: &App, refresh_token: &str) -> Result<LoginResult> {
    let now = now_ms();
    let idle = app.config.auth.idle_timeout_minutes as i64 * MINUTE_MS;
    let presented = token_hash(refresh_token);
    let outcome = app.db.write_sync(|tx| {
        let Some(s) = store::session_by_refresh(tx, &presented)? else {
            // A token this session already swapped. Within the grace it is a second tab that
            // refreshed at the same moment; later, someone kept a copy: end the session. The
            // refusal comes after the commit, so the ending stays.
            let grace = app.config.auth.refresh_reuse_grace_seconds as i64 * 1000;
            if let Some((session, user, retired_at)) = store::retired_refresh(tx, &presented)? {
                if now - retired_at > grace && store::revoke_session(tx, session, now)? {
                    audit::append(
                        tx,
                        &Event {
                            actor: &Actor::system("auth"),
                            action: "refresh_reuse",
                            entity: "user",
                            entity_id: Some(user),
                            store_id: None,
                            changes: Some(serde_json::json!({"session_ended": true})),
                        },
                    )?;
                }
            }
            return Ok(None);
        };
        if s.revoked_at.is_some() || s.expires_at <= now || s.last_used_at + idle <= now {
            return Err(Error::unauthorized());
        }
        let Some(user) = store::user_by_id(tx, s.user_id)? else {
            return Err(Error::unauthorized());
        };
        if user.disabled_at.is_some() {
            return Err(Error::unauthorized());
        }
        let new_refresh = new_secret_token();
        let lifetime = app.config.auth.absolute_timeout_hours as i64 * HOUR_MS;
        store::rotate_session(
            tx,
            s.id,
            &presented,
            &token_hash(&new_refresh),
            now,
            now - lifetime,
        )?;
        Ok(Some(LoginResult {
            access_token: app.tokens.issue(user.id, s.id, &user.role),
            expires_in: app.tokens.ttl_secs,
            must_change_password: user.must_change_password,
            must_enroll_totp: must_enroll(app, &user),
            user: (&user).into(),
            refresh_token: new_refresh,
            refresh_max_age_secs: (s.expires_at - now) / 1000,
        }))
    })?;
    outcome.ok_or_else(Error::unauthorized)
}

pub fn logout(app: &App, p: &Principal) -> Result<()> {
    app.db.write_sync(|tx| {
        store::revoke_session(tx, p.session_id, now_ms())?;
        record_own(tx, p, "logout")?;
        Ok(())
    })
}

/// Records an event about the principal's own account.
pub fn record_own(tx: &rusqlite::Connection, p: &Principal, action: &str) -> rusqlite::Result<i64> {
    let event = Event {
        actor: &p.actor(),
        action,
        entity: "user",
        entity_id: Some(p.user_id),
        store_id: Some(p.store_id),
        changes: None,
    };
    audit::append(tx, &event)
}

/// Changes the caller's password; every session of the user ends and a new one starts.
pub fn change_password(app: &App, p: &Principal, old: &str, new: &str) -> Result<LoginResult> {
    let now = now_ms();
    let user = app
        .db
        .read_sync(|c| store::user_by_id(c, p.user_id))?
        .ok_or_else(Error::unauthorized)?;
    if !password::verify(old, &user.password_hash) {
        return Err(Error::field(
            "old_password",
            "原密码不正确",
            "the current password is wrong",
        ));
    }
    if old == new {
        return Err(Error::field(
            "new_password",
            "新密码不能与原密码相同",
            "must differ from the current password",
        ));
    }
    password::check_strength(
        "new_password",
        new,
        &user.username,
        app.config.auth.password_min_length,
    )?;
    let hash = password::hash(new);
    app.db.write_sync(|tx| {
        store::set_password(tx, user.id, &hash, false, now)?;
        store::revoke_user_sessions(tx, user.id, now)?;
        record_own(tx, p, "change_password")?;
        let fresh = store::user_by_id(tx, user.id)?.ok_or_else(Error::internal)?;
        start_session(app, tx, &fresh, p.ip.as_deref(), now)
    })
}

pub fn needs_setup(app: &App) -> Result<bool> {
    Ok(app.db.read_sync(store::count_users)? == 0)
}

/// Creates a fresh one-time setup token (24 h) when there are no users yet; returns it.
pub fn issue_setup_token(app: &App) -> Result<Option<String>> {
    if !needs_setup(app)? {
        return Ok(None);
    }
    let token = new_secret_token();
    app.db.write_sync(|tx| {
        store::replace_setup_token(tx, &token_hash(&token), now_ms() + 24 * HOUR_MS)
    })?;
    Ok(Some(token))
}

/// The first admin, created in the browser with the printed setup token.
pub fn complete_setup(
    app: &App,
    token: &str,
    username: &str,
    display_name: &str,
    pass: &str,
    ip: Option<&str>,
) -> Result<()> {
    super::users::check_username(username)?;
    password::check_strength(
        "password",
        pass,
        username,
        app.config.auth.password_min_length,
    )?;
    let hash = password::hash(pass);
    let now = now_ms();
    app.db.write_sync(|tx| {
        if store::count_users(tx)? > 0 || !store::consume_setup_token(tx, &token_hash(token), now)?
        {
            return Err(Error::new(
                Kind::Forbidden,
                "setup-token",
                text(
                    "初始化链接无效或已过期",
                    "The setup link is invalid or has expired",
                ),
            ));
        }
        let new = store::NewUser {
            username,
            display_name,
            role: Role::Admin.as_str(),
            store_id: 1,
            password_hash: &hash,
            must_change_password: false,
        };
        let id = store::insert_user(tx, &new, now)?;
        let actor = Actor {
            id: Some(id),
            name: username.into(),
            role: Some("admin".into()),
            ip: ip.map(str::to_string),
        };
        audit::append(
            tx,
            &Event {
                actor: &actor,
                action: "setup",
                entity: "user",
                entity_id: Some(id),
                store_id: Some(1),
                changes: Some(serde_json::json!({"username": username, "role": "admin"})),
            },
        )?;
        Ok(())
    })
}
