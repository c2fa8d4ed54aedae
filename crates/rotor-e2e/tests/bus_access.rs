//! The bus as a trust boundary (`rotor_bus::permissions`, `deploy/nats-accounts.conf`): what a
//! requester or a service's NATS user tries beyond its permissions is refused by the server, and
//! what it may do is judged by the identity the server gives it, never by what it writes.

use std::time::Duration;

use prost::Message;
use rotor_bus::names;
use rotor_e2e::{REQUESTER, StackOptions, TestStack, until};
use rotor_proto::v1::*;

const INTRUDER: &str = "intruder";
/// Every connection's replies, were there no inbox prefixes.
const SHARED_INBOX: &str = "_INBOX.>"; // names-check: allow (what the attack listens to)

fn decode(reply: &async_nats::Message) -> RotationReply {
    RotationReply::decode(reply.payload.clone()).expect("a RotationReply")
}

fn rotate(fabric: &str) -> prost::bytes::Bytes {
    RotationRequest {
        kind: RotationKind::FabricRotatePassword as i32,
        fabric_id: fabric.to_string(),
        requested_by: REQUESTER.to_string(),
        ..Default::default()
    }
    .encode_to_vec()
    .into()
}

fn refusal(reply: &RotationReply) -> (ErrorCode, String) {
    match &reply.outcome {
        Some(rotation_reply::Outcome::Rejected(rejected)) => {
            let error = rejected.error.clone().unwrap_or_default();
            (error.code(), error.message)
        }
        other => panic!("not refused: {other:?}"),
    }
}

