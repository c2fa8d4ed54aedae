//! The machine description and the printed table.

use std::fmt::Write as _;

use serde::Serialize;

use crate::BenchResults;
use crate::rotation::RotationFigures;

/// Where the figures came from.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Machine {
    pub cpu: String,
    pub cores: usize,
    pub memory_gib: f64,
    pub kernel: String,
}

impl Machine {
    pub fn describe() -> Machine {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cpu = cpuinfo
            .lines()
            .find_map(|line| line.strip_prefix("model name"))
            .map(|rest| rest.trim_start_matches([' ', '\t', ':']).trim().to_string())
            .unwrap_or_else(|| "unknown".into());
        let memory_kib: f64 = std::fs::read_to_string("/proc/meminfo")
            .ok()
            .and_then(|text| {
                text.lines()
                    .find_map(|line| line.strip_prefix("MemTotal:"))
                    .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
            })
            .unwrap_or(0.0);
        Machine {
            cpu,
            cores: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1),
            memory_gib: memory_kib / 1024.0 / 1024.0,
            kernel: std::fs::read_to_string("/proc/sys/kernel/osrelease")
                .unwrap_or_default()
                .trim()
                .to_string(),
        }
    }
}

pub fn timestamp() -> String {
    let now = time::OffsetDateTime::now_utc();
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        now.year(),
        now.month() as u8,
        now.day(),
        now.hour(),
        now.minute(),
        now.second()
    )
}

/// A 10,000-device goal is only judged on a run of 10,000 devices or more (not with `--scale`).
fn goal_at_scale(devices: usize, met: bool) -> &'static str {
    if devices < 10_000 {
        "not judged: fewer than 10,000 devices"
    } else {
        goal(met)
    }
}

fn goal(met: bool) -> &'static str {
    if met { "met" } else { "NOT met" }
}

fn rotation_row(out: &mut String, name: &str, copies: usize, latency: &str, r: &RotationFigures) {
    let _ = writeln!(
        out,
        "{:<18} {:>6} {:<9} {:>3} {:>8.1} {:>8.0} {:>6.2} {:>6.2} {:>6.2} {:>7.2} {:>8.0} {:>7.2} {:>7.2} {:>7.2} {:>7.0}  {}/{}",
        name,
        r.devices,
        latency,
        copies,
        r.wall_seconds,
        r.devices_per_minute,
        r.per_device.p50,
        r.per_device.p95,
        r.per_device.p99,
        r.fanout_seconds,
        r.aggregator.events_per_second,
        r.rotor_cpu_ms_per_device,
        r.rotor_with_infra_cpu_ms_per_device,
        r.simulator_cpu_ms_per_device,
        r.max_service_peak_rss_mib,
        r.succeeded,
        r.devices
    );
}

