//! SQL of tag groups, tags and customers' tags.

use rusqlite::{params, Connection, OptionalExtension};

use crate::access::Record;

/// A tag with its group, as lists and customer records show it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TagRef {
    pub id: i64,
    pub name: String,
    pub group_id: i64,
    pub group_name: String,
    pub color: String,
}

impl TagRef {
    pub fn into_record(self) -> Record {
        let mut r = Record::new();
        r.set("id", self.id)
            .set("group_id", self.group_id)
            .set("group_name", self.group_name)
            .set("name", self.name)
            .set("color", self.color);
        r
    }
}

const TAG_COLS: &str = "t.id, t.name, g.id, g.name, g.color";

fn tag_ref(r: &rusqlite::Row) -> rusqlite::Result<TagRef> {
    Ok(TagRef {
        id: r.get(0)?,
        name: r.get(1)?,
        group_id: r.get(2)?,
        group_name: r.get(3)?,
        color: r.get(4)?,
    })
}

pub fn all_tags(c: &Connection) -> rusqlite::Result<Vec<TagRef>> {
    c.prepare_cached(&format!(
        "SELECT {TAG_COLS} FROM tags t JOIN tag_groups g ON g.id = t.group_id
         WHERE t.deleted_at IS NULL ORDER BY g.id, t.id"
    ))?
    .query_map([], tag_ref)?
    .collect()
}

pub struct Group {
    pub id: i64,
    pub name: String,
    pub color: String,
}

pub fn groups(c: &Connection) -> rusqlite::Result<Vec<Group>> {
    c.prepare_cached("SELECT id, name, color FROM tag_groups ORDER BY id")?
        .query_map([], |r| {
            Ok(Group {
                id: r.get(0)?,
                name: r.get(1)?,
                color: r.get(2)?,
            })
        })?
        .collect()
}

pub fn tag(c: &Connection, id: i64) -> rusqlite::Result<Option<TagRef>> {
    c.prepare_cached(&format!(
        "SELECT {TAG_COLS} FROM tags t JOIN tag_groups g ON g.id = t.group_id
         WHERE t.id = ?1 AND t.deleted_at IS NULL"
    ))?
    .query_row([id], tag_ref)
    .optional()
}

pub fn group_exists(c: &Connection, id: i64) -> rusqlite::Result<bool> {
    c.prepare_cached("SELECT 1 FROM tag_groups WHERE id = ?1")?
        .query_row([id], |_| Ok(()))
        .optional()
        .map(|o| o.is_some())
}

pub fn group_named(c: &Connection, name: &str) -> rusqlite::Result<Option<i64>> {
    c.prepare_cached("SELECT id FROM tag_groups WHERE name = ?1")?
        .query_row([name], |r| r.get(0))
        .optional()
}

pub fn tag_named(c: &Connection, group_id: i64, name: &str) -> rusqlite::Result<Option<i64>> {
    c.prepare_cached("SELECT id FROM tags WHERE group_id = ?1 AND name = ?2")?
        .query_row(params![group_id, name], |r| r.get(0))
        .optional()
}

pub fn insert_group(c: &Connection, name: &str, color: &str, now: i64) -> rusqlite::Result<i64> {
    c.execute(
        "INSERT INTO tag_groups (name, color, created_at) VALUES (?1, ?2, ?3)",
        params![name, color, now],
    )?;
    Ok(c.last_insert_rowid())
}

pub fn update_group(c: &Connection, id: i64, name: &str, color: &str) -> rusqlite::Result<()> {
    c.execute(
        "UPDATE tag_groups SET name = ?2, color = ?3 WHERE id = ?1",
        params![id, name, color],
    )?;
    Ok(())
}

pub fn insert_tag(c: &Connection, group_id: i64, name: &str, now: i64) -> rusqlite::Result<i64> {
    c.execute(
        "INSERT INTO tags (group_id, name, created_at) VALUES (?1, ?2, ?3)",
        params![group_id, name, now],
    )?;
    Ok(c.last_insert_rowid())
}

pub fn rename_tag(c: &Connection, id: i64, name: &str) -> rusqlite::Result<()> {
    c.execute("UPDATE tags SET name = ?2 WHERE id = ?1", params![id, name])?;
    Ok(())
}

/// A deleted tag disappears from every customer; the timeline keeps what was tagged.
pub fn delete_tag(c: &Connection, id: i64, now: i64) -> rusqlite::Result<()> {
    c.execute(
        "UPDATE tags SET deleted_at = ?2 WHERE id = ?1",
        params![id, now],
    )?;
    c.execute("DELETE FROM customer_tags WHERE tag_id = ?1", [id])?;
    Ok(())
}

/// The tags of each customer in `ids`, in the order of `ids`: one query for a whole page.
pub fn of_customers(c: &Connection, ids: &[i64]) -> rusqlite::Result<Vec<Vec<TagRef>>> {
    let mut out = vec![Vec::new(); ids.len()];
    if ids.is_empty() {
        return Ok(out);
    }
    let marks = vec!["?"; ids.len()].join(", ");
    let mut stmt = c.prepare_cached(&format!(
        "SELECT {TAG_COLS}, ct.customer_id FROM customer_tags ct JOIN tags t ON t.id = ct.tag_id
         JOIN tag_groups g ON g.id = t.group_id WHERE ct.customer_id IN ({marks})"
    ))?;
    let rows = stmt.query_map(rusqlite::params_from_iter(ids), |r| {
        Ok((r.get::<_, i64>(5)?, tag_ref(r)?))
    })?;
    for row in rows {
        let (customer, tag) = row?;
        for (i, _) in ids.iter().enumerate().filter(|(_, id)| **id == customer) {
            out[i].push(tag.clone());
        }
    }
    // Sorted here rather than by ORDER BY: SQLite sets up a sorter for it on every run, even
    // for a customer with no tags, a measurable share of reading one customer.
    for tags in &mut out {
        tags.sort_unstable_by_key(|t| (t.group_id, t.id));
    }
    Ok(out)
}

/// Adds the tag; false when the customer had it already.
pub fn add(
    c: &Connection,
    customer_id: i64,
    tag_id: i64,
    by: i64,
    now: i64,
) -> rusqlite::Result<bool> {
    Ok(c.prepare_cached(
        "INSERT OR IGNORE INTO customer_tags (customer_id, tag_id, tagged_at, tagged_by) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![customer_id, tag_id, now, by])?
        == 1)
}

/// Removes the tag; false when the customer did not have it.
pub fn remove(c: &Connection, customer_id: i64, tag_id: i64) -> rusqlite::Result<bool> {
    Ok(
        c.prepare_cached("DELETE FROM customer_tags WHERE customer_id = ?1 AND tag_id = ?2")?
            .execute(params![customer_id, tag_id])?
            == 1,
    )
}

/// Gives `to` every tag of `from` and takes them off `from` (a merge of duplicates).
pub fn reassign(c: &Connection, from: i64, to: i64) -> rusqlite::Result<()> {
    c.execute(
        "INSERT OR IGNORE INTO customer_tags (customer_id, tag_id, tagged_at, tagged_by)
         SELECT ?2, tag_id, tagged_at, tagged_by FROM customer_tags WHERE customer_id = ?1",
        params![from, to],
    )?;
    c.execute("DELETE FROM customer_tags WHERE customer_id = ?1", [from])?;
    Ok(())
}

/// An erasure: the customer's tags go (they describe the person).
pub fn remove_all(c: &Connection, customer_id: i64) -> rusqlite::Result<()> {
    c.execute(
        "DELETE FROM customer_tags WHERE customer_id = ?1",
        [customer_id],
    )?;
    Ok(())
}
