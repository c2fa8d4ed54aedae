//! The applier: stage `apply_configuration`.
//!
//! For each approved device it logs in, refuses with `DiffChanged` if the running configuration
//! or the intended configuration is not the one the differ diffed (or the candidate's diff is no
//! longer the approved one), and applies with NVUE's automatic rollback (`nv config apply
//! --confirm <time>`: unless confirmed in time, the switch goes back to what it had by itself).
//! It then proves each new password with a fresh SSH login and checks the account still exists.
//! - Every proof passed: it confirms (`--confirm-yes`), makes the startup configuration carry the
//!   change (`nv config save` where the platform does not save by itself), remembers the login
//!   user's new version, and the device holds the new versions.
//! - A proof failed: it rolls back (`--confirm-no`), proves the previous password of the login
//!   user with a fresh login and fails with `VerificationFailed`; a rollback it cannot prove is
//!   `RestoreFailed` (retried). The restore never sets a password again (NVOS refuses one of the
//!   last ten), and it needs nothing from the secrets store at that moment: the previous
//!   passwords are read before the apply.
//!
//! The apply, proof and rollback run shielded: a graceful shutdown lets them finish. If the
//! worker dies in between, the rollback timer is the backstop.
//!
//! A stage mark (`rotor_stage_marks`) records "applying" before the apply, "restoring" before a
//! rollback, and "applied" or "restored" after. A redelivered job whose mark says "applying"
//! (the outcome is unknown: connection dropped, worker killed, timeout) does not re-apply
//! blindly: it logs in preferring the new versions and loads the change again; nothing left to
//! change means the change is on the device (waiting for its confirmation, or confirmed) and
//! only the proof and confirmation are left; the approved diff means it is not (never applied,
//! or rolled back by the timer) and it is applied.

#![warn(missing_docs)]

use std::time::Duration;

use rotor_bus::JobKind;
use rotor_device::DeviceError;
use rotor_device::diff::{self, DiffClass};
use rotor_device::nvue::{self, Applied, Nvue};
use rotor_inventory::Platform;
use rotor_pipeline::access::DeviceSession;
use rotor_pipeline::marks::{self, ApplyState};
use rotor_pipeline::records::DeviceRecord;
use rotor_pipeline::stage::{self, StageError, StageRun, StageWorker};
use rotor_pipeline::vouch;
use rotor_pipeline::{AccessError, StartError, WorkerConfig};
use rotor_proto::v1::{ApplyJob, DeviceJob, ErrorCode, SecretTarget, Stage};
use rotor_runtime::CancellationToken;
use rotor_secrets::Password;

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

    fn check_carried(
        job: &ApplyJob,
        device_job: &DeviceJob,
        device: &DeviceRecord,
    ) -> Result<(), String> {
        vouch::check_own_secrets(device, "previous versions", &job.previous)?;
        vouch::check_own_secrets(device, "other users", &job.others)?;
        vouch::check_target_users(
            device_job,
            "previous versions",
            job.previous.iter().map(|p| &p.username),
        )?;
        vouch::check_target_users(device_job, "changing users", &job.changing_users)
    }

    async fn work(&self, job: &ApplyJob, run: &mut StageRun<'_>) -> Result<(), StageError> {
        run.set_intended_config_version(&job.intended_config_version);
        // The mark is read under the device's lock: a copy of this job delivered while another
        // was at work must see what that one came to, not what stood before it.
        let lock = run.lock().await?;
        let mark = marks::read_apply(&run.context.topology, run.job).await?;
        match mark.as_ref().map(|m| m.mark) {
            Some(ApplyState::Applied) => {
                // A redelivery after the work was done: only the reports may be missing.
                lock.release().await;
                let revision = mark.and_then(|m| m.revision);
                return report_applied(run, revision).await;
            }
            Some(ApplyState::Restored) => {
                lock.release().await;
                return Err(restored(job, RESTORED));
            }
            Some(ApplyState::Applying | ApplyState::Restoring) | None => {}
        }
        // What a rollback's proof needs, before anything changes on the device.
        let previous = Previous::read(run, job).await?;
        let restoring = mark
            .as_ref()
            .is_some_and(|m| m.mark == ApplyState::Restoring);
        let uncertain = mark.is_some() && !restoring;
        // After an apply (or a rollback) whose outcome is unknown, the new versions are the
        // likelier ones: try them first.
        let session = run.open_locked(lock, mark.is_some()).await?;
        let result = {
            let _shielded = run.shield();
            if restoring {
                resume_restore(run, &session, job, &previous).await
            } else {
                apply_on(run, &session, job, &previous, uncertain).await
            }
        };
        session.close().await;
        report_applied(run, result?).await
    }
}

