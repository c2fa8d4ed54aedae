//! Rotor's Prometheus metrics.
//!
//! One process-wide registry ([`metrics`]) holds every metric family Rotor has, as the fields of
//! one typed struct ([`Metrics`]); the code that counts something reaches its field directly, so a
//! metric's name, help and labels are written once, here. [`serve`] answers `GET /metrics` in
//! the OpenMetrics text format; `rotor_runtime::service_main` starts it when
//! `ROTOR_METRICS_ADDRESS` is set.
//!
//! Names follow Prometheus's conventions: the unit in the name (`_seconds`), counters end in
//! `_total`, and every label has a bounded set of values (a kind, a stage, an outcome, an error
//! code, a worker kind, an OpenBao operation, a NATS message kind; the fabric id on the one
//! per-fabric gauge). A device id is never a label: a fleet has thousands of them.

#![warn(missing_docs)]

use std::net::SocketAddr;
use std::sync::LazyLock;
use std::time::Instant;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use tokio_util::sync::CancellationToken;

/// Labels `kind` (rotate, resync, ...) and `outcome`.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct KindOutcome {
    /// The operation kind as the API spells it (`rotate`, `resync`, `rotate_device`, ...).
    pub kind: String,
    /// `accepted`, an error code, or an operation status.
    pub outcome: String,
}

/// Labels of a device result: the operation kind, the device status and its error code.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct DeviceResult {
    /// The operation kind.
    pub kind: String,
    /// `Succeeded` or `Failed`.
    pub status: String,
    /// The device's error code (`none` on success).
    pub error_code: String,
}

/// Labels of a stage's run: the stage and how it ended.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct StageLabels {
    /// The stage, as DESIGN.md names it (`perform_configuration_diff`).
    pub stage: String,
    /// `Succeeded`, `Failed` or `Skipped`.
    pub outcome: String,
}

/// Labels of a stage's result by error code.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct StageResult {
    /// The stage.
    pub stage: String,
    /// `Succeeded`, `Failed` or `Skipped`.
    pub outcome: String,
    /// The error code of a failure (`none` otherwise).
    pub error_code: String,
}

/// The label `worker_kind`: the durable consumer a job worker pulls from (`differ`, `applier`,
/// `backup`).
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct WorkerKind {
    /// The worker kind.
    pub worker_kind: String,
}

/// Labels of a handled job delivery.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct JobLabels {
    /// The worker kind.
    pub worker_kind: String,
    /// `done`, `retry`, `handed_back` or `rejected`.
    pub outcome: String,
}

/// The label `outcome` alone.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct Outcome {
    /// What happened.
    pub outcome: String,
}

/// The label `operation` of a call to OpenBao (`read`, `write`, `list_versions`, `login`, ...).
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct BaoOperation {
    /// The call.
    pub operation: String,
}

/// The label `message` of a NATS publish (`job`, `event`, `rejected`, `audit`).
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct NatsMessage {
    /// What was published.
    pub message: String,
}

/// The label `fabric`: a fabric id (a fleet has few; never a device id).
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct FabricLabel {
    /// The fabric id.
    pub fabric: String,
}

/// The kind of a metric family.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Only goes up; exposed with `_total`.
    Counter,
    /// Goes up and down.
    Gauge,
    /// Observations in buckets; exposed as `_bucket`, `_count` and `_sum`.
    Histogram,
}

