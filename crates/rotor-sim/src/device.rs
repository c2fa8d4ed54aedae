//! One simulated device: its profile, host keys, applied, startup and candidate configuration,
//! revisions, users and their login failures (lock-out), files written through the shell, faults
//! and latency; and the settings every device of a simulator shares.
//!
//! Saving, auto-save, commit-confirm and detached revisions are in [`crate::revisions`], the
//! reboot in [`crate::reboot`], the login restrictions in [`crate::restrictions`].

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::time::Duration;

use rotor_inventory::{AdministrativeState, Role};
use russh::keys::PrivateKey;
use serde::Serialize;
use serde_yaml::Value;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::config_tree::{Node, NvueConfig, scalar_text};
use crate::fabric::DevicePlan;
use crate::faults::{ActiveFaults, Fault, FaultKind};
use crate::host_keys::openssh_public_key;
use crate::latency::{LatencyProfile, OperationClass};
use crate::platform::Platform;
use crate::profile::Profile;
use crate::revisions::{DetachedRevision, PasswordHistory, PendingConfirm};
use crate::ssh::KillSwitch;
use crate::verification::VerificationCache;

/// The largest file the shell stores, in bytes.
pub const MAX_FILE_BYTES: usize = 1024 * 1024;
/// How many files a device keeps; writing one more forgets the oldest.
pub const MAX_FILES: usize = 4;
/// How many revisions a device remembers.
pub const MAX_REVISIONS: usize = 50;

/// When repeated failed logins lock an account (pam_faillock's `deny` and `unlock_time`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LockoutPolicy {
    /// Consecutive failures that lock the account (NVUE: 5).
    pub threshold: u32,
    /// How long the account stays locked (NVUE: 15 minutes).
    pub period: Duration,
}

impl Default for LockoutPolicy {
    fn default() -> Self {
        LockoutPolicy {
            threshold: 5,
            period: Duration::from_secs(15 * 60),
        }
    }
}

/// Counters over all devices of a simulator.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub connections: AtomicU64,
    pub logins_succeeded: AtomicU64,
    pub logins_failed: AtomicU64,
    pub lockouts: AtomicU64,
    pub commands: AtomicU64,
    pub open_sessions: AtomicU64,
    /// Per fabric: devices with a logged-in SSH session now, and the most there ever were.
    pub fabric_sessions: std::sync::Mutex<std::collections::HashMap<String, FabricSessions>>,
}

/// How many devices of one fabric have a logged-in SSH session: now, and at most since the
/// fabric was created or the peak was reset (what a test of Rotor's concurrency cap reads).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FabricSessions {
    /// Devices with at least one session open now.
    pub devices_in_session: u32,
    /// The most devices with a session open at once.
    pub peak_devices_in_session: u32,
}

impl Counters {
    /// A device's first session opened (`opened`) or its last one closed.
    pub(crate) fn device_in_session(&self, fabric_id: &str, opened: bool) {
        let mut sessions = self
            .fabric_sessions
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let entry = sessions.entry(fabric_id.to_string()).or_default();
        if opened {
            entry.devices_in_session += 1;
            entry.peak_devices_in_session =
                entry.peak_devices_in_session.max(entry.devices_in_session);
        } else {
            entry.devices_in_session = entry.devices_in_session.saturating_sub(1);
        }
    }
}

/// What every device of one simulator shares.
#[derive(Debug)]
pub(crate) struct Settings {
    pub bind_address: IpAddr,
    pub lockout: LockoutPolicy,
    pub latency: RwLock<LatencyProfile>,
    pub counters: Counters,
    pub verification: VerificationCache,
    pub auth_rejection_delay: Duration,
    /// How long a reboot keeps a device down unless told otherwise.
    pub reboot_down_time: Duration,
    /// Set to `true` once at shutdown; open connections watch it.
    pub shutdown: watch::Sender<bool>,
}

/// One revision of the applied configuration.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Revision {
    /// The revision number, counting up from 1 (the configuration at creation).
    pub id: u64,
    /// Who applied it: the SSH user, or `operator` for changes made through the control
    /// interface (faults, out-of-band edits), `system` for the configuration at creation.
    pub user: String,
    /// `CLI` (over SSH), `API` (control interface) or `startup`.
    pub method: String,
    /// Why it was applied, e.g. `Initial configuration` or the fault that changed it.
    pub reason: String,
    /// The message NVUE shows with the revision: `nv config apply -m <message>`, or
    /// `Config update by <user>`.
    pub message: String,
    /// UTC, `YYYY-MM-DD HH:MM:SS`.
    pub date: String,
    /// Applied with `--confirm` and then rolled back (confirm timeout or `--confirm-no`).
    pub rolled_back: bool,
}

#[derive(Debug, Default)]
pub(crate) struct UserLoginRecord {
    pub consecutive_failures: u32,
    pub locked_until: Option<Instant>,
}

#[derive(Debug, Default)]
pub(crate) struct LoginRecord {
    /// Only users that ever failed a login have an entry.
    pub users: HashMap<String, UserLoginRecord>,
    pub succeeded: u64,
    pub failed: u64,
    pub lockouts: u64,
}

#[derive(Debug)]
pub(crate) struct StoredFile {
    pub path: String,
    pub content: Vec<u8>,
}

