//! The optional TOTP second factor (RFC 6238: SHA-1, 6 digits, 30 s, ±1 step), per user, which
//! `auth.require_totp_roles` can make compulsory for some roles.

use rand::RngCore;
use serde::Serialize;
use totp_rs::{Algorithm, Secret, TOTP};

use super::service::record_own;
use super::store;
use crate::access::Principal;
use crate::app::App;
use crate::error::{text, Error, Kind, Result};

const FIELD: &str = "totp_secret";

fn totp(secret: Vec<u8>) -> Result<TOTP> {
    TOTP::new(Algorithm::SHA1, 6, 1, 30, secret).map_err(|_| Error::internal())
}

/// Whether `code` is valid now for the sealed secret.
pub fn check(app: &App, sealed: &[u8], code: &str) -> Result<bool> {
    let secret = app.cipher.decrypt(FIELD, sealed)?;
    let bytes = Secret::Encoded(secret)
        .to_bytes()
        .map_err(|_| Error::internal())?;
    Ok(totp(bytes)?.check_current(code.trim()).unwrap_or(false))
}

/// Whether this user's role must use a second factor.
pub fn required(app: &App, role: &str) -> bool {
    app.config.auth.require_totp_roles.iter().any(|r| r == role)
}

#[derive(Serialize)]
pub struct Enrollment {
    /// Base32, for typing into an authenticator app.
    pub secret: String,
    pub otpauth_uri: String,
}

/// Starts (or restarts) enrollment: a new secret, active only after `enable` confirms a code.
pub fn setup(app: &App, p: &Principal) -> Result<Enrollment> {
    let mut raw = [0u8; 20];
    rand::thread_rng().fill_bytes(&mut raw);
    let Secret::Encoded(secret) = Secret::Raw(raw.to_vec()).to_encoded() else {
        return Err(Error::internal());
    };
    let sealed = app.cipher.encrypt(FIELD, &secret);
    app.db.write_sync(|tx| {
        let u = store::user_by_id(tx, p.user_id)?.ok_or_else(Error::unauthorized)?;
        if u.totp_enabled_at.is_some() {
            return Err(Error::conflict(
                "totp-enabled",
                text(
                    "已启用两步验证，请先停用",
                    "Two-step verification is already on; turn it off first",
                ),
            ));
        }
        store::set_totp(tx, p.user_id, Some(&sealed), None)?;
        Ok(())
    })?;
    let otpauth_uri = format!(
        "otpauth://totp/Liyan:{}?secret={secret}&issuer=Liyan&algorithm=SHA1&digits=6&period=30",
        p.username
    );
    Ok(Enrollment {
        secret,
        otpauth_uri,
    })
}

pub fn enable(app: &App, p: &Principal, code: &str) -> Result<()> {
    app.db.write_sync(|tx| {
        let u = store::user_by_id(tx, p.user_id)?.ok_or_else(Error::unauthorized)?;
        let Some(sealed) = u.totp_secret.filter(|_| u.totp_enabled_at.is_none()) else {
            return Err(Error::conflict(
                "totp-not-pending",
                text("请先生成两步验证密钥", "Start the two-step setup first"),
            ));
        };
        if !check(app, &sealed, code)? {
            return Err(Error::field("code", "验证码不正确", "the code is wrong"));
        }
        store::set_totp(tx, p.user_id, Some(&sealed), Some(crate::clock::now_ms()))?;
        record_own(tx, p, "totp_enable")?;
        Ok(())
    })
}

pub fn disable(app: &App, p: &Principal, password: &str) -> Result<()> {
    if required(app, p.role.as_str()) {
        return Err(Error::new(
            Kind::Forbidden,
            "totp-required",
            text(
                "您的角色必须使用两步验证",
                "Your role must use two-step verification",
            ),
        ));
    }
    let u = app
        .db
        .read_sync(|c| store::user_by_id(c, p.user_id))?
        .ok_or_else(Error::unauthorized)?;
    if !super::password::verify(password, &u.password_hash) {
        return Err(Error::field(
            "password",
            "密码不正确",
            "the password is wrong",
        ));
    }
    app.db.write_sync(|tx| {
        store::set_totp(tx, p.user_id, None, None)?;
        record_own(tx, p, "totp_disable")?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use totp_rs::{Algorithm, TOTP};

    #[test]
    fn rfc6238_sha1_vector() {
        // RFC 6238 appendix B, truncated to 6 digits: T = 59 s gives 94287082 → 287082.
        let t = TOTP::new(Algorithm::SHA1, 6, 1, 30, b"12345678901234567890".to_vec()).unwrap();
        assert_eq!(t.generate(59), "287082");
        assert!(t.check("287082", 59 + 30), "one step of skew accepted");
        assert!(!t.check("287082", 59 + 90));
    }
}
