//! The orchestrator: Rotor's front door.
//!
//! - [`requests`]: a rotation request's path: validation, the repeated-request check,
//!   guardrails (upgrade status, fabric lock, password-set limit), new secret versions, the
//!   operation plan and the fan-out of one job per device.
//! - [`api`]: the gRPC `RotationService` (with server reflection).
//! - [`bus_requests`]: the same requests on `rotor.requests.<fabric>` (protobuf or proto3 JSON,
//!   request/reply).
//! - [`import`]: inventory import into the shared state.
//! - [`audit`]: one audit record per gRPC call and bus request.
//! - [`dispatch`]: releases operations' devices: canary, waves, failure brake, concurrency
//!   per fabric and overall; resume and cancel.
//! - [`recovery`]: finishes the fan-out of operations whose orchestrator crashed mid-way.
//! - [`schedule`]: fabrics' rotation schedules and the scheduler that starts their runs.
//!
//! Every copy serves both surfaces; all state is in JetStream, so any copy answers any request.

#![warn(missing_docs)]

pub mod api;
pub mod audit;
pub mod auth;
pub mod bus_requests;
pub mod dispatch;
pub mod import;
pub mod limits;
pub mod quarantine;
pub mod recovery;
pub mod requests;
pub mod schedule;
pub mod strict;
mod versions;
pub mod watch;

use std::net::SocketAddr;
use std::time::Duration;

use rotor_bus::{Bus, Topology};
use rotor_pipeline::StartError;
use rotor_runtime::CancellationToken;
use rotor_runtime::settings::{CommonSettings, SettingError, Settings};
use rotor_secrets::{PasswordPolicy, SecretsClient};

/// Settings of the orchestrator.
#[derive(Clone, Debug)]
pub struct OrchestratorConfig {
    /// The settings every service has; the secrets store's token is required.
    pub common: CommonSettings,
    /// Where the gRPC API listens.
    pub grpc_listen: SocketAddr,
    /// The API's TLS certificate and key (`ROTOR_GRPC_TLS_CERT`, `ROTOR_GRPC_TLS_KEY`); without
    /// them the API speaks plain HTTP/2 and listens only on loopback.
    pub grpc_tls: Option<GrpcTls>,
    /// How new passwords are generated; only the length is configurable (`ROTOR_PASSWORD_LENGTH`,
    /// 12 to 128, default 24).
    pub password_policy: PasswordPolicy,
    /// A new rotate is refused while the fabric has more live password sets than this.
    pub password_set_limit: u32,
    /// The fabric lock lease Rotor takes for an operation (the aggregator renews it).
    pub lock_lease: Duration,
    /// The default lease of locks other systems take through the API.
    pub external_lock_lease: Duration,
    /// Largest rotation request accepted, on the bus and on the API (`ROTOR_MAX_REQUEST_BYTES`).
    pub max_request_bytes: usize,
    /// Where imported inventories may keep their secrets (`ROTOR_SECRET_MOUNTS`,
    /// `ROTOR_SECRET_PATH_PREFIX`).
    pub confinement: import::Confinement,
    /// Whose tokens the API accepts and what each caller may do (`ROTOR_AUTH_KEYS`,
    /// `ROTOR_AUTH_POLICY`).
    pub auth: auth::Auth,
    /// What one caller can make the orchestrator hold or do ([`limits`]).
    pub limits: limits::Limits,
    /// How devices are released: concurrency per fabric and overall, the dispatcher's lease
    /// ([`dispatch`]).
    pub dispatch: dispatch::DispatchSettings,
    /// The scheduler's tick, lease and clock ([`schedule`]).
    pub schedule: schedule::ScheduleSettings,
    /// The local NATS server's log file, whose permission refusals are relayed into the audit
    /// (`ROTOR_NATS_SERVER_LOG`; [`rotor_bus::server_log`]); unset: none are.
    pub nats_server_log: Option<std::path::PathBuf>,
}

