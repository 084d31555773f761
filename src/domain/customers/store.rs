//! SQL for customers and their search terms. Identity and health values are encrypted here, on
//! the way in, and stay sealed in the `Record` on the way out.

use rusqlite::{params, params_from_iter, Connection, OptionalExtension, Row};
use serde_json::json;

use super::filter::Checked;
use super::model::{Consent, Customer, CONSENT_KINDS};
use super::search;
use crate::access::mask::{mask, Mask};
use crate::access::{Record, RowScope};
use crate::config::LifecycleConfig;
use crate::crypto::FieldCipher;

const COLS: &str = "id, member_no, name, gender, birthday_date, mobile, wechat_id, id_number_enc, id_number_masked, \
    allergies_enc, medical_history_enc, store_id, consultant_id, source, skin_type, concerns, notes, \
    consent_privacy_at, consent_privacy_version, consent_health_at, consent_health_version, \
    consent_marketing_at, consent_marketing_version, consent_photos_at, consent_photos_version, created_at, updated_at, \
    stage, referrer_id, last_visit_at, last_purchase_at, restricted_at";

/// A row as stored: plaintext columns plus the sealed ones.
pub struct Row_ {
    pub plain: Customer,
    pub id_number_enc: Option<Vec<u8>>,
    pub id_number_masked: Option<String>,
    pub allergies_enc: Option<Vec<u8>>,
    pub medical_history_enc: Option<Vec<u8>>,
}

fn read_row(r: &Row) -> rusqlite::Result<Row_> {
    read_row_at(r, 0)
}

impl Row_ {
    /// The record as the API shows it; `now` and the lifecycle settings derive dormant and lost.
    pub fn into_record(self, lifecycle: &LifecycleConfig, now: i64) -> Record {
        let c = self.plain;
        let stage = super::lifecycle::effective(
            &c.stage,
            c.last_visit_at,
            c.last_purchase_at,
            lifecycle,
            now,
        )
        .to_string();
        let consents: serde_json::Map<String, serde_json::Value> = CONSENT_KINDS
            .iter()
            .zip(c.consents)
            .map(|(k, v)| {
                (
                    k.to_string(),
                    v.at.map_or(
                        serde_json::Value::Null,
                        |at| json!({"granted_at": at, "version": v.version}),
                    ),
                )
            })
            .collect();
        let mut r = Record::new();
        r.set("id", c.id)
            .set("member_no", c.member_no)
            .set("name", c.name)
            .set("gender", c.gender)
            .set("birthday", c.birthday)
            .set("mobile", c.mobile)
            .set("wechat_id", c.wechat_id)
            .set_encrypted("id_number", self.id_number_enc, self.id_number_masked)
            .set("store_id", c.store_id)
            .set("consultant_id", c.consultant_id)
            .set("source", c.source)
            .set("skin_type", c.skin_type)
            .set_encrypted("allergies", self.allergies_enc, None)
            .set("concerns", c.concerns)
            .set_encrypted("medical_history", self.medical_history_enc, None)
            .set("notes", c.notes)
            .set("consents", consents)
            .set("stage", stage)
            .set("referrer_id", c.referrer_id)
            .set("last_visit_at", c.last_visit_at)
            .set("last_purchase_at", c.last_purchase_at)
            .set("restricted_at", c.restricted_at)
            .set("created_at", c.created_at)
            .set("updated_at", c.updated_at);
        r
    }

    /// The full plaintext, for a service applying an update to it.
    pub fn open(&self, cipher: &FieldCipher) -> Result<Customer, crate::crypto::DecryptError> {
        let mut c = self.plain.clone();
        let open = |field, blob: &Option<Vec<u8>>| {
            blob.as_ref().map(|b| cipher.decrypt(field, b)).transpose()
        };
        c.id_number = open("id_number", &self.id_number_enc)?;
        c.allergies = open("allergies", &self.allergies_enc)?;
        c.medical_history = open("medical_history", &self.medical_history_enc)?;
        Ok(c)
    }
}

/// SQL condition and parameter for a row scope, on table alias `c`.
fn scope_sql(scope: &RowScope) -> (&'static str, Option<i64>) {
    match scope {
        RowScope::All => ("1", None),
        RowScope::Store(id) => ("c.store_id = ?", Some(*id)),
        RowScope::Consultant(id) => ("c.consultant_id = ?", Some(*id)),
        RowScope::Nothing => ("0", None),
    }
}

