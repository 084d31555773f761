//! Staff accounts: created by an admin (web or CLI), who sets a first password the user must
//! change at first login.

use super::{password, store};
use crate::access::{Record, Role};
use crate::app::App;
use crate::audit::{self, Actor, Event};
use crate::clock::now_ms;
use crate::error::{text, Error, Result};

pub fn check_username(username: &str) -> Result<()> {
    let ok = (2..=32).contains(&username.len())
        && username
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if ok {
        Ok(())
    } else {
        Err(Error::field(
            "username",
            "用户名须为 2–32 位字母、数字或 _ - .",
            "must be 2–32 letters, digits or _ - .",
        ))
    }
}

fn check_display_name(name: &str) -> Result<()> {
    crate::domain::input::name("display_name", name, 64).map(|_| ())
}

fn parse_role(role: &str) -> Result<Role> {
    Role::parse(role).ok_or_else(|| {
        Error::field(
            "role",
            format!("未知角色 {role}"),
            format!("unknown role `{role}`"),
        )
    })
}

fn store_exists(conn: &rusqlite::Connection, store_id: i64) -> Result<()> {
    if crate::domain::stores::exists(conn, store_id)? {
        Ok(())
    } else {
        Err(Error::field("store_id", "门店不存在", "no such store"))
    }
}

pub struct NewUser<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub role: &'a str,
    pub store_id: i64,
    pub password: &'a str,
}

pub fn create(app: &App, by: &Actor, u: &NewUser) -> Result<i64> {
    check_username(u.username)?;
    check_display_name(u.display_name)?;
    parse_role(u.role)?;
    password::check_strength(
        "password",
        u.password,
        u.username,
        app.config.auth.password_min_length,
    )?;
    let hash = password::hash(u.password);
    let now = now_ms();
    app.db.write_sync(|tx| {
        store_exists(tx, u.store_id)?;
        if store::user_by_username(tx, u.username)?.is_some() {
            return Err(Error::conflict("duplicate-username", text(format!("用户名 {} 已存在", u.username), format!("User name `{}` is taken", u.username))));
        }
        let row = store::NewUser { username: u.username, display_name: u.display_name.trim(), role: u.role, store_id: u.store_id, password_hash: &hash, must_change_password: true };
        let id = store::insert_user(tx, &row, now)?;
        let changes = serde_json::json!({"username": u.username, "display_name": u.display_name, "role": u.role, "store_id": u.store_id});
        audit::append(tx, &Event { actor: by, action: "create", entity: "user", entity_id: Some(id), store_id: Some(u.store_id), changes: Some(changes) })?;
        Ok(id)
    })
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    pub display_name: Option<String>,
    pub role: Option<String>,
    pub store_id: Option<i64>,
    pub disabled: Option<bool>,
}

/// Role changes and disabling end the user's sessions at once.
pub fn update(app: &App, by: &Actor, id: i64, patch: &UserPatch) -> Result<()> {
    if let Some(n) = &patch.display_name {
        check_display_name(n)?;
    }
    if let Some(r) = &patch.role {
        parse_role(r)?;
    }
    let now = now_ms();
    app.db.write_sync(|tx| {
        let u = store::user_by_id(tx, id)?.ok_or_else(Error::not_found)?;
        if let Some(s) = patch.store_id {
            store_exists(tx, s)?;
        }
        let display_name = patch
            .display_name
            .as_deref()
            .map(str::trim)
            .unwrap_or(&u.display_name);
        let role = patch.role.as_deref().unwrap_or(&u.role);
        let store_id = patch.store_id.unwrap_or(u.store_id);
        let disabled_at = match patch.disabled {
            Some(true) => u.disabled_at.or(Some(now)),
            Some(false) => None,
            None => u.disabled_at,
        };
        let unchanged = display_name == u.display_name
            && role == u.role
            && store_id == u.store_id
            && disabled_at.is_some() == u.disabled_at.is_some();
        if unchanged {
            // Nothing to write, and no empty audit row.
            return Ok(());
        }
        store::update_user(tx, id, display_name, role, store_id, disabled_at, now)?;
        if role != u.role
            || store_id != u.store_id
            || (disabled_at.is_some() && u.disabled_at.is_none())
        {
            store::revoke_user_sessions(tx, id, now)?;
        }
        let mut changes = serde_json::Map::new();
        let mut diff = |k: &str, old: serde_json::Value, new: serde_json::Value| {
            if old != new {
                changes.insert(k.into(), serde_json::json!({"old": old, "new": new}));
            }
        };
        diff(
            "display_name",
            u.display_name.clone().into(),
            display_name.into(),
        );
        diff("role", u.role.clone().into(), role.into());
        diff("store_id", u.store_id.into(), store_id.into());
        diff(
            "disabled",
            u.disabled_at.is_some().into(),
            disabled_at.is_some().into(),
        );
        audit::append(
            tx,
            &Event {
                actor: by,
                action: "update",
                entity: "user",
                entity_id: Some(id),
                store_id: Some(store_id),
                changes: Some(changes.into()),
            },
        )?;
        Ok(())
    })
}