impl OrchestratorConfig {
    /// Reads the orchestrator's settings; the first bad value (or a missing secrets-store token) is
    /// the error.
    pub fn from_settings(settings: &Settings) -> Result<OrchestratorConfig, SettingError> {
        let common = CommonSettings::from_settings("orchestrator", settings)?;
        common.require_secrets()?;
        let policy = PasswordPolicy {
            length: settings.number("ROTOR_PASSWORD_LENGTH", 24, 12..=128)? as usize,
            ..Default::default()
        };
        policy.validate().map_err(|e| SettingError {
            name: "ROTOR_PASSWORD_LENGTH".into(),
            reason: e.to_string(),
        })?;
        let grpc_listen: SocketAddr = settings.parse(
            "ROTOR_GRPC_LISTEN",
            "127.0.0.1:50051".parse().expect("a valid address"),
        )?;
        let grpc_tls = GrpcTls::from_settings(settings)?;
        // Without TLS, beyond loopback, tokens would cross the network in clear.
        if grpc_tls.is_none()
            && !grpc_listen.ip().is_loopback()
            && !settings.boolean("ROTOR_GRPC_PLAINTEXT_BEYOND_LOOPBACK", false)?
        {
            return Err(SettingError {
                name: "ROTOR_GRPC_LISTEN".into(),
                reason: format!(
                    "{grpc_listen} is beyond loopback without TLS: callers' tokens would cross the network in clear. Set ROTOR_GRPC_TLS_CERT and ROTOR_GRPC_TLS_KEY, or listen on loopback (behind a TLS-terminating proxy; only for a proxy on a network you trust, ROTOR_GRPC_PLAINTEXT_BEYOND_LOOPBACK=true)"
                ),
            });
        }
        Ok(OrchestratorConfig {
            common,
            grpc_listen,
            grpc_tls,
            password_policy: policy,
            password_set_limit: settings.number("ROTOR_PASSWORD_SET_LIMIT", 2, 1..=1000)? as u32,
            lock_lease: settings.seconds("ROTOR_LOCK_LEASE_SECS", Duration::from_secs(120))?,
            external_lock_lease: settings
                .seconds("ROTOR_EXTERNAL_LOCK_LEASE_SECS", Duration::from_secs(300))?,
            max_request_bytes: settings.number(
                "ROTOR_MAX_REQUEST_BYTES",
                1 << 20,
                1024..=(64 << 20),
            )? as usize,
            confinement: import::Confinement::from_settings(settings)?,
            auth: auth::Auth::from_settings(settings)?,
            limits: limits::Limits::from_settings(settings)?,
            dispatch: dispatch::DispatchSettings::from_settings(settings)?,
            schedule: schedule::ScheduleSettings::from_settings(settings)?,
            nats_server_log: settings
                .raw("ROTOR_NATS_SERVER_LOG")
                .filter(|path| !path.is_empty())
                .map(std::path::PathBuf::from),
        })
    }
}

/// The API's TLS identity: a PEM certificate chain and its PEM private key.
#[derive(Clone)]
pub struct GrpcTls {
    /// The certificate chain, server certificate first.
    pub cert_pem: Vec<u8>,
    /// The private key (never printed).
    pub key_pem: Vec<u8>,
}

impl std::fmt::Debug for GrpcTls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GrpcTls").finish_non_exhaustive()
    }
}

impl GrpcTls {
    /// Reads `ROTOR_GRPC_TLS_CERT` and `ROTOR_GRPC_TLS_KEY` (both or neither).
    pub fn from_settings(settings: &Settings) -> Result<Option<GrpcTls>, SettingError> {
        let read = |name: &str, path: &str, marker: &str| -> Result<Vec<u8>, SettingError> {
            let bytes = std::fs::read(path).map_err(|e| SettingError {
                name: name.into(),
                reason: format!("cannot read {path}: {e}"),
            })?;
            if !String::from_utf8_lossy(&bytes).contains(marker) {
                return Err(SettingError {
                    name: name.into(),
                    reason: format!("{path} holds no PEM {marker}"),
                });
            }
            Ok(bytes)
        };
        match (
            settings.raw("ROTOR_GRPC_TLS_CERT"),
            settings.raw("ROTOR_GRPC_TLS_KEY"),
        ) {
            (None, None) => Ok(None),
            (Some(cert), Some(key)) => Ok(Some(GrpcTls {
                cert_pem: read("ROTOR_GRPC_TLS_CERT", cert, "CERTIFICATE")?,
                key_pem: read("ROTOR_GRPC_TLS_KEY", key, "PRIVATE KEY")?,
            })),
            _ => Err(SettingError {
                name: "ROTOR_GRPC_TLS_CERT".into(),
                reason: "ROTOR_GRPC_TLS_CERT and ROTOR_GRPC_TLS_KEY must be set together".into(),
            }),
        }
    }
}

