//! TLS: configured certificate files, or a local CA created on first start that issues the
//! server certificate. A resolver holds the current certificate so it can be swapped (reissued
//! or reloaded from changed files) without a restart.

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
    KeyUsagePurpose, SanType,
};
use rustls::crypto::ring::sign::any_supported_type;
use rustls::pki_types::{pem::PemObject, CertificateDer, PrivateKeyDer};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::SystemTime;

use crate::config::Config;

const SERVER_DAYS: i64 = 397;
const CA_DAYS: i64 = 3650;
/// Reissue the generated server certificate when fewer days than this remain.
const RENEW_DAYS: i64 = 30;

pub fn tls_dir(config: &Config) -> PathBuf {
    config.data_dir.join("tls")
}

pub fn ca_cert_path(config: &Config) -> PathBuf {
    tls_dir(config).join("ca.crt")
}

/// SHA-256 fingerprint of a DER certificate, as browsers show it (AB:CD:...).
pub fn fingerprint(der: &[u8]) -> String {
    Sha256::digest(der)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// Names the generated certificate covers: localhost, loopback, the host name, configured names
/// and the machine's LAN addresses.
pub fn subject_names(config: &Config) -> Vec<String> {
    let mut names = vec![
        "localhost".to_string(),
        "127.0.0.1".to_string(),
        "::1".to_string(),
    ];
    if let Ok(h) = std::fs::read_to_string("/proc/sys/kernel/hostname") {
        let h = h.trim();
        if !h.is_empty() {
            names.push(h.to_string());
        }
    }
    names.extend(config.tls.names.iter().cloned());
    if let Ok(ifaces) = if_addrs::get_if_addrs() {
        names.extend(
            ifaces
                .into_iter()
                .filter(|i| !i.is_loopback())
                .map(|i| i.ip().to_string()),
        );
    }
    let mut seen = std::collections::HashSet::new();
    names.retain(|n| seen.insert(n.clone()));
    names
}

fn write_private(path: &Path, data: &str) -> Result<(), String> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    use std::io::Write;
    let mut f = opts
        .open(path)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    f.write_all(data.as_bytes())
        .and_then(|_| f.sync_all())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

fn days_from_now(days: i64) -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc() + time::Duration::days(days)
}

struct LocalCa {
    params: CertificateParams,
    key: KeyPair,
    cert_pem: String,
}

fn load_or_create_ca(dir: &Path) -> Result<LocalCa, String> {
    let (cert_path, key_path) = (dir.join("ca.crt"), dir.join("ca.key"));
    if cert_path.exists() && key_path.exists() {
        let cert_pem = std::fs::read_to_string(&cert_path)
            .map_err(|e| format!("cannot read {}: {e}", cert_path.display()))?;
        let key_pem = std::fs::read_to_string(&key_path)
            .map_err(|e| format!("cannot read {}: {e}", key_path.display()))?;
        let key =
            KeyPair::from_pem(&key_pem).map_err(|e| format!("{}: {e}", key_path.display()))?;
        let params = CertificateParams::from_ca_cert_pem(&cert_pem)
            .map_err(|e| format!("{}: {e}", cert_path.display()))?;
        return Ok(LocalCa {
            params,
            key,
            cert_pem,
        });
    }
    let mut params = CertificateParams::default();
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params
        .distinguished_name
        .push(DnType::CommonName, "Liyan Local CA");
    params
        .distinguished_name
        .push(DnType::OrganizationName, "Liyan");
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    params.not_before = days_from_now(-1);
    params.not_after = days_from_now(CA_DAYS);
    let key = KeyPair::generate().map_err(|e| e.to_string())?;
    let cert = params
        .clone()
        .self_signed(&key)
        .map_err(|e| e.to_string())?;
    let cert_pem = cert.pem();
    write_private(&key_path, &key.serialize_pem())?;
    std::fs::write(&cert_path, &cert_pem)
        .map_err(|e| format!("cannot write {}: {e}", cert_path.display()))?;
    Ok(LocalCa {
        params,
        key,
        cert_pem,
    })
}

fn issue_server_cert(ca: &LocalCa, names: &[String], dir: &Path) -> Result<(), String> {
    let mut params = CertificateParams::default();
    params.distinguished_name.push(
        DnType::CommonName,
        names.first().cloned().unwrap_or_else(|| "localhost".into()),
    );
    params.subject_alt_names = names
        .iter()
        .filter_map(|n| match n.parse::<std::net::IpAddr>() {
            Ok(ip) => Some(SanType::IpAddress(ip)),
            Err(_) => n.clone().try_into().ok().map(SanType::DnsName),
        })
        .collect();
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
    ];
    params.not_before = days_from_now(-1);
    params.not_after = days_from_now(SERVER_DAYS);
    let key = KeyPair::generate().map_err(|e| e.to_string())?;
    let issuer = ca
        .params
        .clone()
        .self_signed(&ca.key)
        .map_err(|e| e.to_string())?;
    let cert = params
        .signed_by(&key, &issuer, &ca.key)
        .map_err(|e| e.to_string())?;
    write_private(&dir.join("server.key"), &key.serialize_pem())?;
    std::fs::write(dir.join(NAMES_FILE), names.join("\n"))
        .map_err(|e| format!("cannot write {NAMES_FILE}: {e}"))?;
    std::fs::write(
        dir.join("server.crt"),
        format!("{}{}", cert.pem(), ca.cert_pem),
    )
    .map_err(|e| format!("cannot write server.crt: {e}"))
}

