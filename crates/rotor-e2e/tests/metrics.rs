//! Metrics through a real Prometheus: the five services run as processes, each serving
//! `/metrics` on its `ROTOR_METRICS_ADDRESS`; Prometheus (Debian's package, installed by
//! `scripts/bootstrap-prometheus.sh`) scrapes them every second during a rotation with one drifted
//! device, and the figures are read back through its HTTP query API. Also: the alert rules pass
//! `promtool`, and the deploy files only name metrics Rotor has.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rotor_e2e::{StackOptions, TestStack, results_by_device};
use rotor_harness::PrometheusServer;
use rotor_proto::v1::*;
use rotor_secrets::{PasswordPolicy, render_hash};
use rotor_sim::Fault;

const DEVICES: usize = 6;

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn alert_rules() -> PathBuf {
    repository()
        .join("deploy/prometheus/alerts.yml")
        .canonicalize()
        .unwrap()
}

/// Polls `promql` until its one sample is `expected` (bounded), and returns the last answer.
async fn until_value(prometheus: &PrometheusServer, promql: &str, expected: f64) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let value = prometheus.value(promql);
        if value == Some(expected) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{promql} is {value:?}, not {expected}, after 60 s"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Asserts that `promql` has one sample, above zero.
fn positive(prometheus: &PrometheusServer, promql: &str) {
    let value = prometheus.value(promql);
    assert!(value.is_some_and(|v| v > 0.0), "{promql}: {value:?}");
}

