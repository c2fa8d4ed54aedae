//! Where a local stack's services serve their Prometheus metrics, and the Prometheus
//! configuration that scrapes them (`prometheus.yml` in the state folder, also what the tests'
//! Prometheus runs with).
//!
//! Each service process gets `ROTOR_METRICS_ADDRESS`: with the well-known ports the first copy
//! of each service has [`WELL_KNOWN_METRICS_PORTS`] (orchestrator 9470, differ 9471, applier
//! 9472, backup 9473, aggregator 9474), every other copy a free port.

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::path::Path;

use crate::services::SERVICES;

/// The first copy's metrics port of each service, in [`SERVICES`] order.
pub const WELL_KNOWN_METRICS_PORTS: [u16; 5] = [9470, 9471, 9472, 9473, 9474];

/// The well-known metrics port of a service's first copy.
pub fn well_known_port(service: &str) -> Option<u16> {
    SERVICES
        .iter()
        .position(|s| *s == service)
        .map(|i| WELL_KNOWN_METRICS_PORTS[i])
}

/// One service copy's metrics endpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MetricsTarget {
    /// The service (`differ`).
    pub service: String,
    /// The copy's instance name (`differ-0`).
    pub instance: String,
    /// Where it serves `/metrics`.
    pub address: SocketAddr,
}

impl MetricsTarget {
    /// The Prometheus job the target belongs to: `rotor-<service>`, as in
    /// `deploy/prometheus/prometheus.yml`.
    pub fn job(&self) -> String {
        format!("rotor-{}", self.service)
    }
}

/// A Prometheus configuration scraping `targets` every `scrape_interval` (`15s`), one job per
/// service (`rotor-<service>`) with the copy's name as the label `copy`; with
/// `rule_file`, those alert rules are loaded too.
pub fn prometheus_config(
    targets: &[MetricsTarget],
    scrape_interval: &str,
    rule_file: Option<&Path>,
) -> String {
    let mut yaml = format!(
        "# Written by Rotor's local stack: scrapes every service's /metrics.\nglobal:\n  scrape_interval: {scrape_interval}\n  evaluation_interval: {scrape_interval}\n"
    );
    if let Some(rules) = rule_file {
        let _ = write!(yaml, "rule_files:\n  - '{}'\n", rules.display());
    }
    yaml.push_str("scrape_configs:\n");
    for service in SERVICES {
        let of_service: Vec<&MetricsTarget> =
            targets.iter().filter(|t| t.service == *service).collect();
        if of_service.is_empty() {
            continue;
        }
        let _ = write!(
            yaml,
            "  - job_name: rotor-{service}\n    metrics_path: /metrics\n    static_configs:\n"
        );
        for target in of_service {
            let _ = write!(
                yaml,
                "      - targets: ['{}']\n        labels:\n          copy: '{}'\n",
                target.address, target.instance
            );
        }
    }
    yaml
}

/// The command line of a Prometheus server with `config`, its data in `data_dir`, listening on
/// loopback `port`.
pub fn prometheus_args(config: &Path, data_dir: &Path, port: u16) -> Vec<String> {
    vec![
        format!("--config.file={}", config.display()),
        format!("--storage.tsdb.path={}", data_dir.display()),
        format!("--web.listen-address=127.0.0.1:{port}"),
        "--log.level=warn".into(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_config_has_a_job_per_service_and_a_target_per_copy() {
        let target = |service: &str, instance: &str, port: u16| MetricsTarget {
            service: service.into(),
            instance: instance.into(),
            address: SocketAddr::from(([127, 0, 0, 1], port)),
        };
        let yaml = prometheus_config(
            &[
                target("differ", "differ-0", 9471),
                target("orchestrator", "orchestrator-0", 9470),
                target("differ", "differ-1", 40000),
            ],
            "1s",
            None,
        );
        assert_eq!(yaml.matches("job_name:").count(), 2, "{yaml}");
        let orchestrator = yaml.find("job_name: rotor-orchestrator").unwrap();
        let differ = yaml.find("job_name: rotor-differ").unwrap();
        assert!(orchestrator < differ, "{yaml}");
        assert!(yaml.contains("targets: ['127.0.0.1:40000']"));
        assert!(yaml.contains("copy: 'differ-1'"));
        assert_eq!(well_known_port("aggregator"), Some(9474));
    }
}