/// The parameters of a query on one key (`?`) followed by `scope_sql`'s condition.
fn key_in_scope(key: i64, scope_param: Option<i64>) -> impl rusqlite::Params {
    params_from_iter(std::iter::once(key).chain(scope_param))
}

pub fn get(conn: &Connection, id: i64, scope: &RowScope) -> rusqlite::Result<Option<Row_>> {
    let (cond, p) = scope_sql(scope);
    let sql = format!(
        "SELECT {COLS} FROM customers c WHERE c.id = ? AND c.deleted_at IS NULL AND {cond}"
    );
    conn.prepare_cached(&sql)?
        .query_row(key_in_scope(id, p), read_row)
        .optional()
}

/// A duplicate that was merged into another customer (soft-deleted, so `get` skips it).
pub fn get_merged(conn: &Connection, id: i64) -> rusqlite::Result<Option<Row_>> {
    conn.prepare_cached(&format!(
        "SELECT {COLS} FROM customers c WHERE c.id = ? AND c.merged_into IS NOT NULL"
    ))?
    .query_row([id], read_row)
    .optional()
}

/// Whether `customer` is `referrer` or stands anywhere above it in its chain of referrers.
pub fn in_referral_chain(
    conn: &Connection,
    referrer: i64,
    customer: i64,
) -> rusqlite::Result<bool> {
    // UNION (not UNION ALL) stops at a loop already in the data; the depth bounds the walk.
    conn.prepare_cached(
        "WITH RECURSIVE up(id, depth) AS (
             SELECT ?1, 0
             UNION
             SELECT c.referrer_id, up.depth + 1 FROM customers c JOIN up ON c.id = up.id
             WHERE c.referrer_id IS NOT NULL AND up.depth < 10000
         )
         SELECT EXISTS (SELECT 1 FROM up WHERE id = ?2)",
    )?
    .query_row(params![referrer, customer], |r| r.get(0))
}

/// Whether the customer exists, is not deleted, and is inside `scope`.
pub fn visible(conn: &Connection, id: i64, scope: &RowScope) -> rusqlite::Result<bool> {
    let (cond, p) = scope_sql(scope);
    let sql = format!(
        "SELECT EXISTS (SELECT 1 FROM customers c WHERE c.id = ? AND c.deleted_at IS NULL AND {cond})"
    );
    conn.prepare_cached(&sql)?
        .query_row(key_in_scope(id, p), |r| r.get(0))
}

