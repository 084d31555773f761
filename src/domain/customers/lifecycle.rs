//! Lifecycle stages: 网电咨询 → 分诊 → 现场咨询 → 成交 → 治疗中 → 复购 → 沉睡 → 流失.
//!
//! The stored stage is what people and events set. Dormant and lost are also derived when the
//! customer is read, from the last visit or purchase and the thresholds in `[lifecycle]`, so
//! nothing has to run at night for a customer to become dormant.

use crate::config::LifecycleConfig;

pub const STAGES: &[&str] = &[
    "lead",
    "triage",
    "consultation",
    "deal",
    "in_treatment",
    "repeat",
    "dormant",
    "lost",
];

const DAY_MS: i64 = 86_400_000;

/// The stage a customer is shown in.
pub fn effective<'a>(
    stored: &'a str,
    last_visit_at: Option<i64>,
    last_purchase_at: Option<i64>,
    cfg: &LifecycleConfig,
    now: i64,
) -> &'a str {
    let Some(last) = last_visit_at.max(last_purchase_at) else {
        // Never came, never bought: a lead stays a lead until someone closes it.
        return stored;
    };
    let idle_days = (now - last) / DAY_MS;
    if stored == "lost" || idle_days >= i64::from(cfg.lost_days) {
        "lost"
    } else if stored == "dormant" || idle_days >= i64::from(cfg.dormant_days) {
        "dormant"
    } else {
        stored
    }
}

/// Position in the pipeline; an event only ever moves a customer forward (a consultation does not
/// send a customer in treatment back to 现场咨询). People may set any stage.
pub fn rank(stage: &str) -> usize {
    STAGES.iter().position(|s| *s == stage).unwrap_or(0)
}

/// The stage an event moves the customer to, if it moves them at all. Coming back after being
/// dormant or lost counts as a repeat visit.
pub fn advance(current: &str, to: &'static str) -> Option<&'static str> {
    match current {
        "dormant" | "lost" if rank(to) >= rank("deal") => Some("repeat"),
        "dormant" | "lost" => Some(to),
        _ if rank(to) > rank(current) => Some(to),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CFG: LifecycleConfig = LifecycleConfig {
        dormant_days: 180,
        lost_days: 365,
    };

    #[test]
    fn dormant_and_lost_follow_the_last_visit_or_purchase() {
        let now = 1_000 * DAY_MS;
        let ago = |d: i64| Some(now - d * DAY_MS);
        assert_eq!(effective("lead", None, None, &CFG, now), "lead");
        assert_eq!(effective("deal", ago(179), None, &CFG, now), "deal");
        assert_eq!(effective("deal", ago(180), None, &CFG, now), "dormant");
        assert_eq!(
            effective("repeat", ago(400), ago(200), &CFG, now),
            "dormant"
        );
        assert_eq!(effective("repeat", ago(365), None, &CFG, now), "lost");
        assert_eq!(effective("lost", ago(1), None, &CFG, now), "lost");
    }

    #[test]
    fn events_move_forward_only() {
        assert_eq!(advance("lead", "triage"), Some("triage"));
        assert_eq!(advance("in_treatment", "consultation"), None);
        assert_eq!(advance("deal", "deal"), None);
        assert_eq!(advance("dormant", "deal"), Some("repeat"));
        assert_eq!(advance("lost", "triage"), Some("triage"));
    }
}
