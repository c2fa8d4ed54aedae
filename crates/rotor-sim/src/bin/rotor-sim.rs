//! The `rotor-sim` command: runs a simulated fabric with its control interface until Ctrl-C or
//! SIGTERM (`rotor-sim --fabric dc1 --devices 24 ...`), or measures the simulator
//! (`rotor-sim bench`).

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand};
use rotor_inventory::UpgradeStatus;
use rotor_sim::bench::{BenchOptions, resident_bytes};
use rotor_sim::fabric::{UsersByPlatform, parse_users_file};
use rotor_sim::{
    ExportOptions, FabricSpec, Fault, LatencyProfile, LockoutPolicy, PlatformMix, ProfileMix,
    SimConfig, Simulator,
};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Debug, Parser)]
#[command(
    name = "rotor-sim",
    version,
    about = "Simulated NVIDIA Cumulus Linux / NVOS switches (NVUE over real SSH) for Rotor",
    args_conflicts_with_subcommands = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    run: RunArgs,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Measure devices started per second, memory per idle device and logins per second.
    Bench(BenchArgs),
}

#[derive(Debug, Args)]
struct RunArgs {
    /// Fabric id.
    #[arg(long, default_value = "dc1")]
    fabric: String,
    /// Number of devices (0: start with none; create fabrics through the control interface).
    #[arg(long, default_value_t = 24)]
    devices: usize,
    /// Platform weights, e.g. `cumulus=20,nvos=4` (Cumulus devices cycle through the default
    /// Cumulus profiles, NVOS devices are nvos-25.02).
    #[arg(long, default_value = "cumulus=1")]
    platform_mix: String,
    /// Profile weights, e.g. `cumulus-5.16=10,cumulus-5.8=6,nvos-25.02=4`; overrides
    /// `--platform-mix`.
    #[arg(long)]
    profile_mix: Option<String>,
    /// Give every device an RSA host key too (slow to generate: about 0.1 s per device).
    #[arg(long)]
    rsa_host_keys: bool,
    /// How long a rebooted device stays down when the reboot does not say, in milliseconds.
    #[arg(long, default_value_t = 500)]
    reboot_down_ms: u64,
    /// Seed the devices' host keys derive from.
    #[arg(long, default_value = "rotor")]
    seed: String,
    /// `none` or `realistic`.
    #[arg(long, default_value = "none")]
    latency: String,
    /// Address of the HTTP control interface (port 0: any free port).
    #[arg(long, default_value = "127.0.0.1:0")]
    control: SocketAddr,
    /// YAML or JSON file: platform -> username -> `$6$` hash (or {hashedPassword, role}).
    #[arg(long)]
    users_file: Option<PathBuf>,
    /// Write `inventory.yaml` and `configs/` for the fabric into this directory.
    #[arg(long)]
    export: Option<PathBuf>,
    /// First device port (consecutive ports); by default the OS picks each port.
    #[arg(long)]
    base_port: Option<u16>,
    /// Consecutive failed logins that lock an account.
    #[arg(long, default_value_t = 5)]
    lockout_threshold: u32,
    /// How long a locked account stays locked, in seconds.
    #[arg(long, default_value_t = 900)]
    lockout_seconds: u64,
    /// A fault to set at start, `DEVICE=FAULT` (e.g. `dc1-leaf-03=drifted`,
    /// `dc1-leaf-04=slow:3`, `dc1-leaf-05=administrative_state:RMA`); repeatable.
    #[arg(long = "fault")]
    faults: Vec<String>,
    /// Secrets mount written to the exported inventory.
    #[arg(long, default_value = "secret")]
    secrets_mount: String,
    /// Secret path of the login user's password in the exported inventory.
    #[arg(long, default_value = "fabrics/{fabric}/AdminRW")]
    secret_path_template: String,
    /// Upgrade status written to the exported inventory: None, InProgress or Failed.
    #[arg(long, default_value = "None")]
    upgrade_status: String,
    /// When ready, write `{"control": ..., "devices": ..., "inventory": ...}` to this file.
    #[arg(long)]
    ready_file: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct BenchArgs {
    #[arg(long, default_value_t = 10_000)]
    devices: usize,
    #[arg(long, default_value_t = 2_000)]
    logins: usize,
    #[arg(long, default_value_t = 16)]
    concurrency: usize,
    /// Spread the logins over this many devices.
    #[arg(long, default_value_t = 500)]
    login_devices: usize,
    /// Check every password in full (no cache of successful verifications).
    #[arg(long)]
    no_verification_cache: bool,
    /// Use consecutive ports from this one instead of ports chosen by the OS.
    #[arg(long)]
    base_port: Option<u16>,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
}

fn open_file_limit() -> Option<u64> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits
        .lines()
        .find(|line| line.starts_with("Max open files"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}

fn check_file_limit(devices: usize) {
    if let Some(limit) = open_file_limit() {
        let needed = devices as u64 + 256;
        if needed > limit {
            eprintln!(
                "rotor-sim: warning: {devices} devices need about {needed} file descriptors but the limit is {limit}; raise it first (e.g. `ulimit -n $(ulimit -Hn)`)"
            );
        }
    }
}

fn upgrade_status(text: &str) -> anyhow::Result<UpgradeStatus> {
    Ok(match text {
        "None" => UpgradeStatus::None,
        "InProgress" => UpgradeStatus::InProgress,
        "Failed" => UpgradeStatus::Failed,
        other => bail!("--upgrade-status {other:?}: expected None, InProgress or Failed"),
    })
}

async fn wait_for_signal(simulator: &Simulator) {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => eprintln!("rotor-sim: interrupted, shutting down"),
        _ = terminate => eprintln!("rotor-sim: terminated, shutting down"),
        _ = simulator.wait_for_shutdown_request() => eprintln!("rotor-sim: shutdown requested"),
    }
}

async fn run(arguments: RunArgs) -> anyhow::Result<()> {
    let latency = LatencyProfile::named(&arguments.latency).with_context(|| {
        format!(
            "--latency {:?}: expected none or realistic",
            arguments.latency
        )
    })?;
    let mix = PlatformMix::parse(&arguments.platform_mix)
        .map_err(|problem| anyhow::anyhow!("--platform-mix: {problem}"))?;
    let profile_mix = arguments
        .profile_mix
        .as_deref()
        .map(ProfileMix::parse)
        .transpose()
        .map_err(|problem| anyhow::anyhow!("--profile-mix: {problem}"))?;
    let users = read_users_file(&arguments)?;
    let faults = parse_faults(&arguments.faults)?;
    let export_options = ExportOptions {
        secrets_mount: arguments.secrets_mount.clone(),
        secret_path_template: arguments.secret_path_template.clone(),
        upgrade_status: upgrade_status(&arguments.upgrade_status)?,
        ..ExportOptions::default()
    };
    check_file_limit(arguments.devices);

    let config = SimConfig {
        base_port: arguments.base_port,
        latency,
        lockout: LockoutPolicy {
            threshold: arguments.lockout_threshold,
            period: std::time::Duration::from_secs(arguments.lockout_seconds),
        },
        reboot_down_time: std::time::Duration::from_millis(arguments.reboot_down_ms),
        ..SimConfig::default()
    };
    let simulator = Simulator::start(config).await?;
    let control = simulator.serve_control(arguments.control).await?;
    println!("rotor-sim: control interface on http://{control}");

    let inventory_path = if arguments.devices > 0 {
        let mixes = (mix, profile_mix);
        start_fabric(
            &simulator,
            &arguments,
            mixes,
            users,
            faults,
            &export_options,
        )?
    } else if !faults.is_empty() {
        bail!("--fault needs devices");
    } else {
        None
    };
    let device_count = simulator.counters().devices;
    if let Some(path) = &arguments.ready_file {
        let ready = serde_json::json!({
            "control": format!("http://{control}"),
            "devices": device_count,
            "inventory": inventory_path,
        });
        std::fs::write(path, ready.to_string())
            .with_context(|| format!("cannot write --ready-file {}", path.display()))?;
    }
    println!("ROTOR_SIM_READY control=http://{control} devices={device_count}");

    wait_for_signal(&simulator).await;
    simulator.shutdown().await;
    println!("rotor-sim: stopped");
    Ok(())
}

/// The users file's hashes; required when there are devices.
fn read_users_file(arguments: &RunArgs) -> anyhow::Result<UsersByPlatform> {
    Ok(match &arguments.users_file {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read --users-file {}", path.display()))?;
            parse_users_file(&text)
                .map_err(|problem| anyhow::anyhow!("--users-file {}: {problem}", path.display()))?
        }
        None if arguments.devices > 0 => {
            bail!(
                "--users-file is needed: the simulator takes the users' password hashes, never passwords"
            )
        }
        None => Default::default(),
    })
}

