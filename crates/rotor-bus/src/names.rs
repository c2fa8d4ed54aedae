//! Every subject, stream, consumer, bucket and object store name Rotor uses, built by functions.
//!
//! Nothing else in Rotor spells a subject or bucket name as a string literal.

use rotor_proto::v1::Stage;

/// Rotation requests from other systems, request/reply: `rotor.requests.<fabric>`.
pub fn request_subject(fabric_id: &str) -> String {
    format!("rotor.requests.{fabric_id}")
}

/// What the orchestrator subscribes to (as a queue group, so any copy answers).
pub const REQUESTS_WILDCARD: &str = "rotor.requests.*";
/// The queue group request handlers share.
pub const REQUESTS_QUEUE_GROUP: &str = "rotor-orchestrator";

/// Stage events: `rotor.events.<fabric>.<device>.<stage>`.
pub fn event_subject(fabric_id: &str, device_id: &str, stage: Stage) -> String {
    format!(
        "rotor.events.{fabric_id}.{device_id}.{}",
        stage.as_str_name()
    )
}

/// A subscription filter for stage events, narrowed to a fabric and a device when given.
pub fn events_filter(fabric_id: Option<&str>, device_id: Option<&str>) -> String {
    match (fabric_id, device_id) {
        (Some(fabric), Some(device)) => format!("rotor.events.{fabric}.{device}.*"),
        (Some(fabric), None) => format!("rotor.events.{fabric}.>"),
        (None, Some(device)) => format!("rotor.events.*.{device}.*"),
        (None, None) => "rotor.events.>".to_string(),
    }
}

/// The stream that keeps stage events (limits retention) for the aggregator and for replay.
pub const EVENTS_STREAM: &str = "ROTOR_EVENTS";
/// The durable consumer the aggregator folds events from.
pub const AGGREGATOR_CONSUMER: &str = "aggregator";

/// The three kinds of per-device job, one work-queue consumer each.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum JobKind {
    /// Stages 1 and 2, taken by the differ.
    Diff,
    /// Stage 3, taken by the applier.
    Apply,
    /// Stage 4, taken by the backup worker.
    Backup,
}

impl JobKind {
    pub const ALL: [JobKind; 3] = [JobKind::Diff, JobKind::Apply, JobKind::Backup];

    /// The subject token of this kind.
    pub fn token(self) -> &'static str {
        match self {
            JobKind::Diff => "diff",
            JobKind::Apply => "apply",
            JobKind::Backup => "backup",
        }
    }

    /// The durable consumer shared by every copy of the worker that takes this kind.
    pub fn consumer_name(self) -> &'static str {
        match self {
            JobKind::Diff => "differ",
            JobKind::Apply => "applier",
            JobKind::Backup => "backup",
        }
    }

    /// The consumer's filter subject.
    pub fn filter_subject(self) -> String {
        format!("rotor.jobs.{}.>", self.token())
    }
}

/// A job for one device: `rotor.jobs.<kind>.<fabric>.<device>`.
pub fn job_subject(kind: JobKind, fabric_id: &str, device_id: &str) -> String {
    format!("rotor.jobs.{}.{fabric_id}.{device_id}", kind.token())
}

/// The message id of a job, for duplicate suppression: one job per (operation, device, kind).
pub fn job_message_id(kind: JobKind, operation_id: &str, device_id: &str) -> String {
    format!("{operation_id}.{device_id}.{}", kind.token())
}

/// The work-queue stream holding every job until a worker acknowledges it.
pub const JOBS_STREAM: &str = "ROTOR_JOBS";

/// Messages a service could not decode, kept for inspection: `rotor.rejected.<service>`.
pub fn rejected_subject(service: &str) -> String {
    format!("rotor.rejected.{service}")
}
/// The stream that keeps rejected messages.
pub const REJECTED_STREAM: &str = "ROTOR_REJECTED";

