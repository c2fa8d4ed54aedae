//! Limits on what one caller, request or device can make a service hold: a command's output,
//! gRPC messages, calls per caller, bus requests in flight, event streams per caller.

use std::time::Duration;

use rotor_device::DeviceError;
use rotor_device::ssh::{Session, SshOptions};
use rotor_e2e::{StackOptions, TestStack};

/// A switch that prints more than `ROTOR_DEVICE_OUTPUT_MAX_BYTES` for one command: Rotor stops
/// reading and fails the command naming the limit and the setting, over real SSH.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_printing_without_end_is_cut_off_at_the_output_limit() {
    let stack = TestStack::start(StackOptions {
        devices: 1,
        platform_mix: (1, 0),
        import: false,
        ..Default::default()
    })
    .await
    .unwrap();
    let device = stack.device(&stack.device_ids()[0]);
    let address = device.address().to_string();
    let connect = |options: SshOptions| {
        let (address, keys, password) = (
            address.clone(),
            device.host_keys(),
            stack.initial_password.clone(),
        );
        async move {
            Session::connect(&address, &keys, "cumulus", &password, &options)
                .await
                .unwrap()
        }
    };
    // 600 KB in a file on the switch, printed back.
    let big = "x".repeat(1023) + "\n";
    let big = big.repeat(600);
    let session = connect(SshOptions::default()).await;
    let upload = session
        .run_with_input("cat > /tmp/big", Some(big.as_bytes()))
        .await
        .unwrap();
    assert!(upload.succeeded(), "{upload:?}");
    let whole = session.run("cat /tmp/big").await.unwrap();
    assert_eq!(whole.stdout.len(), big.len(), "under the default limit");
    session.close().await;

    let limited = connect(SshOptions {
        output_max_bytes: 64 << 10,
        command_timeout: Duration::from_secs(20),
        ..Default::default()
    })
    .await;
    let error = limited.run("cat /tmp/big").await.unwrap_err();
    assert!(
        matches!(&error, DeviceError::OutputTooLarge { limit, .. } if *limit == 64 << 10),
        "{error:?}"
    );
    assert_eq!(
        error.code(),
        rotor_proto::v1::ErrorCode::UnexpectedDeviceOutput
    );
    let message = error.to_string();
    assert!(
        message.contains("65536") && message.contains("ROTOR_DEVICE_OUTPUT_MAX_BYTES"),
        "{message}"
    );
    // The session is still usable for short answers.
    let short = limited.run("cat /tmp/missing").await.unwrap();
    assert!(!short.succeeded());
    limited.close().await;
    stack.shutdown().await;
}

/// The message of `reply`, which must be a refusal `OperationNotAllowed` naming `setting`.
fn refused_naming(reply: &rotor_proto::v1::RotationReply, setting: &str) -> String {
    let (code, message) =
        rotor_e2e::rejection(reply).unwrap_or_else(|| panic!("not refused: {reply:?}"));
    assert_eq!(
        code,
        rotor_proto::v1::ErrorCode::OperationNotAllowed,
        "{message}"
    );
    assert!(message.contains(setting), "{setting} not named: {message}");
    message
}

/// An operation that must have succeeded (the limit let it through).
fn succeeded(operation: &rotor_proto::v1::OperationStatus) {
    assert_eq!(
        operation.status,
        rotor_proto::v1::OperationState::Succeeded as i32,
        "{operation:?}"
    );
}

fn viewer(subject: &str, fabric: &str) -> rotor_auth::Grant {
    rotor_auth::Grant {
        subject: subject.into(),
        fabrics: vec![fabric.into()],
        roles: vec![rotor_auth::Role::Viewer],
    }
}

fn exhausted(status: &tonic::Status, setting: &str) {
    assert_eq!(status.code(), tonic::Code::ResourceExhausted, "{status:?}");
    assert!(status.message().contains(setting), "{status:?}");
}

