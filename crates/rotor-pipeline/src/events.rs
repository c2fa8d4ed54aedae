//! Publishing stage events for one device's job.
//!
//! Event ids are `<operation>.<device>.<stage>.<status>`, so publishing the same event again
//! (a redelivered job) is dropped by the events stream's duplicate window: subscribers see each
//! stage's start, success, failure or skip once per operation.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use rotor_bus::{Bus, BusError};
use rotor_proto::v1::{
    DeviceJob, DeviceOutcome, Error, ErrorCode, OperationState, SecretTarget, Stage, StageEvent,
    stage_event::Status,
};

/// A failure of a stage, with what the device result will say.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StageFailure {
    /// The error code the device result and the failed event carry.
    pub code: ErrorCode,
    /// What went wrong, for a person; never a password or a hash.
    pub message: String,
    /// For `DiffValidationError`: the diff lines that are not password-only changes; otherwise
    /// empty.
    pub offending_lines: Vec<String>,
}

impl StageFailure {
    /// A failure with `code` and `message` and no offending lines.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> StageFailure {
        StageFailure {
            code,
            message: message.into(),
            offending_lines: Vec::new(),
        }
    }

    /// The failure as the protobuf `Error` of an event or a device result.
    pub fn error(&self) -> Error {
        Error {
            code: self.code as i32,
            message: self.message.clone(),
        }
    }
}

/// Publishes the events of one job, and measures each stage (`rotor_stage_duration_seconds`,
/// `rotor_stage_results_total`) from its start event to its end event.
#[derive(Clone, Debug)]
pub struct Reporter {
    bus: Bus,
    worker: String,
    started: Arc<Mutex<HashMap<StageKey, Instant>>>,
}

/// (operation, device, stage) of a stage under way.
type StageKey = (String, String, i32);

/// The most stage starts a reporter remembers (a job handed back mid-stage leaves its start
/// behind; beyond this many they are forgotten together).
const REMEMBERED_STARTS: usize = 100_000;

/// Extra fields of one event.
#[derive(Clone, Debug, Default)]
pub struct EventDetails {
    /// The event's human-readable text, e.g. the diff's display text.
    pub display: String,
    /// The error of a failed stage.
    pub error: Option<Error>,
    /// The offending diff lines of a `DiffValidationError`.
    pub offending_lines: Vec<String>,
    /// The secret versions the event is about; empty means the job's targets.
    pub secrets: Vec<SecretTarget>,
    /// The version of the intended configuration the stage worked with, when it has one.
    pub intended_config_version: String,
    /// The device's outcome, on its last event in the operation (the backup's).
    pub outcome: Option<DeviceOutcome>,
}

impl Reporter {
    /// A reporter that signs its events as `worker` (this copy's instance name).
    pub fn new(bus: Bus, worker: impl Into<String>) -> Reporter {
        Reporter {
            bus,
            worker: worker.into(),
            started: Arc::default(),
        }
    }

    /// The bus the events are published on.
    pub fn bus(&self) -> &Bus {
        &self.bus
    }

    /// Publishes one event; waits until the events stream stored it.
    pub async fn publish(
        &self,
        job: &DeviceJob,
        stage: Stage,
        status: Status,
        attempt: u32,
        details: EventDetails,
    ) -> Result<(), BusError> {
        let event = StageEvent {
            event_id: format!(
                "{}.{}.{}.{}",
                job.operation_id,
                job.device_id,
                stage.as_str_name(),
                status.as_str_name()
            ),
            operation_id: job.operation_id.clone(),
            fabric_id: job.fabric_id.clone(),
            device_id: job.device_id.clone(),
            stage: stage as i32,
            status: status as i32,
            display: details.display,
            error: details.error,
            offending_lines: details.offending_lines,
            secrets: if details.secrets.is_empty() {
                job.targets.clone()
            } else {
                details.secrets
            },
            time: rotor_bus::now_rfc3339(),
            attempt,
            worker: self.worker.clone(),
            kind: job.kind,
            intended_config_version: details.intended_config_version,
            outcome: details.outcome,
        };
        self.bus.publish_event(&event).await?;
        self.measure(job, stage, status, event.error.as_ref());
        Ok(())
    }

    fn measure(&self, job: &DeviceJob, stage: Stage, status: Status, error: Option<&Error>) {
        let key = (
            job.operation_id.clone(),
            job.device_id.clone(),
            stage as i32,
        );
        let mut started = self.started.lock().unwrap_or_else(|e| e.into_inner());
        if status == Status::Started {
            if started.len() >= REMEMBERED_STARTS {
                started.clear();
            }
            started.insert(key, Instant::now());
            return;
        }
        let began = started.remove(&key);
        drop(started);
        let metrics = rotor_metrics::metrics();
        let stage = stage.as_str_name().to_string();
        let outcome = status.as_str_name().to_string();
        if let Some(began) = began {
            metrics
                .stage_duration
                .get_or_create(&rotor_metrics::StageLabels {
                    stage: stage.clone(),
                    outcome: outcome.clone(),
                })
                .observe(began.elapsed().as_secs_f64());
        }
        let error_code = error
            .and_then(|e| ErrorCode::try_from(e.code).ok())
            .map_or("none", |code| code.as_str_name());
        metrics
            .stage_results
            .get_or_create(&rotor_metrics::StageResult {
                stage,
                outcome,
                error_code: error_code.to_string(),
            })
            .inc();
    }

