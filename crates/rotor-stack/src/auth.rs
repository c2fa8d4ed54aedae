//! The API credentials of a local stack: a signing key made at start, the keys file and the
//! policy the orchestrator reads (`ROTOR_AUTH_KEYS`, `ROTOR_AUTH_POLICY`), and tokens for its
//! callers. The stack runs with authentication on, as a deployment does.

use std::path::{Path, PathBuf};

use rotor_auth::{Grant, Policy, Role, SigningKey, TrustedKeys};

/// The subject of the stack's administrator token: every role on every fabric.
pub const ADMIN_SUBJECT: &str = "rotor-admin";

/// How long the stack's tokens are valid.
pub const TOKEN_TTL_SECS: u64 = 30 * 24 * 3600;

/// A local stack's keys, policy and signing key.
#[derive(Debug)]
pub struct LocalAuth {
    /// The trusted keys file (`ROTOR_AUTH_KEYS`).
    pub keys_file: PathBuf,
    /// The policy file (`ROTOR_AUTH_POLICY`).
    pub policy_file: PathBuf,
    signing: SigningKey,
}

impl LocalAuth {
    /// Writes a new signing key (`signing-key.yaml`, readable by its owner only), the keys file
    /// trusting it and a policy granting [`ADMIN_SUBJECT`] every role on every fabric, plus
    /// `grants`, into `dir`.
    pub fn create(dir: &Path, grants: Vec<Grant>) -> std::io::Result<LocalAuth> {
        std::fs::create_dir_all(dir)?;
        let signing = SigningKey::generate("rotor-local").map_err(std::io::Error::other)?;
        let keys = TrustedKeys {
            keys: vec![signing.public_key()],
        };
        let mut policy = Policy {
            grants: vec![Grant {
                subject: ADMIN_SUBJECT.into(),
                fabrics: vec!["*".into()],
                roles: Role::ALL.to_vec(),
            }],
        };
        policy.grants.extend(grants);
        let key_file = dir.join("signing-key.yaml");
        write_private(&key_file, &signing.to_file_text())?;
        let auth = LocalAuth {
            keys_file: dir.join("keys.yaml"),
            policy_file: dir.join("policy.yaml"),
            signing,
        };
        std::fs::write(&auth.keys_file, keys.to_yaml())?;
        std::fs::write(&auth.policy_file, policy.to_yaml())?;
        Ok(auth)
    }

    /// A token for `subject` (what it may do is the policy's business).
    pub fn token(&self, subject: &str) -> String {
        self.signing
            .token(subject, TOKEN_TTL_SECS, rotor_auth::now_unix())
            .expect("the stack's subjects are valid")
    }

    /// The administrator's token.
    pub fn admin_token(&self) -> String {
        self.token(ADMIN_SUBJECT)
    }

    /// The orchestrator's settings for these files.
    pub fn settings(&self) -> [(&'static str, String); 2] {
        [
            ("ROTOR_AUTH_KEYS", self.keys_file.display().to_string()),
            ("ROTOR_AUTH_POLICY", self.policy_file.display().to_string()),
        ]
    }
}

/// Writes a file only its owner can read.
pub fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let _ = std::fs::remove_file(path);
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(contents.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stack_trusts_its_own_tokens_and_keeps_its_key_private() {
        let dir = std::env::temp_dir().join(format!("rotor-auth-{}", std::process::id()));
        let auth = LocalAuth::create(
            &dir,
            vec![Grant {
                subject: "viewer".into(),
                fabrics: vec!["fab1".into()],
                roles: vec![Role::Viewer],
            }],
        )
        .unwrap();
        let keys =
            TrustedKeys::from_yaml(&std::fs::read_to_string(&auth.keys_file).unwrap()).unwrap();
        let identity = keys
            .verify(&auth.admin_token(), rotor_auth::now_unix())
            .unwrap();
        assert_eq!(identity.subject, ADMIN_SUBJECT);
        let policy =
            Policy::from_yaml(&std::fs::read_to_string(&auth.policy_file).unwrap()).unwrap();
        assert!(policy.allows(ADMIN_SUBJECT, None, Role::InventoryAdmin));
        assert!(policy.allows("viewer", Some("fab1"), Role::Viewer));
        assert!(!policy.allows("viewer", Some("fab1"), Role::Operator));
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.join("signing-key.yaml"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "the signing key is readable by others");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
