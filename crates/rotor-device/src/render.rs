//! Rendering a device's intended configuration: its NVUE startup YAML with each mapped user's
//! password hash filled in from the target secret version (Cumulus Linux, `hashed-password`),
//! or with the mapped users' password fields left out (NVOS, whose `password` field takes a
//! plaintext it hashes itself: Rotor sends that separately, see `rotor_secrets::nvos_password_patch`).

use rotor_inventory::Platform;
use rotor_secrets::HashedPassword;
use serde_yaml::{Mapping, Value};

/// Why an intended configuration could not be rendered.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("the intended configuration cannot be rendered: {0}")]
pub struct RenderError(pub String);

fn child<'a>(map: &'a mut Mapping, key: &str) -> Result<&'a mut Mapping, RenderError> {
    let entry = map
        .entry(Value::String(key.to_string()))
        .or_insert_with(|| Value::Mapping(Mapping::new()));
    if entry.is_null() {
        *entry = Value::Mapping(Mapping::new());
    }
    entry
        .as_mapping_mut()
        .ok_or_else(|| RenderError(format!("`{key}` is not a map")))
}

/// The `system.aaa.user` map of an intended configuration (created if absent).
fn users_of(document: &mut Value) -> Result<&mut Mapping, RenderError> {
    let items = document
        .as_sequence_mut()
        .ok_or_else(|| RenderError("not NVUE startup YAML (a list)".into()))?;
    let set = items
        .iter_mut()
        .filter_map(|item| item.as_mapping_mut())
        .find_map(|item| item.get_mut("set"))
        .ok_or_else(|| RenderError("no `- set:` entry".into()))?;
    if set.is_null() {
        *set = Value::Mapping(Mapping::new());
    }
    let set = set
        .as_mapping_mut()
        .ok_or_else(|| RenderError("`set` is not a map".into()))?;
    child(child(child(set, "system")?, "aaa")?, "user")
}

fn parse(intended: &str) -> Result<Value, RenderError> {
    serde_yaml::from_str(intended).map_err(|e| RenderError(format!("not YAML: {e}")))
}

/// Returns `intended` with `system.aaa.user.<user>.<password key>` set to each hash.
/// The result is deterministic for the same inputs.
pub fn render_intended(
    intended: &str,
    platform: &Platform,
    hashes: &[(String, HashedPassword)],
) -> Result<String, RenderError> {
    let mut document = parse(intended)?;
    let users = users_of(&mut document)?;
    for (user, hash) in hashes {
        let record = child(users, user)?;
        record.insert(
            Value::String(platform.password_key().to_string()),
            Value::String(hash.as_crypt().to_string()),
        );
    }
    serde_yaml::to_string(&document).map_err(|e| RenderError(e.to_string()))
}

/// Returns `intended` with every password field (`password`, `hashed-password`) of `users`
/// removed: what an NVOS drift check loads, where the switch's stored values cannot be rendered.
pub fn render_without_passwords(intended: &str, users: &[String]) -> Result<String, RenderError> {
    let mut document = parse(intended)?;
    let records = users_of(&mut document)?;
    for user in users {
        let record = child(records, user)?;
        for key in ["password", "hashed-password"] {
            record.remove(key);
        }
    }
    serde_yaml::to_string(&document).map_err(|e| RenderError(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_filled_in_for_each_platform() {
        let intended = "- header:\n    rev-id: 1.0\n- set:\n    system:\n      hostname: leaf-01\n      aaa:\n        user:\n          cumulus:\n            role: system-admin\n";
        let hash = HashedPassword::from_crypt("$6$salt$abc");
        let rendered = render_intended(
            intended,
            &Platform::Cumulus,
            &[("cumulus".into(), hash.clone())],
        )
        .unwrap();
        assert!(
            rendered.contains("hashed-password: $6$salt$abc"),
            "{rendered}"
        );
        assert!(rendered.contains("role: system-admin"));
        assert_eq!(
            rendered,
            render_intended(
                intended,
                &Platform::Cumulus,
                &[("cumulus".into(), hash.clone())]
            )
            .unwrap()
        );
        let nvos =
            render_intended("- set: {}\n", &Platform::Nvos, &[("admin".into(), hash)]).unwrap();
        let parsed: Value = serde_yaml::from_str(&nvos).unwrap();
        assert_eq!(
            parsed[0]["set"]["system"]["aaa"]["user"]["admin"]["password"],
            "$6$salt$abc"
        );
        assert!(render_intended("set: {}", &Platform::Cumulus, &[]).is_err());
        let stripped = render_without_passwords(
            "- set:\n    system:\n      aaa:\n        user:\n          admin:\n            role: admin\n            hashed-password: $6$a$b\n          monitor:\n            hashed-password: $6$c$d\n",
            &["admin".to_string()],
        )
        .unwrap();
        let parsed: Value = serde_yaml::from_str(&stripped).unwrap();
        let users = &parsed[0]["set"]["system"]["aaa"]["user"];
        assert!(
            users["admin"].get("hashed-password").is_none(),
            "{stripped}"
        );
        assert_eq!(users["admin"]["role"], "admin");
        assert_eq!(users["monitor"]["hashed-password"], "$6$c$d");
        assert!(render_intended("- set:\n    system: 3\n", &Platform::Cumulus, &[]).is_err());
    }
}
