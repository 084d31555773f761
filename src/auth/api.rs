//! HTTP handlers for setup, login, refresh, logout, password change, `/me` and staff accounts.

use actix_web::cookie::{time::Duration, Cookie, SameSite};
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use super::service::{self, LoginResult};
use super::{client_ip, users, Authenticated};
use crate::access::{catalog, Create, Entity, Read, Update, Users};
use crate::app::App;
use crate::error::{Error, Result};
use crate::http::{blocking, Api, Json};

pub const REFRESH_COOKIE: &str = "liyan_refresh";
const COOKIE_PATH: &str = "/api/v1/auth";

pub fn routes(api: &mut Api) {
    api.get(
        "/setup/status",
        "Whether the first admin still has to be created",
        setup_status,
    );
    api.post(
        "/setup",
        "Create the first admin with the printed one-time token",
        setup,
    );
    api.post(
        "/auth/login",
        "Sign in; returns an access token and sets the refresh cookie",
        login,
    );
    api.post(
        "/auth/refresh",
        "Swap the refresh cookie for a new access token (rotating)",
        refresh,
    );
    api.post("/auth/logout", "End this session", logout);
    api.post(
        "/auth/change-password",
        "Change the caller's password; ends all other sessions",
        change_password,
    );
    api.post(
        "/auth/totp/setup",
        "Start two-step verification: a new secret to scan",
        totp_setup,
    );
    api.post(
        "/auth/totp/enable",
        "Confirm two-step verification with a current code",
        totp_enable,
    );
    api.post(
        "/auth/totp/disable",
        "Turn two-step verification off (password required)",
        totp_disable,
    );
    api.get("/me", "The caller and what the caller may do", me);
    api.get("/users", "Staff accounts", list_users);
    api.get(
        "/staff",
        "Active staff by name and role, for choosing a consultant",
        staff,
    );
    api.post(
        "/users",
        "Create a staff account (must change password at first login)",
        create_user,
    );
    api.patch(
        "/users/{id}",
        "Change a staff account's name, role, store or disabled state",
        update_user,
    );
    api.post(
        "/users/{id}/reset-password",
        "Set a temporary password",
        reset_password,
    );
    api.post(
        "/users/{id}/unlock",
        "Lift the lock that failed logins put on an account; says whether it was locked",
        unlock_user,
    );
}

fn refresh_cookie(value: String, max_age_secs: i64) -> Cookie<'static> {
    Cookie::build(REFRESH_COOKIE, value)
        .path(COOKIE_PATH)
        .http_only(true)
        .secure(true)
        .same_site(SameSite::Strict)
        .max_age(Duration::seconds(max_age_secs))
        .finish()
}

fn session_reply(r: LoginResult) -> HttpResponse {
    let cookie = refresh_cookie(r.refresh_token.clone(), r.refresh_max_age_secs);
    HttpResponse::Ok().cookie(cookie).json(r)
}

