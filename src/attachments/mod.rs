//! Attachments (photos, signatures): files under `<data_dir>/attachments/`, encrypted with the
//! field key and named by the SHA-256 of the stored (encrypted) bytes, with one metadata row each
//! in SQLite. Backups copy the folder after the database snapshot.
//!
//! A file is written (to `attachments-incoming/`, fsynced, renamed into place, directory fsynced)
//! before the transaction that records its row commits. When that transaction fails the caller
//! removes the files at once (`discard`); when the process dies in between, `sweep` at the next
//! start removes every file without a row and everything left in `attachments-incoming/`.

mod store;

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use rand::RngCore;
use rusqlite::Connection;
use sha2::{Digest, Sha256};

use crate::crypto::FieldCipher;
use crate::error::{Error, Result};

const DIR: &str = "attachments";
const INCOMING: &str = "attachments-incoming";

/// What a file holds; bound to its ciphertext, so a signature cannot be served as a photo.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Purpose {
    Photo,
    Signature,
}

impl Purpose {
    fn aad(self) -> &'static str {
        match self {
            Purpose::Photo => "attachment:photo",
            Purpose::Signature => "attachment:signature",
        }
    }
    fn as_str(self) -> &'static str {
        match self {
            Purpose::Photo => "photo",
            Purpose::Signature => "signature",
        }
    }
}

/// A file written to disk, not yet recorded.
#[derive(Debug, Clone)]
pub struct Stored {
    pub sha256: String,
    pub purpose: Purpose,
    pub media_type: &'static str,
    /// Plaintext size in bytes.
    pub size: usize,
}

fn path_of(data_dir: &Path, sha256: &str) -> PathBuf {
    data_dir.join(DIR).join(&sha256[..2]).join(sha256)
}

fn sync_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
}

fn io_error(what: &str, e: std::io::Error) -> Error {
    tracing::error!(error = %e, "attachment store: {what}");
    Error::internal()
}

/// Encrypts and writes `plaintext`; durable when this returns.
pub fn put(
    data_dir: &Path,
    cipher: &FieldCipher,
    purpose: Purpose,
    media_type: &'static str,
    plaintext: &[u8],
) -> Result<Stored> {
    let blob = cipher.encrypt_bytes(purpose.aad(), plaintext);
    let sha256 = hex::encode(Sha256::digest(&blob));
    let incoming = data_dir.join(INCOMING);
    std::fs::create_dir_all(&incoming).map_err(|e| io_error("create incoming", e))?;
    let mut name = [0u8; 12];
    rand::thread_rng().fill_bytes(&mut name);
    let tmp = incoming.join(hex::encode(name));
    let write = || -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(&blob)?;
        f.sync_all()?;
        let to = path_of(data_dir, &sha256);
        let parent = to.parent().expect("fan-out folder");
        std::fs::create_dir_all(parent)?;
        std::fs::rename(&tmp, &to)?;
        sync_dir(parent)?;
        sync_dir(&data_dir.join(DIR))
    };
    write().map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        io_error("write", e)
    })?;
    Ok(Stored {
        sha256,
        purpose,
        media_type,
        size: plaintext.len(),
    })
}

/// Records the metadata row; call it in the transaction that references the file.
pub fn record(tx: &Connection, s: &Stored, now: i64) -> rusqlite::Result<()> {
    store::insert(tx, s, now)
}

/// Reads and decrypts a file. A file that is missing or fails authentication is an error.
pub fn read(
    data_dir: &Path,
    cipher: &FieldCipher,
    purpose: Purpose,
    sha256: &str,
) -> Result<Vec<u8>> {
    if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(Error::internal());
    }
    let blob = std::fs::read(path_of(data_dir, sha256)).map_err(|e| io_error("read", e))?;
    if hex::encode(Sha256::digest(&blob)) != sha256 {
        tracing::error!(sha256, "attachment does not match its name (damaged)");
        return Err(Error::internal());
    }
    Ok(cipher.decrypt_bytes(purpose.aad(), &blob)?)
}

/// Forgets files their records no longer use (an erasure), inside the caller's transaction;
/// `remove` deletes them from disk after the commit.
pub fn forget(tx: &Connection, sha256s: &[String]) -> rusqlite::Result<()> {
    for s in sha256s {
        store::delete_unreferenced(tx, s)?;
    }
    Ok(())
}

/// Deletes files of a committed erasure (any still recorded are kept; a missing one is fine).
pub fn remove(data_dir: &Path, conn: &Connection, sha256s: &[String]) -> Result<()> {
    let known: HashSet<String> = store::all(conn)?.into_iter().collect();
    for s in sha256s.iter().filter(|s| !known.contains(*s)) {
        match std::fs::remove_file(path_of(data_dir, s)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(io_error("remove", e))
            }
            _ => {}
        }
    }
    Ok(())
}

/// Removes files whose transaction did not commit.
pub fn discard(data_dir: &Path, files: &[Stored]) {
    for s in files {
        let _ = std::fs::remove_file(path_of(data_dir, &s.sha256));
    }
}

/// Removes leftovers of uploads whose transaction never committed (see the module comment).
/// Run while no upload can be in flight: at server start, under the data-directory lock.
pub fn sweep(data_dir: &Path, conn: &Connection) -> Result<usize> {
    let _ = std::fs::remove_dir_all(data_dir.join(INCOMING));
    let root = data_dir.join(DIR);
    if !root.is_dir() {
        return Ok(0);
    }
    let known: HashSet<String> = store::all(conn)?.into_iter().collect();
    let mut removed = 0;
    let list = |p: &Path| std::fs::read_dir(p).map_err(|e| io_error("list", e));
    for fan in list(&root)? {
        let fan = fan.map_err(|e| io_error("list", e))?.path();
        if !fan.is_dir() {
            continue;
        }
        for file in list(&fan)? {
            let file = file.map_err(|e| io_error("list", e))?.path();
            let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if !known.contains(name) {
                std::fs::remove_file(&file).map_err(|e| io_error("remove orphan", e))?;
                removed += 1;
            }
        }
    }
    if removed > 0 {
        tracing::info!(
            removed,
            "removed attachment files left by uploads that never committed"
        );
    }
    Ok(removed)
}
