//! NVOS password hardening (`system security password-hardening`): the rules a plaintext
//! `password` must meet when it is set (`nv set`, `nv config replace|patch`), and NVOS's refusal
//! messages, one per broken rule (NGTS `PwhConsts`).

use crate::config_tree::NvueConfig;
use crate::device::DeviceState;

use super::NvueError;

/// The path of the hardening settings.
pub(crate) const HARDENING_PATH: [&str; 3] = ["system", "security", "password-hardening"];

/// The hardening fields with their defaults (NVOS 25.02 manual), in the order `nv show` lists
/// them; `state` is the profile's default.
pub(crate) const HARDENING_DEFAULTS: [(&str, &str); 10] = [
    ("digits-class", "enabled"),
    ("expiration", "180"),
    ("expiration-warning", "15"),
    ("history-cnt", "10"),
    ("len-min", "8"),
    ("lower-class", "enabled"),
    ("reject-user-passw-match", "enabled"),
    ("special-class", "enabled"),
    ("state", "enabled"),
    ("upper-class", "enabled"),
];

/// The special characters a password may use to meet `special-class` (white space counts too).
const SPECIAL_CHARACTERS: &str = "`~!@#$%^&*()-_+=|[{}];:',<.>/?";

/// The longest password NVOS takes.
const MAX_PASSWORD_LENGTH: usize = 511;

/// A hardening setting of a configuration, or its default (`state` from the profile).
pub(crate) fn hardening_value(config: &NvueConfig, default_state: bool, field: &str) -> String {
    let mut path: Vec<&str> = HARDENING_PATH.to_vec();
    path.push(field);
    if let Some(value) = config.root.leaf_text(&path) {
        return value;
    }
    if field == "state" {
        return if default_state { "enabled" } else { "disabled" }.to_string();
    }
    HARDENING_DEFAULTS
        .iter()
        .find(|(name, _)| *name == field)
        .map(|(_, default)| (*default).to_string())
        .unwrap_or_default()
}

/// A character-class rule: its setting, what it asks for, and which characters meet it.
struct ClassRule {
    field: &'static str,
    what: &'static str,
    matches: fn(char) -> bool,
}

fn is_special(c: char) -> bool {
    c.is_whitespace() || SPECIAL_CHARACTERS.contains(c)
}

const CLASS_RULES: [ClassRule; 4] = [
    ClassRule {
        field: "lower-class",
        what: "one lowercase character",
        matches: char::is_lowercase,
    },
    ClassRule {
        field: "upper-class",
        what: "one uppercase character",
        matches: char::is_uppercase,
    },
    ClassRule {
        field: "digits-class",
        what: "one digit",
        matches: |c| c.is_ascii_digit(),
    },
    ClassRule {
        field: "special-class",
        what: "one special character",
        matches: is_special,
    },
];

/// Checks a plaintext password for `username` against the applied hardening settings; the error
/// lists every rule it breaks. Profiles without hardening accept anything.
pub(super) fn check_password_hardening(
    state: &DeviceState,
    username: &str,
    password: &str,
) -> Result<(), NvueError> {
    let Some(default_state) = state.profile.password_hardening_default() else {
        return Ok(());
    };
    let value = |field: &str| hardening_value(&state.applied, default_state, field);
    if value("state") != "enabled" {
        return Ok(());
    }
    let broken = broken_rules(state, username, password, &value);
    if broken.is_empty() {
        return Ok(());
    }
    let lines: Vec<String> = broken.iter().map(|line| format!("    {line}")).collect();
    Err(NvueError::new(format!(
        "Password does not meet the password hardening requirements.\nThe following requirements are not met:\n{}",
        lines.join("\n")
    )))
}

/// NVOS's message for each rule the password breaks, in NGTS's order.
fn broken_rules(
    state: &DeviceState,
    username: &str,
    password: &str,
    value: &dyn Fn(&str) -> String,
) -> Vec<String> {
    let enabled = |field: &str| value(field) == "enabled";
    let number = |field: &str| value(field).parse::<usize>().unwrap_or(0);
    let mut broken = Vec::new();
    for rule in &CLASS_RULES {
        if enabled(rule.field) && !password.chars().any(rule.matches) {
            broken.push(format!("Password should contain at least {}", rule.what));
        }
    }
    let length = password.chars().count();
    let minimum = number("len-min");
    if length < minimum {
        broken.push(format!(
            "Password should contain at least {minimum} characters"
        ));
    }
    let lowered = password.to_lowercase();
    if enabled("reject-user-passw-match") && lowered.contains(&username.to_lowercase()) {
        broken.push("Password should be different than username".to_string());
    }
    let count = number("history-cnt");
    if count > 0 && used_recently(state, username, password, count) {
        broken.push(format!(
            "Password should be different than {count} previous passwords"
        ));
    }
    if length > MAX_PASSWORD_LENGTH {
        broken.push(format!(
            "Password should contain at most {MAX_PASSWORD_LENGTH} characters"
        ));
    }
    broken
}

/// Whether the password is one of the user's last `count` passwords (the applied one included).
fn used_recently(state: &DeviceState, username: &str, password: &str, count: usize) -> bool {
    let current =
        state
            .applied
            .root
            .leaf_text(&["system", "aaa", "user", username, "hashed-password"]);
    state
        .password_history
        .recent(username, current.as_deref(), count)
        .iter()
        .filter(|hash| crate::platform::looks_like_password_hash(hash))
        .any(|hash| pwhash::unix::verify(password, hash))
}

#[cfg(test)]
mod tests {
    use crate::device::test_device;
    use crate::platform::Platform;
    use crate::shell::testing::run;

    #[tokio::test]
    async fn each_broken_rule_is_named_on_its_own_indented_line() {
        let device = test_device(Platform::Nvos);
        let short = run(&device, "nv set system aaa user admin password abc").await;
        assert_eq!(short.exit_status, 1);
        let lines: Vec<String> = short.stderr_text().lines().map(String::from).collect();
        assert!(lines[0].starts_with("Error: "), "{lines:?}");
        // Two header lines, then one indented line per broken rule (four here).
        assert_eq!(lines.len(), 6, "{lines:?}");
        assert!(
            lines[2..]
                .iter()
                .all(|line| line.starts_with("    Password should "))
        );
        let named = run(
            &device,
            "nv set system aaa user admin password 'Admin-Pass-1'",
        )
        .await;
        assert!(
            named
                .stderr_text()
                .contains("\n    Password should be different than username\n"),
            "{}",
            named.stderr_text()
        );
        let good = run(
            &device,
            "nv set system aaa user admin password 'Rotated-Pass-2'",
        )
        .await;
        assert_eq!(good.exit_status, 0, "{}", good.stderr_text());
        assert!(device.candidate_config().is_some());
        run(&device, "nv config detach").await;
        run(
            &device,
            "nv set system security password-hardening state disabled",
        )
        .await;
        run(&device, "nv config apply -y").await;
        let weak = run(&device, "nv set system aaa user admin password abc").await;
        assert_eq!(weak.exit_status, 0, "{}", weak.stderr_text());
    }
}
