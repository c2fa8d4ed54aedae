//! The options of an `nv` command (`-o FORMAT`, `-r REV`, `-y`, `--assume-no`, `-m MESSAGE`,
//! `--confirm [TIME]`, `--confirm-yes|--confirm-no|--confirm-status`, ...) and the output formats
//! a command allows.

use std::time::Duration;

use super::NvueError;

/// Options of an `nv` command: `-o FORMAT`, `-r REV`, `-y`, `-m MESSAGE`, ...
#[derive(Debug, Default)]
pub(super) struct Options {
    pub(super) positional: Vec<String>,
    pub(super) output: Option<String>,
    pub(super) revision: Option<String>,
    pub(super) message: Option<String>,
    pub(super) assume_yes: bool,
    pub(super) assume_no: bool,
    /// `--confirm [TIME]`: the confirm window.
    pub(super) confirm: Option<Duration>,
    /// `--confirm-yes`, `--confirm-no` or `--confirm-status`.
    pub(super) confirm_action: Option<ConfirmAction>,
}

/// What `nv config apply --confirm-yes|--confirm-no|--confirm-status` asks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum ConfirmAction {
    Yes,
    No,
    Status,
}

/// The confirm window when `--confirm` has no time: ten minutes (NVUE reference, NVOS manual).
pub(super) const DEFAULT_CONFIRM_WINDOW: Duration = Duration::from_secs(600);

/// A `--confirm` time: `Ns`, `Nm`, `Nh`, or a bare number of minutes (the NVUE reference's
/// "`--confirm 60` ... within one hour").
pub(super) fn parse_confirm_time(text: &str) -> Option<Duration> {
    let (digits, unit) = match text.char_indices().last()? {
        (index, 's' | 'm' | 'h') => (&text[..index], &text[index..]),
        _ => (text, "m"),
    };
    let number: u64 = digits.parse().ok()?;
    let seconds = match unit {
        "s" => number,
        "h" => number.checked_mul(3600)?,
        _ => number.checked_mul(60)?,
    };
    (seconds > 0).then(|| Duration::from_secs(seconds))
}

fn looks_like_confirm_time(word: &str) -> bool {
    word.chars().next().is_some_and(|c| c.is_ascii_digit())
}

/// Splits an `nv` command's words into its options and its positional words.
pub(super) fn parse_options(arguments: &[String]) -> Result<Options, NvueError> {
    let mut options = Options::default();
    let mut iterator = arguments.iter().peekable();
    while let Some(argument) = iterator.next() {
        let (name, inline) = match argument.split_once('=') {
            Some((name, value)) if name.starts_with("--") => (name, Some(value.to_string())),
            _ => (argument.as_str(), None),
        };
        let mut value = |option: &str| -> Result<String, NvueError> {
            inline
                .clone()
                .or_else(|| iterator.next().cloned())
                .ok_or_else(|| NvueError::new(format!("Option {option} requires a value")))
        };
        match name {
            "-o" | "--output" => options.output = Some(value(name)?),
            "-r" | "--rev" => options.revision = Some(value(name)?),
            "-m" | "--message" => options.message = Some(value(name)?),
            "-y" | "--y" | "--assume-yes" => options.assume_yes = true,
            "--assume-no" => options.assume_no = true,
            "--confirm" => {
                let text = inline.clone().or_else(|| {
                    iterator
                        .next_if(|word| looks_like_confirm_time(word))
                        .cloned()
                });
                options.confirm = Some(match text {
                    None => DEFAULT_CONFIRM_WINDOW,
                    Some(text) => parse_confirm_time(&text).ok_or_else(|| {
                        NvueError::new(format!(
                            "Invalid value for confirm: '{text}' is not a time such as 300s, 5m or 1h"
                        ))
                    })?,
                });
            }
            "--confirm-yes" => options.confirm_action = Some(ConfirmAction::Yes),
            "--confirm-no" => options.confirm_action = Some(ConfirmAction::No),
            "--confirm-status" => options.confirm_action = Some(ConfirmAction::Status),
            "--applied" => options.revision = Some("applied".into()),
            "--pending" => options.revision = Some("pending".into()),
            "--operational" | "--color" | "--paginate" | "-h" | "--help" => {}
            other if other.starts_with('-') && other.len() > 1 => {
                return Err(NvueError::new(format!("Invalid option '{other}'")));
            }
            _ => options.positional.push(argument.clone()),
        }
    }
    Ok(options)
}

/// The output format `-o` asks for; `Auto` when it is not given.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Format {
    Auto,
    Yaml,
    Json,
    Commands,
}

fn output_format(options: &Options, allowed: &[Format]) -> Result<Format, NvueError> {
    let format = match options.output.as_deref() {
        None | Some("auto") => Format::Auto,
        Some("yaml") => Format::Yaml,
        Some("json") => Format::Json,
        Some("commands") => Format::Commands,
        Some(other) => {
            return Err(NvueError::new(format!("Invalid output format '{other}'")));
        }
    };
    if format != Format::Auto && !allowed.contains(&format) {
        return Err(NvueError::new(format!(
            "Output format '{}' is not supported by this command",
            options.output.as_deref().unwrap_or_default()
        )));
    }
    Ok(format)
}

/// A command's options and its `-o` format, one of `allowed`.
pub(super) fn options_and_format(
    arguments: &[String],
    allowed: &[Format],
) -> Result<(Options, Format), NvueError> {
    let options = parse_options(arguments)?;
    let format = output_format(&options, allowed)?;
    Ok((options, format))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        text.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn confirm_times_take_a_unit_or_mean_minutes() {
        assert_eq!(parse_confirm_time("300s"), Some(Duration::from_secs(300)));
        assert_eq!(parse_confirm_time("5m"), Some(Duration::from_secs(300)));
        assert_eq!(parse_confirm_time("1h"), Some(Duration::from_secs(3600)));
        assert_eq!(parse_confirm_time("60"), Some(Duration::from_secs(3600)));
        assert_eq!(parse_confirm_time("0s"), None);
        assert_eq!(parse_confirm_time("soon"), None);
        let options = parse_options(&words("--confirm 90s -y")).unwrap();
        assert_eq!(options.confirm, Some(Duration::from_secs(90)));
        assert!(options.assume_yes);
        let default = parse_options(&words("--confirm -y")).unwrap();
        assert_eq!(default.confirm, Some(DEFAULT_CONFIRM_WINDOW));
        assert!(parse_options(&words("--confirm=later")).is_err());
        let status = parse_options(&words("--confirm-status")).unwrap();
        assert_eq!(status.confirm_action, Some(ConfirmAction::Status));
    }
}
