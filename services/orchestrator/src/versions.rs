//! The secret versions an operation pushes: one per distinct secret path (devices that share a
//! path share it).
//!
//! A resync pushes the newest stored version. A rotation needs a new one, but never at the price
//! of a password a device still holds: KV v2 keeps only `max_versions` of a secret (10 unless
//! set) and removes the oldest when a newer one is written, so a device that failed several
//! rotations in a row would be left with a password nobody knows any more. So, per path:
//! - the newest version is reused when no device holds it yet (an earlier rotation that reached
//!   no device, or one whose orchestrator died before its plan was written, left it unused);
//! - otherwise a new version is written, unless that would remove a version some device holds
//!   (from device statuses and the versions Rotor last logged in with): then the request is
//!   refused with `OperationNotAllowed`, naming the devices, their versions and what to do.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use futures::StreamExt as _;
use rotor_bus::kv;
use rotor_bus::names::filters;
use rotor_pipeline::access::RememberedCredential;
use rotor_pipeline::records::{DeviceRecord, OperationPlan};
use rotor_proto::v1::{DeviceStatus, ErrorCode, RotationReply};
use rotor_secrets::{PasswordPolicy, SecretsClient, SecretsError};

use crate::Orchestrator;
use crate::requests::{not_allowed, rejected};

/// Secret versions written (or read) at once while a request is prepared.
const SECRET_WRITES_IN_FLIGHT: usize = 16;

/// A secret, by mount and path.
type Secret = (String, String);

/// Which device holds which version of each secret.
type Holders = HashMap<Secret, Vec<(String, u32)>>;

/// What became of one path.
enum Allocated {
    Version(u32),
    Missing,
    WouldEvict(String),
    Failed(SecretsError),
    Generation(String),
}

impl Orchestrator {
    /// The version of every secret path `selected` devices map for `plan`'s users: new ones
    /// (`fresh`, a rotation) or the newest stored (a resync, or a rotation with useStored).
    pub(crate) async fn allocate_versions(
        &self,
        plan: &OperationPlan,
        selected: &[&DeviceRecord],
        all: &[DeviceRecord],
        statuses: &HashMap<String, DeviceStatus>,
        fresh: bool,
    ) -> Result<BTreeMap<String, u32>, RotationReply> {
        let mut paths: BTreeMap<Secret, BTreeSet<String>> = BTreeMap::new();
        for device in selected {
            for user in plan.users_for(device) {
                if let Some(path) = device.secret_path(&user) {
                    paths
                        .entry((device.secrets_mount.clone(), path))
                        .or_default()
                        .insert(user);
                }
            }
        }
        let limit = self.config.limits.max_secret_writes;
        if fresh && paths.len() > limit {
            return Err(not_allowed(format!(
                "the rotation would write {} secret versions, more than the {limit} one request may write (ROTOR_MAX_SECRET_WRITES_PER_REQUEST); rotate fewer devices or users per request, or raise the setting",
                paths.len()
            )));
        }
        let holders = if fresh {
            self.holders(&plan.fabric_id, all, statuses).await?
        } else {
            Holders::new()
        };
        let (policy, secrets) = (&self.config.password_policy, &self.secrets);
        let holders = &holders;
        let results: Vec<(Secret, Allocated)> = futures::stream::iter(paths)
            .map(|(secret, users)| async move {
                let allocated = if fresh {
                    let held = holders.get(&secret).map(Vec::as_slice).unwrap_or_default();
                    new_version(secrets, policy, &secret, &users, held).await
                } else {
                    match secrets.newest_version(&secret.0, &secret.1).await {
                        Ok(Some(version)) => Allocated::Version(version),
                        Ok(None) => Allocated::Missing,
                        Err(error) => Allocated::Failed(error),
                    }
                };
                (secret, allocated)
            })
            .buffered(SECRET_WRITES_IN_FLIGHT)
            .collect()
            .await;
        let mut allocated = BTreeMap::new();
        for ((mount, path), result) in results {
            let version = match result {
                Allocated::Version(version) => version,
                Allocated::Missing => {
                    return Err(not_allowed(format!(
                        "the secrets store has no version of {mount}/{path}; write the password there first"
                    )));
                }
                Allocated::WouldEvict(message) => return Err(not_allowed(message)),
                Allocated::Failed(error) => {
                    return Err(rejected(
                        ErrorCode::SecretsUnavailable,
                        format!(
                            "{error}; nothing was changed on any device, retry when the store is back"
                        ),
                    ));
                }
                Allocated::Generation(error) => {
                    return Err(rejected(ErrorCode::InternalError, error));
                }
            };
            allocated.insert(path, version);
        }
        Ok(allocated)
    }

