//! `nv config show|diff|apply|replace|patch|detach|revision|history`: the candidate and the
//! applied revision as a whole, configuration files, applying, and the revision history; with
//! the faults that act on them (`apply_fails`, `rejects_yaml`, `drop_after_apply`,
//! `password_not_applied`, `change_between_diff_and_apply`).

use std::fmt;
use std::sync::MutexGuard;

use serde_yaml::Value;

use crate::config_tree::{Change, Node, NvueConfig, changes_to_yaml, diff, parse_documents};
use crate::device::{Device, DeviceState, Revision};
use crate::platform::Platform;
use crate::shell::{CommandResult, ExecContext, resolve_path};

use super::options::{Format, options_and_format, parse_options};
use super::passwords::hash_file_passwords;
use super::printing::{json_as_yaml_text, json_text, lines, structured_output, table};
use super::validate::check_tree;
use super::{NvueError, NvueResult, lock_for_change};

/// The configuration a revision name refers to: `applied`, `startup`, `pending`, or the id of
/// the applied revision.
fn revision_config<'a>(state: &'a DeviceState, name: &str) -> Result<&'a NvueConfig, NvueError> {
    match name {
        "applied" | "startup" => Ok(&state.applied),
        "pending" => Ok(state.candidate.as_deref().unwrap_or(&state.applied)),
        other => {
            let wanted = other.trim_start_matches("rev_");
            if wanted.parse::<u64>().ok() == Some(state.applied_revision()) {
                Ok(&state.applied)
            } else {
                Err(NvueError::new(format!(
                    "The requested revision '{other}' does not exist."
                )))
            }
        }
    }
}

pub(super) fn config_show(device: &Device, arguments: &[String]) -> NvueResult {
    let (options, format) =
        options_and_format(arguments, &[Format::Yaml, Format::Json, Format::Commands])?;
    let state = device.lock();
    let revision = options.revision.as_deref().unwrap_or("applied");
    let config = revision_config(&state, revision)?;
    Ok(match format {
        Format::Json => {
            let mut text = config.to_json(true);
            text.push('\n');
            CommandResult::success(text)
        }
        Format::Commands => CommandResult::success(lines(config.to_commands(true))),
        _ => CommandResult::success(config.to_startup_yaml(true)),
    })
}

pub(super) fn config_diff(device: &Device, arguments: &[String]) -> NvueResult {
    let (options, format) =
        options_and_format(arguments, &[Format::Yaml, Format::Json, Format::Commands])?;
    let (from, to) = match options.positional.as_slice() {
        [] => ("applied", "pending"),
        [one] => ("applied", one.as_str()),
        [first, second] => (first.as_str(), second.as_str()),
        _ => return Err(NvueError::new("Too many revisions given")),
    };
    let mut state = device.lock();
    let changes: Vec<Change> = {
        let before = revision_config(&state, from)?;
        let after = revision_config(&state, to)?;
        diff(&before.root, &after.root)
    };
    let stdout = match format {
        Format::Commands => lines(
            changes
                .iter()
                .map(|change| change.to_command(true))
                .collect(),
        ),
        Format::Json => {
            let yaml = changes_to_yaml(&changes, true);
            if yaml.is_empty() {
                Vec::new()
            } else {
                let value: Value = serde_yaml::from_str(&yaml).unwrap_or_default();
                json_text(&serde_json::to_value(value).unwrap_or_default())
            }
        }
        _ => changes_to_yaml(&changes, true).into_bytes(),
    };
    if state.faults.change_between_diff_and_apply {
        state.faults.change_between_diff_and_apply = false;
        Device::commit_concurrent_change(&mut state);
    }
    Ok(CommandResult::success(stdout))
}