pub fn find_by_mobile(
    conn: &Connection,
    mobile: &str,
) -> rusqlite::Result<Option<(i64, String, String)>> {
    conn.prepare_cached(
        "SELECT id, name, member_no FROM customers WHERE mobile = ?1 AND deleted_at IS NULL",
    )?
    .query_row([mobile], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
    .optional()
}

pub fn find_by_id_hash(
    conn: &Connection,
    hash: &[u8],
) -> rusqlite::Result<Option<(i64, String, String)>> {
    conn.prepare_cached("SELECT id, name, member_no FROM customers WHERE id_number_hash = ?1 AND deleted_at IS NULL")?
        .query_row([hash], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()
}

pub fn next_member_no(conn: &Connection) -> rusqlite::Result<String> {
    let n: i64 = conn.query_row(
        "UPDATE counters SET value = value + 1 WHERE name = 'member_no' RETURNING value",
        [],
        |r| r.get(0),
    )?;
    Ok(format!("M{n:06}"))
}

struct Sealed {
    id_enc: Option<Vec<u8>>,
    id_hash: Option<Vec<u8>>,
    id_masked: Option<String>,
    allergies: Option<Vec<u8>>,
    history: Option<Vec<u8>>,
}

fn seal(c: &Customer, cipher: &FieldCipher) -> Sealed {
    Sealed {
        id_enc: c
            .id_number
            .as_deref()
            .map(|v| cipher.encrypt("id_number", v)),
        id_hash: c
            .id_number
            .as_deref()
            .map(|v| cipher.lookup_hash("id_number", v)),
        id_masked: c.id_number.as_deref().map(|v| mask(Mask::IdNumber, v)),
        allergies: c
            .allergies
            .as_deref()
            .map(|v| cipher.encrypt("allergies", v)),
        history: c
            .medical_history
            .as_deref()
            .map(|v| cipher.encrypt("medical_history", v)),
    }
}

fn consent_params(c: &Customer) -> [rusqlite::types::Value; 8] {
    use rusqlite::types::Value as V;
    let mut out: [V; 8] = std::array::from_fn(|_| V::Null);
    for (i, k) in c.consents.iter().enumerate() {
        out[i * 2] = k.at.map_or(V::Null, V::Integer);
        out[i * 2 + 1] = k.version.clone().map_or(V::Null, V::Text);
    }
    out
}

/// Inserts a validated customer (member_no and timestamps already set); returns its id.
pub fn insert(conn: &Connection, c: &Customer, cipher: &FieldCipher) -> rusqlite::Result<i64> {
    let s = seal(c, cipher);
    let consents = consent_params(c);
    conn.prepare_cached(
        "INSERT INTO customers (member_no, name, gender, birthday_date, mobile, wechat_id, id_number_enc, id_number_hash, id_number_masked,
            allergies_enc, medical_history_enc, store_id, consultant_id, source, skin_type, concerns, notes,
            consent_privacy_at, consent_privacy_version, consent_health_at, consent_health_version,
            consent_marketing_at, consent_marketing_version, consent_photos_at, consent_photos_version, created_at, updated_at,
            stage, referrer_id, last_visit_at, last_purchase_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31)",
    )?
    .execute(params![
        c.member_no, c.name, c.gender, c.birthday, c.mobile, c.wechat_id, s.id_enc, s.id_hash, s.id_masked,
        s.allergies, s.history, c.store_id, c.consultant_id, c.source, c.skin_type, c.concerns, c.notes,
        consents[0], consents[1], consents[2], consents[3], consents[4], consents[5], consents[6], consents[7],
        c.created_at, c.updated_at, c.stage, c.referrer_id, c.last_visit_at, c.last_purchase_at
    ])?;
    let id = conn.last_insert_rowid();
    write_terms(conn, id, c, s.id_hash.as_deref())?;
    Ok(id)
}

pub fn update(
    conn: &Connection,
    c: &Customer,
    cipher: &FieldCipher,
    terms_changed: bool,
) -> rusqlite::Result<()> {
    let s = seal(c, cipher);
    let consents = consent_params(c);
    conn.prepare_cached(
        "UPDATE customers SET name = ?2, gender = ?3, birthday_date = ?4, mobile = ?5, wechat_id = ?6, id_number_enc = ?7,
            id_number_hash = ?8, id_number_masked = ?9, allergies_enc = ?10, medical_history_enc = ?11, store_id = ?12,
            consultant_id = ?13, source = ?14, skin_type = ?15, concerns = ?16, notes = ?17,
            consent_privacy_at = ?18, consent_privacy_version = ?19, consent_health_at = ?20, consent_health_version = ?21,
            consent_marketing_at = ?22, consent_marketing_version = ?23, consent_photos_at = ?24, consent_photos_version = ?25,
            updated_at = ?26, stage = ?27, referrer_id = ?28
         WHERE id = ?1",
    )?
    .execute(params![
        c.id, c.name, c.gender, c.birthday, c.mobile, c.wechat_id, s.id_enc, s.id_hash, s.id_masked, s.allergies,
        s.history, c.store_id, c.consultant_id, c.source, c.skin_type, c.concerns, c.notes,
        consents[0], consents[1], consents[2], consents[3], consents[4], consents[5], consents[6], consents[7],
        c.updated_at, c.stage, c.referrer_id
    ])?;
    if terms_changed {
        conn.execute("DELETE FROM customer_search WHERE customer_id = ?1", [c.id])?;
        write_terms(conn, c.id, c, s.id_hash.as_deref())?;
    }
    Ok(())
}

/// The version of the rules that make pinyin terms (`y:`). Raised when the rules change; the next
/// server start brings every customer's pinyin terms up to date once. 2: a surname outside the
/// polyphonic table takes only its common reading.
const PINYIN_RULES: i64 = 2;

/// Rewrites the pinyin terms made under older rules, a batch of customers per transaction so the
/// writer is never held for long; returns how many customers' terms changed.
pub fn refresh_pinyin_terms(conn: &mut Connection) -> rusqlite::Result<usize> {
    let done: i64 = conn.query_row(
        "SELECT coalesce((SELECT value FROM counters WHERE name = 'pinyin_rules'), 1)",
        [],
        |r| r.get(0),
    )?;
    if done >= PINYIN_RULES {
        return Ok(0);
    }
    let (mut after, mut changed) = (0i64, 0usize);
    loop {
        let tx = conn.transaction()?;
        let batch: Vec<(i64, String, String, String)> = tx
            .prepare_cached(
                "SELECT id, name, mobile, member_no FROM customers
                 WHERE id > ?1 AND deleted_at IS NULL ORDER BY id LIMIT 5000",
            )?
            .query_map([after], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })?
            .collect::<rusqlite::Result<_>>()?;
        let Some(last) = batch.last().map(|b| b.0) else {
            tx.execute(
                "INSERT OR REPLACE INTO counters (name, value) VALUES ('pinyin_rules', ?1)",
                [PINYIN_RULES],
            )?;
            tx.commit()?;
            return Ok(changed);
        };
        for (id, name, mobile, member_no) in batch {
            let mut new: Vec<String> = search::terms(&name, &mobile, &member_no)
                .into_iter()
                .filter(|t| t.starts_with("y:"))
                .collect();
            new.sort();
            new.dedup();
            // `y;` is the character after `y:`: the range is exactly the pinyin terms.
            let old: Vec<String> = tx
                .prepare_cached(
                    "SELECT term FROM customer_search
                     WHERE customer_id = ?1 AND term >= 'y:' AND term < 'y;' ORDER BY term",
                )?
                .query_map([id], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            if old != new {
                tx.execute(
                    "DELETE FROM customer_search WHERE customer_id = ?1 AND term >= 'y:' AND term < 'y;'",
                    [id],
                )?;
                insert_terms(&tx, id, new)?;
                changed += 1;
            }
        }
        tx.commit()?;
        after = last;
    }
}

pub fn soft_delete(conn: &Connection, id: i64, now: i64) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE customers SET deleted_at = ?2, updated_at = ?2 WHERE id = ?1",
        params![id, now],
    )?;
    conn.execute("DELETE FROM customer_search WHERE customer_id = ?1", [id])?;
    Ok(())
}

