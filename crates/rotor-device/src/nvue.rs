//! The NVUE operations a rotation needs, over one [`Session`], and parsers for what NVUE prints.
//!
//! Every parser refuses output NVUE would not print ([`DeviceError::UnexpectedOutput`]) rather
//! than guessing. The parsers are plain functions so they can be tested and fuzzed on their own.
//!
//! The forms parsed, and where they are documented (research notes are summarised in
//! docs/simulator.md):
//! - `nv config apply`: `applied [rev_id: N]` (auto-save off: Cumulus 5.8 and earlier by
//!   default, NVOS), `applied_and_saved [rev_id: N]` (auto-save on: Cumulus 5.9 and later by
//!   default), `config apply executed with no config diff` (nothing pending; NVIDIA's NVOS tests),
//!   `Declined apply after warnings` / `Aborted apply after warnings` (refused at the prompt),
//!   warnings and the `Are you sure? [y/N]` prompt before them.
//! - `nv config apply --confirm <time>` rolls back by itself unless `--confirm-yes` follows in
//!   time; `--confirm-no` rolls back at once (NVUE command reference, NVOS user manual).
//! - `nv config save` writes the applied configuration to the startup file (NVOS "applies but
//!   does not save"; Cumulus without auto-save likewise).
//! - `nv config diff -o commands`: `nv set ...` / `nv unset ...` lines; password values masked
//!   (`*`, `'*'`), an unset line may carry one (NVIDIA's Config Manager's fixtures pair
//!   `nv unset ... hashed-password *` with the `nv set` line).

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
            .run_with_input(&command(&["cat >"], &[&path]), Some(yaml.as_bytes()))
            .await?;
        if !upload.succeeded() {
            return Err(DeviceError::Command {
                address: self.address(),
                command: "cat >".into(),
                exit: upload.exit,
                message: upload.error_text(),
            });
        }
        let replace = self
            .session
            .run(&command(&["nv", "config", "replace"], &[&path]))
            .await;
        let _ = self.session.run(&command(&["rm", "-f"], &[&path])).await;
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

    /// Loads a patch document (NVUE YAML with `- set:` / `- unset:` entries) into the pending
    /// candidate from the command's standard input (`nv config patch /dev/stdin`), so that what
    /// it carries crosses only the SSH channel: never a file, a command line or shell history.
    pub async fn patch_from_stdin(&self, document: &[u8]) -> Result<(), DeviceError> {
        let patch = self
            .session
            .run_with_input("nv config patch /dev/stdin", Some(document))
            .await?;
        if !patch.succeeded() {
            return Err(DeviceError::ConfigSyntax {
                address: self.address(),
                message: patch.error_text(),
            });
        }
        Ok(())
    }

    /// Applies the pending candidate with NVUE's automatic rollback: unless [`Self::confirm`]
    /// follows within `confirm_within`, the device goes back to the configuration it had.
    pub async fn apply_with_rollback(
        &self,
        confirm_within: std::time::Duration,
    ) -> Result<Applied, DeviceError> {
        // An explicit unit: the NVUE reference and the 5.16 guide read a bare number differently.
        let command = format!(
            "nv config apply --confirm {}s -y",
            confirm_within.as_secs().max(1)
        );
        self.apply_command(&command).await
    }

    /// Applies the pending candidate (no rollback timer).
    pub async fn apply(&self) -> Result<Applied, DeviceError> {
        self.apply_command("nv config apply -y").await
    }

    async fn apply_command(&self, command: &str) -> Result<Applied, DeviceError> {
        let output = self.session.run(command).await?;
        if !output.succeeded() {
            return Err(DeviceError::ApplyFailed {
                address: self.address(),
                message: output.error_text(),
            });
        }
        match parse_apply(&output.stdout) {
            Ok(ApplyOutput::Applied(applied)) => Ok(applied),
            Ok(ApplyOutput::Declined) => Err(DeviceError::ApplyFailed {
                address: self.address(),
                message: format!("the apply was declined: {}", output.error_text()),
            }),
            Err(detail) => Err(DeviceError::UnexpectedOutput {
                address: self.address(),
                command: command_name(command),
                detail,
            }),
        }
    }

    /// Keeps a change applied with [`Self::apply_with_rollback`] (`--confirm-yes`); whether the
    /// device saved it too (auto-save). An error when no change was waiting for confirmation
    /// (rolled back already, or never applied): the caller must find out which.
    pub async fn confirm(&self) -> Result<bool, DeviceError> {
        let output = self.run_checked("nv config apply --confirm-yes").await?;
        Ok(matches!(
            parse_apply(&output.stdout),
            Ok(ApplyOutput::Applied(Applied { saved: true, .. }))
        ))
    }

    /// Rolls a change applied with [`Self::apply_with_rollback`] back at once (`--confirm-no`).
    pub async fn roll_back(&self) -> Result<(), DeviceError> {
        self.run_checked("nv config apply --confirm-no")
            .await
            .map(|_| ())
    }

    /// Writes the applied configuration to the startup configuration (`nv config save`).
    pub async fn save(&self) -> Result<(), DeviceError> {
        self.run_checked("nv config save").await.map(|_| ())
    }

    /// What the startup configuration lacks of the applied one, as `nv set`/`nv unset` lines
    /// (`nv config diff applied startup -o commands`; empty when everything applied is saved).
    pub async fn unsaved_changes(&self) -> Result<Vec<String>, DeviceError> {
        let command = "nv config diff applied startup -o commands";
        let output = self.run_checked(command).await?;
        parse_diff_commands(&output.stdout).map_err(|detail| DeviceError::UnexpectedOutput {
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
        rotor_inventory::check_username(user).map_err(|reason| DeviceError::UnsafeArgument {
            what: "the user name of `nv show system aaa user`".into(),
            reason,
        })?;
        let command = command(
            &["nv", "show", "system", "aaa", "user"],
            &[user, "-o", "json"],
        );
        let output = self.session.run(&command).await?;
        parse_user_exists(&output).map_err(|detail| DeviceError::UnexpectedOutput {
            address: self.address(),
            command: command_name(&command),
            detail,
        })
    }
}

/// A command line: Rotor's own fixed `words` (a program and its subcommands), then `arguments`,
/// each quoted by [`crate::ssh::shell_word`], so no value can become more than one argument.
pub fn command(words: &[&str], arguments: &[&str]) -> String {
    words
        .iter()
        .map(|word| word.to_string())
        .chain(
            arguments
                .iter()
                .map(|argument| crate::ssh::shell_word(argument)),
        )
        .collect::<Vec<_>>()
        .join(" ")
}

/// A short fingerprint of a running configuration, to detect a change between diff and apply.
pub fn fingerprint(running_config: &str) -> String {
    Sha256::digest(running_config.as_bytes())
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Parses `nv config diff -o commands`: zero or more `nv set ...` / `nv unset ...` lines. The
/// value of a user's `password` or `hashed-password` line is masked whatever the device printed
/// (NVUE masks them already; a plaintext or hash must never reach an event or an error).
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
        lines.push(mask_password_value(&crate::redact_hashes(line)));
    }
    Ok(lines)
}

