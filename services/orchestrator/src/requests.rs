//! A rotation request's path from arrival to fan-out.
//!
//! 1. Validation: kind, names safe as subject tokens, user names, sizes.
//! 2. A repeated request id returns the first answer (stored in the requests bucket) and does
//!    nothing again; a concurrent duplicate waits for the first to answer.
//! 3. Guardrails, each refused with `OperationNotAllowed` and what to do: unknown fabric or
//!    device, fabric upgrading or upgrade failed, fabric locked by another fabric-wide operation,
//!    too many live password sets (rotate only), `ROTOR_MAX_RUNNING_OPERATIONS` operations
//!    running on other fabrics.
//! 4. The fabric lock, taken atomically with a lease.
//! 5. Secret versions: new ones generated and written (rotate), or the newest stored (rotate with
//!    use-stored, resync). The store unreachable: refused before any device is touched.
//! 6. The operation plan and status are written, then one job per device is published.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use bytes::Bytes;
use prost::Message;
use rotor_bus::lease::{self, Acquired, Lease, now_unix_ms};
use rotor_bus::names::{filters, keys};
use rotor_bus::{BusError, kv};
use rotor_inventory::{UpgradeStatus, check_name, check_username};
use rotor_pipeline::records::{
    DeviceRecord, FabricRecord, OperationPlan, load_devices, load_fabric, store_plan,
};
use rotor_proto::v1::{
    DeviceStatus, Error, ErrorCode, FabricStatus, OperationState, OperationStatus, RequestAccepted,
    RequestRejected, RotationKind, RotationReply, RotationRequest, SynchronizationStatus,
    rotation_reply::Outcome,
};

use crate::Orchestrator;

/// The start of a request id's marker while its first copy is handled.
const MARKER_PREFIX: &str = "handling:";

/// How long a request id's marker may stand before it counts as left by a dead orchestrator.
const MARKER_STALE: Duration = Duration::from_secs(120);

/// Who has a request id.
enum Claim {
    /// This copy handles it (the marker's revision).
    Ours(u64),
    /// Another copy is handling it.
    Busy,
    /// It was answered before.
    Answered(RotationReply),
}

/// Whether an answer is final for its request id: accepted, or refused as invalid. Guardrail
/// refusals and an unreachable store may change, so the same request may be sent again.
fn is_final(reply: &RotationReply) -> bool {
    match &reply.outcome {
        Some(Outcome::Accepted(_)) => true,
        Some(Outcome::Rejected(rejected)) => rejected
            .error
            .as_ref()
            .is_some_and(|e| e.code == ErrorCode::InvalidRequest as i32),
        None => false,
    }
}

/// Which API method a request came through (the bus takes both kinds).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// The gRPC `Rotate` method: only `FabricRotatePassword` and `DeviceRotatePassword` are
    /// accepted.
    Rotate,
    /// The gRPC `Resync` method: only `FabricResyncPassword` and `DeviceResyncPassword` are
    /// accepted.
    Resync,
    /// The bus request subject `rotor.requests.<fabric>`: any of the four kinds.
    Either,
}

/// A rejection answer with `code` and `message`; nothing was done.
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

pub(crate) fn not_allowed(message: impl Into<String>) -> RotationReply {
    rejected(ErrorCode::OperationNotAllowed, message)
}