/// A caller over its rate (`ROTOR_GRPC_RATE_PER_SECOND`, `ROTOR_GRPC_BURST`) is refused
/// `RESOURCE_EXHAUSTED` before its request is read, recorded as refused; another caller is
/// not slowed by it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_caller_over_its_rate_is_refused_and_audited_and_others_go_on() {
    let options = StackOptions {
        devices: 1,
        platform_mix: (1, 0),
        ..Default::default()
    };
    let fabric = options.fabric_id.clone();
    let stack = TestStack::start(StackOptions {
        grants: vec![viewer("dashboard", &fabric), viewer("monitoring", &fabric)],
        // One call a hundred seconds after the burst: none refills during the test.
        settings: vec![
            ("ROTOR_GRPC_RATE_PER_SECOND".into(), "0.01".into()),
            ("ROTOR_GRPC_BURST".into(), "3".into()),
        ],
        ..options
    })
    .await
    .unwrap();
    let show = || rotor_proto::v1::ShowFabricRequest {
        fabric_id: fabric.clone(),
    };
    let mut dashboard = stack.client_as("dashboard").await.unwrap();
    for _ in 0..3 {
        dashboard.show_fabric(show()).await.unwrap();
    }
    let refused = dashboard.show_fabric(show()).await.unwrap_err();
    exhausted(&refused, "ROTOR_GRPC_RATE_PER_SECOND");
    assert!(refused.message().contains("dashboard"), "{refused:?}");
    let mut monitoring = stack.client_as("monitoring").await.unwrap();
    monitoring.show_fabric(show()).await.unwrap();
    let record = stack
        .audited("the refused call", |r| {
            r.identity == "dashboard" && r.outcome == rotor_bus::audit::REFUSED
        })
        .await;
    assert_eq!(record.verb, "ShowFabric");
    assert_eq!(record.code, "RESOURCE_EXHAUSTED");
    assert!(record.message.contains("ROTOR_GRPC_BURST"), "{record:?}");
    stack.shutdown().await;
}

