//! The commands a simulated device runs: NVUE's `nv set|unset|show|config ...` and the handful
//! of shell commands a session needs (`cat`, `rm`, `echo`, `exit`, ...), with their real output
//! shapes, error messages and exit codes. No SSH here: a command line goes in, stdout, stderr
//! and an exit status come out, so everything is testable without a connection.

use std::collections::BTreeMap;

use serde_yaml::Value;

use crate::config_tree::{
    Change, Node, NvueConfig, ParseError, changes_to_yaml, diff, parse_cli_value, parse_documents,
    scalar_text,
};
use crate::device::{Device, DeviceState, MAX_FILE_BYTES, users_of};
use crate::latency::OperationClass;
use crate::platform::{Platform, looks_like_password_hash};
use crate::shell::{
    CommandList, Connector, LAST_STATUS_MARK, Redirect, ShellError, SimpleCommand, file_operands,
    parse,
};

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
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub exit_status: u32,
    /// The connection must be dropped now, with no output and no exit status
    /// (`drop_after_apply`).
    pub drop_connection: bool,
    /// `exit` or `logout` ran: an interactive shell ends.
    pub exit_requested: bool,
}

impl Output {
    pub fn stdout_text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    pub fn stderr_text(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }
}

/// The result of one simple command, before redirection.
#[derive(Debug, Default)]
struct CommandResult {
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    status: u32,
    drop_connection: bool,
}

impl CommandResult {
    fn success(stdout: impl Into<Vec<u8>>) -> CommandResult {
        CommandResult {
            stdout: stdout.into(),
            ..CommandResult::default()
        }
    }

    fn failure(status: u32, stderr: impl Into<String>) -> CommandResult {
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

    /// An NVUE error: `Error: ...` on stderr, exit status 1.
    fn nvue_error(message: impl AsRef<str>) -> CommandResult {
        CommandResult::failure(1, format!("Error: {}", message.as_ref()))
    }
}

fn lines(lines: Vec<String>) -> Vec<u8> {
    let mut text = lines.join("\n");
    if !text.is_empty() {
        text.push('\n');
    }
    text.into_bytes()
}

/// Parses and runs a command line. `complete` is true for `exec` requests.
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
    if words.first().map(String::as_str) != Some("nv") {
        return None;
    }
    let positional: Vec<&str> = words[1..]
        .iter()
        .map(String::as_str)
        .filter(|word| !word.starts_with('-'))
        .collect();
    Some(match positional.as_slice() {
        ["show", ..] => OperationClass::Show,
        ["config", "show" | "revision" | "history", ..] => OperationClass::Show,
        ["config", "replace", ..] => OperationClass::Replace,
        ["config", "patch", ..] => OperationClass::Patch,
        ["config", "diff", ..] => OperationClass::Diff,
        ["config", "apply", ..] => OperationClass::Apply,
        _ => OperationClass::Other,
    })
}

