//! Driving NVUE switches (Cumulus Linux and NVOS) over SSH.
//!
//! - [`ssh`]: one SSH connection to a device, with its host key pinned, password login, and
//!   commands run on exec channels (with standard input when a file is uploaded).
//! - [`nvue`]: the NVUE operations a rotation needs (load a candidate, diff, apply, show, user
//!   checks), parsing what the device prints and refusing what NVUE would not print.
//! - [`diff`]: classifying a diff as empty, password-only for the target users, or anything else.
//! - [`render`]: the intended configuration with each mapped user's hash filled in.
//!
//! Every failure is a [`DeviceError`] whose [`DeviceError::code`] is one of the device-level
//! error codes in `docs/errors.md`.

#![warn(missing_docs)]

pub mod diff;
pub mod nvue;
pub mod render;
pub mod ssh;

use rotor_proto::v1::ErrorCode;

/// What went wrong with a device. Messages never contain a password or a hash.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum DeviceError {
    /// The TCP connection or the SSH handshake failed (`CouldNotConnect`, retryable).
    #[error("cannot connect to {address}: {reason}")]
    Connect {
        /// The device's management address, `host:port`.
        address: String,
        /// What the network or the SSH library said.
        reason: String,
    },
    /// The device presented a host key other than the pinned one; no password was sent
    /// (`HostKeyMismatch`).
    #[error("{address} presented host key {presented}, not the pinned {pinned}")]
    HostKeyMismatch {
        /// The device's management address, `host:port`.
        address: String,
        /// The key the inventory pins, in OpenSSH form.
        pinned: String,
        /// The key the device presented, in OpenSSH form.
        presented: String,
    },
    /// The inventory's pinned host key (given here) does not parse, so no connection is made
    /// (`HostKeyMismatch`).
    #[error("the pinned host key {0:?} is not a valid OpenSSH public key")]
    BadPinnedKey(String),
    /// The device refused the password login (`CouldNotConnect`); counts against the
    /// lock-out budget.
    #[error("{address} refused the password of {user}")]
    AuthenticationFailed {
        /// The device's management address, `host:port`.
        address: String,
        /// The device user that tried to log in.
        user: String,
    },
    /// No answer to the password login within the login timeout, after the password was sent
    /// (`Timeout`, retryable; the lock-out budget counts it as a possibly failed login).
    #[error("{address} did not answer the password login of {user} within {seconds} s")]
    LoginTimeout {
        /// The device's management address, `host:port`.
        address: String,
        /// The device user that tried to log in.
        user: String,
        /// The login timeout.
        seconds: u64,
    },
    /// The connection broke during the password login, after the password was sent
    /// (`CouldNotConnect`, retryable; counted as a possibly failed login).
    #[error("{address} dropped the password login of {user}: {reason}")]
    LoginInterrupted {
        /// The device's management address, `host:port`.
        address: String,
        /// The device user that tried to log in.
        user: String,
        /// What the SSH library said.
        reason: String,
    },
    /// The device did not answer in time (`Timeout`, retryable).
    #[error("{address} did not answer {what} within {seconds} s")]
    Timeout {
        /// The device's management address, `host:port`.
        address: String,
        /// What was waited for: the connection, the login, or a command's name.
        what: String,
        /// The timeout that ran out, in whole seconds.
        seconds: u64,
    },
    /// The device closed the connection before a command finished (`CouldNotConnect`,
    /// retryable).
    #[error("{address} closed the connection during {what}")]
    Disconnected {
        /// The device's management address, `host:port`.
        address: String,
        /// What was under way: the login or a command's name.
        what: String,
    },
    /// NVUE refused the candidate configuration as invalid (`ConfigSyntax`).
    #[error("{address} rejected the configuration: {message}")]
    ConfigSyntax {
        /// The device's management address, `host:port`.
        address: String,
        /// NVUE's error text, hashes redacted and shortened.
        message: String,
    },
    /// NVUE could not apply the candidate (`ConfigApplyFailure`).
    #[error("{address} failed to apply the configuration: {message}")]
    ApplyFailed {
        /// The device's management address, `host:port`.
        address: String,
        /// NVUE's error text, hashes redacted and shortened.
        message: String,
    },
    /// A command exited with a non-zero status for another reason (`UnexpectedDeviceOutput`).
    #[error("`{command}` failed on {address} (exit {exit}): {message}")]
    Command {
        /// The device's management address, `host:port`.
        address: String,
        /// The command's first words (never an argument that could be a hash).
        command: String,
        /// The exit status.
        exit: u32,
        /// What the command printed, hashes redacted and shortened.
        message: String,
    },
    /// The device printed something NVUE does not print for that command
    /// (`UnexpectedDeviceOutput`): a wrong platform, a wrapper shell, an old NVUE.
    #[error("{address} printed something NVUE does not print for `{command}`: {detail}")]
    UnexpectedOutput {
        /// The device's management address, `host:port`.
        address: String,
        /// The command's name.
        command: String,
        /// What was wrong with the output, hashes redacted.
        detail: String,
    },
    /// A command printed more than `ROTOR_DEVICE_OUTPUT_MAX_BYTES` (`UnexpectedDeviceOutput`):
    /// Rotor stopped reading it rather than hold an unbounded output in memory.
    #[error(
        "`{command}` on {address} printed more than {limit} bytes, the most Rotor reads of one command (ROTOR_DEVICE_OUTPUT_MAX_BYTES); stopped reading it"
    )]
    OutputTooLarge {
        /// The device's management address, `host:port`.
        address: String,
        /// The command's name.
        command: String,
        /// The limit, in bytes.
        limit: usize,
    },
    /// Rotor refused to put a value on a switch's command line (`InternalError`): a user name
    /// that is not one, reaching a command although every name is checked on import and every
    /// job is checked against its operation.
    #[error("refused to send {what} to the switch: {reason}")]
    UnsafeArgument {
        /// What the value was for, e.g. `the user name of nv show system aaa user`.
        what: String,
        /// Why it was refused.
        reason: String,
    },
}