/// Oversized messages, event streams per caller and bus requests in flight, each over its
/// limit: refused at once, naming the setting; under it, served.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_streams_and_bus_requests_over_their_limits_are_refused_naming_the_setting() {
    use prost::Message;
    use rotor_proto::v1::*;
    let options = StackOptions {
        devices: 1,
        platform_mix: (1, 0),
        ..Default::default()
    };
    let fabric = options.fabric_id.clone();
    let stack = TestStack::start(StackOptions {
        grants: vec![viewer("dashboard", &fabric)],
        settings: vec![
            ("ROTOR_GRPC_MAX_MESSAGE_BYTES".into(), "65536".into()),
            ("ROTOR_MAX_REQUEST_BYTES".into(), "4096".into()),
            ("ROTOR_WATCH_STREAMS_PER_CALLER".into(), "2".into()),
            ("ROTOR_BUS_REQUEST_CONCURRENCY".into(), "1".into()),
        ],
        ..options
    })
    .await
    .unwrap();

    // A message over ROTOR_GRPC_MAX_MESSAGE_BYTES, from an authenticated caller.
    let mut admin = stack
        .client_as(rotor_stack::auth::ADMIN_SUBJECT)
        .await
        .unwrap();
    let refused = admin
        .import_inventory(ImportInventoryRequest {
            inventory_yaml: "#".repeat(100_000),
            ..Default::default()
        })
        .await
        .unwrap_err();
    exhausted(&refused, "ROTOR_GRPC_MAX_MESSAGE_BYTES");
    // A rotation request over ROTOR_MAX_REQUEST_BYTES, without even a token: refused before
    // it is held whole.
    let channel = tonic::transport::Channel::from_shared(format!("http://{}", stack.grpc_address))
        .unwrap()
        .connect()
        .await
        .unwrap();
    let mut stranger =
        rotor_stack::api::client(channel, rotor_stack::api::Bearer::new(None).unwrap());
    let huge = RotationRequest {
        request_id: "x".repeat(10_000),
        ..stack.fabric_rotate()
    };
    let refused = stranger.rotate(huge.clone()).await.unwrap_err();
    exhausted(&refused, "ROTOR_MAX_REQUEST_BYTES");
    // Under the limits, served.
    admin
        .show_fabric(ShowFabricRequest {
            fabric_id: fabric.clone(),
        })
        .await
        .unwrap();

    // Two event streams per caller; a third is refused until one closes.
    let mut dashboard = stack.client_as("dashboard").await.unwrap();
    let watch = || WatchEventsRequest {
        fabric_id: fabric.clone(),
        ..Default::default()
    };
    let first = dashboard.watch_events(watch()).await.unwrap();
    let _second = dashboard.watch_events(watch()).await.unwrap();
    let refused = dashboard.watch_events(watch()).await.unwrap_err();
    exhausted(&refused, "ROTOR_WATCH_STREAMS_PER_CALLER");
    // Another caller's streams are its own.
    let _admins = admin.watch_events(watch()).await.unwrap();
    drop(first);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    let _third = loop {
        match dashboard.watch_events(watch()).await {
            Ok(stream) => break stream,
            Err(status) => {
                exhausted(&status, "ROTOR_WATCH_STREAMS_PER_CALLER");
                assert!(
                    tokio::time::Instant::now() < deadline,
                    "the closed stream's place was not given back"
                );
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    };

    // One bus request in flight: the others of a burst are answered at once, busy.
    let subject = rotor_bus::names::request_subject(&fabric);
    let requester = stack.requester(rotor_e2e::REQUESTER).await.unwrap();
    let request = RotationRequest {
        kind: RotationKind::DeviceResyncPassword as i32,
        fabric_id: fabric.clone(),
        device_ids: vec!["no-such-device".into()],
        ..Default::default()
    }
    .encode_to_vec();
    let burst = (0..30).map(|_| requester.request(subject.clone(), request.clone().into()));
    let replies = futures::future::join_all(burst).await;
    let mut busy = 0;
    for reply in replies {
        let reply = RotationReply::decode(reply.unwrap().payload).unwrap();
        let Some(rotation_reply::Outcome::Rejected(rejected)) = reply.outcome else {
            panic!("not rejected: {reply:?}");
        };
        let error = rejected.error.unwrap();
        if error.message.contains("ROTOR_BUS_REQUEST_CONCURRENCY") {
            assert_eq!(error.code(), ErrorCode::OperationNotAllowed);
            assert!(error.message.contains("retry"), "{error:?}");
            busy += 1;
        }
    }
    assert!(busy > 0, "30 requests at once, one handled at a time");
    // Once they are answered, the next one is handled.
    let reply = requester
        .request(subject.clone(), request.clone().into())
        .await
        .unwrap();
    let reply = RotationReply::decode(reply.payload).unwrap();
    assert!(
        !format!("{reply:?}").contains("ROTOR_BUS_REQUEST_CONCURRENCY"),
        "{reply:?}"
    );
    stack.shutdown().await;
}

/// `ROTOR_MAX_RUNNING_OPERATIONS` operations running on other fabrics: a new one is refused
/// `OperationNotAllowed` naming the setting, and accepted once one has ended.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_operation_waits_for_room_under_the_running_operations_limit() {
    use rotor_bus::lease;
    let stack = TestStack::start(StackOptions {
        devices: 1,
        platform_mix: (1, 0),
        settings: vec![("ROTOR_MAX_RUNNING_OPERATIONS".into(), "1".into())],
        ..Default::default()
    })
    .await
    .unwrap();
    // An operation running on another fabric holds that fabric's lock; an import's lock and
    // another system's do not count.
    let take = |fabric: &'static str, holder: &'static str| {
        let leases = stack.topology.leases.clone();
        async move {
            let lease::Acquired::Yes(held) = lease::acquire(
                &leases,
                &rotor_bus::names::keys::fabric_lock(fabric),
                holder,
                "FabricRotatePassword",
                120_000,
                lease::now_unix_ms(),
            )
            .await
            .unwrap() else {
                panic!("{fabric} is locked already");
            };
            (leases, fabric, held)
        }
    };
    let _import = take("fab3", "rotor:inventory-import").await;
    let _external = take("fab4", "change-system").await;
    let (leases, fabric, running) = take("fab2", "rotor:operation-elsewhere").await;
    let mut client = stack.client.clone();
    let reply = client
        .rotate(stack.fabric_rotate())
        .await
        .unwrap()
        .into_inner();
    refused_naming(&reply, "ROTOR_MAX_RUNNING_OPERATIONS");
    lease::release(
        &leases,
        &rotor_bus::names::keys::fabric_lock(fabric),
        &running.lease_id,
    )
    .await
    .unwrap();
    let operation = stack.run(stack.fabric_rotate()).await.unwrap();
    succeeded(&operation);
    stack.shutdown().await;
}