fn register(
    registry: &mut Registry,
    families: &mut Vec<(&'static str, Kind)>,
    kind: Kind,
    name: &'static str,
    help: &'static str,
    metric: impl prometheus_client::registry::Metric,
) {
    families.push((name, kind));
    registry.register(name, help, metric);
}

type HistogramFamily<L> = Family<L, Histogram, fn() -> Histogram>;

fn stage_histogram() -> Histogram {
    // 10 ms to about 80 s: a stage is a few SSH commands, a slow switch takes seconds.
    Histogram::new(exponential_buckets(0.01, 2.0, 14))
}

fn call_histogram() -> Histogram {
    // 0.5 ms to about 4 s: one request to a server on the network.
    Histogram::new(exponential_buckets(0.0005, 2.0, 14))
}

/// Every metric Rotor exposes. Each service fills in the ones it has; the others stay absent or
/// zero in its output.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    families: Vec<(&'static str, Kind)>,
    /// `rotor_requests_total{kind, outcome}`: rotation requests the orchestrator answered
    /// (`accepted`, or the rejection's error code), from the API and the bus.
    pub requests: Family<KindOutcome, Counter>,
    /// `rotor_operations_total{kind, outcome}`: operations the aggregator ended, by final status.
    pub operations: Family<KindOutcome, Counter>,
    /// `rotor_operations_running`: operations the aggregator follows that have not ended.
    pub operations_running: Gauge,
    /// `rotor_operation_oldest_running_seconds`: how long the oldest running operation has run.
    pub oldest_running_operation: Gauge<f64, std::sync::atomic::AtomicU64>,
    /// `rotor_device_results_total{kind, status, error_code}`: final device results of
    /// operations.
    pub device_results: Family<DeviceResult, Counter>,
    /// `rotor_stage_duration_seconds{stage, outcome}`: one stage of one device, from its start to
    /// its end event.
    pub stage_duration: HistogramFamily<StageLabels>,
    /// `rotor_stage_results_total{stage, outcome, error_code}`: stage ends by error code.
    pub stage_results: Family<StageResult, Counter>,
    /// `rotor_jobs_in_flight{worker_kind}`: jobs this copy works on now.
    pub jobs_in_flight: Family<WorkerKind, Gauge>,
    /// `rotor_jobs_pending{worker_kind}`: jobs waiting in the worker kind's queue (the shared
    /// consumer's pending count, as this copy last saw it).
    pub jobs_pending: Family<WorkerKind, Gauge>,
    /// `rotor_jobs_total{worker_kind, outcome}`: job deliveries handled.
    pub jobs: Family<JobLabels, Counter>,
    /// `rotor_login_attempts_total{outcome}`: password logins to switches, each reserved in the
    /// lock-out ledger first, by how they ended (`succeeded`, `failed`: the password was sent
    /// and no success seen, `not_tried`: the password was never sent).
    pub login_attempts: Family<Outcome, Counter>,
    /// `rotor_login_budget_refusals_total`: logins not tried because the user's failed-login
    /// budget on that switch was spent (`AuthLockoutRisk`).
    pub login_budget_refusals: Counter,
    /// `rotor_restores_total{outcome}`: rollbacks after a failed proof (`restored` or `failed`).
    pub restores: Family<Outcome, Counter>,
    /// `rotor_aggregator_events_behind`: stage events the aggregator has not folded yet.
    pub aggregator_events_behind: Gauge,
    /// `rotor_aggregator_events_total`: stage events the aggregator folded.
    pub aggregator_events: Counter,
    /// `rotor_fabric_password_sets{fabric}`: the fabric's unique password set count.
    pub fabric_password_sets: Family<FabricLabel, Gauge>,
    /// `rotor_openbao_request_duration_seconds{operation}`: calls to OpenBao.
    pub openbao_duration: HistogramFamily<BaoOperation>,
    /// `rotor_openbao_request_errors_total{operation}`: calls to OpenBao that failed.
    pub openbao_errors: Family<BaoOperation, Counter>,
    /// `rotor_nats_publish_duration_seconds{message}`: publishes to JetStream until stored.
    pub nats_publish_duration: HistogramFamily<NatsMessage>,
    /// `rotor_nats_publish_errors_total{message}`: publishes that failed.
    pub nats_publish_errors: Family<NatsMessage, Counter>,
    /// `rotor_webhook_posts_total{outcome}`: webhook notification attempts (`delivered`,
    /// `retried`, `given_up`).
    pub webhook_posts: Family<Outcome, Counter>,
}