fn load_certified_key(cert_path: &Path, key_path: &Path) -> Result<CertifiedKey, String> {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert_path)
        .map_err(|e| format!("cannot read {}: {e}", cert_path.display()))?
        .collect::<Result<_, _>>()
        .map_err(|e| format!("{}: {e}", cert_path.display()))?;
    if certs.is_empty() {
        return Err(format!("{} holds no certificate", cert_path.display()));
    }
    let key = PrivateKeyDer::from_pem_file(key_path)
        .map_err(|e| format!("cannot read key {}: {e}", key_path.display()))?;
    let signing = any_supported_type(&key).map_err(|e| format!("{}: {e}", key_path.display()))?;
    let certified = CertifiedKey::new(certs, signing);
    // A key of another certificate would be served, and every handshake fail without a word.
    match certified.keys_match() {
        Ok(()) | Err(rustls::Error::InconsistentKeys(rustls::InconsistentKeys::Unknown)) => {
            Ok(certified)
        }
        Err(e) => Err(format!(
            "the key {} does not belong to the certificate {} ({e}); configure the key the certificate was issued for \
             / 私钥与证书不匹配，请配置签发该证书时使用的私钥",
            key_path.display(),
            cert_path.display()
        )),
    }
}

/// Days until the leaf certificate of `cert_path` expires (negative when expired).
fn days_left(cert_path: &Path) -> Option<i64> {
    let pem = std::fs::read_to_string(cert_path).ok()?;
    let params = CertificateParams::from_ca_cert_pem(&pem).ok()?;
    Some((params.not_after - time::OffsetDateTime::now_utc()).whole_days())
}

/// Where the certificate comes from and how to refresh it.
pub struct Tls {
    resolver: Arc<Resolver>,
    source: Source,
}

enum Source {
    Files {
        cert: PathBuf,
        key: PathBuf,
        modified: RwLock<Option<SystemTime>>,
    },
    Local {
        dir: PathBuf,
        names: Vec<String>,
    },
}

#[derive(Debug)]
pub struct Resolver(RwLock<Arc<CertifiedKey>>);

impl ResolvesServerCert for Resolver {
    fn resolve(&self, _: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(self.0.read().unwrap_or_else(|e| e.into_inner()).clone())
    }
}

/// The later of two files' modification times: a new pair is picked up whichever is written last.
fn modified(cert: &Path, key: &Path) -> Option<SystemTime> {
    let m = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    m(cert).max(m(key))
}

/// The generated certificate records the names it was issued for, so a change of host name,
/// LAN address or `tls.names` reissues it at the next start.
const NAMES_FILE: &str = "server.names";

fn names_changed(dir: &Path, names: &[String]) -> bool {
    std::fs::read_to_string(dir.join(NAMES_FILE))
        .map(|s| s != names.join("\n"))
        .unwrap_or(true)
}

impl Tls {
    /// Loads the configured files, or creates/loads the local CA and server certificate.
    pub fn prepare(config: &Config) -> Result<Tls, String> {
        let source = match (&config.tls.cert_file, &config.tls.key_file) {
            (Some(cert), Some(key)) => Source::Files {
                cert: cert.clone(),
                key: key.clone(),
                modified: RwLock::new(modified(cert, key)),
            },
            _ => {
                let dir = tls_dir(config);
                std::fs::create_dir_all(&dir)
                    .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
                Source::Local {
                    dir,
                    names: subject_names(config),
                }
            }
        };
        let (cert, key) = match &source {
            Source::Files { cert, key, .. } => (cert.clone(), key.clone()),
            Source::Local { dir, names } => {
                let ca = load_or_create_ca(dir)?;
                if days_left(&dir.join("server.crt")).is_none_or(|d| d < RENEW_DAYS)
                    || !dir.join("server.key").exists()
                    || names_changed(dir, names)
                {
                    issue_server_cert(&ca, names, dir)?;
                }
                (dir.join("server.crt"), dir.join("server.key"))
            }
        };
        let ck = load_certified_key(&cert, &key)?;
        Ok(Tls {
            resolver: Arc::new(Resolver(RwLock::new(Arc::new(ck)))),
            source,
        })
    }

