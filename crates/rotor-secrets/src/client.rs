//! OpenBao / HashiCorp Vault KV v2, through vaultrs.
//!
//! Each secret is a KV v2 entry whose data is `{"password": "..."}`; its versions are the
//! password's history. Reads of a given version are cached for a short while, since versions
//! never change and a fabric of thousands of devices shares a handful of them.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rotor_proto::v1::SecretReference;
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use vaultrs::client::{VaultClient, VaultClientSettingsBuilder};
use vaultrs::error::ClientError;

use crate::Password;
use crate::session::{BaoAuth, Session};

/// How to reach the secrets store. `Debug` never shows a token.
#[derive(Clone, Debug)]
pub struct SecretsSettings {
    /// e.g. `https://openbao.example:8200`; `http://` only to a loopback host
    /// ([`check_address`]).
    pub address: String,
    /// How the service proves itself: a token, or an AppRole login.
    pub auth: BaoAuth,
    /// A PEM file of CA certificates to trust for `https://` (`ROTOR_BAO_CA_FILE`), besides
    /// the system's.
    pub ca_file: Option<PathBuf>,
    /// How long one request to the store may take.
    pub timeout: Duration,
    /// How long a read version stays in memory (0 disables the cache).
    pub cache_ttl: Duration,
}

impl SecretsSettings {
    /// Settings for the store at `address` with `token`: a 10 s request timeout and a 300 s cache.
    pub fn new(address: impl Into<String>, token: impl Into<String>) -> SecretsSettings {
        Self::with_auth(address, BaoAuth::Token(SecretString::from(token.into())))
    }

    /// Settings for the store at `address`, logging in with AppRole (mount `approle`) as
    /// `role_id` with the secret id in `secret_id_file`.
    pub fn approle(
        address: impl Into<String>,
        role_id: impl Into<String>,
        secret_id_file: impl Into<PathBuf>,
    ) -> SecretsSettings {
        Self::with_auth(
            address,
            BaoAuth::AppRole {
                mount: DEFAULT_APPROLE_MOUNT.to_string(),
                role_id: role_id.into(),
                secret_id_file: secret_id_file.into(),
            },
        )
    }

    fn with_auth(address: impl Into<String>, auth: BaoAuth) -> SecretsSettings {
        SecretsSettings {
            address: address.into(),
            auth,
            ca_file: None,
            timeout: Duration::from_secs(10),
            cache_ttl: Duration::from_secs(300),
        }
    }
}

/// Where the AppRole auth method is mounted unless told otherwise.
pub const DEFAULT_APPROLE_MOUNT: &str = "approle";

/// Checks a store address: `https://`, or `http://` to a loopback host only (127.0.0.0/8, ::1,
/// `localhost`), since a token must not cross a network in clear. The error says what is wrong.
pub fn check_address(address: &str) -> Result<url::Url, String> {
    let parsed = url::Url::parse(address).map_err(|e| format!("{address:?} is not a URL: {e}"))?;
    match parsed.scheme() {
        "https" => Ok(parsed),
        "http" => {
            let loopback = match parsed.host() {
                Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
                Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
                Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
                None => false,
            };
            if loopback {
                Ok(parsed)
            } else {
                Err(format!(
                    "{address:?} is plain http:// to a host beyond loopback: tokens and passwords would cross the network in clear; use https:// (and ROTOR_BAO_CA_FILE for a private CA)"
                ))
            }
        }
        _ => Err(format!(
            "{address:?} must start with https:// (or http:// on loopback)"
        )),
    }
}

