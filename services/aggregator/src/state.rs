//! The leader's state: caches of what is in the buckets, what a batch of events changed, and
//! the writes that make it durable. The transitions themselves are [`crate::fold`]'s.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use prost::Message;
use rotor_bus::lease::HeldLease;
use rotor_bus::names::{self, filters, keys};
use rotor_bus::{Bus, BusError, Topology, kv};
use rotor_pipeline::records::{OperationPlan, load_fabric, load_plan};
use rotor_pipeline::{fabric_view, quarantine};
use rotor_proto::v1::{
    DeviceResult, DeviceStatus, Error, ErrorCode, FabricStatus, OperationState, OperationStatus,
    StageEvent,
};
use tracing::Instrument;

use crate::AggregatorConfig;
use crate::fold::{self, is_running};

/// An operation that has not finished.
struct ActiveOperation {
    status: OperationStatus,
    plan: OperationPlan,
    done: HashMap<String, DeviceResult>,
    /// The fabric lock, renewed while the operation runs (`None`: it was already lost).
    lock: Option<HeldLease>,
}

/// What the aggregator derived for one fabric.
struct FabricCache {
    device_ids: Vec<String>,
    last_operation: Option<OperationStatus>,
    dirty: bool,
    force: bool,
    last_written: Option<Instant>,
}

/// The leader's state.
pub struct Aggregation {
    bus: Bus,
    /// Where each operation's end is recorded.
    audit: rotor_bus::audit::Audit,
    topology: Topology,
    config: AggregatorConfig,
    active: HashMap<String, ActiveOperation>,
    /// fabric -> device -> status.
    devices: HashMap<String, HashMap<String, DeviceStatus>>,
    /// (fabric, secret path) -> the newest version whose success already marked every older
    /// holder of the path OutOfSync; a later success of the same version need not look again.
    superseded: HashMap<(String, String), u32>,
    fabrics: HashMap<String, FabricCache>,
    dirty_devices: HashSet<(String, String)>,
    dirty_results: Vec<(String, DeviceResult)>,
    dirty_operations: HashSet<String>,
    last_housekeeping: Instant,
    /// Operation id -> whether it is a plan, for events of operations not followed.
    plans: HashMap<String, bool>,
}

impl Aggregation {
    /// Loads every running operation.
    pub async fn load(
        bus: Bus,
        topology: Topology,
        config: AggregatorConfig,
    ) -> Result<Aggregation, BusError> {
        let mut state = Aggregation {
            audit: rotor_bus::audit::Audit::new(&bus, &config.common.instance),
            bus,
            topology,
            config,
            active: HashMap::new(),
            devices: HashMap::new(),
            superseded: HashMap::new(),
            fabrics: HashMap::new(),
            dirty_devices: HashSet::new(),
            dirty_results: Vec::new(),
            dirty_operations: HashSet::new(),
            last_housekeeping: Instant::now(),
            plans: HashMap::new(),
        };
        let operations = kv::scan_messages::<OperationStatus>(
            &state.topology.operations,
            &filters::operations(),
        )
        .await?;
        for (id, status) in operations {
            if is_running(&status) {
                state.activate(&id, status).await?;
            }
        }
        tracing::info!(running = state.active.len(), "aggregator state loaded");
        Ok(state)
    }

    /// A running operation this copy does not follow yet (just accepted): follow it now, so its
    /// fabric lock is renewed before its first device reports.
    pub async fn notice_operation(
        &mut self,
        id: &str,
        value: bytes::Bytes,
    ) -> Result<(), BusError> {
        if self.active.contains_key(id) {
            return Ok(());
        }
        if !OperationStatus::decode(value).is_ok_and(|status| is_running(&status)) {
            return Ok(());
        }
        // The watch may deliver an older write late (an operation this copy just finished):
        // only the stored status counts.
        match kv::get_message::<OperationStatus>(&self.topology.operations, &keys::operation(id))
            .await?
        {
            Some(status) if is_running(&status.value) => self.activate(id, status.value).await,
            _ => Ok(()),
        }
    }

