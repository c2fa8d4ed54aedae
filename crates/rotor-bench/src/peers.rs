//! The Python peers (`bench/peers/`): their virtual environment and their runs on the same
//! simulated fabric Rotor rotated.
//!
//! Each peer gets the fabric's current password and a new one in environment variables (never
//! on a command line, never printed). The bench writes the new password to OpenBao as the next
//! version before the peer runs, so the store keeps describing the fabric.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use rotor_secrets::{Password, PasswordPolicy};
use rotor_stack::services::{SECRETS_MOUNT, login_secret_path};
use serde::{Deserialize, Serialize};

use crate::rotation::Percentiles;
use crate::stack::BenchStack;

/// The repository root (where `bench/` and `tools/` are).
pub fn repo_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest
        .ancestors()
        .nth(2)
        .map(Path::to_path_buf)
        .unwrap_or(manifest)
}

/// The peers' virtual environment's Python, created and filled from
/// `bench/peers/requirements.txt` when missing or out of date.
pub fn ensure_venv(say: &mut impl FnMut(&str)) -> anyhow::Result<PathBuf> {
    let root = repo_root();
    let venv = root.join("tools").join("bench-venv");
    let python = venv.join("bin").join("python");
    let requirements = root.join("bench").join("peers").join("requirements.txt");
    let wanted = std::fs::read_to_string(&requirements)
        .with_context(|| format!("cannot read {}", requirements.display()))?;
    let stamp = venv.join("rotor-bench-requirements.txt");
    if python.is_file() && std::fs::read_to_string(&stamp).ok().as_deref() == Some(&wanted) {
        return Ok(python);
    }
    say(&format!(
        "installing the peers into {} (pip, from {})",
        venv.display(),
        requirements.display()
    ));
    if !python.is_file() {
        let status = Command::new("python3")
            .args(["-m", "venv"])
            .arg(&venv)
            .status()
            .context("python3 -m venv")?;
        if !status.success() {
            bail!("python3 -m venv {} failed", venv.display());
        }
    }
    let output = Command::new(&python)
        .args(["-m", "pip", "install", "--quiet", "-r"])
        .arg(&requirements)
        .output()
        .context("pip install")?;
    if !output.status.success() {
        bail!(
            "pip install -r {} failed:\n{}",
            requirements.display(),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    std::fs::write(&stamp, wanted)?;
    Ok(python)
}

/// What a peer script reports (see the scripts' docstrings).
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PeerSummary {
    devices: usize,
    succeeded: usize,
    failed: usize,
    failures: Vec<String>,
    wall_seconds: f64,
    per_device_seconds: Vec<f64>,
    cpu_seconds: f64,
    peak_rss_mib: f64,
}

/// A peer's figures.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PeerFigures {
    pub tool: String,
    /// How it ran, e.g. "100 threads".
    pub setting: String,
    pub devices: usize,
    pub succeeded: usize,
    pub failed: usize,
    pub failures: Vec<String>,
    pub wall_seconds: f64,
    pub devices_per_minute: f64,
    pub per_device: Percentiles,
    /// The peer's own process (user + system), including the interpreter's start.
    pub cpu_seconds: f64,
    pub cpu_ms_per_device: f64,
    pub simulator_cpu_seconds: f64,
    pub peak_rss_mib: f64,
}

/// One peer run.
#[derive(Clone, Copy, Debug)]
pub struct PeerRun<'a> {
    /// The script in `bench/peers/`.
    pub script: &'a str,
    pub tool: &'a str,
    /// Its concurrency flag and value, e.g. `("workers", 100)`.
    pub setting: (&'a str, usize),
    /// The first this many devices of the fabric.
    pub devices: usize,
}

/// Runs one peer script on the first `run.devices` devices of the stack's fabric.
pub async fn run_peer(
    stack: &mut BenchStack,
    python: &Path,
    run: PeerRun<'_>,
    out_dir: &Path,
    limit: Duration,
) -> anyhow::Result<PeerFigures> {
    let PeerRun {
        script,
        tool,
        setting,
        devices,
    } = run;
    let (current, new) = next_password(stack).await?;
    let out = out_dir.join(format!("{tool}.json"));
    let log = out_dir.join(format!("{tool}.log"));
    let _ = std::fs::remove_file(&out);
    let script_path = repo_root().join("bench").join("peers").join(script);
    let sim_pid = stack
        .processes
        .iter()
        .find(|p| p.role == rotor_stack::Role::Simulator)
        .and_then(|p| p.pid);
    let sim_before = sim_pid
        .and_then(crate::procstat::cpu_seconds)
        .unwrap_or(0.0);
    let log_file = std::fs::File::create(&log)?;
    let mut child = Command::new(python)
        .arg(&script_path)
        .arg("--inventory")
        .arg(stack.local.inventory_path())
        .arg("--devices")
        .arg(devices.to_string())
        .arg(format!("--{}", setting.0))
        .arg(setting.1.to_string())
        .arg("--out")
        .arg(&out)
        .env("ROTOR_BENCH_CURRENT_PASSWORD", current.expose_for_login())
        .env("ROTOR_BENCH_NEW_PASSWORD", new.expose_for_login())
        .stdin(Stdio::null())
        .stdout(log_file.try_clone()?)
        .stderr(log_file)
        .spawn()
        .with_context(|| format!("starting {}", script_path.display()))?;
    drop((current, new));
    let status = wait_bounded(&mut child, limit, tool, &log).await?;
    let sim_after = sim_pid
        .and_then(crate::procstat::cpu_seconds)
        .unwrap_or(0.0);
    if !status.success() {
        bail!("{tool} exited with {status}; its log is {}", log.display());
    }
    let summary: PeerSummary = serde_json::from_str(
        &std::fs::read_to_string(&out).with_context(|| format!("reading {}", out.display()))?,
    )
    .with_context(|| format!("{} is not the expected summary", out.display()))?;
    Ok(PeerFigures::of(
        tool,
        setting,
        summary,
        sim_after - sim_before,
    ))
}

/// The fabric's current password from OpenBao, and a new one written there as the next version
/// (so the store keeps describing the fabric after the peer's run).
async fn next_password(stack: &BenchStack) -> anyhow::Result<(Password, Password)> {
    let path = login_secret_path(&stack.local.fabric_id);
    let (current, _) = stack
        .local
        .secrets
        .read(SECRETS_MOUNT, &path, None)
        .await
        .context("reading the fabric's current password")?;
    let new = PasswordPolicy::default().generate()?;
    stack
        .local
        .secrets
        .write(SECRETS_MOUNT, &path, &new)
        .await
        .context("writing the peer's new password to OpenBao")?;
    Ok((current, new))
}

/// Waits for the peer's process, killing it after `limit`.
async fn wait_bounded(
    child: &mut std::process::Child,
    limit: Duration,
    tool: &str,
    log: &Path,
) -> anyhow::Result<std::process::ExitStatus> {
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(status);
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            bail!(
                "{tool} did not finish within {} s (log: {})",
                limit.as_secs(),
                log.display()
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

impl PeerFigures {
    /// The figures of a peer's run from its summary and the simulator's CPU meanwhile.
    fn of(
        tool: &str,
        setting: (&str, usize),
        summary: PeerSummary,
        simulator_cpu_seconds: f64,
    ) -> PeerFigures {
        let wall = summary.wall_seconds.max(0.001);
        PeerFigures {
            tool: tool.to_string(),
            setting: format!(
                "{} {}",
                setting.1,
                if setting.0 == "workers" {
                    "threads"
                } else {
                    "concurrent"
                }
            ),
            devices: summary.devices,
            succeeded: summary.succeeded,
            failed: summary.failed,
            failures: summary.failures,
            wall_seconds: wall,
            devices_per_minute: summary.succeeded as f64 * 60.0 / wall,
            per_device: Percentiles::of(summary.per_device_seconds),
            cpu_seconds: summary.cpu_seconds,
            cpu_ms_per_device: summary.cpu_seconds * 1000.0 / summary.devices.max(1) as f64,
            simulator_cpu_seconds,
            peak_rss_mib: summary.peak_rss_mib,
        }
    }
}
