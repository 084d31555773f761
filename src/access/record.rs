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

    pub(super) fn plain(&self, field: &'static str, cipher: &FieldCipher) -> Result<Value> {
        match self {
            FieldValue::Plain(v) => Ok(v.clone()),
            FieldValue::Encrypted { blob, .. } => Ok(Value::String(cipher.decrypt(field, blob)?)),
        }
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

    /// An encrypted column; absent (NULL) stays null.
    pub fn set_encrypted(
        &mut self,
        field: &'static str,
        blob: Option<Vec<u8>>,
        masked: Option<String>,
    ) -> &mut Self {
        let v = match blob {
            Some(blob) => FieldValue::Encrypted { blob, masked },
            None => FieldValue::Plain(Value::Null),
        };
        self.values.push((field, v));
        self
    }

    pub fn get(&self, field: &str) -> Option<&FieldValue> {
        self.values
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, v)| v)
    }

    /// The plain (unencrypted) value of a field, for services' own rules.
    pub fn plain(&self, field: &str) -> Option<&Value> {
        match self.get(field) {
            Some(FieldValue::Plain(v)) => Some(v),
            _ => None,
        }
    }
}
