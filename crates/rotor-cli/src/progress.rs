//! `--wait`: polling an operation until it ends, the live progress line on stderr (a bar that
//! redraws itself on a terminal, a plain line every few seconds otherwise), and the exit code
//! the operation's end implies.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

use rotor_proto::v1::{ErrorCode, OperationState, OperationStatus, ShowOperationRequest};

use crate::client::Client;
use crate::exit::{CliError, Exit};

/// How often the operation is polled.
pub const POLL_INTERVAL: Duration = Duration::from_millis(200);
/// How often a progress line is printed when stderr is not a terminal.
pub const PLAIN_LINE_INTERVAL: Duration = Duration::from_secs(3);
const BAR_WIDTH: usize = 30;

/// Whether an operation has ended.
pub fn is_finished(status: &OperationStatus) -> bool {
    matches!(
        OperationState::try_from(status.status),
        Ok(OperationState::Succeeded
            | OperationState::Failed
            | OperationState::Halted
            | OperationState::Cancelled)
    )
}

/// The exit code an ended operation implies: 0 succeeded, 4 partially, 5 no device updated,
/// 9 halted, 10 cancelled.
pub fn operation_exit(status: &OperationStatus) -> Exit {
    match OperationState::try_from(status.status) {
        Ok(OperationState::Succeeded) => Exit::Success,
        Ok(OperationState::Failed) => {
            let code = status
                .error
                .as_ref()
                .and_then(|e| ErrorCode::try_from(e.code).ok());
            if code == Some(ErrorCode::PartialSuccess) {
                Exit::PartialSuccess
            } else {
                Exit::Failed
            }
        }
        Ok(OperationState::Halted) => Exit::Halted,
        Ok(OperationState::Cancelled) => Exit::Cancelled,
        _ => Exit::Unavailable,
    }
}

/// `wave w/W (name): n/N completed: x updated, y failed, z in progress` (the wave when the
/// operation has more than one; `, k not attempted` once some are).
pub fn progress_text(status: &OperationStatus) -> String {
    let total = status.total_devices;
    let done = status.succeeded_devices + status.failed_devices + status.not_attempted_devices;
    let wave = match &status.rollout {
        Some(rollout) if rollout.wave_count > 1 => {
            let pausing = if rollout.pause_until.is_empty() {
                String::new()
            } else {
                format!(", pausing until {}", rollout.pause_until)
            };
            format!(
                "wave {}/{} ({}{pausing}): ",
                rollout.current_wave, rollout.wave_count, rollout.current_wave_name
            )
        }
        _ => String::new(),
    };
    let not_attempted = match status.not_attempted_devices {
        0 => String::new(),
        n => format!(", {n} not attempted"),
    };
    format!(
        "{wave}{done}/{total} completed: {} updated, {} failed, {} in progress{not_attempted}",
        status.succeeded_devices,
        status.failed_devices,
        total.saturating_sub(done)
    )
}

/// The progress display of one operation.
#[derive(Debug)]
pub struct Progress {
    operation_id: String,
    terminal: bool,
    last_plain_line: Option<Instant>,
}

impl Progress {
    /// A progress display for `operation_id`: a live line on a terminal, occasional plain lines
    /// otherwise.
    pub fn new(operation_id: &str) -> Progress {
        Progress {
            operation_id: operation_id.to_string(),
            terminal: std::io::stderr().is_terminal(),
            last_plain_line: None,
        }
    }

    fn bar(status: &OperationStatus) -> String {
        let total = status.total_devices.max(1) as usize;
        let done = (status.succeeded_devices + status.failed_devices + status.not_attempted_devices)
            as usize;
        let filled = (done * BAR_WIDTH / total).min(BAR_WIDTH);
        format!("[{}{}]", "#".repeat(filled), "-".repeat(BAR_WIDTH - filled))
    }

