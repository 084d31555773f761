//! SQL for staff accounts, sessions and the setup token.

use rusqlite::{params, Connection, OptionalExtension, Row};

#[derive(Debug, Clone)]
pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub store_id: i64,
    pub password_hash: String,
    pub must_change_password: bool,
    pub totp_secret: Option<Vec<u8>>,
    pub totp_enabled_at: Option<i64>,
    pub failed_logins: i64,
    pub locked_until: Option<i64>,
    pub disabled_at: Option<i64>,
    pub created_at: i64,
}

const USER_COLS: &str = "id, username, display_name, role, store_id, password_hash, must_change_password, totp_secret, totp_enabled_at, failed_logins, locked_until, disabled_at, created_at";

fn user_row(r: &Row) -> rusqlite::Result<UserRow> {
    Ok(UserRow {
        id: r.get(0)?,
        username: r.get(1)?,
        display_name: r.get(2)?,
        role: r.get(3)?,
        store_id: r.get(4)?,
        password_hash: r.get(5)?,
        must_change_password: r.get(6)?,
        totp_secret: r.get(7)?,
        totp_enabled_at: r.get(8)?,
        failed_logins: r.get(9)?,
        locked_until: r.get(10)?,
        disabled_at: r.get(11)?,
        created_at: r.get(12)?,
    })
}

pub fn user_by_username(conn: &Connection, username: &str) -> rusqlite::Result<Option<UserRow>> {
    conn.prepare_cached(&format!(
        "SELECT {USER_COLS} FROM users WHERE username = ?1"
    ))?
    .query_row([username], user_row)
    .optional()
}

pub fn user_by_id(conn: &Connection, id: i64) -> rusqlite::Result<Option<UserRow>> {
    conn.prepare_cached(&format!("SELECT {USER_COLS} FROM users WHERE id = ?1"))?
        .query_row([id], user_row)
        .optional()
}

pub fn list_users(conn: &Connection) -> rusqlite::Result<Vec<UserRow>> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {USER_COLS} FROM users ORDER BY id"))?;
    let rows = stmt.query_map([], user_row)?;
    rows.collect()
}

pub fn count_users(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("SELECT count(*) FROM users", [], |r| r.get(0))
}

pub struct NewUser<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub role: &'a str,
    pub store_id: i64,
    pub password_hash: &'a str,
    pub must_change_password: bool,
}

pub fn insert_user(conn: &Connection, u: &NewUser, now: i64) -> rusqlite::Result<i64> {
    conn.execute(
        "INSERT INTO users (username, display_name, role, store_id, password_hash, must_change_password, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
        params![u.username, u.display_name, u.role, u.store_id, u.password_hash, u.must_change_password, now],
    )?;
    Ok(conn.last_insert_rowid())
}

/// Counts a failed login; locks the account when `max` is reached. A lock that has run out
/// starts the count afresh. Returns the new count.
pub fn record_failure(
    conn: &Connection,
    id: i64,
    max: i64,
    locked_until: i64,
    now: i64,
) -> rusqlite::Result<i64> {
    conn.execute(
        "UPDATE users SET
            failed_logins = CASE WHEN locked_until <= ?4 THEN 1 ELSE failed_logins + 1 END,
            locked_until = CASE WHEN (CASE WHEN locked_until <= ?4 THEN 1 ELSE failed_logins + 1 END) >= ?2
                                THEN ?3 ELSE NULL END,
            updated_at = ?4
         WHERE id = ?1",
        params![id, max, locked_until, now],
    )?;
    conn.query_row("SELECT failed_logins FROM users WHERE id = ?1", [id], |r| {
        r.get(0)
    })
}

pub fn clear_failures(conn: &Connection, id: i64) -> rusqlite::Result<()> {
    conn.execute("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = ?1 AND (failed_logins > 0 OR locked_until IS NOT NULL)", [id])?;
    Ok(())
}

pub fn set_password(
    conn: &Connection,
    id: i64,
    hash: &str,
    must_change: bool,
    now: i64,
) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE users SET password_hash = ?2, must_change_password = ?3, failed_logins = 0, locked_until = NULL, updated_at = ?4 WHERE id = ?1",
        params![id, hash, must_change, now],
    )?;
    Ok(())
}

pub fn set_totp(
    conn: &Connection,
    id: i64,
    sealed: Option<&[u8]>,
    enabled_at: Option<i64>,
) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE users SET totp_secret = ?2, totp_enabled_at = ?3 WHERE id = ?1",
        params![id, sealed, enabled_at],
    )?;
    Ok(())
}

pub fn update_user(
    conn: &Connection,
    id: i64,
    display_name: &str,
    role: &str,
    store_id: i64,
    disabled_at: Option<i64>,
    now: i64,
) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE users SET display_name = ?2, role = ?3, store_id = ?4, disabled_at = ?5, updated_at = ?6 WHERE id = ?1",
        params![id, display_name, role, store_id, disabled_at, now],
    )?;
    Ok(())
}

