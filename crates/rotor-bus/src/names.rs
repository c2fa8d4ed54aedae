//! Every subject, stream, consumer, bucket, key, filter and object name Rotor uses, built (and
//! parsed back) by functions.
//!
//! Nothing else in Rotor spells one: `crates/rotor-bus/tests/names_are_spelled_once.rs` reads
//! the source tree and fails on a `rotor.`/`rotor_` bus literal or a hand-built key filter
//! anywhere else. Name parts (fabric, device, operation ids) are checked by
//! `rotor_inventory::check_name` before they get here, so none can carry a `.`, `*` or `>`.

use rotor_proto::v1::Stage;

const REQUESTS_PREFIX: &str = "rotor.requests.";
const EVENTS_PREFIX: &str = "rotor.events.";
const JOBS_PREFIX: &str = "rotor.jobs.";
const REJECTED_PREFIX: &str = "rotor.rejected.";
const INVENTORY_CHANGED_PREFIX: &str = "rotor.control.inventory.";
const AUDIT_PREFIX: &str = "rotor.audit.";
const ROLLOUT_PREFIX: &str = "rotor.rollout.";

/// Rotation requests from other systems, request/reply: `rotor.requests.<fabric>`.
pub fn request_subject(fabric_id: &str) -> String {
    format!("{REQUESTS_PREFIX}{fabric_id}")
}

/// What the orchestrator subscribes to (as a queue group, so any copy answers).
pub const REQUESTS_WILDCARD: &str = "rotor.requests.*";
/// The queue group request handlers share.
pub const REQUESTS_QUEUE_GROUP: &str = "rotor-orchestrator";

/// The fabric a request subject names (`rotor.requests.<fabric>`).
pub fn parse_request_subject(subject: &str) -> Option<&str> {
    single_token(subject.strip_prefix(REQUESTS_PREFIX)?)
}

/// Stage events: `rotor.events.<fabric>.<device>.<stage>`.
pub fn event_subject(fabric_id: &str, device_id: &str, stage: Stage) -> String {
    format!(
        "{EVENTS_PREFIX}{fabric_id}.{device_id}.{}",
        stage.as_str_name()
    )
}

/// The parts of an event subject.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EventSubject<'a> {
    /// The fabric the event belongs to.
    pub fabric_id: &'a str,
    /// The device the event belongs to.
    pub device_id: &'a str,
    /// The stage it reports.
    pub stage: Stage,
}

/// Parses `rotor.events.<fabric>.<device>.<stage>`.
pub fn parse_event_subject(subject: &str) -> Option<EventSubject<'_>> {
    let rest = subject.strip_prefix(EVENTS_PREFIX)?;
    let mut parts = rest.split('.');
    let (fabric_id, device_id, stage) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || fabric_id.is_empty() || device_id.is_empty() {
        return None;
    }
    Some(EventSubject {
        fabric_id,
        device_id,
        stage: Stage::from_str_name(stage)?,
    })
}

/// Every stage event: the events stream's subjects and the aggregator's filter.
pub const EVENTS_ALL: &str = "rotor.events.>";

/// A subscription filter for stage events, narrowed to a fabric and a device when given.
pub fn events_filter(fabric_id: Option<&str>, device_id: Option<&str>) -> String {
    match (fabric_id, device_id) {
        (Some(fabric), Some(device)) => format!("{EVENTS_PREFIX}{fabric}.{device}.*"),
        (Some(fabric), None) => format!("{EVENTS_PREFIX}{fabric}.>"),
        (None, Some(device)) => format!("{EVENTS_PREFIX}*.{device}.*"),
        (None, None) => EVENTS_ALL.to_string(),
    }
}

/// Rollout events (a wave started or ended): `rotor.rollout.<fabric>.<operation>`, kept in the
/// events stream beside the stage events (the aggregator's filter leaves them out).
pub fn rollout_subject(fabric_id: &str, operation_id: &str) -> String {
    format!("{ROLLOUT_PREFIX}{fabric_id}.{operation_id}")
}

/// Every rollout event.
pub const ROLLOUT_ALL: &str = "rotor.rollout.>";

