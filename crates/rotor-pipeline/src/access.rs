//! Logging in to devices without ever locking an account.
//!
//! - **Credential fallback**: Rotor logs in as the device's login user, trying first the secret
//!   version that worked last time (remembered per device in the credentials bucket; the version
//!   its status says it holds when Rotor never logged in), then the version the operation is
//!   pushing, then the newest, then older ones. So it keeps working
//!   while the account it logs in with is the one being rotated, and after an apply whose
//!   outcome it never heard.
//! - **Lock-out budget**: every password login that might fail first reserves one failed login
//!   from the device's budget (default 2 within 15 minutes, below NVUE's 5), with a
//!   compare-and-set on the login-attempts bucket shared by every worker; a success gives the
//!   budget back (NVUE resets its count on success). When the budget is spent Rotor stops with
//!   `AuthLockoutRisk` instead of trying again.
//! - **A change waiting for its confirmation is its job's alone**: the applier records in the
//!   switch's lock, before `nv config apply --confirm`, until when the switch may still hold the
//!   unconfirmed change ([`DeviceLock::await_confirmation`]). Until it is confirmed or rolled
//!   back and proven ([`DeviceLock::settled`]), or the switch's rollback timer has surely ended,
//!   no other job takes the switch, even after that job failed, gave the lock back or died: it
//!   would log in with a password the switch is about to drop (a failed login once dropped)
//!   or see a change as done that the timer then undoes. A login made while the change may be
//!   pending is not remembered as the switch's credential.

use std::time::Duration;

use rotor_bus::kv;
use rotor_bus::lease::{HeldLease, PendingChange};
use rotor_bus::names::keys;
use rotor_bus::{BusError, Topology};
use rotor_device::DeviceError;
use rotor_device::ssh::{Handshake, Session, SshOptions};
use rotor_proto::v1::{ErrorCode, SecretTarget};
use rotor_secrets::{Password, SecretsClient, SecretsError};
use serde::{Deserialize, Serialize};

use crate::events::StageFailure;
use crate::ledger::{LoginLedger, LoginOutcome};
use crate::records::DeviceRecord;

/// The lock-out budget.
#[derive(Clone, Debug)]
pub struct LoginBudget {
    /// Failed logins Rotor may cause on one device within the window.
    pub max_failures: u32,
    /// The window failures are counted in (default 15 minutes).
    pub window: Duration,
}

impl Default for LoginBudget {
    fn default() -> Self {
        LoginBudget {
            max_failures: 2,
            window: Duration::from_secs(15 * 60),
        }
    }
}

/// Which version of which secret last logged in (no secret in it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RememberedCredential {
    /// The device user that logged in.
    pub username: String,
    /// The resolved secret path whose version worked.
    pub path: String,
    /// The version that worked; tried first next time.
    pub version: u32,
}

