//! NVUE's `nv` command: `nv set|unset|show` and `nv config show|diff|apply|replace|patch|detach|
//! revision|history|save`, with NVUE's output shapes, error messages and exit codes. This module
//! dispatches to the handlers, turns their `NvueError` into the command's output, and holds
//! what they share (the permission check for changes).
//!
//! - `options`: `-o`, `-r`, `-y`, `-m`, ... and the output formats a command allows.
//! - `printing`: JSON, YAML, tables and lines as NVUE prints them.
//! - `validate`: which paths and values NVUE accepts, for `nv set` and configuration files.
//! - `passwords`: how a user's password value is stored (hashed, never as plaintext).
//! - `set`: `nv set`, `nv unset`.
//! - `show`: `nv show`.
//! - `config_commands`: `nv config ...`.

mod config_commands;
mod options;
mod passwords;
mod printing;
mod set;
mod show;
mod validate;

use std::sync::MutexGuard;

use crate::device::{Device, DeviceState};
use crate::latency::OperationClass;
use crate::shell::{CommandResult, ExecContext};

/// Why an `nv` command failed: it prints `Error: <message>` on stderr (after a `Warning: ...`
/// line, if there is one) and exits with status 1. [`run`] is the one place that turns it into
/// the command's output.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub(crate) struct NvueError {
    warning: Option<String>,
    message: String,
}

impl NvueError {
    pub(crate) fn new(message: impl Into<String>) -> NvueError {
        NvueError {
            warning: None,
            message: message.into(),
        }
    }

    /// The same error, printed after `Warning: <warning>`.
    pub(crate) fn after_warning(self, warning: impl Into<String>) -> NvueError {
        NvueError {
            warning: Some(warning.into()),
            ..self
        }
    }

    /// What follows `Error: `.
    pub(crate) fn message(&self) -> &str {
        &self.message
    }
}

impl From<NvueError> for CommandResult {
    fn from(error: NvueError) -> CommandResult {
        let error_line = format!("Error: {}", error.message);
        let stderr = match error.warning {
            Some(warning) => format!("Warning: {warning}\n{error_line}"),
            None => error_line,
        };
        CommandResult::failure(1, stderr)
    }
}

/// What an `nv` handler answers: its output, or the error that stopped it.
pub(crate) type NvueResult = Result<CommandResult, NvueError>;

const NV_USAGE: &str = "\
Usage:
  nv [options] <command> [<args>] ...

Description:
  NVUE command line interface.

Commands:
  show    Show configuration and operational state
  set     Set a configuration value in the pending revision
  unset   Remove a configuration value from the pending revision
  config  Manage configuration revisions (show, diff, apply, replace, patch, detach, revision, history, save)
";

/// Runs `nv` with `arguments` (the words after `nv`).
pub(crate) fn run(device: &Device, context: &ExecContext, arguments: &[String]) -> CommandResult {
    dispatch(device, context, arguments).unwrap_or_else(CommandResult::from)
}

fn dispatch(device: &Device, context: &ExecContext, arguments: &[String]) -> NvueResult {
    match arguments.first().map(String::as_str) {
        None | Some("-h") | Some("--help") => Ok(CommandResult::success(NV_USAGE)),
        Some("set") => set::nv_set(device, context, &arguments[1..]),
        Some("unset") => set::nv_unset(device, context, &arguments[1..]),
        Some("show") => show::nv_show(device, &arguments[1..]),
        Some("config") => dispatch_config(device, context, arguments),
        _ => Err(invalid_command(arguments)),
    }
}

/// `nv config <command> ...`; `arguments` start with `config`.
fn dispatch_config(device: &Device, context: &ExecContext, arguments: &[String]) -> NvueResult {
    let rest = &arguments[arguments.len().min(2)..];
    match arguments.get(1).map(String::as_str) {
        Some("show") => config_commands::config_show(device, rest),
        Some("diff") => config_commands::config_diff(device, rest),
        Some("apply") => config_commands::config_apply(device, context, rest),
        Some("replace") => config_commands::config_replace(device, context, rest),
        Some("patch") => config_commands::config_patch(device, context, rest),
        Some("detach") => config_commands::config_detach(device),
        Some("revision") => config_commands::config_revision(device, rest),
        Some("history") => config_commands::config_history(device, rest),
        Some("save") => Ok(CommandResult::default()),
        _ => Err(invalid_command(arguments)),
    }
}

fn invalid_command(arguments: &[String]) -> NvueError {
    NvueError::new(format!("Invalid Command: nv {}", arguments.join(" ")))
}