/// An admin sets a temporary password; the user must change it at next login.
pub fn reset_password(app: &App, by: &Actor, id: i64, new_password: &str) -> Result<()> {
    let now = now_ms();
    let u = app
        .db
        .read_sync(|c| store::user_by_id(c, id))?
        .ok_or_else(Error::not_found)?;
    password::check_strength(
        "password",
        new_password,
        &u.username,
        app.config.auth.password_min_length,
    )?;
    let hash = password::hash(new_password);
    app.db.write_sync(|tx| {
        store::set_password(tx, id, &hash, true, now)?;
        store::revoke_user_sessions(tx, id, now)?;
        audit::append(
            tx,
            &Event {
                actor: by,
                action: "reset_password",
                entity: "user",
                entity_id: Some(id),
                store_id: Some(u.store_id),
                changes: None,
            },
        )?;
        Ok(())
    })
}

/// Lifts the lock that failed logins put on an account before its time is up; the password and
/// sessions stay. Returns false, changing nothing, when the account is not locked.
pub fn unlock(app: &App, by: &Actor, id: i64) -> Result<bool> {
    let now = now_ms();
    app.db.write_sync(|tx| {
        let u = store::user_by_id(tx, id)?.ok_or_else(Error::not_found)?;
        let Some(until) = u.locked_until.filter(|t| *t > now) else {
            return Ok(false);
        };
        store::clear_failures(tx, id)?;
        audit::append(
            tx,
            &Event {
                actor: by,
                action: "unlock",
                entity: "user",
                entity_id: Some(id),
                store_id: Some(u.store_id),
                // The account by name, and when the lock would have ended.
                changes: Some(
                    serde_json::json!({"username": u.username, "was_locked_until": until}),
                ),
            },
        )?;
        Ok(true)
    })
}

pub fn record(u: &store::UserRow) -> Record {
    let mut r = Record::new();
    r.set("id", u.id)
        .set("username", u.username.clone())
        .set("display_name", u.display_name.clone())
        .set("role", u.role.clone())
        .set("store_id", u.store_id)
        .set("disabled", u.disabled_at.is_some())
        .set("must_change_password", u.must_change_password)
        .set("locked_until", u.locked_until.filter(|t| *t > now_ms()))
        .set("created_at", u.created_at);
    r
}

pub fn list(app: &App) -> Result<Vec<Record>> {
    Ok(app
        .db
        .read_sync(store::list_users)?
        .iter()
        .map(record)
        .collect())
}

/// Active staff for pickers (consultant, doctor): names and roles, nothing about accounts.
pub fn directory(app: &App) -> Result<Vec<Record>> {
    Ok(app
        .db
        .read_sync(store::list_users)?
        .into_iter()
        .filter(|u| u.disabled_at.is_none())
        .map(|u| {
            let mut r = Record::new();
            r.set("id", u.id)
                .set("display_name", u.display_name)
                .set("role", u.role)
                .set("store_id", u.store_id);
            r
        })
        .collect())
}