/// `--fault DEVICE=FAULT` arguments.
fn parse_faults(faults: &[String]) -> anyhow::Result<Vec<(String, Fault)>> {
    faults
        .iter()
        .map(|text| {
            let (device, fault) = text
                .split_once('=')
                .with_context(|| format!("--fault {text:?}: expected DEVICE=FAULT"))?;
            let fault =
                Fault::parse(fault).map_err(|problem| anyhow::anyhow!("--fault: {problem}"))?;
            Ok((device.to_string(), fault))
        })
        .collect()
}

/// Creates the fabric the arguments ask for, sets its faults and exports it if asked; returns
/// the exported inventory's path.
fn start_fabric(
    simulator: &Simulator,
    arguments: &RunArgs,
    (mix, profile_mix): (PlatformMix, Option<ProfileMix>),
    users: UsersByPlatform,
    faults: Vec<(String, Fault)>,
    export_options: &ExportOptions,
) -> anyhow::Result<Option<PathBuf>> {
    let resident_before = resident_bytes();
    let mut spec = FabricSpec::new(arguments.fabric.clone(), arguments.devices)
        .with_seed(arguments.seed.clone());
    spec.platform_mix = mix;
    spec.profile_mix = profile_mix;
    spec.rsa_host_keys = arguments.rsa_host_keys;
    spec.initial_users = users;
    let summary = simulator.create_fabric(spec)?;
    let resident_after = resident_bytes();
    let ports: Vec<u16> = summary.devices.iter().map(|device| device.port).collect();
    let seconds = summary.start_milliseconds.max(1) as f64 / 1000.0;
    println!(
        "rotor-sim: fabric {}: {} devices on 127.0.0.1 ports {}..{}, started in {:.3} s ({:.0} devices/s, {} KiB resident for them)",
        summary.fabric_id,
        summary.device_count,
        ports.iter().min().copied().unwrap_or_default(),
        ports.iter().max().copied().unwrap_or_default(),
        seconds,
        summary.device_count as f64 / seconds,
        resident_after.saturating_sub(resident_before) / 1024,
    );
    let mut profiles: std::collections::BTreeMap<rotor_sim::Profile, usize> = Default::default();
    for device in &summary.devices {
        *profiles.entry(device.profile).or_default() += 1;
    }
    let profiles: Vec<String> = profiles
        .iter()
        .map(|(profile, count)| format!("{profile}={count}"))
        .collect();
    println!("rotor-sim: profiles {}", profiles.join(","));
    for (device_id, fault) in faults {
        let device = simulator.require_device(&device_id)?;
        device
            .set_fault(fault.clone())
            .map_err(|problem| anyhow::anyhow!("--fault {device_id}: {problem}"))?;
        println!("rotor-sim: {device_id}: fault {}", fault.kind());
    }
    let Some(directory) = &arguments.export else {
        return Ok(None);
    };
    let written = simulator.export_inventory(&arguments.fabric, directory, export_options)?;
    println!(
        "rotor-sim: exported {} with {} intended configurations",
        written.inventory_path.display(),
        written.devices
    );
    Ok(Some(written.inventory_path))
}

