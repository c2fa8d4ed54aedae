//! Reaching the Rotor API: one gRPC channel to the orchestrator, and the identity (`$USER@host
//! via rotor CLI`) written into every request the command sends.

use crate::exit::{CliError, error_chain};

/// The API client.
pub type Client = rotor_stack::api::Client;

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
    let endpoint = rotor_stack::api::endpoint(server)
        .map_err(|e| CliError::usage(format!("--server {server:?} is not a URL: {e}")))?;
    let channel = endpoint
        .connect()
        .await
        .map_err(|e| CliError::unreachable(server, error_chain(&e)))?;
    Ok(rotor_stack::api::client(channel))
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
