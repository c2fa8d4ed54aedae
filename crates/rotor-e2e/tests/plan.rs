//! Plans (dry runs) on a whole stack: a plan of a fabric with a drifted, an unreachable and a
//! disabled device reports each as it would end, and leaves every device's running and
//! candidate configuration, every device's status and the secrets store as they were.

use std::collections::BTreeMap;

use rotor_e2e::{StackOptions, TestStack, set_administrative_state};
use rotor_proto::v1::*;
use rotor_sim::Fault;

/// What a plan must not change on a device: its applied and candidate configuration, its
/// revisions, its startup configuration (no save).
fn on_the_switch(stack: &TestStack, device: &str) -> (String, String, usize, String) {
    let simulated = stack.device(device);
    (
        format!("{:?}", simulated.applied_config()),
        format!("{:?}", simulated.candidate_config()),
        simulated.revisions().len(),
        format!("{:?}", simulated.startup_config()),
    )
}

/// Each device's verdict and error code in a plan's results.
fn verdicts(operation: &OperationStatus) -> BTreeMap<String, (PlanVerdict, ErrorCode)> {
    operation
        .operations
        .iter()
        .map(|result| {
            let code = result
                .error
                .as_ref()
                .and_then(|e| ErrorCode::try_from(e.code).ok())
                .unwrap_or(ErrorCode::Unspecified);
            (
                result.resource_id.clone(),
                (
                    PlanVerdict::try_from(result.verdict).unwrap_or(PlanVerdict::Unspecified),
                    code,
                ),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plan_reports_each_device_and_changes_nothing() {
    let mut stack = TestStack::start(StackOptions {
        devices: 6,
        platform_mix: (2, 1),
        // The unreachable device is given up on after two tries of 3 s.
        settings: vec![
            ("ROTOR_JOB_MAX_DELIVER".into(), "2".into()),
            ("ROTOR_DEVICE_TIMEOUT_SECS".into(), "3".into()),
        ],
        ..Default::default()
    })
    .await
    .unwrap();
    let devices = stack.device_ids();
    // A first rotation, so the devices have statuses a plan could disturb.
    stack.run(stack.fabric_rotate()).await.unwrap();
    let (drifted, unreachable, disabled) =
        (devices[0].clone(), devices[1].clone(), devices[2].clone());
    stack.device(&drifted).set_fault(Fault::Drifted).unwrap();
    stack
        .device(&unreachable)
        .set_fault(Fault::Unreachable)
        .unwrap();
    let target = disabled.clone();
    stack
        .import(|exported| {
            set_administrative_state(
                exported,
                &target,
                rotor_inventory::AdministrativeState::Disabled,
            )
        })
        .await
        .unwrap();
    let before_switches: BTreeMap<String, _> = devices
        .iter()
        .map(|d| (d.clone(), on_the_switch(&stack, d)))
        .collect();
    let mut before_statuses = BTreeMap::new();
    for device in &devices {
        before_statuses.insert(device.clone(), stack.device_status(device).await.unwrap());
    }
    let fabric_before = stack.fabric_status(None).await.unwrap();
    let (_, version_before) = stack.current_password().await.unwrap();

    for request in [stack.fabric_rotate(), stack.fabric_resync()] {
        let kind = request.kind;
        let operation = stack
            .run(RotationRequest {
                plan: true,
                device_ids: devices.clone(),
                ..request
            })
            .await
            .unwrap();
        assert!(operation.plan, "{operation:?}");
        let verdicts = verdicts(&operation);
        assert_eq!(
            verdicts[&drifted],
            (PlanVerdict::WouldRefuse, ErrorCode::DiffValidationError),
            "{operation:?}"
        );
        assert_eq!(
            verdicts[&unreachable],
            (PlanVerdict::Unreachable, ErrorCode::CouldNotConnect),
            "{operation:?}"
        );
        assert_eq!(
            verdicts[&disabled],
            (PlanVerdict::WouldRefuse, ErrorCode::DeviceDisabled),
            "{operation:?}"
        );
        // A rotation would change every other device; a resync none (they hold the current
        // password).
        let others = if kind == RotationKind::FabricRotatePassword as i32 {
            PlanVerdict::WouldChange
        } else {
            PlanVerdict::NoChange
        };
        for device in &devices[3..] {
            assert_eq!(
                verdicts[device],
                (others, ErrorCode::Unspecified),
                "{device}: {operation:?}"
            );
        }
        // The drifted device's result names the offending lines.
        let refusal = operation
            .operations
            .iter()
            .find(|r| r.resource_id == drifted)
            .and_then(|r| r.error.clone())
            .unwrap();
        assert!(
            refusal.message.contains("Offending lines: nv set"),
            "{refusal:?}"
        );

        // Nothing changed: no switch, no status, no version, not the fabric's state.
        for device in &devices {
            assert_eq!(
                on_the_switch(&stack, device),
                before_switches[device],
                "{device} was changed by a plan"
            );
            let status = stack.device_status(device).await.unwrap();
            assert_eq!(status, before_statuses[device], "{device}'s status changed");
        }
        assert_eq!(stack.current_password().await.unwrap().1, version_before);
        let fabric = stack.fabric_status(None).await.unwrap();
        assert_eq!(
            (fabric.last_operation_id, fabric.state),
            (fabric_before.last_operation_id.clone(), fabric_before.state)
        );
    }

    // Another system asks for a plan over the bus (JSON `plan: true`).
    let requester = stack.requester(rotor_e2e::REQUESTER).await.unwrap();
    let request = r#"{"kind": "FabricRotatePassword", "plan": true}"#;
    let reply = requester
        .request(
            rotor_bus::names::request_subject(&stack.fabric_id),
            request.into(),
        )
        .await
        .unwrap();
    let reply: serde_json::Value = serde_json::from_slice(&reply.payload).unwrap();
    let id = reply["accepted"]["operationId"]
        .as_str()
        .unwrap_or_else(|| panic!("{reply}"))
        .to_string();
    let operation = stack.wait_for_operation(&id).await.unwrap();
    assert!(operation.plan, "{operation:?}");
    assert_eq!(stack.current_password().await.unwrap().1, version_before);
    stack.shutdown().await;
}

/// A plan reports on every device even where the rollout's canary would halt the real
/// operation: no canary, no brake.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plan_runs_past_a_canary_that_would_halt() {
    let mut stack = TestStack::start(StackOptions {
        devices: 4,
        import: false,
        ..Default::default()
    })
    .await
    .unwrap();
    stack
        .import(|fabric| {
            fabric.inventory.fabric.rollout = Some(rotor_inventory::rollout::Rollout::default());
        })
        .await
        .unwrap();
    let devices = stack.device_ids();
    // Every device but one drifted: whichever the canary holds, the real rotation would halt.
    for device in &devices[1..] {
        stack.device(device).set_fault(Fault::Drifted).unwrap();
    }
    let operation = stack
        .run(RotationRequest {
            plan: true,
            ..stack.fabric_rotate()
        })
        .await
        .unwrap();
    let verdicts = verdicts(&operation);
    assert_eq!(verdicts.len(), devices.len(), "{operation:?}");
    assert_eq!(
        verdicts[&devices[0]],
        (PlanVerdict::WouldChange, ErrorCode::Unspecified)
    );
    for device in &devices[1..] {
        assert_eq!(
            verdicts[device],
            (PlanVerdict::WouldRefuse, ErrorCode::DiffValidationError),
            "{operation:?}"
        );
    }
    assert_eq!(operation.not_attempted_devices, 0, "{operation:?}");
    stack.shutdown().await;
}