fn write_terms(
    conn: &Connection,
    id: i64,
    c: &Customer,
    id_hash: Option<&[u8]>,
) -> rusqlite::Result<()> {
    insert_terms(
        conn,
        id,
        search::terms(&c.name, &c.mobile, &c.member_no)
            .into_iter()
            .chain(id_hash.map(search::id_term)),
    )
}

fn insert_terms(
    conn: &Connection,
    id: i64,
    terms: impl IntoIterator<Item = String>,
) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare_cached(
        "INSERT OR IGNORE INTO customer_search (term, customer_id) VALUES (?1, ?2)",
    )?;
    for t in terms {
        stmt.execute(params![t, id])?;
    }
    Ok(())
}

/// Keyset position: the last row of the previous page.
#[derive(Debug, Clone, PartialEq)]
pub struct Cursor {
    pub term: String,
    pub id: i64,
}

/// A page of customers, newest first, or matching a quick-search query ordered by term then
/// newest. Fetches `limit + 1` rows to know whether another page exists.
pub fn page(
    conn: &Connection,
    query: Option<&search::Lookup>,
    filter: &Checked,
    scope: &RowScope,
    after: Option<&Cursor>,
    limit: i64,
) -> rusqlite::Result<Vec<(String, Row_)>> {
    let (sql, p) = page_sql(query, filter, scope, after, limit);
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params_from_iter(p), |r| {
        // Column 0 is the matched term; the customer's columns follow.
        Ok((r.get::<_, String>(0)?, read_row_at(r, 1)?))
    })?;
    rows.collect()
}

