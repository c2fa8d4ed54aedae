//! The login shell of a simulated device: runs a command line (lists, pipelines, redirections,
//! `sudo`, `exit`) and hands each command to `nv` ([`crate::nvue`]) or to the few coreutils a
//! session needs, with real output shapes, error messages and exit codes. No SSH here: a command
//! line goes in, stdout, stderr and an exit status come out, so everything is testable without a
//! connection.
//!
//! - [`syntax`]: parsing a line as bash does (quoting, lists, redirections, here-documents).
//! - `redirect`: where a command's input comes from and its output goes.
//! - `coreutils`: `cat`, `rm`, `grep`, `head`, `tail`, `wc`, `echo`, `hostname`, ...

mod coreutils;
mod redirect;
pub mod syntax;
#[cfg(test)]
pub(crate) mod testing;

use crate::device::Device;
use crate::latency::OperationClass;
use crate::nvue;
use crate::platform::Platform;
use redirect::{command_stdin, route_output};
use syntax::{CommandList, Connector, LAST_STATUS_MARK, ShellError, parse};

/// Who runs commands, and how.
#[derive(Clone, Debug)]
pub struct ExecContext {
    /// The logged-in user.
    pub user: String,
    /// An interactive shell with a terminal (prompts and confirmations), as opposed to an
    /// `exec` request or a shell without a terminal.
    pub interactive: bool,
    /// The exit status of the previous command line in this shell (what a bare `exit` returns).
    pub last_status: u32,
}

/// What running a command line produced.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Output {
    /// What the command line wrote to standard output.
    pub stdout: Vec<u8>,
    /// What the command line wrote to standard error.
    pub stderr: Vec<u8>,
    /// The exit status of the command line (its last command's, as in bash).
    pub exit_status: u32,
    /// The connection must be dropped now, with no output and no exit status
    /// (`drop_after_apply`).
    pub drop_connection: bool,
    /// `exit` or `logout` ran: an interactive shell ends.
    pub exit_requested: bool,
}

impl Output {
    /// Standard output as text (lossy UTF-8).
    pub fn stdout_text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    /// Standard error as text (lossy UTF-8).
    pub fn stderr_text(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }
}

/// The result of one simple command, before redirection.
#[derive(Debug, Default)]
pub(crate) struct CommandResult {
    pub(crate) stdout: Vec<u8>,
    pub(crate) stderr: Vec<u8>,
    pub(crate) status: u32,
    pub(crate) drop_connection: bool,
    /// How long the answer is held back after the command took effect (`stall_apply`).
    pub(crate) hold_back: std::time::Duration,
}

impl CommandResult {
    pub(crate) fn success(stdout: impl Into<Vec<u8>>) -> CommandResult {
        CommandResult {
            stdout: stdout.into(),
            ..CommandResult::default()
        }
    }

    pub(crate) fn failure(status: u32, stderr: impl Into<String>) -> CommandResult {
        let mut stderr = stderr.into();
        if !stderr.ends_with('\n') {
            stderr.push('\n');
        }
        CommandResult {
            stderr: stderr.into_bytes(),
            status,
            ..CommandResult::default()
        }
    }
}

/// Parses a command line (as a whole, as an `exec` request gives it) and runs it.
pub async fn run_line(
    device: &Device,
    context: &ExecContext,
    line: &str,
    session_stdin: Option<Vec<u8>>,
) -> Output {
    match parse(line, true) {
        Ok(list) => run_list(device, context, &list, session_stdin).await,
        Err(error) => shell_error_output(context, &error),
    }
}

/// How bash reports a line it cannot parse.
pub fn shell_error_output(context: &ExecContext, error: &ShellError) -> Output {
    let prefix = if context.interactive {
        "-bash: "
    } else {
        "bash: -c: line 1: "
    };
    Output {
        stderr: format!("{prefix}{error}\n").into_bytes(),
        exit_status: 2,
        ..Output::default()
    }
}

/// Removes a leading `sudo` and its options.
fn strip_sudo(words: &[String]) -> (&[String], bool) {
    if words.first().is_some_and(|word| word == "sudo") {
        let mut rest = &words[1..];
        while rest
            .first()
            .is_some_and(|word| matches!(word.as_str(), "-n" | "-S" | "-E" | "-H"))
        {
            rest = &rest[1..];
        }
        (rest, true)
    } else {
        (words, false)
    }
}

