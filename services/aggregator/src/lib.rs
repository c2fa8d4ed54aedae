//! The aggregator: folds every stage event into device, operation and fabric status, finishes
//! operations when their last device is done, and releases the fabric lock.
//!
//! One copy leads at a time (a lease in the leases bucket, renewed while it runs); other copies
//! wait and take over when the leader stops or its lease runs out, so the aggregator scales out
//! for availability. The leader pulls events in batches from the durable `aggregator` consumer,
//! writes every status the batch changed, and only then acknowledges the batch: a crash loses no
//! event, and folding an event twice changes nothing (results are set, not counted; counters and
//! the fabric picture are derived from them).
//!
//! While it leads it also renews the fabric lock of every running operation and ends operations
//! that exceed the operation timeout (unfinished devices fail with `Timeout`), so no fabric stays
//! locked by an operation that can no longer finish.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use futures::StreamExt;
use prost::Message;
use rotor_bus::lease::{self, Acquired, now_unix_ms};
use rotor_bus::{Bus, BusError, Topology, kv, names};
use rotor_pipeline::StartError;
use rotor_pipeline::fabric_view;
use rotor_pipeline::records::{OperationPlan, fabric_lock_key, load_fabric, load_plan};
use rotor_proto::v1::{
    DeviceResult, DeviceStatus, Error, ErrorCode, FabricStatus, OperationState, OperationStatus,
    RotationKind, SecretStatus, Stage, StageEvent, StageRecord, SynchronizationStatus,
    stage_event::Status,
};
use rotor_runtime::CancellationToken;
use rotor_runtime::settings::{CommonSettings, SettingError, Settings};

/// Settings of the aggregator.
#[derive(Clone, Debug)]
pub struct AggregatorConfig {
    pub common: CommonSettings,
    /// How long a leader's lease lasts without renewal.
    pub leader_lease: Duration,
    /// The fabric lock lease Rotor holds (and renews) during an operation.
    pub lock_lease: Duration,
    /// An operation still running after this long is ended; its unfinished devices fail.
    pub operation_timeout: Duration,
    /// Most events folded per batch.
    pub batch_size: usize,
}

impl AggregatorConfig {
    pub fn from_settings(settings: &Settings) -> Result<AggregatorConfig, SettingError> {
        Ok(AggregatorConfig {
            common: CommonSettings::from_settings("aggregator", settings)?,
            leader_lease: settings.seconds("ROTOR_LEADER_LEASE_SECS", Duration::from_secs(15))?,
            lock_lease: settings.seconds("ROTOR_LOCK_LEASE_SECS", Duration::from_secs(120))?,
            operation_timeout: settings.seconds(
                "ROTOR_OPERATION_TIMEOUT_SECS",
                Duration::from_secs(4 * 3600),
            )?,
            batch_size: settings.number("ROTOR_AGGREGATOR_BATCH", 2000, 1..=100_000)? as usize,
        })
    }
}

const LEADER_KEY: &str = "service.aggregator";

/// Runs the aggregator (leading or standing by) until `shutdown` is cancelled.
pub async fn run(config: AggregatorConfig, shutdown: CancellationToken) -> Result<(), StartError> {
    let bus = Bus::connect(config.common.bus.clone()).await?;
    let topology = bus.ensure_topology().await?;
    let instance = config.common.instance.clone();
    let lease_ms = config.leader_lease.as_millis() as i64;
    while !shutdown.is_cancelled() {
        match lease::acquire(
            &topology.leases,
            LEADER_KEY,
            &instance,
            "fold stage events",
            lease_ms,
            now_unix_ms(),
        )
        .await
        {
            Ok(Acquired::Yes(leader)) => {
                tracing::info!(%instance, "leading the aggregation");
                let result = lead(&bus, &topology, &config, &leader, &shutdown).await;
                let _ = lease::release(&topology.leases, LEADER_KEY, &leader.lease_id).await;
                if let Err(error) = result {
                    tracing::warn!(%error, "stopped leading after an error; retrying");
                    pause(Duration::from_secs(1), &shutdown).await;
                }
            }
            Ok(Acquired::HeldBy(other)) => {
                tracing::debug!(leader = %other.holder, "standing by");
                let until_expiry = (other.expires_unix_ms - now_unix_ms()).clamp(100, 5_000) as u64;
                pause(Duration::from_millis(until_expiry), &shutdown).await;
            }
            Err(error) => {
                tracing::warn!(%error, "cannot reach the leases bucket; retrying");
                pause(Duration::from_secs(1), &shutdown).await;
            }
        }
    }
    Ok(())
}

