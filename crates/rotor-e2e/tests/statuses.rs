//! Statuses that tell the truth on real fabrics: devices that map different users, shared and
//! per-device (`{device}`) secret paths, one-user and one-device rotations, imports that prove
//! nothing, and a login user deleted on the switch. The password-set count is defined in
//! docs/bus.md: per secret type, the distinct passwords devices hold (the current one of their
//! path, or an older version), the largest of those.

use rotor_e2e::{StackOptions, TestStack, extra_user_secret_path, results_by_device};
use rotor_proto::v1::*;
use rotor_sim::Platform;
use rotor_sim::device::LoginOutcome;

/// A fabric of three Cumulus devices (users `cumulus` and `breakglass`) and one NVOS device
/// (`admin` only); `cumulus` and `admin` share the login secret.
async fn mixed_fabric() -> TestStack {
    TestStack::start(StackOptions {
        extra_users: vec!["breakglass".into()],
        extra_users_on: Some(Platform::Cumulus),
        ..Default::default()
    })
    .await
    .unwrap()
}

fn devices_of(stack: &TestStack, platform: Platform) -> Vec<String> {
    stack
        .device_ids()
        .into_iter()
        .filter(|id| stack.device(id).platform() == platform)
        .collect()
}

/// Each user's synchronization status and version on `device`.
async fn secrets_of(stack: &TestStack, device: &str) -> Vec<(String, SynchronizationStatus, u32)> {
    let mut secrets: Vec<_> = stack
        .device_status(device)
        .await
        .unwrap()
        .secrets
        .into_iter()
        .map(|secret| {
            (
                secret.username.clone(),
                secret.synchronization_status(),
                secret.secret_archive_reference.map_or(0, |r| r.version),
            )
        })
        .collect();
    secrets.sort();
    secrets
}

async fn set_count(stack: &TestStack, operation: Option<&str>) -> u32 {
    stack
        .fabric_status(operation)
        .await
        .unwrap()
        .unique_password_set_count
}

/// Whether `user`'s password on `device` is version `version` of its secret.
async fn holds(stack: &TestStack, device: &str, user: &str, path: &str, version: u32) -> bool {
    let (password, _) = stack
        .secrets
        .read("secret", path, Some(version))
        .await
        .unwrap();
    stack
        .device(device)
        .check_login(user, password.expose_for_login())
        == LoginOutcome::Accepted
}

/// Runs `request`, which must be accepted for `devices` devices and succeed on each.
async fn run_covering(
    stack: &TestStack,
    request: RotationRequest,
    devices: u32,
) -> OperationStatus {
    let reply = stack.submit(request).await.unwrap();
    let Some(rotation_reply::Outcome::Accepted(accepted)) = reply.outcome else {
        panic!("refused: {reply:?}");
    };
    assert_eq!(accepted.submitted_device_count, devices);
    let operation = stack
        .wait_for_operation(&accepted.operation_id)
        .await
        .unwrap();
    all_succeeded(&operation);
    operation
}

