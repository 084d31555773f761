//! Typed configuration: built-in defaults < TOML file < `LIYAN_*` environment < command-line flags.
//! Every key is documented with its default in `config.example.toml`.

use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

#[derive(Clone, Debug, Deserialize)]
#[serde(default)]
pub struct Config {
    /// Where the database, keys, certificates and attachments live.
    pub data_dir: PathBuf,
    /// Address the HTTPS server listens on.
    pub listen: SocketAddr,
    /// Log filter in tracing's env-filter syntax.
    pub log: String,
    /// Clinic time zone (reports group by its local day).
    pub timezone: String,
    pub tls: TlsConfig,
    pub auth: AuthConfig,
    pub database: DatabaseConfig,
    pub lifecycle: LifecycleConfig,
}

#[derive(Clone, Debug, Deserialize, Default)]
#[serde(default)]
pub struct TlsConfig {
    /// PEM certificate chain; with `key_file`, replaces the local CA. Reloaded when it changes.
    pub cert_file: Option<PathBuf>,
    pub key_file: Option<PathBuf>,
    /// Extra DNS names or IP addresses for the generated server certificate.
    pub names: Vec<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(default)]
pub struct AuthConfig {
    pub access_token_minutes: u32,
    pub idle_timeout_minutes: u32,
    /// A refresh token used again this long after it was swapped ends its session (copied);
    /// sooner, it is a second browser tab that refreshed at the same moment.
    pub refresh_reuse_grace_seconds: u32,
    pub absolute_timeout_hours: u32,
    pub max_failed_logins: u32,
    pub lockout_minutes: u32,
    /// Failed logins per client IP within a minute before that IP is throttled.
    pub ip_failures_per_minute: u32,
    pub password_min_length: usize,
    /// Roles that must use a TOTP second factor.
    pub require_totp_roles: Vec<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(default)]
pub struct DatabaseConfig {
    pub read_connections: usize,
    pub busy_timeout_ms: u32,
    pub cache_size_kib: u32,
}

/// When a served customer counts as dormant (沉睡) or lost (流失): days since the last visit or
/// purchase.
#[derive(Clone, Debug, Deserialize)]
#[serde(default)]
pub struct LifecycleConfig {
    pub dormant_days: u32,
    pub lost_days: u32,
}

impl Default for LifecycleConfig {
    fn default() -> Self {
        LifecycleConfig {
            dormant_days: 180,
            lost_days: 365,
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            data_dir: PathBuf::from("liyan-data"),
            listen: "0.0.0.0:8443".parse().expect("valid default address"),
            log: "info".into(),
            timezone: "Asia/Shanghai".into(),
            tls: TlsConfig::default(),
            auth: AuthConfig::default(),
            database: DatabaseConfig::default(),
            lifecycle: LifecycleConfig::default(),
        }
    }
}

impl Default for AuthConfig {
    fn default() -> Self {
        AuthConfig {
            access_token_minutes: 15,
            idle_timeout_minutes: 30,
            refresh_reuse_grace_seconds: 30,
            absolute_timeout_hours: 12,
            max_failed_logins: 5,
            lockout_minutes: 30,
            ip_failures_per_minute: 20,
            password_min_length: 8,
            require_totp_roles: Vec::new(),
        }
    }
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        DatabaseConfig {
            read_connections: 4,
            busy_timeout_ms: 5000,
            cache_size_kib: 65536,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source} / 无法读取配置文件")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("config file {path}: {message} / 配置文件有误")]
    Parse { path: PathBuf, message: String },
    #[error("config key `{key}`: {message} / 配置项 `{key}` 有误")]
    Invalid { key: String, message: String },
    #[error("config key `{key}` (set by the environment variable `{var}`): {message} / 环境变量 `{var}` 设置的配置项 `{key}` 有误")]
    InvalidFromEnv {
        key: String,
        var: &'static str,
        message: String,
    },
}

/// Keys an environment variable can set: an error about one names the variable when it was set,
/// since IT would otherwise look for it in liyan.toml (it may be in a systemd drop-in).
const ENV_KEYS: &[(&str, &str)] = &[
    ("data_dir", "LIYAN_DATA_DIR"),
    ("listen", "LIYAN_LISTEN"),
    ("log", "LIYAN_LOG"),
    ("timezone", "LIYAN_TIMEZONE"),
    ("tls.names", "LIYAN_TLS_NAMES"),
];

impl ConfigError {
    fn naming_env(self, is_set: impl Fn(&str) -> bool) -> ConfigError {
        match self {
            ConfigError::Invalid { key, message } => {
                match ENV_KEYS.iter().find(|(k, v)| *k == key && is_set(v)) {
                    Some((_, var)) => ConfigError::InvalidFromEnv { key, var, message },
                    None => ConfigError::Invalid { key, message },
                }
            }
            other => other,
        }
    }
}

