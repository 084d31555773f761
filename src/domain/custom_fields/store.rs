//! SQL for custom field definitions and their values.

use rusqlite::{params, params_from_iter, Connection, OptionalExtension, Row};

#[derive(Debug, Clone)]
pub struct Definition {
    pub id: i64,
    pub entity: String,
    pub name: String,
    pub label: String,
    pub kind: String,
    pub sensitivity: String,
    pub options: Vec<String>,
    pub position: i64,
    pub created_at: i64,
    pub archived_at: Option<i64>,
}

const COLS: &str =
    "id, entity, name, label, kind, sensitivity, options, position, created_at, archived_at";

fn definition(r: &Row) -> rusqlite::Result<Definition> {
    let options: String = r.get(6)?;
    Ok(Definition {
        id: r.get(0)?,
        entity: r.get(1)?,
        name: r.get(2)?,
        label: r.get(3)?,
        kind: r.get(4)?,
        sensitivity: r.get(5)?,
        options: serde_json::from_str(&options).unwrap_or_default(),
        position: r.get(7)?,
        created_at: r.get(8)?,
        archived_at: r.get(9)?,
    })
}

/// Every definition, archived ones last, in display order.
pub fn list(c: &Connection) -> rusqlite::Result<Vec<Definition>> {
    let mut stmt = c.prepare(&format!(
        "SELECT {COLS} FROM custom_fields ORDER BY archived_at IS NOT NULL, entity, position, id"
    ))?;
    let rows = stmt.query_map([], definition)?;
    rows.collect()
}

pub fn get(c: &Connection, id: i64) -> rusqlite::Result<Option<Definition>> {
    c.query_row(
        &format!("SELECT {COLS} FROM custom_fields WHERE id = ?1"),
        [id],
        definition,
    )
    .optional()
}

pub fn name_taken(c: &Connection, entity: &str, name: &str) -> rusqlite::Result<bool> {
    c.query_row(
        "SELECT EXISTS (SELECT 1 FROM custom_fields WHERE entity = ?1 AND name = ?2)",
        params![entity, name],
        |r| r.get(0),
    )
}

pub fn insert(tx: &Connection, d: &Definition, created_by: Option<i64>) -> rusqlite::Result<i64> {
    tx.execute(
        "INSERT INTO custom_fields (entity, name, label, kind, sensitivity, options, position,
             created_by, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)",
        params![
            d.entity,
            d.name,
            d.label,
            d.kind,
            d.sensitivity,
            serde_json::to_string(&d.options).expect("strings serialise"),
            d.position,
            created_by,
            d.created_at,
        ],
    )?;
    Ok(tx.last_insert_rowid())
}

pub fn update(tx: &Connection, d: &Definition, now: i64) -> rusqlite::Result<()> {
    tx.execute(
        "UPDATE custom_fields SET label = ?2, options = ?3, position = ?4, archived_at = ?5,
             updated_at = ?6 WHERE id = ?1",
        params![
            d.id,
            d.label,
            serde_json::to_string(&d.options).expect("strings serialise"),
            d.position,
            d.archived_at,
            now,
        ],
    )?;
    Ok(())
}

pub fn next_position(c: &Connection, entity: &str) -> rusqlite::Result<i64> {
    c.query_row(
        "SELECT coalesce(max(position), 0) + 1 FROM custom_fields WHERE entity = ?1",
        [entity],
        |r| r.get(0),
    )
}

/// How many records hold `option` in a choice field (plain values only: encrypted ones are not
/// readable here, so an option of an encrypted field is never removed).
pub fn option_in_use(c: &Connection, field_id: i64, option: &str) -> rusqlite::Result<i64> {
    c.query_row(
        // `v.value` qualified: inside the subquery a bare `value` is json_each's own column.
        "SELECT count(*) FROM custom_values v WHERE v.field_id = ?1 AND (v.secret IS NOT NULL
             OR v.value = ?2 OR (json_valid(v.value) AND EXISTS (SELECT 1 FROM json_each(v.value) j WHERE j.value = ?2)))",
        params![field_id, option],
        |r| r.get(0),
    )
}

/// A value as kept in `custom_values`.
#[derive(Debug, Clone)]
pub enum Stored {
    Plain(String),
    Secret {
        blob: Vec<u8>,
        lookup: Vec<u8>,
        masked: Option<String>,
    },
}

#[derive(Debug)]
pub struct ValueRow {
    pub field_id: i64,
    pub record_id: i64,
    pub value: Stored,
}