/// `nv (un)set system aaa user <u> (hashed-)password <value>` with the value masked (`*`, or
/// `'*'` when it was quoted).
fn mask_password_value(line: &str) -> String {
    let words: Vec<&str> = line.split_whitespace().collect();
    match words.as_slice() {
        [nv, verb, "system", "aaa", "user", user, key, value, ..]
            if crate::diff::is_password_key(key) =>
        {
            let masked = if value.starts_with(['\'', '"']) {
                "'*'"
            } else {
                "*"
            };
            format!("{nv} {verb} system aaa user {user} {key} {masked}")
        }
        _ => line.to_string(),
    }
}

/// What `nv config apply` did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Applied {
    /// The revision applied; `None` when nothing was pending.
    pub revision: Option<u64>,
    /// Whether the device saved it too (`applied_and_saved`: auto-save is on).
    pub saved: bool,
}

/// How `nv config apply` ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ApplyOutput {
    /// Applied (or nothing was pending).
    Applied(Applied),
    /// Refused at the `Are you sure?` prompt after warnings.
    Declined,
}

/// The line NVUE prints when `nv config apply` had nothing to apply (NVIDIA's NVOS tests,
/// `NO_CONFIG_DIFF_APPLY_MSG`).
pub const NO_CONFIG_DIFF: &str = "config apply executed with no config diff";

