//! A rotation request's path from arrival to fan-out.
//!
//! 1. Validation: kind, names safe as subject tokens, user names, sizes.
//! 2. A repeated request id returns the first answer (stored in the requests bucket) and does
//!    nothing again; a concurrent duplicate waits for the first to answer.
//! 3. Guardrails, each refused with `OperationNotAllowed` and what to do: unknown fabric or
//!    device, fabric upgrading or upgrade failed, fabric locked by another fabric-wide operation,
//!    too many live password sets (rotate only).
//! 4. The fabric lock, taken atomically with a lease.
//! 5. Secret versions: new ones generated and written (rotate), or the newest stored (rotate with
//!    use-stored, resync). The store unreachable: refused before any device is touched.
//! 6. The operation plan and status are written, then one job per device is published.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::Duration;

use bytes::Bytes;
use futures::StreamExt as _;
use prost::Message;
use rotor_bus::lease::{self, Acquired, now_unix_ms};
use rotor_bus::{kv, names};
use rotor_inventory::{UpgradeStatus, check_name, check_username};
use rotor_pipeline::fanout;
use rotor_pipeline::records::{
    DeviceRecord, OperationPlan, fabric_lock_key, load_devices, load_fabric, plan_key,
};
use rotor_proto::v1::{
    DeviceStatus, Error, ErrorCode, FabricStatus, OperationState, OperationStatus, RequestAccepted,
    RequestRejected, RotationKind, RotationReply, RotationRequest, SynchronizationStatus,
    rotation_reply::Outcome,
};

use crate::Orchestrator;

/// Secret versions written (or read) at once while a request is prepared.
const SECRET_WRITES_IN_FLIGHT: usize = 16;

/// Which API method a request came through (the bus takes both kinds).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Rotate,
    Resync,
    Either,
}

pub fn rejected(code: ErrorCode, message: impl Into<String>) -> RotationReply {
    RotationReply {
        outcome: Some(Outcome::Rejected(RequestRejected {
            error: Some(Error {
                code: code as i32,
                message: message.into(),
            }),
        })),
    }
}

fn not_allowed(message: impl Into<String>) -> RotationReply {
    rejected(ErrorCode::OperationNotAllowed, message)
}

/// Checks a request's shape; the message says what to fix.
pub fn validate(request: &RotationRequest, method: Method) -> Result<RotationKind, RotationReply> {
    let invalid = |message: String| Err(rejected(ErrorCode::InvalidRequest, message));
    let kind = RotationKind::try_from(request.kind).unwrap_or(RotationKind::Unspecified);
    let is_rotate = matches!(
        kind,
        RotationKind::FabricRotatePassword | RotationKind::DeviceRotatePassword
    );
    match (kind, method) {
        (RotationKind::Unspecified, _) => {
            return invalid("kind must be FabricRotatePassword, FabricResyncPassword, DeviceRotatePassword or DeviceResyncPassword".into());
        }
        (_, Method::Rotate) if !is_rotate => {
            return invalid(format!(
                "{} is not a rotate; call Resync",
                kind.as_str_name()
            ));
        }
        (_, Method::Resync) if is_rotate => {
            return invalid(format!(
                "{} is not a resync; call Rotate",
                kind.as_str_name()
            ));
        }
        _ => {}
    }
    if let Err(problem) = check_name(&request.fabric_id) {
        return invalid(format!("fabricId {problem}"));
    }
    for device in &request.device_ids {
        if let Err(problem) = check_name(device) {
            return invalid(format!("deviceIds: {problem}"));
        }
    }
    let is_device_kind = matches!(
        kind,
        RotationKind::DeviceRotatePassword | RotationKind::DeviceResyncPassword
    );
    if is_device_kind && request.device_ids.len() != 1 {
        return invalid(format!(
            "{} needs exactly one device id, got {}",
            kind.as_str_name(),
            request.device_ids.len()
        ));
    }
    if kind == RotationKind::DeviceRotatePassword && request.users.len() > 1 {
        return invalid("a device rotate rotates one user; give at most one".into());
    }
    for user in &request.users {
        if let Err(problem) = check_username(user) {
            return invalid(format!("users: {problem}"));
        }
    }
    if request.use_stored && !is_rotate {
        return invalid(
            "useStored applies to rotations only; a resync always pushes the stored versions"
                .into(),
        );
    }
    if request.request_id.len() > 200 || request.requested_by.len() > 200 {
        return invalid("requestId and requestedBy are at most 200 characters".into());
    }
    Ok(kind)
}

