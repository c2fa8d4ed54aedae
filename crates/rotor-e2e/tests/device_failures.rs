//! Each device-level error code, provoked through the simulator: the code, what the device was
//! left holding, and what the statuses say.

use rotor_e2e::{StackOptions, TestStack, rejection, results_by_device};
use rotor_proto::v1::*;
use rotor_sim::Fault;

/// A stack whose jobs give up after two deliveries, so connection failures end quickly.
async fn stack(devices: usize) -> TestStack {
    TestStack::start(StackOptions {
        devices,
        platform_mix: (1, 1),
        settings: vec![
            ("ROTOR_JOB_MAX_DELIVER".into(), "2".into()),
            ("ROTOR_DEVICE_TIMEOUT_SECS".into(), "3".into()),
        ],
        ..Default::default()
    })
    .await
    .unwrap()
}

fn stage(status: &DeviceStatus, stage: Stage) -> &StageRecord {
    status
        .last_stages
        .iter()
        .find(|s| s.stage == stage as i32)
        .unwrap()
}

/// Rotates the fabric and returns (operation, the failing device's result code).
async fn rotate_with_fault(
    stack: &TestStack,
    device: &str,
    fault: Fault,
) -> (OperationStatus, ErrorCode) {
    stack.device(device).set_fault(fault).unwrap();
    let operation = stack.run(stack.fabric_rotate()).await.unwrap();
    let results = results_by_device(&operation);
    for (other, (state, _)) in &results {
        if other != device {
            assert_eq!(
                *state,
                OperationState::Succeeded,
                "{other} should have succeeded"
            );
        }
    }
    assert_eq!(results[device].0, OperationState::Failed);
    assert_eq!(
        operation.error.as_ref().unwrap().code,
        ErrorCode::PartialSuccess as i32
    );
    (operation, results[device].1)
}

