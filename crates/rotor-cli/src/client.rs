//! Reaching the Rotor API: one gRPC channel to the orchestrator with the caller's token (the
//! identity the server knows the caller by), and the name (`$USER@host via rotor CLI`) the
//! command writes into requests as what it says of itself.

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

/// Connects to the API at `server` as the holder of `token` (over TLS for `https://`, trusting
/// the CA in `ca_file`); an unreachable server is one clear line and exit 6.
pub async fn connect(
    server: &str,
    token: Option<&str>,
    ca_file: Option<&std::path::Path>,
) -> Result<Client, CliError> {
    let bearer = rotor_stack::api::Bearer::new(token)
        .map_err(|e| CliError::usage(format!("--token: {e}")))?;
    let ca = match ca_file {
        Some(path) => Some(
            std::fs::read(path)
                .map_err(|e| CliError::usage(format!("--ca-file {}: {e}", path.display())))?,
        ),
        None if server.starts_with("https://") => {
            return Err(CliError::usage(format!(
                "{server} is https: give the CA that signed its certificate with --ca-file (ROTOR_CA_FILE)"
            )));
        }
        None => None,
    };
    let endpoint = rotor_stack::api::endpoint(server, ca.as_deref())
        .map_err(|e| CliError::usage(format!("--server {server:?} is not a URL: {e}")))?;
    let channel = endpoint
        .connect()
        .await
        .map_err(|e| CliError::unreachable(server, error_chain(&e)))?;
    Ok(rotor_stack::api::client(channel, bearer))
}

/// The administrator token a `rotor up` started from here wrote (`$ROTOR_STATE_DIR/api-token`,
/// else `.rotor/api-token`), used when no `--token` or `ROTOR_TOKEN` is given.
pub fn local_stack_token() -> Option<String> {
    let dir = std::env::var_os("ROTOR_STATE_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::PathBuf::from(".rotor"));
    std::fs::read_to_string(dir.join("api-token"))
        .ok()
        .map(|token| token.trim().to_string())
        .filter(|token| !token.is_empty())
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
    fn the_context_never_prints_its_token() {
        let context = crate::commands::Context::new(
            "127.0.0.1:1",
            Some("eyJ.secret-token.sig".into()),
            crate::cli::OutputFormat::Json,
        );
        let printed = format!("{context:?}");
        assert!(!printed.contains("secret-token"), "{printed}");
        assert!(printed.contains("<token>"), "{printed}");
    }

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
