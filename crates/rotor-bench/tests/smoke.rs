//! The benchmark itself keeps working: a tiny run of one scenario and the floor, through the real
//! `rotor-bench` binary with every piece as a separate process. It asserts what the run did (every
//! device rotated, figures present, nothing secret in the output), never how fast.
//!
//! Needs the workspace's binaries built next to it (`make test` builds `--all-targets` first).

use std::path::Path;
use std::process::Command;

fn files_under(dir: &Path, found: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable output folder") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            files_under(&path, found);
        } else {
            found.push(path);
        }
    }
}

/// Whether text holds a `$6$<salt>$<hash>` value (the words "a $6$ hash" do not count).
fn has_crypt_hash(text: &str) -> bool {
    text.match_indices("$6$").any(|(at, _)| {
        text[at + 3..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '.' || c == '/')
    })
}

#[test]
fn crypt_hashes_are_recognised() {
    assert!(has_crypt_hash("x $6$rounds=5000$abc$def"));
    assert!(has_crypt_hash("'$6$salt$hash'"));
    assert!(!has_crypt_hash("2.4 ms per $6$ hash"));
}

#[test]
fn a_tiny_run_rotates_every_device_and_reports_figures() {
    let out = std::env::temp_dir().join(format!("rotor-bench-smoke-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let output = Command::new(env!("CARGO_BIN_EXE_rotor-bench"))
        .args([
            "--only",
            "none-1k,floor",
            "--scale",
            "0.02",
            "--label",
            "smoke",
        ])
        .arg("--out")
        .arg(&out)
        .output()
        .expect("rotor-bench runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "rotor-bench failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("none-1k"), "no scenario row:\n{stdout}");
    assert!(stdout.contains("Floor"), "no floor:\n{stdout}");

    let results: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("latest.json")).expect("latest.json written"),
    )
    .expect("latest.json is JSON");
    assert_eq!(results["label"], "smoke");
    let scenario = &results["scenarios"][0];
    assert_eq!(scenario["name"], "none-1k");
    assert_eq!(scenario["devices"], 20);
    let rotation = &scenario["rotation"];
    assert_eq!(rotation["succeeded"], 20, "{rotation}");
    assert_eq!(rotation["failed"], 0, "{rotation}");
    assert!(rotation["wallSeconds"].as_f64().unwrap() > 0.0);
    assert!(rotation["rotorCpuMsPerDevice"].as_f64().unwrap() > 0.0);
    assert!(results["floor"]["floorMsPerDevice"].as_f64().unwrap() > 0.0);

    // The passwords never leave OpenBao and the switches: no hash in anything the bench wrote
    // (logs, results, the inventory). The exception is the intended configurations the simulator
    // exports: like a real startup file they carry the hash of a user Rotor does not manage
    // (NVOS `monitor`), which a rotation must leave as it is.
    let mut files = Vec::new();
    files_under(&out, &mut files);
    assert!(
        files.len() > 5,
        "expected logs and results, found {files:?}"
    );
    for file in files {
        if file.components().any(|part| part.as_os_str() == "configs") {
            continue;
        }
        let text = String::from_utf8_lossy(&std::fs::read(&file).unwrap()).into_owned();
        assert!(
            !has_crypt_hash(&text),
            "a password hash in {}",
            file.display()
        );
        assert!(
            !text.contains("ROTOR_BENCH_CURRENT_PASSWORD="),
            "{}",
            file.display()
        );
    }
    assert!(!has_crypt_hash(&stdout) && !has_crypt_hash(&stderr));
    std::fs::remove_dir_all(&out).unwrap();
}
