//! Turns a request's bearer token into a `Principal`, checking its session on every request so
//! that logout, password change, role change and disabling take effect at once.

use actix_web::{dev::Payload, web, FromRequest, HttpRequest};

use super::store;
use crate::access::{ActionKind, EntityKind, Grant, Principal, Role};
use crate::app::App;
use crate::clock::now_ms;
use crate::db::Reader;
use crate::error::{text, Error, Kind};

/// A request's verified access token. The session behind it is checked by `principal`, inside
/// the handler's blocking section, so a request costs one trip to the database pool, not two.
pub struct Authenticated {
    claims: std::sync::Arc<super::token::Claims>,
    path: String,
    ip: Option<String>,
}

/// Routes a user who must still change the password may call.
const ALLOWED_BEFORE_PASSWORD_CHANGE: &[&str] = &[
    "/api/v1/auth/change-password",
    "/api/v1/auth/logout",
    "/api/v1/me",
];
/// And routes a user who must still set up two-step verification may call.
const ALLOWED_BEFORE_TOTP: &[&str] = &[
    "/api/v1/auth/totp/setup",
    "/api/v1/auth/totp/enable",
    "/api/v1/auth/change-password",
    "/api/v1/auth/logout",
    "/api/v1/me",
];

/// The TCP peer; Liyan serves the LAN directly, so no forwarding header is trusted.
pub fn client_ip(req: &HttpRequest) -> Option<String> {
    req.peer_addr().map(|a| a.ip().to_string())
}

impl FromRequest for Authenticated {
    type Error = Error;
    type Future = std::future::Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let claims = req.app_data::<web::Data<App>>().and_then(|app| {
            let bearer = req
                .headers()
                .get("authorization")?
                .to_str()
                .ok()?
                .strip_prefix("Bearer ")?;
            app.tokens.verify(bearer)
        });
        std::future::ready(
            claims
                .map(|claims| Authenticated {
                    claims,
                    path: req.path().to_string(),
                    ip: client_ip(req),
                })
                .ok_or_else(Error::unauthorized),
        )
    }
}

impl Authenticated {
    /// Runs `f` off the async workers with the caller's capability for `A` on `E`: the session is
    /// checked and the grant made first, so a handler cannot skip either. Reads run on the
    /// database's reader threads, everything else on the blocking pool.
    pub async fn with_grant<E, A, T, F>(self, app: web::Data<App>, f: F) -> Result<T, Error>
    where
        E: EntityKind + 'static,
        A: ActionKind + 'static,
        T: Send + 'static,
        F: FnOnce(&App, Grant<E, A>) -> Result<T, Error> + Send + 'static,
    {
        let work = move |app: &App| {
            let p = self.principal(app)?;
            let grant = app.access.grant::<E, A>(&p)?;
            f(app, grant)
        };
        if matches!(A::ACTION, crate::access::Action::Read) {
            crate::http::reading(app, work).await
        } else {
            crate::http::blocking(move || work(&app)).await
        }
    }

    /// Checks the session (revoked, expired, user disabled or changed) and the pending steps
    /// (password change, two-step set-up), then returns who is calling. Blocking: call it from
    /// the handler's `blocking` section.
    pub fn principal(&self, app: &App) -> Result<Principal, Error> {
        app.db.read_sync(|c| self.principal_on(app, c))
    }

    /// `principal` on a read connection the caller already holds, so that a read handler
    /// checks the session and reads its records in one snapshot.
    pub fn principal_on(&self, app: &App, c: &Reader) -> Result<Principal, Error> {
        let (claims, path) = (&self.claims, self.path.as_str());
        let sid = claims.sid;
        let live = store::live_session(c, sid)?.ok_or_else(Error::unauthorized)?;
        let u = &live.user;
        if live.revoked_at.is_some()
            || live.expires_at <= now_ms()
            || u.disabled_at.is_some()
            || claims.sub != u.id.to_string()
            || claims.role != u.role
        {
            return Err(Error::unauthorized());
        }
        if u.must_change_password && !ALLOWED_BEFORE_PASSWORD_CHANGE.contains(&path) {
            return Err(Error::new(
                Kind::Forbidden,
                "password-change-required",
                text("请先修改初始密码", "Change your initial password first"),
            ));
        }
        if super::service::must_enroll(app, u) && !ALLOWED_BEFORE_TOTP.contains(&path) {
            return Err(Error::new(
                Kind::Forbidden,
                "totp-enrollment-required",
                text("请先设置两步验证", "Set up two-step verification first"),
            ));
        }
        let role = Role::parse(&u.role).ok_or_else(Error::unauthorized)?;
        Ok(Principal {
            user_id: u.id,
            username: u.username.clone(),
            display_name: u.display_name.clone(),
            role,
            store_id: u.store_id,
            session_id: sid,
            ip: self.ip.clone(),
        })
    }
}
