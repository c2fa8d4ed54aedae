//! Rollout control on a whole stack: a failed canary halts a 200-device fabric with every other
//! device NotAttempted and untouched, a resume finishes it; waves run in role order; a fabric's
//! concurrency is never exceeded (the simulator's count of devices in session); a cancel ends a
//! running operation; a dispatcher that dies is replaced without losing or doubling a release.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use futures::StreamExt;
use rotor_e2e::{StackOptions, TestStack, results_by_device};
use rotor_inventory::rollout::{Canary, ReleasePlan, Rollout, Share, release_plan};
use rotor_proto::v1::*;
use rotor_sim::{Fault, FaultKind, LatencyProfile};

/// A stack whose inventory carries `rollout` (imported after the start).
async fn stack_with(
    devices: usize,
    rollout: Rollout,
    settings: &[(&str, &str)],
    processes: bool,
) -> (TestStack, ReleasePlan) {
    let mut stack = TestStack::start(StackOptions {
        devices,
        platform_mix: (4, 1),
        import: false,
        processes,
        settings: settings
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        ..Default::default()
    })
    .await
    .unwrap();
    let policy = rollout.clone();
    let mut exported = None;
    stack
        .import(|fabric| {
            fabric.inventory.fabric.rollout = Some(policy);
            exported = Some(fabric.inventory.devices.clone());
        })
        .await
        .unwrap();
    let devices = exported.unwrap();
    let members: Vec<&rotor_inventory::Device> = devices.iter().collect();
    let plan = release_plan(Some(&rollout), &members);
    (stack, plan)
}

async fn show(stack: &TestStack, operation_id: &str) -> OperationStatus {
    stack
        .client
        .clone()
        .show_operation(ShowOperationRequest {
            operation_id: operation_id.into(),
            omit_devices: false,
        })
        .await
        .unwrap()
        .into_inner()
}

/// What a device looks like from outside: its applied configuration, how many revisions it has
/// and how many logins it has seen.
fn snapshot(stack: &TestStack, device: &str) -> (String, usize, u64, u64) {
    let simulated = stack.device(device);
    let logins = simulated.login_statistics();
    (
        format!("{:?}", simulated.applied_config()),
        simulated.revisions().len(),
        logins.succeeded_logins,
        logins.failed_logins,
    )
}

fn parse(time: &str) -> time::OffsetDateTime {
    time::OffsetDateTime::parse(time, &time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|e| panic!("{time:?} is not RFC 3339: {e}"))
}

/// Per device of the operation: its first event's time and its last event's time (the
/// dispatcher's `NotAttempted` reports left out).
async fn event_spans(
    stack: &TestStack,
    operation_id: &str,
) -> HashMap<String, (time::OffsetDateTime, time::OffsetDateTime)> {
    let filter = rotor_bus::names::events_filter(Some(&stack.fabric_id), None);
    let mut replay = stack.bus.replay_events(filter, false).await.unwrap();
    let mut spans: HashMap<String, (time::OffsetDateTime, time::OffsetDateTime)> = HashMap::new();
    loop {
        let next = tokio::time::timeout(Duration::from_secs(30), replay.next())
            .await
            .expect("the events stream replays within 30 s");
        let Some(next) = next else { break };
        let event = next.unwrap().event;
        // The brake's reports of devices it never released are no work on the device.
        let not_attempted = event.outcome.as_ref().is_some_and(|o| {
            o.status == OperationState::Halted as i32
                || o.status == OperationState::Cancelled as i32
        });
        if event.operation_id != operation_id || not_attempted {
            continue;
        }
        let at = parse(&event.time);
        let span = spans.entry(event.device_id.clone()).or_insert((at, at));
        span.0 = span.0.min(at);
        span.1 = span.1.max(at);
    }
    spans
}