    /// Starts following a running operation: its plan, the results it has, its fabric lock.
    async fn activate(&mut self, id: &str, status: OperationStatus) -> Result<(), BusError> {
        let Some(plan) = load_plan(&self.topology.operations, id).await? else {
            tracing::warn!(operation = id, "an operation without a plan is ignored");
            return Ok(());
        };
        let done: HashMap<String, DeviceResult> = kv::scan_messages::<DeviceResult>(
            &self.topology.operation_results,
            &filters::results_of(id),
        )
        .await?
        .into_iter()
        .map(|(_, result)| (result.resource_id.clone(), result))
        .collect();
        let lock = HeldLease::adopt(
            &self.topology.leases,
            &keys::fabric_lock(&plan.fabric_id),
            &plan.lock_lease_id,
            self.config.lock_lease,
        )
        .await?;
        if lock.is_none() {
            tracing::warn!(
                operation = id,
                "the fabric lock of a running operation was lost"
            );
        }
        // The versions it pushes are the store's newest now: every device of the fabric that
        // holds an older version of one of those paths is behind, in the operation or not (a
        // device rotate of a shared path leaves its siblings behind too).
        self.ensure_fabric(&plan.fabric_id).await?;
        // (A plan pushes nothing: no device falls behind.)
        if !plan.plan {
            for (path, version) in &plan.versions {
                self.mark_behind(&plan.fabric_id, "", path.clone(), *version);
            }
        }
        self.dirty_operations.insert(id.to_string());
        self.active.insert(
            id.to_string(),
            ActiveOperation {
                status,
                plan,
                done,
                lock,
            },
        );
        Ok(())
    }

    /// Reloads what was derived from a fabric's inventory and statuses (after an import).
    pub async fn reload_fabric(&mut self, fabric_id: &str) -> Result<(), BusError> {
        self.fabrics.remove(fabric_id);
        self.devices.remove(fabric_id);
        self.superseded.retain(|(fabric, _), _| fabric != fabric_id);
        self.ensure_fabric(fabric_id).await?;
        if let Some(cache) = self.fabrics.get_mut(fabric_id) {
            cache.dirty = true;
            cache.force = true;
        }
        self.write_fabrics().await
    }

    async fn ensure_fabric(&mut self, fabric_id: &str) -> Result<(), BusError> {
        if self.fabrics.contains_key(fabric_id) {
            return Ok(());
        }
        let device_ids = load_fabric(&self.topology, fabric_id)
            .await?
            .map(|record| record.device_ids)
            .unwrap_or_default();
        let statuses = kv::scan_messages::<DeviceStatus>(
            &self.topology.device_status,
            &filters::devices_of(fabric_id),
        )
        .await?;
        let devices = self.devices.entry(fabric_id.to_string()).or_default();
        for (key, status) in statuses {
            if let Some((_, device_id)) = keys::parse_device(&key) {
                devices.entry(device_id.to_string()).or_insert(status);
            }
        }
        let last_operation = self.last_operation_of(fabric_id).await?;
        self.fabrics.insert(
            fabric_id.to_string(),
            FabricCache {
                device_ids,
                last_operation,
                dirty: false,
                force: false,
                last_written: None,
            },
        );
        Ok(())
    }

    async fn last_operation_of(
        &self,
        fabric_id: &str,
    ) -> Result<Option<OperationStatus>, BusError> {
        let fabric =
            kv::get_message::<FabricStatus>(&self.topology.fabric_status, &keys::fabric(fabric_id))
                .await?;
        let Some(fabric) = fabric.filter(|f| !f.value.last_operation_id.is_empty()) else {
            return Ok(None);
        };
        Ok(kv::get_message::<OperationStatus>(
            &self.topology.operations,
            &keys::operation(&fabric.value.last_operation_id),
        )
        .await?
        .map(|v| v.value))
    }

    /// Folds a batch of events, writes what changed, then acknowledges the batch.
    pub async fn fold_batch(
        &mut self,
        batch: Vec<async_nats::jetstream::Message>,
    ) -> Result<(), BusError> {
        // Each delivered message says how many more wait behind it.
        if let Some(Ok(info)) = batch.last().map(|m| m.info()) {
            rotor_metrics::metrics()
                .aggregator_events_behind
                .set(i64::try_from(info.pending).unwrap_or(i64::MAX));
        }
        rotor_metrics::metrics()
            .aggregator_events
            .inc_by(batch.len() as u64);
        let mut ackers = Vec::with_capacity(batch.len());
        for message in batch {
            let (message, acker) = message.split();
            match StageEvent::decode(message.payload.clone()) {
                Ok(event)
                    if !event.operation_id.is_empty()
                        && !event.fabric_id.is_empty()
                        && !event.device_id.is_empty() =>
                {
                    // A span in the device's trace (its context came with the event).
                    let span = rotor_bus::trace::consumer_span(
                        &message.subject,
                        names::AGGREGATOR_CONSUMER,
                        message.headers.as_ref(),
                    );
                    self.fold(event).instrument(span).await?;
                }
                Ok(_) | Err(_) => {
                    tracing::warn!(subject = %message.subject, "rejected an event that does not decode");
                    self.bus
                        .record_rejected(
                            "aggregator",
                            &message.subject,
                            "not a valid StageEvent",
                            message.payload.clone(),
                        )
                        .await?;
                }
            }
            ackers.push(acker);
        }
        self.flush().await?;
        use futures::StreamExt;
        futures::stream::iter(ackers)
            .for_each_concurrent(256, |acker| async move {
                if let Err(error) = acker.ack().await {
                    tracing::warn!(%error, "could not acknowledge an event; it will be folded again");
                }
            })
            .await;
        Ok(())
    }

