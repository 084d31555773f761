//! Quick-search terms: what a customer can be found by, and what a typed query means.

use pinyin::{ToPinyin, ToPinyinMulti};

/// Surnames whose reading differs from the character's common one.
const SURNAMES: &[(char, &str)] = &[
    ('曾', "zeng"),
    ('单', "shan"),
    ('区', "ou"),
    ('解', "xie"),
    ('仇', "qiu"),
    ('朴', "piao"),
    ('查', "zha"),
    ('盖', "ge"),
    ('覃', "qin"),
    ('尉', "yu"),
    ('乐', "yue"),
    ('召', "shao"),
    ('缪', "miao"),
    ('种', "chong"),
    ('秘', "bi"),
];

/// Polyphonic names give several readings; beyond this many combinations the rest are dropped.
const MAX_READINGS: usize = 8;

fn is_han(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3134F)
}

fn readings(c: char, first: bool) -> Vec<String> {
    if c.is_ascii_alphabetic() {
        return vec![c.to_ascii_lowercase().to_string()];
    }
    // A surname reads as the table says, else as the character's common reading: the rare
    // readings the dictionary also lists (邓 as "shan") would make every 邓 a false hit for 单.
    if first {
        if let Some((_, r)) = SURNAMES.iter().find(|(s, _)| *s == c) {
            return vec![r.to_string()];
        }
        if let Some(p) = c.to_pinyin() {
            return vec![p.plain().to_string()];
        }
    }
    let mut out: Vec<String> = Vec::new();
    if let Some(multi) = c.to_pinyin_multi() {
        for p in multi {
            let s = p.plain().to_string();
            if !out.contains(&s) {
                out.push(s);
            }
        }
    }
    out
}

/// Every search term of a customer.
pub fn terms(name: &str, mobile: &str, member_no: &str) -> Vec<String> {
    let mut out = Vec::new();
    let chars: Vec<char> = name
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '·' && *c != '•')
        .map(|c| c.to_ascii_lowercase())
        .collect();
    for (i, c) in chars.iter().enumerate() {
        out.push(format!("n:{c}"));
        if let Some(next) = chars.get(i + 1) {
            out.push(format!("n:{c}{next}"));
        }
    }
    // Pinyin: initials and full spelling for each combination of readings.
    let mut combos: Vec<(String, String)> = vec![(String::new(), String::new())];
    for (i, c) in chars.iter().enumerate() {
        let rs = readings(*c, i == 0);
        if rs.is_empty() {
            continue;
        }
        let mut next = Vec::new();
        for (ini, full) in &combos {
            for r in &rs {
                if next.len() < MAX_READINGS {
                    next.push((format!("{ini}{}", &r[..1]), format!("{full}{r}")));
                }
            }
        }
        combos = next;
    }
    for (ini, full) in combos.into_iter().filter(|(i, _)| !i.is_empty()) {
        out.push(format!("y:{ini}"));
        out.push(format!("y:{full}"));
    }
    out.push(format!("m:{mobile}"));
    out.push(format!("t:{}", &mobile[mobile.len().saturating_sub(4)..]));
    out.push(format!("no:{}", member_no.to_ascii_lowercase()));
    out.sort();
    out.dedup();
    out
}

/// What a typed query looks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Query {
    /// Term equals this.
    Exact { term: String, field: &'static str },
    /// Term starts with this.
    Prefix { term: String, field: &'static str },
    /// A name of three or more characters: candidates by its first two, then a substring check.
    NameSubstring { term: String, needle: String },
    /// A 身份证 number: found through its keyed hash, never stored in clear (see `id_term`).
    IdNumber(String),
}

impl Query {
    /// Whether the query tells nothing about its field beyond what the field's mask shows: a
    /// whole value, a mobile's last 4 digits, or at least its first 7 (as many guesses as the
    /// whole number). A shorter prefix would list numbers in the order of their hidden digits.
    /// Name queries match parts of the name.
    pub fn within_mask(&self) -> bool {
        match self {
            Query::Exact { field, .. } => *field != "name",
            Query::Prefix { term, field } => *field == "mobile" && term.len() - "m:".len() >= 7,
            Query::NameSubstring { .. } => false,
            Query::IdNumber(_) => true,
        }
    }

    /// The customer field the query searches by (refused when hidden from the caller).
    pub fn field(&self) -> &'static str {
        match self {
            Query::Exact { field, .. } | Query::Prefix { field, .. } => field,
            Query::NameSubstring { .. } => "name",
            Query::IdNumber(_) => "id_number",
        }
    }

    /// What the store looks up in the term table.
    pub fn lookup(self, cipher: &crate::crypto::FieldCipher) -> Lookup {
        match self {
            Query::Exact { term, .. } => Lookup::Exact(term),
            Query::Prefix { term, .. } => Lookup::Prefix(term),
            Query::NameSubstring { term, needle } => Lookup::NameSubstring { term, needle },
            Query::IdNumber(v) => Lookup::Exact(id_term(&cipher.lookup_hash("id_number", &v))),
        }
    }
}