fn page_sql(
    query: Option<&search::Lookup>,
    filter: &Checked,
    scope: &RowScope,
    after: Option<&Cursor>,
    limit: i64,
) -> (String, Vec<rusqlite::types::Value>) {
    use rusqlite::types::Value as V;
    let (scope_cond, scope_p) = scope_sql(scope);
    let (filter_cond, filter_p) = filter_sql(filter);
    let cols = COLS
        .split(", ")
        .map(|c| format!("c.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ");
    let mut p: Vec<V> = Vec::new();
    let sql = match query {
        None => {
            if let Some(a) = after {
                p.push(V::Integer(a.id));
            }
            format!(
                "SELECT '', {cols} FROM customers c WHERE c.deleted_at IS NULL {} AND {scope_cond}{filter_cond} ORDER BY c.id DESC LIMIT {}",
                if after.is_some() { "AND c.id < ?" } else { "" },
                limit + 1
            )
        }
        Some(q) => {
            let (term_cond, extra) = match q {
                search::Lookup::Exact(term) => {
                    p.push(V::Text(term.clone()));
                    ("s.term = ?", "")
                }
                search::Lookup::Prefix(term) => {
                    p.push(V::Text(term.clone()));
                    p.push(V::Text(prefix_end(term)));
                    p.push(V::Text(term.clone()));
                    // A customer matches a prefix with several terms (initials, full pinyin,
                    // polyphonic readings): list it once, at its first matching term, so that
                    // keyset pages never repeat it. The check is a range on (customer_id, term).
                    (
                        "s.term >= ? AND s.term < ?",
                        "AND NOT EXISTS (SELECT 1 FROM customer_search s2 WHERE s2.customer_id = s.customer_id \
                         AND s2.term >= ? AND s2.term < s.term)",
                    )
                }
                search::Lookup::NameSubstring { term, needle } => {
                    p.push(V::Text(term.clone()));
                    p.push(V::Text(needle.clone()));
                    // The needle has no spaces or middle dots (买买提·艾力 is typed either way).
                    (
                        "s.term = ?",
                        "AND instr(replace(replace(replace(c.name, '·', ''), '•', ''), ' ', ''), ?) > 0",
                    )
                }
            };
            if let Some(a) = after {
                p.push(V::Text(a.term.clone()));
                p.push(V::Text(a.term.clone()));
                p.push(V::Integer(a.id));
            }
            // CROSS JOIN keeps the term index outermost: with a store or consultant scope the
            // planner would otherwise start from that scope's customers and sort them all.
            format!(
                "SELECT s.term, {cols} FROM customer_search s CROSS JOIN customers c ON c.id = s.customer_id
                 WHERE {term_cond} {extra} {} AND c.deleted_at IS NULL AND {scope_cond}{filter_cond}
                 ORDER BY s.term, s.customer_id DESC LIMIT {}",
                if after.is_some() { "AND (s.term > ? OR (s.term = ? AND s.customer_id < ?))" } else { "" },
                limit + 1
            )
        }
    };
    if let Some(s) = scope_p {
        p.push(V::Integer(s));
    }
    p.extend(filter_p);
    // `limit` is in the SQL text (bound, it makes SQLite re-prepare the statement every run);
    // the service keeps it within 1..=200.
    (sql, p)
}

/// The conditions of a list filter on alias `c`, each starting with " AND ", and their values.
fn filter_sql(f: &Checked) -> (String, Vec<rusqlite::types::Value>) {
    use rusqlite::types::Value as V;
    let mut sql = String::new();
    let mut p = Vec::new();
    let mut add = |cond: &str, values: Vec<V>| {
        sql.push_str(" AND ");
        sql.push_str(cond);
        p.extend(values);
    };
    // The last visit or purchase; 0 when there was none.
    const ACTIVE: &str = "max(coalesce(c.last_visit_at, 0), coalesce(c.last_purchase_at, 0))";
    if let Some(stage) = &f.stage {
        let (lost, dormant) = (
            V::Integer(f.lost_before_ms),
            V::Integer(f.dormant_before_ms),
        );
        match stage.as_str() {
            "lost" => add(&format!("(c.stage = 'lost' OR ({ACTIVE} > 0 AND {ACTIVE} <= ?))"), vec![lost]),
            "dormant" => add(
                &format!("c.stage <> 'lost' AND ({ACTIVE} = 0 OR {ACTIVE} > ?) AND (c.stage = 'dormant' OR ({ACTIVE} > 0 AND {ACTIVE} <= ?))"),
                vec![lost, dormant],
            ),
            other => add(&format!("c.stage = ? AND ({ACTIVE} = 0 OR {ACTIVE} > ?)"), vec![V::Text(other.into()), dormant]),
        }
    }
    if let Some(t) = f.tag_id {
        add(
            "EXISTS (SELECT 1 FROM customer_tags ct WHERE ct.customer_id = c.id AND ct.tag_id = ?)",
            vec![V::Integer(t)],
        );
    }
    if let Some(s) = f.store_id {
        add("c.store_id = ?", vec![V::Integer(s)]);
    }
    if let Some(u) = f.consultant_id {
        add("c.consultant_id = ?", vec![V::Integer(u)]);
    }
    if let Some(s) = &f.source {
        add("c.source = ?", vec![V::Text(s.clone())]);
    }
    if let Some(m) = &f.birthday_month {
        add(
            "substr(c.birthday_date, 6, 2) = ?",
            vec![V::Text(m.clone())],
        );
    }
    if let Some(t) = f.visited_from_ms {
        add("c.last_visit_at >= ?", vec![V::Integer(t)]);
    }
    if let Some(t) = f.visited_before_ms {
        add("c.last_visit_at < ?", vec![V::Integer(t)]);
    }
    for (field_id, cond) in &f.custom {
        let (cond, values) = crate::domain::custom_fields::condition_sql("c.id", *field_id, cond);
        add(&cond, values);
    }
    (sql, p)
}

fn read_row_at(r: &Row, o: usize) -> rusqlite::Result<Row_> {
    let consent = |at: usize| -> rusqlite::Result<Consent> {
        Ok(Consent {
            at: r.get(o + at)?,
            version: r.get(o + at + 1)?,
        })
    };
    Ok(Row_ {
        plain: Customer {
            id: r.get(o)?,
            member_no: r.get(o + 1)?,
            name: r.get(o + 2)?,
            gender: r.get(o + 3)?,
            birthday: r.get(o + 4)?,
            mobile: r.get(o + 5)?,
            wechat_id: r.get(o + 6)?,
            id_number: None,
            store_id: r.get(o + 11)?,
            consultant_id: r.get(o + 12)?,
            source: r.get(o + 13)?,
            skin_type: r.get(o + 14)?,
            allergies: None,
            concerns: r.get(o + 15)?,
            medical_history: None,
            notes: r.get(o + 16)?,
            consents: [consent(17)?, consent(19)?, consent(21)?, consent(23)?],
            created_at: r.get(o + 25)?,
            updated_at: r.get(o + 26)?,
            stage: r.get(o + 27)?,
            referrer_id: r.get(o + 28)?,
            last_visit_at: r.get(o + 29)?,
            last_purchase_at: r.get(o + 30)?,
            restricted_at: r.get(o + 31)?,
            // Custom values live in their own table: `service::open` adds them.
            custom: Default::default(),
        },
        id_number_enc: r.get(o + 7)?,
        id_number_masked: r.get(o + 8)?,
        allergies_enc: r.get(o + 9)?,
        medical_history_enc: r.get(o + 10)?,
    })
}

pub fn set_stage(conn: &Connection, id: i64, stage: &str, now: i64) -> rusqlite::Result<()> {
    conn.prepare_cached("UPDATE customers SET stage = ?2, updated_at = ?3 WHERE id = ?1")?
        .execute(params![id, stage, now])?;
    Ok(())
}

pub fn set_consultant(
    conn: &Connection,
    id: i64,
    consultant_id: i64,
    now: i64,
) -> rusqlite::Result<()> {
    conn.prepare_cached("UPDATE customers SET consultant_id = ?2, updated_at = ?3 WHERE id = ?1")?
        .execute(params![id, consultant_id, now])?;
    Ok(())
}

/// Records a visit at `at` unless a later one is known already.
pub fn touch_visit(conn: &Connection, id: i64, at: i64) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE customers SET last_visit_at = ?2 WHERE id = ?1 AND (last_visit_at IS NULL OR last_visit_at < ?2)",
    )?
    .execute(params![id, at])?;
    Ok(())
}

