//! The simulator handle: starting it, creating and removing fabrics of devices, finding devices,
//! the global latency profile, counters, inventory export and shutdown.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use russh::keys::PrivateKey;
use serde::Serialize;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::device::{Counters, Device, DeviceSummary, LockoutPolicy, Settings};
use crate::export::{ExportOptions, ExportSummary, ExportedFabric};
use crate::fabric::{DevicePlan, FabricSpec, check_users, initial_config, plan_devices};
use crate::host_keys::derive_many;
use crate::latency::LatencyProfile;
use crate::platform::Platform;
use crate::profile::HostKeyType;
use crate::ssh;
use crate::verification::VerificationCache;

/// How a simulator runs.
#[derive(Clone, Debug)]
pub struct SimConfig {
    /// The address every device listens on (loopback).
    pub bind_address: IpAddr,
    /// `None`: each device gets a port chosen by the OS. `Some(port)`: devices get consecutive
    /// ports from this one, in creation order across fabrics.
    pub base_port: Option<u16>,
    /// When an account locks after failed logins, and for how long.
    pub lockout: LockoutPolicy,
    /// The latency profile of every device without its own.
    pub latency: LatencyProfile,
    /// Where to serve the HTTP control interface, if anywhere.
    pub control_address: Option<SocketAddr>,
    /// How long a rejected password takes (russh's `auth_rejection_time`); 0 by default so
    /// lock-out tests run fast.
    pub auth_rejection_delay: Duration,
    /// Size of the cache of successful password verifications; 0 disables it.
    pub verification_cache_entries: usize,
    /// How long a rebooting device stays down when the reboot does not say (500 ms).
    pub reboot_down_time: Duration,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            bind_address: IpAddr::V4(Ipv4Addr::LOCALHOST),
            base_port: None,
            lockout: LockoutPolicy::default(),
            latency: LatencyProfile::none(),
            control_address: None,
            auth_rejection_delay: Duration::ZERO,
            verification_cache_entries: 4096,
            reboot_down_time: Duration::from_millis(500),
        }
    }
}

/// Why a simulator operation failed.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// A fabric with this id (given) already exists.
    #[error("fabric {0:?} already exists")]
    FabricExists(String),
    /// No fabric has this id (given).
    #[error("unknown fabric {0:?}")]
    UnknownFabric(String),
    /// No device has this id (given).
    #[error("unknown device {0:?}")]
    UnknownDevice(String),
    /// A device with this id (given) exists already, in this or another fabric.
    #[error("device {0:?} already exists (set deviceIdPrefix to tell fabrics apart)")]
    DeviceExists(String),
    /// The fabric specification is not usable (what is wrong, given).
    #[error("invalid fabric specification: {0}")]
    InvalidSpec(String),
    /// A device's or the control interface's socket could not be bound.
    #[error("cannot listen on {address}: {source}")]
    Bind {
        /// The address that could not be bound.
        address: SocketAddr,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// A fault could not be set or cleared (why, given).
    #[error("{0}")]
    Fault(String),
    /// The exported inventory fails Rotor's own validation.
    #[error("the exported inventory is invalid: {0}")]
    Inventory(#[from] rotor_inventory::InventoryError),
    /// An exported file could not be written.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file that could not be written.
        path: std::path::PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// The simulator was shut down, so it takes no more work.
    #[error("the simulator has been shut down")]
    ShutDown,
}

/// What a fabric creation produced.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FabricSummary {
    /// The fabric's id.
    pub fabric_id: String,
    /// The seed its host keys were derived from.
    pub seed: String,
    /// How many devices were created.
    pub device_count: usize,
    /// Every device created, in creation order.
    pub devices: Vec<DeviceSummary>,
    /// How long starting the devices took, in milliseconds.
    pub start_milliseconds: u64,
}

