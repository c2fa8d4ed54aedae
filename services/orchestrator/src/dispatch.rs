//! Releasing an operation's devices: the canary, the waves, the failure brake and the
//! concurrency caps (docs/rollout.md).
//!
//! An accepted operation's plan lists its devices in release order, cut into waves
//! ([`rotor_inventory::rollout::ReleasePlan`]). The request path writes a **release record**
//! (`<operation>.dispatch` in the operations bucket, [`DispatchRecord`]) instead of publishing
//! jobs; from there one orchestrator copy, the **dispatcher** (the leader lease
//! `service.dispatcher`, `ROTOR_DISPATCH_LEASE_SECS`), releases devices: it publishes a device's
//! diff job while the fabric has fewer than its concurrency in flight (the rollout's
//! `concurrency`, else `ROTOR_FABRIC_CONCURRENCY`) and all operations together fewer than
//! `ROTOR_GLOBAL_CONCURRENCY`, handing free places round-robin between operations so one huge
//! fabric cannot starve the others. In flight is released minus done, done being the
//! aggregator's count of device results in the operation's status.
//!
//! The record says how far release went; jobs are published before the record moves past them
//! and job message ids are per (operation, device), so a dispatcher that dies mid-way neither
//! loses nor doubles a release: the next leader (taking over once the lease lapses) publishes
//! the same jobs again, which the jobs stream drops.
//!
//! A wave starts once every device of the previous one is done within its failure limit (and
//! the pause between waves is over). When a wave or the operation exceeds its limit, or a
//! cancel was asked for, nothing more is released: every device not released gets a last event
//! whose outcome is `Halted` (or `Cancelled`) with error `NotAttempted`, devices at work finish,
//! and the aggregator ends the operation `Halted` (or `Cancelled`) and gives the fabric lock
//! back. [`resume`] continues a halted operation under a new fabric lock; [`cancel`] ends one.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use futures::StreamExt;
use rotor_bus::lease::{HeldLease, now_unix_ms};
use rotor_bus::names::{filters, keys};
use rotor_bus::{BusError, kv};
use rotor_inventory::rollout::ReleasePlan;
use rotor_pipeline::fanout;
use rotor_pipeline::records::{DeviceRecord, OperationPlan, load_devices, load_fabric, load_plan};
use rotor_proto::v1::{
    DeviceOutcome, DeviceResult, Error, ErrorCode, OperationState, OperationStatus, RolloutEvent,
    RolloutEventKind, RolloutProgress, Stage, StageEvent, WaveProgress, stage_event::Status,
};
use rotor_runtime::CancellationToken;
use rotor_runtime::leadership::Leadership;
use rotor_runtime::settings::{SettingError, Settings};
use serde::{Deserialize, Serialize};

use crate::Orchestrator;

/// The dispatcher's settings.
#[derive(Clone, Debug)]
pub struct DispatchSettings {
    /// Most devices of one fabric in flight unless its rollout says otherwise
    /// (`ROTOR_FABRIC_CONCURRENCY`, default 100).
    pub fabric_concurrency: usize,
    /// Most devices in flight across every fabric (`ROTOR_GLOBAL_CONCURRENCY`, default 1000).
    pub global_concurrency: usize,
    /// The dispatcher's leader lease; another copy takes over this long after the leader died
    /// (`ROTOR_DISPATCH_LEASE_SECS`, default 10).
    pub lease: Duration,
}

impl DispatchSettings {
    /// Reads the three settings; a bad value names its setting.
    pub fn from_settings(settings: &Settings) -> Result<DispatchSettings, SettingError> {
        let lease = settings.lease("ROTOR_DISPATCH_LEASE_SECS", Duration::from_secs(10))?;
        Ok(DispatchSettings {
            fabric_concurrency: settings.number("ROTOR_FABRIC_CONCURRENCY", 1000, 1..=100_000)?
                as usize,
            global_concurrency: settings.number("ROTOR_GLOBAL_CONCURRENCY", 1000, 1..=1_000_000)?
                as usize,
            lease,
        })
    }
}

/// Where the release of an operation's devices stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DispatchState {
    /// Devices are released as places free up.
    Releasing,
    /// The brake or a cancel stopped the release; the devices not released are being reported
    /// `NotAttempted`.
    Stopping,
    /// Every device not released was reported; the aggregator ends the operation.
    Stopped,
    /// The operation ended; nothing more to do.
    Done,
}

/// When one wave started and ended, and how many of its devices failed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WaveTimes {
    /// When its first device was released (RFC 3339), once it was.
    pub start: String,
    /// When its last device was done (RFC 3339), once it was.
    pub end: String,
    /// How many of its devices failed.
    pub failed: u32,
}