/// A subscription filter for rollout events, narrowed to a fabric when given.
pub fn rollout_filter(fabric_id: Option<&str>) -> String {
    match fabric_id {
        Some(fabric) => format!("{ROLLOUT_PREFIX}{fabric}.*"),
        None => ROLLOUT_ALL.to_string(),
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
    /// Every kind, in pipeline order.
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
        format!("{JOBS_PREFIX}{}.>", self.token())
    }
}

/// A job for one device: `rotor.jobs.<kind>.<fabric>.<device>`.
pub fn job_subject(kind: JobKind, fabric_id: &str, device_id: &str) -> String {
    format!("{JOBS_PREFIX}{}.{fabric_id}.{device_id}", kind.token())
}

/// Parses `rotor.jobs.<kind>.<fabric>.<device>`.
pub fn parse_job_subject(subject: &str) -> Option<(JobKind, &str, &str)> {
    let mut parts = subject.strip_prefix(JOBS_PREFIX)?.split('.');
    let (kind, fabric_id, device_id) = (parts.next()?, parts.next()?, parts.next()?);
    let kind = JobKind::ALL.into_iter().find(|k| k.token() == kind)?;
    (parts.next().is_none() && !fabric_id.is_empty() && !device_id.is_empty())
        .then_some((kind, fabric_id, device_id))
}

/// Every job subject: the jobs stream's subjects.
pub const JOBS_ALL: &str = "rotor.jobs.>";

/// The message id of a job, for duplicate suppression: one job per (operation, device, kind).
pub fn job_message_id(kind: JobKind, operation_id: &str, device_id: &str) -> String {
    format!("{operation_id}.{device_id}.{}", kind.token())
}

/// The work-queue stream holding every job until a worker acknowledges it.
pub const JOBS_STREAM: &str = "ROTOR_JOBS";

/// Messages a service could not decode, kept for inspection: `rotor.rejected.<service>`.
pub fn rejected_subject(service: &str) -> String {
    format!("{REJECTED_PREFIX}{service}")
}
/// Every rejected-message subject: the rejected stream's subjects.
pub const REJECTED_ALL: &str = "rotor.rejected.>";
/// The stream that keeps rejected messages.
pub const REJECTED_STREAM: &str = "ROTOR_REJECTED";

/// A notice on core NATS (not stored) that a fabric's inventory was imported again, so the
/// aggregator reloads what it derived from it.
pub fn inventory_changed_subject(fabric_id: &str) -> String {
    format!("{INVENTORY_CHANGED_PREFIX}{fabric_id}")
}
/// What the aggregator subscribes to for inventory notices.
pub const INVENTORY_CHANGED_WILDCARD: &str = "rotor.control.inventory.*";

/// The fabric an inventory notice names.
pub fn parse_inventory_changed_subject(subject: &str) -> Option<&str> {
    single_token(subject.strip_prefix(INVENTORY_CHANGED_PREFIX)?)
}

/// The fabric a Rotor subject names (a request, a stage event, a job, an inventory notice), if
/// it is one: what an audit record of a refused publish on it is filed under.
pub fn fabric_of_subject(subject: &str) -> Option<&str> {
    parse_request_subject(subject)
        .or_else(|| parse_event_subject(subject).map(|event| event.fabric_id))
        .or_else(|| parse_job_subject(subject).map(|(_, fabric_id, _)| fabric_id))
        .or_else(|| parse_inventory_changed_subject(subject))
}

/// The audit stream: one record per API call, bus request and operation end.
pub const AUDIT_STREAM: &str = "ROTOR_AUDIT";
/// Every audit subject: the audit stream's subjects.
pub const AUDIT_ALL: &str = "rotor.audit.>";
/// Every fabric's audit records of one verb (`rotor.audit.*.<verb>`): what a service that
/// records only that verb may publish.
pub fn audit_verb_filter(verb: &str) -> String {
    format!("{AUDIT_PREFIX}*.{}", audit_token(verb))
}
/// The fabric token of an audit record that names no fabric, or a fabric that is not a name
/// (a refused call's garbage). No fabric can be named `_` (names start with a letter or digit).
pub const AUDIT_NO_FABRIC: &str = "_";

/// The token an audit subject uses for `name`: itself if it is a name (letters, digits, `_`,
/// `-`, at most 64), else [`AUDIT_NO_FABRIC`], so nothing a caller sends can reach a subject.
fn audit_token(name: &str) -> &str {
    let usable = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if usable { name } else { AUDIT_NO_FABRIC }
}

