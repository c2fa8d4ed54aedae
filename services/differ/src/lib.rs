//! The differ: stages `load_intended_configuration` and `perform_configuration_diff`.
//!
//! For each device job it renders the intended configuration, validates platform and password
//! mappings, loads the rendered configuration on the device as a candidate, reads the device's
//! diff and classifies it:
//! - nothing to change: "No password changes needed, no diff." — apply is skipped (the device's
//!   startup configuration is saved first if it lacks the passwords), the backup job follows;
//! - password-only for the target users: auto-approved, an apply job follows carrying the
//!   approved lines, the users whose password changes and a fingerprint of the running
//!   configuration;
//! - anything else: `DiffValidationError` with the offending lines; nothing is applied.
//!
//! On Cumulus Linux the rendering carries the targets' hashes, so the diff is the change. On
//! NVOS, whose `password` field takes a plaintext it hashes itself, the rendering leaves the
//! mapped users' password fields out (a drift check of everything else) and the users that
//! change are those whose target version does not log in (see `nvos_verdict`).
//!
//! The candidate is detached again before the session closes, so the device is left as found.

#![warn(missing_docs)]

use rotor_bus::names::keys;
use rotor_bus::{JobKind, kv};
use rotor_device::DeviceError;
use rotor_device::diff::{self, DiffClass};
use rotor_device::nvue::{self, Nvue};
use rotor_inventory::Platform;
use rotor_pipeline::marks;
use rotor_pipeline::records::DeviceRecord;
use rotor_pipeline::stage::{self, StageError, StageRun, StageWorker};
use rotor_pipeline::{
    AccessError, DeviceSession, Rendered, StageFailure, StartError, WorkerConfig,
};
use rotor_proto::v1::{
    ApplyJob, DeviceJob, DeviceStatus, DiffJob, ErrorCode, PlanVerdict, RotationKind, SecretTarget,
    Stage, SynchronizationStatus,
};
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
        let (rendered, others) = load(run).await?;
        run.begin(Stage::PerformConfigurationDiff).await?;
        validate(&run.device, run.job)
            .map_err(|failure| StageError::from_failure(failure, false))?;
        let lock = run.lock().await?;
        // A redelivered job whose diff already led somewhere must not diff again: after an
        // apply the diff is empty, and reporting that would contradict what happened.
        if marks::diff_done(&run.context.topology, run.job).await? {
            tracing::info!(device = %run.job.device_id, "the diff of this operation was already done");
            lock.release().await;
            return Ok(());
        }
        let session = run.open_locked(lock, false).await?;
        let verdict = diff_on(run, &session, &rendered).await;
        session.close().await;
        let users: Vec<String> = run.job.targets.iter().map(|t| t.username.clone()).collect();
        match verdict? {
            Verdict::Invalid(offending_lines) => {
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
            Verdict::NoChange if run.job.plan => {
                run.succeeded(diff::NO_DIFF_DISPLAY).await?;
                run.end_plan(PlanVerdict::NoChange, diff::NO_DIFF_DISPLAY)
                    .await
            }
            Verdict::Change { .. } if run.job.plan => {
                let display = diff::auto_approved_display(&users);
                run.succeeded(display.clone()).await?;
                run.end_plan(PlanVerdict::WouldChange, &display).await
            }
            Verdict::NoChange => {
                run.succeeded(diff::NO_DIFF_DISPLAY).await?;
                run.skipped(Stage::ApplyConfiguration, diff::NO_DIFF_DISPLAY)
                    .await?;
                let backup = run.backup_job(run.job.targets.clone(), false);
                hand_on(run, JobKind::Backup, &backup).await
            }
            Verdict::Change {
                lines,
                changing_users,
                fingerprint,
            } => {
                run.succeeded(diff::auto_approved_display(&users)).await?;
                let apply = ApplyJob {
                    device: Some(run.job.clone()),
                    intended_config_version: rendered.intended_config_version.clone(),
                    approved_diff: lines,
                    running_config_fingerprint: fingerprint,
                    previous: previous_versions(run).await?,
                    changing_users,
                    others,
                };
                hand_on(run, JobKind::Apply, &apply).await
            }
        }
    }
}

