//! `nv show <path>`: a part of the applied (or pending) configuration, with the users' own
//! shapes (a table, or one user's fields), hashes masked.

use serde_yaml::Value;

use crate::config_tree::{MASK, Node, is_password_key, scalar_text};
use crate::device::{Device, users_of};
use crate::shell::CommandResult;

use super::options::{Format, options_and_format};
use super::printing::{json_text, table, yaml_text};
use super::{NvueError, NvueResult};

fn user_fields_json(node: &Node) -> serde_json::Map<String, serde_json::Value> {
    let mut fields = serde_json::Map::new();
    for key in ["full-name", "role"] {
        if let Some(text) = node.leaf_text(&[key]) {
            fields.insert(key.to_string(), serde_json::Value::String(text));
        }
    }
    fields
}

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
    let users_path = ["system", "aaa", "user"];
    if path.len() == 3 && path.iter().zip(users_path).all(|(a, b)| a == b) {
        let users = root.get(&users_path);
        let entries: Vec<(&String, &Node)> = users
            .and_then(Node::children)
            .map(|children| children.iter().collect())
            .unwrap_or_default();
        return Ok(match format {
            Format::Json | Format::Yaml => {
                let mut all = serde_json::Map::new();
                for (name, node) in entries {
                    all.insert(
                        name.clone(),
                        serde_json::Value::Object(user_fields_json(node)),
                    );
                }
                let value = serde_json::Value::Object(all);
                if format == Format::Json {
                    CommandResult::success(json_text(&value))
                } else {
                    let yaml: Value = serde_yaml::to_value(&value).unwrap_or_default();
                    CommandResult::success(yaml_text(&yaml))
                }
            }
            _ => {
                let rows: Vec<Vec<String>> = users_of(root, device.platform)
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
                CommandResult::success(table(&["Username", "Full-name", "Role", "Summary"], &rows))
            }
        });
    }
    if path.len() == 4 && path.iter().zip(users_path).all(|(a, b)| a == b) {
        let Some(user) = root.get(path) else {
            return Err(NvueError::new("The requested item does not exist."));
        };
        let fields = user_fields_json(user);
        return Ok(match format {
            Format::Json => CommandResult::success(json_text(&serde_json::Value::Object(fields))),
            Format::Yaml => {
                let yaml: Value =
                    serde_yaml::to_value(serde_json::Value::Object(fields)).unwrap_or_default();
                CommandResult::success(yaml_text(&yaml))
            }
            _ => {
                let rows: Vec<Vec<String>> = fields
                    .iter()
                    .map(|(key, value)| {
                        vec![key.clone(), value.as_str().unwrap_or_default().to_string()]
                    })
                    .collect();
                CommandResult::success(table(&["", "applied"], &rows))
            }
        });
    }
    let Some(node) = root.get(path) else {
        return Err(NvueError::new("The requested item does not exist."));
    };
    let masked = node.to_yaml(true);
    let masked = match (path.last(), node) {
        (Some(key), Node::Leaf(_)) if is_password_key(key) => Value::String(MASK.into()),
        _ => masked,
    };
    Ok(match format {
        Format::Json => {
            let json = serde_json::to_value(&masked).unwrap_or_default();
            CommandResult::success(json_text(&json))
        }
        _ => match &masked {
            Value::Mapping(_) => CommandResult::success(yaml_text(&masked)),
            scalar => CommandResult::success(format!("{}\n", scalar_text(scalar))),
        },
    })
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
