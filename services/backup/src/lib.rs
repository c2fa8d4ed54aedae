//! The backup worker: stage `perform_backup`.
//!
//! After an apply, and also after an empty diff, it reads the device's running configuration
//! (`nv config show -o yaml`, in which NVUE masks every password hash) and stores it in the
//! `rotor_backups` object store as `<fabric>/<device>/<operation>`, tagged with the intended
//! configuration version, the operation id and the trigger, with an index entry per backup so
//! older backups stay listable. Its stage event is the device's last in the operation and
//! carries the device's outcome.
//!
//! A redelivered job writes the same object again (same name, same content): idempotent.

use std::collections::HashMap;

use rotor_bus::{JobKind, kv, names};
use rotor_device::nvue::Nvue;
use rotor_pipeline::events::EventDetails;
use rotor_pipeline::records::load_device;
use rotor_pipeline::{StageFailure, StartError, WorkerConfig, WorkerContext};
use rotor_proto::v1::{
    BackupInfo, BackupJob, DeviceJob, DeviceOutcome, ErrorCode, OperationState, Stage,
    stage_event::Status,
};
use rotor_runtime::CancellationToken;
use rotor_runtime::worker::{self, Delivery, JobHandler, JobOutcome, backoff};

/// Runs the backup worker until `shutdown` is cancelled.
pub async fn run(config: WorkerConfig, shutdown: CancellationToken) -> Result<(), StartError> {
    let context = WorkerContext::connect(config).await?;
    let options = context.config.worker_options();
    worker::run(context.bus.clone(), Backup { context }, options, shutdown).await?;
    Ok(())
}

/// The backup worker's job handler.
#[derive(Debug)]
pub struct Backup {
    pub context: WorkerContext,
}

/// The object name of a device's backup in one operation.
pub fn object_name(fabric_id: &str, device_id: &str, operation_id: &str) -> String {
    format!("{fabric_id}/{device_id}/{operation_id}")
}

const STAGE: Stage = Stage::PerformBackup;

impl JobHandler for Backup {
    type Job = BackupJob;

    fn kind(&self) -> JobKind {
        JobKind::Backup
    }

    async fn handle(&self, job: BackupJob, delivery: Delivery) -> JobOutcome {
        let Some(device_job) = job.device.clone() else {
            tracing::warn!("a backup job without a device was dropped");
            return JobOutcome::Done;
        };
        let attempt = delivery.attempt;
        let reporter = &self.context.reporter;
        if let Err(error) = reporter.started(&device_job, STAGE, attempt).await {
            tracing::warn!(%error, "could not publish");
            return JobOutcome::RetryLater(backoff(attempt));
        }
        let outcome = job.outcome.clone().unwrap_or_default();
        let (status, details) = match Box::pin(self.back_up(&job, &device_job)).await {
            Ok(info) => (
                Status::Succeeded,
                EventDetails {
                    display: format!(
                        "Backup {} stored ({} bytes, sha256 {})",
                        info.name,
                        info.size,
                        &info.sha256[..16]
                    ),
                    intended_config_version: job.intended_config_version.clone(),
                    outcome: Some(outcome),
                    ..Default::default()
                },
            ),
            Err((failure, retryable)) if retryable && !delivery.is_last_attempt() => {
                tracing::info!(device = %device_job.device_id, %failure.message, attempt, "will retry");
                return JobOutcome::RetryLater(backoff(attempt));
            }
            Err((failure, _)) => {
                // The password part stands (held stays what the outcome says); the device still
                // counts as failed because its backup is missing.
                let outcome = DeviceOutcome {
                    status: OperationState::Failed as i32,
                    error: Some(failure.error()),
                    ..outcome
                };
                (
                    Status::Failed,
                    EventDetails {
                        display: failure.message.clone(),
                        error: Some(failure.error()),
                        intended_config_version: job.intended_config_version.clone(),
                        outcome: Some(outcome),
                        ..Default::default()
                    },
                )
            }
        };
        match reporter
            .publish(&device_job, STAGE, status, attempt, details)
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

impl Backup {
    async fn back_up(
        &self,
        job: &BackupJob,
        device_job: &DeviceJob,
    ) -> Result<BackupInfo, (StageFailure, bool)> {
        let context = &self.context;
        let internal = |e: &dyn std::fmt::Display| {
            (
                StageFailure::new(ErrorCode::InternalError, e.to_string()),
                true,
            )
        };
        let device = load_device(
            &context.topology,
            &device_job.fabric_id,
            &device_job.device_id,
        )
        .await
        .map_err(|e| internal(&e))?
        .ok_or_else(|| {
            (
                StageFailure::new(
                    ErrorCode::OperationNotAllowed,
                    "the device left the inventory",
                ),
                false,
            )
        })?;
        let access = |error: rotor_pipeline::AccessError| {
            let retryable = error.is_retryable();
            (error.failure(), retryable)
        };
        // Held until the session is closed; released on drop on every early return.
        let lock = context.access.lock_device(&device).await.map_err(access)?;
        let session = context
            .access
            .connect(&device, &device_job.targets)
            .await
            .map_err(access)?;
        let running = Nvue::new(&session).running_config().await;
        session.close().await;
        lock.release().await;
        let running = running.map_err(|error| {
            let retryable = error.is_retryable();
            (
                StageFailure::new(error.code(), error.to_string()),
                retryable,
            )
        })?;
        // NVUE masks hashes in `show`; redact anyway so no hash can reach a backup.
        let running = rotor_device::redact_hashes(&running);

        let name = object_name(
            &device_job.fabric_id,
            &device_job.device_id,
            &device_job.operation_id,
        );
        let time = rotor_bus::now_rfc3339();
        let sha256 = rotor_bus::names::digest_key(&running);
        let metadata = HashMap::from([
            ("fabric".to_string(), device_job.fabric_id.clone()),
            ("device".to_string(), device_job.device_id.clone()),
            ("operation".to_string(), device_job.operation_id.clone()),
            (
                "intended-config-version".to_string(),
                job.intended_config_version.clone(),
            ),
            ("trigger".to_string(), job.trigger.clone()),
            ("time".to_string(), time.clone()),
        ]);
        let object = async_nats::jetstream::object_store::ObjectMetadata {
            name: name.clone(),
            description: Some(format!(
                "Running configuration of {} after operation {}",
                device_job.device_id, device_job.operation_id
            )),
            metadata,
            ..Default::default()
        };
        let mut reader = running.as_bytes();
        context
            .topology
            .backups
            .put(object, &mut reader)
            .await
            .map_err(|e| internal(&e))?;
        let info = BackupInfo {
            name,
            fabric_id: device_job.fabric_id.clone(),
            device_id: device_job.device_id.clone(),
            operation_id: device_job.operation_id.clone(),
            intended_config_version: job.intended_config_version.clone(),
            trigger: job.trigger.clone(),
            time,
            size: running.len() as u64,
            sha256,
        };
        kv::put_message(
            &context.topology.backup_index,
            &names::key(&[
                &device_job.fabric_id,
                &device_job.device_id,
                &device_job.operation_id,
            ]),
            &info,
        )
        .await
        .map_err(|e| internal(&e))?;
        Ok(info)
    }
}