pub(super) fn config_apply(
    device: &Device,
    context: &ExecContext,
    arguments: &[String],
) -> NvueResult {
    let options = parse_options(arguments)?;
    if let Some(revision) = options.positional.first()
        && revision != "pending"
    {
        return Err(NvueError::new(format!(
            "Applying revision '{revision}' is not supported by this simulated device; apply the pending revision"
        )));
    }
    let mut state = lock_for_change(device, &context.user)?;
    if !state.has_pending_changes() {
        state.candidate = None;
        return Ok(CommandResult::success(NOTHING_TO_APPLY));
    }
    if options.assume_no {
        return Ok(CommandResult::success("Aborted apply.\n"));
    }
    if !options.assume_yes {
        return Err(NvueError::new(
            "Aborted apply. Use 'nv config apply -y' (--assume-yes) to apply without confirmation.",
        )
        .after_warning(
            "Applying the pending revision needs confirmation, but there is no terminal to ask on.",
        ));
    }
    if state.faults.apply_fails {
        return Err(NvueError::new(
            "Config apply failed: Internal error while applying the configuration (set by the apply_fails fault); the pending revision was not applied",
        ));
    }
    let Some(candidate) = state.candidate.take() else {
        return Ok(CommandResult::success(NOTHING_TO_APPLY));
    };
    let mut new_config = *candidate;
    if state.faults.password_not_applied {
        state.faults.password_not_applied = false;
        keep_old_password_hashes(device.platform, &state.applied, &mut new_config);
    }
    let reason = options
        .message
        .clone()
        .unwrap_or_else(|| format!("Config update by {}", context.user));
    let revision = state.commit(new_config, &context.user, "CLI", &reason);
    if state.faults.drop_after_apply {
        state.faults.drop_after_apply = false;
        return Ok(CommandResult {
            drop_connection: true,
            ..CommandResult::default()
        });
    }
    Ok(CommandResult::success(format!(
        "applied [rev_id: {revision}]\n"
    )))
}

/// What `nv config apply` prints when the candidate changes nothing.
const NOTHING_TO_APPLY: &str = "Warning: No pending configuration changes to apply.\n";

/// For `password_not_applied`: users that had a hash keep it.
fn keep_old_password_hashes(platform: Platform, old: &NvueConfig, new: &mut NvueConfig) {
    let key = platform.password_key();
    let Some(old_users) = old
        .root
        .get(&["system", "aaa", "user"])
        .and_then(Node::children)
    else {
        return;
    };
    for (username, old_user) in old_users {
        let Some(old_hash) = old_user.get(&[key]) else {
            continue;
        };
        if new.root.get(&["system", "aaa", "user", username]).is_some() {
            new.root
                .ensure_branch(&["system", "aaa", "user", username])
                .insert(key.to_string(), old_hash.clone());
        }
    }
}

/// NVUE's error for a configuration file it refuses.
fn invalid_config_file(name: &str, problem: impl fmt::Display) -> NvueError {
    NvueError::new(format!("Invalid config file {name}: {problem}"))
}

/// What `nv config replace|patch <file>` starts with: the options, then the device's state for
/// a change, and the named file's name and text.
fn lock_and_read_file<'a>(
    device: &'a Device,
    context: &ExecContext,
    arguments: &[String],
    command: &str,
) -> Result<(MutexGuard<'a, DeviceState>, String, String), NvueError> {
    let options = parse_options(arguments)?;
    let Some(name) = options.positional.into_iter().next() else {
        return Err(NvueError::new(format!(
            "Incomplete command: nv config {command} <file>"
        )));
    };
    let state = lock_for_change(device, &context.user)?;
    let resolved = resolve_path(device.platform, &context.user, &name);
    let Some(file) = state.file(&resolved) else {
        return Err(NvueError::new(format!(
            "[Errno 2] No such file or directory: '{name}'"
        )));
    };
    let text = String::from_utf8_lossy(&file.content).into_owned();
    if state.faults.rejects_yaml {
        let line = text.lines().count().clamp(1, 3);
        return Err(invalid_config_file(
            &name,
            format!(
                "while parsing a block mapping, did not find expected key at line {line} column 5"
            ),
        ));
    }
    Ok((state, name, text))
}

pub(super) fn config_replace(
    device: &Device,
    context: &ExecContext,
    arguments: &[String],
) -> NvueResult {
    let (mut state, name, text) = lock_and_read_file(device, context, arguments, "replace")?;
    let mut parsed =
        NvueConfig::from_startup_yaml(&text).map_err(|error| invalid_config_file(&name, error))?;
    check_tree(device.platform, &parsed.root)
        .map_err(|problem| invalid_config_file(&name, problem))?;
    hash_file_passwords(device.platform, &mut parsed.root)?;
    let header = state.applied.header.clone();
    state.candidate = Some(Box::new(NvueConfig::new(header, parsed.root)));
    Ok(CommandResult::default())
}

