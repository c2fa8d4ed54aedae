//! The safety guarantees, each as the scenario that broke it (see docs/safety.md): versions
//! never evicted while held, the lock-out ledger per switch user, proofs that fail after the
//! login user's passed, restores prepared before the apply and proven after it, fabric locks
//! held from acceptance with a fencing token, one switch one device, crash gaps in the
//! orchestrator, and recovery from a version gone from the store.

use std::time::Duration;

use rotor_bus::names::keys;
use rotor_e2e::{StackOptions, TestStack, rejection, results_by_device, until};
use rotor_proto::v1::*;
use rotor_sim::Fault;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rotation_never_evicts_a_version_a_device_holds_and_reuses_unused_ones() {
    let stack = TestStack::start(StackOptions::default()).await.unwrap();
    let path = rotor_e2e::login_secret_path(&stack.fabric_id);
    // The store keeps three versions of the fabric's secret.
    let output = stack.bao.cli(
        &[
            "kv",
            "metadata",
            "put",
            "-mount=secret",
            "-max-versions=3",
            &path,
        ],
        None,
    );
    assert!(output.status.success(), "{output:?}");
    let devices = stack.device_ids();
    let drifted = &devices[0];
    stack.device(drifted).set_fault(Fault::Drifted).unwrap();
    // v2 then v3: the drifted device fails both and keeps holding v1 (still kept).
    for expected in [2, 3] {
        let operation = stack.run(stack.fabric_rotate()).await.unwrap();
        assert_eq!(
            results_by_device(&operation)[drifted].1,
            ErrorCode::DiffValidationError
        );
        assert_eq!(stack.current_password().await.unwrap().1, expected);
    }
    // v4 would remove v1: refused, naming the device and its version.
    let (code, message) = rejection(&stack.submit(stack.fabric_rotate()).await.unwrap()).unwrap();
    assert_eq!(code, ErrorCode::OperationNotAllowed);
    assert!(message.contains(drifted.as_str()), "{message}");
    assert!(message.contains("holds version 1"), "{message}");
    let (_, version) = stack
        .secrets
        .read("secret", &path, Some(1))
        .await
        .expect("version 1 is still in the store");
    assert_eq!(version, 1);

    // A version no device received (an orchestrator that died after writing it) is reused.
    stack
        .device(drifted)
        .clear_fault(rotor_sim::faults::FaultKind::Drifted)
        .unwrap();
    let resync = stack.run(stack.fabric_resync()).await.unwrap();
    assert_eq!(
        resync.status,
        OperationState::Succeeded as i32,
        "{resync:?}"
    );
    let orphan = rotor_secrets::PasswordPolicy::default().generate().unwrap();
    let orphan_version = stack.secrets.write("secret", &path, &orphan).await.unwrap();
    let operation = stack.run(stack.fabric_rotate()).await.unwrap();
    assert_eq!(
        operation.status,
        OperationState::Succeeded as i32,
        "{operation:?}"
    );
    assert_eq!(stack.current_password().await.unwrap().1, orphan_version);
    for device in &devices {
        assert!(stack.can_log_in(device, &orphan).await, "{device}");
    }
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_whose_proof_fails_every_time_is_never_locked_out() {
    // The switch locks an account after 5 consecutive failures; Rotor's budget is 2 per user.
    let stack = TestStack::start(StackOptions {
        devices: 1,
        platform_mix: (1, 0),
        extra_users: vec!["breakglass".into()],
        // Every round must try the device: quarantine would leave it out after three.
        settings: vec![("ROTOR_QUARANTINE_AFTER".into(), "0".into())],
        ..Default::default()
    })
    .await
    .unwrap();
    let device = stack.device_ids()[0].clone();
    for round in 0..4 {
        // breakglass's new password never takes; the login user's does (and its login
        // succeeds every time, which must not reset breakglass's count).
        stack
            .device(&device)
            .set_fault(Fault::PasswordNotAppliedFor {
                user: "breakglass".into(),
            })
            .unwrap();
        let operation = stack.run(stack.fabric_rotate()).await.unwrap();
        let (state, code) = results_by_device(&operation)[&device];
        assert_eq!(state, OperationState::Failed, "round {round}");
        assert_eq!(code, ErrorCode::VerificationFailed, "round {round}");
    }
    let logins = stack.device(&device).login_statistics();
    assert_eq!(logins.lockouts_triggered, 0, "{logins:?}");
    let breakglass = logins
        .users
        .iter()
        .find(|u| u.username == "breakglass")
        .map_or(0, |u| u.consecutive_failures);
    assert!(
        breakglass <= 2,
        "{breakglass} consecutive failures for breakglass"
    );
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_later_users_failed_proof_leaves_rotor_able_to_log_in() {
    let stack = TestStack::start(StackOptions {
        devices: 1,
        platform_mix: (1, 0),
        extra_users: vec!["breakglass".into()],
        ..Default::default()
    })
    .await
    .unwrap();
    let device = stack.device_ids()[0].clone();
    stack
        .device(&device)
        .set_fault(Fault::PasswordNotAppliedFor {
            user: "breakglass".into(),
        })
        .unwrap();
    let failed = stack.run(stack.fabric_rotate()).await.unwrap();
    assert_eq!(
        results_by_device(&failed)[&device].1,
        ErrorCode::VerificationFailed
    );
    // The rollback put the login user back: the next operation logs in at once and converges.
    let before = stack.device(&device).login_statistics();
    let next = stack.run(stack.fabric_rotate()).await.unwrap();
    assert_eq!(next.status, OperationState::Succeeded as i32, "{next:?}");
    let after = stack.device(&device).login_statistics();
    assert_eq!(
        before.failed_logins, after.failed_logins,
        "the next operation tried a version the device does not hold"
    );
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restore_needs_no_secrets_store_and_an_unprovable_one_is_restore_failed() {
    let stack = TestStack::start(StackOptions {
        devices: 2,
        platform_mix: (2, 0),
        extra_users: vec!["breakglass".into()],
        settings: vec![("ROTOR_JOB_MAX_DELIVER".into(), "2".into())],
        ..Default::default()
    })
    .await
    .unwrap();
    let devices = stack.device_ids();
    let (sealed, unprovable) = (&devices[0], &devices[1]);
    // Device 0: the change does not take, and the store is sealed while the apply runs: the
    // rollback and its proof need nothing from it.
    stack
        .device(sealed)
        .set_fault(Fault::PasswordNotApplied)
        .unwrap();
    stack
        .device(sealed)
        .set_fault(Fault::StallApply { ms: 2_000 })
        .unwrap();
    // Device 1: breakglass's password does not take and the switch cannot roll back: the login
    // user keeps the new password, so the previous one cannot be proven.
    stack
        .device(unprovable)
        .set_fault(Fault::PasswordNotAppliedFor {
            user: "breakglass".into(),
        })
        .unwrap();
    stack
        .device(unprovable)
        .set_fault(Fault::RollbackFails)
        .unwrap();
    let operation = stack.submit_accepted(stack.fabric_rotate()).await.unwrap();
    let device = stack.device(sealed);
    until("the stalled apply", Duration::from_secs(30), || {
        device.confirm_remaining().is_some()
    })
    .await;
    stack.bao.seal();
    let operation = stack.wait_for_operation(&operation).await.unwrap();
    stack.bao.unseal();
    let results = results_by_device(&operation);
    assert_eq!(results[sealed].1, ErrorCode::VerificationFailed);
    assert!(stack.can_log_in(sealed, &stack.initial_password).await);
    assert_eq!(results[unprovable].1, ErrorCode::RestoreFailed);
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_graceful_shutdown_lets_an_apply_and_its_proof_finish() {
    let mut stack = TestStack::start(StackOptions {
        devices: 1,
        platform_mix: (1, 0),
        settings: vec![("ROTOR_SHUTDOWN_GRACE_SECS".into(), "0".into())],
        ..Default::default()
    })
    .await
    .unwrap();
    let device = stack.device_ids()[0].clone();
    stack
        .device(&device)
        .set_fault(Fault::StallApply { ms: 1_500 })
        .unwrap();
    let operation = stack.submit_accepted(stack.fabric_rotate()).await.unwrap();
    let simulated = stack.device(&device);
    until("the apply", Duration::from_secs(30), || {
        simulated.confirm_remaining().is_some()
    })
    .await;
    // The only applier stops; its job is in the apply: it finishes instead of being handed back.
    stack.stop_service("applier-0").await;
    let operation = stack.wait_for_operation(&operation).await.unwrap();
    assert_eq!(
        operation.status,
        OperationState::Succeeded as i32,
        "{operation:?}"
    );
    assert!(simulated.confirm_remaining().is_none(), "confirmed");
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_fabric_lock_is_held_from_acceptance_and_a_timed_out_operation_changes_nothing() {
    let stack = TestStack::start(StackOptions {
        devices: 2,
        platform_mix: (2, 0),
        settings: vec![
            ("ROTOR_LOCK_LEASE_SECS".into(), "2".into()),
            ("ROTOR_OPERATION_TIMEOUT_SECS".into(), "5".into()),
        ],
        ..Default::default()
    })
    .await
    .unwrap();
    let devices = stack.device_ids();
    for device in &devices {
        stack.device(device).set_fault(Fault::Unreachable).unwrap();
    }
    let operation = stack.submit_accepted(stack.fabric_rotate()).await.unwrap();
    // No device reports for a while; the lock (a 2 s lease) must hold all along.
    let started = tokio::time::Instant::now();
    while started.elapsed() < Duration::from_secs(4) {
        let lock = stack
            .client
            .clone()
            .show_fabric_lock(ShowFabricLockRequest {
                fabric_id: stack.fabric_id.clone(),
            })
            .await
            .unwrap()
            .into_inner()
            .lock
            .expect("the operation holds the fabric lock");
        assert!(lock.holder.contains(&operation), "{lock:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // It times out; the devices come back; their queued jobs must change nothing.
    let ended = stack.wait_for_operation(&operation).await.unwrap();
    assert_eq!(ended.status, OperationState::Failed as i32, "{ended:?}");
    let revisions: Vec<u64> = devices
        .iter()
        .map(|d| stack.device(d).applied_revision())
        .collect();
    for device in &devices {
        stack
            .device(device)
            .clear_fault(rotor_sim::faults::FaultKind::Unreachable)
            .unwrap();
    }
    // Bounded: the queued jobs are retried within their backoff, and each ends NotAttempted.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let statuses =
            futures::future::join_all(devices.iter().map(|d| stack.device_status(d))).await;
        let attempted = statuses.iter().all(|s| {
            s.as_ref().is_ok_and(|s| {
                s.last_error
                    .as_ref()
                    .is_some_and(|e| e.code == ErrorCode::NotAttempted as i32)
            })
        });
        if attempted {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "{statuses:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    for (device, revision) in devices.iter().zip(revisions) {
        assert_eq!(
            stack.device(device).applied_revision(),
            revision,
            "{device} was changed"
        );
        assert!(stack.can_log_in(device, &stack.initial_password).await);
    }
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_switch_is_one_device_across_fabrics() {
    let mut stack = TestStack::start(StackOptions::default()).await.unwrap();
    let device = stack.device_ids()[0].clone();
    let address = stack.device(&device).address();
    // The same switch in another fabric, by another id, its address spelled differently.
    let mut exported = stack
        .sim
        .inventory(&stack.fabric_id, &rotor_sim::ExportOptions::default())
        .unwrap();
    exported.inventory.fabric.id = "fab2".into();
    exported.inventory.devices.retain(|d| d.id == device);
    exported.intended_configs.retain(|id, _| *id == device);
    exported.inventory.devices[0].id = "other-name".into();
    exported.inventory.devices[0].address = format!("{}:0{}", address.ip(), address.port());
    let config = exported.intended_configs.remove(&device).unwrap();
    exported
        .intended_configs
        .insert("other-name".into(), config);
    let path = rotor_e2e::login_secret_path("fab2");
    stack
        .secrets
        .write("secret", &path, &stack.initial_password)
        .await
        .unwrap();
    let refused = stack
        .client
        .import_inventory(ImportInventoryRequest {
            inventory_yaml: exported.inventory.to_yaml(),
            intended_configs: exported.intended_configs.into_iter().collect(),
        })
        .await
        .unwrap_err();
    assert_eq!(refused.code(), tonic::Code::InvalidArgument);
    assert!(refused.message().contains(&device), "{}", refused.message());
    assert!(refused.message().contains("fab1"), "{}", refused.message());
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_ids_survive_a_dead_orchestrator_and_transient_refusals() {
    let stack = TestStack::start(StackOptions::default()).await.unwrap();
    // An orchestrator died while handling request "r1": its marker is old.
    let key = keys::request(&stack.fabric_id, "r1");
    stack
        .topology
        .requests
        .put(&key, "handling:1".into())
        .await
        .unwrap();
    let request = RotationRequest {
        request_id: "r1".into(),
        ..stack.fabric_rotate()
    };
    let id = stack.submit_accepted(request.clone()).await.unwrap();
    stack.wait_for_operation(&id).await.unwrap();
    // The same id again: the same answer, not a second rotation.
    assert_eq!(stack.submit_accepted(request).await.unwrap(), id);

    // A refusal that can change is not the id's answer for ever.
    stack.bao.seal();
    let request = RotationRequest {
        request_id: "r2".into(),
        ..stack.fabric_rotate()
    };
    let (code, _) = rejection(&stack.submit(request.clone()).await.unwrap()).unwrap();
    assert_eq!(code, ErrorCode::SecretsUnavailable);
    stack.bao.unseal();
    let id = stack.submit_accepted(request).await.unwrap();
    let operation = stack.wait_for_operation(&id).await.unwrap();
    assert_eq!(operation.status, OperationState::Succeeded as i32);
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operation_whose_orchestrator_died_while_preparing_it_is_ended() {
    let stack = TestStack::start(StackOptions::default()).await.unwrap();
    let operation_id = "01a00000-0000-7000-8000-000000000002".to_string();
    stack
        .crashed_plan(&operation_id, Default::default(), false)
        .await
        .unwrap();
    let config =
        rotor_orchestrator::OrchestratorConfig::from_settings(&stack.settings("orchestrator", 1))
            .unwrap();
    let orchestrator = rotor_orchestrator::Orchestrator::connect(config)
        .await
        .unwrap();
    rotor_orchestrator::recovery::finish_fanouts(
        &orchestrator,
        rotor_orchestrator::recovery::GRACE,
    )
    .await
    .unwrap();
    let status = stack.wait_for_operation(&operation_id).await.unwrap();
    assert_eq!(status.status, OperationState::Failed as i32);
    assert!(
        status
            .error
            .unwrap()
            .message
            .contains("no device was contacted"),
        "the message says what happened"
    );
    assert!(
        rotor_bus::lease::current(
            &stack.topology.leases,
            &keys::fabric_lock(&stack.fabric_id),
            rotor_bus::lease::now_unix_ms()
        )
        .await
        .unwrap()
        .is_none(),
        "the lock was given back"
    );
    let next = stack.run(stack.fabric_rotate()).await.unwrap();
    assert_eq!(next.status, OperationState::Succeeded as i32);
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_remembered_version_gone_from_the_store_does_not_block_the_documented_recovery() {
    let mut stack = TestStack::start(StackOptions {
        devices: 2,
        platform_mix: (2, 0),
        // The store's cache would hide a destroyed version for a while; recovery must not depend
        // on timing.
        settings: vec![("ROTOR_BAO_CACHE_SECS".into(), "0".into())],
        ..Default::default()
    })
    .await
    .unwrap();
    let device = stack.device_ids()[0].clone();
    let path = rotor_e2e::login_secret_path(&stack.fabric_id);
    stack.run(stack.fabric_rotate()).await.unwrap();
    // The version Rotor remembers is destroyed in the store; the operator sets a password at
    // the console and writes it as a new version, as docs/errors.md says, then resyncs.
    let output = stack.bao.cli(
        &["kv", "destroy", "-mount=secret", "-versions=2", &path],
        None,
    );
    assert!(output.status.success(), "{output:?}");
    let console = rotor_secrets::PasswordPolicy::default().generate().unwrap();
    let version = stack
        .secrets
        .write("secret", &path, &console)
        .await
        .unwrap();
    let hash = rotor_secrets::render_hash(&console, &path, version, "cumulus");
    stack
        .device(&device)
        .set_user_password_hash("cumulus", hash.as_crypt())
        .unwrap();
    let resync = RotationRequest {
        kind: RotationKind::DeviceResyncPassword as i32,
        device_ids: vec![device.clone()],
        ..stack.fabric_resync()
    };
    let operation = stack.run(resync.clone()).await.unwrap();
    assert_eq!(
        operation.status,
        OperationState::Succeeded as i32,
        "{operation:?}"
    );
    // Removing and adding the device again forgets what Rotor remembered of it.
    let removed = device.clone();
    stack
        .import(move |exported| {
            exported.inventory.devices.retain(|d| d.id != removed);
            exported.intended_configs.remove(&removed);
        })
        .await
        .unwrap();
    let key = keys::device(&stack.fabric_id, &device);
    assert!(
        stack
            .topology
            .credentials
            .get(&key)
            .await
            .unwrap()
            .is_none(),
        "the remembered credential went with the device"
    );
    stack.import(|_| {}).await.unwrap();
    let operation = stack.run(resync).await.unwrap();
    assert_eq!(
        operation.status,
        OperationState::Succeeded as i32,
        "{operation:?}"
    );
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_login_stopped_before_its_password_is_sent_leaves_no_failed_login_counted() {
    use rotor_pipeline::access::{DeviceAccess, LoginBudget};
    let stack = TestStack::start(StackOptions {
        devices: 1,
        platform_mix: (1, 0),
        ..Default::default()
    })
    .await
    .unwrap();
    let device_id = stack.device_ids()[0].clone();
    let real = rotor_pipeline::records::load_device(&stack.topology, &stack.fabric_id, &device_id)
        .await
        .unwrap()
        .unwrap();
    // The same switch (its pinned keys, so its ledger) at an address that accepts connections
    // and never starts the SSH handshake: a busy switch, or a worker stopped mid-handshake.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let mut stalled = real.clone();
    stalled.device.address = silent.local_addr().unwrap().to_string();
    let holder = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = silent.accept().await {
            held.push(socket);
        }
    });
    let access = DeviceAccess {
        topology: stack.topology.clone(),
        secrets: stack.secrets.clone(),
        ssh: rotor_device::ssh::SshOptions::default(),
        budget: LoginBudget {
            max_failures: 2,
            window: Duration::from_secs(900),
        },
        device_lock: Duration::from_secs(5),
        holder: "test".into(),
    };
    // Three logins stopped before the password went out: more than the budget, were any counted.
    for attempt in 1..=3 {
        let stopped = tokio::time::timeout(
            Duration::from_millis(300),
            access.login(&stalled, "cumulus", &stack.initial_password),
        )
        .await;
        assert!(
            stopped.is_err(),
            "attempt {attempt} ended instead of waiting for the handshake: {:?}",
            stopped.map(|r| r.map(|_| ()))
        );
    }
    let key = rotor_bus::names::keys::login_ledger(&real.device.switch_identity(), "cumulus");
    let ledger = rotor_bus::kv::get_json::<rotor_pipeline::ledger::LoginFailures>(
        &stack.topology.login_attempts,
        &key,
    )
    .await
    .unwrap();
    assert!(
        ledger
            .as_ref()
            .is_none_or(|l| l.value.failures_unix_ms.is_empty()),
        "failed logins counted though no password was sent: {:?}",
        ledger.map(|l| l.value)
    );
    // The switch itself still takes Rotor's login.
    access
        .login(&real, "cumulus", &stack.initial_password)
        .await
        .unwrap()
        .close()
        .await;
    holder.abort();
    stack.shutdown().await;
}

/// An apply whose outcome Rotor never learnt (the connection dropped after it, no delivery
/// left) leaves the change on the switch waiting for its confirmation until the switch's
/// rollback timer undoes it. Until then no other operation may touch the switch: a resync
/// started at once must not log in with a password the switch is about to drop (a failed login
/// when it is dropped, a wrong remembered version after), nor report as held a version the
/// switch then rolls back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_awaiting_its_rollback_timer_is_left_alone_by_the_next_operation() {
    let stack = TestStack::start(StackOptions {
        devices: 1,
        platform_mix: (1, 0),
        settings: vec![
            ("ROTOR_JOB_MAX_DELIVER".into(), "1".into()),
            ("ROTOR_CONFIRM_SECS".into(), "20".into()),
        ],
        ..Default::default()
    })
    .await
    .unwrap();
    let device = stack.device_ids()[0].clone();
    let simulated = stack.device(&device);
    simulated.set_fault(Fault::DropAfterApply).unwrap();
    let first = stack.run(stack.fabric_rotate()).await.unwrap();
    assert_eq!(
        results_by_device(&first)[&device].0,
        OperationState::Failed,
        "{first:?}"
    );
    assert!(
        simulated.confirm_remaining().is_some(),
        "the dropped apply's change waits for its confirmation on the switch"
    );
    let failed_before = simulated.login_statistics().failed_logins;

    let resync = stack.run(stack.fabric_resync()).await.unwrap();
    until(
        "the switch's rollback timer ended",
        Duration::from_secs(30),
        || simulated.confirm_remaining().is_none(),
    )
    .await;
    assert_eq!(
        resync.status,
        OperationState::Succeeded as i32,
        "{resync:?}"
    );
    let logins = simulated.login_statistics();
    assert_eq!(
        logins.failed_logins, failed_before,
        "the resync made failed logins: {logins:?}"
    );
    // The switch holds exactly the version its status says it holds.
    let status = stack.device_status(&device).await.unwrap();
    let held = status.secrets[0]
        .secret_archive_reference
        .as_ref()
        .unwrap()
        .version;
    let path = rotor_e2e::login_secret_path(&stack.fabric_id);
    let (password, _) = stack
        .secrets
        .read("secret", &path, Some(held))
        .await
        .unwrap();
    let hash = simulated.user_password_hash("cumulus").unwrap();
    assert!(
        pwhash::unix::verify(password.expose_for_login(), &hash),
        "the switch does not hold version {held}, the one its status says it holds"
    );
    stack.shutdown().await;
}

/// The statuses stay truthful when the bus refuses the aggregator's writes half way (a cluster
/// node lost, a full bucket): an operation is ended by its stored results, so none may be
/// stored before its device's status is. Here the device-status bucket refuses every write
/// while the aggregator folds a whole rotation's events at once: no result is stored and the
/// operation does not end until the statuses can be written, and then every device shows it.
/// (Seen once on a 3-node cluster losing a node: the operation ended `Succeeded` while three
/// devices' statuses still showed the rotation in progress, two password sets live.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_result_is_stored_before_its_devices_status() {
    let mut stack = TestStack::start(StackOptions {
        settings: vec![("ROTOR_JOB_ACK_WAIT_SECS".into(), "2".into())],
        ..Default::default()
    })
    .await
    .unwrap();
    let devices = stack.device_ids();
    stack.sim.set_latency(rotor_sim::LatencyProfile {
        apply_min_ms: 300,
        apply_max_ms: 600,
        ..rotor_sim::LatencyProfile::none()
    });
    // The aggregator starts following the rotation (its devices marked as being changed), then
    // stops: the rest of the rotation runs without it, and it folds those events in one batch
    // when it comes back.
    let operation_id = stack.submit_accepted(stack.fabric_rotate()).await.unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while stack
        .device_status(&devices[0])
        .await
        .unwrap()
        .last_operation_id
        != operation_id
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the rotation never began"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    stack.stop_service("aggregator-0").await;
    let before = results_stored(&stack, &operation_id).await;
    assert!(
        before < devices.len(),
        "the rotation ended before the aggregator stopped"
    );
    let events = stack
        .bus
        .jetstream
        .get_stream(rotor_bus::names::EVENTS_STREAM)
        .await
        .unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    for device in &devices {
        let subject =
            rotor_bus::names::event_subject(&stack.fabric_id, device, Stage::PerformBackup);
        loop {
            let last = events.get_last_raw_message_by_subject(&subject).await.ok();
            let finished = last
                .and_then(|m| <StageEvent as prost::Message>::decode(m.payload).ok())
                .is_some_and(|e| e.operation_id == operation_id && e.outcome.is_some());
            if finished {
                break;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{device} never reported its outcome"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    // The device-status bucket takes no more writes: every status is above its message size.
    let name = format!("KV_{}", rotor_bus::names::buckets::DEVICE_STATUS);
    let bucket = stack.bus.jetstream.get_stream(&name).await.unwrap();
    let mut config = bucket.cached_info().config.clone();
    let unlimited = config.max_message_size;
    config.max_message_size = 1;
    stack.bus.jetstream.update_stream(&config).await.unwrap();
    let key = keys::device(&stack.fabric_id, &devices[0]);
    let current = rotor_bus::kv::get_message::<DeviceStatus>(&stack.topology.device_status, &key)
        .await
        .unwrap()
        .unwrap();
    assert!(
        rotor_bus::kv::put_message(&stack.topology.device_status, &key, &current.value)
            .await
            .is_err(),
        "the bucket still takes writes"
    );

    // Failures logged before this point are not the ones this test waits for.
    let logs = stack.logs.clone();
    let failed_writes = move || {
        logs.text()
            .matches("stopped leading after an error")
            .count()
    };
    let before_restart = failed_writes();
    stack.start_service("aggregator", 0).await.unwrap();
    until(
        "the aggregator's write of the statuses fails",
        Duration::from_secs(30),
        || failed_writes() > before_restart,
    )
    .await;
    assert_eq!(
        results_stored(&stack, &operation_id).await,
        before,
        "results stored before their devices' statuses"
    );
    let status = rotor_bus::kv::get_message::<OperationStatus>(
        &stack.topology.operations,
        &keys::operation(&operation_id),
    )
    .await
    .unwrap()
    .unwrap()
    .value;
    assert!(
        rotor_aggregator::fold::is_running(&status),
        "the operation ended: {status:?}"
    );

    // Once the bucket takes writes again the events are folded again and everything agrees.
    config.max_message_size = unlimited;
    stack.bus.jetstream.update_stream(&config).await.unwrap();
    let operation = stack.wait_for_operation(&operation_id).await.unwrap();
    assert_eq!(
        operation.status,
        OperationState::Succeeded as i32,
        "{operation:?}"
    );
    let fabric = stack.fabric_status(Some(&operation_id)).await.unwrap();
    assert_eq!(fabric.succeeded_device_ids, devices, "{fabric:?}");
    assert_eq!(fabric.unique_password_set_count, 1, "{fabric:?}");
    for device in &devices {
        let status = stack.device_status(device).await.unwrap();
        assert_eq!(
            (status.last_operation_id.as_str(), status.last_result),
            (operation_id.as_str(), OperationState::Succeeded as i32),
            "{status:?}"
        );
    }
    stack.shutdown().await;
}

/// How many device results of `operation_id` are stored.
async fn results_stored(stack: &TestStack, operation_id: &str) -> usize {
    rotor_bus::kv::scan_messages::<DeviceResult>(
        &stack.topology.operation_results,
        &rotor_bus::names::filters::results_of(operation_id),
    )
    .await
    .unwrap()
    .len()
}
