//! What a whole local stack of separate processes needs, shared by `rotor up` / `rotor demo`
//! (crate `rotor-cli`) and the benchmark (crate `rotor-bench`): the services' names and
//! settings, the servers' command lines, and the readiness probes.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The five services, in start order.
pub const SERVICES: [&str; 5] = ["orchestrator", "differ", "applier", "backup", "aggregator"];

/// The secrets mount a local stack uses.
pub const SECRETS_MOUNT: &str = "secret";

/// The login user's secret path of a fabric in a local stack.
pub fn login_secret_path(fabric_id: &str) -> String {
    format!("fabrics/{fabric_id}/AdminRW")
}

/// A random hex string from the operating system (a dev server's root token).
pub fn random_hex(bytes: usize) -> std::io::Result<String> {
    let mut buffer = vec![0u8; bytes];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut buffer)?;
    Ok(buffer.iter().map(|b| format!("{b:02x}")).collect())
}

/// An executable next to the running one (how `cargo build` lays them out), else on `PATH`.
pub fn sibling_binary(name: &str) -> Option<PathBuf> {
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join(name)))
        .filter(|path| path.is_file())
        .or_else(|| crate::find_on_path(name))
}

/// The last lines of a log, indented, for an error message.
pub fn log_tail(path: &Path, lines: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..]
        .iter()
        .map(|line| format!("    {line}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Whether a NATS server greets on a loopback port.
pub fn nats_greets(port: u16) -> bool {
    let Ok(mut stream) = TcpStream::connect_timeout(
        &SocketAddr::from(([127, 0, 0, 1], port)),
        Duration::from_millis(500),
    ) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
    let mut greeting = [0u8; 4];
    stream.read_exact(&mut greeting).is_ok() && &greeting == b"INFO"
}

/// The status code of `GET path` on a loopback HTTP port.
pub fn http_status(port: u16, path: &str) -> Option<u16> {
    let mut stream = TcpStream::connect_timeout(
        &SocketAddr::from(([127, 0, 0, 1], port)),
        Duration::from_millis(500),
    )
    .ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    response.split_whitespace().nth(1)?.parse().ok()
}

/// A single-server `nats-server` configuration with JetStream on a loopback port.
pub fn nats_config(port: u16, server_name: &str, store_dir: &Path, max_file_store: &str) -> String {
    format!(
        "listen: 127.0.0.1:{port}\nmax_payload: 8MB\nserver_name: {server_name}\n\
         jetstream {{\n  store_dir: \"{}\"\n  max_memory_store: 256MB\n  max_file_store: {max_file_store}\n}}\n",
        store_dir.display()
    )
}

/// The arguments of `bao server -dev` with a chosen root token on a loopback port.
pub fn bao_dev_args(token: &str, port: u16) -> Vec<String> {
    vec![
        "server".to_string(),
        "-dev".to_string(),
        "-dev-no-store-token".to_string(),
        format!("-dev-root-token-id={token}"),
        format!("-dev-listen-address=127.0.0.1:{port}"),
    ]
}

/// Where a service copy finds the servers.
#[derive(Clone, Copy, Debug)]
pub struct ServiceTargets<'a> {
    pub nats_url: &'a str,
    pub bao_address: &'a str,
    pub bao_token: &'a str,
    /// The orchestrator's gRPC listen address.
    pub api_listen: &'a str,
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
        ("ROTOR_BAO_ADDR", targets.bao_address),
        ("ROTOR_BAO_TOKEN", targets.bao_token),
        ("ROTOR_INSTANCE", instance),
        ("ROTOR_LOG_FORMAT", "text"),
        ("ROTOR_LOG", "info,async_nats=warn,russh=warn"),
        ("ROTOR_SHUTDOWN_GRACE_SECS", "5"),
        ("ROTOR_LEADER_LEASE_SECS", "3"),
        ("NO_COLOR", "1"),
    ];
    if service == "orchestrator" {
        env.push(("ROTOR_GRPC_LISTEN", targets.api_listen));
    }
    env
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_orchestrator_listens_for_the_api() {
        let targets = ServiceTargets {
            nats_url: "nats://127.0.0.1:1",
            bao_address: "http://127.0.0.1:2",
            bao_token: "t",
            api_listen: "127.0.0.1:3",
        };
        let orchestrator = service_env(targets, "orchestrator", "orchestrator-0");
        assert!(orchestrator.contains(&("ROTOR_GRPC_LISTEN", "127.0.0.1:3")));
        let differ = service_env(targets, "differ", "differ-1");
        assert!(!differ.iter().any(|(key, _)| *key == "ROTOR_GRPC_LISTEN"));
        assert!(differ.contains(&("ROTOR_INSTANCE", "differ-1")));
    }

    #[test]
    fn random_tokens_differ_and_are_hex() {
        let (a, b) = (random_hex(12).unwrap(), random_hex(12).unwrap());
        assert_eq!(a.len(), 24);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }
}
