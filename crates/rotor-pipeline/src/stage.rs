//! The stage-worker abstraction: a stage service implements [`StageWorker`] with only its stage
//! logic; [`StageHandler`] is the one job handler every stage shares.
//!
//! In the spirit of axum handlers (and of systeminit/si's `naxum`): the stage body uses plain
//! `?` on access, device, bus and render errors, which all become a [`StageError`]; the handler
//! owns everything else once: the job without a device, the first stage's start event, the
//! device lookup, the retry-or-fail policy (retry while the error is retryable and attempts are
//! left, else report the failure on the last attempt), `fail_device`, and "could not publish,
//! deliver again". [`StageRun`] is what a stage body gets: the job, the device record, event
//! publishing for the stage it is in, the next job, and the device session (lock, login, close
//! and release on every path, see [`crate::access::DeviceSession`]).

use std::future::Future;

use rotor_bus::{BusError, JobKind};
use rotor_device::DeviceError;
use rotor_proto::v1::{
    BackupJob, DeviceJob, DeviceOutcome, ErrorCode, OperationState, SecretTarget, Stage,
};
use rotor_runtime::CancellationToken;
use rotor_runtime::worker::{self, Delivery, JobHandler, JobOutcome, Shield, ShieldGuard, backoff};

use crate::access::{AccessError, DeviceLock, DeviceSession};
use crate::context::{StartError, WorkerConfig, WorkerContext};
use crate::events::{FailedDevice, StageFailure};
use crate::records::{DeviceRecord, load_device};
use crate::render::RenderError;

/// How a stage ended early: the failure the device result carries, whether a later attempt
/// may succeed, and what the device is known to hold now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StageError {
    /// The stage it belongs to; `None`: the stage the job is in.
    pub stage: Option<Stage>,
    /// Code, message, offending lines.
    pub failure: StageFailure,
    /// Whether delivering the job again may help.
    pub retryable: bool,
    /// The versions the device is known to hold after the failure (empty: unknown/unchanged).
    pub held: Vec<SecretTarget>,
    /// Whether the device's configuration was changed (applied) before it failed.
    pub applied: bool,
}

impl StageError {
    /// A failure that delivering the job again would not mend.
    pub fn fail(code: ErrorCode, message: impl Into<String>) -> StageError {
        StageError::from_failure(StageFailure::new(code, message), false)
    }

    /// A failure worth another delivery.
    pub fn retry(code: ErrorCode, message: impl Into<String>) -> StageError {
        StageError::from_failure(StageFailure::new(code, message), true)
    }

    /// Something of Rotor's own (the bus, a bucket) went wrong: retried.
    pub fn internal(error: impl std::fmt::Display) -> StageError {
        StageError::retry(ErrorCode::InternalError, error.to_string())
    }

    /// A failure, retried or not.
    pub fn from_failure(failure: StageFailure, retryable: bool) -> StageError {
        StageError {
            stage: None,
            failure,
            retryable,
            held: Vec::new(),
            applied: false,
        }
    }

    /// The same failure, with what the device is known to hold.
    pub fn holding(mut self, held: Vec<SecretTarget>, applied: bool) -> StageError {
        self.held = held;
        self.applied = applied;
        self
    }
}

impl From<AccessError> for StageError {
    fn from(error: AccessError) -> StageError {
        let retryable = error.is_retryable();
        StageError::from_failure(error.failure(), retryable)
    }
}

impl From<DeviceError> for StageError {
    fn from(error: DeviceError) -> StageError {
        let retryable = error.is_retryable();
        StageError::from_failure(
            StageFailure::new(error.code(), error.to_string()),
            retryable,
        )
    }
}

impl From<BusError> for StageError {
    fn from(error: BusError) -> StageError {
        StageError::internal(error)
    }
}

impl From<RenderError> for StageError {
    fn from(error: RenderError) -> StageError {
        let retryable = error.is_retryable();
        StageError::from_failure(
            StageFailure::new(error.code(), error.to_string()),
            retryable,
        )
    }
}

