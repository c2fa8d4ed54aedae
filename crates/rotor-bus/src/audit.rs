//! The audit stream ([`names::AUDIT_STREAM`], subjects `rotor.audit.<fabric or _>.<verb>`):
//! one [`AuditRecord`] per API call, bus request and operation end, stored as its proto3 JSON
//! form, so `nats stream view ROTOR_AUDIT` and `rotor audit` read the same thing.
//!
//! [`Audit::record`] is the one way anything is recorded. It never makes the call it records
//! wait or fail: the record is published in the background, with the stream's acknowledgement
//! awaited there, and a record the stream did not take is logged as an error with what it was
//! about (never dropped without a word). [`read`] reads records back with filters.
//!
//! A record carries identities, addresses, names, versions and error messages; never a
//! password or a token (nothing that reaches it holds one).

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use async_nats::jetstream::{self, consumer};
use futures::StreamExt;
pub use rotor_proto::v1::{AuditRecord, IdentityChange};

use crate::{BusError, names};

/// The call was authorized and goes on (a stream of events that has no end to record).
pub const ALLOWED: &str = "allowed";
/// The caller was not authenticated, or its roles do not cover the call.
pub const REFUSED: &str = "refused";
/// The call did what it asked (a rotation request: it was accepted; an operation: it ended
/// with every device updated).
pub const SUCCEEDED: &str = "succeeded";
/// The call was authorized but did not do what it asked (an operation: some or every device
/// was not updated).
pub const FAILED: &str = "failed";

/// Channels a record comes from.
pub mod channel {
    /// The gRPC API.
    pub const GRPC: &str = "grpc";
    /// The NATS request subject.
    pub const BUS: &str = "bus";
    /// Rotor itself: an operation's end (recorded by whichever service ended it).
    pub const ROTOR: &str = "rotor";
}

/// The verb of an operation's end.
pub const OPERATION_END: &str = "OperationEnd";
/// The verb of a device's quarantine (recorded by the aggregator that quarantined it).
pub const QUARANTINE: &str = "Quarantine";
/// The verb of a run a schedule started or had refused (recorded by the scheduler).
pub const SCHEDULED_RUN: &str = "ScheduledRun";
/// The verb of a maintenance window that passed while a scheduled run was due, with no attempt
/// in it (recorded by the scheduler when it notices).
pub const SCHEDULE_MISSED: &str = "ScheduleMissed";

/// The verb of a job a worker refused because its operation does not vouch for it (forged on
/// the bus; recorded by the worker, which cannot know who published it).
pub const FORGED_JOB: &str = "ForgedJob";

/// The longest a text field of a record gets (a refused call's fabric may be anything).
const MAX_TEXT: usize = 1024;
/// The most device ids a record lists; the rest are counted in one last entry (`+N more`).
const MAX_DEVICES: usize = 1000;

/// Records audit records. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Audit {
    jetstream: jetstream::Context,
    instance: String,
    lost: Arc<AtomicU64>,
}

impl Audit {
    /// Records into the audit stream of `bus`, naming this copy `instance`.
    pub fn new(bus: &crate::Bus, instance: &str) -> Audit {
        Audit {
            jetstream: bus.jetstream.clone(),
            instance: instance.to_string(),
            lost: Arc::default(),
        }
    }

    /// Records `record` (time and instance filled in when empty) without waiting: the
    /// publication and its acknowledgement run in the background; a failure is logged as an
    /// error naming the record's verb, fabric, identity and outcome.
    pub fn record(&self, record: AuditRecord) {
        self.publish(record, None);
    }

    /// Records `record` like [`Audit::record`], with `message_id` as its JetStream message id:
    /// recorded again with the same id (by another copy that saw the same thing) within the
    /// stream's duplicate window, it is stored once.
    pub fn record_once(&self, record: AuditRecord, message_id: String) {
        self.publish(record, Some(message_id));
    }

    fn publish(&self, mut record: AuditRecord, message_id: Option<String>) {
        if record.time.is_empty() {
            record.time = crate::now_rfc3339();
        }
        if record.instance.is_empty() {
            record.instance = self.instance.clone();
        }
        bound(&mut record);
        let subject = names::audit_subject(&record.fabric_id, &record.verb);
        let payload = match serde_json::to_vec(&record) {
            Ok(payload) => bytes::Bytes::from(payload),
            Err(error) => {
                tracing::error!(%error, verb = %record.verb, "an audit record does not serialise");
                return;
            }
        };
        let jetstream = self.jetstream.clone();
        let lost = self.lost.clone();
        tokio::spawn(async move {
            let started = std::time::Instant::now();
            let stored = async {
                let mut headers = async_nats::HeaderMap::new();
                if let Some(id) = &message_id {
                    headers.insert(async_nats::header::NATS_MESSAGE_ID, id.as_str());
                }
                jetstream
                    .publish_with_headers(subject, headers, payload)
                    .await
                    .map_err(|e| e.to_string())?
                    .await
                    .map_err(|e| e.to_string())
            }
            .await;
            rotor_metrics::metrics().nats_publish("audit", started, stored.is_ok());
            if let Err(error) = stored {
                let lost = lost.fetch_add(1, Ordering::Relaxed) + 1;
                tracing::error!(
                    %error,
                    verb = %record.verb,
                    fabric = %record.fabric_id,
                    identity = %record.identity,
                    outcome = %record.outcome,
                    lost,
                    "an audit record could not be stored in the audit stream"
                );
            }
        });
    }