const RESTORED: &str = "the new password did not log in; the change was rolled back";

/// The device's failure after a proven rollback: it holds the previous versions.
fn restored(job: &ApplyJob, what: &str) -> StageError {
    StageError::fail(ErrorCode::VerificationFailed, what).holding(job.previous.clone(), false)
}

fn diff_changed(what: &str) -> StageError {
    StageError::fail(
        ErrorCode::DiffChanged,
        format!(
            "{what} since the diff; nothing was applied. Run the rotation again to diff afresh."
        ),
    )
}

/// The passwords the device held before, read before the apply.
struct Previous {
    /// The login user's previous password and its version, when the login user is rotated.
    login: Option<(u32, Password)>,
}

impl Previous {
    async fn read(run: &StageRun<'_>, job: &ApplyJob) -> Result<Previous, StageError> {
        let login_user = &run.device.device.login_user;
        let previous: Vec<SecretTarget> = job
            .previous
            .iter()
            .filter(|p| &p.username == login_user)
            .cloned()
            .collect();
        let mut read = run.context.renderer.passwords(&previous).await?;
        Ok(Previous {
            login: read
                .pop()
                .map(|(target, password)| (target.reference.map_or(0, |r| r.version), password)),
        })
    }
}

/// Checks, applies, proves and confirms (or rolls back) on an open session; returns the
/// applied revision (`None`: the change was already on the device).
async fn apply_on(
    run: &StageRun<'_>,
    session: &DeviceSession,
    job: &ApplyJob,
    previous: &Previous,
    uncertain: bool,
) -> Result<Option<u64>, StageError> {
    let nvue = Nvue::new(session.session());
    let changing = still_changing(run, session, job, uncertain).await?;
    let lines = if changing.is_empty() {
        Vec::new()
    } else {
        load_change(run, &nvue, job, &changing).await?
    };
    let applied = if lines.is_empty() {
        // The device already holds the targets: an earlier apply took effect (waiting for its
        // confirmation, or confirmed), or a concurrent one did. Only the proof is left.
        run.detach(&nvue).await;
        if !uncertain {
            tracing::info!(device = %run.job.device_id, "the change is already on the device");
        }
        None
    } else {
        check_approved(run, &nvue, job, &changing, &lines).await?;
        Some(apply_approved(run, session, &nvue, job).await?)
    };
    match prove(run).await? {
        Ok(()) => keep(run, session, &nvue, applied).await,
        Err(reason) => Err(restore(run, session, &nvue, job, previous, &reason).await),
    }
}

/// The users whose change is still to be made. After an uncertain apply on NVOS (where a
/// change cannot be loaded twice: the switch refuses a password it had among its last ones),
/// those whose target version does not log in yet; otherwise the approved ones.
async fn still_changing(
    run: &StageRun<'_>,
    session: &DeviceSession,
    job: &ApplyJob,
    uncertain: bool,
) -> Result<Vec<String>, StageError> {
    if !uncertain || run.device.device.platform != Platform::Nvos {
        return Ok(job.changing_users.clone());
    }
    let mut changing = Vec::new();
    for target in &run.job.targets {
        if !job.changing_users.contains(&target.username) {
            continue;
        }
        let version = target.reference.as_ref().map_or(0, |r| r.version);
        let holds = if target.username == run.device.device.login_user {
            session.login_version() == version
        } else {
            logs_in(run, target).await?
        };
        if !holds {
            changing.push(target.username.clone());
        }
    }
    Ok(changing)
}

