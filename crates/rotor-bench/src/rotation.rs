//! One fabric rotation, measured: wall time from the request to the operation's end, the
//! per-device times from acceptance to the backup event, every stage's queue and work times (from
//! the stage events in the `ROTOR_EVENTS` stream), the orchestrator's fan-out (the Rotate call
//! returns once every job is stored), the aggregator's folding rate (its consumer's ack floor,
//! sampled), and CPU and peak memory of every process.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant, SystemTime};

use anyhow::{Context as _, anyhow, bail};
use futures::StreamExt;
use rotor_proto::v1::rotation_reply::Outcome;
use rotor_proto::v1::stage_event::Status;
use rotor_proto::v1::{
    OperationState, OperationStatus, RotationKind, RotationRequest, ShowOperationRequest, Stage,
    StageEvent,
};
use serde::Serialize;

use rotor_stack::Role;

use crate::procstat;
use crate::stack::BenchStack;

/// The change of every numeric counter between two `GET /counters` answers.
fn counter_deltas(before: &serde_json::Value, after: &serde_json::Value) -> serde_json::Value {
    let mut out = serde_json::Map::new();
    if let Some(after) = after.as_object() {
        for (key, value) in after {
            let old = before.get(key).and_then(|v| v.as_i64()).unwrap_or(0);
            if let Some(new) = value.as_i64() {
                out.insert(key.clone(), serde_json::Value::from(new - old));
            }
        }
    }
    serde_json::Value::Object(out)
}

/// p50, p95, p99 and max of a set of durations, in seconds.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Percentiles {
    pub count: usize,
    pub mean: f64,
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
    pub max: f64,
}

impl Percentiles {
    pub fn of(mut values: Vec<f64>) -> Percentiles {
        if values.is_empty() {
            return Percentiles::default();
        }
        values.sort_by(|a, b| a.total_cmp(b));
        let at = |q: f64| {
            let index = ((values.len() as f64 * q).ceil() as usize).clamp(1, values.len()) - 1;
            values[index]
        };
        Percentiles {
            count: values.len(),
            mean: values.iter().sum::<f64>() / values.len() as f64,
            p50: at(0.50),
            p95: at(0.95),
            p99: at(0.99),
            max: *values.last().expect("not empty"),
        }
    }
}

/// Queue and work times of one stage.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StageTiming {
    pub stage: String,
    /// From the previous stage's end (acceptance for the first) to this stage's start.
    pub queue: Percentiles,
    /// From this stage's start to its end.
    pub work: Percentiles,
    /// Devices whose stage was skipped.
    pub skipped: usize,
}

/// CPU and memory of one process over the rotation.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProcessFigures {
    pub name: String,
    pub role: Role,
    pub cpu_seconds: f64,
    pub peak_rss_mib: f64,
}

/// The aggregator's folding, from its consumer's ack floor sampled every 250 ms.
#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AggregatorFigures {
    pub events: u64,
    /// Events folded / seconds from the first event to the last fold.
    pub events_per_second: f64,
    /// Best 1-second window.
    pub peak_events_per_second: f64,
    /// Most events published but not yet folded at any sample.
    pub max_backlog: u64,
}

/// Everything measured about one rotation.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RotationFigures {
    pub operation_id: String,
    pub devices: usize,
    pub succeeded: usize,
    pub failed: usize,
    /// The first few failures: `device: code message`.
    pub failures: Vec<String>,
    pub wall_seconds: f64,
    pub devices_per_minute: f64,
    /// The Rotate call: guardrails, new secret version, plan, and every diff job stored.
    pub fanout_seconds: f64,
    /// From acceptance to the device's backup event (its last).
    pub per_device: Percentiles,
    pub stages: Vec<StageTiming>,
    pub aggregator: AggregatorFigures,
    pub processes: Vec<ProcessFigures>,
    pub rotor_cpu_seconds: f64,
    pub broker_cpu_seconds: f64,
    pub secrets_cpu_seconds: f64,
    pub simulator_cpu_seconds: f64,
    /// Rotor's five services only.
    pub rotor_cpu_ms_per_device: f64,
    /// Rotor's services plus nats-server and OpenBao.
    pub rotor_with_infra_cpu_ms_per_device: f64,
    pub simulator_cpu_ms_per_device: f64,
    /// Peak resident memory of the largest Rotor service.
    pub max_service_peak_rss_mib: f64,
    /// CPU seconds the rest of the machine used meanwhile (other programs: noise).
    pub other_cpu_seconds: f64,
    /// The simulator's counters over the rotation (logins, commands, verification cache).
    pub simulator_counters: serde_json::Value,
}