/// A full request-id bucket (`ROTOR_REQUESTS_MAX_BYTES`) refuses a request with an id,
/// naming the setting, rather than run it without the repeat check; one without an id runs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_request_id_bucket_refuses_requests_with_an_id_naming_the_setting() {
    use rotor_proto::v1::*;
    let stack = TestStack::start(StackOptions {
        devices: 1,
        platform_mix: (1, 0),
        settings: vec![("ROTOR_REQUESTS_MAX_BYTES".into(), "65536".into())],
        ..Default::default()
    })
    .await
    .unwrap();
    // As a flood of distinct request ids would leave it: full to the last byte.
    let mut n = 0;
    for size in [1024, 64, 1] {
        loop {
            let key = rotor_bus::names::keys::request("elsewhere", &format!("flood-{n}"));
            let junk = vec![b'a'; size];
            match rotor_bus::kv::compare_and_set(&stack.topology.requests, &key, junk.into(), 0)
                .await
            {
                Ok(_) => n += 1,
                Err(error) => {
                    assert!(error.is_full(), "{error}");
                    break;
                }
            }
            assert!(n < 2000, "a 64 KiB bucket took {n} ids");
        }
    }
    let mut client = stack.client.clone();
    let reply = client
        .rotate(RotationRequest {
            request_id: "change-4711".into(),
            ..stack.fabric_rotate()
        })
        .await
        .unwrap()
        .into_inner();
    refused_naming(&reply, "ROTOR_REQUESTS_MAX_BYTES");
    let operation = stack.run(stack.fabric_rotate()).await.unwrap();
    succeeded(&operation);
    stack.shutdown().await;
}

/// A rotation that would write more secret versions than `ROTOR_MAX_SECRET_WRITES_PER_REQUEST`
/// is refused before anything is written; one within it runs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rotation_writing_more_secrets_than_allowed_writes_none() {
    use rotor_proto::v1::*;
    let stack = TestStack::start(StackOptions {
        devices: 2,
        platform_mix: (1, 0),
        // Two secrets per device: the login user's and breakglass's.
        extra_users: vec!["breakglass".into()],
        settings: vec![("ROTOR_MAX_SECRET_WRITES_PER_REQUEST".into(), "1".into())],
        ..Default::default()
    })
    .await
    .unwrap();
    let reply = stack.submit(stack.fabric_rotate()).await.unwrap();
    refused_naming(&reply, "ROTOR_MAX_SECRET_WRITES_PER_REQUEST");
    assert_eq!(
        stack.current_password().await.unwrap().1,
        1,
        "a version was written"
    );
    // One user's secret: within the limit.
    let operation = stack
        .run(RotationRequest {
            users: vec!["breakglass".into()],
            ..stack.fabric_rotate()
        })
        .await
        .unwrap();
    succeeded(&operation);
    stack.shutdown().await;
}

