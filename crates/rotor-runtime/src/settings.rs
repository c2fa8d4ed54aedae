//! Layered settings: built-in defaults that run on one machine, then a YAML file named by
//! `ROTOR_CONFIG`, then `ROTOR_*` environment variables.
//!
//! A file key is the variable's name without `ROTOR_`, in lower case (`nats_url` for
//! `ROTOR_NATS_URL`). Every value is checked at start; a bad one stops the service with a message
//! that names the setting and says what was expected.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use rotor_bus::BusSettings;
use rotor_secrets::{BaoAuth, DEFAULT_APPROLE_MOUNT, SecretsSettings};

/// A setting that could not be used.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("setting {name}: {reason}")]
pub struct SettingError {
    /// The environment variable name, e.g. `ROTOR_NATS_URL`.
    pub name: String,
    /// What is wrong with the value, e.g. `"abc" is not valid: invalid digit found in string`.
    pub reason: String,
}

/// The raw settings of one process: file values overlaid with the environment.
#[derive(Clone, Debug, Default)]
pub struct Settings {
    values: BTreeMap<String, String>,
}

impl Settings {
    /// Reads `ROTOR_CONFIG` (if set) and the process environment.
    pub fn from_environment() -> Result<Settings, SettingError> {
        let environment: BTreeMap<String, String> = std::env::vars()
            .filter(|(key, _)| key.starts_with("ROTOR_"))
            .collect();
        let file = environment.get("ROTOR_CONFIG").cloned();
        Self::layered(file.map(PathBuf::from), environment)
    }

    /// Settings from a file (optional) overlaid with the given variables.
    pub fn layered(
        file: Option<PathBuf>,
        environment: BTreeMap<String, String>,
    ) -> Result<Settings, SettingError> {
        let mut values = BTreeMap::new();
        if let Some(path) = file {
            let error = |reason: String| SettingError {
                name: "ROTOR_CONFIG".into(),
                reason,
            };
            let text = std::fs::read_to_string(&path)
                .map_err(|e| error(format!("cannot read {}: {e}", path.display())))?;
            let map: BTreeMap<String, serde_yaml::Value> =
                serde_yaml::from_str(&text).map_err(|e| {
                    error(format!(
                        "{} is not a YAML map of settings: {e}",
                        path.display()
                    ))
                })?;
            for (key, value) in map {
                let text = match value {
                    serde_yaml::Value::String(s) => s,
                    serde_yaml::Value::Number(n) => n.to_string(),
                    serde_yaml::Value::Bool(b) => b.to_string(),
                    other => {
                        return Err(error(format!(
                            "{key} in {} must be a string, number or boolean, not {other:?}",
                            path.display()
                        )));
                    }
                };
                values.insert(format!("ROTOR_{}", key.to_ascii_uppercase()), text);
            }
        }
        values.extend(environment);
        Ok(Settings { values })
    }

