//! Redirections: where a command's standard input comes from (`<`, here-documents, a pipe, the
//! session) and where its output goes (the session, a pipe, `/dev/null`, or a device file).

use std::collections::BTreeMap;

use crate::device::{Device, MAX_FILE_BYTES};
use crate::shell::syntax::{Redirect, SimpleCommand};
use crate::shell::{CommandResult, ExecContext, Output, resolve_path};

/// A command's standard input: a here-document or `< file`, else the previous command's output
/// in a pipeline, else the session's input if the command reads it (taken once), else nothing.
pub(super) fn command_stdin(
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
pub(super) fn route_output(
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