/// The latency class of a command, or `None` for shell commands that take no time.
pub fn classify(words: &[String]) -> Option<OperationClass> {
    let (words, _) = strip_sudo(words);
    let is_nv = words.first().is_some_and(|word| word == "nv");
    is_nv.then(|| nvue::operation_class(&words[1..]))
}

/// The warnings an interactive shell prints before it asks "Are you sure? [y/N]" for this line:
/// a single `nv config apply` without `-y`/`--assume-yes`/`--assume-no` whose pending changes
/// raise warnings (NVUE asks only then). Empty: no question.
pub fn apply_warnings(device: &Device, list: &CommandList) -> Vec<String> {
    let [(_, command)] = list.commands.as_slice() else {
        return Vec::new();
    };
    let (words, _) = strip_sudo(&command.words);
    if words.first().is_none_or(|word| word != "nv") {
        return Vec::new();
    }
    nvue::unanswered_apply_warnings(device, &words[1..])
}

/// Whether an interactive shell must ask "Are you sure?" before running this line (see
/// [`apply_warnings`]).
pub fn apply_needs_confirmation(device: &Device, list: &CommandList) -> bool {
    !apply_warnings(device, list).is_empty()
}

/// Runs a parsed command line: each command after its delay, with `&&`/`||`, pipelines and
/// redirections. Only the first command that reads the session's standard input gets it.
pub async fn run_list(
    device: &Device,
    context: &ExecContext,
    list: &CommandList,
    session_stdin: Option<Vec<u8>>,
) -> Output {
    let mut session_stdin = session_stdin;
    let mut output = Output::default();
    let mut last_status = context.last_status;
    let mut skipping_pipeline = false;
    let mut piped: Option<Vec<u8>> = None;
    for (index, (connector, command)) in list.commands.iter().enumerate() {
        let skip = match connector {
            Connector::Pipe => skipping_pipeline,
            Connector::And => last_status != 0,
            Connector::Or => last_status == 0,
            Connector::Always => false,
        };
        skipping_pipeline = skip;
        if skip {
            continue;
        }
        let pipes_onward = list
            .commands
            .get(index + 1)
            .is_some_and(|(next, _)| *next == Connector::Pipe);
        let status_text = last_status.to_string();
        let words: Vec<String> = command
            .words
            .iter()
            .map(|word| word.replace(LAST_STATUS_MARK, &status_text))
            .collect();
        if let Some(exit_status) = exit_request(&words, last_status) {
            output.exit_requested = true;
            output.exit_status = exit_status;
            return output;
        }
        let from_pipe = if *connector == Connector::Pipe {
            Some(piped.take().unwrap_or_default())
        } else {
            None
        };
        let stdin = match command_stdin(device, context, command, from_pipe, &mut session_stdin) {
            Ok(stdin) => stdin,
            Err(result) => {
                last_status = result.status;
                output.stderr.extend_from_slice(&result.stderr);
                continue;
            }
        };
        let result = run_command(device, context, &words, &stdin).await;
        if result.drop_connection {
            return Output {
                drop_connection: true,
                ..Output::default()
            };
        }
        let mut pipe = pipes_onward.then(Vec::new);
        last_status = route_output(device, context, command, result, &mut output, pipe.as_mut());
        piped = pipe;
    }
    output.exit_status = last_status;
    output
}

/// For `exit [N]` or `logout` (also after `sudo`): the shell's exit status, `N` or the last one.
fn exit_request(words: &[String], last_status: u32) -> Option<u32> {
    let (words, _) = strip_sudo(words);
    let first = words.first()?;
    (first == "exit" || first == "logout").then(|| {
        words
            .get(1)
            .and_then(|code| code.parse::<u32>().ok())
            .map_or(last_status, |code| code & 0xff)
    })
}

/// Runs one command after the delay its latency class has on this device, and counts it.
async fn run_command(
    device: &Device,
    context: &ExecContext,
    words: &[String],
    stdin: &[u8],
) -> CommandResult {
    if let Some(class) = classify(words) {
        let delay = device.delay_for(class);
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
    }
    let result = execute(device, context, words, stdin);
    device
        .settings
        .counters
        .commands
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    if !result.hold_back.is_zero() {
        tokio::time::sleep(result.hold_back).await;
    }
    result
}

