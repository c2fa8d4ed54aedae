//! Which paths and values NVUE accepts: top-level objects, user fields, interface names, roles,
//! hostnames, addresses and hashes, and the settings whose spelling depends on the profile
//! (auto-save, login restrictions, NVOS password hardening), checked for each `nv set` and for
//! every leaf of a file given to `nv config replace|patch`.

use super::NvueError;
use super::hardening::HARDENING_PATH;
use crate::config_tree::{Node, scalar_text};
use crate::platform::{Platform, is_acceptable_hashed_password};
use crate::profile::Profile;
use crate::restrictions::RESTRICTIONS_PATH;

/// Paths under which the last word names a new child rather than giving a value.
const COLLECTIONS: &[&[&str]] = &[
    &["acl"],
    &["acl", "*", "rule"],
    &["bridge", "domain"],
    &["bridge", "domain", "*", "vlan"],
    &["interface"],
    &["interface", "*", "bond", "member"],
    &["interface", "*", "bridge", "domain"],
    &["interface", "*", "ip", "address"],
    &["router", "bgp", "neighbor"],
    &["service", "dns"],
    &["service", "dns", "*", "server"],
    &["service", "ntp"],
    &["service", "ntp", "*", "server"],
    &["service", "syslog"],
    &["service", "syslog", "*", "server"],
    &["system", "aaa", "user"],
    &["vrf"],
    &["vrf", "*", "router", "bgp", "neighbor"],
];

pub(super) fn is_collection(path: &[String]) -> bool {
    COLLECTIONS.iter().any(|pattern| {
        pattern.len() == path.len()
            && pattern
                .iter()
                .zip(path)
                .all(|(expected, actual)| *expected == "*" || expected == actual)
    })
}

pub(super) fn invalid_path(path: &[String]) -> NvueError {
    NvueError::new(format!("Invalid config path: {}", path.join(" ")))
}

fn not_one_of(value: &str, field: &str, allowed: &[&str]) -> NvueError {
    let quoted: Vec<String> = allowed.iter().map(|item| format!("'{item}'")).collect();
    NvueError::new(format!(
        "Invalid value for {field}: '{value}' is not one of [{}]",
        quoted.join(", ")
    ))
}

/// Checks that a path names something the platform's NVUE knows.
pub(super) fn check_path(platform: Platform, path: &[String]) -> Result<(), NvueError> {
    let Some(top) = path.first() else {
        return Err(NvueError::new("Incomplete command"));
    };
    if !platform.top_level_objects().contains(&top.as_str()) {
        return Err(invalid_path(path));
    }
    if path.len() >= 4 && path[..3] == ["system", "aaa", "user"] {
        if let Err(problem) = rotor_inventory::check_username(&path[3]) {
            return Err(NvueError::new(format!("Invalid value for user: {problem}")));
        }
        if path.len() >= 5 && !platform.user_fields().contains(&path[4].as_str()) {
            return Err(invalid_path(path));
        }
        if path.len() > 5 {
            return Err(invalid_path(path));
        }
    }
    if path.len() >= 2 && path[0] == "interface" {
        let name = &path[1];
        let valid = !name.is_empty()
            && name.len() <= 15
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
        if !valid {
            return Err(NvueError::new(format!(
                "Invalid value for interface: '{name}' is not a valid interface name"
            )));
        }
    }
    Ok(())
}

/// Checks a value being set at a path.
pub(super) fn check_value(
    platform: Platform,
    path: &[String],
    value: &str,
) -> Result<(), NvueError> {
    let strings: Vec<&str> = path.iter().map(String::as_str).collect();
    match strings.as_slice() {
        ["system", "aaa", "user", _, "role"] if !platform.user_roles().contains(&value) => {
            return Err(not_one_of(value, "role", platform.user_roles()));
        }
        ["system", "aaa", "user", _, "hashed-password"]
            if !is_acceptable_hashed_password(value) =>
        {
            // Never echo the value: it may be a plaintext password typed by mistake.
            return Err(NvueError::new(
                "Invalid value for hashed-password: expected a crypt(3) hash such as $6$<salt>$<hash>",
            ));
        }
        ["system", "hostname"] => {
            let valid = !value.is_empty()
                && value.len() <= 63
                && value
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
                && !value.starts_with('-');
            if !valid {
                return Err(NvueError::new(format!(
                    "Invalid value for hostname: '{value}' is not a valid hostname"
                )));
            }
        }
        ["interface", _, "type"] if !platform.interface_types().contains(&value) => {
            return Err(not_one_of(value, "type", platform.interface_types()));
        }
        ["interface", _, "link", "state"] if !["up", "down"].contains(&value) => {
            return Err(not_one_of(value, "state", &["down", "up"]));
        }
        _ => {}
    }
    Ok(())
}

pub(super) fn check_address(address: &str) -> bool {
    if address == "dhcp" {
        return true;
    }
    let Some((ip, prefix)) = address.split_once('/') else {
        return false;
    };
    let Ok(ip) = ip.parse::<std::net::IpAddr>() else {
        return false;
    };
    let limit = if ip.is_ipv4() { 32 } else { 128 };
    prefix.parse::<u8>().is_ok_and(|prefix| prefix <= limit)
}

