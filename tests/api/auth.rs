//! Login lockout and throttling, token checks, refresh rotation and revocation, first-login
//! password change.

use base64::Engine;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::Method;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::common::*;

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The claims of a token, read without checking it.
fn claims_of(token: &str) -> Value {
    let payload = token.split('.').nth(1).expect("a JWT");
    serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap()
}

fn sign(claims: &Value, alg: Algorithm, key: &[u8]) -> String {
    jsonwebtoken::encode(&Header::new(alg), claims, &EncodingKey::from_secret(key)).unwrap()
}

fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// `liyan_refresh` from a reply's Set-Cookie, with the whole header line.
fn refresh_cookie(r: &Resp) -> (String, String) {
    for v in r.headers.get_all("set-cookie") {
        let line = v.to_str().unwrap().to_string();
        if let Some(rest) = line.strip_prefix("liyan_refresh=") {
            let value = rest.split(';').next().unwrap().to_string();
            return (value, line);
        }
    }
    panic!("no liyan_refresh cookie in {:?}", r.headers);
}

/// POST /auth/refresh with an explicit cookie (or none), as a client without a cookie jar.
async fn refresh_with(s: &Server, cookie: Option<&str>) -> Resp {
    let mut rb = client(false).post(s.url("/api/v1/auth/refresh"));
    if let Some(c) = cookie {
        rb = rb.header("cookie", format!("liyan_refresh={c}"));
    }
    into_resp(rb.send().await.unwrap()).await
}

/// Whether a token still opens `/me`.
async fn me(s: &Server, token: &str) -> u16 {
    s.get(token, "/api/v1/me").await.code()
}

