//! Finishing hand-overs a crashed orchestrator left half done.
//!
//! An operation's plan is written before its secret versions, again once they are allocated
//! (prepared), and marked complete once its release record is written (the dispatcher releases
//! its devices from there, see `dispatch`). Every copy looks, every few seconds, for incomplete
//! plans older than a grace period: a prepared one's release record is written unless it
//! exists; one that was never
//! prepared (its orchestrator died while writing versions) is ended as failed, with its fabric
//! lock given back: no device was contacted, and the versions it wrote are reused by the next
//! rotation (see `versions`).

use std::time::Duration;

use rotor_bus::kv;
use rotor_bus::names::{filters, keys};
use rotor_pipeline::records::{OperationPlan, store_plan};
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

/// Hands every incomplete plan older than `grace` to the dispatcher; returns how many.
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
        if !plan.prepared {
            abandon(orchestrator, &mut plan).await?;
            continue;
        }
        let running = kv::get_message::<OperationStatus>(
            &topology.operations,
            &keys::operation(&plan.operation_id),
        )
        .await?
        .is_some_and(|s| s.value.status == OperationState::InProgress as i32);
        if running {
            crate::dispatch::start(orchestrator, &plan).await?;
            tracing::info!(operation = %plan.operation_id, devices = plan.device_ids.len(), "finished an interrupted hand-over to the dispatcher");
            finished += 1;
        }
        plan.fanout_complete = true;
        store_plan(&topology.operations, &plan).await?;
    }
    Ok(finished)
}

/// Ends an operation whose orchestrator died before it was prepared.
async fn abandon(
    orchestrator: &Orchestrator,
    plan: &mut OperationPlan,
) -> Result<(), rotor_bus::BusError> {
    let topology = &orchestrator.topology;
    let now = rotor_bus::now_rfc3339();
    let status = OperationStatus {
        id: plan.operation_id.clone(),
        kind: plan.kind,
        fabric_id: plan.fabric_id.clone(),
        status: OperationState::Failed as i32,
        start_time: plan.accepted_time.clone(),
        end_time: now,
        total_devices: plan.device_ids.len() as u32,
        request_id: plan.request_id.clone(),
        requested_by: plan.requested_by.clone(),
        error: Some(rotor_proto::v1::Error {
            code: rotor_proto::v1::ErrorCode::InternalError as i32,
            message: "the orchestrator stopped while preparing this operation; no device was contacted. Send the request again".into(),
        }),
        ..Default::default()
    };
    kv::put_message(
        &topology.operations,
        &keys::operation(&plan.operation_id),
        &status,
    )
    .await?;
    let released = rotor_bus::lease::release(
        &topology.leases,
        &keys::fabric_lock(&plan.fabric_id),
        &plan.lock_lease_id,
    )
    .await?;
    plan.prepared = true;
    plan.fanout_complete = true;
    store_plan(&topology.operations, plan).await?;
    orchestrator.audit.record(plan.end_record(&status));
    tracing::warn!(operation = %plan.operation_id, lock_released = released, "ended an operation whose orchestrator died while preparing it");
    Ok(())
}
