//! The options of an `nv` command (`-o FORMAT`, `-r REV`, `-y`, `--assume-no`, `-m MESSAGE`,
//! ...) and the output formats a command allows.

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
}

/// Splits an `nv` command's words into its options and its positional words.
pub(super) fn parse_options(arguments: &[String]) -> Result<Options, NvueError> {
    let mut options = Options::default();
    let mut iterator = arguments.iter();
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
            "-y" | "--assume-yes" => options.assume_yes = true,
            "--assume-no" => options.assume_no = true,
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