/// The release record of one operation (`<operation>.dispatch`, JSON).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DispatchRecord {
    /// Incremented by each resume (the `NotAttempted` events of each stop are distinct).
    pub epoch: u32,
    /// Where the release stands.
    pub state: DispatchState,
    /// How many devices of the release order have their diff job published.
    pub released: usize,
    /// The wave being released or run (0-based).
    pub wave: usize,
    /// Per wave, its times and failures.
    pub waves: Vec<WaveTimes>,
    /// The operation's failed devices when the current wave started (or at the last resume).
    pub failed_at_wave_start: u32,
    /// Failures from before the last resume, which the overall limit no longer counts.
    pub excused_failures: u32,
    /// No device is released before this (the pause between waves).
    pub pause_until_unix_ms: i64,
    /// Why the release stopped: the brake's reason (naming the failures) or the cancel.
    pub stop_reason: String,
    /// A cancel was asked for (by `cancelled_by`).
    pub cancel: bool,
    /// Who asked for the cancel.
    pub cancelled_by: String,
}

impl DispatchRecord {
    fn new(waves: usize) -> DispatchRecord {
        DispatchRecord {
            epoch: 0,
            state: DispatchState::Releasing,
            released: 0,
            wave: 0,
            waves: vec![WaveTimes::default(); waves],
            failed_at_wave_start: 0,
            excused_failures: 0,
            pause_until_unix_ms: 0,
            stop_reason: String::new(),
            cancel: false,
            cancelled_by: String::new(),
        }
    }
}

/// One wave as positions in the release order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WaveBound {
    /// `canary`, `Leaf 1/3`, `all`.
    pub name: String,
    /// Its first position in the release order.
    pub start: usize,
    /// One past its last position.
    pub end: usize,
    /// The most of its devices that may fail.
    pub max_failures: Option<u32>,
}

/// The release plan of `plan` (one wave of every device for plans without one).
pub fn release_plan(plan: &OperationPlan) -> ReleasePlan {
    plan.release
        .clone()
        .unwrap_or_else(|| rotor_inventory::rollout::ReleasePlan {
            waves: vec![rotor_inventory::rollout::Wave {
                name: "all".into(),
                device_ids: plan.device_ids.clone(),
                max_failures: None,
            }],
            ..Default::default()
        })
}

/// The devices in release order and the waves as ranges of it.
pub fn release_order(release: &ReleasePlan) -> (Vec<String>, Vec<WaveBound>) {
    let mut order = Vec::new();
    let mut bounds = Vec::new();
    for wave in &release.waves {
        let start = order.len();
        order.extend(wave.device_ids.iter().cloned());
        bounds.push(WaveBound {
            name: wave.name.clone(),
            start,
            end: order.len(),
            max_failures: wave.max_failures,
        });
    }
    (order, bounds)
}

/// Hands an accepted operation to the dispatcher: writes its release record unless it has one
/// (recovery may call this again for the same operation).
pub async fn start(orchestrator: &Orchestrator, plan: &OperationPlan) -> Result<(), BusError> {
    let waves = release_plan(plan).waves.len();
    kv::compare_and_set_json(
        &orchestrator.topology.operations,
        &keys::operation_dispatch(&plan.operation_id),
        &DispatchRecord::new(waves),
        0,
    )
    .await?;
    Ok(())
}

/// Reads an operation's release record.
pub async fn load_record(
    orchestrator: &Orchestrator,
    operation_id: &str,
) -> Result<Option<kv::Versioned<DispatchRecord>>, BusError> {
    kv::get_json(
        &orchestrator.topology.operations,
        &keys::operation_dispatch(operation_id),
    )
    .await
}

/// What `ShowOperation` says of the release: waves, the current one, devices in flight.
pub fn progress(
    plan: &OperationPlan,
    record: &DispatchRecord,
    status: &OperationStatus,
) -> RolloutProgress {
    let (_, bounds) = release_order(&release_plan(plan));
    let done = (status.succeeded_devices + status.failed_devices) as usize;
    let current = record.wave.min(bounds.len().saturating_sub(1));
    RolloutProgress {
        current_wave: current as u32 + 1,
        wave_count: bounds.len() as u32,
        current_wave_name: bounds
            .get(current)
            .map(|b| b.name.clone())
            .unwrap_or_default(),
        released_devices: record.released as u32,
        in_flight_devices: record.released.saturating_sub(done) as u32,
        pause_until: if record.pause_until_unix_ms > now_unix_ms() {
            rotor_bus::format_unix_ms(record.pause_until_unix_ms)
        } else {
            String::new()
        },
        waves: bounds
            .iter()
            .enumerate()
            .map(|(index, bound)| {
                let times = record.waves.get(index).cloned().unwrap_or_default();
                WaveProgress {
                    name: bound.name.clone(),
                    devices: (bound.end - bound.start) as u32,
                    failed: times.failed,
                    start_time: times.start,
                    end_time: times.end,
                }
            })
            .collect(),
        halt_reason: record.stop_reason.clone(),
    }
}