#[derive(Debug, Clone)]
pub struct SessionRow {
    pub id: i64,
    pub user_id: i64,
    pub created_at: i64,
    pub last_used_at: i64,
    pub expires_at: i64,
    pub revoked_at: Option<i64>,
}

pub fn create_session(
    conn: &Connection,
    user_id: i64,
    refresh_hash: &[u8],
    ip: Option<&str>,
    now: i64,
    expires_at: i64,
) -> rusqlite::Result<i64> {
    conn.execute(
        "INSERT INTO sessions (user_id, refresh_hash, ip, created_at, last_used_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?4, ?5)",
        params![user_id, refresh_hash, ip, now, expires_at],
    )?;
    Ok(conn.last_insert_rowid())
}

pub fn session_by_refresh(
    conn: &Connection,
    refresh_hash: &[u8],
) -> rusqlite::Result<Option<SessionRow>> {
    conn.prepare_cached("SELECT id, user_id, created_at, last_used_at, expires_at, revoked_at FROM sessions WHERE refresh_hash = ?1")?
        .query_row([refresh_hash], |r| {
            Ok(SessionRow { id: r.get(0)?, user_id: r.get(1)?, created_at: r.get(2)?, last_used_at: r.get(3)?, expires_at: r.get(4)?, revoked_at: r.get(5)? })
        })
        .optional()
}

/// Gives the session a new refresh token and keeps the old one's hash as retired; retired hashes
/// older than `forget_before` (no session lives that long) are dropped.
pub fn rotate_session(
    conn: &Connection,
    id: i64,
    old_hash: &[u8],
    new_hash: &[u8],
    now: i64,
    forget_before: i64,
) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE sessions SET refresh_hash = ?2, last_used_at = ?3 WHERE id = ?1",
        params![id, new_hash, now],
    )?;
    conn.prepare_cached(
        "INSERT OR REPLACE INTO retired_refresh_tokens (refresh_hash, session_id, retired_at) VALUES (?1, ?2, ?3)",
    )?
    .execute(params![old_hash, id, now])?;
    conn.prepare_cached("DELETE FROM retired_refresh_tokens WHERE retired_at < ?1")?
        .execute([forget_before])?;
    Ok(())
}

/// The session a retired refresh token belonged to, its user, and when the token was retired.
pub fn retired_refresh(
    conn: &Connection,
    refresh_hash: &[u8],
) -> rusqlite::Result<Option<(i64, i64, i64)>> {
    conn.prepare_cached(
        "SELECT r.session_id, s.user_id, r.retired_at FROM retired_refresh_tokens r
         JOIN sessions s ON s.id = r.session_id WHERE r.refresh_hash = ?1",
    )?
    .query_row([refresh_hash], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
    .optional()
}

/// Ends the session; false when it had ended already.
pub fn revoke_session(conn: &Connection, id: i64, now: i64) -> rusqlite::Result<bool> {
    Ok(conn.execute(
        "UPDATE sessions SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
        params![id, now],
    )? > 0)
}

pub fn revoke_user_sessions(conn: &Connection, user_id: i64, now: i64) -> rusqlite::Result<usize> {
    conn.execute(
        "UPDATE sessions SET revoked_at = ?2 WHERE user_id = ?1 AND revoked_at IS NULL",
        params![user_id, now],
    )
}

/// What an access token's session resolves to on every request.
#[derive(Debug, Clone)]
pub struct LiveSession {
    pub user: UserRow,
    pub revoked_at: Option<i64>,
    pub expires_at: i64,
}

/// Built once: every authenticated request runs it.
static LIVE_SESSION_SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    let cols = USER_COLS
        .split(", ")
        .map(|c| format!("u.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    format!("SELECT {cols}, s.revoked_at, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = ?1")
});

pub fn live_session(conn: &Connection, session_id: i64) -> rusqlite::Result<Option<LiveSession>> {
    conn.prepare_cached(&LIVE_SESSION_SQL)?
        .query_row([session_id], |r| {
            Ok(LiveSession {
                user: user_row(r)?,
                revoked_at: r.get(13)?,
                expires_at: r.get(14)?,
            })
        })
        .optional()
}

pub fn replace_setup_token(
    conn: &Connection,
    token_hash: &[u8],
    expires_at: i64,
) -> rusqlite::Result<()> {
    conn.execute("DELETE FROM setup_tokens", [])?;
    conn.execute(
        "INSERT INTO setup_tokens (token_hash, expires_at) VALUES (?1, ?2)",
        params![token_hash, expires_at],
    )?;
    Ok(())
}

/// Marks the token used; true only if it existed, was unused and unexpired.
pub fn consume_setup_token(
    conn: &Connection,
    token_hash: &[u8],
    now: i64,
) -> rusqlite::Result<bool> {
    let n = conn.execute(
        "UPDATE setup_tokens SET used_at = ?2 WHERE token_hash = ?1 AND used_at IS NULL AND expires_at > ?2",
        params![token_hash, now],
    )?;
    Ok(n == 1)
}
