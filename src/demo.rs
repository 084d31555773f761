//! A realistic demo clinic: two stores, staff in every role, customers with plausible Chinese
//! names (including polyphonic surnames), valid mobiles and 身份证 numbers. Also the seed
//! generator for benchmarks.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::access::Role;
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
        service::seed(app, &actor, &mut batch).map_err(|e| e.to_string())?;
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
