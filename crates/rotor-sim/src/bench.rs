//! The simulator's benchmark (`rotor-sim bench`): devices started per second, resident memory
//! per idle device, and SSH password logins (and login + one command) served per second to
//! in-process russh clients.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use serde::Serialize;

use crate::client::{SimClient, try_login};
use crate::fabric::FabricSpec;
use crate::platform::Platform;
use crate::simulator::{SimConfig, Simulator};

/// What to measure.
#[derive(Clone, Debug)]
pub struct BenchOptions {
    /// Devices to start (the memory figure is per idle device at this count).
    pub devices: usize,
    /// Logins to perform.
    pub logins: usize,
    /// Concurrent clients.
    pub concurrency: usize,
    /// Spread logins over this many devices.
    pub login_devices: usize,
    /// Whether the simulator caches successful password verifications.
    pub verification_cache: bool,
    /// Consecutive ports from this one instead of ports chosen by the OS.
    pub base_port: Option<u16>,
}

impl Default for BenchOptions {
    fn default() -> Self {
        BenchOptions {
            devices: 10_000,
            logins: 2_000,
            concurrency: 16,
            login_devices: 500,
            verification_cache: true,
            base_port: None,
        }
    }
}

/// The figures.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BenchReport {
    /// Devices started.
    pub devices: usize,
    /// How long starting them took, in seconds.
    pub start_seconds: f64,
    /// Devices started per second.
    pub devices_started_per_second: f64,
    /// This process's resident memory before the devices started, in bytes (0 without `/proc`).
    pub resident_bytes_before: u64,
    /// This process's resident memory once they were all idle, in bytes (0 without `/proc`).
    pub resident_bytes_after: u64,
    /// The growth of resident memory divided by the number of devices, in bytes.
    pub bytes_per_idle_device: u64,
    /// Password logins performed (half as many login + command runs follow).
    pub logins: usize,
    /// Concurrent clients.
    pub concurrency: usize,
    /// Whether the simulator cached successful password verifications.
    pub verification_cache: bool,
    /// Password logins served per second.
    pub logins_per_second: f64,
    /// Logins each followed by one `nv show` command, served per second.
    pub login_and_command_per_second: f64,
    /// Logins and commands that failed; anything but 0 makes the figures suspect.
    pub failed_operations: usize,
}

/// Resident memory of this process (VmRSS), in bytes; 0 where /proc is missing.
pub fn resident_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status.lines().find_map(|line| {
                let rest = line.strip_prefix("VmRSS:")?;
                let kilobytes: u64 = rest.trim().trim_end_matches("kB").trim().parse().ok()?;
                Some(kilobytes * 1024)
            })
        })
        .unwrap_or(0)
}

async fn run_clients<F, Fut>(count: usize, concurrency: usize, operation: F) -> (f64, usize)
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let operation = Arc::new(operation);
    let next = Arc::new(AtomicUsize::new(0));
    let failures = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..concurrency.max(1) {
        let operation = Arc::clone(&operation);
        let next = Arc::clone(&next);
        let failures = Arc::clone(&failures);
        workers.push(tokio::spawn(async move {
            loop {
                let index = next.fetch_add(1, Ordering::Relaxed);
                if index >= count {
                    break;
                }
                if !operation(index).await {
                    failures.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    for worker in workers {
        let _ = worker.await;
    }
    let seconds = started.elapsed().as_secs_f64();
    (count as f64 / seconds, failures.load(Ordering::Relaxed))
}

/// Runs the benchmark in the current runtime.
pub async fn run(options: BenchOptions) -> anyhow::Result<BenchReport> {
    let password = "bench-password";
    let hash = pwhash::sha512_crypt::hash_with("$6$rounds=5000$rotorbench", password)?;
    let config = SimConfig {
        verification_cache_entries: if options.verification_cache { 4096 } else { 0 },
        base_port: options.base_port,
        ..SimConfig::default()
    };
    let resident_before = resident_bytes();
    let simulator = Simulator::start(config).await?;
    let spec = FabricSpec::new("bench", options.devices).with_user(
        Platform::Cumulus,
        "cumulus",
        hash.clone(),
    );
    let started = Instant::now();
    simulator.create_fabric(spec)?;
    let start_seconds = started.elapsed().as_secs_f64();
    tokio::task::yield_now().await;
    let resident_after = resident_bytes();

    let addresses: Arc<Vec<SocketAddr>> = Arc::new(
        simulator
            .fabric_devices("bench")?
            .iter()
            .take(options.login_devices.max(1))
            .map(|device| device.address())
            .collect(),
    );
    let login_addresses = Arc::clone(&addresses);
    let (logins_per_second, login_failures) =
        run_clients(options.logins, options.concurrency, move |index| {
            let address = login_addresses[index % login_addresses.len()];
            async move { matches!(try_login(address, "cumulus", password).await, Ok(true)) }
        })
        .await;
    let command_addresses = Arc::clone(&addresses);
    let (commands_per_second, command_failures) =
        run_clients(options.logins / 2, options.concurrency, move |index| {
            let address = command_addresses[index % command_addresses.len()];
            async move {
                let Ok(client) = SimClient::connect(address, "cumulus", password, None).await
                else {
                    return false;
                };
                let result = client
                    .exec("nv show system aaa user cumulus -o json", None)
                    .await;
                client.disconnect().await;
                matches!(result, Ok(result) if result.exit_status == Some(0))
            }
        })
        .await;
    simulator.shutdown().await;
    Ok(BenchReport {
        devices: options.devices,
        start_seconds,
        devices_started_per_second: options.devices as f64 / start_seconds,
        resident_bytes_before: resident_before,
        resident_bytes_after: resident_after,
        bytes_per_idle_device: resident_after.saturating_sub(resident_before)
            / options.devices.max(1) as u64,
        logins: options.logins,
        concurrency: options.concurrency,
        verification_cache: options.verification_cache,
        logins_per_second,
        login_and_command_per_second: commands_per_second,
        failed_operations: login_failures + command_failures,
    })
}