fn invalid(key: &str, message: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        key: key.into(),
        message: message.into(),
    }
}

impl Config {
    /// Loads the layered configuration. `file` is `--config`; without it `./liyan.toml` is read
    /// when present.
    /// Returns the config and the unknown keys found in the file, for the caller to warn about
    /// once logging is set up.
    pub fn load(file: Option<&Path>) -> Result<(Config, Vec<String>), ConfigError> {
        let (mut config, unknown) = match file {
            Some(path) => Self::from_file(path)?,
            None if Path::new("liyan.toml").exists() => Self::from_file(Path::new("liyan.toml"))?,
            None => (Config::default(), Vec::new()),
        };
        config.apply_env(|k| std::env::var(k).ok())?;
        config
            .validate()
            .map_err(|e| e.naming_env(|k| std::env::var_os(k).is_some()))?;
        Ok((config, unknown))
    }

    pub fn from_file(path: &Path) -> Result<(Config, Vec<String>), ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.into(),
            source,
        })?;
        Self::from_toml(&text).map_err(|message| ConfigError::Parse {
            path: path.into(),
            message,
        })
    }

    /// Parses TOML; keys Liyan does not know are returned by name (a misspelt key must not pass
    /// unnoticed) rather than refused, so an older binary still starts with a newer file.
    pub fn from_toml(text: &str) -> Result<(Config, Vec<String>), String> {
        // toml draws the line and a caret under it; a one-line message keeps where and what.
        let de = toml::Deserializer::parse(text).map_err(|e| {
            let full = e.to_string();
            let lines: Vec<&str> = full
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect();
            let (at, what) = (lines.first(), lines.last());
            format!("{}: {}", at.unwrap_or(&""), what.unwrap_or(&""))
        })?;
        let mut unknown = Vec::new();
        let mut note = |path: serde_ignored::Path| unknown.push(path.to_string());
        // The key's path comes from serde_path_to_error: toml's own message names the value only.
        let config =
            serde_path_to_error::deserialize(serde_ignored::Deserializer::new(de, &mut note))
                .map_err(|e| {
                    let key = e.path().to_string();
                    let inner: toml::de::Error = e.into_inner();
                    let raw = inner.message().trim();
                    // "expected struct AuthConfig" names a Rust type; staff know it as a section.
                    let what = if raw.contains("expected struct ") {
                        "must be a [section] of keys / 须为一个 [节]".to_string()
                    } else {
                        let (zh, en) = crate::error::plain_words(raw);
                        format!("{en} / {zh}")
                    };
                    match inner
                        .span()
                        .map(|sp| text[..sp.start].lines().count().max(1))
                    {
                        Some(line) => format!("key `{key}` (line {line}): {what}"),
                        None => format!("key `{key}`: {what}"),
                    }
                })?;
        Ok((config, unknown))
    }

    pub fn apply_env(&mut self, get: impl Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
        if let Some(v) = get("LIYAN_DATA_DIR") {
            self.data_dir = PathBuf::from(v);
        }
        if let Some(v) = get("LIYAN_LISTEN") {
            self.listen = v.parse().map_err(|_| {
                invalid(
                    "LIYAN_LISTEN",
                    format!("`{v}` is not an address like 127.0.0.1:9443"),
                )
            })?;
        }
        if let Some(v) = get("LIYAN_LOG") {
            self.log = v;
        }
        if let Some(v) = get("LIYAN_TIMEZONE") {
            self.timezone = v;
        }
        if let Some(v) = get("LIYAN_TLS_NAMES") {
            self.tls.names = v
                .split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect();
        }
        Ok(())
    }

    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.data_dir.as_os_str().is_empty() {
            return Err(invalid("data_dir", "must not be empty"));
        }
        if self.tls.cert_file.is_some() != self.tls.key_file.is_some() {
            return Err(invalid(
                "tls.cert_file",
                "tls.cert_file and tls.key_file must be set together",
            ));
        }
        for name in &self.tls.names {
            if !valid_tls_name(name) {
                return Err(invalid(
                    "tls.names",
                    format!("`{name}` is neither a host name nor an IP address"),
                ));
            }
        }
        let a = &self.auth;
        if a.access_token_minutes == 0 || a.access_token_minutes > 15 {
            return Err(invalid(
                "auth.access_token_minutes",
                "must be between 1 and 15",
            ));
        }
        if a.refresh_reuse_grace_seconds > 300 {
            return Err(invalid(
                "auth.refresh_reuse_grace_seconds",
                "must be between 0 and 300",
            ));
        }
        if a.idle_timeout_minutes == 0 {
            return Err(invalid("auth.idle_timeout_minutes", "must be at least 1"));
        }
        if a.absolute_timeout_hours == 0 {
            return Err(invalid("auth.absolute_timeout_hours", "must be at least 1"));
        }
        if a.max_failed_logins == 0 {
            return Err(invalid("auth.max_failed_logins", "must be at least 1"));
        }
        if a.lockout_minutes == 0 {
            return Err(invalid("auth.lockout_minutes", "must be at least 1"));
        }
        if a.ip_failures_per_minute == 0 {
            // Zero would throttle a whole front desk behind one IP after one mistyped password.
            return Err(invalid("auth.ip_failures_per_minute", "must be at least 1"));
        }
        if a.password_min_length < 8 {
            return Err(invalid("auth.password_min_length", "must be at least 8"));
        }
        for role in &a.require_totp_roles {
            if crate::access::Role::parse(role).is_none() {
                return Err(invalid(
                    "auth.require_totp_roles",
                    format!("unknown role `{role}`"),
                ));
            }
        }
        self.utc_offset_minutes()?;
        if self.database.read_connections == 0 || self.database.read_connections > 64 {
            return Err(invalid(
                "database.read_connections",
                "must be between 1 and 64",
            ));
        }
        if self.database.busy_timeout_ms < 100 {
            return Err(invalid("database.busy_timeout_ms", "must be at least 100"));
        }
        if self.database.cache_size_kib < 1024 {
            return Err(invalid("database.cache_size_kib", "must be at least 1024"));
        }
        let l = &self.lifecycle;
        if l.dormant_days == 0 {
            return Err(invalid("lifecycle.dormant_days", "must be at least 1"));
        }
        if l.lost_days <= l.dormant_days {
            return Err(invalid(
                "lifecycle.lost_days",
                "must be greater than lifecycle.dormant_days",
            ));
        }
        Ok(())
    }

    /// The clinic's offset from UTC. Chinese zones have no daylight saving, so a fixed offset is
    /// exact; other zones are given as `+HH:MM`.
    pub fn utc_offset_minutes(&self) -> Result<i32, ConfigError> {
        match self.timezone.as_str() {
            "Asia/Shanghai" | "Asia/Chongqing" | "Asia/Harbin" | "Asia/Hong_Kong"
            | "Asia/Macau" | "Asia/Taipei" | "PRC" => Ok(480),
            "UTC" => Ok(0),
            tz => {
                let bad = || {
                    invalid("timezone", format!("`{tz}` is not Asia/Shanghai (or another UTC+8 zone), UTC, or an offset like +08:00"))
                };
                let (sign, rest) = match tz.as_bytes().first() {
                    Some(b'+') => (1, &tz[1..]),
                    Some(b'-') => (-1, &tz[1..]),
                    _ => return Err(bad()),
                };
                let (h, m) = rest.split_once(':').ok_or_else(bad)?;
                let (h, m): (i32, i32) =
                    (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
                if h > 14 || m > 59 {
                    return Err(bad());
                }
                Ok(sign * (h * 60 + m))
            }
        }
    }

    /// Today's date in the clinic's time zone.
    pub fn today(&self) -> chrono::NaiveDate {
        let offset = self.utc_offset_minutes().unwrap_or(480);
        (chrono::Utc::now() + chrono::Duration::minutes(offset as i64)).date_naive()
    }

    /// The instant (epoch ms) a local calendar day begins in the clinic's time zone.
    pub fn local_midnight_ms(&self, day: chrono::NaiveDate) -> i64 {
        let offset = self.utc_offset_minutes().unwrap_or(480) as i64;
        day.and_hms_opt(0, 0, 0)
            .expect("midnight exists")
            .and_utc()
            .timestamp_millis()
            - offset * 60_000
    }

    pub fn db_path(&self) -> PathBuf {
        self.data_dir.join("liyan.db")
    }
}

