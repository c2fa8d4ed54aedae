//! The differ: stages `load_intended_configuration` and `perform_configuration_diff`.
//!
//! For each device job it renders the intended configuration with the target hashes, validates
//! platform and password mappings, loads the rendered configuration on the device as a
//! candidate, reads the device's diff and classifies it:
//! - empty: "No password changes needed, no diff." — apply is skipped, the backup job follows;
//! - password-only for the target users: auto-approved, an apply job follows carrying the
//!   approved lines and a fingerprint of the running configuration;
//! - anything else: `DiffValidationError` with the offending lines; nothing is applied.
//!
//! The candidate is detached again before the session closes, so the device is left as found.

use rotor_bus::{JobKind, kv, names};
use rotor_device::diff::{self, DiffClass};
use rotor_device::nvue::{self, Nvue};
use rotor_pipeline::records::{DeviceRecord, load_device, stage_mark_key};
use rotor_pipeline::{StageFailure, StartError, WorkerConfig, WorkerContext};
use rotor_proto::v1::{
    ApplyJob, BackupJob, DeviceJob, DeviceOutcome, DeviceStatus, DiffJob, ErrorCode,
    OperationState, SecretTarget, Stage,
};
use rotor_runtime::CancellationToken;
use rotor_runtime::worker::{self, Delivery, JobHandler, JobOutcome, backoff};

/// Runs the differ until `shutdown` is cancelled.
pub async fn run(config: WorkerConfig, shutdown: CancellationToken) -> Result<(), StartError> {
    let context = WorkerContext::connect(config).await?;
    let options = context.config.worker_options();
    worker::run(context.bus.clone(), Differ { context }, options, shutdown).await?;
    Ok(())
}

/// The differ's job handler.
#[derive(Debug)]
pub struct Differ {
    pub context: WorkerContext,
}

/// How handling a job ended before the outcome is reported.
enum Step {
    Failed(Stage, StageFailure),
    Retry(Stage, StageFailure),
}

impl JobHandler for Differ {
    type Job = DiffJob;

    fn kind(&self) -> JobKind {
        JobKind::Diff
    }

    async fn handle(&self, job: DiffJob, delivery: Delivery) -> JobOutcome {
        let Some(device_job) = job.device else {
            tracing::warn!("a diff job without a device was dropped");
            return JobOutcome::Done;
        };
        let reporter = &self.context.reporter;
        let attempt = delivery.attempt;
        let result = Box::pin(self.diff(&device_job, attempt)).await;
        let publish = match result {
            Ok(()) => Ok(()),
            Err(Step::Retry(_, failure)) if !delivery.is_last_attempt() => {
                tracing::info!(device = %device_job.device_id, code = ?failure.code, %failure.message, attempt, "will retry");
                return JobOutcome::RetryLater(backoff(attempt));
            }
            Err(Step::Retry(stage, failure)) | Err(Step::Failed(stage, failure)) => {
                tracing::info!(device = %device_job.device_id, code = ?failure.code, %failure.message, "device failed");
                reporter
                    .fail_device(&device_job, stage, attempt, &failure, Vec::new())
                    .await
            }
        };
        match publish {
            Ok(()) => JobOutcome::Done,
            Err(error) => {
                tracing::warn!(%error, "could not publish; the job will be delivered again");
                JobOutcome::RetryLater(backoff(attempt))
            }
        }
    }
}

fn internal(stage: Stage, error: impl std::fmt::Display) -> Step {
    Step::Retry(
        stage,
        StageFailure::new(ErrorCode::InternalError, error.to_string()),
    )
}

