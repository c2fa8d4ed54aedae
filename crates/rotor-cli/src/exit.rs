//! Exit codes and the one-line errors the command prints: how a gRPC status, an unreachable
//! server or a bad input file becomes `rotor: <what happened>` and a number a script can test.

use std::error::Error as _;
use std::fmt;

/// What `rotor` exits with. The numbers are part of the command's contract (see `--help` and
/// `docs/cli.md`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// The command did what was asked; with `--wait`, the operation succeeded.
    Success,
    /// The command line is wrong (clap prints the usage).
    Usage,
    /// The request was rejected or is invalid: a guardrail (`OperationNotAllowed`), a malformed
    /// request (`InvalidRequest`), a bad input file, a lock held by someone else.
    Rejected,
    /// With `--wait`: the operation failed with `PartialSuccess` (some devices were updated).
    PartialSuccess,
    /// With `--wait`: the operation failed and updated no device (`RotationFailed`,
    /// `ResyncFailed`).
    Failed,
    /// The Rotor API cannot be reached, or it answered with a server error; `rotor up` and
    /// `rotor demo` also use it when the local stack cannot start.
    Unavailable,
    /// The fabric, device, operation or backup does not exist.
    NotFound,
    /// The API does not know the caller (no token, or one it does not trust) or its policy does
    /// not grant the caller the role the verb needs.
    Denied,
    /// With `--wait`: the failure brake halted the operation (`Halted`; `rotor operation
    /// resume` continues it).
    Halted,
    /// With `--wait`: the operation was cancelled (`Cancelled`).
    Cancelled,
    /// `rotor demo` was stopped by Ctrl-C or SIGTERM (the shell's usual 128 + SIGINT).
    Interrupted,
}

impl Exit {
    /// The process exit status for this outcome.
    pub fn code(self) -> u8 {
        match self {
            Exit::Success => 0,
            Exit::Usage => 2,
            Exit::Rejected => 3,
            Exit::PartialSuccess => 4,
            Exit::Failed => 5,
            Exit::Unavailable => 6,
            Exit::NotFound => 7,
            Exit::Denied => 8,
            Exit::Halted => 9,
            Exit::Cancelled => 10,
            Exit::Interrupted => 130,
        }
    }
}

/// The exit codes as `--help` prints them.
pub const EXIT_CODES_HELP: &str = "\
Exit codes:
  0  succeeded (with --wait: the operation succeeded on every device)
  2  usage error (a missing or unknown flag)
  3  rejected or invalid: a guardrail (OperationNotAllowed: upgrade, fabric locked, too many
     password sets, unknown name), a malformed request (InvalidRequest), a bad input file
  4  with --wait: partially succeeded (operation Failed with PartialSuccess)
  5  with --wait: failed, no device updated (RotationFailed / ResyncFailed)
  6  cannot reach the Rotor API, or it answered with a server error
  7  not found: unknown fabric, device, operation or backup
  8  not authenticated (no token, or one the API does not trust: set ROTOR_TOKEN) or not
     authorized (the API's policy does not grant you the role)
  9  with --wait: halted by the failure brake (operation Halted; `rotor operation resume`)
  10 with --wait: cancelled (operation Cancelled)";

/// An error the command reports in one line on stderr, with the exit code it implies.
#[derive(Debug)]
pub struct CliError {
    /// The exit code to leave with.
    pub exit: Exit,
    /// What happened, in one line (printed after `rotor: `).
    pub message: String,
}

impl CliError {
    /// An error with an exit code and a message.
    pub fn new(exit: Exit, message: impl Into<String>) -> CliError {
        CliError {
            exit,
            message: message.into(),
        }
    }

    /// A usage error ([`Exit::Usage`]).
    pub fn usage(message: impl Into<String>) -> CliError {
        CliError::new(Exit::Usage, message)
    }

    /// A rejected or invalid request, or a bad input file ([`Exit::Rejected`]).
    pub fn rejected(message: impl Into<String>) -> CliError {
        CliError::new(Exit::Rejected, message)
    }

    /// The API cannot be reached or failed, or the local stack cannot start
    /// ([`Exit::Unavailable`]).
    pub fn unavailable(message: impl Into<String>) -> CliError {
        CliError::new(Exit::Unavailable, message)
    }

    /// The server could not be reached at all.
    pub fn unreachable(server: &str, reason: impl fmt::Display) -> CliError {
        CliError::unavailable(format!(
            "cannot reach the Rotor API at {server} (is `rotor up` running?): {reason}"
        ))
    }

    /// A gRPC status from the API, as one line and an exit code.
    pub fn from_status(server: &str, status: &tonic::Status) -> CliError {
        use tonic::Code;
        let message = status.message().trim();
        match status.code() {
            Code::NotFound => CliError::new(Exit::NotFound, message),
            Code::InvalidArgument => CliError::rejected(format!("invalid request: {message}")),
            Code::FailedPrecondition => CliError::rejected(format!("not allowed: {message}")),
            Code::Unauthenticated => CliError::new(
                Exit::Denied,
                format!("the Rotor API at {server} does not know who you are: {message}"),
            ),
            Code::PermissionDenied => {
                CliError::new(Exit::Denied, format!("permission denied: {message}"))
            }
            Code::Unavailable | Code::Unknown
                if status.source().is_some() || message.contains("transport error") =>
            {
                CliError::unreachable(server, error_chain(status))
            }
            Code::Unavailable => CliError::unavailable(format!(
                "the Rotor API at {server} is unavailable: {message}"
            )),
            Code::DeadlineExceeded => CliError::unavailable(format!(
                "the Rotor API at {server} did not answer in time: {message}"
            )),
            code => CliError::unavailable(format!(
                "the Rotor API at {server} failed ({code:?}): {message}"
            )),
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CliError {}

/// An error and its sources as one line (`a: b: c`), without repeating a source whose text the
/// outer message already contains.
pub fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !cause_text.is_empty() && !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_map_to_exit_codes() {
        let server = "http://127.0.0.1:1";
        let check = |status: tonic::Status| CliError::from_status(server, &status).exit;
        assert_eq!(check(tonic::Status::not_found("no")), Exit::NotFound);
        assert_eq!(
            check(tonic::Status::invalid_argument("bad")),
            Exit::Rejected
        );
        assert_eq!(
            check(tonic::Status::failed_precondition("locked")),
            Exit::Rejected
        );
        assert_eq!(check(tonic::Status::internal("bug")), Exit::Unavailable);
        assert_eq!(check(tonic::Status::unavailable("down")), Exit::Unavailable);
        let codes: Vec<u8> = [
            Exit::Success,
            Exit::Usage,
            Exit::Rejected,
            Exit::PartialSuccess,
            Exit::Failed,
            Exit::Unavailable,
            Exit::NotFound,
        ]
        .map(Exit::code)
        .to_vec();
        assert_eq!(codes, vec![0, 2, 3, 4, 5, 6, 7]);
    }
}
