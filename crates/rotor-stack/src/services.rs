//! Rotor's five services as a local stack runs them: their names and start order, the
//! `ROTOR_*` environment of each copy, and where the fabric's login password is in OpenBao.

use crate::bao_setup::ServiceLogins;

/// The five services, in start order.
pub const SERVICES: [&str; 5] = ["orchestrator", "differ", "applier", "backup", "aggregator"];

/// The secrets mount a local stack uses.
pub const SECRETS_MOUNT: &str = "secret";

/// The login user's secret path of a fabric in a local stack (the simulator's export maps every
/// device's login user to it).
pub fn login_secret_path(fabric_id: &str) -> String {
    format!("fabrics/{fabric_id}/AdminRW")
}

/// The byte limits of a local stack's streams, buckets and object store as its services'
/// settings ([`rotor_bus::BusSettings::local`]): JetStream reserves each limit in full against
/// the server's `max_file_store` (4 GB in a local stack), and the defaults, sized for a
/// deployment (about 16 GB, `deploy/nats-server.conf`), would not fit. A test's own settings
/// still override them.
pub static LOCAL_STORAGE_LIMITS: std::sync::LazyLock<Vec<(&'static str, String)>> =
    std::sync::LazyLock::new(|| rotor_bus::BusSettings::local().limit_settings());

/// Where a service copy finds the servers.
#[derive(Clone, Copy, Debug)]
pub struct ServiceTargets<'a> {
    /// NATS's URL.
    pub nats_url: &'a str,
    /// OpenBao's address.
    pub bao_address: &'a str,
    /// Each service kind's AppRole login (the aggregator has none and gets no OpenBao settings).
    pub bao_logins: &'a ServiceLogins,
    /// The orchestrator's gRPC listen address.
    pub api_listen: &'a str,
    /// The orchestrator's trusted keys and policy files (`ROTOR_AUTH_KEYS`, `ROTOR_AUTH_POLICY`).
    pub auth_files: (&'a str, &'a str),
    /// The services' NATS users (each service kind connects with its own NKey).
    pub nats_users: Option<&'a crate::nats_users::NatsUsers>,
    /// The CA NATS's certificate is signed by (`ROTOR_NATS_TLS_CA`: the services require TLS).
    pub nats_ca_file: Option<&'a str>,
    /// NATS's log file, whose permission refusals the orchestrator relays into the audit
    /// (`ROTOR_NATS_SERVER_LOG`).
    pub nats_log: Option<&'a str>,
}

/// The `ROTOR_*` environment of one service copy in a local stack (`instance` is e.g.
/// `differ-0`; the orchestrator also gets the API's listen address).
pub fn service_env<'a>(
    targets: ServiceTargets<'a>,
    service: &str,
    instance: &'a str,
) -> Vec<(&'a str, &'a str)> {
    let mut env = vec![
        ("ROTOR_NATS_URL", targets.nats_url),
        ("ROTOR_INSTANCE", instance),
        ("ROTOR_LOG_FORMAT", "text"),
        ("ROTOR_LOG", "info,async_nats=warn,russh=warn"),
        ("ROTOR_SHUTDOWN_GRACE_SECS", "5"),
        ("ROTOR_LEADER_LEASE_SECS", "3"),
        ("NO_COLOR", "1"),
    ];
    env.extend(
        LOCAL_STORAGE_LIMITS
            .iter()
            .map(|(name, value)| (*name, value.as_str())),
    );
    if let Some(seed) = targets
        .nats_users
        .and_then(|users| users.seed_file(service))
        .and_then(|path| path.to_str())
    {
        env.push(("ROTOR_NATS_NKEY_FILE", seed));
    }
    if let Some(ca) = targets.nats_ca_file {
        env.push(("ROTOR_NATS_TLS_CA", ca));
    }
    if let Some(login) = targets.bao_logins.get(service) {
        env.push(("ROTOR_BAO_ADDR", targets.bao_address));
        env.push(("ROTOR_BAO_ROLE_ID", &login.role_id));
        env.push(("ROTOR_BAO_SECRET_ID_FILE", &login.secret_id_file));
    }
    if service == "orchestrator" {
        env.push(("ROTOR_GRPC_LISTEN", targets.api_listen));
        env.push(("ROTOR_AUTH_KEYS", targets.auth_files.0));
        env.push(("ROTOR_AUTH_POLICY", targets.auth_files.1));
        if let Some(log) = targets.nats_log {
            env.push(("ROTOR_NATS_SERVER_LOG", log));
        }
    }
    env
}

/// The console's binary (`rotor-console`), started after the services when a stack runs it.
pub const CONSOLE: &str = "console";

/// The `ROTOR_*` environment of the console in a local stack: where it listens and the API it
/// calls. It gets no token, no NATS and no OpenBao settings: it acts only with its users' tokens.
pub fn console_env<'a>(listen: &'a str, api_url: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("ROTOR_CONSOLE_LISTEN", listen),
        ("ROTOR_CONSOLE_API_URL", api_url),
        ("ROTOR_INSTANCE", "console-0"),
        ("ROTOR_LOG_FORMAT", "text"),
        ("ROTOR_LOG", "info"),
        ("NO_COLOR", "1"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_orchestrator_listens_for_the_api() {
        let logins = ServiceLogins::from([(
            "differ".to_string(),
            crate::bao_setup::ServiceLogin {
                role_id: "role-1".into(),
                secret_id_file: "/state/approle/rotor-differ.secret-id".into(),
            },
        )]);
        let targets = ServiceTargets {
            nats_url: "nats://127.0.0.1:1",
            bao_address: "http://127.0.0.1:2",
            bao_logins: &logins,
            api_listen: "127.0.0.1:3",
            auth_files: ("keys.yaml", "policy.yaml"),
            nats_users: None,
            nats_ca_file: None,
            nats_log: Some("nats-server.log"),
        };
        let orchestrator = service_env(targets, "orchestrator", "orchestrator-0");
        assert!(orchestrator.contains(&("ROTOR_GRPC_LISTEN", "127.0.0.1:3")));
        assert!(orchestrator.contains(&("ROTOR_AUTH_POLICY", "policy.yaml")));
        assert!(orchestrator.contains(&("ROTOR_NATS_SERVER_LOG", "nats-server.log")));
        let differ = service_env(targets, "differ", "differ-1");
        assert!(!differ.iter().any(|(key, _)| *key == "ROTOR_GRPC_LISTEN"));
        assert!(differ.contains(&("ROTOR_INSTANCE", "differ-1")));
        assert!(differ.contains(&("ROTOR_BAO_ROLE_ID", "role-1")));
        // A service without a role (the aggregator) gets no OpenBao settings at all.
        let aggregator = service_env(targets, "aggregator", "aggregator-0");
        assert!(
            !aggregator
                .iter()
                .any(|(key, _)| key.starts_with("ROTOR_BAO"))
        );
        assert!(!differ.iter().any(|(key, _)| *key == "ROTOR_BAO_TOKEN"));
    }
}
