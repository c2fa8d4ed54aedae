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

#![warn(missing_docs)]

use std::collections::HashMap;

use rotor_bus::names::{self, keys};
use rotor_bus::{JobKind, kv};
use rotor_device::nvue::Nvue;
use rotor_pipeline::events::EventDetails;
use rotor_pipeline::records::DeviceRecord;
use rotor_pipeline::stage::{self, StageError, StageRun, StageWorker};
use rotor_pipeline::{StartError, WorkerConfig};
use rotor_proto::v1::{BackupInfo, BackupJob, DeviceJob, Stage, stage_event::Status};
use rotor_runtime::CancellationToken;

/// Runs the backup worker until `shutdown` is cancelled.
pub async fn run(config: WorkerConfig, shutdown: CancellationToken) -> Result<(), StartError> {
    stage::serve(config, shutdown, Backup).await
}

/// The backup worker's stage logic.
#[derive(Debug)]
pub struct Backup;

impl StageWorker for Backup {
    type Job = BackupJob;
    const KIND: JobKind = JobKind::Backup;
    const FIRST_STAGE: Stage = Stage::PerformBackup;

    fn device_job(job: &BackupJob) -> Option<&DeviceJob> {
        job.device.as_ref()
    }

    fn check_carried(
        job: &BackupJob,
        _device_job: &DeviceJob,
        device: &DeviceRecord,
    ) -> Result<(), String> {
        let held = job.outcome.iter().flat_map(|outcome| &outcome.held);
        rotor_pipeline::vouch::check_own_secrets(device, "held versions", held)
    }

    async fn work(&self, job: &BackupJob, run: &mut StageRun<'_>) -> Result<(), StageError> {
        run.set_intended_config_version(&job.intended_config_version);
        let outcome = job.outcome.clone().unwrap_or_default();
        // If the backup fails, the password part stands (held stays what the outcome says);
        // the device still counts as failed because its backup is missing.
        let info = back_up(run, job)
            .await
            .map_err(|error| error.holding(outcome.held.clone(), outcome.applied))?;
        let details = EventDetails {
            display: format!(
                "Backup {} stored ({} bytes, sha256 {})",
                info.name,
                info.size,
                &info.sha256[..16]
            ),
            intended_config_version: job.intended_config_version.clone(),
            outcome: Some(outcome),
            ..Default::default()
        };
        run.context
            .reporter
            .publish(
                run.job,
                Stage::PerformBackup,
                Status::Succeeded,
                run.attempt,
                details,
            )
            .await?;
        Ok(())
    }
}

/// Reads the running configuration and stores it with its index entry.
async fn back_up(run: &StageRun<'_>, job: &BackupJob) -> Result<BackupInfo, StageError> {
    let session = run.open(false).await?;
    let running = Nvue::new(session.session()).running_config().await;
    session.close().await;
    // NVUE masks hashes in `show`; redact anyway so no hash can reach a backup.
    let running = rotor_device::redact_hashes(&running?);
    let device_job = run.job;
    let (fabric, device, operation) = (
        &device_job.fabric_id,
        &device_job.device_id,
        &device_job.operation_id,
    );
    let info = BackupInfo {
        name: names::backup_object_name(fabric, device, operation),
        fabric_id: fabric.clone(),
        device_id: device.clone(),
        operation_id: operation.clone(),
        intended_config_version: job.intended_config_version.clone(),
        trigger: job.trigger.clone(),
        time: rotor_bus::now_rfc3339(),
        size: running.len() as u64,
        sha256: names::digest(&running),
    };
    store(run, &info, &running).await?;
    Ok(info)
}

/// Writes the backup object (metadata from `info`) and its index entry.
async fn store(run: &StageRun<'_>, info: &BackupInfo, running: &str) -> Result<(), StageError> {
    let metadata = HashMap::from([
        ("fabric".to_string(), info.fabric_id.clone()),
        ("device".to_string(), info.device_id.clone()),
        ("operation".to_string(), info.operation_id.clone()),
        (
            "intended-config-version".to_string(),
            info.intended_config_version.clone(),
        ),
        ("trigger".to_string(), info.trigger.clone()),
        ("time".to_string(), info.time.clone()),
    ]);
    let object = async_nats::jetstream::object_store::ObjectMetadata {
        name: info.name.clone(),
        description: Some(format!(
            "Running configuration of {} after operation {}",
            info.device_id, info.operation_id
        )),
        metadata,
        ..Default::default()
    };
    let topology = &run.context.topology;
    let mut reader = running.as_bytes();
    topology
        .backups
        .put(object, &mut reader)
        .await
        .map_err(|e| {
            StageError::internal(rotor_bus::with_limit_hint(
                rotor_bus::names::BACKUPS_OBJECT_STORE,
                e,
            ))
        })?;
    let key = keys::backup(&info.fabric_id, &info.device_id, &info.operation_id);
    kv::put_message(&topology.backup_index, &key, info).await?;
    Ok(())
}