/// Whether an interactive shell must ask "Are you sure?" before running this line: a single
/// `nv config apply` without `-y`/`--assume-yes`/`--assume-no`, with changes pending.
pub fn apply_needs_confirmation(device: &Device, list: &CommandList) -> bool {
    let [(_, command)] = list.commands.as_slice() else {
        return false;
    };
    let (words, _) = strip_sudo(&command.words);
    let is_apply =
        words.len() >= 3 && words[0] == "nv" && words[1] == "config" && words[2] == "apply";
    let answered = words
        .iter()
        .any(|word| matches!(word.as_str(), "-y" | "--assume-yes" | "--assume-no"));
    is_apply && !answered && device.lock().has_pending_changes()
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
        let (plain_words, _) = strip_sudo(&words);
        if let Some(first) = plain_words.first()
            && (first == "exit" || first == "logout")
        {
            output.exit_requested = true;
            output.exit_status = plain_words
                .get(1)
                .and_then(|code| code.parse::<u32>().ok())
                .map_or(last_status, |code| code & 0xff);
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
        if let Some(class) = classify(&words) {
            let delay = device.delay_for(class);
            if !delay.is_zero() {
                tokio::time::sleep(delay).await;
            }
        }
        let result = execute(device, context, &words, &stdin);
        device
            .settings
            .counters
            .commands
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
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

fn command_stdin(
    device: &Device,
    context: &ExecContext,
    command: &SimpleCommand,
    from_pipe: Option<Vec<u8>>,
    session_stdin: &mut Option<Vec<u8>>,
) -> Result<Vec<u8>, CommandResult> {
    let mut stdin = None;
    for redirect in &command.redirects {
        match redirect {
            Redirect::StdinText { text } => stdin = Some(text.clone().into_bytes()),
            Redirect::StdinFromFile { path } => {
                let resolved = resolve_path(device.platform, &context.user, path);
                match device.lock().file(&resolved) {
                    Some(file) => stdin = Some(file.content.clone()),
                    None if resolved == "/dev/null" => stdin = Some(Vec::new()),
                    None => {
                        return Err(CommandResult::failure(
                            1,
                            format!("-bash: {path}: No such file or directory"),
                        ));
                    }
                }
            }
            _ => {}
        }
    }
    Ok(match (stdin, from_pipe) {
        (Some(stdin), _) => stdin,
        (None, Some(piped)) => piped,
        (None, None) if command.reads_stdin() => session_stdin.take().unwrap_or_default(),
        (None, None) => Vec::new(),
    })
}

#[derive(Clone, Debug, PartialEq)]
enum Destination {
    Stdout,
    Stderr,
    Discard,
    File { path: String, append: bool },
}

/// Sends a command's output where its redirections say (its standard output into `pipe` when
/// the next command reads it); returns the exit status.
fn route_output(
    device: &Device,
    context: &ExecContext,
    command: &SimpleCommand,
    result: CommandResult,
    output: &mut Output,
    mut pipe: Option<&mut Vec<u8>>,
) -> u32 {
    let mut stdout_to = Destination::Stdout;
    let mut stderr_to = Destination::Stderr;
    let file = |path: &String, append: bool| {
        let resolved = resolve_path(device.platform, &context.user, path);
        if resolved == "/dev/null" {
            Destination::Discard
        } else {
            Destination::File {
                path: resolved,
                append,
            }
        }
    };
    for redirect in &command.redirects {
        match redirect {
            Redirect::StdoutToFile { path, append } => stdout_to = file(path, *append),
            Redirect::StderrToFile { path, append } => stderr_to = file(path, *append),
            Redirect::StderrToStdout => stderr_to = stdout_to.clone(),
            Redirect::StdoutToStderr => stdout_to = stderr_to.clone(),
            Redirect::StdinFromFile { .. } | Redirect::StdinText { .. } => {}
        }
    }
    let mut status = result.status;
    let mut files: BTreeMap<String, (bool, Vec<u8>)> = BTreeMap::new();
    for (destination, data) in [(&stdout_to, result.stdout), (&stderr_to, result.stderr)] {
        match destination {
            Destination::Stdout => match pipe.as_deref_mut() {
                Some(pipe) => pipe.extend_from_slice(&data),
                None => output.stdout.extend_from_slice(&data),
            },
            Destination::Stderr => output.stderr.extend_from_slice(&data),
            Destination::Discard => {}
            Destination::File { path, append } => {
                let entry = files.entry(path.clone()).or_insert((*append, Vec::new()));
                entry.1.extend_from_slice(&data);
            }
        }
    }
    if !files.is_empty() {
        let mut state = device.lock();
        for (path, (append, data)) in files {
            let mut content = if append {
                state
                    .file(&path)
                    .map(|file| file.content.clone())
                    .unwrap_or_default()
            } else {
                Vec::new()
            };
            content.extend_from_slice(&data);
            if content.len() > MAX_FILE_BYTES {
                let name = command.words.first().map_or("bash", String::as_str);
                output
                    .stderr
                    .extend_from_slice(format!("{name}: write error: File too large\n").as_bytes());
                status = 1;
                continue;
            }
            state.write_file(&path, content);
        }
    }
    status
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

fn user_role(state: &DeviceState, user: &str) -> Option<String> {
    state
        .applied
        .root
        .leaf_text(&["system", "aaa", "user", user, "role"])
}

/// Runs one simple command (no delay, no redirection).
fn execute(
    device: &Device,
    context: &ExecContext,
    words: &[String],
    stdin: &[u8],
) -> CommandResult {
    let (words, used_sudo) = strip_sudo(words);
    if used_sudo {
        let role = user_role(&device.lock(), &context.user);
        if role.is_some_and(|role| device.platform.is_read_only_role(&role)) {
            return CommandResult::failure(1, "sudo: a password is required");
        }
    }
    let Some(name) = words.first() else {
        return CommandResult::default();
    };
    let arguments = &words[1..];
    match name.as_str() {
        "nv" => nv(device, context, arguments),
        "cat" => cat(device, context, arguments, stdin),
        "grep" | "head" | "tail" | "wc" => filter(device, context, words, stdin),
        "rm" => rm(device, context, arguments),
        "echo" => {
            let newline = arguments.first().is_none_or(|word| word != "-n");
            let words: Vec<&str> = arguments
                .iter()
                .map(String::as_str)
                .skip_while(|word| *word == "-n" || *word == "-e")
                .collect();
            let mut text = words.join(" ");
            if newline {
                text.push('\n');
            }
            CommandResult::success(text)
        }
        "true" | ":" | "cd" => CommandResult::default(),
        "false" => CommandResult {
            status: 1,
            ..CommandResult::default()
        },
        "hostname" => CommandResult::success(format!(
            "{}\n",
            device.hostname().unwrap_or_else(|| device.id.clone())
        )),
        "whoami" => CommandResult::success(format!("{}\n", context.user)),
        "pwd" => CommandResult::success(format!(
            "{}\n",
            device.platform.home_directory(&context.user)
        )),
        other => CommandResult::failure(127, format!("-bash: {other}: command not found")),
    }
}

fn cat(
    device: &Device,
    context: &ExecContext,
    arguments: &[String],
    stdin: &[u8],
) -> CommandResult {
    let operands: Vec<&String> = arguments
        .iter()
        .filter(|word| *word == "-" || !word.starts_with('-'))
        .collect();
    if operands.is_empty() {
        return CommandResult::success(stdin.to_vec());
    }
    let mut result = CommandResult::default();
    let state = device.lock();
    for operand in operands {
        if operand == "-" {
            result.stdout.extend_from_slice(stdin);
            continue;
        }
        let resolved = resolve_path(device.platform, &context.user, operand);
        match state.file(&resolved) {
            Some(file) => result.stdout.extend_from_slice(&file.content),
            None if resolved == "/dev/null" => {}
            None => {
                result.stderr.extend_from_slice(
                    format!("cat: {operand}: No such file or directory\n").as_bytes(),
                );
                result.status = 1;
            }
        }
    }
    result
}

/// The input of a filter: its file operands, or standard input.
fn filter_input(
    device: &Device,
    context: &ExecContext,
    words: &[String],
    stdin: &[u8],
) -> Result<Vec<u8>, CommandResult> {
    let operands = file_operands(words);
    if operands.is_empty() {
        return Ok(stdin.to_vec());
    }
    let state = device.lock();
    let mut input = Vec::new();
    for operand in operands {
        if operand == "-" {
            input.extend_from_slice(stdin);
            continue;
        }
        let resolved = resolve_path(device.platform, &context.user, operand);
        match state.file(&resolved) {
            Some(file) => input.extend_from_slice(&file.content),
            None => {
                return Err(CommandResult::failure(
                    2,
                    format!("{}: {operand}: No such file or directory", words[0]),
                ));
            }
        }
    }
    Ok(input)
}

/// `grep` (fixed strings; `-v -i -c -q`), `head`/`tail` (`-n N`, `-N`) and `wc` (`-l`).
fn filter(device: &Device, context: &ExecContext, words: &[String], stdin: &[u8]) -> CommandResult {
    let input = or_return!(filter_input(device, context, words, stdin));
    let text = String::from_utf8_lossy(&input);
    let lines: Vec<&str> = text.lines().collect();
    let flags: Vec<&str> = words[1..]
        .iter()
        .map(String::as_str)
        .filter(|word| word.starts_with('-') && *word != "-")
        .collect();
    let has = |flag: char| {
        flags
            .iter()
            .any(|word| !word.starts_with("--") && word[1..].contains(flag))
    };
    let joined = |selected: Vec<&str>| {
        let mut out = selected.join("\n");
        if !selected.is_empty() {
            out.push('\n');
        }
        out
    };
    match words[0].as_str() {
        "grep" => {
            let pattern = match words.iter().position(|word| word == "-e") {
                Some(index) => words.get(index + 1).cloned(),
                None => words[1..]
                    .iter()
                    .find(|word| !word.starts_with('-') || word.as_str() == "-")
                    .cloned(),
            };
            let Some(pattern) = pattern else {
                return CommandResult::failure(2, "Usage: grep [OPTION]... PATTERNS [FILE]...");
            };
            let ignore_case = has('i');
            let wanted = |line: &str| {
                let found = if ignore_case {
                    line.to_lowercase().contains(&pattern.to_lowercase())
                } else {
                    line.contains(pattern.as_str())
                };
                found != has('v')
            };
            let selected: Vec<&str> = lines.iter().copied().filter(|line| wanted(line)).collect();
            let status = u32::from(selected.is_empty());
            let stdout = if has('q') {
                String::new()
            } else if has('c') {
                format!("{}\n", selected.len())
            } else {
                joined(selected)
            };
            CommandResult {
                stdout: stdout.into_bytes(),
                status,
                ..CommandResult::default()
            }
        }
        "head" | "tail" => {
            let mut count = 10usize;
            let mut arguments = words[1..].iter();
            while let Some(word) = arguments.next() {
                if word == "-n" {
                    count = arguments.next().and_then(|n| n.parse().ok()).unwrap_or(10);
                } else if let Some(number) = word.strip_prefix('-')
                    && let Ok(number) = number.parse()
                {
                    count = number;
                }
            }
            let selected = if words[0] == "head" {
                lines.iter().copied().take(count).collect()
            } else {
                lines[lines.len().saturating_sub(count)..].to_vec()
            };
            CommandResult::success(joined(selected))
        }
        _ => {
            if has('l') {
                CommandResult::success(format!("{}\n", lines.len()))
            } else {
                let word_count = text.split_whitespace().count();
                CommandResult::success(format!(
                    "{:>7} {:>7} {:>7}\n",
                    lines.len(),
                    word_count,
                    input.len()
                ))
            }
        }
    }
}

fn rm(device: &Device, context: &ExecContext, arguments: &[String]) -> CommandResult {
    let force = arguments
        .iter()
        .any(|word| word.starts_with('-') && word.contains('f'));
    let operands: Vec<&String> = arguments.iter().filter(|w| !w.starts_with('-')).collect();
    if operands.is_empty() {
        if force {
            return CommandResult::default();
        }
        return CommandResult::failure(1, "rm: missing operand");
    }
    let mut result = CommandResult::default();
    let mut state = device.lock();
    for operand in operands {
        let resolved = resolve_path(device.platform, &context.user, operand);
        if !state.remove_file(&resolved) && !force {
            result.stderr.extend_from_slice(
                format!("rm: cannot remove '{operand}': No such file or directory\n").as_bytes(),
            );
            result.status = 1;
        }
    }
    result
}

/// Options of an `nv` command: `-o FORMAT`, `-r REV`, `-y`, `-m MESSAGE`, ...
#[derive(Debug, Default)]
struct Options {
    positional: Vec<String>,
    output: Option<String>,
    revision: Option<String>,
    message: Option<String>,
    assume_yes: bool,
    assume_no: bool,
}

fn parse_options(arguments: &[String]) -> Result<Options, CommandResult> {
    let mut options = Options::default();
    let mut iterator = arguments.iter();
    while let Some(argument) = iterator.next() {
        let (name, inline) = match argument.split_once('=') {
            Some((name, value)) if name.starts_with("--") => (name, Some(value.to_string())),
            _ => (argument.as_str(), None),
        };
        let mut value = |option: &str| -> Result<String, CommandResult> {
            inline
                .clone()
                .or_else(|| iterator.next().cloned())
                .ok_or_else(|| {
                    CommandResult::nvue_error(format!("Option {option} requires a value"))
                })
        };
        match name {
            "-o" | "--output" => options.output = Some(value(name)?),
            "-r" | "--rev" => options.revision = Some(value(name)?),
            "-m" | "--message" => options.message = Some(value(name)?),
            "-y" | "--assume-yes" => options.assume_yes = true,
            "--assume-no" => options.assume_no = true,
            "--applied" => options.revision = Some("applied".into()),
            "--pending" => options.revision = Some("pending".into()),
            "--operational" | "--color" | "--paginate" | "-h" | "--help" => {}
            other if other.starts_with('-') && other.len() > 1 => {
                return Err(CommandResult::nvue_error(format!(
                    "Invalid option '{other}'"
                )));
            }
            _ => options.positional.push(argument.clone()),
        }
    }
    Ok(options)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Auto,
    Yaml,
    Json,
    Commands,
}

fn output_format(options: &Options, allowed: &[Format]) -> Result<Format, CommandResult> {
    let format = match options.output.as_deref() {
        None | Some("auto") => Format::Auto,
        Some("yaml") => Format::Yaml,
        Some("json") => Format::Json,
        Some("commands") => Format::Commands,
        Some(other) => {
            return Err(CommandResult::nvue_error(format!(
                "Invalid output format '{other}'"
            )));
        }
    };
    if format != Format::Auto && !allowed.contains(&format) {
        return Err(CommandResult::nvue_error(format!(
            "Output format '{}' is not supported by this command",
            options.output.as_deref().unwrap_or_default()
        )));
    }
    Ok(format)
}

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

fn nv(device: &Device, context: &ExecContext, arguments: &[String]) -> CommandResult {
    let subcommand = arguments.first().map(String::as_str);
    match subcommand {
        None | Some("-h") | Some("--help") => CommandResult::success(NV_USAGE),
        Some("set") => nv_set(device, context, &arguments[1..]),
        Some("unset") => nv_unset(device, context, &arguments[1..]),
        Some("show") => nv_show(device, &arguments[1..]),
        Some("config") => {
            let rest = &arguments[arguments.len().min(2)..];
            match arguments.get(1).map(String::as_str) {
                Some("show") => config_show(device, rest),
                Some("diff") => config_diff(device, rest),
                Some("apply") => config_apply(device, context, rest),
                Some("replace") => config_replace(device, context, rest),
                Some("patch") => config_patch(device, context, rest),
                Some("detach") => {
                    device.lock().candidate = None;
                    CommandResult::default()
                }
                Some("revision") => config_revision(device, rest),
                Some("history") => config_history(device, rest),
                Some("save") => CommandResult::default(),
                _ => CommandResult::nvue_error(format!(
                    "Invalid Command: nv {}",
                    arguments.join(" ")
                )),
            }
        }
        _ => CommandResult::nvue_error(format!("Invalid Command: nv {}", arguments.join(" "))),
    }
}

/// `?` for handlers that answer with a `CommandResult` either way: the error is the answer.
macro_rules! or_return {
    ($result:expr) => {
        match $result {
            Ok(value) => value,
            Err(result) => return result,
        }
    };
}
use or_return;

/// A command's options and its `-o` format, one of `allowed`.
fn options_and_format(
    arguments: &[String],
    allowed: &[Format],
) -> Result<(Options, Format), CommandResult> {
    let options = parse_options(arguments)?;
    let format = output_format(&options, allowed)?;
    Ok((options, format))
}

/// The device's state for a change by `user` (refused for a read-only role).
fn lock_for_change<'a>(
    device: &'a Device,
    user: &str,
) -> Result<std::sync::MutexGuard<'a, DeviceState>, CommandResult> {
    let state = device.lock();
    permission_check(device, &state, user)?;
    Ok(state)
}

fn permission_check(device: &Device, state: &DeviceState, user: &str) -> Result<(), CommandResult> {
    match user_role(state, user) {
        Some(role) if device.platform.is_read_only_role(&role) => Err(CommandResult::nvue_error(
            "You do not have permission to perform this operation",
        )),
        _ => Ok(()),
    }
}

/// Paths under which the last word names a new child rather than giving a value.
const COLLECTIONS: &[&[&str]] = &[
    &["acl"],
    &["acl", "*", "rule"],
    &["bridge", "domain"],
    &["bridge", "domain", "*", "vlan"],
    &["interface"],
    &["interface", "*", "bond", "member"],
    &["interface", "*", "bridge", "domain"],
    &["interface", "*", "ip", "address"],
    &["router", "bgp", "neighbor"],
    &["service", "dns"],
    &["service", "dns", "*", "server"],
    &["service", "ntp"],
    &["service", "ntp", "*", "server"],
    &["service", "syslog"],
    &["service", "syslog", "*", "server"],
    &["system", "aaa", "user"],
    &["vrf"],
    &["vrf", "*", "router", "bgp", "neighbor"],
];

fn is_collection(path: &[String]) -> bool {
    COLLECTIONS.iter().any(|pattern| {
        pattern.len() == path.len()
            && pattern
                .iter()
                .zip(path)
                .all(|(expected, actual)| *expected == "*" || expected == actual)
    })
}

fn invalid_path(path: &[String]) -> CommandResult {
    CommandResult::nvue_error(format!("Invalid config path: {}", path.join(" ")))
}

fn not_one_of(value: &str, field: &str, allowed: &[&str]) -> CommandResult {
    let quoted: Vec<String> = allowed.iter().map(|item| format!("'{item}'")).collect();
    CommandResult::nvue_error(format!(
        "Invalid value for {field}: '{value}' is not one of [{}]",
        quoted.join(", ")
    ))
}

/// Checks that a path names something the platform's NVUE knows.
fn check_path(platform: Platform, path: &[String]) -> Result<(), CommandResult> {
    let Some(top) = path.first() else {
        return Err(CommandResult::nvue_error("Incomplete command"));
    };
    if !platform.top_level_objects().contains(&top.as_str()) {
        return Err(invalid_path(path));
    }
    if path.len() >= 4 && path[..3] == ["system", "aaa", "user"] {
        if let Err(problem) = rotor_inventory::check_username(&path[3]) {
            return Err(CommandResult::nvue_error(format!(
                "Invalid value for user: {problem}"
            )));
        }
        if path.len() >= 5 && !platform.user_fields().contains(&path[4].as_str()) {
            return Err(invalid_path(path));
        }
        if path.len() > 5 {
            return Err(invalid_path(path));
        }
    }
    if path.len() >= 2 && path[0] == "interface" {
        let name = &path[1];
        let valid = !name.is_empty()
            && name.len() <= 15
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
        if !valid {
            return Err(CommandResult::nvue_error(format!(
                "Invalid value for interface: '{name}' is not a valid interface name"
            )));
        }
    }
    Ok(())
}

/// Checks a value being set at a path.
fn check_value(platform: Platform, path: &[String], value: &str) -> Result<(), CommandResult> {
    let strings: Vec<&str> = path.iter().map(String::as_str).collect();
    match strings.as_slice() {
        ["system", "aaa", "user", _, "role"] if !platform.user_roles().contains(&value) => {
            return Err(not_one_of(value, "role", platform.user_roles()));
        }
        ["system", "aaa", "user", _, "hashed-password"] if !looks_like_password_hash(value) => {
            // Never echo the value: it may be a plaintext password typed by mistake.
            return Err(CommandResult::nvue_error(
                "Invalid value for hashed-password: expected a crypt(3) hash such as $6$<salt>$<hash>",
            ));
        }
        ["system", "hostname"] => {
            let valid = !value.is_empty()
                && value.len() <= 63
                && value
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
                && !value.starts_with('-');
            if !valid {
                return Err(CommandResult::nvue_error(format!(
                    "Invalid value for hostname: '{value}' is not a valid hostname"
                )));
            }
        }
        ["interface", _, "type"] if !platform.interface_types().contains(&value) => {
            return Err(not_one_of(value, "type", platform.interface_types()));
        }
        ["interface", _, "link", "state"] if !["up", "down"].contains(&value) => {
            return Err(not_one_of(value, "state", &["down", "up"]));
        }
        _ => {}
    }
    Ok(())
}

fn check_address(address: &str) -> bool {
    if address == "dhcp" {
        return true;
    }
    let Some((ip, prefix)) = address.split_once('/') else {
        return false;
    };
    let Ok(ip) = ip.parse::<std::net::IpAddr>() else {
        return false;
    };
    let limit = if ip.is_ipv4() { 32 } else { 128 };
    prefix.parse::<u8>().is_ok_and(|prefix| prefix <= limit)
}

/// Checks a whole configuration tree (from a file) the way `nv set` checks each value.
fn check_tree(platform: Platform, root: &Node) -> Result<(), String> {
    for (path, value) in root.leaves() {
        if let Err(result) = check_path(platform, &path) {
            return Err(error_text(&result));
        }
        if let Some(value) = value {
            let text = scalar_text(&value);
            if let Err(result) = check_value(platform, &path, &text) {
                return Err(error_text(&result));
            }
            if platform == Platform::Nvos
                && is_user_password_path(&path)
                && !looks_like_password_hash(&text)
            {
                return Err(format!(
                    "system aaa user {} password: expected a crypt(3) hash",
                    path[3]
                ));
            }
        }
    }
    Ok(())
}

fn is_user_password_path<S: AsRef<str>>(path: &[S]) -> bool {
    let path: Vec<&str> = path.iter().map(AsRef::as_ref).collect();
    path.len() == 5 && path[..3] == ["system", "aaa", "user"] && path[4] == "password"
}

/// What NVUE stores for a user's `password` value: it hashes a plaintext itself (SHA-512 crypt);
/// a hash given to NVOS is kept as it is.
fn stored_password_hash(platform: Platform, value: &str) -> Result<String, CommandResult> {
    if platform == Platform::Nvos && looks_like_password_hash(value) {
        return Ok(value.to_string());
    }
    pwhash::sha512_crypt::hash(value.as_bytes())
        .map_err(|_| CommandResult::nvue_error("Could not hash the password"))
}

/// A configuration file's `system aaa user <name> password` values, stored the way `nv set`
/// stores them (hashed, under the platform's key), so the simulator never keeps a plaintext.
fn hash_file_passwords(platform: Platform, root: &mut Node) -> Result<(), CommandResult> {
    for (path, value) in root.leaves() {
        let Some(value) = value.filter(|_| is_user_password_path(&path)) else {
            continue;
        };
        let hash = stored_password_hash(platform, &scalar_text(&value))?;
        root.remove(&path);
        let mut target = path;
        target[4] = platform.password_key().to_string();
        root.set_leaf(&target, Value::String(hash));
    }
    Ok(())
}

fn error_text(result: &CommandResult) -> String {
    let text = String::from_utf8_lossy(&result.stderr).trim().to_string();
    text.strip_prefix("Error: ").unwrap_or(&text).to_string()
}

fn nv_set(device: &Device, context: &ExecContext, arguments: &[String]) -> CommandResult {
    let platform = device.platform;
    if arguments.len() < 2 {
        return CommandResult::nvue_error("Incomplete command");
    }
    let mut state = or_return!(lock_for_change(device, &context.user));
    let (parent, last) = arguments.split_at(arguments.len() - 1);
    let last = &last[0];
    if is_collection(parent) {
        or_return!(check_path(platform, arguments));
        if parent.len() == 4
            && parent[0] == "interface"
            && parent[2] == "ip"
            && parent[3] == "address"
            && !check_address(last)
        {
            return CommandResult::nvue_error(format!(
                "Invalid value for address: '{last}' is not a valid IP prefix"
            ));
        }
        state.candidate_mut().root.ensure_branch(arguments);
        return CommandResult::default();
    }
    or_return!(check_path(platform, parent));
    or_return!(check_value(platform, parent, last));
    // `nv set system hostname` (no value) names an object, not a value: never replace an
    // object (here all of `system`, users included) with a scalar.
    let pending = state.candidate.as_deref().unwrap_or(&state.applied);
    if pending
        .root
        .get(parent)
        .and_then(Node::children)
        .is_some_and(|children| !children.is_empty())
    {
        return CommandResult::nvue_error("Incomplete command");
    }
    if is_user_password_path(parent) {
        let hash = or_return!(stored_password_hash(platform, last));
        let mut target = parent.to_vec();
        target[4] = platform.password_key().to_string();
        state
            .candidate_mut()
            .root
            .set_leaf(&target, Value::String(hash));
        return CommandResult::default();
    }
    state
        .candidate_mut()
        .root
        .set_leaf(parent, parse_cli_value(last));
    CommandResult::default()
}

fn nv_unset(device: &Device, context: &ExecContext, arguments: &[String]) -> CommandResult {
    if arguments.is_empty() {
        return CommandResult::nvue_error("Incomplete command");
    }
    let mut state = or_return!(lock_for_change(device, &context.user));
    let top = &arguments[0];
    if !device.platform.top_level_objects().contains(&top.as_str()) {
        return invalid_path(arguments);
    }
    let candidate = state.candidate_mut();
    if candidate.root.get(arguments).is_some() {
        candidate.root.remove(arguments);
    } else if let Some((last, parent)) = arguments.split_last()
        && candidate.root.leaf_text(parent).as_deref() == Some(last.as_str())
    {
        // `nv unset <path> <value>` removes the leaf when it holds that value.
        candidate.root.remove(parent);
    }
    CommandResult::default()
}

fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|header| header.len()).collect();
    for row in rows {
        for (index, cell) in row.iter().enumerate() {
            widths[index] = widths[index].max(cell.len());
        }
    }
    let render = |cells: Vec<String>| -> String {
        cells
            .iter()
            .enumerate()
            .map(|(index, cell)| format!("{cell:<width$}", width = widths[index]))
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_string()
    };
    let mut out = vec![
        render(headers.iter().map(|h| h.to_string()).collect()),
        render(widths.iter().map(|width| "-".repeat(*width)).collect()),
    ];
    out.extend(rows.iter().map(|row| render(row.clone())));
    out.join("\n") + "\n"
}

