//! One SSH connection to a device: pinned host key, password login, commands on exec channels.
//!
//! The host keys are pinned from the inventory (one or several, for a host-key rotation): a
//! device presenting any other key is refused with [`DeviceError::HostKeyMismatch`] before a
//! password is sent. Key negotiation offers only the pinned keys' algorithms (ed25519, ECDSA
//! P-256/384/521, RSA with SHA-2 signatures only), so a switch that offers several key types
//! (Cumulus 5.16 offers `ecdsa-sha2-nistp256`, `rsa-sha2-256` and `rsa-sha2-512`, per its SSH
//! documentation) presents one that is pinned. Nagle's algorithm is off (`nodelay`), which takes
//! a loopback login from about 35 ms to about 1 ms.
//!
//! A refused password is [`DeviceError::AuthenticationFailed`] however long the switch took to
//! say so (NVUE's `fail-delay` and lock-out re-attempt time delay refusals); only a login that
//! got no answer within `login_timeout` is [`DeviceError::LoginTimeout`], which the lock-out
//! budget counts as a possible failure (the password was sent).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use rotor_secrets::Password;
use std::borrow::Cow;

use russh::client::{self, AuthResult};
use russh::keys::{Algorithm, HashAlg, PublicKey, PublicKeyOrCertificate};
use russh::{ChannelMsg, Preferred};

use crate::{DeviceError, excerpt};

/// Timeouts for talking to devices.
#[derive(Clone, Debug)]
pub struct SshOptions {
    /// How long the TCP connection with the SSH handshake may take, up to the host-key check
    /// (default 15 s).
    pub connect_timeout: Duration,
    /// How long the password login's answer may take (default 30 s): above the longest delay a
    /// switch puts on a refusal (NVUE's lock-out re-attempt time defaults to 15 s), so a slow
    /// refusal is seen as a refusal.
    pub login_timeout: Duration,
    /// How long one command may run, with its input and output (default 60 s).
    pub command_timeout: Duration,
    /// The most one command may print, standard output and error together (default 16 MiB,
    /// `ROTOR_DEVICE_OUTPUT_MAX_BYTES`): beyond it Rotor stops reading, closes the channel and
    /// fails the command with [`DeviceError::OutputTooLarge`], so a switch (or something
    /// posing as one) printing without end cannot exhaust the service's memory.
    pub output_max_bytes: usize,
}

/// The default of [`SshOptions::output_max_bytes`].
pub const DEFAULT_OUTPUT_MAX_BYTES: usize = 16 << 20;