/// An audit record: `rotor.audit.<fabric or _>.<verb>`.
pub fn audit_subject(fabric_id: &str, verb: &str) -> String {
    format!(
        "{AUDIT_PREFIX}{}.{}",
        audit_token(fabric_id),
        audit_token(verb)
    )
}

/// A filter on audit subjects, narrowed to a fabric and a verb when given (a value that is not
/// a name matches only records that named no fabric or verb).
pub fn audit_filter(fabric_id: Option<&str>, verb: Option<&str>) -> String {
    format!(
        "{AUDIT_PREFIX}{}.{}",
        fabric_id.map_or("*", audit_token),
        verb.map_or("*", audit_token)
    )
}

fn single_token(text: &str) -> Option<&str> {
    (!text.is_empty() && !text.contains('.')).then_some(text)
}

/// Key-value buckets. Keys are built by [`keys`], filters by [`filters`].
pub mod buckets {
    /// `<fabric>` -> fabric record; `<fabric>.<device>` -> device record (JSON).
    pub const INVENTORY: &str = "rotor_inventory";
    /// `<fabric>.<device>` -> intended configuration (NVUE startup YAML).
    pub const INTENDED_CONFIGS: &str = "rotor_intended_configs";
    /// `<fabric>.<device>` -> `DeviceStatus` (protobuf).
    pub const DEVICE_STATUS: &str = "rotor_device_status";
    /// `<fabric>` -> `FabricStatus` (protobuf).
    pub const FABRIC_STATUS: &str = "rotor_fabric_status";
    /// `<operation>` -> `OperationStatus` without per-device results (protobuf);
    /// `<operation>.plan` -> the operation's plan (JSON);
    /// `<operation>.dispatch` -> how far the release of its devices went (JSON).
    pub const OPERATIONS: &str = "rotor_operations";
    /// `<operation>.<device>` -> `DeviceResult` (protobuf).
    pub const OPERATION_RESULTS: &str = "rotor_operation_results";
    /// `<digest of fabric and request id>` -> the first answer to a request (protobuf
    /// `RotationReply`; empty while the first copy is handled).
    pub const REQUESTS: &str = "rotor_requests";
    /// `fabric.<fabric>` -> fabric lock; `service.<name>` -> leadership;
    /// `switch.<switch>` -> device lock (JSON leases).
    pub const LEASES: &str = "rotor_leases";
    /// `<fabric>.<device>` -> which secret version Rotor last logged in with (JSON, no secret).
    pub const CREDENTIALS: &str = "rotor_credentials";
    /// `<switch>.<user>` -> the failed logins Rotor caused for one user of one physical switch
    /// within the lock-out window (JSON, see `keys::login_ledger`).
    pub const LOGIN_ATTEMPTS: &str = "rotor_login_attempts";
    /// `<fabric>.<device>.<operation>.<mark>` -> a stage's side effect is done or under way
    /// (JSON; see [`super::StageMark`]).
    pub const STAGE_MARKS: &str = "rotor_stage_marks";
    /// `<fabric>.<device>.<operation>` -> `BackupInfo` (protobuf) of the backup in the object store.
    pub const BACKUP_INDEX: &str = "rotor_backup_index";
    /// `<claim>` -> the device that claims a physical switch's identity (a pinned host key's or
    /// the canonical address's digest; JSON), so one switch is one device across fabrics.
    pub const SWITCHES: &str = "rotor_switches";
    /// `<fabric>.<device>` -> the device's run of failures and its quarantine (JSON,
    /// `rotor_pipeline::quarantine`): written by the aggregator, read by the orchestrator's
    /// device selection, removed by a release.
    pub const QUARANTINE: &str = "rotor_quarantine";
    /// `<fabric>` -> the fabric's rotation schedule and the scheduler's progress on it (JSON,
    /// the orchestrator's `schedule.rs`): written and read by the orchestrator only.
    pub const SCHEDULES: &str = "rotor_schedules";

    /// Every bucket, as [`crate::Bus::ensure_topology`] creates them.
    pub const ALL: [&str; 15] = [
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
        SWITCHES,
        QUARANTINE,
        SCHEDULES,
    ];
}

/// The stage marks a job records (key suffix in the stage-marks bucket).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StageMark {
    /// The differ's diff led somewhere (its next job is published).
    Diff,
    /// The applier's apply is under way or done (with what happened).
    Apply,
}

