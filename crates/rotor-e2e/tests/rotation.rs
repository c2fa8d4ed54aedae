//! The rotation pipeline end to end: real NATS, real OpenBao, the five services, the simulator
//! over real SSH.

use std::time::Duration;

use futures::StreamExt;
use prost::Message;
use rotor_bus::names;
use rotor_e2e::{StackOptions, TestStack, results_by_device, set_administrative_state};
use rotor_proto::v1::*;
use rotor_sim::Fault;
use rotor_sim::faults::FaultKind;

fn options(devices: usize) -> StackOptions {
    StackOptions {
        devices,
        platform_mix: (5, 1),
        ..Default::default()
    }
}

/// Every message on the bus (events, jobs, requests, statuses), read as it arrives so that the
/// subscription never overflows and drops any.
struct BusTap {
    client: async_nats::Client,
    messages: std::sync::Arc<std::sync::Mutex<Vec<async_nats::Message>>>,
    reader: tokio::task::JoinHandle<()>,
}

impl BusTap {
    async fn start(stack: &TestStack) -> BusTap {
        let client = stack.bus.client.clone();
        let mut subscriber = client.subscribe(">").await.unwrap(); // names-check: allow (a tap on every subject)
        client.flush().await.unwrap();
        let messages = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let sink = messages.clone();
        let reader = tokio::spawn(async move {
            while let Some(message) = subscriber.next().await {
                sink.lock().unwrap().push(message);
            }
        });
        BusTap {
            client,
            messages,
            reader,
        }
    }