/// What every request handler shares.
#[derive(Clone, Debug)]
pub struct Orchestrator {
    /// The NATS connection.
    pub bus: Bus,
    /// Every bucket and the object store.
    pub topology: Topology,
    /// Where new secret versions are written and current ones read.
    pub secrets: SecretsClient,
    /// The settings the orchestrator was started with.
    pub config: OrchestratorConfig,
    /// Where every call and request is recorded.
    pub audit: rotor_bus::audit::Audit,
    /// The `WatchEvents` streams each caller holds open.
    pub watch_streams: limits::StreamCounts,
    /// The one subscription to stage events this copy's watchers share.
    pub live_events: watch::LiveEvents,
    /// Each requester's rate of bus requests.
    pub bus_rate: std::sync::Arc<limits::RateLimiter>,
}

impl Orchestrator {
    /// Connects to NATS (creating the topology) and to the secrets store (checking the token).
    pub async fn connect(config: OrchestratorConfig) -> Result<Orchestrator, StartError> {
        let bus = Bus::connect(config.common.bus.clone()).await?;
        let topology = bus.ensure_topology().await?;
        let secrets = SecretsClient::connect(config.common.require_secrets()?).await?;
        let audit = rotor_bus::audit::Audit::new(&bus, &config.common.instance);
        Ok(Orchestrator {
            bus,
            topology,
            secrets,
            audit,
            watch_streams: limits::StreamCounts::default(),
            live_events: watch::LiveEvents::default(),
            bus_rate: std::sync::Arc::new(limits::RateLimiter::new(
                config.limits.bus_rate_per_second,
                config.limits.bus_burst,
                "ROTOR_BUS_RATE_PER_SECOND, ROTOR_BUS_BURST",
            )),
            config,
        })
    }
}

/// Runs the orchestrator on the configured address until `shutdown` is cancelled.
pub async fn run(
    config: OrchestratorConfig,
    shutdown: CancellationToken,
) -> Result<(), StartError> {
    let listener = tokio::net::TcpListener::bind(config.grpc_listen)
        .await
        .map_err(|e| {
            StartError::Other(format!(
                "cannot listen on {} (ROTOR_GRPC_LISTEN): {e}",
                config.grpc_listen
            ))
        })?;
    serve(config, listener, shutdown).await
}

