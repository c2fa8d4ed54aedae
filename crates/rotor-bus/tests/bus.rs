//! The bus against a real nats-server: topology, key-value helpers, leases, errors.

use std::time::Duration;

use bytes::Bytes;
use rotor_bus::lease::{self, Acquired};
use rotor_bus::names::filters;
use rotor_bus::{Bus, BusError, BusSettings, kv};
use rotor_harness::NatsServer;
use rotor_proto::v1::FabricStatus;

async fn bus(nats: &NatsServer) -> Bus {
    Bus::connect(BusSettings {
        url: nats.url(),
        ..BusSettings::local()
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn an_unreachable_server_is_named_in_the_error() {
    let port = rotor_harness::free_port();
    let error = Bus::connect(BusSettings {
        url: format!("nats://127.0.0.1:{port}"),
        timeout: Duration::from_secs(2),
        ..BusSettings::local()
    })
    .await
    .unwrap_err();
    assert!(matches!(error, BusError::Connect { .. }));
    assert!(
        error
            .to_string()
            .contains(&format!("cannot reach NATS at nats://127.0.0.1:{port}")),
        "{error}"
    );
    let bad = Bus::connect(BusSettings {
        url: "http://nope".into(),
        ..BusSettings::local()
    })
    .await
    .unwrap_err();
    assert!(
        matches!(
            bad,
            BusError::Setting {
                setting: "ROTOR_NATS_URL",
                ..
            }
        ),
        "{bad}"
    );
}

#[tokio::test]
async fn key_value_helpers_scan_update_and_compare_and_set() {
    let nats = NatsServer::start();
    let bus = bus(&nats).await;
    let topology = bus.ensure_topology().await.unwrap();
    let store = &topology.fabric_status;
    assert!(
        kv::scan(store, &filters::fabrics())
            .await
            .unwrap()
            .is_empty()
    );
    for fabric in ["a", "b", "c"] {
        let status = FabricStatus {
            fabric_id: fabric.into(),
            total_devices: 3,
            ..Default::default()
        };
        kv::put_message(store, fabric, &status).await.unwrap();
    }
    store.delete("b").await.unwrap();
    let mut found: Vec<String> = kv::scan_messages::<FabricStatus>(store, &filters::fabrics())
        .await
        .unwrap()
        .into_iter()
        .map(|(key, status)| {
            assert_eq!(key, status.fabric_id);
            key
        })
        .collect();
    found.sort();
    assert_eq!(found, vec!["a", "c"], "deleted keys are not scanned");

    // Compare-and-set: create only once, update only from the read revision.
    let leases = &topology.leases;
    let first = kv::compare_and_set(leases, "k", Bytes::from_static(b"1"), 0)
        .await
        .unwrap();
    assert!(first.is_some());
    assert!(
        kv::compare_and_set(leases, "k", Bytes::from_static(b"2"), 0)
            .await
            .unwrap()
            .is_none()
    );
    let revision = first.unwrap();
    assert!(
        kv::compare_and_set(leases, "k", Bytes::from_static(b"3"), revision + 100)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        kv::compare_and_set(leases, "k", Bytes::from_static(b"3"), revision)
            .await
            .unwrap()
            .is_some()
    );

    // update_json retries through concurrent writers and never loses an increment.
    let tasks: Vec<_> = (0..10)
        .map(|_| {
            let store = topology.login_attempts.clone();
            tokio::spawn(async move {
                kv::update_json::<u32, _>(&store, "counter", |current| {
                    Some(current.unwrap_or(0) + 1)
                })
                .await
                .unwrap();
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    let counter = kv::get_json::<u32>(&topology.login_attempts, "counter")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(counter.value, 10);
}

#[tokio::test]
async fn leases_are_exclusive_renewable_and_expire() {
    let nats = NatsServer::start();
    let bus = bus(&nats).await;
    let topology = bus.ensure_topology().await.unwrap();
    let store = &topology.leases;
    let now = 1_000_000;
    let Acquired::Yes(first) = lease::acquire(store, "fabric.f", "a", "rotate", 10_000, now)
        .await
        .unwrap()
    else {
        panic!("a free lease is taken");
    };
    match lease::acquire(store, "fabric.f", "b", "upgrade", 10_000, now + 1)
        .await
        .unwrap()
    {
        Acquired::HeldBy(holder) => assert_eq!(holder.holder, "a"),
        Acquired::Yes(_) => panic!("two holders"),
    }
    // Renewing extends it; only the holder can renew or release.
    let renewed = lease::renew(store, "fabric.f", &first.lease_id, 10_000, now + 5_000)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(renewed.expires_unix_ms, now + 15_000);
    assert!(
        lease::renew(store, "fabric.f", "not-the-lease", 10_000, now)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        !lease::release(store, "fabric.f", "not-the-lease")
            .await
            .unwrap()
    );
    // A crashed holder stops renewing: after expiry anyone may take it, and the old lease is void.
    let later = now + 15_001;
    assert!(
        lease::current(store, "fabric.f", later)
            .await
            .unwrap()
            .is_none()
    );
    let Acquired::Yes(second) = lease::acquire(store, "fabric.f", "b", "upgrade", 10_000, later)
        .await
        .unwrap()
    else {
        panic!("an expired lease is free");
    };
    assert!(
        lease::renew(store, "fabric.f", &first.lease_id, 10_000, later)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        lease::release(store, "fabric.f", &second.lease_id)
            .await
            .unwrap()
    );
    assert!(
        lease::current(store, "fabric.f", later)
            .await
            .unwrap()
            .is_none()
    );

    // Many takers at once: exactly one wins.
    let tasks: Vec<_> = (0..8)
        .map(|n| {
            let store = topology.leases.clone();
            tokio::spawn(async move {
                matches!(
                    lease::acquire(&store, "fabric.g", &format!("taker-{n}"), "x", 60_000, now)
                        .await
                        .unwrap(),
                    Acquired::Yes(_)
                )
            })
        })
        .collect();
    let mut winners = 0;
    for task in tasks {
        winners += task.await.unwrap() as usize;
    }
    assert_eq!(winners, 1);
}

#[tokio::test]
async fn events_replay_from_the_start_and_end_when_caught_up_or_follow() {
    use futures::StreamExt;
    use rotor_bus::names;
    use rotor_proto::v1::{Stage, StageEvent};
    let nats = NatsServer::start();
    let bus = bus(&nats).await;
    bus.ensure_topology().await.unwrap();
    let filter = || names::events_filter(Some("fab1"), None);
    let nothing: Vec<_> = bus
        .replay_events(filter(), false)
        .await
        .unwrap()
        .collect()
        .await;
    assert!(nothing.is_empty(), "an empty stream replays nothing");
    let event = |device: &str, id: &str| StageEvent {
        event_id: id.into(),
        operation_id: "op1".into(),
        fabric_id: "fab1".into(),
        device_id: device.into(),
        stage: Stage::PerformBackup as i32,
        ..Default::default()
    };
    for (device, id) in [("a", "e1"), ("b", "e2"), ("c", "e3")] {
        bus.publish_event(&event(device, id)).await.unwrap();
    }
    let other = StageEvent {
        fabric_id: "fab2".into(),
        ..event("z", "e4")
    };
    bus.publish_event(&other).await.unwrap();
    let replayed: Vec<String> = bus
        .replay_events(filter(), false)
        .await
        .unwrap()
        .map(|r| r.unwrap().event.device_id)
        .collect()
        .await;
    assert_eq!(
        replayed,
        vec!["a", "b", "c"],
        "in order, only the filter's, then the end"
    );
    let mut following = bus.replay_events(filter(), true).await.unwrap();
    for _ in 0..3 {
        following.next().await.unwrap().unwrap();
    }
    bus.publish_event(&event("d", "e5")).await.unwrap();
    let live = tokio::time::timeout(Duration::from_secs(10), following.next())
        .await
        .expect("a followed replay delivers new events")
        .unwrap()
        .unwrap();
    assert_eq!(live.event.device_id, "d");
}

#[tokio::test]
async fn a_rejected_message_is_kept_as_its_size_digest_and_first_kibibyte() {
    use rotor_bus::names;
    use sha2::Digest;
    let nats = NatsServer::start();
    let bus = bus(&nats).await;
    bus.ensure_topology().await.unwrap();
    // 2 MiB of garbage, as a sender flooding a request subject would send.
    let payload: Vec<u8> = (0..2 << 20).map(|i| (i % 251) as u8).collect();
    bus.record_rejected(
        "probe",
        &names::request_subject("fab1"),
        "not a request\nat all",
        Bytes::from(payload.clone()),
    )
    .await
    .unwrap();
    let mut stream = bus
        .jetstream
        .get_stream(names::REJECTED_STREAM)
        .await
        .unwrap();
    let kept = stream
        .get_last_raw_message_by_subject(&names::rejected_subject("probe"))
        .await
        .unwrap();
    assert_eq!(
        kept.payload.as_ref(),
        &payload[..rotor_bus::REJECTED_EXCERPT_BYTES]
    );
    let header = |name: &str| {
        kept.headers
            .get(name)
            .unwrap_or_else(|| panic!("no {name}"))
            .as_str()
            .to_string()
    };
    assert_eq!(header("Rotor-Payload-Bytes"), (2 << 20).to_string());
    let digest: String = sha2::Sha256::digest(&payload)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(header("Rotor-Payload-Sha256"), digest);
    assert_eq!(header("Rotor-Reject-Reason"), "not a request at all");
    assert_eq!(
        header("Rotor-Original-Subject"),
        names::request_subject("fab1")
    );
    let config = stream.info().await.unwrap().config.clone();
    assert_eq!(config.max_bytes, BusSettings::local().rejected_max_bytes);
}

#[tokio::test]
async fn a_full_request_id_bucket_refuses_new_ids_and_says_so() {
    use rotor_bus::names::keys;
    let nats = NatsServer::start();
    let bus = Bus::connect(BusSettings {
        url: nats.url(),
        requests_max_bytes: 64 << 10,
        ..BusSettings::local()
    })
    .await
    .unwrap();
    let topology = bus.ensure_topology().await.unwrap();
    let config = topology.requests.status().await.unwrap();
    assert_eq!(
        config.max_age(),
        BusSettings::default().request_id_retention,
        "request ids expire"
    );
    let marks = topology.stage_marks.status().await.unwrap();
    assert_eq!(marks.max_age(), BusSettings::default().stage_mark_retention);
    let answer = Bytes::from(vec![b'a'; 1024]);
    let mut refused = None;
    for n in 0..1000 {
        let key = keys::request("fab1", &format!("id-{n}"));
        match kv::compare_and_set(&topology.requests, &key, answer.clone(), 0).await {
            Ok(_) => {}
            Err(error) => {
                refused = Some((n, error));
                break;
            }
        }
    }
    let (n, error) = refused.expect("a 64 KiB bucket holds fewer than 1000 answers of 1 KiB");
    assert!(n > 10, "refused after {n}");
    assert!(error.is_full(), "{error}");
}

/// A switch lock recording a change that waits for its confirmation stays its job's: released,
/// or lapsed after its holder died, it is taken by a copy of that job (which keeps the record)
/// and by nobody else until the pending change's end; settled, it is an ordinary lease again.
#[tokio::test]
async fn a_lease_with_a_pending_change_is_its_jobs_until_the_change_ends() {
    use rotor_bus::lease::{HeldLease, PendingChange, now_unix_ms};

    let nats = NatsServer::start();
    let bus = bus(&nats).await;
    let topology = bus.ensure_topology().await.unwrap();
    let store = &topology.leases;
    let key = "switch.s";
    let minute = Duration::from_secs(60);
    let take = |holder: &'static str, job: &'static str| async move {
        HeldLease::acquire_as(store, key, holder, "device job", Some(job), minute)
            .await
            .unwrap()
    };

    let applier = take("applier-0", "op1/d1").await.unwrap();
    let until = now_unix_ms() + 3_600_000;
    assert!(
        applier
            .set_pending(Some(PendingChange {
                job: "op1/d1".into(),
                until_unix_ms: until,
            }))
            .await
            .unwrap()
    );
    // Given back with the change pending: nobody else may take it, a copy of the job may.
    assert!(applier.release().await.unwrap());
    let refused = take("differ-0", "op2/d1").await.unwrap_err();
    assert_eq!(refused.pending.as_ref().unwrap().job, "op1/d1");
    let plain = HeldLease::acquire(store, key, "someone", "x", minute)
        .await
        .unwrap();
    assert!(plain.is_err(), "a taker that is no job is refused too");
    let copy = take("applier-1", "op1/d1").await.unwrap();
    assert_eq!(
        copy.lease().pending.as_ref().map(|p| p.until_unix_ms),
        Some(until),
        "the copy keeps the record"
    );

    // A holder that dies (stops renewing) leaves the record: after the lease runs out, still
    // only the job's copies.
    drop(copy);
    let current = lease::current(store, key, until - 1).await.unwrap();
    assert!(current.is_none(), "the lease itself has run out by then");
    let stored: lease::Lease = kv::get_json(store, key).await.unwrap().unwrap().value;
    assert!(!stored.is_free_for(Some("op2/d1"), until - 1));
    assert!(stored.is_free_for(Some("op1/d1"), stored.expires_unix_ms));
    assert!(
        stored.is_free_for(Some("op2/d1"), until),
        "free once the change has ended"
    );

    // Settled: an ordinary lease, deleted on release.
    let copy = take("applier-1", "op1/d1").await.unwrap_err();
    assert_eq!(
        copy.holder, "applier-1",
        "the dropped copy's lease has not run out yet"
    );
    let settled_key = "switch.t";
    let held = HeldLease::acquire_as(store, settled_key, "applier-0", "x", Some("op1/d2"), minute)
        .await
        .unwrap()
        .unwrap();
    assert!(
        held.set_pending(Some(PendingChange {
            job: "op1/d2".into(),
            until_unix_ms: until,
        }))
        .await
        .unwrap()
    );
    assert!(held.set_pending(None).await.unwrap());
    assert!(held.release().await.unwrap());
    assert!(
        kv::get_json::<lease::Lease>(store, settled_key)
            .await
            .unwrap()
            .is_none()
    );
    let other = HeldLease::acquire_as(store, settled_key, "differ-0", "x", Some("op2/d2"), minute)
        .await
        .unwrap();
    assert!(other.is_ok(), "a settled switch is free for anyone");
}

/// The holder's renewal and its pending-change record both write the lease: a renewal that
/// meets the other write reads again instead of taking the lease for lost.
#[tokio::test]
async fn a_renewal_racing_a_pending_change_record_keeps_the_lease() {
    use rotor_bus::lease::{HeldLease, PendingChange, now_unix_ms};

    let nats = NatsServer::start();
    let bus = bus(&nats).await;
    let topology = bus.ensure_topology().await.unwrap();
    // Renewed every 30 ms while the pending change is written over and over.
    let held = HeldLease::acquire_as(
        &topology.leases,
        "switch.race",
        "applier-0",
        "device job",
        Some("op1/d1"),
        Duration::from_millis(90),
    )
    .await
    .unwrap()
    .unwrap();
    for n in 0..300 {
        let pending = (n % 2 == 0).then(|| PendingChange {
            job: "op1/d1".into(),
            until_unix_ms: now_unix_ms() + 3_600_000,
        });
        assert!(held.set_pending(pending).await.unwrap(), "write {n}");
        assert!(
            held.is_held(),
            "the lease was taken for lost after write {n}"
        );
    }
    assert!(held.release().await.unwrap());
}
