//! Who calls Rotor's API, and what they may do.
//!
//! **Identity** comes from a bearer token on the connection, never from the request: a JSON Web
//! Token (RFC 7519) signed with Ed25519 (`alg` `EdDSA`, RFC 8037), naming the caller in `sub`,
//! Rotor in `aud` (`rotor`), with an expiry (`exp`). The orchestrator trusts the public keys in
//! a keys file ([`TrustedKeys`], the token's `kid` picks one); whoever holds a [`SigningKey`]
//! (an identity provider, or `rotor auth token`) issues tokens.
//!
//! **Authorization** is a [`Policy`]: grants of [`Role`]s to subjects, per fabric (`*` for
//! every fabric). Every API method needs one role on the fabric it touches.
//!
//! Nothing here holds a password; a token is a credential and is never logged.

#![warn(missing_docs)]

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use ring::signature::{ED25519, Ed25519KeyPair, KeyPair, UnparsedPublicKey};
use serde::{Deserialize, Serialize};

/// The audience every Rotor token names (`aud`).
pub const AUDIENCE: &str = "rotor";

/// Longest token accepted (a larger `authorization` value is refused unread).
pub const MAX_TOKEN_BYTES: usize = 8 * 1024;

/// How far clocks may disagree when `exp` and `nbf` are checked, in seconds.
pub const CLOCK_LEEWAY_SECS: u64 = 30;

/// The clock tokens are issued and checked by: seconds since the Unix epoch.
pub fn now_unix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// What a caller may do on a fabric. Each API method needs one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// Read statuses, operations, events, the inventory and backups.
    Viewer,
    /// Rotate and resync.
    Operator,
    /// Import inventories (which say where Rotor logs in and with which secrets).
    InventoryAdmin,
    /// Take, renew and release fabric locks for another system.
    LockHolder,
    /// Read the audit: who called what, from where, and what came of it (a viewer does not:
    /// the audit names every caller and every refused attempt).
    Auditor,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 5] = [
        Role::Viewer,
        Role::Operator,
        Role::InventoryAdmin,
        Role::LockHolder,
        Role::Auditor,
    ];

    /// The role's name in policies and messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Operator => "operator",
            Role::InventoryAdmin => "inventory-admin",
            Role::LockHolder => "lock-holder",
            Role::Auditor => "auditor",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = AuthError;

    fn from_str(text: &str) -> Result<Role, AuthError> {
        Role::ALL
            .into_iter()
            .find(|role| role.as_str() == text)
            .ok_or_else(|| {
                AuthError::Invalid(format!(
                    "{text:?} is not a role (viewer, operator, inventory-admin, lock-holder, auditor)"
                ))
            })
    }
}

/// An authenticated caller.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    /// The token's subject (`sub`).
    pub subject: String,
    /// The id of the key that signed the token (`kid`).
    pub key_id: String,
}

/// Why a token, a key or a policy was refused.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum AuthError {
    /// The token is not a well-formed Rotor token; the text says what is wrong.
    #[error("the token is not valid: {0}")]
    Invalid(String),
    /// No trusted key has the token's `kid`.
    #[error("the token is signed by key {0:?}, which this Rotor does not trust")]
    UnknownKey(String),
    /// The signature does not match the token.
    #[error("the token's signature does not verify")]
    BadSignature,
    /// The token's `exp` has passed.
    #[error("the token expired")]
    Expired,
    /// A keys or policy file could not be read or parsed.
    #[error("{0}")]
    File(String),
}

/// A private Ed25519 key that issues tokens, with its key id.
pub struct SigningKey {
    id: String,
    pkcs8: Vec<u8>,
    pair: Ed25519KeyPair,
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

/// A signing key as stored in its file (YAML: `id`, `pkcs8` in base64).
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SigningKeyFile {
    id: String,
    pkcs8: String,
}

impl SigningKey {
    /// A new random key named `id`.
    pub fn generate(id: &str) -> Result<SigningKey, AuthError> {
        check_key_id(id)?;
        let random = ring::rand::SystemRandom::new();
        let pkcs8 = Ed25519KeyPair::generate_pkcs8(&random)
            .map_err(|_| AuthError::File("could not generate an Ed25519 key".into()))?;
        SigningKey::from_pkcs8(id, pkcs8.as_ref())
    }

