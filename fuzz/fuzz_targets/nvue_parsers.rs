//! Any device output: the NVUE parsers and the diff classification must never panic, and what
//! they accept never carries a hash.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rotor_device::diff::classify;
use rotor_device::nvue::{check_startup_yaml, parse_apply, parse_diff_commands, parse_user_exists};
use rotor_device::ssh::CommandOutput;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(lines) = parse_diff_commands(&text) {
        assert!(lines.iter().all(|line| !line.contains("$6$")));
        let _ = classify(&lines, &["cumulus".to_string()], &["hashed-password"]);
    }
    let _ = parse_apply(&text);
    let _ = check_startup_yaml(&text);
    let _ = parse_user_exists(&CommandOutput { stdout: text.to_string(), stderr: String::new(), exit: data.first().copied().unwrap_or(0) as u32 % 2 });
    let redacted = rotor_device::redact_hashes(&text);
    assert!(!redacted.contains("$6$"));
});
