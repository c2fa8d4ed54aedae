//! The gRPC client of the Rotor API as every local tool makes it: a 5-second connect timeout,
//! `TCP_NODELAY`, messages up to 256 MiB (a 10,000-device inventory or operation), and the
//! caller's bearer token on every call.

use std::time::Duration;

use rotor_proto::v1::rotation_service_client::RotationServiceClient;
use tonic::metadata::{Ascii, MetadataValue};
use tonic::service::interceptor::InterceptedService;
use tonic::transport::{Certificate, Channel, ClientTlsConfig, Endpoint};

/// The API client.
pub type Client = RotationServiceClient<InterceptedService<Channel, Bearer>>;

/// The largest message the client sends or takes.
const MAX_MESSAGE_BYTES: usize = 256 << 20;

/// Sends `authorization: Bearer <token>` with every call (nothing without a token). Its debug
/// form never shows the token.
#[derive(Clone)]
pub struct Bearer(Option<MetadataValue<Ascii>>);

impl std::fmt::Debug for Bearer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "Bearer(<token>)"
        } else {
            "Bearer(none)"
        })
    }
}

impl Bearer {
    /// The header for `token`; `None` sends no credentials.
    pub fn new(token: Option<&str>) -> Result<Bearer, InvalidToken> {
        token
            .map(|token| {
                let mut value: MetadataValue<Ascii> = format!("Bearer {}", token.trim())
                    .parse()
                    .map_err(|_| InvalidToken)?;
                value.set_sensitive(true);
                Ok(value)
            })
            .transpose()
            .map(Bearer)
    }
}

impl tonic::service::Interceptor for Bearer {
    fn call(
        &mut self,
        mut request: tonic::Request<()>,
    ) -> Result<tonic::Request<()>, tonic::Status> {
        if let Some(value) = &self.0 {
            request
                .metadata_mut()
                .insert("authorization", value.clone());
        }
        Ok(request)
    }
}

/// A token that cannot travel in a header (it has characters a token never has).
#[derive(Clone, Copy, Debug, thiserror::Error, PartialEq, Eq)]
#[error("the API token has characters no token has (check ROTOR_TOKEN)")]
pub struct InvalidToken;

/// The endpoint of the API at `url`, with the connect timeout and `TCP_NODELAY`; an `https://`
/// URL is reached over TLS, trusting the PEM certificates in `ca` (the server's name is checked
/// against the URL's host).
pub fn endpoint(url: &str, ca: Option<&[u8]>) -> Result<Endpoint, tonic::transport::Error> {
    let endpoint = Endpoint::from_shared(url.to_string())?
        .connect_timeout(Duration::from_secs(5))
        .tcp_nodelay(true);
    if !url.starts_with("https://") {
        return Ok(endpoint);
    }
    let mut tls = ClientTlsConfig::new();
    if let Some(ca) = ca {
        tls = tls.ca_certificate(Certificate::from_pem(ca));
    }
    endpoint.tls_config(tls)
}

/// A client over a connected channel, with the message limits and `bearer`'s token.
pub fn client(channel: Channel, bearer: Bearer) -> Client {
    RotationServiceClient::with_interceptor(channel, bearer)
        .max_decoding_message_size(MAX_MESSAGE_BYTES)
        .max_encoding_message_size(MAX_MESSAGE_BYTES)
}

/// Connects to the API at `url` as the holder of `token`.
pub async fn connect(url: &str, token: &str) -> Result<Client, tonic::transport::Error> {
    let bearer = Bearer::new(Some(token)).unwrap_or(Bearer(None));
    Ok(client(endpoint(url, None)?.connect().await?, bearer))
}
