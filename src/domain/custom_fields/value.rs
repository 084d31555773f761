//! A custom field's value: checked against its kind on the way in, kept as text (the stored
//! form), shown as JSON on the way out.
//!
//! Stored forms: text as typed (cleaned), a number as a normalised decimal, a date as
//! YYYY-MM-DD, a choice as the option, several choices as a JSON array in the field's option
//! order, yes/no as `true` / `false`.

use std::str::FromStr;

use rust_decimal::Decimal;
use serde_json::Value;

use crate::access::{CustomField, CustomKind};
use crate::domain::customers::validate::clean_text;

pub const MAX_TEXT: usize = 500;
/// Numbers are measurements and counts, not money: up to 12 integer and 4 decimal digits.
const MAX_NUMBER: i64 = 1_000_000_000_000;
const MAX_SCALE: u32 = 4;

/// Why a value does not fit its field, in zh-CN and English.
pub type Invalid = (String, String);

fn invalid(zh: impl Into<String>, en: impl Into<String>) -> Invalid {
    (zh.into(), en.into())
}

/// The stored form of a submitted value; `None` clears the field (null or an empty string).
pub fn parse(field: &CustomField, v: &Value) -> Result<Option<String>, Invalid> {
    if v.is_null() || v.as_str().is_some_and(|s| s.trim().is_empty()) {
        return Ok(None);
    }
    if field.kind == CustomKind::MultiChoice && v.as_array().is_some_and(Vec::is_empty) {
        return Ok(None);
    }
    let stored = match field.kind {
        CustomKind::Text => {
            let s = v
                .as_str()
                .ok_or_else(|| invalid("须为文本", "must be a string"))?;
            clean_text(s, MAX_TEXT).map_err(|_| {
                invalid(
                    format!("不能超过 {MAX_TEXT} 个字符，且不能含控制字符"),
                    format!("must be at most {MAX_TEXT} characters without control characters"),
                )
            })?
        }
        CustomKind::Number => number(match v {
            Value::Number(n) => n.to_string(),
            Value::String(s) => s.trim().to_string(),
            _ => String::new(),
        })?,
        CustomKind::Date => {
            let s = v.as_str().unwrap_or_default();
            date(s).ok_or_else(|| {
                invalid("须为 YYYY-MM-DD 格式的日期", "must be a date as YYYY-MM-DD")
            })?
        }
        CustomKind::Choice => {
            let s = v.as_str().unwrap_or_default();
            one_of(field, s)?.to_string()
        }
        CustomKind::MultiChoice => {
            let picked = v
                .as_array()
                .ok_or_else(|| invalid("须为选项数组", "must be an array of options"))?;
            let mut chosen = Vec::new();
            for p in picked {
                chosen.push(one_of(field, p.as_str().unwrap_or_default())?);
            }
            let ordered: Vec<&str> = field
                .options
                .iter()
                .map(String::as_str)
                .filter(|o| chosen.contains(o))
                .collect();
            serde_json::to_string(&ordered).expect("strings serialise")
        }
        CustomKind::YesNo => match v {
            Value::Bool(b) => b.to_string(),
            _ => return Err(invalid("须为 true 或 false", "must be true or false")),
        },
    };
    Ok(Some(stored))
}

fn one_of<'a>(field: &'a CustomField, s: &str) -> Result<&'a str, Invalid> {
    field
        .options
        .iter()
        .find(|o| *o == s)
        .map(String::as_str)
        .ok_or_else(|| {
            invalid(
                format!("取值须为 {}", field.options.join("/")),
                format!("must be one of {}", field.options.join(", ")),
            )
        })
}

/// A number's stored form: exact decimal, trailing zeros dropped.
fn number(s: String) -> Result<String, Invalid> {
    let bad = || {
        invalid(
            "须为数字（最多 12 位整数、4 位小数）",
            "must be a number (up to 12 integer and 4 decimal digits)",
        )
    };
    let d = Decimal::from_str(&s).map_err(|_| bad())?;
    if d.scale() > MAX_SCALE || d.abs() >= Decimal::from(MAX_NUMBER) {
        return Err(bad());
    }
    Ok(d.normalize().to_string())
}

/// A calendar date as YYYY-MM-DD, years 1900–2199.
fn date(s: &str) -> Option<String> {
    use chrono::Datelike;
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .filter(|d| s.len() == 10 && (1900..2200).contains(&d.year()))
        .map(|d| d.format("%Y-%m-%d").to_string())
}

/// How a stored value is shown: numbers as decimal strings (exact), choices as an array,
/// yes/no as a boolean, the rest as strings.
pub fn decoder(kind: CustomKind) -> fn(String) -> Value {
    match kind {
        CustomKind::MultiChoice => |s| serde_json::from_str(&s).unwrap_or(Value::Null),
        CustomKind::YesNo => |s| Value::Bool(s == "true"),
        _ => Value::String,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::{Entity, Sensitivity};
    use serde_json::json;

    fn field(kind: CustomKind, options: &[&str]) -> CustomField {
        CustomField::new(
            1,
            Entity::Customer,
            "cf_test",
            "测试".into(),
            kind,
            Sensitivity::Plain,
            options.iter().map(|s| s.to_string()).collect(),
        )
    }

    #[test]
    fn values_are_checked_and_normalised_by_kind() {
        let n = field(CustomKind::Number, &[]);
        assert_eq!(parse(&n, &json!("162.50")).unwrap().unwrap(), "162.5");
        assert_eq!(parse(&n, &json!(3)).unwrap().unwrap(), "3");
        assert!(parse(&n, &json!("1.00001")).is_err());
        assert!(parse(&n, &json!("abc")).is_err());
        let d = field(CustomKind::Date, &[]);
        assert_eq!(
            parse(&d, &json!("2026-02-28")).unwrap().unwrap(),
            "2026-02-28"
        );
        assert!(parse(&d, &json!("2026-02-30")).is_err());
        let m = field(CustomKind::MultiChoice, &["A型", "B型", "O型"]);
        assert_eq!(
            parse(&m, &json!(["O型", "A型"])).unwrap().unwrap(),
            r#"["A型","O型"]"#
        );
        assert!(parse(&m, &json!(["AB型"])).is_err());
        assert_eq!(parse(&m, &json!([])).unwrap(), None);
        let y = field(CustomKind::YesNo, &[]);
        assert_eq!(parse(&y, &json!(false)).unwrap().unwrap(), "false");
        assert!(parse(&y, &json!("yes")).is_err());
        assert_eq!(parse(&y, &Value::Null).unwrap(), None);
    }

    #[test]
    fn stored_values_decode_to_their_json_shape() {
        assert_eq!(
            decoder(CustomKind::MultiChoice)(r#"["A型"]"#.into()),
            json!(["A型"])
        );
        assert_eq!(decoder(CustomKind::YesNo)("true".into()), json!(true));
        assert_eq!(decoder(CustomKind::Number)("1.5".into()), json!("1.5"));
    }
}