/// What can go wrong with the secrets store. Messages name the store and the path, never a value.
#[derive(Debug, thiserror::Error)]
pub enum SecretsError {
    /// The configured address is not a usable URL, or the HTTP client cannot be built for it.
    #[error("invalid secrets store address {address:?}: {reason}")]
    Address {
        /// The address as configured.
        address: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The store cannot be reached, or did not answer in time (transient).
    #[error("the secrets store at {address} cannot be reached: {reason}")]
    Unavailable {
        /// The store's address.
        address: String,
        /// What the HTTP client said.
        reason: String,
    },
    /// The store refused the token (HTTP 403).
    #[error(
        "the secrets store at {address} refused {what} (permission denied); check the service's credentials (ROTOR_BAO_ROLE_ID and ROTOR_BAO_SECRET_ID_FILE, or ROTOR_BAO_TOKEN_FILE) and its policy (deploy/openbao/)"
    )]
    PermissionDenied {
        /// The store's address.
        address: String,
        /// What was being done, e.g. `token lookup` or a read of a path.
        what: String,
    },
    /// The secret exists but not in this version (or the version was deleted).
    #[error("{mount}/{path} has no version {version} in the secrets store")]
    VersionNotFound {
        /// The KV v2 mount.
        mount: String,
        /// The secret's path under the mount.
        path: String,
        /// The version asked for.
        version: u32,
    },
    /// The store refused the service's credentials: an AppRole login (role id, secret id) or
    /// the given token's lookup.
    #[error(
        "the secrets store at {address} refused this service's credentials: {reason}; check ROTOR_BAO_ROLE_ID and ROTOR_BAO_SECRET_ID_FILE (or ROTOR_BAO_TOKEN_FILE)"
    )]
    LoginRefused {
        /// The store's address.
        address: String,
        /// The HTTP status and the store's messages.
        reason: String,
    },
    /// The service's own credentials cannot be read (the secret id file).
    #[error("{reason}")]
    Credentials {
        /// What is wrong, naming the file and the setting.
        reason: String,
    },
    /// There is no secret at this path.
    #[error("{mount}/{path} does not exist in the secrets store")]
    NotFound {
        /// The KV v2 mount.
        mount: String,
        /// The secret's path under the mount.
        path: String,
    },
    /// The version exists but holds no `password` field, so it is not one Rotor can use.
    #[error("{mount}/{path} version {version} has no \"password\" field")]
    Malformed {
        /// The KV v2 mount.
        mount: String,
        /// The secret's path under the mount.
        path: String,
        /// The version read.
        version: u32,
    },
    /// The store answered with another error (transient: it may be sealed or overloaded).
    #[error("the secrets store at {address} failed on {what}: {reason}")]
    Server {
        /// The store's address.
        address: String,
        /// What was being done.
        what: String,
        /// The HTTP status and the store's error messages.
        reason: String,
    },
}

impl SecretsError {
    /// Whether trying again later may help (the store was down or overloaded).
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            SecretsError::Unavailable { .. } | SecretsError::Server { .. }
        )
    }
}

/// One version of a secret, as listed by [`SecretsClient::versions`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecretVersion {
    /// The version number (KV v2 versions start at 1).
    pub version: u32,
    /// When the version was written, in RFC 3339 as the store reports it.
    pub created_time: String,
    /// Deleted or destroyed versions cannot be read.
    pub readable: bool,
}

#[derive(Serialize, Deserialize)]
struct SecretData {
    password: String,
}

impl Drop for SecretData {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.password);
    }
}

type CacheKey = (String, String, u32);

/// A client of the secrets store, cheap to clone.
#[derive(Clone)]
pub struct SecretsClient {
    session: Arc<Session>,
    address: String,
    cache_ttl: Duration,
    cache: Arc<Mutex<HashMap<CacheKey, (Instant, Password)>>>,
}

impl std::fmt::Debug for SecretsClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretsClient")
            .field("address", &self.address)
            .finish_non_exhaustive()
    }
}

