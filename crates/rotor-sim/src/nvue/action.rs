//! `nv action ...`: the one action the simulator knows, clearing login restrictions
//! (`nv action clear system aaa authentication restrictions [user <name>]`, Cumulus Linux 5.15
//! and later, NVOS), with the output lines of the Cumulus Linux 5.15 user accounts page.

use crate::device::Device;
use crate::shell::{CommandResult, ExecContext};

use super::{NvueError, NvueResult, invalid_command, lock_for_change};

/// `nv action ...`; `arguments` start with `action`.
pub(super) fn nv_action(
    device: &Device,
    context: &ExecContext,
    arguments: &[String],
) -> NvueResult {
    let words: Vec<&str> = arguments.iter().map(String::as_str).collect();
    const CLEAR: [&str; 6] = [
        "action",
        "clear",
        "system",
        "aaa",
        "authentication",
        "restrictions",
    ];
    let target = match words.strip_prefix(&CLEAR[..]) {
        Some([]) => None,
        Some(["user", user]) => Some(*user),
        _ => return Err(invalid_command(arguments)),
    };
    if !device.profile.has_login_restrictions() {
        return Err(invalid_command(arguments));
    }
    let mut state = lock_for_change(device, &context.user)?;
    let text = match target {
        Some(user) => {
            if state
                .applied
                .root
                .get(&["system", "aaa", "user", user])
                .is_none()
            {
                return Err(NvueError::new("The requested item does not exist."));
            }
            state.logins.users.remove(user);
            format!(
                "Action executing ...\nClearing restrictions for user {user}\nSuccessfully cleared user name {user}\nAction succeeded\n"
            )
        }
        None => {
            state.logins.users.clear();
            "Action executing ...\nSuccessfully cleared all users\nAction succeeded\n".to_string()
        }
    };
    Ok(CommandResult::success(text))
}