/// Where a drift fault changed the applied configuration, to undo it.
#[derive(Debug)]
pub(crate) struct DriftRecord {
    pub path: Vec<String>,
    pub drifted_value: String,
}

#[derive(Debug)]
pub(crate) struct DeviceState {
    pub profile: Profile,
    pub applied: Arc<NvueConfig>,
    /// What `/etc/nvue.d/startup.yaml` holds: what a reboot loads. Shares memory with
    /// `applied` while they are the same.
    pub startup: Arc<NvueConfig>,
    /// The configuration the device was created with (for drift and the exported intended
    /// configuration); shares memory with `applied` until the first change.
    pub created: Arc<NvueConfig>,
    pub candidate: Option<Box<NvueConfig>>,
    /// Oldest first; the last one is the applied revision.
    pub revisions: Vec<Revision>,
    pub files: Vec<StoredFile>,
    pub faults: ActiveFaults,
    pub latency: Option<LatencyProfile>,
    pub logins: LoginRecord,
    pub drift: Option<DriftRecord>,
    /// An apply made with `--confirm` that waits for `--confirm-yes`.
    pub pending_confirm: Option<PendingConfirm>,
    /// Candidates kept by `nv config detach`, oldest first (a few at most).
    pub detached: Vec<DetachedRevision>,
    /// The id the next revision (applied or detached) gets.
    pub next_revision_id: u64,
    /// NVOS: each user's recent password hashes, for password hardening's history rule.
    pub password_history: PasswordHistory,
    /// Down for a reboot: no connections until it comes back.
    pub rebooting: bool,
}

impl DeviceState {
    pub fn applied_revision(&self) -> u64 {
        self.revisions.last().map_or(0, |revision| revision.id)
    }

    /// Replaces the applied configuration and records a new revision (`reason`, `message` as
    /// `nv config revision` shows them); returns its id. Nothing is saved here.
    pub fn commit(
        &mut self,
        config: NvueConfig,
        user: &str,
        method: &str,
        reason: &str,
        message: &str,
    ) -> u64 {
        let id = self.take_revision_id();
        let previous = std::mem::replace(&mut self.applied, Arc::new(config));
        self.password_history
            .record_changes(self.profile, &previous, &self.applied);
        self.revisions.push(Revision {
            id,
            user: user.to_string(),
            method: method.to_string(),
            reason: reason.to_string(),
            message: message.to_string(),
            date: now_text(),
            rolled_back: false,
        });
        if self.revisions.len() > MAX_REVISIONS {
            let excess = self.revisions.len() - MAX_REVISIONS;
            self.revisions.drain(..excess);
        }
        id
    }

    /// The pending candidate, created from the applied configuration on first use.
    pub fn candidate_mut(&mut self) -> &mut NvueConfig {
        let applied = &self.applied;
        self.candidate
            .get_or_insert_with(|| Box::new((**applied).clone()))
    }

    /// The role of a user in the applied configuration.
    pub fn user_role(&self, user: &str) -> Option<String> {
        self.applied
            .root
            .leaf_text(&["system", "aaa", "user", user, "role"])
    }

    pub fn has_pending_changes(&self) -> bool {
        self.candidate
            .as_ref()
            .is_some_and(|candidate| !candidate.root.same_as(&self.applied.root))
    }

    pub fn file(&self, path: &str) -> Option<&StoredFile> {
        self.files.iter().find(|file| file.path == path)
    }

    /// Stores a file, forgetting the oldest one when there are already [`MAX_FILES`].
    pub fn write_file(&mut self, path: &str, content: Vec<u8>) {
        self.files.retain(|file| file.path != path);
        if self.files.len() >= MAX_FILES {
            self.files.remove(0);
        }
        self.files.push(StoredFile {
            path: path.to_string(),
            content,
        });
    }

    pub fn remove_file(&mut self, path: &str) -> bool {
        let before = self.files.len();
        self.files.retain(|file| file.path != path);
        self.files.len() != before
    }
}

/// The current UTC time as NVUE prints it.
pub(crate) fn now_text() -> String {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    time::OffsetDateTime::now_utc()
        .format(&format)
        .unwrap_or_default()
}

/// How a password login attempt ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoginOutcome {
    /// The password matched; the user's failure count is reset.
    Accepted,
    /// Wrong password, or a user without a password hash.
    WrongPassword,
    /// No such user in the applied configuration; counted as a failed login, but locks nothing.
    UnknownUser,
    /// The account is locked; the password was not even checked.
    Locked,
}

/// A user of the applied configuration, without its password hash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserInfo {
    /// The user's name.
    pub username: String,
    /// The user's NVUE role (e.g. `system-admin`), if set.
    pub role: Option<String>,
    /// The user's full name, if set.
    pub full_name: Option<String>,
    /// Whether the user has a password hash, i.e. can log in with a password.
    pub has_password: bool,
}

/// Failed-login state of one user.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserLoginStatus {
    /// The user's name.
    pub username: String,
    /// Failed logins in a row since the last success or the end of the last lock.
    pub consecutive_failures: u32,
    /// Whether the account is locked now.
    pub locked: bool,
    /// Milliseconds until the lock ends, when locked.
    pub locked_remaining_ms: Option<u64>,
}

