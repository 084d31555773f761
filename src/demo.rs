//! A realistic demo clinic: two stores, staff in every role, customers with plausible Chinese
//! names (including polyphonic surnames), valid mobiles and 身份证 numbers. Also the seed
//! generator for benchmarks.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::access::{CustomKind, Entity, Role, Sensitivity};
use crate::app::App;
use crate::audit::Actor;
use crate::domain::customers::model::{Consent, Customer, CONSENT_VERSION, SKIN_TYPES, SOURCES};
use crate::domain::customers::service;

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "林", "罗", "高", "曾", "单", "区", "解", "仇", "朴", "欧阳", "司马", "上官", "诸葛",
    "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹",
];
const GIVEN: &[&str] = &[
    "丽", "娜", "静", "敏", "婷", "雪", "琳", "欣", "怡", "颖", "佳", "雅", "晶", "倩", "洁", "萍",
    "燕", "芳", "慧", "璐", "梦", "思", "雨", "晓", "嘉", "诗", "瑶", "悦", "可", "蕾", "伟", "强",
    "磊", "杰", "涛", "明", "超", "浩", "宇", "轩",
];
const ALLERGIES: &[&str] = &[
    "青霉素过敏",
    "利多卡因过敏",
    "海鲜过敏",
    "花粉过敏",
    "酒精过敏",
];
const HISTORY: &[&str] = &[
    "2019 年双眼皮手术",
    "高血压，服药控制",
    "甲状腺结节随访中",
    "曾注射玻尿酸（鼻部）",
    "瘢痕体质",
];
const CONCERNS: &[&str] = &[
    "祛斑美白",
    "抗衰紧致",
    "痘印痘坑",
    "毛孔粗大",
    "法令纹",
    "眼袋黑眼圈",
    "面部轮廓",
    "补水保湿",
];
const PREFIXES: &[&str] = &[
    "138", "139", "135", "136", "137", "150", "151", "152", "158", "159", "186", "187", "188",
    "177", "199",
];
const AREAS: &[&str] = &[
    "110105", "310115", "440305", "440106", "330106", "510107", "420106", "320106",
];

pub const DEMO_PASSWORD: &str = "Liyan@2026";

const OCCUPATIONS: &[&str] = &[
    "白领",
    "教师",
    "医护",
    "个体经营",
    "自由职业",
    "学生",
    "公务员",
    "全职妈妈",
];

/// The demo clinic's own fields (自定义字段): the customer's occupation, and whether she is pregnant
/// or nursing (a contraindication for many projects, so health data). Defined before the customers
/// are generated, which fill them.
pub fn define_fields(app: &App) -> Result<(), String> {
    use crate::domain::custom_fields::{define, Field};
    let actor = Actor::system("demo");
    let fields = [
        ("occupation", "职业", CustomKind::Text, Sensitivity::Plain),
        (
            "pregnant_or_nursing",
            "孕期或哺乳期",
            CustomKind::YesNo,
            Sensitivity::Health,
        ),
    ];
    app.db
        .write_sync(|tx| {
            for (key, label, kind, sensitivity) in fields {
                let field = Field {
                    entity: Entity::Customer,
                    key,
                    label: label.into(),
                    kind,
                    sensitivity,
                    options: Vec::new(),
                };
                define(tx, &actor, None, field)?;
            }
            Ok::<_, crate::error::Error>(())
        })
        .map_err(|e| e.to_string())?;
    crate::access::api::reload(app).map_err(|e| e.to_string())
}

fn id_number(rng: &mut StdRng, birthday: chrono::NaiveDate, female: bool) -> String {
    let mut s = format!(
        "{}{}{:02}",
        AREAS[rng.gen_range(0..AREAS.len())],
        birthday.format("%Y%m%d"),
        rng.gen_range(0..100)
    );
    let mut g: u32 = rng.gen_range(0..5) * 2;
    if !female {
        g += 1;
    }
    s.push(char::from_digit(g, 10).expect("digit"));
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = s.bytes().zip(W).map(|(b, w)| (b - b'0') as u32 * w).sum();
    s.push(b"10X98765432"[(sum % 11) as usize] as char);
    s
}