    /// Which version of which secret each device of the fabric holds: what its status says,
    /// and the version Rotor last logged in with (either may be the older).
    async fn holders(
        &self,
        fabric_id: &str,
        all: &[DeviceRecord],
        statuses: &HashMap<String, DeviceStatus>,
    ) -> Result<Holders, RotationReply> {
        let mut holders = Holders::new();
        for status in statuses.values() {
            for reference in status
                .secrets
                .iter()
                .filter_map(|s| s.secret_archive_reference.as_ref())
                .filter(|r| r.version > 0)
            {
                holders
                    .entry((reference.mount.clone(), reference.path.clone()))
                    .or_default()
                    .push((status.device_id.clone(), reference.version));
            }
        }
        let remembered = kv::scan_json::<RememberedCredential>(
            &self.topology.credentials,
            &filters::devices_of(fabric_id),
        )
        .await
        .map_err(|e| rejected(ErrorCode::InternalError, e.to_string()))?;
        let mounts: HashMap<&str, &str> = all
            .iter()
            .map(|d| (d.device.id.as_str(), d.secrets_mount.as_str()))
            .collect();
        for (key, credential) in remembered {
            let Some((_, device)) = rotor_bus::names::keys::parse_device(&key) else {
                continue;
            };
            if let Some(mount) = mounts.get(device) {
                holders
                    .entry((mount.to_string(), credential.path.clone()))
                    .or_default()
                    .push((device.to_string(), credential.version));
            }
        }
        Ok(holders)
    }
}

/// A rotation's version of one secret: the newest when no device holds it yet, else a new one
/// unless writing it would remove a version a device holds.
async fn new_version(
    secrets: &SecretsClient,
    policy: &PasswordPolicy,
    (mount, path): &Secret,
    users: &BTreeSet<String>,
    held: &[(String, u32)],
) -> Allocated {
    let retention = match secrets.retention(mount, path).await {
        Ok(retention) => retention,
        Err(error) => return Allocated::Failed(error),
    };
    if retention.newest > 0 && held.iter().all(|(_, version)| *version < retention.newest) {
        return Allocated::Version(retention.newest);
    }
    let oldest_kept = retention.oldest_after_write();
    let mut evicted: Vec<&(String, u32)> = held.iter().filter(|(_, v)| *v < oldest_kept).collect();
    if !evicted.is_empty() {
        evicted.sort();
        evicted.dedup();
        let listed: Vec<String> = evicted
            .iter()
            .take(10)
            .map(|(device, version)| format!("{device} holds version {version}"))
            .collect();
        return Allocated::WouldEvict(format!(
            "a new version of {mount}/{path} would remove versions older than {oldest_kept} from the store (it keeps {}), but {}; resync those devices first (rotor fabric resync-password), or raise the secret's max_versions (bao kv metadata put -max-versions=N -mount={mount} {path}), then rotate again",
            retention.keeps,
            listed.join(", ")
        ));
    }
    let avoid: Vec<&str> = users.iter().map(String::as_str).collect();
    match policy.generate_avoiding(&avoid) {
        Ok(password) => match secrets.write(mount, path, &password).await {
            Ok(version) => Allocated::Version(version),
            Err(error) => Allocated::Failed(error),
        },
        Err(error) => Allocated::Generation(error.to_string()),
    }
}
