//! Importing an inventory into the shared state.
//!
//! The document and every intended configuration are validated first (errors name the device
//! and field), the login user's secret must exist in the store (Rotor needs it to log in), and
//! an import is refused while a fabric-wide operation holds the fabric. Then device records and
//! intended configurations are written, then the fabric record (the list of its devices, which
//! is what operations select from), then devices no longer listed are removed; devices seen for
//! the first time get a status saying they hold the newest stored versions; and a notice tells
//! the aggregator to reload what it derived. A failure at any step is an error to the caller
//! (an import is safe to repeat).

use std::collections::{BTreeMap, HashMap};

use rotor_bus::lease::HeldLease;
use rotor_bus::names::{self, filters, keys};
use rotor_bus::{BusError, kv};
use rotor_inventory::{FabricImport, Inventory};
use rotor_pipeline::records::{DeviceRecord, FabricRecord};
use rotor_proto::v1::{
    DeviceStatus, IdentityChange, ImportInventoryResponse, SecretStatus, SynchronizationStatus,
};
use tonic::Status;

use crate::Orchestrator;
use crate::requests::lock_holder_text;

fn internal(error: BusError) -> Status {
    Status::internal(error.to_string())
}

/// Which device a switch identity belongs to (`rotor_switches`).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct SwitchOwner {
    fabric_id: String,
    device_id: String,
}

/// Where an imported fabric may keep its secrets: its KV v2 mount one of `mounts`, every
/// mapped secret path (placeholders resolved) under `path_prefix` with `{fabric}` replaced by
/// the fabric's id. So one fabric's inventory cannot point Rotor at another fabric's secrets
/// (or at any other secret the token can read).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Confinement {
    /// The mounts an inventory may name (`ROTOR_SECRET_MOUNTS`, comma separated, default
    /// `secret`).
    pub mounts: Vec<String>,
    /// The prefix of every secret path, with `{fabric}` (`ROTOR_SECRET_PATH_PREFIX`, default
    /// `fabrics/{fabric}/`).
    pub path_prefix: String,
}

impl Default for Confinement {
    fn default() -> Confinement {
        Confinement {
            mounts: vec!["secret".into()],
            path_prefix: "fabrics/{fabric}/".into(),
        }
    }
}

impl Confinement {
    /// Reads `ROTOR_SECRET_MOUNTS` and `ROTOR_SECRET_PATH_PREFIX`.
    pub fn from_settings(
        settings: &rotor_runtime::settings::Settings,
    ) -> Result<Confinement, rotor_runtime::settings::SettingError> {
        let defaults = Confinement::default();
        let error = |name: &str, reason: String| rotor_runtime::settings::SettingError {
            name: name.into(),
            reason,
        };
        let mounts: Vec<String> = settings
            .string("ROTOR_SECRET_MOUNTS", &defaults.mounts.join(","))
            .split(',')
            .map(|m| m.trim().to_string())
            .filter(|m| !m.is_empty())
            .collect();
        if mounts.is_empty() {
            return Err(error("ROTOR_SECRET_MOUNTS", "names no mount".into()));
        }
        for mount in &mounts {
            rotor_inventory::check_name(mount).map_err(|p| error("ROTOR_SECRET_MOUNTS", p))?;
        }
        let path_prefix = settings.string("ROTOR_SECRET_PATH_PREFIX", &defaults.path_prefix);
        let usable = path_prefix.contains("{fabric}")
            && path_prefix.ends_with('/')
            && !path_prefix.starts_with('/')
            && !path_prefix.contains("{device}")
            && !path_prefix.split('/').any(|s| s == "." || s == "..");
        if !usable {
            return Err(error(
                "ROTOR_SECRET_PATH_PREFIX",
                format!(
                    "{path_prefix:?} must contain {{fabric}} (one prefix per fabric), end with '/' and not start with one"
                ),
            ));
        }
        Ok(Confinement {
            mounts,
            path_prefix,
        })
    }