pub struct StageChange {
    pub from_stage: Option<String>,
    pub to_stage: String,
    pub reason: Option<String>,
    pub at: i64,
    /// Who changed it: the user's id and login name at the time; read back with the person's
    /// name today (none when storing, for the system or a removed account).
    pub actor_id: Option<i64>,
    pub actor: String,
    pub actor_name: Option<String>,
}

pub fn insert_stage_change(
    conn: &Connection,
    customer_id: i64,
    ch: &StageChange,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO customer_stage_history (customer_id, from_stage, to_stage, reason, at, actor_id, actor)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![customer_id, ch.from_stage, ch.to_stage, ch.reason, ch.at, ch.actor_id, ch.actor])?;
    Ok(())
}

pub fn stage_history(conn: &Connection, customer_id: i64) -> rusqlite::Result<Vec<StageChange>> {
    conn.prepare_cached(
        "SELECT h.from_stage, h.to_stage, h.reason, h.at, h.actor_id, h.actor, u.display_name
         FROM customer_stage_history h LEFT JOIN users u ON u.id = h.actor_id
         WHERE h.customer_id = ?1 ORDER BY h.at DESC, h.id DESC LIMIT 100",
    )?
    .query_map([customer_id], |r| {
        Ok(StageChange {
            from_stage: r.get(0)?,
            to_stage: r.get(1)?,
            reason: r.get(2)?,
            at: r.get(3)?,
            actor_id: r.get(4)?,
            actor: r.get(5)?,
            actor_name: r.get(6)?,
        })
    })?
    .collect()
}

