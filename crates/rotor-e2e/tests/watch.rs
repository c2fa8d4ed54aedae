//! `WatchEvents` shares one subscription per orchestrator copy (`rotor_orchestrator::watch`):
//! watchers get every event they select exactly once, from the start or from now on, a slow
//! one is ended saying so, and the subscription closes when nobody watches.

use std::time::Duration;

use futures::StreamExt;
use rotor_bus::{Bus, BusSettings};
use rotor_harness::NatsServer;
use rotor_orchestrator::watch::{BUFFERED, EventStream, LiveEvents, Selection};
use rotor_proto::v1::{Stage, StageEvent};

fn event(operation: &str, device: &str, n: usize) -> StageEvent {
    StageEvent {
        event_id: format!("{operation}-{device}-{n}"),
        operation_id: operation.into(),
        fabric_id: "fab1".into(),
        device_id: device.into(),
        stage: Stage::PerformBackup as i32,
        ..Default::default()
    }
}

async fn next_ids(stream: &mut EventStream, count: usize) -> Vec<String> {
    let mut ids = Vec::new();
    while ids.len() < count {
        let item = tokio::time::timeout(Duration::from_secs(20), stream.next())
            .await
            .unwrap_or_else(|_| panic!("only {} of {count} events came: {ids:?}", ids.len()))
            .expect("the watch ended early");
        ids.push(item.unwrap().event_id);
    }
    ids
}

async fn bus(nats: &NatsServer) -> Bus {
    let bus = Bus::connect(BusSettings {
        url: nats.url(),
        ..BusSettings::local()
    })
    .await
    .unwrap();
    bus.ensure_topology().await.unwrap();
    bus
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watchers_share_one_subscription_and_get_each_selected_event_once() {
    let nats = NatsServer::start();
    let bus = bus(&nats).await;
    let live = LiveEvents::default();
    for n in 0..3 {
        bus.publish_event(&event("op1", "leaf01", n)).await.unwrap();
    }
    assert!(!live.is_open());
    let everything = Selection::default();
    let op2_leaf02 = Selection {
        device_id: "leaf02".into(),
        operation_id: "op2".into(),
        ..Default::default()
    };
    let mut from_start = live.watch(&bus, everything.clone(), true).await.unwrap();
    let mut from_now = live.watch(&bus, everything, false).await.unwrap();
    let mut selected = live.watch(&bus, op2_leaf02, false).await.unwrap();
    assert!(live.is_open());
    for n in 3..5 {
        bus.publish_event(&event("op1", "leaf01", n)).await.unwrap();
    }
    bus.publish_event(&event("op2", "leaf02", 0)).await.unwrap();
    bus.publish_event(&event("op2", "leaf01", 0)).await.unwrap();
    bus.publish_event(&event("op2", "leaf02", 1)).await.unwrap();

    let expected_all: Vec<String> = (0..5)
        .map(|n| format!("op1-leaf01-{n}"))
        .chain(["op2-leaf02-0", "op2-leaf01-0", "op2-leaf02-1"].map(String::from))
        .collect();
    // From the start: history then live, each once, in order.
    assert_eq!(next_ids(&mut from_start, 8).await, expected_all);
    assert_eq!(next_ids(&mut from_now, 5).await, expected_all[3..].to_vec());
    assert_eq!(
        next_ids(&mut selected, 2).await,
        vec!["op2-leaf02-0".to_string(), "op2-leaf02-1".to_string()]
    );
    // Nothing more came to the from-start watch (no event twice).
    bus.publish_event(&event("op3", "leaf01", 0)).await.unwrap();
    assert_eq!(next_ids(&mut from_start, 1).await, vec!["op3-leaf01-0"]);

    // Nobody watching: the shared subscription closes (bounded wait), and opens again.
    drop((from_start, from_now, selected));
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while live.is_open() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the subscription stayed open without watchers"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut again = live.watch(&bus, Selection::default(), false).await.unwrap();
    bus.publish_event(&event("op4", "leaf01", 0)).await.unwrap();
    assert_eq!(next_ids(&mut again, 1).await, vec!["op4-leaf01-0"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_watcher_that_falls_behind_is_ended_saying_so() {
    let nats = NatsServer::start();
    let bus = bus(&nats).await;
    let live = LiveEvents::default();
    let mut slow = live.watch(&bus, Selection::default(), false).await.unwrap();
    let mut keeping_up = live.watch(&bus, Selection::default(), false).await.unwrap();
    let total = BUFFERED + 100;
    let reader = tokio::spawn(async move { next_ids(&mut keeping_up, total).await.len() });
    for n in 0..total {
        let payload = prost::Message::encode_to_vec(&event("flood", "leaf01", n));
        bus.client
            .publish(
                rotor_bus::names::event_subject("fab1", "leaf01", Stage::PerformBackup),
                payload.into(),
            )
            .await
            .unwrap();
    }
    bus.client.flush().await.unwrap();
    assert_eq!(reader.await.unwrap(), total);
    // The slow one read nothing meanwhile: it gets what was held, then the refusal.
    let mut received = 0;
    let refusal = loop {
        match tokio::time::timeout(Duration::from_secs(20), slow.next()).await {
            Ok(Some(Ok(_))) => received += 1,
            Ok(Some(Err(status))) => break status,
            Ok(None) => panic!("ended without saying why after {received} events"),
            Err(_) => panic!("neither events nor a refusal after {received} events"),
        }
    };
    assert_eq!(refusal.code(), tonic::Code::ResourceExhausted, "{refusal}");
    assert!(refusal.message().contains("fromStart"), "{refusal}");
    assert!(
        slow.next().await.is_none(),
        "the watch went on after the refusal"
    );
}