/// One plausible customer; `i` keeps mobiles unique.
pub fn customer(rng: &mut StdRng, i: u64, stores: &[i64], consultants: &[i64]) -> Customer {
    let surname = SURNAMES[rng.gen_range(0..SURNAMES.len())];
    let given: String = (0..rng.gen_range(1..=2))
        .map(|_| GIVEN[rng.gen_range(0..GIVEN.len())])
        .collect();
    let female = rng.gen_bool(0.85);
    let birthday = chrono::NaiveDate::from_ymd_opt(
        rng.gen_range(1965..2005),
        rng.gen_range(1..=12),
        rng.gen_range(1..=28),
    )
    .expect("valid date");
    let prefix = PREFIXES[(i as usize) % PREFIXES.len()];
    // 48271 is coprime to 10^8, so the suffix is a permutation of i: unique, tails spread out.
    let mobile = format!("{prefix}{:08}", (i * 48_271 + 12_345) % 100_000_000);
    let with_id = rng.gen_bool(0.6);
    let stage = pick_stage(rng);
    let health = rng.gen_bool(0.7);
    let now = crate::clock::now_ms();
    let mut custom = crate::domain::custom_fields::Values::new();
    if rng.gen_bool(0.7) {
        let job = OCCUPATIONS[rng.gen_range(0..OCCUPATIONS.len())];
        custom.insert("cf_occupation", job.into());
    }
    if health && female {
        custom.insert("cf_pregnant_or_nursing", rng.gen_bool(0.04).to_string());
    }
    let consent = |on: bool| {
        if on {
            Consent {
                at: Some(now),
                version: Some(CONSENT_VERSION.into()),
            }
        } else {
            Consent::default()
        }
    };
    Customer {
        name: format!("{surname}{given}"),
        gender: if female { "female" } else { "male" }.into(),
        birthday: Some(birthday.format("%Y-%m-%d").to_string()),
        mobile,
        wechat_id: rng
            .gen_bool(0.5)
            .then(|| format!("wx_{:x}", rng.gen::<u32>())),
        id_number: with_id.then(|| id_number(rng, birthday, female)),
        store_id: stores[rng.gen_range(0..stores.len())],
        consultant_id: (!consultants.is_empty() && rng.gen_bool(0.8))
            .then(|| consultants[rng.gen_range(0..consultants.len())]),
        source: Some(SOURCES[rng.gen_range(0..SOURCES.len())].into()),
        skin_type: health.then(|| SKIN_TYPES[rng.gen_range(0..SKIN_TYPES.len())].into()),
        allergies: (health && rng.gen_bool(0.2))
            .then(|| ALLERGIES[rng.gen_range(0..ALLERGIES.len())].into()),
        concerns: Some(CONCERNS[rng.gen_range(0..CONCERNS.len())].into()),
        medical_history: (health && rng.gen_bool(0.15))
            .then(|| HISTORY[rng.gen_range(0..HISTORY.len())].into()),
        notes: None,
        consents: [
            consent(true),
            consent(health),
            consent(rng.gen_bool(0.5)),
            consent(rng.gen_bool(0.3)),
        ],
        stage: stage.into(),
        // Visits spread over the last 500 days, so some served customers show as dormant or lost.
        last_visit_at: (stage != "lead").then(|| now - rng.gen_range(0..500) * DAY_MS),
        // First contact up to a year before, so the customer's past has room.
        created_at: now - rng.gen_range(500..860) * DAY_MS,
        custom,
        ..Default::default()
    }
}

const DAY_MS: i64 = 86_400_000;

