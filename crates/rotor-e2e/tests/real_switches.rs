//! Rotor against switches modelled on NVIDIA's documented releases (the simulator's profiles):
//! saving where an apply does not persist, surviving a reboot, the rollback timer as the
//! backstop for a killed applier, NVOS's plaintext passwords and hardening, masked values,
//! host-key types, and refusals the switch delays.

use std::time::Duration;

use rotor_e2e::{StackOptions, TestStack, results_by_device, until};
use rotor_proto::v1::*;
use rotor_sim::{Fault, Profile};

fn every_profile() -> Vec<Profile> {
    vec![
        Profile::Cumulus5_8,
        Profile::Cumulus5_9,
        Profile::Cumulus5_15,
        Profile::Cumulus5_16,
        Profile::Nvos25_02,
        Profile::Nvos25_02,
    ]
}

/// Runs a command on a device as its login user with the fabric's first password.
async fn run_on(stack: &TestStack, device: &str, command: &str) {
    let simulated = stack.device(device);
    let session = rotor_device::ssh::Session::connect(
        &simulated.address().to_string(),
        &simulated.host_keys(),
        "cumulus",
        &stack.initial_password,
        &Default::default(),
    )
    .await
    .unwrap();
    let output = session.run(command).await.unwrap();
    assert!(output.succeeded(), "{command}: {output:?}");
    session.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mixed_fabric_rotates_saves_and_keeps_the_new_password_across_a_reboot() {
    let stack = TestStack::start(StackOptions {
        devices: 6,
        platform_mix: (4, 2),
        profiles: Some(every_profile()),
        ..Default::default()
    })
    .await
    .unwrap();
    let devices = stack.device_ids();
    let profiles: std::collections::BTreeSet<Profile> =
        devices.iter().map(|d| stack.device(d).profile()).collect();
    assert_eq!(profiles.len(), 5, "one device of every profile");

    let operation = stack.run(stack.fabric_rotate()).await.unwrap();
    assert_eq!(
        operation.status,
        OperationState::Succeeded as i32,
        "{operation:?}"
    );
    let (newest, version) = stack.current_password().await.unwrap();
    assert_eq!(version, 2);
    for device in &devices {
        // The startup configuration carries the change: Cumulus 5.8 and NVOS do not save by
        // themselves, so Rotor did.
        assert!(stack.device(device).is_saved(), "{device} was not saved");
    }
    for device in &devices {
        stack
            .sim
            .reboot(device, Some(Duration::from_millis(100)))
            .await
            .unwrap();
    }
    for device in &devices {
        assert!(
            stack.can_log_in(device, &newest).await,
            "{device} ({:?}) lost the new password in a reboot",
            stack.device(device).profile()
        );
        assert!(
            !stack.can_log_in(device, &stack.initial_password).await,
            "{device} runs the old password again"
        );
    }
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_applier_is_undone_by_the_switch_rollback_timer() {
    let mut stack = TestStack::start(StackOptions {
        devices: 2,
        platform_mix: (2, 0),
        processes: true,
        settings: vec![
            ("ROTOR_CONFIRM_SECS".into(), "3".into()),
            // A killed worker's jobs go to the next one after this.
            ("ROTOR_JOB_ACK_WAIT_SECS".into(), "3".into()),
        ],
        ..Default::default()
    })
    .await
    .unwrap();
    let devices = stack.device_ids();
    let (changed, not_taken) = (&devices[0], &devices[1]);
    for device in &devices {
        stack
            .device(device)
            .set_fault(Fault::StallApply { ms: 30_000 })
            .unwrap();
    }
    // One device's change takes effect; the other's does not (the password stays the old one).
    stack
        .device(not_taken)
        .set_fault(Fault::PasswordNotApplied)
        .unwrap();
    let operation = stack.submit_accepted(stack.fabric_rotate()).await.unwrap();
    let pending = || {
        devices
            .iter()
            .all(|d| stack.device(d).confirm_remaining().is_some())
    };
    until("both applies", Duration::from_secs(30), pending).await;
    // Between the apply and its proof: nobody will confirm or reject.
    assert!(stack.kill_process("applier-0"));
    let rolled_back = || {
        devices
            .iter()
            .all(|d| stack.device(d).confirm_remaining().is_none())
    };
    until("the rollback timers", Duration::from_secs(20), rolled_back).await;
    let (new, _) = stack.current_password().await.unwrap();
    for device in &devices {
        assert!(
            stack.can_log_in(device, &stack.initial_password).await,
            "{device}: the rollback did not bring the old password back"
        );
    }
    assert!(!stack.can_log_in(changed, &new).await);

    // The applier comes back; the redelivered jobs find the change undone and apply again.
    for device in &devices {
        stack
            .device(device)
            .clear_fault(rotor_sim::faults::FaultKind::StallApply)
            .unwrap();
    }
    stack.spawn_process("applier", 0);
    let operation = stack.wait_for_operation(&operation).await.unwrap();
    assert_eq!(
        operation.status,
        OperationState::Succeeded as i32,
        "{operation:?}"
    );
    for device in &devices {
        assert!(stack.can_log_in(device, &new).await, "{device}");
        assert!(stack.device(device).is_saved(), "{device}");
    }
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_nvos_restore_is_a_rollback_never_a_password_it_had_before() {
    let stack = TestStack::start(StackOptions {
        devices: 2,
        platform_mix: (0, 2),
        ..Default::default()
    })
    .await
    .unwrap();
    let devices = stack.device_ids();
    assert!(
        devices
            .iter()
            .all(|d| stack.device(d).profile() == Profile::Nvos25_02)
    );
    // NVOS hardening is on: the generated passwords pass it.
    let first = stack.run(stack.fabric_rotate()).await.unwrap();
    assert_eq!(first.status, OperationState::Succeeded as i32, "{first:?}");
    let (held, _) = stack.current_password().await.unwrap();

    // A change that does not take: putting the previous password back by setting it would be
    // refused (it is among NVOS's last ten); a rollback is not a set.
    let device = &devices[0];
    stack
        .device(device)
        .set_fault(Fault::PasswordNotApplied)
        .unwrap();
    let request = RotationRequest {
        kind: RotationKind::DeviceRotatePassword as i32,
        device_ids: vec![device.clone()],
        ..stack.fabric_rotate()
    };
    let operation = stack.run(request).await.unwrap();
    assert_eq!(
        results_by_device(&operation)[device],
        (OperationState::Failed, ErrorCode::VerificationFailed)
    );
    let status = stack.device_status(device).await.unwrap();
    let apply = status
        .last_stages
        .iter()
        .find(|r| r.stage == Stage::ApplyConfiguration as i32)
        .unwrap();
    assert!(apply.display.contains("rolled back"), "{}", apply.display);
    assert!(stack.can_log_in(device, &held).await);
    // And the next resync converges.
    let resync = stack.run(stack.fabric_resync()).await.unwrap();
    assert_eq!(
        resync.status,
        OperationState::Succeeded as i32,
        "{resync:?}"
    );
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_or_show_output_with_masked_passwords_is_never_imported() {
    let mut stack = TestStack::start(StackOptions::default()).await.unwrap();
    let operation = stack.run(stack.fabric_rotate()).await.unwrap();
    let device = stack.device_ids()[0].clone();
    let backup = stack
        .client
        .clone()
        .get_backup(GetBackupRequest {
            name: rotor_bus::names::backup_object_name(&stack.fabric_id, &device, &operation.id),
        })
        .await
        .unwrap()
        .into_inner();
    assert!(
        backup.config.contains("'*'"),
        "NVUE masks hashes in backups"
    );
    let target = device.clone();
    let refused = stack
        .import(move |exported| {
            exported.intended_configs.insert(target, backup.config);
        })
        .await
        .unwrap_err()
        .to_string();
    assert!(refused.contains(&device), "{refused}");
    assert!(refused.contains("masked"), "{refused}");
    assert!(refused.contains("system.aaa.user."), "{refused}");
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_pinned_key_types_are_negotiated_and_several_keys_can_be_pinned() {
    let mut stack = TestStack::start(StackOptions {
        devices: 3,
        platform_mix: (3, 0),
        profiles: Some(vec![
            Profile::Cumulus5_15,
            Profile::Cumulus5_15,
            Profile::Cumulus5_16,
        ]),
        rsa_host_keys: true,
        ..Default::default()
    })
    .await
    .unwrap();
    let devices = stack.device_ids();
    // Device 0 offers ed25519 and ECDSA but only its ECDSA key is pinned; device 1 pins only
    // RSA; device 2 (Cumulus 5.16: no ed25519) pins every key it has.
    let pins: Vec<(String, &str)> = vec![
        (devices[0].clone(), "ecdsa-sha2-nistp256"),
        (devices[1].clone(), "ssh-rsa"),
    ];
    stack
        .import(move |exported| {
            for device in &mut exported.inventory.devices {
                if let Some((_, kind)) = pins.iter().find(|(id, _)| *id == device.id) {
                    let keys = device.pinned_host_keys();
                    let only: Vec<String> =
                        keys.into_iter().filter(|k| k.starts_with(kind)).collect();
                    assert_eq!(only.len(), 1, "{}: {kind}", device.id);
                    device.host_key = only[0].clone();
                    device.host_keys.clear();
                }
            }
        })
        .await
        .unwrap();
    let operation = stack.run(stack.fabric_rotate()).await.unwrap();
    assert_eq!(
        operation.status,
        OperationState::Succeeded as i32,
        "{operation:?}"
    );
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refusal_the_switch_delays_is_counted_and_never_exceeds_the_budget() {
    let stack = TestStack::start(StackOptions {
        devices: 2,
        platform_mix: (2, 0),
        profiles: Some(vec![Profile::Cumulus5_15, Profile::Cumulus5_15]),
        // Below the switch's delay: these logins end in a timeout after the password was sent.
        settings: vec![("ROTOR_LOGIN_TIMEOUT_SECS".into(), "1".into())],
        ..Default::default()
    })
    .await
    .unwrap();
    let devices = stack.device_ids();
    let device = &devices[0];
    // The switch delays every refusal by 2 s (NVUE `restrictions fail-delay`), and its password
    // was changed out of band, so every stored version is refused.
    for command in [
        "nv set system aaa authentication restrictions fail-delay 2",
        "nv config apply -y",
        "nv config save",
    ] {
        run_on(&stack, device, command).await;
    }
    stack
        .device(device)
        .set_user_password_hash("cumulus", "$6$outofband$aGVsbG8")
        .unwrap();
    let resync = RotationRequest {
        kind: RotationKind::DeviceResyncPassword as i32,
        device_ids: vec![device.clone()],
        ..stack.fabric_resync()
    };
    for _ in 0..2 {
        let operation = stack.run(resync.clone()).await.unwrap();
        let (_, code) = results_by_device(&operation)[device];
        assert!(
            matches!(code, ErrorCode::Timeout | ErrorCode::AuthLockoutRisk),
            "{code:?}"
        );
    }
    let logins = stack.device(device).login_statistics();
    assert!(
        logins.failed_logins <= 2,
        "Rotor made {} failed logins, more than its budget of 2",
        logins.failed_logins
    );
    assert_eq!(logins.lockouts_triggered, 0);
    stack.shutdown().await;
}
