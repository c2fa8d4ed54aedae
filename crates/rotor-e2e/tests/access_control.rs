//! The gRPC API knows who calls (a signed token) and lets each caller do only what the policy
//! grants it on each fabric. Every attack here is a real call to a running orchestrator.

use rotor_auth::{Grant, Role, SigningKey};
use rotor_e2e::{StackOptions, TestStack};
use rotor_proto::v1::*;

fn grant(subject: &str, fabrics: &[&str], roles: &[Role]) -> Grant {
    Grant {
        subject: subject.into(),
        fabrics: fabrics.iter().map(|f| f.to_string()).collect(),
        roles: roles.to_vec(),
    }
}

async fn stack() -> TestStack {
    let options = StackOptions {
        devices: 2,
        platform_mix: (1, 1),
        ..Default::default()
    };
    let fabric = options.fabric_id.clone();
    TestStack::start(StackOptions {
        grants: vec![
            grant("auditor", &[&fabric], &[Role::Viewer]),
            grant("ticketing", &[&fabric], &[Role::Viewer, Role::Operator]),
            grant("upgrade-service", &[&fabric], &[Role::LockHolder]),
            grant("elsewhere-admin", &["elsewhere"], &Role::ALL),
        ],
        ..options
    })
    .await
    .unwrap()
}

/// The refusal of a call the caller's roles do not cover: its message.
fn denied(status: tonic::Status) -> String {
    assert_eq!(status.code(), tonic::Code::PermissionDenied, "{status:?}");
    status.message().to_string()
}

