//! Requests from other systems: the bus subject in both encodings, repeated request ids, and
//! every guardrail that refuses a request with `OperationNotAllowed`.

use prost::Message;
use rotor_e2e::{StackOptions, TestStack, rejection};
use rotor_proto::v1::*;

/// A `RotationRequest` as a client built on a newer contract would send it: field 42 unknown.
#[derive(Clone, PartialEq, prost::Message)]
struct NewerRotationRequest {
    #[prost(int32, tag = "2")]
    kind: i32,
    #[prost(string, tag = "3")]
    fabric_id: String,
    #[prost(uint32, tag = "42")]
    colour: u32,
}

/// Calls `Rotate` at `address` with `request`, encoded as its own (newer) message type.
async fn newer_client_rotate(
    address: std::net::SocketAddr,
    token: &str,
    request: NewerRotationRequest,
) -> RotationReply {
    let channel = tonic::transport::Channel::from_shared(format!("http://{address}"))
        .unwrap()
        .connect()
        .await
        .unwrap();
    let mut grpc = tonic::client::Grpc::new(channel);
    grpc.ready().await.unwrap();
    let codec = tonic_prost::ProstCodec::<NewerRotationRequest, RotationReply>::default();
    let path =
        tonic::codegen::http::uri::PathAndQuery::from_static("/rotor.v1.RotationService/Rotate");
    let mut request = tonic::Request::new(request);
    request
        .metadata_mut()
        .insert("authorization", format!("Bearer {token}").parse().unwrap());
    grpc.unary(request, path, codec).await.unwrap().into_inner()
}