/// Login counters of one device.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LoginStatistics {
    /// Password logins accepted, ever.
    pub succeeded_logins: u64,
    /// Password logins refused (any reason), ever.
    pub failed_logins: u64,
    /// How many times an account was locked, ever.
    pub lockouts_triggered: u64,
    /// Users with failures or a lock, sorted by name.
    pub users: Vec<UserLoginStatus>,
    /// The users locked now, sorted by name.
    pub locked_users: Vec<String>,
}

/// A short description of a device, as lists show it.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceSummary {
    /// The device's id.
    pub id: String,
    /// The fabric the device belongs to.
    pub fabric_id: String,
    /// The platform the device simulates.
    pub platform: Platform,
    /// The release the device stands for (`cumulus-5.16`, `nvos-25.02`, ...).
    pub profile: Profile,
    /// The device's role in its fabric.
    pub role: Role,
    /// `host:port` to connect to.
    pub address: String,
    /// The SSH port on the simulator's address.
    pub port: u16,
    /// The first host key, OpenSSH form (`ssh-ed25519 AAAA...`, `ecdsa-sha2-nistp256 AAAA...`).
    pub host_key: String,
    /// Every host key the device offers, first key first, OpenSSH form.
    pub host_keys: Vec<String>,
    /// The device's administrative state, as the exported inventory says it.
    pub administrative_state: AdministrativeState,
    /// The number of the applied revision.
    pub applied_revision: u64,
    /// Whether a candidate is loaded that differs from the applied configuration.
    pub pending_changes: bool,
    /// The faults active now.
    pub faults: Vec<Fault>,
    /// How many SSH sessions are open to the device now.
    pub open_sessions: u32,
}

/// Everything about a device, as the control interface reports it.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceReport {
    /// The summary fields, flattened into the report.
    #[serde(flatten)]
    pub summary: DeviceSummary,
    /// `system hostname` of the applied configuration, if set.
    pub hostname: Option<String>,
    /// The users of the applied configuration.
    pub users: Vec<UserInfo>,
    /// Login counters and lock-out state.
    pub logins: LoginStatistics,
    /// Every revision, oldest first; the last one is applied.
    pub revisions: Vec<Revision>,
    /// NVUE startup YAML of the applied configuration (hashes masked unless asked otherwise).
    pub applied_config: String,
    /// NVUE startup YAML of the pending candidate, if there is one (masked like `applied_config`).
    pub candidate_config: Option<String>,
    /// NVUE startup YAML of the startup configuration, what a reboot loads (masked likewise).
    pub startup_config: String,
    /// Whether the startup configuration is the applied one.
    pub saved: bool,
    /// Whether auto-save is on (the applied configuration's setting, else the profile's
    /// default).
    pub auto_save: bool,
    /// Milliseconds left before a pending `nv config apply --confirm` rolls back, if one is.
    pub confirm_remaining_ms: Option<u64>,
    /// Whether the device is up (not in the middle of a reboot).
    pub up: bool,
    /// Whether the applied configuration differs from the one the device was created with.
    pub drifted_from_created: bool,
    /// The latency the device answers with now (its override, else the simulator's).
    pub latency: LatencyProfile,
    /// The device's own latency, when one was set for it.
    pub latency_override: Option<LatencyProfile>,
    /// The files in the device's file store.
    pub files: Vec<FileInfo>,
}

/// A file in a device's file store.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FileInfo {
    /// The file's path, as the session wrote it.
    pub path: String,
    /// Its size in bytes.
    pub bytes: usize,
}

/// One simulated switch.
#[derive(Debug)]
pub struct Device {
    pub(crate) id: String,
    pub(crate) fabric_id: String,
    pub(crate) platform: Platform,
    pub(crate) profile: Profile,
    pub(crate) role: Role,
    pub(crate) port: u16,
    /// The host keys offered, first key first (never empty).
    pub(crate) host_keys: Vec<PrivateKey>,
    pub(crate) settings: Arc<Settings>,
    pub(crate) state: Mutex<DeviceState>,
    /// The listening socket, while the device is reachable.
    pub(crate) socket: Mutex<Option<tokio::net::TcpListener>>,
    /// The accept loop, while the device listens.
    pub(crate) listener: Mutex<Option<JoinHandle<()>>>,
    pub(crate) open_sessions: AtomicU32,
    /// The open connections, to cut them all at a reboot (dead entries are pruned as new
    /// connections come).
    pub(crate) connections: Mutex<Vec<std::sync::Weak<KillSwitch>>>,
    /// Woken when a reboot ends.
    pub(crate) came_up: tokio::sync::Notify,
}