/// Parses `nv config apply`: `applied [rev_id: N]`, `applied_and_saved [rev_id: N]`, the
/// no-diff message or a declined prompt, possibly after warnings and the prompt itself.
pub fn parse_apply(stdout: &str) -> Result<ApplyOutput, String> {
    for line in stdout.lines().map(str::trim) {
        // After a prompt answered on the same line (`Are you sure? [y/N] y`), the rest.
        let line = line.rsplit("[y/N]").next().unwrap_or(line).trim();
        let line = line.strip_prefix('y').map_or(line, str::trim_start);
        for (state, saved) in [("applied_and_saved", true), ("applied", false)] {
            if let Some(rest) = line.strip_prefix(state)
                && let Some(number) = rest.trim().strip_prefix("[rev_id:")
                && let Some(number) = number.strip_suffix(']')
            {
                let revision = number
                    .trim()
                    .parse()
                    .map_err(|_| format!("the revision id {number:?} is not a number"))?;
                return Ok(ApplyOutput::Applied(Applied {
                    revision: Some(revision),
                    saved,
                }));
            }
        }
        if line.contains(NO_CONFIG_DIFF) {
            return Ok(ApplyOutput::Applied(Applied {
                revision: None,
                saved: false,
            }));
        }
        if line.contains("Declined apply after warnings")
            || line.contains("Aborted apply after warnings")
        {
            return Ok(ApplyOutput::Declined);
        }
    }
    Err(format!(
        "no `applied [rev_id: N]`, `applied_and_saved [rev_id: N]` or no-diff line in {:?}",
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
    fn every_argument_stays_one_word() {
        use crate::ssh::shell_word;
        assert_eq!(shell_word("admin"), "admin");
        assert_eq!(shell_word("/tmp/rotor-1.yaml"), "/tmp/rotor-1.yaml");
        assert_eq!(shell_word(""), "''");
        assert_eq!(shell_word("a b"), "'a b'");
        assert_eq!(shell_word("admin; touch /tmp/x"), "'admin; touch /tmp/x'");
        assert_eq!(shell_word("$(id)"), "'$(id)'");
        assert_eq!(shell_word("it's"), "'it'\\''s'");
        assert_eq!(
            command(
                &["nv", "show", "system", "aaa", "user"],
                &["x`id`", "-o", "json"]
            ),
            "nv show system aaa user 'x`id`' -o json"
        );
    }

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

    fn applied(revision: Option<u64>, saved: bool) -> ApplyOutput {
        ApplyOutput::Applied(Applied { revision, saved })
    }

    #[test]
    fn apply_output_is_parsed() {
        // Cumulus 5.8 and earlier, NVOS: applied, not saved.
        assert_eq!(
            parse_apply("applied [rev_id: 7]\n").unwrap(),
            applied(Some(7), false)
        );
        // Cumulus 5.9 and later with auto-save on (the default).
        assert_eq!(
            parse_apply("applied_and_saved [rev_id: 24]\n").unwrap(),
            applied(Some(24), true)
        );
        // Warnings and the prompt (answered on its line) before the result.
        let prompted = "Warning: current hostname `cumulus` will be replaced with `leaf-01`\n\
                        Are you sure? [y/N] y\napplied_and_saved [rev_id: 2]\n";
        assert_eq!(parse_apply(prompted).unwrap(), applied(Some(2), true));
        assert_eq!(
            parse_apply("Are you sure? [y/N] y applied [rev_id: 3]").unwrap(),
            applied(Some(3), false)
        );
        // Nothing pending (NVIDIA's NVOS tests: NO_CONFIG_DIFF_APPLY_MSG).
        assert_eq!(
            parse_apply("config apply executed with no config diff\n").unwrap(),
            applied(None, false)
        );
        // Refused at the prompt.
        assert_eq!(
            parse_apply("Warning: x\nAre you sure? [y/N] n\nDeclined apply after warnings\n")
                .unwrap(),
            ApplyOutput::Declined
        );
        assert_eq!(
            parse_apply("Aborted apply after warnings").unwrap(),
            ApplyOutput::Declined
        );
        assert!(parse_apply("applied [rev_id: seven]").is_err());
        assert!(parse_apply("ok").is_err());
        // Not NVUE's wording for an empty apply.
        assert!(parse_apply("Warning: No changes to apply.").is_err());
    }

    #[test]
    fn password_values_in_diffs_are_always_masked() {
        let out = "nv set system aaa user admin password Plain-Text-1\n\
                   nv unset system aaa user cumulus hashed-password '$6$s$h'\n\
                   nv set system aaa user cumulus hashed-password '*'\n\
                   nv set system hostname leaf-01\n";
        assert_eq!(
            parse_diff_commands(out).unwrap(),
            vec![
                "nv set system aaa user admin password *",
                "nv unset system aaa user cumulus hashed-password '*'",
                "nv set system aaa user cumulus hashed-password '*'",
                "nv set system hostname leaf-01",
            ]
        );
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
