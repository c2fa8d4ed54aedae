//! Releasing a quarantined device (`ReleaseDevice`, the bus kind `ReleaseDevice`), and the
//! quarantine as statuses show it. The aggregator quarantines (`rotor_pipeline::quarantine`);
//! the device selection of a fabric-wide operation leaves quarantined devices out
//! (`requests.rs`).

use rotor_pipeline::quarantine::{self, QuarantineRecord};
use rotor_pipeline::records::load_device;
use rotor_proto::v1::DeviceStatus;

use crate::Orchestrator;
use crate::dispatch::Refusal;

/// Removes a device's quarantine and its run of failures; answers the record it removed
/// (`None`: the device was not quarantined, which is not an error: releasing is idempotent).
pub async fn release(
    orchestrator: &Orchestrator,
    fabric_id: &str,
    device_id: &str,
) -> Result<Option<QuarantineRecord>, Refusal> {
    let topology = &orchestrator.topology;
    if load_device(topology, fabric_id, device_id).await?.is_none() {
        return Err(Refusal::NotFound(format!(
            "device {device_id} is not in fabric {fabric_id}"
        )));
    }
    let record = quarantine::load(topology, fabric_id, device_id).await?;
    if record.is_some() {
        quarantine::clear(topology, fabric_id, device_id).await?;
    }
    let released = record.filter(QuarantineRecord::is_quarantined);
    match &released {
        Some(record) => {
            tracing::info!(
                fabric = fabric_id,
                device = device_id,
                failures = record.failures,
                "device released from quarantine"
            );
        }
        None => tracing::info!(
            fabric = fabric_id,
            device = device_id,
            "release of a device that was not quarantined"
        ),
    }
    Ok(released)
}

/// Sets `status`'s quarantine and run of failures as the device's `record` says (the record
/// is the truth: a release removes it before the aggregator next writes the status).
pub fn set_quarantine(status: &mut DeviceStatus, record: Option<&QuarantineRecord>) {
    status.consecutive_failures = record.map_or(0, |r| r.failures);
    status.quarantine = record.and_then(QuarantineRecord::status);
}
