//! Before/after photos through the real server: content checks, metadata stripping, encrypted
//! files on disk, consent, every default role, audited views, backup and restore.

use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::common::*;

const SECRET: &[u8] = b"LIYAN-GPS-SECRET-31.2304N";

/// A real JPEG (gradient) with an APP1 EXIF segment carrying a GPS IFD and a description.
pub fn jpeg_with_gps(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 128])
    });
    let mut jpeg = Vec::new();
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut Cursor::new(&mut jpeg), image::ImageFormat::Jpeg)
        .unwrap();
    // TIFF, little endian: IFD0 {ImageDescription, GPS IFD pointer}, GPS IFD {GPSLatitudeRef "N"}.
    let mut tiff: Vec<u8> = b"II*\0".to_vec();
    tiff.extend_from_slice(&8u32.to_le_bytes());
    let desc_off = 8 + 2 + 2 * 12 + 4;
    let gps_off = desc_off + SECRET.len() as u32 + 1;
    tiff.extend_from_slice(&2u16.to_le_bytes());
    for (tag, typ, count, value) in [
        (0x010Eu16, 2u16, SECRET.len() as u32 + 1, desc_off),
        (0x8825, 4, 1, gps_off),
    ] {
        tiff.extend_from_slice(&tag.to_le_bytes());
        tiff.extend_from_slice(&typ.to_le_bytes());
        tiff.extend_from_slice(&count.to_le_bytes());
        tiff.extend_from_slice(&value.to_le_bytes());
    }
    tiff.extend_from_slice(&0u32.to_le_bytes());
    tiff.extend_from_slice(SECRET);
    tiff.push(0);
    tiff.extend_from_slice(&1u16.to_le_bytes());
    tiff.extend_from_slice(&1u16.to_le_bytes());
    tiff.extend_from_slice(&2u16.to_le_bytes());
    tiff.extend_from_slice(&2u32.to_le_bytes());
    tiff.extend_from_slice(b"N\0\0\0");
    tiff.extend_from_slice(&0u32.to_le_bytes());
    let mut app1 = vec![0xFF, 0xE1];
    app1.extend_from_slice(&((2 + 6 + tiff.len()) as u16).to_be_bytes());
    app1.extend_from_slice(b"Exif\0\0");
    app1.extend_from_slice(&tiff);
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&app1);
    out.extend_from_slice(&jpeg[2..]);
    out
}

