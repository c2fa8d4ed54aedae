//! `nv config show|diff|replace|patch|detach|save|revision|history`: revisions as a whole
//! (applied, startup, pending, empty, detached), configuration files (also from standard input,
//! `/dev/stdin`), saving, and the revision history; with the faults that act on them
//! (`rejects_yaml`, `change_between_diff_and_apply`). `nv config apply` is in `apply`.

use std::borrow::Cow;
use std::fmt;
use std::sync::MutexGuard;

use serde_yaml::Value;

use crate::config_tree::{Change, Node, NvueConfig, changes_to_yaml, diff, parse_documents};
use crate::device::{Device, DeviceState};
use crate::platform::Platform;
use crate::shell::{CommandResult, ExecContext, resolve_path};

use super::options::{Format, options_and_format, parse_options};
use super::passwords::hash_file_passwords;
use super::printing::{json_as_yaml_text, json_text, lines, structured_output, table};
use super::validate::check_tree;
use super::{NvueError, NvueResult, lock_for_change};

/// The file name that means "the command's standard input".
pub(crate) const STDIN_FILE: &str = "/dev/stdin";

/// The configuration a revision name refers to: `applied`, `startup`, `pending` (the candidate,
/// or the applied configuration when there is none), `empty`, or a number: the applied
/// revision's or a detached revision's (`rev_N` works too).
fn revision_config<'a>(
    state: &'a DeviceState,
    name: &str,
) -> Result<Cow<'a, NvueConfig>, NvueError> {
    Ok(match name {
        "applied" => Cow::Borrowed(&*state.applied),
        "startup" => Cow::Borrowed(&*state.startup),
        "pending" => Cow::Borrowed(state.candidate.as_deref().unwrap_or(&state.applied)),
        "empty" => Cow::Owned(NvueConfig::new(Value::Null, Node::default())),
        other => {
            let wanted = other.trim_start_matches("rev_").parse::<u64>().ok();
            let detached = state
                .detached
                .iter()
                .find(|revision| Some(revision.id) == wanted);
            match (wanted, detached) {
                (_, Some(revision)) => Cow::Borrowed(&*revision.config),
                (Some(id), None) if id == state.applied_revision() => {
                    Cow::Borrowed(&*state.applied)
                }
                _ => {
                    return Err(NvueError::new(format!(
                        "The requested revision '{other}' does not exist."
                    )));
                }
            }
        }
    })
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

/// `nv config diff [-o yaml|json|commands] [<rev> [<rev>]]`: pending against applied, applied
/// against one revision, or the first revision against the second; hashes masked.
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

/// `nv config save`: the applied configuration becomes the startup configuration. Prints
/// `saved` (Cumulus Linux 5.16 NVUE CLI documentation).
pub(super) fn config_save(device: &Device, context: &ExecContext) -> NvueResult {
    lock_for_change(device, &context.user)?.save();
    Ok(CommandResult::success("saved\n"))
}

/// NVUE's error for a configuration file it refuses.
fn invalid_config_file(name: &str, problem: impl fmt::Display) -> NvueError {
    NvueError::new(format!("Invalid config file {name}: {problem}"))
}