/// A query as the term table answers it.
#[derive(Debug, Clone, PartialEq)]
pub enum Lookup {
    Exact(String),
    Prefix(String),
    NameSubstring { term: String, needle: String },
}

/// The search term of a 身份证 number: its keyed hash, so the term table holds no plaintext.
pub fn id_term(lookup_hash: &[u8]) -> String {
    format!("id:{}", hex::encode(lookup_hash))
}

pub fn classify(q: &str) -> Option<Query> {
    let q = super::validate::half_width(q.trim());
    let q = q.as_str();
    // A whole mobile in any form the customer form accepts (+86, 0086, spaces, dashes).
    if let Some(m) = super::validate::normalize_mobile(q) {
        return Some(Query::Exact {
            term: format!("m:{m}"),
            field: "mobile",
        });
    }
    let compact: String = q.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    if !compact.is_empty() && compact.len() <= 11 && compact.bytes().all(|b| b.is_ascii_digit()) {
        return Some(match compact.len() {
            11 => Query::Exact {
                term: format!("m:{compact}"),
                field: "mobile",
            },
            4 => Query::Exact {
                term: format!("t:{compact}"),
                field: "mobile",
            },
            _ => Query::Prefix {
                term: format!("m:{compact}"),
                field: "mobile",
            },
        });
    }
    let id_like = compact.len() == 18 && compact.as_bytes()[..17].iter().all(u8::is_ascii_digit);
    if id_like && matches!(compact.as_bytes()[17], b'0'..=b'9' | b'x' | b'X') {
        return Some(Query::IdNumber(compact.to_ascii_uppercase()));
    }
    if compact.len() >= 2
        && (compact.starts_with('M') || compact.starts_with('m'))
        && compact[1..].bytes().all(|b| b.is_ascii_digit())
    {
        // Member nos are `M` and six digits (`store::next_member_no`): "M297" is M000297.
        return Some(Query::Exact {
            term: format!("no:m{:0>6}", &compact[1..]),
            field: "member_no",
        });
    }
    if !compact.is_empty()
        && compact.len() <= 40
        && compact.bytes().all(|b| b.is_ascii_alphabetic())
    {
        return Some(Query::Prefix {
            term: format!("y:{}", compact.to_ascii_lowercase()),
            field: "name",
        });
    }
    let name: Vec<char> = q
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '·' && *c != '•')
        .collect();
    if !name.is_empty() && name.len() <= 50 && name.iter().all(|c| is_han(*c)) {
        return Some(if name.len() <= 2 {
            Query::Exact {
                term: format!("n:{}", name.iter().collect::<String>()),
                field: "name",
            }
        } else {
            Query::NameSubstring {
                term: format!("n:{}{}", name[0], name[1]),
                needle: name.iter().collect(),
            }
        });
    }
    None
}