pub(super) fn config_patch(
    device: &Device,
    context: &ExecContext,
    arguments: &[String],
) -> NvueResult {
    let (mut state, name, text) = lock_and_read_file(device, context, arguments, "patch")?;
    let mut documents =
        parse_documents(&text).map_err(|error| invalid_config_file(&name, error))?;
    for tree in [&documents.set, &documents.unset].into_iter().flatten() {
        if let Some(children) = tree.children()
            && let Some(key) = children
                .keys()
                .find(|key| !device.platform.top_level_objects().contains(&key.as_str()))
        {
            return Err(invalid_config_file(
                &name,
                format!("Invalid config path: {key}"),
            ));
        }
    }
    if let Some(set) = &documents.set {
        check_tree(device.platform, set).map_err(|problem| invalid_config_file(&name, problem))?;
    }
    if let Some(set) = &mut documents.set {
        hash_file_passwords(device.platform, set)?;
    }
    let candidate = state.candidate_mut();
    if let Some(set) = &documents.set {
        candidate.root.merge(set);
    }
    if let Some(unset) = &documents.unset {
        candidate.root.unset_tree(unset);
    }
    Ok(CommandResult::default())
}

/// `nv config detach`: drops the pending candidate.
pub(super) fn config_detach(device: &Device) -> NvueResult {
    device.lock().candidate = None;
    Ok(CommandResult::default())
}

/// `nv config revision`: the pending and the remembered revisions, newest first; a table unless
/// `-o json|yaml`.
pub(super) fn config_revision(device: &Device, arguments: &[String]) -> NvueResult {
    let (_, format) = options_and_format(arguments, &[Format::Json, Format::Yaml])?;
    let state = device.lock();
    let current = state.applied_revision();
    let pending = state.candidate.is_some();
    let revisions: Vec<_> = state.revisions.iter().rev().collect();
    let state_name = |revision: &Revision| {
        if revision.id == current {
            "applied"
        } else {
            "superseded"
        }
    };
    let mut all = serde_json::Map::new();
    if pending {
        all.insert("pending".into(), serde_json::json!({"state": "pending"}));
    }
    for revision in &revisions {
        all.insert(
            revision.id.to_string(),
            serde_json::json!({
                "state": state_name(revision),
                "date": revision.date,
                "method": revision.method,
                "user": revision.user,
                "reason": revision.reason,
            }),
        );
    }
    Ok(structured_output(
        format,
        &serde_json::Value::Object(all),
        || {
            let mut rows = Vec::new();
            if pending {
                rows.push(
                    ["pending", "pending", "", "", "", ""]
                        .map(String::from)
                        .to_vec(),
                );
            }
            for revision in &revisions {
                rows.push(vec![
                    revision.id.to_string(),
                    state_name(revision).to_string(),
                    revision.date.clone(),
                    revision.method.clone(),
                    revision.user.clone(),
                    revision.reason.clone(),
                ]);
            }
            table(
                &["Rev ID", "State", "Apply Date", "Type", "User", "Reason"],
                &rows,
            )
        },
    ))
}

