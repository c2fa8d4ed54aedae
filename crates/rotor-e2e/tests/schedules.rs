//! Schedules on a whole stack, with the scheduler's clock in the test's hands
//! (`StackOptions::clock`, a manual clock): a short-period schedule starts its runs inside its
//! maintenance window and never outside it, a run the guardrails refuse is tried again at the
//! next window (not in the same one), a window that passed while the scheduler was away is
//! reported missed, a paused schedule starts nothing, and everything the scheduler does is
//! audited as `rotor:scheduler`. No sleeps that hope: the test waits (bounded) until the
//! scheduler has read the clock it set, then looks.

use std::time::Duration;

use rotor_auth::{Grant, Role};
use rotor_e2e::{StackOptions, TestStack};
use rotor_orchestrator::schedule::Clock;
use rotor_proto::v1::*;

/// 2026-12-05 00:30:00 UTC (01:30 in Paris, UTC+1 in winter).
const START_MS: i64 = 1_796_430_600_000;
const MINUTE: i64 = 60_000;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;
/// The window "daily 02:00-03:00" in Europe/Paris opens at 01:00 UTC on every day of December.
const WINDOW_OPENS: i64 = START_MS + 30 * MINUTE;

async fn stack(clock: &Clock) -> TestStack {
    TestStack::start(StackOptions {
        devices: 2,
        settings: vec![("ROTOR_SCHEDULE_TICK_MS".into(), "50".into())],
        clock: clock.clone(),
        grants: vec![Grant {
            subject: "watcher".into(),
            fabrics: vec!["*".into()],
            roles: vec![Role::Viewer],
        }],
        ..Default::default()
    })
    .await
    .unwrap()
}

