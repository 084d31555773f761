//! Two-step verification: enrollment, login with and without a code, and roles that require it.

use serde_json::json;
use totp_rs::{Algorithm, Secret, TOTP};

use crate::common::{Opts, Server, PASSWORD};

fn code_for(secret: &str) -> String {
    let bytes = Secret::Encoded(secret.to_string()).to_bytes().unwrap();
    TOTP::new(Algorithm::SHA1, 6, 1, 30, bytes)
        .unwrap()
        .generate_current()
        .unwrap()
}

fn wrong(code: &str) -> String {
    let n: u32 = code.parse().unwrap();
    format!("{:06}", (n + 500_000) % 1_000_000)
}

async fn login_with_code(s: &Server, user: &str, code: Option<&str>) -> crate::common::Resp {
    let mut body = json!({"username": user, "password": PASSWORD});
    if let Some(c) = code {
        body["totp"] = c.into();
    }
    s.post("", "/api/v1/auth/login", body).await
}

#[tokio::test]
async fn enrolled_user_needs_a_current_code() {
    let s = Server::with_customers(3).await;
    let token = s.login("doctor").await;
    let setup = s.post(&token, "/api/v1/auth/totp/setup", json!({})).await;
    assert_eq!(setup.code(), 200, "{}", setup.text);
    let secret = setup.json["secret"].as_str().unwrap().to_string();
    assert!(setup.json["otpauth_uri"]
        .as_str()
        .unwrap()
        .contains(&secret));
    // The secret is sealed in the database, never stored as typed.
    let stored: Vec<u8> = s
        .db()
        .query_row(
            "SELECT totp_secret FROM users WHERE username = 'doctor'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(!stored.windows(secret.len()).any(|w| w == secret.as_bytes()));

    // Not active until confirmed: login still works without a code.
    assert_eq!(login_with_code(&s, "doctor", None).await.code(), 200);
    let bad = s
        .post(
            &token,
            "/api/v1/auth/totp/enable",
            json!({"code": wrong(&code_for(&secret))}),
        )
        .await;
    bad.assert_problem(422);
    assert_eq!(bad.error_field(), "code");
    let ok = s
        .post(
            &token,
            "/api/v1/auth/totp/enable",
            json!({"code": code_for(&secret)}),
        )
        .await;
    assert_eq!(ok.code(), 204, "{}", ok.text);

    let missing = login_with_code(&s, "doctor", None).await;
    missing.assert_problem(401);
    assert_eq!(missing.problem(), "totp-required");
    let before = s.audit_rows();
    let wrong_code = login_with_code(&s, "doctor", Some(&wrong(&code_for(&secret)))).await;
    wrong_code.assert_problem(401);
    assert_eq!(wrong_code.problem(), "login-failed");
    let reason: String = s
        .db()
        .query_row(
            "SELECT json_extract(changes, '$.reason') FROM audit_log ORDER BY id DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(reason, "wrong_totp");
    assert_eq!(s.audit_rows(), before + 1);
    let good = login_with_code(&s, "doctor", Some(&code_for(&secret))).await;
    assert_eq!(good.code(), 200, "{}", good.text);

    // Turning it off needs the password.
    let t = good.json["access_token"].as_str().unwrap().to_string();
    s.post(
        &t,
        "/api/v1/auth/totp/disable",
        json!({"password": "Nope-1234"}),
    )
    .await
    .assert_problem(422);
    assert_eq!(
        s.post(
            &t,
            "/api/v1/auth/totp/disable",
            json!({"password": PASSWORD})
        )
        .await
        .code(),
        204
    );
    assert_eq!(login_with_code(&s, "doctor", None).await.code(), 200);
}

#[tokio::test]
async fn a_role_that_requires_it_must_enroll_before_anything_else() {
    let s = Server::start_with(Opts {
        customers: 3,
        config: Some("[auth]\nrequire_totp_roles = [\"admin\"]\n".into()),
    })
    .await;
    let r = login_with_code(&s, "admin", None).await;
    assert_eq!(r.code(), 200, "{}", r.text);
    assert_eq!(r.json["must_enroll_totp"], true);
    let token = r.json["access_token"].as_str().unwrap().to_string();
    let blocked = s.get(&token, "/api/v1/customers").await;
    blocked.assert_problem(403);
    assert_eq!(blocked.problem(), "totp-enrollment-required");

    let setup = s.post(&token, "/api/v1/auth/totp/setup", json!({})).await;
    let secret = setup.json["secret"].as_str().unwrap().to_string();
    assert_eq!(
        s.post(
            &token,
            "/api/v1/auth/totp/enable",
            json!({"code": code_for(&secret)})
        )
        .await
        .code(),
        204
    );
    assert_eq!(s.get(&token, "/api/v1/customers").await.code(), 200);
    let off = s
        .post(
            &token,
            "/api/v1/auth/totp/disable",
            json!({"password": PASSWORD}),
        )
        .await;
    off.assert_problem(403);
    assert_eq!(off.problem(), "totp-required");
    // Other roles are not affected.
    assert_eq!(
        login_with_code(&s, "frontdesk", None).await.json["must_enroll_totp"],
        false
    );
}
