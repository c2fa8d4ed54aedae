//! A small russh SSH client for the simulator's own tests and benchmark: connect with a password
//! (optionally pinning the host key, optionally offering only some host key algorithms), run a
//! command with optional standard input, collect stdout, stderr and the exit status.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use russh::client::{self, Handle};
use russh::keys::{PublicKey, PublicKeyOrCertificate};
use russh::{ChannelMsg, Disconnect};

/// Why a client operation failed.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The SSH connection or a channel failed.
    #[error("ssh: {0}")]
    Ssh(#[from] russh::Error),
    /// The device refused the password.
    #[error("authentication failed")]
    AuthenticationFailed,
}

/// What a command produced. `exit_status` is `None` when the connection ended without one.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExecResult {
    /// Everything the command wrote to standard output (lossy UTF-8).
    pub stdout: String,
    /// Everything the command wrote to standard error (lossy UTF-8).
    pub stderr: String,
    /// The exit status; `None` when the connection ended without one.
    pub exit_status: Option<u32>,
}

#[derive(Debug)]
struct ClientHandler {
    expected_host_key: Option<PublicKey>,
}

impl client::Handler for ClientHandler {
    type Error = russh::Error;

    async fn check_server_key(
        &mut self,
        server_public_key: &PublicKeyOrCertificate,
    ) -> Result<bool, Self::Error> {
        Ok(match (&self.expected_host_key, server_public_key) {
            (None, _) => true,
            (Some(expected), PublicKeyOrCertificate::PublicKey { key, .. }) => key == expected,
            (Some(_), PublicKeyOrCertificate::Certificate(_)) => false,
        })
    }
}

/// An authenticated SSH connection.
pub struct SimClient {
    handle: Handle<ClientHandler>,
}

impl std::fmt::Debug for SimClient {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("SimClient").finish_non_exhaustive()
    }
}

fn client_config() -> Arc<client::Config> {
    Arc::new(client_config_value())
}

fn client_config_value() -> client::Config {
    client::Config {
        nodelay: true,
        inactivity_timeout: Some(Duration::from_secs(120)),
        ..Default::default()
    }
}

impl SimClient {
    /// Connects and authenticates with a password. With `expected_host_key`, any other host key
    /// is refused.
    pub async fn connect(
        address: SocketAddr,
        username: &str,
        password: &str,
        expected_host_key: Option<PublicKey>,
    ) -> Result<SimClient, ClientError> {
        let handler = ClientHandler { expected_host_key };
        let mut handle = client::connect(client_config(), address, handler).await?;
        let result = handle.authenticate_password(username, password).await?;
        if !result.success() {
            return Err(ClientError::AuthenticationFailed);
        }
        Ok(SimClient { handle })
    }

    /// Like [`SimClient::connect`], but the client offers only these host key algorithms (as
    /// OpenSSH's `HostKeyAlgorithms` does): a server with no key of those types is refused
    /// during the key exchange.
    pub async fn connect_with_host_key_algorithms(
        address: SocketAddr,
        username: &str,
        password: &str,
        expected_host_key: Option<PublicKey>,
        host_key_algorithms: &[russh::keys::Algorithm],
    ) -> Result<SimClient, ClientError> {
        let mut config = client_config_value();
        config.preferred.key = std::borrow::Cow::Owned(host_key_algorithms.to_vec());
        let handler = ClientHandler { expected_host_key };
        let mut handle = client::connect(Arc::new(config), address, handler).await?;
        let result = handle.authenticate_password(username, password).await?;
        if !result.success() {
            return Err(ClientError::AuthenticationFailed);
        }
        Ok(SimClient { handle })
    }

    /// Runs a command; `stdin` is sent, then EOF.
    pub async fn exec(
        &self,
        command: &str,
        stdin: Option<&[u8]>,
    ) -> Result<ExecResult, ClientError> {
        let mut channel = self.handle.channel_open_session().await?;
        channel.exec(true, command).await?;
        if let Some(stdin) = stdin {
            channel.data(stdin).await?;
            channel.eof().await?;
        }
        let mut stdout = Vec::new();
        let mut stderr = Vec::new();
        let mut exit_status = None;
        while let Some(message) = channel.wait().await {
            match message {
                ChannelMsg::Data { data } => stdout.extend_from_slice(&data),
                ChannelMsg::ExtendedData { data, .. } => stderr.extend_from_slice(&data),
                ChannelMsg::ExitStatus {
                    exit_status: status,
                } => exit_status = Some(status),
                ChannelMsg::Close => break,
                _ => {}
            }
        }
        Ok(ExecResult {
            stdout: String::from_utf8_lossy(&stdout).into_owned(),
            stderr: String::from_utf8_lossy(&stderr).into_owned(),
            exit_status,
        })
    }

    /// Whether the connection is closed.
    pub fn is_closed(&self) -> bool {
        self.handle.is_closed()
    }

    /// The underlying russh handle, to open channels by hand (e.g. a shell with a terminal).
    pub fn handle(&self) -> &Handle<impl client::Handler> {
        &self.handle
    }

    /// Ends the session politely (an SSH disconnect message); errors are ignored.
    pub async fn disconnect(self) {
        let _ = self
            .handle
            .disconnect(Disconnect::ByApplication, "", "en")
            .await;
    }
}

/// Connects and tries one password; `Ok(false)` when the server refuses it.
pub async fn try_login(
    address: SocketAddr,
    username: &str,
    password: &str,
) -> Result<bool, ClientError> {
    let handler = ClientHandler {
        expected_host_key: None,
    };
    let mut handle = client::connect(client_config(), address, handler).await?;
    let result = handle.authenticate_password(username, password).await?;
    let _ = handle.disconnect(Disconnect::ByApplication, "", "en").await;
    Ok(result.success())
}
