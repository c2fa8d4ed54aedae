//! The orchestrator's own guarantees: an interrupted fan-out is finished by another copy, and the
//! gRPC API answers server reflection (v1 and v1alpha) so generic clients (grpcurl) work without
//! the proto.

use futures::StreamExt;
use rotor_bus::kv;
use rotor_bus::names::keys;
use rotor_e2e::{StackOptions, TestStack, results_by_device};
use rotor_proto::v1::*;
use tonic_reflection::pb::v1::ServerReflectionRequest;
use tonic_reflection::pb::v1::server_reflection_client::ServerReflectionClient;
use tonic_reflection::pb::v1::server_reflection_request::MessageRequest;
use tonic_reflection::pb::v1::server_reflection_response::MessageResponse;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fan_out_interrupted_by_a_crash_is_finished_by_another_copy() {
    let stack = TestStack::start(StackOptions::default()).await.unwrap();
    // What a crashed orchestrator leaves: the lock, a new version, the plan and the status,
    // but no jobs published.
    let operation_id = "01a00000-0000-7000-8000-000000000001".to_string();
    let path = rotor_e2e::login_secret_path(&stack.fabric_id);
    let password = rotor_secrets::PasswordPolicy::default().generate().unwrap();
    let version = stack
        .secrets
        .write("secret", &path, &password)
        .await
        .unwrap();
    let plan = stack
        .crashed_plan(&operation_id, [(path.clone(), version)].into(), true)
        .await
        .unwrap();
    let status = OperationStatus {
        id: operation_id.clone(),
        kind: plan.kind,
        fabric_id: stack.fabric_id.clone(),
        status: OperationState::InProgress as i32,
        start_time: plan.accepted_time.clone(),
        total_devices: plan.device_ids.len() as u32,
        ..Default::default()
    };
    kv::put_message(
        &stack.topology.operations,
        &keys::operation(&operation_id),
        &status,
    )
    .await
    .unwrap();

    // Another copy's recovery pass.
    let config =
        rotor_orchestrator::OrchestratorConfig::from_settings(&stack.settings("orchestrator", 1))
            .unwrap();
    let orchestrator = rotor_orchestrator::Orchestrator::connect(config)
        .await
        .unwrap();
    let finished = rotor_orchestrator::recovery::finish_fanouts(
        &orchestrator,
        rotor_orchestrator::recovery::GRACE,
    )
    .await
    .unwrap();
    assert_eq!(finished, 1);
    let operation = stack.wait_for_operation(&operation_id).await.unwrap();
    assert_eq!(
        operation.status,
        OperationState::Succeeded as i32,
        "{operation:?}"
    );
    assert_eq!(
        results_by_device(&operation).len(),
        stack.device_ids().len()
    );
    for device in stack.device_ids() {
        assert!(stack.can_log_in(&device, &password).await, "{device}");
    }
    // The lock was released with the operation, and a second pass finds nothing to do.
    assert!(
        rotor_bus::lease::current(
            &stack.topology.leases,
            &keys::fabric_lock(&stack.fabric_id),
            rotor_bus::lease::now_unix_ms()
        )
        .await
        .unwrap()
        .is_none()
    );
    assert_eq!(
        rotor_orchestrator::recovery::finish_fanouts(
            &orchestrator,
            rotor_orchestrator::recovery::GRACE
        )
        .await
        .unwrap(),
        0
    );
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_answers_server_reflection() {
    let stack = TestStack::start(StackOptions {
        import: false,
        ..Default::default()
    })
    .await
    .unwrap();
    let channel = tonic::transport::Channel::from_shared(format!("http://{}", stack.grpc_address))
        .unwrap()
        .connect()
        .await
        .unwrap();
    let mut client = ServerReflectionClient::new(channel.clone());
    let request = ServerReflectionRequest {
        host: String::new(),
        message_request: Some(MessageRequest::ListServices(String::new())),
    };
    let mut responses = client
        .server_reflection_info(futures::stream::iter([request]))
        .await
        .unwrap()
        .into_inner();
    let response = responses.next().await.unwrap().unwrap();
    let Some(MessageResponse::ListServicesResponse(list)) = response.message_response else {
        panic!("not a service list: {response:?}");
    };
    let names: Vec<String> = list.service.into_iter().map(|s| s.name).collect();
    assert!(
        names.contains(&"rotor.v1.RotationService".to_string()),
        "{names:?}"
    );
    // The older protocol version too, which older grpcurl and grpcio clients speak.
    use tonic_reflection::pb::v1alpha as alpha;
    let mut client = alpha::server_reflection_client::ServerReflectionClient::new(channel);
    let request = alpha::ServerReflectionRequest {
        host: String::new(),
        message_request: Some(
            alpha::server_reflection_request::MessageRequest::ListServices(String::new()),
        ),
    };
    let mut responses = client
        .server_reflection_info(futures::stream::iter([request]))
        .await
        .unwrap()
        .into_inner();
    let response = responses.next().await.unwrap().unwrap();
    let Some(alpha::server_reflection_response::MessageResponse::ListServicesResponse(list)) =
        response.message_response
    else {
        panic!("not a service list: {response:?}");
    };
    let names: Vec<String> = list.service.into_iter().map(|s| s.name).collect();
    assert!(
        names.contains(&"rotor.v1.RotationService".to_string()),
        "v1alpha: {names:?}"
    );
    stack.shutdown().await;
}
