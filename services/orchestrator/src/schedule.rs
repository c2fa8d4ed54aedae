//! Rotation schedules (docs/rollout.md#schedules): each fabric's schedule, the calls that set,
//! show, pause, resume and delete it, and the **scheduler**, one orchestrator copy under the
//! leader lease `service.scheduler` (like the dispatcher) that starts the runs.
//!
//! A schedule (`rotor_inventory::schedule::ScheduleSpec`: a period or a calendar expression,
//! maintenance windows in a time zone, what to run) is stored with the scheduler's progress on
//! it in `rotor_schedules` (key: the fabric; [`ScheduleRecord`]). Every tick
//! (`ROTOR_SCHEDULE_TICK_MS`) the leader reads the time from its [`Clock`] and asks the pure
//! `decide` what each schedule that is not paused needs:
//! - windows that passed while a run was due, with no attempt in them (the scheduler was down),
//!   are **missed**: counted, kept (the last ten), logged and audited (`ScheduleMissed`);
//! - a due run inside a window is **started**: a request like an operator's, by
//!   `rotor:scheduler`, through the same guardrails (fabric-wide runs leave quarantined devices
//!   out). Accepted: the operation is recorded and the next run is due a period after this
//!   start (or at the calendar's next time). Refused by a guardrail (the fabric locked, too many
//!   password sets, an upgrade): recorded with its error and tried again at the next window,
//!   not before. Both are audited (`ScheduledRun`).
//!
//! The request id of a run is `schedule-<due>-<window start>`: a leader that dies between the
//! request and the record's update is followed by one that sends the same request again and
//! gets the first answer back, never a second operation.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::Duration;

use rotor_bus::lease::{HeldLease, now_unix_ms};
use rotor_bus::names::{filters, keys};
use rotor_bus::{BusError, format_unix_ms, kv};
use rotor_inventory::schedule::{self, Decision, Progress, ScheduleSpec, ScheduledRun, Trigger};
use rotor_proto::v1::rotation_reply::Outcome;
use rotor_proto::v1::{
    Error, RotationKind, RotationRequest, Schedule, ScheduleWindow, ScheduledRun as RunMessage,
};
use rotor_runtime::CancellationToken;
use rotor_runtime::leadership::Leadership;
use rotor_runtime::settings::{SettingError, Settings};
use serde::{Deserialize, Serialize};

use crate::Orchestrator;
use crate::dispatch::Refusal;
use crate::requests::Method;

/// Who a scheduled run is requested by (in its operation, its audit record and its logs).
pub const SCHEDULER_IDENTITY: &str = "rotor:scheduler";

/// How many missed windows a schedule keeps (the count goes on).
const KEPT_MISSED: usize = 10;

/// Where the scheduler reads the time. The system clock in a deployment; a test sets the time
/// by hand ([`Clock::manual`]) and knows from [`Clock::reads`] when the scheduler has looked.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    manual: Option<Arc<ManualTime>>,
}

#[derive(Debug)]
struct ManualTime {
    now_ms: AtomicI64,
    reads: AtomicU64,
}

impl Clock {
    /// The system clock.
    pub fn system() -> Clock {
        Clock::default()
    }

    /// A clock that says `now_ms` until [`Clock::set_ms`] changes it.
    pub fn manual(now_ms: i64) -> Clock {
        Clock {
            manual: Some(Arc::new(ManualTime {
                now_ms: AtomicI64::new(now_ms),
                reads: AtomicU64::new(0),
            })),
        }
    }

    /// The time now, Unix milliseconds.
    pub fn now_ms(&self) -> i64 {
        match &self.manual {
            Some(time) => time.now_ms.load(Ordering::SeqCst),
            None => now_unix_ms(),
        }
    }

    /// The time a tick of the scheduler works at (counted in [`Clock::reads`]).
    fn tick_ms(&self) -> i64 {
        if let Some(time) = &self.manual {
            time.reads.fetch_add(1, Ordering::SeqCst);
        }
        self.now_ms()
    }

    /// Sets a manual clock's time (a system clock ignores it).
    pub fn set_ms(&self, now_ms: i64) {
        if let Some(time) = &self.manual {
            time.now_ms.store(now_ms, Ordering::SeqCst);
        }
    }

    /// How many ticks of the scheduler read a manual clock (once per tick, before it looks at
    /// any schedule; other readers are not counted); 0 for the system clock.
    pub fn reads(&self) -> u64 {
        self.manual
            .as_ref()
            .map_or(0, |time| time.reads.load(Ordering::SeqCst))
    }
}

