//! The two servers every stack runs, as child processes: `nats-server` with JetStream (its
//! configuration file and command line) and OpenBao's dev server (`bao server -dev`: its command
//! line and environment, the root token in the environment rather than on the command line where
//! every user of the machine could read it), with the probes that tell when each is ready.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::time::Duration;

/// How long a starting `nats-server` may take to greet.
pub const NATS_READY_WITHIN: Duration = Duration::from_secs(20);

/// How long a starting OpenBao dev server may take to become healthy.
pub const BAO_READY_WITHIN: Duration = Duration::from_secs(30);

/// The JetStream file storage of a local or test NATS server (`max_file_store`); the stack's
/// byte limits ([`crate::services::LOCAL_STORAGE_LIMITS`]) are sized to fit in it.
pub const LOCAL_MAX_FILE_STORE: &str = "4GB";

/// A single-server `nats-server` configuration with JetStream on a loopback port.
pub fn nats_config(port: u16, server_name: &str, store_dir: &Path, max_file_store: &str) -> String {
    format!(
        "listen: 127.0.0.1:{port}\nmax_payload: 8MB\nserver_name: {server_name}\n\
         jetstream {{\n  store_dir: \"{}\"\n  max_memory_store: 256MB\n  max_file_store: {max_file_store}\n}}\n",
        store_dir.display()
    )
}

/// The arguments of `nats-server` with a configuration file.
pub fn nats_args(config_file: &Path) -> Vec<String> {
    vec!["-c".to_string(), config_file.display().to_string()]
}

/// The arguments of `bao server -dev` on a loopback port (the root token is in
/// [`bao_dev_env`]).
pub fn bao_dev_args(port: u16) -> Vec<String> {
    vec![
        "server".to_string(),
        "-dev".to_string(),
        "-dev-no-store-token".to_string(),
        format!("-dev-listen-address=127.0.0.1:{port}"),
    ]
}

/// The environment of `bao server -dev`: its root token, a home folder of its own (`home`),
/// and warnings only in its log.
pub fn bao_dev_env<'a>(root_token: &'a str, home: &'a str) -> [(&'static str, &'a str); 3] {
    [
        ("BAO_DEV_ROOT_TOKEN_ID", root_token),
        ("HOME", home),
        ("BAO_LOG_LEVEL", "warn"),
    ]
}

/// Whether a NATS server greets (`INFO ...`) on a loopback port.
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

/// Whether OpenBao on a loopback port answers its health check with 200 (up and unsealed).
pub fn bao_is_healthy(port: u16) -> bool {
    http_status(port, "/v1/sys/health") == Some(200)
}

/// The status code of `GET path` on a loopback HTTP port.
pub fn http_status(port: u16, path: &str) -> Option<u16> {
    let address = SocketAddr::from(([127, 0, 0, 1], port));
    http_get(address, path, Duration::from_secs(2)).map(|(status, _)| status)
}

/// `GET path` over HTTP/1.0 (each of connecting and reading bounded by `timeout`): the status
/// code and the body.
pub fn http_get(address: SocketAddr, path: &str, timeout: Duration) -> Option<(u16, String)> {
    let mut stream = TcpStream::connect_timeout(&address, timeout).ok()?;
    stream.set_read_timeout(Some(timeout)).ok()?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: {address}\r\n\r\n").ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let status = response.split_whitespace().nth(1)?.parse().ok()?;
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_string())
        .unwrap_or_default();
    Some((status, body))
}

/// A random hex string from the operating system (a dev server's root token).
pub fn random_hex(bytes: usize) -> std::io::Result<String> {
    let mut buffer = vec![0u8; bytes];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut buffer)?;
    Ok(buffer.iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_tokens_differ_and_are_hex() {
        let (a, b) = (random_hex(12).unwrap(), random_hex(12).unwrap());
        assert_eq!(a.len(), 24);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }

    #[test]
    fn the_root_token_is_not_on_the_command_line() {
        let args = bao_dev_args(8200);
        assert!(!args.iter().any(|arg| arg.contains("token-id")), "{args:?}");
        let env = bao_dev_env("the-token", "/tmp/home");
        assert!(env.contains(&("BAO_DEV_ROOT_TOKEN_ID", "the-token")));
    }

    #[test]
    fn nothing_listening_is_neither_nats_nor_healthy() {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        assert!(!nats_greets(port));
        assert!(!bao_is_healthy(port));
    }
}
