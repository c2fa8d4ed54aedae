//! Rendering a device's intended configuration for a set of target secret versions.

use std::sync::Arc;

use rotor_bus::Topology;
use rotor_proto::v1::{ErrorCode, SecretTarget};
use rotor_secrets::{HashCache, HashedPassword, SecretsClient};

use crate::events::StageFailure;
use crate::records::{DeviceRecord, load_intended_config};

/// The intended configuration with the target hashes in it.
#[derive(Clone, Debug)]
pub struct Rendered {
    pub yaml: String,
    /// The version of the stored intended configuration it was rendered from.
    pub intended_config_version: String,
}

/// Renders intended configurations; shares one hash cache per worker.
#[derive(Clone, Debug)]
pub struct Renderer {
    pub secrets: SecretsClient,
    pub hashes: Arc<HashCache>,
}

impl Renderer {
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
    ) -> Result<Vec<(String, HashedPassword)>, StageFailure> {
        let mut hashes = Vec::with_capacity(targets.len());
        for target in targets {
            let reference = target.reference.clone().unwrap_or_default();
            let (password, version) = self
                .secrets
                .read(&reference.mount, &reference.path, Some(reference.version))
                .await
                .map_err(|e| StageFailure::new(ErrorCode::SecretsUnavailable, e.to_string()))?;
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
    ) -> Result<Rendered, StageFailure> {
        let intended = load_intended_config(topology, &device.fabric_id, &device.device.id)
            .await
            .map_err(|e| StageFailure::new(ErrorCode::InternalError, e.to_string()))?
            .ok_or_else(|| {
                StageFailure::new(
                    ErrorCode::InternalError,
                    format!(
                        "{} has no intended configuration; import the inventory again",
                        device.device.id
                    ),
                )
            })?;
        let version = rotor_inventory::intended_config_version(&intended);
        let hashes = self.hashes(targets).await?;
        let yaml =
            rotor_device::render::render_intended(&intended, &device.device.platform, &hashes)
                .map_err(|e| StageFailure::new(ErrorCode::ConfigSyntax, e.to_string()))?;
        Ok(Rendered {
            yaml,
            intended_config_version: version,
        })
    }
}
