//! Crashes with real processes: `kill -9` service instances in the middle of a 200-device
//! rotation, restart them, and check that nothing was lost or done twice.

use std::collections::BTreeMap;

use rotor_e2e::{StackOptions, TestStack, results_by_device};
use rotor_proto::v1::*;
use rotor_sim::LatencyProfile;

const DEVICES: usize = 200;

fn latency() -> LatencyProfile {
    LatencyProfile {
        login_ms: 5,
        show_ms: 10,
        replace_ms: 20,
        patch_ms: 20,
        diff_ms: 20,
        apply_min_ms: 150,
        apply_max_ms: 300,
        other_ms: 2,
    }
}

/// The number of applied revisions of every device.
fn revisions(stack: &TestStack) -> BTreeMap<String, usize> {
    stack
        .device_ids()
        .into_iter()
        .map(|id| {
            let count = stack.device(&id).revisions().len();
            (id, count)
        })
        .collect()
}

/// Checks one rotation's outcome after crashes: every device succeeded, applied exactly once,
/// proven on the new version, within the lock-out budget, with a complete event history.
async fn check(
    stack: &TestStack,
    operation: &OperationStatus,
    before: &BTreeMap<String, usize>,
    version: u32,
) {
    assert_eq!(operation.total_devices as usize, DEVICES);
    let results = results_by_device(operation);
    assert_eq!(results.len(), DEVICES);
    for (device, (state, code)) in &results {
        if *state != OperationState::Succeeded {
            let status = stack.device_status(device).await.unwrap();
            panic!(
                "{device} ended {code:?}: {:?}; logins {:?}; stages {:?}",
                status.last_error,
                stack.device(device).login_statistics(),
                status.last_stages
            );
        }
    }
    let after = revisions(stack);
    for (device, count) in &after {
        assert_eq!(
            *count,
            before[device] + 1,
            "{device} was applied {} times",
            count - before[device]
        );
    }
    for device in stack.device_ids() {
        let logins = stack.device(&device).login_statistics();
        assert_eq!(logins.lockouts_triggered, 0, "{device}");
        assert!(logins.locked_users.is_empty(), "{device}");
    }
    let fabric = stack.fabric_status(Some(&operation.id)).await.unwrap();
    assert_eq!(fabric.unique_password_set_count, 1);
    assert_eq!(fabric.succeeded_device_ids.len(), DEVICES);
    let (_, current) = stack.current_password().await.unwrap();
    assert_eq!(current, version);

    // The event history is complete: every device's four stages ended, in the stream.
    let filter = rotor_bus::names::events_filter(Some(&stack.fabric_id), None);
    let mut ended: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut replay = stack.bus.replay_events(filter, false).await.unwrap();
    use futures::StreamExt;
    loop {
        let replayed = tokio::time::timeout(std::time::Duration::from_secs(30), replay.next())
            .await
            .expect("the events stream replays within 30 s");
        let Some(replayed) = replayed else { break };
        let event = replayed.unwrap().event;
        if event.operation_id == operation.id && event.status != stage_event::Status::Started as i32
        {
            let what = format!(
                "{} {} {}",
                event.stage().as_str_name(),
                event.status().as_str_name(),
                event.display
            );
            ended.entry(event.device_id).or_default().push(what);
        }
    }
    assert_eq!(ended.len(), DEVICES, "every device has events");
    for (device, ends) in ended {
        assert_eq!(
            ends.len(),
            4,
            "{device} has {} stage ends, not 4: {ends:#?}",
            ends.len()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_services_lose_nothing_and_repeat_nothing() {
    let mut stack = TestStack::start(StackOptions {
        devices: DEVICES,
        platform_mix: (4, 1),
        processes: true,
        settings: vec![
            ("ROTOR_MAX_IN_FLIGHT".into(), "25".into()),
            ("ROTOR_JOB_ACK_WAIT_SECS".into(), "3".into()),
            ("ROTOR_LEADER_LEASE_SECS".into(), "3".into()),
        ],
        ..Default::default()
    })
    .await
    .unwrap();
    stack.sim.set_latency(latency());

    let scenarios: [&[&str]; 6] = [
        &["differ-0"],
        &["applier-0"],
        &["backup-0"],
        &["aggregator-0"],
        &["orchestrator-0"],
        &["differ-0", "applier-0", "backup-0", "aggregator-0"],
    ];
    let mut version = 1;
    for (round, victims) in scenarios.iter().enumerate() {
        let before = revisions(&stack);
        let operation_id = stack.submit_accepted(stack.fabric_rotate()).await.unwrap();
        version += 1;
        stack.wait_for_progress(&operation_id, 15).await.unwrap();
        let progress = stack
            .client
            .clone()
            .show_operation(ShowOperationRequest {
                operation_id: operation_id.clone(),
                omit_devices: true,
            })
            .await
            .unwrap()
            .into_inner();
        assert!(
            progress.percent_complete < 100,
            "round {round}: the rotation ended before the crash"
        );
        for victim in *victims {
            assert!(
                stack.kill_process(victim),
                "round {round}: {victim} was not running"
            );
        }
        for victim in *victims {
            let (service, copy) = victim.rsplit_once('-').unwrap();
            stack.spawn_process(service, copy.parse().unwrap());
        }
        let operation = match stack.wait_for_operation(&operation_id).await {
            Ok(operation) => operation,
            Err(error) => {
                for victim in *victims {
                    eprintln!("--- {victim} ---\n{}", stack.process_logs(victim));
                }
                panic!("round {round} ({victims:?}): {error}");
            }
        };
        check(&stack, &operation, &before, version).await;
    }
    stack.shutdown().await;
}
