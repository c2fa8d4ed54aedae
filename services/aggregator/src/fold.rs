//! The pure part of aggregation: what one stage event does to a device's status, what an
//! operation's results make of its status, and which devices a newer secret version leaves
//! behind. No I/O: the private `state` module feeds these from the bus and writes what they return.

use std::collections::HashMap;

use rotor_pipeline::records::OperationPlan;
use rotor_proto::v1::{
    DeviceResult, DeviceStatus, Error, ErrorCode, OperationState, OperationStatus, PlanVerdict,
    RotationKind, SecretStatus, Stage, StageEvent, StageRecord, SynchronizationStatus,
    stage_event::Status,
};

/// What folding one event changed beyond the device's own status.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Folded {
    /// The device's result in the event's operation, when the event ends its part.
    pub result: Option<DeviceResult>,
    /// (secret path, version) the device now holds after succeeding: every other device of
    /// the fabric holding an older version of the path is behind the store.
    pub superseded: Vec<(String, u32)>,
    /// (secret path, version) the device is now InSync at.
    pub in_sync: Vec<(String, u32)>,
}

/// Folds one stage event into its device's status. Folding the same event twice changes
/// nothing more (results are set, not counted).
pub fn fold_event(status: &mut DeviceStatus, event: &StageEvent) -> Folded {
    record_stage(status, event);
    let already_finished =
        status.last_operation_id == event.operation_id && is_terminal(status.last_result);
    if event.stage == Stage::LoadIntendedConfiguration as i32
        && event.status == Status::Started as i32
        && !already_finished
    {
        status.last_operation_id.clone_from(&event.operation_id);
        status.last_result = OperationState::InProgress as i32;
        status.last_error = None;
        for target in &event.secrets {
            secret_entry(status, &target.secret_type, &target.username).synchronization_status =
                SynchronizationStatus::Synchronizing as i32;
        }
    }
    match &event.outcome {
        Some(_) => fold_outcome(status, event),
        None => Folded::default(),
    }
}

/// Keeps the latest record of each stage (by time, then Started before an end).
fn record_stage(status: &mut DeviceStatus, event: &StageEvent) {
    let record = StageRecord {
        stage: event.stage,
        status: event.status,
        display: event.display.clone(),
        error: event.error.clone(),
        time: event.time.clone(),
        operation_id: event.operation_id.clone(),
        offending_lines: event.offending_lines.clone(),
    };
    match status
        .last_stages
        .iter_mut()
        .find(|r| r.stage == event.stage)
    {
        Some(existing) => {
            let newer = (existing.time.as_str(), rank(existing.status))
                <= (record.time.as_str(), rank(record.status));
            if newer {
                *existing = record;
            }
        }
        None => status.last_stages.push(record),
    }
    status.last_stages.sort_by_key(|r| r.stage);
}

/// The device's last event in an operation: what it holds, its synchronization, its result.
fn fold_outcome(status: &mut DeviceStatus, event: &StageEvent) -> Folded {
    let outcome = event.outcome.as_ref().expect("called with an outcome");
    status.last_operation_id.clone_from(&event.operation_id);
    status.last_result = outcome.status;
    status.last_error.clone_from(&outcome.error);
    for held in &outcome.held {
        let entry = secret_entry(status, &held.secret_type, &held.username);
        entry.secret_archive_reference.clone_from(&held.reference);
        if outcome.applied {
            entry.last_rotation_time.clone_from(&event.time);
        }
    }
    if outcome.applied {
        status.last_rotation_time.clone_from(&event.time);
    }
    let mut folded = Folded::default();
    for target in &event.secrets {
        let target_version = target.reference.as_ref().map_or(0, |r| r.version);
        let entry = secret_entry(status, &target.secret_type, &target.username);
        let held_version = entry
            .secret_archive_reference
            .as_ref()
            .map_or(0, |r| r.version);
        let in_sync = held_version == target_version;
        entry.synchronization_status = if in_sync {
            SynchronizationStatus::InSync
        } else {
            SynchronizationStatus::OutOfSync
        } as i32;
        let Some(reference) = &target.reference else {
            continue;
        };
        if in_sync {
            folded
                .in_sync
                .push((reference.path.clone(), reference.version));
        }
        if outcome.status == OperationState::Succeeded as i32 {
            folded
                .superseded
                .push((reference.path.clone(), reference.version));
        }
    }
    folded.result = Some(DeviceResult {
        resource_id: event.device_id.clone(),
        status: outcome.status,
        error: outcome.error.clone(),
        verdict: outcome.verdict,
    });
    folded
}