async fn pause(duration: Duration, shutdown: &CancellationToken) {
    tokio::select! {
        _ = tokio::time::sleep(duration) => {}
        _ = shutdown.cancelled() => {}
    }
}

async fn lead(
    bus: &Bus,
    topology: &Topology,
    config: &AggregatorConfig,
    leader: &lease::Lease,
    shutdown: &CancellationToken,
) -> Result<(), BusError> {
    let lost = shutdown.child_token();
    let renewal = {
        let leases = topology.leases.clone();
        let lease_id = leader.lease_id.clone();
        let lease_ms = config.leader_lease.as_millis() as i64;
        let every = config.leader_lease / 3;
        let lost = lost.clone();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = lost.cancelled() => return,
                    _ = tokio::time::sleep(every) => {}
                }
                match lease::renew(&leases, LEADER_KEY, &lease_id, lease_ms, now_unix_ms()).await {
                    Ok(Some(_)) => {}
                    Ok(None) => {
                        tracing::warn!("lost the aggregator lease");
                        lost.cancel();
                        return;
                    }
                    Err(error) => tracing::warn!(%error, "could not renew the aggregator lease"),
                }
            }
        })
    };
    let result = async {
        let mut state = Fold::load(bus.clone(), topology.clone(), config.clone()).await?;
        let consumer = bus.aggregator_consumer().await?;
        let mut messages = consumer
            .stream()
            .max_messages_per_batch(config.batch_size.min(1000))
            .heartbeat(Duration::from_secs(5))
            .expires(Duration::from_secs(30))
            .messages()
            .await
            .map_err(|e| BusError::JetStream {
                what: "pull events".into(),
                reason: e.to_string(),
            })?;
        let mut notices = bus
            .client
            .subscribe(names::INVENTORY_CHANGED_WILDCARD)
            .await
            .map_err(|e| BusError::JetStream {
                what: "subscribe to inventory notices".into(),
                reason: e.to_string(),
            })?;
        let mut ticker = tokio::time::interval(Duration::from_millis(500));
        loop {
            tokio::select! {
                biased;
                _ = lost.cancelled() => return Ok(()),
                notice = notices.next() => {
                    if let Some(notice) = notice
                        && let Some(fabric) = notice.subject.as_str().rsplit('.').next()
                    {
                        state.reload_fabric(fabric).await?;
                    }
                }
                first = messages.next() => {
                    let Some(first) = first else { return Ok(()) };
                    let mut batch = Vec::new();
                    match first {
                        Ok(message) => batch.push(message),
                        Err(error) => {
                            tracing::warn!(%error, "pulling events failed");
                            continue;
                        }
                    }
                    // Gather whatever else is ready, briefly, so writes are shared by many events.
                    while batch.len() < config.batch_size {
                        match tokio::time::timeout(Duration::from_millis(5), messages.next()).await {
                            Ok(Some(Ok(message))) => batch.push(message),
                            _ => break,
                        }
                    }
                    state.fold_batch(batch).await?;
                }
                _ = ticker.tick() => state.housekeeping().await?,
            }
        }
    }
    .await;
    lost.cancel();
    let _ = renewal.await;
    result
}

/// An operation that has not finished.
struct ActiveOperation {
    status: OperationStatus,
    plan: OperationPlan,
    done: HashMap<String, DeviceResult>,
    lock_renewed: Instant,
}

/// What the aggregator derived for one fabric.
struct FabricCache {
    device_ids: Vec<String>,
    last_operation: Option<OperationStatus>,
    dirty: bool,
    force: bool,
    last_written: Option<Instant>,
}

