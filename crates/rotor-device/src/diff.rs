//! Classifying a device's diff: nothing to do, a password-only change for the target users
//! (auto-approved), or anything else (refused, with the offending lines).

/// What a diff is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DiffClass {
    /// "No password changes needed, no diff."
    Empty,
    /// Only the target users' passwords change: auto-approved.
    PasswordOnly,
    /// Lines that change something other than the target users' passwords.
    Invalid {
        /// The diff lines that are not password changes for the target users, as the device
        /// printed them (hashes masked).
        offending_lines: Vec<String>,
    },
}

/// The display text of an empty diff.
pub const NO_DIFF_DISPLAY: &str = "No password changes needed, no diff.";

/// The display text of an auto-approved diff for `users`.
pub fn auto_approved_display(users: &[String]) -> String {
    format!(
        "Password Rotation Configuration Diff (Auto-Approved password only changes for '{}')",
        users.join("', '")
    )
}

/// Whether one diff line only sets or unsets a target user's password.
pub fn is_password_line(line: &str, target_users: &[String]) -> bool {
    let words: Vec<&str> = line.split_whitespace().collect();
    let rest = match words.as_slice() {
        ["nv", "set", rest @ ..] => rest,
        ["nv", "unset", rest @ ..] => rest,
        _ => return false,
    };
    let is_set = words[1] == "set";
    match rest {
        ["system", "aaa", "user", user, key, value @ ..] => {
            let key_ok = *key == "hashed-password" || *key == "password";
            let user_ok = target_users.iter().any(|u| u == user);
            // A set carries exactly one (masked) value; an unset carries none.
            let shape_ok = if is_set {
                value.len() == 1
            } else {
                value.is_empty()
            };
            key_ok && user_ok && shape_ok
        }
        _ => false,
    }
}

/// Classifies a diff for a rotation of `target_users`' passwords.
pub fn classify(lines: &[String], target_users: &[String]) -> DiffClass {
    if lines.is_empty() {
        return DiffClass::Empty;
    }
    let offending_lines: Vec<String> = lines
        .iter()
        .filter(|line| !is_password_line(line, target_users))
        .cloned()
        .collect();
    if offending_lines.is_empty() {
        DiffClass::PasswordOnly
    } else {
        DiffClass::Invalid { offending_lines }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn users(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn diffs_are_classified() {
        let target = users(&["cumulus"]);
        assert_eq!(classify(&[], &target), DiffClass::Empty);
        let password = vec!["nv set system aaa user cumulus hashed-password *".to_string()];
        assert_eq!(classify(&password, &target), DiffClass::PasswordOnly);
        let nvos = vec!["nv set system aaa user admin password *".to_string()];
        assert_eq!(classify(&nvos, &users(&["admin"])), DiffClass::PasswordOnly);

        let mixed = vec![
            "nv set system aaa user cumulus hashed-password *".to_string(),
            "nv set interface swp1 description drifted".to_string(),
        ];
        assert_eq!(
            classify(&mixed, &target),
            DiffClass::Invalid {
                offending_lines: vec!["nv set interface swp1 description drifted".to_string()]
            }
        );
        // Another user's password, a role change, a deleted account: all refused.
        for line in [
            "nv set system aaa user breakglass hashed-password *",
            "nv set system aaa user cumulus role system-admin",
            "nv unset system aaa user cumulus",
            "nv set system aaa user cumulus hashed-password * extra",
            "nv set system aaa user cumulus",
        ] {
            assert!(
                matches!(
                    classify(&[line.to_string()], &target),
                    DiffClass::Invalid { .. }
                ),
                "{line} should be refused"
            );
        }
        assert_eq!(
            auto_approved_display(&target),
            "Password Rotation Configuration Diff (Auto-Approved password only changes for 'cumulus')"
        );
    }
}
