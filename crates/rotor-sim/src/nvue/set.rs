//! `nv set <path> <value>` and `nv unset <path> [<value>]`: changes to the pending candidate.

use serde_yaml::Value;

use crate::config_tree::{Node, parse_cli_value};
use crate::device::Device;
use crate::shell::{CommandResult, ExecContext};

use super::passwords::{is_user_password_path, stored_password_hash};
use super::validate::{
    check_address, check_path, check_profile_setting, check_value, invalid_path, is_collection,
};
use super::{NvueError, NvueResult, lock_for_change};

pub(super) fn nv_set(device: &Device, context: &ExecContext, arguments: &[String]) -> NvueResult {
    let platform = device.platform;
    if arguments.len() < 2 {
        return Err(NvueError::new("Incomplete command"));
    }
    let mut state = lock_for_change(device, &context.user)?;
    let (parent, last) = arguments.split_at(arguments.len() - 1);
    let last = &last[0];
    if is_collection(parent) {
        check_path(platform, arguments)?;
        if parent.len() == 4
            && parent[0] == "interface"
            && parent[2] == "ip"
            && parent[3] == "address"
            && !check_address(last)
        {
            return Err(NvueError::new(format!(
                "Invalid value for address: '{last}' is not a valid IP prefix"
            )));
        }
        state.candidate_mut().root.ensure_branch(arguments);
        return Ok(CommandResult::default());
    }
    check_path(platform, parent)?;
    check_profile_setting(device.profile, parent, Some(last))?;
    check_value(platform, parent, last)?;
    // `nv set system hostname` (no value) names an object, not a value: never replace an
    // object (here all of `system`, users included) with a scalar.
    let pending = state.candidate.as_deref().unwrap_or(&state.applied);
    if pending
        .root
        .get(parent)
        .and_then(Node::children)
        .is_some_and(|children| !children.is_empty())
    {
        return Err(NvueError::new("Incomplete command"));
    }
    if is_user_password_path(parent) {
        let hash = stored_password_hash(&state, &parent[3], last)?;
        let mut target = parent.to_vec();
        target[4] = platform.password_key().to_string();
        state
            .candidate_mut()
            .root
            .set_leaf(&target, Value::String(hash));
        return Ok(CommandResult::default());
    }
    state
        .candidate_mut()
        .root
        .set_leaf(parent, parse_cli_value(last));
    Ok(CommandResult::default())
}

pub(super) fn nv_unset(device: &Device, context: &ExecContext, arguments: &[String]) -> NvueResult {
    if arguments.is_empty() {
        return Err(NvueError::new("Incomplete command"));
    }
    let mut state = lock_for_change(device, &context.user)?;
    let top = &arguments[0];
    if !device.platform.top_level_objects().contains(&top.as_str()) {
        return Err(invalid_path(arguments));
    }
    let candidate = state.candidate_mut();
    if candidate.root.get(arguments).is_some() {
        candidate.root.remove(arguments);
    } else if let Some((last, parent)) = arguments.split_last()
        && candidate.root.leaf_text(parent).as_deref() == Some(last.as_str())
    {
        // `nv unset <path> <value>` removes the leaf when it holds that value.
        candidate.root.remove(parent);
    }
    Ok(CommandResult::default())
}

#[cfg(test)]
mod tests {
    use crate::device::test_device;
    use crate::platform::Platform;
    use crate::shell::testing::run;

    #[tokio::test]
    async fn setting_an_object_without_a_value_is_refused_not_stored_as_a_value() {
        let device = test_device(Platform::Cumulus);
        let output = run(&device, "nv set system hostname").await;
        assert_ne!(output.exit_status, 0);
        assert!(output.stderr_text().contains("Incomplete command"));
        assert_eq!(
            run(&device, "nv config diff -o commands")
                .await
                .stdout_text(),
            ""
        );
        assert!(device.user_password_hash("cumulus").is_some());
    }

    #[tokio::test]
    async fn unset_reports_the_highest_removed_node() {
        let device = test_device(Platform::Cumulus);
        run(&device, "nv unset interface swp2").await;
        run(&device, "nv unset interface swp3 description").await;
        let diff = run(&device, "nv config diff -o commands")
            .await
            .stdout_text();
        assert_eq!(
            diff,
            "nv unset interface swp2\nnv unset interface swp3 description\n"
        );
        run(&device, "nv config detach").await;
        assert_eq!(
            run(&device, "nv config diff -o commands")
                .await
                .stdout_text(),
            ""
        );
    }
}