/// Whether a device of the plan was released (its diff job published).
pub fn released_devices(plan: &OperationPlan, record: &DispatchRecord) -> Vec<String> {
    let (order, _) = release_order(&release_plan(plan));
    order.into_iter().take(record.released).collect()
}

/// Runs the dispatcher, leading or standing by, until `shutdown`.
pub async fn run(orchestrator: Orchestrator, shutdown: CancellationToken) {
    let settings = orchestrator.config.dispatch.clone();
    let leadership = Leadership {
        leases: &orchestrator.topology.leases,
        role: "dispatcher",
        instance: &orchestrator.config.common.instance,
        purpose: "release operations' devices",
        lease: settings.lease,
    };
    while let Some(leader) = leadership.acquire(&shutdown).await {
        let mut dispatcher = Dispatcher {
            orchestrator: orchestrator.clone(),
            settings: settings.clone(),
            active: BTreeMap::new(),
            turn: 0,
        };
        let result = dispatcher.lead(&leader, &shutdown).await;
        leadership.step_down(leader, result, &shutdown).await;
    }
}

/// An operation the dispatcher follows.
struct Active {
    plan: OperationPlan,
    order: Vec<String>,
    bounds: Vec<WaveBound>,
    max_failures: Option<u32>,
    pause: Duration,
    concurrency: usize,
    devices: HashMap<String, DeviceRecord>,
    record: DispatchRecord,
    revision: u64,
}

struct Dispatcher {
    orchestrator: Orchestrator,
    settings: DispatchSettings,
    active: BTreeMap<String, Active>,
    /// Where the round-robin hand-out of free places starts next.
    turn: usize,
}

