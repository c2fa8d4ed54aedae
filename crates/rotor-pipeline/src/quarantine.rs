//! Quarantine: a device that failed the same way in `N` operations in a row is left out of
//! fabric-wide operations (the scheduled ones too) until it is released (`rotor device
//! release`) or an operation on it succeeds, so a broken switch does not draw a retry storm.
//!
//! One record per device (`<fabric>.<device>` in the quarantine bucket, JSON): the run of
//! failures the aggregator counted and, once it reached `N`, the quarantine. The aggregator
//! writes it from each device's last event ([`after_outcome`], pure); the orchestrator's device
//! selection reads it, a release removes it (the run starts again from nothing).
//!
//! What counts is a device's own failure: not `NotAttempted` (its operation ended first),
//! `DeviceDisabled` (it was never contacted on purpose) or `Quarantined`. "The same way" is the
//! same error code; a different code starts a new run.

use rotor_bus::names::{filters, keys};
use rotor_bus::{BusError, Topology, kv};
use rotor_proto::v1::{DeviceOutcome, ErrorCode, OperationState, Quarantine};
use serde::{Deserialize, Serialize};

/// A device's run of failures, and its quarantine once the run is long enough.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QuarantineRecord {
    /// The error code every failure of the run had (an `ErrorCode` as its number).
    pub code: i32,
    /// The operations of the run, oldest first (at most the threshold's worth are kept).
    pub operations: Vec<String>,
    /// How many operations in a row failed with `code`.
    pub failures: u32,
    /// The last failure's message.
    pub message: String,
    /// When the device was quarantined (RFC 3339); empty while it is not.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub since: String,
}

impl QuarantineRecord {
    /// Whether the device is quarantined.
    pub fn is_quarantined(&self) -> bool {
        !self.since.is_empty()
    }

    /// The error code of the run.
    pub fn error_code(&self) -> ErrorCode {
        ErrorCode::try_from(self.code).unwrap_or(ErrorCode::Unspecified)
    }

    /// The reason shown in statuses and in the results of the operations that skip it.
    pub fn reason(&self) -> String {
        format!(
            "failed {} operations in a row with {} (last: {}); fabric-wide operations skip it until `rotor device release` or an operation on the device succeeds",
            self.failures,
            self.error_code().as_str_name(),
            self.message
        )
    }

    /// The quarantine as statuses show it; `None` while the device is not quarantined.
    pub fn status(&self) -> Option<Quarantine> {
        self.is_quarantined().then(|| Quarantine {
            reason: self.reason(),
            since: self.since.clone(),
            code: self.code,
            failures: self.failures,
            operation_ids: self.operations.clone(),
        })
    }
}

/// What a device's last event in an operation does to its record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// Nothing (a result that does not count, or an event folded before).
    Keep,
    /// Write this record; `newly_quarantined` when this failure quarantined the device.
    Put {
        /// The record to write.
        record: QuarantineRecord,
        /// This failure is the one that reached the threshold.
        newly_quarantined: bool,
    },
    /// Remove the record: the device succeeded.
    Clear,
}

/// Whether an error code is the device's own failure (counted towards a quarantine).
pub fn counts(code: ErrorCode) -> bool {
    !matches!(
        code,
        ErrorCode::Unspecified
            | ErrorCode::NotAttempted
            | ErrorCode::DeviceDisabled
            | ErrorCode::Quarantined
    )
}

/// The change a device's `outcome` in `operation_id` makes to its `current` record, with a
/// threshold of `after` failures (0: never quarantine) at `now` (RFC 3339). Pure.
pub fn after_outcome(
    current: Option<&QuarantineRecord>,
    operation_id: &str,
    outcome: &DeviceOutcome,
    after: u32,
    now: &str,
) -> Change {
    let status = OperationState::try_from(outcome.status).unwrap_or(OperationState::Unspecified);
    match status {
        OperationState::Succeeded if current.is_some() => return Change::Clear,
        OperationState::Failed => {}
        _ => return Change::Keep,
    }
    let error = outcome.error.clone().unwrap_or_default();
    let code = ErrorCode::try_from(error.code).unwrap_or(ErrorCode::Unspecified);
    if after == 0 || !counts(code) {
        return Change::Keep;
    }
    if current.is_some_and(|r| r.operations.iter().any(|o| o == operation_id)) {
        return Change::Keep;
    }
    let mut record = match current {
        Some(record) if record.code == code as i32 => record.clone(),
        // A different way of failing starts a new run (a quarantine stays until released).
        Some(record) => QuarantineRecord {
            code: code as i32,
            since: record.since.clone(),
            ..Default::default()
        },
        None => QuarantineRecord {
            code: code as i32,
            ..Default::default()
        },
    };
    record.failures += 1;
    record.operations.push(operation_id.to_string());
    let keep = after.max(1) as usize;
    if record.operations.len() > keep {
        let extra = record.operations.len() - keep;
        record.operations.drain(..extra);
    }
    record.message = error.message;
    let newly_quarantined = !record.is_quarantined() && record.failures >= after;
    if newly_quarantined {
        now.clone_into(&mut record.since);
    }
    Change::Put {
        record,
        newly_quarantined,
    }
}

/// Every record of a fabric's devices, by device id.
pub async fn load_all(
    topology: &Topology,
    fabric_id: &str,
) -> Result<std::collections::HashMap<String, QuarantineRecord>, BusError> {
    Ok(
        kv::scan_json::<QuarantineRecord>(&topology.quarantine, &filters::devices_of(fabric_id))
            .await?
            .into_iter()
            .filter_map(|(key, record)| {
                let (_, device) = keys::parse_device(&key)?;
                Some((device.to_string(), record))
            })
            .collect(),
    )
}

