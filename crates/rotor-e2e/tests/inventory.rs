//! What an inventory import guarantees about the devices it removes.

use rotor_bus::kv;
use rotor_bus::names::keys;
use rotor_e2e::{StackOptions, TestStack};
use rotor_pipeline::records::DeviceRecord;
use rotor_proto::v1::*;

/// Every login the simulator saw on one device (successful or not).
fn logins(stack: &TestStack, device: &str) -> u64 {
    let statistics = stack.device(device).login_statistics();
    statistics.succeeded_logins + statistics.failed_logins
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_removed_from_the_inventory_is_never_contacted_again() {
    let mut stack = TestStack::start(StackOptions::default()).await.unwrap();
    let devices = stack.device_ids();
    let removed = devices[0].clone();
    let first = stack.run(stack.fabric_rotate()).await.unwrap();
    assert_eq!(first.total_devices as usize, devices.len());
    assert!(
        logins(&stack, &removed) > 0,
        "the first rotation reaches it"
    );

    // Import again without it; then put its old record back, as an import whose removal of
    // the device's entries failed half-way would leave it.
    let stale = rotor_pipeline::records::load_device(&stack.topology, &stack.fabric_id, &removed)
        .await
        .unwrap()
        .expect("imported");
    let response = stack
        .import(|exported| {
            exported.inventory.devices.retain(|d| d.id != removed);
            exported.intended_configs.remove(&removed);
        })
        .await
        .unwrap();
    assert_eq!(response.device_count as usize, devices.len() - 1);
    let key = keys::device(&stack.fabric_id, &removed);
    assert!(
        kv::get_json::<DeviceRecord>(&stack.topology.inventory, &key)
            .await
            .unwrap()
            .is_none(),
        "the import removed its record"
    );
    kv::put_json(&stack.topology.inventory, &key, &stale)
        .await
        .unwrap();
    let before = logins(&stack, &removed);

    // Neither a fabric rotation nor a resync selects it, and a device rotation is refused.
    for request in [stack.fabric_rotate(), stack.fabric_resync()] {
        let operation = stack.run(request).await.unwrap();
        assert_eq!(
            operation.status,
            OperationState::Succeeded as i32,
            "{operation:?}"
        );
        assert!(
            operation
                .operations
                .iter()
                .all(|r| r.resource_id != removed),
            "{removed} was part of {operation:?}"
        );
    }
    let device_rotate = RotationRequest {
        kind: RotationKind::DeviceRotatePassword as i32,
        device_ids: vec![removed.clone()],
        ..stack.fabric_rotate()
    };
    match stack.submit(device_rotate).await.unwrap().outcome {
        Some(rotation_reply::Outcome::Rejected(rejected)) => {
            let error = rejected.error.unwrap();
            assert_eq!(error.code, ErrorCode::OperationNotAllowed as i32);
            assert!(error.message.contains(&removed), "{}", error.message);
        }
        other => panic!("a device rotation of a removed device was not refused: {other:?}"),
    }
    let fabric = stack.fabric_status(None).await.unwrap();
    assert_eq!(fabric.total_devices as usize, devices.len() - 1);
    assert_eq!(
        logins(&stack, &removed),
        before,
        "the removed device was contacted"
    );
    stack.shutdown().await;
}