impl Dispatcher {
    async fn lead(
        &mut self,
        leader: &HeldLease,
        shutdown: &CancellationToken,
    ) -> Result<(), BusError> {
        let topology = self.orchestrator.topology.clone();
        let mut records = topology
            .operations
            .watch_with_history(filters::operation_dispatches().as_str())
            .await
            .map_err(|e| BusError::JetStream {
                what: "watch release records".into(),
                reason: e.to_string(),
            })?;
        let mut ticker = tokio::time::interval(Duration::from_millis(200));
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                biased;
                _ = shutdown.cancelled() => return Ok(()),
                _ = leader.lost() => {
                    tracing::warn!("lost the dispatch lease");
                    return Ok(());
                }
                entry = records.next() => {
                    match entry {
                        Some(Ok(entry)) => self.notice(&entry.key, &entry.value, entry.revision).await?,
                        Some(Err(error)) => tracing::warn!(%error, "watching release records failed"),
                        None => return Ok(()),
                    }
                }
                _ = ticker.tick() => {
                    if leader.is_held() {
                        self.step().await?;
                    }
                }
            }
        }
    }

    /// A release record was written (by this copy, a request, a resume or a cancel).
    async fn notice(&mut self, key: &str, value: &[u8], revision: u64) -> Result<(), BusError> {
        let Some(operation_id) = keys::parse_operation_dispatch(key) else {
            return Ok(());
        };
        let Ok(record) = serde_json::from_slice::<DispatchRecord>(value) else {
            return Ok(());
        };
        if let Some(active) = self.active.get_mut(operation_id) {
            if revision > active.revision {
                let reload = record.epoch != active.record.epoch;
                active.record = record;
                active.revision = revision;
                if reload {
                    self.active.remove(operation_id);
                    self.follow(operation_id).await?;
                }
            }
            return Ok(());
        }
        if matches!(
            record.state,
            DispatchState::Releasing | DispatchState::Stopping
        ) {
            self.follow(operation_id).await?;
        }
        Ok(())
    }

    /// Starts following an operation: its plan, its devices, its record as stored now.
    async fn follow(&mut self, operation_id: &str) -> Result<(), BusError> {
        let topology = &self.orchestrator.topology;
        let Some(stored) = load_record(&self.orchestrator, operation_id).await? else {
            return Ok(());
        };
        let Some(plan) = load_plan(&topology.operations, operation_id).await? else {
            tracing::warn!(
                operation = operation_id,
                "a release record without a plan is ignored"
            );
            return Ok(());
        };
        let devices = match load_fabric(topology, &plan.fabric_id).await? {
            Some(fabric) => load_devices(topology, &fabric).await?,
            None => Vec::new(),
        };
        let release = release_plan(&plan);
        let (order, bounds) = release_order(&release);
        let active = Active {
            devices: devices
                .into_iter()
                .map(|d| (d.device.id.clone(), d))
                .collect(),
            order,
            bounds,
            max_failures: release.max_failures,
            pause: Duration::from_secs(u64::from(release.pause_secs)),
            concurrency: release
                .concurrency
                .map_or(self.settings.fabric_concurrency, |c| c as usize),
            plan,
            record: stored.value,
            revision: stored.revision,
        };
        self.active.insert(operation_id.to_string(), active);
        Ok(())
    }

    /// One round: every followed operation's progress, then free places handed out.
    async fn step(&mut self) -> Result<(), BusError> {
        let ids: Vec<String> = self.active.keys().cloned().collect();
        let mut wants: Vec<(String, usize)> = Vec::new();
        let mut in_flight_by_fabric: HashMap<String, usize> = HashMap::new();
        let mut in_flight_total = 0;
        let mut statuses = HashMap::new();
        for id in &ids {
            let status = kv::get_message::<OperationStatus>(
                &self.orchestrator.topology.operations,
                &keys::operation(id),
            )
            .await?
            .map(|s| s.value);
            let Some(status) = status else { continue };
            let active = self.active.get(id).expect("listed above");
            let done = (status.succeeded_devices + status.failed_devices) as usize;
            let in_flight = active.record.released.saturating_sub(done);
            *in_flight_by_fabric
                .entry(active.plan.fabric_id.clone())
                .or_default() += in_flight;
            in_flight_total += in_flight;
            statuses.insert(id.clone(), status);
        }
        for id in &ids {
            let Some(status) = statuses.get(id) else {
                continue;
            };
            if let Some(want) = self.advance(id, status).await? {
                let active = &self.active[id];
                let fabric_in_flight = in_flight_by_fabric
                    .get(&active.plan.fabric_id)
                    .copied()
                    .unwrap_or(0);
                let room = active.concurrency.saturating_sub(fabric_in_flight);
                let want = want.min(room);
                *in_flight_by_fabric
                    .entry(active.plan.fabric_id.clone())
                    .or_default() += want;
                if want > 0 {
                    wants.push((id.clone(), want));
                }
            }
        }
        // Free places across every fabric, one at a time in turn.
        let budget = self
            .settings
            .global_concurrency
            .saturating_sub(in_flight_total);
        let counts: Vec<usize> = wants.iter().map(|(_, want)| *want).collect();
        let grants = share_places(&counts, budget, self.turn);
        self.turn = self.turn.wrapping_add(1);
        for ((id, _), count) in wants.into_iter().zip(grants) {
            if count > 0 {
                self.release(&id, count).await?;
            }
        }
        Ok(())
    }

    /// Moves one operation on (wave ends, the brake, a cancel, its end); how many devices it
    /// could release now, before the caps.
    async fn advance(
        &mut self,
        id: &str,
        status: &OperationStatus,
    ) -> Result<Option<usize>, BusError> {
        let running = matches!(
            OperationState::try_from(status.status),
            Ok(OperationState::Accepted | OperationState::InProgress)
        );
        let active = self.active.get_mut(id).expect("followed");
        let now = now_unix_ms();
        match active.record.state {
            DispatchState::Stopped | DispatchState::Done => {
                self.active.remove(id);
                return Ok(None);
            }
            DispatchState::Stopping => {
                self.stop(id).await?;
                return Ok(None);
            }
            DispatchState::Releasing => {}
        }
        if !running {
            // Ended by the aggregator (every device done, or the operation timed out).
            let wave = active.record.wave;
            if let Some(times) = active.record.waves.get_mut(wave)
                && times.end.is_empty()
                && !times.start.is_empty()
            {
                times.end = rotor_bus::now_rfc3339();
                let event = rollout_event(active, RolloutEventKind::WaveEnded, String::new());
                self.orchestrator.bus.publish_rollout_event(&event).await?;
            }
            active.record.state = DispatchState::Done;
            self.save(id).await?;
            self.active.remove(id);
            return Ok(None);
        }
        if active.record.cancel {
            active.record.state = DispatchState::Stopping;
            active.record.stop_reason = format!(
                "operation cancelled by {}; the device was not released",
                active.record.cancelled_by
            );
            self.save(id).await?;
            self.stop(id).await?;
            return Ok(None);
        }
        let done = (status.succeeded_devices + status.failed_devices) as usize;
        let failed = status.failed_devices;
        let wave = active.record.wave;
        let Some(bound) = active.bounds.get(wave).cloned() else {
            return Ok(None);
        };
        let wave_failed = failed.saturating_sub(active.record.failed_at_wave_start);
        let overall_failed = failed.saturating_sub(active.record.excused_failures);
        if let Some(times) = active.record.waves.get_mut(wave)
            && times.failed != wave_failed
        {
            times.failed = wave_failed;
        }
        let over_wave = bound.max_failures.filter(|max| wave_failed > *max);
        let over_all = active.max_failures.filter(|max| overall_failed > *max);
        if (over_wave.is_some() || over_all.is_some())
            && active.record.released < active.order.len()
        {
            let failures = self.failures(id).await?;
            let active = self.active.get_mut(id).expect("followed");
            let limit = match (over_wave, over_all) {
                (Some(max), _) => format!(
                    "{wave_failed} of {} devices failed, more than its limit of {max}",
                    bound.end - bound.start
                ),
                (None, Some(max)) => format!(
                    "{overall_failed} devices of the operation failed, more than its limit of {max}"
                ),
                (None, None) => unreachable!("one limit is exceeded"),
            };
            active.record.state = DispatchState::Stopping;
            active.record.stop_reason = format!(
                "the failure brake halted the operation in wave {}/{} ({}): {limit} ({failures})",
                wave + 1,
                active.bounds.len(),
                bound.name
            );
            tracing::warn!(operation = id, reason = %active.record.stop_reason, "operation halted");
            self.save(id).await?;
            self.stop(id).await?;
            return Ok(None);
        }
        if active.record.released < bound.end {
            if now < active.record.pause_until_unix_ms {
                return Ok(None);
            }
            return Ok(Some(bound.end - active.record.released));
        }
        if done < bound.end {
            return Ok(None);
        }
        // The wave is over, within its limit.
        if let Some(times) = active.record.waves.get_mut(wave)
            && times.end.is_empty()
        {
            times.end = rotor_bus::now_rfc3339();
            tracing::info!(operation = id, wave = %bound.name, failed = wave_failed, "wave ended");
            let event = rollout_event(active, RolloutEventKind::WaveEnded, String::new());
            self.orchestrator.bus.publish_rollout_event(&event).await?;
        }
        if wave + 1 < active.bounds.len() {
            active.record.wave = wave + 1;
            active.record.failed_at_wave_start = failed;
            active.record.pause_until_unix_ms = now + active.pause.as_millis() as i64;
            self.save(id).await?;
        }
        Ok(None)
    }

    /// The operation's failed devices with their codes, for the brake's message.
    async fn failures(&self, id: &str) -> Result<String, BusError> {
        let mut failed: Vec<(String, String)> = kv::scan_messages::<DeviceResult>(
            &self.orchestrator.topology.operation_results,
            &filters::results_of(id),
        )
        .await?
        .into_iter()
        .filter(|(_, r)| r.status == OperationState::Failed as i32)
        .map(|(_, r)| {
            let code = r
                .error
                .and_then(|e| ErrorCode::try_from(e.code).ok())
                .unwrap_or(ErrorCode::Unspecified);
            (r.resource_id, code.as_str_name().to_string())
        })
        .collect();
        failed.sort();
        let more = failed.len().saturating_sub(10);
        let mut listed: Vec<String> = failed
            .into_iter()
            .take(10)
            .map(|(device, code)| format!("{device}: {code}"))
            .collect();
        if more > 0 {
            listed.push(format!("{more} more"));
        }
        Ok(listed.join(", "))
    }

    /// Publishes the next `count` devices' diff jobs, then moves the record past them.
    async fn release(&mut self, id: &str, count: usize) -> Result<(), BusError> {
        let active = self.active.get_mut(id).expect("followed");
        let from = active.record.released;
        let to = (from + count).min(active.order.len());
        let records: Vec<DeviceRecord> = active.order[from..to]
            .iter()
            .filter_map(|device| active.devices.get(device).cloned())
            .collect();
        if records.len() < to - from {
            tracing::warn!(
                operation = id,
                "devices of the plan left the inventory; they are not released"
            );
        }
        fanout::publish_jobs(
            &self.orchestrator.bus,
            &active.plan,
            &records,
            &self.orchestrator.config.common.bao_address,
        )
        .await?;
        let wave = active.record.wave;
        if let Some(times) = active.record.waves.get_mut(wave)
            && times.start.is_empty()
        {
            times.start = rotor_bus::now_rfc3339();
            let name = active
                .bounds
                .get(wave)
                .map(|b| b.name.clone())
                .unwrap_or_default();
            tracing::info!(operation = id, wave = %name, "wave started");
            let event = rollout_event(active, RolloutEventKind::WaveStarted, String::new());
            self.orchestrator.bus.publish_rollout_event(&event).await?;
        }
        active.record.released = to;
        self.save(id).await
    }

    /// Reports every device not released `NotAttempted` (outcome `Halted` or `Cancelled`), then
    /// marks the release stopped.
    async fn stop(&mut self, id: &str) -> Result<(), BusError> {
        let active = self.active.get(id).expect("followed");
        let ended = if active.record.cancel {
            OperationState::Cancelled
        } else {
            OperationState::Halted
        };
        let error = Error {
            code: ErrorCode::NotAttempted as i32,
            message: active.record.stop_reason.clone(),
        };
        let events: Vec<StageEvent> = active.order[active.record.released..]
            .iter()
            .map(|device| StageEvent {
                event_id: format!(
                    "{}.{device}.not_attempted.{}",
                    active.plan.operation_id, active.record.epoch
                ),
                operation_id: active.plan.operation_id.clone(),
                fabric_id: active.plan.fabric_id.clone(),
                device_id: device.clone(),
                stage: Stage::PerformBackup as i32,
                status: Status::Skipped as i32,
                display: format!("Not attempted: {}", active.record.stop_reason),
                error: Some(error.clone()),
                time: rotor_bus::now_rfc3339(),
                worker: self.orchestrator.config.common.instance.clone(),
                kind: active.plan.kind,
                outcome: Some(DeviceOutcome {
                    status: ended as i32,
                    error: Some(error.clone()),
                    held: Vec::new(),
                    applied: false,
                    verdict: 0,
                }),
                ..Default::default()
            })
            .collect();
        let bus = &self.orchestrator.bus;
        for chunk in events.chunks(256) {
            futures::future::try_join_all(chunk.iter().map(|event| bus.publish_event(event)))
                .await?;
        }
        let stopped = match ended {
            OperationState::Cancelled => RolloutEventKind::WaveCancelled,
            _ => RolloutEventKind::WaveHalted,
        };
        bus.publish_rollout_event(&rollout_event(
            active,
            stopped,
            active.record.stop_reason.clone(),
        ))
        .await?;
        let active = self.active.get_mut(id).expect("followed");
        tracing::info!(operation = id, not_attempted = events.len(), state = ?ended, "release stopped");
        active.record.state = DispatchState::Stopped;
        self.save(id).await?;
        self.active.remove(id);
        Ok(())
    }

    /// Writes the record at the revision this copy knows; a cancel written meanwhile is kept.
    async fn save(&mut self, id: &str) -> Result<(), BusError> {
        let operations = self.orchestrator.topology.operations.clone();
        let key = keys::operation_dispatch(id);
        let active = self.active.get_mut(id).expect("followed");
        loop {
            if let Some(revision) =
                kv::compare_and_set_json(&operations, &key, &active.record, active.revision).await?
            {
                active.revision = revision;
                return Ok(());
            }
            let Some(stored) = kv::get_json::<DispatchRecord>(&operations, &key).await? else {
                return Ok(());
            };
            if stored.value.cancel && !active.record.cancel {
                active.record.cancel = true;
                active.record.cancelled_by = stored.value.cancelled_by;
            }
            active.revision = stored.revision;
        }
    }
}