impl Orchestrator {
    /// Handles one request end to end and returns the answer (also for a repeated id).
    pub async fn submit(&self, request: RotationRequest, method: Method) -> RotationReply {
        let kind = match validate(&request, method) {
            Ok(kind) => kind,
            Err(reply) => return reply,
        };
        if request.request_id.is_empty() {
            return self.execute(request, kind).await;
        }
        let key = names::digest_key(&format!("{}\0{}", request.fabric_id, request.request_id));
        for _ in 0..300 {
            match kv::compare_and_set(&self.topology.requests, &key, Bytes::new(), 0).await {
                Ok(Some(_)) => {
                    let reply = self.execute(request, kind).await;
                    if let Err(error) = self
                        .topology
                        .requests
                        .put(&key, Bytes::from(reply.encode_to_vec()))
                        .await
                    {
                        tracing::warn!(%error, "could not record the answer to a request");
                    }
                    return reply;
                }
                Ok(None) => match kv::get_bytes(&self.topology.requests, &key).await {
                    Ok(Some(first)) if !first.value.is_empty() => {
                        return RotationReply::decode(first.value).unwrap_or_else(|e| {
                            rejected(
                                ErrorCode::InternalError,
                                format!("stored answer unreadable: {e}"),
                            )
                        });
                    }
                    // The first copy of this request is still being handled.
                    Ok(_) => tokio::time::sleep(Duration::from_millis(100)).await,
                    Err(error) => return rejected(ErrorCode::InternalError, error.to_string()),
                },
                Err(error) => return rejected(ErrorCode::InternalError, error.to_string()),
            }
        }
        rejected(
            ErrorCode::OperationNotAllowed,
            "a request with this id is still being handled; ask again later",
        )
    }

    async fn execute(&self, request: RotationRequest, kind: RotationKind) -> RotationReply {
        match self.try_execute(request, kind).await {
            Ok(reply) | Err(reply) => reply,
        }
    }