impl SecretsClient {
    /// Builds a client without contacting the store.
    pub fn new(settings: &SecretsSettings) -> Result<SecretsClient, SecretsError> {
        // The HTTP client is built without a TLS backend of its own; use ring, as NATS does.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let address = settings.address.trim_end_matches('/').to_string();
        check_address(&address).map_err(|reason| SecretsError::Address {
            address: address.clone(),
            reason,
        })?;
        // Every setting explicit: vaultrs would otherwise take VAULT_TOKEN, VAULT_CACERT and
        // VAULT_SKIP_VERIFY from the environment. The token is set per session.
        let vault_settings = VaultClientSettingsBuilder::default()
            .address(&address)
            .token("")
            .verify(true)
            .ca_certs(
                settings
                    .ca_file
                    .iter()
                    .map(|path| path.display().to_string())
                    .collect(),
            )
            .timeout(Some(settings.timeout))
            .build()
            .map_err(|e| SecretsError::Address {
                address: address.clone(),
                reason: e.to_string(),
            })?;
        let client = VaultClient::new(vault_settings).map_err(|e| SecretsError::Address {
            address: address.clone(),
            reason: e.to_string(),
        })?;
        Ok(SecretsClient {
            session: Session::new(address.clone(), settings.auth.clone(), client),
            address,
            cache_ttl: settings.cache_ttl,
            cache: Arc::default(),
        })
    }

    /// Builds a client and checks that the store answers and accepts the token.
    pub async fn connect(settings: &SecretsSettings) -> Result<SecretsClient, SecretsError> {
        let client = Self::new(settings)?;
        client.check().await?;
        Ok(client)
    }

    /// Checks that the store is up and the token is valid (logging in first with AppRole).
    pub async fn check(&self) -> Result<(), SecretsError> {
        self.call_as("lookup_self", |client| async move {
            vaultrs::token::lookup_self(client.as_ref()).await
        })
        .await?
        .map(|_| ())
        .map_err(|e| self.classify(e, "the token lookup", None))
    }

    /// How many times this client (and its clones) logged in with AppRole so far.
    pub fn logins(&self) -> u64 {
        self.session.logins()
    }

    /// How many times this client (and its clones) renewed its token so far.
    pub fn renewals(&self) -> u64 {
        self.session.renewals()
    }

    /// Runs an administrative request with the session's token (see [`Session::call`]).
    pub(crate) async fn call<T, F, Fut>(
        &self,
        request: F,
    ) -> Result<Result<T, ClientError>, SecretsError>
    where
        F: Fn(Arc<VaultClient>) -> Fut,
        Fut: Future<Output = Result<T, ClientError>>,
    {
        self.call_as("admin", request).await
    }

    /// Runs a request with the session's token (see [`Session::call`]), counted in
    /// `rotor_openbao_request_duration_seconds{operation}` and, when it fails, in
    /// `rotor_openbao_request_errors_total{operation}` (a 404 is an answer, not an error).
    pub(crate) async fn call_as<T, F, Fut>(
        &self,
        operation: &'static str,
        request: F,
    ) -> Result<Result<T, ClientError>, SecretsError>
    where
        F: Fn(Arc<VaultClient>) -> Fut,
        Fut: Future<Output = Result<T, ClientError>>,
    {
        let started = Instant::now();
        let result = self.session.call(request).await;
        let ok = matches!(
            &result,
            Ok(Ok(_))
                | Ok(Err(ClientError::APIError { code: 404, .. }))
                | Ok(Err(ClientError::RestClientError {
                    source: rustify::errors::ClientError::ServerResponseError { code: 404, .. },
                }))
        );
        rotor_metrics::metrics().openbao_call(operation, started, ok);
        result
    }

    /// The store's address, as configured (for messages).
    pub fn address(&self) -> &str {
        &self.address
    }

    /// A reference to a version, as it appears in statuses and events.
    pub fn reference(&self, mount: &str, path: &str, version: u32) -> SecretReference {
        reference(&self.address, mount, path, version)
    }

