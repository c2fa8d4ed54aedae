//! The NATS users of a local stack: an NKey per service kind, an administrator NKey (the stack's
//! and the tests' own look at state), and requesters with random passwords, written into a
//! folder only their owner can read, and the `accounts` block the stack's `nats-server` runs
//! with (`rotor_bus::permissions::render`, the same rendering `deploy/nats-accounts.conf` comes
//! from). The stack runs with least privilege on the bus, as a deployment does.

use std::path::{Path, PathBuf};

use rotor_bus::permissions::{self, Accounts, Requester, ServiceKind, ServiceUser};

use crate::auth::write_private;

/// The requester a local stack makes for the user's own systems (`rotor up` prints where its
/// password is): operator on every fabric.
pub const LOCAL_REQUESTER: &str = "rotor-requester";

/// A local stack's NATS users and where their secrets are.
#[derive(Debug)]
pub struct NatsUsers {
    accounts: Accounts,
    seeds: Vec<(ServiceKind, PathBuf)>,
    admin_seed: PathBuf,
    /// (user, password, its file).
    requesters: Vec<(String, String, PathBuf)>,
}

impl NatsUsers {
    /// Makes the users in `dir` (`<service>.nk`, `admin.nk`: NKey seeds; `<requester>.password`),
    /// each readable by its owner only. `requesters` are (user, fabrics it may send requests
    /// for, `*` for every fabric).
    pub fn create(dir: &Path, requesters: &[(&str, Vec<String>)]) -> std::io::Result<NatsUsers> {
        std::fs::create_dir_all(dir)?;
        let mut accounts = Accounts::default();
        let mut seeds = Vec::new();
        let new_seed = |name: &str| -> std::io::Result<(String, PathBuf)> {
            let pair = nkeys::KeyPair::new_user();
            let path = dir.join(format!("{name}.nk"));
            let seed = pair.seed().map_err(std::io::Error::other)?;
            write_private(&path, &format!("{seed}\n"))?;
            Ok((pair.public_key(), path))
        };
        for kind in ServiceKind::ALL {
            let (nkey, path) = new_seed(kind.name())?;
            accounts.services.push(ServiceUser { kind, nkey });
            seeds.push((kind, path));
        }
        let (admin, admin_seed) = new_seed("admin")?;
        accounts.administrators.push(admin);
        let mut files = Vec::new();
        for (user, fabrics) in requesters {
            let password = crate::servers::random_hex(16)?;
            let path = dir.join(format!("{user}.password"));
            write_private(&path, &format!("{password}\n"))?;
            // The server keeps only a bcrypt hash (the `$2a$` form nats-server takes).
            let setup = pwhash::bcrypt::BcryptSetup {
                salt: None,
                cost: Some(10),
                variant: Some(pwhash::bcrypt::BcryptVariant::V2a),
            };
            let hash =
                pwhash::bcrypt::hash_with(setup, &password).map_err(std::io::Error::other)?;
            accounts.requesters.push(Requester {
                user: user.to_string(),
                password: hash,
                fabrics: fabrics.clone(),
            });
            files.push((user.to_string(), password, path));
        }
        Ok(NatsUsers {
            accounts,
            seeds,
            admin_seed,
            requesters: files,
        })
    }

    /// The `accounts { ... }` block for the server's configuration.
    pub fn accounts_config(&self) -> String {
        permissions::render(&self.accounts)
    }

    /// The NKey seed file of a service (`differ`), for `ROTOR_NATS_NKEY_FILE`.
    pub fn seed_file(&self, service: &str) -> Option<&Path> {
        let kind = ServiceKind::from_name(service)?;
        self.seeds
            .iter()
            .find(|(k, _)| *k == kind)
            .map(|(_, path)| path.as_path())
    }

    /// The public NKey of a service (`differ`): how the server names it in its log.
    pub fn service_public_key(&self, service: &str) -> Option<&str> {
        let kind = ServiceKind::from_name(service)?;
        self.accounts
            .services
            .iter()
            .find(|user| user.kind == kind)
            .map(|user| user.nkey.as_str())
    }

    /// The administrator's NKey seed file.
    pub fn admin_seed_file(&self) -> &Path {
        &self.admin_seed
    }

    /// The administrator's NKey seed, for an administrator's connection.
    pub fn admin_seed(&self) -> std::io::Result<String> {
        Ok(std::fs::read_to_string(&self.admin_seed)?
            .trim()
            .to_string())
    }

    /// A requester's password file.
    pub fn requester_password_file(&self, user: &str) -> Option<&Path> {
        self.requesters
            .iter()
            .find(|(name, _, _)| name == user)
            .map(|(_, _, path)| path.as_path())
    }

    /// A requester's password.
    pub fn requester_password(&self, user: &str) -> Option<&str> {
        self.requesters
            .iter()
            .find(|(name, _, _)| name == user)
            .map(|(_, password, _)| password.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_service_has_its_own_private_key_and_the_config_names_them() {
        let dir = std::env::temp_dir().join(format!("rotor-nats-users-{}", std::process::id()));
        let users = NatsUsers::create(&dir, &[("ticketing", vec!["fab1".into()])]).unwrap();
        let config = users.accounts_config();
        let mut keys = std::collections::HashSet::new();
        for kind in ServiceKind::ALL {
            let path = users.seed_file(kind.name()).unwrap();
            let seed = std::fs::read_to_string(path).unwrap();
            let pair = nkeys::KeyPair::from_seed(seed.trim()).unwrap();
            assert!(config.contains(&pair.public_key()), "{kind:?}");
            assert!(
                !config.contains(seed.trim()),
                "a seed is in the configuration"
            );
            assert!(keys.insert(pair.public_key()));
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(path).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0, "{} is readable by others", path.display());
        }
        let password = users.requester_password("ticketing").unwrap();
        assert!(
            !config.contains(password),
            "a requester's password is in the configuration"
        );
        assert!(config.contains("$2a$10$"), "{config}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
