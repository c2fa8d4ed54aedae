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
//!
//! - [`fold`]: the transitions (event to device status, results to operation status, newer
//!   versions to OutOfSync), pure and table-tested.
//! - `state` (private): the leader's caches and the writes.
//! - [`notify`]: webhook notifications, queued by the leader and posted by every copy.
//! - this module: settings, leadership and the loop that feeds the state.

#![warn(missing_docs)]

pub mod fold;
pub mod notify;
mod state;

use std::time::Duration;

use futures::StreamExt;
use rotor_bus::lease::HeldLease;
use rotor_bus::names::{self, filters};
use rotor_bus::{Bus, BusError, Topology};
use rotor_pipeline::StartError;
use rotor_runtime::CancellationToken;
use rotor_runtime::leadership::Leadership;
use rotor_runtime::settings::{CommonSettings, SettingError, Settings};

use crate::state::Aggregation;

/// Settings of the aggregator.
#[derive(Clone, Debug)]
pub struct AggregatorConfig {
    /// The settings every service has.
    pub common: CommonSettings,
    /// How long a leader's lease lasts without renewal.
    pub leader_lease: Duration,
    /// The fabric lock lease Rotor holds (and renews) during an operation.
    pub lock_lease: Duration,
    /// An operation still running after this long is ended; its unfinished devices fail.
    pub operation_timeout: Duration,
    /// Most events folded per batch.
    pub batch_size: usize,
    /// A device that failed the same way in this many operations in a row is quarantined
    /// (`ROTOR_QUARANTINE_AFTER`, default 3; 0: never).
    pub quarantine_after: u32,
    /// How webhook notifications are posted (`ROTOR_WEBHOOK_*`).
    pub notifier: notify::NotifierConfig,
}

impl AggregatorConfig {
    /// Reads the aggregator's settings (`ROTOR_LEADER_LEASE_SECS`, `ROTOR_LOCK_LEASE_SECS`,
    /// `ROTOR_OPERATION_TIMEOUT_SECS`, ...); the first bad value is the error.
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
            quarantine_after: settings.number("ROTOR_QUARANTINE_AFTER", 3, 0..=1000)? as u32,
            notifier: notify::NotifierConfig::from_settings(settings)?,
        })
    }
}

/// Runs the aggregator (leading or standing by) until `shutdown` is cancelled.
pub async fn run(config: AggregatorConfig, shutdown: CancellationToken) -> Result<(), StartError> {
    let bus = Bus::connect(config.common.bus.clone()).await?;
    let topology = bus.open_topology().await?;
    let instance = config.common.instance.clone();
    // Every copy posts notifications, leading or not.
    let notifier = tokio::spawn(notify::run(
        bus.clone(),
        config.notifier.clone(),
        shutdown.clone(),
    ));
    let leadership = Leadership {
        leases: &topology.leases,
        role: "aggregator",
        instance: &instance,
        purpose: "fold stage events",
        lease: config.leader_lease,
    };
    while let Some(leader) = leadership.acquire(&shutdown).await {
        let result = lead(&bus, &topology, &config, &leader, &shutdown).await;
        forget_leader_gauges();
        leadership.step_down(leader, result, &shutdown).await;
    }
    if let Err(error) = notifier.await {
        tracing::warn!(%error, "the notifier ended abnormally");
    }
    Ok(())
}

/// A copy that no longer leads keeps no leader's figures: its gauges would go stale.
fn forget_leader_gauges() {
    let metrics = rotor_metrics::metrics();
    metrics.operations_running.set(0);
    metrics.oldest_running_operation.set(0.0);
    metrics.aggregator_events_behind.set(0);
    metrics.fabric_password_sets.clear();
}

/// Folds events while this copy leads: batches from the durable consumer, inventory notices,
/// and housekeeping every 500 ms.
async fn lead(
    bus: &Bus,
    topology: &Topology,
    config: &AggregatorConfig,
    leader: &HeldLease,
    shutdown: &CancellationToken,
) -> Result<(), BusError> {
    // Watch operations before loading the running ones, so none accepted in between is missed:
    // the fabric lock of every operation is renewed from the moment its status is written.
    let mut operations = topology
        .operations
        .watch(filters::operations().as_str())
        .await
        .map_err(|e| BusError::JetStream {
            what: "watch operations".into(),
            reason: e.to_string(),
        })?;
    let mut state = Aggregation::load(bus.clone(), topology.clone(), config.clone()).await?;
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
            _ = shutdown.cancelled() => return Ok(()),
            _ = leader.lost() => {
                tracing::warn!("lost the aggregator lease");
                return Ok(());
            }
            entry = operations.next() => {
                if let Some(Ok(entry)) = entry {
                    state.notice_operation(&entry.key, entry.value).await?;
                }
            }
            notice = notices.next() => {
                if let Some(notice) = notice
                    && let Some(fabric) = names::parse_inventory_changed_subject(notice.subject.as_str())
                {
                    state.reload_fabric(fabric).await?;
                }
            }
            first = messages.next() => {
                let Some(first) = first else { return Ok(()) };
                let first = match first {
                    Ok(message) => message,
                    Err(error) => {
                        tracing::warn!(%error, "pulling events failed");
                        continue;
                    }
                };
                let mut batch = vec![first];
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