/// One device's record.
pub async fn load(
    topology: &Topology,
    fabric_id: &str,
    device_id: &str,
) -> Result<Option<QuarantineRecord>, BusError> {
    Ok(
        kv::get_json::<QuarantineRecord>(&topology.quarantine, &keys::device(fabric_id, device_id))
            .await?
            .map(|v| v.value),
    )
}

/// Removes a device's record (a release, or its success): the run starts from nothing.
pub async fn clear(topology: &Topology, fabric_id: &str, device_id: &str) -> Result<(), BusError> {
    topology
        .quarantine
        .purge(keys::device(fabric_id, device_id))
        .await
        .map_err(|e| BusError::JetStream {
            what: format!("{}/{fabric_id}.{device_id}", topology.quarantine.name),
            reason: e.to_string(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rotor_proto::v1::Error;

    fn failed(code: ErrorCode) -> DeviceOutcome {
        DeviceOutcome {
            status: OperationState::Failed as i32,
            error: Some(Error {
                code: code as i32,
                message: format!("{} happened", code.as_str_name()),
            }),
            ..Default::default()
        }
    }

    fn succeeded() -> DeviceOutcome {
        DeviceOutcome {
            status: OperationState::Succeeded as i32,
            ..Default::default()
        }
    }

    /// Applies `outcomes` (operation id, outcome) in order; returns the record and when the
    /// device was newly quarantined (1-based positions).
    fn run(
        after: u32,
        outcomes: &[(&str, DeviceOutcome)],
    ) -> (Option<QuarantineRecord>, Vec<usize>) {
        let mut record = None;
        let mut quarantined_at = Vec::new();
        for (index, (operation, outcome)) in outcomes.iter().enumerate() {
            match after_outcome(
                record.as_ref(),
                operation,
                outcome,
                after,
                "2026-12-03T08:00:00Z",
            ) {
                Change::Keep => {}
                Change::Clear => record = None,
                Change::Put {
                    record: next,
                    newly_quarantined,
                } => {
                    if newly_quarantined {
                        quarantined_at.push(index + 1);
                    }
                    record = Some(next);
                }
            }
        }
        (record, quarantined_at)
    }

    #[test]
    fn the_same_failure_n_times_in_a_row_quarantines() {
        let diff = || failed(ErrorCode::DiffValidationError);
        let (record, at) = run(3, &[("op1", diff()), ("op2", diff()), ("op3", diff())]);
        let record = record.unwrap();
        assert_eq!(at, vec![3]);
        assert!(record.is_quarantined());
        assert_eq!(record.failures, 3);
        assert_eq!(record.operations, ["op1", "op2", "op3"]);
        let status = record.status().unwrap();
        assert_eq!(status.code, ErrorCode::DiffValidationError as i32);
        assert!(
            status
                .reason
                .contains("failed 3 operations in a row with DiffValidationError"),
            "{}",
            status.reason
        );
        // More failures keep it quarantined without announcing it again; the run's operations
        // stay bounded.
        let (record, at) = run(
            3,
            &[
                ("op1", diff()),
                ("op2", diff()),
                ("op3", diff()),
                ("op4", diff()),
            ],
        );
        assert_eq!(at, vec![3]);
        assert_eq!(record.unwrap().operations, ["op2", "op3", "op4"]);
    }

    #[test]
    fn a_different_failure_or_a_success_starts_again() {
        let (record, at) = run(
            3,
            &[
                ("op1", failed(ErrorCode::Timeout)),
                ("op2", failed(ErrorCode::Timeout)),
                ("op3", failed(ErrorCode::CouldNotConnect)),
                ("op4", failed(ErrorCode::CouldNotConnect)),
            ],
        );
        assert!(at.is_empty());
        let record = record.unwrap();
        assert_eq!(
            (record.failures, record.error_code()),
            (2, ErrorCode::CouldNotConnect)
        );
        let (record, at) = run(
            2,
            &[
                ("op1", failed(ErrorCode::Timeout)),
                ("op2", succeeded()),
                ("op3", failed(ErrorCode::Timeout)),
            ],
        );
        assert!(at.is_empty());
        assert_eq!(record.unwrap().failures, 1);
        // A success releases a quarantined device.
        let (record, at) = run(
            1,
            &[("op1", failed(ErrorCode::Timeout)), ("op2", succeeded())],
        );
        assert_eq!((record, at), (None, vec![1]));
    }

    #[test]
    fn what_is_not_the_devices_own_failure_does_not_count() {
        for code in [
            ErrorCode::NotAttempted,
            ErrorCode::DeviceDisabled,
            ErrorCode::Quarantined,
        ] {
            let (record, _) = run(1, &[("op1", failed(code))]);
            assert_eq!(record, None, "{code:?}");
        }
        let halted = DeviceOutcome {
            status: OperationState::Halted as i32,
            ..failed(ErrorCode::NotAttempted)
        };
        assert_eq!(after_outcome(None, "op1", &halted, 1, "t"), Change::Keep);
        // Off: nothing is ever counted.
        assert_eq!(run(0, &[("op1", failed(ErrorCode::Timeout))]).0, None);
        // The same event folded twice counts once.
        let (record, _) = run(
            3,
            &[
                ("op1", failed(ErrorCode::Timeout)),
                ("op1", failed(ErrorCode::Timeout)),
            ],
        );
        assert_eq!(record.unwrap().failures, 1);
        // A success with no record writes nothing.
        assert_eq!(
            after_outcome(None, "op1", &succeeded(), 3, "t"),
            Change::Keep
        );
    }
}
