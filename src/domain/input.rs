//! Reading JSON request fields: each helper records a bilingual field error and returns None
//! when the value is wrong, so one reply lists every bad field.

use serde_json::Value;

use crate::domain::customers::validate;
use crate::error::{text, Error, FieldError, Result};

/// Field errors gathered while reading a request, reported together.
#[derive(Default)]
pub struct Errors(pub Vec<FieldError>);

impl Errors {
    /// Ok when nothing was wrong, else one 422 listing every field.
    pub fn finish(self) -> Result<()> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(Error::validation(self.0))
        }
    }

    pub fn add(&mut self, field: &str, zh: impl Into<String>, en: impl Into<String>) {
        self.0.push(FieldError {
            field: field.into(),
            message: text(zh, en),
        });
    }
}

pub fn opt_str<'a>(errs: &mut Errors, field: &str, v: &'a Value) -> Option<Option<&'a str>> {
    match v {
        Value::Null => Some(None),
        Value::String(s) if s.trim().is_empty() => Some(None),
        Value::String(s) => Some(Some(s)),
        _ => {
            errs.add(field, "须为文本", "must be a string");
            None
        }
    }
}

pub fn text_field(errs: &mut Errors, field: &str, v: &Value, max: usize) -> Option<Option<String>> {
    let s = opt_str(errs, field, v)?;
    match s.map(|s| validate::clean_text(s, max)).transpose() {
        // Nothing left once trimmed: as if left empty.
        Ok(v) => Some(v.filter(|t| !t.is_empty())),
        Err(validate::InvalidText) => {
            errs.add(
                field,
                format!("不能超过 {max} 个字符，且不能含控制字符或文字方向控制符"),
                format!(
                    "must be at most {max} characters without control or text-direction characters"
                ),
            );
            None
        }
    }
}

/// A required one-line name of 1–`max` characters (`validate::clean_name`), or the field's error.
pub fn name(field: &str, raw: &str, max: usize) -> Result<String> {
    match validate::clean_name(raw, max) {
        Ok(n) if !n.is_empty() => Ok(n),
        _ => {
            let (zh, en) = name_rule(max);
            Err(Error::field(field, zh, en))
        }
    }
}

/// What a name must be, in both languages.
pub fn name_rule(max: usize) -> (String, String) {
    (
        format!("须为 1–{max} 个字符，不能含换行、控制字符或不可见字符"),
        format!("must be 1–{max} characters, without line breaks, control or invisible characters"),
    )
}

pub fn choice(
    errs: &mut Errors,
    field: &str,
    v: &Value,
    allowed: &[&str],
) -> Option<Option<String>> {
    let s = opt_str(errs, field, v)?;
    match s {
        Some(s) if !allowed.contains(&s) => {
            errs.add(
                field,
                format!("取值须为 {}", allowed.join("/")),
                format!("must be one of {}", allowed.join(", ")),
            );
            None
        }
        s => Some(s.map(str::to_string)),
    }
}

pub fn id_field(errs: &mut Errors, field: &str, v: &Value) -> Option<Option<i64>> {
    match v {
        Value::Null => Some(None),
        Value::Number(n) if n.as_i64().is_some_and(|n| n > 0) => Some(n.as_i64()),
        _ => {
            errs.add(field, "须为正整数编号", "must be a positive integer id");
            None
        }
    }
}