    async fn fold(&mut self, event: StageEvent) -> Result<(), BusError> {
        let (fabric_id, device_id) = (event.fabric_id.clone(), event.device_id.clone());
        self.ensure_fabric(&fabric_id).await?;
        if self.is_plan(&event.operation_id).await? {
            return self.fold_plan_event(event).await;
        }
        let status = self
            .devices
            .entry(fabric_id.clone())
            .or_default()
            .entry(device_id.clone())
            .or_insert_with(|| DeviceStatus {
                device_id: device_id.clone(),
                fabric_id: fabric_id.clone(),
                ..Default::default()
            });
        let folded = fold::fold_event(status, &event);
        self.dirty_devices
            .insert((fabric_id.clone(), device_id.clone()));
        // A device InSync at a version older than one already superseded: the next success of
        // that version must look at every device again.
        for (path, version) in folded.in_sync {
            let cached = (fabric_id.clone(), path);
            if self
                .superseded
                .get(&cached)
                .is_some_and(|newest| *newest > version)
            {
                self.superseded.remove(&cached);
            }
        }
        if let Some(result) = folded.result {
            if crate::notify::is_restore_failure(&result) {
                let kind = self.active.get(&event.operation_id).map(|a| a.status.kind);
                crate::notify::restore_failed(&self.bus, &self.topology, &event, kind, &result)
                    .await?;
            }
            self.record_result(&event.operation_id, &fabric_id, result)
                .await?;
            self.note_run_of_failures(&event).await?;
        }
        for (path, version) in folded.superseded {
            self.mark_behind(&fabric_id, &device_id, path, version);
        }
        Ok(())
    }

    /// Whether `operation_id` is a plan (dry run); remembered per operation.
    async fn is_plan(&mut self, operation_id: &str) -> Result<bool, BusError> {
        if let Some(active) = self.active.get(operation_id) {
            return Ok(active.plan.plan);
        }
        if let Some(known) = self.plans.get(operation_id) {
            return Ok(*known);
        }
        let plan = load_plan(&self.topology.operations, operation_id)
            .await?
            .is_some_and(|plan| plan.plan);
        if self.plans.len() >= 10_000 {
            self.plans.clear();
        }
        self.plans.insert(operation_id.to_string(), plan);
        Ok(plan)
    }

    /// A plan's event: only its operation learns of it (the device's result, with its
    /// verdict); the device's status, its synchronization and its run of failures stay as
    /// they were.
    async fn fold_plan_event(&mut self, event: StageEvent) -> Result<(), BusError> {
        let mut scratch = DeviceStatus::default();
        let Some(mut result) = fold::fold_event(&mut scratch, &event).result else {
            return Ok(());
        };
        result.verdict = fold::plan_verdict(&result) as i32;
        self.record_result(&event.operation_id, &event.fabric_id, result)
            .await
    }

