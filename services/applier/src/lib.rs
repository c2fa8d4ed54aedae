//! The applier: stage `apply_configuration`.
//!
//! For each approved device it logs in, refuses with `DiffChanged` if the running configuration
//! or the intended configuration is not the one the differ diffed (or the candidate's diff is no
//! longer the approved one), applies, and then proves each new password with a fresh SSH login
//! and checks the account still exists. If a proof fails, the previous password is restored
//! through the session that is still open and the device fails with `VerificationFailed`: a
//! device is never left without a working credential.
//!
//! A stage mark (`rotor_stage_marks`) records "applying" before the apply and "applied" or
//! "restored" after. A redelivered job whose mark says "applying" (the apply's outcome is
//! unknown: connection dropped, worker killed, timeout) does not re-apply blindly: it loads the
//! candidate again and reads the diff; an empty diff means the change took effect and only the
//! proof is left, the approved diff means it did not and it is applied.

use rotor_bus::{JobKind, kv};
use rotor_device::DeviceError;
use rotor_device::nvue::{self, Nvue};
use rotor_device::ssh::Session;
use rotor_pipeline::records::{DeviceRecord, load_device};
use rotor_pipeline::{AccessError, StageFailure, StartError, WorkerConfig, WorkerContext};
use rotor_proto::v1::{
    ApplyJob, BackupJob, DeviceJob, DeviceOutcome, ErrorCode, OperationState, SecretTarget, Stage,
};
use rotor_runtime::CancellationToken;
use rotor_runtime::worker::{self, Delivery, JobHandler, JobOutcome, backoff};
use serde::{Deserialize, Serialize};

/// Runs the applier until `shutdown` is cancelled.
pub async fn run(config: WorkerConfig, shutdown: CancellationToken) -> Result<(), StartError> {
    let context = WorkerContext::connect(config).await?;
    let options = context.config.worker_options();
    worker::run(context.bus.clone(), Applier { context }, options, shutdown).await?;
    Ok(())
}

/// The applier's job handler.
#[derive(Debug)]
pub struct Applier {
    pub context: WorkerContext,
}

/// What the stage mark of one device in one operation says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ApplyMark {
    /// `nv config apply` was (or is being) sent; its outcome may be unknown.
    Applying,
    /// Applied and every new password proven.
    Applied,
    /// A proof failed and the previous passwords were put back.
    Restored,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct MarkRecord {
    mark: ApplyMark,
    time: String,
    revision: Option<u64>,
}

const STAGE: Stage = Stage::ApplyConfiguration;

enum Step {
    /// The device failed; `held` is what it is known to hold now.
    Failed(StageFailure, Vec<SecretTarget>),
    Retry(StageFailure),
}

fn retry_or_fail(failure: StageFailure, retryable: bool) -> Step {
    if retryable {
        Step::Retry(failure)
    } else {
        Step::Failed(failure, Vec::new())
    }
}

fn from_access(error: AccessError) -> Step {
    let retryable = error.is_retryable();
    retry_or_fail(error.failure(), retryable)
}

fn from_device(error: DeviceError) -> Step {
    let retryable = error.is_retryable();
    retry_or_fail(
        StageFailure::new(error.code(), error.to_string()),
        retryable,
    )
}

fn internal(error: impl std::fmt::Display) -> Step {
    Step::Retry(StageFailure::new(
        ErrorCode::InternalError,
        error.to_string(),
    ))
}

impl JobHandler for Applier {
    type Job = ApplyJob;

    fn kind(&self) -> JobKind {
        JobKind::Apply
    }

