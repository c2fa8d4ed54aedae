//! Publishing an operation's jobs: one diff job per device, many in flight at once.
//!
//! Job message ids are `<operation>.<device>.diff`, so publishing a plan's jobs again (an
//! orchestrator finishing a crashed copy's fan-out) adds nothing the stream already has.

use rotor_bus::{Bus, BusError, JobKind};
use rotor_proto::v1::{DeviceJob, DiffJob};

use crate::records::{DeviceRecord, OperationPlan};

/// How many publishes wait for their acknowledgement at once.
const IN_FLIGHT: usize = 512;

/// The diff job of one device in a plan.
pub fn diff_job(plan: &OperationPlan, device: &DeviceRecord, bao_address: &str) -> DiffJob {
    let targets = plan.targets_for(device, |mount, path, version| {
        rotor_secrets::reference(bao_address, mount, path, version)
    });
    DiffJob {
        device: Some(DeviceJob {
            operation_id: plan.operation_id.clone(),
            fabric_id: plan.fabric_id.clone(),
            device_id: device.device.id.clone(),
            kind: plan.kind,
            targets,
            accepted_time: plan.accepted_time.clone(),
            users: plan.users_for(device),
            fence: plan.lock_lease_id.clone(),
            plan: plan.plan,
        }),
    }
}

/// Publishes the diff job of every device in `devices` and waits until the stream stored all.
pub async fn publish_jobs(
    bus: &Bus,
    plan: &OperationPlan,
    devices: &[DeviceRecord],
    bao_address: &str,
) -> Result<(), BusError> {
    for chunk in devices.chunks(IN_FLIGHT) {
        futures::future::try_join_all(
            chunk
                .iter()
                .map(|device| publish_one(bus, plan, device, bao_address)),
        )
        .await?;
    }
    Ok(())
}

/// Publishes one device's diff job in a span of its own with no parent: the root of the
/// device's trace, which its jobs and events carry on through every service.
async fn publish_one(
    bus: &Bus,
    plan: &OperationPlan,
    device: &DeviceRecord,
    bao_address: &str,
) -> Result<(), BusError> {
    use tracing::Instrument;
    let span = tracing::info_span!(
        parent: None,
        "device rotation",
        otel.kind = "producer",
        operation = %plan.operation_id,
        fabric = %plan.fabric_id,
        device = %device.device.id,
    );
    publish_traced(bus, plan, device, bao_address)
        .instrument(span)
        .await
}

async fn publish_traced(
    bus: &Bus,
    plan: &OperationPlan,
    device: &DeviceRecord,
    bao_address: &str,
) -> Result<(), BusError> {
    let job = diff_job(plan, device, bao_address);
    let ack = bus
        .publish_job(
            JobKind::Diff,
            &plan.fabric_id,
            &device.device.id,
            &plan.operation_id,
            &job,
        )
        .await?;
    ack.await.map_err(|e| BusError::JetStream {
        what: format!("publish diff job for {}", device.device.id),
        reason: rotor_bus::with_limit_hint(rotor_bus::names::JOBS_STREAM, e),
    })?;
    Ok(())
}