/// Checks a request's shape; the message says what to fix.
pub fn validate(request: &RotationRequest, method: Method) -> Result<RotationKind, RotationReply> {
    let invalid = |message: String| Err(rejected(ErrorCode::InvalidRequest, message));
    let kind = RotationKind::try_from(request.kind).unwrap_or(RotationKind::Unspecified);
    let is_rotate = kind.is_rotate();
    match (kind, method) {
        (RotationKind::Unspecified, _) => {
            return invalid("kind must be FabricRotatePassword, FabricResyncPassword, DeviceRotatePassword or DeviceResyncPassword".into());
        }
        (RotationKind::ResumeOperation | RotationKind::CancelOperation, _) => {
            return invalid(format!(
                "{} is a bus request kind (sent to the fabric's request subject with operationId); over gRPC call {} instead",
                kind.as_str_name(),
                kind.as_str_name()
            ));
        }
        (
            RotationKind::SetSchedule | RotationKind::PauseSchedule | RotationKind::ResumeSchedule,
            _,
        ) => {
            return invalid(format!(
                "{} is a bus request kind (sent to the fabric's request subject); over gRPC call {} instead",
                kind.as_str_name(),
                kind.as_str_name()
            ));
        }
        (RotationKind::ReleaseDevice, _) => {
            return invalid(
                "ReleaseDevice is a bus request kind (sent to the fabric's request subject with one device id); over gRPC call ReleaseDevice instead".into(),
            );
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
    if !request.operation_id.is_empty() {
        return invalid(
            "operationId is for ResumeOperation and CancelOperation requests only".into(),
        );
    }
    if request.schedule.is_some() {
        return invalid("schedule is for SetSchedule requests only".into());
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
    if let Some(policy) = &request.rollout
        && let Err(problem) = apply_rollout(None, policy)
    {
        return invalid(format!("rollout: {problem}"));
    }
    Ok(kind)
}

impl Orchestrator {
    /// Handles one request end to end and returns the answer (also for a repeated id).
    ///
    /// A request id is claimed with a marker (`handling:<unix ms>`) before the request runs, so
    /// a concurrent copy waits for the first answer; a marker older than [`MARKER_STALE`] was
    /// left by an orchestrator that died while handling it and is taken over. Only final
    /// answers are kept for the id (accepted, or refused as invalid): a refusal that can change
    /// (a guardrail, the store unreachable) is not, so the same request can succeed later.
    pub async fn submit(&self, request: RotationRequest, method: Method) -> RotationReply {
        let kind = RotationKind::try_from(request.kind)
            .map_or("unknown", |k| k.as_str_name())
            .to_string();
        let reply = self.submit_counted(request, method).await;
        let outcome = match &reply.outcome {
            Some(Outcome::Accepted(_)) => "accepted",
            Some(Outcome::Rejected(rejected)) => rejected
                .error
                .as_ref()
                .and_then(|e| ErrorCode::try_from(e.code).ok())
                .map_or("unknown", |c| c.as_str_name()),
            None => "unknown",
        };
        rotor_metrics::metrics()
            .requests
            .get_or_create(&rotor_metrics::KindOutcome {
                kind,
                outcome: outcome.to_string(),
            })
            .inc();
        reply
    }

    /// [`Self::submit`] without the count in `rotor_requests_total`.
    async fn submit_counted(&self, request: RotationRequest, method: Method) -> RotationReply {
        let kind = match validate(&request, method) {
            Ok(kind) => kind,
            Err(reply) => return reply,
        };
        if request.request_id.is_empty() {
            return self.execute(request, kind).await;
        }
        let key = keys::request(&request.fabric_id, &request.request_id);
        for _ in 0..300 {
            match self.claim_request(&key).await {
                Ok(Claim::Ours(revision)) => {
                    let reply = self.execute(request, kind).await;
                    self.record_answer(&key, revision, &reply).await;
                    return reply;
                }
                Ok(Claim::Answered(reply)) => return reply,
                // The first copy of this request is still being handled.
                Ok(Claim::Busy) => tokio::time::sleep(Duration::from_millis(100)).await,
                Err(error) if error.is_full() => {
                    return not_allowed(
                        "the request-id bucket is full (ROTOR_REQUESTS_MAX_BYTES): retry without a request id, once older ids expire (ROTOR_REQUEST_ID_RETENTION_SECS), or raise the limit",
                    );
                }
                Err(error) => return internal(error),
            }
        }
        rejected(
            ErrorCode::OperationNotAllowed,
            "a request with this id is still being handled; ask again later",
        )
    }

    /// Takes a request id for this copy, or finds its answer or its handler.
    async fn claim_request(&self, key: &str) -> Result<Claim, BusError> {
        let requests = &self.topology.requests;
        let marker = || Bytes::from(format!("{MARKER_PREFIX}{}", now_unix_ms()));
        if let Some(revision) = kv::compare_and_set(requests, key, marker(), 0).await? {
            return Ok(Claim::Ours(revision));
        }
        let Some(stored) = kv::get_bytes(requests, key).await? else {
            return Ok(Claim::Busy);
        };
        let Some(since) = stored
            .value
            .strip_prefix(MARKER_PREFIX.as_bytes())
            .and_then(|rest| std::str::from_utf8(rest).ok()?.parse::<i64>().ok())
        else {
            return Ok(Claim::Answered(
                RotationReply::decode(stored.value).unwrap_or_else(|e| {
                    rejected(
                        ErrorCode::InternalError,
                        format!("stored answer unreadable: {e}"),
                    )
                }),
            ));
        };
        if now_unix_ms() - since < MARKER_STALE.as_millis() as i64 {
            return Ok(Claim::Busy);
        }
        // Its handler is gone: take it over (only one copy wins the compare-and-set).
        Ok(
            match kv::compare_and_set(requests, key, marker(), stored.revision).await? {
                Some(revision) => Claim::Ours(revision),
                None => Claim::Busy,
            },
        )
    }

    /// Keeps a final answer for the request id; gives the id back otherwise.
    async fn record_answer(&self, key: &str, revision: u64, reply: &RotationReply) {
        let requests = &self.topology.requests;
        let result = if is_final(reply) {
            kv::compare_and_set(requests, key, Bytes::from(reply.encode_to_vec()), revision)
                .await
                .map(|_| ())
        } else {
            requests
                .delete_expect_revision(key, Some(revision))
                .await
                .map_err(|e| BusError::JetStream {
                    what: format!("give back request id {key}"),
                    reason: e.to_string(),
                })
        };
        if let Err(error) = result {
            tracing::warn!(%error, "could not record the answer to a request");
        }
    }

    async fn execute(&self, request: RotationRequest, kind: RotationKind) -> RotationReply {
        match self.try_execute(request, kind).await {
            Ok(reply) | Err(reply) => reply,
        }
    }

    /// Guardrails, device selection, the lock, versions, plan and fan-out.
    async fn try_execute(
        &self,
        request: RotationRequest,
        kind: RotationKind,
    ) -> Result<RotationReply, RotationReply> {
        let fabric_id = request.fabric_id.clone();
        let fabric = load_fabric(&self.topology, &fabric_id)
            .await
            .map_err(internal)?
            .ok_or_else(|| not_allowed(format!("fabric {fabric_id} is not in the inventory; import it with `rotor inventory import`")))?;
        refuse_while_upgrading(&fabric)?;
        let devices = load_devices(&self.topology, &fabric)
            .await
            .map_err(internal)?;
        let statuses = self.device_statuses(&fabric_id).await?;
        if kind.is_rotate() {
            self.refuse_too_many_sets(&fabric_id, &statuses).await?;
        }
        let mut selected = select_devices(kind, &request, &devices, &statuses)?;
        // A fabric-wide operation leaves quarantined devices out (device operations do not:
        // that is how a fixed device proves itself).
        let mut skipped = BTreeMap::new();
        if request.device_ids.is_empty() {
            let records = rotor_pipeline::quarantine::load_all(&self.topology, &fabric_id)
                .await
                .map_err(internal)?;
            selected.retain(|device| match records.get(&device.device.id) {
                Some(record) if record.is_quarantined() => {
                    skipped.insert(device.device.id.clone(), record.reason());
                    false
                }
                _ => true,
            });
        }
        let mut plan = OperationPlan {
            operation_id: uuid::Uuid::now_v7().to_string(),
            kind: kind as i32,
            fabric_id: fabric_id.clone(),
            request_id: request.request_id.clone(),
            requested_by: request.requested_by.clone(),
            accepted_time: rotor_bus::now_rfc3339(),
            device_ids: selected.iter().map(|d| d.device.id.clone()).collect(),
            users: request.users.clone(),
            versions: BTreeMap::new(),
            lock_lease_id: String::new(),
            fanout_complete: false,
            prepared: false,
            release: None,
            skipped,
            plan: request.plan,
        };
        let rollout = match &request.rollout {
            Some(policy) => {
                apply_rollout(fabric.fabric.rollout.clone(), policy).map_err(|problem| {
                    rejected(ErrorCode::InvalidRequest, format!("rollout: {problem}"))
                })?
            }
            None => fabric.fabric.rollout.clone(),
        };
        if let Some(rollout) = &rollout {
            let all: Vec<rotor_inventory::Device> =
                devices.iter().map(|d| d.device.clone()).collect();
            rollout.validate(&all).map_err(|(field, problem)| {
                rejected(ErrorCode::InvalidRequest, format!("{field}: {problem}"))
            })?;
        }
        let members: Vec<&rotor_inventory::Device> = selected.iter().map(|d| &d.device).collect();
        // A plan reports on every device: no canary, no brake (the fabric's concurrency still
        // holds).
        let release_policy = match (&rollout, request.plan) {
            (Some(rollout), true) => Some(rotor_inventory::rollout::Rollout {
                canary: rotor_inventory::rollout::Canary::None,
                concurrency: rollout.concurrency,
                ..Default::default()
            }),
            (rollout, _) => rollout.clone(),
        };
        plan.release = Some(rotor_inventory::rollout::release_plan(
            release_policy.as_ref(),
            &members,
        ));
        if selected.is_empty() {
            return self.finish_empty(plan).await;
        }
        self.refuse_without_room(plan.device_ids.len()).await?;
        let lock = FabricLockGuard::take(self, &fabric_id, &plan).await?;
        // Counted with this fabric's lock held: requests for several fabrics arriving together
        // each see the others' locks, so together they never pass the limit.
        if let Err(reply) = self.refuse_too_many_running(&fabric_id).await {
            lock.release().await;
            return Err(reply);
        }
        plan.lock_lease_id = lock.lease_id().to_string();
        // A plan writes no version: its devices are diffed against the current ones (a
        // rotation's with a throwaway password, in the differ).
        let fresh = kind.is_rotate() && !request.use_stored && !request.plan;
        // The plan first: an orchestrator that dies while writing secret versions leaves a plan
        // that recovery ends (and the versions it wrote, which the next rotation reuses).
        let prepared = async {
            store_plan(&self.topology.operations, &plan)
                .await
                .map_err(internal)?;
            plan.versions = self
                .allocate_versions(&plan, &selected, &devices, &statuses, fresh)
                .await?;
            plan.prepared = true;
            self.write_plan(&plan).await
        }
        .await;
        if let Err(reply) = prepared {
            self.forget_plan(&plan.operation_id).await;
            lock.release().await;
            return Err(reply);
        }
        // From here the operation owns the lock: the aggregator releases it when it ends.
        lock.hand_over();
        Ok(self.fan_out(plan, selected).await)
    }

    /// Refuses a new operation while `ROTOR_MAX_RUNNING_OPERATIONS` run on other fabrics: the
    /// fabric locks operations hold (holder `rotor:<operation>`, live). Checked once this
    /// fabric's lock is held (requests racing for the last place may all be refused, never all
    /// accepted).
    async fn refuse_too_many_running(&self, fabric_id: &str) -> Result<(), RotationReply> {
        let max = self.config.limits.max_running_operations;
        let own = keys::fabric_lock(fabric_id);
        let now = now_unix_ms();
        let running = kv::scan_json::<Lease>(&self.topology.leases, &filters::fabric_locks())
            .await
            .map_err(internal)?
            .into_iter()
            .filter(|(key, lease)| {
                *key != own
                    && lease.holder.starts_with(OPERATION_HOLDER)
                    && lease.holder != crate::import::IMPORT_HOLDER
                    && !lease.is_expired(now)
            })
            .count();
        if running >= max {
            return Err(not_allowed(format!(
                "{running} operations are running on other fabrics, the most ROTOR_MAX_RUNNING_OPERATIONS allows ({max}); retry when one ends"
            )));
        }
        Ok(())
    }

    /// Refuses a new operation the operations or results bucket has no room for
    /// (`ROTOR_OPERATIONS_MAX_BYTES`): accepted, it could not record its devices' results, and
    /// its end would never be written. Old operations expire (`ROTOR_OPERATION_RETENTION_SECS`).
    async fn refuse_without_room(&self, devices: usize) -> Result<(), RotationReply> {
        // A plan, a status and a result per device are well under this each.
        let needed = 64 * 1024 + devices as u64 * 2048;
        for store in [&self.topology.operations, &self.topology.operation_results] {
            let (used, max) = kv::usage(store).await.map_err(internal)?;
            if max >= 0 && used + needed > max as u64 {
                return Err(not_allowed(format!(
                    "the {} bucket is too full for an operation on {devices} devices ({used} of {max} bytes used, {} allows): old operations expire after ROTOR_OPERATION_RETENTION_SECS; raise the limit or retry later",
                    store.name,
                    rotor_bus::limit_setting(&store.name),
                )));
            }
        }
        Ok(())
    }

    /// Removes the plan of a request that was refused while it was prepared.
    async fn forget_plan(&self, operation_id: &str) {
        let key = keys::operation_plan(operation_id);
        if let Err(error) = self.topology.operations.purge(&key).await {
            tracing::warn!(%error, operation = operation_id, "could not remove a refused operation's plan; recovery ends it");
        }
    }

    async fn device_statuses(
        &self,
        fabric_id: &str,
    ) -> Result<HashMap<String, DeviceStatus>, RotationReply> {
        Ok(kv::scan_messages::<DeviceStatus>(
            &self.topology.device_status,
            &filters::devices_of(fabric_id),
        )
        .await
        .map_err(internal)?
        .into_iter()
        .map(|(_, status)| (status.device_id.clone(), status))
        .collect())
    }

    /// A rotate is refused while the fabric has more live password sets than the limit.
    async fn refuse_too_many_sets(
        &self,
        fabric_id: &str,
        statuses: &HashMap<String, DeviceStatus>,
    ) -> Result<(), RotationReply> {
        let stored =
            kv::get_message::<FabricStatus>(&self.topology.fabric_status, &keys::fabric(fabric_id))
                .await
                .map_err(internal)?;
        let count = match stored {
            Some(status) => status.value.unique_password_set_count,
            None => rotor_pipeline::fabric_view::unique_password_set_count(statuses.values()),
        };
        let limit = self.config.password_set_limit;
        if count > limit {
            return Err(not_allowed(format!(
                "fabric {fabric_id} has {count} password sets live (limit {limit}); run `rotor fabric resync-password --fabric {fabric_id}` to converge it first"
            )));
        }
        Ok(())
    }

    /// Nothing to do (a resync of a converged fabric): the operation ends at once, unless
    /// another fabric-wide operation holds the fabric.
    async fn finish_empty(&self, mut plan: OperationPlan) -> Result<RotationReply, RotationReply> {
        let lock_key = keys::fabric_lock(&plan.fabric_id);
        if let Some(holder) = lease::current(&self.topology.leases, &lock_key, now_unix_ms())
            .await
            .map_err(internal)?
        {
            return Err(locked_by(&plan.fabric_id, &holder));
        }
        plan.fanout_complete = true;
        plan.prepared = true;
        let mut status = operation_status(&plan);
        status.status = OperationState::Succeeded as i32;
        status.percent_complete = 100;
        status.end_time = plan.accepted_time.clone();
        store_plan(&self.topology.operations, &plan)
            .await
            .map_err(internal)?;
        kv::put_message(
            &self.topology.operations,
            &keys::operation(&plan.operation_id),
            &status,
        )
        .await
        .map_err(internal)?;
        self.audit.record(plan.end_record(&status));
        Ok(accepted(&plan))
    }

    /// The plan first, so a crash during fan-out can be finished by another copy.
    async fn write_plan(&self, plan: &OperationPlan) -> Result<(), RotationReply> {
        store_plan(&self.topology.operations, plan)
            .await
            .map_err(internal)?;
        kv::put_message(
            &self.topology.operations,
            &keys::operation(&plan.operation_id),
            &operation_status(plan),
        )
        .await
        .map_err(internal)?;
        Ok(())
    }

    /// Hands the operation to the dispatcher (its release record); an interrupted hand-over
    /// is finished by recovery.
    async fn fan_out(
        &self,
        mut plan: OperationPlan,
        selected: Vec<&DeviceRecord>,
    ) -> RotationReply {
        match crate::dispatch::start(self, &plan).await {
            Ok(()) => {
                plan.fanout_complete = true;
                if let Err(error) = store_plan(&self.topology.operations, &plan).await {
                    tracing::warn!(%error, "could not mark the hand-over complete; recovery will do it again (idempotent)");
                }
            }
            Err(error) => {
                tracing::warn!(%error, operation = %plan.operation_id, "hand-over to the dispatcher interrupted; recovery will finish it");
            }
        }
        tracing::info!(operation = %plan.operation_id, fabric = %plan.fabric_id, kind = plan.kind().as_str_name(), devices = selected.len(), "operation accepted");
        accepted(&plan)
    }
}

/// Takes the fabric lock for `plan`'s operation (a resume takes it again); the refusal names
/// the holder.
pub(crate) async fn take_fabric_lock(
    orchestrator: &Orchestrator,
    plan: &OperationPlan,
) -> Result<Lease, RotationReply> {
    let key = keys::fabric_lock(&plan.fabric_id);
    let lease_ms = orchestrator.config.lock_lease.as_millis() as i64;
    match lease::acquire(
        &orchestrator.topology.leases,
        &key,
        &format!("{OPERATION_HOLDER}{}", plan.operation_id),
        plan.kind().as_str_name(),
        lease_ms,
        now_unix_ms(),
    )
    .await
    .map_err(internal)?
    {
        Acquired::Yes(lease) => Ok(lease),
        Acquired::HeldBy(holder) => Err(locked_by(&plan.fabric_id, &holder)),
    }
}

/// Takes the fabric lock again for a resumed operation, under its plan's lease id (its jobs'
/// fence stays the same).
pub(crate) async fn retake_fabric_lock(
    orchestrator: &Orchestrator,
    plan: &OperationPlan,
) -> Result<Lease, RotationReply> {
    let key = keys::fabric_lock(&plan.fabric_id);
    let lease_ms = orchestrator.config.lock_lease.as_millis() as i64;
    match lease::reacquire(
        &orchestrator.topology.leases,
        &key,
        &format!("{OPERATION_HOLDER}{}", plan.operation_id),
        plan.kind().as_str_name(),
        &plan.lock_lease_id,
        lease_ms,
        now_unix_ms(),
    )
    .await
    .map_err(internal)?
    {
        Acquired::Yes(lease) => Ok(lease),
        Acquired::HeldBy(holder) => Err(locked_by(&plan.fabric_id, &holder)),
    }
}

/// The message of a refusal.
pub(crate) fn reply_message(reply: &RotationReply) -> String {
    match &reply.outcome {
        Some(Outcome::Rejected(rejected)) => rejected
            .error
            .as_ref()
            .map(|e| e.message.clone())
            .unwrap_or_default(),
        _ => String::new(),
    }
}

/// The fabric's rollout policy with a request's overrides; the problem names the field.
pub fn apply_rollout(
    fabric: Option<rotor_inventory::rollout::Rollout>,
    policy: &rotor_proto::v1::RolloutPolicy,
) -> Result<Option<rotor_inventory::rollout::Rollout>, String> {
    use rotor_inventory::rollout::{Canary, Share};
    let empty = rotor_proto::v1::RolloutPolicy::default();
    if *policy == empty {
        return Ok(fabric);
    }
    let mut rollout = fabric.unwrap_or_default();
    let share = |field: &str, text: &str| -> Result<Option<Share>, String> {
        if text.is_empty() {
            return Ok(None);
        }
        Share::parse(text)
            .map(Some)
            .map_err(|e| format!("{field}: {e}"))
    };
    if !policy.canary.is_empty() && !policy.canary_devices.is_empty() {
        return Err("give canary or canaryDevices, not both".into());
    }
    if !policy.canary.is_empty() {
        rollout.canary = Canary::parse(&policy.canary).map_err(|e| format!("canary: {e}"))?;
    }
    if !policy.canary_devices.is_empty() {
        for device in &policy.canary_devices {
            check_name(device).map_err(|p| format!("canaryDevices: {p}"))?;
        }
        rollout.canary = Canary::Devices(policy.canary_devices.clone());
    }
    if let Some(size) = share("waveSize", &policy.wave_size)? {
        rollout.wave_size = Some(size);
    }
    if !policy.role_order.is_empty() {
        rollout.role_order = policy
            .role_order
            .iter()
            .map(|role| {
                rotor_inventory::rollout::parse_role(role)
                    .ok_or_else(|| format!("roleOrder: {role:?} is not a role (Spine, Leaf, Border, CE, ToR, NPB, TS, Management)"))
            })
            .collect::<Result<_, _>>()?;
    }
    if policy.pause_secs > 0 {
        if policy.pause_secs > 86_400 {
            return Err("pauseSecs: at most 86400 (a day)".into());
        }
        rollout.pause_secs = policy.pause_secs;
    }
    if let Some(max) = share("maxCanaryFailures", &policy.max_canary_failures)? {
        rollout.max_canary_failures = Some(max);
    }
    if let Some(max) = share("maxWaveFailures", &policy.max_wave_failures)? {
        rollout.max_wave_failures = Some(max);
    }
    if let Some(max) = share("maxFailures", &policy.max_failures)? {
        rollout.max_failures = Some(max);
    }
    if policy.concurrency > 0 {
        rollout.concurrency = Some(policy.concurrency);
    }
    Ok(Some(rollout))
}

/// The fabric lock an accepted request takes; given back when dropped unless the operation
/// took it over ([`FabricLockGuard::hand_over`]).
struct FabricLockGuard<'a> {
    orchestrator: &'a Orchestrator,
    key: String,
    lease: Option<Lease>,
}

impl<'a> FabricLockGuard<'a> {
    async fn take(
        orchestrator: &'a Orchestrator,
        fabric_id: &str,
        plan: &OperationPlan,
    ) -> Result<FabricLockGuard<'a>, RotationReply> {
        let lease = take_fabric_lock(orchestrator, plan).await?;
        Ok(FabricLockGuard {
            orchestrator,
            key: keys::fabric_lock(fabric_id),
            lease: Some(lease),
        })
    }

    fn lease_id(&self) -> &str {
        self.lease.as_ref().map_or("", |lease| &lease.lease_id)
    }

    fn hand_over(mut self) {
        self.lease = None;
    }

    /// Gives the lock back before answering (a refused request leaves the fabric free).
    async fn release(mut self) {
        if let Some(lease) = self.lease.take() {
            release_logged(&self.orchestrator.topology.leases, &self.key, &lease).await;
        }
    }
}

async fn release_logged(leases: &async_nats::jetstream::kv::Store, key: &str, lease: &Lease) {
    if let Err(error) = lease::release(leases, key, &lease.lease_id).await {
        tracing::warn!(%error, %key, "could not give a fabric lock back; it lapses");
    }
}

impl Drop for FabricLockGuard<'_> {
    fn drop(&mut self) {
        if let Some(lease) = self.lease.take() {
            let (leases, key) = (self.orchestrator.topology.leases.clone(), self.key.clone());
            tokio::spawn(async move { release_logged(&leases, &key, &lease).await });
        }
    }
}

