//! Quarantine on a whole stack: a device that failed the same way in `ROTOR_QUARANTINE_AFTER`
//! operations in a row is skipped (`Quarantined`, with the reason, never contacted) by
//! fabric-wide operations until it is released (`ReleaseDevice`, over gRPC or the bus, with
//! the operator role, audited) or a device operation on it succeeds.

use rotor_auth::{Grant, Role};
use rotor_e2e::{StackOptions, TestStack, results_by_device};
use rotor_proto::v1::*;
use rotor_sim::{Fault, FaultKind};

async fn stack() -> TestStack {
    TestStack::start(StackOptions {
        devices: 3,
        settings: vec![("ROTOR_QUARANTINE_AFTER".into(), "2".into())],
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

/// Every login the simulator saw on `device`, accepted or not.
fn logins(stack: &TestStack, device: &str) -> u64 {
    let statistics = stack.device(device).login_statistics();
    statistics.succeeded_logins + statistics.failed_logins
}

/// Fails `device` twice with a drift (two fabric rotations): it ends quarantined.
async fn quarantine(stack: &TestStack, device: &str) {
    stack.device(device).set_fault(Fault::Drifted).unwrap();
    for round in 1..=2 {
        let operation = stack.run(stack.fabric_rotate()).await.unwrap();
        assert_eq!(
            results_by_device(&operation)[device].1,
            ErrorCode::DiffValidationError
        );
        let status = stack.device_status(device).await.unwrap();
        assert_eq!(status.consecutive_failures, round, "{status:?}");
        assert_eq!(status.quarantine.is_some(), round == 2, "{status:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_failing_the_same_way_is_quarantined_skipped_and_released() {
    let stack = stack().await;
    let devices = stack.device_ids();
    let broken = devices[0].clone();
    quarantine(&stack, &broken).await;
    let status = stack.device_status(&broken).await.unwrap();
    let quarantined = status.quarantine.clone().unwrap();
    assert_eq!(quarantined.code, ErrorCode::DiffValidationError as i32);
    assert_eq!(quarantined.failures, 2);
    assert_eq!(quarantined.operation_ids.len(), 2);
    assert!(
        quarantined
            .reason
            .contains("failed 2 operations in a row with DiffValidationError"),
        "{}",
        quarantined.reason
    );
    // Recorded in the audit by the aggregator.
    stack
        .audited("the quarantine", |r| {
            r.verb == rotor_bus::audit::QUARANTINE && r.device_ids == [broken.clone()]
        })
        .await;

    // Fabric-wide operations, a rotation and a resync (which would pick the failed device),
    // leave it out without contacting it, and say why.
    let before = logins(&stack, &broken);
    // (The resync finds nothing else to do: the other devices are in sync.)
    for (request, others) in [
        (stack.fabric_rotate(), devices.len() - 1),
        (stack.fabric_resync(), 0),
    ] {
        let operation = stack.run(request).await.unwrap();
        assert!(
            !results_by_device(&operation).contains_key(&broken),
            "{operation:?}"
        );
        assert_eq!(operation.total_devices as usize, others, "{operation:?}");
        let [skipped] = operation.skipped_devices.as_slice() else {
            panic!("one skipped device: {operation:?}");
        };
        assert_eq!(skipped.resource_id, broken);
        let error = skipped.error.clone().unwrap();
        assert_eq!(error.code, ErrorCode::Quarantined as i32);
        assert!(error.message.contains("rotor device release"), "{error:?}");
    }
    assert_eq!(
        logins(&stack, &broken),
        before,
        "a quarantined device was contacted"
    );

    // A viewer may not release it; the refusal is audited.
    let mut watcher = stack.client_as("watcher").await.unwrap();
    let release = ReleaseDeviceRequest {
        fabric_id: stack.fabric_id.clone(),
        device_id: broken.clone(),
    };
    let refused = watcher.release_device(release.clone()).await.unwrap_err();
    assert_eq!(refused.code(), tonic::Code::PermissionDenied, "{refused:?}");
    stack
        .audited("the refused release", |r| {
            r.verb == "ReleaseDevice" && r.identity == "watcher" && r.outcome == "refused"
        })
        .await;
    assert!(
        stack
            .device_status(&broken)
            .await
            .unwrap()
            .quarantine
            .is_some()
    );
    // Unknown devices are named.
    let unknown = stack
        .client
        .clone()
        .release_device(ReleaseDeviceRequest {
            device_id: "no-such-device".into(),
            ..release.clone()
        })
        .await
        .unwrap_err();
    assert_eq!(unknown.code(), tonic::Code::NotFound, "{unknown:?}");

    // The operator fixes the switch and releases it: the next fabric operation includes it.
    stack
        .device(&broken)
        .clear_fault(FaultKind::Drifted)
        .unwrap();
    let released = stack
        .client
        .clone()
        .release_device(release)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(released.quarantine, None);
    assert_eq!(released.consecutive_failures, 0);
    stack
        .audited("the release", |r| {
            r.verb == "ReleaseDevice"
                && r.outcome == "succeeded"
                && r.device_ids == [broken.clone()]
        })
        .await;
    let operation = stack.run(stack.fabric_resync()).await.unwrap();
    assert_eq!(
        results_by_device(&operation)[&broken],
        (OperationState::Succeeded, ErrorCode::Unspecified)
    );
    assert!(operation.skipped_devices.is_empty());
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_operation_that_succeeds_releases_it_and_the_bus_can_release() {
    let stack = stack().await;
    let devices = stack.device_ids();
    let (first, second) = (devices[0].clone(), devices[1].clone());
    quarantine(&stack, &first).await;
    // A device operation still runs on a quarantined device (that is how a fix is proven);
    // its success ends the quarantine.
    stack
        .device(&first)
        .clear_fault(FaultKind::Drifted)
        .unwrap();
    let operation = stack
        .run(RotationRequest {
            kind: RotationKind::DeviceResyncPassword as i32,
            fabric_id: stack.fabric_id.clone(),
            device_ids: vec![first.clone()],
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        operation.status,
        OperationState::Succeeded as i32,
        "{operation:?}"
    );
    let status = stack.device_status(&first).await.unwrap();
    assert_eq!((status.quarantine, status.consecutive_failures), (None, 0));

    // Another system releases a device over the bus.
    quarantine(&stack, &second).await;
    let requester = stack.requester(rotor_e2e::REQUESTER).await.unwrap();
    let subject = rotor_bus::names::request_subject(&stack.fabric_id);
    let release = format!(r#"{{"kind": "ReleaseDevice", "deviceIds": ["{second}"]}}"#);
    let reply = requester
        .request(subject.clone(), release.into())
        .await
        .unwrap();
    let reply: serde_json::Value = serde_json::from_slice(&reply.payload).unwrap();
    assert_eq!(reply["accepted"]["kind"], "ReleaseDevice", "{reply}");
    assert_eq!(stack.device_status(&second).await.unwrap().quarantine, None);
    let unknown = r#"{"kind": "ReleaseDevice", "deviceIds": ["no-such-device"]}"#;
    let reply = requester.request(subject, unknown.into()).await.unwrap();
    let reply: serde_json::Value = serde_json::from_slice(&reply.payload).unwrap();
    assert_eq!(
        reply["rejected"]["error"]["code"], "OperationNotAllowed",
        "{reply}"
    );
    // Over gRPC the bus kind is refused as such.
    let refused = stack
        .submit(RotationRequest {
            kind: RotationKind::ReleaseDevice as i32,
            fabric_id: stack.fabric_id.clone(),
            device_ids: vec![second.clone()],
            ..Default::default()
        })
        .await
        .unwrap();
    let (code, message) = rotor_e2e::rejection(&refused).unwrap();
    assert_eq!(code, ErrorCode::InvalidRequest);
    assert!(message.contains("call ReleaseDevice"), "{message}");
    stack.shutdown().await;
}