impl Device {
    /// A device as `plan` describes it, listening on nothing yet.
    pub(crate) fn new(
        plan: &DevicePlan,
        fabric_id: String,
        port: u16,
        host_keys: Vec<PrivateKey>,
        settings: Arc<Settings>,
        config: NvueConfig,
    ) -> Device {
        assert!(
            !host_keys.is_empty(),
            "a device offers at least one host key"
        );
        let config = Arc::new(config);
        let state = DeviceState {
            profile: plan.profile,
            applied: Arc::clone(&config),
            startup: Arc::clone(&config),
            created: config,
            candidate: None,
            revisions: vec![Revision {
                id: 1,
                user: "system".into(),
                method: "startup".into(),
                reason: "Initial configuration".into(),
                message: "Initial configuration".into(),
                date: now_text(),
                rolled_back: false,
            }],
            files: Vec::new(),
            faults: ActiveFaults::default(),
            latency: None,
            logins: LoginRecord::default(),
            drift: None,
            pending_confirm: None,
            detached: Vec::new(),
            next_revision_id: 2,
            password_history: PasswordHistory::default(),
            rebooting: false,
        };
        Device {
            id: plan.id.clone(),
            fabric_id,
            platform: plan.platform,
            profile: plan.profile,
            role: plan.role,
            port,
            host_keys,
            settings,
            state: Mutex::new(state),
            socket: Mutex::new(None),
            listener: Mutex::new(None),
            open_sessions: AtomicU32::new(0),
            connections: Mutex::new(Vec::new()),
            came_up: tokio::sync::Notify::new(),
        }
    }