async fn assert_holds_old_password(stack: &TestStack, device: &str, operation: &OperationStatus) {
    assert!(
        stack.can_log_in(device, &stack.initial_password).await,
        "{device} keeps its old password"
    );
    let status = stack.device_status(device).await.unwrap();
    assert_eq!(status.last_operation_id, operation.id);
    assert_eq!(status.last_result, OperationState::Failed as i32);
    let secret = &status.secrets[0];
    assert_eq!(
        secret.synchronization_status,
        SynchronizationStatus::OutOfSync as i32
    );
    assert_eq!(secret.secret_archive_reference.as_ref().unwrap().version, 1);
    let fabric = stack.fabric_status(Some(&operation.id)).await.unwrap();
    assert!(fabric.failed_device_ids.contains(&device.to_string()));
    assert_eq!(fabric.unique_password_set_count, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_config_change_between_diff_and_apply_is_diff_changed() {
    let stack = stack(2).await;
    let device = stack.device_ids()[0].clone();
    let (operation, code) =
        rotate_with_fault(&stack, &device, Fault::ChangeBetweenDiffAndApply).await;
    assert_eq!(code, ErrorCode::DiffChanged);
    let status = stack.device_status(&device).await.unwrap();
    assert_eq!(
        stage(&status, Stage::PerformConfigurationDiff).status,
        stage_event::Status::Succeeded as i32
    );
    assert_eq!(
        stage(&status, Stage::ApplyConfiguration).status,
        stage_event::Status::Failed as i32
    );
    assert_holds_old_password(&stack, &device, &operation).await;
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rejected_configuration_is_config_syntax() {
    let stack = stack(2).await;
    let device = stack.device_ids()[0].clone();
    let revision = stack.device(&device).applied_revision();
    let (operation, code) = rotate_with_fault(&stack, &device, Fault::RejectsYaml).await;
    assert_eq!(code, ErrorCode::ConfigSyntax);
    assert_eq!(stack.device(&device).applied_revision(), revision);
    assert_holds_old_password(&stack, &device, &operation).await;
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_apply_is_config_apply_failure() {
    let stack = stack(2).await;
    let device = stack.device_ids()[0].clone();
    let (operation, code) = rotate_with_fault(&stack, &device, Fault::ApplyFails).await;
    assert_eq!(code, ErrorCode::ConfigApplyFailure);
    assert!(
        stack.device(&device).candidate_config().is_none(),
        "the candidate was detached"
    );
    assert_holds_old_password(&stack, &device, &operation).await;
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_device_is_could_not_connect() {
    let stack = stack(2).await;
    let device = stack.device_ids()[0].clone();
    let (operation, code) = rotate_with_fault(&stack, &device, Fault::Unreachable).await;
    assert_eq!(code, ErrorCode::CouldNotConnect);
    stack
        .device(&device)
        .clear_fault(rotor_sim::FaultKind::Unreachable)
        .unwrap();
    assert_holds_old_password(&stack, &device, &operation).await;
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_password_that_does_not_take_is_verification_failed_and_restored() {
    let stack = stack(2).await;
    let device = stack.device_ids()[0].clone();
    let (operation, code) = rotate_with_fault(&stack, &device, Fault::PasswordNotApplied).await;
    assert_eq!(code, ErrorCode::VerificationFailed);
    let status = stack.device_status(&device).await.unwrap();
    let apply = stage(&status, Stage::ApplyConfiguration);
    assert!(apply.display.contains("restored"), "{}", apply.display);
    // Never left without a working credential, and well inside the lock-out budget.
    assert_holds_old_password(&stack, &device, &operation).await;
    let logins = stack.device(&device).login_statistics();
    assert_eq!(logins.lockouts_triggered, 0);
    assert!(logins.failed_logins <= 2, "{logins:?}");
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unsupported_platforms_and_missing_mappings_fail_without_contact() {
    let mut stack = stack(3).await;
    let devices = stack.device_ids();
    let (other_platform, unmapped) = (devices[0].clone(), devices[1].clone());
    let logins_before = stack.device(&other_platform).login_statistics();
    let other = other_platform.clone();
    stack
        .import(|exported| {
            for device in &mut exported.inventory.devices {
                if device.id == other {
                    device.platform = rotor_inventory::Platform::Other("eos".into());
                }
            }
        })
        .await
        .unwrap();
    let operation = stack.run(stack.fabric_rotate()).await.unwrap();
    let results = results_by_device(&operation);
    assert_eq!(
        results[&other_platform],
        (OperationState::Failed, ErrorCode::UnsupportedPlatform)
    );
    assert_eq!(
        stack.device(&other_platform).login_statistics(),
        logins_before,
        "never contacted"
    );

    // A device rotate of a user the device has no mapping for cannot succeed: refused at
    // request time, naming the device and the user, before the fabric is locked or the device
    // contacted.
    let logins_before = stack.device(&unmapped).login_statistics();
    let request = RotationRequest {
        kind: RotationKind::DeviceRotatePassword as i32,
        fabric_id: stack.fabric_id.clone(),
        device_ids: vec![unmapped.clone()],
        users: vec!["breakglass".into()],
        ..Default::default()
    };
    let (code, message) = rejection(&stack.submit(request).await.unwrap()).expect("refused");
    assert_eq!(code, ErrorCode::InvalidRequest, "{message}");
    assert!(
        message.contains(&unmapped) && message.contains("breakglass"),
        "{message}"
    );
    assert_eq!(stack.device(&unmapped).login_statistics(), logins_before);
    let lock = rotor_bus::lease::current(
        &stack.topology.leases,
        &rotor_bus::names::keys::fabric_lock(&stack.fabric_id),
        rotor_bus::lease::now_unix_ms(),
    )
    .await
    .unwrap();
    assert!(lock.is_none(), "the fabric was locked: {lock:?}");
    // A fabric rotate for a user no device maps is refused the same way.
    let request = RotationRequest {
        users: vec!["breakglass".into()],
        ..stack.fabric_rotate()
    };
    let (code, message) = rejection(&stack.submit(request).await.unwrap()).expect("refused");
    assert_eq!(code, ErrorCode::InvalidRequest, "{message}");
    assert!(message.contains("breakglass"), "{message}");
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_changed_host_key_is_refused_before_any_password_is_sent() {
    let mut stack = stack(2).await;
    let device = stack.device_ids()[0].clone();
    // A key this switch does not have (no other device pins it either: one switch is one
    // device, so another device's key would be refused at import).
    let other_key = rotor_sim::host_keys::openssh_public_key(
        &rotor_sim::host_keys::derive_ed25519("another-seed", &device),
    );
    let target = device.clone();
    stack
        .import(|exported| {
            for record in &mut exported.inventory.devices {
                if record.id == target {
                    record.host_key = other_key.clone();
                    record.host_keys.clear();
                }
            }
        })
        .await
        .unwrap();
    let before = stack.device(&device).login_statistics();
    let operation = stack.run(stack.fabric_rotate()).await.unwrap();
    assert_eq!(
        results_by_device(&operation)[&device],
        (OperationState::Failed, ErrorCode::HostKeyMismatch)
    );
    let after = stack.device(&device).login_statistics();
    assert_eq!(
        before.succeeded_logins + before.failed_logins,
        after.succeeded_logins + after.failed_logins
    );
    stack.shutdown().await;
}