/// Resolves a file name the way the shell would from the user's home directory.
pub fn resolve_path(platform: Platform, user: &str, path: &str) -> String {
    let home = platform.home_directory(user);
    let joined = if path == "~" {
        home
    } else if let Some(rest) = path.strip_prefix("~/") {
        format!("{home}/{rest}")
    } else if path.starts_with('/') {
        path.to_string()
    } else {
        format!("{home}/{}", path.trim_start_matches("./"))
    };
    let mut normalized = String::with_capacity(joined.len());
    for segment in joined.split('/').filter(|s| !s.is_empty() && *s != ".") {
        normalized.push('/');
        normalized.push_str(segment);
    }
    if normalized.is_empty() {
        normalized.push('/');
    }
    normalized
}

/// Runs one simple command (no delay, no redirection): `nv`, or one of the shell's own commands.
fn execute(
    device: &Device,
    context: &ExecContext,
    words: &[String],
    stdin: &[u8],
) -> CommandResult {
    let (words, used_sudo) = strip_sudo(words);
    if used_sudo {
        let role = device.lock().user_role(&context.user);
        if role.is_some_and(|role| device.platform.is_read_only_role(&role)) {
            return CommandResult::failure(1, "sudo: a password is required");
        }
    }
    match words.first().map(String::as_str) {
        None => CommandResult::default(),
        Some("nv") => nvue::run(device, context, &words[1..], stdin),
        Some(_) => coreutils::run(device, context, words, stdin),
    }
}

#[cfg(test)]
mod tests {
    use crate::device::test_device;
    use crate::platform::Platform;
    use crate::shell::testing::{NEW_HASH, run};

    #[tokio::test]
    async fn double_quoted_hashes_lose_their_dollar_fields_as_in_bash() {
        let device = test_device(Platform::Cumulus);
        let output = run(
            &device,
            &format!("nv set system aaa user cumulus hashed-password \"{NEW_HASH}\""),
        )
        .await;
        // "$6$rounds=..." expands to "=5000..." which is no hash: refused.
        assert_eq!(output.exit_status, 1);
    }

    #[tokio::test]
    async fn lists_redirections_and_here_documents() {
        let device = test_device(Platform::Cumulus);
        let output = run(&device, "false && echo no; false || echo yes").await;
        assert_eq!(output.stdout_text(), "yes\n");
        let merged = run(&device, "nv show system aaa user nobody 2>&1").await;
        assert_eq!(merged.stderr, b"");
        assert!(merged.stdout_text().contains("does not exist"));
        let here = run(
            &device,
            &format!(
                "cat > /tmp/h.yaml <<'EOF'\n- set:\n    system:\n      aaa:\n        user:\n          cumulus:\n            hashed-password: '{NEW_HASH}'\nEOF\nnv config patch /tmp/h.yaml && nv config diff -o commands"
            ),
        )
        .await;
        assert_eq!(
            here.stdout_text(),
            "nv set system aaa user cumulus hashed-password *\n",
            "{}",
            here.stderr_text()
        );
    }

    #[tokio::test]
    async fn pipelines_filters_and_last_status() {
        let device = test_device(Platform::Cumulus);
        let grep = run(&device, "nv config show | grep hashed-password").await;
        assert_eq!(
            grep.stdout_text(),
            "            hashed-password: '*'\n".repeat(2),
            "cumulus and auditor"
        );
        let count = run(
            &device,
            "nv config show -o commands | grep -c 'interface swp'",
        )
        .await;
        assert_eq!(count.stdout_text(), "12\n");
        let head = run(&device, "nv config show | head -n 2").await;
        assert_eq!(head.stdout_text(), "- header:\n    model: VX\n");
        let none = run(&device, "nv config show | grep -q nothing-like-this").await;
        assert_eq!(none.exit_status, 1);
        let status = run(&device, "nv show system aaa user ghost; echo status=$?").await;
        assert_eq!(status.stdout_text(), "status=1\n");
        let skipped = run(&device, "false && nv config show | wc -l").await;
        assert_eq!(skipped.stdout_text(), "");
        let lines = run(&device, "nv config show -o commands | wc -l").await;
        assert!(lines.stdout_text().trim().parse::<usize>().unwrap() > 20);
    }
}