/// Every stream, bucket and the object store has a byte limit; only records of the past
/// expire (operations, backups, lapsed leases, request ids, stage marks), never the current
/// state (statuses, the inventory, the login ledger), and the settings reach the server.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_stream_and_bucket_is_bounded_and_only_the_past_expires() {
    use rotor_bus::names::{self, buckets};
    let day = 86_400u64;
    let stack = TestStack::start(StackOptions {
        devices: 1,
        platform_mix: (1, 0),
        settings: vec![
            (
                "ROTOR_OPERATION_RETENTION_SECS".into(),
                (3 * day).to_string(),
            ),
            ("ROTOR_BACKUP_RETENTION_SECS".into(), (5 * day).to_string()),
            ("ROTOR_BACKUPS_MAX_BYTES".into(), (32u64 << 20).to_string()),
            ("ROTOR_STATE_MAX_BYTES".into(), (16u64 << 20).to_string()),
        ],
        ..Default::default()
    })
    .await
    .unwrap();
    let config = |stream: String| {
        let js = stack.bus.jetstream.clone();
        async move {
            js.get_stream(&stream)
                .await
                .unwrap_or_else(|e| panic!("{stream}: {e}"))
                .cached_info()
                .config
                .clone()
        }
    };
    for stream in [
        names::JOBS_STREAM,
        names::EVENTS_STREAM,
        names::REJECTED_STREAM,
        names::AUDIT_STREAM,
        names::NOTIFICATIONS_STREAM,
    ] {
        let config = config(stream.to_string()).await;
        assert!(config.max_bytes > 0, "{stream} has no byte limit");
    }
    let backups = config(names::object_store_stream(names::BACKUPS_OBJECT_STORE)).await;
    assert_eq!(backups.max_bytes, 32 << 20);
    assert_eq!(backups.max_age, Duration::from_secs(5 * day));
    for bucket in buckets::ALL {
        let config = config(format!("KV_{bucket}")).await;
        assert!(config.max_bytes > 0, "{bucket} has no byte limit");
        let expected = match bucket {
            buckets::OPERATIONS | buckets::OPERATION_RESULTS => 3 * day,
            buckets::BACKUP_INDEX => 5 * day,
            buckets::LEASES => 7 * day,
            buckets::REQUESTS => 7 * day,
            buckets::STAGE_MARKS => 2 * day,
            _ => {
                assert_eq!(config.max_bytes, 16 << 20, "{bucket}");
                0
            }
        };
        assert_eq!(
            config.max_age,
            Duration::from_secs(expected),
            "{bucket} keeps its keys for the wrong time"
        );
    }
    stack.shutdown().await;
}

/// A results bucket with no room for a new operation's results (`ROTOR_OPERATIONS_MAX_BYTES`)
/// refuses the rotation before anything is written or locked, naming the setting.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_operations_bucket_refuses_a_rotation_naming_the_setting() {
    let stack = TestStack::start(StackOptions {
        devices: 1,
        platform_mix: (1, 0),
        settings: vec![("ROTOR_OPERATIONS_MAX_BYTES".into(), "131072".into())],
        ..Default::default()
    })
    .await
    .unwrap();
    // As many finished operations would leave it: results up to the last byte.
    let mut n = 0;
    for size in [4096, 256, 16, 1] {
        loop {
            let key = rotor_bus::names::keys::device_result(&format!("old-{n}"), "leaf01");
            let junk = vec![b'a'; size];
            match stack
                .topology
                .operation_results
                .put(&key, junk.into())
                .await
            {
                Ok(_) => n += 1,
                Err(error) => {
                    assert!(error.to_string().contains("maximum bytes"), "{error}");
                    break;
                }
            }
            assert!(n < 4000, "a 128 KiB bucket took {n} results");
        }
    }
    let reply = stack.submit(stack.fabric_rotate()).await.unwrap();
    let message = refused_naming(&reply, "ROTOR_OPERATIONS_MAX_BYTES");
    assert!(
        message.contains(rotor_bus::names::buckets::OPERATION_RESULTS),
        "{message}"
    );
    assert_eq!(
        stack.current_password().await.unwrap().1,
        1,
        "a version was written"
    );
    let lock = rotor_bus::lease::current(
        &stack.topology.leases,
        &rotor_bus::names::keys::fabric_lock(&stack.fabric_id),
        rotor_bus::lease::now_unix_ms(),
    )
    .await
    .unwrap();
    assert!(lock.is_none(), "the fabric stayed locked: {lock:?}");
    stack.shutdown().await;
}