    async fn try_execute(
        &self,
        request: RotationRequest,
        kind: RotationKind,
    ) -> Result<RotationReply, RotationReply> {
        let internal = |e: rotor_bus::BusError| rejected(ErrorCode::InternalError, e.to_string());
        let fabric_id = request.fabric_id.clone();
        let fabric = load_fabric(&self.topology, &fabric_id)
            .await
            .map_err(internal)?
            .ok_or_else(|| not_allowed(format!("fabric {fabric_id} is not in the inventory; import it with `rotor inventory import`")))?;
        match fabric.fabric.upgrade_status {
            UpgradeStatus::None => {}
            UpgradeStatus::InProgress => {
                return Err(not_allowed(format!(
                    "fabric {fabric_id} is being upgraded (upgradeStatus InProgress); wait for the upgrade to finish, then retry"
                )));
            }
            UpgradeStatus::Failed => {
                return Err(not_allowed(format!(
                    "fabric {fabric_id}'s last upgrade failed (upgradeStatus Failed); recover the upgrade first, then retry"
                )));
            }
        }
        let devices = load_devices(&self.topology, &fabric_id)
            .await
            .map_err(internal)?;
        let by_id: HashMap<&str, &DeviceRecord> =
            devices.iter().map(|d| (d.device.id.as_str(), d)).collect();
        for device in &request.device_ids {
            if !by_id.contains_key(device.as_str()) {
                return Err(not_allowed(format!(
                    "device {device} is not in fabric {fabric_id}"
                )));
            }
        }
        let is_rotate = matches!(
            kind,
            RotationKind::FabricRotatePassword | RotationKind::DeviceRotatePassword
        );

        let statuses: HashMap<String, DeviceStatus> = kv::scan_messages::<DeviceStatus>(
            &self.topology.device_status,
            &format!("{fabric_id}.*"),
        )
        .await
        .map_err(internal)?
        .into_iter()
        .map(|(_, status)| (status.device_id.clone(), status))
        .collect();
        if is_rotate {
            let count =
                match kv::get_message::<FabricStatus>(&self.topology.fabric_status, &fabric_id)
                    .await
                    .map_err(internal)?
                {
                    Some(status) => status.value.unique_password_set_count,
                    None => {
                        rotor_pipeline::fabric_view::unique_password_set_count(statuses.values())
                    }
                };
            if count > self.config.password_set_limit {
                return Err(not_allowed(format!(
                    "fabric {fabric_id} has {count} password sets live (limit {}); run `rotor fabric resync-password --fabric {fabric_id}` to converge it first",
                    self.config.password_set_limit
                )));
            }
        }

        let selected: Vec<&DeviceRecord> = match kind {
            RotationKind::FabricResyncPassword if request.device_ids.is_empty() => devices
                .iter()
                .filter(|device| needs_resync(statuses.get(&device.device.id)))
                .collect(),
            _ if request.device_ids.is_empty() => devices.iter().collect(),
            _ => request
                .device_ids
                .iter()
                .map(|id| by_id[id.as_str()])
                .collect(),
        };

        let operation_id = uuid::Uuid::now_v7().to_string();
        let accepted_time = rotor_bus::now_rfc3339();
        let accepted = |count: usize| RotationReply {
            outcome: Some(Outcome::Accepted(RequestAccepted {
                operation_id: operation_id.clone(),
                kind: kind as i32,
                fabric_id: fabric_id.clone(),
                submitted_device_count: count as u32,
            })),
        };
        let mut plan = OperationPlan {
            operation_id: operation_id.clone(),
            kind: kind as i32,
            fabric_id: fabric_id.clone(),
            request_id: request.request_id.clone(),
            requested_by: request.requested_by.clone(),
            accepted_time: accepted_time.clone(),
            device_ids: selected.iter().map(|d| d.device.id.clone()).collect(),
            users: request.users.clone(),
            versions: BTreeMap::new(),
            lock_lease_id: String::new(),
            fanout_complete: false,
        };
        let mut status = OperationStatus {
            id: operation_id.clone(),
            kind: kind as i32,
            fabric_id: fabric_id.clone(),
            status: OperationState::InProgress as i32,
            start_time: accepted_time.clone(),
            total_devices: selected.len() as u32,
            request_id: request.request_id.clone(),
            requested_by: request.requested_by.clone(),
            ..Default::default()
        };
        let lock_key = fabric_lock_key(&fabric_id);
        if selected.is_empty() {
            // Nothing to do (a resync of a converged fabric): the operation ends at once, unless
            // another fabric-wide operation holds the fabric.
            if let Some(holder) = lease::current(&self.topology.leases, &lock_key, now_unix_ms())
                .await
                .map_err(internal)?
            {
                return Err(not_allowed(format!(
                    "fabric {fabric_id} is locked by {} ({}) until {}; another fabric-wide operation is running, wait for it to finish and retry",
                    holder.holder,
                    holder.purpose,
                    format_unix_ms(holder.expires_unix_ms)
                )));
            }
            status.status = OperationState::Succeeded as i32;
            status.percent_complete = 100;
            status.end_time = accepted_time.clone();
            plan.fanout_complete = true;
            kv::put_json(&self.topology.operations, &plan_key(&operation_id), &plan)
                .await
                .map_err(internal)?;
            kv::put_message(&self.topology.operations, &operation_id, &status)
                .await
                .map_err(internal)?;
            return Ok(accepted(0));
        }

        // The fabric lock.
        let lease_ms = self.config.lock_lease.as_millis() as i64;
        let lock = match lease::acquire(
            &self.topology.leases,
            &lock_key,
            &format!("rotor:{operation_id}"),
            kind.as_str_name(),
            lease_ms,
            now_unix_ms(),
        )
        .await
        .map_err(internal)?
        {
            Acquired::Yes(lock) => lock,
            Acquired::HeldBy(holder) => {
                return Err(not_allowed(format!(
                    "fabric {fabric_id} is locked by {} ({}) until {}; another fabric-wide operation is running, wait for it to finish and retry",
                    holder.holder,
                    holder.purpose,
                    format_unix_ms(holder.expires_unix_ms)
                )));
            }
        };
        plan.lock_lease_id = lock.lease_id.clone();
        let release = || async {
            let _ = lease::release(&self.topology.leases, &lock_key, &lock.lease_id).await;
        };

        // Secret versions: one new version per distinct secret path (shared paths share it).
        let mut paths: BTreeSet<(String, String)> = BTreeSet::new();
        for device in &selected {
            for user in plan.users_for(device) {
                if let Some(path) = device.secret_path(&user) {
                    paths.insert((device.secrets_mount.clone(), path));
                }
            }
        }
        // Paths are independent: with a password per device there are thousands, so the store
        // is asked several at a time (each new version is generated with the policy first).
        let fresh = is_rotate && !request.use_stored;
        let (policy, secrets) = (&self.config.password_policy, &self.secrets);
        let versions: Vec<_> = futures::stream::iter(paths)
            .map(|(mount, path)| async move {
                let version = if fresh {
                    match policy.generate() {
                        Ok(password) => secrets.write(&mount, &path, &password).await.map(Some),
                        Err(error) => return (mount, path, Err(error.to_string())),
                    }
                } else {
                    secrets.newest_version(&mount, &path).await
                };
                (mount, path, Ok(version))
            })
            .buffered(SECRET_WRITES_IN_FLIGHT)
            .collect()
            .await;
        for (mount, path, version) in versions {
            let version = match version {
                Ok(version) => version,
                Err(error) => {
                    release().await;
                    return Err(rejected(ErrorCode::InternalError, error));
                }
            };
            match version {
                Ok(Some(version)) => {
                    plan.versions.insert(path, version);
                }
                Ok(None) => {
                    release().await;
                    return Err(not_allowed(format!(
                        "the secrets store has no version of {mount}/{path}; write the password there first"
                    )));
                }
                Err(error) => {
                    release().await;
                    return Err(rejected(
                        ErrorCode::SecretsUnavailable,
                        format!(
                            "{error}; nothing was changed on any device, retry when the store is back"
                        ),
                    ));
                }
            }
        }

        // The plan first, so a crash during fan-out can be finished by another copy.
        let written = async {
            kv::put_json(&self.topology.operations, &plan_key(&operation_id), &plan).await?;
            kv::put_message(&self.topology.operations, &operation_id, &status).await
        }
        .await;
        if let Err(error) = written {
            release().await;
            return Err(internal(error));
        }
        let records: Vec<DeviceRecord> = selected.into_iter().cloned().collect();
        let count = records.len();
        match fanout::publish_jobs(&self.bus, &plan, &records, &self.config.common.bao_address)
            .await
        {
            Ok(()) => {
                plan.fanout_complete = true;
                if let Err(error) =
                    kv::put_json(&self.topology.operations, &plan_key(&operation_id), &plan).await
                {
                    tracing::warn!(%error, "could not mark the fan-out complete; recovery will publish again (deduplicated)");
                }
            }
            Err(error) => {
                tracing::warn!(%error, operation = %operation_id, "fan-out interrupted; recovery will finish it");
            }
        }
        tracing::info!(operation = %operation_id, fabric = %fabric_id, kind = kind.as_str_name(), devices = count, "operation accepted");
        Ok(accepted(count))
    }
}

