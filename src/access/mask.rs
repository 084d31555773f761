//! How a masked value looks: `138****5678`, `张*`, `1101**********123X`.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Mask {
    /// No meaningful partial form: a masked value is shown as `***`.
    Hide,
    Name,
    Mobile,
    IdNumber,
    /// Year kept: `1990-**-**`.
    Date,
    Text,
}

pub fn mask(kind: Mask, value: &str) -> String {
    let chars: Vec<char> = value.chars().collect();
    match kind {
        Mask::Name => match chars.first() {
            Some(first) => std::iter::once(*first)
                .chain(std::iter::repeat_n('*', chars.len().clamp(2, 4) - 1))
                .collect(),
            None => String::new(),
        },
        Mask::Mobile if chars.len() >= 7 => {
            format!(
                "{}****{}",
                chars[..3].iter().collect::<String>(),
                chars[chars.len() - 4..].iter().collect::<String>()
            )
        }
        Mask::IdNumber if chars.len() > 8 => format!(
            "{}{}{}",
            chars[..4].iter().collect::<String>(),
            "*".repeat(chars.len() - 8),
            chars[chars.len() - 4..].iter().collect::<String>()
        ),
        Mask::Date if chars.len() == 10 => {
            format!("{}-**-**", chars[..4].iter().collect::<String>())
        }
        _ => "***".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn examples_from_the_design() {
        assert_eq!(mask(Mask::Mobile, "13812345678"), "138****5678");
        assert_eq!(mask(Mask::Name, "张三"), "张*");
        assert_eq!(mask(Mask::Name, "欧阳娜娜"), "欧***");
        assert_eq!(mask(Mask::Name, "买买提·艾力"), "买***");
        assert_eq!(mask(Mask::Name, "𠮷"), "𠮷*");
        assert_eq!(
            mask(Mask::IdNumber, "11010519491231002X"),
            "1101**********002X"
        );
        assert_eq!(mask(Mask::Date, "1990-05-01"), "1990-**-**");
        assert_eq!(mask(Mask::Text, "青霉素"), "***");
    }
}