/// Hands `budget` free places out to operations wanting `wants` each: one at a time in turn,
/// starting at `turn` (the caller moves it on each round), so a small operation beside a huge
/// one gets as many places as it wants up to an equal share, and the first place of a scarce
/// round goes to each operation in turn.
fn share_places(wants: &[usize], mut budget: usize, turn: usize) -> Vec<usize> {
    let mut grants = vec![0usize; wants.len()];
    if wants.is_empty() {
        return grants;
    }
    let start = turn % wants.len();
    let mut progressed = true;
    while budget > 0 && progressed {
        progressed = false;
        for offset in 0..wants.len() {
            let index = (start + offset) % wants.len();
            if budget > 0 && grants[index] < wants[index] {
                grants[index] += 1;
                budget -= 1;
                progressed = true;
            }
        }
    }
    grants
}

/// The rollout event of `active`'s current wave: its id is one per (operation, wave, kind,
/// resume), so a dispatcher that takes over and says it again is not heard twice.
fn rollout_event(active: &Active, event: RolloutEventKind, message: String) -> RolloutEvent {
    let wave = active.record.wave;
    let bound = active.bounds.get(wave);
    RolloutEvent {
        event_id: format!(
            "{}.wave.{}.{}.{}",
            active.plan.operation_id,
            wave + 1,
            event.as_str_name(),
            active.record.epoch
        ),
        operation_id: active.plan.operation_id.clone(),
        fabric_id: active.plan.fabric_id.clone(),
        event: event as i32,
        wave: wave as u32 + 1,
        wave_count: active.bounds.len() as u32,
        wave_name: bound.map(|b| b.name.clone()).unwrap_or_default(),
        devices: bound.map_or(0, |b| (b.end - b.start) as u32),
        failed: active.record.waves.get(wave).map_or(0, |t| t.failed),
        time: rotor_bus::now_rfc3339(),
        message,
        kind: active.plan.kind,
    }
}

