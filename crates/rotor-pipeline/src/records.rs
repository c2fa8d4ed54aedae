//! The records Rotor keeps in key-value buckets besides the protobuf statuses: imported
//! fabrics and devices, operation plans and stage marks.

use std::collections::BTreeMap;

use async_nats::jetstream::kv::Store;
use rotor_bus::audit::AuditRecord;
use rotor_bus::names::{StageMark, filters, keys};
use rotor_bus::{BusError, Topology, kv};
use rotor_inventory::{Device, Fabric};
use rotor_proto::v1::{RotationKind, SecretTarget};
use serde::{Deserialize, Serialize};

/// A fabric as imported: key `<fabric>` in the inventory bucket.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FabricRecord {
    /// The fabric's inventory entry.
    pub fabric: Fabric,
    /// The ids of the fabric's devices, in inventory order; only these device records count.
    pub device_ids: Vec<String>,
    /// When the inventory was imported (RFC 3339).
    pub imported_time: String,
}

/// A device as imported: key `<fabric>.<device>` in the inventory bucket.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceRecord {
    /// The fabric the device belongs to.
    pub fabric_id: String,
    /// The fabric's KV v2 mount, where the device's secrets live.
    pub secrets_mount: String,
    /// The device's inventory entry.
    pub device: Device,
    /// The version of the intended configuration stored for the device.
    pub intended_config_version: String,
}

impl DeviceRecord {
    /// The secret path of `username` on this device, with placeholders resolved.
    pub fn secret_path(&self, username: &str) -> Option<String> {
        self.device
            .mapping_for(username)
            .map(|m| m.resolved_path(&self.fabric_id, &self.device.id))
    }
}

/// Reads a fabric's record; `None` when the fabric was never imported.
pub async fn load_fabric(
    topology: &Topology,
    fabric_id: &str,
) -> Result<Option<FabricRecord>, BusError> {
    Ok(kv::get_json(&topology.inventory, &keys::fabric(fabric_id))
        .await?
        .map(|v| v.value))
}

/// Reads a device's record; `None` when no such device was imported.
pub async fn load_device(
    topology: &Topology,
    fabric_id: &str,
    device_id: &str,
) -> Result<Option<DeviceRecord>, BusError> {
    Ok(
        kv::get_json(&topology.inventory, &keys::device(fabric_id, device_id))
            .await?
            .map(|v| v.value),
    )
}

/// The device records of a fabric's device list, in its order. Only the devices the fabric
/// record lists are returned: a record left behind by an interrupted import is never selected.
pub async fn load_devices(
    topology: &Topology,
    fabric: &FabricRecord,
) -> Result<Vec<DeviceRecord>, BusError> {
    let mut stored: std::collections::HashMap<String, DeviceRecord> =
        kv::scan_json::<DeviceRecord>(&topology.inventory, &filters::devices_of(&fabric.fabric.id))
            .await?
            .into_iter()
            .map(|(_, record)| (record.device.id.clone(), record))
            .collect();
    Ok(fabric
        .device_ids
        .iter()
        .filter_map(|id| stored.remove(id))
        .collect())
}

/// Reads a device's intended configuration (NVUE startup YAML); `None` when none is stored.
pub async fn load_intended_config(
    topology: &Topology,
    fabric_id: &str,
    device_id: &str,
) -> Result<Option<String>, BusError> {
    Ok(kv::get_bytes(
        &topology.intended_configs,
        &keys::device(fabric_id, device_id),
    )
    .await?
    .map(|v| String::from_utf8_lossy(&v.value).into_owned()))
}

/// What an accepted operation will do: key `<operation>.plan` in the operations bucket, written
/// before any job is published so that a crashed orchestrator's fan-out can be finished by
/// another copy.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OperationPlan {
    /// The operation's id.
    pub operation_id: String,
    /// The request kind, a `RotationKind` as its number; see [`OperationPlan::kind`].
    pub kind: i32,
    /// The fabric the operation runs on.
    pub fabric_id: String,
    /// The request id the caller gave; empty when it gave none (then a repeat is not detected).
    pub request_id: String,
    /// Who asked, as the request names them (at most 200 characters).
    pub requested_by: String,
    /// When the request was accepted (RFC 3339).
    pub accepted_time: String,
    /// The devices the operation covers.
    pub device_ids: Vec<String>,
    /// The users asked for (empty: every mapped user, or the login user for a device rotate).
    pub users: Vec<String>,
    /// Secret path -> the version every device using it must end up holding.
    pub versions: BTreeMap<String, u32>,
    /// The fabric lock's lease, released when the operation ends.
    pub lock_lease_id: String,
    /// Set once every job is published.
    pub fanout_complete: bool,
    /// Set once the plan's versions are allocated (a plan is written first with none, so an
    /// orchestrator that dies while writing secret versions leaves a plan recovery can end).
    #[serde(default = "prepared_by_default")]
    pub prepared: bool,
    /// The order the orchestrator releases the devices in, cut into waves with their failure
    /// limits (`rotor_inventory::rollout`); `None` (plans from before rollouts): one wave of
    /// every device.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release: Option<rotor_inventory::rollout::ReleasePlan>,
    /// Devices of the fabric a fabric-wide operation left out, with why (quarantined: device
    /// id -> the reason); not in `device_ids`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub skipped: BTreeMap<String, String>,
    /// A plan (dry run): no secret version written, nothing applied, no device status changed;
    /// each device's result is its verdict.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub plan: bool,
}

