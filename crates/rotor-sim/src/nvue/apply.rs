//! `nv config apply`: applying the candidate, the warnings that make NVUE ask "Are you sure?",
//! auto-save, the commit-confirm window (`--confirm`, `--confirm-yes`, `--confirm-no`,
//! `--confirm-status`), and the faults that act on an apply (`apply_fails`, `drop_after_apply`,
//! `password_not_applied`, `stall_apply`).

use std::sync::{Arc, MutexGuard};
use std::time::Duration;

use crate::config_tree::{Node, NvueConfig};
use crate::device::{Device, DeviceState};
use crate::platform::Platform;
use crate::shell::{CommandResult, ExecContext};

use super::options::{ConfirmAction, Options, parse_options};
use super::{NvueError, NvueResult, lock_for_change};

/// What `nv config apply` prints when the candidate changes nothing (NGTS's
/// `NO_CONFIG_DIFF_APPLY_MSG`; the whole line is not documented, so this is the text alone).
pub(crate) const NO_CONFIG_DIFF: &str = "config apply executed with no config diff\n";
/// What a declined "Are you sure?" prints (NGTS's `DECLINED_APPLY_MSG`).
pub(crate) const DECLINED: &str = "Declined apply after warnings";

/// The line of a successful apply: `applied [rev_id: N]`, or `applied_and_saved [rev_id: N]`
/// when it was saved too.
pub(crate) fn applied_line(revision: u64, saved: bool) -> String {
    let state = if saved {
        "applied_and_saved"
    } else {
        "applied"
    };
    format!("{state} [rev_id: {revision}]\n")
}

/// The warnings applying the candidate raises, each of which makes NVUE ask "Are you sure?":
/// a new hostname on Cumulus, a change to the management interface on NVOS.
pub(crate) fn apply_warnings(platform: Platform, state: &DeviceState) -> Vec<String> {
    let Some(candidate) = state.candidate.as_deref() else {
        return Vec::new();
    };
    let applied = &state.applied.root;
    let mut warnings = Vec::new();
    match platform {
        Platform::Cumulus => {
            let path = ["system", "hostname"];
            let (old, new) = (applied.leaf_text(&path), candidate.root.leaf_text(&path));
            if let (Some(old), Some(new)) = (old, new)
                && old != new
            {
                warnings.push(format!(
                    "current hostname `{old}` will be replaced with `{new}`"
                ));
            }
        }
        Platform::Nvos => {
            let path = ["interface", "eth0"];
            let same = match (applied.get(&path), candidate.root.get(&path)) {
                (Some(old), Some(new)) => old.same_as(new),
                (old, new) => old.is_none() && new.is_none(),
            };
            if !same {
                warnings.push(
                    "management interface config is changed. If you are connected with it, your conection may be temporary interrupted."
                        .to_string(),
                );
            }
        }
    }
    warnings
}

/// The warnings of an `nv config apply` (these `nv` arguments) that is not answered already
/// (`-y`, `--assume-yes`, `--assume-no`), with changes pending: empty when no question is asked.
pub(crate) fn unanswered_apply_warnings(device: &Device, arguments: &[String]) -> Vec<String> {
    if !super::is_unanswered_apply(arguments) {
        return Vec::new();
    }
    let state = device.lock();
    if !state.has_pending_changes() {
        return Vec::new();
    }
    apply_warnings(device.platform, &state)
}

fn warning_lines(warnings: &[String]) -> String {
    warnings
        .iter()
        .map(|warning| format!("Warning: {warning}\n"))
        .collect()
}

