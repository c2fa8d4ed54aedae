//! A first proof that the pieces fit: jobs published on the bus are taken by two copies of a
//! worker built on the service skeleton, which read a secret version from OpenBao and publish
//! stage events. Checks the events, the acks, the trace context, that both copies share the
//! load, that a malformed job is rejected without stopping the worker, and that the plaintext
//! password is in no event and no log line.

use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use prost::Message;
use rotor_bus::{Bus, BusSettings, JobKind, names};
use rotor_harness::{BaoServer, NatsServer};
use rotor_proto::v1::{DeviceJob, DiffJob, SecretTarget, Stage, StageEvent, stage_event};
use rotor_runtime::CancellationToken;
use rotor_runtime::telemetry::{self, CapturedLogs, LogFormat};
use rotor_runtime::worker::{self, Delivery, JobHandler, JobOutcome, WorkerOptions};
use rotor_secrets::{HashCache, PasswordPolicy, SecretsClient, SecretsSettings};
use tokio::sync::Barrier;
use tracing::Instrument;

struct ProbeWorker {
    bus: Bus,
    secrets: SecretsClient,
    instance: String,
    hashes: HashCache,
    // Both copies wait here on their first job, so each must hold one: proof they share work.
    first_job_barrier: Arc<Barrier>,
    waited: std::sync::atomic::AtomicBool,
}

impl JobHandler for ProbeWorker {
    type Job = DiffJob;

    fn kind(&self) -> JobKind {
        JobKind::Diff
    }

    async fn handle(&self, job: DiffJob, delivery: Delivery) -> JobOutcome {
        if !self.waited.swap(true, std::sync::atomic::Ordering::SeqCst) {
            self.first_job_barrier.wait().await;
        }
        let device = job.device.unwrap();
        let target = &device.targets[0];
        let reference = target.reference.clone().unwrap();
        let (password, version) = self
            .secrets
            .read(&reference.mount, &reference.path, Some(reference.version))
            .await
            .unwrap();
        let hash = self
            .hashes
            .render(&password, &reference.path, version, &target.username);
        tracing::info!(?password, ?hash, path = %reference.path, version, "rendered the target password");
        let event = StageEvent {
            event_id: format!("{}.{}.probe", device.operation_id, device.device_id),
            operation_id: device.operation_id.clone(),
            fabric_id: device.fabric_id.clone(),
            device_id: device.device_id.clone(),
            stage: Stage::LoadIntendedConfiguration as i32,
            status: stage_event::Status::Succeeded as i32,
            display: format!("read version {version}"),
            secrets: device.targets.clone(),
            attempt: delivery.attempt,
            worker: self.instance.clone(),
            ..Default::default()
        };
        self.bus.publish_event(&event).await.unwrap();
        JobOutcome::Done
    }
}

fn diff_job(operation: &str, device: &str, reference: rotor_proto::v1::SecretReference) -> DiffJob {
    DiffJob {
        device: Some(DeviceJob {
            operation_id: operation.into(),
            fabric_id: "fab1".into(),
            device_id: device.into(),
            targets: vec![SecretTarget {
                secret_type: "AdminRW".into(),
                username: "cumulus".into(),
                reference: Some(reference),
            }],
            ..Default::default()
        }),
    }
}