/// Why no session could be had.
#[derive(Debug, thiserror::Error)]
pub enum AccessError {
    /// Connecting or logging in failed on the device; its own code.
    #[error(transparent)]
    Device(#[from] DeviceError),
    /// A candidate password could not be read (`SecretsUnavailable`).
    #[error(transparent)]
    Secrets(#[from] SecretsError),
    /// The lock or the login bookkeeping could not be read or written (`InternalError`).
    #[error(transparent)]
    Bus(#[from] BusError),
    /// There is no password to log in with, e.g. no mapping for the login user
    /// (`CouldNotConnect`).
    #[error("{device}: {reason}")]
    NoCredential {
        /// The device id.
        device: String,
        /// Why there is nothing to try.
        reason: String,
    },
    /// The device is not `Enabled` in the inventory, so it is never contacted (`DeviceDisabled`).
    #[error("{device} is {state}; enable it (administrativeState Enabled) and run a resync")]
    Disabled {
        /// The device id.
        device: String,
        /// Its administrative state, e.g. `UnderMaintenance`.
        state: String,
    },
    /// Another job held the device lock for longer than this job waits (`Timeout`, retryable).
    #[error("{device} is busy with another Rotor job ({holder}); will try again")]
    Busy {
        /// The device id.
        device: String,
        /// Who holds the device lock.
        holder: String,
    },
    /// The device refused every stored version of the login user's password
    /// (`CouldNotConnect`).
    #[error(
        "{device}: every stored version of {path} ({versions}) was refused for {user}; if the password was changed outside Rotor, write the device's current password to the secrets store and run a resync"
    )]
    AllRefused {
        /// The device id.
        device: String,
        /// The login user.
        user: String,
        /// The resolved secret path.
        path: String,
        /// The versions tried, comma separated.
        versions: String,
    },
    /// Another failed login could lock the user out, so none was tried (`AuthLockoutRisk`).
    #[error(
        "{device}: stopped before locking {user} out: {refused}{failures} failed logins by Rotor within the lock-out window (budget {budget}); the budget is spent until {until}, when Rotor may try again"
    )]
    BudgetSpent {
        /// The device id.
        device: String,
        /// The login user.
        user: String,
        /// Failed logins already counted in the window.
        failures: u32,
        /// [`LoginBudget::max_failures`].
        budget: u32,
        /// When the oldest failure leaves the window (RFC 3339).
        until: String,
        /// What this attempt tried and the switch refused, if anything (`the switch refused
        /// versions 4, 3 of admin; `), never a secret.
        refused: String,
    },
}

impl AccessError {
    /// Whether trying again later may help.
    pub fn is_retryable(&self) -> bool {
        match self {
            AccessError::Device(error) => error.is_retryable(),
            AccessError::Secrets(error) => error.is_transient(),
            AccessError::Bus(_) | AccessError::Busy { .. } => true,
            AccessError::NoCredential { .. }
            | AccessError::Disabled { .. }
            | AccessError::AllRefused { .. }
            | AccessError::BudgetSpent { .. } => false,
        }
    }

    /// The failure a device result records for this error, with its error code.
    pub fn failure(&self) -> StageFailure {
        let code = match self {
            AccessError::Device(error) => error.code(),
            AccessError::Secrets(_) => ErrorCode::SecretsUnavailable,
            AccessError::Bus(_) => ErrorCode::InternalError,
            AccessError::Busy { .. } => ErrorCode::Timeout,
            AccessError::NoCredential { .. } | AccessError::AllRefused { .. } => {
                ErrorCode::CouldNotConnect
            }
            AccessError::BudgetSpent { .. } => ErrorCode::AuthLockoutRisk,
            AccessError::Disabled { .. } => ErrorCode::DeviceDisabled,
        };
        StageFailure::new(code, self.to_string())
    }
}

/// A spent budget met while trying versions, saying which versions this attempt tried and the
/// switch refused (`tried`; none: the refusal of earlier logins stands).
fn refused_before(spent: AccessError, login: &LoginUser<'_>, tried: &[String]) -> AccessError {
    match spent {
        AccessError::BudgetSpent {
            device,
            user,
            failures,
            budget,
            until,
            refused,
        } => AccessError::BudgetSpent {
            refused: if tried.is_empty() {
                refused
            } else {
                format!(
                    "the switch refused {} of {}/{} for {user}; ",
                    tried.join(", "),
                    login.mount,
                    login.path
                )
            },
            device,
            user,
            failures,
            budget,
            until,
        },
        other => other,
    }
}

/// The version `user`'s target pushes, if the targets push one.
fn target_version(targets: &[SecretTarget], user: &str) -> Option<u32> {
    targets
        .iter()
        .filter(|t| t.username == user)
        .find_map(|t| t.reference.as_ref())
        .map(|r| r.version)
}

/// Whose password [`DeviceAccess::try_versions`] tries.
struct LoginUser<'a> {
    device: &'a DeviceRecord,
    user: &'a str,
    mount: &'a str,
    path: &'a str,
}

