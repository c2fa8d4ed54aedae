//! The token a [`crate::SecretsClient`] sends, and keeping it valid.
//!
//! A service proves itself to the store with a token given to it ([`BaoAuth::Token`]) or by
//! logging in with AppRole ([`BaoAuth::AppRole`]: a role id and a secret id read from a file at
//! every login). A background task renews the token at 2/3 of its TTL (`auth/token/renew-self`,
//! asking for the TTL it was granted); when a renewal fails, or the store grants less than that
//! (the token's max TTL is near), an AppRole session logs in again. A token given to the service
//! is renewed the same way when it is renewable (a periodic token); one that is not (a root
//! token) is used as it is. A request refused because the token is no longer valid logs in again
//! and is tried once more.
//!
//! Switching tokens never interrupts a request: each request takes the current client (an `Arc`)
//! and keeps it to its end, and the old token stays valid for the last third of its TTL.
//!
//! Invariant: a token or secret id is never logged, printed or put in an error; they live in the
//! HTTP client's header middleware and, for the secret id, only for the length of a login.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock, RwLock, Weak};
use std::time::{Duration, Instant};

use secrecy::{ExposeSecret, SecretString};
use vaultrs::api::EndpointMiddleware;
use vaultrs::client::VaultClient;
use vaultrs::error::ClientError;

use crate::SecretsError;

/// How a service proves itself to the secrets store.
#[derive(Clone)]
pub enum BaoAuth {
    /// A token given to the service (`ROTOR_BAO_TOKEN_FILE`); renewed before it expires when it
    /// is renewable (a periodic token).
    Token(SecretString),
    /// AppRole login (`ROTOR_BAO_ROLE_ID`, `ROTOR_BAO_SECRET_ID_FILE`).
    AppRole {
        /// Where the AppRole auth method is mounted (`approle`).
        mount: String,
        /// The role id (not a secret on its own).
        role_id: String,
        /// The file holding the secret id, read at every login (so a new secret id can be
        /// delivered by rewriting it).
        secret_id_file: PathBuf,
    },
}

impl std::fmt::Debug for BaoAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BaoAuth::Token(_) => f.write_str("Token(***)"),
            BaoAuth::AppRole {
                mount,
                secret_id_file,
                ..
            } => f
                .debug_struct("AppRole")
                .field("mount", mount)
                .field("secret_id_file", secret_id_file)
                .finish_non_exhaustive(),
        }
    }
}

/// What is known of the current token's lifetime.
#[derive(Clone, Copy, Debug)]
enum Lease {
    /// Not looked up yet (a given token) or not logged in yet (AppRole).
    Unknown,
    /// A token without expiry (a root token): nothing to renew.
    Forever,
    /// A token that expires.
    Until {
        /// The TTL the store granted at login (what a renewal asks for again).
        granted: Duration,
        /// When to renew (2/3 of the TTL).
        renew_at: Instant,
        /// Whether the store lets it be renewed.
        renewable: bool,
    },
}

impl Lease {
    fn granted(ttl: Duration, granted: Duration, renewable: bool) -> Lease {
        if ttl.is_zero() {
            return Lease::Forever;
        }
        Lease::Until {
            granted,
            renew_at: Instant::now() + ttl * 2 / 3,
            renewable,
        }
    }
}

struct Current {
    client: Option<Arc<VaultClient>>,
    generation: u64,
    lease: Lease,
}

/// One service's session with the store: the current token and what keeps it valid. Shared by
/// every clone of a [`crate::SecretsClient`].
pub(crate) struct Session {
    address: String,
    auth: BaoAuth,
    /// A client without a token: logins, and the HTTP connection pool every token's client
    /// shares.
    base: VaultClient,
    current: RwLock<Current>,
    /// Serialises logins and renewals.
    refresh: tokio::sync::Mutex<()>,
    logins: AtomicU64,
    renewals: AtomicU64,
    maintainer: OnceLock<tokio::task::AbortHandle>,
}

