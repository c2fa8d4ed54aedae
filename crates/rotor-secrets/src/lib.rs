//! The only place Rotor holds a plaintext password.
//!
//! - [`Password`]: a plaintext that cannot be printed, formatted, serialised or compared by
//!   accident, and is wiped from memory when dropped.
//! - [`SecretsClient`]: OpenBao / HashiCorp Vault KV v2 through vaultrs: read a given or the
//!   newest version, write a new version, list versions, find the previous one. It logs in with
//!   AppRole or uses a given token ([`BaoAuth`]), renews the token before it expires and logs in
//!   again when it cannot (`session.rs`); `https://` with a CA of the settings, `http://` only on
//!   loopback ([`check_address`]). `admin.rs`: policies and AppRole roles, for the local stacks.
//! - [`PasswordPolicy`]: generates passwords NVUE's CLI accepts, from the operating system's
//!   random source.
//! - [`render_hash`]: the SHA-512-crypt (`$6$`) hash a device stores, deterministic for a given
//!   (secret path, version, user) so that re-rendering an unchanged password gives an empty diff.
//!
//! - [`nvos_password_patch`]: the NVUE patch document that sets NVOS users' plaintext
//!   `password` fields, for the SSH channel only.
//!
//! Everything that leaves this crate is a reference (mount, path, version) or a hash, never the
//! password, with two deliberate exceptions: [`Password::expose_for_login`], which the SSH driver
//! calls to log in, and [`SecretDocument`], a patch for an NVOS switch that the driver writes to
//! a command's standard input over SSH (NVOS takes a user's password only as a plaintext it
//! hashes itself: NVOS user manual, `nv set system aaa user <user> password`).

#![warn(missing_docs)]

mod admin;
mod client;
mod hashing;
mod patch;
mod policy;
mod session;

use std::fmt;

use secrecy::{ExposeSecret, SecretString};

pub use admin::AppRoleSpec;
pub use client::{
    DEFAULT_APPROLE_MOUNT, Retention, SecretVersion, SecretsClient, SecretsError, SecretsSettings,
    check_address, reference,
};
pub use hashing::{HashCache, HashedPassword, render_hash};
pub use patch::{SecretDocument, nvos_password_patch};
pub use policy::{PasswordPolicy, PolicyError};
pub use session::BaoAuth;

/// A plaintext password. `Debug` prints `Password(***)`; there is no `Display`, `Serialize` or
/// `PartialEq`, and the memory is zeroed on drop.
#[derive(Clone)]
pub struct Password(SecretString);

impl Password {
    /// Wraps a plaintext (e.g. one typed by an operator or read from the store).
    pub fn new(plaintext: impl Into<String>) -> Password {
        Password(SecretString::from(plaintext.into()))
    }

    /// The plaintext, for an SSH password login and nothing else.
    pub fn expose_for_login(&self) -> &str {
        self.0.expose_secret()
    }

    /// Whether this password is `plaintext` (for tests that look for leaks).
    pub fn matches(&self, plaintext: &str) -> bool {
        self.0.expose_secret() == plaintext
    }

    pub(crate) fn expose(&self) -> &str {
        self.0.expose_secret()
    }

    /// The plaintext's length in bytes.
    pub fn len(&self) -> usize {
        self.0.expose_secret().len()
    }

    /// Whether the plaintext is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_never_prints() {
        let password = Password::new("hunter2-very-secret");
        assert_eq!(format!("{password:?}"), "Password(***)");
        assert_eq!(
            format!("{:?}", Some(password.clone())),
            "Some(Password(***))"
        );
        assert!(password.matches("hunter2-very-secret"));
    }
}