    /// Everything seen so far (after a round trip to the server, so all sent before is in).
    async fn take(self) -> Vec<async_nats::Message> {
        self.client.flush().await.unwrap();
        let probe = format!("bus-tap-probe.{}", std::process::id());
        self.client
            .publish(probe.clone(), "end".into())
            .await
            .unwrap();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while !self
            .messages
            .lock()
            .unwrap()
            .iter()
            .any(|m| m.subject.as_str() == probe)
        {
            assert!(
                tokio::time::Instant::now() < deadline,
                "the tap stopped reading"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        self.reader.abort();
        std::mem::take(&mut *self.messages.lock().unwrap())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fabric_rotates_and_converges() {
    let stack = TestStack::start(options(24)).await.unwrap();
    let tap = BusTap::start(&stack).await;
    let mut events = stack.bus.client.subscribe(names::EVENTS_ALL).await.unwrap();
    let old_password = stack.initial_password.clone();

    let operation = stack.run(stack.fabric_rotate()).await.unwrap();
    assert_eq!(
        operation.status,
        OperationState::Succeeded as i32,
        "{operation:?}"
    );
    assert_eq!(operation.total_devices, 24);
    assert_eq!(operation.succeeded_devices, 24);
    assert_eq!(operation.percent_complete, 100);
    assert!(operation.error.is_none());
    assert_eq!(operation.operations.len(), 24);

    let (new_password, new_version) = stack.current_password().await.unwrap();
    assert_eq!(
        new_version, 2,
        "one new version for the fabric's shared secret"
    );
    for device in stack.device_ids() {
        assert!(
            stack.can_log_in(&device, &new_password).await,
            "{device} takes the new password"
        );
        assert!(
            !stack.can_log_in(&device, &old_password).await,
            "{device} refuses the old password"
        );
        let status = stack.device_status(&device).await.unwrap();
        assert_eq!(status.secrets.len(), 1);
        let secret = &status.secrets[0];
        assert_eq!(
            secret.synchronization_status,
            SynchronizationStatus::InSync as i32,
            "{device}"
        );
        assert_eq!(
            secret.secret_archive_reference.as_ref().unwrap().version,
            new_version
        );
        assert!(!secret.last_rotation_time.is_empty());
        assert_eq!(
            status.last_stages.len(),
            4,
            "{device}: {:?}",
            status.last_stages
        );
        assert!(
            status
                .last_stages
                .iter()
                .all(|s| s.status == stage_event::Status::Succeeded as i32)
        );
    }

    let fabric = stack.fabric_status(Some(&operation.id)).await.unwrap();
    assert_eq!(fabric.state, OperationState::Succeeded as i32);
    assert_eq!(fabric.total_devices, 24);
    assert_eq!(fabric.succeeded_device_ids.len(), 24);
    assert!(fabric.failed_device_ids.is_empty());
    assert_eq!(fabric.unique_password_set_count, 1);

    // Every device has a backup tagged with the operation.
    let backups = stack
        .client
        .clone()
        .list_backups(ListBackupsRequest {
            fabric_id: stack.fabric_id.clone(),
            device_id: String::new(),
        })
        .await
        .unwrap()
        .into_inner()
        .backups;
    assert_eq!(backups.len(), 24);
    assert!(
        backups
            .iter()
            .all(|b| b.operation_id == operation.id && b.trigger == "Workflow")
    );
    let backup = stack
        .client
        .clone()
        .get_backup(GetBackupRequest {
            name: backups[0].name.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    assert!(
        backup.config.contains("hashed-password: '*'") || backup.config.contains("password: '*'"),
        "{}",
        backup.config
    );

    // Each device's events arrive in stage order on rotor.events.<fabric>.<device>.<stage>.
    // Every device publishes start and success of four stages: read exactly that many (bounded),
    // then check nothing more arrives for a moment.
    let mut per_device: std::collections::BTreeMap<String, Vec<(i32, i32)>> = Default::default();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    let mut received = 0;
    while received < 24 * 8 {
        let message = tokio::time::timeout_at(deadline, events.next())
            .await
            .unwrap_or_else(|_| panic!("only {received} of {} events arrived", 24 * 8))
            .expect("the event subscription stays open");
        received += 1;
        let event = StageEvent::decode(message.payload.clone()).unwrap();
        let stage = Stage::try_from(event.stage).unwrap();
        assert_eq!(
            message.subject.as_str(),
            names::event_subject(&event.fabric_id, &event.device_id, stage)
        );
        per_device
            .entry(event.device_id.clone())
            .or_default()
            .push((event.stage, event.status));
    }
    let extra = tokio::time::timeout(Duration::from_millis(200), events.next()).await;
    assert!(extra.is_err(), "an event beyond 8 per device: {extra:?}");
    assert_eq!(per_device.len(), 24);
    for (device, sequence) in &per_device {
        let stages: Vec<i32> = sequence.iter().map(|(stage, _)| *stage).collect();
        let mut sorted = stages.clone();
        sorted.sort();
        assert_eq!(
            stages, sorted,
            "{device}'s events are out of stage order: {sequence:?}"
        );
        assert_eq!(
            sequence.len(),
            8,
            "{device}: start and success of four stages: {sequence:?}"
        );
    }

    // No message on the bus carried any of the passwords.
    let plaintexts = stack.all_plaintexts().await.unwrap();
    assert_eq!(plaintexts.len(), 2);
    let messages = tap.take().await;
    // The tap saw the whole rotation: jobs, events and key-value writes (not an empty drain).
    type IsKind = fn(&str) -> bool;
    let kinds: [(&str, IsKind); 3] = [
        ("job", |s| names::parse_job_subject(s).is_some()),
        ("event", |s| names::parse_event_subject(s).is_some()),
        ("key-value", |s| s.starts_with("$KV.")),
    ];
    for (kind, is_kind) in kinds {
        assert!(
            messages.iter().any(|m| is_kind(m.subject.as_str())),
            "the tap saw no {kind} message"
        );
    }
    for message in messages {
        let payload = String::from_utf8_lossy(&message.payload);
        for plaintext in &plaintexts {
            assert!(
                !payload.contains(plaintext.as_str()),
                "a password crossed the bus on {}",
                message.subject
            );
        }
    }
    let logs = stack.logs.text();
    for plaintext in &plaintexts {
        assert!(
            !logs.contains(plaintext.as_str()),
            "a password reached the logs"
        );
    }

    // Running the rotation again with the stored versions finds nothing to change.
    let again = RotationRequest {
        use_stored: true,
        ..stack.fabric_rotate()
    };
    let revisions_before: Vec<u64> = stack
        .device_ids()
        .iter()
        .map(|d| stack.device(d).applied_revision())
        .collect();
    let operation = stack.run(again).await.unwrap();
    assert_eq!(operation.status, OperationState::Succeeded as i32);
    for device in stack.device_ids() {
        let status = stack.device_status(&device).await.unwrap();
        let diff = status
            .last_stages
            .iter()
            .find(|s| s.stage == Stage::PerformConfigurationDiff as i32)
            .unwrap();
        assert_eq!(diff.display, "No password changes needed, no diff.");
        let apply = status
            .last_stages
            .iter()
            .find(|s| s.stage == Stage::ApplyConfiguration as i32)
            .unwrap();
        assert_eq!(apply.status, stage_event::Status::Skipped as i32);
    }
    let revisions_after: Vec<u64> = stack
        .device_ids()
        .iter()
        .map(|d| stack.device(d).applied_revision())
        .collect();
    assert_eq!(
        revisions_before, revisions_after,
        "nothing was applied again"
    );
    assert_eq!(
        stack.current_password().await.unwrap().1,
        2,
        "no new version was written"
    );
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drifted_and_disabled_devices_fail_then_a_resync_converges() {
    let mut stack = TestStack::start(options(24)).await.unwrap();
    let devices = stack.device_ids();
    let drifted = devices[3].clone();
    let disabled = devices[7].clone();
    stack.device(&drifted).set_fault(Fault::Drifted).unwrap();
    let drifted_revision = stack.device(&drifted).applied_revision();
    let disabled_revision = stack.device(&disabled).applied_revision();
    let disabled_for_closure = disabled.clone();
    stack
        .import(|exported| {
            set_administrative_state(
                exported,
                &disabled_for_closure,
                rotor_inventory::AdministrativeState::Disabled,
            )
        })
        .await
        .unwrap();
    let logins_before = stack.device(&disabled).login_statistics();

    let operation = stack.run(stack.fabric_rotate()).await.unwrap();
    assert_eq!(operation.status, OperationState::Failed as i32);
    let error = operation.error.clone().unwrap();
    assert_eq!(error.code, ErrorCode::PartialSuccess as i32);
    assert!(
        error.message.contains(&drifted) && error.message.contains(&disabled),
        "{}",
        error.message
    );
    let results = results_by_device(&operation);
    assert_eq!(
        results[&drifted],
        (OperationState::Failed, ErrorCode::DiffValidationError)
    );
    assert_eq!(
        results[&disabled],
        (OperationState::Failed, ErrorCode::DeviceDisabled)
    );
    assert_eq!(
        results
            .values()
            .filter(|(s, _)| *s == OperationState::Succeeded)
            .count(),
        22
    );

    // The drifted device's config is untouched and the error names the drifted line.
    assert_eq!(stack.device(&drifted).applied_revision(), drifted_revision);
    let status = stack.device_status(&drifted).await.unwrap();
    let diff = status
        .last_stages
        .iter()
        .find(|s| s.stage == Stage::PerformConfigurationDiff as i32)
        .unwrap();
    assert_eq!(diff.status, stage_event::Status::Failed as i32);
    assert!(!diff.offending_lines.is_empty());
    assert!(
        diff.offending_lines.iter().all(|l| l.contains("interface")),
        "{:?}",
        diff.offending_lines
    );
    assert_eq!(
        status.secrets[0].synchronization_status,
        SynchronizationStatus::OutOfSync as i32
    );
    // The disabled device was never contacted.
    assert_eq!(
        stack.device(&disabled).applied_revision(),
        disabled_revision
    );
    assert_eq!(stack.device(&disabled).login_statistics(), logins_before);

    let fabric = stack.fabric_status(Some(&operation.id)).await.unwrap();
    let mut failed = fabric.failed_device_ids.clone();
    failed.sort();
    let mut expected = vec![drifted.clone(), disabled.clone()];
    expected.sort();
    assert_eq!(failed, expected);
    assert_eq!(fabric.unique_password_set_count, 2);

    // Revert the drift, enable the device, resync: one password set again.
    stack
        .device(&drifted)
        .clear_fault(FaultKind::Drifted)
        .unwrap();
    stack.import(|_| {}).await.unwrap();
    let resync = stack.run(stack.fabric_resync()).await.unwrap();
    assert_eq!(
        resync.status,
        OperationState::Succeeded as i32,
        "{resync:?}"
    );
    assert_eq!(
        resync.total_devices, 2,
        "only the two devices that were not in sync"
    );
    let fabric = stack.fabric_status(Some(&resync.id)).await.unwrap();
    assert_eq!(fabric.unique_password_set_count, 1);
    assert!(fabric.failed_device_ids.is_empty());
    let (password, _) = stack.current_password().await.unwrap();
    assert!(stack.can_log_in(&drifted, &password).await);
    assert!(stack.can_log_in(&disabled, &password).await);
    stack.shutdown().await;
}
