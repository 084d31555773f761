//! List filters (筛选) over customer fields, and what saved segments store. Each filter names the
//! field it reads, so a role cannot filter by a field it may not see.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::lifecycle::STAGES;
use super::model::SOURCES;
use crate::access::{ActionKind, Customers, Grant};
use crate::domain::custom_fields;
use crate::error::{Error, Result};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Filter {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tag_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub store_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consultant_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// 1–12: customers whose birthday falls in that month (birthday greetings).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub birthday_month: Option<u32>,
    /// Last visit on or after / before this local date (YYYY-MM-DD).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub visited_from: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub visited_before: Option<String>,
    /// Custom fields by name (`cf_<key>`); the value's syntax is `custom_fields::condition`'s.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub custom: BTreeMap<String, String>,
}

/// A filter checked and turned into what the store's SQL needs.
#[derive(Debug, Clone, Default)]
pub struct Checked {
    pub stage: Option<String>,
    pub tag_id: Option<i64>,
    pub store_id: Option<i64>,
    pub consultant_id: Option<i64>,
    pub source: Option<String>,
    pub birthday_month: Option<String>,
    pub visited_from_ms: Option<i64>,
    pub visited_before_ms: Option<i64>,
    /// Custom field id and condition.
    pub custom: Vec<(i64, custom_fields::Cond)>,
    /// For the derived stages: activity before these instants means dormant / lost.
    pub dormant_before_ms: i64,
    pub lost_before_ms: i64,
}

impl Filter {
    pub fn is_empty(&self) -> bool {
        *self == Filter::default()
    }

    /// Validates the values and refuses filters on fields the caller may not see.
    pub fn check<A: ActionKind>(
        &self,
        grant: &Grant<Customers, A>,
        app: &crate::app::App,
    ) -> Result<Checked> {
        let used = [
            (self.stage.is_some(), "stage"),
            (self.tag_id.is_some(), "tags"),
            (self.store_id.is_some(), "store_id"),
            (self.consultant_id.is_some(), "consultant_id"),
            (self.source.is_some(), "source"),
            (self.birthday_month.is_some(), "birthday"),
            (
                self.visited_from.is_some() || self.visited_before.is_some(),
                "last_visit_at",
            ),
        ];
        for (_, field) in used.iter().filter(|(on, _)| *on) {
            grant.check_searchable(field)?;
        }
        let mut custom = Vec::new();
        for (name, raw) in &self.custom {
            // An unknown field is refused like a hidden one: a role learns nothing of fields
            // it may not see.
            grant.check_searchable(name)?;
            let f = grant
                .custom_fields()
                .find(|f| f.name() == name)
                .ok_or_else(crate::error::Error::internal)?;
            custom.push((f.id, custom_fields::condition(app, f, raw)?));
        }
        if let Some(s) = &self.stage {
            if !STAGES.contains(&s.as_str()) {
                return Err(Error::field(
                    "stage",
                    format!("取值须为 {}", STAGES.join("/")),
                    format!("must be one of {}", STAGES.join(", ")),
                ));
            }
        }
        if let Some(s) = &self.source {
            if !SOURCES.contains(&s.as_str()) {
                return Err(Error::field(
                    "source",
                    format!("取值须为 {}", SOURCES.join("/")),
                    format!("must be one of {}", SOURCES.join(", ")),
                ));
            }
        }
        if self.birthday_month.is_some_and(|m| !(1..=12).contains(&m)) {
            return Err(Error::field(
                "birthday_month",
                "须为 1–12",
                "must be 1 to 12",
            ));
        }
        let day_start = |field: &str, v: &Option<String>| -> Result<Option<i64>> {
            v.as_deref()
                .map(|d| {
                    chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
                        .ok()
                        .filter(|_| d.len() == 10)
                        .map(|d| app.config.local_midnight_ms(d))
                        .ok_or_else(|| {
                            Error::field(
                                field,
                                "须为 YYYY-MM-DD 格式的日期",
                                "must be a date as YYYY-MM-DD",
                            )
                        })
                })
                .transpose()
        };
        let now = crate::clock::now_ms();
        let day = 86_400_000;
        let lc = &app.config.lifecycle;
        Ok(Checked {
            stage: self.stage.clone(),
            tag_id: self.tag_id,
            store_id: self.store_id,
            consultant_id: self.consultant_id,
            source: self.source.clone(),
            birthday_month: self.birthday_month.map(|m| format!("{m:02}")),
            visited_from_ms: day_start("visited_from", &self.visited_from)?,
            visited_before_ms: day_start("visited_before", &self.visited_before)?,
            custom,
            dormant_before_ms: now - i64::from(lc.dormant_days) * day,
            lost_before_ms: now - i64::from(lc.lost_days) * day,
        })
    }
}