    fn from_pkcs8(id: &str, pkcs8: &[u8]) -> Result<SigningKey, AuthError> {
        let pair = Ed25519KeyPair::from_pkcs8(pkcs8)
            .map_err(|e| AuthError::File(format!("not an Ed25519 PKCS#8 key: {e}")))?;
        Ok(SigningKey {
            id: id.to_string(),
            pkcs8: pkcs8.to_vec(),
            pair,
        })
    }

    /// Reads a key written by [`SigningKey::to_file_text`].
    pub fn from_file_text(text: &str) -> Result<SigningKey, AuthError> {
        let file: SigningKeyFile = serde_yaml::from_str(text)
            .map_err(|e| AuthError::File(format!("not a Rotor signing key file: {e}")))?;
        check_key_id(&file.id)?;
        let pkcs8 = STANDARD
            .decode(file.pkcs8.trim())
            .map_err(|e| AuthError::File(format!("pkcs8 is not base64: {e}")))?;
        SigningKey::from_pkcs8(&file.id, &pkcs8)
    }

    /// The key as a file's text (keep it private: it issues tokens).
    pub fn to_file_text(&self) -> String {
        serde_yaml::to_string(&SigningKeyFile {
            id: self.id.clone(),
            pkcs8: STANDARD.encode(&self.pkcs8),
        })
        .expect("a signing key always serialises")
    }

    /// The key's id (`kid`).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The public half, to trust.
    pub fn public_key(&self) -> PublicKey {
        PublicKey {
            id: self.id.clone(),
            ed25519: URL_SAFE_NO_PAD.encode(self.pair.public_key().as_ref()),
        }
    }

    /// A token for `subject`, issued at `now_unix` (seconds) and valid for `ttl_secs`.
    pub fn token(&self, subject: &str, ttl_secs: u64, now_unix: u64) -> Result<String, AuthError> {
        check_subject(subject)?;
        let header = serde_json::json!({ "alg": "EdDSA", "typ": "JWT", "kid": self.id });
        let claims = serde_json::json!({
            "sub": subject,
            "aud": AUDIENCE,
            "iat": now_unix,
            "exp": now_unix + ttl_secs,
        });
        let signed = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let signature = self.pair.sign(signed.as_bytes());
        Ok(format!(
            "{signed}.{}",
            URL_SAFE_NO_PAD.encode(signature.as_ref())
        ))
    }
}

/// A trusted public key: its id and the 32-byte Ed25519 key in unpadded base64url (as a JWK's
/// `x`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublicKey {
    /// The key id tokens name in `kid`.
    pub id: String,
    /// The public key.
    pub ed25519: String,
}

/// The keys whose tokens the API accepts (YAML: `keys: [{id, ed25519}]`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrustedKeys {
    /// The keys.
    pub keys: Vec<PublicKey>,
}

#[derive(Deserialize)]
struct Header {
    alg: String,
    #[serde(default)]
    kid: String,
}

#[derive(Deserialize)]
struct Claims {
    #[serde(default)]
    sub: String,
    #[serde(default)]
    aud: serde_json::Value,
    exp: Option<u64>,
    nbf: Option<u64>,
}

impl TrustedKeys {
    /// Parses and checks a keys file.
    pub fn from_yaml(text: &str) -> Result<TrustedKeys, AuthError> {
        let keys: TrustedKeys = serde_yaml::from_str(text).map_err(|e| {
            AuthError::File(format!("not a keys file (keys: [{{id, ed25519}}]): {e}"))
        })?;
        if keys.keys.is_empty() {
            return Err(AuthError::File("the keys file trusts no key".into()));
        }
        let mut ids = BTreeSet::new();
        for key in &keys.keys {
            check_key_id(&key.id)?;
            if !ids.insert(key.id.as_str()) {
                return Err(AuthError::File(format!("key {:?} is listed twice", key.id)));
            }
            let bytes = URL_SAFE_NO_PAD
                .decode(key.ed25519.trim())
                .map_err(|e| AuthError::File(format!("key {:?}: not base64url: {e}", key.id)))?;
            if bytes.len() != 32 {
                return Err(AuthError::File(format!(
                    "key {:?}: an Ed25519 public key has 32 bytes, this one {}",
                    key.id,
                    bytes.len()
                )));
            }
        }
        Ok(keys)
    }

