//! Whether a field key opens a database's encrypted fields. A data directory whose key went
//! missing, or holds another clinic's, must not be served: every identity and health field would
//! fail to decrypt, and anything written under a new key would be lost to the old one.

use rusqlite::Connection;
use std::path::Path;

use super::keyfile::{create_key, read_key, KEY_LEN};
use super::FieldCipher;

/// Why a key cannot be used with a database.
#[derive(Debug, PartialEq, Eq)]
pub enum KeyProblem {
    /// The database holds encrypted fields and there is no key file.
    Missing,
    /// The key opens none of the sampled fields.
    Wrong,
}

/// How many stored ciphertexts are tried: one damaged value must not condemn a sound key.
const SAMPLES: usize = 3;

/// A few stored ciphertexts with their fields; empty while nothing is encrypted yet. Every
/// command opening the data directory runs this: ID numbers come through their partial index,
/// and the health columns (no index) are read only when no customer has an ID number.
fn samples(c: &Connection) -> rusqlite::Result<Vec<(&'static str, Vec<u8>)>> {
    for (field, col, held) in [
        (
            "id_number",
            "id_number_enc",
            "deleted_at IS NULL AND id_number_hash IS NOT NULL",
        ),
        ("allergies", "allergies_enc", "allergies_enc IS NOT NULL"),
        (
            "medical_history",
            "medical_history_enc",
            "medical_history_enc IS NOT NULL",
        ),
    ] {
        let sql = format!("SELECT {col} FROM customers WHERE {held} LIMIT {SAMPLES}");
        let mut stmt = c.prepare(&sql)?;
        let blobs = stmt
            .query_map([], |r| r.get::<_, Vec<u8>>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        if !blobs.is_empty() {
            return Ok(blobs.into_iter().map(|b| (field, b)).collect());
        }
    }
    Ok(Vec::new())
}

/// Checks `key` (None: no key file) against the database on `c`.
pub fn check(
    c: &Connection,
    key: Option<&[u8; KEY_LEN]>,
) -> Result<Result<(), KeyProblem>, rusqlite::Error> {
    let samples = samples(c)?;
    if samples.is_empty() {
        return Ok(Ok(()));
    }
    let Some(key) = key else {
        return Ok(Err(KeyProblem::Missing));
    };
    let cipher = FieldCipher::new(key);
    let opens = samples
        .iter()
        .any(|(field, blob)| cipher.decrypt(field, blob).is_ok());
    Ok(if opens {
        Ok(())
    } else {
        Err(KeyProblem::Wrong)
    })
}

/// The field key of the database on `c`, from `<keys>/field.key`. A new key is made only while
/// the database holds nothing encrypted.
pub fn field_key_for(keys: &Path, c: &Connection) -> Result<[u8; KEY_LEN], String> {
    let key = read_key(keys, "field.key")?;
    let path = keys.join("field.key");
    match check(c, key.as_ref()).map_err(|e| format!("cannot read the database: {e}"))? {
        Ok(()) => match key {
            Some(key) => Ok(key),
            None => create_key(keys, "field.key"),
        },
        Err(KeyProblem::Missing) => Err(format!(
            "the field key {} is missing, but the database holds encrypted identity and health fields: \
             copy the clinic's keys folder back from its safe copy (docs/backup-restore.md); a new key \
             would leave them unreadable / 缺少字段密钥 {}，而数据库中已有加密的身份与健康信息：请从妥善保存的\
             副本复制 keys 文件夹回来（见 docs/backup-restore.md）；新密钥无法解密这些信息",
            path.display(),
            path.display()
        )),
        Err(KeyProblem::Wrong) => Err(format!(
            "the field key {} does not open this database's encrypted fields: it belongs to another data \
             directory or was replaced; put the clinic's own keys folder back (docs/backup-restore.md) / \
             字段密钥 {} 无法解密本数据库的加密字段：它属于其他数据目录或已被替换；请放回诊所自己的 keys 文件夹\
             （见 docs/backup-restore.md）",
            path.display(),
            path.display()
        )),
    }
}