fn accepted(reply: &RotationReply) -> RequestAccepted {
    match &reply.outcome {
        Some(rotation_reply::Outcome::Accepted(accepted)) => accepted.clone(),
        other => panic!("not accepted: {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_system_rotates_over_the_bus_in_json_and_protobuf() {
    let stack = TestStack::start(StackOptions::default()).await.unwrap();
    let subject = rotor_bus::names::request_subject(&stack.fabric_id);
    // Another system, connected through the requester account as such a system is.
    let requester = stack.requester(rotor_e2e::REQUESTER).await.unwrap();

    // The JSON form, as a system without protobuf would send it.
    let json = r#"{"kind": "FabricRotatePassword", "requestId": "change-4711", "requestedBy": "ticketing"}"#;
    let reply = requester
        .request(subject.clone(), json.into())
        .await
        .unwrap();
    let reply: serde_json::Value = serde_json::from_slice(&reply.payload).unwrap();
    let operation_id = reply["accepted"]["operationId"]
        .as_str()
        .expect("accepted, in JSON")
        .to_string();
    assert_eq!(reply["accepted"]["submittedDeviceCount"], 4);
    let operation = stack.wait_for_operation(&operation_id).await.unwrap();
    assert_eq!(operation.status, OperationState::Succeeded as i32);
    // Who asked is the NATS user the server names, not the request's requestedBy.
    assert_eq!(operation.requested_by, "nats:ticketing");

    // The same request id again: the first answer, and nothing done twice.
    let again = requester
        .request(subject.clone(), json.into())
        .await
        .unwrap();
    let again: serde_json::Value = serde_json::from_slice(&again.payload).unwrap();
    assert_eq!(again["accepted"]["operationId"], operation_id.as_str());
    assert_eq!(
        stack.current_password().await.unwrap().1,
        2,
        "no second version was written"
    );

    // Protobuf, answered in protobuf.
    let request = RotationRequest {
        kind: RotationKind::FabricResyncPassword as i32,
        fabric_id: stack.fabric_id.clone(),
        ..Default::default()
    };
    let reply = requester
        .request(subject.clone(), request.encode_to_vec().into())
        .await
        .unwrap();
    let reply = RotationReply::decode(reply.payload).unwrap();
    assert_eq!(
        accepted(&reply).submitted_device_count,
        0,
        "a converged fabric has nothing to resync"
    );

    // Malformed, unknown-field, wrong-fabric and oversized requests: clear rejections, no crash.
    let other_fabric = rotor_bus::names::request_subject("other");
    for (payload, expected) in [
        (b"{not json".to_vec(), "JSON"),
        (
            br#"{"kind": "FabricRotatePassword", "colour": "blue"}"#.to_vec(),
            "colour",
        ),
        (
            br#"{"kind": "FabricRotatePassword", "fabricId": "other"}"#.to_vec(),
            other_fabric.as_str(),
        ),
        (
            br#"{"kind": "FabricRotatePassword", "users": ["$(reboot)"]}"#.to_vec(),
            "user name",
        ),
        // An invalid name is said to be invalid, not "send it to rotor.requests.<it>".
        (
            br#"{"kind": "FabricRotatePassword", "fabricId": "fab1 x"}"#.to_vec(),
            "contains ' '; only letters, digits",
        ),
        ([b"{".to_vec(), vec![b' '; 2 << 20]].concat(), "bytes"),
    ] {
        let reply = requester
            .request(subject.clone(), payload.into())
            .await
            .unwrap_or_else(|error| panic!("no answer to a {expected:?} request: {error}"));
        let text = String::from_utf8_lossy(&reply.payload).to_string();
        assert!(text.contains("InvalidRequest"), "{text}");
        assert!(text.contains(expected), "{expected:?} not in {text}");
        let misleading = format!("send it to {}", rotor_bus::names::request_subject("fab1 x"));
        assert!(!text.contains(&misleading), "{text}");
    }
    // Protobuf with a field the contract does not declare (number 42): refused, not run
    // without what its sender meant.
    let passwords_before = stack.current_password().await.unwrap().1;
    let mut unknown = RotationRequest {
        kind: RotationKind::FabricRotatePassword as i32,
        fabric_id: stack.fabric_id.clone(),
        ..Default::default()
    }
    .encode_to_vec();
    unknown.extend_from_slice(&[0xd0, 0x02, 0x01]);
    let reply = requester
        .request(subject.clone(), unknown.clone().into())
        .await
        .unwrap();
    let reply = RotationReply::decode(reply.payload).unwrap();
    let (code, message) = rejection(&reply).expect("refused");
    assert_eq!(code, ErrorCode::InvalidRequest, "{message}");
    assert!(message.contains("field number 42"), "{message}");
    // The same through gRPC, from a client built on a newer contract: the same refusal, in a
    // RotationReply.
    let reply = newer_client_rotate(
        stack.grpc_address,
        &stack.auth.admin_token(),
        NewerRotationRequest {
            kind: RotationKind::FabricRotatePassword as i32,
            fabric_id: stack.fabric_id.clone(),
            colour: 1,
        },
    )
    .await;
    let (code, message) = rejection(&reply).expect("refused over gRPC");
    assert_eq!(code, ErrorCode::InvalidRequest, "{message}");
    assert!(message.contains("field number 42"), "{message}");
    assert_eq!(
        stack.current_password().await.unwrap().1,
        passwords_before,
        "nothing ran"
    );
    // The orchestrator still answers.
    let reply = requester
        .request(
            subject,
            br#"{"kind": "FabricResyncPassword"}"#.to_vec().into(),
        )
        .await
        .unwrap();
    assert!(String::from_utf8_lossy(&reply.payload).contains("accepted"));
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guardrails_refuse_with_operation_not_allowed() {
    let options = StackOptions {
        settings: vec![("ROTOR_PASSWORD_SET_LIMIT".into(), "1".into())],
        ..Default::default()
    };
    // Another system that may hold this fabric's lock, with an identity of its own.
    let upgrader = rotor_auth::Grant {
        subject: "upgrade-service".into(),
        fabrics: vec![options.fabric_id.clone()],
        roles: vec![rotor_auth::Role::LockHolder],
    };
    let mut stack = TestStack::start(StackOptions {
        grants: vec![upgrader],
        ..options
    })
    .await
    .unwrap();

    // Unknown fabric and device.
    let unknown = RotationRequest {
        fabric_id: "nope".into(),
        ..stack.fabric_rotate()
    };
    let (code, message) = rejection(&stack.submit(unknown).await.unwrap()).unwrap();
    assert_eq!(code, ErrorCode::OperationNotAllowed);
    assert!(message.contains("not in the inventory"));
    let unknown_device = RotationRequest {
        kind: RotationKind::DeviceRotatePassword as i32,
        device_ids: vec!["ghost".into()],
        ..stack.fabric_rotate()
    };
    let (code, message) = rejection(&stack.submit(unknown_device).await.unwrap()).unwrap();
    assert_eq!(code, ErrorCode::OperationNotAllowed);
    assert!(message.contains("ghost"));

    // Upgrading, then upgrade failed.
    for (status, words) in [
        (rotor_inventory::UpgradeStatus::InProgress, "being upgraded"),
        (rotor_inventory::UpgradeStatus::Failed, "upgrade failed"),
    ] {
        stack
            .import(|exported| exported.inventory.fabric.upgrade_status = status)
            .await
            .unwrap();
        let (code, message) =
            rejection(&stack.submit(stack.fabric_rotate()).await.unwrap()).unwrap();
        assert_eq!(code, ErrorCode::OperationNotAllowed);
        assert!(message.contains(words), "{message}");
    }
    stack.import(|_| {}).await.unwrap();

    // Another system holds the fabric lock; Rotor respects it until it is released. The lock
    // is held by the caller's identity, whatever the request's holder says.
    let upgrader = stack.client_as("upgrade-service").await.unwrap();
    let lock = upgrader
        .clone()
        .acquire_fabric_lock(AcquireFabricLockRequest {
            fabric_id: stack.fabric_id.clone(),
            holder: "someone I pretend to be".into(),
            purpose: "commit".into(),
            lease_seconds: 60,
        })
        .await
        .unwrap()
        .into_inner();
    let (code, message) = rejection(&stack.submit(stack.fabric_rotate()).await.unwrap()).unwrap();
    assert_eq!(code, ErrorCode::OperationNotAllowed);
    assert!(
        message.contains("another system (upgrade-service) holds the fabric lock"),
        "{message}"
    );
    let second = stack
        .client
        .clone()
        .acquire_fabric_lock(AcquireFabricLockRequest {
            fabric_id: stack.fabric_id.clone(),
            holder: "someone-else".into(),
            purpose: "x".into(),
            lease_seconds: 60,
        })
        .await;
    assert_eq!(second.unwrap_err().code(), tonic::Code::FailedPrecondition);
    assert_eq!(lock.holder, "upgrade-service");
    upgrader
        .clone()
        .release_fabric_lock(ReleaseFabricLockRequest {
            fabric_id: stack.fabric_id.clone(),
            lease_id: lock.lease_id.clone(),
        })
        .await
        .unwrap();

    // While a rotation runs, it holds the lock: a second fabric-wide request is refused. (The
    // differ is stopped meanwhile, so the rotation cannot finish before the check.)
    stack.stop_service("differ-0").await;
    let device_rotate = RotationRequest {
        kind: RotationKind::DeviceRotatePassword as i32,
        device_ids: vec![stack.device_ids()[0].clone()],
        ..stack.fabric_rotate()
    };
    let first = stack.submit_accepted(device_rotate).await.unwrap();
    let (code, message) = rejection(&stack.submit(stack.fabric_resync()).await.unwrap()).unwrap();
    assert_eq!(code, ErrorCode::OperationNotAllowed);
    // The holder is named with its kind, not as "another fabric-wide operation".
    assert!(
        message.contains(&format!(
            "a DeviceRotatePassword operation ({first}) is running"
        )),
        "{message}"
    );
    stack.start_service("differ", 1).await.unwrap();
    stack.wait_for_operation(&first).await.unwrap();
    // The device rotate wrote a new version of the shared path: the others are behind (two
    // sets, above this test's limit of 1) until a resync.
    assert_eq!(
        stack
            .fabric_status(Some(&first))
            .await
            .unwrap()
            .unique_password_set_count,
        2
    );
    let converged = stack.run(stack.fabric_resync()).await.unwrap();
    assert_eq!(converged.status, OperationState::Succeeded as i32);

    // Too many password sets: fail one device so the fabric has two, then a rotate is refused
    // and a resync is the way out.
    let device = stack.device_ids()[0].clone();
    stack
        .device(&device)
        .set_fault(rotor_sim::Fault::RejectsYaml)
        .unwrap();
    let partial = stack.run(stack.fabric_rotate()).await.unwrap();
    assert_eq!(
        stack
            .fabric_status(Some(&partial.id))
            .await
            .unwrap()
            .unique_password_set_count,
        2
    );
    let (code, message) = rejection(&stack.submit(stack.fabric_rotate()).await.unwrap()).unwrap();
    assert_eq!(code, ErrorCode::OperationNotAllowed);
    assert!(message.contains("resync"), "{message}");
    stack
        .device(&device)
        .clear_fault(rotor_sim::FaultKind::RejectsYaml)
        .unwrap();
    let resync = stack.run(stack.fabric_resync()).await.unwrap();
    assert_eq!(resync.status, OperationState::Succeeded as i32);
    assert_eq!(
        stack
            .fabric_status(Some(&resync.id))
            .await
            .unwrap()
            .unique_password_set_count,
        1
    );
    stack.shutdown().await;
}