fn json_text(value: &serde_json::Value) -> Vec<u8> {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text.into_bytes()
}

fn yaml_text(value: &Value) -> Vec<u8> {
    serde_yaml::to_string(value)
        .unwrap_or_default()
        .into_bytes()
}

fn user_fields_json(node: &Node) -> serde_json::Map<String, serde_json::Value> {
    let mut fields = serde_json::Map::new();
    for key in ["full-name", "role"] {
        if let Some(text) = node.leaf_text(&[key]) {
            fields.insert(key.to_string(), serde_json::Value::String(text));
        }
    }
    fields
}

fn nv_show(device: &Device, arguments: &[String]) -> CommandResult {
    let (options, format) =
        or_return!(options_and_format(arguments, &[Format::Json, Format::Yaml]));
    let state = device.lock();
    let root = match options.revision.as_deref() {
        Some("pending") => state
            .candidate
            .as_ref()
            .map_or(&state.applied.root, |candidate| &candidate.root),
        _ => &state.applied.root,
    };
    let path = &options.positional;
    let users_path = ["system", "aaa", "user"];
    if path.len() == 3 && path.iter().zip(users_path).all(|(a, b)| a == b) {
        let users = root.get(&users_path);
        let entries: Vec<(&String, &Node)> = users
            .and_then(Node::children)
            .map(|children| children.iter().collect())
            .unwrap_or_default();
        return match format {
            Format::Json | Format::Yaml => {
                let mut all = serde_json::Map::new();
                for (name, node) in entries {
                    all.insert(
                        name.clone(),
                        serde_json::Value::Object(user_fields_json(node)),
                    );
                }
                let value = serde_json::Value::Object(all);
                if format == Format::Json {
                    CommandResult::success(json_text(&value))
                } else {
                    let yaml: Value = serde_yaml::to_value(&value).unwrap_or_default();
                    CommandResult::success(yaml_text(&yaml))
                }
            }
            _ => {
                let rows: Vec<Vec<String>> = users_of(root, device.platform)
                    .into_iter()
                    .map(|user| {
                        vec![
                            user.username,
                            user.full_name.unwrap_or_default(),
                            user.role.unwrap_or_default(),
                            String::new(),
                        ]
                    })
                    .collect();
                CommandResult::success(table(&["Username", "Full-name", "Role", "Summary"], &rows))
            }
        };
    }
    if path.len() == 4 && path.iter().zip(users_path).all(|(a, b)| a == b) {
        let Some(user) = root.get(path) else {
            return CommandResult::nvue_error("The requested item does not exist.");
        };
        let fields = user_fields_json(user);
        return match format {
            Format::Json => CommandResult::success(json_text(&serde_json::Value::Object(fields))),
            Format::Yaml => {
                let yaml: Value =
                    serde_yaml::to_value(serde_json::Value::Object(fields)).unwrap_or_default();
                CommandResult::success(yaml_text(&yaml))
            }
            _ => {
                let rows: Vec<Vec<String>> = fields
                    .iter()
                    .map(|(key, value)| {
                        vec![key.clone(), value.as_str().unwrap_or_default().to_string()]
                    })
                    .collect();
                CommandResult::success(table(&["", "applied"], &rows))
            }
        };
    }
    let Some(node) = root.get(path) else {
        return CommandResult::nvue_error("The requested item does not exist.");
    };
    let masked = node.to_yaml(true);
    let masked = match (path.last(), node) {
        (Some(key), Node::Leaf(_)) if crate::config_tree::is_password_key(key) => {
            Value::String(crate::config_tree::MASK.into())
        }
        _ => masked,
    };
    match format {
        Format::Json => {
            let json = serde_json::to_value(&masked).unwrap_or_default();
            CommandResult::success(json_text(&json))
        }
        _ => match &masked {
            Value::Mapping(_) => CommandResult::success(yaml_text(&masked)),
            scalar => CommandResult::success(format!("{}\n", scalar_text(scalar))),
        },
    }
}