/// What a plan's device result says the operation would do: what the differ found (a change
/// or none) when it got that far, else `Unreachable` when the device could not be reached or
/// logged in to, `Unspecified` for a device never looked at (the plan ended first), or
/// `WouldRefuse` for any other refusal.
pub fn plan_verdict(result: &DeviceResult) -> PlanVerdict {
    if let Ok(found @ (PlanVerdict::WouldChange | PlanVerdict::NoChange)) =
        PlanVerdict::try_from(result.verdict)
    {
        return found;
    }
    let code = result
        .error
        .as_ref()
        .and_then(|e| ErrorCode::try_from(e.code).ok())
        .unwrap_or(ErrorCode::Unspecified);
    match code {
        ErrorCode::CouldNotConnect | ErrorCode::HostKeyMismatch | ErrorCode::AuthLockoutRisk => {
            PlanVerdict::Unreachable
        }
        // Never looked at: the plan ended (timed out, cancelled) before the device's turn.
        ErrorCode::NotAttempted | ErrorCode::Timeout => PlanVerdict::Unspecified,
        _ => PlanVerdict::WouldRefuse,
    }
}

/// Marks OutOfSync every InSync or Unverified secret of `devices` (but `except`) that holds an
/// older version of `path` than `version`; returns the devices changed.
pub fn mark_behind<'a>(
    devices: impl IntoIterator<Item = (&'a String, &'a mut DeviceStatus)>,
    except: &str,
    path: &str,
    version: u32,
) -> Vec<String> {
    let mut changed = Vec::new();
    for (device, status) in devices {
        if device == except {
            continue;
        }
        let mut behind = false;
        for secret in &mut status.secrets {
            if let Some(reference) = &secret.secret_archive_reference
                && reference.path == path
                && reference.version < version
                && (secret.synchronization_status == SynchronizationStatus::InSync as i32
                    || secret.synchronization_status == SynchronizationStatus::Unverified as i32)
            {
                secret.synchronization_status = SynchronizationStatus::OutOfSync as i32;
                behind = true;
            }
        }
        if behind {
            changed.push(device.clone());
        }
    }
    changed
}

/// Brings an operation's status up to date with its device results; `true` once every
/// device of the plan has one (the status is then final). Devices the orchestrator never
/// released have a result with status `Halted` or `Cancelled` (error `NotAttempted`): the
/// operation then ends `Halted` (the failure brake; resumable) or `Cancelled`, its error saying
/// why and what to do.
pub fn update_operation(
    status: &mut OperationStatus,
    plan: &OperationPlan,
    done: &HashMap<String, DeviceResult>,
    now: &str,
) -> bool {
    let total = plan.device_ids.len() as u32;
    let count =
        |state: OperationState| done.values().filter(|r| r.status == state as i32).count() as u32;
    let succeeded = count(OperationState::Succeeded);
    let halted = count(OperationState::Halted);
    let cancelled = count(OperationState::Cancelled);
    let not_attempted = halted + cancelled;
    let failed = done.len() as u32 - succeeded - not_attempted;
    status.total_devices = total;
    status.succeeded_devices = succeeded;
    status.failed_devices = failed;
    status.not_attempted_devices = not_attempted;
    status.percent_complete = ((succeeded + failed + not_attempted) * 100)
        .checked_div(total)
        .unwrap_or(100);
    let finished = succeeded + failed + not_attempted >= total;
    if !finished {
        status.status = OperationState::InProgress as i32;
        return false;
    }
    now.clone_into(&mut status.end_time);
    if not_attempted > 0 {
        let ended = if cancelled > 0 {
            OperationState::Cancelled
        } else {
            OperationState::Halted
        };
        // The dispatcher's reason, from the result of a device it never released.
        let reason = done
            .values()
            .filter(|r| r.status == ended as i32)
            .filter_map(|r| r.error.as_ref())
            .map(|e| e.message.clone())
            .min()
            .unwrap_or_default();
        let next = match ended {
            OperationState::Halted => format!(
                " Fix the cause, then `rotor operation resume {id}` releases the {not_attempted} devices not attempted, or `rotor operation cancel {id}` ends the operation.",
                id = plan.operation_id
            ),
            _ => String::new(),
        };
        status.status = ended as i32;
        let code = match operation_error(plan, done, succeeded, total) {
            error if failed > 0 || succeeded > 0 => error.code,
            _ => ErrorCode::NotAttempted as i32,
        };
        status.error = Some(Error {
            code,
            message: format!(
                "{succeeded} of {total} devices updated, {failed} failed, {not_attempted} not attempted: {reason}.{next}"
            ),
        });
    } else if failed == 0 {
        status.status = OperationState::Succeeded as i32;
        status.error = None;
    } else {
        status.status = OperationState::Failed as i32;
        status.error = Some(operation_error(plan, done, succeeded, total));
    }
    true
}