/// What `nv config replace|patch <file>` starts with: the options, then the device's state for
/// a change, and the file's name and text: a stored file, or the command's standard input for
/// `/dev/stdin` (never stored).
fn lock_and_read_file<'a>(
    device: &'a Device,
    context: &ExecContext,
    arguments: &[String],
    command: &str,
    stdin: &[u8],
) -> Result<(MutexGuard<'a, DeviceState>, String, String), NvueError> {
    let options = parse_options(arguments)?;
    let Some(name) = options.positional.into_iter().next() else {
        return Err(NvueError::new(format!(
            "Incomplete command: nv config {command} <file>"
        )));
    };
    let state = lock_for_change(device, &context.user)?;
    let resolved = resolve_path(device.platform, &context.user, &name);
    let text = if resolved == STDIN_FILE {
        String::from_utf8_lossy(stdin).into_owned()
    } else {
        let Some(file) = state.file(&resolved) else {
            return Err(NvueError::new(format!(
                "[Errno 2] No such file or directory: '{name}'"
            )));
        };
        String::from_utf8_lossy(&file.content).into_owned()
    };
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

/// What a successful replace or patch prints: NVOS names a file in the current directory
/// (NGTS `test_replace_patch`); otherwise nothing.
fn loaded(platform: Platform, name: &str) -> CommandResult {
    if platform == Platform::Nvos && !name.contains('/') {
        CommandResult::success(format!(
            "Loading config file: {name} from current directory.\n"
        ))
    } else {
        CommandResult::default()
    }
}

pub(super) fn config_replace(
    device: &Device,
    context: &ExecContext,
    arguments: &[String],
    stdin: &[u8],
) -> NvueResult {
    let (mut state, name, text) = lock_and_read_file(device, context, arguments, "replace", stdin)?;
    let mut parsed =
        NvueConfig::from_startup_yaml(&text).map_err(|error| invalid_config_file(&name, error))?;
    check_tree(device.profile, &parsed.root)
        .map_err(|problem| invalid_config_file(&name, problem))?;
    hash_file_passwords(&state, &mut parsed.root)?;
    let header = state.applied.header.clone();
    state.candidate = Some(Box::new(NvueConfig::new(header, parsed.root)));
    Ok(loaded(device.platform, &name))
}

pub(super) fn config_patch(
    device: &Device,
    context: &ExecContext,
    arguments: &[String],
    stdin: &[u8],
) -> NvueResult {
    let (mut state, name, text) = lock_and_read_file(device, context, arguments, "patch", stdin)?;
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
    if let Some(set) = &mut documents.set {
        check_tree(device.profile, set).map_err(|problem| invalid_config_file(&name, problem))?;
        hash_file_passwords(&state, set)?;
    }
    let candidate = state.candidate_mut();
    if let Some(set) = &documents.set {
        candidate.root.merge(set);
    }
    if let Some(unset) = &documents.unset {
        candidate.root.unset_tree(unset);
    }
    Ok(loaded(device.platform, &name))
}

/// `nv config detach`: the candidate becomes a numbered detached revision; prints nothing.
pub(super) fn config_detach(device: &Device, context: &ExecContext) -> NvueResult {
    device.lock().detach(&context.user);
    Ok(CommandResult::default())
}

/// One row of `nv config revision`: (id, state, apply id, date, type, user, reason, message).
type RevisionRow = [String; 8];

fn revision_rows(state: &DeviceState) -> Vec<RevisionRow> {
    let mut rows: Vec<(u64, RevisionRow)> = state
        .revisions
        .iter()
        .map(|revision| {
            let row = [
                revision.id.to_string(),
                state.revision_state(revision).to_string(),
                format!("rev_{}_apply_1", revision.id),
                revision.date.clone(),
                revision.method.clone(),
                revision.user.clone(),
                revision.reason.clone(),
                revision.message.clone(),
            ];
            (revision.id, row)
        })
        .collect();
    for detached in &state.detached {
        let row = [
            detached.id.to_string(),
            "detached".to_string(),
            String::new(),
            detached.date.clone(),
            "CLI".to_string(),
            detached.user.clone(),
            String::new(),
            String::new(),
        ];
        rows.push((detached.id, row));
    }
    rows.sort_by_key(|row| std::cmp::Reverse(row.0));
    rows.into_iter().map(|(_, row)| row).collect()
}

/// `nv config revision`: the pending, applied and detached revisions, newest first; a table
/// (`Rev ID  State  Apply ID  Apply Date  Type  User  Reason  Message`) unless `-o json|yaml`.
pub(super) fn config_revision(device: &Device, arguments: &[String]) -> NvueResult {
    let (_, format) = options_and_format(arguments, &[Format::Json, Format::Yaml])?;
    let state = device.lock();
    let mut rows = revision_rows(&state);
    if state.candidate.is_some() {
        let mut pending: RevisionRow = Default::default();
        pending[0] = "pending".into();
        pending[1] = "pending".into();
        rows.insert(0, pending);
    }
    let mut all = serde_json::Map::new();
    for row in &rows {
        let [
            id,
            state_name,
            apply_id,
            date,
            method,
            user,
            reason,
            message,
        ] = row.clone();
        let entry = if id == "pending" {
            serde_json::json!({"state": "pending"})
        } else {
            serde_json::json!({
                "state": state_name, "apply-id": apply_id, "date": date, "method": method,
                "user": user, "reason": reason, "message": message,
            })
        };
        all.insert(id, entry);
    }
    Ok(structured_output(
        format,
        &serde_json::Value::Object(all),
        || {
            let headers = [
                "Rev ID",
                "State",
                "Apply ID",
                "Apply Date",
                "Type",
                "User",
                "Reason",
                "Message",
            ];
            let rows: Vec<Vec<String>> = rows.into_iter().map(Vec::from).collect();
            table(&headers, &rows)
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
                "message": revision.message,
                "method": revision.method,
                "reason": revision.reason,
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
        // NVUE's own words (NGTS NO_CONFIG_DIFF_APPLY_MSG).
        assert_eq!(
            again.stdout_text(),
            "config apply executed with no config diff\n"
        );
        assert_eq!(device.applied_revision(), 2);
    }

    #[tokio::test]
    async fn show_masks_hashes_in_every_format() {
        let device = test_device(Platform::Cumulus);
        let yaml = run(&device, "nv config show").await.stdout_text();
        assert!(yaml.starts_with("- header:\n"), "{yaml}");
        assert!(yaml.contains("hashed-password: '*'"), "{yaml}");
        assert!(yaml.contains("version: Cumulus Linux 5.8.0"), "{yaml}");
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
    async fn a_detached_candidate_stays_a_numbered_revision_for_diffs() {
        let device = test_device(Platform::Cumulus);
        run(&device, "nv set system hostname kept-aside").await;
        let detached = run(&device, "nv config detach").await;
        assert_eq!(detached, Output::default(), "detach prints nothing");
        assert_eq!(
            run(&device, "nv config diff -o commands")
                .await
                .stdout_text(),
            ""
        );
        for command in [
            "nv config diff applied 2 -o commands",
            "nv config diff 2 -o commands",
        ] {
            assert_eq!(
                run(&device, command).await.stdout_text(),
                "nv set system hostname kept-aside\n",
                "{command}"
            );
        }
        let revisions = run(&device, "nv config revision -o json")
            .await
            .stdout_text();
        let parsed: serde_json::Value = serde_json::from_str(&revisions).unwrap();
        assert_eq!(parsed["2"]["state"], "detached");
        assert_eq!(parsed["1"]["state"], "applied_and_saved");
        let table = run(&device, "nv config revision").await.stdout_text();
        assert!(
            table.starts_with(
                "Rev ID  State              Apply ID       Apply Date           Type     User     Reason                 Message"
            ),
            "{table}"
        );
        assert!(
            run(&device, "nv config diff 9")
                .await
                .stderr_text()
                .contains("'9' does not exist")
        );
        let empty = run(&device, "nv config diff empty applied -o commands").await;
        assert!(
            empty
                .stdout_text()
                .contains("nv set system hostname unit-leaf-01\n")
        );
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
