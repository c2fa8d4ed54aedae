//! How `nv` prints an answer: pretty JSON, YAML, NVUE's plain tables, and lines; and the one
//! choice between them that `-o json|yaml` makes for a structured answer.

use serde_yaml::Value;

use crate::shell::CommandResult;

use super::options::Format;

/// A structured answer as `-o` asks: pretty JSON, YAML, or for any other format (no `-o`) what
/// `otherwise` prints, a table for most commands.
pub(super) fn structured_output(
    format: Format,
    value: &serde_json::Value,
    otherwise: impl FnOnce() -> Vec<u8>,
) -> CommandResult {
    CommandResult::success(match format {
        Format::Json => json_text(value),
        Format::Yaml => json_as_yaml_text(value),
        Format::Auto | Format::Commands => otherwise(),
    })
}

/// One line each, each ending in a newline.
pub(super) fn lines(lines: Vec<String>) -> Vec<u8> {
    let mut text = lines.join("\n");
    if !text.is_empty() {
        text.push('\n');
    }
    text.into_bytes()
}

/// NVUE's plain table: a header row, a row of dashes, then the rows, in columns two spaces apart.
pub(super) fn table(headers: &[&str], rows: &[Vec<String>]) -> Vec<u8> {
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
    (out.join("\n") + "\n").into_bytes()
}

/// Pretty JSON and a newline.
pub(super) fn json_text(value: &serde_json::Value) -> Vec<u8> {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text.into_bytes()
}

pub(super) fn yaml_text(value: &Value) -> Vec<u8> {
    serde_yaml::to_string(value)
        .unwrap_or_default()
        .into_bytes()
}

/// A JSON value printed as YAML.
pub(super) fn json_as_yaml_text(value: &serde_json::Value) -> Vec<u8> {
    let yaml: Value = serde_yaml::to_value(value).unwrap_or_default();
    yaml_text(&yaml)
}