/// The values of `field_ids` held by `record_ids`. Records are looked up by key and the fields
/// picked here: a record's values are stored together, and ids of other entities' records that
/// come along are dropped by their field.
pub fn of_records(
    c: &Connection,
    field_ids: &[i64],
    record_ids: &[i64],
) -> rusqlite::Result<Vec<ValueRow>> {
    if field_ids.is_empty() || record_ids.is_empty() {
        return Ok(Vec::new());
    }
    let records = vec!["?"; record_ids.len()].join(", ");
    let mut stmt = c.prepare_cached(&format!(
        "SELECT field_id, record_id, value, secret, lookup, masked FROM custom_values
         WHERE record_id IN ({records})"
    ))?;
    let rows = stmt.query_map(params_from_iter(record_ids), |r| {
        let value = match r.get::<_, Option<String>>(2)? {
            Some(v) => Stored::Plain(v),
            None => Stored::Secret {
                blob: r.get(3)?,
                lookup: r.get(4)?,
                masked: r.get(5)?,
            },
        };
        Ok(ValueRow {
            field_id: r.get(0)?,
            record_id: r.get(1)?,
            value,
        })
    })?;
    let mut out = Vec::new();
    for row in rows {
        let row = row?;
        if field_ids.contains(&row.field_id) {
            out.push(row);
        }
    }
    Ok(out)
}

pub fn put(tx: &Connection, field_id: i64, record_id: i64, v: &Stored) -> rusqlite::Result<()> {
    let (value, secret, lookup, masked) = match v {
        Stored::Plain(s) => (Some(s.as_str()), None, None, None),
        Stored::Secret {
            blob,
            lookup,
            masked,
        } => (None, Some(blob), Some(lookup), masked.as_deref()),
    };
    tx.prepare_cached(
        "INSERT INTO custom_values (field_id, record_id, value, secret, lookup, masked)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (field_id, record_id) DO UPDATE SET value = excluded.value,
             secret = excluded.secret, lookup = excluded.lookup, masked = excluded.masked",
    )?
    .execute(params![field_id, record_id, value, secret, lookup, masked])?;
    Ok(())
}

pub fn clear(tx: &Connection, field_id: i64, record_id: i64) -> rusqlite::Result<()> {
    tx.prepare_cached("DELETE FROM custom_values WHERE field_id = ?1 AND record_id = ?2")?
        .execute(params![field_id, record_id])?;
    Ok(())
}

pub fn erase(tx: &Connection, entity: &str, record_id: i64) -> rusqlite::Result<()> {
    tx.execute(
        "DELETE FROM custom_values WHERE record_id = ?1
             AND field_id IN (SELECT id FROM custom_fields WHERE entity = ?2)",
        params![record_id, entity],
    )?;
    Ok(())
}

/// The SQL condition (to AND into a WHERE) that a record, whose id is `record_col`, matches a
/// filter on field `field_id`, with its parameters.
pub fn condition_sql(
    record_col: &str,
    field_id: i64,
    cond: &super::Cond,
) -> (String, Vec<rusqlite::types::Value>) {
    use super::Cond;
    use rusqlite::types::Value as V;
    let mut p = vec![V::Integer(field_id)];
    let test = match cond {
        Cond::Contains(s) => {
            let escaped = s
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            p.push(V::Text(format!("%{escaped}%")));
            "cv.value LIKE ? ESCAPE '\\'".to_string()
        }
        Cond::Equals(s) => {
            p.push(V::Text(s.clone()));
            "cv.value = ?".into()
        }
        Cond::HasOption(o) => {
            p.push(V::Text(o.clone()));
            "EXISTS (SELECT 1 FROM json_each(cv.value) j WHERE j.value = ?)".into()
        }
        Cond::Range { numeric, from, to } => {
            let col = if *numeric {
                "CAST(cv.value AS REAL)"
            } else {
                "cv.value"
            };
            let mut parts = Vec::new();
            for (end, op) in [(from, ">="), (to, "<=")] {
                if let Some(v) = end {
                    parts.push(format!("{col} {op} ?"));
                    p.push(if *numeric {
                        V::Real(v.parse().unwrap_or_default())
                    } else {
                        V::Text(v.clone())
                    });
                }
            }
            parts.join(" AND ")
        }
        Cond::Lookup(hash) => {
            p.push(V::Blob(hash.clone()));
            "cv.lookup = ?".into()
        }
    };
    (
        format!(
            "EXISTS (SELECT 1 FROM custom_values cv WHERE cv.field_id = ? AND cv.record_id = {record_col} AND {test})"
        ),
        p,
    )
}