/// The refusal of a request while someone holds the fabric.
/// How a fabric lock an operation holds names its holder: `rotor:<operation id>`.
pub const OPERATION_HOLDER: &str = "rotor:";

fn locked_by(fabric_id: &str, holder: &Lease) -> RotationReply {
    // Rotor's own operations hold it as `rotor:<operation id>` with their kind as the purpose.
    let what = match holder.holder.strip_prefix("rotor:") {
        Some(operation_id) => format!(
            "a {} operation ({operation_id}) is running, wait for it to finish and retry",
            holder.purpose
        ),
        None => format!(
            "another system ({}) holds the fabric lock, wait for it to release the lock and retry",
            holder.holder
        ),
    };
    not_allowed(format!("{}; {what}", lock_holder_text(fabric_id, holder)))
}

/// "fabric F is locked by H (purpose) until T": how every refusal names a lock's holder.
pub fn lock_holder_text(fabric_id: &str, holder: &Lease) -> String {
    format!(
        "fabric {fabric_id} is locked by {} ({}) until {}",
        holder.holder,
        holder.purpose,
        rotor_bus::format_unix_ms(holder.expires_unix_ms)
    )
}

fn refuse_while_upgrading(fabric: &FabricRecord) -> Result<(), RotationReply> {
    let fabric_id = &fabric.fabric.id;
    match fabric.fabric.upgrade_status {
        UpgradeStatus::None => Ok(()),
        UpgradeStatus::InProgress => Err(not_allowed(format!(
            "fabric {fabric_id} is being upgraded (upgradeStatus InProgress); wait for the upgrade to finish, then retry"
        ))),
        UpgradeStatus::Failed => Err(not_allowed(format!(
            "fabric {fabric_id}'s last upgrade failed (upgradeStatus Failed); recover the upgrade first, then retry"
        ))),
    }
}