/// The configuration a revision name refers to: `applied`, `startup`, `pending`, or the id of
/// the applied revision.
fn revision_config<'a>(
    state: &'a DeviceState,
    name: &str,
) -> Result<&'a NvueConfig, CommandResult> {
    match name {
        "applied" | "startup" => Ok(&state.applied),
        "pending" => Ok(state.candidate.as_deref().unwrap_or(&state.applied)),
        other => {
            let wanted = other.trim_start_matches("rev_");
            if wanted.parse::<u64>().ok() == Some(state.applied_revision()) {
                Ok(&state.applied)
            } else {
                Err(CommandResult::nvue_error(format!(
                    "The requested revision '{other}' does not exist."
                )))
            }
        }
    }
}

fn config_show(device: &Device, arguments: &[String]) -> CommandResult {
    let (options, format) = or_return!(options_and_format(
        arguments,
        &[Format::Yaml, Format::Json, Format::Commands]
    ));
    let state = device.lock();
    let revision = options.revision.as_deref().unwrap_or("applied");
    let config = or_return!(revision_config(&state, revision));
    match format {
        Format::Json => {
            let mut text = config.to_json(true);
            text.push('\n');
            CommandResult::success(text)
        }
        Format::Commands => CommandResult::success(lines(config.to_commands(true))),
        _ => CommandResult::success(config.to_startup_yaml(true)),
    }
}