/// Why a resume or a cancel was refused.
#[derive(Debug)]
pub enum Refusal {
    /// No such operation (or fabric, device, schedule: the message names it).
    NotFound(String),
    /// Not in a state that allows it (the message says which and what to do).
    NotAllowed(String),
    /// The request is malformed (the message says what to fix).
    Invalid(String),
    /// The bus failed.
    Bus(BusError),
}

impl From<BusError> for Refusal {
    fn from(error: BusError) -> Refusal {
        Refusal::Bus(error)
    }
}

async fn load_status(
    orchestrator: &Orchestrator,
    operation_id: &str,
) -> Result<OperationStatus, Refusal> {
    kv::get_message::<OperationStatus>(
        &orchestrator.topology.operations,
        &keys::operation(operation_id),
    )
    .await?
    .map(|s| s.value)
    .ok_or_else(|| Refusal::NotFound(format!("operation {operation_id} does not exist")))
}

/// The fabric an operation runs on (for the caller's role check), if it exists.
pub async fn fabric_of(orchestrator: &Orchestrator, operation_id: &str) -> Result<String, Refusal> {
    Ok(load_status(orchestrator, operation_id).await?.fabric_id)
}

/// Continues a `Halted` operation: takes the fabric lock again (under the plan's lease id, so
/// the jobs' fence is unchanged), removes
/// the `NotAttempted` results and sets the operation running; the dispatcher then releases the
/// devices that were not attempted. Failures from before count against no limit any more.
pub async fn resume(
    orchestrator: &Orchestrator,
    operation_id: &str,
) -> Result<OperationStatus, Refusal> {
    let topology = &orchestrator.topology;
    let mut status = load_status(orchestrator, operation_id).await?;
    if status.status != OperationState::Halted as i32 {
        return Err(Refusal::NotAllowed(format!(
            "operation {operation_id} is {}, not Halted; only a halted operation can be resumed",
            OperationState::try_from(status.status).map_or("unknown", |s| s.as_str_name())
        )));
    }
    let plan = load_plan(&topology.operations, operation_id)
        .await?
        .ok_or_else(|| Refusal::NotFound(format!("operation {operation_id} has no plan")))?;
    let Some(stored) = load_record(orchestrator, operation_id).await? else {
        return Err(Refusal::NotAllowed(format!(
            "operation {operation_id} has no release record"
        )));
    };
    let lock = crate::requests::retake_fabric_lock(orchestrator, &plan)
        .await
        .map_err(|reply| Refusal::NotAllowed(crate::requests::reply_message(&reply)))?;
    let result = async {
        let unreleased: Vec<String> = release_order(&release_plan(&plan))
            .0
            .into_iter()
            .skip(stored.value.released)
            .collect();
        for device in &unreleased {
            topology
                .operation_results
                .purge(keys::device_result(operation_id, device))
                .await
                .map_err(|e| BusError::JetStream {
                    what: format!("remove the NotAttempted result of {device}"),
                    reason: e.to_string(),
                })?;
        }
        status.status = OperationState::InProgress as i32;
        status.end_time.clear();
        status.error = None;
        status.not_attempted_devices = 0;
        status.percent_complete = ((status.succeeded_devices + status.failed_devices) * 100)
            .checked_div(status.total_devices)
            .unwrap_or(100);
        kv::put_message(
            &topology.operations,
            &keys::operation(operation_id),
            &status,
        )
        .await?;
        let mut record = stored.value.clone();
        record.epoch += 1;
        record.state = DispatchState::Releasing;
        record.stop_reason.clear();
        record.excused_failures = status.failed_devices;
        record.failed_at_wave_start = status.failed_devices;
        record.pause_until_unix_ms = 0;
        kv::put_json(
            &topology.operations,
            &keys::operation_dispatch(operation_id),
            &record,
        )
        .await?;
        Ok::<(), BusError>(())
    }
    .await;
    match result {
        Ok(()) => {
            tracing::info!(operation = operation_id, "operation resumed");
            Ok(status)
        }
        Err(error) => {
            let _ = rotor_bus::lease::release(
                &topology.leases,
                &keys::fabric_lock(&plan.fabric_id),
                &lock.lease_id,
            )
            .await;
            Err(Refusal::Bus(error))
        }
    }
}

