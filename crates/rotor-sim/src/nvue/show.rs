//! `nv show <path>`: a part of the applied (or pending) configuration, with the users' own
//! shapes (a table, or one user's fields), hashes masked, and the settings NVUE shows with their
//! defaults even when the configuration does not set them (auto-save, login restrictions, NVOS
//! password hardening).

use serde_yaml::Value;

use crate::config_tree::{MASK, Node, is_password_key, scalar_text};
use crate::device::{Device, users_of};
use crate::platform::Platform;
use crate::profile::Profile;
use crate::restrictions::{RESTRICTION_DEFAULTS, RESTRICTIONS_PATH};
use crate::shell::CommandResult;

use super::hardening::{HARDENING_DEFAULTS, HARDENING_PATH};

use super::options::{Format, options_and_format};
use super::printing::{json_text, structured_output, table, yaml_text};
use super::{NvueError, NvueResult};

const USERS_PATH: [&str; 3] = ["system", "aaa", "user"];

pub(super) fn nv_show(device: &Device, arguments: &[String]) -> NvueResult {
    let (options, format) = options_and_format(arguments, &[Format::Json, Format::Yaml])?;
    let state = device.lock();
    let root = match options.revision.as_deref() {
        Some("pending") => state
            .candidate
            .as_ref()
            .map_or(&state.applied.root, |candidate| &candidate.root),
        _ => &state.applied.root,
    };
    let path = &options.positional;
    let under_users = path.iter().zip(USERS_PATH).all(|(a, b)| a == b);
    if let Some(defaults) = settings_with_defaults(device.profile, path) {
        return Ok(show_settings(format, root, path, &defaults));
    }
    match path.len() {
        3 if under_users => Ok(show_users(format, root, device.platform)),
        4 if under_users => show_user(format, root, path, device.platform),
        _ => show_node(format, root, path),
    }
}

/// The fields (with defaults) of an object NVUE shows whole even when the configuration sets
/// none of it: `system config auto-save`, `system aaa authentication restrictions` and NVOS's
/// `system security password-hardening`.
fn settings_with_defaults(profile: Profile, path: &[String]) -> Option<Vec<(String, String)>> {
    let words: Vec<&str> = path.iter().map(String::as_str).collect();
    let owned = |defaults: &[(&str, &str)]| {
        defaults
            .iter()
            .map(|(field, value)| (field.to_string(), value.to_string()))
            .collect()
    };
    if words == ["system", "config", "auto-save"] {
        let syntax = profile.auto_save_syntax();
        let (on, off) = syntax.values();
        let default = if profile.auto_save_default() { on } else { off };
        return Some(owned(&[(syntax.field(), default)]));
    }
    if words == RESTRICTIONS_PATH && profile.has_login_restrictions() {
        return Some(owned(&RESTRICTION_DEFAULTS));
    }
    let hardening = profile.password_hardening_default()?;
    (words == HARDENING_PATH).then(|| {
        let mut fields: Vec<(String, String)> = owned(&HARDENING_DEFAULTS);
        for (field, value) in &mut fields {
            if field == "state" {
                *value = if hardening { "enabled" } else { "disabled" }.into();
            }
        }
        fields
    })
}

/// Such an object: each field's applied value, or its default; a table (`applied` column) or
/// JSON/YAML with whole numbers as numbers.
fn show_settings(
    format: Format,
    root: &Node,
    path: &[String],
    defaults: &[(String, String)],
) -> CommandResult {
    let mut fields = serde_json::Map::new();
    let mut rows = Vec::new();
    for (field, default) in defaults {
        let mut leaf = path.to_vec();
        leaf.push(field.clone());
        let value = root.leaf_text(&leaf).unwrap_or_else(|| default.clone());
        let json = match value.parse::<i64>() {
            Ok(number) => serde_json::Value::from(number),
            Err(_) => serde_json::Value::String(value.clone()),
        };
        fields.insert(field.clone(), json);
        rows.push(vec![field.clone(), value]);
    }
    structured_output(format, &serde_json::Value::Object(fields), || {
        table(&["", "applied"], &rows)
    })
}

fn missing_item() -> NvueError {
    NvueError::new("The requested item does not exist.")
}