impl Drop for Session {
    fn drop(&mut self) {
        if let Some(task) = self.maintainer.get() {
            task.abort();
        }
    }
}

/// The longest wait between two attempts after a failure.
const MAX_RETRY_WAIT: Duration = Duration::from_secs(30);

impl Session {
    pub(crate) fn new(address: String, auth: BaoAuth, base: VaultClient) -> Arc<Session> {
        let client = match &auth {
            BaoAuth::Token(token) => Some(Arc::new(with_token(&base, token.expose_secret()))),
            BaoAuth::AppRole { .. } => None,
        };
        let session = Arc::new(Session {
            address,
            auth,
            base,
            current: RwLock::new(Current {
                client,
                generation: 0,
                lease: Lease::Unknown,
            }),
            refresh: tokio::sync::Mutex::new(()),
            logins: AtomicU64::new(0),
            renewals: AtomicU64::new(0),
            maintainer: OnceLock::new(),
        });
        session.start_maintainer();
        session
    }

    /// Successful AppRole logins so far.
    pub(crate) fn logins(&self) -> u64 {
        self.logins.load(Ordering::Relaxed)
    }

    /// Successful token renewals so far.
    pub(crate) fn renewals(&self) -> u64 {
        self.renewals.load(Ordering::Relaxed)
    }

    fn is_approle(&self) -> bool {
        matches!(self.auth, BaoAuth::AppRole { .. })
    }