/// Whether a result is of a device that was never released (its operation halted or ended).
fn is_not_attempted(result: &DeviceResult) -> bool {
    result.status == OperationState::Halted as i32
        || result.status == OperationState::Cancelled as i32
}

/// Whether an operation is still running.
pub fn is_running(status: &OperationStatus) -> bool {
    matches!(
        OperationState::try_from(status.status),
        Ok(OperationState::Accepted | OperationState::InProgress)
    )
}

fn is_terminal(state: i32) -> bool {
    matches!(
        OperationState::try_from(state),
        Ok(OperationState::Succeeded | OperationState::Failed)
    )
}

fn rank(status: i32) -> u8 {
    match Status::try_from(status) {
        Ok(Status::Started) => 1,
        Ok(_) => 2,
        Err(_) => 0,
    }
}

fn secret_entry<'a>(
    status: &'a mut DeviceStatus,
    secret_type: &str,
    username: &str,
) -> &'a mut SecretStatus {
    let position = status.secrets.iter().position(|s| {
        s.secret_type == secret_type && (s.username == username || s.username.is_empty())
    });
    let index = match position {
        Some(index) => index,
        None => {
            status.secrets.push(SecretStatus {
                secret_type: secret_type.to_string(),
                username: username.to_string(),
                ..Default::default()
            });
            status.secrets.len() - 1
        }
    };
    let entry = &mut status.secrets[index];
    username.clone_into(&mut entry.username);
    entry
}