/// A notice on core NATS (not stored) that a fabric's inventory was imported again, so the
/// aggregator reloads what it derived from it.
pub fn inventory_changed_subject(fabric_id: &str) -> String {
    format!("rotor.control.inventory.{fabric_id}")
}
pub const INVENTORY_CHANGED_WILDCARD: &str = "rotor.control.inventory.*";

/// Key-value buckets. Keys are built with [`key`].
pub mod buckets {
    /// `<fabric>` -> fabric record; `<fabric>.<device>` -> device record (JSON).
    pub const INVENTORY: &str = "rotor_inventory";
    /// `<fabric>.<device>` -> intended configuration (NVUE startup YAML).
    pub const INTENDED_CONFIGS: &str = "rotor_intended_configs";
    /// `<fabric>.<device>` -> `DeviceStatus` (protobuf).
    pub const DEVICE_STATUS: &str = "rotor_device_status";
    /// `<fabric>` -> `FabricStatus` (protobuf).
    pub const FABRIC_STATUS: &str = "rotor_fabric_status";
    /// `<operation>` -> `OperationStatus` without per-device results (protobuf).
    pub const OPERATIONS: &str = "rotor_operations";
    /// `<operation>.<device>` -> `DeviceResult` (protobuf).
    pub const OPERATION_RESULTS: &str = "rotor_operation_results";
    /// `<request id digest>` -> the first answer to a request (protobuf `RotationReply`).
    pub const REQUESTS: &str = "rotor_requests";
    /// `fabric.<fabric>` -> fabric lock; `service.<name>` -> leadership lease (JSON).
    pub const LEASES: &str = "rotor_leases";
    /// `<fabric>.<device>` -> which secret version Rotor last logged in with (JSON, no secret).
    pub const CREDENTIALS: &str = "rotor_credentials";
    /// `<fabric>.<device>` -> failed-login budget use within the lock-out window (JSON).
    pub const LOGIN_ATTEMPTS: &str = "rotor_login_attempts";
    /// `<fabric>.<device>.<operation>.<stage>` -> a stage's side effect is done (JSON).
    pub const STAGE_MARKS: &str = "rotor_stage_marks";
    /// `<fabric>.<device>.<operation>` -> `BackupInfo` (protobuf) of the backup in the object store.
    pub const BACKUP_INDEX: &str = "rotor_backup_index";

    pub const ALL: [&str; 12] = [
        INVENTORY,
        INTENDED_CONFIGS,
        DEVICE_STATUS,
        FABRIC_STATUS,
        OPERATIONS,
        OPERATION_RESULTS,
        REQUESTS,
        LEASES,
        CREDENTIALS,
        LOGIN_ATTEMPTS,
        STAGE_MARKS,
        BACKUP_INDEX,
    ];
}

/// The object store holding configuration backups: `<fabric>/<device>/<operation>`.
pub const BACKUPS_OBJECT_STORE: &str = "rotor_backups";

/// Builds a key-value key from name parts (each already checked by `rotor_inventory::check_name`).
pub fn key(parts: &[&str]) -> String {
    parts.join(".")
}

/// Turns an arbitrary caller-chosen id (a request id) into a safe key.
pub fn digest_key(text: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_follow_the_contract() {
        assert_eq!(request_subject("fab1"), "rotor.requests.fab1");
        assert_eq!(
            event_subject("fab1", "leaf-01", Stage::PerformConfigurationDiff),
            "rotor.events.fab1.leaf-01.perform_configuration_diff"
        );
        assert_eq!(
            job_subject(JobKind::Apply, "fab1", "leaf-01"),
            "rotor.jobs.apply.fab1.leaf-01"
        );
        assert_eq!(events_filter(Some("fab1"), None), "rotor.events.fab1.>");
        assert_eq!(
            events_filter(None, Some("leaf-01")),
            "rotor.events.*.leaf-01.*"
        );
        assert_eq!(JobKind::Diff.filter_subject(), "rotor.jobs.diff.>");
        assert_eq!(digest_key("x").len(), 64);
    }
}