#[tokio::test]
async fn five_failures_lock_the_account_and_replies_never_tell_who_exists() {
    let s = Server::start().await;
    let audit_before = s.max_audit_id();
    let mut first: Option<Value> = None;
    for i in 0..5 {
        let r = s.login_resp("nurse", &format!("Wrong-pass{i}")).await;
        r.assert_problem(401);
        assert_eq!(r.problem(), "login-failed");
        match &first {
            None => first = Some(r.json.clone()),
            Some(f) => assert_eq!(&r.json, f, "failure replies differ"),
        }
    }
    let wrong = first.unwrap();
    // Locked: even the right password is refused, with the very same reply.
    let r = s.login_resp("nurse", PASSWORD).await;
    r.assert_problem(401);
    assert_eq!(r.json, wrong, "a locked account must not be told apart");
    // An unknown user gets the same reply too.
    let r = s.login_resp("no-such-user", PASSWORD).await;
    r.assert_problem(401);
    assert_eq!(r.json, wrong, "an unknown user must not be told apart");

    let (failed, locked_until): (i64, Option<i64>) = s
        .db()
        .query_row(
            "SELECT failed_logins, locked_until FROM users WHERE username = 'nurse'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(failed, 5);
    let lock_ms = locked_until.expect("locked_until set") - now_secs() * 1000;
    assert!(
        (29 * 60_000..=31 * 60_000).contains(&lock_ms),
        "locked for {lock_ms} ms, expected 30 minutes"
    );

    // Every failure is in the audit log; the lock is per account, not global.
    let rows = s.audit_since(audit_before);
    assert_eq!(
        rows.iter().filter(|r| r.0 == "login_failed").count(),
        7,
        "{rows:?}"
    );
    assert_eq!(rows.len(), 7, "{rows:?}");
    let reasons: Vec<String> = {
        let db = s.db();
        let mut st = db
            .prepare(
                "SELECT json_extract(changes, '$.reason') FROM audit_log WHERE id > ?1 ORDER BY id",
            )
            .unwrap();
        st.query_map([audit_before], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    assert_eq!(reasons[..5], ["wrong_password"; 5]);
    assert_eq!(reasons[5], "locked_or_disabled");
    assert_eq!(reasons[6], "unknown_user");
    let token = s.login("doctor").await;
    assert_eq!(me(&s, &token).await, 200);
}

async fn lock_out(s: &Server, username: &str) {
    for i in 0..5 {
        s.login_resp(username, &format!("Wrong-pass{i}"))
            .await
            .assert_problem(401);
    }
    s.login_resp(username, PASSWORD).await.assert_problem(401);
}

#[tokio::test]
async fn an_admin_lifts_a_lock_through_the_api_or_the_cli_and_no_one_else_can() {
    let s = Server::start().await;
    lock_out(&s, "nurse").await;
    let nurse = s.user_id("nurse");
    let path = format!("/api/v1/users/{nurse}/unlock");
    let locked = || {
        s.count("SELECT count(*) FROM users WHERE username = 'nurse' AND locked_until IS NOT NULL")
    };
    let before = s.max_audit_id();
    for (user, role, _) in STAFF {
        if matches!(*user, "admin" | "nurse") {
            continue;
        }
        let t = s.login(user).await;
        let r = s.post(&t, &path, json!({})).await;
        r.assert_problem(403);
        assert_eq!(locked(), 1, "{role} lifted the lock");
    }
    assert!(
        s.audit_since(before).iter().all(|r| r.0 != "unlock"),
        "{:?}",
        s.audit_since(before)
    );

    let admin = s.login("admin").await;
    // The users page shows the lock, and the API lifts it: the same password works again.
    let users = s.get(&admin, "/api/v1/users").await;
    let row = users.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "nurse")
        .unwrap()
        .clone();
    assert!(row["locked_until"].as_i64().is_some(), "{row}");
    let r = s.post(&admin, &path, json!({})).await;
    assert_eq!(r.code(), 200, "{}", r.text);
    assert_eq!(r.json, json!({"unlocked": true}));
    let (action, entity, id, actor, changes) = s.last_audit();
    assert_eq!(
        (action.as_str(), entity.as_str(), id, actor.as_str()),
        ("unlock", "user", Some(nurse), "admin")
    );
    let changes: Value = serde_json::from_str(&changes.unwrap()).unwrap();
    assert_eq!(changes["was_locked_until"], row["locked_until"]);
    assert_eq!(changes["username"], "nurse");
    assert_eq!(locked(), 0);
    assert_eq!(s.login_resp("nurse", PASSWORD).await.code(), 200);
    // Not locked: nothing to do, nothing logged.
    let audits = s.audit_rows();
    let r = s.post(&admin, &path, json!({})).await;
    assert_eq!(r.json, json!({"unlocked": false}), "{}", r.text);
    assert_eq!(s.audit_rows(), audits);
    s.post(&admin, "/api/v1/users/99999/unlock", json!({}))
        .await
        .assert_problem(404);

    // IT can do the same from the server's shell; a lock shows also on a disabled account, and
    // enabling says the lock is still there.
    lock_out(&s, "doctor").await;
    assert!(s.cli(&["user", "disable", "doctor"], None).await.ok());
    let out = s.cli(&["user", "list"], None).await;
    assert!(
        out.stdout
            .lines()
            .any(|l| l.contains("doctor") && l.contains("disabled+locked")),
        "{}",
        out.stdout
    );
    let out = s.cli(&["user", "enable", "doctor"], None).await;
    assert!(out.ok() && out.stdout.contains("still lock"), "{out:?}");
    let out = s.cli(&["user", "unlock", "doctor"], None).await;
    assert!(
        out.ok() && out.stdout.contains("unlocked doctor; they can log in"),
        "{out:?}"
    );
    assert_eq!(s.last_audit().0, "unlock");
    assert!(s.last_audit().3.starts_with("cli"), "{:?}", s.last_audit());
    assert_eq!(s.login_resp("doctor", PASSWORD).await.code(), 200);
    let out = s.cli(&["user", "unlock", "doctor"], None).await;
    assert!(out.ok() && out.stdout.contains("not locked"), "{out:?}");
    let out = s.cli(&["user", "unlock", "nobody-here"], None).await;
    assert!(!out.ok() && out.stderr.contains("nobody-here"), "{out:?}");
}

#[tokio::test]
async fn per_ip_throttle_refuses_even_a_correct_login() {
    let s = Server::start_with(Opts {
        customers: 5,
        config: Some("[auth]\nip_failures_per_minute = 3\n".into()),
    })
    .await;
    for u in ["ghost1", "ghost2", "ghost3"] {
        s.login_resp(u, "Whatever-1").await.assert_problem(401);
    }
    let r = s.login_resp("admin", PASSWORD).await;
    r.assert_problem(429);
    assert_eq!(r.problem(), "throttled");
    assert!(r.json.get("access_token").is_none());
    // When to come back: within the one-minute window.
    let wait: u64 = r
        .header("retry-after")
        .parse()
        .expect("Retry-After in seconds");
    assert!((1..=60).contains(&wait), "Retry-After {wait}");
    // ... and the message says it to the person in front of the screen.
    assert!(
        r.json["title"].as_str().unwrap().contains("1 分钟后再试"),
        "{}",
        r.text
    );
}

#[tokio::test]
async fn forged_expired_and_foreign_tokens_are_refused() {
    let s = Server::with_customers(2).await;
    let real = s.login("admin").await;
    assert_eq!(me(&s, &real).await, 200);
    let claims = claims_of(&real);
    assert_eq!(claims["iss"], "liyan");
    assert_eq!(claims["aud"], "liyan-api");
    let lifetime = claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap();
    assert!(
        lifetime > 0 && lifetime <= 15 * 60,
        "access token lives {lifetime} s"
    );
    let key = std::fs::read(s.data.join("keys/token.key")).expect("token key");

    // Control: our own signing with the server's key and unchanged claims is accepted, so each
    // refusal below is for the one thing that was changed.
    assert_eq!(
        me(&s, &sign(&claims, Algorithm::HS256, &key)).await,
        200,
        "control token"
    );

    let mut cases: Vec<(&str, String)> = Vec::new();
    let header = b64(br#"{"alg":"none","typ":"JWT"}"#);
    let body = b64(claims.to_string().as_bytes());
    cases.push(("alg none", format!("{header}.{body}.")));
    let real_sig = real.rsplit('.').next().unwrap();
    cases.push((
        "alg none with a signature",
        format!("{header}.{body}.{real_sig}"),
    ));
    cases.push((
        "other key",
        sign(
            &claims,
            Algorithm::HS256,
            b"not-the-server-key-not-the-server-key",
        ),
    ));
    cases.push((
        "HS512 with the right key",
        sign(&claims, Algorithm::HS512, &key),
    ));
    let mut c = claims.clone();
    c["aud"] = json!("some-other-api");
    cases.push(("wrong audience", sign(&c, Algorithm::HS256, &key)));
    let mut c = claims.clone();
    c["iss"] = json!("mallory");
    cases.push(("wrong issuer", sign(&c, Algorithm::HS256, &key)));
    let mut c = claims.clone();
    c["iat"] = json!(now_secs() - 1000);
    c["exp"] = json!(now_secs() - 5);
    cases.push(("expired", sign(&c, Algorithm::HS256, &key)));
    let mut c = claims.clone();
    c.as_object_mut().unwrap().remove("exp");
    cases.push(("no exp", sign(&c, Algorithm::HS256, &key)));
    let mut c = claims.clone();
    c["role"] = json!("auditor");
    cases.push(("role not the user's", sign(&c, Algorithm::HS256, &key)));
    let mut c = claims.clone();
    c["sid"] = json!(424242);
    cases.push(("unknown session", sign(&c, Algorithm::HS256, &key)));
    let mut tampered = real.clone();
    tampered.insert_str(real.find('.').unwrap() + 1, "e30");
    cases.push(("payload edited", tampered));
    cases.push(("garbage", "abc.def.ghi".into()));

    for (what, token) in &cases {
        let r = s.get(token, "/api/v1/customers").await;
        r.assert_problem(401);
        assert_eq!(r.header("www-authenticate"), "Bearer", "{what}");
        assert_eq!(r.problem(), "unauthorized", "{what}: {}", r.text);
    }
    let r = s.send(Method::GET, None, "/api/v1/customers", None).await;
    r.assert_problem(401);
    let r = into_resp(
        s.http
            .get(s.url("/api/v1/me"))
            .header("authorization", format!("Basic {real}"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    r.assert_problem(401);
}

#[tokio::test]
async fn refresh_rotates_and_the_old_refresh_token_dies() {
    let s = Server::with_customers(2).await;
    let login = s.login_resp("frontdesk", PASSWORD).await;
    assert_eq!(login.code(), 200);
    let (r1, line) = refresh_cookie(&login);
    for flag in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/api/v1/auth"] {
        assert!(
            line.split(';').any(|p| p.trim() == flag),
            "cookie lacks {flag}: {line}"
        );
    }
    assert!(line.contains("Max-Age="), "{line}");
    // The refresh token is only in the cookie, and only its hash is stored.
    assert!(!login.text.contains(&r1), "refresh token in the JSON body");
    assert!(login.json.get("refresh_token").is_none());
    let hash = |t: &str| Sha256::digest(t.as_bytes()).to_vec();
    let stored = |t: &str| {
        s.db()
            .query_row(
                "SELECT count(*) FROM sessions WHERE refresh_hash = ?1",
                [hash(t)],
                |r| r.get::<_, i64>(0),
            )
            .unwrap()
    };
    assert_eq!(stored(&r1), 1);
    assert_eq!(
        s.count(&format!(
            "SELECT count(*) FROM sessions WHERE CAST(refresh_hash AS TEXT) = '{r1}'"
        )),
        0
    );

    let rot = refresh_with(&s, Some(&r1)).await;
    assert_eq!(rot.code(), 200, "{}", rot.text);
    let (r2, line2) = refresh_cookie(&rot);
    assert_ne!(r1, r2, "refresh token not rotated");
    assert!(
        line2.contains("HttpOnly") && line2.contains("Secure") && line2.contains("SameSite=Strict")
    );
    let access2 = rot.json["access_token"].as_str().unwrap().to_string();
    assert_eq!(me(&s, &access2).await, 200);
    assert_eq!(stored(&r1), 0);
    assert_eq!(stored(&r2), 1);

    // The replaced token is refused from now on; the new one works once more.
    refresh_with(&s, Some(&r1)).await.assert_problem(401);
    let rot3 = refresh_with(&s, Some(&r2)).await;
    assert_eq!(rot3.code(), 200, "{}", rot3.text);
    refresh_with(&s, Some(&r2)).await.assert_problem(401);
    refresh_with(&s, None).await.assert_problem(401);
    refresh_with(&s, Some("made-up-token"))
        .await
        .assert_problem(401);

    // A browser-like client with a cookie jar refreshes without handling the cookie itself.
    let jar = client(true);
    let r = jar
        .post(s.url("/api/v1/auth/login"))
        .json(&json!({"username": "doctor", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = into_resp(
        jar.post(s.url("/api/v1/auth/refresh"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(r.code(), 200, "cookie jar refresh: {}", r.text);
    assert_eq!(r.json["user"]["username"], "doctor");
}

/// A swapped refresh token that comes back after the grace was copied: its session ends, for
/// the copy and for the rightful holder alike, and the event is audited.
#[tokio::test]
async fn a_reused_refresh_token_ends_its_session() {
    let s = Server::start_with(Opts {
        customers: 1,
        config: Some("[auth]\nrefresh_reuse_grace_seconds = 0\n".into()),
    })
    .await;
    let login = s.login_resp("frontdesk", PASSWORD).await;
    let (r1, _) = refresh_cookie(&login);
    let rot = refresh_with(&s, Some(&r1)).await;
    assert_eq!(rot.code(), 200, "{}", rot.text);
    let (r2, _) = refresh_cookie(&rot);
    let access2 = rot.json["access_token"].as_str().unwrap().to_string();
    assert_eq!(me(&s, &access2).await, 200);

    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    refresh_with(&s, Some(&r1)).await.assert_problem(401);
    // The session is over: the rightful holder's refresh token and access token stop working.
    refresh_with(&s, Some(&r2)).await.assert_problem(401);
    assert_eq!(me(&s, &access2).await, 401);
    let (action, entity, entity_id, _, _) = s.last_audit();
    assert_eq!(
        (action.as_str(), entity.as_str(), entity_id),
        ("refresh_reuse", "user", Some(s.user_id("frontdesk")))
    );
    // Other sessions of the same user are not touched.
    assert_eq!(s.login_resp("frontdesk", PASSWORD).await.code(), 200);
}

#[tokio::test]
async fn logout_ends_the_access_and_the_refresh_token() {
    let s = Server::with_customers(2).await;
    let login = s.login_resp("consultant", PASSWORD).await;
    let token = login.json["access_token"].as_str().unwrap().to_string();
    let (refresh, _) = refresh_cookie(&login);
    let uid = s.user_id("consultant");
    let before = s.max_audit_id();
    let out = s
        .send(Method::POST, Some(&token), "/api/v1/auth/logout", None)
        .await;
    assert_eq!(out.code(), 204, "{}", out.text);
    let (cleared, line) = refresh_cookie(&out);
    assert!(
        cleared.is_empty() && line.contains("Max-Age=0"),
        "logout must clear the cookie: {line}"
    );
    let rows = s.audit_since(before);
    assert_eq!(
        rows,
        vec![(
            "logout".to_string(),
            "user".to_string(),
            Some(uid),
            "consultant".to_string()
        )]
    );
    assert_eq!(me(&s, &token).await, 401);
    refresh_with(&s, Some(&refresh)).await.assert_problem(401);
}

#[tokio::test]
async fn password_change_ends_every_other_session() {
    let s = Server::with_customers(2).await;
    let a = s.login_resp("nurse", PASSWORD).await;
    let b = s.login_resp("nurse", PASSWORD).await;
    let (ta, tb) = (
        a.json["access_token"].as_str().unwrap().to_string(),
        b.json["access_token"].as_str().unwrap().to_string(),
    );
    let (_, _) = refresh_cookie(&a);
    let (rb, _) = refresh_cookie(&b);

    let path = "/api/v1/auth/change-password";
    let r = s
        .post(
            &ta,
            path,
            json!({"old_password": "Not-the-one1", "new_password": "Hush#2027xq"}),
        )
        .await;
    r.assert_problem(422);
    assert_eq!(r.error_field(), "old_password");
    let r = s
        .post(
            &ta,
            path,
            json!({"old_password": PASSWORD, "new_password": PASSWORD}),
        )
        .await;
    r.assert_problem(422);
    assert_eq!(r.error_field(), "new_password");
    assert_eq!(
        me(&s, &tb).await,
        200,
        "a refused change must not end sessions"
    );

    let before = s.max_audit_id();
    let r = s
        .post(
            &ta,
            path,
            json!({"old_password": PASSWORD, "new_password": "Hush#2027xq"}),
        )
        .await;
    assert_eq!(r.code(), 200, "{}", r.text);
    assert_eq!(r.json["must_change_password"], false);
    let tc = r.json["access_token"].as_str().unwrap().to_string();
    let (rc, _) = refresh_cookie(&r);
    let rows = s.audit_since(before);
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].0, "change_password");

    assert_eq!(
        me(&s, &tb).await,
        401,
        "the other session survived the password change"
    );
    assert_eq!(
        me(&s, &ta).await,
        401,
        "the session that changed it is replaced by a new one"
    );
    assert_eq!(me(&s, &tc).await, 200);
    refresh_with(&s, Some(&rb)).await.assert_problem(401);
    assert_eq!(refresh_with(&s, Some(&rc)).await.code(), 200);

    s.login_resp("nurse", PASSWORD).await.assert_problem(401);
    assert_eq!(s.login_resp("nurse", "Hush#2027xq").await.code(), 200);
}

#[tokio::test]
async fn disabling_or_demoting_a_user_ends_their_sessions_at_once() {
    let s = Server::with_customers(2).await;
    let admin = s.login("admin").await;
    let nurse = s.login_resp("nurse", PASSWORD).await;
    let tn = nurse.json["access_token"].as_str().unwrap().to_string();
    let (rn, _) = refresh_cookie(&nurse);
    let nurse_id = s.user_id("nurse");
    assert_eq!(me(&s, &tn).await, 200);

    // Only admins manage users, and not themselves.
    let manager = s.login("manager").await;
    s.patch(
        &manager,
        &format!("/api/v1/users/{nurse_id}"),
        json!({"disabled": true}),
    )
    .await
    .assert_problem(403);
    let r = s
        .patch(
            &admin,
            &format!("/api/v1/users/{}", s.user_id("admin")),
            json!({"disabled": true}),
        )
        .await;
    r.assert_problem(422);

    let before = s.max_audit_id();
    let r = s
        .patch(
            &admin,
            &format!("/api/v1/users/{nurse_id}"),
            json!({"disabled": true}),
        )
        .await;
    assert_eq!(r.code(), 204, "{}", r.text);
    let rows = s.audit_since(before);
    assert_eq!(
        rows,
        vec![(
            "update".to_string(),
            "user".to_string(),
            Some(nurse_id),
            "admin".to_string()
        )]
    );
    assert_eq!(
        me(&s, &tn).await,
        401,
        "a disabled user's token still works"
    );
    refresh_with(&s, Some(&rn)).await.assert_problem(401);
    let wrong = s.login_resp("nurse", "Wrong-pass1").await.json;
    let r = s.login_resp("nurse", PASSWORD).await;
    r.assert_problem(401);
    assert_eq!(r.json, wrong, "a disabled account must not be told apart");

    let r = s
        .patch(
            &admin,
            &format!("/api/v1/users/{nurse_id}"),
            json!({"disabled": false}),
        )
        .await;
    assert_eq!(r.code(), 204);
    let tn2 = s.login("nurse").await;
    assert_eq!(me(&s, &tn2).await, 200);

    // A role change also ends the sessions: the token's role would be stale.
    let doctor = s.login("doctor").await;
    let r = s
        .patch(
            &admin,
            &format!("/api/v1/users/{}", s.user_id("doctor")),
            json!({"role": "nurse"}),
        )
        .await;
    assert_eq!(r.code(), 204, "{}", r.text);
    assert_eq!(me(&s, &doctor).await, 401);
    let users = s.get(&admin, "/api/v1/users").await;
    let doc = users.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "doctor")
        .unwrap()
        .clone();
    assert_eq!(doc["role"], "nurse");
}

#[tokio::test]
async fn a_new_account_must_change_its_password_first() {
    let s = Server::with_customers(3).await;
    let admin = s.login("admin").await;
    let new = |pw: &str| json!({"username": "xiaomei", "display_name": "小美", "role": "front_desk", "store_id": 1, "password": pw});

    for weak in [
        "short1!",
        "alllowercase",
        "NoDigitsOrSymbols",
        "Xiaomei@2026",
    ] {
        let r = s.post(&admin, "/api/v1/users", new(weak)).await;
        r.assert_problem(422);
        assert_eq!(r.error_field(), "password", "{weak}: {}", r.text);
    }
    let fd = s.login("frontdesk").await;
    s.post(&fd, "/api/v1/users", new("Temp#2026ab"))
        .await
        .assert_problem(403);

    let before = s.max_audit_id();
    let r = s.post(&admin, "/api/v1/users", new("Temp#2026ab")).await;
    assert_eq!(r.code(), 201, "{}", r.text);
    let uid = r.json["id"].as_i64().unwrap();
    let rows = s.audit_since(before);
    assert_eq!(
        rows,
        vec![(
            "create".to_string(),
            "user".to_string(),
            Some(uid),
            "admin".to_string()
        )]
    );
    let r = s.post(&admin, "/api/v1/users", new("Temp#2026ab")).await;
    r.assert_problem(409);

    let login = s.login_resp("xiaomei", "Temp#2026ab").await;
    assert_eq!(login.code(), 200, "{}", login.text);
    assert_eq!(login.json["must_change_password"], true);
    let t1 = login.json["access_token"].as_str().unwrap().to_string();
    let r = s.get(&t1, "/api/v1/customers").await;
    r.assert_problem(403);
    assert!(
        r.json["type"]
            .as_str()
            .unwrap()
            .ends_with("password-change-required"),
        "{}",
        r.text
    );
    assert_eq!(
        s.get(&t1, "/api/v1/me").await.code(),
        200,
        "/me must stay reachable"
    );

    let path = "/api/v1/auth/change-password";
    for weak in ["abcdefgh", "Ab1!", "xiaomei-2026A", "1234567890"] {
        let r = s
            .post(
                &t1,
                path,
                json!({"old_password": "Temp#2026ab", "new_password": weak}),
            )
            .await;
        r.assert_problem(422);
        assert_eq!(r.error_field(), "new_password", "{weak}: {}", r.text);
    }
    let r = s
        .post(
            &t1,
            path,
            json!({"old_password": "Temp#2026ab", "new_password": "Mei&Li-2027"}),
        )
        .await;
    assert_eq!(r.code(), 200, "{}", r.text);
    assert_eq!(r.json["must_change_password"], false);
    let t2 = r.json["access_token"].as_str().unwrap().to_string();
    let list = s.get(&t2, "/api/v1/customers").await;
    assert_eq!(list.code(), 200, "{}", list.text);
    assert_eq!(
        s.count(&format!(
            "SELECT must_change_password FROM users WHERE id = {uid}"
        )),
        0
    );
    let again = s.login_resp("xiaomei", "Mei&Li-2027").await;
    assert_eq!(again.json["must_change_password"], false);
}