/// Stages of a clinic's file: mostly served customers, some open leads.
const STAGE_WEIGHTS: &[(&str, u32)] = &[
    ("lead", 15),
    ("triage", 3),
    ("consultation", 17),
    ("deal", 15),
    ("in_treatment", 20),
    ("repeat", 30),
];

fn pick_stage(rng: &mut StdRng) -> &'static str {
    let total: u32 = STAGE_WEIGHTS.iter().map(|(_, w)| w).sum();
    let mut roll = rng.gen_range(0..total);
    for (stage, w) in STAGE_WEIGHTS {
        if roll < *w {
            return stage;
        }
        roll -= w;
    }
    "lead"
}

/// Inserts `n` generated customers in batches. Returns the mobiles of the first few, for tests.
pub fn seed_customers(
    app: &App,
    n: u64,
    seed: u64,
    stores: &[i64],
    consultants: &[i64],
) -> Result<(), String> {
    let mut rng = StdRng::seed_from_u64(seed);
    // A second stream for the customers' past, so the customers stay what they were.
    let mut rng_story = StdRng::seed_from_u64(seed ^ 0x5EED);
    let actor = Actor::system("seed");
    // Random 身份证 numbers collide at scale (the same birthday, area and sequence); a clinic
    // never has two customers with one, so a repeat is dropped from that customer.
    let mut ids = std::collections::HashSet::new();
    let mut i = 0;
    while i < n {
        let size = (n - i).min(5000);
        let mut batch: Vec<Customer> = (i..i + size)
            .map(|k| {
                let mut c = customer(&mut rng, k, stores, consultants);
                if c.id_number
                    .as_ref()
                    .is_some_and(|id| !ids.insert(id.clone()))
                {
                    c.id_number = None;
                }
                c
            })
            .collect();
        service::seed(app, &actor, &mut batch, |tx, c| {
            story(tx, &actor, &mut rng_story, c, consultants)
        })
        .map_err(|e| e.to_string())?;
        i += size;
    }
    Ok(())
}

/// Demo staff: (username, role, store code, display name).
pub const STAFF: &[(&str, Role, &str, &str)] = &[
    ("admin", Role::Admin, "main", "系统管理员"),
    ("manager", Role::Manager, "main", "林店长"),
    ("consultant", Role::Consultant, "main", "陈咨询"),
    ("doctor", Role::Doctor, "main", "王医生"),
    ("nurse", Role::Nurse, "main", "李护士"),
    ("frontdesk", Role::FrontDesk, "main", "赵前台"),
    ("finance", Role::Finance, "main", "周财务"),
    ("channel", Role::ChannelManager, "main", "吴渠道"),
    ("marketing", Role::Marketing, "main", "郑市场"),
    ("auditor", Role::Auditor, "main", "孙审计"),
    ("partner", Role::Partner, "main", "美丽沙龙"),
    ("frontdesk2", Role::FrontDesk, "east", "钱前台"),
];

/// Projects of the demo price list (DOMAIN.md): name, price range per line in yuan, sessions.
const PROJECTS: &[(&str, u32, u32, u32)] = &[
    ("光子嫩肤", 500, 3000, 3),
    ("皮秒", 3000, 10000, 3),
    ("热玛吉", 8000, 40000, 1),
    ("水光针", 980, 2980, 3),
    ("玻尿酸", 2000, 4000, 1),
    ("肉毒素", 1000, 6000, 1),
    ("果酸焕肤", 300, 1000, 4),
    ("小气泡清洁", 100, 400, 6),
    ("双眼皮", 5000, 20000, 1),
];
const NEEDS: &[&str] = &[
    "面部暗沉，想改善肤色",
    "法令纹明显，咨询填充",
    "脸上有色斑，想祛斑",
    "毛孔粗大、出油多",
    "想做双眼皮，担心恢复期",
    "眼周细纹，咨询抗衰项目",
    "痘印痘坑，想改善",
];