fn refusals(stack: &TestStack, subject: &str) -> usize {
    stack
        .logs
        .text()
        .lines()
        .filter(|l| l.contains("refused an unauthorized call") && l.contains(subject))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_without_a_trusted_token_is_refused_before_anything_runs() {
    let stack = stack().await;
    let channel = tonic::transport::Channel::from_shared(format!("http://{}", stack.grpc_address))
        .unwrap()
        .connect()
        .await
        .unwrap();
    // No token, garbage, a token of a key the API does not trust (same key id), an expired one.
    let stranger = SigningKey::generate("rotor-local").unwrap();
    let now = rotor_auth::now_unix();
    let forged = stranger
        .token(rotor_stack::auth::ADMIN_SUBJECT, 3600, now)
        .unwrap();
    for token in [None, Some("not-a-token".to_string()), Some(forged)] {
        let bearer = rotor_stack::api::Bearer::new(token.as_deref()).unwrap();
        let mut client = rotor_stack::api::client(channel.clone(), bearer);
        let show = client
            .show_fabric(ShowFabricRequest {
                fabric_id: stack.fabric_id.clone(),
            })
            .await
            .unwrap_err();
        assert_eq!(show.code(), tonic::Code::Unauthenticated, "{show:?}");
        let rotate = client.rotate(stack.fabric_rotate()).await.unwrap_err();
        assert_eq!(rotate.code(), tonic::Code::Unauthenticated);
        let lock = client
            .acquire_fabric_lock(AcquireFabricLockRequest {
                fabric_id: stack.fabric_id.clone(),
                holder: "squatter".into(),
                purpose: "squat".into(),
                lease_seconds: 86_400,
            })
            .await
            .unwrap_err();
        assert_eq!(lock.code(), tonic::Code::Unauthenticated);
        let fabrics = client
            .list_fabrics(ListFabricsRequest {})
            .await
            .unwrap_err();
        assert_eq!(fabrics.code(), tonic::Code::Unauthenticated);
    }
    // Nothing happened: no operation, no lock.
    let operations = stack
        .client
        .clone()
        .list_operations(ListOperationsRequest::default())
        .await
        .unwrap()
        .into_inner();
    assert!(operations.operations.is_empty());
    let lock = stack
        .client
        .clone()
        .show_fabric_lock(ShowFabricLockRequest {
            fabric_id: stack.fabric_id.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    assert!(lock.lock.is_none());
    assert!(
        stack
            .logs
            .text()
            .contains("refused an unauthenticated call"),
        "refusals are logged"
    );
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_caller_does_only_what_its_roles_allow_on_its_fabrics() {
    let stack = stack().await;
    let fabric = stack.fabric_id.clone();

    // A viewer reads, and nothing else: no rotation, no import, no lock squatting.
    let mut auditor = stack.client_as("auditor").await.unwrap();
    auditor
        .show_fabric(ShowFabricRequest {
            fabric_id: fabric.clone(),
        })
        .await
        .unwrap();
    let message = denied(auditor.rotate(stack.fabric_rotate()).await.unwrap_err());
    assert!(
        message.contains("auditor may not rotate passwords")
            && message.contains("operator role on fabric"),
        "{message}"
    );
    let exported = stack
        .sim
        .inventory(&fabric, &rotor_sim::ExportOptions::default())
        .unwrap();
    // The password-theft import: the device pointed at another SSH server.
    let mut hijacked = exported.clone();
    hijacked.inventory.devices[0].address = "127.0.0.1:2".into();
    let import = ImportInventoryRequest {
        inventory_yaml: hijacked.inventory.to_yaml(),
        intended_configs: hijacked.intended_configs.clone().into_iter().collect(),
    };
    denied(auditor.import_inventory(import.clone()).await.unwrap_err());
    let squat = AcquireFabricLockRequest {
        fabric_id: fabric.clone(),
        holder: "squatter".into(),
        purpose: "squat".into(),
        lease_seconds: 86_400,
    };
    denied(
        auditor
            .acquire_fabric_lock(squat.clone())
            .await
            .unwrap_err(),
    );
    // Reading across fabrics needs a grant on every fabric.
    denied(
        auditor
            .list_operations(ListOperationsRequest::default())
            .await
            .unwrap_err(),
    );

    // An operator rotates; who asked is its identity, not what the request claims.
    let mut ticketing = stack.client_as("ticketing").await.unwrap();
    let claimed = RotationRequest {
        requested_by: "rotor-admin".into(),
        ..stack.fabric_rotate()
    };
    let reply = ticketing.rotate(claimed).await.unwrap().into_inner();
    let Some(rotation_reply::Outcome::Accepted(accepted)) = reply.outcome else {
        panic!("not accepted: {reply:?}");
    };
    let operation = stack
        .wait_for_operation(&accepted.operation_id)
        .await
        .unwrap();
    assert_eq!(operation.status, OperationState::Succeeded as i32);
    assert_eq!(operation.requested_by, "ticketing");
    // But it cannot import (the hijack again) nor take the lock.
    denied(
        ticketing
            .import_inventory(import.clone())
            .await
            .unwrap_err(),
    );
    denied(
        ticketing
            .acquire_fabric_lock(squat.clone())
            .await
            .unwrap_err(),
    );

    // An administrator of another fabric is nobody here.
    let mut elsewhere = stack.client_as("elsewhere-admin").await.unwrap();
    denied(
        elsewhere
            .show_device(ShowDeviceRequest {
                fabric_id: fabric.clone(),
                device_id: stack.device_ids()[0].clone(),
            })
            .await
            .unwrap_err(),
    );
    denied(
        elsewhere
            .list_devices(ListDevicesRequest {
                fabric_id: fabric.clone(),
            })
            .await
            .unwrap_err(),
    );
    // Listing fabrics is never refused: each caller sees the fabrics it may view, and only
    // those (this one is not among them; the viewer sees it with its devices).
    let listed = elsewhere
        .list_fabrics(ListFabricsRequest {})
        .await
        .unwrap()
        .into_inner();
    assert!(listed.fabrics.is_empty(), "{listed:?}");
    let listed = auditor
        .list_fabrics(ListFabricsRequest {})
        .await
        .unwrap()
        .into_inner();
    let ids: Vec<&str> = listed
        .fabrics
        .iter()
        .map(|f| f.fabric_id.as_str())
        .collect();
    assert_eq!(ids, [fabric.as_str()]);
    assert_eq!(listed.fabrics[0].total_devices, 2);
    let devices = auditor
        .list_devices(ListDevicesRequest {
            fabric_id: fabric.clone(),
        })
        .await
        .unwrap()
        .into_inner()
        .devices;
    let ids: Vec<String> = devices
        .iter()
        .map(|d| d.status.clone().unwrap_or_default().device_id)
        .collect();
    assert_eq!(ids.len(), 2);
    assert!(
        ids.iter().all(|id| stack.device_ids().contains(id)),
        "{ids:?}"
    );
    assert!(
        devices
            .iter()
            .all(|d| !d.usernames.is_empty() && !d.role.is_empty())
    );
    denied(
        elsewhere
            .import_inventory(import.clone())
            .await
            .unwrap_err(),
    );
    denied(
        elsewhere
            .get_backup(GetBackupRequest {
                name: format!(
                    "{fabric}/{}/{}",
                    stack.device_ids()[0],
                    accepted.operation_id
                ),
            })
            .await
            .unwrap_err(),
    );
    denied(
        elsewhere
            .show_operation(ShowOperationRequest {
                operation_id: accepted.operation_id.clone(),
                omit_devices: true,
            })
            .await
            .unwrap_err(),
    );

    // A document that does not parse is its sender's own problem: said as such, whatever the
    // sender's fabrics (not a refusal for lacking a grant on every fabric).
    let garbage = elsewhere
        .import_inventory(ImportInventoryRequest {
            inventory_yaml: "not: [an inventory".into(),
            intended_configs: Default::default(),
        })
        .await
        .unwrap_err();
    assert_eq!(garbage.code(), tonic::Code::InvalidArgument, "{garbage:?}");

    // A lock holder takes the lock under its own name; the operator is then refused by it.
    let mut upgrader = stack.client_as("upgrade-service").await.unwrap();
    let lock = upgrader
        .acquire_fabric_lock(squat.clone())
        .await
        .unwrap()
        .into_inner();
    assert_eq!(lock.holder, "upgrade-service");
    let reply = ticketing
        .rotate(stack.fabric_rotate())
        .await
        .unwrap()
        .into_inner();
    let (code, message) = rotor_e2e::rejection(&reply).expect("refused while locked");
    assert_eq!(code, ErrorCode::OperationNotAllowed);
    assert!(message.contains("upgrade-service"), "{message}");
    // It cannot rotate, and the operator cannot release its lock.
    denied(upgrader.rotate(stack.fabric_rotate()).await.unwrap_err());
    denied(
        ticketing
            .release_fabric_lock(ReleaseFabricLockRequest {
                fabric_id: fabric.clone(),
                lease_id: lock.lease_id.clone(),
            })
            .await
            .unwrap_err(),
    );
    upgrader
        .release_fabric_lock(ReleaseFabricLockRequest {
            fabric_id: fabric.clone(),
            lease_id: lock.lease_id.clone(),
        })
        .await
        .unwrap();

    // The hijacked import never landed: the device still points at its switch.
    let hijacked_id = &exported.inventory.devices[0].id;
    let record = rotor_pipeline::records::load_device(&stack.topology, &fabric, hijacked_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(record.device.address, exported.inventory.devices[0].address);
    // Every refusal is logged with the caller's identity.
    assert_eq!(refusals(&stack, "auditor"), 4);
    assert_eq!(refusals(&stack, "ticketing"), 3);
    assert_eq!(refusals(&stack, "elsewhere-admin"), 5);
    assert_eq!(refusals(&stack, "upgrade-service"), 1);
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_serves_tls_and_tokens_never_travel_in_clear() {
    let stack = TestStack::start(StackOptions {
        devices: 2,
        grpc_tls: true,
        ..Default::default()
    })
    .await
    .unwrap();
    // The stack's own client came in over TLS with the token.
    let fabric = stack
        .client
        .clone()
        .show_fabric(ShowFabricRequest {
            fabric_id: stack.fabric_id.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(fabric.total_devices, 2);
    let show = ShowFabricRequest {
        fabric_id: stack.fabric_id.clone(),
    };
    let token = rotor_stack::api::Bearer::new(Some(&stack.auth.admin_token())).unwrap();
    // A plaintext client gets no answer from the TLS port.
    // A client that does not trust the CA (here: none given) is refused too.
    for (what, endpoint) in [
        (
            "plaintext",
            rotor_stack::api::endpoint(&format!("http://{}", stack.grpc_address), None).unwrap(),
        ),
        (
            "untrusted",
            rotor_stack::api::endpoint(&stack.api_url(), None).unwrap(),
        ),
    ] {
        if let Ok(channel) = endpoint.connect().await {
            let answer = rotor_stack::api::client(channel, token.clone())
                .show_fabric(show.clone())
                .await;
            assert!(answer.is_err(), "a {what} client was answered");
        }
    }
    // The rotor CLI over https with the CA file; without it, a usage error.
    let dir = rotor_harness::ScratchDir::new("tls-cli");
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, stack.api_ca.as_deref().unwrap()).unwrap();
    let rotor = |ca: Option<&std::path::Path>| {
        let mut command = std::process::Command::new(rotor_e2e::rotor_cli_binary());
        command
            .args(["fabric", "show", "--fabric", &stack.fabric_id, "-o", "json"])
            .env("ROTOR_SERVER", stack.api_url())
            .env("ROTOR_TOKEN", stack.auth.admin_token())
            .env_remove("ROTOR_CA_FILE");
        if let Some(ca) = ca {
            command.env("ROTOR_CA_FILE", ca);
        }
        command.output().unwrap()
    };
    let shown = rotor(Some(&ca));
    assert!(shown.status.success(), "{shown:?}");
    assert!(String::from_utf8_lossy(&shown.stdout).contains("\"totalDevices\": 2"));
    let without = rotor(None);
    assert_eq!(without.status.code(), Some(2), "{without:?}");
    assert!(String::from_utf8_lossy(&without.stderr).contains("--ca-file"));
    stack.shutdown().await;
}

/// `rotor auth grant` and `revoke` change the policy file, and the running orchestrator obeys
/// each change within seconds, without a restart; a broken file leaves the policy in force.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn grants_and_revocations_take_effect_without_a_restart() {
    let stack = stack().await;
    let fabric = stack.fabric_id.clone();
    let policy_file = stack
        .auth
        .settings()
        .into_iter()
        .find(|(name, _)| *name == "ROTOR_AUTH_POLICY")
        .map(|(_, path)| std::path::PathBuf::from(path))
        .unwrap();
    let mut newcomer = stack.client_as("newcomer").await.unwrap();
    let show = ShowFabricRequest {
        fabric_id: fabric.clone(),
    };
    denied(newcomer.show_fabric(show.clone()).await.unwrap_err());
    let rotor = |args: &[&str]| {
        let output = std::process::Command::new(rotor_e2e::rotor_cli_binary())
            .args(["auth"])
            .args(args)
            .args(["--policy", policy_file.to_str().unwrap()])
            .output()
            .unwrap();
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stdout).to_string()
                + &String::from_utf8_lossy(&output.stderr),
        )
    };
    let (code, said) = rotor(&[
        "grant",
        "--subject",
        "newcomer",
        "--fabric",
        &fabric,
        "--role",
        "viewer",
    ]);
    assert_eq!(code, Some(0), "{said}");
    let (_, shown) = rotor(&["policy"]);
    assert!(
        shown.contains(&format!("newcomer: viewer on {fabric}")),
        "{shown}"
    );
    // Obeyed within seconds (bounded polling).
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(15);
    while let Err(status) = newcomer.show_fabric(show.clone()).await {
        denied(status);
        assert!(
            tokio::time::Instant::now() < deadline,
            "the grant was not obeyed"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    // Still not an operator: the grant was exactly what was asked.
    let mut rotate = stack.fabric_rotate();
    rotate.requested_by.clear();
    denied(newcomer.rotate(rotate).await.unwrap_err());

    // A file that does not parse changes nothing.
    let good = std::fs::read_to_string(&policy_file).unwrap();
    std::fs::write(&policy_file, "grants: [{subject: newcomer}]\n").unwrap();
    until_logged(&stack, "the policy file changed but cannot be used").await;
    newcomer.show_fabric(show.clone()).await.unwrap();
    std::fs::write(&policy_file, good).unwrap();

    let (code, said) = rotor(&["revoke", "--subject", "newcomer"]);
    assert_eq!(code, Some(0), "{said}");
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(15);
    while newcomer.show_fabric(show.clone()).await.is_ok() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the revocation was not obeyed"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    // Revoking what is not granted says so and fails.
    let (code, said) = rotor(&["revoke", "--subject", "newcomer"]);
    assert_ne!(code, Some(0), "{said}");
    assert!(said.contains("grants newcomer nothing"), "{said}");
    stack.shutdown().await;
}

async fn until_logged(stack: &TestStack, needle: &str) {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(15);
    while !stack.logs.text().contains(needle) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "never logged {needle:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}
