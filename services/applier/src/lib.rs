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

#![warn(missing_docs)]

use rotor_bus::JobKind;
use rotor_device::DeviceError;
use rotor_device::nvue::{self, Nvue};
use rotor_pipeline::access::DeviceSession;
use rotor_pipeline::marks::{self, ApplyState};
use rotor_pipeline::stage::{self, StageError, StageRun, StageWorker};
use rotor_pipeline::{AccessError, StartError, WorkerConfig};
use rotor_proto::v1::{ApplyJob, DeviceJob, ErrorCode, Stage};
use rotor_runtime::CancellationToken;

/// Runs the applier until `shutdown` is cancelled.
pub async fn run(config: WorkerConfig, shutdown: CancellationToken) -> Result<(), StartError> {
    stage::serve(config, shutdown, Applier).await
}

/// The applier's stage logic.
#[derive(Debug)]
pub struct Applier;

impl StageWorker for Applier {
    type Job = ApplyJob;
    const KIND: JobKind = JobKind::Apply;
    const FIRST_STAGE: Stage = Stage::ApplyConfiguration;

    fn device_job(job: &ApplyJob) -> Option<&DeviceJob> {
        job.device.as_ref()
    }

    async fn work(&self, job: &ApplyJob, run: &mut StageRun<'_>) -> Result<(), StageError> {
        run.set_intended_config_version(&job.intended_config_version);
        let mark = marks::read_apply(&run.context.topology, run.job).await?;
        match mark.as_ref().map(|m| m.mark) {
            Some(ApplyState::Applied) => {
                // A redelivery after the work was done: only the reports may be missing.
                let revision = mark.and_then(|m| m.revision);
                return report_applied(run, revision).await;
            }
            Some(ApplyState::Restored) => {
                return Err(StageError::fail(
                    ErrorCode::VerificationFailed,
                    "the new password did not log in; the previous password was restored",
                )
                .holding(job.previous.clone(), false));
            }
            Some(ApplyState::Applying) | None => {}
        }
        let uncertain = mark.is_some();
        let session = run.open(uncertain).await?;
        let revision = apply_on(run, &session, job, uncertain).await;
        session.close().await;
        report_applied(run, revision?).await
    }
}

fn diff_changed(what: &str) -> StageError {
    StageError::fail(
        ErrorCode::DiffChanged,
        format!(
            "{what} since the diff; nothing was applied. Run the rotation again to diff afresh."
        ),
    )
}

/// Checks, applies and proves on an open session; returns the applied revision (`None`: the
/// change was already on the device).
async fn apply_on(
    run: &StageRun<'_>,
    session: &DeviceSession,
    job: &ApplyJob,
    uncertain: bool,
) -> Result<Option<u64>, StageError> {
    let nvue = Nvue::new(session.session());
    let lines = diff_again(run, &nvue, job).await?;
    let revision = if lines.is_empty() {
        // The device already holds the target hashes: an earlier apply took effect (or a
        // concurrent one did). Only the proof is left.
        run.detach(&nvue).await;
        if !uncertain {
            tracing::info!(device = %run.job.device_id, "the change is already on the device");
        }
        None
    } else if lines != job.approved_diff {
        run.detach(&nvue).await;
        return Err(diff_changed(&format!(
            "the diff changed (now: {})",
            lines.join(" | ")
        )));
    } else {
        apply_approved(run, session, &nvue, job).await?
    };
    prove(run, session, job).await?;
    marks::write_apply(
        &run.context.topology,
        run.job,
        ApplyState::Applied,
        revision,
    )
    .await?;
    Ok(revision)
}

/// Refuses if the running or intended configuration is not the one the differ diffed; loads
/// the candidate again and returns its diff.
async fn diff_again(
    run: &StageRun<'_>,
    nvue: &Nvue<'_>,
    job: &ApplyJob,
) -> Result<Vec<String>, StageError> {
    let running = nvue.running_config().await?;
    if nvue::fingerprint(&running) != job.running_config_fingerprint {
        return Err(diff_changed("the device's running configuration changed"));
    }
    let context = run.context;
    let rendered = context
        .renderer
        .render(&context.topology, &run.device, &run.job.targets)
        .await?;
    if rendered.intended_config_version != job.intended_config_version {
        return Err(diff_changed(&format!(
            "the intended configuration changed (from {} to {})",
            job.intended_config_version, rendered.intended_config_version
        )));
    }
    match nvue.diff_candidate(&rendered.yaml).await {
        Ok(lines) => Ok(lines),
        Err(error) => {
            run.detach(nvue).await;
            Err(error.into())
        }
    }
}