fn parse_time(text: &str) -> Option<f64> {
    let at =
        time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).ok()?;
    Some(at.unix_timestamp_nanos() as f64 / 1e9)
}

fn unix_now() -> f64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

async fn events_last_sequence(stack: &BenchStack) -> anyhow::Result<u64> {
    let mut stream = stack
        .jetstream
        .get_stream(rotor_bus::names::EVENTS_STREAM)
        .await?;
    Ok(stream.info().await?.state.last_sequence)
}

async fn aggregator_floor(stack: &BenchStack) -> Option<(u64, u64)> {
    let mut stream = stack
        .jetstream
        .get_stream(rotor_bus::names::EVENTS_STREAM)
        .await
        .ok()?;
    let last = stream.info().await.ok()?.state.last_sequence;
    let info = stream
        .consumer_info(rotor_bus::names::AGGREGATOR_CONSUMER)
        .await
        .ok()?;
    Some((info.ack_floor.stream_sequence, last))
}

/// Rotates the stack's fabric once and measures it. `limit` bounds the wait.
pub async fn rotate(stack: &mut BenchStack, limit: Duration) -> anyhow::Result<RotationFigures> {
    let base_sequence = events_last_sequence(stack).await?;
    let counters_before = stack.sim_counters();
    let machine_before = procstat::machine_cpu_seconds();
    let own_before = procstat::own_cpu_seconds();
    let cpu_before: Vec<f64> = stack.processes.iter().map(|p| p.cpu_seconds()).collect();

    let submitted_unix = unix_now();
    let submitted = Instant::now();
    let (operation_id, fanout_seconds) = submit(stack, submitted).await?;

    let (status, samples) =
        wait_for_end(stack, &operation_id, submitted, base_sequence, limit).await?;
    let cpu_after: Vec<f64> = stack.processes.iter().map(|p| p.cpu_seconds()).collect();
    let machine_cpu = procstat::machine_cpu_seconds() - machine_before;
    let own_cpu = procstat::own_cpu_seconds() - own_before;
    let counters_after = stack.sim_counters();
    let observed_end = unix_now();
    let end = parse_time(&status.end_time).unwrap_or(observed_end);
    let wall_seconds = (end - submitted_unix).max(0.001);
    let accepted = parse_time(&status.start_time).unwrap_or(submitted_unix);

    let failures = first_failures(stack, &operation_id).await?;

    let events = read_events(stack, &operation_id).await?;
    let (per_device, stages) = timings(&events, accepted);
    let aggregator = aggregator_figures(stack, &samples, base_sequence, &events).await;

    let processes = process_figures(stack, &cpu_before, &cpu_after);
    let sum = |role: Role| -> f64 {
        processes
            .iter()
            .filter(|p| p.role == role)
            .map(|p| p.cpu_seconds)
            .sum()
    };
    let devices = stack.local.devices;
    let rotor_cpu_seconds = sum(Role::Rotor);
    let broker_cpu_seconds = sum(Role::Broker);
    let secrets_cpu_seconds = sum(Role::Secrets);
    let simulator_cpu_seconds = sum(Role::Simulator);
    let stack_cpu: f64 = processes.iter().map(|p| p.cpu_seconds).sum();
    let simulator_counters = counter_deltas(&counters_before, &counters_after);
    let per_device_ms = |seconds: f64| seconds * 1000.0 / devices.max(1) as f64;
    Ok(RotationFigures {
        operation_id,
        devices,
        succeeded: status.succeeded_devices as usize,
        failed: status.failed_devices as usize,
        failures,
        wall_seconds,
        devices_per_minute: devices as f64 * 60.0 / wall_seconds,
        fanout_seconds,
        per_device,
        stages,
        aggregator,
        max_service_peak_rss_mib: processes
            .iter()
            .filter(|p| p.role == Role::Rotor)
            .map(|p| p.peak_rss_mib)
            .fold(0.0, f64::max),
        processes,
        other_cpu_seconds: (machine_cpu - stack_cpu - own_cpu).max(0.0),
        simulator_counters,
        rotor_cpu_ms_per_device: per_device_ms(rotor_cpu_seconds),
        rotor_with_infra_cpu_ms_per_device: per_device_ms(
            rotor_cpu_seconds + broker_cpu_seconds + secrets_cpu_seconds,
        ),
        simulator_cpu_ms_per_device: per_device_ms(simulator_cpu_seconds),
        rotor_cpu_seconds,
        broker_cpu_seconds,
        secrets_cpu_seconds,
        simulator_cpu_seconds,
    })
}