    /// Refuses an inventory whose mount is not allowed or a mapping whose path leaves the
    /// fabric's prefix; the message names the field.
    pub fn check(&self, inventory: &Inventory) -> Result<(), Status> {
        let fabric = &inventory.fabric;
        if !self.mounts.contains(&fabric.secrets_mount) {
            return Err(Status::invalid_argument(format!(
                "inventory: fabric.secretsMount: {:?} is not a mount Rotor may use (allowed: {}; ROTOR_SECRET_MOUNTS)",
                fabric.secrets_mount,
                self.mounts.join(", ")
            )));
        }
        let prefix = self.path_prefix.replace("{fabric}", &fabric.id);
        for (index, device) in inventory.devices.iter().enumerate() {
            for (mapping_index, mapping) in device.password_mappings.iter().enumerate() {
                let path = mapping.resolved_path(&fabric.id, &device.id);
                if !path.starts_with(&prefix) {
                    return Err(Status::invalid_argument(format!(
                        "inventory: devices[{index}] ({}).passwordMappings[{mapping_index}].secretPath: {path:?} is outside fabric {}'s secrets ({prefix}...; ROTOR_SECRET_PATH_PREFIX)",
                        device.id, fabric.id
                    )));
                }
            }
        }
        Ok(())
    }
}

/// The lease of the fabric lock an import holds (renewed while it runs).
const IMPORT_LOCK: std::time::Duration = std::time::Duration::from_secs(60);

/// The newest stored version of each secret path the inventory maps.
type NewestVersions = HashMap<String, Option<u32>>;

impl Orchestrator {
    /// Stores one fabric's parsed inventory ([`parse_import`]) with its intended configurations,
    /// once its secrets are confined to the fabric's. Also says what it changed of the identity
    /// of devices already stored ([`identity_changes`], read under the fabric lock).
    pub async fn import_inventory(
        &self,
        import: &FabricImport,
    ) -> Result<(ImportInventoryResponse, Vec<IdentityChange>), Status> {
        self.config.confinement.check(&import.inventory)?;
        // The import holds the fabric lock while it writes: no operation can start in between
        // a check and the writes, nor run while the inventory changes under it.
        let lock = self.lock_for_import(&import.inventory.fabric.id).await?;
        let imported = self.import_locked(import).await;
        if let Err(error) = lock.release().await {
            tracing::warn!(%error, "could not give the import's fabric lock back; it lapses");
        }
        imported
    }

    async fn import_locked(
        &self,
        import: &FabricImport,
    ) -> Result<(ImportInventoryResponse, Vec<IdentityChange>), Status> {
        let fabric = &import.inventory.fabric;
        let fabric_id = fabric.id.clone();
        let newest = self.login_secrets_exist(import).await?;
        let previous = self.stored_devices(&fabric_id).await?;
        let identity = identity_changes(&previous, import);
        self.claim_switches(import).await?;
        let records = device_records(import);
        let changed_configs = records
            .iter()
            .filter(|(record, _)| {
                previous
                    .get(&record.device.id)
                    .map(|p| &p.intended_config_version)
                    != Some(&record.intended_config_version)
            })
            .count() as u32;
        for chunk in records.chunks(64) {
            futures::future::try_join_all(
                chunk
                    .iter()
                    .map(|(record, config)| self.store_device(record, config, &newest)),
            )
            .await
            .map_err(internal)?;
        }
        let record = FabricRecord {
            fabric: fabric.clone(),
            device_ids: records.iter().map(|(r, _)| r.device.id.clone()).collect(),
            imported_time: rotor_bus::now_rfc3339(),
        };
        kv::put_json(&self.topology.inventory, &keys::fabric(&fabric_id), &record)
            .await
            .map_err(internal)?;
        self.remove_unlisted(&record, previous.values()).await?;
        for (now, _) in &records {
            if let Some(before) = previous.get(&now.device.id) {
                let keep = now.device.identity_claims();
                self.release_claims(&fabric_id, &before.device, &keep)
                    .await?;
                if before.device != now.device {
                    // What Rotor remembers of a device is of the device as it was listed.
                    self.forget_credential(&fabric_id, &now.device.id).await?;
                }
            }
        }
        self.notify_aggregator(&fabric_id).await?;
        tracing::info!(fabric = %fabric_id, devices = records.len(), changed_configs, identity_changes = %describe(&identity), "inventory imported");
        Ok((
            ImportInventoryResponse {
                fabric_id,
                device_count: records.len() as u32,
                intended_configs_changed: changed_configs,
            },
            identity,
        ))
    }

