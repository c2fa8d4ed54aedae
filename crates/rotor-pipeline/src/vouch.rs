//! Jobs carry identities, not authority.
//!
//! A job names its operation and device; what it may touch comes from what Rotor stored itself:
//! the operation's plan (written by the orchestrator before any job is published) and the
//! device's inventory record. Before a stage worker does anything for a job (not even its start
//! event), [`check_job`] compares the job with the job the plan and the record make
//! ([`crate::fanout::diff_job`]): the fabric, the device (listed in the plan), the kind, the
//! fence, the users and every target's user, secret type, mount, path and version. What a job
//! carries besides its targets (an apply's previous versions and other users, a backup's held
//! versions) must be the device's own secrets ([`check_own_secrets`]), and the users it names
//! the targets' ([`check_target_users`]). A job that fails is refused: acknowledged, logged with
//! the reason, and nothing else happens, so whoever forged it learns nothing and changes nothing.
//!
//! A worker reads each prepared plan once ([`PlanCache`]): a 10,000-device plan is large, and
//! every job of the operation is checked against it.
//!
//! So a job published by someone other than Rotor cannot make a worker read another fabric's
//! secret, log in with it, push a version the plan does not hold, or put a name of its choosing
//! on a switch's command line.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use async_nats::jetstream::kv::Store;
use rotor_bus::BusError;
use rotor_proto::v1::{DeviceJob, SecretReference, SecretTarget};

use crate::records::{DeviceRecord, OperationPlan, load_plan};

/// An operation's plan as a worker checks jobs against it (with its devices as a set: a plan
/// lists every device of the operation, and every job of it is checked).
#[derive(Debug)]
pub struct KnownPlan {
    /// The plan.
    pub plan: OperationPlan,
    devices: HashSet<String>,
}

impl KnownPlan {
    /// Indexes `plan`.
    pub fn new(plan: OperationPlan) -> KnownPlan {
        let devices = plan.device_ids.iter().cloned().collect();
        KnownPlan { plan, devices }
    }

    /// Whether the operation covers `device_id`.
    pub fn covers(&self, device_id: &str) -> bool {
        self.devices.contains(device_id)
    }
}

/// How many prepared plans a worker keeps in memory.
const CACHED_PLANS: usize = 64;

/// The prepared plans a worker has read, by operation id: what a job is checked against does not
/// change once a plan is prepared (its devices, kind, fence, time, users and versions), so each
/// is read from the bucket once, not once per job. Plans not yet prepared are not kept.
/// Clones share one cache.
///
/// A miss is read by one job at a time (`loading`): the first hundreds of jobs of an operation
/// arrive together, and each reading its own copy of a 10,000-device plan held hundreds of MiB
/// at once in the differ.
#[derive(Clone, Debug, Default)]
pub struct PlanCache {
    plans: Arc<Mutex<HashMap<String, Arc<KnownPlan>>>>,
    loading: Arc<tokio::sync::Mutex<()>>,
}

impl PlanCache {
    /// The plan of `operation_id`; `None` when there is none.
    pub async fn get(
        &self,
        operations: &Store,
        operation_id: &str,
    ) -> Result<Option<Arc<KnownPlan>>, BusError> {
        if let Some(known) = self.cached(operation_id) {
            return Ok(Some(known));
        }
        let _loading = self.loading.lock().await;
        // Read by the job that held `loading` before this one, perhaps.
        if let Some(known) = self.cached(operation_id) {
            return Ok(Some(known));
        }
        let Some(plan) = load_plan(operations, operation_id).await? else {
            return Ok(None);
        };
        let known = Arc::new(KnownPlan::new(plan));
        if known.plan.prepared {
            let mut plans = self.plans.lock().unwrap();
            if plans.len() >= CACHED_PLANS {
                plans.clear();
            }
            plans.insert(operation_id.to_string(), known.clone());
        }
        Ok(Some(known))
    }