/// The table `make bench` prints.
// Column headers are literals passed through the same widths as the values.
#[allow(clippy::write_literal)]
pub fn table(results: &BenchResults) -> String {
    let mut out = String::new();
    let m = &results.machine;
    let _ = writeln!(
        out,
        "Rotor benchmark{} — {} ({} cores, {:.0} GiB, Linux {}), {}, {:.1} min",
        if results.label.is_empty() {
            String::new()
        } else {
            format!(" [{}]", results.label)
        },
        m.cpu,
        m.cores,
        m.memory_gib,
        m.kernel,
        results.started,
        results.total_seconds / 60.0
    );
    if !results.service_env.is_empty() {
        let _ = writeln!(out, "service settings: {}", results.service_env.join(" "));
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "{:<18} {:>6} {:<9} {:>3} {:>8} {:>8} {:>6} {:>6} {:>6} {:>7} {:>8} {:>7} {:>7} {:>7} {:>7}  {}",
        "scenario",
        "devices",
        "latency",
        "cp",
        "wall s",
        "dev/min",
        "p50 s",
        "p95 s",
        "p99 s",
        "fanout",
        "agg ev/s",
        "rotor",
        "+infra",
        "sim",
        "max MiB",
        "ok"
    );
    let _ = writeln!(
        out,
        "{:<18} {:>6} {:<9} {:>3} {:>8} {:>8} {:>6} {:>6} {:>6} {:>7} {:>8} {:>7} {:>7} {:>7} {:>7}",
        "", "", "", "", "", "", "", "", "", "s", "", "ms/dev", "ms/dev", "ms/dev", "service"
    );
    let mut all: Vec<&crate::ScenarioResult> = results.scenarios.iter().collect();
    if let Some(rotor) = results.peers.as_ref().and_then(|p| p.rotor.as_ref()) {
        all.push(rotor);
    }
    for scenario in &all {
        match &scenario.rotation {
            Some(r) => rotation_row(
                &mut out,
                &scenario.name,
                scenario.copies,
                &scenario.latency,
                r,
            ),
            None => {
                let _ = writeln!(
                    out,
                    "{:<18} {:>6} {:<9} {:>3}  failed: {}",
                    scenario.name,
                    scenario.devices,
                    scenario.latency,
                    scenario.copies,
                    scenario
                        .error
                        .as_deref()
                        .unwrap_or("?")
                        .lines()
                        .next()
                        .unwrap_or("")
                );
            }
        }
    }
    let _ = writeln!(
        out,
        "\n(wall: request to operation end; p50/p95/p99: per device, acceptance to backup event; fanout: the Rotate call, jobs stored;\n agg ev/s: events folded per second; CPU per device: Rotor's services, + nats-server and OpenBao, and the simulator apart)"
    );

    // Stages.
    let _ = writeln!(out, "\nStages, p50 queue / p50 work / p95 work (seconds):");
    let _ = writeln!(
        out,
        "{:<18} {:>22} {:>22} {:>22} {:>22}",
        "scenario", "load_intended", "configuration_diff", "apply", "backup"
    );
    for scenario in &all {
        if let Some(r) = &scenario.rotation {
            let cells: Vec<String> = r
                .stages
                .iter()
                .map(|s| format!("{:.2}/{:.3}/{:.3}", s.queue.p50, s.work.p50, s.work.p95))
                .collect();
            let _ = writeln!(
                out,
                "{:<18} {:>22} {:>22} {:>22} {:>22}",
                scenario.name,
                cells.first().cloned().unwrap_or_default(),
                cells.get(1).cloned().unwrap_or_default(),
                cells.get(2).cloned().unwrap_or_default(),
                cells.get(3).cloned().unwrap_or_default()
            );
        }
    }

    // CPU and memory per process.
    let _ = writeln!(
        out,
        "\nCPU seconds during the rotation / peak MiB, per process:"
    );
    for scenario in &all {
        if let Some(r) = &scenario.rotation {
            let cells: Vec<String> = r
                .processes
                .iter()
                .map(|p| {
                    format!(
                        "{} {:.1}s/{:.0}",
                        p.name.trim_start_matches("rotor-"),
                        p.cpu_seconds,
                        p.peak_rss_mib
                    )
                })
                .collect();
            let _ = writeln!(out, "{:<18} {}", scenario.name, cells.join(", "));
        }
    }

    // Peers.
    if let Some(peers) = &results.peers {
        let _ = writeln!(
            out,
            "\nPeers on the same fabric ({} devices, {} latency), measured in this run:",
            peers.devices, peers.latency
        );
        let _ = writeln!(
            out,
            "{:<16} {:<16} {:>7} {:>8} {:>8} {:>7} {:>7} {:>9} {:>10}  {}",
            "tool",
            "setting",
            "devices",
            "wall s",
            "dev/min",
            "p50 s",
            "p95 s",
            "CPU ms/d",
            "sim ms/d",
            "Rotor's throughput ratio"
        );
        let rotor = peers.rotor.as_ref().and_then(|r| r.rotation.as_ref());
        if let Some(r) = rotor {
            let _ = writeln!(
                out,
                "{:<16} {:<16} {:>7} {:>8.1} {:>8.0} {:>7.2} {:>7.2} {:>9.2} {:>10.2}  1",
                "rotor",
                "defaults",
                r.devices,
                r.wall_seconds,
                r.devices_per_minute,
                r.per_device.p50,
                r.per_device.p95,
                r.rotor_cpu_ms_per_device,
                r.simulator_cpu_ms_per_device
            );
        }
        for peer in &peers.peers {
            let ratio = rotor
                .map(|r| {
                    format!(
                        "{:.1}x",
                        r.devices_per_minute / peer.devices_per_minute.max(1e-9)
                    )
                })
                .unwrap_or_else(|| "-".into());
            let _ = writeln!(
                out,
                "{:<16} {:<16} {:>7} {:>8.1} {:>8.0} {:>7.2} {:>7.2} {:>9.2} {:>10.2}  {}{}",
                peer.tool,
                peer.setting,
                peer.devices,
                peer.wall_seconds,
                peer.devices_per_minute,
                peer.per_device.p50,
                peer.per_device.p95,
                peer.cpu_ms_per_device,
                peer.simulator_cpu_seconds * 1000.0 / peer.devices.max(1) as f64,
                ratio,
                if peer.failed > 0 {
                    format!(
                        " ({} failed: {})",
                        peer.failed,
                        peer.failures.first().cloned().unwrap_or_default()
                    )
                } else {
                    String::new()
                }
            );
        }
        for error in &peers.errors {
            let _ = writeln!(out, "  error: {error}");
        }
    }

    // Floor.
    if let Some(f) = &results.floor {
        let _ = writeln!(
            out,
            "\nFloor (client side, Rotor's russh client): {:.3} ms CPU per SSH login, {:.3} ms per command, {:.2} ms per $6$ hash\n  = {:.3} ms per device (2 logins + 2 commands + 1/{} hash); simulator {:.3} ms per login; {:.0} logins/s",
            f.client_ms_per_login,
            f.client_ms_per_command,
            f.ms_per_hash,
            f.floor_ms_per_device,
            f.devices_sharing_a_hash,
            f.server_ms_per_login,
            f.logins_per_second
        );
        for scenario in &all {
            if let Some(r) = &scenario.rotation {
                let _ = writeln!(
                    out,
                    "  {:<18} Rotor {:.2} ms CPU/device = {:.1}x the floor ({:.1}x with nats-server and OpenBao)",
                    scenario.name,
                    r.rotor_cpu_ms_per_device,
                    r.rotor_cpu_ms_per_device / f.floor_ms_per_device.max(1e-9),
                    r.rotor_with_infra_cpu_ms_per_device / f.floor_ms_per_device.max(1e-9)
                );
            }
        }
    } else if let Some(error) = &results.floor_error {
        let _ = writeln!(out, "\nFloor: failed: {error}");
    }

    // Goals.
    let _ = writeln!(out, "\nGoals (reported, not asserted):");
    let find = |name: &str| {
        results
            .scenarios
            .iter()
            .find(|s| s.name == name)
            .and_then(|s| s.rotation.as_ref())
    };
    if let Some(r) = find("none-10k") {
        let _ = writeln!(
            out,
            "  10,000 devices, no latency, in 60 s or less: {:.1} s ({})",
            r.wall_seconds,
            goal_at_scale(r.devices, r.wall_seconds <= 60.0 && r.failed == 0)
        );
    }
    if let Some(r) = find("realistic-10k") {
        let _ = writeln!(
            out,
            "  10,000 devices, realistic latency, default settings, in 3 min or less: {:.1} s ({})",
            r.wall_seconds,
            goal_at_scale(r.devices, r.wall_seconds <= 180.0 && r.failed == 0)
        );
    }
    if let Some(peers) = &results.peers
        && let Some(nornir) = peers.peers.iter().find(|p| p.tool == "nornir-netmiko")
    {
        if let Some(r) = peers.rotor.as_ref().and_then(|r| r.rotation.as_ref()) {
            let ratio = r.devices_per_minute / nornir.devices_per_minute.max(1e-9);
            let _ = writeln!(
                out,
                "  20x the throughput of Nornir + netmiko, same {}-device fabric, same run: {ratio:.1}x ({})",
                r.devices,
                goal(ratio >= 20.0)
            );
        }
        // At fabric scale: Rotor's 10,000-device rate with the same latency profile against the
        // peer's rate (a fixed worker pool's rate does not change with the fabric's size).
        if let Some(r) = find("realistic-10k") {
            let ratio = r.devices_per_minute / nornir.devices_per_minute.max(1e-9);
            let _ = writeln!(
                out,
                "  20x the throughput of Nornir + netmiko at fabric scale (Rotor's 10,000-device rate / Nornir's rate): {ratio:.1}x ({})",
                goal_at_scale(r.devices, ratio >= 20.0)
            );
        }
    }
    let worst = all
        .iter()
        .filter(|s| s.devices >= 10_000)
        .filter_map(|s| s.rotation.as_ref())
        .flat_map(|r| r.processes.iter())
        .filter(|p| p.role == rotor_stack::Role::Rotor)
        .max_by(|a, b| a.peak_rss_mib.total_cmp(&b.peak_rss_mib));
    if let Some(p) = worst {
        let _ = writeln!(
            out,
            "  each service under 200 MiB at 10,000 devices: largest {} at {:.0} MiB ({})",
            p.name,
            p.peak_rss_mib,
            goal(p.peak_rss_mib < 200.0)
        );
    }
    out
}
