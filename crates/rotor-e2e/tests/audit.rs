//! The audit stream: every API call (refused or not), every bus request, every import, lock
//! call and backup read, and every operation's end is recorded with who, from where, what and
//! what came of it; `rotor audit` reads it with filters; no record holds a password.

use std::time::Duration;

use rotor_auth::{Grant, Role};
use rotor_bus::audit::{self, AuditRecord};
use rotor_e2e::{StackOptions, TestStack};
use rotor_proto::v1::*;

fn grant(subject: &str, fabrics: &[&str], roles: &[Role]) -> Grant {
    Grant {
        subject: subject.into(),
        fabrics: fabrics.iter().map(|f| f.to_string()).collect(),
        roles: roles.to_vec(),
    }
}

async fn audited(
    stack: &TestStack,
    what: &str,
    wanted: impl Fn(&AuditRecord) -> bool,
) -> AuditRecord {
    stack.audited(what, wanted).await
}

async fn records(stack: &TestStack) -> Vec<AuditRecord> {
    stack.audit_records().await
}

fn denied(status: tonic::Status) {
    assert_eq!(status.code(), tonic::Code::PermissionDenied, "{status:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_call_is_audited_with_who_what_and_what_came_of_it() {
    let options = StackOptions {
        devices: 2,
        platform_mix: (1, 1),
        ..Default::default()
    };
    let fabric = options.fabric_id.clone();
    let stack = TestStack::start(StackOptions {
        grants: vec![
            grant("dashboard", &[&fabric], &[Role::Viewer]),
            grant("ticketing", &[&fabric], &[Role::Viewer, Role::Operator]),
            grant("security", &[&fabric], &[Role::Auditor]),
        ],
        ..options
    })
    .await
    .unwrap();
    let on_fabric = |r: &AuditRecord| r.fabric_id == fabric;

    // Lock squatting by a viewer: refused, and recorded as such with who and from where.
    let mut dashboard = stack.client_as("dashboard").await.unwrap();
    denied(
        dashboard
            .acquire_fabric_lock(AcquireFabricLockRequest {
                fabric_id: fabric.clone(),
                holder: "squatter".into(),
                purpose: "squat".into(),
                lease_seconds: 86_400,
            })
            .await
            .unwrap_err(),
    );
    let squat = audited(&stack, "the lock squat", |r| {
        r.verb == "AcquireFabricLock" && r.identity == "dashboard"
    })
    .await;
    assert_eq!(squat.outcome, audit::REFUSED);
    assert_eq!(squat.code, "PERMISSION_DENIED");
    assert_eq!(squat.channel, audit::channel::GRPC);
    assert_eq!(squat.role, "lock-holder");
    assert!(on_fabric(&squat), "{squat:?}");
    assert!(squat.peer.starts_with("127.0.0.1:"), "{squat:?}");
    assert!(squat.message.contains("lock-holder role"), "{squat:?}");

    // A call without a token: refused before anything runs, recorded without an identity.
    let channel = tonic::transport::Channel::from_shared(stack.api_url())
        .unwrap()
        .connect()
        .await
        .unwrap();
    let mut anonymous =
        rotor_stack::api::client(channel, rotor_stack::api::Bearer::new(None).unwrap());
    let refused = anonymous
        .show_fabric(ShowFabricRequest {
            fabric_id: fabric.clone(),
        })
        .await
        .unwrap_err();
    assert_eq!(refused.code(), tonic::Code::Unauthenticated);
    let anonymous_record = audited(&stack, "the call without a token", |r| {
        r.verb == "ShowFabric" && r.code == "UNAUTHENTICATED"
    })
    .await;
    assert_eq!(anonymous_record.outcome, audit::REFUSED);
    assert_eq!(anonymous_record.identity, "");
    assert!(!anonymous_record.peer.is_empty());

    // An authorized rotation: its request and its operation's end, both in the operator's name.
    let mut ticketing = stack.client_as("ticketing").await.unwrap();
    let reply = ticketing
        .rotate(stack.fabric_rotate())
        .await
        .unwrap()
        .into_inner();
    let Some(rotation_reply::Outcome::Accepted(accepted)) = reply.outcome else {
        panic!("not accepted: {reply:?}");
    };
    let operation = stack
        .wait_for_operation(&accepted.operation_id)
        .await
        .unwrap();
    assert_eq!(operation.status, OperationState::Succeeded as i32);
    let asked = audited(&stack, "the rotation request", |r| {
        r.verb == "Rotate" && r.operation_id == accepted.operation_id
    })
    .await;
    assert_eq!(
        (
            asked.identity.as_str(),
            asked.outcome.as_str(),
            asked.role.as_str()
        ),
        ("ticketing", audit::SUCCEEDED, "operator")
    );
    assert!(
        asked.versions.iter().any(|v| v.version == 2),
        "the versions it allocated: {asked:?}"
    );
    let ended = audited(&stack, "the operation's end", |r| {
        r.verb == audit::OPERATION_END && r.operation_id == accepted.operation_id
    })
    .await;
    assert_eq!(ended.identity, "ticketing");
    assert_eq!(ended.outcome, audit::SUCCEEDED);
    assert_eq!(ended.device_ids.len(), 2, "{ended:?}");
    assert!(
        ended.versions.iter().any(|v| v.version == 2),
        "the versions it pushed: {ended:?}"
    );

    // A re-import that points a known device at another address: refused to an operator, and
    // the record says which device and field it would have changed.
    let exported = stack
        .sim
        .inventory(&fabric, &rotor_sim::ExportOptions::default())
        .unwrap();
    let mut moved = exported.clone();
    let device = moved.inventory.devices[0].id.clone();
    let old_address = moved.inventory.devices[0].address.clone();
    let new_address = old_address.replace("127.0.0.1", "localhost");
    assert_ne!(old_address, new_address);
    moved.inventory.devices[0].address = new_address.clone();
    let import = ImportInventoryRequest {
        inventory_yaml: moved.inventory.to_yaml(),
        intended_configs: moved.intended_configs.clone().into_iter().collect(),
    };
    let refusal = ticketing
        .import_inventory(import.clone())
        .await
        .unwrap_err();
    assert_eq!(refusal.code(), tonic::Code::PermissionDenied);
    // The refusal does not say what is stored; the audit does.
    assert!(!refusal.message().contains("address"), "{refusal:?}");
    let refused_import = audited(&stack, "the refused import", |r| {
        r.verb == "ImportInventory" && r.identity == "ticketing"
    })
    .await;
    assert_eq!(refused_import.outcome, audit::REFUSED);
    assert_eq!(refused_import.role, "inventory-admin");
    assert_eq!(
        refused_import.identity_changes,
        vec![IdentityChange {
            device_id: device.clone(),
            fields: vec!["address".into()],
        }]
    );
    let stored = stack
        .topology
        .inventory
        .get(rotor_bus::names::keys::device(&fabric, &device));
    let stored = String::from_utf8(stored.await.unwrap().unwrap().to_vec()).unwrap();
    assert!(
        stored.contains(&old_address),
        "the refused import changed nothing"
    );

    // An inventory administrator's same import passes, and its record lists the change.
    let done = stack
        .client
        .clone()
        .import_inventory(import)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(done.device_count, 2);
    let admin_imports = |records: &[AuditRecord]| -> Vec<AuditRecord> {
        records
            .iter()
            .filter(|r| {
                r.verb == "ImportInventory" && r.identity == rotor_stack::auth::ADMIN_SUBJECT
            })
            .cloned()
            .collect()
    };
    let admin_import = audited(&stack, "the administrator's import", |r| {
        r.verb == "ImportInventory"
            && !r.identity_changes.is_empty()
            && r.outcome == audit::SUCCEEDED
    })
    .await;
    assert_eq!(admin_import.identity, rotor_stack::auth::ADMIN_SUBJECT);
    assert_eq!(admin_import.outcome, audit::SUCCEEDED);
    assert_eq!(admin_import.device_ids, vec![device.clone()]);
    assert_eq!(admin_import.identity_changes[0].fields, vec!["address"]);
    // The same inventory again changes nothing of any device's identity.
    let before = admin_imports(&records(&stack).await).len();
    stack
        .client
        .clone()
        .import_inventory(ImportInventoryRequest {
            inventory_yaml: moved.inventory.to_yaml(),
            intended_configs: moved.intended_configs.clone().into_iter().collect(),
        })
        .await
        .unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    let again = loop {
        let imports = admin_imports(&records(&stack).await);
        if imports.len() > before {
            break imports[imports.len() - 1].clone();
        }
        assert!(tokio::time::Instant::now() < deadline, "{imports:#?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(again.outcome, audit::SUCCEEDED);
    assert!(again.identity_changes.is_empty(), "{again:?}");

    // A backup read: who read which device's configuration.
    let backups = stack
        .client
        .clone()
        .list_backups(ListBackupsRequest {
            fabric_id: fabric.clone(),
            device_id: device.clone(),
        })
        .await
        .unwrap()
        .into_inner()
        .backups;
    let name = backups[0].name.clone();
    stack
        .client
        .clone()
        .get_backup(GetBackupRequest { name })
        .await
        .unwrap();
    let read = audited(&stack, "the backup read", |r| r.verb == "GetBackup").await;
    assert_eq!(read.device_ids, vec![device.clone()]);
    assert_eq!(read.operation_id, backups[0].operation_id);
    assert_eq!(read.outcome, audit::SUCCEEDED);

    // Lock calls that succeed are recorded too, and never with the lease id (it proves holding).
    let mut admin = stack.client.clone();
    let lock = admin
        .acquire_fabric_lock(AcquireFabricLockRequest {
            fabric_id: fabric.clone(),
            purpose: "maintenance".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    admin
        .renew_fabric_lock(RenewFabricLockRequest {
            fabric_id: fabric.clone(),
            lease_id: lock.lease_id.clone(),
            lease_seconds: 60,
        })
        .await
        .unwrap();
    admin
        .release_fabric_lock(ReleaseFabricLockRequest {
            fabric_id: fabric.clone(),
            lease_id: lock.lease_id.clone(),
        })
        .await
        .unwrap();
    for verb in ["AcquireFabricLock", "RenewFabricLock", "ReleaseFabricLock"] {
        let call = audited(&stack, verb, |r| {
            r.verb == verb && r.identity == rotor_stack::auth::ADMIN_SUBJECT
        })
        .await;
        assert_eq!(
            (call.outcome.as_str(), call.role.as_str()),
            (audit::SUCCEEDED, "lock-holder")
        );
        assert!(on_fabric(&call));
    }

    // A bus request: its kind and outcome, as the NATS user the server names, from where it
    // connected, whatever the request says.
    let subject = rotor_bus::names::request_subject(&fabric);
    let json = r#"{"kind": "FabricResyncPassword", "requestedBy": "someone"}"#;
    stack
        .requester(rotor_e2e::REQUESTER)
        .await
        .unwrap()
        .request(subject.clone(), json.into())
        .await
        .unwrap();
    let bus = audited(&stack, "the bus request", |r| {
        r.channel == audit::channel::BUS
    })
    .await;
    assert_eq!(bus.verb, "FabricResyncPassword");
    assert_eq!(bus.identity, format!("nats:{}", rotor_e2e::REQUESTER));
    assert!(bus.peer.starts_with("127.0.0.1"), "{bus:?}");
    assert!(on_fabric(&bus));
    assert!(
        [audit::SUCCEEDED, audit::FAILED].contains(&bus.outcome.as_str()),
        "{bus:?}"
    );
    // One published inside the service account names no requester: refused, and audited so.
    stack
        .bus
        .client
        .request(subject, json.into())
        .await
        .unwrap();
    let unnamed = audited(&stack, "the unnamed bus request", |r| {
        r.channel == audit::channel::BUS && r.identity == "nats"
    })
    .await;
    assert_eq!(
        (unnamed.outcome.as_str(), unnamed.code.as_str()),
        (audit::REFUSED, "PermissionDenied")
    );

    // Reading the audit is the auditor's: a viewer may not, and that refusal is audited too.
    denied(
        dashboard
            .list_audit(ListAuditRequest {
                fabric_id: fabric.clone(),
                ..Default::default()
            })
            .await
            .unwrap_err(),
    );
    let mut security = stack.client_as("security").await.unwrap();
    // Every fabric's records need the role on every fabric.
    denied(
        security
            .list_audit(ListAuditRequest::default())
            .await
            .unwrap_err(),
    );
    let refusals = security
        .list_audit(ListAuditRequest {
            fabric_id: fabric.clone(),
            outcome: audit::REFUSED.into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .records;
    assert!(
        refusals
            .iter()
            .all(|r| r.outcome == audit::REFUSED && r.fabric_id == fabric),
        "{refusals:#?}"
    );
    for who in ["dashboard", "ticketing"] {
        assert!(
            refusals.iter().any(|r| r.identity == who),
            "{who}: {refusals:#?}"
        );
    }

    // `rotor audit`, filtered, as JSON and as a table.
    let rotor = |args: &[&str]| {
        let output = std::process::Command::new(rotor_e2e::rotor_cli_binary())
            .arg("audit")
            .args(args)
            .env("ROTOR_SERVER", stack.api_url())
            .env("ROTOR_TOKEN", stack.auth.admin_token())
            .output()
            .unwrap();
        assert!(output.status.success(), "rotor audit {args:?}: {output:?}");
        String::from_utf8(output.stdout).unwrap()
    };
    let listed = |args: &[&str]| -> Vec<AuditRecord> {
        let text = rotor(&[args, &["--json"]].concat());
        serde_json::from_str::<ListAuditResponse>(&text)
            .unwrap_or_else(|e| panic!("{e}: {text}"))
            .records
    };
    let squats = listed(&[
        "--fabric",
        &fabric,
        "--identity",
        "dashboard",
        "--outcome",
        "refused",
        "--verb",
        "AcquireFabricLock",
    ]);
    assert_eq!(squats.len(), 1, "{squats:#?}");
    assert_eq!(squats[0].code, "PERMISSION_DENIED");
    let ends = listed(&["--verb", "OperationEnd", "--since", "1h"]);
    assert!(
        ends.iter().any(|r| r.operation_id == accepted.operation_id),
        "{ends:#?}"
    );
    assert!(listed(&["--since", "2999-01-01T00:00:00Z"]).is_empty());
    let newest = listed(&["--limit", "2"]);
    assert_eq!(newest.len(), 2);
    let table = rotor(&["--identity", "dashboard", "-o", "table"]);
    assert!(
        table.contains("IDENTITY")
            && table.contains("AcquireFabricLock")
            && table.contains("refused"),
        "{table}"
    );

    // No record holds a password: neither the first one nor any version the rotation wrote.
    let mut passwords = stack.all_plaintexts().await.unwrap();
    passwords.push(stack.initial_password.expose_for_login().to_string());
    assert!(passwords.len() >= 2);
    let everything = records(&stack).await;
    assert!(everything.len() > 10, "{}", everything.len());
    for record in &everything {
        let text = serde_json::to_string(record).unwrap();
        for password in &passwords {
            assert!(!text.contains(password.as_str()), "a password in {text}");
        }
        assert!(!text.contains(&lock.lease_id), "a lease id in {text}");
        // Every token is a JWT, whose header starts `{"` in base64url.
        assert!(!text.contains("eyJ"), "a token in {text}");
    }

    // Without the audit stream the API still answers, and every record it could not store is
    // an error in the log, never dropped without a word.
    stack
        .bus
        .jetstream
        .delete_stream(rotor_bus::names::AUDIT_STREAM)
        .await
        .unwrap();
    dashboard
        .show_fabric(ShowFabricRequest {
            fabric_id: fabric.clone(),
        })
        .await
        .unwrap();
    rotor_e2e::until("the lost record is logged", Duration::from_secs(20), || {
        stack.logs.text().lines().any(|line| {
            line.contains("an audit record could not be stored")
                && line.contains("ShowFabric")
                && line.contains("dashboard")
        })
    })
    .await;
    stack.shutdown().await;
}