impl StageMark {
    /// The key token of this mark.
    pub fn token(self) -> &'static str {
        match self {
            StageMark::Diff => "diff",
            StageMark::Apply => "apply",
        }
    }
}

/// Keys in the buckets, one function per key shape.
pub mod keys {
    use super::StageMark;

    /// A fabric: its record in the inventory bucket, its status in the fabric-status bucket,
    /// its schedule.
    pub fn fabric(fabric_id: &str) -> String {
        fabric_id.to_string()
    }

    /// A device: its record, intended configuration, status, remembered credential,
    /// failed-login count and quarantine record.
    pub fn device(fabric_id: &str, device_id: &str) -> String {
        format!("{fabric_id}.{device_id}")
    }

    /// Parses [`device`] back into (fabric, device).
    pub fn parse_device(key: &str) -> Option<(&str, &str)> {
        let (fabric, device) = key.split_once('.')?;
        (!fabric.is_empty() && !device.is_empty() && !device.contains('.'))
            .then_some((fabric, device))
    }

    /// An operation's status in the operations bucket.
    pub fn operation(operation_id: &str) -> String {
        operation_id.to_string()
    }

    /// An operation's plan in the operations bucket.
    pub fn operation_plan(operation_id: &str) -> String {
        format!("{operation_id}.plan")
    }

    /// How far an operation's devices were released, in the operations bucket.
    pub fn operation_dispatch(operation_id: &str) -> String {
        format!("{operation_id}.dispatch")
    }

    /// The operation of a release record's key.
    pub fn parse_operation_dispatch(key: &str) -> Option<&str> {
        key.strip_suffix(".dispatch")
            .filter(|operation| !operation.is_empty() && !operation.contains('.'))
    }

    /// One device's result in an operation.
    pub fn device_result(operation_id: &str, device_id: &str) -> String {
        format!("{operation_id}.{device_id}")
    }

    /// The answer to a request id (caller-chosen text, so digested into a safe key).
    pub fn request(fabric_id: &str, request_id: &str) -> String {
        super::digest(&format!("{fabric_id}\0{request_id}"))
    }

    /// A fabric's lock in the leases bucket.
    pub fn fabric_lock(fabric_id: &str) -> String {
        format!("fabric.{fabric_id}")
    }

    /// A service's leadership lease.
    pub fn leader(service: &str) -> String {
        format!("service.{service}")
    }

    /// A physical switch's lock (held by the one job working on it), by its identity
    /// (`rotor_inventory::Device::switch_identity`).
    pub fn switch_lock(switch: &str) -> String {
        format!("switch.{switch}")
    }

    /// The failed-login ledger of one user of one physical switch.
    pub fn login_ledger(switch: &str, user: &str) -> String {
        format!("{switch}.{user}")
    }

    /// A stage mark of one device in one operation.
    pub fn stage_mark(
        fabric_id: &str,
        device_id: &str,
        operation_id: &str,
        mark: StageMark,
    ) -> String {
        format!("{fabric_id}.{device_id}.{operation_id}.{}", mark.token())
    }

    /// A claim on a physical switch's identity (`rotor_inventory::Device::identity_claims`).
    pub fn switch_claim(claim: &str) -> String {
        claim.to_string()
    }

    /// A backup's index entry (the same parts as its object name).
    pub fn backup(fabric_id: &str, device_id: &str, operation_id: &str) -> String {
        format!("{fabric_id}.{device_id}.{operation_id}")
    }
}

/// A filter over the keys of a bucket (NATS wildcards), built only here.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyFilter(String);

impl KeyFilter {
    /// The filter as NATS takes it (after the bucket's subject prefix).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for KeyFilter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Key filters, one function per scan Rotor does.
pub mod filters {
    use super::KeyFilter;

    /// Every key of a bucket.
    pub fn all() -> KeyFilter {
        KeyFilter(">".into())
    }

    /// Every device key of a fabric ([`super::keys::device`]).
    pub fn devices_of(fabric_id: &str) -> KeyFilter {
        KeyFilter(format!("{fabric_id}.*"))
    }

    /// Every fabric (single-token keys: the fabric-status bucket, the inventory's fabric
    /// records, the schedules).
    pub fn fabrics() -> KeyFilter {
        KeyFilter("*".into())
    }