    /// Counts a device's last event towards its quarantine (`rotor_pipeline::quarantine`): a
    /// failure extends its run and may quarantine it, a success ends the run and releases it.
    /// The device status keeps the run's length (`consecutiveFailures`), which also says
    /// whether there is a record to remove.
    async fn note_run_of_failures(&mut self, event: &StageEvent) -> Result<(), BusError> {
        let Some(outcome) = &event.outcome else {
            return Ok(());
        };
        let (fabric_id, device_id) = (event.fabric_id.as_str(), event.device_id.as_str());
        let had_run = self
            .devices
            .get(fabric_id)
            .and_then(|devices| devices.get(device_id))
            .is_some_and(|status| status.consecutive_failures > 0);
        let after = self.config.quarantine_after;
        let now = rotor_bus::now_rfc3339();
        let failures = if outcome.status == OperationState::Succeeded as i32 {
            if had_run {
                quarantine::clear(&self.topology, fabric_id, device_id).await?;
            }
            0
        } else if quarantine::after_outcome(None, &event.operation_id, outcome, after, &now)
            == quarantine::Change::Keep
        {
            // Not a failure that counts: the run stands as it is.
            return Ok(());
        } else {
            let mut newly_quarantined = false;
            let mut made_before = None;
            let written = kv::update_json::<quarantine::QuarantineRecord, _>(
                &self.topology.quarantine,
                &keys::device(fabric_id, device_id),
                |current| {
                    made_before =
                        crate::notify::made_by(current.as_ref(), &event.operation_id, after);
                    match quarantine::after_outcome(
                        current.as_ref(),
                        &event.operation_id,
                        outcome,
                        after,
                        &now,
                    ) {
                        quarantine::Change::Put {
                            record,
                            newly_quarantined: newly,
                        } => {
                            newly_quarantined = newly;
                            Some(record)
                        }
                        quarantine::Change::Keep | quarantine::Change::Clear => None,
                    }
                },
            )
            .await?;
            let Some(record) = written else {
                // Folded again (a leader died after the write): its notification is queued
                // again, the message id drops the repeat.
                if let Some(record) = made_before {
                    crate::notify::quarantined(&self.bus, &self.topology, event, &record).await?;
                }
                return Ok(());
            };
            if newly_quarantined {
                tracing::warn!(fabric = fabric_id, device = device_id, reason = %record.reason(), "device quarantined");
                self.audit.record(rotor_bus::audit::AuditRecord {
                    identity: "rotor:aggregator".into(),
                    channel: rotor_bus::audit::channel::ROTOR.into(),
                    verb: rotor_bus::audit::QUARANTINE.into(),
                    fabric_id: fabric_id.to_string(),
                    device_ids: vec![device_id.to_string()],
                    outcome: rotor_bus::audit::SUCCEEDED.into(),
                    code: record.error_code().as_str_name().to_string(),
                    message: record.reason(),
                    operation_id: event.operation_id.clone(),
                    ..Default::default()
                });
                crate::notify::quarantined(&self.bus, &self.topology, event, &record).await?;
            }
            record.failures
        };
        if let Some(status) = self
            .devices
            .get_mut(fabric_id)
            .and_then(|devices| devices.get_mut(device_id))
        {
            status.consecutive_failures = failures;
        }
        Ok(())
    }

    /// Records a device's result in its operation (activating the operation if this copy has
    /// not followed it yet).
    async fn record_result(
        &mut self,
        operation_id: &str,
        fabric_id: &str,
        result: DeviceResult,
    ) -> Result<(), BusError> {
        self.dirty_results.push((
            keys::device_result(operation_id, &result.resource_id),
            result.clone(),
        ));
        if !self.active.contains_key(operation_id)
            && let Some(op) = kv::get_message::<OperationStatus>(
                &self.topology.operations,
                &keys::operation(operation_id),
            )
            .await?
            && is_running(&op.value)
        {
            self.activate(operation_id, op.value).await?;
        }
        if let Some(active) = self.active.get_mut(operation_id) {
            let kind = active.status.kind;
            if active
                .done
                .insert(result.resource_id.clone(), result.clone())
                .is_none()
            {
                count_device_result(kind, &result);
            }
            self.dirty_operations.insert(operation_id.to_string());
        }
        if let Some(cache) = self.fabrics.get_mut(fabric_id) {
            cache.dirty = true;
        }
        Ok(())
    }

    /// Devices that share a path at an older version are now behind the store. Once per
    /// (fabric, path, version): the first success marks every older holder, later successes
    /// of the same version would find nothing more to mark.
    fn mark_behind(&mut self, fabric_id: &str, device_id: &str, path: String, version: u32) {
        let cached = (fabric_id.to_string(), path);
        if self
            .superseded
            .get(&cached)
            .is_some_and(|newest| *newest >= version)
        {
            return;
        }
        let Some(fabric_devices) = self.devices.get_mut(fabric_id) else {
            return;
        };
        let changed = fold::mark_behind(fabric_devices.iter_mut(), device_id, &cached.1, version);
        self.superseded.insert(cached, version);
        for device in changed {
            self.dirty_devices.insert((fabric_id.to_string(), device));
        }
    }

