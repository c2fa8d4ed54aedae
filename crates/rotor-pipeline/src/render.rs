//! Rendering a device's intended configuration for a set of target secret versions.

use std::sync::Arc;

use rotor_bus::{BusError, Topology};
use rotor_proto::v1::{ErrorCode, SecretTarget};
use rotor_secrets::{HashCache, HashedPassword, SecretsClient, SecretsError};

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
}

impl RenderError {
    /// The code a device result carries.
    pub fn code(&self) -> ErrorCode {
        match self {
            RenderError::Secrets(_) => ErrorCode::SecretsUnavailable,
            RenderError::Bus(_) | RenderError::NoIntendedConfig(_) => ErrorCode::InternalError,
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

    /// The hash of each target's version, per user.
    pub async fn hashes(
        &self,
        targets: &[SecretTarget],
    ) -> Result<Vec<(String, HashedPassword)>, RenderError> {
        let mut hashes = Vec::with_capacity(targets.len());
        for target in targets {
            let reference = target.reference.clone().unwrap_or_default();
            let (password, version) = self
                .secrets
                .read(&reference.mount, &reference.path, Some(reference.version))
                .await?;
            let hash = self
                .hashes
                .render(&password, &reference.path, version, &target.username);
            hashes.push((target.username.clone(), hash));
        }
        Ok(hashes)
    }

    /// Loads the device's intended configuration and fills in the targets' hashes.
    pub async fn render(
        &self,
        topology: &Topology,
        device: &DeviceRecord,
        targets: &[SecretTarget],
    ) -> Result<Rendered, RenderError> {
        let intended = load_intended_config(topology, &device.fabric_id, &device.device.id)
            .await?
            .ok_or_else(|| RenderError::NoIntendedConfig(device.device.id.clone()))?;
        let version = rotor_inventory::intended_config_version(&intended);
        let hashes = self.hashes(targets).await?;
        let yaml =
            rotor_device::render::render_intended(&intended, &device.device.platform, &hashes)
                .map_err(|e| RenderError::Syntax(e.to_string()))?;
        Ok(Rendered {
            yaml,
            intended_config_version: version,
        })
    }
}