/// Waits until the server has logged a permission violation of `who` (`<account>/user:<user>`
/// or `<account>/nkey:<key>`) on `subject`, and until the orchestrator has relayed it into the
/// audit stream with the identity the server named.
async fn violation_logged(stack: &TestStack, who: &str, kind: &str, subject: &str) {
    let needle = format!("{who}\" - {kind} Violation - Subject \"{subject}\"");
    until(
        &format!("the server logging {needle:?}"),
        Duration::from_secs(10),
        || stack.nats_log().contains(&needle),
    )
    .await;
    let (account, user) = who
        .split_once("/user:")
        .or_else(|| who.split_once("/nkey:"))
        .expect("an account and a user");
    let identity = format!("nats:{user}");
    let record = stack
        .audited(&format!("the refused {kind} of {who} to {subject}"), |r| {
            r.verb == rotor_bus::server_log::PERMISSION_VIOLATION
                && r.identity == identity
                && r.message
                    .contains(&format!(" {subject} (account {account})"))
        })
        .await;
    assert_eq!(
        (
            record.outcome.as_str(),
            record.code.as_str(),
            record.channel.as_str()
        ),
        (rotor_bus::audit::REFUSED, "PermissionDenied", "bus"),
        "{record:?}"
    );
    assert!(!record.peer.is_empty(), "{record:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_requester_can_only_ask_for_its_fabrics_and_watch_them() {
    let stack = TestStack::start(StackOptions {
        // The intruder's NATS user may send requests for fab1, but the policy grants it nothing.
        requesters: vec![(INTRUDER.into(), vec!["fab1".into()])],
        ..Default::default()
    })
    .await
    .unwrap();
    let fabric = stack.fabric_id.clone();
    let subject = names::request_subject(&fabric);
    let requester = stack.requester(REQUESTER).await.unwrap();
    let intruder = stack.requester(INTRUDER).await.unwrap();

    // Not granted by the policy: refused, whatever the request or its headers claim.
    let mut forged = async_nats::HeaderMap::new();
    forged.insert(
        rotor_bus::permissions::REQUEST_INFO_HEADER,
        r#"{"acc":"REQUESTERS","user":"ticketing"}"#,
    );
    let reply = intruder
        .request_with_headers(subject.clone(), forged, rotate(&fabric))
        .await
        .unwrap();
    let (code, message) = refusal(&decode(&reply));
    assert_eq!(code, ErrorCode::PermissionDenied, "{message}");
    assert!(message.contains("nats:intruder"), "{message}");
    // And the audit says who it was, as the server named it.
    let record = stack
        .audited("the intruder's refused request", |r| {
            r.identity == "nats:intruder"
        })
        .await;
    assert_eq!(
        (record.outcome.as_str(), record.code.as_str()),
        (rotor_bus::audit::REFUSED, "PermissionDenied")
    );
    assert!(!record.peer.is_empty(), "{record:?}");

    // A guessed password: the server refuses the login, and the audit has it, without an
    // identity (nobody was authenticated) but with the claimed user and the address.
    let guessed = tokio::time::timeout(
        Duration::from_secs(10),
        async_nats::ConnectOptions::with_user_and_password(
            REQUESTER.to_string(),
            "guessed-wrong".to_string(),
        )
        .add_root_certificates(stack.nats_ca_file.clone())
        .require_tls(true)
        .connect(stack.nats.url()),
    )
    .await;
    assert!(
        matches!(guessed, Ok(Err(_))),
        "a guessed password was not refused: {guessed:?}"
    );
    let record = stack
        .audited("the refused NATS login", |r| {
            r.verb == rotor_bus::server_log::NATS_LOGIN_REFUSED
                && r.message.contains(&format!("{REQUESTER:?}"))
        })
        .await;
    assert_eq!(
        (record.identity.as_str(), record.outcome.as_str()),
        ("", rotor_bus::audit::REFUSED),
        "{record:?}"
    );
    assert!(!record.peer.is_empty(), "{record:?}");

    // Published inside the service account (no requester named by the server): refused.
    let reply = stack
        .bus
        .client
        .request(subject.clone(), rotate(&fabric))
        .await
        .unwrap();
    let (code, message) = refusal(&decode(&reply));
    assert_eq!(code, ErrorCode::PermissionDenied, "{message}");

    // Another fabric than its NATS user's: the server refuses the publish.
    let _ = intruder
        .publish(names::request_subject("fab2"), rotate("fab2"))
        .await;
    intruder.flush().await.unwrap();
    violation_logged(
        &stack,
        "REQUESTERS/user:intruder",
        "Publish",
        &names::request_subject("fab2"),
    )
    .await;

    // The authorized requester watches its fabric's events and rotates it; its own inbox gets
    // the reply.
    let mut events = requester
        .subscribe(names::events_filter(Some(&fabric), None))
        .await
        .unwrap();
    requester.flush().await.unwrap();
    let reply = requester
        .request(subject.clone(), rotate(&fabric))
        .await
        .unwrap();
    let operation_id = match decode(&reply).outcome {
        Some(rotation_reply::Outcome::Accepted(accepted)) => accepted.operation_id,
        other => panic!("not accepted: {other:?}"),
    };
    let operation = stack.wait_for_operation(&operation_id).await.unwrap();
    assert_eq!(operation.status, OperationState::Succeeded as i32);
    assert_eq!(operation.requested_by, format!("nats:{REQUESTER}"));
    let first = tokio::time::timeout(
        Duration::from_secs(10),
        futures::StreamExt::next(&mut events),
    )
    .await
    .expect("the requester sees its fabric's events")
    .unwrap();
    assert_eq!(
        names::parse_event_subject(&first.subject).map(|event| event.fabric_id),
        Some(fabric.as_str())
    );

    // Nobody else's replies: a requester cannot listen below the shared inbox prefix or another
    // requester's.
    let others = format!("{}.>", rotor_bus::permissions::inbox_prefix(REQUESTER)); // names-check: allow (what the attack listens to)
    for inbox in [SHARED_INBOX, others.as_str()] {
        let _ = intruder.subscribe(inbox.to_string()).await;
        intruder.flush().await.unwrap();
        violation_logged(&stack, "REQUESTERS/user:intruder", "Subscription", inbox).await;
    }
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_requester_cannot_touch_buckets_jobs_events_or_the_login_ledger() {
    let stack = TestStack::start(StackOptions::default()).await.unwrap();
    let fabric = stack.fabric_id.clone();
    let device = stack.device_ids()[0].clone();
    let requester = stack.requester(REQUESTER).await.unwrap();
    // The server speaks TLS only: a client that does not trust the stack's CA is not let in,
    // even with the right password.
    let password = stack.nats_users.requester_password(REQUESTER).unwrap();
    let untrusting = async_nats::ConnectOptions::with_user_and_password(
        REQUESTER.to_string(),
        password.to_string(),
    )
    .connect(stack.nats.url())
    .await;
    assert!(untrusting.is_err(), "a client without the CA connected");
    let ledger_key = names::keys::login_ledger("some-switch", "cumulus");
    let stored = |stream: String, subject: String| {
        let bus = stack.bus.clone();
        async move {
            let stream = bus.jetstream.get_stream(stream).await.unwrap();
            stream
                .get_last_raw_message_by_subject(&subject)
                .await
                .is_ok()
        }
    };

    // JetStream is not there for the requester account: no bucket can be read.
    let js = async_nats::jetstream::new(requester.clone());
    let read = tokio::time::timeout(
        Duration::from_secs(5),
        js.get_key_value(names::buckets::INVENTORY),
    )
    .await;
    assert!(
        !matches!(read, Ok(Ok(_))),
        "a requester opened the inventory bucket"
    );

    // Forged jobs, stage and rollout events and a zeroed login ledger are refused by the server
    // and stored nowhere.
    let job = names::job_subject(names::JobKind::Apply, &fabric, &device);
    let event = names::event_subject(&fabric, &device, Stage::PerformBackup);
    let ledger = format!("$KV.{}.{ledger_key}", names::buckets::LOGIN_ATTEMPTS);
    let rollout = names::rollout_subject(&fabric, "01a00000-0000-7000-8000-00000000000f");
    for subject in [&job, &event, &ledger, &rollout] {
        let _ = requester.publish(subject.clone(), "{}".into()).await;
    }
    requester.flush().await.unwrap();
    let ledger_stream = format!("KV_{}", names::buckets::LOGIN_ATTEMPTS);
    for (stream, subject) in [
        (names::JOBS_STREAM, &job),
        (names::EVENTS_STREAM, &event),
        (ledger_stream.as_str(), &ledger),
        (names::EVENTS_STREAM, &rollout),
    ] {
        violation_logged(&stack, "REQUESTERS/user:ticketing", "Publish", subject).await;
        assert!(
            !stored(stream.to_string(), subject.clone()).await,
            "{subject} was stored"
        );
    }
    let every_record = format!("$KV.{}.>", names::buckets::INVENTORY); // names-check: allow (what the attack listens to)
    let _ = requester.subscribe(every_record.clone()).await;
    requester.flush().await.unwrap();
    violation_logged(
        &stack,
        "REQUESTERS/user:ticketing",
        "Subscription",
        &every_record,
    )
    .await;
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_service_user_cannot_step_outside_its_kind() {
    let stack = TestStack::start(StackOptions::default()).await.unwrap();
    let fabric = stack.fabric_id.clone();
    let connect = |service: &str| {
        let seed = std::fs::read_to_string(stack.nats_users.seed_file(service).unwrap()).unwrap();
        let prefix = rotor_bus::permissions::inbox_prefix(service);
        let url = stack.nats.url();
        let ca = stack.nats_ca_file.clone();
        async move {
            async_nats::ConnectOptions::new()
                .nkey(seed.trim().to_string())
                .custom_inbox_prefix(prefix)
                .add_root_certificates(ca)
                .require_tls(true)
                .request_timeout(Some(Duration::from_secs(2)))
                .connect(url)
                .await
                .unwrap()
        }
    };
    let aggregator = connect("aggregator").await;
    let differ = connect("differ").await;

    // The aggregator cannot publish jobs or zero a login ledger; the differ cannot write a
    // fabric's status, take a fabric lock or delete a stream.
    let job = names::job_subject(names::JobKind::Apply, &fabric, "leaf01");
    let ledger = format!(
        "$KV.{}.{}",
        names::buckets::LOGIN_ATTEMPTS,
        names::keys::login_ledger("some-switch", "cumulus")
    );
    for subject in [&job, &ledger] {
        let _ = aggregator.publish(subject.clone(), "{}".into()).await;
    }
    aggregator.flush().await.unwrap();
    let status = format!("$KV.{}.{fabric}", names::buckets::FABRIC_STATUS);
    let lock = format!(
        "$KV.{}.{}",
        names::buckets::LEASES,
        names::keys::fabric_lock(&fabric)
    );
    let delete = format!("$JS.API.STREAM.DELETE.{}", names::JOBS_STREAM);
    for subject in [&status, &lock, &delete] {
        let _ = differ.publish(subject.clone(), "{}".into()).await;
    }
    differ.flush().await.unwrap();
    let log_name = |service: &str| {
        format!(
            "ROTOR/nkey:{}",
            stack.nats_users.service_public_key(service).unwrap()
        )
    };
    for subject in [&job, &ledger] {
        violation_logged(&stack, &log_name("aggregator"), "Publish", subject).await;
    }
    for subject in [&status, &lock, &delete] {
        violation_logged(&stack, &log_name("differ"), "Publish", subject).await;
    }
    assert!(
        stack
            .bus
            .jetstream
            .get_stream(names::JOBS_STREAM)
            .await
            .is_ok()
    );
    // These violations were the test's own.
    stack.shutdown_unchecked().await;
}