    /// The keys file's text.
    pub fn to_yaml(&self) -> String {
        serde_yaml::to_string(self).expect("keys always serialise")
    }

    /// Checks `token` at `now_unix` (seconds): well formed, `EdDSA`, signed by a trusted key,
    /// for Rotor, not expired nor not yet valid, with a subject.
    pub fn verify(&self, token: &str, now_unix: u64) -> Result<Identity, AuthError> {
        let invalid = |what: &str| AuthError::Invalid(what.to_string());
        if token.len() > MAX_TOKEN_BYTES {
            return Err(invalid("longer than 8 KiB"));
        }
        let mut parts = token.split('.');
        let (Some(header), Some(claims), Some(signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(invalid("a JWT has three dot-separated parts"));
        };
        let decode = |part: &str, what: &str| {
            URL_SAFE_NO_PAD
                .decode(part)
                .map_err(|_| AuthError::Invalid(format!("its {what} is not base64url")))
        };
        let parsed: Header = serde_json::from_slice(&decode(header, "header")?)
            .map_err(|_| invalid("its header is not a JWT header"))?;
        if parsed.alg != "EdDSA" {
            return Err(AuthError::Invalid(format!(
                "it is signed with {:?}; Rotor accepts only EdDSA (Ed25519)",
                parsed.alg
            )));
        }
        let key = self
            .keys
            .iter()
            .find(|k| k.id == parsed.kid)
            .ok_or_else(|| AuthError::UnknownKey(parsed.kid.clone()))?;
        let public = URL_SAFE_NO_PAD
            .decode(key.ed25519.trim())
            .map_err(|_| AuthError::BadSignature)?;
        let signed_len = header.len() + 1 + claims.len();
        UnparsedPublicKey::new(&ED25519, public)
            .verify(
                &token.as_bytes()[..signed_len],
                &decode(signature, "signature")?,
            )
            .map_err(|_| AuthError::BadSignature)?;
        let claims: Claims = serde_json::from_slice(&decode(claims, "claims")?)
            .map_err(|_| invalid("its claims are not a JWT claims set"))?;
        let for_rotor = match &claims.aud {
            serde_json::Value::String(aud) => aud == AUDIENCE,
            serde_json::Value::Array(auds) => auds.iter().any(|a| a == AUDIENCE),
            _ => false,
        };
        if !for_rotor {
            return Err(invalid("its audience (aud) is not rotor"));
        }
        let exp = claims
            .exp
            .ok_or_else(|| invalid("it has no expiry (exp)"))?;
        if exp + CLOCK_LEEWAY_SECS <= now_unix {
            return Err(AuthError::Expired);
        }
        if claims
            .nbf
            .is_some_and(|nbf| nbf > now_unix + CLOCK_LEEWAY_SECS)
        {
            return Err(invalid("it is not valid yet (nbf)"));
        }
        check_subject(&claims.sub)?;
        Ok(Identity {
            subject: claims.sub,
            key_id: key.id.clone(),
        })
    }
}

fn check_key_id(id: &str) -> Result<(), AuthError> {
    let valid = !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if valid {
        Ok(())
    } else {
        Err(AuthError::File(format!(
            "{id:?} is not a key id (1-64 of a-z A-Z 0-9 _ - .)"
        )))
    }
}

/// A subject names a person or a system in logs and statuses: 1-200 printable characters.
fn check_subject(subject: &str) -> Result<(), AuthError> {
    let valid = !subject.is_empty()
        && subject.chars().count() <= 200
        && !subject.chars().any(char::is_control);
    if valid {
        Ok(())
    } else {
        Err(AuthError::Invalid(
            "its subject (sub) must be 1-200 printable characters".into(),
        ))
    }
}

/// One grant: `roles` to `subject` on `fabrics` (`*`: every fabric).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Grant {
    /// A token subject.
    pub subject: String,
    /// Fabric ids, or `*`.
    pub fabrics: Vec<String>,
    /// What the subject may do there.
    pub roles: Vec<Role>,
}

/// Who may do what (YAML: `grants: [{subject, fabrics, roles}]`). Nothing is allowed unless
/// granted.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// The grants.
    pub grants: Vec<Grant>,
}