impl Metrics {
    fn new() -> Metrics {
        let mut registry = Registry::default();
        let mut families = Vec::new();
        let requests = Family::default();
        register(
            &mut registry,
            &mut families,
            Kind::Counter,
            "rotor_requests",
            "Rotation requests answered by the orchestrator, by kind and outcome (accepted or the error code)",
            Family::clone(&requests),
        );
        let operations = Family::default();
        register(
            &mut registry,
            &mut families,
            Kind::Counter,
            "rotor_operations",
            "Operations ended, by kind and final status",
            Family::clone(&operations),
        );
        let operations_running = Gauge::default();
        register(
            &mut registry,
            &mut families,
            Kind::Gauge,
            "rotor_operations_running",
            "Operations the aggregator follows that have not ended",
            operations_running.clone(),
        );
        let oldest_running_operation = Gauge::<f64, std::sync::atomic::AtomicU64>::default();
        register(
            &mut registry,
            &mut families,
            Kind::Gauge,
            "rotor_operation_oldest_running_seconds",
            "How long the oldest running operation has been running (0 when none runs)",
            oldest_running_operation.clone(),
        );
        let device_results = Family::default();
        register(
            &mut registry,
            &mut families,
            Kind::Counter,
            "rotor_device_results",
            "Final device results of operations, by kind, status and error code",
            Family::clone(&device_results),
        );
        let stage_duration: HistogramFamily<StageLabels> =
            Family::new_with_constructor(stage_histogram);
        register(
            &mut registry,
            &mut families,
            Kind::Histogram,
            "rotor_stage_duration_seconds",
            "Time one stage of one device took, from its start to its end",
            stage_duration.clone(),
        );
        let stage_results = Family::default();
        register(
            &mut registry,
            &mut families,
            Kind::Counter,
            "rotor_stage_results",
            "Stage ends, by stage, outcome and error code",
            Family::clone(&stage_results),
        );
        let jobs_in_flight = Family::default();
        register(
            &mut registry,
            &mut families,
            Kind::Gauge,
            "rotor_jobs_in_flight",
            "Jobs this copy works on now, by worker kind",
            Family::clone(&jobs_in_flight),
        );
        let jobs_pending = Family::default();
        register(
            &mut registry,
            &mut families,
            Kind::Gauge,
            "rotor_jobs_pending",
            "Jobs waiting in the worker kind's queue",
            Family::clone(&jobs_pending),
        );
        let jobs = Family::default();
        register(
            &mut registry,
            &mut families,
            Kind::Counter,
            "rotor_jobs",
            "Job deliveries handled, by worker kind and outcome",
            Family::clone(&jobs),
        );
        let login_attempts = Family::default();
        register(
            &mut registry,
            &mut families,
            Kind::Counter,
            "rotor_login_attempts",
            "Password logins to switches, by outcome",
            Family::clone(&login_attempts),
        );
        let login_budget_refusals = Counter::default();
        register(
            &mut registry,
            &mut families,
            Kind::Counter,
            "rotor_login_budget_refusals",
            "Logins not tried because the failed-login budget of the user on the switch was spent",
            login_budget_refusals.clone(),
        );
        let webhook_posts = Family::default();
        register(
            &mut registry,
            &mut families,
            Kind::Counter,
            "rotor_webhook_posts",
            "Webhook notification attempts, by outcome (delivered, retried, given_up)",
            Family::clone(&webhook_posts),
        );
        let restores = Family::default();
        register(
            &mut registry,
            &mut families,
            Kind::Counter,
            "rotor_restores",
            "Rollbacks after a failed proof of a new password, by outcome",
            Family::clone(&restores),
        );
        let aggregator_events_behind = Gauge::default();
        register(
            &mut registry,
            &mut families,
            Kind::Gauge,
            "rotor_aggregator_events_behind",
            "Stage events the aggregator has not folded yet",
            aggregator_events_behind.clone(),
        );
        let aggregator_events = Counter::default();
        register(
            &mut registry,
            &mut families,
            Kind::Counter,
            "rotor_aggregator_events",
            "Stage events the aggregator folded",
            aggregator_events.clone(),
        );
        let fabric_password_sets = Family::default();
        register(
            &mut registry,
            &mut families,
            Kind::Gauge,
            "rotor_fabric_password_sets",
            "The fabric's unique password set count",
            Family::clone(&fabric_password_sets),
        );
        let openbao_duration: HistogramFamily<BaoOperation> =
            Family::new_with_constructor(call_histogram);
        register(
            &mut registry,
            &mut families,
            Kind::Histogram,
            "rotor_openbao_request_duration_seconds",
            "Calls to OpenBao, by operation",
            openbao_duration.clone(),
        );
        let openbao_errors = Family::default();
        register(
            &mut registry,
            &mut families,
            Kind::Counter,
            "rotor_openbao_request_errors",
            "Calls to OpenBao that failed, by operation",
            Family::clone(&openbao_errors),
        );
        let nats_publish_duration: HistogramFamily<NatsMessage> =
            Family::new_with_constructor(call_histogram);
        register(
            &mut registry,
            &mut families,
            Kind::Histogram,
            "rotor_nats_publish_duration_seconds",
            "Publishes to JetStream until the stream stored them, by message kind",
            nats_publish_duration.clone(),
        );
        let nats_publish_errors = Family::default();
        register(
            &mut registry,
            &mut families,
            Kind::Counter,
            "rotor_nats_publish_errors",
            "Publishes to JetStream that failed, by message kind",
            Family::clone(&nats_publish_errors),
        );
        Metrics {
            registry,
            families,
            requests,
            operations,
            operations_running,
            oldest_running_operation,
            device_results,
            stage_duration,
            stage_results,
            jobs_in_flight,
            jobs_pending,
            jobs,
            login_attempts,
            login_budget_refusals,
            restores,
            aggregator_events_behind,
            aggregator_events,
            fabric_password_sets,
            openbao_duration,
            openbao_errors,
            nats_publish_duration,
            nats_publish_errors,
            webhook_posts,
        }
    }

