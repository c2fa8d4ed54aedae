//! Stage marks: what a stage's side effect on a device in one operation came to, so that a
//! redelivered job does not repeat it (`rotor_stage_marks`, one key per mark, see
//! [`rotor_bus::names::StageMark`]).

use rotor_bus::names::StageMark;
use rotor_bus::{BusError, Topology, kv};
use rotor_proto::v1::DeviceJob;
use serde::{Deserialize, Serialize};

use crate::records::stage_mark_key;

/// Where the apply of one device in one operation stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ApplyState {
    /// `nv config apply` was (or is being) sent; its outcome may be unknown.
    Applying,
    /// A proof failed and the rollback was started; it is not proven yet.
    Restoring,
    /// Applied and every new password proven.
    Applied,
    /// A proof failed, the change was rolled back and the previous password proven.
    Restored,
}

/// The apply mark's record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApplyMark {
    /// Where the apply stands.
    pub mark: ApplyState,
    /// When it was written (RFC 3339).
    pub time: String,
    /// The revision the apply created, once known.
    pub revision: Option<u64>,
}

/// Whether this operation's diff of the job's device already led somewhere: the differ
/// published the next job, or the applier is at work.
pub async fn diff_done(topology: &Topology, job: &DeviceJob) -> Result<bool, BusError> {
    for mark in [StageMark::Diff, StageMark::Apply] {
        if kv::get_bytes(&topology.stage_marks, &stage_mark_key(job, mark))
            .await?
            .is_some()
        {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Records that the diff led to its next job.
pub async fn record_diff(topology: &Topology, job: &DeviceJob) -> Result<(), BusError> {
    kv::put_json(
        &topology.stage_marks,
        &stage_mark_key(job, StageMark::Diff),
        &rotor_bus::now_rfc3339(),
    )
    .await
    .map(|_| ())
}

/// The apply mark, if any.
pub async fn read_apply(
    topology: &Topology,
    job: &DeviceJob,
) -> Result<Option<ApplyMark>, BusError> {
    Ok(kv::get_json::<ApplyMark>(
        &topology.stage_marks,
        &stage_mark_key(job, StageMark::Apply),
    )
    .await?
    .map(|v| v.value))
}

/// Writes the apply mark.
pub async fn write_apply(
    topology: &Topology,
    job: &DeviceJob,
    mark: ApplyState,
    revision: Option<u64>,
) -> Result<(), BusError> {
    let record = ApplyMark {
        mark,
        time: rotor_bus::now_rfc3339(),
        revision,
    };
    kv::put_json(
        &topology.stage_marks,
        &stage_mark_key(job, StageMark::Apply),
        &record,
    )
    .await
    .map(|_| ())
}

/// Removes the apply mark (the apply was refused by the device: nothing is uncertain).
pub async fn clear_apply(topology: &Topology, job: &DeviceJob) -> Result<(), BusError> {
    let key = stage_mark_key(job, StageMark::Apply);
    topology
        .stage_marks
        .delete(&key)
        .await
        .map_err(|e| BusError::JetStream {
            what: format!("delete stage mark {key}"),
            reason: e.to_string(),
        })
}
