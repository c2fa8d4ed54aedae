//! NVUE's `nv` command: `nv set|unset|show`, `nv config show|diff|apply|replace|patch|detach|
//! revision|history|save` and `nv action clear system aaa authentication restrictions`, with
//! NVUE's output shapes, error messages and exit codes. This module dispatches to the handlers,
//! turns their `NvueError` into the command's output, and holds what they share (the
//! permission check for changes).
//!
//! - `options`: `-o`, `-r`, `-y`, `-m`, `--confirm`, ... and the output formats a command allows.
//! - `printing`: JSON, YAML, tables and lines as NVUE prints them.
//! - `validate`: which paths and values NVUE accepts, for `nv set` and configuration files.
//! - `passwords`: how a user's password value is stored (hashed, never as plaintext).
//! - `hardening`: NVOS password hardening.
//! - `set`: `nv set`, `nv unset`.
//! - `show`: `nv show`.
//! - `apply`: `nv config apply`, its warnings, auto-save and commit-confirm.
//! - `config_commands`: the other `nv config ...` commands.
//! - `action`: `nv action ...`.

mod action;
mod apply;
mod config_commands;
mod hardening;
mod options;
mod passwords;
mod printing;
mod set;
mod show;
mod validate;

pub(crate) use apply::{DECLINED as DECLINED_APPLY, unanswered_apply_warnings};

use std::sync::MutexGuard;

use crate::device::{Device, DeviceState};
use crate::latency::OperationClass;
use crate::shell::{CommandResult, ExecContext};

/// Why an `nv` command failed: it prints `Error: <message>` on stderr and exits with status 1.
/// [`run`] is the one place that turns it into the command's output. (Refusals that are not
/// `Error:` lines, such as a declined apply, are answered as a failed [`CommandResult`].)
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub(crate) struct NvueError {
    message: String,
}

impl NvueError {
    pub(crate) fn new(message: impl Into<String>) -> NvueError {
        NvueError {
            message: message.into(),
        }
    }

    /// What follows `Error: `.
    pub(crate) fn message(&self) -> &str {
        &self.message
    }
}