/// The leader's state: caches of what is in the buckets, plus what a batch changed.
struct Fold {
    bus: Bus,
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
}

fn rank(status: i32) -> u8 {
    match Status::try_from(status) {
        Ok(Status::Started) => 1,
        Ok(_) => 2,
        Err(_) => 0,
    }
}

impl Fold {
    async fn load(
        bus: Bus,
        topology: Topology,
        config: AggregatorConfig,
    ) -> Result<Fold, BusError> {
        let mut fold = Fold {
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
        };
        let operations =
            kv::scan_messages::<OperationStatus>(&fold.topology.operations, "*").await?;
        for (id, status) in operations {
            if is_running(&status) {
                fold.activate(&id, status).await?;
            }
        }
        tracing::info!(running = fold.active.len(), "aggregator state loaded");
        Ok(fold)
    }

    async fn activate(&mut self, id: &str, status: OperationStatus) -> Result<(), BusError> {
        let Some(plan) = load_plan(&self.topology.operations, id).await? else {
            tracing::warn!(operation = id, "an operation without a plan is ignored");
            return Ok(());
        };
        let done: HashMap<String, DeviceResult> =
            kv::scan_messages::<DeviceResult>(&self.topology.operation_results, &format!("{id}.*"))
                .await?
                .into_iter()
                .map(|(_, result)| (result.resource_id.clone(), result))
                .collect();
        self.dirty_operations.insert(id.to_string());
        self.active.insert(
            id.to_string(),
            ActiveOperation {
                status,
                plan,
                done,
                lock_renewed: Instant::now() - Duration::from_secs(3600),
            },
        );
        Ok(())
    }

