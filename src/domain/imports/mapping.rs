//! Which column fills which customer field: proposed from the header names, checked against
//! what the importer may write, remembered per header layout.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

use crate::access::{Customers, Grant, WriteAction};
use crate::domain::customers::model::LABELS;
use crate::error::{Error, FieldError, Result};

/// Header → field; unmapped columns are absent.
pub type Mapping = BTreeMap<String, String>;

/// The fields a column can fill. `store` takes a store code or name; `consents.*` a yes/no.
pub const TARGETS: &[&str] = &[
    "name",
    "mobile",
    "gender",
    "birthday",
    "wechat_id",
    "id_number",
    "store",
    "source",
    "skin_type",
    "allergies",
    "concerns",
    "medical_history",
    "notes",
    "stage",
    "consents.privacy",
    "consents.health_data",
    "consents.marketing",
    "consents.photos",
];

/// Header names seen in clinics' spreadsheets, besides the export's own titles (`LABELS`).
const SYNONYMS: &[(&str, &[&str])] = &[
    (
        "name",
        &["名字", "客户姓名", "顾客姓名", "客户名称", "客户"],
    ),
    (
        "mobile",
        &[
            "手机",
            "手机号码",
            "电话",
            "联系电话",
            "联系方式",
            "phone",
            "tel",
            "cellphone",
        ],
    ),
    ("gender", &["sex"]),
    ("birthday", &["出生日期", "生日日期", "birthdate", "dob"]),
    ("wechat_id", &["微信号", "wechat", "weixin"]),
    (
        "id_number",
        &[
            "身份证",
            "身份证号码",
            "证件号",
            "证件号码",
            "idcard",
            "idno",
        ],
    ),
    ("store", &["所属门店", "店铺", "分店", "store", "storecode"]),
    ("source", &["客户来源", "渠道来源"]),
    ("skin_type", &["皮肤类型", "skin"]),
    ("allergies", &["过敏", "过敏情况", "allergy"]),
    ("concerns", &["诉求", "需求", "关注"]),
    ("medical_history", &["既往病史", "既往史", "history"]),
    ("notes", &["备注信息", "说明", "note", "remark", "remarks"]),
    ("stage", &["客户阶段", "生命周期", "lifecycle"]),
    ("consents.privacy", &["隐私同意", "privacyconsent"]),
    (
        "consents.health_data",
        &["健康信息同意", "健康同意", "healthconsent"],
    ),
    ("consents.marketing", &["营销同意", "marketingconsent"]),
    ("consents.photos", &["照片同意", "photoconsent"]),
];

/// Lower case, no spaces, underscores or required-field stars, no trailing `(…)`.
fn normalise(h: &str) -> String {
    let h = h.split(['(', '（']).next().unwrap_or(h).to_lowercase();
    h.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '*' | '_' | '-' | ':' | '：' | '.'))
        .collect()
}

fn target_for(header: &str) -> Option<&'static str> {
    // `姓名 / Name`, as the export writes it, is tried part by part.
    header.split('/').map(normalise).find_map(|h| {
        let label = LABELS.iter().find_map(|(field, zh, en)| {
            let field = if *field == "store_id" { "store" } else { field };
            (TARGETS.contains(&field)
                && (normalise(zh) == h || normalise(en) == h || normalise(field) == h))
                .then_some(field)
        });
        label.or_else(|| {
            SYNONYMS
                .iter()
                .find(|(_, names)| names.iter().any(|n| normalise(n) == h))
                .map(|(f, _)| *f)
        })
    })
}