impl From<NvueError> for CommandResult {
    fn from(error: NvueError) -> CommandResult {
        CommandResult::failure(1, format!("Error: {}", error.message))
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

/// Options NVUE takes before the command too (`nv -y config apply`, `nv --assume-no config
/// apply`, as NGTS runs them).
const GLOBAL_OPTIONS: [&str; 4] = ["-y", "--y", "--assume-yes", "--assume-no"];

/// The words with leading global options moved after the command.
fn with_global_options_last(arguments: &[String]) -> Vec<String> {
    let leading = arguments
        .iter()
        .take_while(|word| GLOBAL_OPTIONS.contains(&word.as_str()))
        .count();
    let mut words = arguments[leading..].to_vec();
    words.extend_from_slice(&arguments[..leading]);
    words
}

/// Runs `nv` with `arguments` (the words after `nv`); `stdin` is the command's standard input
/// (read by `nv config replace|patch /dev/stdin`).
pub(crate) fn run(
    device: &Device,
    context: &ExecContext,
    arguments: &[String],
    stdin: &[u8],
) -> CommandResult {
    let arguments = with_global_options_last(arguments);
    dispatch(device, context, &arguments, stdin).unwrap_or_else(CommandResult::from)
}

fn dispatch(
    device: &Device,
    context: &ExecContext,
    arguments: &[String],
    stdin: &[u8],
) -> NvueResult {
    match arguments.first().map(String::as_str) {
        None | Some("-h") | Some("--help") => Ok(CommandResult::success(NV_USAGE)),
        Some("set") => set::nv_set(device, context, &arguments[1..]),
        Some("unset") => set::nv_unset(device, context, &arguments[1..]),
        Some("show") => show::nv_show(device, &arguments[1..]),
        Some("config") => dispatch_config(device, context, arguments, stdin),
        Some("action") => action::nv_action(device, context, arguments),
        _ => Err(invalid_command(arguments)),
    }
}

/// `nv config <command> ...`; `arguments` start with `config`.
fn dispatch_config(
    device: &Device,
    context: &ExecContext,
    arguments: &[String],
    stdin: &[u8],
) -> NvueResult {
    let rest = &arguments[arguments.len().min(2)..];
    match arguments.get(1).map(String::as_str) {
        Some("show") => config_commands::config_show(device, rest),
        Some("diff") => config_commands::config_diff(device, rest),
        Some("apply") => apply::config_apply(device, context, rest),
        Some("replace") => config_commands::config_replace(device, context, rest, stdin),
        Some("patch") => config_commands::config_patch(device, context, rest, stdin),
        Some("detach") => config_commands::config_detach(device, context),
        Some("revision") => config_commands::config_revision(device, rest),
        Some("history") => config_commands::config_history(device, rest),
        Some("save") => config_commands::config_save(device, context),
        _ => Err(invalid_command(arguments)),
    }
}

/// Whether these `nv` arguments read the command's standard input: `nv config replace|patch
/// /dev/stdin`.
pub(crate) fn reads_stdin(arguments: &[String]) -> bool {
    let arguments = with_global_options_last(arguments);
    matches!(
        arguments
            .get(..2)
            .map(|words| [words[0].as_str(), words[1].as_str()]),
        Some(["config", "replace" | "patch"])
    ) && arguments[2..]
        .iter()
        .any(|word| word == config_commands::STDIN_FILE)
}

fn invalid_command(arguments: &[String]) -> NvueError {
    NvueError::new(format!("Invalid Command: nv {}", arguments.join(" ")))
}

/// The latency class of `nv` with these arguments.
pub(crate) fn operation_class(arguments: &[String]) -> OperationClass {
    let arguments = with_global_options_last(arguments);
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

/// Whether these `nv` arguments are an `nv config apply` of the candidate not told yes or no
/// already (`-y`, `--y`, `--assume-yes`, `--assume-no`, or a `--confirm-*` answer), which asks
/// for confirmation when the apply raises warnings.
pub(crate) fn is_unanswered_apply(arguments: &[String]) -> bool {
    let arguments = with_global_options_last(arguments);
    let is_apply = arguments.len() >= 2 && arguments[0] == "config" && arguments[1] == "apply";
    let answered = arguments.iter().any(|word| {
        GLOBAL_OPTIONS.contains(&word.as_str())
            || matches!(
                word.as_str(),
                "--confirm-yes" | "--confirm-no" | "--confirm-status"
            )
    });
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
    async fn nvos_hashes_password_keeps_hashed_password_and_has_its_own_objects() {
        let device = test_device(Platform::Nvos);
        let show = run(&device, "nv config show").await.stdout_text();
        assert!(show.contains("hashed-password: '*'"), "{show}");
        assert!(!show.contains("$6$"), "{show}");
        assert!(show.contains("version: NVOS 25.02"), "{show}");
        // `hashed-password` takes a crypt hash as it is.
        let hashed = run(
            &device,
            &format!("nv set system aaa user admin hashed-password '{NEW_HASH}'"),
        )
        .await;
        assert_eq!(hashed.exit_status, 0, "{}", hashed.stderr_text());
        let candidate = device.candidate_config().unwrap();
        assert_eq!(
            candidate
                .root
                .leaf_text(&["system", "aaa", "user", "admin", "hashed-password"])
                .as_deref(),
            Some(NEW_HASH)
        );
        run(&device, "nv config detach").await;
        let router = run(&device, "nv set router bgp autonomous-system 65000").await;
        assert_eq!(
            router.stderr_text(),
            "Error: Invalid config path: router bgp autonomous-system\n"
        );
        let swp = run(&device, "nv set interface sw1p1 type swp").await;
        assert_eq!(swp.exit_status, 1);
        // `password` is plaintext: even a `$6$...` string is hashed, as the literal password.
        let literal = "$6$Looks-Like-A-Hash1";
        let set = run(
            &device,
            &format!("nv set system aaa user admin password '{literal}'"),
        )
        .await;
        assert_eq!(set.exit_status, 0, "{}", set.stderr_text());
        assert_eq!(
            run(&device, "nv config diff -o commands")
                .await
                .stdout_text(),
            "nv set system aaa user admin hashed-password *\n"
        );
        let stored = device
            .candidate_config()
            .unwrap()
            .root
            .leaf_text(&["system", "aaa", "user", "admin", "hashed-password"])
            .unwrap();
        assert!(pwhash::sha512_crypt::verify(literal, &stored));
        let users = run(&device, "nv show system aaa user -o json")
            .await
            .stdout_text();
        let parsed: serde_json::Value = serde_json::from_str(&users).unwrap();
        assert_eq!(parsed["monitor"]["role"], "monitor");
        assert_eq!(parsed["admin"]["role"], "admin");
        let admin = run(&device, "nv show system aaa user admin -o json")
            .await
            .stdout_text();
        let parsed: serde_json::Value = serde_json::from_str(&admin).unwrap();
        assert_eq!(parsed["password"], "*");
        assert_eq!(parsed["hashed-password"], "*");
        let old_role = run(&device, "nv set system aaa user bob role system-admin").await;
        assert!(
            old_role
                .stderr_text()
                .contains("is not one of ['admin', 'monitor']")
        );
    }
}