    /// Writes everything the batch changed: device statuses, then results, then operations and
    /// fabrics. The order is what keeps statuses truthful when a write fails half way (a node of
    /// the cluster lost, a full bucket): a stored result is what ends an operation (a leader
    /// that starts again takes its results from the bucket), so no result may be stored before
    /// its device's status; the events of a failed batch are not acknowledged and are folded
    /// again.
    async fn flush(&mut self) -> Result<(), BusError> {
        let dirty: Vec<(String, String)> = self.dirty_devices.drain().collect();
        let writes: Vec<(String, &DeviceStatus)> = dirty
            .iter()
            .filter_map(|(fabric, device)| {
                self.devices
                    .get(fabric)
                    .and_then(|devices| devices.get(device))
                    .map(|status| (keys::device(fabric, device), status))
            })
            .collect();
        for chunk in writes.chunks(128) {
            futures::future::try_join_all(
                chunk.iter().map(|(key, status)| {
                    kv::put_message(&self.topology.device_status, key, *status)
                }),
            )
            .await?;
        }
        let results = std::mem::take(&mut self.dirty_results);
        for chunk in results.chunks(128) {
            futures::future::try_join_all(chunk.iter().map(|(key, result)| {
                kv::put_message(&self.topology.operation_results, key, result)
            }))
            .await?;
        }
        let operations: Vec<String> = self.dirty_operations.drain().collect();
        for id in operations {
            self.write_operation(&id).await?;
        }
        self.write_fabrics().await
    }

    async fn write_operation(&mut self, id: &str) -> Result<(), BusError> {
        let Some(active) = self.active.get_mut(id) else {
            return Ok(());
        };
        let now = rotor_bus::now_rfc3339();
        let finished = fold::update_operation(&mut active.status, &active.plan, &active.done, &now);
        // The lock goes back before the final status is written, so whoever sees the operation
        // end finds the fabric free.
        let released = match finished.then(|| active.lock.take()).flatten() {
            Some(lock) => lock.release().await?,
            None => false,
        };
        // Queued before the final status is stored: a leader that dies in between queues it
        // again (the message id drops the repeat), none after it would. A plan changed
        // nothing: its end is no notification.
        if finished && !active.plan.plan {
            crate::notify::operation_ended(
                &self.bus,
                &self.topology,
                &active.plan,
                &active.status,
                &active.done,
            )
            .await?;
        }
        kv::put_message(
            &self.topology.operations,
            &keys::operation(id),
            &active.status,
        )
        .await?;
        if finished {
            let active = self.active.remove(id).expect("present above");
            self.finish(id, active, released).await?;
        } else if !active.plan.plan
            && let Some(cache) = self.fabrics.get_mut(&active.plan.fabric_id)
            && cache.last_operation.as_ref().is_none_or(|op| op.id != *id)
        {
            cache.last_operation = Some(active.status.clone());
            cache.dirty = true;
        }
        Ok(())
    }

    /// An operation ended (its fabric lock given back): its fabric is rewritten.
    async fn finish(
        &mut self,
        id: &str,
        active: ActiveOperation,
        released: bool,
    ) -> Result<(), BusError> {
        tracing::info!(
            operation = id,
            fabric = %active.plan.fabric_id,
            succeeded = active.status.succeeded_devices,
            failed = active.status.failed_devices,
            lock_released = released,
            "operation finished"
        );
        self.audit.record(active.plan.end_record(&active.status));
        rotor_metrics::metrics()
            .operations
            .get_or_create(&rotor_metrics::KindOutcome {
                kind: kind_name(active.status.kind),
                outcome: OperationState::try_from(active.status.status)
                    .map_or("unknown", |s| s.as_str_name())
                    .to_string(),
            })
            .inc();
        self.ensure_fabric(&active.plan.fabric_id).await?;
        // A plan is not the fabric's last operation: its status stays the last real one's.
        if !active.plan.plan
            && let Some(cache) = self.fabrics.get_mut(&active.plan.fabric_id)
        {
            cache.last_operation = Some(active.status);
            cache.dirty = true;
            cache.force = true;
        }
        Ok(())
    }