impl Policy {
    /// Parses a policy file.
    pub fn from_yaml(text: &str) -> Result<Policy, AuthError> {
        let policy: Policy = serde_yaml::from_str(text).map_err(|e| {
            AuthError::File(format!(
                "not a policy file (grants: [{{subject, fabrics, roles}}]): {e}"
            ))
        })?;
        for (index, grant) in policy.grants.iter().enumerate() {
            check_subject(&grant.subject).map_err(|_| {
                AuthError::File(format!("grants[{index}].subject is empty or too long"))
            })?;
            if grant.fabrics.is_empty() || grant.roles.is_empty() {
                return Err(AuthError::File(format!(
                    "grants[{index}] ({}) names no fabric or no role",
                    grant.subject
                )));
            }
        }
        Ok(policy)
    }

    /// The policy file's text.
    pub fn to_yaml(&self) -> String {
        serde_yaml::to_string(self).expect("a policy always serialises")
    }

    /// Grants `subject` every role of `roles` on every fabric of `fabrics` (ids or `*`): added
    /// to the subject's grant for exactly these fabrics if it has one, else a new grant.
    /// Returns whether anything changed.
    pub fn grant(&mut self, subject: &str, fabrics: &[String], roles: &[Role]) -> bool {
        let mut fabrics = fabrics.to_vec();
        fabrics.sort();
        fabrics.dedup();
        if let Some(existing) = self.grants.iter_mut().find(|g| {
            let mut theirs = g.fabrics.clone();
            theirs.sort();
            theirs.dedup();
            g.subject == subject && theirs == fabrics
        }) {
            let before = existing.roles.len();
            for role in roles {
                if !existing.roles.contains(role) {
                    existing.roles.push(*role);
                }
            }
            return existing.roles.len() != before;
        }
        let mut roles = roles.to_vec();
        roles.sort();
        roles.dedup();
        self.grants.push(Grant {
            subject: subject.to_string(),
            fabrics,
            roles,
        });
        true
    }

    /// Takes from `subject` the role `role` (or every role) on the fabric `fabric` (or on
    /// every fabric its grants name); grants left with no fabric or no role go. Returns how
    /// many (fabric, role) pairs were taken.
    pub fn revoke(&mut self, subject: &str, fabric: Option<&str>, role: Option<Role>) -> usize {
        let mut taken = 0;
        let mut split = Vec::new();
        for grant in self.grants.iter_mut().filter(|g| g.subject == subject) {
            let hit_roles: Vec<Role> = grant
                .roles
                .iter()
                .copied()
                .filter(|r| role.is_none_or(|wanted| wanted == *r))
                .collect();
            let hit_fabrics: Vec<String> = grant
                .fabrics
                .iter()
                .filter(|f| fabric.is_none_or(|wanted| wanted == f.as_str()))
                .cloned()
                .collect();
            if hit_roles.is_empty() || hit_fabrics.is_empty() {
                continue;
            }
            taken += hit_roles.len() * hit_fabrics.len();
            // The fabrics that keep every role, and the others keeping the roles not taken.
            let kept_roles: Vec<Role> = grant
                .roles
                .iter()
                .copied()
                .filter(|r| !hit_roles.contains(r))
                .collect();
            let other_fabrics: Vec<String> = grant
                .fabrics
                .iter()
                .filter(|f| !hit_fabrics.contains(f))
                .cloned()
                .collect();
            if !kept_roles.is_empty() {
                split.push(Grant {
                    subject: grant.subject.clone(),
                    fabrics: hit_fabrics,
                    roles: kept_roles,
                });
            }
            grant.fabrics = other_fabrics;
        }
        self.grants.extend(split);
        self.grants
            .retain(|g| !g.fabrics.is_empty() && !g.roles.is_empty());
        taken
    }

    /// Whether `subject` has `role` on `fabric`; `None` means every fabric (a call that reads
    /// across fabrics), which only a `*` grant covers.
    pub fn allows(&self, subject: &str, fabric: Option<&str>, role: Role) -> bool {
        self.grants.iter().any(|grant| {
            grant.subject == subject
                && grant.roles.contains(&role)
                && grant
                    .fabrics
                    .iter()
                    .any(|f| f == "*" || Some(f.as_str()) == fabric)
        })
    }
}

#[cfg(test)]
mod tests;