/// JetStream reserves every byte limit in full: the defaults fit in the shipped server
/// configuration's storage and a local stack's limits in a local server's.
#[test]
fn the_byte_limits_fit_the_storage_they_are_reserved_in() {
    fn bytes(size: &str) -> u64 {
        let size = size.trim().trim_end_matches('B');
        let (number, unit) = size.split_at(size.len() - 1);
        let unit = match unit {
            "G" => 1u64 << 30,
            "M" => 1 << 20,
            other => panic!("unit {other:?}"),
        };
        number.parse::<u64>().unwrap() * unit
    }
    let shipped = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../deploy/nats-server.conf"
    ))
    .unwrap();
    let store = shipped
        .lines()
        .find_map(|line| line.trim().strip_prefix("max_file_store:"))
        .expect("deploy/nats-server.conf sets max_file_store");
    let defaults = rotor_bus::BusSettings::default().reserved_bytes();
    assert!(
        defaults <= bytes(store),
        "the default byte limits reserve {defaults} bytes, more than deploy/nats-server.conf's {store}"
    );
    let local = rotor_runtime::settings::CommonSettings::from_settings(
        "orchestrator",
        &rotor_runtime::settings::Settings::from_pairs(
            rotor_stack::services::LOCAL_STORAGE_LIMITS
                .iter()
                .map(|(name, value)| (*name, value.as_str())),
        ),
    )
    .unwrap()
    .bus
    .reserved_bytes();
    let local_store = rotor_stack::servers::LOCAL_MAX_FILE_STORE;
    assert!(
        local <= bytes(local_store),
        "a local stack reserves {local} bytes, more than its {local_store}"
    );
}

/// A requester on the bus sending faster than `ROTOR_BUS_RATE_PER_SECOND` / `ROTOR_BUS_BURST`
/// is refused naming the settings, and audited; another requester goes on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_requester_over_its_bus_rate_is_refused_and_audited_and_others_go_on() {
    use prost::Message;
    use rotor_proto::v1::*;
    let options = StackOptions {
        devices: 1,
        platform_mix: (1, 0),
        ..Default::default()
    };
    let fabric = options.fabric_id.clone();
    let stack = TestStack::start(StackOptions {
        requesters: vec![("change-bot".into(), vec![fabric.clone()])],
        grants: vec![rotor_auth::Grant {
            subject: "nats:change-bot".into(),
            fabrics: vec![fabric.clone()],
            roles: vec![rotor_auth::Role::Operator],
        }],
        settings: vec![
            ("ROTOR_BUS_RATE_PER_SECOND".into(), "0.01".into()),
            ("ROTOR_BUS_BURST".into(), "3".into()),
        ],
        ..options
    })
    .await
    .unwrap();
    let subject = rotor_bus::names::request_subject(&fabric);
    let request = RotationRequest {
        kind: RotationKind::DeviceResyncPassword as i32,
        fabric_id: fabric.clone(),
        device_ids: vec!["no-such-device".into()],
        ..Default::default()
    }
    .encode_to_vec();
    let ask = |client: async_nats::Client| {
        let (subject, request) = (subject.clone(), request.clone());
        async move {
            let reply = client.request(subject, request.into()).await.unwrap();
            let reply = RotationReply::decode(reply.payload).unwrap();
            let Some(rotation_reply::Outcome::Rejected(rejected)) = reply.outcome else {
                panic!("not rejected: {reply:?}");
            };
            rejected.error.unwrap()
        }
    };
    let flooder = stack.requester(rotor_e2e::REQUESTER).await.unwrap();
    // The burst: handled (refused for the unknown device, not for the rate).
    for _ in 0..3 {
        let error = ask(flooder.clone()).await;
        assert!(!error.message.contains("ROTOR_BUS_RATE"), "{error:?}");
    }
    let error = ask(flooder.clone()).await;
    assert_eq!(error.code(), ErrorCode::OperationNotAllowed, "{error:?}");
    assert!(
        error.message.contains("ROTOR_BUS_RATE_PER_SECOND")
            && error.message.contains(rotor_e2e::REQUESTER),
        "{error:?}"
    );
    let record = stack
        .audited("the refused request over the rate", |r| {
            r.identity == format!("nats:{}", rotor_e2e::REQUESTER)
                && r.message.contains("ROTOR_BUS_RATE_PER_SECOND")
        })
        .await;
    assert_eq!(record.code, "OperationNotAllowed", "{record:?}");
    // Another requester has its own bucket.
    let other = stack.requester("change-bot").await.unwrap();
    let error = ask(other).await;
    assert!(!error.message.contains("ROTOR_BUS_RATE"), "{error:?}");
    stack.shutdown().await;
}