/// The latency class of `nv` with these arguments.
pub(crate) fn operation_class(arguments: &[String]) -> OperationClass {
    let positional: Vec<&str> = arguments
        .iter()
        .map(String::as_str)
        .filter(|word| !word.starts_with('-'))
        .collect();
    match positional.as_slice() {
        ["show", ..] => OperationClass::Show,
        ["config", "show" | "revision" | "history", ..] => OperationClass::Show,
        ["config", "replace", ..] => OperationClass::Replace,
        ["config", "patch", ..] => OperationClass::Patch,
        ["config", "diff", ..] => OperationClass::Diff,
        ["config", "apply", ..] => OperationClass::Apply,
        _ => OperationClass::Other,
    }
}

/// Whether these `nv` arguments are an `nv config apply` not told yes or no already (`-y`,
/// `--assume-yes`, `--assume-no`), which asks for confirmation.
pub(crate) fn is_unanswered_apply(arguments: &[String]) -> bool {
    let is_apply = arguments.len() >= 2 && arguments[0] == "config" && arguments[1] == "apply";
    let answered = arguments
        .iter()
        .any(|word| matches!(word.as_str(), "-y" | "--assume-yes" | "--assume-no"));
    is_apply && !answered
}

/// The device's state for a change by `user` (refused for a read-only role).
fn lock_for_change<'a>(
    device: &'a Device,
    user: &str,
) -> Result<MutexGuard<'a, DeviceState>, NvueError> {
    let state = device.lock();
    match state.user_role(user) {
        Some(role) if device.platform.is_read_only_role(&role) => Err(NvueError::new(
            "You do not have permission to perform this operation",
        )),
        _ => Ok(state),
    }
}

#[cfg(test)]
mod tests {
    use crate::device::test_device;
    use crate::platform::Platform;
    use crate::shell::ExecContext;
    use crate::shell::run_line;
    use crate::shell::testing::{NEW_HASH, run};

    #[tokio::test]
    async fn invalid_paths_values_and_commands_fail_like_nvue_and_bash() {
        let device = test_device(Platform::Cumulus);
        let invalid = run(&device, "nv set bogus thing 1").await;
        assert_eq!(invalid.exit_status, 1);
        assert_eq!(
            invalid.stderr_text(),
            "Error: Invalid config path: bogus thing\n"
        );
        let role = run(&device, "nv set system aaa user bob role wizard").await;
        assert_eq!(role.exit_status, 1);
        assert!(role.stderr_text().contains("is not one of"));
        let plaintext = run(
            &device,
            "nv set system aaa user bob hashed-password hunter2",
        )
        .await;
        assert_eq!(plaintext.exit_status, 1);
        assert!(!plaintext.stderr_text().contains("hunter2"));
        let unknown = run(&device, "frobnicate now").await;
        assert_eq!(unknown.exit_status, 127);
        assert_eq!(
            unknown.stderr_text(),
            "-bash: frobnicate: command not found\n"
        );
        let quote = run(&device, "echo 'open").await;
        assert_eq!(quote.exit_status, 2);
        let nv = run(&device, "nv frobnicate").await;
        assert_eq!(nv.exit_status, 1);
        assert!(device.candidate_config().is_none());
    }

    #[tokio::test]
    async fn monitor_roles_cannot_change_the_configuration() {
        let device = test_device(Platform::Cumulus);
        let context = ExecContext {
            user: "auditor".into(),
            interactive: false,
            last_status: 0,
        };
        let output = run_line(&device, &context, "nv set system hostname x", None).await;
        assert_eq!(output.exit_status, 1);
        assert!(output.stderr_text().contains("permission"));
        let shown = run_line(&device, &context, "nv config show", None).await;
        assert_eq!(shown.exit_status, 0);
    }

    #[tokio::test]
    async fn nvos_uses_password_and_its_own_objects() {
        let device = test_device(Platform::Nvos);
        let show = run(&device, "nv config show").await.stdout_text();
        assert!(show.contains("password: '*'"), "{show}");
        assert!(show.contains("version: NVOS 25.02"), "{show}");
        let wrong_key = run(
            &device,
            &format!("nv set system aaa user admin hashed-password '{NEW_HASH}'"),
        )
        .await;
        assert_eq!(wrong_key.exit_status, 1);
        let router = run(&device, "nv set router bgp autonomous-system 65000").await;
        assert_eq!(
            router.stderr_text(),
            "Error: Invalid config path: router bgp autonomous-system\n"
        );
        let swp = run(&device, "nv set interface sw1p1 type swp").await;
        assert_eq!(swp.exit_status, 1);
        run(
            &device,
            &format!("nv set system aaa user admin password '{NEW_HASH}'"),
        )
        .await;
        assert_eq!(
            run(&device, "nv config diff -o commands")
                .await
                .stdout_text(),
            "nv set system aaa user admin password *\n"
        );
        let users = run(&device, "nv show system aaa user -o json")
            .await
            .stdout_text();
        let parsed: serde_json::Value = serde_json::from_str(&users).unwrap();
        assert_eq!(parsed["monitor"]["role"], "system-monitor");
        assert_eq!(parsed["admin"]["role"], "system-admin");
    }
}