    /// Starts the background renewal once, when there is a runtime to run it on (the first
    /// request starts it otherwise).
    fn start_maintainer(self: &Arc<Self>) {
        if self.maintainer.get().is_some() {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let task = runtime.spawn(maintain(Arc::downgrade(self)));
        if self.maintainer.set(task.abort_handle()).is_err() {
            task.abort();
        }
    }

    fn snapshot(&self) -> (Option<Arc<VaultClient>>, u64, Lease) {
        let current = self.current.read().unwrap();
        (current.client.clone(), current.generation, current.lease)
    }

    fn install(&self, client: Option<VaultClient>, lease: Lease) {
        let mut current = self.current.write().unwrap();
        if let Some(client) = client {
            current.client = Some(Arc::new(client));
            current.generation += 1;
        }
        current.lease = lease;
    }

    /// The client with the current token (logging in first when there is none yet) and the
    /// token's generation.
    async fn client(self: &Arc<Self>) -> Result<(Arc<VaultClient>, u64), SecretsError> {
        self.start_maintainer();
        let (client, generation, _) = self.snapshot();
        if let Some(client) = client {
            return Ok((client, generation));
        }
        self.login(generation).await?;
        let (client, generation, _) = self.snapshot();
        client
            .map(|client| (client, generation))
            .ok_or_else(|| self.unavailable("no token after a login"))
    }

    /// Runs a request with the current token. An AppRole request refused (403) because the
    /// token is no longer valid (it fails its own lookup too) logs in again and runs once more.
    pub(crate) async fn call<T, F, Fut>(
        self: &Arc<Self>,
        request: F,
    ) -> Result<Result<T, ClientError>, SecretsError>
    where
        F: Fn(Arc<VaultClient>) -> Fut,
        Fut: Future<Output = Result<T, ClientError>>,
    {
        let (client, generation) = self.client().await?;
        match request(client.clone()).await {
            Err(ClientError::APIError { code: 403, errors }) if self.is_approle() => {
                if vaultrs::token::lookup_self(client.as_ref()).await.is_ok() {
                    // The token is fine: the path is not this service's.
                    return Ok(Err(ClientError::APIError { code: 403, errors }));
                }
                tracing::info!(address = %self.address, "the secrets store no longer accepts this service's token; logging in again");
                self.login(generation).await?;
                let (client, _) = self.client().await?;
                Ok(request(client).await)
            }
            other => Ok(other),
        }
    }

    /// Logs in with AppRole unless the token changed since generation `seen` (another request
    /// or the renewal did it meanwhile). A given token cannot log in: nothing to do.
    async fn login(&self, seen: u64) -> Result<(), SecretsError> {
        let _refresh = self.refresh.lock().await;
        if self.snapshot().1 != seen {
            return Ok(());
        }
        self.login_locked().await
    }

    async fn login_locked(&self) -> Result<(), SecretsError> {
        let BaoAuth::AppRole {
            mount,
            role_id,
            secret_id_file,
        } = &self.auth
        else {
            return Ok(());
        };
        let secret_id = std::fs::read_to_string(secret_id_file)
            .map(|text| SecretString::from(text.trim().to_string()))
            .map_err(|e| SecretsError::Credentials {
                reason: format!(
                    "cannot read the AppRole secret id from {} (ROTOR_BAO_SECRET_ID_FILE): {e}",
                    secret_id_file.display()
                ),
            })?;
        if secret_id.expose_secret().is_empty() {
            return Err(SecretsError::Credentials {
                reason: format!(
                    "{} (ROTOR_BAO_SECRET_ID_FILE) is empty",
                    secret_id_file.display()
                ),
            });
        }
        let started = Instant::now();
        let login =
            vaultrs::auth::approle::login(&self.base, mount, role_id, secret_id.expose_secret())
                .await;
        rotor_metrics::metrics().openbao_call("login", started, login.is_ok());
        let mut auth = login.map_err(|e| self.login_error(e))?;
        let client = with_token(&self.base, &auth.client_token);
        zeroize::Zeroize::zeroize(&mut auth.client_token);
        let ttl = Duration::from_secs(auth.lease_duration);
        self.install(Some(client), Lease::granted(ttl, ttl, auth.renewable));
        self.logins.fetch_add(1, Ordering::Relaxed);
        tracing::info!(address = %self.address, ttl_secs = auth.lease_duration, "logged in to the secrets store (AppRole)");
        Ok(())
    }

    /// What is due now: learn a given token's TTL, log in, renew; how long until the next step
    /// (`None`: nothing more to do, the token does not expire or cannot be renewed).
    async fn maintain_once(self: &Arc<Self>) -> Result<Option<Duration>, SecretsError> {
        let (client, generation, lease) = self.snapshot();
        match (lease, client) {
            (Lease::Unknown, None) => self.login(generation).await?,
            (Lease::Unknown, Some(client)) => {
                let lookup = vaultrs::token::lookup_self(client.as_ref())
                    .await
                    .map_err(|e| self.login_error(e))?;
                let ttl = Duration::from_secs(lookup.ttl);
                let granted = Duration::from_secs(lookup.creation_ttl.max(lookup.ttl));
                let renewable = lookup.renewable.unwrap_or(false);
                if !ttl.is_zero() && !renewable {
                    tracing::warn!(address = %self.address, ttl_secs = lookup.ttl, "the secrets store token expires and cannot be renewed; give the service a periodic token or an AppRole");
                }
                self.install(None, Lease::granted(ttl, granted, renewable));
            }
            (Lease::Forever, _) => return Ok(None),
            (Lease::Until { renew_at, .. }, _) if Instant::now() < renew_at => {
                return Ok(Some(renew_at - Instant::now()));
            }
            (
                Lease::Until {
                    renewable: true, ..
                },
                _,
            ) => self.renew(generation).await?,
            (Lease::Until { .. }, _) if self.is_approle() => self.login(generation).await?,
            (Lease::Until { .. }, _) => return Ok(None),
        }
        Ok(Some(Duration::ZERO))
    }

    /// Renews the token for the TTL it was granted. AppRole: logs in again when the renewal
    /// fails or the store grants less (the max TTL is near).
    async fn renew(&self, seen: u64) -> Result<(), SecretsError> {
        let _refresh = self.refresh.lock().await;
        let (Some(client), generation, Lease::Until { granted, .. }) = self.snapshot() else {
            return Ok(());
        };
        if generation != seen {
            return Ok(());
        }
        let increment = format!("{}s", granted.as_secs());
        let started = Instant::now();
        let renewed = vaultrs::token::renew_self(client.as_ref(), Some(&increment)).await;
        rotor_metrics::metrics().openbao_call("renew", started, renewed.is_ok());
        match renewed {
            Ok(mut auth) => {
                zeroize::Zeroize::zeroize(&mut auth.client_token);
                let ttl = Duration::from_secs(auth.lease_duration);
                if ttl >= granted {
                    self.install(None, Lease::granted(ttl, granted, auth.renewable));
                    self.renewals.fetch_add(1, Ordering::Relaxed);
                    return Ok(());
                }
                if self.is_approle() {
                    return self.login_locked().await;
                }
                self.renewals.fetch_add(1, Ordering::Relaxed);
                tracing::warn!(address = %self.address, ttl_secs = auth.lease_duration, "the secrets store token reaches its maximum TTL and cannot be renewed beyond it; give the service a periodic token or an AppRole");
                // Renew no more: the rest of its TTL is what it has.
                self.install(
                    None,
                    Lease::Until {
                        granted,
                        renew_at: Instant::now() + ttl,
                        renewable: false,
                    },
                );
                Ok(())
            }
            Err(error) if self.is_approle() => {
                tracing::info!(address = %self.address, error = %self.login_error(error), "renewing the secrets store token failed; logging in again");
                self.login_locked().await
            }
            Err(error) => Err(self.login_error(error)),
        }
    }

    fn unavailable(&self, reason: &str) -> SecretsError {
        SecretsError::Unavailable {
            address: self.address.clone(),
            reason: reason.to_string(),
        }
    }

    /// A failed login, lookup or renewal: refused (not worth retrying) or the store away.
    fn login_error(&self, error: ClientError) -> SecretsError {
        match error {
            ClientError::APIError { code, errors } if (400..500).contains(&code) => {
                SecretsError::LoginRefused {
                    address: self.address.clone(),
                    reason: format!("status {code}: {}", errors.join("; ")),
                }
            }
            ClientError::APIError { code, errors } => SecretsError::Server {
                address: self.address.clone(),
                what: "logging in".into(),
                reason: format!("status {code}: {}", errors.join("; ")),
            },
            ClientError::RestClientError { source } => SecretsError::Unavailable {
                address: self.address.clone(),
                reason: crate::client::source_chain(&source),
            },
            other => SecretsError::Server {
                address: self.address.clone(),
                what: "logging in".into(),
                reason: other.to_string(),
            },
        }
    }
}

/// Keeps the session's token valid until the session is dropped.
async fn maintain(session: Weak<Session>) {
    let mut failures = 0u32;
    loop {
        let wait = {
            let Some(session) = session.upgrade() else {
                return;
            };
            match session.maintain_once().await {
                Ok(Some(wait)) => {
                    failures = 0;
                    wait
                }
                Ok(None) => return,
                Err(error) => {
                    failures += 1;
                    tracing::warn!(%error, "could not renew the secrets store token; trying again");
                    (Duration::from_millis(250) * 2u32.pow(failures.min(8))).min(MAX_RETRY_WAIT)
                }
            }
        };
        tokio::time::sleep(wait).await;
    }
}

/// A client sending `token`, sharing `base`'s HTTP client (connections, trusted CAs).
fn with_token(base: &VaultClient, token: &str) -> VaultClient {
    let mut settings = base.settings.clone();
    settings.token = token.to_string();
    VaultClient {
        http: rustify::clients::reqwest::Client {
            http: base.http.http.clone(),
            base: base.http.base.clone(),
        },
        middle: EndpointMiddleware {
            token: token.to_string(),
            ..base.middle.clone()
        },
        settings,
    }
}
