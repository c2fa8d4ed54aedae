//! One SSH connection to a device: pinned host key, password login, commands on exec channels.
//!
//! The host key is pinned from the inventory: a device presenting any other key is refused with
//! [`DeviceError::HostKeyMismatch`] before a password is sent. Nagle's algorithm is off
//! (`nodelay`), which takes a loopback login from about 35 ms to about 1 ms.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use rotor_secrets::Password;
use russh::ChannelMsg;
use russh::client::{self, AuthResult};
use russh::keys::{PublicKey, PublicKeyOrCertificate};

use crate::{DeviceError, excerpt};

/// Timeouts for talking to devices.
#[derive(Clone, Debug)]
pub struct SshOptions {
    /// How long the TCP connection with the SSH handshake, and then the password login, may each
    /// take (default 15 s).
    pub connect_timeout: Duration,
    /// How long one command may run, with its input and output (default 60 s).
    pub command_timeout: Duration,
}

impl Default for SshOptions {
    fn default() -> Self {
        SshOptions {
            connect_timeout: Duration::from_secs(15),
            command_timeout: Duration::from_secs(60),
        }
    }
}

/// What a command printed and how it ended.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CommandOutput {
    /// Everything the command wrote to standard output.
    pub stdout: String,
    /// Everything the command wrote to standard error.
    pub stderr: String,
    /// The exit status (0 is success).
    pub exit: u32,
}

impl CommandOutput {
    /// Whether the command exited with status 0.
    pub fn succeeded(&self) -> bool {
        self.exit == 0
    }

    /// The error text NVUE printed (stderr, else stdout), hashes redacted and shortened.
    pub fn error_text(&self) -> String {
        if self.stderr.trim().is_empty() {
            excerpt(&self.stdout)
        } else {
            excerpt(&self.stderr)
        }
    }
}

struct PinnedKey {
    pinned: PublicKey,
    presented: Arc<Mutex<Option<String>>>,
}

impl client::Handler for PinnedKey {
    type Error = russh::Error;

    async fn check_server_key(
        &mut self,
        presented: &PublicKeyOrCertificate,
    ) -> Result<bool, Self::Error> {
        let key = match presented {
            PublicKeyOrCertificate::PublicKey { key, .. } => key,
            PublicKeyOrCertificate::Certificate(_) => {
                *self.presented.lock().unwrap() = Some("a certificate".into());
                return Ok(false);
            }
        };
        if key.key_data() == self.pinned.key_data() {
            Ok(true)
        } else {
            *self.presented.lock().unwrap() = Some(key.fingerprint(Default::default()).to_string());
            Ok(false)
        }
    }
}

fn client_config() -> Arc<client::Config> {
    Arc::new(client::Config {
        nodelay: true,
        inactivity_timeout: Some(Duration::from_secs(300)),
        ..Default::default()
    })
}

/// Parses an OpenSSH public key (`ssh-ed25519 AAAA... [comment]`).
pub fn parse_host_key(openssh: &str) -> Result<PublicKey, DeviceError> {
    PublicKey::from_openssh(openssh.trim())
        .map_err(|_| DeviceError::BadPinnedKey(openssh.to_string()))
}

/// A logged-in SSH connection to one device.
pub struct Session {
    handle: client::Handle<PinnedKey>,
    address: String,
    user: String,
    options: SshOptions,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("address", &self.address)
            .field("user", &self.user)
            .finish()
    }
}

