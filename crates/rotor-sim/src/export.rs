//! Exporting a simulated fabric as Rotor's inventory: `inventory.yaml` (the `rotor-inventory`
//! format, with each device's address and pinned host key) and `configs/<device>.yaml`, the
//! intended configuration of every device.
//!
//! The intended configuration is the device's configuration as created (so a drifted device
//! differs from it) with the password fields of every mapped user removed (`hashed-password`,
//! and NVOS's `password`, which the simulator never stores anyway): Rotor's renderer fills them
//! in from the secrets store. The inventory pins every host key the device offers: the first in
//! `hostKey`, the others (if any) in `hostKeys`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rotor_inventory::{
    API_VERSION, Device as InventoryDevice, Fabric, FabricImport, Inventory, KIND, PasswordMapping,
    UpgradeStatus,
};
use serde::{Deserialize, Serialize};

use crate::device::Device;
use crate::simulator::SimError;

/// How to describe the fabric's secrets and state in the exported inventory.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ExportOptions {
    /// The KV v2 mount of the fabric's secrets.
    pub secrets_mount: String,
    /// The secret path of the login user's password (`{fabric}` and `{device}` are left for
    /// Rotor to fill in).
    pub secret_path_template: String,
    /// The secret type of the login user's password.
    pub secret_type: String,
    /// The fabric's upgrade status in the exported inventory.
    pub upgrade_status: UpgradeStatus,
    /// More users to map, when a device has them (e.g. `breakglass`).
    pub additional_mappings: Vec<PasswordMapping>,
    /// The device id of the fabric's terminal server, if any.
    pub terminal_server: Option<String>,
}

impl Default for ExportOptions {
    fn default() -> Self {
        ExportOptions {
            secrets_mount: "secret".into(),
            secret_path_template: "fabrics/{fabric}/AdminRW".into(),
            secret_type: "AdminRW".into(),
            upgrade_status: UpgradeStatus::None,
            additional_mappings: Vec::new(),
            terminal_server: None,
        }
    }
}

/// An exported fabric, in memory.
#[derive(Clone, Debug, PartialEq)]
pub struct ExportedFabric {
    /// The fabric's inventory, validated as Rotor's import validates it.
    pub inventory: Inventory,
    /// Device id -> intended configuration (NVUE startup YAML).
    pub intended_configs: BTreeMap<String, String>,
}

/// What was written.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportSummary {
    /// The inventory file written.
    pub inventory_path: PathBuf,
    /// The directory the intended configurations were written to, one file per device.
    pub config_directory: PathBuf,
    /// How many devices the inventory lists.
    pub devices: usize,
}

/// Builds the inventory of a fabric's devices and checks it the way Rotor's import will.
pub fn build(
    fabric_id: &str,
    devices: &[Arc<Device>],
    options: &ExportOptions,
) -> Result<ExportedFabric, SimError> {
    let mut inventory_devices = Vec::with_capacity(devices.len());
    let mut intended_configs = BTreeMap::new();
    for device in devices {
        let platform = device.platform();
        let login_user = platform.login_user().to_string();
        let created = device.created_config();
        let mut mappings = vec![PasswordMapping {
            username: login_user.clone(),
            secret_type: options.secret_type.clone(),
            secret_path: options.secret_path_template.clone(),
        }];
        for extra in &options.additional_mappings {
            let exists = created
                .root
                .get(&["system", "aaa", "user", extra.username.as_str()])
                .is_some();
            if exists && extra.username != login_user {
                mappings.push(extra.clone());
            }
        }
        let mut intended = created;
        for mapping in &mappings {
            for key in ["hashed-password", "password"] {
                intended
                    .root
                    .remove(&["system", "aaa", "user", mapping.username.as_str(), key]);
            }
        }
        let config_file = format!("configs/{}.yaml", device.id());
        intended_configs.insert(device.id().to_string(), intended.to_startup_yaml(false));
        inventory_devices.push(InventoryDevice {
            id: device.id().to_string(),
            role: device.role(),
            platform: platform.inventory_platform(),
            address: device.address().to_string(),
            host_key: device.host_key(),
            host_keys: device.host_keys().split_off(1),
            administrative_state: device.administrative_state(),
            login_user,
            password_mappings: mappings,
            intended_config: config_file,
        });
    }
    let inventory = Inventory {
        api_version: API_VERSION.to_string(),
        kind: KIND.to_string(),
        fabric: Fabric {
            id: fabric_id.to_string(),
            upgrade_status: options.upgrade_status,
            terminal_server: options.terminal_server.clone(),
            secrets_mount: options.secrets_mount.clone(),
            rollout: None,
            notifications: None,
        },
        devices: inventory_devices,
    };
    let import = FabricImport {
        inventory,
        intended_configs,
    };
    import.validate()?;
    Ok(ExportedFabric {
        inventory: import.inventory,
        intended_configs: import.intended_configs,
    })
}

/// Writes `inventory.yaml` and `configs/<device>.yaml` under `directory`.
pub fn write(exported: &ExportedFabric, directory: &Path) -> Result<ExportSummary, SimError> {
    let failed = |path: &Path| {
        let path = path.to_path_buf();
        move |source| SimError::Write { path, source }
    };
    let config_directory = directory.join("configs");
    std::fs::create_dir_all(&config_directory).map_err(failed(&config_directory))?;
    for (device_id, text) in &exported.intended_configs {
        let path = config_directory.join(format!("{device_id}.yaml"));
        std::fs::write(&path, text).map_err(failed(&path))?;
    }
    let inventory_path = directory.join("inventory.yaml");
    std::fs::write(&inventory_path, exported.inventory.to_yaml())
        .map_err(failed(&inventory_path))?;
    Ok(ExportSummary {
        inventory_path,
        config_directory,
        devices: exported.intended_configs.len(),
    })
}
