//! The one error type services and handlers return. Each carries its message in Chinese and
//! English; the HTTP layer renders it as `application/problem+json` in the caller's language.

use serde::Serialize;

/// A message in both languages.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Text {
    pub zh: String,
    pub en: String,
}

pub fn text(zh: impl Into<String>, en: impl Into<String>) -> Text {
    Text {
        zh: zh.into(),
        en: en.into(),
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FieldError {
    pub field: String,
    pub message: Text,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    BadRequest,
    Validation,
    Unauthorized,
    Forbidden,
    NotFound,
    Conflict,
    PayloadTooLarge,
    /// An upload whose content (read from its bytes) is not a kind the endpoint takes.
    UnsupportedMediaType,
    TooManyRequests,
    Internal,
}

impl Kind {
    pub fn status(&self) -> u16 {
        match self {
            Kind::BadRequest => 400,
            Kind::Unauthorized => 401,
            Kind::Forbidden => 403,
            Kind::NotFound => 404,
            Kind::Conflict => 409,
            Kind::PayloadTooLarge => 413,
            Kind::UnsupportedMediaType => 415,
            Kind::Validation => 422,
            Kind::TooManyRequests => 429,
            Kind::Internal => 500,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Error {
    pub kind: Kind,
    /// Stable machine code, the last segment of the problem `type`.
    pub code: &'static str,
    pub title: Text,
    pub errors: Vec<FieldError>,
    /// For conflicts with an existing record (duplicate mobile): its id.
    pub existing_id: Option<i64>,
    /// For 429: seconds until a retry can succeed (the `Retry-After` header).
    pub retry_after: Option<u32>,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(kind: Kind, code: &'static str, title: Text) -> Error {
        Error {
            kind,
            code,
            title,
            errors: Vec::new(),
            existing_id: None,
            retry_after: None,
        }
    }

    pub fn bad_request(code: &'static str, title: Text) -> Error {
        Error::new(Kind::BadRequest, code, title)
    }

    pub fn validation(errors: Vec<FieldError>) -> Error {
        Error {
            errors,
            ..Error::new(
                Kind::Validation,
                "validation",
                text("提交的数据有误", "The submitted data is invalid"),
            )
        }
    }

    pub fn field(field: &str, zh: impl Into<String>, en: impl Into<String>) -> Error {
        Error::validation(vec![FieldError {
            field: field.into(),
            message: text(zh, en),
        }])
    }

    pub fn unauthorized() -> Error {
        Error::new(
            Kind::Unauthorized,
            "unauthorized",
            text("请先登录", "Please sign in"),
        )
    }

    pub fn forbidden() -> Error {
        Error::new(
            Kind::Forbidden,
            "forbidden",
            text("没有权限执行此操作", "You are not allowed to do this"),
        )
    }

    /// A write or query touching a field the principal may not use; the field is named.
    pub fn forbidden_field(field: &str, zh_what: &str, en_what: &str) -> Error {
        Error {
            errors: vec![FieldError {
                field: field.into(),
                message: text(
                    format!("无权{zh_what}此字段"),
                    format!("not allowed to {en_what} this field"),
                ),
            }],
            ..Error::new(
                Kind::Forbidden,
                "forbidden-field",
                text(
                    format!("无权{zh_what}字段 {field}"),
                    format!("Not allowed to {en_what} field `{field}`"),
                ),
            )
        }
    }

    /// A search or filter by a field the caller sees masked, beyond what the mask shows.
    pub fn masked_field(field: &str) -> Error {
        let (zh, en) = if field == "mobile" {
            (
                "手机号对您脱敏显示：请输入完整手机号、前 7 位以上或尾号 4 位".to_string(),
                "the mobile is masked for you: search by the whole number, its first 7 or more digits, or its last 4".to_string(),
            )
        } else {
            (
                format!("字段 {field} 对您脱敏显示，不能按它检索或筛选"),
                format!("field `{field}` is masked for you: it cannot be searched or filtered by"),
            )
        };
        Error {
            errors: vec![FieldError {
                field: field.into(),
                message: text(zh.clone(), en.clone()),
            }],
            ..Error::new(Kind::Forbidden, "masked-field", text(zh, en))
        }
    }

    pub fn not_found() -> Error {
        Error::new(Kind::NotFound, "not-found", text("记录不存在", "Not found"))
    }

    pub fn conflict(code: &'static str, title: Text) -> Error {
        Error::new(Kind::Conflict, code, title)
    }

    pub fn internal() -> Error {
        Error::new(
            Kind::Internal,
            "internal",
            text("服务器内部错误", "Internal server error"),
        )
    }

    /// The error for a person at a terminal (the CLI): the title and each field's reason in
    /// Chinese, then in English, without the machine code.
    pub fn for_people(&self) -> String {
        let mut zh = self.title.zh.clone();
        let mut en = self.title.en.clone();
        for e in &self.errors {
            zh.push_str(&format!("；{}：{}", e.field, e.message.zh));
            en.push_str(&format!("; {}: {}", e.field, e.message.en));
        }
        format!("{zh} / {en}")
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.title.en, self.code)?;
        for e in &self.errors {
            write!(f, "; {}: {}", e.field, e.message.en)?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Error {
        tracing::error!(error = %e, "database error");
        Error::internal()
    }
}

impl From<crate::db::BlockingError> for Error {
    fn from(_: crate::db::BlockingError) -> Error {
        Error::internal()
    }
}

impl From<crate::crypto::DecryptError> for Error {
    fn from(e: crate::crypto::DecryptError) -> Error {
        tracing::error!(error = %e, "decryption failed");
        Error::internal()
    }
}

/// serde's message about a wrong value (`invalid type: string "1", expected i64`, `invalid digit
/// found in string`) in words for the people who read it (an API reply, a config error), in both
/// languages.
pub fn plain_words(msg: &str) -> (String, String) {
    let has = |words: &[&str]| words.iter().any(|w| msg.contains(w));
    let (zh, en) = if has(&[
        "expected i64",
        "expected u64",
        "expected i32",
        "expected u32",
        "expected u16",
        "expected u8",
        "expected usize",
        "invalid digit",
        "number too large",
        "number too small",
        "cannot parse integer",
    ]) {
        ("须为整数", "must be a whole number")
    } else if has(&["expected f64", "expected f32", "invalid float"]) {
        ("须为数字", "must be a number")
    } else if has(&["expected a boolean", "expected bool", "`true` or `false`"]) {
        ("须为 true 或 false", "must be true or false")
    } else if has(&["expected a string", "expected a borrowed string"]) {
        ("须为文本", "must be text")
    } else if has(&["expected a map", "expected struct"]) {
        ("须为对象 {…}", "must be an object {…}")
    } else if has(&["expected a sequence"]) {
        ("须为列表 […]", "must be a list […]")
    } else if has(&["socket address"]) {
        (
            "须为 IP:端口，如 0.0.0.0:8443",
            "must be IP:port like 0.0.0.0:8443",
        )
    } else if let Some(allowed) = msg.split("expected one of ").nth(1) {
        let allowed = allowed.replace('`', "");
        return (
            format!("须为以下之一：{allowed}"),
            format!("must be one of {allowed}"),
        );
    } else {
        return ("类型或取值不正确".into(), msg.to_string());
    };
    (zh.into(), en.into())
}
