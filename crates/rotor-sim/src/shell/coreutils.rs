//! The shell's own commands besides `nv`: `cat` (also `cat > file` uploads), `rm`, the filters
//! `grep`, `head`, `tail` and `wc`, and `echo`, `true`, `false`, `cd`, `hostname`, `whoami`,
//! `pwd`. Files live in the device's small in-memory store.

use crate::device::Device;
use crate::shell::syntax::file_operands;
use crate::shell::{CommandResult, ExecContext, resolve_path};

/// Runs one of these commands; `words` starts with its name. Anything else is not found (127).
pub(super) fn run(
    device: &Device,
    context: &ExecContext,
    words: &[String],
    stdin: &[u8],
) -> CommandResult {
    let arguments = &words[1..];
    match words[0].as_str() {
        "cat" => cat(device, context, arguments, stdin),
        "grep" | "head" | "tail" | "wc" => filter(device, context, words, stdin),
        "rm" => rm(device, context, arguments),
        "echo" => echo(arguments),
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

/// `echo [-n] [-e] words...`.
fn echo(arguments: &[String]) -> CommandResult {
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

/// `cat [files...]`: the files, or standard input (`-` or no file).
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

/// `grep` (fixed strings; `-v -i -c -q`), `head`/`tail` (`-n N`, `-N`) and `wc` (`-l`) over
/// their files or standard input.
fn filter(device: &Device, context: &ExecContext, words: &[String], stdin: &[u8]) -> CommandResult {
    let input = match filter_input(device, context, words, stdin) {
        Ok(input) => input,
        Err(failure) => return failure,
    };
    let text = String::from_utf8_lossy(&input);
    let lines: Vec<&str> = text.lines().collect();
    match words[0].as_str() {
        "grep" => grep(words, &lines),
        "head" | "tail" => head_or_tail(words, &lines),
        _ => wc(words, &text, &lines, input.len()),
    }
}

/// Whether a one-letter flag is given, alone (`-v`) or with others (`-vc`).
fn has_flag(words: &[String], flag: char) -> bool {
    words[1..].iter().any(|word| {
        word.starts_with('-') && word != "-" && !word.starts_with("--") && word[1..].contains(flag)
    })
}

/// Lines, each ending in a newline.
fn joined(selected: &[&str]) -> String {
    let mut out = selected.join("\n");
    if !selected.is_empty() {
        out.push('\n');
    }
    out
}

fn grep(words: &[String], lines: &[&str]) -> CommandResult {
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
    let ignore_case = has_flag(words, 'i');
    let invert = has_flag(words, 'v');
    let wanted = |line: &str| {
        let found = if ignore_case {
            line.to_lowercase().contains(&pattern.to_lowercase())
        } else {
            line.contains(pattern.as_str())
        };
        found != invert
    };
    let selected: Vec<&str> = lines.iter().copied().filter(|line| wanted(line)).collect();
    let status = u32::from(selected.is_empty());
    let stdout = if has_flag(words, 'q') {
        String::new()
    } else if has_flag(words, 'c') {
        format!("{}\n", selected.len())
    } else {
        joined(&selected)
    };
    CommandResult {
        stdout: stdout.into_bytes(),
        status,
        ..CommandResult::default()
    }
}

fn head_or_tail(words: &[String], lines: &[&str]) -> CommandResult {
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
        &lines[..count.min(lines.len())]
    } else {
        &lines[lines.len().saturating_sub(count)..]
    };
    CommandResult::success(joined(selected))
}

fn wc(words: &[String], text: &str, lines: &[&str], bytes: usize) -> CommandResult {
    if has_flag(words, 'l') {
        CommandResult::success(format!("{}\n", lines.len()))
    } else {
        let word_count = text.split_whitespace().count();
        CommandResult::success(format!(
            "{:>7} {:>7} {:>7}\n",
            lines.len(),
            word_count,
            bytes
        ))
    }
}

/// `rm [-f] files...`.
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