/// Sends the fabric rotation; returns the operation id and how long the call took (the
/// fan-out).
async fn submit(stack: &mut BenchStack, submitted: Instant) -> anyhow::Result<(String, f64)> {
    let reply = stack
        .client
        .rotate(RotationRequest {
            kind: RotationKind::FabricRotatePassword as i32,
            fabric_id: stack.local.fabric_id.clone(),
            requested_by: "rotor-bench".into(),
            ..Default::default()
        })
        .await
        .map_err(|status| anyhow!("Rotate: {}", status.message()))?
        .into_inner();
    let fanout_seconds = submitted.elapsed().as_secs_f64();
    let operation_id = match reply.outcome {
        Some(Outcome::Accepted(accepted)) => accepted.operation_id,
        Some(Outcome::Rejected(rejected)) => {
            bail!("the rotation was rejected: {:?}", rejected.error)
        }
        None => bail!("the rotation got an empty reply"),
    };
    Ok((operation_id, fanout_seconds))
}

/// Polls the operation until it ends (bounded by `limit`), sampling the aggregator's ack floor
/// meanwhile: (seconds since `submitted`, events folded, events published) since
/// `base_sequence`.
async fn wait_for_end(
    stack: &mut BenchStack,
    operation_id: &str,
    submitted: Instant,
    base_sequence: u64,
    limit: Duration,
) -> anyhow::Result<(OperationStatus, Vec<(f64, u64, u64)>)> {
    let mut samples: Vec<(f64, u64, u64)> = Vec::new();
    let status: OperationStatus = loop {
        if let Some((floor, last)) = aggregator_floor(stack).await {
            samples.push((
                submitted.elapsed().as_secs_f64(),
                floor.saturating_sub(base_sequence),
                last.saturating_sub(base_sequence),
            ));
        }
        let status = stack
            .client
            .show_operation(ShowOperationRequest {
                operation_id: operation_id.to_string(),
                omit_devices: true,
            })
            .await
            .map_err(|status| anyhow!("ShowOperation: {}", status.message()))?
            .into_inner();
        if matches!(
            OperationState::try_from(status.status),
            Ok(OperationState::Succeeded | OperationState::Failed)
        ) {
            break status;
        }
        stack.check()?;
        if submitted.elapsed() > limit {
            bail!(
                "the rotation did not finish within {} s ({}% done)",
                limit.as_secs(),
                status.percent_complete
            );
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    Ok((status, samples))
}

/// The first few failures, `device: code message`, from the operation's full status.
async fn first_failures(stack: &mut BenchStack, operation_id: &str) -> anyhow::Result<Vec<String>> {
    let full = stack
        .client
        .show_operation(ShowOperationRequest {
            operation_id: operation_id.to_string(),
            omit_devices: false,
        })
        .await
        .map_err(|status| anyhow!("ShowOperation: {}", status.message()))?
        .into_inner();
    let failures: Vec<String> = full
        .operations
        .iter()
        .filter(|r| r.status != OperationState::Succeeded as i32)
        .take(5)
        .map(|r| {
            let error = r.error.clone().unwrap_or_default();
            format!(
                "{}: {} {}",
                r.resource_id,
                rotor_proto::v1::ErrorCode::try_from(error.code)
                    .map(|c| c.as_str_name())
                    .unwrap_or("?"),
                error.message
            )
        })
        .collect();
    Ok(failures)
}

/// Every process's CPU over the rotation and its peak memory.
fn process_figures(
    stack: &BenchStack,
    cpu_before: &[f64],
    cpu_after: &[f64],
) -> Vec<ProcessFigures> {
    stack
        .processes
        .iter()
        .zip(cpu_before.iter().zip(cpu_after.iter()))
        .map(|(process, (before, after))| ProcessFigures {
            name: process.name.clone(),
            role: process.role,
            cpu_seconds: after - before,
            peak_rss_mib: process.peak_rss_mib(),
        })
        .collect()
}

/// Every stage event of the operation, with the stream's timestamp (seconds since the epoch).
async fn read_events(
    stack: &BenchStack,
    operation_id: &str,
) -> anyhow::Result<Vec<(StageEvent, f64)>> {
    let filter = rotor_bus::names::events_filter(Some(&stack.local.fabric_id), None);
    let mut replay = rotor_bus::replay_events(&stack.jetstream, filter, false)
        .await
        .context("reading the events back")?;
    let mut events = Vec::new();
    while let Some(replayed) = replay.next().await {
        let replayed = replayed.map_err(|e| anyhow!("reading events: {e}"))?;
        let published = replayed.stored.unix_timestamp_nanos() as f64 / 1e9;
        if replayed.event.operation_id == operation_id {
            events.push((replayed.event, published));
        }
    }
    Ok(events)
}

const STAGES: [Stage; 4] = [
    Stage::LoadIntendedConfiguration,
    Stage::PerformConfigurationDiff,
    Stage::ApplyConfiguration,
    Stage::PerformBackup,
];

/// Per-device times (acceptance to the backup event) and per-stage queue and work times.
fn timings(events: &[(StageEvent, f64)], accepted: f64) -> (Percentiles, Vec<StageTiming>) {
    // device -> (stage, status) -> time. The event's own time (ms, from the worker's clock, the
    // same machine) is the moment the stage changed.
    let mut by_device: HashMap<&str, BTreeMap<(i32, i32), f64>> = HashMap::new();
    for (event, published) in events {
        let at = parse_time(&event.time).unwrap_or(*published);
        by_device
            .entry(event.device_id.as_str())
            .or_default()
            .entry((event.stage, event.status))
            .and_modify(|t| *t = t.min(at))
            .or_insert(at);
    }
    let mut per_device = Vec::new();
    let mut queue: Vec<Vec<f64>> = vec![Vec::new(); STAGES.len()];
    let mut work: Vec<Vec<f64>> = vec![Vec::new(); STAGES.len()];
    let mut skipped = vec![0usize; STAGES.len()];
    let ended = |times: &BTreeMap<(i32, i32), f64>, stage: Stage| {
        [Status::Succeeded, Status::Failed, Status::Skipped]
            .iter()
            .find_map(|s| times.get(&(stage as i32, *s as i32)).copied())
    };
    for times in by_device.values() {
        if let Some(done) = ended(times, Stage::PerformBackup) {
            per_device.push(done - accepted);
        }
        let mut previous_end = Some(accepted);
        for (index, stage) in STAGES.iter().enumerate() {
            let start = times.get(&(*stage as i32, Status::Started as i32)).copied();
            let end = ended(times, *stage);
            match (start, end) {
                (Some(start), Some(end)) => {
                    if let Some(previous) = previous_end {
                        queue[index].push((start - previous).max(0.0));
                    }
                    work[index].push((end - start).max(0.0));
                }
                (None, Some(_)) => skipped[index] += 1,
                _ => {}
            }
            if end.is_some() {
                previous_end = end;
            }
        }
    }
    let stages = STAGES
        .iter()
        .enumerate()
        .map(|(index, stage)| StageTiming {
            stage: stage.as_str_name().to_string(),
            queue: Percentiles::of(std::mem::take(&mut queue[index])),
            work: Percentiles::of(std::mem::take(&mut work[index])),
            skipped: skipped[index],
        })
        .collect();
    (Percentiles::of(per_device), stages)
}

async fn aggregator_figures(
    stack: &BenchStack,
    samples: &[(f64, u64, u64)],
    base_sequence: u64,
    events: &[(StageEvent, f64)],
) -> AggregatorFigures {
    let total = events.len() as u64;
    let first_event = events
        .iter()
        .map(|(_, published)| *published)
        .fold(f64::INFINITY, f64::min);
    // The aggregator may still be acking the last batch when the operation ends; wait briefly.
    let started = Instant::now();
    let mut folded_at = None;
    while started.elapsed() < Duration::from_secs(10) {
        if let Some((floor, _)) = aggregator_floor(stack).await
            && floor.saturating_sub(base_sequence) >= total
        {
            folded_at = Some(unix_now());
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let last_sample_fold = samples.last().map(|s| s.1).unwrap_or(0);
    let span = match folded_at {
        Some(at) if first_event.is_finite() => (at - first_event).max(0.001),
        _ => samples.last().map(|s| s.0).unwrap_or(1.0).max(0.001),
    };
    let mut peak: f64 = 0.0;
    for (i, (t, folded, _)) in samples.iter().enumerate() {
        if let Some((t0, f0, _)) = samples[..i].iter().rev().find(|(t0, _, _)| t - t0 >= 1.0) {
            peak = peak.max((folded - f0) as f64 / (t - t0));
        }
    }
    AggregatorFigures {
        events: total.max(last_sample_fold),
        events_per_second: total as f64 / span,
        peak_events_per_second: peak,
        max_backlog: samples
            .iter()
            .map(|(_, folded, last)| last.saturating_sub(*folded))
            .max()
            .unwrap_or(0),
    }
}