pub(super) fn config_apply(
    device: &Device,
    context: &ExecContext,
    arguments: &[String],
) -> NvueResult {
    let options = parse_options(arguments)?;
    if let Some(action) = options.confirm_action {
        return confirm_action(device, context, action);
    }
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
        return Ok(CommandResult::success(NO_CONFIG_DIFF));
    }
    if let Some(pending) = &state.pending_confirm {
        return Err(NvueError::new(format!(
            "A configuration apply is waiting for confirmation (rev_id: {}); confirm it with 'nv config apply --confirm-yes' or roll it back with 'nv config apply --confirm-no' first",
            pending.revision
        )));
    }
    let warnings = apply_warnings(device.platform, &state);
    if !warnings.is_empty() && !options.assume_yes {
        return Ok(unanswered(&warnings, options.assume_no));
    }
    if state.faults.apply_fails {
        return Err(NvueError::new(
            "Config apply failed: Internal error while applying the configuration (set by the apply_fails fault); the pending revision was not applied",
        ));
    }
    Ok(apply_candidate(device, &mut state, context, &options))
}

/// An apply with warnings that nobody said yes to: declined (`--assume-no`), or refused
/// because an `exec` channel has no terminal to ask on. Nothing changes; exit 1.
fn unanswered(warnings: &[String], assume_no: bool) -> CommandResult {
    let text = if assume_no {
        format!("{}{DECLINED}", warning_lines(warnings))
    } else {
        format!(
            "{}Aborted apply after warnings: there is no terminal to answer \"Are you sure? [y/N]\" on; use 'nv config apply -y' (--assume-yes)",
            warning_lines(warnings)
        )
    };
    CommandResult::failure(1, text)
}

/// Applies the candidate: a new revision; then either the confirm window starts or auto-save
/// saves (when on).
fn apply_candidate(
    device: &Device,
    state: &mut MutexGuard<'_, DeviceState>,
    context: &ExecContext,
    options: &Options,
) -> CommandResult {
    let Some(candidate) = state.candidate.take() else {
        return CommandResult::success(NO_CONFIG_DIFF);
    };
    let mut new_config = *candidate;
    if state.faults.password_not_applied {
        state.faults.password_not_applied = false;
        keep_old_password_hashes(device.platform, &state.applied, &mut new_config, None);
    }
    if let Some(user) = state.faults.password_not_applied_for.take() {
        keep_old_password_hashes(
            device.platform,
            &state.applied,
            &mut new_config,
            Some(&user),
        );
    }
    let message = options
        .message
        .clone()
        .unwrap_or_else(|| format!("Config update by {}", context.user));
    let previous = Arc::clone(&state.applied);
    let revision = state.commit(new_config, &context.user, "CLI", "Config update", &message);
    let saved = match options.confirm {
        Some(window) => {
            state.start_confirm(revision, window, previous);
            false
        }
        None => state.save_if_auto_save(),
    };
    let hold_back = state
        .faults
        .stall_apply
        .map_or(Duration::ZERO, Duration::from_millis);
    if state.faults.drop_after_apply {
        state.faults.drop_after_apply = false;
        return CommandResult {
            drop_connection: true,
            ..CommandResult::default()
        };
    }
    CommandResult {
        hold_back,
        ..CommandResult::success(applied_line(revision, saved))
    }
}

/// `--confirm-status`, `--confirm-yes`, `--confirm-no`.
fn confirm_action(device: &Device, context: &ExecContext, action: ConfirmAction) -> NvueResult {
    let no_pending = || NvueError::new("There is no pending confirmation.");
    match action {
        ConfirmAction::Status => {
            let remaining = device.lock().confirm_remaining();
            Ok(CommandResult::success(match remaining {
                Some(remaining) => format!(
                    "Confirm timeout remaining: {} seconds\n",
                    remaining.as_millis().div_ceil(1000)
                ),
                None => "No pending confirmation.\n".to_string(),
            }))
        }
        ConfirmAction::Yes => {
            let mut state = lock_for_change(device, &context.user)?;
            let (revision, saved) = state.confirm().ok_or_else(no_pending)?;
            Ok(CommandResult::success(applied_line(revision, saved)))
        }
        ConfirmAction::No => {
            let mut state = lock_for_change(device, &context.user)?;
            if state.faults.rollback_fails && state.pending_confirm.take().is_some() {
                return Err(NvueError::new(
                    "Rollback failed: the previous configuration could not be applied.",
                ));
            }
            let message = format!("Rollback by {} (--confirm-no)", context.user);
            let revision = state
                .roll_back_confirm(&context.user, &message)
                .ok_or_else(no_pending)?;
            Ok(CommandResult::success(applied_line(revision, false)))
        }
    }
}