/// Ends an operation: a running one stops releasing (devices at work finish their stage, the
/// rest are `NotAttempted`, the aggregator ends it `Cancelled`); a halted one ends `Cancelled`
/// at once.
pub async fn cancel(
    orchestrator: &Orchestrator,
    operation_id: &str,
    by: &str,
) -> Result<OperationStatus, Refusal> {
    let topology = &orchestrator.topology;
    let mut status = load_status(orchestrator, operation_id).await?;
    let state = OperationState::try_from(status.status).unwrap_or(OperationState::Unspecified);
    match state {
        OperationState::Halted => {
            status.status = OperationState::Cancelled as i32;
            status.end_time = rotor_bus::now_rfc3339();
            status.error = Some(Error {
                code: status
                    .error
                    .as_ref()
                    .map_or(ErrorCode::NotAttempted as i32, |e| e.code),
                message: format!(
                    "cancelled by {by} while halted; {} devices were not attempted",
                    status.not_attempted_devices
                ),
            });
            kv::put_message(
                &topology.operations,
                &keys::operation(operation_id),
                &status,
            )
            .await?;
            kv::update_json::<DispatchRecord, _>(
                &topology.operations,
                &keys::operation_dispatch(operation_id),
                |record| {
                    record.map(|mut record| {
                        record.state = DispatchState::Done;
                        record.cancel = true;
                        record.cancelled_by = by.to_string();
                        record
                    })
                },
            )
            .await?;
            if let Some(plan) = load_plan(&topology.operations, operation_id).await? {
                orchestrator.audit.record(plan.end_record(&status));
            }
            Ok(status)
        }
        OperationState::Accepted | OperationState::InProgress => {
            let written = kv::update_json::<DispatchRecord, _>(
                &topology.operations,
                &keys::operation_dispatch(operation_id),
                |record| {
                    record.map(|mut record| {
                        record.cancel = true;
                        record.cancelled_by = by.to_string();
                        record
                    })
                },
            )
            .await?;
            if written.is_none() {
                return Err(Refusal::NotAllowed(format!(
                    "operation {operation_id} has no release record yet; retry in a moment"
                )));
            }
            tracing::info!(operation = operation_id, %by, "operation cancel asked for");
            Ok(status)
        }
        other => Err(Refusal::NotAllowed(format!(
            "operation {operation_id} already ended ({}); there is nothing to cancel",
            other.as_str_name()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rotor_inventory::rollout::Wave;

    #[test]
    fn the_release_order_follows_the_waves() {
        let release = ReleasePlan {
            waves: vec![
                Wave {
                    name: "canary".into(),
                    device_ids: vec!["a".into()],
                    max_failures: Some(0),
                },
                Wave {
                    name: "Leaf 1/1".into(),
                    device_ids: vec!["b".into(), "c".into()],
                    max_failures: None,
                },
            ],
            ..Default::default()
        };
        let (order, bounds) = release_order(&release);
        assert_eq!(order, ["a", "b", "c"]);
        assert_eq!((bounds[0].start, bounds[0].end), (0, 1));
        assert_eq!((bounds[1].start, bounds[1].end), (1, 3));
    }

    #[test]
    fn free_places_are_shared_fairly_between_operations() {
        // A 20-device fabric beside a 10,000-device one: it gets all it wants, the rest goes to
        // the big one, within the global budget.
        assert_eq!(share_places(&[10_000, 20], 100, 0), vec![80, 20]);
        assert_eq!(share_places(&[10_000, 20], 100, 1), vec![80, 20]);
        // Scarce places: equal shares, whoever comes first.
        assert_eq!(share_places(&[50, 50, 50], 9, 0), vec![3, 3, 3]);
        assert_eq!(share_places(&[50, 50, 50], 10, 2), vec![3, 3, 4]);
        // One place a round goes to each operation in turn.
        let firsts: Vec<Vec<usize>> = (0..3)
            .map(|turn| share_places(&[5, 5, 5], 1, turn))
            .collect();
        assert_eq!(firsts, vec![vec![1, 0, 0], vec![0, 1, 0], vec![0, 0, 1]]);
        // Never more than wanted or than the budget.
        assert_eq!(share_places(&[2, 3], 100, 0), vec![2, 3]);
        assert_eq!(share_places(&[], 100, 7), Vec::<usize>::new());
        assert_eq!(share_places(&[4, 4], 0, 0), vec![0, 0]);
    }

    #[test]
    fn settings_have_safe_defaults_and_refuse_nonsense() {
        let defaults =
            DispatchSettings::from_settings(&Settings::from_pairs(Vec::<(&str, &str)>::new()))
                .unwrap();
        assert_eq!(defaults.fabric_concurrency, 1000);
        assert_eq!(defaults.global_concurrency, 1000);
        for (name, value) in [
            ("ROTOR_FABRIC_CONCURRENCY", "0"),
            ("ROTOR_GLOBAL_CONCURRENCY", "lots"),
            ("ROTOR_DISPATCH_LEASE_SECS", "0"),
        ] {
            let error = DispatchSettings::from_settings(&Settings::from_pairs([(name, value)]))
                .unwrap_err();
            assert_eq!(error.name, name);
        }
    }
}