impl Differ {
    async fn diff(&self, job: &DeviceJob, attempt: u32) -> Result<(), Step> {
        let context = &self.context;
        let reporter = &context.reporter;
        let load = Stage::LoadIntendedConfiguration;
        reporter
            .started(job, load, attempt)
            .await
            .map_err(|e| internal(load, e))?;

        let device = load_device(&context.topology, &job.fabric_id, &job.device_id)
            .await
            .map_err(|e| internal(load, e))?
            .ok_or_else(|| {
                Step::Failed(
                    load,
                    StageFailure::new(
                        ErrorCode::OperationNotAllowed,
                        format!(
                            "{} is not in the inventory of {}",
                            job.device_id, job.fabric_id
                        ),
                    ),
                )
            })?;
        rotor_pipeline::access::refuse_unless_enabled(&device)
            .map_err(|refused| Step::Failed(load, refused.failure()))?;
        let rendered = context
            .renderer
            .render(&context.topology, &device, &job.targets)
            .await
            .map_err(|failure| match failure.code {
                ErrorCode::SecretsUnavailable | ErrorCode::InternalError => {
                    Step::Retry(load, failure)
                }
                _ => Step::Failed(load, failure),
            })?;
        reporter
            .succeeded(
                job,
                load,
                attempt,
                format!(
                    "Loaded intended configuration {}",
                    rendered.intended_config_version
                ),
                &rendered.intended_config_version,
            )
            .await
            .map_err(|e| internal(load, e))?;

        let stage = Stage::PerformConfigurationDiff;
        reporter
            .started(job, stage, attempt)
            .await
            .map_err(|e| internal(stage, e))?;
        validate(&device, job).map_err(|failure| Step::Failed(stage, failure))?;

        let access_step = |error: rotor_pipeline::AccessError| {
            let failure = error.failure();
            if error.is_retryable() {
                Step::Retry(stage, failure)
            } else {
                Step::Failed(stage, failure)
            }
        };
        // Held until the session is closed; released on drop on every early return.
        let lock = context
            .access
            .lock_device(&device)
            .await
            .map_err(access_step)?;
        // A redelivered job whose diff already led somewhere (the next job published, or the
        // applier already at work) must not diff again: after an apply the diff is empty, and
        // reporting that would contradict what happened.
        if self
            .already_done(job)
            .await
            .map_err(|e| internal(stage, e))?
        {
            tracing::info!(device = %job.device_id, "the diff of this operation was already done");
            lock.release().await;
            return Ok(());
        }
        let session = context
            .access
            .connect(&device, &job.targets)
            .await
            .map_err(access_step)?;
        let nvue = Nvue::new(&session);
        let device_step = |error: rotor_device::DeviceError| {
            let failure = StageFailure::new(error.code(), error.to_string());
            if error.is_retryable() {
                Step::Retry(stage, failure)
            } else {
                Step::Failed(stage, failure)
            }
        };
        let running = nvue.running_config().await.map_err(device_step)?;
        let loaded = nvue.replace_candidate(&rendered.yaml).await;
        let lines = match loaded {
            Ok(()) => nvue.diff_commands().await,
            Err(error) => Err(error),
        };
        let _ = nvue.detach().await;
        session.close().await;
        lock.release().await;
        let lines = lines.map_err(device_step)?;

        let users: Vec<String> = job.targets.iter().map(|t| t.username.clone()).collect();
        match diff::classify(&lines, &users) {
            DiffClass::Invalid { offending_lines } => {
                let mut failure = StageFailure::new(
                    ErrorCode::DiffValidationError,
                    format!(
                        "Diff contains non-password changes; nothing was applied. Offending lines: {}",
                        offending_lines.join(" | ")
                    ),
                );
                failure.offending_lines = offending_lines;
                Err(Step::Failed(stage, failure))
            }
            DiffClass::Empty => {
                reporter
                    .succeeded(
                        job,
                        stage,
                        attempt,
                        diff::NO_DIFF_DISPLAY,
                        &rendered.intended_config_version,
                    )
                    .await
                    .map_err(|e| internal(stage, e))?;
                reporter
                    .skipped(
                        job,
                        Stage::ApplyConfiguration,
                        attempt,
                        diff::NO_DIFF_DISPLAY,
                    )
                    .await
                    .map_err(|e| internal(stage, e))?;
                let backup = BackupJob {
                    device: Some(job.clone()),
                    intended_config_version: rendered.intended_config_version.clone(),
                    trigger: "Workflow".into(),
                    outcome: Some(DeviceOutcome {
                        status: OperationState::Succeeded as i32,
                        error: None,
                        held: job.targets.clone(),
                        applied: false,
                    }),
                };
                self.publish_next(JobKind::Backup, job, &backup, stage)
                    .await
            }
            DiffClass::PasswordOnly => {
                reporter
                    .succeeded(
                        job,
                        stage,
                        attempt,
                        diff::auto_approved_display(&users),
                        &rendered.intended_config_version,
                    )
                    .await
                    .map_err(|e| internal(stage, e))?;
                let previous = self
                    .previous_versions(&device, job)
                    .await
                    .map_err(|e| internal(stage, e))?;
                let apply = ApplyJob {
                    device: Some(job.clone()),
                    intended_config_version: rendered.intended_config_version.clone(),
                    approved_diff: lines,
                    running_config_fingerprint: nvue::fingerprint(&running),
                    previous,
                };
                self.publish_next(JobKind::Apply, job, &apply, stage).await
            }
        }
    }