    /// The device's state. A commit-confirm whose time ran out is rolled back here, before
    /// anyone looks: every reader and writer goes through this lock, so the rollback is seen at
    /// the instant it is due (on Tokio's clock) without a timer task per device.
    pub(crate) fn lock(&self) -> MutexGuard<'_, DeviceState> {
        let mut state = self
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        state.roll_back_if_confirm_expired();
        state
    }

    /// The device's id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The fabric the device belongs to.
    pub fn fabric_id(&self) -> &str {
        &self.fabric_id
    }

    /// The platform the device simulates.
    pub fn platform(&self) -> Platform {
        self.platform
    }

    /// The release the device stands for.
    pub fn profile(&self) -> Profile {
        self.profile
    }

    /// The device's role in its fabric.
    pub fn role(&self) -> Role {
        self.role
    }

    /// The SSH port the device listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Where the device listens for SSH.
    pub fn address(&self) -> SocketAddr {
        SocketAddr::new(self.settings.bind_address, self.port)
    }

    /// The first SSH host key in OpenSSH public-key form (`ssh-ed25519 AAAA...`; on
    /// `cumulus-5.16` `ecdsa-sha2-nistp256 AAAA...`). [`Device::host_keys`] has them all.
    pub fn host_key(&self) -> String {
        openssh_public_key(&self.host_keys[0])
    }

    /// Every host key the device offers, in OpenSSH public-key form, first key first.
    pub fn host_keys(&self) -> Vec<String> {
        self.host_keys.iter().map(openssh_public_key).collect()
    }

    /// The first host key's public key.
    pub fn public_key(&self) -> russh::keys::PublicKey {
        self.host_keys[0].public_key().clone()
    }

    /// Every host key's public key, first key first.
    pub fn public_keys(&self) -> Vec<russh::keys::PublicKey> {
        self.host_keys
            .iter()
            .map(|key| key.public_key().clone())
            .collect()
    }

    /// The applied configuration, unmasked.
    pub fn applied_config(&self) -> NvueConfig {
        (*self.lock().applied).clone()
    }

    /// The configuration the device was created with, unmasked.
    pub fn created_config(&self) -> NvueConfig {
        (*self.lock().created).clone()
    }

    /// The startup configuration (what `/etc/nvue.d/startup.yaml` holds, what a reboot loads),
    /// unmasked.
    pub fn startup_config(&self) -> NvueConfig {
        (*self.lock().startup).clone()
    }

    /// Whether the startup configuration is the applied one (saved, or auto-saved).
    pub fn is_saved(&self) -> bool {
        self.lock().is_saved()
    }

    /// Whether auto-save is on: the applied configuration's setting, else the profile's default.
    pub fn auto_save(&self) -> bool {
        self.lock().auto_save_enabled()
    }

    /// How long a pending `nv config apply --confirm` has before it rolls back by itself.
    pub fn confirm_remaining(&self) -> Option<Duration> {
        self.lock().confirm_remaining()
    }

    /// The user's password hash in the startup configuration.
    pub fn startup_password_hash(&self, username: &str) -> Option<String> {
        self.lock().startup.root.leaf_text(&[
            "system",
            "aaa",
            "user",
            username,
            self.platform.password_key(),
        ])
    }

    /// The pending candidate, if there is one.
    pub fn candidate_config(&self) -> Option<NvueConfig> {
        self.lock().candidate.as_deref().cloned()
    }

    /// The number of the applied revision.
    pub fn applied_revision(&self) -> u64 {
        self.lock().applied_revision()
    }

    /// Remembered revisions, oldest first.
    pub fn revisions(&self) -> Vec<Revision> {
        self.lock().revisions.clone()
    }

    /// The hostname in the applied configuration.
    pub fn hostname(&self) -> Option<String> {
        self.lock().applied.root.leaf_text(&["system", "hostname"])
    }

    /// Users of the applied configuration.
    pub fn users(&self) -> Vec<UserInfo> {
        users_of(&self.lock().applied.root, self.platform)
    }

    /// The password hash of a user in the applied configuration.
    pub fn user_password_hash(&self, username: &str) -> Option<String> {
        self.lock().applied.root.leaf_text(&[
            "system",
            "aaa",
            "user",
            username,
            self.platform.password_key(),
        ])
    }

    /// Changes a user's password hash in the applied configuration outside Rotor (a new
    /// revision by `operator`), e.g. to make a fabric's password sets differ. Returns the
    /// revision id.
    pub fn set_user_password_hash(
        &self,
        username: &str,
        hashed_password: &str,
    ) -> Result<u64, String> {
        if !crate::platform::looks_like_password_hash(hashed_password) {
            return Err("not a crypt(3) password hash such as $6$...".into());
        }
        rotor_inventory::check_username(username)?;
        let mut state = self.lock();
        let mut config = (*state.applied).clone();
        config.root.set_leaf(
            &[
                "system",
                "aaa",
                "user",
                username,
                self.platform.password_key(),
            ],
            Value::String(hashed_password.to_string()),
        );
        let message = format!("Password of {username} changed outside Rotor");
        let revision = state.commit(config, "operator", "API", "Config update", &message);
        state.save_if_auto_save();
        Ok(revision)
    }

    /// Deletes a user from the applied configuration outside Rotor (an operator's new
    /// revision, as `nv unset system aaa user <user>` then apply would make it): from then on
    /// the switch refuses every password for it. Returns the revision id.
    pub fn remove_user(&self, username: &str) -> Result<u64, String> {
        let mut state = self.lock();
        let mut config = (*state.applied).clone();
        if !config.root.remove(&["system", "aaa", "user", username]) {
            return Err(format!("no user {username} on {}", self.id));
        }
        let message = format!("User {username} deleted outside Rotor");
        let revision = state.commit(config, "operator", "API", "Config update", &message);
        state.save_if_auto_save();
        Ok(revision)
    }

    /// Whether an operation of this class would be delayed, and by how much.
    pub fn delay_for(&self, class: OperationClass) -> Duration {
        let (profile, slow) = {
            let state = self.lock();
            let profile = match state.latency {
                Some(profile) => profile,
                None => *self
                    .settings
                    .latency
                    .read()
                    .unwrap_or_else(|poisoned| poisoned.into_inner()),
            };
            (profile, state.faults.slow)
        };
        let base = profile.delay(class);
        match slow {
            Some((factor, extra_ms)) => {
                base.mul_f64(factor.max(0.0)) + Duration::from_millis(extra_ms)
            }
            None => base,
        }
    }

    /// The latency profile this device uses (its own, or the simulator's).
    pub fn latency(&self) -> LatencyProfile {
        let own = self.lock().latency;
        own.unwrap_or_else(|| {
            *self
                .settings
                .latency
                .read()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
        })
    }

    /// Gives the device its own latency profile, or `None` to follow the simulator's.
    pub fn set_latency(&self, profile: Option<LatencyProfile>) {
        self.lock().latency = profile;
    }

    /// Checks a password login against the applied configuration and the lock-out policy, and
    /// records the outcome. The password is neither logged nor kept.
    pub fn check_login(&self, username: &str, password: &str) -> LoginOutcome {
        let now = Instant::now();
        let (hash, policy) = {
            let mut state = self.lock();
            let policy = state.login_policy(self.settings.lockout);
            if let Some(record) = state.logins.users.get_mut(username)
                && let Some(until) = record.locked_until
            {
                if now < until {
                    self.count_failed_login(&mut state);
                    return LoginOutcome::Locked;
                }
                record.locked_until = None;
                record.consecutive_failures = 0;
            }
            let user = state.applied.root.get(&["system", "aaa", "user", username]);
            let hash = user.map(|user| {
                user.leaf_text(&[self.platform.password_key()])
                    .unwrap_or_default()
            });
            (hash, policy)
        };
        let outcome = match &hash {
            None => LoginOutcome::UnknownUser,
            Some(hash)
                if crate::platform::looks_like_password_hash(hash)
                    && self.settings.verification.verify(password, hash) =>
            {
                LoginOutcome::Accepted
            }
            Some(_) => LoginOutcome::WrongPassword,
        };
        let mut state = self.lock();
        match outcome {
            LoginOutcome::Accepted => {
                state.logins.succeeded += 1;
                state.logins.users.remove(username);
                self.settings
                    .counters
                    .logins_succeeded
                    .fetch_add(1, Ordering::Relaxed);
            }
            LoginOutcome::UnknownUser => self.count_failed_login(&mut state),
            LoginOutcome::WrongPassword | LoginOutcome::Locked => {
                self.count_failed_login(&mut state);
                let record = state.logins.users.entry(username.to_string()).or_default();
                record.consecutive_failures += 1;
                if policy.locks
                    && record.consecutive_failures >= policy.threshold.max(1)
                    && record.locked_until.is_none()
                {
                    record.locked_until = Some(now + policy.period);
                    state.logins.lockouts += 1;
                    self.settings
                        .counters
                        .lockouts
                        .fetch_add(1, Ordering::Relaxed);
                }
            }
        }
        outcome
    }

    fn count_failed_login(&self, state: &mut DeviceState) {
        state.logins.failed += 1;
        self.settings
            .counters
            .logins_failed
            .fetch_add(1, Ordering::Relaxed);
    }

    /// How long the device waits before it answers a refused login (`fail-delay` on profiles
    /// with login restrictions; 0 elsewhere).
    pub fn failed_login_delay(&self) -> Duration {
        self.lock().login_policy(self.settings.lockout).fail_delay
    }

    /// Failed-login counts, locked users and lock-outs ever triggered.
    pub fn login_statistics(&self) -> LoginStatistics {
        let now = Instant::now();
        let state = self.lock();
        let mut users: Vec<UserLoginStatus> = state
            .logins
            .users
            .iter()
            .map(|(username, record)| {
                let remaining = record
                    .locked_until
                    .filter(|until| *until > now)
                    .map(|until| until - now);
                let expired = record.locked_until.is_some() && remaining.is_none();
                UserLoginStatus {
                    username: username.clone(),
                    consecutive_failures: if expired {
                        0
                    } else {
                        record.consecutive_failures
                    },
                    locked: remaining.is_some(),
                    locked_remaining_ms: remaining.map(|r| r.as_millis() as u64),
                }
            })
            .filter(|status| status.consecutive_failures > 0 || status.locked)
            .collect();
        users.sort_by(|a, b| a.username.cmp(&b.username));
        let locked_users = users
            .iter()
            .filter(|status| status.locked)
            .map(|status| status.username.clone())
            .collect();
        LoginStatistics {
            succeeded_logins: state.logins.succeeded,
            failed_logins: state.logins.failed,
            lockouts_triggered: state.logins.lockouts,
            users,
            locked_users,
        }
    }

    /// Unlocks every account and forgets failure counts (`faillock --reset`); totals stay.
    pub fn reset_lockouts(&self) {
        self.lock().logins.users.clear();
    }

    /// Faults active now.
    pub fn faults(&self) -> Vec<Fault> {
        self.lock().faults.list()
    }

    /// The device's administrative state now (a fault can change it).
    pub fn administrative_state(&self) -> AdministrativeState {
        self.lock().faults.administrative_state
    }

    /// Sets a fault. `unreachable` closes the listener (call from within a Tokio runtime).
    pub fn set_fault(self: &Arc<Self>, fault: Fault) -> Result<(), String> {
        match fault {
            Fault::Unreachable => {
                self.lock().faults.unreachable = true;
                crate::ssh::stop_listening(self);
            }
            Fault::Slow { factor, extra_ms } => {
                if !factor.is_finite() || factor < 0.0 {
                    return Err(format!("slow factor {factor} must be 0 or more"));
                }
                self.lock().faults.slow = Some((factor, extra_ms));
            }
            Fault::Drifted => self.apply_drift(),
            Fault::ApplyFails => self.lock().faults.apply_fails = true,
            Fault::RejectsYaml => self.lock().faults.rejects_yaml = true,
            Fault::DropAfterApply => self.lock().faults.drop_after_apply = true,
            Fault::PasswordNotApplied => self.lock().faults.password_not_applied = true,
            Fault::PasswordNotAppliedFor { user } => {
                self.lock().faults.password_not_applied_for = Some(user);
            }
            Fault::RollbackFails => self.lock().faults.rollback_fails = true,
            Fault::ChangeBetweenDiffAndApply => {
                self.lock().faults.change_between_diff_and_apply = true;
            }
            Fault::AdministrativeState { state } => {
                self.lock().faults.administrative_state = state;
            }
            Fault::StallApply { ms } => self.lock().faults.stall_apply = Some(ms),
            Fault::Reboot { down_ms } => {
                drop(self.start_reboot(down_ms.map(Duration::from_millis)));
            }
        }
        Ok(())
    }

    /// Clears a fault. Clearing `unreachable` listens again on the same port (call from within
    /// a Tokio runtime); clearing `drifted` reverts the drift.
    pub fn clear_fault(self: &Arc<Self>, kind: FaultKind) -> Result<(), String> {
        match kind {
            FaultKind::Unreachable => {
                let was = std::mem::replace(&mut self.lock().faults.unreachable, false);
                let rebooting = self.lock().rebooting;
                if (was || !self.is_listening()) && !rebooting {
                    crate::ssh::start_listening(self).map_err(|error| {
                        self.lock().faults.unreachable = true;
                        format!("cannot listen on port {} again: {error}", self.port)
                    })?;
                }
            }
            FaultKind::Slow => self.lock().faults.slow = None,
            FaultKind::Drifted => self.revert_drift(),
            FaultKind::ApplyFails => self.lock().faults.apply_fails = false,
            FaultKind::RejectsYaml => self.lock().faults.rejects_yaml = false,
            FaultKind::DropAfterApply => self.lock().faults.drop_after_apply = false,
            FaultKind::PasswordNotApplied => self.lock().faults.password_not_applied = false,
            FaultKind::PasswordNotAppliedFor => self.lock().faults.password_not_applied_for = None,
            FaultKind::RollbackFails => self.lock().faults.rollback_fails = false,
            FaultKind::ChangeBetweenDiffAndApply => {
                self.lock().faults.change_between_diff_and_apply = false;
            }
            FaultKind::AdministrativeState => {
                self.lock().faults.administrative_state = AdministrativeState::Enabled;
            }
            FaultKind::StallApply => self.lock().faults.stall_apply = None,
            FaultKind::Reboot => {}
        }
        Ok(())
    }

    /// Remembers an open connection, to cut it at a reboot.
    pub(crate) fn register_connection(&self, connection: &Arc<KillSwitch>) {
        let mut connections = self
            .connections
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        connections.retain(|known| known.strong_count() > 0);
        connections.push(Arc::downgrade(connection));
    }

    /// Whether the device accepts connections.
    pub fn is_listening(&self) -> bool {
        self.socket
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .is_some()
    }

    fn drift_path(&self, config: &NvueConfig) -> Vec<String> {
        let interfaces = config.root.get(&["interface"]).and_then(Node::children);
        let chosen = interfaces.and_then(|interfaces| {
            interfaces
                .iter()
                .find(|(_, node)| {
                    matches!(
                        node.leaf_text(&["type"]).as_deref(),
                        Some("swp") | Some("nvl") | Some("ib")
                    )
                })
                .or_else(|| interfaces.iter().next())
                .map(|(name, _)| name.clone())
        });
        match chosen {
            Some(name) => vec!["interface".into(), name, "description".into()],
            None => vec!["system".into(), "message".into(), "pre-login".into()],
        }
    }

    fn apply_drift(&self) {
        let mut state = self.lock();
        if state.faults.drifted {
            return;
        }
        state.faults.drifted = true;
        let mut config = (*state.applied).clone();
        let path = self.drift_path(&config);
        let value = "drifted: changed outside Rotor".to_string();
        config.root.set_leaf(&path, Value::String(value.clone()));
        let message = "Drift: changed outside Rotor";
        state.commit(config, "operator", "API", "Config update", message);
        state.save_if_auto_save();
        state.drift = Some(DriftRecord {
            path,
            drifted_value: value,
        });
    }

    fn revert_drift(&self) {
        let mut state = self.lock();
        state.faults.drifted = false;
        let Some(drift) = state.drift.take() else {
            return;
        };
        if state.applied.root.leaf_text(&drift.path).as_deref() != Some(&drift.drifted_value) {
            // Someone already changed it again (for example Rotor applied its intended config).
            return;
        }
        let mut config = (*state.applied).clone();
        match state.created.root.get(&drift.path) {
            Some(original) => {
                let (last, parents) = drift.path.split_last().expect("drift path is not empty");
                config
                    .root
                    .ensure_branch(parents)
                    .insert(last.clone(), original.clone());
            }
            None => {
                config.root.remove(&drift.path);
            }
        }
        state.commit(config, "operator", "API", "Config update", "Drift reverted");
        state.save_if_auto_save();
    }

    /// Makes the non-password change of `change_between_diff_and_apply`: a new post-login
    /// message committed by `operator`.
    pub(crate) fn commit_concurrent_change(state: &mut DeviceState) {
        let mut config = (*state.applied).clone();
        let next = state.applied_revision() + 1;
        config.root.set_leaf(
            &["system", "message", "post-login"],
            Value::String(format!("Changed by another operator (revision {next})")),
        );
        state.commit(
            config,
            "operator",
            "CLI",
            "Config update",
            "Config update by operator",
        );
        state.save_if_auto_save();
    }

    /// Paths of the files in the device's file store.
    pub fn files(&self) -> Vec<FileInfo> {
        self.lock()
            .files
            .iter()
            .map(|file| FileInfo {
                path: file.path.clone(),
                bytes: file.content.len(),
            })
            .collect()
    }

    /// The content of a stored file.
    pub fn file(&self, path: &str) -> Option<Vec<u8>> {
        self.lock().file(path).map(|file| file.content.clone())
    }

    /// How many SSH sessions are open to the device now.
    pub fn open_sessions(&self) -> u32 {
        self.open_sessions.load(Ordering::Relaxed)
    }

    /// The device as lists show it.
    pub fn summary(&self) -> DeviceSummary {
        let state = self.lock();
        DeviceSummary {
            id: self.id.clone(),
            fabric_id: self.fabric_id.clone(),
            platform: self.platform,
            profile: self.profile,
            role: self.role,
            address: self.address().to_string(),
            port: self.port,
            host_key: self.host_key(),
            host_keys: self.host_keys(),
            administrative_state: state.faults.administrative_state,
            applied_revision: state.applied_revision(),
            pending_changes: state.has_pending_changes(),
            faults: state.faults.list(),
            open_sessions: self.open_sessions(),
        }
    }

    /// A full report; password hashes are masked unless `unmasked`.
    pub fn report(&self, unmasked: bool) -> DeviceReport {
        let summary = self.summary();
        let logins = self.login_statistics();
        let latency = self.latency();
        let files = self.files();
        let state = self.lock();
        DeviceReport {
            summary,
            hostname: state.applied.root.leaf_text(&["system", "hostname"]),
            users: users_of(&state.applied.root, self.platform),
            logins,
            revisions: state.revisions.clone(),
            applied_config: state.applied.to_startup_yaml(!unmasked),
            candidate_config: state
                .candidate
                .as_ref()
                .map(|candidate| candidate.to_startup_yaml(!unmasked)),
            startup_config: state.startup.to_startup_yaml(!unmasked),
            saved: state.is_saved(),
            auto_save: state.auto_save_enabled(),
            confirm_remaining_ms: state
                .confirm_remaining()
                .map(|remaining| remaining.as_millis() as u64),
            up: !state.rebooting,
            drifted_from_created: !state.applied.root.same_as(&state.created.root),
            latency,
            latency_override: state.latency,
            files,
        }
    }
}

