//! Reaching the Rotor API: one gRPC channel to the orchestrator, and the identity (`$USER@host
//! via rotor CLI`) written into every request the command sends.

use std::time::Duration;

use rotor_proto::v1::rotation_service_client::RotationServiceClient;
use tonic::transport::{Channel, Endpoint};

use crate::exit::{CliError, error_chain};

/// The API client.
pub type Client = RotationServiceClient<Channel>;

/// The server URL as given, with `http://` added when no scheme was given.
pub fn normalise_server(server: &str) -> String {
    let server = server.trim().trim_end_matches('/');
    if server.contains("://") {
        server.to_string()
    } else {
        format!("http://{server}")
    }
}

/// Connects to the API at `server`; an unreachable server is one clear line and exit 6.
pub async fn connect(server: &str) -> Result<Client, CliError> {
    let endpoint = Endpoint::from_shared(server.to_string())
        .map_err(|e| CliError::usage(format!("--server {server:?} is not a URL: {e}")))?
        .connect_timeout(Duration::from_secs(5))
        .tcp_nodelay(true);
    let channel = endpoint
        .connect()
        .await
        .map_err(|e| CliError::unreachable(server, error_chain(&e)))?;
    Ok(RotationServiceClient::new(channel)
        .max_decoding_message_size(256 << 20)
        .max_encoding_message_size(256 << 20))
}

/// Who is asking: `$USER@host via rotor CLI`.
pub fn requested_by() -> String {
    let user = ["USER", "LOGNAME"]
        .iter()
        .find_map(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
        .unwrap_or_else(|| "unknown".to_string());
    format!("{user}@{} via rotor CLI", host_name())
}

fn host_name() -> String {
    std::env::var("HOSTNAME")
        .ok()
        .filter(|h| !h.is_empty())
        .or_else(|| {
            std::fs::read_to_string("/etc/hostname")
                .ok()
                .map(|h| h.trim().to_string())
                .filter(|h| !h.is_empty())
        })
        .unwrap_or_else(|| "localhost".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_urls_get_a_scheme() {
        assert_eq!(
            normalise_server("127.0.0.1:50051"),
            "http://127.0.0.1:50051"
        );
        assert_eq!(
            normalise_server("https://rotor.example:443/"),
            "https://rotor.example:443"
        );
        assert!(requested_by().ends_with(" via rotor CLI"));
    }
}
