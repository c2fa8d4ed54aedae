//! Running the built `rotor` binary as a user would: arguments, `ROTOR_SERVER`, stdout, stderr,
//! exit code, with a bound on how long any run may take.

#![allow(dead_code)]

use std::process::Stdio;
use std::time::Duration;

/// The `rotor` binary cargo built for these tests.
pub const ROTOR: &str = env!("CARGO_BIN_EXE_rotor");

/// What one run printed and how it ended.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// stdout as JSON (panics with the whole run when it is not).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {self:#?}"))
    }

    /// Asserts the exit code, showing the whole run when it differs.
    pub fn expect(self, code: i32) -> Run {
        assert_eq!(self.code, code, "unexpected exit code: {self:#?}");
        assert!(
            !self.stderr.contains("panicked"),
            "the command panicked: {self:#?}"
        );
        self
    }
}

/// Where `rotor` finds the API (`ROTOR_SERVER`) and the token it calls with (`ROTOR_TOKEN`).
#[derive(Clone, Debug)]
pub struct Api {
    /// The API's URL.
    pub url: String,
    /// The caller's token; `None`: no `ROTOR_TOKEN`.
    pub token: Option<String>,
}

impl Api {
    pub fn new(url: &str, token: Option<String>) -> Api {
        Api {
            url: url.to_string(),
            token,
        }
    }
}

/// Runs `rotor` with `args` against `api` (none: `ROTOR_SERVER` and `ROTOR_TOKEN` unset),
/// stdin closed.
pub async fn rotor(api: Option<&Api>, args: &[&str]) -> Run {
    let mut command = tokio::process::Command::new(ROTOR);
    command
        .args(args)
        .env_remove("ROTOR_OUTPUT")
        .env_remove("ROTOR_SERVER")
        .env_remove("ROTOR_TOKEN")
        .env_remove("ROTOR_CA_FILE")
        // No local stack's token file is picked up by accident.
        .env("ROTOR_STATE_DIR", "/nonexistent/rotor-state")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    if let Some(api) = api {
        command.env("ROTOR_SERVER", &api.url);
        if let Some(token) = &api.token {
            command.env("ROTOR_TOKEN", token);
        }
    }
    let output = tokio::time::timeout(Duration::from_secs(180), command.output())
        .await
        .unwrap_or_else(|_| panic!("rotor {args:?} did not finish within 180 s"))
        .expect("rotor runs");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Whether a word looks like a password the default policy generates: 24 characters from its
/// alphabets, with at least two of each class.
pub fn looks_like_a_password(word: &str) -> bool {
    const SYMBOLS: &str = "%+,-./:=@^_";
    let count = |f: &dyn Fn(char) -> bool| word.chars().filter(|c| f(*c)).count();
    word.chars().count() == 24
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || SYMBOLS.contains(c))
        && count(&|c| c.is_ascii_lowercase()) >= 2
        && count(&|c| c.is_ascii_uppercase()) >= 2
        && count(&|c| c.is_ascii_digit()) >= 2
        && count(&|c| SYMBOLS.contains(c)) >= 2
}

/// Every password-looking word in a text.
pub fn password_like_words(text: &str) -> Vec<String> {
    text.split(|c: char| c.is_whitespace() || c == '"' || c == '\'' || c == '`')
        .filter(|word| looks_like_a_password(word))
        .map(String::from)
        .collect()
}

/// Whether the service binaries `rotor up` starts were built next to `rotor`.
pub fn services_are_built() -> Result<(), String> {
    let dir = std::path::Path::new(ROTOR).parent().unwrap();
    let missing: Vec<String> = [
        "rotor-orchestrator",
        "rotor-differ",
        "rotor-applier",
        "rotor-backup",
        "rotor-aggregator",
        "rotor-console",
    ]
    .iter()
    .filter(|name| !dir.join(name).is_file())
    .map(|name| name.to_string())
    .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{} not built in {}; run `cargo build --workspace --bins` first (make test does)",
            missing.join(", "),
            dir.display()
        ))
    }
}