/// A device a fabric resync pushes to: any secret not InSync, or a failed last operation.
fn needs_resync(status: Option<&DeviceStatus>) -> bool {
    let Some(status) = status else {
        return true;
    };
    status.last_result == OperationState::Failed as i32
        || status.secrets.is_empty()
        || status
            .secrets
            .iter()
            .any(|s| s.synchronization_status != SynchronizationStatus::InSync as i32)
}

pub fn format_unix_ms(unix_ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(unix_ms as i128 * 1_000_000)
        .map(rotor_bus::format_time)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(reply: RotationReply) -> ErrorCode {
        match reply.outcome {
            Some(Outcome::Rejected(r)) => ErrorCode::try_from(r.error.unwrap().code).unwrap(),
            _ => panic!("not rejected"),
        }
    }

    #[test]
    fn requests_are_validated() {
        let good = RotationRequest {
            kind: RotationKind::FabricRotatePassword as i32,
            fabric_id: "fab1".into(),
            ..Default::default()
        };
        assert_eq!(
            validate(&good, Method::Rotate).unwrap(),
            RotationKind::FabricRotatePassword
        );
        assert_eq!(
            code(validate(&good, Method::Resync).unwrap_err()),
            ErrorCode::InvalidRequest
        );
        let cases = [
            RotationRequest {
                kind: 0,
                ..good.clone()
            },
            RotationRequest {
                fabric_id: "fab.*".into(),
                ..good.clone()
            },
            RotationRequest {
                device_ids: vec!["a>".into()],
                ..good.clone()
            },
            RotationRequest {
                users: vec!["$(reboot)".into()],
                ..good.clone()
            },
            RotationRequest {
                kind: RotationKind::DeviceRotatePassword as i32,
                ..good.clone()
            },
            RotationRequest {
                kind: RotationKind::FabricResyncPassword as i32,
                use_stored: true,
                ..good.clone()
            },
            RotationRequest {
                request_id: "x".repeat(201),
                ..good.clone()
            },
        ];
        for request in cases {
            assert_eq!(
                code(validate(&request, Method::Either).unwrap_err()),
                ErrorCode::InvalidRequest,
                "{request:?}"
            );
        }
    }
}