    async fn handle(&self, job: ApplyJob, delivery: Delivery) -> JobOutcome {
        let Some(device_job) = job.device.clone() else {
            tracing::warn!("an apply job without a device was dropped");
            return JobOutcome::Done;
        };
        let attempt = delivery.attempt;
        let result = Box::pin(self.apply(&job, &device_job, attempt)).await;
        let publish = match result {
            Ok(()) => Ok(()),
            Err(Step::Retry(failure)) if !delivery.is_last_attempt() => {
                tracing::info!(device = %device_job.device_id, code = ?failure.code, %failure.message, attempt, "will retry");
                return JobOutcome::RetryLater(backoff(attempt));
            }
            Err(Step::Retry(failure)) => {
                self.context
                    .reporter
                    .fail_device(&device_job, STAGE, attempt, &failure, Vec::new())
                    .await
            }
            Err(Step::Failed(failure, held)) => {
                tracing::info!(device = %device_job.device_id, code = ?failure.code, %failure.message, "device failed");
                self.context
                    .reporter
                    .fail_device(&device_job, STAGE, attempt, &failure, held)
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

impl Applier {
    fn mark_key(job: &DeviceJob) -> String {
        rotor_pipeline::records::stage_mark_key(job, "apply")
    }

    async fn read_mark(&self, job: &DeviceJob) -> Result<Option<MarkRecord>, Step> {
        Ok(
            kv::get_json::<MarkRecord>(&self.context.topology.stage_marks, &Self::mark_key(job))
                .await
                .map_err(internal)?
                .map(|v| v.value),
        )
    }

    async fn write_mark(
        &self,
        job: &DeviceJob,
        mark: ApplyMark,
        revision: Option<u64>,
    ) -> Result<(), Step> {
        let record = MarkRecord {
            mark,
            time: rotor_bus::now_rfc3339(),
            revision,
        };
        kv::put_json(
            &self.context.topology.stage_marks,
            &Self::mark_key(job),
            &record,
        )
        .await
        .map_err(internal)?;
        Ok(())
    }

    async fn apply(
        &self,
        job: &ApplyJob,
        device_job: &DeviceJob,
        attempt: u32,
    ) -> Result<(), Step> {
        let context = &self.context;
        context
            .reporter
            .started(device_job, STAGE, attempt)
            .await
            .map_err(internal)?;
        let device = load_device(
            &context.topology,
            &device_job.fabric_id,
            &device_job.device_id,
        )
        .await
        .map_err(internal)?
        .ok_or_else(|| {
            Step::Failed(
                StageFailure::new(
                    ErrorCode::OperationNotAllowed,
                    "the device left the inventory",
                ),
                Vec::new(),
            )
        })?;
        let mark = self.read_mark(device_job).await?;
        match mark.as_ref().map(|m| m.mark) {
            Some(ApplyMark::Applied) => {
                // A redelivery after the work was done: only the reports may be missing.
                let revision = mark.and_then(|m| m.revision);
                return self
                    .report_applied(job, device_job, attempt, revision)
                    .await;
            }
            Some(ApplyMark::Restored) => {
                let failure = StageFailure::new(
                    ErrorCode::VerificationFailed,
                    "the new password did not log in; the previous password was restored",
                );
                return Err(Step::Failed(failure, job.previous.clone()));
            }
            _ => {}
        }
        let uncertain = mark.is_some();

        // Held until the session is closed; released on drop on every early return.
        let lock = context
            .access
            .lock_device(&device)
            .await
            .map_err(from_access)?;
        let session = context
            .access
            .connect_preferring(&device, &device_job.targets, uncertain)
            .await
            .map_err(from_access)?;
        let result = self
            .apply_on(&session, &lock, job, device_job, &device, uncertain)
            .await;
        session.close().await;
        lock.release().await;
        let revision = result?;
        self.report_applied(job, device_job, attempt, revision)
            .await
    }

    /// Checks, applies and proves on an open session; returns the applied revision.
    async fn apply_on(
        &self,
        session: &Session,
        lock: &rotor_pipeline::access::DeviceLock,
        job: &ApplyJob,
        device_job: &DeviceJob,
        device: &DeviceRecord,
        uncertain: bool,
    ) -> Result<Option<u64>, Step> {
        let context = &self.context;
        let nvue = Nvue::new(session);
        let diff_changed = |what: String| {
            Step::Failed(
                StageFailure::new(
                    ErrorCode::DiffChanged,
                    format!(
                        "{what} since the diff; nothing was applied. Run the rotation again to diff afresh."
                    ),
                ),
                Vec::new(),
            )
        };
        let running = nvue.running_config().await.map_err(from_device)?;
        if nvue::fingerprint(&running) != job.running_config_fingerprint {
            return Err(diff_changed(
                "the device's running configuration changed".into(),
            ));
        }
        let rendered = context
            .renderer
            .render(&context.topology, device, &device_job.targets)
            .await
            .map_err(|failure| match failure.code {
                ErrorCode::SecretsUnavailable | ErrorCode::InternalError => Step::Retry(failure),
                _ => Step::Failed(failure, Vec::new()),
            })?;
        if rendered.intended_config_version != job.intended_config_version {
            return Err(diff_changed(format!(
                "the intended configuration changed (from {} to {})",
                job.intended_config_version, rendered.intended_config_version
            )));
        }
        let loaded = nvue.replace_candidate(&rendered.yaml).await;
        let lines = match loaded {
            Ok(()) => nvue.diff_commands().await,
            Err(error) => Err(error),
        };
        let lines = match lines {
            Ok(lines) => lines,
            Err(error) => {
                let _ = nvue.detach().await;
                return Err(from_device(error));
            }
        };
        let revision = if lines.is_empty() {
            // The device already holds the target hashes: an earlier apply took effect (or a
            // concurrent one did). Only the proof is left.
            let _ = nvue.detach().await;
            if !uncertain {
                tracing::info!(device = %device_job.device_id, "the change is already on the device");
            }
            None
        } else if lines != job.approved_diff {
            let _ = nvue.detach().await;
            return Err(diff_changed(format!(
                "the diff changed (now: {})",
                lines.join(" | ")
            )));
        } else {
            if !lock.is_held() {
                // Another job may have the device now: never apply without it; try again later.
                let _ = nvue.detach().await;
                return Err(internal("the device lock was lost before the apply"));
            }
            self.write_mark(device_job, ApplyMark::Applying, None)
                .await?;
            match nvue.apply().await {
                Ok(revision) => revision,
                Err(error @ DeviceError::ApplyFailed { .. }) => {
                    let _ = nvue.detach().await;
                    self.clear_mark(device_job).await?;
                    return Err(Step::Failed(
                        StageFailure::new(ErrorCode::ConfigApplyFailure, error.to_string()),
                        job.previous.clone(),
                    ));
                }
                // The outcome is unknown: the mark stays "applying" and the next attempt finds out.
                Err(error) => return Err(from_device(error)),
            }
        };
        self.prove(session, job, device_job, device).await?;
        self.write_mark(device_job, ApplyMark::Applied, revision)
            .await?;
        Ok(revision)
    }

    async fn clear_mark(&self, job: &DeviceJob) -> Result<(), Step> {
        self.context
            .topology
            .stage_marks
            .delete(Self::mark_key(job))
            .await
            .map_err(internal)
    }

    /// Proves every new password with a fresh login and checks each account exists; restores
    /// the previous passwords through `session` if any proof fails.
    async fn prove(
        &self,
        session: &Session,
        job: &ApplyJob,
        device_job: &DeviceJob,
        device: &DeviceRecord,
    ) -> Result<(), Step> {
        let context = &self.context;
        for target in &device_job.targets {
            let reference = target.reference.clone().unwrap_or_default();
            let (password, _) = context
                .access
                .secrets
                .read(&reference.mount, &reference.path, Some(reference.version))
                .await
                .map_err(|e| {
                    Step::Retry(StageFailure::new(
                        ErrorCode::SecretsUnavailable,
                        e.to_string(),
                    ))
                })?;
            let proof = match context
                .access
                .login(device, &target.username, &password)
                .await
            {
                Ok(fresh) => {
                    let exists = Nvue::new(&fresh).user_exists(&target.username).await;
                    fresh.close().await;
                    match exists {
                        Ok(true) => Ok(()),
                        Ok(false) => {
                            Err(format!("the account {} no longer exists", target.username))
                        }
                        Err(error) => return Err(from_device(error)),
                    }
                }
                Err(AccessError::Device(DeviceError::AuthenticationFailed { .. })) => Err(format!(
                    "a fresh login as {} with the new password was refused",
                    target.username
                )),
                Err(error @ AccessError::BudgetSpent { .. }) => Err(error.to_string()),
                // The device did not answer: the outcome stays unknown, try again later.
                Err(error) => return Err(from_access(error)),
            };
            if let Err(reason) = proof {
                return Err(self
                    .restore(session, job, device_job, device, &reason)
                    .await);
            }
            if target.username == device.device.login_user {
                context
                    .access
                    .remember(device, &reference.path, reference.version)
                    .await
                    .map_err(internal)?;
            }
        }
        Ok(())
    }

    async fn restore(
        &self,
        session: &Session,
        job: &ApplyJob,
        device_job: &DeviceJob,
        device: &DeviceRecord,
        reason: &str,
    ) -> Step {
        let context = &self.context;
        let nvue = Nvue::new(session);
        let hashes = match context.renderer.hashes(&job.previous).await {
            Ok(hashes) => hashes,
            Err(failure) => {
                return Step::Failed(
                    StageFailure::new(
                        ErrorCode::VerificationFailed,
                        format!(
                            "{reason}; the previous password could not be read to restore it: {}",
                            failure.message
                        ),
                    ),
                    Vec::new(),
                );
            }
        };
        let key = device.device.platform.password_key();
        for (user, hash) in &hashes {
            if let Err(error) = nvue
                .set_password_hash_and_apply(user, key, hash.as_crypt())
                .await
            {
                return Step::Failed(
                    StageFailure::new(
                        ErrorCode::VerificationFailed,
                        format!(
                            "{reason}; restoring the previous password of {user} failed: {error}"
                        ),
                    ),
                    Vec::new(),
                );
            }
        }
        if let Err(step) = self.write_mark(device_job, ApplyMark::Restored, None).await {
            return step;
        }
        let restored: Vec<&str> = hashes.iter().map(|(user, _)| user.as_str()).collect();
        Step::Failed(
            StageFailure::new(
                ErrorCode::VerificationFailed,
                format!(
                    "{reason}; the previous password was restored for {} through the open session",
                    restored.join(", ")
                ),
            ),
            job.previous.clone(),
        )
    }

    async fn report_applied(
        &self,
        job: &ApplyJob,
        device_job: &DeviceJob,
        attempt: u32,
        revision: Option<u64>,
    ) -> Result<(), Step> {
        let users: Vec<&str> = device_job
            .targets
            .iter()
            .map(|t| t.username.as_str())
            .collect();
        let display = match revision {
            Some(revision) => format!(
                "Applied revision {revision}; a fresh login with the new password succeeded for '{}'",
                users.join("', '")
            ),
            None => format!(
                "The change was already on the device; a fresh login with the new password succeeded for '{}'",
                users.join("', '")
            ),
        };
        self.context
            .reporter
            .succeeded(
                device_job,
                STAGE,
                attempt,
                display,
                &job.intended_config_version,
            )
            .await
            .map_err(internal)?;
        let backup = BackupJob {
            device: Some(device_job.clone()),
            intended_config_version: job.intended_config_version.clone(),
            trigger: "Workflow".into(),
            outcome: Some(DeviceOutcome {
                status: OperationState::Succeeded as i32,
                error: None,
                held: device_job.targets.clone(),
                applied: true,
            }),
        };
        self.context
            .bus
            .publish_job(
                JobKind::Backup,
                &device_job.fabric_id,
                &device_job.device_id,
                &device_job.operation_id,
                &backup,
            )
            .await
            .map_err(internal)?
            .await
            .map_err(internal)?;
        Ok(())
    }
}