/// Stage `load_intended_configuration`: the intended configuration with the target hashes.
async fn load(run: &mut StageRun<'_>) -> Result<(Rendered, Vec<SecretTarget>), StageError> {
    rotor_pipeline::access::refuse_unless_enabled(&run.device)?;
    let context = run.context;
    let others = other_users(run).await?;
    let renderer = &context.renderer;
    let (topology, targets) = (&context.topology, &run.job.targets);
    let rendered = if plans_a_rotation(run.job) {
        renderer
            .render_throwaway(topology, &run.device, targets, &others)
            .await?
    } else {
        renderer
            .render(topology, &run.device, targets, &others)
            .await?
    };
    run.set_intended_config_version(&rendered.intended_config_version);
    run.succeeded(format!(
        "Loaded intended configuration {}",
        rendered.intended_config_version
    ))
    .await?;
    Ok((rendered, others))
}

/// The device's mapped users that are not rotated now, at the versions they hold (from its
/// status): the rendering fills their passwords in too, so a rotation of one user of a device
/// with several diffs only that user. A user whose version is not known is left as the
/// intended configuration has it.
async fn other_users(run: &StageRun<'_>) -> Result<Vec<SecretTarget>, StageError> {
    let status = device_status(run).await?;
    let device = &run.device;
    let others = device
        .device
        .password_mappings
        .iter()
        .filter(|m| !run.job.targets.iter().any(|t| t.username == m.username))
        .filter_map(|mapping| {
            let path = mapping.resolved_path(&device.fabric_id, &device.device.id);
            let reference = status
                .secrets
                .iter()
                .filter(|s| s.username == mapping.username)
                .find_map(|s| s.secret_archive_reference.clone())
                .filter(|r| r.path == path && r.version > 0)?;
            Some(SecretTarget {
                secret_type: mapping.secret_type.clone(),
                username: mapping.username.clone(),
                reference: Some(reference),
            })
        })
        .collect();
    Ok(others)
}

/// What the diff stage concluded.
enum Verdict {
    /// Something other than the target users' passwords differs: the offending lines.
    Invalid(Vec<String>),
    /// The device holds every target already (and has it saved).
    NoChange,
    /// A password-only change, approved.
    Change {
        /// The candidate's diff (Cumulus; NVOS's change is sent separately).
        lines: Vec<String>,
        /// The target users whose password changes.
        changing_users: Vec<String>,
        /// Of the running configuration the diff was made against.
        fingerprint: String,
    },
}

/// Loads the rendered configuration as the device's candidate, reads its diff and leaves the
/// device as found (the candidate detached); on no change, makes sure it is saved.
async fn diff_on(
    run: &StageRun<'_>,
    session: &DeviceSession,
    rendered: &Rendered,
) -> Result<Verdict, StageError> {
    let nvue = Nvue::new(session.session());
    let running = nvue.running_config().await?;
    let lines = nvue.diff_candidate(&rendered.yaml).await;
    run.detach(&nvue).await;
    let lines = lines?;
    let fingerprint = nvue::fingerprint(&running);
    let verdict = if run.device.device.platform == Platform::Nvos {
        nvos_verdict(run, session, lines, fingerprint).await?
    } else {
        cumulus_verdict(run, lines, fingerprint)
    };
    // A plan leaves the device exactly as found: not even a save.
    if let Verdict::NoChange = verdict
        && !run.job.plan
    {
        run.ensure_saved(&nvue, false).await?;
    }
    Ok(verdict)
}

