//! SHA-512-crypt (`$6$`) hashes as NVUE stores them, rendered deterministically.
//!
//! The salt is derived from (secret path, version, user), so rendering the same secret version
//! for the same user always gives the same hash: an unchanged password produces an empty diff,
//! and a fabric sharing one password costs one hash computation (about 1 ms), not one per device.
//! Devices sharing a password therefore share its hash; that reveals nothing the shared password
//! does not (whoever cracks one hash has the password of every device that shares it).

use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;

use sha2::{Digest, Sha256};

use crate::Password;

/// A `$6$` hash. Not a secret in the way a password is, but still never logged: `Debug` shows
/// only the salt.
#[derive(Clone, PartialEq, Eq)]
pub struct HashedPassword(String);

impl HashedPassword {
    /// The full `$6$salt$hash` string, for the device configuration.
    pub fn as_crypt(&self) -> &str {
        &self.0
    }

    /// Checks a plaintext against this hash (as a device does at login).
    pub fn verify(&self, password: &Password) -> bool {
        pwhash::sha512_crypt::verify(password.expose(), &self.0)
    }

    /// Wraps a `$6$` crypt string read from elsewhere, e.g. a device configuration, so it can be
    /// verified.
    pub fn from_crypt(crypt: impl Into<String>) -> HashedPassword {
        HashedPassword(crypt.into())
    }
}

impl fmt::Debug for HashedPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let salt = self.0.split('$').nth(2).unwrap_or("");
        write!(f, "HashedPassword($6${salt}$…)")
    }
}

const CRYPT_ALPHABET: &[u8] = b"./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

fn salt_for(path: &str, version: u32, username: &str) -> String {
    let digest = Sha256::digest(format!("rotor-salt-v1\0{path}\0{version}\0{username}").as_bytes());
    digest
        .iter()
        .take(16)
        .map(|b| CRYPT_ALPHABET[(*b as usize) % 64] as char)
        .collect()
}

/// The hash a device stores for `username` holding version `version` of the secret at `path`.
pub fn render_hash(
    password: &Password,
    path: &str,
    version: u32,
    username: &str,
) -> HashedPassword {
    let setting = format!("$6${}", salt_for(path, version, username));
    let hash = pwhash::sha512_crypt::hash_with(setting.as_str(), password.expose())
        .expect("a 16-character crypt salt is always valid");
    HashedPassword(hash)
}

/// Remembers rendered hashes, so a fabric of thousands of devices sharing a password renders it
/// once per worker. Keyed by everything the hash depends on (the password as a SHA-256 digest,
/// path, version, user): two mounts holding the same path can never share an entry. Bounded;
/// cleared when full.
#[derive(Debug, Default)]
pub struct HashCache {
    entries: Mutex<HashMap<HashKey, HashedPassword>>,
}

/// (SHA-256 of the password, path, version, user).
type HashKey = ([u8; 32], String, u32, String);

const HASH_CACHE_LIMIT: usize = 65_536;

impl HashCache {
    /// The same hash as [`render_hash`], from the cache when it was rendered before.
    pub fn render(
        &self,
        password: &Password,
        path: &str,
        version: u32,
        username: &str,
    ) -> HashedPassword {
        let digest: [u8; 32] = Sha256::digest(password.expose().as_bytes()).into();
        let key = (digest, path.to_string(), version, username.to_string());
        if let Some(hash) = self.entries.lock().unwrap().get(&key) {
            return hash.clone();
        }
        let hash = render_hash(password, path, version, username);
        let mut entries = self.entries.lock().unwrap();
        if entries.len() >= HASH_CACHE_LIMIT {
            entries.clear();
        }
        entries.insert(key, hash.clone());
        hash
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rendering_is_deterministic_and_verifies() {
        let password = Password::new("Correct-Horse-42");
        let first = render_hash(&password, "fabrics/f/AdminRW", 3, "cumulus");
        let again = render_hash(&password, "fabrics/f/AdminRW", 3, "cumulus");
        assert_eq!(first, again);
        assert!(first.as_crypt().starts_with("$6$"));
        assert!(first.verify(&password));
        assert!(!first.verify(&Password::new("wrong")));
        // Another version or user gets another salt, so another hash.
        assert_ne!(
            first,
            render_hash(&password, "fabrics/f/AdminRW", 4, "cumulus")
        );
        assert_ne!(
            first,
            render_hash(&password, "fabrics/f/AdminRW", 3, "admin")
        );
        assert!(!format!("{first:?}").contains(first.as_crypt()));
        let cache = HashCache::default();
        assert_eq!(
            cache.render(&password, "fabrics/f/AdminRW", 3, "cumulus"),
            first
        );
        assert_eq!(
            cache.render(&password, "fabrics/f/AdminRW", 3, "cumulus"),
            first
        );
        // The same path and version under another mount holds another password: its own hash.
        let other = Password::new("Another-Mount-7");
        let hash = cache.render(&other, "fabrics/f/AdminRW", 3, "cumulus");
        assert!(hash.verify(&other), "a cached hash of another password");
    }
}