    /// Publishes that `stage` started.
    pub async fn started(
        &self,
        job: &DeviceJob,
        stage: Stage,
        attempt: u32,
    ) -> Result<(), BusError> {
        self.publish(
            job,
            stage,
            Status::Started,
            attempt,
            EventDetails::default(),
        )
        .await
    }

    /// Publishes that `stage` succeeded, with its display text and the intended configuration
    /// version.
    pub async fn succeeded(
        &self,
        job: &DeviceJob,
        stage: Stage,
        attempt: u32,
        display: impl Into<String>,
        intended_config_version: &str,
    ) -> Result<(), BusError> {
        let details = EventDetails {
            display: display.into(),
            intended_config_version: intended_config_version.to_string(),
            ..Default::default()
        };
        self.publish(job, stage, Status::Succeeded, attempt, details)
            .await
    }

    /// Publishes that `stage` failed, with the failure's code, message and offending lines.
    pub async fn failed(
        &self,
        job: &DeviceJob,
        stage: Stage,
        attempt: u32,
        failure: &StageFailure,
    ) -> Result<(), BusError> {
        let details = EventDetails {
            display: failure.message.clone(),
            error: Some(failure.error()),
            offending_lines: failure.offending_lines.clone(),
            ..Default::default()
        };
        self.publish(job, stage, Status::Failed, attempt, details)
            .await
    }

    /// Marks `stage` skipped (not reached).
    pub async fn skipped(
        &self,
        job: &DeviceJob,
        stage: Stage,
        attempt: u32,
        display: &str,
    ) -> Result<(), BusError> {
        let details = EventDetails {
            display: display.to_string(),
            ..Default::default()
        };
        self.publish(job, stage, Status::Skipped, attempt, details)
            .await
    }

    /// A stage failed and ends the device's part in the operation: the failure, then every later
    /// stage skipped; the device's last event (perform_backup, failed or skipped) carries its
    /// outcome.
    pub async fn fail_device(
        &self,
        job: &DeviceJob,
        attempt: u32,
        failed: FailedDevice<'_>,
    ) -> Result<(), BusError> {
        let FailedDevice {
            stage,
            failure,
            held,
            applied,
            intended_config_version,
        } = failed;
        let outcome = DeviceOutcome {
            status: OperationState::Failed as i32,
            error: Some(failure.error()),
            held,
            applied,
            verdict: 0,
        };
        let is_last = stage == Stage::PerformBackup;
        let details = EventDetails {
            display: failure.message.clone(),
            error: Some(failure.error()),
            offending_lines: failure.offending_lines.clone(),
            intended_config_version,
            outcome: is_last.then(|| outcome.clone()),
            ..Default::default()
        };
        self.publish(job, stage, Status::Failed, attempt, details)
            .await?;
        if is_last {
            return Ok(());
        }
        let reason = format!(
            "Not reached: {} failed with {}",
            stage.as_str_name(),
            failure.code.as_str_name()
        );
        let mut next = stage as i32 + 1;
        while next < Stage::PerformBackup as i32 {
            let skipped = Stage::try_from(next).expect("stages are contiguous");
            self.skipped(job, skipped, attempt, &reason).await?;
            next += 1;
        }
        let details = EventDetails {
            display: reason,
            outcome: Some(outcome),
            ..Default::default()
        };
        self.publish(job, Stage::PerformBackup, Status::Skipped, attempt, details)
            .await
    }

    /// A plan's device, diffed: the stages after the diff are skipped (nothing is applied or
    /// backed up) and the last carries the verdict (`WouldChange` or `NoChange`).
    pub async fn end_plan(
        &self,
        job: &DeviceJob,
        attempt: u32,
        verdict: rotor_proto::v1::PlanVerdict,
        display: &str,
    ) -> Result<(), BusError> {
        let reason = format!("Plan only: {display}; nothing applied");
        self.skipped(job, Stage::ApplyConfiguration, attempt, &reason)
            .await?;
        let details = EventDetails {
            display: reason,
            outcome: Some(DeviceOutcome {
                status: OperationState::Succeeded as i32,
                verdict: verdict as i32,
                ..Default::default()
            }),
            ..Default::default()
        };
        self.publish(job, Stage::PerformBackup, Status::Skipped, attempt, details)
            .await
    }
}

/// A device's failure, as [`Reporter::fail_device`] reports it.
#[derive(Debug)]
pub struct FailedDevice<'a> {
    /// The stage that failed.
    pub stage: Stage,
    /// What failed.
    pub failure: &'a StageFailure,
    /// What the device is known to hold now.
    pub held: Vec<SecretTarget>,
    /// Whether its configuration was changed.
    pub applied: bool,
    /// The intended configuration version the job worked with, when known.
    pub intended_config_version: String,
}