/// What a stage service implements: its stage logic, nothing else.
pub trait StageWorker: Send + Sync + 'static {
    /// The job message it takes.
    type Job: prost::Message + Default + Send + 'static;
    /// The kind of job (and so the consumer) it takes.
    const KIND: JobKind;
    /// The stage the job starts in (its start event is published before the body runs).
    const FIRST_STAGE: Stage;

    /// The device part of the job.
    fn device_job(job: &Self::Job) -> Option<&DeviceJob>;

    /// Checks what the job carries besides its device part (which [`crate::vouch::check_job`]
    /// checks against the plan) against the device's record; `Err` refuses the job.
    fn check_carried(
        _job: &Self::Job,
        _device_job: &DeviceJob,
        _device: &DeviceRecord,
    ) -> Result<(), String> {
        Ok(())
    }

    /// Runs the stage(s) for one delivery. Must be safe to run again for the same job.
    fn work(
        &self,
        job: &Self::Job,
        run: &mut StageRun<'_>,
    ) -> impl Future<Output = Result<(), StageError>> + Send;
}

/// Runs a stage worker until `shutdown` is cancelled.
pub async fn serve<W: StageWorker>(
    config: WorkerConfig,
    shutdown: CancellationToken,
    worker: W,
) -> Result<(), StartError> {
    let context = WorkerContext::connect(config).await?;
    let options = context.config.worker_options();
    let bus = context.bus.clone();
    worker::run(bus, StageHandler { worker, context }, options, shutdown).await?;
    Ok(())
}

/// The job handler every stage worker shares.
#[derive(Debug)]
pub struct StageHandler<W> {
    /// The stage logic.
    pub worker: W,
    /// Connections and helpers.
    pub context: WorkerContext,
}

impl<W: StageWorker> JobHandler for StageHandler<W> {
    type Job = W::Job;

    fn kind(&self) -> JobKind {
        W::KIND
    }

    async fn handle(&self, job: W::Job, delivery: Delivery) -> JobOutcome {
        let Some(device_job) = W::device_job(&job) else {
            tracing::warn!(kind = W::KIND.token(), "a job without a device was dropped");
            return JobOutcome::Done;
        };
        let attempt = delivery.attempt;
        let device = match self.vouch(&job, device_job).await {
            Ok(Ok(device)) => device,
            Ok(Err(reason)) => {
                tracing::warn!(
                    kind = W::KIND.token(),
                    operation = ?device_job.operation_id,
                    fabric = ?device_job.fabric_id,
                    device = ?device_job.device_id,
                    %reason,
                    "refused a job its operation does not vouch for; nothing was done"
                );
                self.context.audit.record(rotor_bus::audit::AuditRecord {
                    channel: rotor_bus::audit::channel::BUS.into(),
                    verb: rotor_bus::audit::FORGED_JOB.into(),
                    fabric_id: device_job.fabric_id.clone(),
                    device_ids: vec![device_job.device_id.clone()],
                    operation_id: device_job.operation_id.clone(),
                    outcome: rotor_bus::audit::REFUSED.into(),
                    code: "PermissionDenied".into(),
                    message: format!(
                        "refused a {} job its operation does not vouch for, nothing was done: {reason}; its publisher is not known (the jobs stream keeps none): a NATS user allowed to publish {} jobs",
                        W::KIND.token(),
                        W::KIND.token()
                    ),
                    ..Default::default()
                });
                return JobOutcome::Done;
            }
            Err(error) => {
                tracing::warn!(%error, "could not check the job against its operation; it will be delivered again");
                return JobOutcome::RetryLater(backoff(attempt));
            }
        };
        let mut stage = W::FIRST_STAGE;
        let mut intended_config_version = String::new();
        let error = match self
            .execute(
                &job,
                device_job,
                device,
                (attempt, delivery.shield.clone()),
                &mut stage,
                &mut intended_config_version,
            )
            .await
        {
            Ok(()) => return JobOutcome::Done,
            Err(error) => error,
        };
        let stage = error.stage.unwrap_or(stage);
        let failure = &error.failure;
        let device = &device_job.device_id;
        if error.retryable && !delivery.is_last_attempt() {
            tracing::info!(%device, stage = stage.as_str_name(), code = ?failure.code, %failure.message, attempt, "will retry");
            return JobOutcome::RetryLater(backoff(attempt));
        }
        tracing::info!(%device, stage = stage.as_str_name(), code = ?failure.code, %failure.message, attempt, "device failed");
        let failed = FailedDevice {
            stage,
            failure,
            held: error.held.clone(),
            applied: error.applied,
            intended_config_version,
        };
        match self
            .context
            .reporter
            .fail_device(device_job, attempt, failed)
            .await
        {
            Ok(()) => JobOutcome::Done,
            Err(error) => {
                tracing::warn!(%error, "could not publish; the job will be delivered again");
                JobOutcome::RetryLater(backoff(attempt))
            }
        }
    }
}

