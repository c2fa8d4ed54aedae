//! One place names the bus: `crates/rotor-bus/src/names.rs`. This test reads every Rust source
//! file of the workspace and fails on a string literal elsewhere that spells a Rotor subject,
//! stream, bucket or inbox (`rotor.events...`, `rotor_inventory`, `ROTOR_JOBS`, `_INBOX...`) or
//! builds a key filter or wildcard subscription by hand (`"{fabric}.*"`, `"*.plan"`, `">"`).
//!
//! Not checked: the names module itself, the permissions module (the JetStream API subjects), generated protobuf code, and the simulator (it speaks
//! SSH, not NATS; its `*` and `>` are NVUE paths and shell redirections). A line may opt out
//! with a `names-check: allow` comment saying why (a deliberately hostile name in a test).

use std::path::{Path, PathBuf};

const ALLOW: &str = "names-check: allow";

/// Whether `name` is one of Rotor's metric families or series (not a bus name).
fn is_metric(name: &str) -> bool {
    static NAMES: std::sync::LazyLock<Vec<String>> = std::sync::LazyLock::new(|| {
        let metrics = rotor_metrics::metrics();
        metrics
            .series_names()
            .into_iter()
            .chain(metrics.family_names().into_iter().map(String::from))
            .collect()
    });
    NAMES.iter().any(|metric| metric == name)
}

/// Why a string literal spells a name that only `names.rs` may spell, if it does.
fn violation(literal: &str) -> Option<&'static str> {
    if let Some(at) = literal.find("rotor.") {
        let token: String = literal[at + 6..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        // The protobuf package and file names and an example host are not bus names.
        if !token.is_empty() && !["v1", "yaml", "proto", "example"].contains(&token.as_str()) {
            return Some("a rotor.* subject");
        }
    }
    if let Some(at) = literal.find("rotor_") {
        let rest = &literal[at + 6..];
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_lowercase() || *c == '_')
            .collect();
        let after = &rest[name.len()..];
        // `rotor_pipeline=debug` (a log filter) and `rotor_bus::` (a path) name crates; a
        // Prometheus metric (`rotor_requests_total`) is named by rotor-metrics.
        if !name.is_empty()
            && !after.starts_with('=')
            && !after.starts_with("::")
            && !is_metric(&format!("rotor_{name}"))
        {
            return Some("a rotor_* bucket or object store");
        }
    }
    // A stream name, not a setting that starts like one (`ROTOR_AUDIT_RETENTION_SECS`).
    let names_stream = |stream: &str| {
        literal.match_indices(stream).any(|(at, _)| {
            literal[at + stream.len()..]
                .chars()
                .next()
                .is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '_'))
        })
    };
    if [
        "ROTOR_JOBS",
        "ROTOR_EVENTS",
        "ROTOR_REJECTED",
        "ROTOR_AUDIT",
        "ROTOR_NOTIFICATIONS",
    ]
    .iter()
    .any(|stream| names_stream(stream))
    {
        return Some("a stream name");
    }
    if literal.contains("_INBOX") {
        return Some("an inbox prefix");
    }
    let trimmed = literal.trim();
    if trimmed.ends_with(".*")
        || trimmed.ends_with(".>")
        || trimmed.starts_with("*.")
        || trimmed == ">"
    {
        return Some("a hand-built key filter or wildcard subject");
    }
    None
}