/// The scheduler's settings.
#[derive(Clone, Debug)]
pub struct ScheduleSettings {
    /// How often the leader looks at every schedule (`ROTOR_SCHEDULE_TICK_MS`, default 10 000):
    /// a run starts at most this late into its window.
    pub tick: Duration,
    /// The scheduler's leader lease (`ROTOR_SCHEDULER_LEASE_SECS`, default 10).
    pub lease: Duration,
    /// Where the time comes from (the system clock; tests set their own).
    pub clock: Clock,
}

impl ScheduleSettings {
    /// Reads the two settings; a bad value names its setting.
    pub fn from_settings(settings: &Settings) -> Result<ScheduleSettings, SettingError> {
        let lease = settings.lease("ROTOR_SCHEDULER_LEASE_SECS", Duration::from_secs(10))?;
        Ok(ScheduleSettings {
            tick: Duration::from_millis(settings.number(
                "ROTOR_SCHEDULE_TICK_MS",
                10_000,
                10..=3_600_000,
            )?),
            lease,
            clock: Clock::system(),
        })
    }
}

/// One run the scheduler started or had refused.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunRecord {
    /// When (Unix ms, the scheduler's clock).
    pub at_ms: i64,
    /// The operation it started (empty when refused).
    pub operation_id: String,
    /// The refusal's error code and message (absent when started).
    pub refused: Option<(String, String)>,
    /// The window it started or was refused in (start, end; Unix ms).
    pub window: (i64, i64),
}

/// A fabric's schedule as stored (`rotor_schedules`, key: the fabric; JSON).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScheduleRecord {
    /// What the operator set.
    pub spec: ScheduleSpec,
    /// The scheduler's memory: when the next run is due, a window refused in, what was reported.
    pub progress: Progress,
    /// No run starts while paused (windows passing meanwhile are not missed).
    pub paused: bool,
    /// Who paused it (empty when not paused).
    #[serde(default)]
    pub paused_by: String,
    /// Who set it, and when (Unix ms).
    pub set_by: String,
    /// When it was set (Unix ms).
    pub set_at_ms: i64,
    /// The last run started or refused.
    #[serde(default)]
    pub last_run: Option<RunRecord>,
    /// How many windows were missed in all.
    #[serde(default)]
    pub missed_count: u32,
    /// The most recent missed windows (start, end; Unix ms), newest last.
    #[serde(default)]
    pub missed: Vec<(i64, i64)>,
}

/// Reads the operator's fields of `message` into a spec, checked at `now_ms` (a calendar must
/// have a time in a window ahead); the error says what to fix.
pub fn spec_of(message: &Schedule, now_ms: i64) -> Result<ScheduleSpec, String> {
    let trigger = match (message.every.trim(), message.calendar.trim()) {
        ("", "") => {
            return Err(
                "a schedule needs a period (every, e.g. \"90d\") or a calendar expression (e.g. \"0 3 * * sat\")"
                    .into(),
            );
        }
        (every, "") => Trigger::parse_period(every).map_err(|e| format!("every: {e}"))?,
        ("", calendar) => {
            Trigger::parse_calendar(calendar).map_err(|e| format!("calendar: {e}"))?
        }
        _ => return Err("give a period (every) or a calendar expression, not both".into()),
    };
    let windows = message
        .windows
        .iter()
        .map(|text| schedule::Window::parse(text).map_err(|e| format!("windows: {e}")))
        .collect::<Result<Vec<_>, _>>()?;
    let run = match message.kind() {
        RotationKind::Unspecified | RotationKind::FabricRotatePassword => ScheduledRun::Rotate,
        RotationKind::FabricResyncPassword => ScheduledRun::Resync,
        other => {
            return Err(format!(
                "kind: a schedule runs FabricRotatePassword or FabricResyncPassword, not {}",
                other.as_str_name()
            ));
        }
    };
    let spec = ScheduleSpec {
        trigger,
        windows,
        time_zone: match message.time_zone.trim() {
            "" => "UTC".to_string(),
            zone => zone.to_string(),
        },
        run,
        users: message.users.clone(),
    };
    spec.validate_at(now_ms)?;
    Ok(spec)
}