pub fn png(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbaImage::from_fn(w, h, |x, _| image::Rgba([0, (x % 256) as u8, 200, 255]));
    let mut out = Vec::new();
    image::DynamicImage::ImageRgba8(img)
        .write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

/// A customer who consented to photos (and one who did not, when `photos` is false).
pub async fn customer(s: &Server, token: &str, n: u32, photos: bool) -> i64 {
    s.customer_id(
        token,
        json!({"name": format!("照片客户{n}"), "mobile": mobile(70_000 + n),
               "consents": {"privacy": true, "health_data": true, "photos": photos}}),
    )
    .await
}

pub async fn upload(
    s: &Server,
    token: &str,
    customer: i64,
    query: &str,
    ctype: &str,
    body: Vec<u8>,
) -> Resp {
    s.post_raw(
        token,
        &format!("/api/v1/customers/{customer}/photos?{query}"),
        ctype,
        body,
        &[],
    )
    .await
}

/// GET returning the raw bytes: (status, cache-control, content-type, body).
pub async fn get_bytes(s: &Server, token: &str, path: &str) -> (u16, String, String, Vec<u8>) {
    let r = s
        .http
        .get(s.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let h = |n: &str| {
        r.headers()
            .get(n)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    let (cc, ct) = (h("cache-control"), h("content-type"));
    (
        r.status().as_u16(),
        cc,
        ct,
        r.bytes().await.unwrap().to_vec(),
    )
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(files_under(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

/// Waits until the audit log holds `at_least` fetches of the photo by `actor` (fetches within
/// one second are one row with their `times`).
fn wait_views(s: &Server, id: i64, actor: &str, at_least: i64) {
    let q = format!(
        "SELECT coalesce(sum(coalesce(json_extract(changes, '$.times'), 1)), 0) FROM audit_log \
         WHERE action = 'view' AND entity = 'photo' AND entity_id = {id} AND actor = '{actor}'"
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    while s.count(&q) < at_least {
        assert!(
            Instant::now() < deadline,
            "views of photo {id} by {actor} never reached the audit log"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[tokio::test]
async fn a_photo_is_stripped_of_exif_resized_and_stored_encrypted() {
    let s = Server::with_customers(0).await;
    let doctor = s.login("doctor").await;
    let admin = s.login("admin").await;
    let c = customer(&s, &admin, 1, true).await;
    let original = jpeg_with_gps(2400, 1200);
    assert!(contains_bytes(&original, b"Exif\0\0") && contains_bytes(&original, SECRET));

    // The file name and Content-Type say nothing: the content decides.
    let r = upload(
        &s,
        &doctor,
        c,
        "area=nose&kind=before&taken_date=2026-11-01",
        "application/octet-stream",
        original.clone(),
    )
    .await;
    assert_eq!(r.code(), 201, "{}", r.text);
    assert_eq!(r.json["media_type"], "image/jpeg");
    assert_eq!(r.json["preview"], true);
    assert_eq!(r.json["area"], "nose");
    let id = r.json["id"].as_i64().unwrap();
    assert_eq!(
        r.json["image"]["thumb"],
        format!("/api/v1/photos/{id}/image?size=thumb")
    );

    for (size, max) in [("thumb", 320), ("display", 1600), ("original", 2400)] {
        let (code, cc, ct, bytes) = get_bytes(
            &s,
            &doctor,
            &format!("/api/v1/photos/{id}/image?size={size}"),
        )
        .await;
        assert_eq!(code, 200, "{size}");
        assert_eq!(cc, "no-store", "{size}");
        assert_eq!(ct, "image/jpeg");
        assert!(bytes.starts_with(&[0xFF, 0xD8, 0xFF]), "{size} is a JPEG");
        assert!(!contains_bytes(&bytes, b"Exif"), "{size} still has EXIF");
        assert!(
            !contains_bytes(&bytes, SECRET),
            "{size} still has the GPS block"
        );
        let img = image::load_from_memory(&bytes).unwrap();
        assert_eq!(img.width().max(img.height()), max, "{size}");
        assert_eq!(img.width(), img.height() * 2, "{size} keeps the aspect");
    }
    wait_views(&s, id, "doctor", 3);

    // On disk: three files named by the SHA-256 of their content, none readable as a picture.
    // (Ciphertext is random: a 3-byte pattern may turn up by chance, so the JPEG marker is
    // checked where a picture has it, and the plaintext by a long run of its bytes.)
    let (_, _, _, display) = get_bytes(
        &s,
        &doctor,
        &format!("/api/v1/photos/{id}/image?size=display"),
    )
    .await;
    let files = files_under(&s.data.join("attachments"));
    assert_eq!(files.len(), 3, "{files:?}");
    for f in &files {
        let bytes = std::fs::read(f).unwrap();
        let name = f.file_name().unwrap().to_str().unwrap();
        assert_eq!(name, hex::encode(Sha256::digest(&bytes)));
        assert!(
            !bytes.starts_with(&[0xFF, 0xD8, 0xFF]),
            "JPEG magic in {}",
            f.display()
        );
        assert!(
            !contains_bytes(&bytes, b"\x89PNG\r\n\x1a\n"),
            "PNG magic in {}",
            f.display()
        );
        assert!(!contains_bytes(&bytes, b"JFIF\0") && !contains_bytes(&bytes, SECRET));
        assert!(
            !contains_bytes(&bytes, &display[200..264]),
            "plaintext in {}",
            f.display()
        );
    }
    assert_eq!(s.count("SELECT count(*) FROM attachments"), 3);

    // The timeline tells it; the audit log has the upload without the (health) area.
    let t = s
        .get(&doctor, &format!("/api/v1/customers/{c}/timeline"))
        .await;
    let ev = t.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "photo.added")
        .cloned();
    let ev = ev.unwrap_or_else(|| panic!("{}", t.text));
    assert_eq!(
        ev["data"],
        json!({"area": "nose", "kind": "before", "taken_date": "2026-11-01"})
    );
    let changes: String = s.db().query_row(
        "SELECT changes FROM audit_log WHERE action = 'create' AND entity = 'photo' AND entity_id = ?1", [id], |r| r.get(0)).unwrap();
    assert!(!changes.contains("nose"), "{changes}");

    // Listed with the vocabulary; deleted softly, audited, gone from the list.
    let l = s
        .get(&doctor, &format!("/api/v1/customers/{c}/photos"))
        .await;
    assert_eq!(l.code(), 200, "{}", l.text);
    assert_eq!(l.json["items"].as_array().unwrap().len(), 1);
    assert!(l.json["areas"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["id"] == "forehead" && a["zh"] == "额头"));
    assert_eq!(
        s.delete(&doctor, &format!("/api/v1/photos/{id}"))
            .await
            .code(),
        403,
        "doctors do not delete"
    );
    assert_eq!(
        s.delete(&admin, &format!("/api/v1/photos/{id}"))
            .await
            .code(),
        204
    );
    assert_eq!(s.last_audit().0, "delete");
    assert_eq!(
        s.count(&format!(
            "SELECT count(*) FROM photos WHERE id = {id} AND deleted_at IS NOT NULL"
        )),
        1
    );
    assert!(s
        .get(&doctor, &format!("/api/v1/customers/{c}/photos"))
        .await
        .json["items"]
        .as_array()
        .unwrap()
        .is_empty());
    assert_eq!(
        get_bytes(&s, &doctor, &format!("/api/v1/photos/{id}/image"))
            .await
            .0,
        404
    );

    // The customer's own audit trail names who uploaded, looked at and removed the photo, also
    // after it was deleted.
    let trail = s.get(&admin, &format!("/api/v1/customers/{c}/audit")).await;
    assert_eq!(trail.code(), 200, "{}", trail.text);
    let photo_rows: Vec<(&str, &str)> = trail.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["entity"] == "photo" && i["entity_id"] == id)
        .map(|i| (i["action"].as_str().unwrap(), i["actor"].as_str().unwrap()))
        .collect();
    for want in [
        ("create", "doctor"),
        ("view", "doctor"),
        ("delete", "admin"),
    ] {
        assert!(photo_rows.contains(&want), "{want:?} in {photo_rows:?}");
    }
    assert!(trail.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|i| (i["entity"] == "customer" && i["entity_id"] == c) || i["entity"] == "photo"));
}

#[tokio::test]
async fn uploads_are_judged_by_their_bytes_and_size() {
    let s = Server::with_customers(0).await;
    let nurse = s.login("nurse").await;
    let admin = s.login("admin").await;
    let c = customer(&s, &admin, 2, true).await;
    let q = "area=face&kind=after";

    // A PNG sent as "photo.jpg" / image/jpeg is a PNG.
    let r = s
        .post_raw(
            &nurse,
            &format!("/api/v1/customers/{c}/photos?{q}"),
            "image/jpeg",
            png(400, 300),
            &[("content-disposition", "attachment; filename=\"photo.jpg\"")],
        )
        .await;
    assert_eq!(r.code(), 201, "{}", r.text);
    assert_eq!(r.json["media_type"], "image/png");
    let id = r.json["id"].as_i64().unwrap();
    let (_, _, ct, bytes) = get_bytes(
        &s,
        &nurse,
        &format!("/api/v1/photos/{id}/image?size=original"),
    )
    .await;
    assert_eq!(ct, "image/png");
    assert!(bytes.starts_with(b"\x89PNG"));

    // Text dressed up as a picture, a GIF, a broken JPEG.
    let r = upload(
        &s,
        &nurse,
        c,
        q,
        "image/jpeg",
        b"just some text, named photo.jpg".to_vec(),
    )
    .await;
    r.assert_problem(415);
    assert_eq!(r.problem(), "unsupported-image");
    let en = s
        .http
        .post(s.url(&format!("/api/v1/customers/{c}/photos?{q}")))
        .bearer_auth(&nurse)
        .header("accept-language", "en")
        .body(b"GIF89a....".to_vec())
        .send()
        .await
        .unwrap();
    let en = into_resp(en).await;
    en.assert_problem(415);
    assert!(
        en.json["title"]
            .as_str()
            .unwrap()
            .contains("JPEG, PNG or HEIC"),
        "{}",
        en.text
    );
    let mut broken = vec![0xFF, 0xD8, 0xFF, 0xE0];
    broken.extend_from_slice(&[7u8; 500]);
    let r = upload(&s, &nurse, c, q, "image/jpeg", broken).await;
    r.assert_problem(422);
    assert_eq!(r.error_field(), "image");

    // Over 15 MiB: refused before it is stored.
    let mut big = jpeg_with_gps(64, 64);
    big.resize(15 * 1024 * 1024 + 1, 0);
    let r = upload(&s, &nurse, c, q, "image/jpeg", big).await;
    r.assert_problem(413);

    // Bad metadata.
    let r = upload(
        &s,
        &nurse,
        c,
        "area=elbow&kind=before",
        "image/png",
        png(50, 50),
    )
    .await;
    r.assert_problem(422);
    assert_eq!(r.error_field(), "area");
    let r = upload(
        &s,
        &nurse,
        c,
        "area=face&kind=before&taken_date=2999-01-01",
        "image/png",
        png(50, 50),
    )
    .await;
    assert_eq!(r.error_field(), "taken_date");

    // HEIC: accepted by its brand, stored as uploaded (encrypted), no preview sizes.
    let mut heic = vec![0, 0, 0, 24];
    heic.extend_from_slice(b"ftypheic\0\0\0\0mif1heic");
    heic.extend_from_slice(&[0, 0, 0, 16]);
    heic.extend_from_slice(b"mdatHEICPIXELS!!");
    let r = upload(&s, &nurse, c, q, "image/heic", heic.clone()).await;
    assert_eq!(r.code(), 201, "{}", r.text);
    assert_eq!(r.json["preview"], false);
    assert_eq!(r.json["media_type"], "image/heic");
    assert!(r.json["image"].get("thumb").is_none());
    let id = r.json["id"].as_i64().unwrap();
    assert_eq!(
        get_bytes(&s, &nurse, &format!("/api/v1/photos/{id}/image?size=thumb"))
            .await
            .0,
        422
    );
    let (code, _, ct, bytes) = get_bytes(
        &s,
        &nurse,
        &format!("/api/v1/photos/{id}/image?size=original"),
    )
    .await;
    assert_eq!((code, ct.as_str()), (200, "image/heic"));
    assert_eq!(bytes, heic);
    for f in files_under(&s.data.join("attachments")) {
        assert!(!contains_bytes(&std::fs::read(f).unwrap(), b"HEICPIXELS"));
    }
    // Nothing was left behind by the refused uploads: 3 files for the PNG, 1 for the HEIC.
    assert_eq!(files_under(&s.data.join("attachments")).len(), 4);
}

#[tokio::test]
async fn photos_need_the_customers_photo_consent() {
    let s = Server::with_customers(0).await;
    let admin = s.login("admin").await;
    let c = customer(&s, &admin, 3, false).await;
    let r = upload(
        &s,
        &admin,
        c,
        "area=face&kind=before",
        "image/png",
        png(60, 60),
    )
    .await;
    r.assert_problem(409);
    assert_eq!(r.problem(), "photo-consent-missing");
    assert!(
        r.json["title"].as_str().unwrap().contains("同意"),
        "{}",
        r.text
    );
    assert!(files_under(&s.data.join("attachments")).is_empty());

    // Given, a photo is taken; withdrawn, it can no longer be viewed.
    let r = s
        .patch(
            &admin,
            &format!("/api/v1/customers/{c}"),
            json!({"consents": {"privacy": true, "health_data": true, "photos": true}}),
        )
        .await;
    assert_eq!(r.code(), 200, "{}", r.text);
    let r = upload(
        &s,
        &admin,
        c,
        "area=face&kind=before",
        "image/png",
        png(60, 60),
    )
    .await;
    assert_eq!(r.code(), 201, "{}", r.text);
    let id = r.json["id"].as_i64().unwrap();
    s.patch(
        &admin,
        &format!("/api/v1/customers/{c}"),
        json!({"consents": {"privacy": true, "health_data": true, "photos": false}}),
    )
    .await;
    assert_eq!(
        get_bytes(&s, &admin, &format!("/api/v1/photos/{id}/image?size=thumb"))
            .await
            .0,
        409
    );
}

#[tokio::test]
async fn every_default_role_sees_what_its_policy_allows() {
    let s = Server::with_customers(0).await;
    let admin = s.login("admin").await;
    let c = customer(&s, &admin, 4, true).await;
    // The consultant's scope is their own customers.
    let r = s
        .patch(
            &admin,
            &format!("/api/v1/customers/{c}"),
            json!({"consultant_id": s.user_id("consultant")}),
        )
        .await;
    assert_eq!(r.code(), 200, "{}", r.text);
    let r = upload(
        &s,
        &admin,
        c,
        "area=lips&kind=before",
        "image/png",
        png(80, 80),
    )
    .await;
    let id = r.json["id"].as_i64().unwrap();

    // (user, may list, sees the image, may upload)
    let table = [
        ("admin", true, true, true),
        ("manager", true, true, true),
        ("consultant", true, true, true),
        ("doctor", true, true, true),
        ("nurse", true, true, true),
        ("auditor", true, false, false),
        ("frontdesk", false, false, false),
        ("finance", false, false, false),
        ("marketing", false, false, false),
        ("channel", false, false, false),
        ("partner", false, false, false),
    ];
    for (user, lists, sees, uploads) in table {
        let t = s.login(user).await;
        let l = s.get(&t, &format!("/api/v1/customers/{c}/photos")).await;
        if lists {
            assert_eq!(l.code(), 200, "{user}: {}", l.text);
            let items = l.json["items"].as_array().unwrap();
            let item: &Value = items.iter().find(|i| i["id"] == id).unwrap();
            assert_eq!(item["area"], "lips", "{user} sees the metadata");
            assert_eq!(item.get("image").is_some(), sees, "{user}: {item}");
        } else {
            assert_eq!(l.code(), 403, "{user}: {}", l.text);
        }
        let (code, _, _, bytes) =
            get_bytes(&s, &t, &format!("/api/v1/photos/{id}/image?size=thumb")).await;
        if sees {
            assert_eq!(code, 200, "{user}");
            wait_views(&s, id, user, 1);
        } else {
            assert_eq!(code, 403, "{user}: {}", String::from_utf8_lossy(&bytes));
        }
        let r = upload(&s, &t, c, "area=chin&kind=after", "image/png", png(40, 40)).await;
        assert_eq!(r.code() == 201, uploads, "{user}: {}", r.text);
        if !uploads {
            r.assert_problem(403);
        }
        // The timeline shows the event only to roles that may read photos.
        let tl = s.get(&t, &format!("/api/v1/customers/{c}/timeline")).await;
        if tl.code() == 200 {
            let has = tl.json["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["kind"] == "photo.added");
            assert_eq!(has, lists, "{user}: {}", tl.text);
        }
    }
    // A consultant does not reach another consultant's customer.
    let other = customer(&s, &admin, 5, true).await;
    let ct = s.login("consultant").await;
    assert_eq!(
        s.get(&ct, &format!("/api/v1/customers/{other}/photos"))
            .await
            .code(),
        404
    );
}

#[tokio::test]
async fn backup_includes_the_attachments_and_restore_brings_them_back() {
    let mut s = Server::with_customers(0).await;
    let admin = s.login("admin").await;
    let c = customer(&s, &admin, 6, true).await;
    let r = upload(
        &s,
        &admin,
        c,
        "area=eyes&kind=progress",
        "image/jpeg",
        jpeg_with_gps(300, 200),
    )
    .await;
    assert_eq!(r.code(), 201, "{}", r.text);
    let id = r.json["id"].as_i64().unwrap();
    let (_, _, _, before) = get_bytes(
        &s,
        &admin,
        &format!("/api/v1/photos/{id}/image?size=display"),
    )
    .await;

    let dest = s.tmp.path().join("backups");
    let out = s
        .cli(&["backup", "--dest", dest.to_str().unwrap()], None)
        .await;
    assert!(out.ok(), "{out:?}");
    let backup = std::fs::read_dir(&dest)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with("liyan-backup-")
        })
        .unwrap();
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(backup.join("manifest.json")).unwrap()).unwrap();
    let listed = manifest["files"]
        .as_object()
        .unwrap()
        .keys()
        .filter(|k| k.starts_with("attachments/"))
        .count();
    assert_eq!(listed, 3, "{manifest}");

    // Restore into a new directory with the kept keys; the server there serves the same picture.
    s.kill();
    let fresh = s.tmp.path().join("restored");
    std::fs::create_dir_all(fresh.join("keys")).unwrap();
    for k in ["field.key", "token.key"] {
        std::fs::copy(s.data.join("keys").join(k), fresh.join("keys").join(k)).unwrap();
    }
    let out = s
        .bin(
            &[
                "restore",
                backup.to_str().unwrap(),
                "--data-dir",
                fresh.to_str().unwrap(),
            ],
            None,
        )
        .await;
    assert!(out.ok(), "{out:?}");
    assert_eq!(files_under(&fresh.join("attachments")).len(), 3);
    s.data = fresh;
    s.spawn().await;
    let admin = s.login("admin").await;
    let (code, _, _, after) = get_bytes(
        &s,
        &admin,
        &format!("/api/v1/photos/{id}/image?size=display"),
    )
    .await;
    assert_eq!(code, 200);
    assert_eq!(after, before);
}

#[tokio::test]
async fn files_of_an_upload_that_never_committed_are_swept_at_start() {
    let mut s = Server::with_customers(0).await;
    let admin = s.login("admin").await;
    let c = customer(&s, &admin, 7, true).await;
    let r = upload(
        &s,
        &admin,
        c,
        "area=neck&kind=before",
        "image/png",
        png(30, 30),
    )
    .await;
    assert_eq!(r.code(), 201, "{}", r.text);
    // As left by a crash between writing the files and the commit.
    let orphan = s.data.join("attachments").join("ab").join("ab".repeat(32));
    std::fs::create_dir_all(orphan.parent().unwrap()).unwrap();
    std::fs::write(&orphan, b"ciphertext of an upload that never committed").unwrap();
    let partial = s.data.join("attachments-incoming").join("0123");
    std::fs::create_dir_all(partial.parent().unwrap()).unwrap();
    std::fs::write(&partial, b"half").unwrap();
    s.kill();
    s.spawn().await;
    assert!(!orphan.exists() && !partial.exists());
    assert_eq!(
        files_under(&s.data.join("attachments")).len(),
        3,
        "recorded files stay"
    );
}

#[tokio::test]
async fn a_merge_of_duplicates_moves_the_photos() {
    let s = Server::with_customers(0).await;
    let admin = s.login("admin").await;
    let keep = customer(&s, &admin, 8, true).await;
    let dup = customer(&s, &admin, 9, true).await;
    let r = upload(
        &s,
        &admin,
        dup,
        "area=face&kind=before",
        "image/png",
        png(30, 30),
    )
    .await;
    let id = r.json["id"].as_i64().unwrap();
    let m = s.merge(&admin, keep, dup).await;
    assert_eq!(m.code(), 200, "{}", m.text);
    let l = s
        .get(&admin, &format!("/api/v1/customers/{keep}/photos"))
        .await;
    assert_eq!(l.json["items"][0]["id"], id, "{}", l.text);
}

#[tokio::test]
async fn erasure_removes_the_customers_photos_and_their_files() {
    let s = Server::with_customers(0).await;
    let admin = s.login("admin").await;
    let gone = customer(&s, &admin, 10, true).await;
    let stays = customer(&s, &admin, 11, true).await;
    for (who, area) in [(gone, "face"), (gone, "nose"), (stays, "face")] {
        let r = upload(
            &s,
            &admin,
            who,
            &format!("area={area}&kind=before"),
            "image/png",
            png(40, 40),
        )
        .await;
        assert_eq!(r.code(), 201, "{}", r.text);
    }
    let before = files_under(&s.data.join("attachments")).len();
    assert_eq!(before, 9, "three sizes per photo");
    let r = s
        .post(
            &admin,
            &format!("/api/v1/customers/{gone}/pipl/erase"),
            json!({"reason": "客户要求删除"}),
        )
        .await;
    assert_eq!(r.code(), 204, "{}", r.text);
    assert_eq!(
        s.count(&format!(
            "SELECT count(*) FROM photos WHERE customer_id = {gone}"
        )),
        0
    );
    assert_eq!(s.count("SELECT count(*) FROM attachments"), 3);
    assert_eq!(
        files_under(&s.data.join("attachments")).len(),
        3,
        "the erased customer's files are gone"
    );
    let l = s
        .get(&admin, &format!("/api/v1/customers/{stays}/photos"))
        .await;
    assert_eq!(l.json["items"].as_array().unwrap().len(), 1, "{}", l.text);
}