/// Logs in to devices for one worker.
#[derive(Clone, Debug)]
pub struct DeviceAccess {
    /// The buckets the device locks, remembered credentials and login attempts live in.
    pub topology: Topology,
    /// Where the candidate passwords are read from.
    pub secrets: SecretsClient,
    /// SSH timeouts.
    pub ssh: SshOptions,
    /// How many failed logins Rotor may cause per device.
    pub budget: LoginBudget,
    /// How long a device lock lasts without renewal (a crashed holder's lock frees after this).
    pub device_lock: Duration,
    /// Who takes device locks (this worker copy).
    pub holder: String,
}

/// Exclusive use of one device by one job, across every worker and copy, held with a lease
/// that a background task renews. Jobs of one device never overlap (a redelivered job waits),
/// so their candidates never mix and their logins never add up beyond the budget. Released
/// when dropped, on every path.
#[derive(Debug)]
pub struct DeviceLock {
    lease: Option<HeldLease>,
}

impl DeviceLock {
    /// Whether this job still holds the device. A side effect (an apply) must not start once it
    /// does not: another job may have the device.
    pub fn is_held(&self) -> bool {
        self.lease.as_ref().is_some_and(HeldLease::is_held)
    }

    /// Records in the switch's lock that a change of `job` waits for its confirmation until
    /// `until_unix_ms` (when the switch has surely rolled it back by itself): from now on, until
    /// [`Self::settled`], the switch stays this job's even after the lock is given back or
    /// lapses. Written before the apply, so a worker that dies during it leaves the record.
    pub async fn await_confirmation(&self, job: &str, until_unix_ms: i64) -> Result<(), BusError> {
        self.set_pending(Some(PendingChange {
            job: job.to_string(),
            until_unix_ms,
        }))
        .await
    }

    /// Nothing waits for a confirmation any more (confirmed, or rolled back and proven).
    pub async fn settled(&self) -> Result<(), BusError> {
        self.set_pending(None).await
    }

    async fn set_pending(&self, pending: Option<PendingChange>) -> Result<(), BusError> {
        let Some(lease) = self.lease.as_ref() else {
            return Ok(());
        };
        match lease.set_pending(pending).await? {
            true => Ok(()),
            false => Err(BusError::Conflict {
                what: "the device lock, lost before its pending change was recorded".into(),
            }),
        }
    }

    /// Gives the device back.
    pub async fn release(mut self) {
        if let Some(lease) = self.lease.take() {
            log_release(lease.release().await);
        }
    }
}

fn log_release(released: Result<bool, BusError>) {
    match released {
        Ok(_) => {}
        // It lapses after its duration; a waiting job takes the device then.
        Err(error) => tracing::warn!(%error, "could not give a device lock back"),
    }
}

impl Drop for DeviceLock {
    fn drop(&mut self) {
        if let Some(lease) = self.lease.take() {
            tokio::spawn(async move { log_release(lease.release().await) });
        }
    }
}

/// A logged-in session on a device together with the device's lock: closed and released
/// together, by [`DeviceSession::close`] or, on an early return, when dropped.
#[derive(Debug)]
pub struct DeviceSession {
    session: Option<Session>,
    lock: Option<DeviceLock>,
    login_version: u32,
}

impl DeviceSession {
    /// The SSH session.
    pub fn session(&self) -> &Session {
        self.session.as_ref().expect("present until closed")
    }

    /// The version of the login user's secret that logged this session in.
    pub fn login_version(&self) -> u32 {
        self.login_version
    }

    /// Whether the device's lock is still held (see [`DeviceLock::is_held`]).
    pub fn is_held(&self) -> bool {
        self.lock.as_ref().is_some_and(DeviceLock::is_held)
    }

    /// See [`DeviceLock::await_confirmation`].
    pub async fn await_confirmation(&self, job: &str, until_unix_ms: i64) -> Result<(), BusError> {
        match self.lock.as_ref() {
            Some(lock) => lock.await_confirmation(job, until_unix_ms).await,
            None => Ok(()),
        }
    }

    /// See [`DeviceLock::settled`].
    pub async fn settled(&self) -> Result<(), BusError> {
        match self.lock.as_ref() {
            Some(lock) => lock.settled().await,
            None => Ok(()),
        }
    }

