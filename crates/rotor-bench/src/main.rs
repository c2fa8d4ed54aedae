//! `rotor-bench` (what `make bench` runs): Rotor's fabric benchmark.
//!
//! For each scenario it starts a fresh stack (nats-server, OpenBao, the simulator and Rotor's
//! five services, all separate processes), imports an N-device simulated fabric, runs one fabric
//! rotation and measures it. Then the Python peers rotate the same simulated fabric, and the
//! floor (the client-side work no rotation can avoid) is measured. It prints a table and writes
//! everything as JSON under `bench/out/` (see docs/performance.md).
//!
//! Nothing here prints a password: the peers get theirs in environment variables.

mod floor;
mod peers;
mod procstat;
mod report;
mod rotation;
mod stack;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use clap::Parser;
use serde::Serialize;

use crate::floor::FloorFigures;
use crate::peers::PeerFigures;
use crate::rotation::RotationFigures;
use rotor_sim::PlatformMix;
use rotor_stack::binaries::Binaries;

use crate::stack::{BenchStack, StackOptions};

#[derive(Debug, Parser)]
#[command(
    name = "rotor-bench",
    about = "Rotor's fabric benchmark: scenarios, peers on the same fabric, the floor (docs/performance.md)"
)]
struct Args {
    /// Scenarios to run (comma separated): none-1k, none-10k, realistic-10k, realistic-10k-x2,
    /// realistic-10k-x4, peers, floor. Default: all.
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
    /// Multiply every scenario's device count (e.g. 0.1 for a quick try).
    #[arg(long, default_value_t = 1.0)]
    scale: f64,
    /// Devices the peers (and Rotor beside them) rotate.
    #[arg(long, default_value_t = 500)]
    peer_devices: usize,
    /// Devices Nornir + netmiko rotates (default: --peer-devices); fewer extrapolates per device.
    #[arg(long)]
    netmiko_devices: Option<usize>,
    /// Nornir's threaded runner workers.
    #[arg(long, default_value_t = 100)]
    nornir_workers: usize,
    /// asyncssh concurrent devices.
    #[arg(long, default_value_t = 500)]
    asyncssh_concurrency: usize,
    /// Platform weights of the simulated fabrics.
    #[arg(long, default_value = "cumulus=20,nvos=4", value_parser = PlatformMix::parse)]
    platform_mix: PlatformMix,
    /// Extra `ROTOR_*` settings for every service, `KEY=VALUE`; repeatable.
    #[arg(long = "service-env")]
    service_env: Vec<String>,
    /// Where results go (a time-stamped folder per run, plus latest.json and latest.txt).
    #[arg(long, default_value = "bench/out")]
    out: PathBuf,
    /// Longest a single rotation may take, in seconds.
    #[arg(long, default_value_t = 900)]
    rotation_limit: u64,
    /// A label for this run in the results (e.g. "before" or "after").
    #[arg(long, default_value = "")]
    label: String,
}

/// One stack-and-rotation scenario.
#[derive(Clone, Debug)]
struct Scenario {
    name: &'static str,
    devices: usize,
    latency: &'static str,
    copies: usize,
}

const SCENARIOS: [Scenario; 5] = [
    Scenario {
        name: "none-1k",
        devices: 1_000,
        latency: "none",
        copies: 1,
    },
    Scenario {
        name: "none-10k",
        devices: 10_000,
        latency: "none",
        copies: 1,
    },
    Scenario {
        name: "realistic-10k",
        devices: 10_000,
        latency: "realistic",
        copies: 1,
    },
    Scenario {
        name: "realistic-10k-x2",
        devices: 10_000,
        latency: "realistic",
        copies: 2,
    },
    Scenario {
        name: "realistic-10k-x4",
        devices: 10_000,
        latency: "realistic",
        copies: 4,
    },
];

/// A scenario's result.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ScenarioResult {
    pub name: String,
    pub devices: usize,
    pub latency: String,
    /// Copies of differ and of applier.
    pub copies: usize,
    pub stack_start_seconds: f64,
    pub import_seconds: f64,
    pub rotation: Option<RotationFigures>,
    pub error: Option<String>,
}

/// The peers' part: Rotor and each peer on the same fabric.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PeersResult {
    pub devices: usize,
    pub latency: String,
    pub rotor: Option<ScenarioResult>,
    pub peers: Vec<PeerFigures>,
    pub errors: Vec<String>,
}