impl<W: StageWorker> StageHandler<W> {
    /// The job's device record, if the operation's plan and the record vouch for the job
    /// (`Ok(Err)`: the reason it is refused); see [`crate::vouch`].
    async fn vouch(
        &self,
        job: &W::Job,
        device_job: &DeviceJob,
    ) -> Result<Result<Option<DeviceRecord>, String>, BusError> {
        let topology = &self.context.topology;
        let plan = self
            .context
            .plans
            .get(&topology.operations, &device_job.operation_id)
            .await?;
        let device = match &plan {
            // Only a device the plan lists is looked up.
            Some(plan) if plan.covers(&device_job.device_id) => {
                load_device(topology, &device_job.fabric_id, &device_job.device_id).await?
            }
            _ => None,
        };
        let checked =
            crate::vouch::check_job(plan.as_deref(), device.as_ref(), device_job, W::KIND)
                .and_then(|()| match &device {
                    Some(device) => W::check_carried(job, device_job, device),
                    None => Ok(()),
                });
        Ok(checked.map(|()| device))
    }

    async fn execute(
        &self,
        job: &W::Job,
        device_job: &DeviceJob,
        device: Option<DeviceRecord>,
        (attempt, shield): (u32, Shield),
        stage: &mut Stage,
        intended_config_version: &mut String,
    ) -> Result<(), StageError> {
        let context = &self.context;
        context
            .reporter
            .started(device_job, W::FIRST_STAGE, attempt)
            .await?;
        let device = device.ok_or_else(|| {
            StageError::fail(
                ErrorCode::OperationNotAllowed,
                format!(
                    "{} is not in the inventory of {}",
                    device_job.device_id, device_job.fabric_id
                ),
            )
        })?;
        let mut run = StageRun {
            context,
            job: device_job,
            device,
            attempt,
            stage: W::FIRST_STAGE,
            intended_config_version: String::new(),
            shield,
        };
        let result = self.worker.work(job, &mut run).await;
        *stage = run.stage;
        *intended_config_version = run.intended_config_version;
        result
    }
}

/// What a stage body works with: the job, its device, and the stage it is in.
#[derive(Debug)]
pub struct StageRun<'a> {
    /// Connections and helpers.
    pub context: &'a WorkerContext,
    /// The device part of the job.
    pub job: &'a DeviceJob,
    /// The device, as imported.
    pub device: DeviceRecord,
    /// 1 on the first delivery.
    pub attempt: u32,
    stage: Stage,
    intended_config_version: String,
    shield: Shield,
}