/// Counters over the whole simulator.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SimulatorCounters {
    /// Fabrics now.
    pub fabrics: usize,
    /// Devices now.
    pub devices: usize,
    /// SSH connections accepted, ever.
    pub connections: u64,
    /// Password logins accepted, ever.
    pub logins_succeeded: u64,
    /// Password logins refused, ever.
    pub logins_failed: u64,
    /// Accounts locked by failed logins, ever.
    pub lockouts_triggered: u64,
    /// Commands run, ever.
    pub commands: u64,
    /// SSH sessions open now.
    pub open_sessions: u64,
    /// Logins checked against the cache of successful verifications instead of hashing again.
    pub verification_cache_hits: u64,
    /// Logins that needed a full SHA-512-crypt verification.
    pub full_password_verifications: u64,
}

#[derive(Debug)]
struct FabricRecord {
    device_ids: Vec<String>,
}

#[derive(Debug)]
struct Shared {
    settings: Arc<Settings>,
    config: SimConfig,
    devices: RwLock<BTreeMap<String, Arc<Device>>>,
    fabrics: RwLock<BTreeMap<String, FabricRecord>>,
    /// Serialises fabric creation and the next port offset when `base_port` is set.
    creation: Mutex<u32>,
    control: Mutex<Option<(SocketAddr, JoinHandle<()>)>>,
    stopped: AtomicBool,
    /// Set when shutdown is requested (through [`Simulator::shutdown`] or the control
    /// interface).
    shutdown_requested: watch::Sender<bool>,
}

/// A running simulator; cheap to clone, every clone is the same simulator.
#[derive(Clone, Debug)]
pub struct Simulator {
    shared: Arc<Shared>,
}