    /// Shows the operation's progress so far.
    pub fn update(&mut self, status: &OperationStatus) {
        let mut stderr = std::io::stderr().lock();
        if self.terminal {
            let _ = write!(
                stderr,
                "\r\x1b[2K{} {}",
                Self::bar(status),
                progress_text(status)
            );
            let _ = stderr.flush();
        } else if self
            .last_plain_line
            .is_none_or(|at| at.elapsed() >= PLAIN_LINE_INTERVAL)
        {
            let _ = writeln!(
                stderr,
                "operation {}: {}",
                self.operation_id,
                progress_text(status)
            );
            self.last_plain_line = Some(Instant::now());
        }
    }

    /// Shows the final state and ends the line.
    pub fn finish(&mut self, status: &OperationStatus) {
        let mut stderr = std::io::stderr().lock();
        if self.terminal {
            let _ = writeln!(
                stderr,
                "\r\x1b[2K{} {}",
                Self::bar(status),
                progress_text(status)
            );
        } else {
            let _ = writeln!(
                stderr,
                "operation {}: {} ({})",
                self.operation_id,
                progress_text(status),
                crate::output::state_name(status.status)
            );
        }
    }
}

/// Polls an operation until it ends, showing progress, and returns it with every device's
/// result.
pub async fn wait_for_operation(
    server: &str,
    client: &mut Client,
    operation_id: &str,
) -> Result<OperationStatus, CliError> {
    let mut progress = Progress::new(operation_id);
    loop {
        let status = client
            .show_operation(ShowOperationRequest {
                operation_id: operation_id.to_string(),
                omit_devices: true,
            })
            .await
            .map_err(|status| CliError::from_status(server, &status))?
            .into_inner();
        if is_finished(&status) {
            progress.finish(&status);
            break;
        }
        progress.update(&status);
        tokio::time::sleep(POLL_INTERVAL).await;
    }
    Ok(client
        .show_operation(ShowOperationRequest {
            operation_id: operation_id.to_string(),
            omit_devices: false,
        })
        .await
        .map_err(|status| CliError::from_status(server, &status))?
        .into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rotor_proto::v1::Error;

    #[test]
    fn progress_and_exit_codes_follow_the_counts() {
        let mut status = OperationStatus {
            total_devices: 24,
            succeeded_devices: 10,
            failed_devices: 2,
            status: OperationState::InProgress as i32,
            ..Default::default()
        };
        assert_eq!(
            progress_text(&status),
            "12/24 completed: 10 updated, 2 failed, 12 in progress"
        );
        assert_eq!(
            Progress::bar(&status),
            format!("[{}{}]", "#".repeat(15), "-".repeat(15))
        );
        assert!(!is_finished(&status));
        status.status = OperationState::Failed as i32;
        status.error = Some(Error {
            code: ErrorCode::PartialSuccess as i32,
            message: String::new(),
        });
        assert_eq!(operation_exit(&status), Exit::PartialSuccess);
        status.error = Some(Error {
            code: ErrorCode::RotationFailed as i32,
            message: String::new(),
        });
        assert_eq!(operation_exit(&status), Exit::Failed);
        status.status = OperationState::Succeeded as i32;
        status.error = None;
        assert_eq!(operation_exit(&status), Exit::Success);
        status.status = OperationState::Halted as i32;
        assert!(is_finished(&status));
        assert_eq!(operation_exit(&status), Exit::Halted);
        status.status = OperationState::Cancelled as i32;
        assert_eq!(operation_exit(&status), Exit::Cancelled);
    }

    #[test]
    fn progress_shows_the_wave_and_devices_not_attempted() {
        let status = OperationStatus {
            total_devices: 200,
            succeeded_devices: 3,
            failed_devices: 1,
            not_attempted_devices: 196,
            status: OperationState::Halted as i32,
            rollout: Some(rotor_proto::v1::RolloutProgress {
                current_wave: 1,
                wave_count: 9,
                current_wave_name: "canary".into(),
                ..Default::default()
            }),
            ..Default::default()
        };
        assert_eq!(
            progress_text(&status),
            "wave 1/9 (canary): 200/200 completed: 3 updated, 1 failed, 0 in progress, 196 not attempted"
        );
    }
}