fn config_diff(device: &Device, arguments: &[String]) -> CommandResult {
    let (options, format) = or_return!(options_and_format(
        arguments,
        &[Format::Yaml, Format::Json, Format::Commands]
    ));
    let (from, to) = match options.positional.as_slice() {
        [] => ("applied", "pending"),
        [one] => ("applied", one.as_str()),
        [first, second] => (first.as_str(), second.as_str()),
        _ => return CommandResult::nvue_error("Too many revisions given"),
    };
    let mut state = device.lock();
    let changes: Vec<Change> = {
        let before = match revision_config(&state, from) {
            Ok(config) => config,
            Err(result) => return result,
        };
        let after = match revision_config(&state, to) {
            Ok(config) => config,
            Err(result) => return result,
        };
        diff(&before.root, &after.root)
    };
    let stdout = match format {
        Format::Commands => lines(
            changes
                .iter()
                .map(|change| change.to_command(true))
                .collect(),
        ),
        Format::Json => {
            let yaml = changes_to_yaml(&changes, true);
            if yaml.is_empty() {
                Vec::new()
            } else {
                let value: Value = serde_yaml::from_str(&yaml).unwrap_or_default();
                json_text(&serde_json::to_value(value).unwrap_or_default())
            }
        }
        _ => changes_to_yaml(&changes, true).into_bytes(),
    };
    if state.faults.change_between_diff_and_apply {
        state.faults.change_between_diff_and_apply = false;
        Device::commit_concurrent_change(&mut state);
    }
    CommandResult::success(stdout)
}

fn config_apply(device: &Device, context: &ExecContext, arguments: &[String]) -> CommandResult {
    let options = or_return!(parse_options(arguments));
    if let Some(revision) = options.positional.first()
        && revision != "pending"
    {
        return CommandResult::nvue_error(format!(
            "Applying revision '{revision}' is not supported by this simulated device; apply the pending revision"
        ));
    }
    let mut state = or_return!(lock_for_change(device, &context.user));
    if !state.has_pending_changes() {
        state.candidate = None;
        return CommandResult::success("Warning: No pending configuration changes to apply.\n");
    }
    if options.assume_no {
        return CommandResult::success("Aborted apply.\n");
    }
    if !options.assume_yes {
        return CommandResult::failure(
            1,
            "Warning: Applying the pending revision needs confirmation, but there is no terminal to ask on.\n\
             Error: Aborted apply. Use 'nv config apply -y' (--assume-yes) to apply without confirmation.",
        );
    }
    if state.faults.apply_fails {
        return CommandResult::nvue_error(
            "Config apply failed: Internal error while applying the configuration (set by the apply_fails fault); the pending revision was not applied",
        );
    }
    let Some(candidate) = state.candidate.take() else {
        return CommandResult::success("Warning: No pending configuration changes to apply.\n");
    };
    let mut new_config = *candidate;
    if state.faults.password_not_applied {
        state.faults.password_not_applied = false;
        keep_old_password_hashes(device.platform, &state.applied, &mut new_config);
    }
    let reason = options
        .message
        .clone()
        .unwrap_or_else(|| format!("Config update by {}", context.user));
    let revision = state.commit(new_config, &context.user, "CLI", &reason);
    if state.faults.drop_after_apply {
        state.faults.drop_after_apply = false;
        return CommandResult {
            drop_connection: true,
            ..CommandResult::default()
        };
    }
    CommandResult::success(format!("applied [rev_id: {revision}]\n"))
}