/// For `password_not_applied`: users that had a hash keep it (only `only`, when given).
fn keep_old_password_hashes(
    platform: Platform,
    old: &NvueConfig,
    new: &mut NvueConfig,
    only: Option<&str>,
) {
    let key = platform.password_key();
    let Some(old_users) = old
        .root
        .get(&["system", "aaa", "user"])
        .and_then(Node::children)
    else {
        return;
    };
    for (username, old_user) in old_users {
        if only.is_some_and(|only| only != username) {
            continue;
        }
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

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use crate::device::test_device_with;
    use crate::profile::Profile;
    use crate::shell::testing::{NEW_HASH, run};

    #[tokio::test(start_paused = true)]
    async fn an_unconfirmed_apply_rolls_back_when_its_time_is_up_and_not_before() {
        let device = test_device_with(Profile::Cumulus5_15);
        let before = device.applied_config();
        run(
            &device,
            &format!("nv set system aaa user cumulus hashed-password '{NEW_HASH}'"),
        )
        .await;
        let applied = run(&device, "nv config apply --confirm 300s -y").await;
        assert_eq!(applied.stdout_text(), "applied [rev_id: 2]\n");
        tokio::time::advance(Duration::from_secs(299)).await;
        assert_eq!(
            run(&device, "nv config apply --confirm-status")
                .await
                .stdout_text(),
            "Confirm timeout remaining: 1 seconds\n"
        );
        assert_eq!(
            device.user_password_hash("cumulus").as_deref(),
            Some(NEW_HASH)
        );
        tokio::time::advance(Duration::from_secs(1)).await;
        assert!(device.applied_config().root.same_as(&before.root));
        assert_eq!(device.applied_revision(), 3);
        assert_eq!(
            run(&device, "nv config apply --confirm-status")
                .await
                .stdout_text(),
            "No pending confirmation.\n"
        );
        let history = run(&device, "nv config history -o json")
            .await
            .stdout_text();
        assert!(
            history.contains("Rollback: the confirm time ran out"),
            "{history}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_bare_confirm_time_is_minutes_and_no_time_is_ten() {
        let device = test_device_with(Profile::Nvos25_02);
        for (option, seconds) in [("--confirm 2", 120), ("--confirm", 600)] {
            run(&device, "nv set system message post-login changed").await;
            let applied = run(&device, &format!("nv config apply {option} -y")).await;
            assert_eq!(applied.exit_status, 0, "{}", applied.stderr_text());
            assert_eq!(
                device.confirm_remaining(),
                Some(Duration::from_secs(seconds))
            );
            run(&device, "nv config apply --confirm-no").await;
        }
    }

    #[tokio::test]
    async fn warnings_ask_first_and_the_no_answer_declines() {
        let device = test_device_with(Profile::Cumulus5_9);
        run(&device, "nv set system hostname renamed").await;
        let declined = run(&device, "nv config apply --assume-no").await;
        assert_eq!(declined.exit_status, 1);
        assert_eq!(
            declined.stderr_text(),
            "Warning: current hostname `unit-leaf-01` will be replaced with `renamed`\nDeclined apply after warnings\n"
        );
        let global = run(&device, "nv -y config apply").await;
        assert_eq!(global.stdout_text(), "applied_and_saved [rev_id: 2]\n");
        // Without warnings there is nothing to ask: `nv config apply` applies.
        run(&device, "nv set system message post-login quiet").await;
        let quiet = run(&device, "nv config apply").await;
        assert_eq!(quiet.stdout_text(), "applied_and_saved [rev_id: 3]\n");
    }
}
