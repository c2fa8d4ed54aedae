//! Which paths and values NVUE accepts: top-level objects, user fields, interface names, roles,
//! hostnames, addresses and hashes, checked for each `nv set` and for every leaf of a file given
//! to `nv config replace|patch`.

use super::NvueError;
use super::passwords::is_user_password_path;
use crate::config_tree::{Node, scalar_text};
use crate::platform::{Platform, looks_like_password_hash};

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
        ["system", "aaa", "user", _, "hashed-password"] if !looks_like_password_hash(value) => {
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
pub(super) fn check_tree(platform: Platform, root: &Node) -> Result<(), String> {
    // The problem is the first error's message without trailing white space.
    let problem = |error: NvueError| error.message().trim_end().to_string();
    for (path, value) in root.leaves() {
        check_path(platform, &path).map_err(problem)?;
        if let Some(value) = value {
            let text = scalar_text(&value);
            check_value(platform, &path, &text).map_err(problem)?;
            if platform == Platform::Nvos
                && is_user_password_path(&path)
                && !looks_like_password_hash(&text)
            {
                return Err(format!(
                    "system aaa user {} password: expected a crypt(3) hash",
                    path[3]
                ));
            }
        }
    }
    Ok(())
}