    /// How many records this copy could not store.
    pub fn lost(&self) -> u64 {
        self.lost.load(Ordering::Relaxed)
    }
}

/// Keeps a record's size bounded whatever a caller sent.
fn bound(record: &mut AuditRecord) {
    for text in [
        &mut record.identity,
        &mut record.peer,
        &mut record.verb,
        &mut record.fabric_id,
        &mut record.message,
        &mut record.operation_id,
    ] {
        if text.len() > MAX_TEXT {
            let mut end = MAX_TEXT;
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            text.truncate(end);
            text.push('…');
        }
    }
    if record.device_ids.len() > MAX_DEVICES {
        let more = record.device_ids.len() - MAX_DEVICES;
        record.device_ids.truncate(MAX_DEVICES);
        record.device_ids.push(format!("+{more} more"));
    }
}

/// Which records to read: every given filter must match.
#[derive(Clone, Debug, Default)]
pub struct AuditQuery {
    /// Only this fabric's records (`None`: every fabric's, and those of no fabric).
    pub fabric_id: Option<String>,
    /// Only this verb's records.
    pub verb: Option<String>,
    /// Only this identity's records.
    pub identity: Option<String>,
    /// Only records with this outcome.
    pub outcome: Option<String>,
    /// Only records stored at or after this time.
    pub since: Option<time::OffsetDateTime>,
    /// The newest this many that match.
    pub limit: usize,
}

/// The records matching `query`, oldest first: the newest `query.limit` of them. Fabric and
/// verb narrow the subjects read, `since` where reading starts; the rest is matched here.
pub async fn read(
    jetstream: &jetstream::Context,
    query: &AuditQuery,
) -> Result<Vec<AuditRecord>, BusError> {
    let filter = names::audit_filter(query.fabric_id.as_deref(), query.verb.as_deref());
    let what = || format!("read the audit ({filter})");
    let stream = jetstream
        .get_stream(names::AUDIT_STREAM)
        .await
        .map_err(|e| BusError::jetstream(what(), e))?;
    // What is stored now is what is read: records stored meanwhile (this very read's among
    // them) are left for the next read, so a busy stream cannot keep a read going.
    let last = stream.cached_info().state.last_sequence;
    let deliver_policy = match query.since {
        Some(start_time) => consumer::DeliverPolicy::ByStartTime { start_time },
        None => consumer::DeliverPolicy::All,
    };
    let consumer = stream
        .create_consumer(consumer::pull::OrderedConfig {
            filter_subject: filter.clone(),
            deliver_policy,
            ..Default::default()
        })
        .await
        .map_err(|e| BusError::jetstream(what(), e))?;
    let mut kept = VecDeque::new();
    if consumer.cached_info().num_pending == 0 || query.limit == 0 {
        return Ok(Vec::new());
    }
    let since = query.since.map(crate::format_time);
    let mut messages = consumer
        .messages()
        .await
        .map_err(|e| BusError::jetstream(what(), e))?;
    while let Some(message) = messages.next().await {
        let message = message.map_err(|e| BusError::jetstream(what(), e))?;
        let info = message.info().map_err(|e| BusError::jetstream(what(), e))?;
        let (sequence, pending) = (info.stream_sequence, info.pending);
        if sequence > last {
            break;
        }
        match serde_json::from_slice::<AuditRecord>(&message.payload) {
            // Times in Rotor's one form compare as strings.
            Ok(record)
                if matches(&record, query)
                    && since.as_ref().is_none_or(|since| record.time >= *since) =>
            {
                if kept.len() == query.limit {
                    kept.pop_front();
                }
                kept.push_back(record);
            }
            Ok(_) => {}
            Err(error) => {
                tracing::warn!(subject = %message.subject, %error, "an audit record does not decode; skipped");
            }
        }
        if pending == 0 || sequence == last {
            break;
        }
    }
    Ok(kept.into())
}

fn matches(record: &AuditRecord, query: &AuditQuery) -> bool {
    let is = |wanted: &Option<String>, value: &str| wanted.as_deref().is_none_or(|w| w == value);
    is(&query.fabric_id, &record.fabric_id)
        && is(&query.verb, &record.verb)
        && is(&query.identity, &record.identity)
        && is(&query.outcome, &record.outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_stay_bounded() {
        let mut record = AuditRecord {
            fabric_id: "é".repeat(2000),
            device_ids: (0..1500).map(|i| i.to_string()).collect(),
            ..Default::default()
        };
        bound(&mut record);
        assert!(record.fabric_id.len() <= MAX_TEXT + '…'.len_utf8());
        assert_eq!(record.device_ids.len(), MAX_DEVICES + 1);
        assert_eq!(record.device_ids.last().unwrap(), "+500 more");
    }

    #[test]
    fn records_are_camel_case_json() {
        let record = AuditRecord {
            identity: "alice".into(),
            fabric_id: "fab1".into(),
            outcome: REFUSED.into(),
            identity_changes: vec![IdentityChange {
                device_id: "leaf-01".into(),
                fields: vec!["address".into()],
            }],
            ..Default::default()
        };
        let json = serde_json::to_string(&record).unwrap();
        assert!(json.contains(r#""fabricId":"fab1""#), "{json}");
        assert!(
            json.contains(r#""identityChanges":[{"deviceId":"leaf-01""#),
            "{json}"
        );
        assert_eq!(serde_json::from_str::<AuditRecord>(&json).unwrap(), record);
    }
}
