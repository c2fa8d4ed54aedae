//! How a user's `password` value is stored, from `nv set` or a configuration file: hashed with
//! SHA-512 crypt under `hashed-password`, so the simulator never keeps a plaintext. Cumulus
//! hashes what it is given; NVOS checks password hardening first and hashes whatever it is
//! given too (a `$6$...` string included: `password` is a plaintext field there), except the
//! masked value `*` (what `nv config show` prints), which becomes a password nothing matches.

use serde_yaml::Value;

use crate::config_tree::{Node, scalar_text};
use crate::device::DeviceState;
use crate::platform::{MASKED_VALUE, Platform};

use super::NvueError;
use super::hardening::check_password_hardening;

/// Whether a path is `system aaa user <name> password`.
pub(super) fn is_user_password_path<S: AsRef<str>>(path: &[S]) -> bool {
    let path: Vec<&str> = path.iter().map(AsRef::as_ref).collect();
    path.len() == 5 && path[..3] == ["system", "aaa", "user"] && path[4] == "password"
}

/// What the switch stores under `hashed-password` for `username`'s `password` value.
pub(super) fn stored_password_hash(
    state: &DeviceState,
    username: &str,
    value: &str,
) -> Result<String, NvueError> {
    if state.profile.platform() == Platform::Nvos {
        check_password_hardening(state, username, value)?;
        if value == MASKED_VALUE {
            return Ok(MASKED_VALUE.to_string());
        }
    }
    pwhash::sha512_crypt::hash(value.as_bytes())
        .map_err(|_| NvueError::new("Could not hash the password"))
}

/// A configuration file's `system aaa user <name> password` values, stored the way `nv set`
/// stores them (checked, hashed, under `hashed-password`), so the simulator never keeps a
/// plaintext.
pub(super) fn hash_file_passwords(state: &DeviceState, root: &mut Node) -> Result<(), NvueError> {
    for (path, value) in root.leaves() {
        let Some(value) = value.filter(|_| is_user_password_path(&path)) else {
            continue;
        };
        let hash = stored_password_hash(state, &path[3], &scalar_text(&value))?;
        root.remove(&path);
        let mut target = path;
        target[4] = state.profile.platform().password_key().to_string();
        root.set_leaf(&target, Value::String(hash));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::device::test_device;
    use crate::platform::Platform;
    use crate::shell::testing::{run, run_with_stdin};

    #[tokio::test]
    async fn a_plaintext_password_in_a_file_is_hashed_like_nv_set_does() {
        let device = test_device(Platform::Cumulus);
        let file = "- set:\n    system:\n      aaa:\n        user:\n          cumulus:\n            password: 'Plain-Text-9'\n";
        let upload = run_with_stdin(&device, "cat > /tmp/p.yaml", file).await;
        assert_eq!(upload.exit_status, 0);
        for command in ["nv config patch /tmp/p.yaml", "nv config apply -y"] {
            let output = run(&device, command).await;
            assert_eq!(output.exit_status, 0, "{command}: {}", output.stderr_text());
        }
        let applied = device.applied_config().to_startup_yaml(false);
        assert!(!applied.contains("Plain-Text-9"), "{applied}");
        let hash = device.user_password_hash("cumulus").unwrap();
        assert!(pwhash::sha512_crypt::verify("Plain-Text-9", &hash));
        // Replace does the same.
        let whole = device
            .applied_config()
            .to_startup_yaml(false)
            .replace(&hash, "Other-Plain-7")
            .replace("hashed-password", "password");
        run_with_stdin(&device, "cat > /tmp/r.yaml", &whole).await;
        let replace = run(&device, "nv config replace /tmp/r.yaml").await;
        assert_eq!(replace.exit_status, 0, "{}", replace.stderr_text());
        let pending = device.report(true).candidate_config.unwrap();
        assert!(!pending.contains("Other-Plain-7"), "{pending}");
    }

    #[tokio::test]
    async fn cumulus_password_field_hashes_a_plaintext() {
        let device = test_device(Platform::Cumulus);
        run(
            &device,
            "nv set system aaa user cumulus password 'n3w pass'",
        )
        .await;
        let candidate = device.candidate_config().unwrap();
        let hash = candidate
            .root
            .leaf_text(&["system", "aaa", "user", "cumulus", "hashed-password"])
            .unwrap();
        assert!(pwhash::unix::verify("n3w pass", &hash));
        assert!(
            candidate
                .root
                .get(&["system", "aaa", "user", "cumulus", "password"])
                .is_none()
        );
    }
}