/// The operation-level error: PartialSuccess, or RotationFailed / ResyncFailed when no device
/// was updated, naming the failed devices and their codes.
fn operation_error(
    plan: &OperationPlan,
    done: &HashMap<String, DeviceResult>,
    succeeded: u32,
    total: u32,
) -> Error {
    let mut failures: Vec<(&String, String)> = done
        .iter()
        .filter(|(_, r)| r.status != OperationState::Succeeded as i32 && !is_not_attempted(r))
        .map(|(device, r)| {
            let code = r
                .error
                .as_ref()
                .and_then(|e| ErrorCode::try_from(e.code).ok())
                .unwrap_or(ErrorCode::Unspecified);
            (device, code.as_str_name().to_string())
        })
        .collect();
    failures.sort();
    let listed: Vec<String> = failures
        .iter()
        .take(10)
        .map(|(device, code)| format!("{device} ({code})"))
        .collect();
    let more = failures.len().saturating_sub(10);
    let tail = if more > 0 {
        format!(" and {more} more")
    } else {
        String::new()
    };
    let failed = failures.len();
    let (code, summary) = if succeeded > 0 {
        (
            ErrorCode::PartialSuccess,
            format!("{succeeded} of {total} devices updated; {failed} not updated"),
        )
    } else if matches!(
        plan.kind(),
        RotationKind::FabricResyncPassword | RotationKind::DeviceResyncPassword
    ) {
        (
            ErrorCode::ResyncFailed,
            format!("no device was updated; {failed} failed"),
        )
    } else {
        (
            ErrorCode::RotationFailed,
            format!("no device was updated; {failed} failed"),
        )
    };
    Error {
        code: code as i32,
        message: format!(
            "{summary}: {}{tail}. See `rotor device show` for each, fix the cause and run a resync.",
            listed.join(", ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rotor_proto::v1::{DeviceOutcome, SecretReference, SecretTarget};

    fn target(version: u32) -> SecretTarget {
        SecretTarget {
            secret_type: "AdminRW".into(),
            username: "cumulus".into(),
            reference: Some(SecretReference {
                mount: "secret".into(),
                path: "fabrics/fab1/AdminRW".into(),
                version,
                ..Default::default()
            }),
        }
    }

    fn event(stage: Stage, status: Status, time: &str) -> StageEvent {
        StageEvent {
            operation_id: "op1".into(),
            fabric_id: "fab1".into(),
            device_id: "leaf-01".into(),
            stage: stage as i32,
            status: status as i32,
            time: time.into(),
            secrets: vec![target(7)],
            ..Default::default()
        }
    }

    fn last(outcome_status: OperationState, held: Vec<SecretTarget>, applied: bool) -> StageEvent {
        let error = (outcome_status == OperationState::Failed).then(|| Error {
            code: ErrorCode::VerificationFailed as i32,
            message: "refused".into(),
        });
        StageEvent {
            outcome: Some(DeviceOutcome {
                status: outcome_status as i32,
                error,
                held,
                applied,
                verdict: 0,
            }),
            ..event(Stage::PerformBackup, Status::Succeeded, "t5")
        }
    }

    fn held(status: &DeviceStatus) -> (i32, u32) {
        let secret = &status.secrets[0];
        let version = secret
            .secret_archive_reference
            .as_ref()
            .map_or(0, |r| r.version);
        (secret.synchronization_status, version)
    }

    const IN_SYNC: i32 = SynchronizationStatus::InSync as i32;
    const OUT_OF_SYNC: i32 = SynchronizationStatus::OutOfSync as i32;
    const SYNCHRONIZING: i32 = SynchronizationStatus::Synchronizing as i32;

    #[test]
    fn events_fold_into_the_device_status() {
        // (name, events in order, expected (sync status, held version), last result, rotated?)
        type Case = (
            &'static str,
            Vec<StageEvent>,
            (i32, u32),
            OperationState,
            bool,
        );
        let started = event(Stage::LoadIntendedConfiguration, Status::Started, "t1");
        let cases: Vec<Case> = vec![
            (
                "a start marks the targets Synchronizing",
                vec![started.clone()],
                (SYNCHRONIZING, 0),
                OperationState::InProgress,
                false,
            ),
            (
                "an applied success holds the target InSync",
                vec![
                    started.clone(),
                    last(OperationState::Succeeded, vec![target(7)], true),
                ],
                (IN_SYNC, 7),
                OperationState::Succeeded,
                true,
            ),
            (
                "an empty diff holds the target without a rotation time",
                vec![
                    started.clone(),
                    last(OperationState::Succeeded, vec![target(7)], false),
                ],
                (IN_SYNC, 7),
                OperationState::Succeeded,
                false,
            ),
            (
                "a restored failure holds the previous version OutOfSync",
                vec![
                    started.clone(),
                    last(OperationState::Failed, vec![target(6)], false),
                ],
                (OUT_OF_SYNC, 6),
                OperationState::Failed,
                false,
            ),
            (
                "a redelivered start after the end changes nothing",
                vec![
                    started.clone(),
                    last(OperationState::Succeeded, vec![target(7)], true),
                    started.clone(),
                ],
                (IN_SYNC, 7),
                OperationState::Succeeded,
                true,
            ),
        ];
        for (name, events, expected, result, rotated) in cases {
            let mut status = DeviceStatus::default();
            for event in &events {
                fold_event(&mut status, event);
            }
            assert_eq!(held(&status), expected, "{name}");
            assert_eq!(status.last_result, result as i32, "{name}");
            assert_eq!(!status.last_rotation_time.is_empty(), rotated, "{name}");
            assert_eq!(status.last_operation_id, "op1", "{name}");
        }
    }

    #[test]
    fn an_outcome_reports_the_result_and_what_it_supersedes() {
        let mut status = DeviceStatus::default();
        let folded = fold_event(
            &mut status,
            &last(OperationState::Succeeded, vec![target(7)], true),
        );
        let path = "fabrics/fab1/AdminRW".to_string();
        assert_eq!(folded.superseded, vec![(path.clone(), 7)]);
        assert_eq!(folded.in_sync, vec![(path, 7)]);
        assert_eq!(
            folded.result.unwrap().status,
            OperationState::Succeeded as i32
        );
        let failed = fold_event(
            &mut status,
            &last(OperationState::Failed, vec![target(6)], false),
        );
        assert!(failed.superseded.is_empty() && failed.in_sync.is_empty());
        assert_eq!(
            failed.result.unwrap().error.unwrap().code,
            ErrorCode::VerificationFailed as i32
        );
        let plain = fold_event(
            &mut status,
            &event(Stage::ApplyConfiguration, Status::Started, "t9"),
        );
        assert_eq!(plain, Folded::default());
    }

    #[test]
    fn the_latest_record_of_each_stage_is_kept_in_stage_order() {
        let mut status = DeviceStatus::default();
        let mut later = event(Stage::PerformConfigurationDiff, Status::Succeeded, "t3");
        later.display = "No password changes needed, no diff.".into();
        for event in [
            later.clone(),
            event(Stage::PerformConfigurationDiff, Status::Started, "t2"),
            event(Stage::LoadIntendedConfiguration, Status::Succeeded, "t1"),
            // Same time: the end wins over the start.
            event(Stage::PerformConfigurationDiff, Status::Started, "t3"),
        ] {
            fold_event(&mut status, &event);
        }
        let stages: Vec<(i32, &str)> = status
            .last_stages
            .iter()
            .map(|r| (r.stage, r.display.as_str()))
            .collect();
        assert_eq!(
            stages,
            vec![
                (Stage::LoadIntendedConfiguration as i32, ""),
                (
                    Stage::PerformConfigurationDiff as i32,
                    later.display.as_str()
                ),
            ]
        );
    }

    #[test]
    fn older_holders_of_a_path_fall_behind() {
        let holding = |version: u32, sync: SynchronizationStatus, path: &str| DeviceStatus {
            secrets: vec![SecretStatus {
                synchronization_status: sync as i32,
                secret_archive_reference: Some(SecretReference {
                    path: path.into(),
                    version,
                    ..Default::default()
                }),
                ..Default::default()
            }],
            ..Default::default()
        };
        let path = "fabrics/fab1/AdminRW";
        let mut devices: HashMap<String, DeviceStatus> = HashMap::from([
            (
                "older".to_string(),
                holding(6, SynchronizationStatus::InSync, path),
            ),
            (
                "same".to_string(),
                holding(7, SynchronizationStatus::InSync, path),
            ),
            (
                "self".to_string(),
                holding(5, SynchronizationStatus::InSync, path),
            ),
            (
                "other-path".to_string(),
                holding(1, SynchronizationStatus::InSync, "x"),
            ),
            (
                "failed".to_string(),
                holding(6, SynchronizationStatus::OutOfSync, path),
            ),
        ]);
        let mut changed = mark_behind(devices.iter_mut(), "self", path, 7);
        changed.sort();
        assert_eq!(changed, vec!["older"]);
        assert_eq!(
            devices["older"].secrets[0].synchronization_status,
            OUT_OF_SYNC
        );
        assert_eq!(devices["self"].secrets[0].synchronization_status, IN_SYNC);
        assert_eq!(
            devices["other-path"].secrets[0].synchronization_status,
            IN_SYNC
        );
    }

    fn plan(kind: RotationKind) -> OperationPlan {
        OperationPlan {
            operation_id: "op1".into(),
            kind: kind as i32,
            fabric_id: "fab1".into(),
            request_id: String::new(),
            requested_by: String::new(),
            accepted_time: String::new(),
            device_ids: vec!["a".into(), "b".into()],
            users: Vec::new(),
            versions: Default::default(),
            lock_lease_id: String::new(),
            fanout_complete: true,
            prepared: true,
            release: None,
            skipped: Default::default(),
            plan: false,
        }
    }

    fn result(device: &str, state: OperationState) -> DeviceResult {
        DeviceResult {
            resource_id: device.into(),
            status: state as i32,
            error: (state == OperationState::Failed).then(|| Error {
                code: ErrorCode::CouldNotConnect as i32,
                message: String::new(),
            }),
            verdict: 0,
        }
    }

    #[test]
    fn a_plans_results_say_what_would_happen() {
        let verdict = |state, code: Option<ErrorCode>, found: PlanVerdict| {
            plan_verdict(&DeviceResult {
                status: state as i32,
                error: code.map(|code| Error {
                    code: code as i32,
                    message: String::new(),
                }),
                verdict: found as i32,
                ..Default::default()
            })
        };
        use OperationState::{Failed, Succeeded};
        use PlanVerdict::*;
        let none = Unspecified;
        assert_eq!(verdict(Succeeded, None, WouldChange), WouldChange);
        assert_eq!(verdict(Succeeded, None, NoChange), NoChange);
        for code in [
            ErrorCode::DiffValidationError,
            ErrorCode::UnsupportedPlatform,
            ErrorCode::MissingPasswordMapping,
            ErrorCode::DeviceDisabled,
        ] {
            assert_eq!(verdict(Failed, Some(code), none), WouldRefuse, "{code:?}");
        }
        for code in [
            ErrorCode::CouldNotConnect,
            ErrorCode::HostKeyMismatch,
            ErrorCode::AuthLockoutRisk,
        ] {
            assert_eq!(verdict(Failed, Some(code), none), Unreachable, "{code:?}");
        }
        for code in [ErrorCode::NotAttempted, ErrorCode::Timeout] {
            assert_eq!(verdict(Failed, Some(code), none), Unspecified, "{code:?}");
        }
    }

    #[test]
    fn operations_end_with_the_seeds_error_codes() {
        let ok = OperationState::Succeeded;
        let bad = OperationState::Failed;
        let rotate = RotationKind::FabricRotatePassword;
        let resync = RotationKind::FabricResyncPassword;
        // (kind, results, finished, status, error code, percent)
        let cases = [
            (
                rotate,
                vec![("a", ok)],
                false,
                OperationState::InProgress,
                None,
                50,
            ),
            (rotate, vec![("a", ok), ("b", ok)], true, ok, None, 100),
            (
                rotate,
                vec![("a", ok), ("b", bad)],
                true,
                bad,
                Some(ErrorCode::PartialSuccess),
                100,
            ),
            (
                rotate,
                vec![("a", bad), ("b", bad)],
                true,
                bad,
                Some(ErrorCode::RotationFailed),
                100,
            ),
            (
                resync,
                vec![("a", bad), ("b", bad)],
                true,
                bad,
                Some(ErrorCode::ResyncFailed),
                100,
            ),
        ];
        for (kind, results, finished, state, code, percent) in cases {
            let done: HashMap<String, DeviceResult> = results
                .iter()
                .map(|(device, state)| (device.to_string(), result(device, *state)))
                .collect();
            let mut status = OperationStatus::default();
            let ended = update_operation(&mut status, &plan(kind), &done, "t9");
            assert_eq!(ended, finished, "{results:?}");
            assert_eq!(status.status, state as i32, "{results:?}");
            assert_eq!(status.percent_complete, percent, "{results:?}");
            assert_eq!(
                status.error.as_ref().map(|e| e.code),
                code.map(|c| c as i32),
                "{results:?}"
            );
            assert_eq!(status.end_time.is_empty(), !finished, "{results:?}");
        }
    }

    #[test]
    fn a_partial_success_names_the_failed_devices() {
        let mut status = OperationStatus::default();
        let done = HashMap::from([
            ("a".to_string(), result("a", OperationState::Succeeded)),
            ("b".to_string(), result("b", OperationState::Failed)),
        ]);
        update_operation(
            &mut status,
            &plan(RotationKind::FabricRotatePassword),
            &done,
            "t9",
        );
        let message = status.error.unwrap().message;
        assert!(
            message.starts_with("1 of 2 devices updated; 1 not updated: b (CouldNotConnect)"),
            "{message}"
        );
    }

    #[test]
    fn devices_never_released_end_the_operation_halted_or_cancelled() {
        let not_attempted = |device: &str, state: OperationState| DeviceResult {
            resource_id: device.into(),
            status: state as i32,
            error: Some(Error {
                code: ErrorCode::NotAttempted as i32,
                message: "the failure brake halted the operation in wave 1 (canary)".into(),
            }),
            verdict: 0,
        };
        let plan = plan(RotationKind::FabricRotatePassword);
        let mut done = HashMap::from([
            ("a".to_string(), result("a", OperationState::Failed)),
            ("b".to_string(), not_attempted("b", OperationState::Halted)),
        ]);
        let mut status = OperationStatus::default();
        assert!(update_operation(&mut status, &plan, &done, "t9"));
        assert_eq!(status.status, OperationState::Halted as i32);
        assert_eq!(
            (status.failed_devices, status.not_attempted_devices),
            (1, 1)
        );
        let error = status.error.clone().unwrap();
        assert_eq!(error.code, ErrorCode::RotationFailed as i32);
        assert!(error.message.contains("canary"), "{}", error.message);
        assert!(
            error.message.contains("rotor operation resume"),
            "{}",
            error.message
        );
        done.insert("b".into(), not_attempted("b", OperationState::Cancelled));
        assert!(update_operation(&mut status, &plan, &done, "t9"));
        assert_eq!(status.status, OperationState::Cancelled as i32);
    }
}