impl Default for SshOptions {
    fn default() -> Self {
        SshOptions {
            connect_timeout: Duration::from_secs(15),
            login_timeout: Duration::from_secs(30),
            command_timeout: Duration::from_secs(60),
            output_max_bytes: DEFAULT_OUTPUT_MAX_BYTES,
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

struct PinnedKeys {
    pinned: Vec<PublicKey>,
    presented: Arc<Mutex<Option<String>>>,
}

impl client::Handler for PinnedKeys {
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
        if self
            .pinned
            .iter()
            .any(|pinned| pinned.key_data() == key.key_data())
        {
            Ok(true)
        } else {
            *self.presented.lock().unwrap() = Some(key.fingerprint(Default::default()).to_string());
            Ok(false)
        }
    }
}

/// The client configuration for a device whose keys are `pinned`: only their algorithms are
/// offered for the host key, so the server presents a pinned one.
fn client_config(pinned: &[PublicKey]) -> Arc<client::Config> {
    let mut key: Vec<Algorithm> = Vec::new();
    for algorithm in pinned
        .iter()
        .flat_map(|k| host_key_algorithms(k.algorithm()))
    {
        if !key.contains(&algorithm) {
            key.push(algorithm);
        }
    }
    Arc::new(client::Config {
        nodelay: true,
        inactivity_timeout: Some(Duration::from_secs(300)),
        preferred: Preferred {
            key: Cow::Owned(key),
            ..Preferred::DEFAULT
        },
        ..Default::default()
    })
}

/// The host-key signature algorithms a pinned key can be presented with: RSA keys with SHA-2
/// signatures only (`rsa-sha2-512`, `rsa-sha2-256`; never SHA-1 `ssh-rsa`).
fn host_key_algorithms(key: Algorithm) -> Vec<Algorithm> {
    match key {
        Algorithm::Rsa { .. } => vec![
            Algorithm::Rsa {
                hash: Some(HashAlg::Sha512),
            },
            Algorithm::Rsa {
                hash: Some(HashAlg::Sha256),
            },
        ],
        other => vec![other],
    }
}

/// The key types Rotor pins: ed25519, ECDSA (NIST P-256, P-384, P-521) and RSA.
fn is_supported(algorithm: &Algorithm) -> bool {
    matches!(
        algorithm,
        Algorithm::Ed25519 | Algorithm::Ecdsa { .. } | Algorithm::Rsa { .. }
    )
}

/// Parses an OpenSSH public key (`ssh-ed25519 AAAA... [comment]`, `ecdsa-sha2-nistp256 ...`,
/// `ssh-rsa ...`) of a supported type.
pub fn parse_host_key(openssh: &str) -> Result<PublicKey, DeviceError> {
    PublicKey::from_openssh(openssh.trim())
        .ok()
        .filter(|key| is_supported(&key.algorithm()))
        .ok_or_else(|| DeviceError::BadPinnedKey(openssh.to_string()))
}

/// A logged-in SSH connection to one device.
pub struct Session {
    handle: client::Handle<PinnedKeys>,
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

/// A connection whose host key matched a pinned one, not logged in yet: no password has been
/// sent on it. [`Handshake::log_in`] sends one.
pub struct Handshake {
    handle: client::Handle<PinnedKeys>,
    address: String,
    options: SshOptions,
}

impl std::fmt::Debug for Handshake {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Handshake")
            .field("address", &self.address)
            .finish()
    }
}

impl Handshake {
    /// Connects and checks the host key against the pinned ones.
    pub async fn connect(
        address: &str,
        pinned_host_keys: &[String],
        options: &SshOptions,
    ) -> Result<Handshake, DeviceError> {
        let pinned: Vec<PublicKey> = pinned_host_keys
            .iter()
            .map(|key| parse_host_key(key))
            .collect::<Result<_, _>>()?;
        if pinned.is_empty() {
            return Err(DeviceError::BadPinnedKey(String::new()));
        }
        Ok(Handshake {
            handle: handshake(address, &pinned, options).await?,
            address: address.to_string(),
            options: options.clone(),
        })
    }

    /// Logs in as `user` with `password` (the password is sent now).
    pub async fn log_in(mut self, user: &str, password: &Password) -> Result<Session, DeviceError> {
        let address = self.address;
        let login = self
            .handle
            .authenticate_password(user, password.expose_for_login());
        match tokio::time::timeout(self.options.login_timeout, login).await {
            Err(_) => Err(DeviceError::LoginTimeout {
                address,
                user: user.into(),
                seconds: self.options.login_timeout.as_secs(),
            }),
            Ok(Err(error)) => Err(DeviceError::LoginInterrupted {
                address,
                user: user.into(),
                reason: error.to_string(),
            }),
            Ok(Ok(AuthResult::Failure { .. })) => Err(DeviceError::AuthenticationFailed {
                address,
                user: user.into(),
            }),
            Ok(Ok(AuthResult::Success)) => Ok(Session {
                handle: self.handle,
                address,
                user: user.into(),
                options: self.options,
            }),
        }
    }
}

impl Session {
    /// Connects, checks the host key against the pinned ones, and logs in with a password.
    pub async fn connect(
        address: &str,
        pinned_host_keys: &[String],
        user: &str,
        password: &Password,
        options: &SshOptions,
    ) -> Result<Session, DeviceError> {
        Handshake::connect(address, pinned_host_keys, options)
            .await?
            .log_in(user, password)
            .await
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
        let limit = self.options.output_max_bytes;
        let mut printed = 0usize;
        while let Some(message) = channel.wait().await {
            let (into, data) = match message {
                ChannelMsg::Data { data } => (&mut stdout, data),
                ChannelMsg::ExtendedData { data, ext: 1 } => (&mut stderr, data),
                ChannelMsg::ExitStatus { exit_status } => {
                    exit = Some(exit_status);
                    continue;
                }
                ChannelMsg::ExitSignal { .. } => {
                    exit = Some(255);
                    continue;
                }
                ChannelMsg::Close => break,
                _ => continue,
            };
            printed += data.len();
            if printed > limit {
                // Stop reading: what is still coming is dropped with the channel.
                let _ = channel.close().await;
                return Err(DeviceError::OutputTooLarge {
                    address: self.address.clone(),
                    command: command_name(command),
                    limit,
                });
            }
            into.extend_from_slice(&data);
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

/// Connects and checks the host key (no password is sent before it is accepted).
async fn handshake(
    address: &str,
    pinned: &[PublicKey],
    options: &SshOptions,
) -> Result<client::Handle<PinnedKeys>, DeviceError> {
    let presented = Arc::new(Mutex::new(None));
    let handler = PinnedKeys {
        pinned: pinned.to_vec(),
        presented: presented.clone(),
    };
    let connect = client::connect(client_config(pinned), address, handler);
    match tokio::time::timeout(options.connect_timeout, connect).await {
        Err(_) => Err(DeviceError::Timeout {
            address: address.into(),
            what: "the SSH handshake".into(),
            seconds: options.connect_timeout.as_secs(),
        }),
        Ok(Err(error)) => {
            let presented = presented.lock().unwrap().take().or(match &error {
                // The device offers none of the pinned keys' types.
                russh::Error::NoCommonAlgo {
                    kind: russh::AlgorithmKind::Key,
                    theirs,
                    ..
                } => Some(format!("only keys of type {}", theirs.join(", "))),
                _ => None,
            });
            if let Some(presented) = presented {
                let pinned: Vec<String> = pinned
                    .iter()
                    .map(|k| k.fingerprint(Default::default()).to_string())
                    .collect();
                return Err(DeviceError::HostKeyMismatch {
                    address: address.into(),
                    pinned: pinned.join(", "),
                    presented,
                });
            }
            Err(DeviceError::Connect {
                address: address.into(),
                reason: error.to_string(),
            })
        }
        Ok(Ok(handle)) => Ok(handle),
    }
}

/// The first words of a command, for error messages (never its arguments, which may be hashes).
/// One argument as the switch's shell (bash) reads it back unchanged: as it is when it holds
/// only characters no shell treats specially, otherwise in single quotes (a `'` inside becomes
/// `'\''`). Every value Rotor puts on a switch's command line goes through here.
pub fn shell_word(argument: &str) -> String {
    let plain = !argument.is_empty()
        && argument
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/' | ':' | ','));
    if plain {
        return argument.to_string();
    }
    format!("'{}'", argument.replace('\'', "'\\''"))
}

pub(crate) fn command_name(command: &str) -> String {
    command
        .split_whitespace()
        .take_while(|word| !word.starts_with('$') && !word.starts_with('\''))
        .take(5)
        .collect::<Vec<_>>()
        .join(" ")
}