    fn cached(&self, operation_id: &str) -> Option<Arc<KnownPlan>> {
        self.plans.lock().unwrap().get(operation_id).cloned()
    }
}

/// Checks `job` against its operation's plan and, when the device is still in the inventory,
/// its `device` record; `Err` says why the job is refused.
pub fn check_job(
    known: Option<&KnownPlan>,
    device: Option<&DeviceRecord>,
    job: &DeviceJob,
    kind: rotor_bus::JobKind,
) -> Result<(), String> {
    let known = known.ok_or_else(|| format!("operation {:?} has no plan", job.operation_id))?;
    let plan = &known.plan;
    if plan.plan != job.plan {
        return Err(format!(
            "the job says the operation is {}a plan; operation {} is {}",
            if job.plan { "" } else { "not " },
            plan.operation_id,
            if plan.plan { "a plan" } else { "not a plan" }
        ));
    }
    // A plan changes nothing: its devices are only diffed.
    if plan.plan && kind != rotor_bus::JobKind::Diff {
        return Err(format!(
            "operation {} is a plan: it applies and backs up nothing",
            plan.operation_id
        ));
    }
    if plan.fabric_id != job.fabric_id {
        return Err(format!(
            "operation {} runs on fabric {}, not {}",
            plan.operation_id, plan.fabric_id, job.fabric_id
        ));
    }
    if !known.covers(&job.device_id) {
        return Err(format!(
            "operation {} does not cover device {:?}",
            plan.operation_id, job.device_id
        ));
    }
    if !plan.prepared {
        return Err(format!(
            "operation {} was never prepared",
            plan.operation_id
        ));
    }
    if plan.kind != job.kind || plan.lock_lease_id != job.fence {
        return Err(format!(
            "the job's kind or fence is not operation {}'s",
            plan.operation_id
        ));
    }
    if plan.accepted_time != job.accepted_time {
        return Err(format!(
            "the job's acceptance time is not operation {}'s",
            plan.operation_id
        ));
    }
    let Some(device) = device else {
        // The device left the inventory after the plan was made: the stage reports that.
        return Ok(());
    };
    let expected = crate::fanout::diff_job(plan, device, "")
        .device
        .expect("a diff job always names its device");
    if expected.users != job.users {
        return Err(format!(
            "the job's users ({}) are not the ones operation {} rotates on {} ({})",
            job.users.join(", "),
            plan.operation_id,
            job.device_id,
            expected.users.join(", ")
        ));
    }
    if !same_targets(&expected.targets, &job.targets) {
        return Err(format!(
            "the job's targets are not the versions operation {} holds for {}",
            plan.operation_id, job.device_id
        ));
    }
    Ok(())
}

/// Targets compared by what they point at (the address in a reference's `uri` is the sender's
/// view of the secrets store and is not used to read).
fn same_targets(expected: &[SecretTarget], carried: &[SecretTarget]) -> bool {
    let key = |t: &SecretTarget| {
        let r = t.reference.clone().unwrap_or_default();
        (
            t.secret_type.clone(),
            t.username.clone(),
            r.mount,
            r.path,
            r.version,
        )
    };
    expected.len() == carried.len() && expected.iter().map(key).eq(carried.iter().map(key))
}

/// Every secret in `carried` (`what` names them in the reason) is one of `device`'s own: a
/// mapped user, at its secret type, mount and path.
pub fn check_own_secrets<'a>(
    device: &DeviceRecord,
    what: &str,
    carried: impl IntoIterator<Item = &'a SecretTarget>,
) -> Result<(), String> {
    for secret in carried {
        let own = device
            .device
            .mapping_for(&secret.username)
            .is_some_and(|mapping| {
                let path = mapping.resolved_path(&device.fabric_id, &device.device.id);
                let reference = secret.reference.as_ref();
                mapping.secret_type == secret.secret_type
                    && reference.is_some_and(|r: &SecretReference| {
                        r.mount == device.secrets_mount && r.path == path
                    })
            });
        if !own {
            return Err(format!(
                "the job's {what} name a secret that is not {}'s (user {:?})",
                device.device.id, secret.username
            ));
        }
    }
    Ok(())
}

