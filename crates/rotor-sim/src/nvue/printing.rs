//! How `nv` prints an answer: pretty JSON, YAML, NVUE's plain tables, and lines.

use serde_yaml::Value;

pub(super) fn lines(lines: Vec<String>) -> Vec<u8> {
    let mut text = lines.join("\n");
    if !text.is_empty() {
        text.push('\n');
    }
    text.into_bytes()
}

pub(super) fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
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