/// The customers `referrer_id` brought in (老带新) that `scope` covers, newest first.
pub fn referred_by(
    conn: &Connection,
    referrer_id: i64,
    scope: &RowScope,
    limit: usize,
) -> rusqlite::Result<Vec<Row_>> {
    let (cond, p) = scope_sql(scope);
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLS} FROM customers c WHERE c.referrer_id = ? AND c.deleted_at IS NULL AND {cond}
         ORDER BY c.id DESC LIMIT {limit}"
    ))?;
    let rows = stmt.query_map(key_in_scope(referrer_id, p), read_row)?;
    rows.collect()
}

/// How many customers `referrer_id` brought in; for commission and points rules.
pub fn referral_count(conn: &Connection, referrer_id: i64) -> rusqlite::Result<i64> {
    conn.prepare_cached(
        "SELECT count(*) FROM customers WHERE referrer_id = ?1 AND deleted_at IS NULL",
    )?
    .query_row([referrer_id], |r| r.get(0))
}

/// A merged duplicate: soft-deleted, pointing to the customer it became part of; its stage
/// history and the customers it referred move over.
pub fn mark_merged(conn: &Connection, from: i64, into: i64, now: i64) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE customers SET merged_into = ?2, deleted_at = ?3, updated_at = ?3 WHERE id = ?1",
        params![from, into, now],
    )?;
    conn.execute("DELETE FROM customer_search WHERE customer_id = ?1", [from])?;
    conn.execute(
        "UPDATE customer_stage_history SET customer_id = ?2 WHERE customer_id = ?1",
        params![from, into],
    )?;
    conn.execute(
        "UPDATE customers SET referrer_id = ?2 WHERE referrer_id = ?1 AND id <> ?2",
        params![from, into],
    )?;
    conn.execute(
        "UPDATE customers SET referrer_id = NULL WHERE id = ?1 AND referrer_id = ?2",
        params![into, from],
    )?;
    Ok(())
}

pub fn set_restricted(conn: &Connection, id: i64, at: Option<i64>) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE customers SET restricted_at = ?2 WHERE id = ?1",
        params![id, at],
    )?;
    Ok(())
}

/// The last step of an erasure (the caller has blanked the fields): restricted, erased,
/// gone from lists and search.
pub fn mark_erased(conn: &Connection, id: i64, now: i64) -> rusqlite::Result<()> {
    conn.execute(
        // A merged duplicate keeps the time of its merge as its deletion.
        "UPDATE customers SET restricted_at = coalesce(restricted_at, ?2), erased_at = ?2, deleted_at = coalesce(deleted_at, ?2) WHERE id = ?1",
        params![id, now],
    )?;
    conn.execute("DELETE FROM customer_search WHERE customer_id = ?1", [id])?;
    Ok(())
}

