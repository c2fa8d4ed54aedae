//! The one document that carries plaintext passwords to a switch: an NVUE patch setting NVOS
//! users' `password` fields, written to `nv config patch /dev/stdin` over the SSH channel.

use std::fmt;

use zeroize::Zeroizing;

use crate::Password;

/// A document with plaintext passwords in it, for a command's standard input over SSH. It
/// cannot be printed, and its memory is zeroed when dropped.
pub struct SecretDocument(Zeroizing<Vec<u8>>);

impl SecretDocument {
    /// The bytes, for the SSH channel and nothing else.
    pub fn expose_for_channel(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for SecretDocument {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretDocument(***)")
    }
}

/// An NVUE patch (startup YAML form) that sets each user's plaintext `password`:
/// `- set: {system: {aaa: {user: {<user>: {password: '<plaintext>'}}}}}`. User names must be
/// checked names (`rotor_inventory::check_username`); the password is a single-quoted YAML
/// scalar, so any character it holds stays literal.
pub fn nvos_password_patch(users: &[(&str, &Password)]) -> SecretDocument {
    let mut text = Zeroizing::new(String::from(
        "- set:\n    system:\n      aaa:\n        user:\n",
    ));
    for (user, password) in users {
        text.push_str("          ");
        text.push_str(user);
        text.push_str(":\n            password: '");
        for c in password.expose().chars() {
            if c == '\'' {
                text.push('\'');
            }
            text.push(c);
        }
        text.push_str("'\n");
    }
    SecretDocument(Zeroizing::new(std::mem::take(&mut *text).into_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_patch_is_yaml_that_sets_each_password_and_never_prints() {
        let first = Password::new("Ab3%x'y");
        let second = Password::new("Cd4+z");
        let patch = nvos_password_patch(&[("admin", &first), ("monitor", &second)]);
        let text = String::from_utf8(patch.expose_for_channel().to_vec()).unwrap();
        let parsed: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
        let users = &parsed[0]["set"]["system"]["aaa"]["user"];
        assert_eq!(users["admin"]["password"], "Ab3%x'y");
        assert_eq!(users["monitor"]["password"], "Cd4+z");
        assert_eq!(format!("{patch:?}"), "SecretDocument(***)");
    }
}
