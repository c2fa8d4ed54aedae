//! The gRPC client of the Rotor API as every local tool makes it: a 5-second connect timeout,
//! `TCP_NODELAY`, and messages up to 256 MiB (a 10,000-device inventory or operation).

use std::time::Duration;

use rotor_proto::v1::rotation_service_client::RotationServiceClient;
use tonic::transport::{Channel, Endpoint};

/// The API client.
pub type Client = RotationServiceClient<Channel>;

/// The largest message the client sends or takes.
const MAX_MESSAGE_BYTES: usize = 256 << 20;

/// The endpoint of the API at `url`, with the connect timeout and `TCP_NODELAY`.
pub fn endpoint(url: &str) -> Result<Endpoint, tonic::transport::Error> {
    Ok(Endpoint::from_shared(url.to_string())?
        .connect_timeout(Duration::from_secs(5))
        .tcp_nodelay(true))
}

/// A client over a connected channel, with the message limits.
pub fn client(channel: Channel) -> Client {
    RotationServiceClient::new(channel)
        .max_decoding_message_size(MAX_MESSAGE_BYTES)
        .max_encoding_message_size(MAX_MESSAGE_BYTES)
}

/// Connects to the API at `url`.
pub async fn connect(url: &str) -> Result<Client, tonic::transport::Error> {
    Ok(client(endpoint(url)?.connect().await?))
}
