//! Importing an inventory into the shared state.
//!
//! The document and every intended configuration are validated first (errors name the device
//! and field), the login user's secret must exist in the store (Rotor needs it to log in), and
//! an import is refused while a fabric-wide operation holds the fabric. Then device records,
//! intended configurations and the fabric record are written; devices no longer listed are
//! removed; devices seen for the first time get a status saying they hold the newest stored
//! versions; and a notice tells the aggregator to reload what it derived.

use std::collections::{BTreeMap, HashMap, HashSet};

use rotor_bus::lease::{self, now_unix_ms};
use rotor_bus::{BusError, kv, names};
use rotor_inventory::{FabricImport, Inventory};
use rotor_pipeline::records::{DeviceRecord, FabricRecord, fabric_lock_key, load_devices};
use rotor_proto::v1::{DeviceStatus, ImportInventoryResponse, SecretStatus, SynchronizationStatus};
use tonic::Status;

use crate::Orchestrator;

fn internal(error: BusError) -> Status {
    Status::internal(error.to_string())
}

impl Orchestrator {
    pub async fn import_inventory(
        &self,
        inventory_yaml: &str,
        intended_configs: BTreeMap<String, String>,
    ) -> Result<ImportInventoryResponse, Status> {
        let inventory = Inventory::from_yaml(inventory_yaml)
            .map_err(|e| Status::invalid_argument(format!("inventory: {e}")))?;
        let import = FabricImport {
            inventory,
            intended_configs,
        };
        import
            .validate()
            .map_err(|e| Status::invalid_argument(format!("inventory: {e}")))?;
        let fabric = &import.inventory.fabric;
        let fabric_id = fabric.id.clone();

        if let Some(holder) = lease::current(
            &self.topology.leases,
            &fabric_lock_key(&fabric_id),
            now_unix_ms(),
        )
        .await
        .map_err(internal)?
        {
            return Err(Status::failed_precondition(format!(
                "fabric {fabric_id} is locked by {} ({}); import the inventory when it is released",
                holder.holder, holder.purpose
            )));
        }

        // Rotor logs in as each device's login user: its secret must exist.
        let mut newest: HashMap<String, Option<u32>> = HashMap::new();
        for (index, device) in import.inventory.devices.iter().enumerate() {
            for mapping in &device.password_mappings {
                let path = mapping.resolved_path(&fabric_id, &device.id);
                if !newest.contains_key(&path) {
                    let version = self
                        .secrets
                        .newest_version(&fabric.secrets_mount, &path)
                        .await
                        .map_err(|e| Status::unavailable(e.to_string()))?;
                    newest.insert(path.clone(), version);
                }
                if mapping.username == device.login_user
                    && device.platform.is_supported()
                    && newest[&path].is_none()
                {
                    return Err(Status::invalid_argument(format!(
                        "inventory: devices[{index}] ({}).loginUser: the secrets store has no version of {}/{path}; write the device's current password there first",
                        device.id, fabric.secrets_mount
                    )));
                }
            }
        }

        let previous: HashSet<String> = load_devices(&self.topology, &fabric_id)
            .await
            .map_err(internal)?
            .into_iter()
            .map(|d| d.device.id)
            .collect();
        let mut changed_configs = 0u32;
        let records: Vec<(DeviceRecord, String)> = import
            .inventory
            .devices
            .iter()
            .map(|device| {
                let config = import.intended_configs[&device.id].clone();
                let record = DeviceRecord {
                    fabric_id: fabric_id.clone(),
                    secrets_mount: fabric.secrets_mount.clone(),
                    device: device.clone(),
                    intended_config_version: rotor_inventory::intended_config_version(&config),
                };
                (record, config)
            })
            .collect();
        for (record, config) in &records {
            let key = names::key(&[&fabric_id, &record.device.id]);
            let stored = kv::get_bytes(&self.topology.intended_configs, &key)
                .await
                .map_err(internal)?;
            if stored.map(|s| s.value) != Some(config.clone().into_bytes().into()) {
                changed_configs += 1;
            }
        }
        for chunk in records.chunks(64) {
            futures::future::try_join_all(
                chunk
                    .iter()
                    .map(|(record, config)| self.store_device(record, config, &newest)),
            )
            .await
            .map_err(internal)?;
        }
        let current: HashSet<&str> = import
            .inventory
            .devices
            .iter()
            .map(|d| d.id.as_str())
            .collect();
        for gone in previous.iter().filter(|id| !current.contains(id.as_str())) {
            let key = names::key(&[&fabric_id, gone]);
            let _ = self.topology.inventory.purge(&key).await;
            let _ = self.topology.intended_configs.purge(&key).await;
            let _ = self.topology.device_status.purge(&key).await;
        }
        let record = FabricRecord {
            fabric: fabric.clone(),
            device_ids: import
                .inventory
                .devices
                .iter()
                .map(|d| d.id.clone())
                .collect(),
            imported_time: rotor_bus::now_rfc3339(),
        };
        kv::put_json(&self.topology.inventory, &fabric_id, &record)
            .await
            .map_err(internal)?;
        let _ = self
            .bus
            .client
            .publish(
                names::inventory_changed_subject(&fabric_id),
                bytes::Bytes::new(),
            )
            .await;
        let _ = self.bus.client.flush().await;
        tracing::info!(fabric = %fabric_id, devices = records.len(), changed_configs, "inventory imported");
        Ok(ImportInventoryResponse {
            fabric_id,
            device_count: records.len() as u32,
            intended_configs_changed: changed_configs,
        })
    }
}

impl Orchestrator {
    async fn store_device(
        &self,
        record: &DeviceRecord,
        config: &str,
        newest: &HashMap<String, Option<u32>>,
    ) -> Result<(), BusError> {
        let topology = &self.topology;
        let key = names::key(&[&record.fabric_id, &record.device.id]);
        topology
            .intended_configs
            .put(&key, config.to_string().into_bytes().into())
            .await
            .map_err(|e| BusError::JetStream {
                what: format!("write intended configuration {key}"),
                reason: e.to_string(),
            })?;
        kv::put_json(&topology.inventory, &key, record).await?;
        let status = initial_status(record, newest, &self.secrets);
        let bytes = prost::Message::encode_to_vec(&status).into();
        kv::compare_and_set(&topology.device_status, &key, bytes, 0).await?;
        Ok(())
    }
}

/// A first status for a device Rotor has not seen: each mapped secret at its newest version.
fn initial_status(
    record: &DeviceRecord,
    newest: &HashMap<String, Option<u32>>,
    secrets: &rotor_secrets::SecretsClient,
) -> DeviceStatus {
    let secrets = record
        .device
        .password_mappings
        .iter()
        .map(|mapping| {
            let path = mapping.resolved_path(&record.fabric_id, &record.device.id);
            let version = newest.get(&path).copied().flatten();
            SecretStatus {
                secret_type: mapping.secret_type.clone(),
                username: mapping.username.clone(),
                synchronization_status: if version.is_some() {
                    SynchronizationStatus::InSync
                } else {
                    SynchronizationStatus::OutOfSync
                } as i32,
                secret_archive_reference: version
                    .map(|v| secrets.reference(&record.secrets_mount, &path, v)),
                last_rotation_time: String::new(),
            }
        })
        .collect();
    DeviceStatus {
        device_id: record.device.id.clone(),
        fabric_id: record.fabric_id.clone(),
        secrets,
        platform: record.device.platform.to_string(),
        ..Default::default()
    }
}