/// Whether `target`'s version logs in as its user (a login within the budget).
async fn logs_in(run: &StageRun<'_>, target: &SecretTarget) -> Result<bool, StageError> {
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

/// Refuses if the running or intended configuration is not the one the differ diffed; loads
/// the change as the candidate and returns its diff (Cumulus: the intended configuration with
/// the target hashes; NVOS: a patch of the changing users' plaintext passwords, sent on the
/// command's standard input).
async fn load_change(
    run: &StageRun<'_>,
    nvue: &Nvue<'_>,
    job: &ApplyJob,
    changing: &[String],
) -> Result<Vec<String>, StageError> {
    let running = nvue.running_config().await?;
    if nvue::fingerprint(&running) != job.running_config_fingerprint {
        return Err(diff_changed("the device's running configuration changed"));
    }
    let context = run.context;
    let rendered = context
        .renderer
        .render(
            &context.topology,
            &run.device,
            &run.job.targets,
            &job.others,
        )
        .await?;
    if rendered.intended_config_version != job.intended_config_version {
        return Err(diff_changed(&format!(
            "the intended configuration changed (from {} to {})",
            job.intended_config_version, rendered.intended_config_version
        )));
    }
    let loaded = if run.device.device.platform == Platform::Nvos {
        let patch = context
            .renderer
            .nvos_patch(&run.job.targets, changing)
            .await?;
        match nvue.patch_from_stdin(patch.expose_for_channel()).await {
            Ok(()) => nvue.diff_commands().await,
            Err(error) => Err(error),
        }
    } else {
        nvue.diff_candidate(&rendered.yaml).await
    };
    match loaded {
        Ok(lines) => Ok(lines),
        Err(error) => {
            run.detach(nvue).await;
            Err(error.into())
        }
    }
}

/// The candidate's diff must still be the approved change: on Cumulus the very lines the
/// differ approved; on NVOS password lines of exactly the changing users.
async fn check_approved(
    run: &StageRun<'_>,
    nvue: &Nvue<'_>,
    job: &ApplyJob,
    changing: &[String],
    lines: &[String],
) -> Result<(), StageError> {
    let approved = if run.device.device.platform == Platform::Nvos {
        let keys = diff::password_keys(&Platform::Nvos);
        diff::classify(lines, changing, keys) == DiffClass::PasswordOnly
            && diff::changed_users(lines) == sorted(changing)
    } else {
        lines == job.approved_diff
    };
    if approved {
        return Ok(());
    }
    run.detach(nvue).await;
    Err(diff_changed(&format!(
        "the diff changed (now: {})",
        lines.join(" | ")
    )))
}

fn sorted(users: &[String]) -> Vec<String> {
    let mut users = users.to_vec();
    users.sort();
    users.dedup();
    users
}

/// Applies the approved candidate with the rollback timer, the "applying" mark written first.
async fn apply_approved(
    run: &StageRun<'_>,
    session: &DeviceSession,
    nvue: &Nvue<'_>,
    job: &ApplyJob,
) -> Result<Applied, StageError> {
    if !session.is_held() {
        // Another job may have the device now: never apply without it; try again later.
        run.detach(nvue).await;
        return Err(StageError::internal(
            "the device lock was lost before the apply",
        ));
    }
    if let Err(error) = run.check_fence().await {
        run.detach(nvue).await;
        return Err(error);
    }
    let topology = &run.context.topology;
    marks::write_apply(topology, run.job, ApplyState::Applying, None).await?;
    // Until the switch has surely rolled an unconfirmed change back, it stays this job's.
    let until = rotor_bus::lease::now_unix_ms() + pending_for(run).as_millis() as i64;
    session
        .await_confirmation(&job_identity(run), until)
        .await?;
    match nvue.apply_with_rollback(confirm_window(run)).await {
        Ok(applied) => Ok(applied),
        Err(error @ DeviceError::ApplyFailed { .. }) => {
            run.detach(nvue).await;
            session.settled().await?;
            marks::clear_apply(topology, run.job).await?;
            Err(
                StageError::fail(ErrorCode::ConfigApplyFailure, error.to_string())
                    .holding(job.previous.clone(), false),
            )
        }
        // The outcome is unknown: the mark stays "applying", the next attempt finds out, and
        // the rollback timer undoes a change nobody confirms.
        Err(error) => Err(error.into()),
    }
}

fn confirm_window(run: &StageRun<'_>) -> Duration {
    run.context.config.confirm_window
}

/// How long after the apply command is sent the switch may still hold an unconfirmed change:
/// the confirmation window, plus a command timeout (whether the switch starts its timer when
/// the command starts or ends, it starts no later than that), plus a margin of Rotor's own
/// choosing for the clocks of the switch and the bus.
fn pending_for(run: &StageRun<'_>) -> Duration {
    confirm_window(run) + run.context.access.ssh.command_timeout + Duration::from_secs(5)
}

fn job_identity(run: &StageRun<'_>) -> String {
    rotor_pipeline::access::job_identity(&run.job.operation_id, &run.job.device_id)
}

/// Proves every new password with a fresh login and checks each account exists. `Ok(Err)`: a
/// proof failed (the reason); `Err`: the device did not answer (the outcome stays unknown).
async fn prove(run: &StageRun<'_>) -> Result<Result<(), String>, StageError> {
    let access = &run.context.access;
    let targets = run.context.renderer.passwords(&run.job.targets).await?;
    for (target, password) in &targets {
        let user = &target.username;
        let proof = match access.login(&run.device, user, password).await {
            Ok(fresh) => {
                let exists = Nvue::new(&fresh).user_exists(user).await;
                fresh.close().await;
                match exists? {
                    true => Ok(()),
                    false => Err(format!("the account {user} no longer exists")),
                }
            }
            Err(AccessError::Device(DeviceError::AuthenticationFailed { .. })) => Err(format!(
                "a fresh login as {user} with the new password was refused"
            )),
            Err(error @ AccessError::BudgetSpent { .. }) => Err(error.to_string()),
            // The device did not answer: the outcome stays unknown, try again later.
            Err(error) => return Err(error.into()),
        };
        if proof.is_err() {
            return Ok(proof);
        }
    }
    Ok(Ok(()))
}

/// Every proof passed: confirms, makes the startup configuration carry the change, remembers
/// the login user's new version and marks the apply done.
async fn keep(
    run: &StageRun<'_>,
    session: &DeviceSession,
    nvue: &Nvue<'_>,
    applied: Option<Applied>,
) -> Result<Option<u64>, StageError> {
    if !session.is_held() {
        // Someone else may have the device now; the switch rolls the unconfirmed change back.
        return Err(StageError::internal(
            "the device lock was lost before the confirmation; the change rolls back by itself",
        ));
    }
    let saved = match nvue.confirm().await {
        Ok(saved) => saved || applied.is_some_and(|a| a.saved),
        // Nothing waited for a confirmation: the change came through an apply confirmed
        // earlier, or the timer already rolled it back. A fresh login tells which.
        Err(DeviceError::Command { .. }) => {
            if !still_in_place(run).await? {
                return Err(StageError::retry(
                    ErrorCode::ConfigApplyFailure,
                    "the change was rolled back before it could be confirmed; it is applied again",
                ));
            }
            false
        }
        Err(error) => return Err(error.into()),
    };
    run.ensure_saved(nvue, !saved).await?;
    let login_user = &run.device.device.login_user;
    if let Some(reference) = run
        .job
        .targets
        .iter()
        .find(|t| &t.username == login_user)
        .and_then(|t| t.reference.as_ref())
    {
        run.context
            .access
            .remember(&run.device, &reference.path, reference.version)
            .await?;
    }
    session.settled().await?;
    let revision = applied.and_then(|a| a.revision);
    marks::write_apply(
        &run.context.topology,
        run.job,
        ApplyState::Applied,
        revision,
    )
    .await?;
    Ok(revision)
}

/// Whether the login user's target version still logs in (after a confirmation that found
/// nothing waiting).
async fn still_in_place(run: &StageRun<'_>) -> Result<bool, StageError> {
    let login_user = &run.device.device.login_user;
    match run.job.targets.iter().find(|t| &t.username == login_user) {
        Some(target) => logs_in(run, target).await,
        None => Ok(true),
    }
}

/// A proof failed: rolls the change back and proves the previous password; the device's failure.
async fn restore(
    run: &StageRun<'_>,
    session: &DeviceSession,
    nvue: &Nvue<'_>,
    job: &ApplyJob,
    previous: &Previous,
    reason: &str,
) -> StageError {
    let topology = &run.context.topology;
    if let Err(error) = marks::write_apply(topology, run.job, ApplyState::Restoring, None).await {
        return error.into();
    }
    if let Err(error) = nvue.roll_back().await {
        // Already rolled back by the timer, or the device did not answer: the proof decides.
        tracing::info!(device = %run.job.device_id, %error, "the rollback command failed; proving the previous password");
    }
    finish_restore(run, session, job, previous, reason).await
}

/// A redelivery after a rollback was started: roll back again if the new version is still in
/// place, then prove the previous password.
async fn resume_restore(
    run: &StageRun<'_>,
    session: &DeviceSession,
    job: &ApplyJob,
    previous: &Previous,
) -> Result<Option<u64>, StageError> {
    let nvue = Nvue::new(session.session());
    if let Some((version, _)) = &previous.login
        && session.login_version() != *version
        && let Err(error) = nvue.roll_back().await
    {
        tracing::info!(device = %run.job.device_id, %error, "the rollback command failed; proving the previous password");
    }
    Err(finish_restore(run, session, job, previous, "a rollback was under way").await)
}

/// Proves the login user's previous password with a fresh login: `VerificationFailed` (the
/// device holds its previous versions, remembered as such) or `RestoreFailed`.
async fn finish_restore(
    run: &StageRun<'_>,
    session: &DeviceSession,
    job: &ApplyJob,
    previous: &Previous,
    reason: &str,
) -> StageError {
    let Some((version, password)) = &previous.login else {
        // The login user was not rotated: the session that is open proves it still logs in.
        return mark_restored(run, session, job, reason, None).await;
    };
    let access = &run.context.access;
    let login_user = &run.device.device.login_user;
    match access.login(&run.device, login_user, password).await {
        Ok(fresh) => {
            fresh.close().await;
            mark_restored(run, session, job, reason, Some(*version)).await
        }
        Err(error) => {
            rotor_metrics::metrics().restore("failed");
            StageError::retry(
                ErrorCode::RestoreFailed,
                format!(
                    "{reason}; the change was rolled back, but the previous password of {login_user} (version {version}) could not be proven: {error}"
                ),
            )
        }
    }
}

/// Records the proven rollback: the remembered credential back at the previous version, the
/// "restored" mark, `VerificationFailed`.
async fn mark_restored(
    run: &StageRun<'_>,
    session: &DeviceSession,
    job: &ApplyJob,
    reason: &str,
    login_version: Option<u32>,
) -> StageError {
    let access = &run.context.access;
    let login_user = &run.device.device.login_user;
    if let (Some(version), Some(path)) = (login_version, run.device.secret_path(login_user))
        && let Err(error) = access.remember(&run.device, &path, version).await
    {
        return error.into();
    }
    if let Err(error) = session.settled().await {
        return error.into();
    }
    let topology = &run.context.topology;
    if let Err(error) = marks::write_apply(topology, run.job, ApplyState::Restored, None).await {
        return error.into();
    }
    rotor_metrics::metrics().restore("restored");
    let users: Vec<&str> = run
        .job
        .targets
        .iter()
        .map(|t| t.username.as_str())
        .collect();
    restored(
        job,
        &format!(
            "{reason}; the change was rolled back: the previous password is restored, proven by a fresh login (users {})",
            users.join(", ")
        ),
    )
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