    /// Writes fabric statuses that changed, at most every 250 ms each unless forced (every
    /// 250 ms per 2,500 devices for larger fabrics: the status lists every device).
    pub async fn write_fabrics(&mut self) -> Result<(), BusError> {
        let due: Vec<String> = self
            .fabrics
            .iter()
            .filter(|(_, cache)| {
                let every =
                    Duration::from_millis(250 * (cache.device_ids.len() as u64 / 2500).max(1));
                cache.dirty
                    && (cache.force || cache.last_written.is_none_or(|at| at.elapsed() >= every))
            })
            .map(|(id, _)| id.clone())
            .collect();
        for fabric_id in due {
            let cache = self.fabrics.get(&fabric_id).expect("listed above");
            let statuses = self.devices.get(&fabric_id);
            let status = fabric_view::fabric_status_with(
                &fabric_id,
                &cache.device_ids,
                |device_id| statuses.and_then(|s| s.get(device_id)),
                cache.last_operation.as_ref(),
            );
            kv::put_message(
                &self.topology.fabric_status,
                &keys::fabric(&fabric_id),
                &status,
            )
            .await?;
            rotor_metrics::metrics()
                .fabric_password_sets
                .get_or_create(&rotor_metrics::FabricLabel {
                    fabric: fabric_id.clone(),
                })
                .set(i64::from(status.unique_password_set_count));
            let cache = self.fabrics.get_mut(&fabric_id).expect("listed above");
            cache.dirty = false;
            cache.force = false;
            cache.last_written = Some(Instant::now());
        }
        Ok(())
    }

    /// Writes throttled fabric statuses; once a second, ends operations past the timeout and
    /// reports fabric locks that were lost.
    pub async fn housekeeping(&mut self) -> Result<(), BusError> {
        self.write_fabrics().await?;
        if self.last_housekeeping.elapsed() < Duration::from_secs(1) {
            return Ok(());
        }
        self.last_housekeeping = Instant::now();
        let now = time::OffsetDateTime::now_utc();
        let mut timed_out = Vec::new();
        for (id, active) in self.active.iter_mut() {
            if active.lock.as_ref().is_some_and(|lock| !lock.is_held()) {
                tracing::warn!(operation = %id, "the fabric lock of a running operation was lost");
                active.lock = None;
            }
            let started = time::OffsetDateTime::parse(
                &active.status.start_time,
                &time::format_description::well_known::Rfc3339,
            )
            .unwrap_or(now);
            if (now - started).whole_seconds() as u64 > self.config.operation_timeout.as_secs() {
                timed_out.push(id.clone());
            }
        }
        for id in timed_out {
            self.time_out(id);
        }
        let oldest = self
            .active
            .values()
            .filter_map(|active| {
                time::OffsetDateTime::parse(
                    &active.status.start_time,
                    &time::format_description::well_known::Rfc3339,
                )
                .ok()
            })
            .min()
            .map_or(0.0, |started| (now - started).as_seconds_f64().max(0.0));
        let metrics = rotor_metrics::metrics();
        metrics.operations_running.set(self.active.len() as i64);
        metrics.oldest_running_operation.set(oldest);
        self.flush().await
    }

    /// Ends an operation that ran past the timeout: its unfinished devices fail with `Timeout`.
    fn time_out(&mut self, id: String) {
        let active = self.active.get_mut(&id).expect("a running operation");
        let message = format!(
            "the operation did not finish within {} s; this device never reported an outcome",
            self.config.operation_timeout.as_secs()
        );
        let missing: Vec<String> = active
            .plan
            .device_ids
            .iter()
            .filter(|d| !active.done.contains_key(*d))
            .cloned()
            .collect();
        for device in missing {
            // (A plan's device that never reported has no verdict either.)
            let result = DeviceResult {
                resource_id: device.clone(),
                status: OperationState::Failed as i32,
                error: Some(Error {
                    code: ErrorCode::Timeout as i32,
                    message: message.clone(),
                }),
                ..Default::default()
            };
            self.dirty_results
                .push((keys::device_result(&id, &device), result.clone()));
            count_device_result(active.status.kind, &result);
            active.done.insert(device, result);
        }
        tracing::warn!(operation = %id, "operation timed out");
        self.dirty_operations.insert(id);
    }
}

/// The operation kind as a label value (`FabricRotatePassword`, ...).
fn kind_name(kind: i32) -> String {
    rotor_proto::v1::RotationKind::try_from(kind)
        .map_or("unknown", |k| k.as_str_name())
        .to_string()
}

/// Counts a device's final result in `rotor_device_results_total`.
fn count_device_result(kind: i32, result: &DeviceResult) {
    rotor_metrics::metrics()
        .device_results
        .get_or_create(&rotor_metrics::DeviceResult {
            kind: kind_name(kind),
            status: OperationState::try_from(result.status)
                .map_or("unknown", |s| s.as_str_name())
                .to_string(),
            error_code: result
                .error
                .as_ref()
                .and_then(|e| ErrorCode::try_from(e.code).ok())
                .map_or("none", |c| c.as_str_name())
                .to_string(),
        })
        .inc();
}
