//! Encryption at rest for identity and health fields: AES-256-GCM with a key file kept outside
//! the database, and a keyed hash (HMAC-SHA256) for exact lookups without decrypting.

mod keycheck;
mod keyfile;

pub use keycheck::{check as check_key, field_key_for, KeyProblem};
pub use keyfile::{load_or_create_key, read_key, KEY_LEN};

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

const VERSION: u8 = 1;
const NONCE_LEN: usize = 12;

#[derive(Clone)]
pub struct FieldCipher {
    aead: Aes256Gcm,
    mac_key: [u8; 32],
}

impl std::fmt::Debug for FieldCipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FieldCipher(<secret>)")
    }
}

#[derive(Debug, thiserror::Error)]
#[error("cannot decrypt field `{0}`: wrong key or damaged data")]
pub struct DecryptError(pub &'static str);

impl FieldCipher {
    /// The first 32 bytes are the AES key, the last 32 the HMAC key.
    pub fn new(key: &[u8; KEY_LEN]) -> FieldCipher {
        let mut mac_key = [0u8; 32];
        mac_key.copy_from_slice(&key[32..]);
        FieldCipher {
            aead: Aes256Gcm::new_from_slice(&key[..32]).expect("32-byte key"),
            mac_key,
        }
    }

    /// `field` is bound as associated data, so a ciphertext moved to another column fails.
    pub fn encrypt(&self, field: &'static str, plaintext: &str) -> Vec<u8> {
        self.encrypt_bytes(field, plaintext.as_bytes())
    }

    pub fn decrypt(&self, field: &'static str, blob: &[u8]) -> Result<String, DecryptError> {
        String::from_utf8(self.decrypt_bytes(field, blob)?).map_err(|_| DecryptError(field))
    }

    /// Binary content (attachment files); `purpose` is bound like a field name.
    pub fn encrypt_bytes(&self, purpose: &'static str, plaintext: &[u8]) -> Vec<u8> {
        let mut nonce = [0u8; NONCE_LEN];
        rand::thread_rng().fill_bytes(&mut nonce);
        let ct = self
            .aead
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plaintext,
                    aad: purpose.as_bytes(),
                },
            )
            .expect("AES-GCM encryption of an in-memory buffer cannot fail");
        let mut out = Vec::with_capacity(1 + NONCE_LEN + ct.len());
        out.push(VERSION);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ct);
        out
    }

    pub fn decrypt_bytes(
        &self,
        purpose: &'static str,
        blob: &[u8],
    ) -> Result<Vec<u8>, DecryptError> {
        if blob.len() < 1 + NONCE_LEN || blob[0] != VERSION {
            return Err(DecryptError(purpose));
        }
        let (nonce, ct) = blob[1..].split_at(NONCE_LEN);
        self.aead
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: ct,
                    aad: purpose.as_bytes(),
                },
            )
            .map_err(|_| DecryptError(purpose))
    }

    /// Deterministic keyed hash for exact-match lookup (e.g. by 身份证 number).
    pub fn lookup_hash(&self, field: &'static str, value: &str) -> Vec<u8> {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.mac_key).expect("any key length");
        mac.update(field.as_bytes());
        mac.update(&[0]);
        mac.update(value.as_bytes());
        mac.finalize().into_bytes().to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cipher() -> FieldCipher {
        FieldCipher::new(&[7u8; KEY_LEN])
    }

    #[test]
    fn round_trip_and_field_binding() {
        let c = cipher();
        let blob = c.encrypt("allergies", "青霉素过敏");
        assert!(!blob.windows(3).any(|w| w == "青".as_bytes()));
        assert_eq!(c.decrypt("allergies", &blob).unwrap(), "青霉素过敏");
        assert!(c.decrypt("medical_history", &blob).is_err());
    }

    #[test]
    fn same_plaintext_gives_different_ciphertext_but_same_hash() {
        let c = cipher();
        assert_ne!(c.encrypt("id_number", "x"), c.encrypt("id_number", "x"));
        assert_eq!(
            c.lookup_hash("id_number", "x"),
            c.lookup_hash("id_number", "x")
        );
        assert_ne!(
            c.lookup_hash("id_number", "x"),
            c.lookup_hash("id_number", "y")
        );
    }

    #[test]
    fn tampered_ciphertext_is_refused() {
        let c = cipher();
        let mut blob = c.encrypt("allergies", "abc");
        let last = blob.len() - 1;
        blob[last] ^= 1;
        assert!(c.decrypt("allergies", &blob).is_err());
    }
}