fn read<T>(lock: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    lock.read().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn write<T>(lock: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    lock.write()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Refuses a fabric with a platform whose login user (the one Rotor logs in with) has no hash.
fn check_login_users(spec: &FabricSpec, plans: &[DevicePlan]) -> Result<(), SimError> {
    for platform in [Platform::Cumulus, Platform::Nvos] {
        let needed = plans.iter().any(|plan| plan.platform == platform);
        let login = platform.login_user();
        let given = spec
            .initial_users
            .get(&platform)
            .is_some_and(|users| users.contains_key(login));
        if needed && !given {
            return Err(SimError::InvalidSpec(format!(
                "initialUsers has no password hash for {platform} user {login:?}, the user Rotor logs in with"
            )));
        }
    }
    Ok(())
}

impl Simulator {
    /// Starts a simulator with no devices; serves the control interface when configured.
    pub async fn start(config: SimConfig) -> Result<Simulator, SimError> {
        let (shutdown, _) = watch::channel(false);
        let settings = Arc::new(Settings {
            bind_address: config.bind_address,
            lockout: config.lockout,
            latency: RwLock::new(config.latency),
            counters: Counters::default(),
            verification: VerificationCache::new(config.verification_cache_entries),
            auth_rejection_delay: config.auth_rejection_delay,
            reboot_down_time: config.reboot_down_time,
            shutdown,
        });
        let (shutdown_requested, _) = watch::channel(false);
        let simulator = Simulator {
            shared: Arc::new(Shared {
                settings,
                config: config.clone(),
                devices: RwLock::new(BTreeMap::new()),
                fabrics: RwLock::new(BTreeMap::new()),
                creation: Mutex::new(0),
                control: Mutex::new(None),
                stopped: AtomicBool::new(false),
                shutdown_requested,
            }),
        };
        if let Some(address) = config.control_address {
            simulator.serve_control(address).await?;
        }
        Ok(simulator)
    }

    /// Serves the HTTP control interface on `address` (port 0 for any); returns where.
    pub async fn serve_control(&self, address: SocketAddr) -> Result<SocketAddr, SimError> {
        let listener = tokio::net::TcpListener::bind(address)
            .await
            .map_err(|source| SimError::Bind { address, source })?;
        let local = listener
            .local_addr()
            .map_err(|source| SimError::Bind { address, source })?;
        let task = tokio::spawn(crate::control::serve(self.clone(), listener));
        if let Some((_, old)) = lock(&self.shared.control).replace((local, task)) {
            old.abort();
        }
        Ok(local)
    }

    /// Where the control interface listens, if it does.
    pub fn control_address(&self) -> Option<SocketAddr> {
        lock(&self.shared.control)
            .as_ref()
            .map(|(address, _)| *address)
    }

    /// Creates a fabric: plans the devices, builds their configurations and host keys, binds
    /// one port each and starts listening. Must be called within a Tokio runtime.
    pub fn create_fabric(&self, spec: FabricSpec) -> Result<FabricSummary, SimError> {
        if self.shared.stopped.load(Ordering::SeqCst) {
            return Err(SimError::ShutDown);
        }
        let started = Instant::now();
        check_users(&spec.initial_users).map_err(SimError::InvalidSpec)?;
        let plans = plan_devices(&spec).map_err(SimError::InvalidSpec)?;
        let mut port_offset = lock(&self.shared.creation);
        if read(&self.shared.fabrics).contains_key(&spec.fabric_id) {
            return Err(SimError::FabricExists(spec.fabric_id));
        }
        {
            let devices = read(&self.shared.devices);
            if let Some(plan) = plans.iter().find(|plan| devices.contains_key(&plan.id)) {
                return Err(SimError::DeviceExists(plan.id.clone()));
            }
        }
        check_login_users(&spec, &plans)?;
        let mut created: Vec<Arc<Device>> = Vec::with_capacity(plans.len());
        let jobs: Vec<(&str, Vec<HostKeyType>)> = plans
            .iter()
            .map(|plan| {
                let types = plan.profile.host_key_types(spec.rsa_host_keys);
                (plan.id.as_str(), types)
            })
            .collect();
        let mut host_keys = derive_many(&spec.seed, &jobs).into_iter();
        for plan in &plans {
            let keys = host_keys.next().unwrap_or_default();
            match self.start_device(&spec, plan, keys, &mut port_offset) {
                Ok(device) => created.push(device),
                Err(error) => {
                    self.stop_devices(&created);
                    return Err(error);
                }
            }
        }
        {
            let mut devices = write(&self.shared.devices);
            for device in &created {
                devices.insert(device.id.clone(), Arc::clone(device));
            }
        }
        write(&self.shared.fabrics).insert(
            spec.fabric_id.clone(),
            FabricRecord {
                device_ids: plans.iter().map(|plan| plan.id.clone()).collect(),
            },
        );
        drop(port_offset);
        let elapsed = started.elapsed();
        tracing::info!(
            fabric = %spec.fabric_id,
            devices = created.len(),
            milliseconds = elapsed.as_millis() as u64,
            "fabric created"
        );
        Ok(FabricSummary {
            fabric_id: spec.fabric_id,
            seed: spec.seed,
            device_count: created.len(),
            devices: created.iter().map(|device| device.summary()).collect(),
            start_milliseconds: elapsed.as_millis() as u64,
        })
    }

    /// Binds a planned device's port (the next from `base_port`, counted in `port_offset`, or
    /// one the OS chooses), builds the device and starts listening.
    fn start_device(
        &self,
        spec: &FabricSpec,
        plan: &DevicePlan,
        host_keys: Vec<PrivateKey>,
        port_offset: &mut u32,
    ) -> Result<Arc<Device>, SimError> {
        let port = match self.shared.config.base_port {
            Some(base) => {
                let port = u32::from(base) + *port_offset;
                if port > u32::from(u16::MAX) {
                    return Err(SimError::InvalidSpec(format!(
                        "ports from {base} run out before device {}",
                        plan.id
                    )));
                }
                *port_offset += 1;
                port as u16
            }
            None => 0,
        };
        let address = SocketAddr::new(self.shared.config.bind_address, port);
        let listener = ssh::bind(address).map_err(|source| SimError::Bind { address, source })?;
        let port = listener
            .local_addr()
            .map(|local| local.port())
            .unwrap_or(port);
        let device = Arc::new(Device::new(
            plan,
            spec.fabric_id.clone(),
            port,
            host_keys,
            Arc::clone(&self.shared.settings),
            initial_config(plan, &spec.initial_users),
        ));
        ssh::listen_on(&device, listener).map_err(|source| SimError::Bind { address, source })?;
        Ok(device)
    }

    fn stop_devices(&self, devices: &[Arc<Device>]) {
        for device in devices {
            ssh::stop_listening(device);
        }
    }

    /// Stops a fabric's devices and forgets them. Open sessions end.
    pub fn remove_fabric(&self, fabric_id: &str) -> Result<(), SimError> {
        let record = write(&self.shared.fabrics)
            .remove(fabric_id)
            .ok_or_else(|| SimError::UnknownFabric(fabric_id.to_string()))?;
        let mut devices = write(&self.shared.devices);
        for id in record.device_ids {
            if let Some(device) = devices.remove(&id) {
                ssh::stop_listening(&device);
            }
        }
        Ok(())
    }

    /// Fabric ids, sorted.
    pub fn fabric_ids(&self) -> Vec<String> {
        read(&self.shared.fabrics).keys().cloned().collect()
    }

    /// A fabric's devices, in creation order.
    pub fn fabric_devices(&self, fabric_id: &str) -> Result<Vec<Arc<Device>>, SimError> {
        let fabrics = read(&self.shared.fabrics);
        let record = fabrics
            .get(fabric_id)
            .ok_or_else(|| SimError::UnknownFabric(fabric_id.to_string()))?;
        let devices = read(&self.shared.devices);
        Ok(record
            .device_ids
            .iter()
            .filter_map(|id| devices.get(id).cloned())
            .collect())
    }

    /// Every device, sorted by id.
    pub fn devices(&self) -> Vec<Arc<Device>> {
        read(&self.shared.devices).values().cloned().collect()
    }

    /// Summaries of every device, or of one fabric's.
    pub fn device_summaries(
        &self,
        fabric_id: Option<&str>,
    ) -> Result<Vec<DeviceSummary>, SimError> {
        let devices = match fabric_id {
            Some(fabric_id) => self.fabric_devices(fabric_id)?,
            None => self.devices(),
        };
        Ok(devices.iter().map(|device| device.summary()).collect())
    }

    /// A device by id.
    pub fn device(&self, device_id: &str) -> Option<Arc<Device>> {
        read(&self.shared.devices).get(device_id).cloned()
    }

    /// A device by id, or [`SimError::UnknownDevice`].
    pub fn require_device(&self, device_id: &str) -> Result<Arc<Device>, SimError> {
        self.device(device_id)
            .ok_or_else(|| SimError::UnknownDevice(device_id.to_string()))
    }

    /// Sets a fault on a device by id (see [`Device::set_fault`]).
    pub fn set_fault(&self, device_id: &str, fault: crate::faults::Fault) -> Result<(), SimError> {
        self.require_device(device_id)?
            .set_fault(fault)
            .map_err(SimError::Fault)
    }

    /// Clears a fault on a device by id (see [`Device::clear_fault`]).
    pub fn clear_fault(
        &self,
        device_id: &str,
        kind: crate::faults::FaultKind,
    ) -> Result<(), SimError> {
        self.require_device(device_id)?
            .clear_fault(kind)
            .map_err(SimError::Fault)
    }

    /// Reboots a device by id (see [`Device::reboot`]) and returns once it is up again.
    pub async fn reboot(&self, device_id: &str, down: Option<Duration>) -> Result<(), SimError> {
        self.require_device(device_id)?.reboot(down).await;
        Ok(())
    }

    /// The latency profile of devices without their own.
    pub fn latency(&self) -> LatencyProfile {
        *read(&self.shared.settings.latency)
    }

    /// Changes the latency profile of every device without its own, at once.
    pub fn set_latency(&self, profile: LatencyProfile) {
        *write(&self.shared.settings.latency) = profile;
    }

    /// The simulator-wide counters now.
    pub fn counters(&self) -> SimulatorCounters {
        let counters = &self.shared.settings.counters;
        let (hits, misses) = self.shared.settings.verification.statistics();
        SimulatorCounters {
            fabrics: read(&self.shared.fabrics).len(),
            devices: read(&self.shared.devices).len(),
            connections: counters.connections.load(Ordering::Relaxed),
            logins_succeeded: counters.logins_succeeded.load(Ordering::Relaxed),
            logins_failed: counters.logins_failed.load(Ordering::Relaxed),
            lockouts_triggered: counters.lockouts.load(Ordering::Relaxed),
            commands: counters.commands.load(Ordering::Relaxed),
            open_sessions: counters.open_sessions.load(Ordering::Relaxed),
            verification_cache_hits: hits,
            full_password_verifications: misses,
        }
    }

    /// How many of a fabric's devices have a logged-in SSH session now, and the most at once so
    /// far (since the last [`Simulator::reset_session_peak`]).
    pub fn fabric_sessions(&self, fabric_id: &str) -> crate::device::FabricSessions {
        self.shared
            .settings
            .counters
            .fabric_sessions
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(fabric_id)
            .copied()
            .unwrap_or_default()
    }

    /// Starts a fabric's peak of devices in session again from the devices in session now.
    pub fn reset_session_peak(&self, fabric_id: &str) {
        let mut sessions = self
            .shared
            .settings
            .counters
            .fabric_sessions
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let entry = sessions.entry(fabric_id.to_string()).or_default();
        entry.peak_devices_in_session = entry.devices_in_session;
    }

    /// The inventory and intended configurations of a fabric, in memory.
    pub fn inventory(
        &self,
        fabric_id: &str,
        options: &ExportOptions,
    ) -> Result<ExportedFabric, SimError> {
        let devices = self.fabric_devices(fabric_id)?;
        crate::export::build(fabric_id, &devices, options)
    }

    /// Writes `inventory.yaml` and `configs/<device>.yaml` for a fabric into `directory`.
    pub fn export_inventory(
        &self,
        fabric_id: &str,
        directory: &Path,
        options: &ExportOptions,
    ) -> Result<ExportSummary, SimError> {
        let exported = self.inventory(fabric_id, options)?;
        crate::export::write(&exported, directory)
    }

    /// Whether shutdown has been requested or done.
    pub fn is_shut_down(&self) -> bool {
        self.shared.stopped.load(Ordering::SeqCst)
    }

    /// Waits until [`Simulator::shutdown`] runs or the control interface asks for shutdown.
    pub async fn wait_for_shutdown_request(&self) {
        let mut requested = self.shared.shutdown_requested.subscribe();
        let _ = requested.wait_for(|requested| *requested).await;
    }

    /// Asks whoever waits in [`Simulator::wait_for_shutdown_request`] to shut down.
    pub fn request_shutdown(&self) {
        self.shared.shutdown_requested.send_replace(true);
    }

    /// Stops every listener, drops every open connection and stops the control interface.
    pub async fn shutdown(&self) {
        if self.shared.stopped.swap(true, Ordering::SeqCst) {
            return;
        }
        self.request_shutdown();
        self.shared.settings.shutdown.send_replace(true);
        for device in self.devices() {
            ssh::stop_listening(&device);
        }
        let control = lock(&self.shared.control).take();
        if let Some((_, task)) = control {
            task.abort();
            let _ = task.await;
        }
        // Let connection tasks see the shutdown signal and close their sockets.
        tokio::task::yield_now().await;
    }
}
