//! The NVUE operations a rotation needs, over one [`Session`], and parsers for what NVUE prints.
//!
//! Every parser refuses output NVUE would not print ([`DeviceError::UnexpectedOutput`]) rather
//! than guessing. The parsers are plain functions so they can be tested and fuzzed on their own.

use sha2::{Digest, Sha256};

use crate::ssh::{CommandOutput, Session, command_name};
use crate::{DeviceError, excerpt};

/// NVUE commands for one logged-in device.
#[derive(Debug)]
pub struct Nvue<'a> {
    session: &'a Session,
}

impl<'a> Nvue<'a> {
    /// NVUE commands over a session that is already logged in.
    pub fn new(session: &'a Session) -> Nvue<'a> {
        Nvue { session }
    }

    fn address(&self) -> String {
        self.session.address().to_string()
    }

    async fn run_checked(&self, command: &str) -> Result<CommandOutput, DeviceError> {
        let output = self.session.run(command).await?;
        if !output.succeeded() {
            return Err(DeviceError::Command {
                address: self.address(),
                command: command_name(command),
                exit: output.exit,
                message: output.error_text(),
            });
        }
        Ok(output)
    }

    /// Loads `yaml` (NVUE startup format) as the pending candidate: uploads it to a temporary
    /// file over the session, runs `nv config replace`, removes the file.
    pub async fn replace_candidate(&self, yaml: &str) -> Result<(), DeviceError> {
        let path = format!("/tmp/rotor-{}.yaml", uuid::Uuid::new_v4().simple());
        let upload = self
            .session
            .run_with_input(&format!("cat > {path}"), Some(yaml.as_bytes()))
            .await?;
        if !upload.succeeded() {
            return Err(DeviceError::Command {
                address: self.address(),
                command: "cat >".into(),
                exit: upload.exit,
                message: upload.error_text(),
            });
        }
        let replace = self.session.run(&format!("nv config replace {path}")).await;
        let _ = self.session.run(&format!("rm -f {path}")).await;
        let replace = replace?;
        if !replace.succeeded() {
            return Err(DeviceError::ConfigSyntax {
                address: self.address(),
                message: replace.error_text(),
            });
        }
        Ok(())
    }

    /// The pending candidate's changes against the applied configuration, as `nv set` /
    /// `nv unset` lines (hashes masked by the device).
    pub async fn diff_commands(&self) -> Result<Vec<String>, DeviceError> {
        let command = "nv config diff -o commands";
        let output = self.run_checked(command).await?;
        parse_diff_commands(&output.stdout).map_err(|detail| DeviceError::UnexpectedOutput {
            address: self.address(),
            command: command.into(),
            detail,
        })
    }

    /// Loads `yaml` as the pending candidate and returns its diff. The candidate stays loaded
    /// (also when the diff could not be read): detach it when done.
    pub async fn diff_candidate(&self, yaml: &str) -> Result<Vec<String>, DeviceError> {
        self.replace_candidate(yaml).await?;
        self.diff_commands().await
    }

    /// Applies the pending candidate; returns the new revision id (`None`: nothing was pending).
    pub async fn apply(&self) -> Result<Option<u64>, DeviceError> {
        let command = "nv config apply -y";
        let output = self.session.run(command).await?;
        if !output.succeeded() {
            return Err(DeviceError::ApplyFailed {
                address: self.address(),
                message: output.error_text(),
            });
        }
        parse_apply(&output.stdout).map_err(|detail| DeviceError::UnexpectedOutput {
            address: self.address(),
            command: command.into(),
            detail,
        })
    }

    /// Drops the pending candidate.
    pub async fn detach(&self) -> Result<(), DeviceError> {
        self.run_checked("nv config detach").await.map(|_| ())
    }

    /// The applied configuration as NVUE prints it (`nv config show -o yaml`, hashes masked).
    pub async fn running_config(&self) -> Result<String, DeviceError> {
        let command = "nv config show -o yaml";
        let output = self.run_checked(command).await?;
        check_startup_yaml(&output.stdout).map_err(|detail| DeviceError::UnexpectedOutput {
            address: self.address(),
            command: command.into(),
            detail,
        })?;
        Ok(output.stdout)
    }

    /// Whether the account exists on the device.
    pub async fn user_exists(&self, user: &str) -> Result<bool, DeviceError> {
        let command = format!("nv show system aaa user {user} -o json");
        let output = self.session.run(&command).await?;
        parse_user_exists(&output).map_err(|detail| DeviceError::UnexpectedOutput {
            address: self.address(),
            command: command_name(&command),
            detail,
        })
    }

    /// Sets one user's password hash on the candidate and applies it (the restore path, used
    /// through a session that is still open when a new password failed its proof).
    pub async fn set_password_hash_and_apply(
        &self,
        user: &str,
        key: &str,
        hash: &str,
    ) -> Result<(), DeviceError> {
        self.run_checked(&format!("nv set system aaa user {user} {key} '{hash}'"))
            .await?;
        self.apply().await?;
        Ok(())
    }
}

/// A short fingerprint of a running configuration, to detect a change between diff and apply.
pub fn fingerprint(running_config: &str) -> String {
    Sha256::digest(running_config.as_bytes())
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Parses `nv config diff -o commands`: zero or more `nv set ...` / `nv unset ...` lines.
pub fn parse_diff_commands(stdout: &str) -> Result<Vec<String>, String> {
    let mut lines = Vec::new();
    for line in stdout.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if !(line.starts_with("nv set ") || line.starts_with("nv unset ")) {
            return Err(format!(
                "a diff line is not an nv set/unset command: {:?}",
                excerpt(line)
            ));
        }
        if line.chars().any(|c| c.is_control()) {
            return Err("a diff line contains control characters".into());
        }
        lines.push(crate::redact_hashes(line));
    }
    Ok(lines)
}

/// Parses `nv config apply -y`: `applied [rev_id: N]` (possibly after warnings), or NVUE's
/// message that nothing was pending.
pub fn parse_apply(stdout: &str) -> Result<Option<u64>, String> {
    for line in stdout.lines().map(str::trim) {
        if let Some(rest) = line.strip_prefix("applied [rev_id: ")
            && let Some(number) = rest.strip_suffix(']')
        {
            return number
                .trim()
                .parse()
                .map(Some)
                .map_err(|_| format!("the revision id {number:?} is not a number"));
        }
    }
    let lower = stdout.to_ascii_lowercase();
    if lower.contains("no changes")
        || lower.contains("nothing to apply")
        || lower.contains("no pending")
    {
        return Ok(None);
    }
    Err(format!(
        "no `applied [rev_id: N]` line in {:?}",
        excerpt(stdout)
    ))
}

/// Checks that `nv config show -o yaml` printed startup YAML (a list with a `set:` entry).
pub fn check_startup_yaml(stdout: &str) -> Result<(), String> {
    rotor_inventory::check_intended_config(stdout).map_err(|e| format!("the configuration {e}"))
}

/// Interprets `nv show system aaa user <name> -o json`.
pub fn parse_user_exists(output: &CommandOutput) -> Result<bool, String> {
    if output.succeeded() {
        let value: serde_json::Value = serde_json::from_str(output.stdout.trim())
            .map_err(|e| format!("the user record is not JSON: {e}"))?;
        return if value.is_object() {
            Ok(true)
        } else {
            Err("the user record is not a JSON object".into())
        };
    }
    let text = format!("{}{}", output.stdout, output.stderr);
    if text.contains("does not exist") {
        Ok(false)
    } else {
        Err(format!("unexpected error: {}", output.error_text()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_lines_are_parsed_and_garbage_refused() {
        let out = "nv set system aaa user cumulus hashed-password *\n\nnv unset interface swp9\n";
        assert_eq!(
            parse_diff_commands(out).unwrap(),
            vec![
                "nv set system aaa user cumulus hashed-password *",
                "nv unset interface swp9"
            ]
        );
        assert_eq!(parse_diff_commands("").unwrap(), Vec::<String>::new());
        assert!(parse_diff_commands("- set:\n    system: {}").is_err());
        assert!(parse_diff_commands("bash: nv: command not found").is_err());
        // A device that leaks a hash in its diff still never gets it into Rotor's messages.
        assert_eq!(
            parse_diff_commands("nv set system aaa user x hashed-password '$6$s$h'").unwrap(),
            vec!["nv set system aaa user x hashed-password '*'"]
        );
    }

    #[test]
    fn apply_output_is_parsed() {
        assert_eq!(parse_apply("applied [rev_id: 7]\n").unwrap(), Some(7));
        assert_eq!(
            parse_apply("Warning: x\napplied [rev_id: 12]").unwrap(),
            Some(12)
        );
        assert_eq!(parse_apply("Warning: No changes to apply.").unwrap(), None);
        assert!(parse_apply("applied [rev_id: seven]").is_err());
        assert!(parse_apply("ok").is_err());
    }

    #[test]
    fn user_records_are_interpreted() {
        let found = CommandOutput {
            stdout: "{\"role\": \"system-admin\"}".into(),
            ..Default::default()
        };
        assert_eq!(parse_user_exists(&found), Ok(true));
        let missing = CommandOutput {
            stderr: "Error: The requested item does not exist.".into(),
            exit: 1,
            ..Default::default()
        };
        assert_eq!(parse_user_exists(&missing), Ok(false));
        let odd = CommandOutput {
            stdout: "[1]".into(),
            ..Default::default()
        };
        assert!(parse_user_exists(&odd).is_err());
    }
}
