//! The floor: the client-side work no rotation of a device can avoid, measured with the SSH
//! client Rotor uses (`rotor_device::ssh::Session`, russh) against the simulator in its own
//! process, and the `$6$` hashing Rotor uses.
//!
//! Per device, at least: one SSH login to set the new hash and apply, one fresh SSH login to
//! prove the new password (the design requires the proof), two commands (set + apply, one
//! check), and the hash, which devices sharing a password version share (so 1/N hash each).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use anyhow::{Context as _, anyhow};
use rotor_device::ssh::{Session, SshOptions};
use rotor_secrets::{Password, PasswordPolicy, render_hash};
use rotor_sim::{FabricSpec, Platform};
use rotor_stack::Role;
use rotor_stack::binaries::Binaries;
use rotor_stack::process::GuardedProcess;
use serde::Serialize;

use crate::procstat;
use crate::stack::MeasuredProcess;

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FloorFigures {
    pub logins: usize,
    pub commands: usize,
    /// Client CPU (this process) per SSH connect + key exchange + password login + close.
    pub client_ms_per_login: f64,
    /// The simulator's CPU per login (what a switch spends; not Rotor's).
    pub server_ms_per_login: f64,
    /// Client CPU per exec command on an open session (`nv show system aaa user X -o json`).
    pub client_ms_per_command: f64,
    /// One SHA-512-crypt hash (5,000 rounds).
    pub ms_per_hash: f64,
    /// 2 logins + 2 commands + one hash shared by `devices_sharing_a_hash` devices.
    pub floor_ms_per_device: f64,
    pub devices_sharing_a_hash: usize,
    /// Logins per second with 16 concurrent clients (client and simulator on the same 2 cores).
    pub logins_per_second: f64,
}

/// Clients in flight at once (logins, and sessions running commands).
const CONCURRENCY: usize = 16;

/// Measures the floor against a fresh `devices`-device simulator (no latency).
pub async fn measure(
    binaries: &Binaries,
    dir: &std::path::Path,
    devices: usize,
    logins: usize,
    commands: usize,
    devices_sharing_a_hash: usize,
) -> anyhow::Result<FloorFigures> {
    let password = PasswordPolicy::default().generate()?;
    let sim = FloorSimulator::start(binaries, dir, devices, &password).await?;
    let options = SshOptions::default();

    // Warm up (first connections pay for lazy initialisation).
    for (address, key) in sim.targets.iter().take(4) {
        Session::connect(address, key, "cumulus", &password, &options)
            .await
            .context("a floor login")?
            .close()
            .await;
    }
    let login = measure_logins(&sim, &password, &options, logins).await?;
    let client_commands = measure_commands(&sim, &password, &options, commands).await?;
    drop(sim);
    let ms_per_hash = ms_per_hash(&password);

    let client_ms_per_login = login.client_cpu_seconds * 1000.0 / logins as f64;
    let client_ms_per_command = client_commands * 1000.0 / commands as f64;
    Ok(FloorFigures {
        logins,
        commands,
        client_ms_per_login,
        server_ms_per_login: login.server_cpu_seconds * 1000.0 / logins as f64,
        client_ms_per_command,
        ms_per_hash,
        floor_ms_per_device: 2.0 * client_ms_per_login
            + 2.0 * client_ms_per_command
            + ms_per_hash / devices_sharing_a_hash.max(1) as f64,
        devices_sharing_a_hash,
        logins_per_second: logins as f64 / login.wall_seconds,
    })
}

/// `rotor-sim` as a process whose devices all take `password` (as a `$6$` hash), and each
/// device's (address, host key).
struct FloorSimulator {
    /// Stops the simulator when dropped.
    _process: GuardedProcess,
    measured: MeasuredProcess,
    targets: Arc<Vec<(String, Vec<String>)>>,
}