/// Everything one run measured.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BenchResults {
    pub label: String,
    pub started: String,
    pub machine: report::Machine,
    pub service_env: Vec<String>,
    pub scenarios: Vec<ScenarioResult>,
    pub peers: Option<PeersResult>,
    pub floor: Option<FloorFigures>,
    pub floor_error: Option<String>,
    pub total_seconds: f64,
}

fn say(line: &str) {
    eprintln!("rotor-bench: {line}");
}

fn wanted(args: &Args, name: &str) -> bool {
    args.only.is_empty() || args.only.iter().any(|o| o == name)
}

fn scaled(args: &Args, devices: usize) -> usize {
    ((devices as f64 * args.scale).round() as usize).max(1)
}

fn service_env(args: &Args) -> anyhow::Result<Vec<(String, String)>> {
    args.service_env
        .iter()
        .map(|pair| {
            let (key, value) = pair
                .split_once('=')
                .with_context(|| format!("--service-env {pair:?}: expected KEY=VALUE"))?;
            Ok((key.to_string(), value.to_string()))
        })
        .collect()
}

async fn run_scenario(
    args: &Args,
    run_dir: &std::path::Path,
    name: &str,
    devices: usize,
    latency: &str,
    copies: usize,
) -> (ScenarioResult, Option<BenchStack>) {
    say(&format!(
        "scenario {name}: {devices} devices, {latency} latency, {copies} differ and {copies} applier"
    ));
    let dir = run_dir.join(name);
    let mut result = ScenarioResult {
        name: name.to_string(),
        devices,
        latency: latency.to_string(),
        copies,
        stack_start_seconds: 0.0,
        import_seconds: 0.0,
        rotation: None,
        error: None,
    };
    let options = StackOptions {
        fabric_id: "bench".to_string(),
        devices,
        latency: latency.to_string(),
        platform_mix: args.platform_mix,
        differ_copies: copies,
        applier_copies: copies,
        service_env: match service_env(args) {
            Ok(env) => env,
            Err(error) => {
                result.error = Some(format!("{error:#}"));
                return (result, None);
            }
        },
        dir: dir.clone(),
    };
    let mut stack = match BenchStack::start(&options, |line| say(&format!("  {line}"))).await {
        Ok(stack) => stack,
        Err(error) => {
            say(&format!("  {name} could not start: {error:#}"));
            result.error = Some(format!("{error:#}"));
            return (result, None);
        }
    };
    result.stack_start_seconds = stack.start_seconds;
    result.import_seconds = stack.import_seconds;
    match rotation::rotate(&mut stack, Duration::from_secs(args.rotation_limit)).await {
        Ok(figures) => {
            say(&format!(
                "  {name}: {} of {} devices in {:.1} s = {:.0} devices/min; Rotor CPU {:.2} ms/device",
                figures.succeeded,
                figures.devices,
                figures.wall_seconds,
                figures.devices_per_minute,
                figures.rotor_cpu_ms_per_device
            ));
            result.rotation = Some(figures);
        }
        Err(error) => {
            say(&format!("  {name} failed: {error:#}"));
            result.error = Some(format!("{error:#}"));
        }
    }
    (result, Some(stack))
}

fn cleanup_store(dir: &std::path::Path) {
    // The JetStream store of a 10,000-device run is large; keep the logs only (and not the
    // stopped dev server's token).
    let _ = std::fs::remove_dir_all(dir.join("nats"));
    let _ = std::fs::remove_dir_all(dir.join("bao"));
    let _ = std::fs::remove_file(dir.join("bao-token"));
}

