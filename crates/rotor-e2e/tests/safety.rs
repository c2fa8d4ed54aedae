//! Never lock anyone out, never act on an unknown outcome blindly, refuse cleanly when the
//! secrets store is away, and never let a password out.

use std::collections::BTreeSet;

use futures::StreamExt;
use prost::Message;
use rotor_e2e::{StackOptions, TestStack, results_by_device};
use rotor_proto::v1::*;
use rotor_secrets::{PasswordPolicy, render_hash};
use rotor_sim::Fault;

fn quick() -> StackOptions {
    StackOptions {
        devices: 3,
        platform_mix: (2, 1),
        settings: vec![
            ("ROTOR_JOB_MAX_DELIVER".into(), "3".into()),
            ("ROTOR_BAO_CACHE_SECS".into(), "0".into()),
        ],
        ..Default::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_password_stops_within_the_lock_out_budget() {
    let stack = TestStack::start(quick()).await.unwrap();
    let device = stack.device_ids()[0].clone();
    // Someone changed the password outside Rotor: no stored version logs in any more.
    let stranger = PasswordPolicy::default().generate().unwrap();
    let hash = render_hash(&stranger, "elsewhere", 1, "cumulus");
    stack
        .device(&device)
        .set_user_password_hash("cumulus", hash.as_crypt())
        .unwrap();

    let operation = stack.run(stack.fabric_rotate()).await.unwrap();
    let results = results_by_device(&operation);
    assert_eq!(
        results[&device],
        (OperationState::Failed, ErrorCode::CouldNotConnect)
    );
    let status = stack.device_status(&device).await.unwrap();
    let message = status.last_error.as_ref().unwrap().message.clone();
    assert!(
        message.contains("was refused") && message.contains("v1") && message.contains("v2"),
        "{message}"
    );
    let logins = stack.device(&device).login_statistics();
    assert!(logins.failed_logins <= 2, "budget exceeded: {logins:?}");
    assert_eq!(logins.lockouts_triggered, 0);
    assert!(logins.locked_users.is_empty());
    // Still within the window: a resync makes no further attempt at all.
    let before = stack.device(&device).login_statistics().failed_logins;
    let resync = stack.run(stack.fabric_resync()).await.unwrap();
    assert_eq!(
        results_by_device(&resync)[&device].1,
        ErrorCode::AuthLockoutRisk
    );
    assert_eq!(
        stack.device(&device).login_statistics().failed_logins,
        before
    );
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_connection_after_apply_is_resolved_not_reapplied() {
    let stack = TestStack::start(quick()).await.unwrap();
    let device = stack.device_ids()[0].clone();
    stack
        .device(&device)
        .set_fault(Fault::DropAfterApply)
        .unwrap();
    let revisions_before = stack.device(&device).revisions().len();

    let operation = stack.run(stack.fabric_rotate()).await.unwrap();
    assert_eq!(
        operation.status,
        OperationState::Succeeded as i32,
        "{operation:?}"
    );
    // Applied exactly once although the first attempt never heard back.
    assert_eq!(
        stack.device(&device).revisions().len(),
        revisions_before + 1
    );
    let (password, version) = stack.current_password().await.unwrap();
    assert!(stack.can_log_in(&device, &password).await);
    let status = stack.device_status(&device).await.unwrap();
    assert_eq!(
        status.secrets[0].synchronization_status,
        SynchronizationStatus::InSync as i32
    );
    assert_eq!(
        status.secrets[0]
            .secret_archive_reference
            .as_ref()
            .unwrap()
            .version,
        version
    );
    let logins = stack.device(&device).login_statistics();
    assert!(logins.failed_logins <= 2, "{logins:?}");
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sealed_secrets_store_refuses_rotations_and_fails_devices_cleanly() {
    let mut stack = TestStack::start(quick()).await.unwrap();
    let revisions: Vec<u64> = stack
        .device_ids()
        .iter()
        .map(|d| stack.device(d).applied_revision())
        .collect();

    // Refused before any device is touched.
    stack.bao.seal();
    let reply = stack.submit(stack.fabric_rotate()).await.unwrap();
    let Some(rotation_reply::Outcome::Rejected(rejected)) = reply.outcome else {
        panic!("a rotation with the store sealed was accepted");
    };
    assert_eq!(
        rejected.error.as_ref().unwrap().code,
        ErrorCode::SecretsUnavailable as i32
    );
    let after: Vec<u64> = stack
        .device_ids()
        .iter()
        .map(|d| stack.device(d).applied_revision())
        .collect();
    assert_eq!(revisions, after);
    for device in stack.device_ids() {
        assert_eq!(
            stack.device(&device).login_statistics().succeeded_logins,
            0,
            "{device} was contacted"
        );
    }
    stack.bao.unseal();

    // The store goes away after the new versions were written: devices fail with a clear code.
    stack.stop_service("differ-0").await;
    let operation_id = stack.submit_accepted(stack.fabric_rotate()).await.unwrap();
    stack.bao.seal();
    stack.start_service("differ", 1).await.unwrap();
    let operation = stack.wait_for_operation(&operation_id).await.unwrap();
    assert_eq!(
        operation.error.as_ref().unwrap().code,
        ErrorCode::RotationFailed as i32
    );
    let results = results_by_device(&operation);
    assert!(operation.total_devices > 0);
    assert_eq!(
        results.len() as u32,
        operation.total_devices,
        "{operation:?}"
    );
    for (_, (state, code)) in results {
        assert_eq!(
            (state, code),
            (OperationState::Failed, ErrorCode::SecretsUnavailable)
        );
    }
    // Back again: a resync converges every device on the version written before the outage.
    stack.bao.unseal();
    let resync = stack.run(stack.fabric_resync()).await.unwrap();
    assert_eq!(
        resync.status,
        OperationState::Succeeded as i32,
        "{resync:?}"
    );
    let fabric = stack.fabric_status(Some(&resync.id)).await.unwrap();
    assert_eq!(fabric.unique_password_set_count, 1);
    let (password, _) = stack.current_password().await.unwrap();
    for device in stack.device_ids() {
        assert!(stack.can_log_in(&device, &password).await);
    }
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_password_reaches_logs_events_statuses_backups_or_errors() {
    let mut stack = TestStack::start(StackOptions {
        devices: 8,
        platform_mix: (3, 1),
        ..quick()
    })
    .await
    .unwrap();
    let devices = stack.device_ids();
    stack.device(&devices[0]).set_fault(Fault::Drifted).unwrap();
    stack
        .device(&devices[1])
        .set_fault(Fault::PasswordNotApplied)
        .unwrap();
    stack
        .device(&devices[2])
        .set_fault(Fault::RejectsYaml)
        .unwrap();
    stack
        .device(&devices[3])
        .set_fault(Fault::DropAfterApply)
        .unwrap();
    let disabled = devices[4].clone();
    stack
        .import(|e| {
            rotor_e2e::set_administrative_state(
                e,
                &disabled,
                rotor_inventory::AdministrativeState::Disabled,
            )
        })
        .await
        .unwrap();
    let rotation = stack.run(stack.fabric_rotate()).await.unwrap();
    assert_eq!(
        rotation.error.as_ref().unwrap().code,
        ErrorCode::PartialSuccess as i32
    );
    let again = stack
        .run(RotationRequest {
            use_stored: true,
            ..stack.fabric_rotate()
        })
        .await;
    let resync = stack.run(stack.fabric_resync()).await.unwrap();

    // Everything Rotor wrote or said, as text.
    let mut texts: Vec<(String, String)> = Vec::new();
    texts.push(("logs".into(), stack.logs.text()));
    for operation in [&rotation, &resync] {
        texts.push((
            format!("operation {}", operation.id),
            serde_json::to_string(operation).unwrap(),
        ));
    }
    texts.push(("second rotation".into(), format!("{again:?}")));
    let mut client = stack.client.clone();
    texts.push((
        "fabric".into(),
        serde_json::to_string(&stack.fabric_status(None).await.unwrap()).unwrap(),
    ));
    for device in &devices {
        texts.push((
            format!("device {device}"),
            serde_json::to_string(&stack.device_status(device).await.unwrap()).unwrap(),
        ));
    }
    let backups = client
        .list_backups(ListBackupsRequest {
            fabric_id: stack.fabric_id.clone(),
            device_id: String::new(),
        })
        .await
        .unwrap()
        .into_inner()
        .backups;
    assert!(!backups.is_empty());
    for backup in backups {
        let content = client
            .get_backup(GetBackupRequest {
                name: backup.name.clone(),
            })
            .await
            .unwrap()
            .into_inner();
        assert!(!content.config.contains("$6$"), "a backup holds a hash");
        texts.push((format!("backup {}", backup.name), content.config));
    }
    let mut events = client
        .watch_events(WatchEventsRequest {
            fabric_id: stack.fabric_id.clone(),
            from_start: true,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    // Exactly as many stage events as the events stream holds (all of this stack's fabric; the
    // rollout events beside them are not stage events), bounded in time.
    let mut subjects = stack
        .bus
        .jetstream
        .get_stream(rotor_bus::names::EVENTS_STREAM)
        .await
        .unwrap()
        .info_with_subjects(rotor_bus::names::EVENTS_ALL)
        .await
        .unwrap();
    let mut stored = 0u64;
    while let Some(subject) = subjects.next().await {
        stored += subject.unwrap().1 as u64;
    }
    assert!(
        stored > 40,
        "three operations store their events ({stored})"
    );
    let mut count = 0;
    while count < stored {
        let event = tokio::time::timeout(std::time::Duration::from_secs(30), events.next())
            .await
            .unwrap_or_else(|_| panic!("only {count} of {stored} events were replayed"))
            .expect("the replay goes on")
            .unwrap();
        texts.push((
            "event".into(),
            format!(
                "{} {}",
                serde_json::to_string(&event).unwrap(),
                String::from_utf8_lossy(&event.encode_to_vec())
            ),
        ));
        count += 1;
    }
    // Every key-value bucket and the rejected-message stream, raw.
    for store in [
        &stack.topology.inventory,
        &stack.topology.device_status,
        &stack.topology.fabric_status,
        &stack.topology.operations,
        &stack.topology.operation_results,
        &stack.topology.requests,
        &stack.topology.credentials,
        &stack.topology.login_attempts,
        &stack.topology.stage_marks,
        &stack.topology.backup_index,
        &stack.topology.switches,
    ] {
        for (key, value) in rotor_bus::kv::scan(store, &rotor_bus::names::filters::all())
            .await
            .unwrap()
        {
            texts.push((
                format!("{}/{key}", store.name),
                String::from_utf8_lossy(&value.value).into_owned(),
            ));
        }
    }
    // Every audit record (the failed devices' messages among them).
    let everything = rotor_bus::audit::AuditQuery {
        limit: usize::MAX,
        ..Default::default()
    };
    let audited = rotor_bus::audit::read(&stack.bus.jetstream, &everything)
        .await
        .unwrap();
    assert!(
        audited
            .iter()
            .any(|r| r.verb == rotor_bus::audit::OPERATION_END)
    );
    for record in audited {
        texts.push(("audit".into(), serde_json::to_string(&record).unwrap()));
    }
    let plaintexts: BTreeSet<String> = stack.all_plaintexts().await.unwrap().into_iter().collect();
    assert!(plaintexts.len() >= 2);
    for (source, text) in &texts {
        for plaintext in &plaintexts {
            assert!(
                !text.contains(plaintext.as_str()),
                "a password reached {source}"
            );
        }
    }
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn device_locks_refuse_disabled_devices_and_know_when_they_are_lost() {
    let stack = TestStack::start(StackOptions {
        devices: 1,
        ..Default::default()
    })
    .await
    .unwrap();
    let access = rotor_pipeline::access::DeviceAccess {
        topology: stack.topology.clone(),
        secrets: stack.secrets.clone(),
        ssh: Default::default(),
        budget: Default::default(),
        device_lock: std::time::Duration::from_millis(600),
        holder: "test".into(),
    };
    let device_id = stack.device_ids()[0].clone();
    let device =
        rotor_pipeline::records::load_device(&stack.topology, &stack.fabric_id, &device_id)
            .await
            .unwrap()
            .unwrap();
    // Any stage (differ, applier, backup) locks before it connects: a device disabled after its
    // diff is never contacted by the applier or the backup.
    let mut disabled = device.clone();
    disabled.device.administrative_state = rotor_inventory::AdministrativeState::UnderMaintenance;
    let refused = access.lock_device(&disabled).await.unwrap_err();
    assert_eq!(refused.failure().code, ErrorCode::DeviceDisabled);
    assert!(!refused.is_retryable());
    assert!(
        refused.to_string().contains("UnderMaintenance"),
        "{refused}"
    );

    let lock = access.lock_device(&device).await.unwrap();
    assert!(lock.is_held());
    // Someone removes the lease (an operator, or it lapsed and another job took it).
    let key = rotor_bus::names::keys::switch_lock(&device.device.switch_identity());
    assert!(stack.topology.leases.get(&key).await.unwrap().is_some());
    stack.topology.leases.purge(&key).await.unwrap();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    while lock.is_held() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the loss went unnoticed"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    lock.release().await;
    stack.shutdown().await;
}
