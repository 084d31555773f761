//! Money: INTEGER fen in the database, `Decimal` in Rust, a decimal string in JSON.

use rust_decimal::Decimal;
use std::str::FromStr;

/// The largest amount one field may hold: ¥100,000,000.00. No clinic price comes near it, and
/// sums of a bounded number of such amounts stay far inside `i64`.
pub const MAX_FEN: i64 = 10_000_000_000;

/// Parses a non-negative amount of yuan with at most two decimals ("1280", "1280.5", "1280.00"),
/// at most `MAX_FEN`.
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
    let fen = i64::try_from(d.checked_mul(Decimal::from(100))?).ok()?;
    (fen <= MAX_FEN).then_some(fen)
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
        assert_eq!(parse_fen("100000000.00"), Some(MAX_FEN));
        assert_eq!(parse_fen("100000000.01"), None);
        assert_eq!(parse_fen("92233720368547758.07"), None);
        assert_eq!(parse_fen("99999999999999999999999999999"), None);
        assert_eq!(format_fen(128_000), "1280.00");
        assert_eq!(format_fen(5), "0.05");
    }
}