/// A search text as the audit log keeps it: a 身份证 number or a mobile (whole, or 7 or more
/// of its digits) masked as the customer page shows them, so the log holds neither in clear.
pub fn for_the_log(q: &str) -> String {
    use crate::access::mask::{mask, Mask};
    let q = q.trim();
    match classify(q) {
        Some(Query::IdNumber(id)) => mask(Mask::IdNumber, &id),
        Some(
            Query::Exact {
                term,
                field: "mobile",
            }
            | Query::Prefix {
                term,
                field: "mobile",
            },
        ) if term.starts_with("m:") && term.len() - 2 >= 7 => mask(Mask::Mobile, &term[2..]),
        _ => q.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn polyphonic_surnames_use_the_surname_reading() {
        let t = terms("曾小红", "13800138000", "M000001");
        assert!(t.contains(&"y:zxh".to_string()), "{t:?}");
        assert!(t.contains(&"y:zengxiaohong".to_string()));
        assert!(!t.iter().any(|x| x.starts_with("y:c")));
        let t = terms("单丽", "13800138000", "M000002");
        assert!(t.contains(&"y:sl".to_string()), "{t:?}");
        let t = terms("区家明", "13800138000", "M000003");
        assert!(t.contains(&"y:ojm".to_string()), "{t:?}");
        // Other surnames take only their common reading.
        let t = terms("邓超", "13800138000", "M000004");
        assert!(t.contains(&"y:dengchao".to_string()), "{t:?}");
        assert!(!t.iter().any(|x| x.starts_with("y:s")), "{t:?}");
    }

    #[test]
    fn name_grams_mobile_and_member_no() {
        let t = terms("买买提·艾力", "13912345678", "M000123");
        for want in [
            "n:买",
            "n:买提",
            "n:提艾",
            "n:艾力",
            "m:13912345678",
            "t:5678",
            "no:m000123",
        ] {
            assert!(t.contains(&want.to_string()), "{want} missing from {t:?}");
        }
    }

    #[test]
    fn four_byte_characters_are_terms_too() {
        let t = terms("𠮷野家", "13912345678", "M1");
        assert!(t.contains(&"n:𠮷".to_string()));
        assert!(t.contains(&"n:𠮷野".to_string()));
    }

    #[test]
    fn a_query_stays_within_a_mask_when_it_tells_nothing_the_mask_hides() {
        let within = |q: &str| classify(q).unwrap().within_mask();
        for q in [
            "13800138000",
            "+86 138-0013-8000",
            "8000",
            "1380013",
            "1380013800",
            "M297",
            "11010519491231002X",
        ] {
            assert!(within(q), "{q}");
        }
        for q in [
            "1380",
            "1",
            "138",
            "13800",
            "138001",
            "张",
            "张三",
            "张三丰",
            "zs",
            "zhangsan",
        ] {
            // "1380" is a last-4 query (allowed); the rest tell hidden digits or parts of a name.
            assert_eq!(within(q), q == "1380", "{q}");
        }
    }

    #[test]
    fn the_log_keeps_no_mobile_or_id_number_in_clear() {
        assert_eq!(for_the_log("110105194912310029"), "1101**********0029");
        assert_eq!(for_the_log("11010519491231002x"), "1101**********002X");
        assert_eq!(for_the_log(" 138-0013-8000 "), "138****8000");
        assert_eq!(for_the_log("1380013"), "138****0013");
        for q in ["张三", "zs", "8000", "138", "M000297"] {
            assert_eq!(for_the_log(q), q);
        }
    }

    #[test]
    fn query_kinds() {
        assert_eq!(
            classify("13800138000"),
            Some(Query::Exact {
                term: "m:13800138000".into(),
                field: "mobile"
            })
        );
        assert_eq!(
            classify("138 0013 8000"),
            Some(Query::Exact {
                term: "m:13800138000".into(),
                field: "mobile"
            })
        );
        assert_eq!(
            classify("8000"),
            Some(Query::Exact {
                term: "t:8000".into(),
                field: "mobile"
            })
        );
        assert_eq!(
            classify("1380"),
            Some(Query::Exact {
                term: "t:1380".into(),
                field: "mobile"
            })
        );
        assert_eq!(
            classify("13800"),
            Some(Query::Prefix {
                term: "m:13800".into(),
                field: "mobile"
            })
        );
        assert_eq!(
            classify("ZS"),
            Some(Query::Prefix {
                term: "y:zs".into(),
                field: "name"
            })
        );
        for q in ["M000123", "m123", "M0123"] {
            assert_eq!(
                classify(q),
                Some(Query::Exact {
                    term: "no:m000123".into(),
                    field: "member_no"
                }),
                "{q}"
            );
        }
        assert_eq!(
            classify("张"),
            Some(Query::Exact {
                term: "n:张".into(),
                field: "name"
            })
        );
        assert_eq!(
            classify("欧阳娜"),
            Some(Query::NameSubstring {
                term: "n:欧阳".into(),
                needle: "欧阳娜".into()
            })
        );
        assert_eq!(
            classify("11010519491231002x"),
            Some(Query::IdNumber("11010519491231002X".into()))
        );
        assert_eq!(classify("' OR 1=1 --"), None);
        assert_eq!(classify(""), None);
    }
}
