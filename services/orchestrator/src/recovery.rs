//! Finishing fan-outs a crashed orchestrator left half done.
//!
//! An operation's plan is written before its first job is published and marked complete after
//! the last. Every copy looks, every few seconds, for plans of running operations that are not
//! complete and older than a grace period, and publishes their jobs again. Job message ids make
//! this a no-op for jobs already published.

use std::time::Duration;

use rotor_bus::kv;
use rotor_bus::names::{filters, keys};
use rotor_pipeline::fanout;
use rotor_pipeline::records::{OperationPlan, load_devices, load_fabric, store_plan};
use rotor_proto::v1::{OperationState, OperationStatus};
use rotor_runtime::CancellationToken;

use crate::Orchestrator;

/// How old an incomplete plan must be before another copy finishes it.
pub const GRACE: Duration = Duration::from_secs(20);

/// Every 5 seconds, until `shutdown`, finishes the fan-outs that have been incomplete for longer
/// than [`GRACE`]; a failed check is logged and tried again.
pub async fn run(orchestrator: Orchestrator, shutdown: CancellationToken) {
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(Duration::from_secs(5)) => {}
        }
        if let Err(error) = finish_fanouts(&orchestrator, GRACE).await {
            tracing::warn!(%error, "checking for interrupted fan-outs failed");
        }
    }
}

/// Publishes the jobs of every incomplete plan older than `grace`; returns how many it finished.
pub async fn finish_fanouts(
    orchestrator: &Orchestrator,
    grace: Duration,
) -> Result<usize, rotor_bus::BusError> {
    let topology = &orchestrator.topology;
    let mut finished = 0;
    let plans =
        kv::scan_json::<OperationPlan>(&topology.operations, &filters::operation_plans()).await?;
    for (_, mut plan) in plans {
        if plan.fanout_complete {
            continue;
        }
        let accepted = time::OffsetDateTime::parse(
            &plan.accepted_time,
            &time::format_description::well_known::Rfc3339,
        )
        .unwrap_or_else(|_| time::OffsetDateTime::now_utc());
        if (time::OffsetDateTime::now_utc() - accepted) < grace {
            continue;
        }
        let running = kv::get_message::<OperationStatus>(
            &topology.operations,
            &keys::operation(&plan.operation_id),
        )
        .await?
        .is_some_and(|s| s.value.status == OperationState::InProgress as i32);
        if running && let Some(fabric) = load_fabric(topology, &plan.fabric_id).await? {
            let devices: Vec<_> = load_devices(topology, &fabric)
                .await?
                .into_iter()
                .filter(|d| plan.device_ids.contains(&d.device.id))
                .collect();
            fanout::publish_jobs(
                &orchestrator.bus,
                &plan,
                &devices,
                &orchestrator.config.common.bao_address,
            )
            .await?;
            tracing::info!(operation = %plan.operation_id, devices = devices.len(), "finished an interrupted fan-out");
            finished += 1;
        }
        plan.fanout_complete = true;
        store_plan(&topology.operations, &plan).await?;
    }
    Ok(finished)
}
