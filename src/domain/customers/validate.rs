//! Normalising and checking what staff type in: mobiles, 身份证 numbers (GB 11643), dates.

use chrono::{Datelike, NaiveDate};

/// Full-width ASCII (`１３８`, `Ｘ`, `＋`), as a Chinese input method types it, as plain ASCII.
pub fn half_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .collect()
}

/// Strips spaces, dashes and a +86 / 0086 prefix; returns the 11-digit mobile if valid. Full-width
/// digits count as digits.
pub fn normalize_mobile(raw: &str) -> Option<String> {
    let digits: String = half_width(raw)
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '(' | ')' | '\u{3000}'))
        .collect();
    let d = digits
        .strip_prefix("+86")
        .or_else(|| digits.strip_prefix("0086"))
        .unwrap_or(&digits);
    let d = if d.len() == 13 && d.starts_with("86") {
        &d[2..]
    } else {
        d
    };
    let b = d.as_bytes();
    let ok = b.len() == 11
        && b[0] == b'1'
        && (b'3'..=b'9').contains(&b[1])
        && b.iter().all(u8::is_ascii_digit);
    ok.then(|| d.to_string())
}

#[derive(Debug, Clone, PartialEq)]
pub struct IdNumber {
    pub value: String,
    pub birthday: NaiveDate,
    pub gender: &'static str,
}

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: &[u8; 11] = b"10X98765432";

/// A mainland resident identity number: 18 characters, valid birthday, GB 11643 check digit.
pub fn parse_id_number(raw: &str, today: NaiveDate) -> Result<IdNumber, &'static str> {
    let v = half_width(raw.trim()).to_ascii_uppercase();
    let b = v.as_bytes();
    if b.len() != 18
        || !b[..17].iter().all(u8::is_ascii_digit)
        || !(b[17].is_ascii_digit() || b[17] == b'X')
    {
        return Err("length");
    }
    let sum: u32 = b[..17]
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| (d - b'0') as u32 * w)
        .sum();
    if CHECK[(sum % 11) as usize] != b[17] {
        return Err("checksum");
    }
    // The first two digits are the province (GB/T 2260): 11–15, 21–23, 31–37, 41–46, 50–54,
    // 61–65; 71, 81, 82 and 83 are issued to residents of Taiwan, Hong Kong and Macao.
    let province = (b[0] - b'0') * 10 + (b[1] - b'0');
    if !matches!(province, 11..=15 | 21..=23 | 31..=37 | 41..=46 | 50..=54 | 61..=65 | 71 | 81..=83)
    {
        return Err("region");
    }
    let birthday = NaiveDate::parse_from_str(&v[6..14], "%Y%m%d").map_err(|_| "birthday")?;
    if birthday > today || birthday.year() < 1900 {
        return Err("birthday");
    }
    let gender = if (b[16] - b'0') % 2 == 1 {
        "male"
    } else {
        "female"
    };
    Ok(IdNumber {
        value: v,
        birthday,
        gender,
    })
}

pub fn parse_date(raw: &str, today: NaiveDate) -> Option<NaiveDate> {
    if raw.len() != 10 {
        return None;
    }
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .ok()
        .filter(|d| *d <= today && d.year() >= 1900)
}

/// Text too long or holding control characters.
#[derive(Debug)]
pub struct InvalidText;

/// Zero-width characters that show nothing: trimmed from the ends like spaces, so a text of
/// them alone counts as empty.
fn invisible(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}'
        )
}

/// Bidirectional embeddings, overrides and isolates: they make stored text display in another
/// order than it reads (a result shown backwards, a name spoofed).
fn bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Text from a form: trimmed (of invisible characters too), no control characters, at most
/// `max` characters.
pub fn clean_text(raw: &str, max: usize) -> Result<String, InvalidText> {
    let t = raw.trim_matches(invisible);
    if t.chars().count() > max
        || t.chars()
            .any(|c| (c.is_control() && c != '\n') || bidi_control(c))
    {
        return Err(InvalidText);
    }
    Ok(t.to_string())
}