/// What a column can fill for this importer: the built-in targets it may write, then the custom
/// fields it may write (by name, with their labels). Only these are offered and proposed.
pub fn targets<A: WriteAction>(
    g: &Grant<Customers, A>,
) -> (Vec<&'static str>, Vec<(&'static str, String)>) {
    let custom: Vec<(&'static str, String)> = g
        .custom_fields()
        .filter(|f| g.policy(f.name()).writable())
        .map(|f| (f.name(), f.label.clone()))
        .collect();
    let all = TARGETS
        .iter()
        .copied()
        .filter(|t| g.policy(customer_field(t)).writable())
        .chain(custom.iter().map(|(n, _)| *n))
        .collect();
    (all, custom)
}

/// Whether `target` is a field an import can fill at all, whoever imports.
fn is_target<A: WriteAction>(g: &Grant<Customers, A>, target: &str) -> bool {
    TARGETS.contains(&target) || g.custom_fields().any(|f| f.name() == target)
}

/// The mapping guessed from the header names (custom fields by their labels); each field taken
/// by its first column.
pub fn propose(header: &[String], custom: &[(&'static str, String)]) -> Mapping {
    let mut out = Mapping::new();
    for h in header {
        let by_label = || {
            custom
                .iter()
                .find(|(name, label)| normalise(label) == normalise(h) || *name == normalise(h))
                .map(|(name, _)| *name)
        };
        if let Some(field) = target_for(h).or_else(by_label) {
            if !out.values().any(|f| f == field) {
                out.insert(h.clone(), field.to_string());
            }
        }
    }
    out
}

/// SHA-256 of the header row: files with the same columns share a remembered mapping.
pub fn header_hash(header: &[String]) -> String {
    let mut h = Sha256::new();
    for name in header {
        h.update(name.as_bytes());
        h.update([0x1f]);
    }
    hex::encode(h.finalize())
}

/// The customer field a target writes, for the field-policy check.
pub fn customer_field(target: &str) -> &str {
    match target {
        "store" => "store_id",
        t if t.starts_with("consents.") => "consents",
        t => t,
    }
}

/// Refuses a mapping naming unknown columns or fields, a field twice, no name or mobile, or a
/// field the importer may not write (as creator or as updater).
pub fn check<A: WriteAction, B: WriteAction>(
    mapping: &Mapping,
    header: &[String],
    create: &Grant<Customers, A>,
    update: &Grant<Customers, B>,
) -> Result<()> {
    let mut errors = Vec::new();
    let mut add = |field: String, zh: String, en: String| {
        errors.push(FieldError {
            field,
            message: crate::error::text(zh, en),
        })
    };
    for (column, target) in mapping {
        let key = format!("mapping.{column}");
        if !header.contains(column) {
            add(
                key.clone(),
                "文件中没有此列".into(),
                "no such column in the file".into(),
            );
        }
        // A known field the importer may not write is the access layer's 403, below.
        if !is_target(create, target) {
            add(
                key,
                format!("无法导入到字段 {target}"),
                format!("`{target}` is not a field an import can fill"),
            );
        } else if mapping.values().filter(|t| *t == target).count() > 1 {
            add(
                key,
                format!("字段 {target} 对应了多列"),
                format!("`{target}` is mapped from more than one column"),
            );
        }
    }
    for required in ["name", "mobile"] {
        if !mapping.values().any(|t| t == required) {
            add(
                "mapping".into(),
                format!("须指定哪一列是 {required}"),
                format!("a column must be mapped to `{required}`"),
            );
        }
    }
    if !errors.is_empty() {
        return Err(Error::validation(errors));
    }
    let fields: Vec<&str> = mapping.values().map(|t| customer_field(t)).collect();
    create.check_writable(fields.iter().copied())?;
    update.check_writable(fields.iter().copied())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proposes_from_chinese_english_and_export_headers() {
        let header: Vec<String> = [
            "姓名",
            "手机号",
            "身份证",
            "性别",
            "生日",
            "微信",
            "门店",
            "来源",
            "过敏史",
            "备注*",
            "Mobile",
            "积分",
        ]
        .map(String::from)
        .to_vec();
        let m = propose(&header, &[]);
        assert_eq!(m["姓名"], "name");
        assert_eq!(m["手机号"], "mobile");
        assert_eq!(m["身份证"], "id_number");
        assert_eq!(m["性别"], "gender");
        assert_eq!(m["生日"], "birthday");
        assert_eq!(m["微信"], "wechat_id");
        assert_eq!(m["门店"], "store");
        assert_eq!(m["来源"], "source");
        assert_eq!(m["过敏史"], "allergies");
        assert_eq!(m["备注*"], "notes");
        assert!(
            !m.contains_key("Mobile"),
            "mobile is taken by the first column"
        );
        assert!(!m.contains_key("积分"));
        let exported = [
            "姓名 / Name",
            "手机号 / Mobile",
            "身份证号 / ID number",
            "门店 / Store",
        ]
        .map(String::from);
        let m = propose(&exported, &[]);
        assert_eq!(m.len(), 4);
        assert_eq!(m["门店 / Store"], "store");
    }

    #[test]
    fn custom_fields_are_proposed_by_their_labels() {
        let header = ["姓名", "血型", "阶段"].map(String::from);
        let m = propose(&header, &[("cf_blood_type", "血型".into())]);
        assert_eq!(m["血型"], "cf_blood_type");
        assert_eq!(m["阶段"], "stage");
    }

    #[test]
    fn header_hash_follows_the_columns() {
        let a = ["姓名".to_string(), "手机".to_string()];
        let b = ["手机".to_string(), "姓名".to_string()];
        assert_eq!(header_hash(&a), header_hash(&a.clone()));
        assert_ne!(header_hash(&a), header_hash(&b));
    }
}
