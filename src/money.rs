//! Money: INTEGER fen in the database, `Decimal` in Rust, a decimal string in JSON.

use rust_decimal::Decimal;
use std::str::FromStr;

/// Parses a non-negative amount of yuan with at most two decimals ("1280", "1280.5", "1280.00").
pub fn parse_fen(raw: &str) -> Option<i64> {
    let raw = raw.trim();
    // Plain digits only: no sign, exponent or separators.
    if raw.is_empty() || !raw.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return None;
    }
    let d = Decimal::from_str(raw).ok()?;
    if d.is_sign_negative() || d.scale() > 2 {
        return None;
    }
    i64::try_from(d * Decimal::from(100)).ok()
}

/// Fen as the decimal string the API shows: 128000 → "1280.00".
pub fn format_fen(fen: i64) -> String {
    Decimal::new(fen, 2).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yuan_strings_round_trip_exactly() {
        assert_eq!(parse_fen("1280"), Some(128_000));
        assert_eq!(parse_fen("0.1"), Some(10));
        assert_eq!(parse_fen(" 19999.99 "), Some(1_999_999));
        assert_eq!(parse_fen("1.005"), None);
        assert_eq!(parse_fen("-1"), None);
        assert_eq!(parse_fen("1e3"), None);
        assert_eq!(format_fen(128_000), "1280.00");
        assert_eq!(format_fen(5), "0.05");
    }
}
