//! Classifying a device's diff: nothing to do, a password-only change for the target users
//! (auto-approved), or anything else (refused, with the offending lines). Strict: only the
//! target users, only the password fields of the device's platform, only masked values.

use rotor_inventory::Platform;

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

/// Whether `key` is one of the fields NVUE keeps a user's password in.
pub fn is_password_key(key: &str) -> bool {
    key == "password" || key == "hashed-password"
}

/// The password fields a rotation may change on `platform`: Cumulus Linux keeps the crypt hash
/// in `hashed-password`; NVOS takes a plaintext `password` that it hashes, shown beside a
/// `hashed-password` (NVOS user manual, user accounts; NVUE reference, user account commands).
pub fn password_keys(platform: &Platform) -> &'static [&'static str] {
    match platform {
        Platform::Nvos => &["password", "hashed-password"],
        _ => &["hashed-password"],
    }
}

/// Whether one diff line only sets or unsets a password field (one of `keys`) of one of
/// `target_users`. A set carries exactly one masked value; an unset none or one (NVIDIA's Config
/// Manager accepts `nv unset system aaa user <u> hashed-password *`).
pub fn is_password_line(line: &str, target_users: &[String], keys: &[&str]) -> bool {
    let words: Vec<&str> = line.split_whitespace().collect();
    let (is_set, rest) = match words.as_slice() {
        ["nv", "set", rest @ ..] => (true, rest),
        ["nv", "unset", rest @ ..] => (false, rest),
        _ => return false,
    };
    let ["system", "aaa", "user", user, key, value @ ..] = rest else {
        return false;
    };
    let masked = |v: &&str| matches!(*v, "*" | "'*'" | "\"*\"");
    let shape_ok = match value {
        [one] => masked(one),
        [] => !is_set,
        _ => false,
    };
    keys.contains(key) && target_users.iter().any(|u| u == user) && shape_ok
}

/// Classifies a diff for a rotation of `target_users`' passwords, held in `keys`.
pub fn classify(lines: &[String], target_users: &[String], keys: &[&str]) -> DiffClass {
    if lines.is_empty() {
        return DiffClass::Empty;
    }
    let offending_lines: Vec<String> = lines
        .iter()
        .filter(|line| !is_password_line(line, target_users, keys))
        .cloned()
        .collect();
    if offending_lines.is_empty() {
        DiffClass::PasswordOnly
    } else {
        DiffClass::Invalid { offending_lines }
    }
}

/// The users whose password a diff changes.
pub fn changed_users(lines: &[String]) -> Vec<String> {
    let mut users: Vec<String> = lines
        .iter()
        .filter_map(|line| {
            let words: Vec<&str> = line.split_whitespace().collect();
            match words.as_slice() {
                ["nv", _, "system", "aaa", "user", user, key, ..] if is_password_key(key) => {
                    Some(user.to_string())
                }
                _ => None,
            }
        })
        .collect();
    users.sort();
    users.dedup();
    users
}

#[cfg(test)]
mod tests {
    use super::*;

    fn users(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    const CUMULUS: &[&str] = &["hashed-password"];

    fn lines(lines: &[&str]) -> Vec<String> {
        lines.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn diffs_are_classified() {
        let target = users(&["cumulus"]);
        assert_eq!(classify(&[], &target, CUMULUS), DiffClass::Empty);
        let password = lines(&["nv set system aaa user cumulus hashed-password *"]);
        assert_eq!(
            classify(&password, &target, CUMULUS),
            DiffClass::PasswordOnly
        );
        let nvos = lines(&["nv set system aaa user admin password *"]);
        let nvos_keys = password_keys(&Platform::Nvos);
        assert_eq!(
            classify(&nvos, &users(&["admin"]), nvos_keys),
            DiffClass::PasswordOnly
        );

        let mixed = lines(&[
            "nv set system aaa user cumulus hashed-password *",
            "nv set interface swp1 description drifted",
        ]);
        assert_eq!(
            classify(&mixed, &target, CUMULUS),
            DiffClass::Invalid {
                offending_lines: lines(&["nv set interface swp1 description drifted"])
            }
        );
        // Another user's password, a role change, a deleted account: all refused.
        for line in [
            "nv set system aaa user breakglass hashed-password *",
            "nv set system aaa user cumulus role system-admin",
            "nv unset system aaa user cumulus",
            "nv set system aaa user cumulus hashed-password * extra",
            "nv set system aaa user cumulus",
            // Cumulus keeps hashes in hashed-password: a plaintext password field is not Rotor's.
            "nv set system aaa user cumulus password *",
            // An unmasked value is never a line Rotor's rendering produces.
            "nv set system aaa user cumulus hashed-password plain",
        ] {
            assert!(
                matches!(
                    classify(&lines(&[line]), &target, CUMULUS),
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

    #[test]
    fn the_forms_real_switches_print_are_password_lines() {
        // NVIDIA's Config Manager's fixtures pair an unset carrying the masked value with the
        // set; NVUE's YAML output quotes the mask ('*').
        let cumulus = users(&["cumulus"]);
        for line in [
            "nv unset system aaa user cumulus hashed-password *",
            "nv unset system aaa user cumulus hashed-password '*'",
            "nv unset system aaa user cumulus hashed-password",
            "nv set system aaa user cumulus hashed-password '*'",
            "nv set system aaa user cumulus hashed-password \"*\"",
        ] {
            assert!(is_password_line(line, &cumulus, CUMULUS), "{line}");
        }
        let admin = users(&["admin"]);
        let nvos = password_keys(&Platform::Nvos);
        for line in [
            "nv unset system aaa user admin password *",
            "nv set system aaa user admin password *",
            "nv set system aaa user admin hashed-password '*'",
        ] {
            assert!(is_password_line(line, &admin, nvos), "{line}");
        }
        assert_eq!(
            changed_users(&lines(&[
                "nv unset system aaa user b hashed-password *",
                "nv set system aaa user b hashed-password *",
                "nv set system aaa user a password *",
                "nv set interface swp1 description x",
            ])),
            users(&["a", "b"])
        );
    }
}