/// `nv config history`: the applied revisions, newest first; YAML unless `-o json`.
pub(super) fn config_history(device: &Device, arguments: &[String]) -> NvueResult {
    let (_, format) = options_and_format(arguments, &[Format::Json, Format::Yaml])?;
    let state = device.lock();
    let entries: Vec<serde_json::Value> = state
        .revisions
        .iter()
        .rev()
        .map(|revision| {
            serde_json::json!({
                "apply-id": format!("rev_{}_apply_1", revision.id),
                "date": revision.date,
                "message": revision.reason,
                "method": revision.method,
                "rev-id": revision.id.to_string(),
                "user": revision.user,
            })
        })
        .collect();
    let value = serde_json::Value::Array(entries);
    Ok(structured_output(format, &value, || {
        json_as_yaml_text(&value)
    }))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use serde_yaml::Value;

    use crate::device::test_device;
    use crate::faults::Fault;
    use crate::platform::Platform;
    use crate::shell::Output;
    use crate::shell::testing::{NEW_HASH, run, run_with_stdin};

    #[tokio::test]
    async fn set_diff_apply_cycle_masks_hashes_and_bumps_the_revision() {
        let device = test_device(Platform::Cumulus);
        assert_eq!(
            run(&device, "nv config diff -o commands").await,
            Output::default()
        );
        let set = run(
            &device,
            &format!("nv set system aaa user cumulus hashed-password '{NEW_HASH}'"),
        )
        .await;
        assert_eq!(set.exit_status, 0, "{}", set.stderr_text());
        let set = run(&device, "nv set interface swp1 description 'to spine 9'").await;
        assert_eq!(set.exit_status, 0);
        let diff = run(&device, "nv config diff -o commands").await;
        assert_eq!(
            diff.stdout_text(),
            "nv set interface swp1 description 'to spine 9'\n\
             nv set system aaa user cumulus hashed-password *\n"
        );
        let yaml = run(&device, "nv config diff").await.stdout_text();
        assert!(yaml.starts_with("- set:\n"), "{yaml}");
        assert!(yaml.contains("hashed-password: '*'"), "{yaml}");
        assert!(!yaml.contains("$6$"));
        let apply = run(&device, "nv config apply -y").await;
        assert_eq!(apply.stdout_text(), "applied [rev_id: 2]\n");
        assert_eq!(apply.exit_status, 0);
        assert_eq!(
            device.user_password_hash("cumulus").as_deref(),
            Some(NEW_HASH)
        );
        let again = run(&device, "nv config apply -y").await;
        assert_eq!(again.exit_status, 0);
        assert!(
            again.stdout_text().contains("No pending"),
            "{}",
            again.stdout_text()
        );
        assert_eq!(device.applied_revision(), 2);
    }

    #[tokio::test]
    async fn show_masks_hashes_in_every_format() {
        let device = test_device(Platform::Cumulus);
        let yaml = run(&device, "nv config show").await.stdout_text();
        assert!(yaml.starts_with("- header:\n"), "{yaml}");
        assert!(yaml.contains("hashed-password: '*'"), "{yaml}");
        assert!(yaml.contains("version: Cumulus Linux 5.9.0"), "{yaml}");
        let commands = run(&device, "nv config show -o commands")
            .await
            .stdout_text();
        assert!(commands.contains("nv set system aaa user cumulus hashed-password *\n"));
        assert!(
            commands.contains("nv set system hostname unit-leaf-01\n"),
            "{commands}"
        );
        let json = run(&device, "nv config show -o json").await.stdout_text();
        let parsed: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(
            parsed[1]["set"]["system"]["aaa"]["user"]["cumulus"]["hashed-password"],
            "*"
        );
        for output in [yaml, commands, json] {
            assert!(!output.contains("$6$"));
        }
    }

    #[tokio::test]
    async fn files_replace_and_patch() {
        let device = test_device(Platform::Cumulus);
        let mut intended = device.applied_config();
        intended.root.set_leaf(
            &["system", "aaa", "user", "cumulus", "hashed-password"],
            Value::String(NEW_HASH.into()),
        );
        let text = intended.to_startup_yaml(false);
        let written = run_with_stdin(&device, "cat > /tmp/intended.yaml", &text).await;
        assert_eq!(written.exit_status, 0);
        assert_eq!(
            run(&device, "cat /tmp/intended.yaml").await.stdout_text(),
            text
        );
        let replaced = run(&device, "nv config replace /tmp/intended.yaml").await;
        assert_eq!(replaced.exit_status, 0, "{}", replaced.stderr_text());
        assert_eq!(
            run(&device, "nv config diff -o commands")
                .await
                .stdout_text(),
            "nv set system aaa user cumulus hashed-password *\n"
        );
        run(&device, "nv config detach").await;
        let patch = "- set:\n    system:\n      hostname: patched\n- unset:\n    interface:\n      swp4: null\n";
        run_with_stdin(&device, "cat > patch.yaml", patch).await;
        assert!(device.file("/home/cumulus/patch.yaml").is_some());
        let patched = run(&device, "nv config patch ~/patch.yaml").await;
        assert_eq!(patched.exit_status, 0, "{}", patched.stderr_text());
        assert_eq!(
            run(&device, "nv config diff -o commands")
                .await
                .stdout_text(),
            "nv unset interface swp4\nnv set system hostname patched\n"
        );
        let missing = run(&device, "nv config replace /tmp/nothing.yaml").await;
        assert_eq!(missing.exit_status, 1);
        assert_eq!(
            missing.stderr_text(),
            "Error: [Errno 2] No such file or directory: '/tmp/nothing.yaml'\n"
        );
        run_with_stdin(
            &device,
            "cat > /tmp/bad.yaml",
            "- set:\n    system: [\n  x: :\n",
        )
        .await;
        let bad = run(&device, "nv config replace /tmp/bad.yaml").await;
        assert_eq!(bad.exit_status, 1);
        let message = bad.stderr_text();
        assert!(
            message.starts_with("Error: Invalid config file /tmp/bad.yaml: "),
            "{message}"
        );
        assert!(
            message.contains("line") && message.contains("column"),
            "{message}"
        );
        assert_eq!(
            run(&device, "rm -f /tmp/bad.yaml /tmp/absent")
                .await
                .exit_status,
            0
        );
        assert_eq!(run(&device, "rm /tmp/absent").await.exit_status, 1);
        assert_eq!(run(&device, "cat /tmp/bad.yaml").await.exit_status, 1);
    }

    #[tokio::test]
    async fn apply_without_confirmation_does_not_hang() {
        let device = test_device(Platform::Cumulus);
        run(&device, "nv set system hostname other").await;
        let output = run(&device, "nv config apply").await;
        assert_eq!(output.exit_status, 1);
        assert!(output.stderr_text().contains("-y"));
        assert_eq!(device.applied_revision(), 1);
    }

    #[tokio::test]
    async fn revisions_and_history_list_applies() {
        let device = test_device(Platform::Cumulus);
        run(&device, "nv set system hostname other").await;
        run(&device, "nv config apply -y -m 'rename'").await;
        let table = run(&device, "nv config revision").await.stdout_text();
        assert!(table.starts_with("Rev ID"), "{table}");
        assert!(table.contains("rename"), "{table}");
        let history = run(&device, "nv config history -o json")
            .await
            .stdout_text();
        let parsed: serde_json::Value = serde_json::from_str(&history).unwrap();
        assert_eq!(parsed[0]["rev-id"], "2");
        assert_eq!(parsed[0]["user"], "cumulus");
        assert_eq!(parsed[1]["rev-id"], "1");
    }

    #[tokio::test]
    async fn apply_faults() {
        let device = Arc::new(test_device(Platform::Cumulus));
        run(
            &device,
            &format!("nv set system aaa user cumulus hashed-password '{NEW_HASH}'"),
        )
        .await;
        device.set_fault(Fault::ApplyFails).unwrap();
        let failed = run(&device, "nv config apply -y").await;
        assert_eq!(failed.exit_status, 1);
        assert!(
            failed
                .stderr_text()
                .starts_with("Error: Config apply failed: ")
        );
        assert_eq!(device.applied_revision(), 1);
        device
            .clear_fault(crate::faults::FaultKind::ApplyFails)
            .unwrap();

        device.set_fault(Fault::PasswordNotApplied).unwrap();
        let applied = run(&device, "nv config apply -y").await;
        assert_eq!(applied.stdout_text(), "applied [rev_id: 2]\n");
        assert_ne!(
            device.user_password_hash("cumulus").as_deref(),
            Some(NEW_HASH)
        );
        assert!(device.faults().is_empty(), "one-shot fault cleared");

        run(
            &device,
            &format!("nv set system aaa user cumulus hashed-password '{NEW_HASH}'"),
        )
        .await;
        device.set_fault(Fault::DropAfterApply).unwrap();
        let dropped = run(&device, "nv config apply -y").await;
        assert!(dropped.drop_connection);
        assert!(dropped.stdout.is_empty());
        assert_eq!(
            device.user_password_hash("cumulus").as_deref(),
            Some(NEW_HASH)
        );
        assert!(device.faults().is_empty());
    }

    #[tokio::test]
    async fn yaml_and_concurrent_change_faults() {
        let device = Arc::new(test_device(Platform::Cumulus));
        run_with_stdin(
            &device,
            "cat > /tmp/x.yaml",
            "- set:\n    system:\n      hostname: a\n",
        )
        .await;
        device.set_fault(Fault::RejectsYaml).unwrap();
        let rejected = run(&device, "nv config replace /tmp/x.yaml").await;
        assert_eq!(rejected.exit_status, 1);
        assert!(
            rejected.stderr_text().contains("line 3 column 5"),
            "{}",
            rejected.stderr_text()
        );
        assert_eq!(
            run(&device, "nv config patch /tmp/x.yaml")
                .await
                .exit_status,
            1
        );
        device
            .clear_fault(crate::faults::FaultKind::RejectsYaml)
            .unwrap();
        assert_eq!(
            run(&device, "nv config patch /tmp/x.yaml")
                .await
                .exit_status,
            0
        );

        device.set_fault(Fault::ChangeBetweenDiffAndApply).unwrap();
        let before = device.applied_revision();
        let diff = run(&device, "nv config diff -o commands").await;
        assert_eq!(diff.stdout_text(), "nv set system hostname a\n");
        assert_eq!(device.applied_revision(), before + 1);
        assert!(
            device
                .applied_config()
                .root
                .leaf_text(&["system", "message", "post-login"])
                .is_some()
        );
        assert!(device.faults().is_empty());
    }
}