    /// Reloads what was derived from a fabric's inventory and statuses (after an import).
    async fn reload_fabric(&mut self, fabric_id: &str) -> Result<(), BusError> {
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
        for (key, status) in kv::scan_messages::<DeviceStatus>(
            &self.topology.device_status,
            &format!("{fabric_id}.*"),
        )
        .await?
        {
            let device_id = key
                .split_once('.')
                .map(|(_, d)| d.to_string())
                .unwrap_or(key);
            self.devices
                .entry(fabric_id.to_string())
                .or_default()
                .entry(device_id)
                .or_insert(status);
        }
        let last_operation =
            match kv::get_message::<FabricStatus>(&self.topology.fabric_status, fabric_id).await? {
                Some(status) if !status.value.last_operation_id.is_empty() => {
                    kv::get_message::<OperationStatus>(
                        &self.topology.operations,
                        &status.value.last_operation_id,
                    )
                    .await?
                    .map(|v| v.value)
                }
                _ => None,
            };
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

    async fn fold_batch(
        &mut self,
        batch: Vec<async_nats::jetstream::Message>,
    ) -> Result<(), BusError> {
        let mut ackers = Vec::with_capacity(batch.len());
        for message in batch {
            let (message, acker) = message.split();
            match StageEvent::decode(message.payload.clone()) {
                Ok(event)
                    if !event.operation_id.is_empty()
                        && !event.fabric_id.is_empty()
                        && !event.device_id.is_empty() =>
                {
                    self.fold(event).await?;
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
        let fabric_id = event.fabric_id.clone();
        let device_id = event.device_id.clone();
        self.ensure_fabric(&fabric_id).await?;
        let key = (fabric_id.clone(), device_id.clone());
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

        // The latest record of each stage.
        let record = StageRecord {
            stage: event.stage,
            status: event.status,
            display: event.display.clone(),
            error: event.error.clone(),
            time: event.time.clone(),
            operation_id: event.operation_id.clone(),
            offending_lines: event.offending_lines.clone(),
        };
        match status
            .last_stages
            .iter_mut()
            .find(|r| r.stage == event.stage)
        {
            Some(existing) => {
                let newer = (existing.time.as_str(), rank(existing.status))
                    <= (record.time.as_str(), rank(record.status));
                if newer {
                    *existing = record;
                }
            }
            None => status.last_stages.push(record),
        }
        status.last_stages.sort_by_key(|r| r.stage);

        let already_finished =
            status.last_operation_id == event.operation_id && is_terminal(status.last_result);
        if event.stage == Stage::LoadIntendedConfiguration as i32
            && event.status == Status::Started as i32
            && !already_finished
        {
            status.last_operation_id = event.operation_id.clone();
            status.last_result = OperationState::InProgress as i32;
            status.last_error = None;
            for target in &event.secrets {
                secret_entry(status, &target.secret_type, &target.username)
                    .synchronization_status = SynchronizationStatus::Synchronizing as i32;
            }
        }

        let mut superseded = Vec::new();
        if let Some(outcome) = &event.outcome {
            status.last_operation_id = event.operation_id.clone();
            status.last_result = outcome.status;
            status.last_error = outcome.error.clone();
            for held in &outcome.held {
                let entry = secret_entry(status, &held.secret_type, &held.username);
                entry.secret_archive_reference = held.reference.clone();
                if outcome.applied {
                    entry.last_rotation_time = event.time.clone();
                }
            }
            if outcome.applied {
                status.last_rotation_time = event.time.clone();
            }
            for target in &event.secrets {
                let target_version = target.reference.as_ref().map_or(0, |r| r.version);
                let entry = secret_entry(status, &target.secret_type, &target.username);
                let held_version = entry
                    .secret_archive_reference
                    .as_ref()
                    .map_or(0, |r| r.version);
                entry.synchronization_status = if held_version == target_version {
                    SynchronizationStatus::InSync
                } else {
                    SynchronizationStatus::OutOfSync
                } as i32;
                // A device InSync at a version older than one already superseded: the next
                // success of that version must look at every device again.
                if held_version == target_version
                    && let Some(reference) = &target.reference
                {
                    let cached = (fabric_id.clone(), reference.path.clone());
                    if self
                        .superseded
                        .get(&cached)
                        .is_some_and(|newest| *newest > reference.version)
                    {
                        self.superseded.remove(&cached);
                    }
                }
                if outcome.status == OperationState::Succeeded as i32
                    && let Some(reference) = &target.reference
                {
                    superseded.push((reference.path.clone(), reference.version));
                }
            }
            let result = DeviceResult {
                resource_id: device_id.clone(),
                status: outcome.status,
                error: outcome.error.clone(),
            };
            self.dirty_results.push((
                names::key(&[&event.operation_id, &device_id]),
                result.clone(),
            ));
            if !self.active.contains_key(&event.operation_id)
                && let Some(op) = kv::get_message::<OperationStatus>(
                    &self.topology.operations,
                    &event.operation_id,
                )
                .await?
                && is_running(&op.value)
            {
                self.activate(&event.operation_id, op.value).await?;
            }
            if let Some(active) = self.active.get_mut(&event.operation_id) {
                active.done.insert(device_id.clone(), result);
                self.dirty_operations.insert(event.operation_id.clone());
            }
            if let Some(cache) = self.fabrics.get_mut(&fabric_id) {
                cache.dirty = true;
            }
        }
        self.dirty_devices.insert(key);

        // Devices that share a path at an older version are now behind the store. Once per
        // (fabric, path, version): the first success marks every older holder, later successes
        // of the same version would find nothing more to mark.
        for (path, version) in superseded {
            let cached = (fabric_id.clone(), path.clone());
            if self
                .superseded
                .get(&cached)
                .is_some_and(|newest| *newest >= version)
            {
                continue;
            }
            self.superseded.insert(cached, version);
            let Some(fabric_devices) = self.devices.get_mut(&fabric_id) else {
                continue;
            };
            for (device, other) in fabric_devices.iter_mut() {
                if device == &device_id {
                    continue;
                }
                let mut changed = false;
                for secret in &mut other.secrets {
                    if let Some(reference) = &secret.secret_archive_reference
                        && reference.path == path
                        && reference.version < version
                        && secret.synchronization_status == SynchronizationStatus::InSync as i32
                    {
                        secret.synchronization_status = SynchronizationStatus::OutOfSync as i32;
                        changed = true;
                    }
                }
                if changed {
                    self.dirty_devices
                        .insert((fabric_id.clone(), device.clone()));
                }
            }
        }
        Ok(())
    }

    /// Writes everything the batch changed: results, device statuses, operations, fabrics.
    async fn flush(&mut self) -> Result<(), BusError> {
        let results = std::mem::take(&mut self.dirty_results);
        for chunk in results.chunks(128) {
            futures::future::try_join_all(chunk.iter().map(|(key, result)| {
                kv::put_message(&self.topology.operation_results, key, result)
            }))
            .await?;
        }

        let dirty: Vec<(String, String)> = self.dirty_devices.drain().collect();
        let writes: Vec<(String, &DeviceStatus)> = dirty
            .iter()
            .filter_map(|(fabric, device)| {
                self.devices
                    .get(fabric)
                    .and_then(|devices| devices.get(device))
                    .map(|status| (names::key(&[fabric, device]), status))
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
        let total = active.plan.device_ids.len() as u32;
        let succeeded = active
            .done
            .values()
            .filter(|r| r.status == OperationState::Succeeded as i32)
            .count() as u32;
        let failed = active.done.len() as u32 - succeeded;
        let status = &mut active.status;
        status.total_devices = total;
        status.succeeded_devices = succeeded;
        status.failed_devices = failed;
        status.percent_complete = ((succeeded + failed) * 100)
            .checked_div(total)
            .unwrap_or(100);
        let finished = succeeded + failed >= total;
        if finished {
            status.end_time = rotor_bus::now_rfc3339();
            if failed == 0 {
                status.status = OperationState::Succeeded as i32;
                status.error = None;
            } else {
                status.status = OperationState::Failed as i32;
                status.error = Some(operation_error(
                    &active.plan,
                    &active.done,
                    succeeded,
                    total,
                ));
            }
        } else {
            status.status = OperationState::InProgress as i32;
        }
        kv::put_message(&self.topology.operations, id, &*status).await?;
        if finished {
            let active = self.active.remove(id).expect("present above");
            let released = lease::release(
                &self.topology.leases,
                &fabric_lock_key(&active.plan.fabric_id),
                &active.plan.lock_lease_id,
            )
            .await?;
            tracing::info!(
                operation = id,
                fabric = %active.plan.fabric_id,
                succeeded,
                failed,
                lock_released = released,
                "operation finished"
            );
            self.ensure_fabric(&active.plan.fabric_id).await?;
            if let Some(cache) = self.fabrics.get_mut(&active.plan.fabric_id) {
                cache.last_operation = Some(active.status);
                cache.dirty = true;
                cache.force = true;
            }
        } else if let Some(cache) = self.fabrics.get_mut(&active.plan.fabric_id)
            && cache.last_operation.as_ref().is_none_or(|op| op.id != *id)
        {
            cache.last_operation = Some(active.status.clone());
            cache.dirty = true;
        }
        Ok(())
    }

    /// Writes fabric statuses that changed, at most every 250 ms each unless forced (every
    /// 250 ms per 2,500 devices for larger fabrics: the status lists every device).
    async fn write_fabrics(&mut self) -> Result<(), BusError> {
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
            kv::put_message(&self.topology.fabric_status, &fabric_id, &status).await?;
            let cache = self.fabrics.get_mut(&fabric_id).expect("listed above");
            cache.dirty = false;
            cache.force = false;
            cache.last_written = Some(Instant::now());
        }
        Ok(())
    }

    /// Renews the locks of running operations, ends those past the timeout, writes throttled
    /// fabric statuses.
    async fn housekeeping(&mut self) -> Result<(), BusError> {
        self.write_fabrics().await?;
        if self.last_housekeeping.elapsed() < Duration::from_secs(1) {
            return Ok(());
        }
        self.last_housekeeping = Instant::now();
        let lock_ms = self.config.lock_lease.as_millis() as i64;
        let renew_every = self.config.lock_lease / 3;
        let now = time::OffsetDateTime::now_utc();
        let mut timed_out = Vec::new();
        for (id, active) in self.active.iter_mut() {
            if active.lock_renewed.elapsed() >= renew_every {
                let key = fabric_lock_key(&active.plan.fabric_id);
                if lease::renew(
                    &self.topology.leases,
                    &key,
                    &active.plan.lock_lease_id,
                    lock_ms,
                    now_unix_ms(),
                )
                .await?
                .is_none()
                {
                    tracing::warn!(operation = %id, "the fabric lock of a running operation was lost");
                }
                active.lock_renewed = Instant::now();
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
            let active = self.active.get_mut(&id).expect("listed above");
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
                let result = DeviceResult {
                    resource_id: device.clone(),
                    status: OperationState::Failed as i32,
                    error: Some(Error {
                        code: ErrorCode::Timeout as i32,
                        message: message.clone(),
                    }),
                };
                self.dirty_results
                    .push((names::key(&[&id, &device]), result.clone()));
                active.done.insert(device, result);
            }
            tracing::warn!(operation = %id, "operation timed out");
            self.dirty_operations.insert(id);
        }
        self.flush().await
    }
}

fn is_running(status: &OperationStatus) -> bool {
    matches!(
        OperationState::try_from(status.status),
        Ok(OperationState::Accepted | OperationState::InProgress)
    )
}

fn is_terminal(state: i32) -> bool {
    matches!(
        OperationState::try_from(state),
        Ok(OperationState::Succeeded | OperationState::Failed)
    )
}

fn secret_entry<'a>(
    status: &'a mut DeviceStatus,
    secret_type: &str,
    username: &str,
) -> &'a mut SecretStatus {
    let position = status.secrets.iter().position(|s| {
        s.secret_type == secret_type && (s.username == username || s.username.is_empty())
    });
    let index = match position {
        Some(index) => index,
        None => {
            status.secrets.push(SecretStatus {
                secret_type: secret_type.to_string(),
                username: username.to_string(),
                ..Default::default()
            });
            status.secrets.len() - 1
        }
    };
    let entry = &mut status.secrets[index];
    entry.username = username.to_string();
    entry
}

/// The operation-level error: PartialSuccess, or RotationFailed / ResyncFailed when no device
/// was updated, naming the failed devices and their codes.
fn operation_error(
    plan: &OperationPlan,
    done: &HashMap<String, DeviceResult>,
    succeeded: u32,
    total: u32,
) -> Error {
    let mut failures: Vec<(&String, String)> = done
        .iter()
        .filter(|(_, r)| r.status != OperationState::Succeeded as i32)
        .map(|(device, r)| {
            let code = r
                .error
                .as_ref()
                .and_then(|e| ErrorCode::try_from(e.code).ok())
                .unwrap_or(ErrorCode::Unspecified);
            (device, code.as_str_name().to_string())
        })
        .collect();
    failures.sort();
    let listed: Vec<String> = failures
        .iter()
        .take(10)
        .map(|(device, code)| format!("{device} ({code})"))
        .collect();
    let more = failures.len().saturating_sub(10);
    let tail = if more > 0 {
        format!(" and {more} more")
    } else {
        String::new()
    };
    let failed = failures.len();
    let (code, summary) = if succeeded > 0 {
        (
            ErrorCode::PartialSuccess,
            format!("{succeeded} of {total} devices updated; {failed} not updated"),
        )
    } else if matches!(
        plan.kind(),
        RotationKind::FabricResyncPassword | RotationKind::DeviceResyncPassword
    ) {
        (
            ErrorCode::ResyncFailed,
            format!("no device was updated; {failed} failed"),
        )
    } else {
        (
            ErrorCode::RotationFailed,
            format!("no device was updated; {failed} failed"),
        )
    };
    Error {
        code: code as i32,
        message: format!(
            "{summary}: {}{tail}. See `rotor device show` for each, fix the cause and run a resync.",
            listed.join(", ")
        ),
    }
}