    /// Closes the session, then gives the device back.
    pub async fn close(mut self) {
        if let Some(session) = self.session.take() {
            session.close().await;
        }
        if let Some(lock) = self.lock.take() {
            lock.release().await;
        }
    }
}

impl Drop for DeviceSession {
    fn drop(&mut self) {
        let (session, lock) = (self.session.take(), self.lock.take());
        if session.is_some() || lock.is_some() {
            tokio::spawn(async move {
                if let Some(session) = session {
                    session.close().await;
                }
                drop(lock);
            });
        }
    }
}

/// The identity a job's device lock carries: the operation and the device (every copy of one
/// job has it, no other job does).
pub fn job_identity(operation_id: &str, device_id: &str) -> String {
    format!("{operation_id}/{device_id}")
}

/// Devices whose administrative state is not Enabled are never contacted, by any stage.
pub fn refuse_unless_enabled(device: &DeviceRecord) -> Result<(), AccessError> {
    let state = device.device.administrative_state;
    if state == rotor_inventory::AdministrativeState::Enabled {
        return Ok(());
    }
    Err(AccessError::Disabled {
        device: device.device.id.clone(),
        state: state.as_str().to_string(),
    })
}

impl DeviceAccess {
    /// Takes the device's lock, waiting while another job holds it (up to twice the lease).
    /// Refused for a device that is not Enabled (every stage locks before it connects).
    pub async fn lock_device(&self, device: &DeviceRecord) -> Result<DeviceLock, AccessError> {
        self.lock_device_for(device, None).await
    }

    /// Like [`Self::lock_device`], for the job `job` (see [`job_identity`]): a switch whose
    /// lock records a change waiting for its confirmation ([`rotor_bus::lease::PendingChange`])
    /// is taken only by a copy of the job that made it; everyone else waits until the switch's
    /// rollback timer has surely ended (then up to twice the lease more).
    pub async fn lock_device_for(
        &self,
        device: &DeviceRecord,
        job: Option<&str>,
    ) -> Result<DeviceLock, AccessError> {
        refuse_unless_enabled(device)?;
        let key = keys::switch_lock(&device.device.switch_identity());
        let mut deadline = tokio::time::Instant::now() + self.device_lock * 2;
        let mut pause = Duration::from_millis(20);
        loop {
            let taken = HeldLease::acquire_as(
                &self.topology.leases,
                &key,
                &self.holder,
                "device job",
                job,
                self.device_lock,
            )
            .await?;
            let holder = match taken {
                Ok(lease) => return Ok(DeviceLock { lease: Some(lease) }),
                Err(holder) => holder,
            };
            let now = rotor_bus::lease::now_unix_ms();
            if let Some(pending) = holder.pending_at(now) {
                // Bounded by the pending change's own end (the confirmation window it was
                // applied with), then the usual wait.
                let left = Duration::from_millis((pending.until_unix_ms - now).max(0) as u64);
                deadline = deadline.max(tokio::time::Instant::now() + left + self.device_lock * 2);
            }
            if tokio::time::Instant::now() >= deadline {
                return Err(AccessError::Busy {
                    device: device.device.id.clone(),
                    holder: holder.holder,
                });
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_millis(500));
        }
    }

    /// Takes the device's lock and logs in (see [`Self::lock_device`] and
    /// [`Self::connect_preferring`]): a session that closes and releases together.
    pub async fn open(
        &self,
        device: &DeviceRecord,
        targets: &[SecretTarget],
        targets_first: bool,
    ) -> Result<DeviceSession, AccessError> {
        let lock = self.lock_device(device).await?;
        self.open_locked(lock, device, targets, targets_first).await
    }

    /// Logs in to a device whose lock the caller already holds.
    pub async fn open_locked(
        &self,
        lock: DeviceLock,
        device: &DeviceRecord,
        targets: &[SecretTarget],
        targets_first: bool,
    ) -> Result<DeviceSession, AccessError> {
        let (session, login_version) = self
            .connect_preferring(device, targets, targets_first)
            .await?;
        Ok(DeviceSession {
            session: Some(session),
            lock: Some(lock),
            login_version,
        })
    }