/// Checks a whole configuration tree (from a file) the way `nv set` checks each value; the
/// error is the problem as NVUE names it after the file name.
pub(super) fn check_tree(profile: Profile, root: &Node) -> Result<(), String> {
    // The problem is the first error's message without trailing white space.
    let problem = |error: NvueError| error.message().trim_end().to_string();
    let platform = profile.platform();
    for (path, value) in root.leaves() {
        check_path(platform, &path).map_err(problem)?;
        let text = value.as_ref().map(scalar_text);
        check_profile_setting(profile, &path, text.as_deref()).map_err(problem)?;
        if let Some(text) = text {
            check_value(platform, &path, &text).map_err(problem)?;
        }
    }
    Ok(())
}

/// A whole-number setting: its range, or the names its value is one of.
enum Allowed {
    Range(i64, i64),
    OneOf(&'static [&'static str]),
}

const ENABLED_DISABLED: Allowed = Allowed::OneOf(&["enabled", "disabled"]);

/// What a profile-specific setting takes, or `None` for a field the object does not have.
fn profile_setting(profile: Profile, object: &[&str], field: &str) -> Option<Allowed> {
    if object == ["system", "config", "auto-save"] {
        let syntax = profile.auto_save_syntax();
        let (on, off) = syntax.values();
        return (field == syntax.field()).then_some(match (on, off) {
            ("on", _) => Allowed::OneOf(&["on", "off"]),
            _ => ENABLED_DISABLED,
        });
    }
    if object == RESTRICTIONS_PATH {
        let most_attempts = if profile.platform() == Platform::Nvos {
            9999
        } else {
            999
        };
        return match field {
            "lockout-state" => Some(ENABLED_DISABLED),
            "lockout-attempts" => Some(Allowed::Range(3, most_attempts)),
            "lockout-reattempt" | "fail-delay" => Some(Allowed::Range(0, 999)),
            _ => None,
        };
    }
    // NVOS password hardening (NGTS PwhConsts ranges).
    match field {
        "state"
        | "lower-class"
        | "upper-class"
        | "digits-class"
        | "special-class"
        | "reject-user-passw-match" => Some(ENABLED_DISABLED),
        "len-min" => Some(Allowed::Range(6, 32)),
        "history-cnt" => Some(Allowed::Range(1, 100)),
        "expiration" => Some(Allowed::Range(-1, 365)),
        "expiration-warning" => Some(Allowed::Range(-1, 30)),
        _ => None,
    }
}

/// The object of a profile-specific setting this path lies under, if any: auto-save (every
/// profile), login restrictions (profiles that have them; an invalid path elsewhere), NVOS
/// password hardening (other paths are not checked).
fn profile_object(profile: Profile, path: &[&str]) -> Option<Result<usize, ()>> {
    let auto_save = ["system", "config", "auto-save"];
    if path.starts_with(&auto_save) {
        return Some(Ok(auto_save.len()));
    }
    if path.starts_with(&RESTRICTIONS_PATH) {
        return Some(if profile.has_login_restrictions() {
            Ok(RESTRICTIONS_PATH.len())
        } else {
            Err(())
        });
    }
    if profile.platform() == Platform::Nvos && path.starts_with(&HARDENING_PATH) {
        return Some(Ok(HARDENING_PATH.len()));
    }
    None
}

/// Checks a profile-specific setting (`value` is `None` for an object without a value): the
/// auto-save field as the profile spells it, login restrictions, NVOS password hardening.
pub(super) fn check_profile_setting(
    profile: Profile,
    path: &[String],
    value: Option<&str>,
) -> Result<(), NvueError> {
    let words: Vec<&str> = path.iter().map(String::as_str).collect();
    let Some(object) = profile_object(profile, &words) else {
        return Ok(());
    };
    let Ok(depth) = object else {
        return Err(invalid_path(path));
    };
    if words.len() == depth {
        return Ok(());
    }
    let field = words[depth];
    let allowed = profile_setting(profile, &words[..depth], field)
        .filter(|_| words.len() == depth + 1)
        .ok_or_else(|| invalid_path(path))?;
    let Some(value) = value else {
        return Ok(());
    };
    match allowed {
        Allowed::OneOf(names) if !names.contains(&value) => Err(not_one_of(value, field, names)),
        Allowed::Range(low, high) => {
            let number: i64 = value
                .parse()
                .map_err(|_| NvueError::new(format!("'{value}' is not of type 'integer'")))?;
            let at = path.join(" ");
            if number > high {
                Err(NvueError::new(format!(
                    "At {at}: {number} is greater than the maximum of {high}"
                )))
            } else if number < low {
                Err(NvueError::new(format!(
                    "At {at}: {number} is less than the minimum of {low}"
                )))
            } else {
                Ok(())
            }
        }
        Allowed::OneOf(_) => Ok(()),
    }
}