    pub fn server_config(&self) -> rustls::ServerConfig {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut cfg = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("ring supports the default protocol versions")
            .with_no_client_auth()
            .with_cert_resolver(self.resolver.clone());
        cfg.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        cfg
    }

    /// Fingerprints of what is being served (leaf first, then the CA for a local CA).
    pub fn fingerprints(&self) -> Vec<String> {
        self.resolver
            .0
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .cert
            .iter()
            .map(|c| fingerprint(c))
            .collect()
    }

    /// Reissues a local certificate near expiry, or reloads configured files that changed.
    /// Returns true when a new certificate is now served.
    pub fn refresh(&self) -> Result<bool, String> {
        let (cert, key) = match &self.source {
            Source::Files {
                cert,
                key,
                modified: m,
            } => {
                let now = modified(cert, key);
                if now == *m.read().unwrap_or_else(|e| e.into_inner()) {
                    return Ok(false);
                }
                *m.write().unwrap_or_else(|e| e.into_inner()) = now;
                (cert.clone(), key.clone())
            }
            Source::Local { dir, names } => {
                if days_left(&dir.join("server.crt")).is_some_and(|d| d >= RENEW_DAYS) {
                    return Ok(false);
                }
                issue_server_cert(&load_or_create_ca(dir)?, names, dir)?;
                (dir.join("server.crt"), dir.join("server.key"))
            }
        };
        let ck = load_certified_key(&cert, &key)?;
        *self.resolver.0.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(ck);
        Ok(true)
    }
}

/// The CA certificate (PEM) that `serve` made for this data directory.
pub fn ca_pem(config: &Config) -> Result<String, String> {
    if let Some(own) = &config.tls.cert_file {
        return Err(format!(
            "this server uses a certificate of your own ({}): install the CA that issued it, not a local one / \
             已配置自有证书（tls.cert_file），请在前台电脑安装签发该证书的 CA，而非本地 CA",
            own.display()
        ));
    }
    let cert_path = ca_cert_path(config);
    std::fs::read_to_string(&cert_path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::PermissionDenied {
            return crate::app::not_permitted(&config.data_dir);
        }
        format!(
            "no local CA at {}: `liyan serve` creates it on its first start; check --config or --data-dir / \
             此处没有本地 CA（首次运行 liyan serve 时生成），请检查 --config 或 --data-dir",
            cert_path.display()
        )
    })
}

/// Writes the CA that `serve` made for this data directory. Never creates one (a CA no server
/// uses would be trusted on every PC), and never overwrites anything but an earlier export.
pub fn export_ca(config: &Config, dest: &Path) -> Result<String, String> {
    let cert_pem = ca_pem(config)?;
    let inside_data_dir = dest
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .canonicalize()
        .ok()
        .zip(config.data_dir.canonicalize().ok())
        .is_some_and(|(parent, data)| parent.starts_with(data));
    let earlier_export = std::fs::read_to_string(dest)
        .map(|t| t.trim_start().starts_with("-----BEGIN CERTIFICATE-----"))
        .unwrap_or(false);
    if inside_data_dir {
        return Err(format!(
            "will not write {} inside the data directory: choose a file outside it / \
             不会写入数据目录，请指定数据目录之外的文件",
            dest.display()
        ));
    }
    if dest.exists() && !earlier_export {
        return Err(format!(
            "{} already exists and is not an earlier export of the CA: choose a new file name / \
             该文件已存在且不是之前导出的 CA 证书，请指定新的文件名",
            dest.display()
        ));
    }
    std::fs::write(dest, &cert_pem).map_err(|e| format!("cannot write {}: {e}", dest.display()))?;
    let der = CertificateDer::from_pem_slice(cert_pem.as_bytes()).map_err(|e| e.to_string())?;
    Ok(fingerprint(&der))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clinic_certificate_is_refused_with_a_key_of_another() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, text: String| {
            let p = dir.path().join(name);
            std::fs::write(&p, text).unwrap();
            p
        };
        let key = KeyPair::generate().unwrap();
        let other = KeyPair::generate().unwrap();
        let cert = CertificateParams::new(vec!["crm.clinic.lan".into()])
            .unwrap()
            .self_signed(&key)
            .unwrap();
        let cert_file = write("clinic.crt", cert.pem());
        let key_file = write("clinic.key", key.serialize_pem());
        let other_file = write("other.key", other.serialize_pem());
        assert!(load_certified_key(&cert_file, &key_file).is_ok());
        let err = load_certified_key(&cert_file, &other_file).err().unwrap();
        assert!(
            err.contains("does not belong") && err.contains("不匹配"),
            "{err}"
        );
        assert!(
            err.contains("other.key") && err.contains("clinic.crt"),
            "{err}"
        );
    }
}
