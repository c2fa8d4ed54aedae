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

#![warn(missing_docs)]

use rotor_bus::names::keys;
use rotor_bus::{JobKind, kv};
use rotor_device::diff::{self, DiffClass};
use rotor_device::nvue::{self, Nvue};
use rotor_pipeline::marks;
use rotor_pipeline::records::DeviceRecord;
use rotor_pipeline::stage::{self, StageError, StageRun, StageWorker};
use rotor_pipeline::{Rendered, StageFailure, StartError, WorkerConfig};
use rotor_proto::v1::{ApplyJob, DeviceJob, DeviceStatus, DiffJob, ErrorCode, SecretTarget, Stage};
use rotor_runtime::CancellationToken;

/// Runs the differ until `shutdown` is cancelled.
pub async fn run(config: WorkerConfig, shutdown: CancellationToken) -> Result<(), StartError> {
    stage::serve(config, shutdown, Differ).await
}

/// The differ's stage logic.
#[derive(Debug)]
pub struct Differ;

impl StageWorker for Differ {
    type Job = DiffJob;
    const KIND: JobKind = JobKind::Diff;
    const FIRST_STAGE: Stage = Stage::LoadIntendedConfiguration;

    fn device_job(job: &DiffJob) -> Option<&DeviceJob> {
        job.device.as_ref()
    }

    async fn work(&self, _job: &DiffJob, run: &mut StageRun<'_>) -> Result<(), StageError> {
        let rendered = load(run).await?;
        run.begin(Stage::PerformConfigurationDiff).await?;
        validate(&run.device, run.job)
            .map_err(|failure| StageError::from_failure(failure, false))?;
        let Some(candidate) = candidate_diff(run, &rendered).await? else {
            return Ok(());
        };
        let users: Vec<String> = run.job.targets.iter().map(|t| t.username.clone()).collect();
        match diff::classify(&candidate.lines, &users) {
            DiffClass::Invalid { offending_lines } => {
                let mut failure = StageFailure::new(
                    ErrorCode::DiffValidationError,
                    format!(
                        "Diff contains non-password changes; nothing was applied. Offending lines: {}",
                        offending_lines.join(" | ")
                    ),
                );
                failure.offending_lines = offending_lines;
                Err(StageError::from_failure(failure, false))
            }
            DiffClass::Empty => {
                run.succeeded(diff::NO_DIFF_DISPLAY).await?;
                run.skipped(Stage::ApplyConfiguration, diff::NO_DIFF_DISPLAY)
                    .await?;
                let backup = run.backup_job(run.job.targets.clone(), false);
                hand_on(run, JobKind::Backup, &backup).await
            }
            DiffClass::PasswordOnly => {
                run.succeeded(diff::auto_approved_display(&users)).await?;
                let apply = ApplyJob {
                    device: Some(run.job.clone()),
                    intended_config_version: rendered.intended_config_version.clone(),
                    approved_diff: candidate.lines,
                    running_config_fingerprint: nvue::fingerprint(&candidate.running),
                    previous: previous_versions(run).await?,
                };
                hand_on(run, JobKind::Apply, &apply).await
            }
        }
    }
}

/// Stage `load_intended_configuration`: the intended configuration with the target hashes.
async fn load(run: &mut StageRun<'_>) -> Result<Rendered, StageError> {
    rotor_pipeline::access::refuse_unless_enabled(&run.device)?;
    let context = run.context;
    let rendered = context
        .renderer
        .render(&context.topology, &run.device, &run.job.targets)
        .await?;
    run.set_intended_config_version(&rendered.intended_config_version);
    run.succeeded(format!(
        "Loaded intended configuration {}",
        rendered.intended_config_version
    ))
    .await?;
    Ok(rendered)
}

/// What the device said about the rendered configuration.
struct Candidate {
    running: String,
    lines: Vec<String>,
}

/// Loads the rendered configuration as the device's candidate and reads its diff, leaving the
/// device as found (the candidate detached). `None`: a redelivered job whose diff already led
/// somewhere (after an apply the diff is empty, and reporting that would contradict what
/// happened).
async fn candidate_diff(
    run: &StageRun<'_>,
    rendered: &Rendered,
) -> Result<Option<Candidate>, StageError> {
    let lock = run.lock().await?;
    if marks::diff_done(&run.context.topology, run.job).await? {
        tracing::info!(device = %run.job.device_id, "the diff of this operation was already done");
        lock.release().await;
        return Ok(None);
    }
    let session = run.open_locked(lock, false).await?;
    let nvue = Nvue::new(session.session());
    let running = nvue.running_config().await?;
    let lines = nvue.diff_candidate(&rendered.yaml).await;
    run.detach(&nvue).await;
    session.close().await;
    Ok(Some(Candidate {
        running,
        lines: lines?,
    }))
}

/// Publishes the device's next job, then marks the diff done.
async fn hand_on(
    run: &StageRun<'_>,
    kind: JobKind,
    next: &impl prost::Message,
) -> Result<(), StageError> {
    run.publish_next(kind, next).await?;
    marks::record_diff(&run.context.topology, run.job).await?;
    Ok(())
}

/// The versions the device holds now, per target user: from its status, else the version
/// before the target.
async fn previous_versions(run: &StageRun<'_>) -> Result<Vec<SecretTarget>, StageError> {
    let (job, context) = (run.job, run.context);
    let status = kv::get_message::<DeviceStatus>(
        &context.topology.device_status,
        &keys::device(&job.fabric_id, &job.device_id),
    )
    .await?
    .map(|v| v.value)
    .unwrap_or_default();
    let secrets = &context.access.secrets;
    let mount = &run.device.secrets_mount;
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
            None => secrets
                .previous_version(mount, &reference.path, reference.version)
                .await
                .map_err(StageError::internal)?
                .map(|version| secrets.reference(mount, &reference.path, version)),
        };
        previous.extend(held.map(|held| SecretTarget {
            secret_type: target.secret_type.clone(),
            username: target.username.clone(),
            reference: Some(held),
        }));
    }
    Ok(previous)
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