fn plan(rng: &mut StdRng) -> Vec<crate::domain::consultations::model::PlanItem> {
    (0..rng.gen_range(1..=2))
        .map(|_| {
            let (project, lo, hi, sessions) = PROJECTS[rng.gen_range(0..PROJECTS.len())];
            // Prices end in 0 or 80 yuan, as price lists do.
            let yuan = rng.gen_range(lo..=hi) / 10 * 10 + if rng.gen_bool(0.3) { 80 } else { 0 };
            crate::domain::consultations::model::PlanItem {
                project: project.into(),
                sessions,
                price_fen: i64::from(yuan.min(hi)) * 100,
            }
        })
        .collect()
}

/// A generated customer's past, consistent with their stage and last visit: the first contact
/// (sometimes a phone consultation), the arrival, the on-site consultation with a priced plan,
/// the deal, the treatment and the repeat visit, each with its stage change and timeline event.
pub fn story(
    tx: &rusqlite::Connection,
    actor: &Actor,
    rng: &mut StdRng,
    c: &Customer,
    consultants: &[i64],
) -> crate::error::Result<()> {
    use crate::domain::consultations::{self, model::Consultation};
    use crate::domain::customers::lifecycle::rank;
    use crate::domain::timeline::{self, NewEvent};
    let at_least = |stage: &str| rank(&c.stage) >= rank(stage);
    let first = c.created_at;
    let visit = c.last_visit_at.unwrap_or(first);
    // The first visit: a week or so after the first contact, never after the last visit.
    let arrival = (first + rng.gen_range(1..30) * DAY_MS).min(visit);
    let consultant = c.consultant_id.or_else(|| consultants.first().copied());
    let mut steps: Vec<(&str, i64)> = vec![("lead", first)];
    let event = |kind: &str, at: i64, data: serde_json::Map<String, serde_json::Value>| {
        timeline::record_at(
            tx,
            actor,
            at,
            NewEvent {
                customer_id: c.id,
                kind,
                entity: crate::access::Entity::Customer,
                entity_id: Some(c.id),
                data,
            },
        )
    };
    let mut data = serde_json::Map::new();
    data.insert("source".into(), c.source.clone().into());
    event("customer.created", first, data)?;
    let consult = |way: &str, at: i64, outcome: &str, rng: &mut StdRng| {
        let mut k = Consultation {
            customer_id: c.id,
            store_id: c.store_id,
            consultant_id: consultant,
            way: way.into(),
            at,
            needs: Some(NEEDS[rng.gen_range(0..NEEDS.len())].into()),
            plan: if way == "onsite" {
                plan(rng)
            } else {
                Vec::new()
            },
            outcome: outcome.into(),
            created_by: consultant,
            created_at: at,
            updated_at: at,
            ..Default::default()
        };
        consultations::seed(tx, actor, &mut k)
    };
    if rng.gen_bool(0.5) {
        consult("phone", first, "pending", rng)?;
    }
    if at_least("triage") {
        steps.push(("triage", arrival));
        let mut data = serde_json::Map::new();
        data.insert("consultant_id".into(), consultant.into());
        event("customer.arrived", arrival, data)?;
    }
    if at_least("consultation") {
        steps.push(("consultation", arrival + 3_600_000));
        let outcome = if at_least("deal") { "deal" } else { "thinking" };
        consult("onsite", arrival + 3_600_000, outcome, rng)?;
    }
    for (stage, after) in [("deal", 2 * 3_600_000), ("in_treatment", DAY_MS)] {
        if at_least(stage) {
            steps.push((stage, arrival + after));
        }
    }
    if at_least("repeat") {
        let back = visit.max(arrival + 2 * DAY_MS);
        steps.push(("repeat", back));
        consult("onsite", back, "deal", rng)?;
    }
    let mut from = None;
    for (stage, at) in steps {
        service::stage_changed_at(tx, actor, c.id, (from, stage), None, at)?;
        from = Some(stage);
    }
    Ok(())
}