/// Every device of a wave started after every device of the wave before it ended.
fn assert_waves_in_order(
    plan: &ReleasePlan,
    spans: &HashMap<String, (time::OffsetDateTime, time::OffsetDateTime)>,
) {
    for pair in plan.waves.windows(2) {
        let (before, after) = (&pair[0], &pair[1]);
        let ended = before
            .device_ids
            .iter()
            .map(|d| {
                spans
                    .get(d)
                    .unwrap_or_else(|| panic!("{d} has no events"))
                    .1
            })
            .max()
            .unwrap();
        let started = after
            .device_ids
            .iter()
            .map(|d| {
                spans
                    .get(d)
                    .unwrap_or_else(|| panic!("{d} has no events"))
                    .0
            })
            .min()
            .unwrap();
        assert!(
            started >= ended,
            "wave {} started at {started} before wave {} ended at {ended}",
            after.name,
            before.name
        );
    }
}

/// A requester's subscription to its fabric's rollout events (what another system watching the
/// rollout sees).
async fn watch_rollout(stack: &TestStack) -> async_nats::Subscriber {
    let requester = stack.requester(rotor_e2e::REQUESTER).await.unwrap();
    let subscriber = requester
        .subscribe(rotor_bus::names::rollout_filter(Some(&stack.fabric_id)))
        .await
        .unwrap();
    // The server has the subscription before anything is published.
    requester.flush().await.unwrap();
    subscriber
}

/// The next `count` rollout events of `operation_id` (each within 30 s), as (kind, wave, wave
/// name); every one is checked against the operation and the plan.
async fn rollout_events(
    subscriber: &mut async_nats::Subscriber,
    plan: &ReleasePlan,
    operation_id: &str,
    count: usize,
) -> Vec<(RolloutEventKind, u32, String, RolloutEvent)> {
    let mut events = Vec::new();
    while events.len() < count {
        let message = tokio::time::timeout(Duration::from_secs(30), subscriber.next())
            .await
            .unwrap_or_else(|_| panic!("only {events:?} within 30 s"))
            .expect("the subscription stays open");
        let event = <RolloutEvent as prost::Message>::decode(message.payload).unwrap();
        if event.operation_id != operation_id {
            continue;
        }
        let wave = &plan.waves[event.wave as usize - 1];
        assert_eq!(event.wave_count as usize, plan.waves.len(), "{event:?}");
        assert_eq!(event.devices as usize, wave.device_ids.len(), "{event:?}");
        assert_eq!(event.wave_name, wave.name, "{event:?}");
        events.push((event.event(), event.wave, event.wave_name.clone(), event));
    }
    events
}

/// Each wave's start and end, in wave order.
fn starts_and_ends(
    waves: std::ops::RangeInclusive<u32>,
    plan: &ReleasePlan,
) -> Vec<(RolloutEventKind, u32, String)> {
    waves
        .flat_map(|wave| {
            let name = plan.waves[wave as usize - 1].name.clone();
            [
                (RolloutEventKind::WaveStarted, wave, name.clone()),
                (RolloutEventKind::WaveEnded, wave, name),
            ]
        })
        .collect()
}

fn kinds_and_waves(
    events: &[(RolloutEventKind, u32, String, RolloutEvent)],
) -> Vec<(RolloutEventKind, u32, String)> {
    events
        .iter()
        .map(|(kind, wave, name, _)| (*kind, *wave, name.clone()))
        .collect()
}