/// For `password_not_applied`: users that had a hash keep it.
fn keep_old_password_hashes(platform: Platform, old: &NvueConfig, new: &mut NvueConfig) {
    let key = platform.password_key();
    let Some(old_users) = old
        .root
        .get(&["system", "aaa", "user"])
        .and_then(Node::children)
    else {
        return;
    };
    for (username, old_user) in old_users {
        let Some(old_hash) = old_user.get(&[key]) else {
            continue;
        };
        if new.root.get(&["system", "aaa", "user", username]).is_some() {
            new.root
                .ensure_branch(&["system", "aaa", "user", username])
                .insert(key.to_string(), old_hash.clone());
        }
    }
}

/// Reads a file named on an `nv config replace|patch` command line.
fn read_config_file(
    device: &Device,
    context: &ExecContext,
    state: &DeviceState,
    name: &str,
) -> Result<String, CommandResult> {
    let resolved = resolve_path(device.platform, &context.user, name);
    let Some(file) = state.file(&resolved) else {
        return Err(CommandResult::nvue_error(format!(
            "[Errno 2] No such file or directory: '{name}'"
        )));
    };
    let text = String::from_utf8_lossy(&file.content).into_owned();
    if state.faults.rejects_yaml {
        let line = text.lines().count().clamp(1, 3);
        return Err(CommandResult::nvue_error(format!(
            "Invalid config file {name}: while parsing a block mapping, did not find expected key at line {line} column 5"
        )));
    }
    Ok(text)
}

fn config_file_error(name: &str, error: &ParseError) -> CommandResult {
    CommandResult::nvue_error(format!("Invalid config file {name}: {error}"))
}

fn config_replace(device: &Device, context: &ExecContext, arguments: &[String]) -> CommandResult {
    let options = or_return!(parse_options(arguments));
    let Some(name) = options.positional.first() else {
        return CommandResult::nvue_error("Incomplete command: nv config replace <file>");
    };
    let mut state = or_return!(lock_for_change(device, &context.user));
    let text = or_return!(read_config_file(device, context, &state, name));
    let mut parsed = match NvueConfig::from_startup_yaml(&text) {
        Ok(parsed) => parsed,
        Err(error) => return config_file_error(name, &error),
    };
    if let Err(problem) = check_tree(device.platform, &parsed.root) {
        return CommandResult::nvue_error(format!("Invalid config file {name}: {problem}"));
    }
    or_return!(hash_file_passwords(device.platform, &mut parsed.root));
    let header = state.applied.header.clone();
    state.candidate = Some(Box::new(NvueConfig::new(header, parsed.root)));
    CommandResult::default()
}

fn config_patch(device: &Device, context: &ExecContext, arguments: &[String]) -> CommandResult {
    let options = or_return!(parse_options(arguments));
    let Some(name) = options.positional.first() else {
        return CommandResult::nvue_error("Incomplete command: nv config patch <file>");
    };
    let mut state = or_return!(lock_for_change(device, &context.user));
    let text = or_return!(read_config_file(device, context, &state, name));
    let mut documents = match parse_documents(&text) {
        Ok(documents) => documents,
        Err(error) => return config_file_error(name, &error),
    };
    for tree in [&documents.set, &documents.unset].into_iter().flatten() {
        if let Some(children) = tree.children()
            && let Some(key) = children
                .keys()
                .find(|key| !device.platform.top_level_objects().contains(&key.as_str()))
        {
            return CommandResult::nvue_error(format!(
                "Invalid config file {name}: Invalid config path: {key}"
            ));
        }
    }
    if let Some(set) = &documents.set
        && let Err(problem) = check_tree(device.platform, set)
    {
        return CommandResult::nvue_error(format!("Invalid config file {name}: {problem}"));
    }
    if let Some(set) = &mut documents.set
        && let Err(result) = hash_file_passwords(device.platform, set)
    {
        return result;
    }
    let candidate = state.candidate_mut();
    if let Some(set) = &documents.set {
        candidate.root.merge(set);
    }
    if let Some(unset) = &documents.unset {
        candidate.root.unset_tree(unset);
    }
    CommandResult::default()
}

fn config_revision(device: &Device, arguments: &[String]) -> CommandResult {
    let (_, format) = or_return!(options_and_format(arguments, &[Format::Json, Format::Yaml]));
    let state = device.lock();
    let current = state.applied_revision();
    let pending = state.candidate.is_some();
    let revisions: Vec<_> = state.revisions.iter().rev().collect();
    match format {
        Format::Json | Format::Yaml => {
            let mut all = serde_json::Map::new();
            if pending {
                all.insert("pending".into(), serde_json::json!({"state": "pending"}));
            }
            for revision in &revisions {
                let state_name = if revision.id == current {
                    "applied"
                } else {
                    "superseded"
                };
                all.insert(
                    revision.id.to_string(),
                    serde_json::json!({
                        "state": state_name,
                        "date": revision.date,
                        "method": revision.method,
                        "user": revision.user,
                        "reason": revision.reason,
                    }),
                );
            }
            let value = serde_json::Value::Object(all);
            if format == Format::Json {
                CommandResult::success(json_text(&value))
            } else {
                let yaml: Value = serde_yaml::to_value(&value).unwrap_or_default();
                CommandResult::success(yaml_text(&yaml))
            }
        }
        _ => {
            let mut rows = Vec::new();
            if pending {
                rows.push(vec![
                    "pending".to_string(),
                    "pending".to_string(),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                ]);
            }
            for revision in &revisions {
                rows.push(vec![
                    revision.id.to_string(),
                    if revision.id == current {
                        "applied"
                    } else {
                        "superseded"
                    }
                    .to_string(),
                    revision.date.clone(),
                    revision.method.clone(),
                    revision.user.clone(),
                    revision.reason.clone(),
                ]);
            }
            CommandResult::success(table(
                &["Rev ID", "State", "Apply Date", "Type", "User", "Reason"],
                &rows,
            ))
        }
    }
}