/// Every user in `users` (`what` names them in the reason) is one of the job's target users.
pub fn check_target_users<'a>(
    job: &DeviceJob,
    what: &str,
    users: impl IntoIterator<Item = &'a String>,
) -> Result<(), String> {
    for user in users {
        if !job.targets.iter().any(|t| &t.username == user) {
            return Err(format!(
                "the job's {what} name {user:?}, which is not a target user of {}",
                job.device_id
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use rotor_bus::JobKind;
    use rotor_inventory::Inventory;
    use rotor_proto::v1::RotationKind;

    use super::*;

    const INVENTORY: &str = r#"
apiVersion: rotor/v1
kind: FabricInventory
fabric:
  id: fab1
devices:
  - id: leaf-01
    role: Leaf
    platform: cumulus
    address: 127.0.0.1:2201
    hostKey: ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl
    loginUser: admin
    passwordMappings:
      - username: admin
        secretType: AdminRW
        secretPath: fabrics/{fabric}/AdminRW
      - username: breakglass
        secretType: BreakGlass
        secretPath: fabrics/{fabric}/{device}/BreakGlass
    intendedConfig: leaf-01.yaml
"#;

    fn device() -> DeviceRecord {
        let inventory = Inventory::from_yaml(INVENTORY).expect("the test inventory is valid");
        DeviceRecord {
            fabric_id: "fab1".into(),
            secrets_mount: "secret".into(),
            device: inventory.devices[0].clone(),
            intended_config_version: "v1".into(),
        }
    }

    fn plan() -> OperationPlan {
        OperationPlan {
            operation_id: "op-1".into(),
            kind: RotationKind::FabricRotatePassword as i32,
            fabric_id: "fab1".into(),
            request_id: String::new(),
            requested_by: "test".into(),
            accepted_time: "2026-12-02T00:00:00.000Z".into(),
            device_ids: vec!["leaf-01".into()],
            users: vec!["admin".into()],
            versions: BTreeMap::from([("fabrics/fab1/AdminRW".to_string(), 4)]),
            lock_lease_id: "lease-1".into(),
            fanout_complete: true,
            prepared: true,
            release: None,
            skipped: Default::default(),
            plan: false,
        }
    }

    fn job() -> DeviceJob {
        crate::fanout::diff_job(&plan(), &device(), "http://127.0.0.1:8200")
            .device
            .unwrap()
    }

    fn known() -> KnownPlan {
        KnownPlan::new(plan())
    }

    fn refused(job: &DeviceJob) -> String {
        check_job(Some(&known()), Some(&device()), job, JobKind::Diff)
            .expect_err("the job is refused")
    }

    #[test]
    fn the_job_rotor_made_is_taken() {
        assert_eq!(
            check_job(Some(&known()), Some(&device()), &job(), JobKind::Diff),
            Ok(())
        );
        // The secrets store's address in a reference is the sender's view; it does not matter.
        let mut elsewhere = job();
        elsewhere.targets[0].reference.as_mut().unwrap().uri = "https://bao.example/v1".into();
        assert_eq!(
            check_job(Some(&known()), Some(&device()), &elsewhere, JobKind::Diff),
            Ok(())
        );
        // A device removed since: the stage reports it.
        assert_eq!(
            check_job(Some(&known()), None, &job(), JobKind::Diff),
            Ok(())
        );
    }

    #[test]
    fn a_job_without_its_operation_is_refused() {
        let reason = check_job(None, Some(&device()), &job(), JobKind::Diff).unwrap_err();
        assert!(reason.contains("has no plan"), "{reason}");
        let mut unprepared = plan();
        unprepared.prepared = false;
        let unprepared = KnownPlan::new(unprepared);
        assert!(check_job(Some(&unprepared), Some(&device()), &job(), JobKind::Diff).is_err());
    }

    #[test]
    fn a_job_pointing_at_another_secret_is_refused() {
        for change in [
            |r: &mut SecretReference| r.path = "fabrics/fab2/AdminRW".into(),
            |r: &mut SecretReference| r.mount = "other".into(),
            |r: &mut SecretReference| r.version = 3,
        ] {
            let mut forged = job();
            change(forged.targets[0].reference.as_mut().unwrap());
            assert!(refused(&forged).contains("targets"));
        }
        let mut extra = job();
        extra.targets.push(extra.targets[0].clone());
        assert!(refused(&extra).contains("targets"));
    }

    #[test]
    fn a_job_with_other_users_kind_fence_or_device_is_refused() {
        let mut forged = job();
        forged.users = vec!["admin; touch /tmp/pwned".into()];
        forged.targets[0].username = "admin; touch /tmp/pwned".into();
        assert!(refused(&forged).contains("users"));
        let mut forged = job();
        forged.fence = String::new();
        assert!(refused(&forged).contains("fence"));
        let mut forged = job();
        forged.kind = RotationKind::FabricResyncPassword as i32;
        assert!(refused(&forged).contains("kind"));
        let mut forged = job();
        forged.device_id = "spine-01".into();
        assert!(refused(&forged).contains("does not cover"));
        let mut forged = job();
        forged.fabric_id = "fab2".into();
        assert!(refused(&forged).contains("fabric fab1"));
        // A plan's job said to be a real one (or the reverse).
        let mut forged = job();
        forged.plan = true;
        assert!(refused(&forged).contains("plan"));
    }

    #[test]
    fn a_plans_operation_takes_only_diff_jobs() {
        let mut plan = plan();
        plan.plan = true;
        let known = KnownPlan::new(plan.clone());
        let mut job = job();
        job.plan = true;
        assert_eq!(
            check_job(Some(&known), Some(&device()), &job, JobKind::Diff),
            Ok(())
        );
        for kind in [JobKind::Apply, JobKind::Backup] {
            let refusal = check_job(Some(&known), Some(&device()), &job, kind).unwrap_err();
            assert!(refusal.contains("plan"), "{refusal}");
        }
    }

    #[test]
    fn carried_secrets_must_be_the_devices_own() {
        let device = device();
        let own = |user: &str, kind: &str, path: &str| SecretTarget {
            secret_type: kind.into(),
            username: user.into(),
            reference: Some(rotor_secrets::reference("", "secret", path, 2)),
        };
        let mine = [
            own("admin", "AdminRW", "fabrics/fab1/AdminRW"),
            own(
                "breakglass",
                "BreakGlass",
                "fabrics/fab1/leaf-01/BreakGlass",
            ),
        ];
        assert_eq!(
            check_own_secrets(&device, "previous versions", &mine),
            Ok(())
        );
        for foreign in [
            own("admin", "AdminRW", "fabrics/fab2/AdminRW"),
            own("admin", "BreakGlass", "fabrics/fab1/AdminRW"),
            own("root", "AdminRW", "fabrics/fab1/AdminRW"),
            SecretTarget {
                reference: None,
                ..mine[0].clone()
            },
        ] {
            let reason = check_own_secrets(&device, "previous versions", [&foreign]).unwrap_err();
            assert!(reason.contains("previous versions"), "{reason}");
        }
        let mut other_mount = mine[0].clone();
        other_mount.reference.as_mut().unwrap().mount = "kv".into();
        assert!(check_own_secrets(&device, "others", [&other_mount]).is_err());
    }

    #[test]
    fn named_users_must_be_targets() {
        let job = job();
        assert_eq!(
            check_target_users(&job, "changing users", &["admin".to_string()]),
            Ok(())
        );
        let reason =
            check_target_users(&job, "changing users", &["$(reboot)".to_string()]).unwrap_err();
        assert!(reason.contains("changing users"), "{reason}");
    }
}