    /// A session as the device's login user, trying remembered, target, newest and older
    /// versions in that order within the lock-out budget.
    pub async fn connect(
        &self,
        device: &DeviceRecord,
        targets: &[SecretTarget],
    ) -> Result<Session, AccessError> {
        Ok(self.connect_preferring(device, targets, false).await?.0)
    }

    /// Like [`Self::connect`]; with `targets_first`, the versions being pushed are tried before
    /// the remembered one (after an apply whose outcome is unknown, the device most likely holds
    /// them already). Returns the session and the version that logged it in.
    pub async fn connect_preferring(
        &self,
        device: &DeviceRecord,
        targets: &[SecretTarget],
        targets_first: bool,
    ) -> Result<(Session, u32), AccessError> {
        let user = device.device.login_user.clone();
        let path = device
            .secret_path(&user)
            .ok_or_else(|| AccessError::NoCredential {
                device: device.device.id.clone(),
                reason: format!("no password mapping for the login user {user}"),
            })?;
        let key = keys::device(&device.fabric_id, &device.device.id);
        let remembered = kv::get_json::<RememberedCredential>(&self.topology.credentials, &key)
            .await?
            .map(|v| v.value)
            .filter(|c| c.username == user && c.path == path);
        let candidates = self
            .likely_versions(&key, &user, &path, targets, targets_first, &remembered)
            .await?;
        let login = LoginUser {
            device,
            user: &user,
            mount: &device.secrets_mount,
            path: &path,
        };
        let (session, version) = self.try_versions(&login, candidates).await?;
        // After an apply whose outcome is unknown, the pushed version may log in only until the
        // switch's rollback timer undoes it: the applier remembers it once it is confirmed.
        let maybe_pending = targets_first && Some(version) == target_version(targets, &user);
        if !maybe_pending && remembered.as_ref().map(|c| c.version) != Some(version) {
            let credential = RememberedCredential {
                username: user,
                path,
                version,
            };
            kv::put_json(&self.topology.credentials, &key, &credential).await?;
        }
        Ok((session, version))
    }

    /// The versions most likely to log in, most likely first: the targets (after an uncertain
    /// apply), the remembered one, else the one the device's status says it holds, then the
    /// target.
    async fn likely_versions(
        &self,
        key: &str,
        user: &str,
        path: &str,
        targets: &[SecretTarget],
        targets_first: bool,
        remembered: &Option<RememberedCredential>,
    ) -> Result<Vec<u32>, AccessError> {
        let target_version = target_version(targets, user);
        let mut candidates: Vec<u32> = Vec::new();
        if targets_first && let Some(version) = target_version {
            candidates.push(version);
        }
        if let Some(credential) = remembered {
            candidates.push(credential.version);
        } else if let Some(status) =
            kv::get_message::<rotor_proto::v1::DeviceStatus>(&self.topology.device_status, key)
                .await?
            && let Some(held) = status
                .value
                .secrets
                .iter()
                .filter(|s| s.username == user)
                .find_map(|s| s.secret_archive_reference.as_ref())
                .filter(|r| r.path == path && r.version > 0)
        {
            candidates.push(held.version);
        }
        candidates.extend(target_version);
        Ok(candidates)
    }