impl DeviceError {
    /// The error code a device result carries.
    pub fn code(&self) -> ErrorCode {
        match self {
            DeviceError::Connect { .. }
            | DeviceError::AuthenticationFailed { .. }
            | DeviceError::LoginInterrupted { .. }
            | DeviceError::Disconnected { .. } => ErrorCode::CouldNotConnect,
            DeviceError::HostKeyMismatch { .. } | DeviceError::BadPinnedKey(_) => {
                ErrorCode::HostKeyMismatch
            }
            DeviceError::Timeout { .. } | DeviceError::LoginTimeout { .. } => ErrorCode::Timeout,
            DeviceError::ConfigSyntax { .. } => ErrorCode::ConfigSyntax,
            DeviceError::ApplyFailed { .. } => ErrorCode::ConfigApplyFailure,
            DeviceError::Command { .. }
            | DeviceError::UnexpectedOutput { .. }
            | DeviceError::OutputTooLarge { .. } => ErrorCode::UnexpectedDeviceOutput,
            DeviceError::UnsafeArgument { .. } => ErrorCode::InternalError,
        }
    }

    /// Whether a login that ended with this error may have cost the account a failed login on
    /// the switch: the password was sent and no success was seen.
    pub fn password_may_have_failed(&self) -> bool {
        matches!(
            self,
            DeviceError::AuthenticationFailed { .. }
                | DeviceError::LoginTimeout { .. }
                | DeviceError::LoginInterrupted { .. }
        )
    }

    /// Whether trying again later may help: connection problems and timeouts.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            DeviceError::Connect { .. }
                | DeviceError::Timeout { .. }
                | DeviceError::LoginTimeout { .. }
                | DeviceError::LoginInterrupted { .. }
                | DeviceError::Disconnected { .. }
        )
    }
}

/// Replaces anything that looks like a crypt hash (`$6$...`, `$5$...`, `$y$...`, `$1$...`) with
/// `*`, so device output quoted in an error can never carry a hash.
pub fn redact_hashes(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('$') {
        let candidate = &rest[start..];
        let is_hash = ["$6$", "$5$", "$1$", "$y$", "$2b$", "$2a$"]
            .iter()
            .any(|prefix| candidate.starts_with(prefix));
        out.push_str(&rest[..start]);
        if is_hash {
            let end = candidate
                .find(|c: char| c.is_whitespace() || matches!(c, '\'' | '"' | ',' | '}' | ']'))
                .unwrap_or(candidate.len());
            out.push('*');
            rest = &candidate[end..];
        } else {
            out.push('$');
            rest = &candidate[1..];
        }
    }
    out.push_str(rest);
    out
}

/// Truncates device output for an error message, with hashes redacted.
pub(crate) fn excerpt(text: &str) -> String {
    let text = redact_hashes(text.trim());
    let text = text.as_str();
    let mut out: String = text.chars().take(300).collect();
    if text.chars().count() > 300 {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_redacted_from_device_output() {
        let text = "error at line 3: hashed-password: '$6$abc$def/ghi' and $HOME and $6$x$y";
        assert_eq!(
            redact_hashes(text),
            "error at line 3: hashed-password: '*' and $HOME and *"
        );
        assert_eq!(excerpt(&"x".repeat(400)).chars().count(), 301);
    }
}