impl FloorSimulator {
    async fn start(
        binaries: &Binaries,
        dir: &std::path::Path,
        devices: usize,
        password: &Password,
    ) -> anyhow::Result<FloorSimulator> {
        let hash = render_hash(password, "floor", 1, "cumulus");
        let spec = FabricSpec::new("floor", devices)
            .with_user(Platform::Cumulus, "cumulus", hash.as_crypt())
            .with_user(Platform::Nvos, "admin", hash.as_crypt());
        let control = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let binary = binaries
            .sim
            .as_deref()
            .context("the floor needs rotor-sim")?;
        let process =
            rotor_stack::simulator::start_process(binary, &spec, "none", control, dir).await?;
        let measured = MeasuredProcess::of("rotor-sim", Role::Simulator, &process);
        let inventory = rotor_inventory::FabricImport::load(&dir.join("inventory/inventory.yaml"))
            .map_err(|e| anyhow!("the floor's inventory: {e}"))?
            .inventory;
        let targets = inventory
            .devices
            .iter()
            .map(|d| (d.address.clone(), d.pinned_host_keys()))
            .collect();
        Ok(FloorSimulator {
            _process: process,
            measured,
            targets: Arc::new(targets),
        })
    }
}

/// Wall time and CPU (this process's, the simulator's) of a number of logins.
struct LoginFigures {
    wall_seconds: f64,
    client_cpu_seconds: f64,
    server_cpu_seconds: f64,
}

/// `logins` SSH logins (connect, key exchange, password, close), [`CONCURRENCY`] at a time.
async fn measure_logins(
    sim: &FloorSimulator,
    password: &Password,
    options: &SshOptions,
    logins: usize,
) -> anyhow::Result<LoginFigures> {
    let next = Arc::new(AtomicUsize::new(0));
    let client_before = procstat::own_cpu_seconds();
    let server_before = sim.measured.cpu_seconds();
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..CONCURRENCY {
        let next = next.clone();
        let targets = sim.targets.clone();
        let password = password.clone();
        let options = options.clone();
        tasks.spawn(async move {
            loop {
                let index = next.fetch_add(1, Ordering::Relaxed);
                if index >= logins {
                    return Ok::<(), anyhow::Error>(());
                }
                let (address, key) = &targets[index % targets.len()];
                let session = Session::connect(address, key, "cumulus", &password, &options)
                    .await
                    .map_err(|e| anyhow!("{e}"))?;
                session.close().await;
            }
        });
    }
    while let Some(result) = tasks.join_next().await {
        result??;
    }
    Ok(LoginFigures {
        wall_seconds: started.elapsed().as_secs_f64(),
        client_cpu_seconds: procstat::own_cpu_seconds() - client_before,
        server_cpu_seconds: sim.measured.cpu_seconds() - server_before,
    })
}

/// This process's CPU seconds for `commands` exec commands on [`CONCURRENCY`] open sessions.
async fn measure_commands(
    sim: &FloorSimulator,
    password: &Password,
    options: &SshOptions,
    commands: usize,
) -> anyhow::Result<f64> {
    let mut sessions = Vec::new();
    for (address, key) in sim.targets.iter().take(CONCURRENCY) {
        sessions.push(Arc::new(
            Session::connect(address, key, "cumulus", password, options)
                .await
                .map_err(|e| anyhow!("{e}"))?,
        ));
    }
    let next = Arc::new(AtomicUsize::new(0));
    let client_before = procstat::own_cpu_seconds();
    let mut tasks = tokio::task::JoinSet::new();
    for session in &sessions {
        let next = next.clone();
        let session = session.clone();
        tasks.spawn(async move {
            while next.fetch_add(1, Ordering::Relaxed) < commands {
                session
                    .run("nv show system aaa user cumulus -o json")
                    .await
                    .map_err(|e| anyhow!("{e}"))?;
            }
            Ok::<(), anyhow::Error>(())
        });
    }
    while let Some(result) = tasks.join_next().await {
        result??;
    }
    let client_commands = procstat::own_cpu_seconds() - client_before;
    for session in sessions {
        if let Ok(session) = Arc::try_unwrap(session) {
            session.close().await;
        }
    }
    Ok(client_commands)
}

/// CPU milliseconds of one `$6$` hash as Rotor renders it (one thread, pure CPU; CPU time, not
/// wall time, so other programs on the machine do not count).
fn ms_per_hash(password: &Password) -> f64 {
    let rounds = 200;
    let cpu_before = procstat::own_cpu_seconds();
    for version in 0..rounds {
        std::hint::black_box(render_hash(password, "floor", version, "cumulus"));
    }
    (procstat::own_cpu_seconds() - cpu_before) * 1000.0 / rounds as f64
}