/// A one-line name (a customer's, a tag's, a store's, a user's): `clean_text`'s rules, and no
/// line break or invisible character anywhere. Two names that look alike must be the same text,
/// or duplicate checks, search and uniqueness would tell them apart. Empty stays empty.
pub fn clean_name(raw: &str, max: usize) -> Result<String, InvalidText> {
    let t = clean_text(raw, max)?;
    if t.chars().any(|c| c.is_control() || formatting(c)) {
        return Err(InvalidText);
    }
    Ok(t)
}

/// Characters that shape text without showing: zero-width spaces and joiners, the soft hyphen,
/// word joiners, direction marks, the byte order mark, tag characters.
fn formatting(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{061C}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{FEFF}'
            | '\u{FFF9}'..='\u{FFFB}'
            | '\u{E0000}'..='\u{E007F}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_width_digits_are_digits() {
        assert_eq!(
            normalize_mobile("１３８ ００１３ ８０００").as_deref(),
            Some("13800138000")
        );
        assert_eq!(
            normalize_mobile("＋８６１３８００１３８０００").as_deref(),
            Some("13800138000")
        );
        let id = parse_id_number("１１０１０５１９４９１２３１００２ｘ", today()).unwrap();
        assert_eq!(id.value, "11010519491231002X");
    }

    #[test]
    fn names_are_one_line_without_invisible_characters() {
        assert_eq!(
            clean_name(" 买买提·艾力\u{200B}", 50).unwrap(),
            "买买提·艾力"
        );
        assert_eq!(clean_name("𠮷野家", 50).unwrap(), "𠮷野家");
        for bad in [
            "李\u{200B}四",
            "李\u{00AD}四",
            "李\u{2060}四",
            "李\u{FEFF}四",
            "张\n三",
            "张\t三",
            "李\u{200D}四",
        ] {
            assert!(clean_name(bad, 50).is_err(), "{bad:?}");
        }
        assert_eq!(clean_name("\u{200B}", 50).unwrap(), "");
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    #[test]
    fn text_is_trimmed_of_invisible_characters_and_refuses_direction_overrides() {
        assert_eq!(clean_text("\u{200B} \u{FEFF}", 10).unwrap(), "");
        assert_eq!(clean_text(" 恢复良好\u{200B}\n", 10).unwrap(), "恢复良好");
        // Inside a text a zero-width joiner is part of an emoji, and a line break is kept.
        assert_eq!(
            clean_text("👩\u{200D}⚕️\n第二行", 10).unwrap(),
            "👩\u{200D}⚕️\n第二行"
        );
        assert!(clean_text("\u{202E}回访", 10).is_err());
        assert!(clean_text("回访\u{2067}", 10).is_err());
        assert!(clean_text("a\tb", 10).is_err());
    }

    #[test]
    fn mobiles() {
        assert_eq!(
            normalize_mobile("138 0013 8000").as_deref(),
            Some("13800138000")
        );
        assert_eq!(
            normalize_mobile("+86 138-0013-8000").as_deref(),
            Some("13800138000")
        );
        assert_eq!(
            normalize_mobile("8613800138000").as_deref(),
            Some("13800138000")
        );
        assert_eq!(normalize_mobile("12800138000"), None);
        assert_eq!(normalize_mobile("1380013800"), None);
        assert_eq!(normalize_mobile("1380013800a"), None);
    }

    #[test]
    fn id_numbers() {
        let id = parse_id_number("11010519491231002x", today()).unwrap();
        assert_eq!(id.value, "11010519491231002X");
        assert_eq!(id.birthday, NaiveDate::from_ymd_opt(1949, 12, 31).unwrap());
        assert_eq!(id.gender, "female");
        assert_eq!(
            parse_id_number("110105194912310021", today()),
            Err("checksum")
        );
        assert_eq!(parse_id_number("1101051949123100", today()), Err("length"));
        // A valid check digit on an unknown province code (99).
        let body = "99010519491231002";
        let sum: u32 = body
            .bytes()
            .zip(WEIGHTS)
            .map(|(d, w)| (d - b'0') as u32 * w)
            .sum();
        let id = format!("{body}{}", CHECK[(sum % 11) as usize] as char);
        assert_eq!(parse_id_number(&id, today()), Err("region"));
    }
}