/// The schedule as `ShowSchedule` answers it, the next run computed at `now_ms`.
pub fn message_of(fabric_id: &str, record: &ScheduleRecord, now_ms: i64) -> Schedule {
    let spec = &record.spec;
    let (every, calendar) = match &spec.trigger {
        Trigger::Every { seconds } => (schedule::format_period(*seconds), String::new()),
        Trigger::Calendar { expression } => (String::new(), expression.clone()),
    };
    let window = |(start, end): (i64, i64)| ScheduleWindow {
        start_time: format_unix_ms(start),
        end_time: format_unix_ms(end),
    };
    Schedule {
        fabric_id: fabric_id.to_string(),
        every,
        calendar,
        windows: spec.windows.iter().map(ToString::to_string).collect(),
        time_zone: spec.time_zone.clone(),
        kind: run_kind(spec.run) as i32,
        users: spec.users.clone(),
        paused: record.paused,
        set_by: record.set_by.clone(),
        set_time: format_unix_ms(record.set_at_ms),
        next_run_time: next_run(record, now_ms).map_or_else(String::new, format_unix_ms),
        due_time: format_unix_ms(record.progress.due_ms),
        last_run: record.last_run.as_ref().map(|run| RunMessage {
            time: format_unix_ms(run.at_ms),
            operation_id: run.operation_id.clone(),
            refused: run.refused.as_ref().map(|(code, message)| Error {
                code: rotor_proto::v1::ErrorCode::from_str_name(code).unwrap_or_default() as i32,
                message: message.clone(),
            }),
            window: Some(window(run.window)),
        }),
        missed_window_count: record.missed_count,
        missed_windows: record.missed.iter().copied().map(window).collect(),
        paused_by: record.paused_by.clone(),
    }
}

/// When the schedule's next run starts (None while paused or when none is to come).
pub fn next_run(record: &ScheduleRecord, now_ms: i64) -> Option<i64> {
    if record.paused {
        return None;
    }
    schedule::next_run(&record.spec, &record.progress, now_ms)
}

fn run_kind(run: ScheduledRun) -> RotationKind {
    match run {
        ScheduledRun::Rotate => RotationKind::FabricRotatePassword,
        ScheduledRun::Resync => RotationKind::FabricResyncPassword,
    }
}

/// A fabric's stored schedule.
pub async fn load(
    orchestrator: &Orchestrator,
    fabric_id: &str,
) -> Result<Option<ScheduleRecord>, BusError> {
    Ok(
        kv::get_json::<ScheduleRecord>(&orchestrator.topology.schedules, &keys::fabric(fabric_id))
            .await?
            .map(|stored| stored.value),
    )
}

/// Sets (or replaces) a fabric's schedule for `by`: its first run is due from now; a paused
/// schedule stays paused. Answers it as stored.
pub async fn set(
    orchestrator: &Orchestrator,
    fabric_id: &str,
    message: &Schedule,
    by: &str,
) -> Result<Schedule, Refusal> {
    exists(orchestrator, fabric_id).await?;
    let now_ms = orchestrator.config.schedule.clock.now_ms();
    let spec = spec_of(message, now_ms).map_err(Refusal::Invalid)?;
    let written = kv::update_json::<ScheduleRecord, _>(
        &orchestrator.topology.schedules,
        &keys::fabric(fabric_id),
        |current| {
            let (paused, paused_by) = current.map(|c| (c.paused, c.paused_by)).unwrap_or_default();
            Some(ScheduleRecord {
                progress: schedule::first_progress(&spec, now_ms),
                spec: spec.clone(),
                paused,
                paused_by,
                set_by: by.to_string(),
                set_at_ms: now_ms,
                last_run: None,
                missed_count: 0,
                missed: Vec::new(),
            })
        },
    )
    .await?
    .expect("a schedule is always written");
    tracing::info!(fabric = fabric_id, by, "schedule set");
    Ok(message_of(fabric_id, &written, now_ms))
}

/// Pauses (`pause`) or resumes a fabric's schedule for `by`. A resumed schedule's windows that
/// passed while it was paused are not missed: a run that came due meanwhile starts at the next
/// window.
pub async fn set_paused(
    orchestrator: &Orchestrator,
    fabric_id: &str,
    pause: bool,
    by: &str,
) -> Result<Schedule, Refusal> {
    exists(orchestrator, fabric_id).await?;
    let now_ms = orchestrator.config.schedule.clock.now_ms();
    let written = kv::update_json::<ScheduleRecord, _>(
        &orchestrator.topology.schedules,
        &keys::fabric(fabric_id),
        |current| {
            let mut record = current?;
            record.paused = pause;
            record.paused_by = if pause { by.to_string() } else { String::new() };
            if !pause {
                record.progress.reported_through_ms =
                    record.progress.reported_through_ms.max(now_ms);
            }
            Some(record)
        },
    )
    .await?
    .ok_or_else(|| no_schedule(fabric_id))?;
    tracing::info!(fabric = fabric_id, by, pause, "schedule paused or resumed");
    Ok(message_of(fabric_id, &written, now_ms))
}

