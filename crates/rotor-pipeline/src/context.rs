//! What a job worker (differ, applier, backup) needs, built once at start.

use std::time::Duration;

use rotor_bus::{Bus, BusError, Topology};
use rotor_device::ssh::SshOptions;
use rotor_runtime::settings::{CommonSettings, SettingError, Settings};
use rotor_runtime::worker::WorkerOptions;
use rotor_secrets::{SecretsClient, SecretsError};

use crate::access::{DeviceAccess, LoginBudget};
use crate::events::Reporter;
use crate::render::Renderer;

/// Failed logins left to the switch's own users below its lock-out count.
const LOCKOUT_MARGIN: u64 = 2;

/// Settings of a job worker.
#[derive(Clone, Debug)]
pub struct WorkerConfig {
    /// The service's name (`differ`, `applier`, `backup`).
    pub service: String,
    /// The settings every service has.
    pub common: CommonSettings,
    /// How many failed logins Rotor may cause per user of a switch, and in what sliding window
    /// (`ROTOR_LOGIN_FAILURE_BUDGET`, default 2; `ROTOR_LOGIN_WINDOW_SECS`, default 900, NVUE's
    /// counting window). The budget is at most the switches' lock-out count
    /// (`ROTOR_SWITCH_LOCKOUT_ATTEMPTS`, default 5, NVUE's `lockout-attempts` default) minus two,
    /// so an operator's own failed logins still have room before the account locks.
    pub budget: LoginBudget,
    /// The lease of the per-device lock (`ROTOR_DEVICE_LOCK_SECS`).
    pub device_lock: Duration,
    /// How long a password login may take to be answered (`ROTOR_LOGIN_TIMEOUT_SECS`, default
    /// 30 s: above NVUE's 15 s lock-out re-attempt time, so a delayed refusal is seen as one).
    pub login_timeout: Duration,
    /// How long an applied change waits for its confirmation before the switch rolls it back
    /// by itself (`ROTOR_CONFIRM_SECS`, default 300 s, as NVIDIA's Config Manager uses; NVUE's
    /// own default is 10 minutes).
    pub confirm_window: Duration,
}

impl WorkerConfig {
    /// Reads the worker's settings; the first bad value is the error, naming the setting.
    pub fn from_settings(service: &str, settings: &Settings) -> Result<WorkerConfig, SettingError> {
        let common = CommonSettings::from_settings(service, settings)?;
        let lockout = settings.number("ROTOR_SWITCH_LOCKOUT_ATTEMPTS", 5, 3..=999)?;
        let budget = LoginBudget {
            max_failures: settings.number("ROTOR_LOGIN_FAILURE_BUDGET", 2, 1..=997)? as u32,
            window: settings.seconds("ROTOR_LOGIN_WINDOW_SECS", Duration::from_secs(15 * 60))?,
        };
        if u64::from(budget.max_failures) + LOCKOUT_MARGIN > lockout {
            return Err(SettingError {
                name: "ROTOR_LOGIN_FAILURE_BUDGET".into(),
                reason: format!(
                    "{} failed logins plus a margin of {LOCKOUT_MARGIN} would reach the switches' lock-out count {lockout} (ROTOR_SWITCH_LOCKOUT_ATTEMPTS); at most {} is allowed",
                    budget.max_failures,
                    lockout.saturating_sub(LOCKOUT_MARGIN)
                ),
            });
        }
        let device_lock = settings.seconds("ROTOR_DEVICE_LOCK_SECS", Duration::from_secs(30))?;
        let login_timeout =
            settings.seconds("ROTOR_LOGIN_TIMEOUT_SECS", Duration::from_secs(30))?;
        let confirm_window = settings.seconds("ROTOR_CONFIRM_SECS", Duration::from_secs(300))?;
        Ok(WorkerConfig {
            service: service.to_string(),
            common,
            budget,
            device_lock,
            login_timeout,
            confirm_window,
        })
    }

    /// The job loop's options: the service name, jobs in flight, shutdown grace.
    pub fn worker_options(&self) -> WorkerOptions {
        WorkerOptions {
            service: self.service.clone(),
            max_in_flight: self.common.max_in_flight,
            shutdown_grace: self.common.shutdown_grace,
        }
    }
}

/// Why a service could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// NATS could not be reached or the topology could not be created.
    #[error(transparent)]
    Bus(#[from] BusError),
    /// The secrets store could not be reached or refused the token.
    #[error(transparent)]
    Secrets(#[from] SecretsError),
    /// A setting is missing or invalid.
    #[error(transparent)]
    Setting(#[from] SettingError),
    /// Anything else that stops the start, described.
    #[error("{0}")]
    Other(String),
}

/// Connections and helpers every job worker shares.
#[derive(Clone, Debug)]
pub struct WorkerContext {
    /// The NATS connection.
    pub bus: Bus,
    /// Every bucket and the object store, created at connect.
    pub topology: Topology,
    /// Logging in to devices within the device lock and the login budget.
    pub access: DeviceAccess,
    /// Rendering intended configurations with the target hashes.
    pub renderer: Renderer,
    /// Publishing stage events as this worker.
    pub reporter: Reporter,
    /// The settings the context was built from.
    pub config: WorkerConfig,
    /// The operation plans jobs are checked against ([`crate::vouch`]).
    pub plans: crate::vouch::PlanCache,
    /// Where refused (forged) jobs are recorded.
    pub audit: rotor_bus::audit::Audit,
}

impl WorkerContext {
    /// Connects to NATS (creating the topology if needed) and checks the secrets store's token.
    pub async fn connect(config: WorkerConfig) -> Result<WorkerContext, StartError> {
        let bus = Bus::connect(config.common.bus.clone()).await?;
        let topology = bus.open_topology().await?;
        let secrets_settings = config.common.require_secrets()?;
        let secrets = match SecretsClient::connect(secrets_settings).await {
            Ok(secrets) => secrets,
            // Down for now: start anyway, jobs retry; a wrong token or address stops the start.
            Err(error) if error.is_transient() => {
                tracing::warn!(%error, "the secrets store is not available yet; jobs will retry");
                SecretsClient::new(secrets_settings)?
            }
            Err(error) => return Err(error.into()),
        };
        let ssh = SshOptions {
            connect_timeout: config.common.device_timeout.min(Duration::from_secs(30)),
            login_timeout: config.login_timeout,
            command_timeout: config.common.device_timeout,
            output_max_bytes: config.common.device_output_max_bytes,
        };
        Ok(WorkerContext {
            access: DeviceAccess {
                topology: topology.clone(),
                secrets: secrets.clone(),
                ssh,
                budget: config.budget.clone(),
                device_lock: config.device_lock,
                holder: config.common.instance.clone(),
            },
            renderer: Renderer::new(secrets),
            reporter: Reporter::new(bus.clone(), config.common.instance.clone()),
            audit: rotor_bus::audit::Audit::new(&bus, &config.common.instance),
            bus,
            topology,
            config,
            plans: crate::vouch::PlanCache::default(),
        })
    }
}
