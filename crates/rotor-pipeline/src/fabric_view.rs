//! The fabric-level picture, derived from device statuses: which devices succeeded or failed in
//! their last operation and how many distinct password sets are live.

use std::collections::{BTreeSet, HashMap};

use rotor_proto::v1::{DeviceStatus, FabricStatus, OperationState, OperationStatus};

/// The password set a device holds: its secret types with the version of each, or `None` when
/// nothing is known. With per-device secret paths the versions are compared by number, which
/// stays aligned while rotations are fabric-wide.
pub fn password_set_key(status: &DeviceStatus) -> Option<String> {
    let mut parts: Vec<String> = status
        .secrets
        .iter()
        .filter_map(|secret| {
            let reference = secret.secret_archive_reference.as_ref()?;
            (reference.version > 0).then(|| format!("{}@{}", secret.secret_type, reference.version))
        })
        .collect();
    if parts.is_empty() {
        return None;
    }
    parts.sort();
    parts.dedup();
    Some(parts.join(","))
}

/// The number of distinct password sets among `statuses`.
pub fn unique_password_set_count<'a>(statuses: impl IntoIterator<Item = &'a DeviceStatus>) -> u32 {
    statuses
        .into_iter()
        .filter_map(password_set_key)
        .collect::<BTreeSet<_>>()
        .len() as u32
}

/// The fabric status from its devices' statuses and its last operation.
pub fn fabric_status(
    fabric_id: &str,
    device_ids: &[String],
    statuses: &HashMap<String, DeviceStatus>,
    last_operation: Option<&OperationStatus>,
) -> FabricStatus {
    fabric_status_with(
        fabric_id,
        device_ids,
        |device_id| statuses.get(device_id),
        last_operation,
    )
}

/// Like [`fabric_status`], with the statuses looked up by `status_of` (so a caller holding them
/// in another shape need not copy them).
pub fn fabric_status_with<'a>(
    fabric_id: &str,
    device_ids: &[String],
    status_of: impl Fn(&str) -> Option<&'a DeviceStatus>,
    last_operation: Option<&OperationStatus>,
) -> FabricStatus {
    let mut succeeded = Vec::new();
    let mut failed = Vec::new();
    let mut last_rotation_time = String::new();
    let mut known = Vec::new();
    for device_id in device_ids {
        let Some(status) = status_of(device_id) else {
            continue;
        };
        known.push(status);
        match OperationState::try_from(status.last_result) {
            Ok(OperationState::Succeeded) => succeeded.push(device_id.clone()),
            Ok(OperationState::Failed) => failed.push(device_id.clone()),
            _ => {}
        }
        if status.last_rotation_time > last_rotation_time {
            last_rotation_time.clone_from(&status.last_rotation_time);
        }
    }
    succeeded.sort();
    failed.sort();
    FabricStatus {
        fabric_id: fabric_id.to_string(),
        last_rotation_time,
        state: last_operation.map_or(OperationState::Unspecified as i32, |op| op.status),
        total_devices: device_ids.len() as u32,
        succeeded_device_ids: succeeded,
        failed_device_ids: failed,
        unique_password_set_count: unique_password_set_count(known),
        last_operation_id: last_operation.map(|op| op.id.clone()).unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rotor_proto::v1::{SecretReference, SecretStatus};

    fn device(version: u32, result: OperationState) -> DeviceStatus {
        DeviceStatus {
            secrets: vec![SecretStatus {
                secret_type: "AdminRW".into(),
                secret_archive_reference: Some(SecretReference {
                    version,
                    ..Default::default()
                }),
                ..Default::default()
            }],
            last_result: result as i32,
            ..Default::default()
        }
    }

    #[test]
    fn sets_and_lists_are_derived() {
        let ids: Vec<String> = ["a", "b", "c", "d"].iter().map(|s| s.to_string()).collect();
        let statuses = HashMap::from([
            ("a".to_string(), device(2, OperationState::Succeeded)),
            ("b".to_string(), device(2, OperationState::Succeeded)),
            ("c".to_string(), device(1, OperationState::Failed)),
        ]);
        let status = fabric_status("f", &ids, &statuses, None);
        assert_eq!(status.total_devices, 4);
        assert_eq!(status.succeeded_device_ids, vec!["a", "b"]);
        assert_eq!(status.failed_device_ids, vec!["c"]);
        assert_eq!(status.unique_password_set_count, 2);
        assert_eq!(password_set_key(&DeviceStatus::default()), None);
    }
}