#[tokio::test]
async fn jobs_flow_from_bus_to_worker_to_events_without_leaking_the_password() {
    let logs = CapturedLogs::default();
    let _subscriber = tracing::subscriber::set_default(telemetry::subscriber(
        "probe",
        "debug,async_nats=warn",
        LogFormat::Json,
        logs.clone(),
    ));
    let nats = NatsServer::start();
    let bao = BaoServer::start();
    let bus = Bus::connect(BusSettings {
        url: nats.url(),
        ..BusSettings::local()
    })
    .await
    .unwrap();
    bus.ensure_topology().await.unwrap();
    // A second ensure_topology (another service starting) changes nothing and does not fail.
    bus.ensure_topology().await.unwrap();

    let secrets = SecretsClient::connect(&SecretsSettings::new(bao.address(), bao.token()))
        .await
        .unwrap();
    let password = PasswordPolicy::default().generate().unwrap();
    let plaintext = password.expose_for_login().to_string();
    let version = secrets
        .write("secret", "fabrics/fab1/AdminRW", &password)
        .await
        .unwrap();
    let reference = secrets.reference("secret", "fabrics/fab1/AdminRW", version);

    let mut events = bus.client.subscribe(names::EVENTS_ALL).await.unwrap();
    let mut rejected = bus.client.subscribe(names::REJECTED_ALL).await.unwrap();

    let shutdown = CancellationToken::new();
    let barrier = Arc::new(Barrier::new(2));
    let mut workers = Vec::new();
    for instance in ["probe-a", "probe-b"] {
        let handler = ProbeWorker {
            bus: bus.clone(),
            secrets: secrets.clone(),
            instance: instance.into(),
            hashes: HashCache::default(),
            first_job_barrier: barrier.clone(),
            waited: Default::default(),
        };
        let options = WorkerOptions {
            service: "probe".into(),
            max_in_flight: 1,
            shutdown_grace: Duration::from_secs(5),
        };
        workers.push(tokio::spawn(worker::run(
            bus.clone(),
            handler,
            options,
            shutdown.clone(),
        )));
    }

    // A malformed job first: it must be rejected and recorded, and the rest still processed.
    bus.jetstream
        .publish(
            names::job_subject(JobKind::Diff, "fab1", "garbage"),
            bytes::Bytes::from_static(b"\xff\xff not protobuf"),
        )
        .await
        .unwrap()
        .await
        .unwrap();

    let publish_span = tracing::info_span!("publish-jobs");
    let trace_id = async {
        for n in 0..20 {
            let job = diff_job("op1", &format!("leaf-{n:02}"), reference.clone());
            bus.publish_job(JobKind::Diff, "fab1", &format!("leaf-{n:02}"), "op1", &job)
                .await
                .unwrap()
                .await
                .unwrap();
        }
        // Publishing the same (operation, device, kind) again is dropped as a duplicate.
        let again = diff_job("op1", "leaf-00", reference.clone());
        let ack = bus
            .publish_job(JobKind::Diff, "fab1", "leaf-00", "op1", &again)
            .await
            .unwrap()
            .await
            .unwrap();
        assert!(ack.duplicate);
        rotor_bus::trace::current_trace_id()
    }
    .instrument(publish_span)
    .await;
    assert_eq!(trace_id.len(), 32, "publishing happens inside a trace");

    let mut seen = Vec::new();
    let mut workers_seen = std::collections::BTreeSet::new();
    while seen.len() < 20 {
        let message = tokio::time::timeout(Duration::from_secs(20), events.next())
            .await
            .expect("every job produces an event")
            .unwrap();
        assert!(
            !String::from_utf8_lossy(&message.payload).contains(&plaintext),
            "an event carries the plaintext password"
        );
        let traceparent = message
            .headers
            .as_ref()
            .and_then(|h| h.get("traceparent"))
            .expect("events carry the trace context")
            .to_string();
        assert!(
            traceparent.contains(&trace_id),
            "{traceparent} is not in trace {trace_id}"
        );
        let event = StageEvent::decode(message.payload).unwrap();
        assert_eq!(event.display, format!("read version {version}"));
        assert_eq!(
            event.secrets[0].reference.as_ref().unwrap().version,
            version
        );
        assert!(message.subject.ends_with(".load_intended_configuration"));
        workers_seen.insert(event.worker.clone());
        seen.push(event.device_id);
    }
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 20, "each device's job ran exactly once");
    assert_eq!(workers_seen.len(), 2, "both copies took jobs");

    let rejection = tokio::time::timeout(Duration::from_secs(10), rejected.next())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(rejection.subject.as_str(), names::rejected_subject("probe"));
    assert!(
        rejection
            .headers
            .unwrap()
            .get("Rotor-Reject-Reason")
            .is_some()
    );

    // Every job was acknowledged: the work queue is empty and nothing awaits an ack.
    let mut consumer = bus.job_consumer(JobKind::Diff).await.unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let info = consumer.info().await.unwrap();
        if info.num_ack_pending == 0 && info.num_pending == 0 {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "jobs left unacknowledged: {info:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    shutdown.cancel();
    for worker in workers {
        worker.await.unwrap().unwrap();
    }
    let text = logs.text();
    assert!(
        text.contains("rendered the target password"),
        "logs were captured"
    );
    assert!(text.contains("Password(***)"));
    assert!(
        !text.contains(&plaintext),
        "a log line carries the plaintext password"
    );
    assert!(
        text.contains(&trace_id),
        "worker logs carry the publisher's trace id"
    );
}