fn config_history(device: &Device, arguments: &[String]) -> CommandResult {
    let (_, format) = or_return!(options_and_format(arguments, &[Format::Json, Format::Yaml]));
    let state = device.lock();
    let entries: Vec<serde_json::Value> = state
        .revisions
        .iter()
        .rev()
        .map(|revision| {
            serde_json::json!({
                "apply-id": format!("rev_{}_apply_1", revision.id),
                "date": revision.date,
                "message": revision.reason,
                "method": revision.method,
                "rev-id": revision.id.to_string(),
                "user": revision.user,
            })
        })
        .collect();
    let value = serde_json::Value::Array(entries);
    if format == Format::Json {
        CommandResult::success(json_text(&value))
    } else {
        let yaml: Value = serde_yaml::to_value(&value).unwrap_or_default();
        CommandResult::success(yaml_text(&yaml))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::device::test_device;
    use crate::faults::Fault;
    use std::sync::Arc;

    fn admin(device: &Device) -> ExecContext {
        ExecContext {
            user: device.platform.login_user().to_string(),
            interactive: false,
            last_status: 0,
        }
    }

    async fn run(device: &Device, line: &str) -> Output {
        run_line(device, &admin(device), line, None).await
    }

    async fn run_with_stdin(device: &Device, line: &str, stdin: &str) -> Output {
        run_line(
            device,
            &admin(device),
            line,
            Some(stdin.as_bytes().to_vec()),
        )
        .await
    }

    const NEW_HASH: &str = "$6$rounds=5000$newsalt$abcdefghijklmnopqrstuv";

    #[tokio::test]
    async fn a_plaintext_password_in_a_file_is_hashed_like_nv_set_does() {
        let device = test_device(Platform::Cumulus);
        let file = "- set:\n    system:\n      aaa:\n        user:\n          cumulus:\n            password: 'Plain-Text-9'\n";
        let upload = run_with_stdin(&device, "cat > /tmp/p.yaml", file).await;
        assert_eq!(upload.exit_status, 0);
        for command in ["nv config patch /tmp/p.yaml", "nv config apply -y"] {
            let output = run(&device, command).await;
            assert_eq!(output.exit_status, 0, "{command}: {}", output.stderr_text());
        }
        let applied = device.applied_config().to_startup_yaml(false);
        assert!(!applied.contains("Plain-Text-9"), "{applied}");
        let hash = device.user_password_hash("cumulus").unwrap();
        assert!(pwhash::sha512_crypt::verify("Plain-Text-9", &hash));
        // Replace does the same.
        let whole = device
            .applied_config()
            .to_startup_yaml(false)
            .replace(&hash, "Other-Plain-7")
            .replace("hashed-password", "password");
        run_with_stdin(&device, "cat > /tmp/r.yaml", &whole).await;
        let replace = run(&device, "nv config replace /tmp/r.yaml").await;
        assert_eq!(replace.exit_status, 0, "{}", replace.stderr_text());
        let pending = device.report(true).candidate_config.unwrap();
        assert!(!pending.contains("Other-Plain-7"), "{pending}");
    }

    #[tokio::test]
    async fn setting_an_object_without_a_value_is_refused_not_stored_as_a_value() {
        let device = test_device(Platform::Cumulus);
        let output = run(&device, "nv set system hostname").await;
        assert_ne!(output.exit_status, 0);
        assert!(output.stderr_text().contains("Incomplete command"));
        assert_eq!(
            run(&device, "nv config diff -o commands")
                .await
                .stdout_text(),
            ""
        );
        assert!(device.user_password_hash("cumulus").is_some());
    }

    #[tokio::test]
    async fn set_diff_apply_cycle_masks_hashes_and_bumps_the_revision() {
        let device = test_device(Platform::Cumulus);
        assert_eq!(
            run(&device, "nv config diff -o commands").await,
            Output::default()
        );
        let set = run(
            &device,
            &format!("nv set system aaa user cumulus hashed-password '{NEW_HASH}'"),
        )
        .await;
        assert_eq!(set.exit_status, 0, "{}", set.stderr_text());
        let set = run(&device, "nv set interface swp1 description 'to spine 9'").await;
        assert_eq!(set.exit_status, 0);
        let diff = run(&device, "nv config diff -o commands").await;
        assert_eq!(
            diff.stdout_text(),
            "nv set interface swp1 description 'to spine 9'\n\
             nv set system aaa user cumulus hashed-password *\n"
        );
        let yaml = run(&device, "nv config diff").await.stdout_text();
        assert!(yaml.starts_with("- set:\n"), "{yaml}");
        assert!(yaml.contains("hashed-password: '*'"), "{yaml}");
        assert!(!yaml.contains("$6$"));
        let apply = run(&device, "nv config apply -y").await;
        assert_eq!(apply.stdout_text(), "applied [rev_id: 2]\n");
        assert_eq!(apply.exit_status, 0);
        assert_eq!(
            device.user_password_hash("cumulus").as_deref(),
            Some(NEW_HASH)
        );
        let again = run(&device, "nv config apply -y").await;
        assert_eq!(again.exit_status, 0);
        assert!(
            again.stdout_text().contains("No pending"),
            "{}",
            again.stdout_text()
        );
        assert_eq!(device.applied_revision(), 2);
    }

    #[tokio::test]
    async fn unset_reports_the_highest_removed_node() {
        let device = test_device(Platform::Cumulus);
        run(&device, "nv unset interface swp2").await;
        run(&device, "nv unset interface swp3 description").await;
        let diff = run(&device, "nv config diff -o commands")
            .await
            .stdout_text();
        assert_eq!(
            diff,
            "nv unset interface swp2\nnv unset interface swp3 description\n"
        );
        run(&device, "nv config detach").await;
        assert_eq!(
            run(&device, "nv config diff -o commands")
                .await
                .stdout_text(),
            ""
        );
    }

    #[tokio::test]
    async fn show_masks_hashes_in_every_format() {
        let device = test_device(Platform::Cumulus);
        let yaml = run(&device, "nv config show").await.stdout_text();
        assert!(yaml.starts_with("- header:\n"), "{yaml}");
        assert!(yaml.contains("hashed-password: '*'"), "{yaml}");
        assert!(yaml.contains("version: Cumulus Linux 5.9.0"), "{yaml}");
        let commands = run(&device, "nv config show -o commands")
            .await
            .stdout_text();
        assert!(commands.contains("nv set system aaa user cumulus hashed-password *\n"));
        assert!(
            commands.contains("nv set system hostname unit-leaf-01\n"),
            "{commands}"
        );
        let json = run(&device, "nv config show -o json").await.stdout_text();
        let parsed: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(
            parsed[1]["set"]["system"]["aaa"]["user"]["cumulus"]["hashed-password"],
            "*"
        );
        for output in [yaml, commands, json] {
            assert!(!output.contains("$6$"));
        }
    }

    #[tokio::test]
    async fn show_users_lists_roles_and_never_hashes() {
        let device = test_device(Platform::Cumulus);
        let one = run(&device, "nv show system aaa user cumulus -o json").await;
        assert_eq!(one.exit_status, 0);
        let parsed: serde_json::Value = serde_json::from_str(&one.stdout_text()).unwrap();
        assert_eq!(
            parsed,
            serde_json::json!({"full-name": "cumulus,,,", "role": "system-admin"})
        );
        let table = run(&device, "nv show system aaa user").await.stdout_text();
        assert!(table.starts_with("Username"), "{table}");
        assert!(table.contains("cumulus"));
        assert!(table.contains("auditor"));
        let all = run(&device, "nv show system aaa user -o json")
            .await
            .stdout_text();
        assert!(!all.contains("$6$"));
        let missing = run(&device, "nv show system aaa user nobody").await;
        assert_eq!(missing.exit_status, 1);
        assert_eq!(
            missing.stderr_text(),
            "Error: The requested item does not exist.\n"
        );
        let hash = run(&device, "nv show system aaa user cumulus hashed-password").await;
        assert_eq!(hash.stdout_text(), "*\n");
    }

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
    async fn files_replace_and_patch() {
        let device = test_device(Platform::Cumulus);
        let mut intended = device.applied_config();
        intended.root.set_leaf(
            &["system", "aaa", "user", "cumulus", "hashed-password"],
            Value::String(NEW_HASH.into()),
        );
        let text = intended.to_startup_yaml(false);
        let written = run_with_stdin(&device, "cat > /tmp/intended.yaml", &text).await;
        assert_eq!(written.exit_status, 0);
        assert_eq!(
            run(&device, "cat /tmp/intended.yaml").await.stdout_text(),
            text
        );
        let replaced = run(&device, "nv config replace /tmp/intended.yaml").await;
        assert_eq!(replaced.exit_status, 0, "{}", replaced.stderr_text());
        assert_eq!(
            run(&device, "nv config diff -o commands")
                .await
                .stdout_text(),
            "nv set system aaa user cumulus hashed-password *\n"
        );
        run(&device, "nv config detach").await;
        let patch = "- set:\n    system:\n      hostname: patched\n- unset:\n    interface:\n      swp4: null\n";
        run_with_stdin(&device, "cat > patch.yaml", patch).await;
        assert!(device.file("/home/cumulus/patch.yaml").is_some());
        let patched = run(&device, "nv config patch ~/patch.yaml").await;
        assert_eq!(patched.exit_status, 0, "{}", patched.stderr_text());
        assert_eq!(
            run(&device, "nv config diff -o commands")
                .await
                .stdout_text(),
            "nv unset interface swp4\nnv set system hostname patched\n"
        );
        let missing = run(&device, "nv config replace /tmp/nothing.yaml").await;
        assert_eq!(missing.exit_status, 1);
        assert_eq!(
            missing.stderr_text(),
            "Error: [Errno 2] No such file or directory: '/tmp/nothing.yaml'\n"
        );
        run_with_stdin(
            &device,
            "cat > /tmp/bad.yaml",
            "- set:\n    system: [\n  x: :\n",
        )
        .await;
        let bad = run(&device, "nv config replace /tmp/bad.yaml").await;
        assert_eq!(bad.exit_status, 1);
        let message = bad.stderr_text();
        assert!(
            message.starts_with("Error: Invalid config file /tmp/bad.yaml: "),
            "{message}"
        );
        assert!(
            message.contains("line") && message.contains("column"),
            "{message}"
        );
        assert_eq!(
            run(&device, "rm -f /tmp/bad.yaml /tmp/absent")
                .await
                .exit_status,
            0
        );
        assert_eq!(run(&device, "rm /tmp/absent").await.exit_status, 1);
        assert_eq!(run(&device, "cat /tmp/bad.yaml").await.exit_status, 1);
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

    #[tokio::test]
    async fn apply_without_confirmation_does_not_hang() {
        let device = test_device(Platform::Cumulus);
        run(&device, "nv set system hostname other").await;
        let output = run(&device, "nv config apply").await;
        assert_eq!(output.exit_status, 1);
        assert!(output.stderr_text().contains("-y"));
        assert_eq!(device.applied_revision(), 1);
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
    async fn revisions_and_history_list_applies() {
        let device = test_device(Platform::Cumulus);
        run(&device, "nv set system hostname other").await;
        run(&device, "nv config apply -y -m 'rename'").await;
        let table = run(&device, "nv config revision").await.stdout_text();
        assert!(table.starts_with("Rev ID"), "{table}");
        assert!(table.contains("rename"), "{table}");
        let history = run(&device, "nv config history -o json")
            .await
            .stdout_text();
        let parsed: serde_json::Value = serde_json::from_str(&history).unwrap();
        assert_eq!(parsed[0]["rev-id"], "2");
        assert_eq!(parsed[0]["user"], "cumulus");
        assert_eq!(parsed[1]["rev-id"], "1");
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

    #[tokio::test]
    async fn cumulus_password_field_hashes_a_plaintext() {
        let device = test_device(Platform::Cumulus);
        run(
            &device,
            "nv set system aaa user cumulus password 'n3w pass'",
        )
        .await;
        let candidate = device.candidate_config().unwrap();
        let hash = candidate
            .root
            .leaf_text(&["system", "aaa", "user", "cumulus", "hashed-password"])
            .unwrap();
        assert!(pwhash::unix::verify("n3w pass", &hash));
        assert!(
            candidate
                .root
                .get(&["system", "aaa", "user", "cumulus", "password"])
                .is_none()
        );
    }

    #[tokio::test]
    async fn apply_faults() {
        let device = Arc::new(test_device(Platform::Cumulus));
        run(
            &device,
            &format!("nv set system aaa user cumulus hashed-password '{NEW_HASH}'"),
        )
        .await;
        device.set_fault(Fault::ApplyFails).unwrap();
        let failed = run(&device, "nv config apply -y").await;
        assert_eq!(failed.exit_status, 1);
        assert!(
            failed
                .stderr_text()
                .starts_with("Error: Config apply failed: ")
        );
        assert_eq!(device.applied_revision(), 1);
        device
            .clear_fault(crate::faults::FaultKind::ApplyFails)
            .unwrap();

        device.set_fault(Fault::PasswordNotApplied).unwrap();
        let applied = run(&device, "nv config apply -y").await;
        assert_eq!(applied.stdout_text(), "applied [rev_id: 2]\n");
        assert_ne!(
            device.user_password_hash("cumulus").as_deref(),
            Some(NEW_HASH)
        );
        assert!(device.faults().is_empty(), "one-shot fault cleared");

        run(
            &device,
            &format!("nv set system aaa user cumulus hashed-password '{NEW_HASH}'"),
        )
        .await;
        device.set_fault(Fault::DropAfterApply).unwrap();
        let dropped = run(&device, "nv config apply -y").await;
        assert!(dropped.drop_connection);
        assert!(dropped.stdout.is_empty());
        assert_eq!(
            device.user_password_hash("cumulus").as_deref(),
            Some(NEW_HASH)
        );
        assert!(device.faults().is_empty());
    }

    #[tokio::test]
    async fn yaml_and_concurrent_change_faults() {
        let device = Arc::new(test_device(Platform::Cumulus));
        run_with_stdin(
            &device,
            "cat > /tmp/x.yaml",
            "- set:\n    system:\n      hostname: a\n",
        )
        .await;
        device.set_fault(Fault::RejectsYaml).unwrap();
        let rejected = run(&device, "nv config replace /tmp/x.yaml").await;
        assert_eq!(rejected.exit_status, 1);
        assert!(
            rejected.stderr_text().contains("line 3 column 5"),
            "{}",
            rejected.stderr_text()
        );
        assert_eq!(
            run(&device, "nv config patch /tmp/x.yaml")
                .await
                .exit_status,
            1
        );
        device
            .clear_fault(crate::faults::FaultKind::RejectsYaml)
            .unwrap();
        assert_eq!(
            run(&device, "nv config patch /tmp/x.yaml")
                .await
                .exit_status,
            0
        );

        device.set_fault(Fault::ChangeBetweenDiffAndApply).unwrap();
        let before = device.applied_revision();
        let diff = run(&device, "nv config diff -o commands").await;
        assert_eq!(diff.stdout_text(), "nv set system hostname a\n");
        assert_eq!(device.applied_revision(), before + 1);
        assert!(
            device
                .applied_config()
                .root
                .leaf_text(&["system", "message", "post-login"])
                .is_some()
        );
        assert!(device.faults().is_empty());
    }

    #[tokio::test]
    async fn drift_changes_a_description_and_clearing_reverts_it() {
        let device = Arc::new(test_device(Platform::Cumulus));
        let created = device.created_config();
        device.set_fault(Fault::Drifted).unwrap();
        let drifted = device.applied_config();
        let changes = diff(&created.root, &drifted.root);
        assert_eq!(changes.len(), 1);
        assert_eq!(
            changes[0].to_command(true),
            "nv set interface swp1 description 'drifted: changed outside Rotor'"
        );
        assert_eq!(device.applied_revision(), 2);
        device
            .clear_fault(crate::faults::FaultKind::Drifted)
            .unwrap();
        assert!(device.applied_config().root.same_as(&created.root));
        assert_eq!(device.applied_revision(), 3);
    }
}
