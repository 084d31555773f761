//! Password hashing (argon2id) and the password rules (等保 level 2: length, character classes,
//! not the user name).

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;

use crate::error::{Error, Result};

pub fn hash(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 with default params")
        .to_string()
}

pub fn verify(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A hash of a password nobody knows, verified against when the user does not exist so that
/// the reply takes as long as for a real account.
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash("liyan-no-such-user-Aa1!"))
}

/// Checks the rules; `field` names the form field in the error.
pub fn check_strength(field: &str, password: &str, username: &str, min_len: usize) -> Result<()> {
    let len = password.chars().count();
    if len < min_len {
        return Err(Error::field(
            field,
            format!("密码至少 {min_len} 位"),
            format!("must be at least {min_len} characters"),
        ));
    }
    if len > 128 {
        return Err(Error::field(
            field,
            "密码不能超过 128 位",
            "must be at most 128 characters",
        ));
    }
    let classes = [
        password.chars().any(|c| c.is_ascii_lowercase()),
        password.chars().any(|c| c.is_ascii_uppercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_ascii_alphanumeric()),
    ];
    if classes.iter().filter(|x| **x).count() < 3 {
        return Err(Error::field(
            field,
            "密码须包含小写字母、大写字母、数字、符号中的至少三类",
            "must mix at least three of: lower-case, upper-case, digits, symbols",
        ));
    }
    if !username.is_empty() && password.to_lowercase().contains(&username.to_lowercase()) {
        return Err(Error::field(
            field,
            "密码不能包含用户名",
            "must not contain the user name",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_verifies_only_the_same_password() {
        let h = hash("Secret-123");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("Secret-123", &h));
        assert!(!verify("Secret-124", &h));
        assert!(!verify("x", "not a hash"));
    }

    #[test]
    fn strength_rules() {
        assert!(check_strength("p", "Abcdef1!", "zhang", 8).is_ok());
        assert!(check_strength("p", "abcdefg1", "zhang", 8).is_err()); // two classes
        assert!(check_strength("p", "Ab1!", "zhang", 8).is_err()); // short
        assert!(check_strength("p", "Zhang-2026", "zhang", 8).is_err()); // user name
        assert!(check_strength("p", "密码Abc12345", "li", 8).is_ok());
    }
}