/// Removes a fabric's schedule; answers whether there was one.
pub async fn delete(orchestrator: &Orchestrator, fabric_id: &str) -> Result<bool, Refusal> {
    let store = &orchestrator.topology.schedules;
    let key = keys::fabric(fabric_id);
    if kv::get_bytes(store, &key).await?.is_none() {
        return Ok(false);
    }
    store.delete(&key).await.map_err(|e| BusError::JetStream {
        what: format!("delete the schedule of {fabric_id}"),
        reason: e.to_string(),
    })?;
    Ok(true)
}

/// A fabric's schedule as `ShowSchedule` answers it.
pub async fn show(orchestrator: &Orchestrator, fabric_id: &str) -> Result<Schedule, Refusal> {
    let record = load(orchestrator, fabric_id)
        .await?
        .ok_or_else(|| no_schedule(fabric_id))?;
    Ok(message_of(
        fabric_id,
        &record,
        orchestrator.config.schedule.clock.now_ms(),
    ))
}

fn no_schedule(fabric_id: &str) -> Refusal {
    Refusal::NotFound(format!(
        "fabric {fabric_id} has no schedule; set one with `rotor schedule set --fabric {fabric_id} --every 90d --window \"sat 02:00-06:00\"`"
    ))
}

async fn exists(orchestrator: &Orchestrator, fabric_id: &str) -> Result<(), Refusal> {
    if rotor_pipeline::records::load_fabric(&orchestrator.topology, fabric_id)
        .await?
        .is_none()
    {
        return Err(Refusal::NotFound(format!(
            "fabric {fabric_id} is not in the inventory; import it with `rotor inventory import`"
        )));
    }
    Ok(())
}

/// Runs the scheduler, leading or standing by, until `shutdown`.
pub async fn run(orchestrator: Orchestrator, shutdown: CancellationToken) {
    let settings = orchestrator.config.schedule.clone();
    let leadership = Leadership {
        leases: &orchestrator.topology.leases,
        role: "scheduler",
        instance: &orchestrator.config.common.instance,
        purpose: "start scheduled rotations",
        lease: settings.lease,
    };
    while let Some(leader) = leadership.acquire(&shutdown).await {
        lead(&orchestrator, &settings, &leader, &shutdown).await;
        leadership
            .step_down(leader, Ok::<(), BusError>(()), &shutdown)
            .await;
    }
}

async fn lead(
    orchestrator: &Orchestrator,
    settings: &ScheduleSettings,
    leader: &HeldLease,
    shutdown: &CancellationToken,
) {
    let mut ticker = tokio::time::interval(settings.tick);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            biased;
            _ = shutdown.cancelled() => return,
            _ = leader.lost() => {
                tracing::warn!("lost the scheduler lease");
                return;
            }
            _ = ticker.tick() => {
                if leader.is_held()
                    && let Err(error) = tick(orchestrator, settings.clock.tick_ms()).await
                {
                    tracing::warn!(%error, "looking at the schedules failed; trying again next tick");
                }
            }
        }
    }
}

/// Looks at every schedule once, at `now_ms`.
pub async fn tick(orchestrator: &Orchestrator, now_ms: i64) -> Result<(), BusError> {
    let store = &orchestrator.topology.schedules;
    for (fabric_id, raw) in kv::scan(store, &filters::fabrics()).await? {
        let record = match serde_json::from_slice::<ScheduleRecord>(&raw.value) {
            Ok(record) => record,
            Err(error) => {
                tracing::error!(fabric = %fabric_id, %error, "a stored schedule is unreadable; set it again");
                continue;
            }
        };
        if record.paused {
            continue;
        }
        if let Err(error) = step(orchestrator, &fabric_id, record, raw.revision, now_ms).await {
            tracing::warn!(fabric = %fabric_id, %error, "a schedule's step failed; trying again next tick");
        }
    }
    Ok(())
}