impl Session {
    /// Connects, checks the host key against `pinned_host_key`, and logs in with a password.
    pub async fn connect(
        address: &str,
        pinned_host_key: &str,
        user: &str,
        password: &Password,
        options: &SshOptions,
    ) -> Result<Session, DeviceError> {
        let pinned = parse_host_key(pinned_host_key)?;
        let presented = Arc::new(Mutex::new(None));
        let handler = PinnedKey {
            pinned: pinned.clone(),
            presented: presented.clone(),
        };
        let connect = client::connect(client_config(), address, handler);
        let mut handle = match tokio::time::timeout(options.connect_timeout, connect).await {
            Err(_) => {
                return Err(DeviceError::Timeout {
                    address: address.into(),
                    what: "the SSH handshake".into(),
                    seconds: options.connect_timeout.as_secs(),
                });
            }
            Ok(Err(error)) => {
                if let Some(presented) = presented.lock().unwrap().take() {
                    return Err(DeviceError::HostKeyMismatch {
                        address: address.into(),
                        pinned: pinned.fingerprint(Default::default()).to_string(),
                        presented,
                    });
                }
                return Err(DeviceError::Connect {
                    address: address.into(),
                    reason: error.to_string(),
                });
            }
            Ok(Ok(handle)) => handle,
        };
        let login = handle.authenticate_password(user, password.expose_for_login());
        match tokio::time::timeout(options.connect_timeout, login).await {
            Err(_) => Err(DeviceError::Timeout {
                address: address.into(),
                what: "the password login".into(),
                seconds: options.connect_timeout.as_secs(),
            }),
            Ok(Err(error)) => Err(DeviceError::Connect {
                address: address.into(),
                reason: format!("login failed: {error}"),
            }),
            Ok(Ok(AuthResult::Failure { .. })) => Err(DeviceError::AuthenticationFailed {
                address: address.into(),
                user: user.into(),
            }),
            Ok(Ok(AuthResult::Success)) => Ok(Session {
                handle,
                address: address.into(),
                user: user.into(),
                options: options.clone(),
            }),
        }
    }

    /// The device's management address (`host:port`) this session is connected to.
    pub fn address(&self) -> &str {
        &self.address
    }

    /// The device user this session is logged in as.
    pub fn user(&self) -> &str {
        &self.user
    }

    /// Runs a command and collects its output.
    pub async fn run(&self, command: &str) -> Result<CommandOutput, DeviceError> {
        self.run_with_input(command, None).await
    }

    /// Runs a command, writing `input` to its standard input first (how files are uploaded:
    /// `cat > /tmp/file`).
    pub async fn run_with_input(
        &self,
        command: &str,
        input: Option<&[u8]>,
    ) -> Result<CommandOutput, DeviceError> {
        let work = self.exec(command, input);
        match tokio::time::timeout(self.options.command_timeout, work).await {
            Ok(result) => result,
            Err(_) => Err(DeviceError::Timeout {
                address: self.address.clone(),
                what: format!("`{}`", command_name(command)),
                seconds: self.options.command_timeout.as_secs(),
            }),
        }
    }

    async fn exec(
        &self,
        command: &str,
        input: Option<&[u8]>,
    ) -> Result<CommandOutput, DeviceError> {
        let disconnected = |_: russh::Error| DeviceError::Disconnected {
            address: self.address.clone(),
            what: format!("`{}`", command_name(command)),
        };
        let mut channel = self
            .handle
            .channel_open_session()
            .await
            .map_err(disconnected)?;
        channel.exec(true, command).await.map_err(disconnected)?;
        if let Some(input) = input {
            channel
                .data_bytes(input.to_vec())
                .await
                .map_err(disconnected)?;
        }
        channel.eof().await.map_err(disconnected)?;
        let mut stdout = Vec::new();
        let mut stderr = Vec::new();
        let mut exit = None;
        while let Some(message) = channel.wait().await {
            match message {
                ChannelMsg::Data { data } => stdout.extend_from_slice(&data),
                ChannelMsg::ExtendedData { data, ext: 1 } => stderr.extend_from_slice(&data),
                ChannelMsg::ExitStatus { exit_status } => exit = Some(exit_status),
                ChannelMsg::ExitSignal { .. } => exit = Some(255),
                ChannelMsg::Close => break,
                _ => {}
            }
        }
        let Some(exit) = exit else {
            // The channel closed without an exit status: the connection dropped mid-command.
            return Err(DeviceError::Disconnected {
                address: self.address.clone(),
                what: format!("`{}`", command_name(command)),
            });
        };
        Ok(CommandOutput {
            stdout: String::from_utf8_lossy(&stdout).into_owned(),
            stderr: String::from_utf8_lossy(&stderr).into_owned(),
            exit,
        })
    }

    /// Closes the connection politely.
    pub async fn close(self) {
        let _ = self
            .handle
            .disconnect(russh::Disconnect::ByApplication, "", "en")
            .await;
    }
}

/// The first words of a command, for error messages (never its arguments, which may be hashes).
pub(crate) fn command_name(command: &str) -> String {
    command
        .split_whitespace()
        .take_while(|word| !word.starts_with('$') && !word.starts_with('\''))
        .take(5)
        .collect::<Vec<_>>()
        .join(" ")
}