/// Cumulus: the rendered configuration carries the targets' hashes, so the diff is the change.
fn cumulus_verdict(run: &StageRun<'_>, lines: Vec<String>, fingerprint: String) -> Verdict {
    let users: Vec<String> = run.job.targets.iter().map(|t| t.username.clone()).collect();
    let keys = diff::password_keys(&run.device.device.platform);
    match diff::classify(&lines, &users, keys) {
        DiffClass::Invalid { offending_lines } => Verdict::Invalid(offending_lines),
        DiffClass::Empty => Verdict::NoChange,
        DiffClass::PasswordOnly => Verdict::Change {
            changing_users: diff::changed_users(&lines),
            lines,
            fingerprint,
        },
    }
}

/// NVOS: the drift check leaves the mapped users' password fields out (so those lines are
/// expected); which targets change is known from the logins: the login user's from the version
/// that logged this session in, the others' from their status or, in a resync, a login.
async fn nvos_verdict(
    run: &StageRun<'_>,
    session: &DeviceSession,
    lines: Vec<String>,
    fingerprint: String,
) -> Result<Verdict, StageError> {
    let mapped: Vec<String> = run
        .device
        .device
        .password_mappings
        .iter()
        .map(|m| m.username.clone())
        .collect();
    let keys = diff::password_keys(&Platform::Nvos);
    if let DiffClass::Invalid { offending_lines } = diff::classify(&lines, &mapped, keys) {
        return Ok(Verdict::Invalid(offending_lines));
    }
    let mut changing_users = Vec::new();
    for target in &run.job.targets {
        // A plan of a rotation stands for a new password: every target would change.
        if plans_a_rotation(run.job) || !holds(run, session, target).await? {
            changing_users.push(target.username.clone());
        }
    }
    if changing_users.is_empty() {
        return Ok(Verdict::NoChange);
    }
    Ok(Verdict::Change {
        lines: Vec::new(),
        changing_users,
        fingerprint,
    })
}

/// Whether an NVOS device holds `target` already.
async fn holds(
    run: &StageRun<'_>,
    session: &DeviceSession,
    target: &SecretTarget,
) -> Result<bool, StageError> {
    let version = target.reference.as_ref().map_or(0, |r| r.version);
    if target.username == run.device.device.login_user {
        return Ok(session.login_version() == version);
    }
    let status = device_status(run).await?;
    let in_sync = status.secrets.iter().any(|s| {
        s.username == target.username
            && s.synchronization_status == SynchronizationStatus::InSync as i32
            && s.secret_archive_reference.as_ref().map(|r| r.version) == Some(version)
    });
    let is_resync = matches!(
        RotationKind::try_from(run.job.kind),
        Ok(RotationKind::FabricResyncPassword | RotationKind::DeviceResyncPassword)
    );
    // A rotation's version is new: no device can hold it yet. A resync's may be held already,
    // and NVOS refuses to set a password it had among its last ones: find out with a login.
    if in_sync || !is_resync {
        return Ok(in_sync);
    }
    let context = run.context;
    let (_, password) = context
        .renderer
        .passwords(std::slice::from_ref(target))
        .await?
        .pop()
        .expect("one target, one password");
    match context
        .access
        .login(&run.device, &target.username, &password)
        .await
    {
        Ok(fresh) => {
            fresh.close().await;
            Ok(true)
        }
        Err(AccessError::Device(DeviceError::AuthenticationFailed { .. })) => Ok(false),
        Err(error) => Err(error.into()),
    }
}

/// A plan of a rotation: rendered with throwaway passwords (no new version was written).
fn plans_a_rotation(job: &DeviceJob) -> bool {
    job.plan && RotationKind::try_from(job.kind).is_ok_and(RotationKind::is_rotate)
}

async fn device_status(run: &StageRun<'_>) -> Result<DeviceStatus, StageError> {
    let job = run.job;
    Ok(kv::get_message::<DeviceStatus>(
        &run.context.topology.device_status,
        &keys::device(&job.fabric_id, &job.device_id),
    )
    .await?
    .map(|v| v.value)
    .unwrap_or_default())
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
    let status = device_status(run).await?;
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