/// The string literals of Rust source `text`, with the line each starts on (comments skipped).
fn string_literals(text: &str) -> Vec<(usize, String)> {
    let chars: Vec<char> = text.chars().collect();
    let mut literals = Vec::new();
    let (mut i, mut line) = (0, 1);
    while i < chars.len() {
        let c = chars[i];
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c == '/' && chars.get(i + 1) == Some(&'/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '\'' {
            i += char_literal_length(&chars[i..]);
        } else if c == 'r' && raw_string_start(&chars[i..]).is_some() && !ident_before(&chars, i) {
            let hashes = raw_string_start(&chars[i..]).expect("checked");
            let start = i + 2 + hashes;
            let closing: Vec<char> = std::iter::once('"')
                .chain(std::iter::repeat_n('#', hashes))
                .collect();
            let mut end = start;
            while end < chars.len() && !chars[end..].starts_with(&closing) {
                end += 1;
            }
            let literal: String = chars[start..end.min(chars.len())].iter().collect();
            literals.push((line, literal.clone()));
            line += literal.matches('\n').count();
            i = end + closing.len();
        } else if c == '"' {
            let mut end = i + 1;
            let mut literal = String::new();
            while end < chars.len() && chars[end] != '"' {
                if chars[end] == '\\' {
                    end += 1;
                }
                if let Some(&next) = chars.get(end) {
                    literal.push(next);
                }
                end += 1;
            }
            literals.push((line, literal.clone()));
            line += literal.matches('\n').count();
            i = end + 1;
        } else {
            i += 1;
        }
    }
    literals
}

/// `r"`, `r#"`, `r##"`...: the number of hashes.
fn raw_string_start(chars: &[char]) -> Option<usize> {
    let hashes = chars[1..].iter().take_while(|c| **c == '#').count();
    (chars.get(1 + hashes) == Some(&'"')).then_some(hashes)
}

fn ident_before(chars: &[char], i: usize) -> bool {
    i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_')
}

/// How many characters a `'` starts: a char literal (`'"'`, `'\''`) or a lifetime (`'a`).
fn char_literal_length(chars: &[char]) -> usize {
    match chars.get(1) {
        Some('\\') => chars[2..]
            .iter()
            .position(|c| *c == '\'')
            .map_or(1, |p| p + 3),
        Some(_) if chars.get(2) == Some(&'\'') => 3,
        _ => 1,
    }
}

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if path.is_dir() {
            if !["target", "gen", "rotor-sim"].contains(&name.as_str()) {
                rust_files(&path, found);
            }
        } else if name.ends_with(".rs") {
            found.push(path);
        }
    }
}

#[test]
fn the_detector_finds_what_it_must() {
    let sample = r###"
        let a = "rotor.events.fab1.>"; // a subject
        let b = format!("{fabric}.*");
        let c = kv_scan("*.plan");
        let d = "rotor_stage_marks";
        let e = r#"ROTOR_JOBS"#;
        let f = '"'; let g = "fine: rotor.v1.RotationService and warn,rotor_sim=info";
        // "rotor.jobs.in.a.comment" is not code
        let h = "_INBOX.x";
        let i = "ROTOR_AUDIT"; let j = "ROTOR_AUDIT_RETENTION_SECS";
    "###;
    let found: Vec<(usize, &str)> = string_literals(sample)
        .into_iter()
        .filter_map(|(line, literal)| violation(&literal).map(|why| (line, why)))
        .collect();
    let lines: Vec<usize> = found.iter().map(|(line, _)| *line).collect();
    assert_eq!(lines, vec![2, 3, 4, 5, 6, 9, 10], "{found:?}");
}

#[test]
fn no_bus_name_is_spelled_outside_the_names_module() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let names_module = root
        .join("crates/rotor-bus/src/names.rs")
        .canonicalize()
        .unwrap();
    // The permissions module spells the JetStream API and inbox subjects the server checks,
    // built from the names module's names.
    let permissions_module = root
        .join("crates/rotor-bus/src/permissions.rs")
        .canonicalize()
        .unwrap();
    let this_file = Path::new(file!()).file_name().unwrap().to_owned();
    let mut files = Vec::new();
    rust_files(&root.join("crates"), &mut files);
    rust_files(&root.join("services"), &mut files);
    assert!(violation("rotor_inventory").is_some());
    assert!(violation("sum(rotor_device_results_total{kind=\"x\"})").is_none());
    assert!(files.len() > 80, "only {} source files found", files.len());
    let mut problems = Vec::new();
    for file in files {
        let canonical = file.canonicalize().unwrap();
        if canonical == names_module
            || canonical == permissions_module
            || file.file_name() == Some(&this_file)
        {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        for (line, literal) in string_literals(&text) {
            let allowed = lines.get(line - 1).is_some_and(|l| l.contains(ALLOW));
            if let Some(why) = violation(&literal).filter(|_| !allowed) {
                problems.push(format!("{}:{line}: {why}: {literal:?}", file.display()));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "names spelled outside crates/rotor-bus/src/names.rs (build them with its functions):\n{}",
        problems.join("\n")
    );
}