    /// Every operation status (single-token keys of the operations bucket).
    pub fn operations() -> KeyFilter {
        KeyFilter("*".into())
    }

    /// Every fabric lock of the leases bucket ([`super::keys::fabric_lock`]).
    pub fn fabric_locks() -> KeyFilter {
        KeyFilter("fabric.*".into())
    }

    /// Every operation plan.
    pub fn operation_plans() -> KeyFilter {
        KeyFilter("*.plan".into())
    }

    /// Every operation's release record ([`super::keys::operation_dispatch`]).
    pub fn operation_dispatches() -> KeyFilter {
        KeyFilter("*.dispatch".into())
    }

    /// Every device result of an operation.
    pub fn results_of(operation_id: &str) -> KeyFilter {
        KeyFilter(format!("{operation_id}.*"))
    }

    /// Every backup index entry of a fabric, or of one of its devices.
    pub fn backups_of(fabric_id: &str, device_id: Option<&str>) -> KeyFilter {
        match device_id {
            Some(device) => KeyFilter(format!("{fabric_id}.{device}.*")),
            None => KeyFilter(format!("{fabric_id}.*.*")),
        }
    }
}

/// The object store holding configuration backups.
pub const BACKUPS_OBJECT_STORE: &str = "rotor_backups";

/// The stream that holds an object store's chunks and metadata (JetStream's naming).
pub fn object_store_stream(store: &str) -> String {
    format!("OBJ_{store}")
}

/// A backup's object name: `<fabric>/<device>/<operation>`.
pub fn backup_object_name(fabric_id: &str, device_id: &str, operation_id: &str) -> String {
    format!("{fabric_id}/{device_id}/{operation_id}")
}

/// The parts of a backup's object name, each a checked name; `None` for anything else.
pub fn parse_backup_object_name(name: &str) -> Option<(&str, &str, &str)> {
    let mut parts = name.split('/');
    let (fabric, device, operation) = (parts.next()?, parts.next()?, parts.next()?);
    let safe = |part: &str| !part.is_empty() && !part.contains(['.', '*', '>', ' ']);
    (parts.next().is_none() && safe(fabric) && safe(device) && safe(operation))
        .then_some((fabric, device, operation))
}

/// The deliver subject of the ordered consumer a scan of `bucket` creates: below
/// [`scan_inboxes`], so that a service may subscribe to the scans of the buckets it may read and
/// no others.
pub fn scan_inbox(bucket: &str) -> String {
    format!(
        "_INBOX.rotor-scan.{bucket}.{}",
        uuid::Uuid::new_v4().simple()
    )
}

/// Every deliver subject of scans of `bucket`.
pub fn scan_inboxes(bucket: &str) -> String {
    format!("_INBOX.rotor-scan.{bucket}.*")
}

/// A SHA-256 hex digest, for turning caller-chosen text into a safe key or a content digest.
pub fn digest(text: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

// Webhook notifications (docs/notifications.md).
const NOTIFICATIONS_PREFIX: &str = "rotor.notifications.";

/// A webhook notification waiting to be posted: `rotor.notifications.<fabric>.<event>`, the
/// event as the inventory spells it (`operationEnd`).
pub fn notification_subject(fabric_id: &str, event: &str) -> String {
    format!("{NOTIFICATIONS_PREFIX}{fabric_id}.{event}")
}

/// Every notification subject: the notifications stream's subjects.
pub const NOTIFICATIONS_ALL: &str = "rotor.notifications.>";
/// The work-queue stream holding each notification until a webhook took it (or it was given
/// up).
pub const NOTIFICATIONS_STREAM: &str = "ROTOR_NOTIFICATIONS";
/// The durable consumer every aggregator copy posts notifications from.
pub const NOTIFIER_CONSUMER: &str = "notifier";

/// The message id of a notification, for duplicate suppression: one per (what it is about,
/// event, webhook). `about` is the operation id, or `<operation>.<device>` for a device's
/// restore failure or quarantine; `webhook` is the webhook's index in the fabric's list.
pub fn notification_message_id(about: &str, event: &str, webhook: usize) -> String {
    format!("{about}.{event}.{webhook}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audit_subjects_carry_only_names() {
        assert_eq!(audit_subject("fab1", "Rotate"), "rotor.audit.fab1.Rotate");
        assert_eq!(audit_subject("", "ListAudit"), "rotor.audit._.ListAudit");
        assert_eq!(audit_subject("fab.1>", "x y"), "rotor.audit._._");
        assert_eq!(audit_filter(None, None), "rotor.audit.*.*");
        assert_eq!(audit_filter(Some("fab1"), None), "rotor.audit.fab1.*");
        assert_eq!(audit_filter(None, Some("Rotate")), "rotor.audit.*.Rotate");
        assert_eq!(audit_filter(Some("a.>"), None), "rotor.audit._.*");
    }

    #[test]
    fn subjects_follow_the_contract_and_parse_back() {
        assert_eq!(request_subject("fab1"), "rotor.requests.fab1");
        assert_eq!(parse_request_subject("rotor.requests.fab1"), Some("fab1"));
        assert_eq!(parse_request_subject("rotor.requests.fab1.x"), None);
        assert_eq!(parse_request_subject("rotor.events.fab1"), None);
        let subject = event_subject("fab1", "leaf-01", Stage::PerformConfigurationDiff);
        assert_eq!(
            subject,
            "rotor.events.fab1.leaf-01.perform_configuration_diff"
        );
        assert_eq!(
            parse_event_subject(&subject),
            Some(EventSubject {
                fabric_id: "fab1",
                device_id: "leaf-01",
                stage: Stage::PerformConfigurationDiff
            })
        );
        assert_eq!(parse_event_subject("rotor.events.fab1.leaf-01.nope"), None);
        assert_eq!(
            job_subject(JobKind::Apply, "fab1", "leaf-01"),
            "rotor.jobs.apply.fab1.leaf-01"
        );
        assert_eq!(events_filter(Some("fab1"), None), "rotor.events.fab1.>");
        assert_eq!(
            events_filter(None, Some("leaf-01")),
            "rotor.events.*.leaf-01.*"
        );
        assert_eq!(events_filter(None, None), EVENTS_ALL);
        assert_eq!(JobKind::Diff.filter_subject(), "rotor.jobs.diff.>");
        assert_eq!(
            parse_job_subject("rotor.jobs.apply.fab1.leaf-01"),
            Some((JobKind::Apply, "fab1", "leaf-01"))
        );
        assert_eq!(parse_job_subject("rotor.jobs.nope.fab1.leaf-01"), None);
        assert_eq!(
            parse_inventory_changed_subject(&inventory_changed_subject("fab1")),
            Some("fab1")
        );
        assert_eq!(
            notification_subject("fab1", "operationEnd"),
            "rotor.notifications.fab1.operationEnd"
        );
        assert_eq!(
            notification_message_id("op.leaf-01", "quarantine", 2),
            "op.leaf-01.quarantine.2"
        );
    }

    #[test]
    fn keys_follow_the_documented_shapes() {
        assert_eq!(keys::device("fab1", "leaf-01"), "fab1.leaf-01");
        assert_eq!(
            keys::parse_device("fab1.leaf-01"),
            Some(("fab1", "leaf-01"))
        );
        assert_eq!(keys::parse_device("fab1"), None);
        assert_eq!(keys::operation_plan("op"), "op.plan");
        assert_eq!(keys::fabric_lock("fab1"), "fabric.fab1");
        assert_eq!(keys::leader("aggregator"), "service.aggregator");
        assert_eq!(keys::switch_lock("ab12"), "switch.ab12");
        assert_eq!(keys::login_ledger("ab12", "admin"), "ab12.admin");
        assert_eq!(
            keys::stage_mark("fab1", "d", "op", StageMark::Apply),
            "fab1.d.op.apply"
        );
        assert_eq!(keys::request("fab1", "r1").len(), 64);
        assert_ne!(keys::request("fab1", "r1"), keys::request("fab2", "r1"));
        assert_eq!(filters::devices_of("fab1").as_str(), "fab1.*");
        assert_eq!(filters::backups_of("fab1", Some("d")).as_str(), "fab1.d.*");
        assert_eq!(backup_object_name("f", "d", "o"), "f/d/o");
        assert_eq!(parse_backup_object_name("f/d/o"), Some(("f", "d", "o")));
        for bad in ["f/d", "f/d/o/x", "f/d.x/o", "f//o", "f/*/o"] {
            assert_eq!(parse_backup_object_name(bad), None, "{bad}");
        }
    }
}