/// `nv show system aaa user`: every user's full name and role (never a hash).
fn show_users(format: Format, root: &Node, platform: Platform) -> CommandResult {
    let mut all = serde_json::Map::new();
    for (name, node) in root
        .get(&USERS_PATH)
        .and_then(Node::children)
        .into_iter()
        .flatten()
    {
        all.insert(
            name.clone(),
            serde_json::Value::Object(user_fields_json(node)),
        );
    }
    structured_output(format, &serde_json::Value::Object(all), || {
        let rows: Vec<Vec<String>> = users_of(root, platform)
            .into_iter()
            .map(|user| {
                vec![
                    user.username,
                    user.full_name.unwrap_or_default(),
                    user.role.unwrap_or_default(),
                    String::new(),
                ]
            })
            .collect();
        table(&["Username", "Full-name", "Role", "Summary"], &rows)
    })
}

/// `nv show system aaa user <name>`: one user's full name and role; on NVOS also `password`
/// and `hashed-password`, masked (NVOS 25.02 manual).
fn show_user(format: Format, root: &Node, path: &[String], platform: Platform) -> NvueResult {
    let user = root.get(path).ok_or_else(missing_item)?;
    let mut fields = user_fields_json(user);
    if platform == Platform::Nvos {
        for key in ["hashed-password", "password"] {
            fields.insert(key.to_string(), serde_json::Value::String(MASK.into()));
        }
    }
    let rows: Vec<Vec<String>> = fields
        .iter()
        .map(|(key, value)| vec![key.clone(), value.as_str().unwrap_or_default().to_string()])
        .collect();
    Ok(structured_output(
        format,
        &serde_json::Value::Object(fields),
        || table(&["", "applied"], &rows),
    ))
}

/// Any other path: the node as YAML (a leaf as its text) or JSON, hashes masked.
fn show_node(format: Format, root: &Node, path: &[String]) -> NvueResult {
    let node = root.get(path).ok_or_else(missing_item)?;
    let masked = match (path.last(), node) {
        (Some(key), Node::Leaf(_)) if is_password_key(key) => Value::String(MASK.into()),
        _ => node.to_yaml(true),
    };
    Ok(CommandResult::success(match format {
        Format::Json => json_text(&serde_json::to_value(&masked).unwrap_or_default()),
        _ => match &masked {
            Value::Mapping(_) => yaml_text(&masked),
            scalar => format!("{}\n", scalar_text(scalar)).into_bytes(),
        },
    }))
}

fn user_fields_json(node: &Node) -> serde_json::Map<String, serde_json::Value> {
    let mut fields = serde_json::Map::new();
    for key in ["full-name", "role"] {
        if let Some(text) = node.leaf_text(&[key]) {
            fields.insert(key.to_string(), serde_json::Value::String(text));
        }
    }
    fields
}

#[cfg(test)]
mod tests {
    use crate::device::test_device;
    use crate::platform::Platform;
    use crate::shell::testing::run;

    #[tokio::test]
    async fn show_users_lists_roles_and_never_hashes() {
        let device = test_device(Platform::Cumulus);
        let one = run(&device, "nv show system aaa user cumulus -o json").await;
        assert_eq!(one.exit_status, 0);
        let parsed: serde_json::Value = serde_json::from_str(&one.stdout_text()).unwrap();
        assert_eq!(
            parsed,
            serde_json::json!({"full-name": "cumulus,,,", "role": "system-admin"})
        );
        let table = run(&device, "nv show system aaa user").await.stdout_text();
        assert!(table.starts_with("Username"), "{table}");
        assert!(table.contains("cumulus"));
        assert!(table.contains("auditor"));
        let all = run(&device, "nv show system aaa user -o json")
            .await
            .stdout_text();
        assert!(!all.contains("$6$"));
        let missing = run(&device, "nv show system aaa user nobody").await;
        assert_eq!(missing.exit_status, 1);
        assert_eq!(
            missing.stderr_text(),
            "Error: The requested item does not exist.\n"
        );
        let hash = run(&device, "nv show system aaa user cumulus hashed-password").await;
        assert_eq!(hash.stdout_text(), "*\n");
    }
}