fn prepared_by_default() -> bool {
    true
}

impl OperationPlan {
    /// The versions the operation pushes, as references without a mount (for the audit).
    pub fn version_references(&self) -> Vec<rotor_proto::v1::SecretReference> {
        self.versions
            .iter()
            .map(|(path, version)| rotor_proto::v1::SecretReference {
                path: path.clone(),
                version: *version,
                ..Default::default()
            })
            .collect()
    }

    /// The audit record of this operation's end (`status` its final status), in the name of
    /// who asked for it: its devices, the versions it pushed, succeeded or failed with the
    /// operation's error. Every place an operation ends records it.
    pub fn end_record(&self, status: &rotor_proto::v1::OperationStatus) -> AuditRecord {
        use rotor_bus::audit;
        let succeeded = status.status() == rotor_proto::v1::OperationState::Succeeded;
        let error = status.error.clone().unwrap_or_default();
        AuditRecord {
            identity: self.requested_by.clone(),
            channel: audit::channel::ROTOR.into(),
            verb: audit::OPERATION_END.into(),
            fabric_id: self.fabric_id.clone(),
            device_ids: self.device_ids.clone(),
            versions: self.version_references(),
            outcome: if succeeded {
                audit::SUCCEEDED
            } else {
                audit::FAILED
            }
            .into(),
            code: if succeeded {
                String::new()
            } else {
                error.code().as_str_name().to_string()
            },
            message: error.message,
            operation_id: self.operation_id.clone(),
            ..Default::default()
        }
    }

    /// The request kind; `Unspecified` if the stored number is not a known kind.
    pub fn kind(&self) -> RotationKind {
        RotationKind::try_from(self.kind).unwrap_or(RotationKind::Unspecified)
    }

    /// The users this operation rotates on `device`: those asked for (a fabric-wide operation
    /// only those `device` maps, so on a fabric where devices map different users each device
    /// gets its own), or by default every mapped user (the login user for a device rotate).
    pub fn users_for(&self, device: &DeviceRecord) -> Vec<String> {
        let device_kind = matches!(
            self.kind(),
            RotationKind::DeviceRotatePassword | RotationKind::DeviceResyncPassword
        );
        if !self.users.is_empty() {
            return self
                .users
                .iter()
                .filter(|user| device_kind || device.device.mapping_for(user).is_some())
                .cloned()
                .collect();
        }
        match self.kind() {
            RotationKind::DeviceRotatePassword => vec![device.device.login_user.clone()],
            _ => device
                .device
                .password_mappings
                .iter()
                .map(|m| m.username.clone())
                .collect(),
        }
    }

    /// The targets of `device`: one per requested user that has a mapping.
    pub fn targets_for(
        &self,
        device: &DeviceRecord,
        reference: impl Fn(&str, &str, u32) -> rotor_proto::v1::SecretReference,
    ) -> Vec<SecretTarget> {
        self.users_for(device)
            .iter()
            .filter_map(|user| {
                let mapping = device.device.mapping_for(user)?;
                let path = mapping.resolved_path(&device.fabric_id, &device.device.id);
                let version = *self.versions.get(&path)?;
                Some(SecretTarget {
                    secret_type: mapping.secret_type.clone(),
                    username: user.clone(),
                    reference: Some(reference(&device.secrets_mount, &path, version)),
                })
            })
            .collect()
    }
}

/// Reads an operation's plan; `None` when there is none.
pub async fn load_plan(
    operations: &Store,
    operation_id: &str,
) -> Result<Option<OperationPlan>, BusError> {
    Ok(
        kv::get_json(operations, &keys::operation_plan(operation_id))
            .await?
            .map(|v| v.value),
    )
}

/// Writes (or rewrites) an operation's plan.
pub async fn store_plan(operations: &Store, plan: &OperationPlan) -> Result<(), BusError> {
    kv::put_json(operations, &keys::operation_plan(&plan.operation_id), plan)
        .await
        .map(|_| ())
}

/// The key of a stage mark of `job`'s device in its operation. A mark records that a stage's
/// side effect happened (or is under way), so a redelivered job does not repeat it.
pub fn stage_mark_key(job: &rotor_proto::v1::DeviceJob, mark: StageMark) -> String {
    keys::stage_mark(&job.fabric_id, &job.device_id, &job.operation_id, mark)
}
