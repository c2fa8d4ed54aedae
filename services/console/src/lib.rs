//! The web console: one embedded page (HTML, CSS and plain JavaScript, no build step) and a
//! small JSON API over the orchestrator's gRPC API.
//!
//! The console holds no token of its own. The page keeps the signed-in user's token (pasted, or
//! from a sign-in link `http://<console>/#token=...`) in the browser's session storage and sends
//! it as `authorization: Bearer <token>` with every API call; the console forwards exactly that
//! header to the gRPC API, so every call obeys the caller's own identity and roles and is
//! audited as theirs. A call without a token is refused before the API is asked.
//!
//! - [`ConsoleConfig`]: `ROTOR_CONSOLE_LISTEN`, `ROTOR_CONSOLE_API_URL`, `ROTOR_CONSOLE_API_CA`,
//!   `ROTOR_CONSOLE_PLAINTEXT_BEYOND_LOOPBACK` (plain HTTP beyond loopback would carry tokens
//!   in clear, so it is refused unless a TLS proxy on a trusted network guards it).
//! - [`routes`]: the page, its assets (with a strict Content-Security-Policy) and `/api/...`.
//! - `api`: each JSON endpoint, one gRPC call each; `/api/watch` turns `WatchEvents` into
//!   Server-Sent Events, read by the page with `fetch` (so the token travels in a header, never
//!   in a URL).

#![warn(missing_docs)]

mod api;
mod assets;

use std::net::SocketAddr;

use rotor_runtime::{CancellationToken, SettingError, Settings};

pub use api::routes;

/// The console's settings.
#[derive(Clone, Debug)]
pub struct ConsoleConfig {
    /// Where the console listens (`ROTOR_CONSOLE_LISTEN`, default `127.0.0.1:50053`).
    pub listen: SocketAddr,
    /// The gRPC API it calls (`ROTOR_CONSOLE_API_URL`, default `http://127.0.0.1:50051`).
    pub api_url: String,
    /// The PEM CA certificates trusted for an `https://` API (`ROTOR_CONSOLE_API_CA`, a file).
    pub api_ca: Option<Vec<u8>>,
}

impl ConsoleConfig {
    /// The default port of the console.
    pub const DEFAULT_LISTEN: &str = "127.0.0.1:50053";

    /// Reads the console's settings; the first bad value is the error.
    pub fn from_settings(settings: &Settings) -> Result<ConsoleConfig, SettingError> {
        let listen: SocketAddr = settings.parse(
            "ROTOR_CONSOLE_LISTEN",
            Self::DEFAULT_LISTEN.parse().expect("a valid address"),
        )?;
        if !listen.ip().is_loopback()
            && !settings.boolean("ROTOR_CONSOLE_PLAINTEXT_BEYOND_LOOPBACK", false)?
        {
            return Err(SettingError {
                name: "ROTOR_CONSOLE_LISTEN".into(),
                reason: format!(
                    "{listen} is beyond loopback: the console speaks plain HTTP, so users' tokens would cross the network in clear. Listen on loopback behind a TLS-terminating proxy (only for a proxy on a network you trust, ROTOR_CONSOLE_PLAINTEXT_BEYOND_LOOPBACK=true)"
                ),
            });
        }
        let api_url = settings
            .string("ROTOR_CONSOLE_API_URL", "http://127.0.0.1:50051")
            .trim_end_matches('/')
            .to_string();
        let bad_url = |reason: String| SettingError {
            name: "ROTOR_CONSOLE_API_URL".into(),
            reason,
        };
        let Some((scheme, rest)) = api_url.split_once("://") else {
            return Err(bad_url(format!(
                "{api_url:?} is not a URL (e.g. http://127.0.0.1:50051)"
            )));
        };
        let host = host_of(rest);
        match scheme {
            "https" => {}
            "http" if is_loopback_host(host) => {}
            "http" => {
                return Err(bad_url(format!(
                    "{api_url} is plain HTTP beyond loopback: tokens would cross the network in clear; use https:// (with ROTOR_CONSOLE_API_CA)"
                )));
            }
            _ => {
                return Err(bad_url(format!(
                    "{api_url}: the scheme must be http or https"
                )));
            }
        }
        let api_ca = match settings.raw("ROTOR_CONSOLE_API_CA") {
            Some(path) => Some(std::fs::read(path).map_err(|e| SettingError {
                name: "ROTOR_CONSOLE_API_CA".into(),
                reason: format!("cannot read {path}: {e}"),
            })?),
            None => None,
        };
        rotor_stack::api::endpoint(&api_url, api_ca.as_deref())
            .map_err(|e| bad_url(format!("{api_url} is not usable: {e}")))?;
        Ok(ConsoleConfig {
            listen,
            api_url,
            api_ca,
        })
    }
}