fn latency() -> LatencyProfile {
    LatencyProfile {
        login_ms: 5,
        show_ms: 5,
        replace_ms: 10,
        patch_ms: 10,
        diff_ms: 10,
        apply_min_ms: 40,
        apply_max_ms: 80,
        other_ms: 2,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_canary_halts_the_fabric_and_a_resume_finishes_it() {
    let rollout = Rollout {
        wave_size: Some(Share::Percent(25)),
        ..Default::default()
    };
    let (stack, plan) = stack_with(200, rollout, &[], false).await;
    let canary = plan.waves[0].device_ids.clone();
    // One device of each platform and role: Cumulus spine, border and leaf, NVOS leaf.
    assert_eq!(canary.len(), 4, "{canary:?}");
    let broken = canary.iter().find(|d| d.contains("leaf")).unwrap().clone();
    stack.sim.set_fault(&broken, Fault::ApplyFails).unwrap();
    let others: Vec<String> = stack
        .device_ids()
        .into_iter()
        .filter(|d| !canary.contains(d))
        .collect();
    assert_eq!(others.len(), 196);
    let before: BTreeMap<String, _> = others
        .iter()
        .map(|d| (d.clone(), snapshot(&stack, d)))
        .collect();

    let mut watch = watch_rollout(&stack).await;
    let halted = stack.run(stack.fabric_rotate()).await.unwrap();
    assert_eq!(halted.status, OperationState::Halted as i32, "{halted:?}");
    // Other systems are told: the canary started, then the brake halted it, naming why.
    let events = rollout_events(&mut watch, &plan, &halted.id, 2).await;
    let canary_name = plan.waves[0].name.clone();
    assert_eq!(
        kinds_and_waves(&events),
        [
            (RolloutEventKind::WaveStarted, 1, canary_name.clone()),
            (RolloutEventKind::WaveHalted, 1, canary_name.clone()),
        ]
    );
    let halt = &events[1].3;
    assert!(halt.message.contains(&broken), "{halt:?}");
    assert_eq!(halt.failed, 1, "{halt:?}");
    let results = results_by_device(&halted);
    assert_eq!(
        results[&broken],
        (OperationState::Failed, ErrorCode::ConfigApplyFailure)
    );
    for device in canary.iter().filter(|d| **d != broken) {
        assert_eq!(results[device].0, OperationState::Succeeded, "{device}");
    }
    for device in &others {
        assert_eq!(
            results[device],
            (OperationState::Halted, ErrorCode::NotAttempted),
            "{device}"
        );
    }
    assert_eq!(halted.not_attempted_devices, 196);
    let error = halted.error.clone().unwrap();
    assert!(error.message.contains(&broken), "{}", error.message);
    assert!(error.message.contains("canary"), "{}", error.message);
    assert!(
        error
            .message
            .contains(&format!("rotor operation resume {}", halted.id)),
        "{}",
        error.message
    );
    let rollout = halted.rollout.clone().unwrap();
    assert_eq!(rollout.current_wave, 1);
    assert_eq!(rollout.released_devices, 4);
    // Untouched: no login, no revision, the same configuration.
    for device in &others {
        assert_eq!(
            snapshot(&stack, device),
            before[device],
            "{device} was touched"
        );
    }
    // The fabric lock is free.
    let lock = rotor_bus::lease::current(
        &stack.topology.leases,
        &rotor_bus::names::keys::fabric_lock(&stack.fabric_id),
        rotor_bus::lease::now_unix_ms(),
    )
    .await
    .unwrap();
    assert!(lock.is_none(), "{lock:?}");

    // The fault is fixed: the resume releases the 196 devices, wave by wave.
    stack
        .sim
        .clear_fault(&broken, FaultKind::ApplyFails)
        .unwrap();
    let resumed = stack
        .client
        .clone()
        .resume_operation(ResumeOperationRequest {
            operation_id: halted.id.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(resumed.status, OperationState::InProgress as i32);
    let ended = stack.wait_for_operation(&halted.id).await.unwrap();
    let results = results_by_device(&ended);
    for device in &others {
        assert_eq!(results[device].0, OperationState::Succeeded, "{device}");
    }
    // The canary's failure stands (a resync retries it); everything else was updated.
    assert_eq!(ended.status, OperationState::Failed as i32);
    assert_eq!(
        ended.error.as_ref().map(|e| e.code),
        Some(ErrorCode::PartialSuccess as i32)
    );
    assert_eq!(ended.succeeded_devices, 199);
    assert_waves_in_order(&plan, &event_spans(&stack, &halted.id).await);
    // After the resume: the canary ends, then every other wave starts and ends in turn.
    let waves = plan.waves.len() as u32;
    let events = rollout_events(&mut watch, &plan, &halted.id, 1 + 2 * (waves as usize - 1)).await;
    let mut expected = vec![(RolloutEventKind::WaveEnded, 1, canary_name)];
    expected.extend(starts_and_ends(2..=waves, &plan));
    assert_eq!(kinds_and_waves(&events), expected);
    // A second resume is refused: the operation is not halted any more.
    let again = stack
        .client
        .clone()
        .resume_operation(ResumeOperationRequest {
            operation_id: halted.id.clone(),
        })
        .await
        .unwrap_err();
    assert_eq!(again.code(), tonic::Code::FailedPrecondition);
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn waves_run_in_role_order_and_the_fabric_concurrency_holds() {
    let rollout = Rollout {
        canary: Canary::None,
        wave_size: Some(Share::Count(40)),
        concurrency: Some(10),
        ..Default::default()
    };
    let (stack, plan) = stack_with(200, rollout, &[], false).await;
    stack.sim.set_latency(latency());
    let names: Vec<&str> = plan.waves.iter().map(|w| w.name.as_str()).collect();
    // Leaves first, borders, then spines (the default order).
    let first_spine = names.iter().position(|n| n.starts_with("Spine")).unwrap();
    let last_leaf = names.iter().rposition(|n| n.starts_with("Leaf")).unwrap();
    let border = names.iter().position(|n| n.starts_with("Border")).unwrap();
    assert!(last_leaf < border && border < first_spine, "{names:?}");
    stack.sim.reset_session_peak(&stack.fabric_id);

    let mut watch = watch_rollout(&stack).await;
    let operation = stack.run(stack.fabric_rotate()).await.unwrap();
    assert_eq!(
        operation.status,
        OperationState::Succeeded as i32,
        "{operation:?}"
    );
    let sessions = stack.sim.fabric_sessions(&stack.fabric_id);
    assert!(
        sessions.peak_devices_in_session <= 10,
        "{} devices were in session at once",
        sessions.peak_devices_in_session
    );
    assert!(
        sessions.peak_devices_in_session >= 2,
        "devices ran one at a time: {sessions:?}"
    );
    assert_waves_in_order(&plan, &event_spans(&stack, &operation.id).await);
    // The dispatcher notes the last wave's end at its next look (bounded).
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let rollout = loop {
        let rollout = show(&stack, &operation.id).await.rollout.unwrap();
        if rollout.waves.iter().all(|w| !w.end_time.is_empty())
            || tokio::time::Instant::now() > deadline
        {
            break rollout;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(rollout.wave_count as usize, plan.waves.len());
    // Each wave's start and end was published, in order, with none failed.
    let waves = plan.waves.len() as u32;
    let events = rollout_events(&mut watch, &plan, &operation.id, 2 * waves as usize).await;
    assert_eq!(kinds_and_waves(&events), starts_and_ends(1..=waves, &plan));
    assert!(
        events.iter().all(|(_, _, _, e)| e.failed == 0),
        "{events:?}"
    );
    for wave in &rollout.waves {
        assert!(
            !wave.start_time.is_empty() && !wave.end_time.is_empty(),
            "{wave:?}"
        );
        assert!(parse(&wave.start_time) <= parse(&wave.end_time), "{wave:?}");
    }
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancel_ends_a_running_operation_and_releases_nothing_more() {
    let rollout = Rollout {
        canary: Canary::None,
        wave_size: Some(Share::Count(5)),
        pause_secs: 600,
        ..Default::default()
    };
    let (stack, plan) = stack_with(20, rollout, &[], false).await;
    let first: Vec<String> = plan.waves[0].device_ids.clone();
    let operation_id = stack.submit_accepted(stack.fabric_rotate()).await.unwrap();
    // The first wave ends, then the operation pauses for ten minutes.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let status = show(&stack, &operation_id).await;
        let pausing = status
            .rollout
            .as_ref()
            .is_some_and(|r| !r.pause_until.is_empty() && r.current_wave == 2);
        if pausing && status.succeeded_devices == 5 {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the first wave did not end: {status:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let refused = stack
        .client
        .clone()
        .resume_operation(ResumeOperationRequest {
            operation_id: operation_id.clone(),
        })
        .await
        .unwrap_err();
    assert_eq!(refused.code(), tonic::Code::FailedPrecondition);
    // The cancel comes over the bus, as another system would send it.
    let requester = stack.requester(rotor_e2e::REQUESTER).await.unwrap();
    let subject = rotor_bus::names::request_subject(&stack.fabric_id);
    let cancel = format!(r#"{{"kind": "CancelOperation", "operationId": "{operation_id}"}}"#);
    let reply = requester
        .request(subject.clone(), cancel.into())
        .await
        .unwrap();
    let reply: serde_json::Value = serde_json::from_slice(&reply.payload).unwrap();
    assert_eq!(
        reply["accepted"]["operationId"],
        operation_id.as_str(),
        "{reply}"
    );
    let ended = stack.wait_for_operation(&operation_id).await.unwrap();
    assert_eq!(ended.status, OperationState::Cancelled as i32, "{ended:?}");
    let results = results_by_device(&ended);
    for (device, (state, code)) in &results {
        if first.contains(device) {
            assert_eq!(*state, OperationState::Succeeded, "{device}");
        } else {
            assert_eq!(
                (*state, *code),
                (OperationState::Cancelled, ErrorCode::NotAttempted),
                "{device}"
            );
            assert_eq!(stack.device(device).revisions().len(), 1, "{device}");
        }
    }
    assert_eq!(ended.not_attempted_devices, 15);
    // Audited, with who asked.
    let audited = stack
        .audited("the cancel", |record| {
            record.verb == "CancelOperation" && record.operation_id == operation_id
        })
        .await;
    assert!(
        audited.identity.contains(rotor_e2e::REQUESTER),
        "{audited:?}"
    );
    // Once ended, a cancel over gRPC is refused.
    let again = stack
        .client
        .clone()
        .cancel_operation(CancelOperationRequest {
            operation_id: operation_id.clone(),
        })
        .await
        .unwrap_err();
    assert_eq!(again.code(), tonic::Code::FailedPrecondition);
    // And an operation id of another fabric's subject is unknown there.
    let elsewhere = format!(r#"{{"kind": "ResumeOperation", "operationId": "{operation_id}"}}"#);
    let reply = requester
        .request(rotor_bus::names::request_subject("fab2"), elsewhere.into())
        .await
        .unwrap();
    let reply: serde_json::Value = serde_json::from_slice(&reply.payload).unwrap();
    assert_eq!(
        reply["rejected"]["error"]["code"], "OperationNotAllowed",
        "{reply}"
    );
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_orchestrator_takes_the_dispatch_over_when_its_leader_dies() {
    let rollout = Rollout {
        canary: Canary::None,
        wave_size: Some(Share::Count(10)),
        concurrency: Some(5),
        ..Default::default()
    };
    let (mut stack, plan) =
        stack_with(60, rollout, &[("ROTOR_DISPATCH_LEASE_SECS", "2")], true).await;
    stack.sim.set_latency(latency());
    stack.spawn_process("orchestrator", 1);
    let before: BTreeMap<String, usize> = stack
        .device_ids()
        .into_iter()
        .map(|d| {
            let count = stack.device(&d).revisions().len();
            (d, count)
        })
        .collect();
    let operation_id = stack.submit_accepted(stack.fabric_rotate()).await.unwrap();
    stack.wait_for_progress(&operation_id, 20).await.unwrap();
    let leader = rotor_bus::lease::current(
        &stack.topology.leases,
        &rotor_bus::names::keys::leader("dispatcher"),
        rotor_bus::lease::now_unix_ms(),
    )
    .await
    .unwrap()
    .expect("a dispatcher leads");
    assert!(stack.kill_process(&leader.holder), "{} runs", leader.holder);
    if leader.holder == "orchestrator-0" {
        // The test's API: back, while the other copy takes the dispatch over.
        stack.spawn_process("orchestrator", 0);
    }
    let operation = stack.wait_for_operation(&operation_id).await.unwrap();
    assert_eq!(
        operation.status,
        OperationState::Succeeded as i32,
        "{operation:?}"
    );
    for (device, count) in before {
        assert_eq!(
            stack.device(&device).revisions().len(),
            count + 1,
            "{device} was not applied exactly once"
        );
    }
    assert_waves_in_order(&plan, &event_spans(&stack, &operation_id).await);
    stack.shutdown().await;
}
