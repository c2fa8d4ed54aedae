//! Rendering a device's intended configuration for a set of target secret versions.

use std::sync::Arc;

use rotor_bus::{BusError, Topology};
use rotor_inventory::Platform;
use rotor_proto::v1::{ErrorCode, SecretTarget};
use rotor_secrets::{
    HashCache, HashedPassword, Password, SecretDocument, SecretsClient, SecretsError,
    nvos_password_patch,
};

use crate::records::{DeviceRecord, load_intended_config};

/// Why a configuration could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// A target version could not be read.
    #[error(transparent)]
    Secrets(#[from] SecretsError),
    /// The intended configuration could not be read.
    #[error(transparent)]
    Bus(#[from] BusError),
    /// The device has no stored intended configuration.
    #[error("{0} has no intended configuration; import the inventory again")]
    NoIntendedConfig(String),
    /// The intended configuration does not take the hashes.
    #[error("{0}")]
    Syntax(String),
    /// A plan's throwaway password could not be generated.
    #[error("could not generate a throwaway password: {0}")]
    Throwaway(String),
}

impl RenderError {
    /// The code a device result carries.
    pub fn code(&self) -> ErrorCode {
        match self {
            RenderError::Secrets(_) => ErrorCode::SecretsUnavailable,
            RenderError::Bus(_) | RenderError::NoIntendedConfig(_) | RenderError::Throwaway(_) => {
                ErrorCode::InternalError
            }
            RenderError::Syntax(_) => ErrorCode::ConfigSyntax,
        }
    }

    /// Whether trying again later may help: everything but a configuration that cannot take
    /// the hashes (a missing one may be imported meanwhile).
    pub fn is_retryable(&self) -> bool {
        !matches!(self, RenderError::Syntax(_))
    }
}

/// The intended configuration with the target hashes in it.
#[derive(Clone, Debug)]
pub struct Rendered {
    /// The rendered configuration (NVUE startup YAML), hashes included: never logged or published.
    pub yaml: String,
    /// The version of the stored intended configuration it was rendered from.
    pub intended_config_version: String,
}

/// Renders intended configurations; shares one hash cache per worker.
#[derive(Clone, Debug)]
pub struct Renderer {
    /// Where the target versions' passwords are read from.
    pub secrets: SecretsClient,
    /// Hashes already rendered by this worker, shared by its jobs.
    pub hashes: Arc<HashCache>,
}

impl Renderer {
    /// A renderer with an empty hash cache.
    pub fn new(secrets: SecretsClient) -> Renderer {
        Renderer {
            secrets,
            hashes: Arc::new(HashCache::default()),
        }
    }

    /// Each target's password, read from the store.
    pub async fn passwords(
        &self,
        targets: &[SecretTarget],
    ) -> Result<Vec<(SecretTarget, Password)>, RenderError> {
        let mut passwords = Vec::with_capacity(targets.len());
        for target in targets {
            let reference = target.reference.clone().unwrap_or_default();
            let (password, _) = self
                .secrets
                .read(&reference.mount, &reference.path, Some(reference.version))
                .await?;
            passwords.push((target.clone(), password));
        }
        Ok(passwords)
    }

    /// The hash of each target's version, per user.
    pub async fn hashes(
        &self,
        targets: &[SecretTarget],
    ) -> Result<Vec<(String, HashedPassword)>, RenderError> {
        let mut hashes = Vec::with_capacity(targets.len());
        for (target, password) in self.passwords(targets).await? {
            let reference = target.reference.unwrap_or_default();
            let hash = self.hashes.render(
                &password,
                &reference.path,
                reference.version,
                &target.username,
            );
            hashes.push((target.username, hash));
        }
        Ok(hashes)
    }

    /// The device's intended configuration as a drift check loads it: on Cumulus Linux with the
    /// targets' hashes filled in (so the diff also shows the password change, or nothing when
    /// the device holds it); on NVOS with every mapped user's password fields left out (NVOS
    /// takes a password as a plaintext it hashes with a fresh salt, so no rendering of it could
    /// ever match the switch's: the change is sent separately, see [`Self::nvos_patch`]).
    ///
    /// `others` are the device's other mapped users at the versions they hold: they are
    /// rendered too (Cumulus), so a rotation of one user diffs only that user.
    pub async fn render(
        &self,
        topology: &Topology,
        device: &DeviceRecord,
        targets: &[SecretTarget],
        others: &[SecretTarget],
    ) -> Result<Rendered, RenderError> {
        self.render_as(topology, device, targets, others, false)
            .await
    }

    /// Like [`Self::render`], with a throwaway password for each target, generated here and
    /// never stored or kept: what a plan of a rotation diffs against (no new version exists).
    pub async fn render_throwaway(
        &self,
        topology: &Topology,
        device: &DeviceRecord,
        targets: &[SecretTarget],
        others: &[SecretTarget],
    ) -> Result<Rendered, RenderError> {
        self.render_as(topology, device, targets, others, true)
            .await
    }

    async fn render_as(
        &self,
        topology: &Topology,
        device: &DeviceRecord,
        targets: &[SecretTarget],
        others: &[SecretTarget],
        throwaway: bool,
    ) -> Result<Rendered, RenderError> {
        let intended = load_intended_config(topology, &device.fabric_id, &device.device.id)
            .await?
            .ok_or_else(|| RenderError::NoIntendedConfig(device.device.id.clone()))?;
        let version = rotor_inventory::intended_config_version(&intended);
        let platform = &device.device.platform;
        let yaml = if *platform == Platform::Nvos {
            let mapped: Vec<String> = device
                .device
                .password_mappings
                .iter()
                .map(|m| m.username.clone())
                .collect();
            rotor_device::render::render_without_passwords(&intended, &mapped)
        } else {
            let hashes = if throwaway {
                let mut hashes = Vec::with_capacity(targets.len() + others.len());
                for target in targets {
                    let password = rotor_secrets::PasswordPolicy::default()
                        .generate()
                        .map_err(|e| RenderError::Throwaway(e.to_string()))?;
                    let hash = rotor_secrets::render_hash(&password, "plan", 0, &target.username);
                    hashes.push((target.username.clone(), hash));
                }
                hashes.extend(self.hashes(others).await?);
                hashes
            } else {
                let every: Vec<SecretTarget> = targets.iter().chain(others).cloned().collect();
                self.hashes(&every).await?
            };
            rotor_device::render::render_intended(&intended, platform, &hashes)
        }
        .map_err(|e| RenderError::Syntax(e.to_string()))?;
        Ok(Rendered {
            yaml,
            intended_config_version: version,
        })
    }

    /// The NVOS patch that sets `users`' passwords to their target versions (plaintext, for the
    /// SSH channel only).
    pub async fn nvos_patch(
        &self,
        targets: &[SecretTarget],
        users: &[String],
    ) -> Result<SecretDocument, RenderError> {
        let changing: Vec<SecretTarget> = targets
            .iter()
            .filter(|t| users.contains(&t.username))
            .cloned()
            .collect();
        let passwords = self.passwords(&changing).await?;
        let entries: Vec<(&str, &Password)> = passwords
            .iter()
            .map(|(target, password)| (target.username.as_str(), password))
            .collect();
        Ok(nvos_password_patch(&entries))
    }
}