    async fn publish_next(
        &self,
        kind: JobKind,
        job: &DeviceJob,
        next: &impl prost::Message,
        stage: Stage,
    ) -> Result<(), Step> {
        self.context
            .bus
            .publish_job(
                kind,
                &job.fabric_id,
                &job.device_id,
                &job.operation_id,
                next,
            )
            .await
            .map_err(|e| internal(stage, e))?
            .await
            .map_err(|e| internal(stage, e))?;
        kv::put_json(
            &self.context.topology.stage_marks,
            &stage_mark_key(job, "diff"),
            &rotor_bus::now_rfc3339(),
        )
        .await
        .map_err(|e| internal(stage, e))?;
        Ok(())
    }

    /// Whether this operation's diff of the device already finished (its mark, or the
    /// applier's).
    async fn already_done(&self, job: &DeviceJob) -> Result<bool, rotor_bus::BusError> {
        let marks = &self.context.topology.stage_marks;
        for stage in ["diff", "apply"] {
            if kv::get_bytes(marks, &stage_mark_key(job, stage))
                .await?
                .is_some()
            {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// The versions the device holds now, per target user: from its status, else the version
    /// before the target.
    async fn previous_versions(
        &self,
        device: &DeviceRecord,
        job: &DeviceJob,
    ) -> Result<Vec<SecretTarget>, String> {
        let status = kv::get_message::<DeviceStatus>(
            &self.context.topology.device_status,
            &names::key(&[&job.fabric_id, &job.device_id]),
        )
        .await
        .map_err(|e| e.to_string())?
        .map(|v| v.value)
        .unwrap_or_default();
        let mut previous = Vec::new();
        for target in &job.targets {
            let reference = target.reference.clone().unwrap_or_default();
            let held = status
                .secrets
                .iter()
                .find(|s| s.username == target.username)
                .and_then(|s| s.secret_archive_reference.clone())
                .filter(|r| {
                    r.path == reference.path && r.version != reference.version && r.version > 0
                });
            let held = match held {
                Some(held) => Some(held),
                None => self
                    .context
                    .access
                    .secrets
                    .previous_version(&device.secrets_mount, &reference.path, reference.version)
                    .await
                    .map_err(|e| e.to_string())?
                    .map(|version| {
                        self.context.access.secrets.reference(
                            &device.secrets_mount,
                            &reference.path,
                            version,
                        )
                    }),
            };
            if let Some(held) = held {
                previous.push(SecretTarget {
                    secret_type: target.secret_type.clone(),
                    username: target.username.clone(),
                    reference: Some(held),
                });
            }
        }
        Ok(previous)
    }
}

/// Platform and password mappings, checked before the device is contacted.
fn validate(device: &DeviceRecord, job: &DeviceJob) -> Result<(), StageFailure> {
    if !device.device.platform.is_supported() {
        return Err(StageFailure::new(
            ErrorCode::UnsupportedPlatform,
            format!(
                "{} runs {:?}; password rotation supports cumulus and nvos only",
                job.device_id,
                device.device.platform.as_str()
            ),
        ));
    }
    let missing: Vec<&String> = job
        .users
        .iter()
        .filter(|user| !job.targets.iter().any(|t| &t.username == *user))
        .collect();
    if !missing.is_empty() || job.targets.is_empty() {
        let users = if missing.is_empty() {
            job.users.clone()
        } else {
            missing.into_iter().cloned().collect()
        };
        return Err(StageFailure::new(
            ErrorCode::MissingPasswordMapping,
            format!(
                "{} has no password mapping for {}; add the mapping to the inventory and import it again",
                job.device_id,
                users.join(", ")
            ),
        ));
    }
    Ok(())
}
