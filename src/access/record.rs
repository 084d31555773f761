//! A record as read from a store module. It is not serialisable: the only way out is
//! `Grant::export`, which applies the field policy.

use serde_json::Value;

use super::mask::{mask, Mask};
use crate::crypto::FieldCipher;
use crate::error::Result;

#[derive(Debug, Clone)]
pub enum FieldValue {
    Plain(Value),
    /// Ciphertext, decrypted only for a principal allowed to read it; `masked` is precomputed so
    /// masked views never decrypt.
    Encrypted {
        blob: Vec<u8>,
        masked: Option<String>,
        /// Turns the decrypted text into the JSON value shown (a string for built-in fields).
        decode: fn(String) -> Value,
    },
}

impl FieldValue {
    pub(super) fn masked(&self, kind: Mask) -> Value {
        match self {
            // An empty field stays empty: its absence of a value is not sensitive.
            FieldValue::Plain(Value::Null) => Value::Null,
            FieldValue::Plain(Value::String(s)) => Value::String(mask(kind, s)),
            FieldValue::Encrypted {
                masked: Some(m), ..
            } => Value::String(m.clone()),
            _ => Value::String("***".into()),
        }
    }

    pub(super) fn into_plain(self, field: &'static str, cipher: &FieldCipher) -> Result<Value> {
        match self {
            FieldValue::Plain(v) => Ok(v),
            FieldValue::Encrypted { blob, decode, .. } => Ok(decode(cipher.decrypt(field, &blob)?)),
        }
    }
}

/// A record after the field policy: what a principal may see, ready to serialise as a JSON
/// object (fields in catalog order).
#[derive(Debug, Clone, Default)]
pub struct Exported(pub(super) Vec<(&'static str, Value)>);

impl Exported {
    /// The visible fields and their values as shown to the principal, in catalog order.
    pub fn fields(&self) -> impl Iterator<Item = (&'static str, &serde_json::Value)> {
        self.0.iter().map(|(k, v)| (*k, v))
    }
}

impl serde::Serialize for Exported {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

#[derive(Debug, Clone, Default)]
pub struct Record {
    values: Vec<(&'static str, FieldValue)>,
}

impl Record {
    pub fn new() -> Record {
        Record::default()
    }

    pub fn set(&mut self, field: &'static str, value: impl Into<Value>) -> &mut Self {
        self.values.push((field, FieldValue::Plain(value.into())));
        self
    }

    /// An encrypted text column; absent (NULL) stays null.
    pub fn set_encrypted(
        &mut self,
        field: &'static str,
        blob: Option<Vec<u8>>,
        masked: Option<String>,
    ) -> &mut Self {
        self.set_encrypted_as(field, blob, masked, Value::String)
    }

    /// An encrypted value whose decrypted text `decode` turns into the JSON shown.
    pub fn set_encrypted_as(
        &mut self,
        field: &'static str,
        blob: Option<Vec<u8>>,
        masked: Option<String>,
        decode: fn(String) -> Value,
    ) -> &mut Self {
        let v = match blob {
            Some(blob) => FieldValue::Encrypted {
                blob,
                masked,
                decode,
            },
            None => FieldValue::Plain(Value::Null),
        };
        self.values.push((field, v));
        self
    }

    /// Drops every field but `fields` (a short card of a record, such as a referral).
    pub fn keep_only(&mut self, fields: &[&str]) -> &mut Self {
        self.values.retain(|(f, _)| fields.contains(f));
        self
    }

    /// Moves a field's value out (export and reveal consume the record).
    pub(super) fn take(&mut self, field: &str) -> Option<FieldValue> {
        let i = self.values.iter().position(|(f, _)| *f == field)?;
        Some(self.values.swap_remove(i).1)
    }
}