async fn bench(arguments: BenchArgs) -> anyhow::Result<()> {
    check_file_limit(arguments.devices);
    let report = rotor_sim::bench::run(BenchOptions {
        devices: arguments.devices,
        logins: arguments.logins,
        concurrency: arguments.concurrency,
        login_devices: arguments.login_devices,
        verification_cache: !arguments.no_verification_cache,
        base_port: arguments.base_port,
    })
    .await?;
    if arguments.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(());
    }
    println!(
        "devices started:          {} in {:.3} s = {:.0} devices/s",
        report.devices, report.start_seconds, report.devices_started_per_second
    );
    println!(
        "resident memory:          {} MiB before, {} MiB after = {} bytes per idle device",
        report.resident_bytes_before / (1024 * 1024),
        report.resident_bytes_after / (1024 * 1024),
        report.bytes_per_idle_device
    );
    println!(
        "logins (connect + auth):  {:.0} per second ({} logins, {} clients, verification cache {})",
        report.logins_per_second,
        report.logins,
        report.concurrency,
        if report.verification_cache {
            "on"
        } else {
            "off"
        }
    );
    println!(
        "login + one nv command:   {:.0} per second",
        report.login_and_command_per_second
    );
    if report.failed_operations > 0 {
        println!("failed operations:        {}", report.failed_operations);
    }
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,rotor_sim=info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(8 << 20)
        .build()?;
    runtime.block_on(async {
        match cli.command {
            Some(Command::Bench(arguments)) => bench(arguments).await,
            None => run(cli.run).await,
        }
    })
}