fn all_succeeded(operation: &OperationStatus) {
    assert_eq!(
        operation.status,
        OperationState::Succeeded as i32,
        "{:?}",
        results_by_device(operation)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mixed_fabric_is_one_password_set_and_one_user_rotates_alone() {
    let stack = mixed_fabric().await;
    let cumulus = devices_of(&stack, Platform::Cumulus);
    let nvos = devices_of(&stack, Platform::Nvos);
    assert_eq!((cumulus.len(), nvos.len()), (3, 1));
    let breakglass_path = extra_user_secret_path(&stack.fabric_id, "breakglass");
    let login_path = rotor_e2e::login_secret_path(&stack.fabric_id);

    // Imported: every secret Unverified (nothing proved yet), and one password set although
    // the devices map different users.
    for device in stack.device_ids() {
        for (user, sync, version) in secrets_of(&stack, &device).await {
            assert_eq!(
                (sync, version),
                (SynchronizationStatus::Unverified, 1),
                "{device} {user}"
            );
        }
    }
    assert_eq!(set_count(&stack, None).await, 1);

    // A fabric resync includes the unverified devices and proves them.
    let operation = run_covering(&stack, stack.fabric_resync(), 4).await;
    for device in stack.device_ids() {
        for (user, sync, _) in secrets_of(&stack, &device).await {
            assert_eq!(sync, SynchronizationStatus::InSync, "{device} {user}");
        }
    }
    assert_eq!(set_count(&stack, Some(&operation.id)).await, 1);

    // A fabric rotation where every device succeeds: still one set.
    let operation = stack.run(stack.fabric_rotate()).await.unwrap();
    all_succeeded(&operation);
    assert_eq!(set_count(&stack, Some(&operation.id)).await, 1);
    let login_version = stack.current_password().await.unwrap().1;

    // One user of a device with two: only breakglass changes, cumulus keeps its password.
    let target = cumulus[0].clone();
    let request = RotationRequest {
        kind: RotationKind::DeviceRotatePassword as i32,
        device_ids: vec![target.clone()],
        users: vec!["breakglass".into()],
        ..stack.fabric_rotate()
    };
    let operation = stack.run(request).await.unwrap();
    all_succeeded(&operation);
    let (_, breakglass_version) = stack
        .secrets
        .read("secret", &breakglass_path, None)
        .await
        .unwrap();
    assert_eq!(
        breakglass_version, 3,
        "resync kept 1, the rotation wrote 2, this 3"
    );
    assert!(holds(&stack, &target, "breakglass", &breakglass_path, 3).await);
    assert!(holds(&stack, &target, "cumulus", &login_path, login_version).await);
    let status = stack.device_status(&target).await.unwrap();
    let diff = status
        .last_stages
        .iter()
        .find(|s| s.stage == Stage::PerformConfigurationDiff as i32)
        .unwrap();
    assert!(diff.display.contains("'breakglass'"), "{}", diff.display);
    assert!(!diff.display.contains("cumulus"), "{}", diff.display);

    // The shared breakglass path has a new version: the other Cumulus devices hold an older
    // one and say so (the NVOS device does not map it); two sets are live.
    for device in &cumulus[1..] {
        assert!(
            secrets_of(&stack, device).await.contains(&(
                "breakglass".into(),
                SynchronizationStatus::OutOfSync,
                2
            )),
            "{device}: {:?}",
            secrets_of(&stack, device).await
        );
    }
    assert_eq!(set_count(&stack, None).await, 2);

    // One fabric resync converges it: it submits exactly the devices behind.
    let operation = run_covering(&stack, stack.fabric_resync(), 2).await;
    assert_eq!(set_count(&stack, Some(&operation.id)).await, 1);
    for device in &cumulus {
        assert!(holds(&stack, device, "breakglass", &breakglass_path, 3).await);
    }
    // And a fabric rotate of breakglass alone covers the devices that map it.
    let request = RotationRequest {
        users: vec!["breakglass".into()],
        ..stack.fabric_rotate()
    };
    let operation = run_covering(&stack, request, 3).await;
    assert_eq!(set_count(&stack, Some(&operation.id)).await, 1);
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_password_per_device_counts_as_one_set_when_current() {
    let mut stack = mixed_fabric().await;
    // breakglass with its own secret per device (`{device}` in the path).
    stack
        .import(|exported| {
            for device in &mut exported.inventory.devices {
                for mapping in &mut device.password_mappings {
                    if mapping.username == "breakglass" {
                        mapping.secret_path = "fabrics/{fabric}/{device}/breakglass".into();
                    }
                }
            }
        })
        .await
        .unwrap();
    let cumulus = devices_of(&stack, Platform::Cumulus);
    // No version of those paths yet: not a password set of its own.
    assert!(
        secrets_of(&stack, &cumulus[0]).await.contains(&(
            "breakglass".into(),
            SynchronizationStatus::OutOfSync,
            0
        )),
        "{:?}",
        secrets_of(&stack, &cumulus[0]).await
    );
    assert_eq!(set_count(&stack, None).await, 1);

    let operation = stack.run(stack.fabric_rotate()).await.unwrap();
    all_succeeded(&operation);
    assert_eq!(set_count(&stack, Some(&operation.id)).await, 1);
    for device in &cumulus {
        let path = format!("fabrics/{}/{device}/breakglass", stack.fabric_id);
        assert!(
            holds(&stack, device, "breakglass", &path, 1).await,
            "{device}"
        );
    }

    // A device rotate of its own path leaves no sibling behind: still one set, all InSync.
    let request = RotationRequest {
        kind: RotationKind::DeviceRotatePassword as i32,
        device_ids: vec![cumulus[0].clone()],
        users: vec!["breakglass".into()],
        ..stack.fabric_rotate()
    };
    let operation = stack.run(request).await.unwrap();
    all_succeeded(&operation);
    assert_eq!(set_count(&stack, Some(&operation.id)).await, 1);
    for device in stack.device_ids() {
        for (user, sync, _) in secrets_of(&stack, &device).await {
            assert_eq!(sync, SynchronizationStatus::InSync, "{device} {user}");
        }
    }
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_login_user_deleted_on_the_switch_is_said_plainly() {
    let stack = TestStack::start(StackOptions::default()).await.unwrap();
    let operation = stack.run(stack.fabric_rotate()).await.unwrap();
    all_succeeded(&operation);
    let device = devices_of(&stack, Platform::Cumulus)[0].clone();
    stack.device(&device).remove_user("cumulus").unwrap();

    let operation = stack.run(stack.fabric_rotate()).await.unwrap();
    let result = operation
        .operations
        .iter()
        .find(|r| r.resource_id == device)
        .unwrap();
    let error = result.error.clone().unwrap();
    assert_eq!(
        error.code,
        ErrorCode::AuthLockoutRisk as i32,
        "{}",
        error.message
    );
    // What happened (the versions the switch refused), that the budget is spent, and until
    // when; never a secret.
    let message = &error.message;
    assert!(message.contains("refused v2, v3"), "{message}");
    assert!(message.contains("budget 2"), "{message}");
    assert!(message.contains("spent until 20"), "{message}");
    for plaintext in stack.all_plaintexts().await.unwrap() {
        assert!(!message.contains(&plaintext));
    }
    let logins = stack.device(&device).login_statistics();
    assert_eq!(logins.lockouts_triggered, 0);
    assert!(logins.failed_logins <= 2, "{logins:?}");

    // A second attempt within the window says the budget is spent by earlier logins, and tries
    // nothing.
    let request = RotationRequest {
        kind: RotationKind::DeviceResyncPassword as i32,
        device_ids: vec![device.clone()],
        ..stack.fabric_resync()
    };
    let operation = stack.run(request).await.unwrap();
    let error = operation.operations[0].error.clone().unwrap();
    assert_eq!(
        error.code,
        ErrorCode::AuthLockoutRisk as i32,
        "{}",
        error.message
    );
    assert!(error.message.contains("earlier"), "{}", error.message);
    assert!(
        error.message.contains("spent until 20"),
        "{}",
        error.message
    );
    assert_eq!(stack.device(&device).login_statistics(), logins);
    stack.shutdown().await;
}
