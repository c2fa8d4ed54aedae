//! The orchestrator: Rotor's front door.
//!
//! - [`requests`]: a rotation request's path: validation, the repeated-request check,
//!   guardrails (upgrade status, fabric lock, password-set limit), new secret versions, the
//!   operation plan and the fan-out of one job per device.
//! - [`api`]: the gRPC `RotationService` (with server reflection).
//! - [`bus_requests`]: the same requests on `rotor.requests.<fabric>` (protobuf or proto3 JSON,
//!   request/reply).
//! - [`import`]: inventory import into the shared state.
//! - [`recovery`]: finishes the fan-out of operations whose orchestrator crashed mid-way.
//!
//! Every copy serves both surfaces; all state is in JetStream, so any copy answers any request.

#![warn(missing_docs)]

pub mod api;
pub mod bus_requests;
pub mod import;
pub mod recovery;
pub mod requests;
pub mod strict;
mod versions;

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
    /// How new passwords are generated; only the length is configurable (`ROTOR_PASSWORD_LENGTH`,
    /// 12 to 128, default 24).
    pub password_policy: PasswordPolicy,
    /// A new rotate is refused while the fabric has more live password sets than this.
    pub password_set_limit: u32,
    /// The fabric lock lease Rotor takes for an operation (the aggregator renews it).
    pub lock_lease: Duration,
    /// The default lease of locks other systems take through the API.
    pub external_lock_lease: Duration,
    /// Largest request accepted on the bus.
    pub max_request_bytes: usize,
    /// Where imported inventories may keep their secrets (`ROTOR_SECRET_MOUNTS`,
    /// `ROTOR_SECRET_PATH_PREFIX`).
    pub confinement: import::Confinement,
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
        Ok(OrchestratorConfig {
            common,
            grpc_listen: settings.parse(
                "ROTOR_GRPC_LISTEN",
                "127.0.0.1:50051".parse().expect("a valid address"),
            )?,
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
        })
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
}

impl Orchestrator {
    /// Connects to NATS (creating the topology) and to the secrets store (checking the token).
    pub async fn connect(config: OrchestratorConfig) -> Result<Orchestrator, StartError> {
        let bus = Bus::connect(config.common.bus.clone()).await?;
        let topology = bus.ensure_topology().await?;
        let secrets = SecretsClient::connect(config.common.require_secrets()?).await?;
        Ok(Orchestrator {
            bus,
            topology,
            secrets,
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
    let grpc = api::serve(orchestrator, listener, shutdown.clone()).await;
    shutdown.cancel();
    let _ = bus_task.await;
    let _ = recovery_task.await;
    grpc
}