    /// The name of every series Rotor can expose: counters with `_total`, histograms with
    /// `_bucket`, `_count` and `_sum` (a family shows in [`Self::encode`] only once it has a
    /// member).
    pub fn series_names(&self) -> Vec<String> {
        let mut names = Vec::new();
        for (name, kind) in &self.families {
            match kind {
                Kind::Counter => names.push(format!("{name}_total")),
                Kind::Gauge => names.push(name.to_string()),
                Kind::Histogram => {
                    names.extend(["_bucket", "_count", "_sum"].map(|s| format!("{name}{s}")))
                }
            }
        }
        names
    }

    /// Every metric family's name as registered (counters without `_total`).
    pub fn family_names(&self) -> Vec<&'static str> {
        self.families.iter().map(|(name, _)| *name).collect()
    }

    /// Everything, in the OpenMetrics text format.
    pub fn encode(&self) -> String {
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &self.registry)
            .expect("writing to a String cannot fail");
        text
    }

    /// Counts one call to OpenBao that started at `started`.
    pub fn openbao_call(&self, operation: &str, started: Instant, ok: bool) {
        let labels = BaoOperation {
            operation: operation.to_string(),
        };
        self.openbao_duration
            .get_or_create(&labels)
            .observe(started.elapsed().as_secs_f64());
        if !ok {
            self.openbao_errors.get_or_create(&labels).inc();
        }
    }

    /// Counts one publish to JetStream that started at `started`.
    pub fn nats_publish(&self, message: &str, started: Instant, ok: bool) {
        let labels = NatsMessage {
            message: message.to_string(),
        };
        self.nats_publish_duration
            .get_or_create(&labels)
            .observe(started.elapsed().as_secs_f64());
        if !ok {
            self.nats_publish_errors.get_or_create(&labels).inc();
        }
    }

    /// Counts a login attempt's outcome (`succeeded`, `failed`, `not_tried`).
    pub fn login_attempt(&self, outcome: &str) {
        self.login_attempts
            .get_or_create(&Outcome {
                outcome: outcome.to_string(),
            })
            .inc();
    }

    /// Counts a webhook attempt's outcome (`delivered`, `retried`, `given_up`).
    pub fn webhook_post(&self, outcome: &str) {
        self.webhook_posts
            .get_or_create(&Outcome {
                outcome: outcome.to_string(),
            })
            .inc();
    }

    /// Counts a rollback's outcome (`restored`, `failed`).
    pub fn restore(&self, outcome: &str) {
        self.restores
            .get_or_create(&Outcome {
                outcome: outcome.to_string(),
            })
            .inc();
    }

    /// The in-flight gauge of a worker kind.
    pub fn in_flight(&self, worker_kind: &str) -> Gauge {
        self.jobs_in_flight
            .get_or_create(&WorkerKind {
                worker_kind: worker_kind.to_string(),
            })
            .clone()
    }
}

