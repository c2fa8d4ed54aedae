//! The fabric-level picture, derived from device statuses: which devices succeeded or failed in
//! their last operation and how many distinct password sets are live.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use rotor_proto::v1::{
    DeviceStatus, FabricStatus, OperationState, OperationStatus, SynchronizationStatus,
};

/// Which password of one secret type a device holds, for counting password sets: the current
/// one (InSync: the newest version of its secret path), or otherwise (behind the store, being
/// pushed, imported and not yet proven) the version it holds of its path, with the device's own
/// segment of a per-device path written `{device}`: devices behind at the same version of a
/// shared path hold one password, and with per-device paths the same version number is the same
/// generation. `None` when nothing is known.
fn held_state(device_id: &str, secret: &rotor_proto::v1::SecretStatus) -> Option<String> {
    let reference = secret.secret_archive_reference.as_ref()?;
    if reference.version == 0 {
        return None;
    }
    if secret.synchronization_status == SynchronizationStatus::InSync as i32 {
        return Some("current".to_string());
    }
    let template: Vec<&str> = reference
        .path
        .split('/')
        .map(|segment| {
            if segment == device_id {
                "{device}"
            } else {
                segment
            }
        })
        .collect();
    Some(format!("{}@{}", template.join("/"), reference.version))
}

/// The number of distinct password sets among `statuses`: per secret type, how many different
/// passwords the devices mapping it hold (the current one, or an older version of a path), and
/// the largest of those counts. So a converged fabric has 1 whichever users each device maps,
/// and with a password per device (`{device}` paths) devices that are all current count as one
/// set; a partial rotation gives 2 (the new password and the old one). docs/bus.md defines it
/// for users of the API.
pub fn unique_password_set_count<'a>(statuses: impl IntoIterator<Item = &'a DeviceStatus>) -> u32 {
    let mut per_type: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for status in statuses {
        for secret in &status.secrets {
            if let Some(state) = held_state(&status.device_id, secret) {
                per_type
                    .entry(secret.secret_type.as_str())
                    .or_default()
                    .insert(state);
            }
        }
    }
    per_type
        .values()
        .map(|states| states.len() as u32)
        .max()
        .unwrap_or(0)
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
        // The schedule's, filled in by the API from the fabric's schedule as it answers.
        next_scheduled_rotation: String::new(),
        schedule_paused: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rotor_proto::v1::{SecretReference, SecretStatus};

    fn secret(kind: &str, version: u32, sync: SynchronizationStatus) -> SecretStatus {
        secret_at(&format!("fabrics/f/{kind}"), kind, version, sync)
    }

    fn secret_at(
        path: &str,
        kind: &str,
        version: u32,
        sync: SynchronizationStatus,
    ) -> SecretStatus {
        SecretStatus {
            secret_type: kind.into(),
            synchronization_status: sync as i32,
            secret_archive_reference: Some(SecretReference {
                path: path.into(),
                version,
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    fn named(id: &str, mut status: DeviceStatus) -> DeviceStatus {
        status.device_id = id.into();
        status
    }

    fn device(secrets: Vec<SecretStatus>, result: OperationState) -> DeviceStatus {
        DeviceStatus {
            secrets,
            last_result: result as i32,
            ..Default::default()
        }
    }

    use SynchronizationStatus::{InSync, OutOfSync, Unverified};

    #[test]
    fn sets_and_lists_are_derived() {
        let ids: Vec<String> = ["a", "b", "c", "d"].iter().map(|s| s.to_string()).collect();
        let statuses = HashMap::from([
            (
                "a".to_string(),
                device(
                    vec![secret("AdminRW", 2, InSync)],
                    OperationState::Succeeded,
                ),
            ),
            (
                "b".to_string(),
                device(
                    vec![secret("AdminRW", 2, InSync)],
                    OperationState::Succeeded,
                ),
            ),
            (
                "c".to_string(),
                device(
                    vec![secret("AdminRW", 1, OutOfSync)],
                    OperationState::Failed,
                ),
            ),
        ]);
        let status = fabric_status("f", &ids, &statuses, None);
        assert_eq!(status.total_devices, 4);
        assert_eq!(status.succeeded_device_ids, vec!["a", "b"]);
        assert_eq!(status.failed_device_ids, vec!["c"]);
        assert_eq!(status.unique_password_set_count, 2);
        assert_eq!(unique_password_set_count([&DeviceStatus::default()]), 0);
    }

    #[test]
    fn password_sets_are_counted_per_secret_type_whichever_users_a_device_maps() {
        let ok = OperationState::Succeeded;
        // A Cumulus device with two users and an NVOS device with one, all current: one set.
        let cumulus = device(
            vec![
                secret("AdminRW", 3, InSync),
                secret("BreakGlass", 1, InSync),
            ],
            ok,
        );
        let nvos = device(vec![secret("AdminRW", 3, InSync)], ok);
        assert_eq!(unique_password_set_count([&cumulus, &nvos]), 1);
        // Just imported: every device unverified at the newest version: one set.
        let imported = |v| device(vec![secret("AdminRW", v, Unverified)], ok);
        assert_eq!(unique_password_set_count([&imported(3), &imported(3)]), 1);
        // A password per device: versions differ per path, all current: one set.
        let own = |v| device(vec![secret("AdminRW", v, InSync)], ok);
        assert_eq!(unique_password_set_count([&own(4), &own(2), &own(7)]), 1);
        // A partial rotation: the current password and the old one.
        let behind = device(
            vec![secret("AdminRW", 2, OutOfSync)],
            OperationState::Failed,
        );
        assert_eq!(unique_password_set_count([&cumulus, &nvos, &behind]), 2);
        // One user's rotation failing on one device: two sets of that type, one of the other.
        let breakglass_behind = device(
            vec![
                secret("AdminRW", 3, InSync),
                secret("BreakGlass", 0, OutOfSync),
            ],
            OperationState::Failed,
        );
        assert_eq!(unique_password_set_count([&cumulus, &breakglass_behind]), 1);
        let breakglass_old = device(
            vec![
                secret("AdminRW", 3, InSync),
                secret("BreakGlass", 1, OutOfSync),
            ],
            OperationState::Failed,
        );
        assert_eq!(unique_password_set_count([&cumulus, &breakglass_old]), 2);
        // Two shared paths of one type, both behind at v2: two different old passwords.
        let behind_at = |path: &str| {
            device(
                vec![secret_at(path, "AdminRW", 2, OutOfSync)],
                OperationState::Failed,
            )
        };
        let (a, b) = (
            behind_at("fabrics/f/AdminRW"),
            behind_at("fabrics/f/nvos-AdminRW"),
        );
        assert_eq!(unique_password_set_count([&cumulus, &a, &b]), 3);
        // Per-device paths behind at the same version: one generation, one old set.
        let own_behind = |id: &str| {
            named(
                id,
                device(
                    vec![secret_at(
                        &format!("fabrics/f/{id}/AdminRW"),
                        "AdminRW",
                        2,
                        OutOfSync,
                    )],
                    OperationState::Failed,
                ),
            )
        };
        let (x, y) = (own_behind("leaf-01"), own_behind("leaf-02"));
        assert_eq!(unique_password_set_count([&cumulus, &x, &y]), 2);
    }
}