    pub(crate) fn classify(
        &self,
        error: ClientError,
        what: &str,
        target: Option<(&str, &str, u32)>,
    ) -> SecretsError {
        match error {
            ClientError::APIError { code: 403, .. } => SecretsError::PermissionDenied {
                address: self.address.clone(),
                what: what.to_string(),
            },
            ClientError::APIError { code: 404, .. } => match target {
                Some((mount, path, 0)) => SecretsError::NotFound {
                    mount: mount.into(),
                    path: path.into(),
                },
                Some((mount, path, version)) => SecretsError::VersionNotFound {
                    mount: mount.into(),
                    path: path.into(),
                    version,
                },
                None => SecretsError::Server {
                    address: self.address.clone(),
                    what: what.into(),
                    reason: "not found".into(),
                },
            },
            ClientError::APIError { code, errors } => SecretsError::Server {
                address: self.address.clone(),
                what: what.into(),
                reason: format!("status {code}: {}", errors.join("; ")),
            },
            // A 404 without an error list (KV v2 answers so for a deleted or destroyed version,
            // with its metadata in the body): not found, not unreachable.
            ClientError::RestClientError {
                source: rustify::errors::ClientError::ServerResponseError { code: 404, .. },
            } => self.classify(
                ClientError::APIError {
                    code: 404,
                    errors: Vec::new(),
                },
                what,
                target,
            ),
            ClientError::RestClientError { source } => SecretsError::Unavailable {
                address: self.address.clone(),
                reason: source_chain(&source),
            },
            other => SecretsError::Server {
                address: self.address.clone(),
                what: what.into(),
                reason: other.to_string(),
            },
        }
    }

    /// Reads a version (`None`: the newest) and returns it with its version number.
    pub async fn read(
        &self,
        mount: &str,
        path: &str,
        version: Option<u32>,
    ) -> Result<(Password, u32), SecretsError> {
        let version =
            match version {
                Some(version) => version,
                None => self.newest_version(mount, path).await?.ok_or_else(|| {
                    SecretsError::NotFound {
                        mount: mount.into(),
                        path: path.into(),
                    }
                })?,
            };
        let key = (mount.to_string(), path.to_string(), version);
        if !self.cache_ttl.is_zero()
            && let Some((read_at, password)) = self.cache.lock().unwrap().get(&key)
            && read_at.elapsed() < self.cache_ttl
        {
            return Ok((password.clone(), version));
        }
        let data: SecretData = self
            .call_as("read", |client| async move {
                vaultrs::kv2::read_version(client.as_ref(), mount, path, version as u64).await
            })
            .await?
            .map_err(|e| {
                self.classify(
                    e,
                    &format!("reading {mount}/{path}"),
                    Some((mount, path, version)),
                )
            })?;
        if data.password.is_empty() {
            return Err(SecretsError::Malformed {
                mount: mount.into(),
                path: path.into(),
                version,
            });
        }
        let password = Password::new(data.password.clone());
        if !self.cache_ttl.is_zero() {
            let mut cache = self.cache.lock().unwrap();
            cache.retain(|_, (read_at, _)| read_at.elapsed() < self.cache_ttl);
            cache.insert(key, (Instant::now(), password.clone()));
        }
        Ok((password, version))
    }

    /// Writes a new version and returns its number.
    pub async fn write(
        &self,
        mount: &str,
        path: &str,
        password: &Password,
    ) -> Result<u32, SecretsError> {
        let data = SecretData {
            password: password.expose().to_string(),
        };
        let data = &data;
        let metadata = self
            .call_as("write", |client| async move {
                vaultrs::kv2::set(client.as_ref(), mount, path, data).await
            })
            .await?
            .map_err(|e| {
                self.classify(
                    e,
                    &format!("writing {mount}/{path}"),
                    Some((mount, path, 0)),
                )
            })?;
        Ok(metadata.version as u32)
    }

