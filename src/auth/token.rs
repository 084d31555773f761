//! Short-lived access tokens: HS256 only, `exp`, `iss` and `aud` checked, `none` refused.

use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

pub const ISSUER: &str = "liyan";
pub const AUDIENCE: &str = "liyan-api";

#[derive(Debug, Serialize, Deserialize, Clone)]
pub struct Claims {
    pub sub: String,
    /// Session id: the token dies with its session (logout, password or role change, disable).
    pub sid: i64,
    pub role: String,
    pub iss: String,
    pub aud: String,
    pub iat: i64,
    pub exp: i64,
}

pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    pub ttl_secs: i64,
    /// Tokens already verified, by their exact text: a client sends the same token with every
    /// request for up to `ttl_secs`, and checking its signature and claims again each time was a
    /// measurable share of a one-record read. Only a byte-identical token hits; `exp` is checked
    /// on every hit. The session behind a token is still checked per request (`principal`).
    verified: Mutex<HashMap<Box<str>, Arc<Claims>>>,
}

/// Past this many cached tokens the cache starts again empty: far more than a clinic's staff
/// hold at once, and a bound on what a flood of distinct valid tokens could make it keep.
const VERIFIED_MAX: usize = 4096;

impl std::fmt::Debug for TokenKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenKeys(<secret>)")
    }
}

impl TokenKeys {
    pub fn new(secret: &[u8], ttl_secs: i64) -> TokenKeys {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = 0;
        TokenKeys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            ttl_secs,
            verified: Mutex::new(HashMap::new()),
        }
    }

    pub fn issue(&self, user_id: i64, session_id: i64, role: &str) -> String {
        let now = crate::clock::now_ms() / 1000;
        let claims = Claims {
            sub: user_id.to_string(),
            sid: session_id,
            role: role.into(),
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            iat: now,
            exp: now + self.ttl_secs,
        };
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .expect("HS256 signing cannot fail")
    }

    pub fn verify(&self, token: &str) -> Option<Arc<Claims>> {
        let now = crate::clock::now_ms() / 1000;
        let verified = self.verified.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(claims) = verified.get(token) {
            // The same bound as `decode` with no leeway: valid up to and including `exp`.
            return (claims.exp >= now).then(|| claims.clone());
        }
        drop(verified);
        let claims = Arc::new(
            decode::<Claims>(token, &self.decoding, &self.validation)
                .ok()?
                .claims,
        );
        let mut verified = self.verified.lock().unwrap_or_else(|e| e.into_inner());
        if verified.len() >= VERIFIED_MAX {
            verified.clear();
        }
        verified.insert(token.into(), claims.clone());
        Some(claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;

    fn b64(v: &str) -> String {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v)
    }

    #[test]
    fn issued_token_verifies() {
        let k = TokenKeys::new(b"0123456789abcdef0123456789abcdef", 900);
        let c = k.verify(&k.issue(7, 3, "admin")).unwrap();
        assert_eq!((c.sub.as_str(), c.sid), ("7", 3));
    }

    #[test]
    fn forged_tokens_are_refused() {
        let k = TokenKeys::new(b"0123456789abcdef0123456789abcdef", 900);
        let other = TokenKeys::new(b"another-secret-another-secret-xx", 900);
        assert!(
            k.verify(&other.issue(7, 3, "admin")).is_none(),
            "wrong signature"
        );
        let exp = crate::clock::now_ms() / 1000 + 600;
        let body = format!(
            r#"{{"sub":"7","sid":3,"role":"admin","iss":"liyan","aud":"liyan-api","iat":0,"exp":{exp}}}"#
        );
        let none = format!("{}.{}.", b64(r#"{"alg":"none","typ":"JWT"}"#), b64(&body));
        assert!(k.verify(&none).is_none(), "alg none");
        let expired = TokenKeys::new(b"0123456789abcdef0123456789abcdef", -10);
        assert!(k.verify(&expired.issue(7, 3, "admin")).is_none(), "expired");
        let wrong_aud = format!(
            r#"{{"sub":"7","sid":3,"role":"admin","iss":"liyan","aud":"other","iat":0,"exp":{exp}}}"#
        );
        let t = encode(
            &Header::new(Algorithm::HS256),
            &serde_json::from_str::<serde_json::Value>(&wrong_aud).unwrap(),
            &EncodingKey::from_secret(b"0123456789abcdef0123456789abcdef"),
        )
        .unwrap();
        assert!(k.verify(&t).is_none(), "audience");
    }

    #[test]
    fn a_cached_token_still_expires_and_only_its_exact_text_hits() {
        let k = TokenKeys::new(b"0123456789abcdef0123456789abcdef", 900);
        let t = k.issue(7, 3, "admin");
        assert_eq!(k.verify(&t).unwrap().sid, 3);
        assert_eq!(k.verify(&t).unwrap().sid, 3, "served again from the cache");
        // One byte of the signature changed: not the cached token, and not valid.
        let mut forged = t.clone().into_bytes();
        let last = forged.len() - 1;
        forged[last] = if forged[last] == b'A' { b'B' } else { b'A' };
        assert!(k.verify(std::str::from_utf8(&forged).unwrap()).is_none());
        // A token cached while valid is refused once its `exp` has passed.
        let short = TokenKeys::new(b"0123456789abcdef0123456789abcdef", 1);
        let t = short.issue(7, 3, "admin");
        assert!(short.verify(&t).is_some());
        std::thread::sleep(std::time::Duration::from_millis(2100));
        assert!(short.verify(&t).is_none(), "expired while cached");
    }
}
