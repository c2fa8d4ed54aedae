//! Traces out: with `ROTOR_OTLP_ENDPOINT` every service process exports its spans over OTLP/HTTP
//! (protobuf), and one device's rotation is one trace: the orchestrator's root span of the
//! device, the differ's, applier's and backup's jobs and the aggregator's folding of its events
//! share one trace id, and another device's trace is another one.
//!
//! The OTLP receiver is the test's own: an HTTP server decoding `ExportTraceServiceRequest`.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue, any_value};
use prost::Message;
use rotor_e2e::{StackOptions, TestStack, results_by_device};
use rotor_proto::v1::OperationState;

/// One exported span: its service, trace id (hex), name and string attributes.
#[derive(Clone, Debug)]
struct ReceivedSpan {
    service: String,
    trace_id: String,
    name: String,
    attributes: BTreeMap<String, String>,
}

fn text(value: &Option<AnyValue>) -> Option<String> {
    match value.as_ref()?.value.as_ref()? {
        any_value::Value::StringValue(text) => Some(text.clone()),
        _ => None,
    }
}

fn strings(attributes: &[KeyValue]) -> BTreeMap<String, String> {
    attributes
        .iter()
        .filter_map(|kv| Some((kv.key.clone(), text(&kv.value)?)))
        .collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Starts an OTLP/HTTP receiver on a free loopback port: its base URL and what it received.
async fn otlp_receiver() -> (String, Arc<Mutex<Vec<ReceivedSpan>>>) {
    let received: Arc<Mutex<Vec<ReceivedSpan>>> = Arc::default();
    let sink = received.clone();
    let app = axum::Router::new().route(
        "/v1/traces",
        axum::routing::post(move |body: axum::body::Bytes| {
            let sink = sink.clone();
            async move {
                let Ok(request) = ExportTraceServiceRequest::decode(body) else {
                    return (axum::http::StatusCode::BAD_REQUEST, Vec::new());
                };
                let mut spans = sink.lock().unwrap();
                for resource_spans in request.resource_spans {
                    let service = resource_spans
                        .resource
                        .as_ref()
                        .map(|r| strings(&r.attributes))
                        .and_then(|a| a.get("service.name").cloned())
                        .unwrap_or_default();
                    for scope in resource_spans.scope_spans {
                        for span in scope.spans {
                            spans.push(ReceivedSpan {
                                service: service.clone(),
                                trace_id: hex(&span.trace_id),
                                name: span.name,
                                attributes: strings(&span.attributes),
                            });
                        }
                    }
                }
                // An empty ExportTraceServiceResponse: everything accepted.
                (axum::http::StatusCode::OK, Vec::new())
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{address}"), received)
}

const SERVICES: [&str; 5] = [
    "rotor-orchestrator",
    "rotor-differ",
    "rotor-applier",
    "rotor-backup",
    "rotor-aggregator",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_devices_rotation_is_one_trace_across_the_five_services() {
    let (endpoint, received) = otlp_receiver().await;
    let stack = TestStack::start(StackOptions {
        devices: 3,
        processes: true,
        settings: vec![("ROTOR_OTLP_ENDPOINT".into(), endpoint)],
        ..Default::default()
    })
    .await
    .unwrap();
    let operation = stack.run(stack.fabric_rotate()).await.unwrap();
    let results = results_by_device(&operation);
    assert!(
        results
            .values()
            .all(|(state, _)| *state == OperationState::Succeeded),
        "{results:?}"
    );

    // Each device's root span comes from the orchestrator; its trace must reach all five.
    let devices = stack.device_ids();
    let deadline = Instant::now() + Duration::from_secs(60);
    let traces = loop {
        let spans = received.lock().unwrap().clone();
        let mut traces = BTreeMap::new();
        for device in &devices {
            let root = spans.iter().find(|s| {
                s.service == "rotor-orchestrator"
                    && s.name == "device rotation"
                    && s.attributes.get("device") == Some(device)
                    && s.attributes.get("operation") == Some(&operation.id)
            });
            if let Some(root) = root {
                let services: BTreeSet<&str> = spans
                    .iter()
                    .filter(|s| s.trace_id == root.trace_id)
                    .map(|s| s.service.as_str())
                    .collect();
                traces.insert(device.clone(), (root.trace_id.clone(), services.len()));
            }
        }
        if traces.len() == devices.len()
            && traces
                .values()
                .all(|(_, services)| *services == SERVICES.len())
        {
            break traces;
        }
        if Instant::now() > deadline {
            let mut seen: BTreeMap<(String, String), usize> = BTreeMap::new();
            for span in &spans {
                *seen
                    .entry((span.service.clone(), span.trace_id.clone()))
                    .or_default() += 1;
            }
            panic!("not every device's trace reached all five services: {traces:?}\n{seen:#?}");
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    };

    let spans = received.lock().unwrap().clone();
    let ids: BTreeSet<&String> = traces.values().map(|(trace, _)| trace).collect();
    assert_eq!(ids.len(), devices.len(), "each device has its own trace");
    for (device, (trace, _)) in &traces {
        let of_trace: Vec<&ReceivedSpan> = spans.iter().filter(|s| &s.trace_id == trace).collect();
        let services: BTreeSet<&str> = of_trace.iter().map(|s| s.service.as_str()).collect();
        assert_eq!(
            services,
            SERVICES.into_iter().collect::<BTreeSet<_>>(),
            "{device}"
        );
        // Every consumer span of the trace handled a message about this device.
        for span in of_trace.iter().filter(|s| s.name == "process") {
            let subject = &span.attributes["messaging.destination.name"];
            assert!(
                subject.ends_with(&format!(".{device}"))
                    || subject.contains(&format!(".{device}.")),
                "a span of {device}'s trace handled {subject}"
            );
        }
    }
    stack.shutdown().await;
}