/// The devices an operation covers: those named, or for a fabric resync those that need it,
/// or every device of the fabric.
fn select_devices<'a>(
    kind: RotationKind,
    request: &RotationRequest,
    devices: &'a [DeviceRecord],
    statuses: &HashMap<String, DeviceStatus>,
) -> Result<Vec<&'a DeviceRecord>, RotationReply> {
    let by_id: HashMap<&str, &DeviceRecord> =
        devices.iter().map(|d| (d.device.id.as_str(), d)).collect();
    if !request.device_ids.is_empty() {
        let selected = request
            .device_ids
            .iter()
            .map(|device| {
                by_id.get(device.as_str()).copied().ok_or_else(|| {
                    not_allowed(format!(
                        "device {device} is not in fabric {}",
                        request.fabric_id
                    ))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        for device in &selected {
            refuse_unmapped_users(kind, request, device)?;
        }
        return Ok(selected);
    }
    // A fabric-wide operation for some users covers the devices that map one of them, and
    // every user asked for must be mapped somewhere (a typo would otherwise do nothing).
    let maps_one = |device: &&DeviceRecord| {
        request.users.is_empty()
            || request
                .users
                .iter()
                .any(|user| device.device.mapping_for(user).is_some())
    };
    if let Some(user) = request
        .users
        .iter()
        .find(|user| !devices.iter().any(|d| d.device.mapping_for(user).is_some()))
    {
        return Err(rejected(
            ErrorCode::InvalidRequest,
            format!(
                "no device of fabric {} maps user {user}; add a password mapping for it to the inventory, or leave it out",
                request.fabric_id
            ),
        ));
    }
    Ok(match kind {
        RotationKind::FabricResyncPassword => devices
            .iter()
            .filter(maps_one)
            .filter(|device| needs_resync(statuses.get(&device.device.id)))
            .collect(),
        _ => devices.iter().filter(maps_one).collect(),
    })
}

/// A device operation for a user the device does not map cannot succeed: refused before the
/// fabric is locked, naming the device, the user and the users it maps.
fn refuse_unmapped_users(
    kind: RotationKind,
    request: &RotationRequest,
    device: &DeviceRecord,
) -> Result<(), RotationReply> {
    let default_user = [device.device.login_user.clone()];
    let users: &[String] = match (request.users.is_empty(), kind) {
        (false, _) => &request.users,
        (true, RotationKind::DeviceRotatePassword) => &default_user,
        (true, _) => return Ok(()),
    };
    let Some(user) = users
        .iter()
        .find(|user| device.device.mapping_for(user).is_none())
    else {
        return Ok(());
    };
    let mapped: Vec<&str> = device
        .device
        .password_mappings
        .iter()
        .map(|m| m.username.as_str())
        .collect();
    Err(rejected(
        ErrorCode::InvalidRequest,
        format!(
            "device {} does not map user {user} (it maps {}); add a password mapping for {user} to the inventory and import it, or name a mapped user",
            device.device.id,
            if mapped.is_empty() {
                "none".to_string()
            } else {
                mapped.join(", ")
            }
        ),
    ))
}

fn internal(error: BusError) -> RotationReply {
    rejected(ErrorCode::InternalError, error.to_string())
}

fn accepted(plan: &OperationPlan) -> RotationReply {
    RotationReply {
        outcome: Some(Outcome::Accepted(RequestAccepted {
            operation_id: plan.operation_id.clone(),
            kind: plan.kind,
            fabric_id: plan.fabric_id.clone(),
            submitted_device_count: plan.device_ids.len() as u32,
        })),
    }
}

/// The first status of an accepted operation.
fn operation_status(plan: &OperationPlan) -> OperationStatus {
    OperationStatus {
        id: plan.operation_id.clone(),
        kind: plan.kind,
        fabric_id: plan.fabric_id.clone(),
        status: OperationState::InProgress as i32,
        start_time: plan.accepted_time.clone(),
        total_devices: plan.device_ids.len() as u32,
        request_id: plan.request_id.clone(),
        requested_by: plan.requested_by.clone(),
        skipped_devices: skipped_devices(plan),
        plan: plan.plan,
        ..Default::default()
    }
}

/// The devices `plan` left out, as results with error `Quarantined` and the reason.
pub(crate) fn skipped_devices(plan: &OperationPlan) -> Vec<rotor_proto::v1::DeviceResult> {
    plan.skipped
        .iter()
        .map(|(device, reason)| rotor_proto::v1::DeviceResult {
            resource_id: device.clone(),
            status: OperationState::Failed as i32,
            error: Some(rotor_proto::v1::Error {
                code: ErrorCode::Quarantined as i32,
                message: reason.clone(),
            }),
            ..Default::default()
        })
        .collect()
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
                fabric_id: "fab.*".into(), // names-check: allow (a hostile name)
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