/// A Prometheus scraping every service of `stack` each second, once every target is up.
async fn scraping(stack: &TestStack) -> PrometheusServer {
    assert_eq!(stack.metrics.len(), 5, "{:?}", stack.metrics);
    let prometheus = PrometheusServer::start(&rotor_stack::metrics::prometheus_config(
        &stack.metrics,
        "1s",
        Some(&alert_rules()),
    ));
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let targets = prometheus.targets();
        if targets.len() == 5 && targets.iter().all(|(_, _, health)| health == "up") {
            return prometheus;
        }
        assert!(
            Instant::now() < deadline,
            "not every target is up: {targets:?}\n{}",
            prometheus.log()
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prometheus_scrapes_a_rotation_from_every_service() {
    let stack = TestStack::start(StackOptions {
        devices: DEVICES,
        platform_mix: (2, 1),
        processes: true,
        ..Default::default()
    })
    .await
    .unwrap();
    let prometheus = scraping(&stack).await;

    let devices = stack.device_ids();
    let drifted = devices[1].clone();
    stack.device(&drifted).set_fault(Fault::Drifted).unwrap();
    let operation = stack.run(stack.fabric_rotate()).await.unwrap();
    let results = results_by_device(&operation);
    assert_eq!(
        results[&drifted],
        (OperationState::Failed, ErrorCode::DiffValidationError)
    );
    let succeeded = results
        .values()
        .filter(|(state, _)| *state == OperationState::Succeeded)
        .count();
    assert_eq!(succeeded, DEVICES - 1);

    let kind = "FabricRotatePassword";
    // The orchestrator accepted one request; the aggregator ended one operation, failed
    // (PartialSuccess), and counted every device's result by its error code.
    until_value(
        &prometheus,
        "sum(rotor_device_results_total{job=\"rotor-aggregator\"})",
        DEVICES as f64,
    )
    .await;
    until_value(
        &prometheus,
        &format!(
            "rotor_requests_total{{job=\"rotor-orchestrator\",kind=\"{kind}\",outcome=\"accepted\"}}"
        ),
        1.0,
    )
    .await;
    until_value(
        &prometheus,
        &format!("sum(rotor_operations_total{{kind=\"{kind}\",outcome=\"Failed\"}})"),
        1.0,
    )
    .await;
    until_value(
        &prometheus,
        &format!(
            "sum(rotor_device_results_total{{kind=\"{kind}\",status=\"Succeeded\",error_code=\"none\"}})"
        ),
        (DEVICES - 1) as f64,
    )
    .await;
    until_value(
        &prometheus,
        "sum(rotor_device_results_total{status=\"Failed\",error_code=\"DiffValidationError\"})",
        1.0,
    )
    .await;
    // The differ counted the drifted device's diff failure by its code, and every stage that
    // started was timed: the applier applied to every device but the drifted one.
    until_value(
        &prometheus,
        "sum(rotor_stage_results_total{job=\"rotor-differ\",stage=\"perform_configuration_diff\",outcome=\"Failed\",error_code=\"DiffValidationError\"})",
        1.0,
    )
    .await;
    until_value(
        &prometheus,
        "sum(rotor_stage_duration_seconds_count{job=\"rotor-applier\",stage=\"apply_configuration\",outcome=\"Succeeded\"})",
        (DEVICES - 1) as f64,
    )
    .await;
    until_value(
        &prometheus,
        "sum(rotor_stage_duration_seconds_count{job=\"rotor-backup\",stage=\"perform_backup\"})",
        (DEVICES - 1) as f64,
    )
    .await;
    until_value(
        &prometheus,
        "sum(rotor_jobs_total{worker_kind=\"applier\",outcome=\"done\"})",
        (DEVICES - 1) as f64,
    )
    .await;
    // The partial rotation left two password sets; the aggregator has caught up; nothing is
    // in flight or waiting.
    until_value(
        &prometheus,
        &format!(
            "rotor_fabric_password_sets{{fabric=\"{}\"}}",
            stack.fabric_id
        ),
        2.0,
    )
    .await;
    until_value(&prometheus, "max(rotor_aggregator_events_behind)", 0.0).await;
    until_value(&prometheus, "sum(rotor_jobs_in_flight)", 0.0).await;
    until_value(&prometheus, "max(rotor_operations_running)", 0.0).await;
    until_value(&prometheus, "sum(rotor_login_budget_refusals_total)", 0.0).await;

    // Calls to OpenBao and NATS were timed, in the services that make them.
    let positive = |promql: &str| positive(&prometheus, promql);
    positive(
        "sum(rotor_openbao_request_duration_seconds_count{job=\"rotor-orchestrator\",operation=\"write\"})",
    );
    positive(
        "sum(rotor_openbao_request_duration_seconds_count{job=\"rotor-differ\",operation=\"read\"})",
    );
    positive(
        "sum(rotor_nats_publish_duration_seconds_count{job=\"rotor-orchestrator\",message=\"job\"})",
    );
    positive(
        "sum(rotor_nats_publish_duration_seconds_count{job=\"rotor-applier\",message=\"event\"})",
    );
    positive("sum(rotor_login_attempts_total{outcome=\"succeeded\"})");
    positive("sum(rotor_aggregator_events_total)");
    assert_eq!(
        prometheus.value("sum(rotor_openbao_request_errors_total)"),
        None,
        "no OpenBao call failed"
    );

    // No label value of any Rotor series names a device.
    let series = prometheus.query("{__name__=~\"rotor_.+\"}");
    assert!(series.len() > 50, "{} series", series.len());
    let device_ids: BTreeSet<&str> = devices.iter().map(String::as_str).collect();
    for sample in &series {
        for (label, value) in sample["metric"].as_object().unwrap() {
            let value = value.as_str().unwrap();
            assert!(
                !device_ids.iter().any(|device| value.contains(device)),
                "label {label}={value} names a device: {sample}"
            );
        }
    }

    // The alert rules loaded and evaluate without errors against these series.
    let rules = prometheus.rules();
    assert_eq!(rules.len(), 8, "{rules:?}");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let rules = prometheus.rules();
        if rules.iter().all(|(_, health)| health == "ok") {
            break;
        }
        assert!(Instant::now() < deadline, "rules unhealthy: {rules:?}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    stack.shutdown().await;
}

/// The safety figures the alert rules watch: a failed proof's restore, and the logins the
/// lock-out budget refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restores_and_budget_refusals_are_counted() {
    let stack = TestStack::start(StackOptions {
        devices: 2,
        platform_mix: (1, 0),
        processes: true,
        ..Default::default()
    })
    .await
    .unwrap();
    let prometheus = scraping(&stack).await;
    let devices = stack.device_ids();
    let (restored, stranger) = (devices[0].clone(), devices[1].clone());
    // The first switch takes the change but not the password: the proof fails, Rotor rolls
    // back and proves the old one. The second one's password was changed outside Rotor, so
    // its logins fail until the budget is spent.
    stack
        .device(&restored)
        .set_fault(Fault::PasswordNotApplied)
        .unwrap();
    let unknown = PasswordPolicy::default().generate().unwrap();
    let hash = render_hash(&unknown, "elsewhere", 1, "cumulus");
    stack
        .device(&stranger)
        .set_user_password_hash("cumulus", hash.as_crypt())
        .unwrap();
    let rotate = stack.run(stack.fabric_rotate()).await.unwrap();
    let results = results_by_device(&rotate);
    assert_eq!(results[&restored].1, ErrorCode::VerificationFailed);
    assert_eq!(results[&stranger].1, ErrorCode::CouldNotConnect);
    until_value(
        &prometheus,
        "sum(rotor_restores_total{job=\"rotor-applier\",outcome=\"restored\"})",
        1.0,
    )
    .await;
    // Within the window the budget is spent: the resync does not try the stranger's switch.
    let resync = stack.run(stack.fabric_resync()).await.unwrap();
    assert_eq!(
        results_by_device(&resync)[&stranger].1,
        ErrorCode::AuthLockoutRisk
    );
    let refusals = "sum(rotor_login_budget_refusals_total)";
    let deadline = Instant::now() + Duration::from_secs(60);
    while prometheus.value(refusals).is_none_or(|v| v < 1.0) {
        assert!(
            Instant::now() < deadline,
            "{refusals}: {:?}",
            prometheus.value(refusals)
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    positive(
        &prometheus,
        "sum(rotor_login_attempts_total{outcome=\"failed\"})",
    );
    stack.shutdown().await;
}

fn promtool() -> PathBuf {
    rotor_stack::binaries::find_tool("promtool").unwrap_or_else(|missing| {
        panic!(
            "missing executable: {missing} (scripts/bootstrap-prometheus.sh installs Debian's prometheus package there)"
        )
    })
}

#[test]
fn the_deployed_prometheus_configuration_and_alert_rules_pass_promtool() {
    // `check config` checks the rule files it names too.
    for args in [vec!["check", "rules"], vec!["check", "config"]] {
        let file = if args[1] == "rules" {
            "deploy/prometheus/alerts.yml"
        } else {
            "deploy/prometheus/prometheus.yml"
        };
        let output = std::process::Command::new(promtool())
            .args(&args)
            .arg(repository().join(file))
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "promtool {args:?} {file}: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

/// The `rotor_…` names in a PromQL expression.
fn names_in(expression: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = expression;
    while let Some(at) = rest.find("rotor_") {
        let tail = &rest[at..];
        let end = tail
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(tail.len());
        names.push(tail[..end].to_string());
        rest = &tail[end..];
    }
    names
}

#[test]
fn the_dashboard_and_the_alerts_use_only_metrics_rotor_exposes() {
    let exposed: BTreeSet<String> = rotor_metrics::metrics()
        .series_names()
        .into_iter()
        .collect();
    assert!(
        exposed.contains("rotor_device_results_total"),
        "{exposed:?}"
    );

    let text =
        std::fs::read_to_string(repository().join("deploy/grafana/rotor-dashboard.json")).unwrap();
    let dashboard: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(dashboard["uid"], "rotor");
    let panels = dashboard["panels"].as_array().unwrap();
    let mut used = BTreeSet::new();
    for panel in panels {
        let targets = panel["targets"].as_array().unwrap();
        assert!(!targets.is_empty(), "a panel without a query: {panel}");
        for target in targets {
            let expression = target["expr"].as_str().unwrap();
            let names = names_in(expression);
            assert!(!names.is_empty(), "{expression} uses no Rotor metric");
            used.extend(names);
        }
    }
    let alerts = std::fs::read_to_string(alert_rules()).unwrap();
    let rules: serde_yaml::Value = serde_yaml::from_str(&alerts).unwrap();
    for rule in rules["groups"][0]["rules"].as_sequence().unwrap() {
        used.extend(names_in(rule["expr"].as_str().unwrap()));
    }
    let unknown: Vec<&String> = used.iter().filter(|n| !exposed.contains(*n)).collect();
    assert!(unknown.is_empty(), "not exposed by Rotor: {unknown:?}");
    // Every family Rotor has shows on the dashboard.
    for name in exposed.iter().filter(|n| !n.ends_with("_sum")) {
        let family = name
            .trim_end_matches("_bucket")
            .trim_end_matches("_count")
            .to_string();
        assert!(
            used.iter().any(|u| u.starts_with(&family)),
            "{family} is on no dashboard panel"
        );
    }
}