/// A name a certificate can carry: an IP address, or a DNS name of letters, digits and hyphens
/// (labels not starting or ending with a hyphen).
fn valid_tls_name(name: &str) -> bool {
    if name.parse::<std::net::IpAddr>().is_ok() {
        return true;
    }
    !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_key_is_named() {
        let (_, unknown) =
            Config::from_toml("listen = \"127.0.0.1:1\"\nlisen = 1\n[auth]\nlockout = 3").unwrap();
        assert_eq!(
            unknown,
            vec!["auth.lockout".to_string(), "lisen".to_string()]
        );
    }

    #[test]
    fn wrong_type_names_the_key() {
        let err = Config::from_toml("[auth]\nlockout_minutes = \"ten\"").unwrap_err();
        assert!(
            err.starts_with("key `auth.lockout_minutes` (line 2): "),
            "{err}"
        );
        assert!(
            !err.contains('\n') && !err.contains('|'),
            "one line, no source excerpt: {err}"
        );
        let err = Config::from_toml("auth = 5").unwrap_err();
        assert!(err.starts_with("key `auth` (line 1): "), "{err}");
        assert!(!err.contains("AuthConfig"), "no Rust type names: {err}");
    }

    #[test]
    fn env_overrides_file() {
        let (mut c, _) = Config::from_toml("listen = \"127.0.0.1:1000\"\nlog = \"warn\"").unwrap();
        c.apply_env(|k| match k {
            "LIYAN_LISTEN" => Some("127.0.0.1:9443".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(c.listen.port(), 9443);
        assert_eq!(c.log, "warn");
    }

    #[test]
    fn bad_env_value_names_the_key() {
        let mut c = Config::default();
        let err = c
            .apply_env(|k| (k == "LIYAN_LISTEN").then(|| "nope".to_string()))
            .unwrap_err();
        assert!(err.to_string().contains("LIYAN_LISTEN"));
    }

    #[test]
    fn a_bad_value_from_the_environment_names_the_variable() {
        let mut c = Config::default();
        c.apply_env(|k| (k == "LIYAN_TIMEZONE").then(|| "Mars".to_string()))
            .unwrap();
        let err = c
            .validate()
            .unwrap_err()
            .naming_env(|v| v == "LIYAN_TIMEZONE");
        assert!(
            err.to_string()
                .contains("environment variable `LIYAN_TIMEZONE`"),
            "{err}"
        );
        // Set in the file, the key alone is named.
        let err = c.validate().unwrap_err().naming_env(|_| false);
        assert!(!err.to_string().contains("LIYAN_TIMEZONE"), "{err}");
    }

    #[test]
    fn wrong_types_and_syntax_are_said_in_words() {
        let err = Config::from_toml("[auth]\naccess_token_minutes = \"15\"").unwrap_err();
        assert!(
            err.contains("auth.access_token_minutes") && err.contains("line 2"),
            "{err}"
        );
        assert!(
            err.contains("must be a whole number") && err.contains("须为整数"),
            "{err}"
        );
        let err = Config::from_toml("listen = \"localhost\"").unwrap_err();
        assert!(err.contains("must be IP:port like 0.0.0.0:8443"), "{err}");
        let err = Config::from_toml("listen = \"0.0.0.0:8443").unwrap_err();
        assert!(err.starts_with("TOML parse error at line 1"), "{err}");
        assert!(
            !err.contains('^') && !err.contains('|'),
            "no caret picture: {err}"
        );
    }

    #[test]
    fn time_zones() {
        let mut c = Config::default();
        assert_eq!(c.utc_offset_minutes().unwrap(), 480);
        c.timezone = "-03:30".into();
        assert_eq!(c.utc_offset_minutes().unwrap(), -210);
        c.timezone = "Mars/Olympus".into();
        assert!(c.validate().unwrap_err().to_string().contains("timezone"));
    }

    #[test]
    fn certificate_names() {
        for ok in [
            "crm.clinic.lan",
            "liyan",
            "192.168.1.20",
            "fe80::1",
            "a-b.c",
        ] {
            assert!(valid_tls_name(ok), "{ok}");
        }
        for bad in ["bad name", "", "a..b", "-a", "a_b.lan", "诊所.lan"] {
            assert!(!valid_tls_name(bad), "{bad}");
        }
    }

    #[test]
    fn validation_names_the_key() {
        for (toml, key) in [
            (
                "[auth]\naccess_token_minutes = 60",
                "auth.access_token_minutes",
            ),
            ("[auth]\nlockout_minutes = 0", "auth.lockout_minutes"),
            (
                "[auth]\nip_failures_per_minute = 0",
                "auth.ip_failures_per_minute",
            ),
            (
                "[database]\nbusy_timeout_ms = 0",
                "database.busy_timeout_ms",
            ),
            ("[database]\ncache_size_kib = 0", "database.cache_size_kib"),
            ("[tls]\nnames = [\"bad name\"]", "tls.names"),
            ("[tls]\nnames = [\"-x.lan\"]", "tls.names"),
        ] {
            let (c, _) = Config::from_toml(toml).unwrap();
            let err = c.validate().unwrap_err().to_string();
            assert!(err.contains(key), "{toml}: {err}");
        }
    }
}