async fn setup_status(app: web::Data<App>) -> Result<HttpResponse> {
    let needs = blocking(move || service::needs_setup(&app)).await?;
    Ok(HttpResponse::Ok().json(json!({"needs_setup": needs})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SetupBody {
    token: String,
    username: String,
    display_name: String,
    password: String,
}

async fn setup(
    app: web::Data<App>,
    req: HttpRequest,
    Json(b): Json<SetupBody>,
) -> Result<HttpResponse> {
    let ip = client_ip(&req);
    blocking(move || {
        service::complete_setup(
            &app,
            &b.token,
            &b.username,
            &b.display_name,
            &b.password,
            ip.as_deref(),
        )
    })
    .await?;
    Ok(HttpResponse::Created().json(json!({"ok": true})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LoginBody {
    username: String,
    password: String,
    /// The current code when the account uses two-step verification.
    totp: Option<String>,
}

async fn login(
    app: web::Data<App>,
    req: HttpRequest,
    Json(b): Json<LoginBody>,
) -> Result<HttpResponse> {
    let ip = client_ip(&req);
    let r = blocking(move || {
        service::login(
            &app,
            &b.username,
            &b.password,
            b.totp.as_deref(),
            ip.as_deref(),
        )
    })
    .await?;
    Ok(session_reply(r))
}

async fn refresh(app: web::Data<App>, req: HttpRequest) -> Result<HttpResponse> {
    let token = req
        .cookie(REFRESH_COOKIE)
        .map(|c| c.value().to_string())
        .ok_or_else(Error::unauthorized)?;
    let r = blocking(move || service::refresh(&app, &token)).await?;
    Ok(session_reply(r))
}

async fn logout(app: web::Data<App>, auth: Authenticated) -> Result<HttpResponse> {
    blocking(move || {
        let p = auth.principal(&app)?;
        service::logout(&app, &p)
    })
    .await?;
    Ok(HttpResponse::NoContent()
        .cookie(refresh_cookie(String::new(), 0))
        .finish())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ChangePasswordBody {
    old_password: String,
    new_password: String,
}

async fn change_password(
    app: web::Data<App>,
    auth: Authenticated,
    Json(b): Json<ChangePasswordBody>,
) -> Result<HttpResponse> {
    let r = blocking(move || {
        let p = auth.principal(&app)?;
        service::change_password(&app, &p, &b.old_password, &b.new_password)
    })
    .await?;
    Ok(session_reply(r))
}

async fn totp_setup(app: web::Data<App>, auth: Authenticated) -> Result<HttpResponse> {
    let e = blocking(move || {
        let p = auth.principal(&app)?;
        super::totp::setup(&app, &p)
    })
    .await?;
    Ok(HttpResponse::Ok().json(e))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CodeBody {
    code: String,
}

async fn totp_enable(
    app: web::Data<App>,
    auth: Authenticated,
    Json(b): Json<CodeBody>,
) -> Result<HttpResponse> {
    blocking(move || {
        let p = auth.principal(&app)?;
        super::totp::enable(&app, &p, &b.code)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PasswordBody {
    password: String,
}

async fn totp_disable(
    app: web::Data<App>,
    auth: Authenticated,
    Json(b): Json<PasswordBody>,
) -> Result<HttpResponse> {
    blocking(move || {
        let p = auth.principal(&app)?;
        super::totp::disable(&app, &p, &b.password)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

async fn me(app: web::Data<App>, auth: Authenticated) -> Result<HttpResponse> {
    let (p, enabled, required) = blocking(move || {
        let p = auth.principal(&app)?;
        let row = app
            .db
            .read_sync(|c| super::store::user_by_id(c, p.user_id))?
            .ok_or_else(Error::unauthorized)?;
        let required = super::totp::required(&app, p.role.as_str());
        let m = app.access.matrix();
        let mut permissions = serde_json::Map::new();
        for e in Entity::ALL {
            let actions: Vec<&str> = catalog::actions(*e)
                .iter()
                .filter(|a| m.allows(p.role, *e, **a))
                .map(|a| a.as_str())
                .collect();
            let fields: serde_json::Map<String, serde_json::Value> = m
                .fields(*e)
                .map(|f| (f.name.to_string(), json!(m.policy(p.role, *e, f.name))))
                .collect();
            permissions.insert(
                e.as_str().into(),
                json!({"actions": actions, "fields": fields}),
            );
        }
        Ok(((p, permissions), row.totp_enabled_at.is_some(), required))
    })
    .await?;
    let (p, permissions) = p;
    let user = json!({"id": p.user_id, "username": p.username, "display_name": p.display_name, "role": p.role, "store_id": p.store_id});
    let two_step = json!({"enabled": enabled, "required": required});
    Ok(HttpResponse::Ok()
        .json(json!({"user": user, "permissions": permissions, "two_step": two_step})))
}

async fn staff(app: web::Data<App>, auth: Authenticated) -> Result<HttpResponse> {
    let items = auth
        .with_grant::<crate::access::StaffDirectory, Read, _, _>(app, |app, grant| {
            grant.export_all(users::directory(app)?, &app.cipher)
        })
        .await?;
    Ok(HttpResponse::Ok().json(json!({"items": items})))
}

async fn list_users(app: web::Data<App>, auth: Authenticated) -> Result<HttpResponse> {
    let items = auth
        .with_grant::<Users, Read, _, _>(app, |app, grant| {
            grant.export_all(users::list(app)?, &app.cipher)
        })
        .await?;
    Ok(HttpResponse::Ok().json(json!({"items": items})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewUserBody {
    username: String,
    display_name: String,
    role: String,
    store_id: i64,
    password: String,
}

async fn create_user(
    app: web::Data<App>,
    auth: Authenticated,
    Json(b): Json<NewUserBody>,
) -> Result<HttpResponse> {
    let id = blocking(move || {
        let p = auth.principal(&app)?;
        let grant = app.access.grant::<Users, Create>(&p)?;
        grant.check_writable(["username", "display_name", "role", "store_id"])?;
        let new = users::NewUser {
            username: &b.username,
            display_name: &b.display_name,
            role: &b.role,
            store_id: b.store_id,
            password: &b.password,
        };
        users::create(&app, &p.actor(), &new)
    })
    .await?;
    Ok(HttpResponse::Created().json(json!({"id": id})))
}

async fn update_user(
    app: web::Data<App>,
    auth: Authenticated,
    id: web::Path<i64>,
    Json(b): Json<users::UserPatch>,
) -> Result<HttpResponse> {
    let id = id.into_inner();
    blocking(move || {
        let p = auth.principal(&app)?;
        let grant = app.access.grant::<Users, Update>(&p)?;
        let touched = [
            ("display_name", b.display_name.is_some()),
            ("role", b.role.is_some()),
            ("store_id", b.store_id.is_some()),
            ("disabled", b.disabled.is_some()),
        ];
        grant.check_writable(touched.iter().filter(|(_, t)| *t).map(|(f, _)| *f))?;
        if id == p.user_id && (b.role.is_some() || b.disabled == Some(true)) {
            return Err(Error::field(
                "role",
                "不能修改或停用自己的账户角色",
                "you cannot change your own role or disable yourself",
            ));
        }
        users::update(&app, &p.actor(), id, &b)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ResetBody {
    password: String,
}

async fn reset_password(
    app: web::Data<App>,
    auth: Authenticated,
    id: web::Path<i64>,
    Json(b): Json<ResetBody>,
) -> Result<HttpResponse> {
    let id = id.into_inner();
    blocking(move || {
        let p = auth.principal(&app)?;
        app.access.grant::<Users, Update>(&p)?;
        users::reset_password(&app, &p.actor(), id, &b.password)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

async fn unlock_user(
    app: web::Data<App>,
    auth: Authenticated,
    id: web::Path<i64>,
) -> Result<HttpResponse> {
    let id = id.into_inner();
    let unlocked = blocking(move || {
        let p = auth.principal(&app)?;
        app.access.grant::<Users, Update>(&p)?;
        users::unlock(&app, &p.actor(), id)
    })
    .await?;
    Ok(HttpResponse::Ok().json(json!({ "unlocked": unlocked })))
}