    /// Settings from explicit pairs only (tests and embedding).
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Settings {
        Settings {
            values: pairs
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    /// Sets (or replaces) one setting.
    pub fn set(&mut self, name: &str, value: impl Into<String>) {
        self.values.insert(name.to_string(), value.into());
    }

    /// Every setting, for handing to a child process as environment variables.
    pub fn pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.values.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// The value of a setting; `None` when it is unset or empty.
    pub fn raw(&self, name: &str) -> Option<&str> {
        self.values
            .get(name)
            .map(|s| s.as_str())
            .filter(|s| !s.is_empty())
    }

    /// The value of a setting, or `default` when it is unset or empty.
    pub fn string(&self, name: &str, default: &str) -> String {
        self.raw(name).unwrap_or(default).to_string()
    }

    /// A value parsed with `FromStr`, or the default when unset.
    pub fn parse<T: FromStr>(&self, name: &str, default: T) -> Result<T, SettingError>
    where
        T::Err: std::fmt::Display,
    {
        match self.raw(name) {
            None => Ok(default),
            Some(text) => text.trim().parse().map_err(|e| SettingError {
                name: name.to_string(),
                reason: format!("{text:?} is not valid: {e}"),
            }),
        }
    }

    /// A positive whole number within `range`.
    pub fn number(
        &self,
        name: &str,
        default: u64,
        range: std::ops::RangeInclusive<u64>,
    ) -> Result<u64, SettingError> {
        let value: u64 = self.parse(name, default)?;
        if !range.contains(&value) {
            return Err(SettingError {
                name: name.into(),
                reason: format!("{value} is outside {}..={}", range.start(), range.end()),
            });
        }
        Ok(value)
    }

    /// A byte limit (as JetStream takes it) within `range`.
    pub fn bytes(
        &self,
        name: &str,
        default: i64,
        range: std::ops::RangeInclusive<u64>,
    ) -> Result<i64, SettingError> {
        Ok(self.number(name, default as u64, range)? as i64)
    }

    /// A duration in whole seconds within `range` (for retentions longer than [`Self::seconds`]
    /// allows).
    pub fn whole_seconds(
        &self,
        name: &str,
        default: Duration,
        range: std::ops::RangeInclusive<u64>,
    ) -> Result<Duration, SettingError> {
        Ok(Duration::from_secs(self.number(
            name,
            default.as_secs(),
            range,
        )?))
    }

    /// A duration in seconds (fractions allowed).
    pub fn seconds(&self, name: &str, default: Duration) -> Result<Duration, SettingError> {
        let value: f64 = self.parse(name, default.as_secs_f64())?;
        if !(0.0..=86_400.0 * 365.0).contains(&value) {
            return Err(SettingError {
                name: name.into(),
                reason: format!("{value} seconds is not a sensible duration"),
            });
        }
        Ok(Duration::from_secs_f64(value))
    }

    /// A lease's length in seconds ([`Settings::seconds`]), at least 1 second: a shorter one
    /// would lapse between two renewals.
    pub fn lease(&self, name: &str, default: Duration) -> Result<Duration, SettingError> {
        let lease = self.seconds(name, default)?;
        if lease < Duration::from_secs(1) {
            return Err(SettingError {
                name: name.into(),
                reason: "must be at least 1 second".into(),
            });
        }
        Ok(lease)
    }

    /// A boolean: `1`, `true`, `yes`, `on` or `0`, `false`, `no`, `off` (any case), or the default
    /// when unset.
    pub fn boolean(&self, name: &str, default: bool) -> Result<bool, SettingError> {
        match self.raw(name).map(|s| s.to_ascii_lowercase()) {
            None => Ok(default),
            Some(v) if ["1", "true", "yes", "on"].contains(&v.as_str()) => Ok(true),
            Some(v) if ["0", "false", "no", "off"].contains(&v.as_str()) => Ok(false),
            Some(v) => Err(SettingError {
                name: name.into(),
                reason: format!("{v:?} is not true or false"),
            }),
        }
    }
}

/// Where the service serves Prometheus metrics (`ROTOR_METRICS_ADDRESS`, `host:port`); `None`
/// (the default) serves none.
pub fn metrics_address(settings: &Settings) -> Result<Option<std::net::SocketAddr>, SettingError> {
    match settings.raw("ROTOR_METRICS_ADDRESS") {
        None => Ok(None),
        Some(text) => text.trim().parse().map(Some).map_err(|e| SettingError {
            name: "ROTOR_METRICS_ADDRESS".into(),
            reason: format!("{text:?} is not an address and port such as 127.0.0.1:9470: {e}"),
        }),
    }
}

/// Settings every service has.
#[derive(Clone, Debug)]
pub struct CommonSettings {
    /// How to reach NATS and shape the topology (`ROTOR_NATS_*`, `ROTOR_JOB_*`, ...).
    pub bus: BusSettings,
    /// `None` when no OpenBao credentials are set (the aggregator needs none); services that
    /// read secrets call [`Self::require_secrets`].
    pub secrets: Option<SecretsSettings>,
    /// The secrets store's address (also known without credentials, for secret references).
    pub bao_address: String,
    /// This copy's name in events and logs (default: service name, host and process id).
    pub instance: String,
    /// How many jobs one copy works on at once.
    pub max_in_flight: usize,
    /// How long shutdown waits for in-flight jobs before handing them back.
    pub shutdown_grace: Duration,
    /// Per SSH command / device stage timeout.
    pub device_timeout: Duration,
    /// The most one SSH command may print (stdout and stderr together) before Rotor stops
    /// reading and fails it (`ROTOR_DEVICE_OUTPUT_MAX_BYTES`).
    pub device_output_max_bytes: usize,
}

/// The default of `ROTOR_DEVICE_OUTPUT_MAX_BYTES`: 16 MiB, several times the `nv config show`
/// of a large switch (a few MiB), small enough that `ROTOR_MAX_IN_FLIGHT` commands cannot
/// exhaust a service's memory.
pub const DEFAULT_DEVICE_OUTPUT_MAX_BYTES: usize = 16 << 20;

impl CommonSettings {
    /// The secrets store settings, or the error a service that needs them reports at start.
    pub fn require_secrets(&self) -> Result<&SecretsSettings, SettingError> {
        self.secrets.as_ref().ok_or_else(|| SettingError {
            name: "ROTOR_BAO_ROLE_ID".into(),
            reason: "is not set: this service reads secrets; set ROTOR_BAO_ROLE_ID and ROTOR_BAO_SECRET_ID_FILE (AppRole), or ROTOR_BAO_TOKEN_FILE".into(),
        })
    }
}

/// How the service logs in to OpenBao: AppRole (`ROTOR_BAO_ROLE_ID`, the secret id in
/// `ROTOR_BAO_SECRET_ID_FILE`), a token (`ROTOR_BAO_TOKEN_FILE`, or `ROTOR_BAO_TOKEN`), or
/// nothing (`None`: a service that needs no secrets). A secret id in the environment is
/// refused; the secret id file must be readable at start (it is read again at every login).
fn bao_auth(settings: &Settings) -> Result<Option<BaoAuth>, SettingError> {
    if settings.raw("ROTOR_BAO_SECRET_ID").is_some() {
        return Err(SettingError {
            name: "ROTOR_BAO_SECRET_ID".into(),
            reason: "a secret id must not be in the environment or a configuration file; put it in a file of its own (mode 0600) and set ROTOR_BAO_SECRET_ID_FILE".into(),
        });
    }
    let token = match (
        settings.raw("ROTOR_BAO_TOKEN"),
        settings.raw("ROTOR_BAO_TOKEN_FILE"),
    ) {
        (Some(token), _) => Some(token.to_string()),
        (None, Some(path)) => Some(
            std::fs::read_to_string(path)
                .map(|t| t.trim().to_string())
                .map_err(|e| SettingError {
                    name: "ROTOR_BAO_TOKEN_FILE".into(),
                    reason: format!("cannot read {path}: {e}"),
                })?,
        ),
        (None, None) => None,
    };
    let role_id = settings.raw("ROTOR_BAO_ROLE_ID");
    let secret_id_file = settings.raw("ROTOR_BAO_SECRET_ID_FILE");
    match (role_id, secret_id_file, token) {
        (None, None, token) => Ok(token.map(|t| BaoAuth::Token(t.into()))),
        (Some(_), Some(_), Some(_)) => Err(SettingError {
            name: "ROTOR_BAO_ROLE_ID".into(),
            reason: "set either an AppRole (ROTOR_BAO_ROLE_ID, ROTOR_BAO_SECRET_ID_FILE) or a token (ROTOR_BAO_TOKEN_FILE), not both".into(),
        }),
        (Some(_), None, _) => Err(SettingError {
            name: "ROTOR_BAO_SECRET_ID_FILE".into(),
            reason: "is not set: ROTOR_BAO_ROLE_ID needs the file holding the role's secret id"
                .into(),
        }),
        (None, Some(_), _) => Err(SettingError {
            name: "ROTOR_BAO_ROLE_ID".into(),
            reason: "is not set: ROTOR_BAO_SECRET_ID_FILE needs the role id it belongs to"
                .into(),
        }),
        (Some(role_id), Some(path), None) => {
            let error = |reason: String| SettingError {
                name: "ROTOR_BAO_SECRET_ID_FILE".into(),
                reason,
            };
            let text = std::fs::read_to_string(path)
                .map_err(|e| error(format!("cannot read {path}: {e}")))?;
            if text.trim().is_empty() {
                return Err(error(format!("{path} is empty")));
            }
            // Only checked here; the client reads it again at each login. Wiped on drop.
            drop(rotor_secrets::Password::new(text));
            Ok(Some(BaoAuth::AppRole {
                mount: settings.string("ROTOR_BAO_APPROLE_MOUNT", DEFAULT_APPROLE_MOUNT),
                role_id: role_id.to_string(),
                secret_id_file: PathBuf::from(path),
            }))
        }
    }
}

/// The default OpenBao address (`ROTOR_BAO_ADDR`), which reaches a `rotor up` stack.
pub const DEFAULT_BAO_ADDR: &str = "http://127.0.0.1:8200";
/// The default NATS URL (`ROTOR_NATS_URL`), which reaches a `rotor up` stack.
pub const DEFAULT_NATS_URL: &str = "nats://127.0.0.1:4222";

impl CommonSettings {
    /// Reads the settings every service has, for the service named `service` (which names its NATS
    /// client and its instance); the first bad value is the error.
    pub fn from_settings(
        service: &str,
        settings: &Settings,
    ) -> Result<CommonSettings, SettingError> {
        let defaults = BusSettings::default();
        let url = settings.string("ROTOR_NATS_URL", DEFAULT_NATS_URL);
        if !url
            .split(',')
            .all(|u| u.trim().starts_with("nats://") || u.trim().starts_with("tls://"))
        {
            return Err(SettingError {
                name: "ROTOR_NATS_URL".into(),
                reason: format!(
                    "{url:?} must be nats://host:port or tls://host:port (comma separated for a cluster)"
                ),
            });
        }
        let bus = BusSettings {
            url,
            client_name: format!("rotor-{service}"),
            user: settings.raw("ROTOR_NATS_USER").map(String::from),
            password: settings.raw("ROTOR_NATS_PASSWORD").map(Into::into),
            credentials_file: settings.raw("ROTOR_NATS_CREDENTIALS").map(PathBuf::from),
            nkey_seed_file: settings.raw("ROTOR_NATS_NKEY_FILE").map(PathBuf::from),
            // Replies below the service's own prefix, the only one its NATS user may read.
            inbox_prefix: Some(rotor_bus::permissions::inbox_prefix(service)),
            tls_ca_file: settings.raw("ROTOR_NATS_TLS_CA").map(PathBuf::from),
            tls_required: settings.boolean("ROTOR_NATS_TLS_REQUIRED", false)?,
            replicas: settings.number("ROTOR_NATS_REPLICAS", 1, 1..=5)? as usize,
            job_ack_wait: settings.seconds("ROTOR_JOB_ACK_WAIT_SECS", defaults.job_ack_wait)?,
            job_max_deliver: settings.number(
                "ROTOR_JOB_MAX_DELIVER",
                defaults.job_max_deliver as u64,
                1..=100,
            )? as i64,
            duplicate_window: settings
                .seconds("ROTOR_DUPLICATE_WINDOW_SECS", defaults.duplicate_window)?,
            event_retention: settings
                .seconds("ROTOR_EVENT_RETENTION_SECS", defaults.event_retention)?,
            // Audits are kept for years: whole seconds, beyond `seconds`' one-year bound.
            audit_retention: settings.whole_seconds(
                "ROTOR_AUDIT_RETENTION_SECS",
                defaults.audit_retention,
                3600..=20 * 365 * 86_400,
            )?,
            audit_max_bytes: settings.bytes(
                "ROTOR_AUDIT_MAX_BYTES",
                defaults.audit_max_bytes,
                (1 << 20)..=(1 << 50),
            )?,
            rejected_max_bytes: settings.bytes(
                "ROTOR_REJECTED_MAX_BYTES",
                defaults.rejected_max_bytes,
                (1 << 20)..=(1 << 40),
            )?,
            request_id_retention: settings.whole_seconds(
                "ROTOR_REQUEST_ID_RETENTION_SECS",
                defaults.request_id_retention,
                3600..=365 * 86_400,
            )?,
            requests_max_bytes: settings.bytes(
                "ROTOR_REQUESTS_MAX_BYTES",
                defaults.requests_max_bytes,
                (64 << 10)..=(1 << 40),
            )?,
            stage_mark_retention: settings.whole_seconds(
                "ROTOR_STAGE_MARK_RETENTION_SECS",
                defaults.stage_mark_retention,
                86_400..=365 * 86_400,
            )?,
            stage_marks_max_bytes: settings.bytes(
                "ROTOR_STAGE_MARKS_MAX_BYTES",
                defaults.stage_marks_max_bytes,
                (1 << 20)..=(1 << 40),
            )?,
            events_max_bytes: settings.bytes(
                "ROTOR_EVENTS_MAX_BYTES",
                defaults.events_max_bytes,
                (1 << 20)..=(1 << 50),
            )?,
            jobs_max_bytes: settings.bytes(
                "ROTOR_JOBS_MAX_BYTES",
                defaults.jobs_max_bytes,
                (1 << 20)..=(1 << 44),
            )?,
            notifications_max_bytes: settings.bytes(
                "ROTOR_NOTIFICATIONS_MAX_BYTES",
                defaults.notifications_max_bytes,
                (1 << 20)..=(1 << 40),
            )?,
            operation_retention: settings.whole_seconds(
                "ROTOR_OPERATION_RETENTION_SECS",
                defaults.operation_retention,
                86_400..=20 * 365 * 86_400,
            )?,
            operations_max_bytes: settings.bytes(
                "ROTOR_OPERATIONS_MAX_BYTES",
                defaults.operations_max_bytes,
                (64 << 10)..=(1 << 44),
            )?,
            backup_retention: settings.whole_seconds(
                "ROTOR_BACKUP_RETENTION_SECS",
                defaults.backup_retention,
                86_400..=20 * 365 * 86_400,
            )?,
            backups_max_bytes: settings.bytes(
                "ROTOR_BACKUPS_MAX_BYTES",
                defaults.backups_max_bytes,
                (1 << 20)..=(1 << 50),
            )?,
            // Longer than any lease (a fabric lock is at most a day), so only records of
            // holders long gone expire.
            lease_record_retention: settings.whole_seconds(
                "ROTOR_LEASE_RECORD_RETENTION_SECS",
                defaults.lease_record_retention,
                2 * 86_400..=365 * 86_400,
            )?,
            state_max_bytes: settings.bytes(
                "ROTOR_STATE_MAX_BYTES",
                defaults.state_max_bytes,
                (1 << 20)..=(1 << 44),
            )?,
            timeout: settings.seconds("ROTOR_NATS_TIMEOUT_SECS", defaults.timeout)?,
        };
        if bus.user.is_some() != bus.password.is_some() {
            return Err(SettingError {
                name: "ROTOR_NATS_USER".into(),
                reason: "ROTOR_NATS_USER and ROTOR_NATS_PASSWORD must be set together".into(),
            });
        }
        let bao_address = settings.string("ROTOR_BAO_ADDR", DEFAULT_BAO_ADDR);
        rotor_secrets::check_address(bao_address.trim_end_matches('/')).map_err(|reason| {
            SettingError {
                name: "ROTOR_BAO_ADDR".into(),
                reason,
            }
        })?;
        let auth = bao_auth(settings)?;
        let ca_file = match settings.raw("ROTOR_BAO_CA_FILE") {
            None => None,
            Some(path) => {
                let error = |reason: String| SettingError {
                    name: "ROTOR_BAO_CA_FILE".into(),
                    reason,
                };
                let pem = std::fs::read_to_string(path)
                    .map_err(|e| error(format!("cannot read {path}: {e}")))?;
                if !pem.contains("-----BEGIN CERTIFICATE-----") {
                    return Err(error(format!("{path} holds no PEM certificate")));
                }
                Some(PathBuf::from(path))
            }
        };
        let bao_timeout = settings.seconds("ROTOR_BAO_TIMEOUT_SECS", Duration::from_secs(10))?;
        let bao_cache = settings.seconds("ROTOR_BAO_CACHE_SECS", Duration::from_secs(300))?;
        let secrets = auth.map(|auth| SecretsSettings {
            address: bao_address.clone(),
            auth,
            ca_file,
            timeout: bao_timeout,
            cache_ttl: bao_cache,
        });
        let instance = settings
            .raw("ROTOR_INSTANCE")
            .map(String::from)
            .unwrap_or_else(|| {
                let host = std::fs::read_to_string("/etc/hostname")
                    .map(|h| h.trim().to_string())
                    .unwrap_or_else(|_| "localhost".into());
                format!("{service}@{host}:{}", std::process::id())
            });
        Ok(CommonSettings {
            bus,
            secrets,
            bao_address,
            instance,
            max_in_flight: settings.number("ROTOR_MAX_IN_FLIGHT", 512, 1..=100_000)? as usize,
            shutdown_grace: settings
                .seconds("ROTOR_SHUTDOWN_GRACE_SECS", Duration::from_secs(30))?,
            device_timeout: settings
                .seconds("ROTOR_DEVICE_TIMEOUT_SECS", Duration::from_secs(60))?,
            device_output_max_bytes: settings.number(
                "ROTOR_DEVICE_OUTPUT_MAX_BYTES",
                DEFAULT_DEVICE_OUTPUT_MAX_BYTES as u64,
                4096..=(1 << 30),
            )? as usize,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_address_is_off_by_default_and_checked() {
        assert_eq!(metrics_address(&Settings::default()), Ok(None));
        let set = Settings::from_pairs([("ROTOR_METRICS_ADDRESS", "127.0.0.1:9470")]);
        assert_eq!(
            metrics_address(&set),
            Ok(Some("127.0.0.1:9470".parse().unwrap()))
        );
        let bad = Settings::from_pairs([("ROTOR_METRICS_ADDRESS", "9470")]);
        let error = metrics_address(&bad).unwrap_err();
        assert_eq!(error.name, "ROTOR_METRICS_ADDRESS");
        assert!(error.reason.contains("\"9470\""), "{error}");
    }

    #[test]
    fn environment_overrides_the_file_and_defaults_apply() {
        let dir = std::env::temp_dir().join(format!("rotor-settings-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("rotor.yaml");
        std::fs::write(
            &file,
            "nats_url: nats://10.0.0.1:4222\nmax_in_flight: 64\nbao_token: from-file\n",
        )
        .unwrap();
        let environment = BTreeMap::from([("ROTOR_MAX_IN_FLIGHT".to_string(), "32".to_string())]);
        let settings = Settings::layered(Some(file), environment).unwrap();
        let common = CommonSettings::from_settings("differ", &settings).unwrap();
        assert_eq!(common.bus.url, "nats://10.0.0.1:4222");
        assert_eq!(common.max_in_flight, 32);
        assert_eq!(common.require_secrets().unwrap().address, DEFAULT_BAO_ADDR);
        assert!(common.instance.starts_with("differ@"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn bad_values_name_the_setting() {
        let base = [("ROTOR_BAO_TOKEN", "t")];
        let check = |pairs: &[(&str, &str)]| {
            let settings = Settings::from_pairs(base.iter().copied().chain(pairs.iter().copied()));
            CommonSettings::from_settings("differ", &settings)
                .unwrap_err()
                .name
        };
        assert_eq!(check(&[("ROTOR_NATS_URL", "http://x")]), "ROTOR_NATS_URL");
        assert_eq!(
            check(&[("ROTOR_MAX_IN_FLIGHT", "lots")]),
            "ROTOR_MAX_IN_FLIGHT"
        );
        assert_eq!(
            check(&[("ROTOR_MAX_IN_FLIGHT", "0")]),
            "ROTOR_MAX_IN_FLIGHT"
        );
        assert_eq!(
            check(&[("ROTOR_NATS_TLS_REQUIRED", "maybe")]),
            "ROTOR_NATS_TLS_REQUIRED"
        );
        assert_eq!(check(&[("ROTOR_NATS_USER", "u")]), "ROTOR_NATS_USER");
        assert_eq!(
            check(&[("ROTOR_DEVICE_OUTPUT_MAX_BYTES", "10")]),
            "ROTOR_DEVICE_OUTPUT_MAX_BYTES"
        );
        assert_eq!(
            check(&[("ROTOR_BAO_ADDR", "127.0.0.1:8200")]),
            "ROTOR_BAO_ADDR"
        );
        let no_token = CommonSettings::from_settings("differ", &Settings::default()).unwrap();
        assert_eq!(
            no_token.require_secrets().unwrap_err().name,
            "ROTOR_BAO_ROLE_ID"
        );
    }

    #[test]
    fn openbao_settings_keep_credentials_off_the_network_and_out_of_the_environment() {
        let dir = std::env::temp_dir().join(format!("rotor-bao-settings-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let secret_id = dir.join("secret-id");
        std::fs::write(&secret_id, "a-secret-id\n").unwrap();
        let secret_id = secret_id.display().to_string();
        let missing = dir.join("missing").display().to_string();
        let error = |pairs: &[(&str, &str)]| {
            CommonSettings::from_settings("differ", &Settings::from_pairs(pairs.iter().copied()))
                .unwrap_err()
        };
        // Plain http:// only on loopback.
        for address in ["http://10.1.2.3:8200", "http://openbao.example:8200"] {
            let refused = error(&[("ROTOR_BAO_ADDR", address), ("ROTOR_BAO_TOKEN", "t")]);
            assert_eq!(refused.name, "ROTOR_BAO_ADDR");
            assert!(refused.to_string().contains("https://"), "{refused}");
        }
        for address in [
            "http://127.0.0.1:8200",
            "http://localhost:8200",
            "http://[::1]:8200",
            "https://openbao.example:8200",
        ] {
            CommonSettings::from_settings(
                "differ",
                &Settings::from_pairs([("ROTOR_BAO_ADDR", address), ("ROTOR_BAO_TOKEN", "t")]),
            )
            .unwrap();
        }
        // AppRole: the secret id in a file that exists, never in the environment.
        assert_eq!(
            error(&[
                ("ROTOR_BAO_ROLE_ID", "r"),
                ("ROTOR_BAO_SECRET_ID_FILE", &missing)
            ])
            .name,
            "ROTOR_BAO_SECRET_ID_FILE"
        );
        assert!(
            error(&[
                ("ROTOR_BAO_ROLE_ID", "r"),
                ("ROTOR_BAO_SECRET_ID_FILE", &missing)
            ])
            .to_string()
            .contains(&missing)
        );
        assert_eq!(
            error(&[("ROTOR_BAO_ROLE_ID", "r")]).name,
            "ROTOR_BAO_SECRET_ID_FILE"
        );
        assert_eq!(
            error(&[("ROTOR_BAO_SECRET_ID_FILE", &secret_id)]).name,
            "ROTOR_BAO_ROLE_ID"
        );
        let in_environment = error(&[
            ("ROTOR_BAO_ROLE_ID", "r"),
            ("ROTOR_BAO_SECRET_ID", "a-secret-id"),
        ]);
        assert_eq!(in_environment.name, "ROTOR_BAO_SECRET_ID");
        assert!(!in_environment.to_string().contains("a-secret-id"));
        assert_eq!(
            error(&[
                ("ROTOR_BAO_ROLE_ID", "r"),
                ("ROTOR_BAO_SECRET_ID_FILE", &secret_id),
                ("ROTOR_BAO_TOKEN", "t"),
            ])
            .name,
            "ROTOR_BAO_ROLE_ID"
        );
        assert_eq!(
            error(&[("ROTOR_BAO_TOKEN", "t"), ("ROTOR_BAO_CA_FILE", &missing)]).name,
            "ROTOR_BAO_CA_FILE"
        );
        let approle = CommonSettings::from_settings(
            "differ",
            &Settings::from_pairs([
                ("ROTOR_BAO_ROLE_ID", "r"),
                ("ROTOR_BAO_SECRET_ID_FILE", secret_id.as_str()),
            ]),
        )
        .unwrap();
        let secrets = approle.require_secrets().unwrap();
        assert!(matches!(&secrets.auth, BaoAuth::AppRole { role_id, .. } if role_id == "r"));
        assert!(!format!("{approle:?}").contains("a-secret-id"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
