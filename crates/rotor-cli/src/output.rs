//! Printing answers: proto3 JSON for machines, aligned columns and `name  value` lines for
//! people, and the words an enum number stands for.

use std::io::IsTerminal;

use rotor_proto::v1::{
    AdministrativeState, Error, ErrorCode, OperationState, RotationKind, Stage,
    SynchronizationStatus, stage_event,
};

use crate::cli::OutputFormat;

/// Prints a line on stdout like `println!`, but a closed pipe (`rotor ... | head`) ends the
/// command quietly instead of panicking.
#[macro_export]
macro_rules! out {
    () => {
        $crate::output::write_line(format_args!(""))
    };
    ($($argument:tt)*) => {
        $crate::output::write_line(format_args!($($argument)*))
    };
}

/// What [`out!`] calls.
pub fn write_line(arguments: std::fmt::Arguments<'_>) {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    let written = stdout
        .write_fmt(arguments)
        .and_then(|()| stdout.write_all(b"\n"));
    if let Err(error) = written {
        if error.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        panic!("cannot write to stdout: {error}");
    }
}

/// The output form to use: the one asked for, else table on a terminal and JSON otherwise.
pub fn resolve(asked: Option<OutputFormat>) -> OutputFormat {
    asked.unwrap_or(if std::io::stdout().is_terminal() {
        OutputFormat::Table
    } else {
        OutputFormat::Json
    })
}

/// A message as pretty proto3 JSON (every field, camelCase, enums by name).
pub fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string_pretty(value).expect("proto messages always serialise")
}

/// A message as one line of proto3 JSON.
pub fn json_line<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("proto messages always serialise")
}

/// Columns with a header row, each as wide as its widest cell.
#[derive(Debug, Default)]
pub struct Table {
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// An empty table with these column headers.
    pub fn new(headers: &[&str]) -> Table {
        Table {
            headers: headers.iter().map(|h| h.to_string()).collect(),
            rows: Vec::new(),
        }
    }

    /// Adds a row; cells beyond the number of headers are not printed.
    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    /// Whether the table has no rows.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The table as text: columns padded to their widest cell and two spaces apart, no trailing
    /// spaces.
    pub fn render(&self) -> String {
        let columns = self.headers.len();
        let mut widths: Vec<usize> = self.headers.iter().map(|h| h.chars().count()).collect();
        for row in &self.rows {
            for (index, cell) in row.iter().enumerate().take(columns) {
                widths[index] = widths[index].max(cell.chars().count());
            }
        }
        let line = |cells: &[String]| {
            let mut text = String::new();
            for (index, cell) in cells.iter().enumerate().take(columns) {
                if index + 1 == columns {
                    text.push_str(cell);
                } else {
                    text.push_str(cell);
                    let pad = widths[index] - cell.chars().count() + 2;
                    text.extend(std::iter::repeat_n(' ', pad));
                }
            }
            text.trim_end().to_string()
        };
        let mut out = line(&self.headers);
        for row in &self.rows {
            out.push('\n');
            out.push_str(&line(row));
        }
        out
    }
}

/// `name  value` lines, the values aligned.
pub fn fields(pairs: &[(&str, String)]) -> String {
    let width = pairs.iter().map(|(name, _)| name.len()).max().unwrap_or(0);
    pairs
        .iter()
        .map(|(name, value)| format!("{name:<width$}  {value}").trim_end().to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

/// A value for a table: `-` when empty.
pub fn or_dash(text: &str) -> String {
    if text.is_empty() {
        "-".to_string()
    } else {
        text.to_string()
    }
}

/// An operation state's proto name (e.g. `Succeeded`); `-` when unset or unknown.
pub fn state_name(value: i32) -> &'static str {
    match OperationState::try_from(value) {
        Ok(OperationState::Unspecified) | Err(_) => "-",
        Ok(state) => state.as_str_name(),
    }
}

/// A request kind's proto name (e.g. `FabricRotatePassword`); `-` when unset or unknown.
pub fn kind_name(value: i32) -> &'static str {
    match RotationKind::try_from(value) {
        Ok(RotationKind::Unspecified) | Err(_) => "-",
        Ok(kind) => kind.as_str_name(),
    }
}

/// An error code's proto name (e.g. `DiffChanged`); `-` when unset or unknown.
pub fn code_name(value: i32) -> &'static str {
    match ErrorCode::try_from(value) {
        Ok(ErrorCode::Unspecified) | Err(_) => "-",
        Ok(code) => code.as_str_name(),
    }
}

/// A stage's proto name (e.g. `apply_configuration`); `-` when unset or unknown.
pub fn stage_name(value: i32) -> &'static str {
    match Stage::try_from(value) {
        Ok(Stage::Unspecified) | Err(_) => "-",
        Ok(stage) => stage.as_str_name(),
    }
}

/// A stage event status's proto name (e.g. `Skipped`); `-` when unset or unknown.
pub fn stage_status_name(value: i32) -> &'static str {
    match stage_event::Status::try_from(value) {
        Ok(stage_event::Status::Unspecified) | Err(_) => "-",
        Ok(status) => status.as_str_name(),
    }
}

/// A synchronization status's proto name (e.g. `InSync`); `-` when unset or unknown.
pub fn sync_name(value: i32) -> &'static str {
    match SynchronizationStatus::try_from(value) {
        Ok(SynchronizationStatus::Unspecified) | Err(_) => "-",
        Ok(status) => status.as_str_name(),
    }
}

/// An administrative state's proto name (e.g. `UnderMaintenance`); `-` when unset or unknown.
pub fn administrative_state_name(value: i32) -> &'static str {
    match AdministrativeState::try_from(value) {
        Ok(AdministrativeState::Unspecified) | Err(_) => "-",
        Ok(state) => state.as_str_name(),
    }
}

/// `Code: message`, or `-` without an error.
pub fn error_text(error: Option<&Error>) -> String {
    match error {
        Some(error) if error.code != 0 || !error.message.is_empty() => {
            if error.message.is_empty() {
                code_name(error.code).to_string()
            } else {
                format!("{}: {}", code_name(error.code), error.message)
            }
        }
        _ => "-".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_align_their_columns() {
        let mut table = Table::new(&["DEVICE", "STATUS"]);
        table.row(vec!["fab1-leaf-01".into(), "Succeeded".into()]);
        table.row(vec!["s1".into(), "Failed".into()]);
        assert_eq!(
            table.render(),
            "DEVICE        STATUS\nfab1-leaf-01  Succeeded\ns1            Failed"
        );
        assert_eq!(
            fields(&[("Fabric", "fab1".into()), ("Total devices", "24".into())]),
            "Fabric         fab1\nTotal devices  24"
        );
        assert_eq!(state_name(0), "-");
        assert_eq!(state_name(OperationState::Failed as i32), "Failed");
    }
}