async fn run_peers(args: &Args, run_dir: &std::path::Path) -> PeersResult {
    let devices = scaled(args, args.peer_devices);
    let mut result = PeersResult {
        devices,
        latency: "realistic".into(),
        rotor: None,
        peers: Vec::new(),
        errors: Vec::new(),
    };
    let mut say_line = |line: &str| say(&format!("  {line}"));
    let python = match peers::ensure_venv(&mut say_line) {
        Ok(python) => python,
        Err(error) => {
            result
                .errors
                .push(format!("the peers' environment: {error:#}"));
            return result;
        }
    };
    let (rotor, stack) = run_scenario(args, run_dir, "peers-rotor", devices, "realistic", 1).await;
    result.rotor = Some(rotor);
    let Some(mut stack) = stack else {
        return result;
    };
    let out_dir = run_dir.join("peers-rotor");
    let netmiko_devices = args
        .netmiko_devices
        .map(|n| n.min(devices))
        .unwrap_or(devices);
    let limit = Duration::from_secs(1200);
    let runs = [
        peers::PeerRun {
            script: "asyncssh_rotate.py",
            tool: "asyncssh",
            setting: ("concurrency", args.asyncssh_concurrency),
            devices,
        },
        peers::PeerRun {
            script: "nornir_rotate.py",
            tool: "nornir-netmiko",
            setting: ("workers", args.nornir_workers),
            devices: netmiko_devices,
        },
    ];
    for run in runs {
        say(&format!(
            "  {}: {} devices ({} {})",
            run.tool, run.devices, run.setting.1, run.setting.0
        ));
        match peers::run_peer(&mut stack, &python, run, &out_dir, limit).await {
            Ok(figures) => {
                say(&format!(
                    "  {}: {} of {} devices in {:.1} s = {:.0} devices/min",
                    run.tool,
                    figures.succeeded,
                    figures.devices,
                    figures.wall_seconds,
                    figures.devices_per_minute
                ));
                result.peers.push(figures);
            }
            Err(error) => {
                say(&format!("  {} failed: {error:#}", run.tool));
                result.errors.push(format!("{}: {error:#}", run.tool));
            }
        }
    }
    stack.shutdown().await;
    cleanup_store(&out_dir);
    result
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let started = Instant::now();
    let binaries = Binaries::find(true, false, stack::BUILD_HINT)?;
    let stamp = report::timestamp();
    let run_dir = args
        .out
        .join(format!("run-{}", stamp.replace([':', '-'], "")));
    std::fs::create_dir_all(&run_dir)
        .with_context(|| format!("cannot create {}", run_dir.display()))?;
    say(&format!("results go to {}", run_dir.display()));
    let mut results = BenchResults {
        label: args.label.clone(),
        started: stamp,
        machine: report::Machine::describe(),
        service_env: args.service_env.clone(),
        scenarios: Vec::new(),
        peers: None,
        floor: None,
        floor_error: None,
        total_seconds: 0.0,
    };

    for scenario in SCENARIOS.iter().filter(|s| wanted(&args, s.name)) {
        let devices = scaled(&args, scenario.devices);
        let (result, stack) = run_scenario(
            &args,
            &run_dir,
            scenario.name,
            devices,
            scenario.latency,
            scenario.copies,
        )
        .await;
        if let Some(stack) = stack {
            stack.shutdown().await;
        }
        cleanup_store(&run_dir.join(scenario.name));
        results.scenarios.push(result);
        write_results(&args, &run_dir, &results)?;
    }
    if wanted(&args, "peers") {
        results.peers = Some(run_peers(&args, &run_dir).await);
        write_results(&args, &run_dir, &results)?;
    }
    if wanted(&args, "floor") {
        say("floor: client-side SSH logins, commands and hashing");
        let devices_sharing = scaled(&args, 10_000);
        match floor::measure(
            &binaries,
            &run_dir.join("floor"),
            100,
            2000,
            4000,
            devices_sharing,
        )
        .await
        {
            Ok(figures) => results.floor = Some(figures),
            Err(error) => {
                say(&format!("  floor failed: {error:#}"));
                results.floor_error = Some(format!("{error:#}"));
            }
        }
    }
    results.total_seconds = started.elapsed().as_secs_f64();
    write_results(&args, &run_dir, &results)?;
    let table = report::table(&results);
    println!("{table}");
    std::fs::write(run_dir.join("table.txt"), &table)?;
    std::fs::write(args.out.join("latest.txt"), &table)?;
    say(&format!(
        "done in {:.1} min; {} and {}",
        results.total_seconds / 60.0,
        run_dir.join("results.json").display(),
        run_dir.join("table.txt").display()
    ));
    Ok(())
}

fn write_results(
    args: &Args,
    run_dir: &std::path::Path,
    results: &BenchResults,
) -> anyhow::Result<()> {
    let json = serde_json::to_string_pretty(results)?;
    std::fs::write(run_dir.join("results.json"), &json)?;
    std::fs::write(args.out.join("latest.json"), &json)?;
    Ok(())
}
