//! Setting up a store for Rotor with an administrator's client: policies, the AppRole auth
//! method, a role per service kind, role ids and secret ids. What `deploy/openbao/setup-approle.sh`
//! does with the `bao` command, for the local stacks and the tests, which run it in-process (the
//! administrator's token never reaches a command line).

use std::time::Duration;

use secrecy::SecretString;
use vaultrs::api::auth::approle::requests::SetAppRoleRequest;

use crate::{SecretsClient, SecretsError};

/// An AppRole role bound to one policy.
#[derive(Clone, Debug)]
pub struct AppRoleSpec<'a> {
    /// The role's name (`rotor-differ`).
    pub name: &'a str,
    /// The only policy its tokens carry (not even `default`).
    pub policy: &'a str,
    /// A login's token TTL; renewals ask for it again.
    pub token_ttl: Duration,
    /// No token of the role lives longer; the service logs in again before.
    pub token_max_ttl: Duration,
}

impl SecretsClient {
    /// Writes (or replaces) an ACL policy.
    pub async fn write_policy(&self, name: &str, hcl: &str) -> Result<(), SecretsError> {
        self.call(
            |client| async move { vaultrs::sys::policy::set(client.as_ref(), name, hcl).await },
        )
        .await?
        .map_err(|e| self.classify(e, &format!("writing policy {name}"), None))
    }

    /// Enables the AppRole auth method at `mount`, unless it is already there.
    pub async fn enable_approle(&self, mount: &str) -> Result<(), SecretsError> {
        let methods = self
            .call(|client| async move { vaultrs::sys::auth::list(client.as_ref()).await })
            .await?
            .map_err(|e| self.classify(e, "listing auth methods", None))?;
        if methods.contains_key(&format!("{mount}/")) {
            return Ok(());
        }
        self.call(|client| async move {
            vaultrs::sys::auth::enable(client.as_ref(), mount, "approle", None).await
        })
        .await?
        .map_err(|e| self.classify(e, &format!("enabling AppRole at {mount}"), None))
    }

    /// Creates (or updates) a role whose tokens carry only `spec.policy`, whose secret ids can
    /// log in again and again (the service logs in again at its max TTL); returns its role id.
    pub async fn write_approle(
        &self,
        mount: &str,
        spec: &AppRoleSpec<'_>,
    ) -> Result<String, SecretsError> {
        let seconds = |d: Duration| format!("{}s", d.as_secs().max(1));
        self.call(|client| {
            let mut options = SetAppRoleRequest::builder();
            options
                .token_policies(vec![spec.policy.to_string()])
                .token_no_default_policy(true)
                .token_ttl(seconds(spec.token_ttl))
                .token_max_ttl(seconds(spec.token_max_ttl))
                .secret_id_num_uses(0u64);
            async move {
                vaultrs::auth::approle::role::set(
                    client.as_ref(),
                    mount,
                    spec.name,
                    Some(&mut options),
                )
                .await
            }
        })
        .await?
        .map_err(|e| self.classify(e, &format!("writing AppRole role {}", spec.name), None))?;
        let role = self
            .call(|client| async move {
                vaultrs::auth::approle::role::read_id(client.as_ref(), mount, spec.name).await
            })
            .await?
            .map_err(|e| self.classify(e, &format!("reading {}'s role id", spec.name), None))?;
        Ok(role.role_id)
    }

    /// A new secret id of a role.
    pub async fn new_secret_id(
        &self,
        mount: &str,
        role: &str,
    ) -> Result<SecretString, SecretsError> {
        let mut generated = self
            .call(|client| async move {
                vaultrs::auth::approle::role::secret::generate(client.as_ref(), mount, role, None)
                    .await
            })
            .await?
            .map_err(|e| self.classify(e, &format!("generating a secret id of {role}"), None))?;
        let secret_id = SecretString::from(std::mem::take(&mut generated.secret_id));
        Ok(secret_id)
    }
}