/// The host of `host[:port][/...]` (brackets of an IPv6 literal removed).
fn host_of(rest: &str) -> &str {
    let authority = rest.split('/').next().unwrap_or_default();
    if let Some(v6) = authority.strip_prefix('[') {
        return v6.split(']').next().unwrap_or_default();
    }
    authority.split(':').next().unwrap_or_default()
}

fn is_loopback_host(host: &str) -> bool {
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Why the console stopped.
#[derive(Debug, thiserror::Error)]
pub enum ConsoleError {
    /// It could not listen.
    #[error("cannot listen on {address}: {source}")]
    Listen {
        /// The address.
        address: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// The API URL could not be used.
    #[error("the API at {url}: {source}")]
    Api {
        /// `ROTOR_CONSOLE_API_URL`.
        url: String,
        /// Why.
        source: tonic::transport::Error,
    },
    /// Serving failed.
    #[error("serving HTTP: {0}")]
    Serve(std::io::Error),
}

/// Serves the console on `config.listen` until `shutdown` is cancelled.
pub async fn run(config: ConsoleConfig, shutdown: CancellationToken) -> Result<(), ConsoleError> {
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|source| ConsoleError::Listen {
            address: config.listen,
            source,
        })?;
    serve(config, listener, shutdown).await
}

/// Serves the console on `listener` (tests bind a free port first) until `shutdown`.
pub async fn serve(
    config: ConsoleConfig,
    listener: tokio::net::TcpListener,
    shutdown: CancellationToken,
) -> Result<(), ConsoleError> {
    let channel = rotor_stack::api::endpoint(&config.api_url, config.api_ca.as_deref())
        .map_err(|source| ConsoleError::Api {
            url: config.api_url.clone(),
            source,
        })?
        .connect_lazy();
    let address = listener.local_addr().map_err(ConsoleError::Serve)?;
    tracing::info!(%address, api = %config.api_url, "console listening");
    let app = routes(channel, shutdown.clone());
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown.cancelled_owned())
        .await
        .map_err(ConsoleError::Serve)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(pairs: &[(&str, &str)]) -> Result<ConsoleConfig, SettingError> {
        ConsoleConfig::from_settings(&Settings::from_pairs(pairs.iter().copied()))
    }

    #[test]
    fn defaults_run_on_one_machine() {
        let config = config(&[]).unwrap();
        assert_eq!(config.listen.to_string(), "127.0.0.1:50053");
        assert_eq!(config.api_url, "http://127.0.0.1:50051");
        assert!(config.api_ca.is_none());
    }

    #[test]
    fn plain_http_beyond_loopback_is_refused() {
        let error = config(&[("ROTOR_CONSOLE_LISTEN", "0.0.0.0:8080")]).unwrap_err();
        assert_eq!(error.name, "ROTOR_CONSOLE_LISTEN");
        assert!(error.reason.contains("in clear"), "{error}");
        config(&[
            ("ROTOR_CONSOLE_LISTEN", "0.0.0.0:8080"),
            ("ROTOR_CONSOLE_PLAINTEXT_BEYOND_LOOPBACK", "true"),
        ])
        .unwrap();
        let error = config(&[("ROTOR_CONSOLE_API_URL", "http://rotor.example:50051")]).unwrap_err();
        assert_eq!(error.name, "ROTOR_CONSOLE_API_URL");
        config(&[("ROTOR_CONSOLE_API_URL", "https://rotor.example:50051")]).unwrap();
        config(&[("ROTOR_CONSOLE_API_URL", "http://[::1]:50051")]).unwrap();
    }

    #[test]
    fn bad_values_name_their_setting() {
        for (pairs, name) in [
            (
                vec![("ROTOR_CONSOLE_LISTEN", "not an address")],
                "ROTOR_CONSOLE_LISTEN",
            ),
            (
                vec![("ROTOR_CONSOLE_API_URL", "127.0.0.1:50051")],
                "ROTOR_CONSOLE_API_URL",
            ),
            (
                vec![("ROTOR_CONSOLE_API_URL", "ftp://127.0.0.1:1")],
                "ROTOR_CONSOLE_API_URL",
            ),
            (
                vec![("ROTOR_CONSOLE_API_CA", "/no/such/ca.pem")],
                "ROTOR_CONSOLE_API_CA",
            ),
            (
                vec![
                    ("ROTOR_CONSOLE_LISTEN", "0.0.0.0:1"),
                    ("ROTOR_CONSOLE_PLAINTEXT_BEYOND_LOOPBACK", "maybe"),
                ],
                "ROTOR_CONSOLE_PLAINTEXT_BEYOND_LOOPBACK",
            ),
        ] {
            let error = config(&pairs).expect_err(&format!("{pairs:?} was accepted"));
            assert_eq!(error.name, name, "{pairs:?}: {error}");
        }
    }
}
