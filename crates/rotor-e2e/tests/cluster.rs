//! Broker loss: a 3-node JetStream cluster with everything replicated 3 times; one node stops in
//! the middle of a rotation, and the rotation still finishes with nothing lost.

use rotor_e2e::{StackOptions, TestStack, results_by_device};
use rotor_proto::v1::*;
use rotor_sim::LatencyProfile;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rotation_survives_losing_a_cluster_node() {
    let mut stack = TestStack::start(StackOptions {
        devices: 40,
        platform_mix: (3, 1),
        cluster: true,
        settings: vec![("ROTOR_JOB_ACK_WAIT_SECS".into(), "5".into())],
        ..Default::default()
    })
    .await
    .unwrap();
    let stream = stack
        .bus
        .jetstream
        .get_stream(rotor_bus::names::JOBS_STREAM)
        .await
        .unwrap();
    assert_eq!(stream.cached_info().config.num_replicas, 3);
    stack.sim.set_latency(LatencyProfile {
        apply_min_ms: 200,
        apply_max_ms: 400,
        ..LatencyProfile::none()
    });

    let operation_id = stack.submit_accepted(stack.fabric_rotate()).await.unwrap();
    // Stop a node once the rotation is under way.
    stack.wait_for_progress(&operation_id, 10).await.unwrap();
    stack.nats.stop_node(0);

    let operation = stack.wait_for_operation(&operation_id).await.unwrap();
    assert_eq!(
        operation.status,
        OperationState::Succeeded as i32,
        "{operation:?}"
    );
    let results = results_by_device(&operation);
    assert_eq!(
        results.len() as u32,
        operation.total_devices,
        "{operation:?}"
    );
    assert!(operation.total_devices > 0);
    assert!(
        results
            .values()
            .all(|(state, _)| *state == OperationState::Succeeded)
    );
    let fabric = stack.fabric_status(Some(&operation_id)).await.unwrap();
    // Its devices in the message: every device shows the rotation (statuses are stored before
    // results, see `guarantees::no_result_is_stored_before_its_devices_status`).
    assert_eq!(fabric.unique_password_set_count, 1, "{fabric:?}");
    let (password, _) = stack.current_password().await.unwrap();
    for device in stack.device_ids() {
        assert!(stack.can_log_in(&device, &password).await, "{device}");
    }
    stack.shutdown().await;
}