/// Runs the orchestrator on an already bound listener (tests bind port 0 first).
pub async fn serve(
    config: OrchestratorConfig,
    listener: tokio::net::TcpListener,
    shutdown: CancellationToken,
) -> Result<(), StartError> {
    let orchestrator = Orchestrator::connect(config).await?;
    let address = listener.local_addr().ok();
    tracing::info!(grpc = ?address, "orchestrator serving");
    let bus_task = tokio::spawn(bus_requests::serve(orchestrator.clone(), shutdown.clone()));
    let recovery_task = tokio::spawn(recovery::run(orchestrator.clone(), shutdown.clone()));
    tokio::spawn(auth::watch_policy(
        orchestrator.config.auth.clone(),
        shutdown.clone(),
    ));
    let dispatch_task = tokio::spawn(dispatch::run(orchestrator.clone(), shutdown.clone()));
    let schedule_task = tokio::spawn(schedule::run(orchestrator.clone(), shutdown.clone()));
    if let Some(path) = orchestrator.config.nats_server_log.clone() {
        tokio::spawn(rotor_bus::server_log::follow(
            path,
            orchestrator.audit.clone(),
            shutdown.clone().cancelled_owned(),
        ));
    }
    let grpc = api::serve(orchestrator, listener, shutdown.clone()).await;
    shutdown.cancel();
    let _ = bus_task.await;
    let _ = recovery_task.await;
    let _ = dispatch_task.await;
    let _ = schedule_task.await;
    grpc
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(values: &[(&str, &str)]) -> Result<OrchestratorConfig, SettingError> {
        static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("rotor-orch-{}-{call}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let signing = rotor_auth::SigningKey::generate("k").unwrap();
        let keys = rotor_auth::TrustedKeys {
            keys: vec![signing.public_key()],
        };
        std::fs::write(dir.join("keys.yaml"), keys.to_yaml()).unwrap();
        std::fs::write(dir.join("policy.yaml"), "grants: []\n").unwrap();
        let (keys, policy) = (
            dir.join("keys.yaml").display().to_string(),
            dir.join("policy.yaml").display().to_string(),
        );
        let mut pairs = vec![
            ("ROTOR_BAO_TOKEN", "t"),
            ("ROTOR_AUTH_KEYS", keys.as_str()),
            ("ROTOR_AUTH_POLICY", policy.as_str()),
        ];
        pairs.extend_from_slice(values);
        OrchestratorConfig::from_settings(&Settings::from_pairs(pairs))
    }

    #[test]
    fn the_api_stays_on_loopback_unless_told_a_proxy_guards_it() {
        assert!(config(&[]).is_ok());
        assert!(config(&[("ROTOR_GRPC_LISTEN", "[::1]:50051")]).is_ok());
        let error = config(&[("ROTOR_GRPC_LISTEN", "0.0.0.0:50051")]).unwrap_err();
        assert_eq!(error.name, "ROTOR_GRPC_LISTEN");
        assert!(error.reason.contains("in clear"), "{error}");
        assert!(
            config(&[
                ("ROTOR_GRPC_LISTEN", "0.0.0.0:50051"),
                ("ROTOR_GRPC_PLAINTEXT_BEYOND_LOOPBACK", "true"),
            ])
            .is_ok()
        );
        // With TLS, any address.
        let dir = std::env::temp_dir().join(format!("rotor-tls-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
        std::fs::write(&cert, "-----BEGIN CERTIFICATE-----\n").unwrap();
        std::fs::write(&key, "-----BEGIN PRIVATE KEY-----\n").unwrap();
        let (cert, key) = (cert.display().to_string(), key.display().to_string());
        let tls = config(&[
            ("ROTOR_GRPC_LISTEN", "0.0.0.0:50051"),
            ("ROTOR_GRPC_TLS_CERT", &cert),
            ("ROTOR_GRPC_TLS_KEY", &key),
        ])
        .unwrap();
        assert!(tls.grpc_tls.is_some());
        assert!(!format!("{tls:?}").contains("PRIVATE KEY"));
        let half = config(&[("ROTOR_GRPC_TLS_CERT", &cert)]).unwrap_err();
        assert!(half.reason.contains("together"), "{half}");
        let swapped = config(&[("ROTOR_GRPC_TLS_CERT", &key), ("ROTOR_GRPC_TLS_KEY", &cert)]);
        assert!(swapped.is_err());
    }

    #[test]
    fn the_api_does_not_start_without_keys_and_a_policy() {
        let settings = Settings::from_pairs([("ROTOR_BAO_TOKEN", "t")]);
        let error = OrchestratorConfig::from_settings(&settings).unwrap_err();
        assert_eq!(error.name, "ROTOR_AUTH_KEYS");
        assert!(error.reason.contains("rotor auth init"), "{error}");
        let error = config(&[("ROTOR_AUTH_POLICY", "/nonexistent/policy.yaml")]).unwrap_err();
        assert_eq!(error.name, "ROTOR_AUTH_POLICY");
    }
}