/// Does what one schedule needs at `now_ms` (missed windows first, then a run).
async fn step(
    orchestrator: &Orchestrator,
    fabric_id: &str,
    mut record: ScheduleRecord,
    mut revision: u64,
    now_ms: i64,
) -> Result<(), BusError> {
    let store = &orchestrator.topology.schedules;
    let key = keys::fabric(fabric_id);
    // Missed windows are reported before a run in the current window starts; at most a
    // few rounds (each reports up to a hundred windows).
    for _ in 0..8 {
        match schedule::decide(&record.spec, &record.progress, now_ms) {
            Decision::Wait { .. } => return Ok(()),
            Decision::Missed { windows } => {
                let mut next = record.clone();
                next.progress = schedule::after_missed(&record.progress, &windows);
                next.missed_count += windows.len() as u32;
                next.missed.extend(windows.iter().copied());
                let extra = next.missed.len().saturating_sub(KEPT_MISSED);
                next.missed.drain(..extra);
                let Some(written) = kv::compare_and_set_json(store, &key, &next, revision).await?
                else {
                    return Ok(()); // changed meanwhile (set, paused): next tick
                };
                for &(start, end) in &windows {
                    tracing::warn!(
                        fabric = fabric_id,
                        window_start = %format_unix_ms(start),
                        window_end = %format_unix_ms(end),
                        "a maintenance window passed while a scheduled run was due, with no attempt in it"
                    );
                    orchestrator.audit.record(rotor_bus::audit::AuditRecord {
                        identity: SCHEDULER_IDENTITY.into(),
                        channel: rotor_bus::audit::channel::ROTOR.into(),
                        verb: rotor_bus::audit::SCHEDULE_MISSED.into(),
                        fabric_id: fabric_id.to_string(),
                        outcome: rotor_bus::audit::FAILED.into(),
                        message: format!(
                            "the window {} to {} passed while a run was due (since {}), with no attempt in it: the scheduler was not running",
                            format_unix_ms(start),
                            format_unix_ms(end),
                            format_unix_ms(record.progress.due_ms)
                        ),
                        ..Default::default()
                    });
                }
                record = next;
                revision = written;
            }
            Decision::Start {
                window_start_ms,
                window_end_ms,
            } => {
                return start(
                    orchestrator,
                    fabric_id,
                    record,
                    revision,
                    now_ms,
                    (window_start_ms, window_end_ms),
                )
                .await;
            }
        }
    }
    Ok(())
}

/// Starts a due run inside `window` and records what came of it.
async fn start(
    orchestrator: &Orchestrator,
    fabric_id: &str,
    record: ScheduleRecord,
    revision: u64,
    now_ms: i64,
    window: (i64, i64),
) -> Result<(), BusError> {
    let request = RotationRequest {
        request_id: format!("schedule-{}-{}", record.progress.due_ms, window.0),
        kind: run_kind(record.spec.run) as i32,
        fabric_id: fabric_id.to_string(),
        users: record.spec.users.clone(),
        requested_by: SCHEDULER_IDENTITY.to_string(),
        ..Default::default()
    };
    let reply = orchestrator.submit(request, Method::Either).await;
    let mut next = record.clone();
    let (run, outcome, code, message) = match reply.outcome {
        Some(Outcome::Accepted(accepted)) => {
            next.progress = schedule::after_start(&record.spec, &record.progress, now_ms);
            let message = format!(
                "started {} of {} devices",
                accepted.operation_id, accepted.submitted_device_count
            );
            (
                RunRecord {
                    at_ms: now_ms,
                    operation_id: accepted.operation_id,
                    refused: None,
                    window,
                },
                rotor_bus::audit::SUCCEEDED,
                String::new(),
                message,
            )
        }
        Some(Outcome::Rejected(rejected)) => {
            next.progress = schedule::after_refusal(&record.progress, window.0);
            let error = rejected.error.unwrap_or_default();
            let code = error.code().as_str_name().to_string();
            (
                RunRecord {
                    at_ms: now_ms,
                    operation_id: String::new(),
                    refused: Some((code.clone(), error.message.clone())),
                    window,
                },
                rotor_bus::audit::FAILED,
                code,
                format!("refused, tried again at the next window: {}", error.message),
            )
        }
        None => return Ok(()),
    };
    next.last_run = Some(run.clone());
    if kv::compare_and_set_json(
        &orchestrator.topology.schedules,
        &keys::fabric(fabric_id),
        &next,
        revision,
    )
    .await?
    .is_none()
    {
        // Changed meanwhile (set again, paused): the next tick sees the new schedule; a
        // started run is its operation's, recorded in the audit below.
        tracing::info!(
            fabric = fabric_id,
            "the schedule changed while its run started"
        );
    }
    tracing::info!(
        fabric = fabric_id,
        operation = %run.operation_id,
        outcome,
        %message,
        "scheduled run"
    );
    orchestrator.audit.record(rotor_bus::audit::AuditRecord {
        identity: SCHEDULER_IDENTITY.into(),
        channel: rotor_bus::audit::channel::ROTOR.into(),
        verb: rotor_bus::audit::SCHEDULED_RUN.into(),
        fabric_id: fabric_id.to_string(),
        operation_id: run.operation_id,
        outcome: outcome.into(),
        code,
        message,
        ..Default::default()
    });
    Ok(())
}