impl StageRun<'_> {
    /// Enters a part of the job that a graceful shutdown lets finish (see
    /// [`rotor_runtime::worker::Shield`]); it lasts while the guard lives.
    pub fn shield(&self) -> ShieldGuard {
        self.shield.raise()
    }

    /// The stage the job is in (failures without a stage of their own belong to it).
    pub fn stage(&self) -> Stage {
        self.stage
    }

    /// The intended configuration version this job works with (events carry it).
    pub fn set_intended_config_version(&mut self, version: &str) {
        version.clone_into(&mut self.intended_config_version);
    }

    /// Enters `stage`: publishes its start.
    pub async fn begin(&mut self, stage: Stage) -> Result<(), StageError> {
        self.stage = stage;
        self.context
            .reporter
            .started(self.job, stage, self.attempt)
            .await?;
        Ok(())
    }

    /// The current stage succeeded, with its display text.
    pub async fn succeeded(&self, display: impl Into<String>) -> Result<(), StageError> {
        self.context
            .reporter
            .succeeded(
                self.job,
                self.stage,
                self.attempt,
                display,
                &self.intended_config_version,
            )
            .await?;
        Ok(())
    }

    /// A later stage is not needed (e.g. apply after an empty diff).
    pub async fn skipped(&self, stage: Stage, display: &str) -> Result<(), StageError> {
        self.context
            .reporter
            .skipped(self.job, stage, self.attempt, display)
            .await?;
        Ok(())
    }

    /// Ends a plan's device after its diff with `verdict` (see `Reporter::end_plan`).
    pub async fn end_plan(
        &self,
        verdict: rotor_proto::v1::PlanVerdict,
        display: &str,
    ) -> Result<(), StageError> {
        self.context
            .reporter
            .end_plan(self.job, self.attempt, verdict, display)
            .await?;
        Ok(())
    }

    /// Publishes the device's next job and waits until the jobs stream stored it.
    pub async fn publish_next(
        &self,
        kind: JobKind,
        next: &impl prost::Message,
    ) -> Result<(), StageError> {
        let job = self.job;
        self.context
            .bus
            .publish_job(
                kind,
                &job.fabric_id,
                &job.device_id,
                &job.operation_id,
                next,
            )
            .await?
            .await
            .map_err(StageError::internal)?;
        Ok(())
    }

    /// The backup job that ends a device's part in the operation, with its outcome: the device
    /// succeeded and holds `held`.
    pub fn backup_job(&self, held: Vec<SecretTarget>, applied: bool) -> BackupJob {
        BackupJob {
            device: Some(self.job.clone()),
            intended_config_version: self.intended_config_version.clone(),
            trigger: "Workflow".into(),
            outcome: Some(DeviceOutcome {
                status: OperationState::Succeeded as i32,
                error: None,
                held,
                applied,
                verdict: 0,
            }),
        }
    }

    /// Drops the device's pending candidate; a failure is logged with the device (the stage's
    /// outcome stands, but the device is not left as found).
    pub async fn detach(&self, nvue: &rotor_device::nvue::Nvue<'_>) {
        if let Err(error) = nvue.detach().await {
            tracing::warn!(device = %self.job.device_id, %error, "could not detach the candidate; the device keeps a pending revision");
        }
    }

    /// Refuses a change on the device unless the operation still holds its fabric lock (the
    /// job's fence): an operation that ended or timed out, or whose lock someone else took,
    /// changes nothing any more (`NotAttempted`).
    pub async fn check_fence(&self) -> Result<(), StageError> {
        if self.job.fence.is_empty() {
            return Ok(());
        }
        let lock = rotor_bus::lease::current(
            &self.context.topology.leases,
            &rotor_bus::names::keys::fabric_lock(&self.job.fabric_id),
            rotor_bus::lease::now_unix_ms(),
        )
        .await?;
        if lock.is_some_and(|lock| lock.lease_id == self.job.fence) {
            return Ok(());
        }
        Err(StageError::fail(
            ErrorCode::NotAttempted,
            format!(
                "operation {} no longer holds fabric {}'s lock (it ended, timed out, or another holder took the lock); nothing was changed on {}",
                self.job.operation_id, self.job.fabric_id, self.job.device_id
            ),
        ))
    }

    /// Makes the device's startup configuration carry what is applied of the target users'
    /// passwords, so a reboot keeps them: saves (`nv config save`) unless
    /// `nv config diff applied startup` shows no password change of theirs, then checks again.
    /// With `unsaved` (the apply said it did not save), saves without asking first. NVOS applies
    /// without saving; so do Cumulus switches with auto-save off (5.8 and earlier by default).
    pub async fn ensure_saved(
        &self,
        nvue: &rotor_device::nvue::Nvue<'_>,
        unsaved: bool,
    ) -> Result<(), StageError> {
        let users: Vec<String> = self
            .job
            .targets
            .iter()
            .map(|t| t.username.clone())
            .collect();
        let keys = ["password", "hashed-password"];
        let lacks = |lines: &[String]| {
            lines
                .iter()
                .any(|line| rotor_device::diff::is_password_line(line, &users, &keys))
        };
        if !unsaved && !lacks(&nvue.unsaved_changes().await?) {
            return Ok(());
        }
        self.check_fence().await?;
        nvue.save().await?;
        if lacks(&nvue.unsaved_changes().await?) {
            return Err(StageError::retry(
                ErrorCode::ConfigApplyFailure,
                format!(
                    "{} saved its configuration, but the startup configuration still lacks the new password; a reboot would bring the old one back",
                    self.job.device_id
                ),
            ));
        }
        Ok(())
    }

    /// Takes the device's lock (see [`crate::DeviceAccess::lock_device`]).
    pub async fn lock(&self) -> Result<DeviceLock, StageError> {
        let job = crate::access::job_identity(&self.job.operation_id, &self.job.device_id);
        Ok(self
            .context
            .access
            .lock_device_for(&self.device, Some(&job))
            .await?)
    }

    /// Takes the device's lock and logs in; with `targets_first`, the versions being pushed are
    /// tried first.
    pub async fn open(&self, targets_first: bool) -> Result<DeviceSession, StageError> {
        let lock = self.lock().await?;
        self.open_locked(lock, targets_first).await
    }

    /// Logs in to the device whose lock is `lock`.
    pub async fn open_locked(
        &self,
        lock: DeviceLock,
        targets_first: bool,
    ) -> Result<DeviceSession, StageError> {
        Ok(self
            .context
            .access
            .open_locked(lock, &self.device, &self.job.targets, targets_first)
            .await?)
    }
}