/// Sets the clock and waits (bounded) until the scheduler has read it twice since: at least one
/// whole look at every schedule happened at that time.
async fn at(clock: &Clock, now_ms: i64) {
    clock.set_ms(now_ms);
    let before = clock.reads();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while clock.reads() < before + 2 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the scheduler did not read the clock within 30 s"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

async fn show(stack: &TestStack) -> Schedule {
    stack
        .client
        .clone()
        .show_schedule(ShowScheduleRequest {
            fabric_id: stack.fabric_id.clone(),
        })
        .await
        .unwrap()
        .into_inner()
}

async fn operations(stack: &TestStack) -> Vec<OperationStatus> {
    stack
        .client
        .clone()
        .list_operations(ListOperationsRequest {
            fabric_id: stack.fabric_id.clone(),
            limit: 100,
        })
        .await
        .unwrap()
        .into_inner()
        .operations
}

async fn fabric_status(stack: &TestStack) -> FabricStatus {
    stack
        .client
        .clone()
        .show_fabric(ShowFabricRequest {
            fabric_id: stack.fabric_id.clone(),
        })
        .await
        .unwrap()
        .into_inner()
}

/// Waits (bounded) until the schedule's last run is a new one, and returns it.
async fn next_run(stack: &TestStack, previous: Option<&ScheduledRun>) -> ScheduledRun {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(run) = show(stack).await.last_run
            && Some(&run) != previous
        {
            return run;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no new scheduled run within 30 s: {:?}",
            show(stack).await
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// Takes the fabric lock for an upgrade, waiting (bounded) for the last operation to give it
/// back (the aggregator releases it as the operation ends).
async fn lock_fabric(stack: &TestStack) -> FabricLock {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        match stack
            .client
            .clone()
            .acquire_fabric_lock(AcquireFabricLockRequest {
                fabric_id: stack.fabric_id.clone(),
                holder: String::new(),
                purpose: "upgrade".into(),
                lease_seconds: 600,
            })
            .await
        {
            Ok(lock) => return lock.into_inner(),
            Err(error) => assert!(
                tokio::time::Instant::now() < deadline,
                "the fabric lock stayed taken: {error:?}"
            ),
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits (bounded) until the fabric lock of the last operation is given back: the operation's
/// status ends a moment before the aggregator releases its lock.
async fn wait_unlocked(stack: &TestStack) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let shown = stack
            .client
            .clone()
            .show_fabric_lock(ShowFabricLockRequest {
                fabric_id: stack.fabric_id.clone(),
            })
            .await
            .unwrap()
            .into_inner();
        if shown.lock.is_none() {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the fabric lock stayed taken: {shown:?}"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

fn rfc3339(unix_ms: i64) -> String {
    rotor_bus::format_unix_ms(unix_ms)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_short_period_schedule_runs_inside_its_window_and_not_outside() {
    let clock = Clock::manual(START_MS);
    let mut stack = stack(&clock).await;
    // A second orchestrator copy: one of the two schedules at a time.
    stack.start_orchestrator_copy(1).await.unwrap();
    let fabric_id = stack.fabric_id.clone();
    let mut client = stack.client.clone();

    // A viewer may not set a schedule; the refusal is audited.
    let wanted = Schedule {
        fabric_id: fabric_id.clone(),
        every: "1m".into(),
        windows: vec!["daily 02:00-03:00".into()],
        time_zone: "Europe/Paris".into(),
        ..Default::default()
    };
    let refused = stack
        .client_as("watcher")
        .await
        .unwrap()
        .set_schedule(SetScheduleRequest {
            schedule: Some(wanted.clone()),
        })
        .await
        .unwrap_err();
    assert_eq!(refused.code(), tonic::Code::PermissionDenied, "{refused:?}");
    stack
        .audited("the refused schedule", |r| {
            r.verb == "SetSchedule" && r.identity == "watcher" && r.outcome == "refused"
        })
        .await;
    // Bad input is named.
    for (bad, says) in [
        (
            Schedule {
                every: "soon".into(),
                ..wanted.clone()
            },
            "every",
        ),
        (
            Schedule {
                time_zone: "Mars/Olympus".into(),
                ..wanted.clone()
            },
            "Mars/Olympus",
        ),
        (
            Schedule {
                calendar: "0 3 * * sat".into(),
                ..wanted.clone()
            },
            "not both",
        ),
    ] {
        let error = client
            .set_schedule(SetScheduleRequest {
                schedule: Some(bad),
            })
            .await
            .unwrap_err();
        assert_eq!(error.code(), tonic::Code::InvalidArgument, "{error:?}");
        assert!(error.message().contains(says), "{error:?}");
    }

    // Set at 01:30 Paris: due a minute later, outside the window; the next run is 02:00 Paris.
    let set = client
        .set_schedule(SetScheduleRequest {
            schedule: Some(wanted.clone()),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(set.next_run_time, rfc3339(WINDOW_OPENS), "{set:?}");
    assert_eq!(set.set_by, "rotor-admin");
    // Due and outside the window: nothing starts.
    at(&clock, START_MS + 10 * MINUTE).await;
    assert!(operations(&stack).await.is_empty());
    let fabric = fabric_status(&stack).await;
    assert_eq!(fabric.next_scheduled_rotation, rfc3339(WINDOW_OPENS));
    assert!(!fabric.schedule_paused);

    // Inside the window: a fabric rotation by the scheduler, through the normal path.
    at(&clock, WINDOW_OPENS + 30_000).await;
    let first = next_run(&stack, None).await;
    assert!(first.refused.is_none(), "{first:?}");
    let operation = stack.wait_for_operation(&first.operation_id).await.unwrap();
    assert_eq!(
        operation.status,
        OperationState::Succeeded as i32,
        "{operation:?}"
    );
    assert_eq!(operation.kind, RotationKind::FabricRotatePassword as i32);
    assert_eq!(operation.requested_by, "rotor:scheduler");
    assert_eq!(
        first.window.clone().unwrap().start_time,
        rfc3339(WINDOW_OPENS)
    );
    stack
        .audited("the scheduled run", |r| {
            r.verb == "ScheduledRun"
                && r.identity == "rotor:scheduler"
                && r.outcome == "succeeded"
                && r.operation_id == first.operation_id
        })
        .await;
    // The next run is due a period after this one started, still in this window.
    assert_eq!(
        show(&stack).await.next_run_time,
        rfc3339(WINDOW_OPENS + 30_000 + MINUTE)
    );

    // The fabric is locked when the next run comes due: refused, recorded, and not tried again
    // in this window even once the lock is gone.
    let lock = lock_fabric(&stack).await;
    at(&clock, WINDOW_OPENS + 2 * MINUTE).await;
    let refused = next_run(&stack, Some(&first)).await;
    let error = refused.refused.clone().expect("the run was refused");
    assert_eq!(
        error.code,
        ErrorCode::OperationNotAllowed as i32,
        "{error:?}"
    );
    assert!(error.message.contains("lock"), "{error:?}");
    stack
        .audited("the refused scheduled run", |r| {
            r.verb == "ScheduledRun" && r.outcome == "failed" && r.message.contains("lock")
        })
        .await;
    client
        .release_fabric_lock(ReleaseFabricLockRequest {
            fabric_id: fabric_id.clone(),
            lease_id: lock.lease_id,
        })
        .await
        .unwrap();
    at(&clock, WINDOW_OPENS + 20 * MINUTE).await;
    assert_eq!(show(&stack).await.last_run, Some(refused.clone()));
    assert_eq!(operations(&stack).await.len(), 1);
    // After the window: nothing either; the next run is tomorrow's window.
    at(&clock, WINDOW_OPENS + 3 * HOUR).await;
    assert_eq!(operations(&stack).await.len(), 1);
    assert_eq!(
        show(&stack).await.next_run_time,
        rfc3339(WINDOW_OPENS + DAY)
    );
    // Tomorrow's window: tried again, started.
    at(&clock, WINDOW_OPENS + DAY + 10_000).await;
    let retried = next_run(&stack, Some(&refused)).await;
    assert!(retried.refused.is_none(), "{retried:?}");
    let operation = stack
        .wait_for_operation(&retried.operation_id)
        .await
        .unwrap();
    assert_eq!(
        operation.status,
        OperationState::Succeeded as i32,
        "{operation:?}"
    );
    wait_unlocked(&stack).await;

    // The scheduling copy stops; the other takes over (copy 0, the test's API, comes back
    // as a standby). Nobody scheduled through the next day's whole window: reported missed,
    // then the run starts in the window after.
    let leader = rotor_bus::lease::current(
        &stack.topology.leases,
        &rotor_bus::names::keys::leader("scheduler"),
        rotor_bus::lease::now_unix_ms(),
    )
    .await
    .unwrap()
    .expect("a scheduler leads");
    stack.stop_service(&leader.holder).await;
    if leader.holder == "orchestrator-0" {
        stack.start_orchestrator_copy(0).await.unwrap();
    }
    at(&clock, WINDOW_OPENS + 3 * DAY + 5 * MINUTE).await;
    let late = next_run(&stack, Some(&retried)).await;
    assert!(late.refused.is_none(), "{late:?}");
    let schedule = show(&stack).await;
    assert_eq!(schedule.missed_window_count, 1, "{schedule:?}");
    assert_eq!(
        schedule.missed_windows,
        [ScheduleWindow {
            start_time: rfc3339(WINDOW_OPENS + 2 * DAY),
            end_time: rfc3339(WINDOW_OPENS + 2 * DAY + HOUR),
        }]
    );
    stack
        .audited("the missed window", |r| {
            r.verb == "ScheduleMissed" && r.identity == "rotor:scheduler"
        })
        .await;
    stack.wait_for_operation(&late.operation_id).await.unwrap();
    wait_unlocked(&stack).await;

    // Paused (over the bus, by another system): the due run does not start.
    let requester = stack.requester(rotor_e2e::REQUESTER).await.unwrap();
    let subject = rotor_bus::names::request_subject(&fabric_id);
    let reply = requester
        .request(subject.clone(), r#"{"kind": "PauseSchedule"}"#.into())
        .await
        .unwrap();
    let reply: serde_json::Value = serde_json::from_slice(&reply.payload).unwrap();
    assert_eq!(reply["accepted"]["kind"], "PauseSchedule", "{reply}");
    let paused = show(&stack).await;
    assert!(paused.paused);
    assert_eq!(paused.paused_by, "nats:ticketing");
    assert_eq!(paused.next_run_time, "");
    at(&clock, WINDOW_OPENS + 3 * DAY + 20 * MINUTE).await;
    assert_eq!(show(&stack).await.last_run, Some(late.clone()));
    let fabric = fabric_status(&stack).await;
    assert!(fabric.schedule_paused);
    assert_eq!(fabric.next_scheduled_rotation, "");
    // Resumed inside the window: the run that came due while paused starts now.
    client
        .resume_schedule(ResumeScheduleRequest {
            fabric_id: fabric_id.clone(),
        })
        .await
        .unwrap();
    // (The clock stays put: a later one would find this run still going when the next comes
    // due a minute on, and record that refusal instead.)
    let resumed = next_run(&stack, Some(&late)).await;
    assert!(resumed.refused.is_none(), "{resumed:?}");
    assert_eq!(resumed.time, rfc3339(WINDOW_OPENS + 3 * DAY + 20 * MINUTE));
    stack
        .wait_for_operation(&resumed.operation_id)
        .await
        .unwrap();
    assert_eq!(operations(&stack).await.len(), 4);
    // Each run (four started, one refused) was started and recorded once, by one scheduler.
    stack
        .audited("the resumed run", |r| {
            r.verb == "ScheduledRun" && r.operation_id == resumed.operation_id
        })
        .await;
    let runs: Vec<_> = stack
        .audit_records()
        .await
        .into_iter()
        .filter(|r| r.verb == "ScheduledRun")
        .collect();
    assert_eq!(runs.len(), 5, "{runs:#?}");

    // Set again over the bus, by another system: bad input is named, good input is recorded
    // as the requester's (its progress afresh: due a period from now).
    let set_over_bus = |schedule: serde_json::Value| {
        let requester = requester.clone();
        let subject = subject.clone();
        async move {
            let body = serde_json::json!({"kind": "SetSchedule", "schedule": schedule});
            let reply = requester
                .request(subject, body.to_string().into())
                .await
                .unwrap();
            serde_json::from_slice::<serde_json::Value>(&reply.payload).unwrap()
        }
    };
    let reply = set_over_bus(serde_json::json!({"every": "90d", "timeZone": "Mars/Olympus"})).await;
    assert_eq!(
        reply["rejected"]["error"]["code"], "InvalidRequest",
        "{reply}"
    );
    assert!(
        reply["rejected"]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Mars/Olympus"),
        "{reply}"
    );
    let reply =
        set_over_bus(serde_json::json!({"every": "90d", "windows": ["sat 02:00-06:00"]})).await;
    assert_eq!(reply["accepted"]["kind"], "SetSchedule", "{reply}");
    let again = show(&stack).await;
    assert_eq!(
        (again.every.as_str(), again.set_by.as_str()),
        ("90d", "nats:ticketing")
    );
    assert_eq!(again.windows, ["sat 02:00-06:00"]);
    assert_eq!(again.last_run, None);

    // Deleted: nothing more, and the fabric shows no next rotation.
    let deleted = client
        .delete_schedule(DeleteScheduleRequest {
            fabric_id: fabric_id.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    assert!(deleted.deleted);
    at(&clock, WINDOW_OPENS + 4 * DAY + 10 * MINUTE).await;
    assert_eq!(operations(&stack).await.len(), 4);
    let fabric = fabric_status(&stack).await;
    assert_eq!(
        (
            fabric.next_scheduled_rotation.as_str(),
            fabric.schedule_paused
        ),
        ("", false)
    );
    let missing = client
        .show_schedule(ShowScheduleRequest {
            fabric_id: fabric_id.clone(),
        })
        .await
        .unwrap_err();
    assert_eq!(missing.code(), tonic::Code::NotFound, "{missing:?}");
    assert!(
        missing.message().contains("rotor schedule set"),
        "{missing:?}"
    );
    stack.shutdown().await;
}