/// Applies the approved candidate, with the "applying" mark written first.
async fn apply_approved(
    run: &StageRun<'_>,
    session: &DeviceSession,
    nvue: &Nvue<'_>,
    job: &ApplyJob,
) -> Result<Option<u64>, StageError> {
    if !session.is_held() {
        // Another job may have the device now: never apply without it; try again later.
        run.detach(nvue).await;
        return Err(StageError::internal(
            "the device lock was lost before the apply",
        ));
    }
    let topology = &run.context.topology;
    marks::write_apply(topology, run.job, ApplyState::Applying, None).await?;
    match nvue.apply().await {
        Ok(revision) => Ok(revision),
        Err(error @ DeviceError::ApplyFailed { .. }) => {
            run.detach(nvue).await;
            marks::clear_apply(topology, run.job).await?;
            Err(
                StageError::fail(ErrorCode::ConfigApplyFailure, error.to_string())
                    .holding(job.previous.clone(), false),
            )
        }
        // The outcome is unknown: the mark stays "applying" and the next attempt finds out.
        Err(error) => Err(error.into()),
    }
}

/// Proves every new password with a fresh login and checks each account exists; restores
/// the previous passwords through `session` if any proof fails.
async fn prove(
    run: &StageRun<'_>,
    session: &DeviceSession,
    job: &ApplyJob,
) -> Result<(), StageError> {
    let access = &run.context.access;
    let device = &run.device;
    for target in &run.job.targets {
        let reference = target.reference.clone().unwrap_or_default();
        let (password, _) = access
            .secrets
            .read(&reference.mount, &reference.path, Some(reference.version))
            .await
            .map_err(|e| StageError::retry(ErrorCode::SecretsUnavailable, e.to_string()))?;
        let proof = match access.login(device, &target.username, &password).await {
            Ok(fresh) => {
                let exists = Nvue::new(&fresh).user_exists(&target.username).await;
                fresh.close().await;
                match exists? {
                    true => Ok(()),
                    false => Err(format!("the account {} no longer exists", target.username)),
                }
            }
            Err(AccessError::Device(DeviceError::AuthenticationFailed { .. })) => Err(format!(
                "a fresh login as {} with the new password was refused",
                target.username
            )),
            Err(error @ AccessError::BudgetSpent { .. }) => Err(error.to_string()),
            // The device did not answer: the outcome stays unknown, try again later.
            Err(error) => return Err(error.into()),
        };
        if let Err(reason) = proof {
            return Err(restore(run, session, job, &reason).await);
        }
        if target.username == device.device.login_user {
            access
                .remember(device, &reference.path, reference.version)
                .await?;
        }
    }
    Ok(())
}

/// Puts the previous passwords back through the open session; the device's failure.
async fn restore(
    run: &StageRun<'_>,
    session: &DeviceSession,
    job: &ApplyJob,
    reason: &str,
) -> StageError {
    let nvue = Nvue::new(session.session());
    let failed = |message: String| StageError::fail(ErrorCode::VerificationFailed, message);
    let hashes = match run.context.renderer.hashes(&job.previous).await {
        Ok(hashes) => hashes,
        Err(error) => {
            return failed(format!(
                "{reason}; the previous password could not be read to restore it: {error}"
            ));
        }
    };
    let key = run.device.device.platform.password_key();
    for (user, hash) in &hashes {
        if let Err(error) = nvue
            .set_password_hash_and_apply(user, key, hash.as_crypt())
            .await
        {
            return failed(format!(
                "{reason}; restoring the previous password of {user} failed: {error}"
            ));
        }
    }
    let topology = &run.context.topology;
    if let Err(error) = marks::write_apply(topology, run.job, ApplyState::Restored, None).await {
        return error.into();
    }
    let restored: Vec<&str> = hashes.iter().map(|(user, _)| user.as_str()).collect();
    failed(format!(
        "{reason}; the previous password was restored for {} through the open session",
        restored.join(", ")
    ))
    .holding(job.previous.clone(), false)
}

/// The stage succeeded: its event, then the backup job.
async fn report_applied(run: &StageRun<'_>, revision: Option<u64>) -> Result<(), StageError> {
    let users: Vec<&str> = run
        .job
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
    run.succeeded(display).await?;
    let backup = run.backup_job(run.job.targets.clone(), true);
    run.publish_next(JobKind::Backup, &backup).await
}