    /// The device records stored for a fabric, by device id.
    pub async fn stored_devices(
        &self,
        fabric_id: &str,
    ) -> Result<HashMap<String, DeviceRecord>, Status> {
        Ok(
            kv::scan_json::<DeviceRecord>(
                &self.topology.inventory,
                &filters::devices_of(fabric_id),
            )
            .await
            .map_err(internal)?
            .into_iter()
            .map(|(_, record)| (record.device.id.clone(), record))
            .collect(),
        )
    }

    /// Takes the fabric lock for the import, or refuses while someone else holds it.
    async fn lock_for_import(&self, fabric_id: &str) -> Result<HeldLease, Status> {
        let taken = HeldLease::acquire(
            &self.topology.leases,
            &keys::fabric_lock(fabric_id),
            IMPORT_HOLDER,
            "InventoryImport",
            IMPORT_LOCK,
        )
        .await
        .map_err(internal)?;
        taken.map_err(|holder| {
            Status::failed_precondition(format!(
                "{}; import the inventory when it is released",
                lock_holder_text(fabric_id, &holder)
            ))
        })
    }

    /// Rotor logs in as each device's login user: its secret must exist. Returns the newest
    /// version of every mapped path.
    async fn login_secrets_exist(&self, import: &FabricImport) -> Result<NewestVersions, Status> {
        let fabric = &import.inventory.fabric;
        let mut newest = NewestVersions::new();
        for (index, device) in import.inventory.devices.iter().enumerate() {
            for mapping in &device.password_mappings {
                let path = mapping.resolved_path(&fabric.id, &device.id);
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
        Ok(newest)
    }

    /// Claims every device's switch identity (its pinned host keys, its canonical address) for
    /// it, refusing a switch another device (of any fabric) already is, and gives back claims
    /// a device no longer makes. Claims are created only if absent, so two imports at once
    /// cannot both take one.
    async fn claim_switches(&self, import: &FabricImport) -> Result<(), Status> {
        let fabric_id = &import.inventory.fabric.id;
        for (index, device) in import.inventory.devices.iter().enumerate() {
            let owner = SwitchOwner {
                fabric_id: fabric_id.clone(),
                device_id: device.id.clone(),
            };
            for claim in device.identity_claims() {
                let key = keys::switch_claim(&claim);
                let created = kv::compare_and_set_json(&self.topology.switches, &key, &owner, 0)
                    .await
                    .map_err(internal)?;
                if created.is_some() {
                    continue;
                }
                let holder = kv::get_json::<SwitchOwner>(&self.topology.switches, &key)
                    .await
                    .map_err(internal)?
                    .map(|v| v.value);
                match holder {
                    Some(holder) if holder != owner && self.still_listed(&holder).await? => {
                        return Err(Status::invalid_argument(format!(
                            "inventory: devices[{index}] ({}): this switch (the same {}) is already device {} of fabric {}; one switch is one device, remove it there first",
                            device.id,
                            if claim.starts_with("key-") {
                                "host key"
                            } else {
                                "address"
                            },
                            holder.device_id,
                            holder.fabric_id
                        )));
                    }
                    _ => {
                        kv::put_json(&self.topology.switches, &key, &owner)
                            .await
                            .map_err(internal)?;
                    }
                }
            }
        }
        Ok(())
    }

    /// Gives back `device`'s switch claims, but those in `keep` (a device whose host key or
    /// address changed keeps only its new ones).
    async fn release_claims(
        &self,
        fabric_id: &str,
        device: &rotor_inventory::Device,
        keep: &[String],
    ) -> Result<(), Status> {
        let owner = SwitchOwner {
            fabric_id: fabric_id.to_string(),
            device_id: device.id.clone(),
        };
        let switches = &self.topology.switches;
        for claim in device.identity_claims() {
            if keep.contains(&claim) {
                continue;
            }
            let key = keys::switch_claim(&claim);
            let held = kv::get_json::<SwitchOwner>(switches, &key)
                .await
                .map_err(internal)?;
            if held.is_some_and(|held| held.value == owner) {
                switches
                    .purge(&key)
                    .await
                    .map_err(|e| Status::internal(format!("could not give {key} back: {e}")))?;
            }
        }
        Ok(())
    }

    /// Whether a claim's holder is still in its fabric's inventory (a claim left by a device
    /// that is gone is stale).
    async fn still_listed(&self, holder: &SwitchOwner) -> Result<bool, Status> {
        Ok(
            rotor_pipeline::records::load_fabric(&self.topology, &holder.fabric_id)
                .await
                .map_err(internal)?
                .is_some_and(|fabric| fabric.device_ids.contains(&holder.device_id)),
        )
    }

    /// Removes what is stored of devices the fabric no longer lists, their switch claims too.
    async fn remove_unlisted<'a>(
        &self,
        fabric: &FabricRecord,
        stored: impl Iterator<Item = &'a DeviceRecord>,
    ) -> Result<(), Status> {
        let topology = &self.topology;
        for gone in stored.filter(|d| !fabric.device_ids.contains(&d.device.id)) {
            self.release_claims(&fabric.fabric.id, &gone.device, &[])
                .await?;
            let gone = &gone.device.id;
            let key = keys::device(&fabric.fabric.id, gone);
            for bucket in [
                &topology.inventory,
                &topology.intended_configs,
                &topology.device_status,
                &topology.credentials,
            ] {
                bucket.purge(&key).await.map_err(|e| {
                    Status::internal(format!(
                        "the inventory was stored, but {gone}'s {} entry could not be removed: {e}; import it again",
                        bucket.name
                    ))
                })?;
            }
        }
        Ok(())
    }

    /// Forgets which version last logged in to a device (its record changed).
    async fn forget_credential(&self, fabric_id: &str, device_id: &str) -> Result<(), Status> {
        let key = keys::device(fabric_id, device_id);
        self.topology.credentials.purge(&key).await.map_err(|e| {
            Status::internal(format!(
                "the inventory was stored, but what Rotor remembers of {device_id} could not be cleared: {e}; import it again"
            ))
        })
    }

    /// Tells the aggregator to reload what it derived from the fabric's inventory.
    async fn notify_aggregator(&self, fabric_id: &str) -> Result<(), Status> {
        let client = &self.bus.client;
        let sent = async {
            client
                .publish(
                    names::inventory_changed_subject(fabric_id),
                    bytes::Bytes::new(),
                )
                .await
                .map_err(|e| e.to_string())?;
            client.flush().await.map_err(|e| e.to_string())
        }
        .await;
        sent.map_err(|error| {
            Status::unavailable(format!(
                "the inventory was stored, but the aggregator could not be told ({error}); import it again"
            ))
        })
    }

    async fn store_device(
        &self,
        record: &DeviceRecord,
        config: &str,
        newest: &NewestVersions,
    ) -> Result<(), BusError> {
        let topology = &self.topology;
        let key = keys::device(&record.fabric_id, &record.device.id);
        topology
            .intended_configs
            .put(&key, config.to_string().into_bytes().into())
            .await
            .map_err(|e| BusError::JetStream {
                what: format!("write intended configuration {key}"),
                reason: e.to_string(),
            })?;
        kv::put_json(&topology.inventory, &key, record).await?;
        match kv::get_message::<DeviceStatus>(&topology.device_status, &key).await? {
            None => {
                let status = initial_status(record, newest, &self.secrets);
                let bytes = prost::Message::encode_to_vec(&status).into();
                kv::compare_and_set(&topology.device_status, &key, bytes, 0).await?;
            }
            // A device seen before: its status follows its mappings as now listed (a new user,
            // a changed secret path), keeping what is known of the unchanged ones.
            Some(stored) => {
                let mut status = stored.value;
                let secrets = reconciled_secrets(record, &status.secrets, newest, &self.secrets);
                if secrets != status.secrets {
                    status.secrets = secrets;
                    let bytes = prost::Message::encode_to_vec(&status).into();
                    kv::compare_and_set(&topology.device_status, &key, bytes, stored.revision)
                        .await?;
                }
            }
        }
        Ok(())
    }
}

/// The inventory document and its intended configurations, validated.
/// Parses and validates an inventory document with its intended configurations; errors name
/// the device and field (`INVALID_ARGUMENT`).
pub fn parse_import(
    inventory_yaml: &str,
    intended_configs: BTreeMap<String, String>,
) -> Result<FabricImport, Status> {
    let inventory = Inventory::from_yaml(inventory_yaml)
        .map_err(|e| Status::invalid_argument(format!("inventory: {e}")))?;
    let import = FabricImport {
        inventory,
        intended_configs,
    };
    import
        .validate()
        .map_err(|e| Status::invalid_argument(format!("inventory: {e}")))?;
    Ok(import)
}

/// How the fabric lock an import holds names its holder (not an operation's: see
/// `crate::requests::OPERATION_HOLDER`).
pub const IMPORT_HOLDER: &str = "rotor:inventory-import";

/// The role every import needs, on the inventory's fabric: an inventory says where Rotor logs
/// in, as whom and with which secrets. An import that changes that for a device already stored
/// ([`identity_changes`]: its address, pinned host keys, login user or a secret's mount or path)
/// is that power used on a switch Rotor already trusts; it needs this role too, and its audit
/// record lists each device and field, refused or not (the refusal does not: it would tell a
/// caller without the role what is stored).
pub const IMPORT_ROLE: rotor_auth::Role = rotor_auth::Role::InventoryAdmin;

/// Identity changes for a log line: `leaf-01: address, loginUser; leaf-02: hostKeys` (the
/// first ten devices, then how many more).
pub fn describe(changes: &[IdentityChange]) -> String {
    let mut text: Vec<String> = changes
        .iter()
        .take(10)
        .map(|c| format!("{}: {}", c.device_id, c.fields.join(", ")))
        .collect();
    if changes.len() > 10 {
        text.push(format!("and {} more devices", changes.len() - 10));
    }
    text.join("; ")
}

/// What `import` changes of each device `previous` already holds that says which switch Rotor
/// logs in to, as whom, or with which secret: `address`, `hostKeys` (the pinned keys),
/// `loginUser`, `secretsMount`, `passwordMappings[<user>].secretPath` (a user's secret path,
/// resolved, changed or newly mapped). New devices and removed ones are not listed: they are not
/// a known switch changing hands.
pub fn identity_changes(
    previous: &HashMap<String, DeviceRecord>,
    import: &FabricImport,
) -> Vec<IdentityChange> {
    let fabric = &import.inventory.fabric;
    let mut changes = Vec::new();
    for now in &import.inventory.devices {
        let Some(before) = previous.get(&now.id) else {
            continue;
        };
        let old = &before.device;
        let mut fields = Vec::new();
        if old.address != now.address {
            fields.push("address".to_string());
        }
        if old.pinned_host_keys() != now.pinned_host_keys() {
            fields.push("hostKeys".to_string());
        }
        if old.login_user != now.login_user {
            fields.push("loginUser".to_string());
        }
        if before.secrets_mount != fabric.secrets_mount {
            fields.push("secretsMount".to_string());
        }
        for mapping in &now.password_mappings {
            let path = mapping.resolved_path(&fabric.id, &now.id);
            if before.secret_path(&mapping.username).as_ref() != Some(&path) {
                fields.push(format!("passwordMappings[{}].secretPath", mapping.username));
            }
        }
        if !fields.is_empty() {
            changes.push(IdentityChange {
                device_id: now.id.clone(),
                fields,
            });
        }
    }
    changes
}

/// Each device's record with its intended configuration.
fn device_records(import: &FabricImport) -> Vec<(DeviceRecord, String)> {
    let fabric = &import.inventory.fabric;
    import
        .inventory
        .devices
        .iter()
        .map(|device| {
            let config = import.intended_configs[&device.id].clone();
            let record = DeviceRecord {
                fabric_id: fabric.id.clone(),
                secrets_mount: fabric.secrets_mount.clone(),
                device: device.clone(),
                intended_config_version: rotor_inventory::intended_config_version(&config),
            };
            (record, config)
        })
        .collect()
}

/// A first status for a device Rotor has not seen: each mapped secret `Unverified` at its newest
/// version.
fn initial_status(
    record: &DeviceRecord,
    newest: &NewestVersions,
    secrets: &rotor_secrets::SecretsClient,
) -> DeviceStatus {
    DeviceStatus {
        device_id: record.device.id.clone(),
        fabric_id: record.fabric_id.clone(),
        secrets: reconciled_secrets(record, &[], newest, secrets),
        platform: record.device.platform.to_string(),
        ..Default::default()
    }
}

/// The secrets of a device's status for its mappings as imported: what `known` says of a user
/// whose secret path is unchanged, and for a new user or a new path the newest version,
/// `Unverified` (assumed to be held until an operation proves what is), or `OutOfSync` when the
/// store has none. Users no longer mapped are dropped.
fn reconciled_secrets(
    record: &DeviceRecord,
    known: &[SecretStatus],
    newest: &NewestVersions,
    secrets: &rotor_secrets::SecretsClient,
) -> Vec<SecretStatus> {
    record
        .device
        .password_mappings
        .iter()
        .map(|mapping| {
            let path = mapping.resolved_path(&record.fabric_id, &record.device.id);
            if let Some(kept) = known.iter().find(|s| {
                s.username == mapping.username
                    && s.secret_archive_reference
                        .as_ref()
                        .is_some_and(|r| r.path == path)
            }) {
                return SecretStatus {
                    secret_type: mapping.secret_type.clone(),
                    ..kept.clone()
                };
            }
            let version = newest.get(&path).copied().flatten();
            SecretStatus {
                secret_type: mapping.secret_type.clone(),
                username: mapping.username.clone(),
                synchronization_status: if version.is_some() {
                    SynchronizationStatus::Unverified
                } else {
                    SynchronizationStatus::OutOfSync
                } as i32,
                secret_archive_reference: version
                    .map(|v| secrets.reference(&record.secrets_mount, &path, v)),
                last_rotation_time: String::new(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, HashMap};

    use rotor_inventory::{FabricImport, Inventory};
    use rotor_pipeline::records::DeviceRecord;
    use rotor_proto::v1::IdentityChange;
    use rotor_runtime::settings::Settings;

    use super::{Confinement, describe, identity_changes};

    const BEFORE: &str = r#"
apiVersion: rotor/v1
kind: FabricInventory
fabric: {id: fab1}
devices:
  - id: leaf-01
    role: Leaf
    platform: cumulus
    address: 127.0.0.1:2201
    hostKey: ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl
    loginUser: cumulus
    passwordMappings:
      - {username: cumulus, secretType: AdminRW, secretPath: "fabrics/{fabric}/AdminRW"}
    intendedConfig: configs/leaf-01.yaml
  - id: leaf-02
    role: Leaf
    platform: cumulus
    address: 127.0.0.1:2202
    hostKey: ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJm
    loginUser: cumulus
    passwordMappings:
      - {username: cumulus, secretType: AdminRW, secretPath: "fabrics/{fabric}/AdminRW"}
    intendedConfig: configs/leaf-02.yaml
"#;

    fn import(yaml: &str) -> FabricImport {
        FabricImport {
            inventory: Inventory::from_yaml(yaml).unwrap(),
            intended_configs: BTreeMap::new(),
        }
    }

    #[test]
    fn an_import_names_what_it_changes_of_known_devices_identities() {
        let before = import(BEFORE);
        let stored: HashMap<String, DeviceRecord> = before
            .inventory
            .devices
            .iter()
            .map(|device| {
                let record = DeviceRecord {
                    fabric_id: "fab1".into(),
                    secrets_mount: "secret".into(),
                    device: device.clone(),
                    intended_config_version: String::new(),
                };
                (device.id.clone(), record)
            })
            .collect();
        assert_eq!(identity_changes(&stored, &before), vec![]);
        // A new device and a changed intended configuration change no known identity.
        let mut now = import(BEFORE);
        let mut added = now.inventory.devices[1].clone();
        added.id = "leaf-03".into();
        added.address = "10.0.0.3:22".into();
        now.inventory.devices.push(added);
        now.inventory.devices[0].intended_config = "configs/other.yaml".into();
        assert_eq!(identity_changes(&stored, &now), vec![]);
        // Another address, another key, another user and secret path, a newly mapped user.
        let leaf1 = &mut now.inventory.devices[0];
        leaf1.address = "10.9.9.9:22".into();
        leaf1.host_keys = vec![
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJn"
                .into(),
        ];
        let leaf2 = &mut now.inventory.devices[1];
        leaf2.login_user = "admin".into();
        leaf2.password_mappings[0].secret_path = "fabrics/{fabric}/{device}".into();
        leaf2
            .password_mappings
            .push(rotor_inventory::PasswordMapping {
                username: "admin".into(),
                secret_type: "Admin".into(),
                secret_path: "fabrics/{fabric}/admin".into(),
            });
        let changes = identity_changes(&stored, &now);
        let fields = |device: &str, fields: &[&str]| IdentityChange {
            device_id: device.into(),
            fields: fields.iter().map(|f| f.to_string()).collect(),
        };
        assert_eq!(
            changes,
            vec![
                fields("leaf-01", &["address", "hostKeys"]),
                fields(
                    "leaf-02",
                    &[
                        "loginUser",
                        "passwordMappings[cumulus].secretPath",
                        "passwordMappings[admin].secretPath"
                    ]
                ),
            ]
        );
        assert_eq!(
            describe(&changes),
            "leaf-01: address, hostKeys; leaf-02: loginUser, passwordMappings[cumulus].secretPath, passwordMappings[admin].secretPath"
        );
        // Another mount is another secret for every known device.
        let mut mounted = import(BEFORE);
        mounted.inventory.fabric.secrets_mount = "network".into();
        assert_eq!(
            identity_changes(&stored, &mounted),
            vec![
                fields("leaf-01", &["secretsMount"]),
                fields("leaf-02", &["secretsMount"])
            ]
        );
    }

    fn confinement(values: &[(&str, &str)]) -> Result<Confinement, String> {
        let environment: BTreeMap<String, String> = values
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let settings = Settings::layered(None, environment).unwrap();
        Confinement::from_settings(&settings).map_err(|e| e.to_string())
    }

    #[test]
    fn the_defaults_confine_each_fabric_to_its_own_folder_of_one_mount() {
        assert_eq!(confinement(&[]).unwrap(), Confinement::default());
        let custom = confinement(&[
            ("ROTOR_SECRET_MOUNTS", "secret, network"),
            ("ROTOR_SECRET_PATH_PREFIX", "dc1/{fabric}/"),
        ])
        .unwrap();
        assert_eq!(custom.mounts, ["secret", "network"]);
        assert_eq!(custom.path_prefix, "dc1/{fabric}/");
    }

    #[test]
    fn a_prefix_shared_by_fabrics_or_a_bad_mount_is_refused() {
        for prefix in [
            "fabrics/",
            "fabrics/{fabric}",
            "/fabrics/{fabric}/",
            "{fabric}/../x/",
        ] {
            let error = confinement(&[("ROTOR_SECRET_PATH_PREFIX", prefix)]).unwrap_err();
            assert!(
                error.contains("ROTOR_SECRET_PATH_PREFIX"),
                "{prefix}: {error}"
            );
        }
        for mounts in [" , ", "se cret", "a.b"] {
            let error = confinement(&[("ROTOR_SECRET_MOUNTS", mounts)]).unwrap_err();
            assert!(error.contains("ROTOR_SECRET_MOUNTS"), "{mounts:?}: {error}");
        }
    }
}