    /// Logs in with each candidate version in turn, then (when all were refused, or there were
    /// none) with every stored version, newest first; returns the session and the version that
    /// worked. Listing costs a request to the secrets store per login, and the remembered or
    /// held version almost always logs in, so it is done only then.
    async fn try_versions(
        &self,
        login: &LoginUser<'_>,
        mut candidates: Vec<u32>,
    ) -> Result<(Session, u32), AccessError> {
        let mut seen = std::collections::HashSet::new();
        let mut tried: Vec<String> = Vec::new();
        let mut listed = false;
        let mut next = 0;
        loop {
            if next == candidates.len() {
                if listed {
                    break;
                }
                listed = true;
                let versions = self.secrets.versions(login.mount, login.path).await?;
                candidates.extend(
                    versions
                        .iter()
                        .rev()
                        .filter(|v| v.readable)
                        .map(|v| v.version),
                );
                continue;
            }
            let version = candidates[next];
            next += 1;
            if !seen.insert(version) {
                continue;
            }
            let password = match self
                .secrets
                .read(login.mount, login.path, Some(version))
                .await
            {
                Ok((password, _)) => password,
                // A remembered or held version the store no longer has (removed, destroyed):
                // the next candidate may log in (the documented recovery writes a new one).
                Err(SecretsError::VersionNotFound { .. }) => {
                    tracing::info!(device = %login.device.device.id, version, "a candidate version is gone from the secrets store; trying the next");
                    continue;
                }
                Err(error) => return Err(error.into()),
            };
            tried.push(format!("v{version}"));
            match self.login(login.device, login.user, &password).await {
                Ok(session) => return Ok((session, version)),
                Err(AccessError::Device(DeviceError::AuthenticationFailed { .. })) => {
                    tracing::info!(device = %login.device.device.id, user = %login.user, version, "password version refused; trying an older one");
                }
                Err(spent @ AccessError::BudgetSpent { .. }) => {
                    tried.pop();
                    return Err(refused_before(spent, login, &tried));
                }
                Err(other) => return Err(other),
            }
        }
        let device = login.device.device.id.clone();
        let path = format!("{}/{}", login.mount, login.path);
        if tried.is_empty() {
            return Err(AccessError::NoCredential {
                device,
                reason: format!("the secrets store has no version of {path}"),
            });
        }
        Err(AccessError::AllRefused {
            device,
            user: login.user.to_string(),
            path,
            versions: tried.join(", "),
        })
    }

    /// One password login within the budget: connect and check the host key, reserve a failure
    /// in the ledger of this user of this switch, send the password, settle the reservation by
    /// what the switch saw.
    pub async fn login(
        &self,
        device: &DeviceRecord,
        user: &str,
        password: &Password,
    ) -> Result<Session, AccessError> {
        let switch = device.device.switch_identity();
        // The handshake sends no password: it needs no reservation, and a worker stopped
        // during it (a slow switch, a busy machine) leaves none behind.
        let handshake = Handshake::connect(
            &device.device.address,
            &device.device.pinned_host_keys(),
            &self.ssh,
        )
        .await?;
        let reservation = match self.ledger().reserve(&switch, user).await? {
            Ok(reservation) => reservation,
            Err(spent) => {
                return Err(AccessError::BudgetSpent {
                    device: device.device.id.clone(),
                    user: user.to_string(),
                    failures: spent.failures,
                    budget: self.budget.max_failures,
                    until: rotor_bus::format_unix_ms(spent.free_at_unix_ms),
                    refused: format!("the switch refused Rotor's earlier logins as {user}; "),
                });
            }
        };
        let result = handshake.log_in(user, password).await;
        let outcome = match &result {
            Ok(_) => LoginOutcome::Succeeded,
            Err(error) if error.password_may_have_failed() => LoginOutcome::MaybeFailed,
            Err(_) => LoginOutcome::NotTried,
        };
        self.ledger().settle(reservation, outcome).await?;
        Ok(result?)
    }

    fn ledger(&self) -> LoginLedger {
        LoginLedger {
            store: self.topology.login_attempts.clone(),
            budget: self.budget.clone(),
        }
    }

    /// Remembers that `version` of the login user's secret now logs in (after an apply).
    pub async fn remember(
        &self,
        device: &DeviceRecord,
        path: &str,
        version: u32,
    ) -> Result<(), BusError> {
        let key = keys::device(&device.fabric_id, &device.device.id);
        let credential = RememberedCredential {
            username: device.device.login_user.clone(),
            path: path.to_string(),
            version,
        };
        kv::put_json(&self.topology.credentials, &key, &credential)
            .await
            .map(|_| ())
    }
}