/// Groups of likely duplicates: customers sharing a name and birthday, or a WeChat id.
pub fn duplicate_groups(
    conn: &Connection,
    scope: &RowScope,
    limit: usize,
) -> rusqlite::Result<Vec<(String, Vec<i64>)>> {
    let (cond, p) = scope_sql(scope);
    let mut out = Vec::new();
    for (reason, key) in [
        ("name_birthday", "c.name, c.birthday_date"),
        ("wechat_id", "c.wechat_id"),
    ] {
        let sql = format!(
            "SELECT group_concat(c.id) FROM customers c
             WHERE c.deleted_at IS NULL AND {} IS NOT NULL AND {cond}
             GROUP BY {key} HAVING count(*) > 1 LIMIT {limit}",
            key.rsplit(", ").next().unwrap_or(key)
        );
        let mut stmt = conn.prepare_cached(&sql)?;
        let rows = match p {
            Some(p) => stmt
                .query_map([p], |r| r.get::<_, String>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()?,
            None => stmt
                .query_map([], |r| r.get::<_, String>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()?,
        };
        for ids in rows {
            out.push((
                reason.to_string(),
                ids.split(',').filter_map(|i| i.parse().ok()).collect(),
            ));
        }
    }
    Ok(out)
}

pub fn insert_pipl_request(
    conn: &Connection,
    customer_id: i64,
    kind: &str,
    reason: &str,
    handled_by: Option<i64>,
    at: i64,
    result: &serde_json::Value,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO pipl_requests (customer_id, kind, reason, handled_by, handled_at, result) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![customer_id, kind, reason, handled_by, at, result.to_string()],
    )?;
    Ok(())
}

/// A customer's PIPL requests, newest first.
pub fn pipl_requests(
    conn: &Connection,
    customer_id: i64,
) -> rusqlite::Result<Vec<serde_json::Value>> {
    let mut stmt = conn.prepare_cached(
        "SELECT r.id, r.kind, r.reason, u.username, r.handled_at, r.result FROM pipl_requests r
         JOIN users u ON u.id = r.handled_by WHERE r.customer_id = ?1 ORDER BY r.id DESC",
    )?;
    let rows = stmt.query_map([customer_id], |r| {
        let result: String = r.get(5)?;
        Ok(json!({"id": r.get::<_, i64>(0)?, "kind": r.get::<_, String>(1)?, "reason": r.get::<_, String>(2)?,
                  "handled_by": r.get::<_, String>(3)?, "handled_at": r.get::<_, i64>(4)?,
                  "result": serde_json::from_str::<serde_json::Value>(&result).unwrap_or_default()}))
    })?;
    rows.collect()
}

/// Whether `id` is an erased customer within `scope` (erased customers are soft-deleted).
pub fn erased_in_scope(conn: &Connection, id: i64, scope: &RowScope) -> rusqlite::Result<bool> {
    let (cond, p) = scope_sql(scope);
    let sql =
        format!("SELECT 1 FROM customers c WHERE c.id = ? AND c.erased_at IS NOT NULL AND {cond}");
    let mut stmt = conn.prepare_cached(&sql)?;
    match p {
        Some(p) => stmt.exists(params![id, p]),
        None => stmt.exists([id]),
    }
}

/// `id` and every customer merged into it, directly or through earlier merges, with their member
/// numbers (UNION, not UNION ALL: a cycle, which merges cannot make, would still end).
pub(super) const MERGE_FAMILY: &str = "WITH RECURSIVE family(id) AS (
        SELECT ?1 UNION SELECT c.id FROM customers c JOIN family f ON c.merged_into = f.id)
    SELECT c.id, c.member_no FROM family f JOIN customers c ON c.id = f.id ORDER BY c.id";

pub fn merge_family(conn: &Connection, id: i64) -> rusqlite::Result<Vec<(i64, String)>> {
    conn.prepare_cached(MERGE_FAMILY)?
        .query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect()
}

/// The customer at the end of `id`'s merges (`id` itself when it was never merged).
pub fn merged_root(conn: &Connection, id: i64) -> rusqlite::Result<i64> {
    conn.prepare_cached(
        "WITH RECURSIVE up(id, next) AS (
            SELECT id, merged_into FROM customers WHERE id = ?1
            UNION SELECT c.id, c.merged_into FROM customers c JOIN up ON c.id = up.next)
         SELECT id FROM up WHERE next IS NULL",
    )?
    .query_row([id], |r| r.get(0))
    .optional()
    .map(|root| root.unwrap_or(id))
}

/// The smallest string greater than every string starting with `prefix`.
fn prefix_end(prefix: &str) -> String {
    let mut s = prefix.to_string();
    s.push(char::MAX);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every list and search query walks an index in order: no table scan, no sort.
    #[test]
    fn hot_queries_use_their_indexes() {
        let mut conn = Connection::open_in_memory().unwrap();
        crate::db::migrate::migrate(&mut conn, std::path::Path::new("/nonexistent")).unwrap();
        let lookups = [
            None,
            Some(search::Lookup::Exact("t:1234".into())),
            Some(search::Lookup::Prefix("y:zx".into())),
            Some(search::Lookup::NameSubstring {
                term: "n:欧阳".into(),
                needle: "欧阳娜".into(),
            }),
        ];
        let scopes = [RowScope::All, RowScope::Store(1), RowScope::Consultant(3)];
        let after = Cursor {
            term: "y:zxh".into(),
            id: 10,
        };
        for q in &lookups {
            for scope in &scopes {
                for after in [None, Some(&after)] {
                    let (sql, p) = page_sql(q.as_ref(), &Checked::default(), scope, after, 20);
                    let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
                    let plan: Vec<String> = stmt
                        .query_map(params_from_iter(p), |r| r.get(3))
                        .unwrap()
                        .collect::<Result<_, _>>()
                        .unwrap();
                    let text = plan.join(" | ");
                    assert!(
                        !text.contains("TEMP B-TREE"),
                        "{q:?} {scope:?}: sorts: {text}"
                    );
                    assert!(
                        !text.contains("SCAN s") && !text.contains("SCAN c "),
                        "{q:?} {scope:?}: scans: {text}"
                    );
                }
            }
        }
    }
}