/// The users of a configuration tree.
pub(crate) fn users_of(root: &Node, platform: Platform) -> Vec<UserInfo> {
    let Some(users) = root
        .get(&["system", "aaa", "user"])
        .and_then(Node::children)
    else {
        return Vec::new();
    };
    users
        .iter()
        .map(|(username, node)| UserInfo {
            username: username.clone(),
            role: node.leaf_text(&["role"]),
            full_name: node.leaf_text(&["full-name"]),
            has_password: node
                .get(&[platform.password_key()])
                .is_some_and(|value| matches!(value, Node::Leaf(v) if !scalar_text(v).is_empty())),
        })
        .collect()
}

/// A device that is not listening anywhere, for unit tests of the command layer: Cumulus devices
/// are `cumulus-5.8` (auto-save off, so `applied [rev_id: N]`), NVOS devices `nvos-25.02`.
#[cfg(test)]
pub(crate) fn test_device(platform: Platform) -> Device {
    test_device_with(match platform {
        Platform::Cumulus => Profile::Cumulus5_8,
        Platform::Nvos => Profile::Nvos25_02,
    })
}

/// A device of `profile` that is not listening anywhere, with the login user's password
/// `secret` and a read-only user `auditor` (same password).
#[cfg(test)]
pub(crate) fn test_device_with(profile: Profile) -> Device {
    use crate::fabric::{FabricSpec, initial_config, plan_devices};
    let platform = profile.platform();
    let hash = pwhash::sha512_crypt::hash_with("$6$rounds=5000$unittest", "secret").unwrap();
    let mut spec = FabricSpec::new("unit", 1)
        .with_profiles(vec![profile])
        .with_user(platform, platform.login_user(), hash.clone())
        .with_user(platform, "auditor", hash);
    if let Some(users) = spec.initial_users.get_mut(&platform)
        && let Some(auditor) = users.get_mut("auditor")
    {
        auditor.role = Some(
            match platform {
                Platform::Cumulus => "nvue-monitor",
                Platform::Nvos => "monitor",
            }
            .to_string(),
        );
    }
    let plan = plan_devices(&spec).unwrap().remove(0);
    let config = initial_config(&plan, &spec.initial_users);
    let (shutdown, _) = watch::channel(false);
    let settings = Arc::new(Settings {
        bind_address: IpAddr::V4(std::net::Ipv4Addr::LOCALHOST),
        lockout: LockoutPolicy::default(),
        latency: RwLock::new(LatencyProfile::none()),
        counters: Counters::default(),
        verification: VerificationCache::new(16),
        auth_rejection_delay: Duration::ZERO,
        reboot_down_time: Duration::from_millis(500),
        shutdown,
    });
    let keys = vec![crate::ssh::derive_host_key("unit", "device")];
    Device::new(&plan, "unit".into(), 0, keys, settings, config)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config_tree::diff;

    #[tokio::test(start_paused = true)]
    async fn five_failures_lock_for_fifteen_minutes_and_success_resets() {
        let device = test_device(Platform::Cumulus);
        for _ in 0..4 {
            assert_eq!(
                device.check_login("cumulus", "wrong"),
                LoginOutcome::WrongPassword
            );
        }
        assert_eq!(device.login_statistics().users[0].consecutive_failures, 4);
        assert_eq!(
            device.check_login("cumulus", "secret"),
            LoginOutcome::Accepted
        );
        assert!(device.login_statistics().users.is_empty(), "success resets");
        for _ in 0..5 {
            device.check_login("cumulus", "wrong");
        }
        let statistics = device.login_statistics();
        assert_eq!(statistics.locked_users, vec!["cumulus".to_string()]);
        assert_eq!(statistics.lockouts_triggered, 1);
        assert_eq!(
            device.check_login("cumulus", "secret"),
            LoginOutcome::Locked
        );
        tokio::time::advance(Duration::from_secs(14 * 60 + 59)).await;
        assert_eq!(
            device.check_login("cumulus", "secret"),
            LoginOutcome::Locked
        );
        tokio::time::advance(Duration::from_secs(2)).await;
        assert!(device.login_statistics().locked_users.is_empty());
        assert_eq!(
            device.check_login("cumulus", "secret"),
            LoginOutcome::Accepted
        );
        let statistics = device.login_statistics();
        assert_eq!(statistics.lockouts_triggered, 1);
        assert_eq!(statistics.failed_logins, 11);
        assert_eq!(statistics.succeeded_logins, 2);
        assert_eq!(device.check_login("nobody", "x"), LoginOutcome::UnknownUser);
        assert!(device.login_statistics().users.is_empty());
    }

    #[tokio::test]
    async fn drift_changes_a_description_and_clearing_reverts_it() {
        let device = Arc::new(test_device(Platform::Cumulus));
        let created = device.created_config();
        device.set_fault(Fault::Drifted).unwrap();
        let drifted = device.applied_config();
        let changes = diff(&created.root, &drifted.root);
        assert_eq!(changes.len(), 1);
        assert_eq!(
            changes[0].to_command(true),
            "nv set interface swp1 description 'drifted: changed outside Rotor'"
        );
        assert_eq!(device.applied_revision(), 2);
        device
            .clear_fault(crate::faults::FaultKind::Drifted)
            .unwrap();
        assert!(device.applied_config().root.same_as(&created.root));
        assert_eq!(device.applied_revision(), 3);
    }
}