    /// Every version of a secret, oldest first; empty when the secret does not exist.
    pub async fn versions(
        &self,
        mount: &str,
        path: &str,
    ) -> Result<Vec<SecretVersion>, SecretsError> {
        let metadata = self
            .call_as("read_metadata", |client| async move {
                vaultrs::kv2::read_metadata(client.as_ref(), mount, path).await
            })
            .await?;
        match metadata {
            Ok(metadata) => {
                let mut versions: Vec<SecretVersion> = metadata
                    .versions
                    .iter()
                    .filter_map(|(number, meta)| {
                        Some(SecretVersion {
                            version: number.parse().ok()?,
                            created_time: meta.created_time.clone(),
                            readable: !meta.destroyed && meta.deletion_time.is_empty(),
                        })
                    })
                    .collect();
                versions.sort_by_key(|v| v.version);
                Ok(versions)
            }
            Err(ClientError::APIError { code: 404, .. }) => Ok(Vec::new()),
            Err(e) => Err(self.classify(e, &format!("listing versions of {mount}/{path}"), None)),
        }
    }

    /// How many versions the store keeps of a secret, and which it has now. KV v2 keeps
    /// `max_versions` per secret (the secret's own setting, else the mount's, else 10) and
    /// removes the oldest when a newer one is written (OpenBao/Vault KV v2 documentation). A
    /// mount whose configuration this token may not read counts as keeping 10.
    pub async fn retention(&self, mount: &str, path: &str) -> Result<Retention, SecretsError> {
        let metadata = self
            .call_as("read_metadata", |client| async move {
                vaultrs::kv2::read_metadata(client.as_ref(), mount, path).await
            })
            .await?;
        let metadata = match metadata {
            Ok(metadata) => Some(metadata),
            Err(ClientError::APIError { code: 404, .. }) => None,
            Err(e) => {
                return Err(self.classify(e, &format!("reading {mount}/{path}'s metadata"), None));
            }
        };
        let own = metadata.as_ref().map_or(0, |m| m.max_versions);
        let keeps = if own > 0 {
            own
        } else {
            let config = self
                .call_as("read_mount_config", |client| async move {
                    vaultrs::kv2::config::read(client.as_ref(), mount).await
                })
                .await?;
            match config {
                Ok(config) if config.max_versions > 0 => config.max_versions,
                _ => DEFAULT_MAX_VERSIONS,
            }
        };
        Ok(Retention {
            keeps: keeps as u32,
            newest: metadata.as_ref().map_or(0, |m| m.current_version as u32),
            oldest: metadata.as_ref().map_or(0, |m| m.oldest_version as u32),
        })
    }

    /// The newest readable version, if the secret exists.
    pub async fn newest_version(
        &self,
        mount: &str,
        path: &str,
    ) -> Result<Option<u32>, SecretsError> {
        Ok(self
            .versions(mount, path)
            .await?
            .into_iter()
            .rev()
            .find(|v| v.readable)
            .map(|v| v.version))
    }

    /// The newest readable version older than `version`.
    pub async fn previous_version(
        &self,
        mount: &str,
        path: &str,
        version: u32,
    ) -> Result<Option<u32>, SecretsError> {
        Ok(self
            .versions(mount, path)
            .await?
            .into_iter()
            .rev()
            .find(|v| v.readable && v.version < version)
            .map(|v| v.version))
    }
}

/// What KV v2 keeps when `max_versions` is not set anywhere.
const DEFAULT_MAX_VERSIONS: u64 = 10;

/// How many versions of a secret the store keeps, and the ones it has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Retention {
    /// Versions kept; writing one more removes the oldest beyond this.
    pub keeps: u32,
    /// The newest version (0: the secret does not exist).
    pub newest: u32,
    /// The oldest version still kept (0: none).
    pub oldest: u32,
}

impl Retention {
    /// The oldest version still kept after one more version is written.
    pub fn oldest_after_write(&self) -> u32 {
        (self.newest + 1).saturating_sub(self.keeps) + 1
    }
}

/// A reference to version `version` of `mount/path` in the store at `address`.
pub fn reference(address: &str, mount: &str, path: &str, version: u32) -> SecretReference {
    SecretReference {
        uri: format!(
            "{}/v1/{mount}/data/{path}?version={version}",
            address.trim_end_matches('/')
        ),
        mount: mount.to_string(),
        path: path.to_string(),
        version,
    }
}

pub(crate) fn source_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(inner) = source {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        source = inner.source();
    }
    text
}