/// The process's metrics.
pub fn metrics() -> &'static Metrics {
    static METRICS: LazyLock<Metrics> = LazyLock::new(Metrics::new);
    &METRICS
}

/// The content type of [`Metrics::encode`]'s output.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Serves `GET /metrics` on `listener` until `shutdown` is cancelled.
pub async fn serve(
    listener: tokio::net::TcpListener,
    shutdown: CancellationToken,
) -> std::io::Result<()> {
    let app = axum::Router::new().route(
        "/metrics",
        axum::routing::get(|| async {
            (
                [(axum::http::header::CONTENT_TYPE, CONTENT_TYPE)],
                metrics().encode(),
            )
        }),
    );
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown.cancelled_owned())
        .await
}

/// Binds `address` and serves `/metrics` there in the background until `shutdown`; the bound
/// address (the port, when `address` asked for port 0).
pub async fn start(
    address: SocketAddr,
    shutdown: CancellationToken,
) -> std::io::Result<SocketAddr> {
    let listener = tokio::net::TcpListener::bind(address).await?;
    let bound = listener.local_addr()?;
    tokio::spawn(async move {
        if let Err(error) = serve(listener, shutdown).await {
            tracing::warn!(%error, "the metrics endpoint stopped");
        }
    });
    tracing::info!(address = %bound, "serving metrics at /metrics");
    Ok(bound)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_prometheus_conventions() {
        let m = metrics();
        m.requests
            .get_or_create(&KindOutcome {
                kind: "rotate".into(),
                outcome: "accepted".into(),
            })
            .inc();
        m.openbao_call("read", Instant::now(), false);
        let text = m.encode();
        assert!(
            text.contains("rotor_requests_total{kind=\"rotate\",outcome=\"accepted\"} 1"),
            "{text}"
        );
        assert!(text.contains("rotor_openbao_request_errors_total{operation=\"read\"} 1"));
        assert!(text.contains("rotor_openbao_request_duration_seconds_bucket{"));
        for line in text.lines().filter(|l| l.starts_with("# TYPE ")) {
            let mut words = line.split_whitespace().skip(2);
            let (name, kind) = (words.next().unwrap(), words.next().unwrap());
            assert!(name.starts_with("rotor_"), "{line}");
            if kind == "histogram" {
                assert!(name.ends_with("_seconds"), "{line}");
            }
        }
        assert!(text.ends_with("# EOF\n"));
        let names = m.series_names();
        assert!(names.contains(&"rotor_requests_total".to_string()));
        assert!(names.contains(&"rotor_stage_duration_seconds_count".to_string()));
        assert!(names.contains(&"rotor_jobs_pending".to_string()));
        assert_eq!(names.len(), 12 + 6 + 3 * 3, "{names:?}");
    }
}
