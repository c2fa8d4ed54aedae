//! Webhook notifications (docs/notifications.md): a signed JSON summary POSTed to each webhook
//! of a fabric's `fabric.notifications` when an operation ends or halts, when a device ends
//! with `RestoreFailed` and when a device is quarantined.
//!
//! Two halves, so that nothing is lost on a crash:
//! - **queueing** ([`operation_ended`], [`restore_failed`], [`quarantined`]): the leader
//!   publishes one message per (event, webhook) on the `ROTOR_NOTIFICATIONS` work queue, with a
//!   message id, before it writes what the event changed (an operation's final status), so a
//!   leader that dies in between publishes it again and the stream drops the repeat;
//! - **posting** ([`run`]): every aggregator copy pulls from the durable `notifier` consumer,
//!   signs the body with the webhook's key (read from `ROTOR_WEBHOOK_KEYS_DIR/<secret>` at each
//!   attempt, never logged) and POSTs it; a 2xx acknowledges the message, anything else hands it
//!   back with an exponentially growing delay, until `ROTOR_WEBHOOK_MAX_ATTEMPTS`, after which
//!   it is given up with an error logged. A receiver may get a summary more than once (a copy
//!   that dies after the POST): `Rotor-Delivery` is the same at every attempt.
//!
//! The signature, `Rotor-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>` over
//! `"<t>.<body>"`, lets a receiver check both who sent the body and how old it is.
//! The body holds statuses, codes, messages and ids: never a password, token or lease id.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use async_nats::jetstream::AckKind;
use futures::StreamExt;
use rotor_bus::names;
use rotor_bus::{Bus, BusError, Topology};
use rotor_inventory::notifications::NotificationEvent;
use rotor_pipeline::quarantine::QuarantineRecord;
use rotor_pipeline::records::{OperationPlan, load_fabric};
use rotor_proto::v1::{DeviceResult, ErrorCode, OperationState, OperationStatus, RotationKind};
use rotor_runtime::CancellationToken;
use rotor_runtime::settings::{SettingError, Settings};
use serde::{Deserialize, Serialize};

/// The header carrying the signature.
pub const SIGNATURE_HEADER: &str = "Rotor-Signature";
/// The header naming the event (`operationEnd`, ...).
pub const EVENT_HEADER: &str = "Rotor-Event";
/// The header carrying the delivery's id, the same at every attempt (for receivers that drop
/// repeats).
pub const DELIVERY_HEADER: &str = "Rotor-Delivery";

/// How the notifier posts.
#[derive(Clone, Debug)]
pub struct NotifierConfig {
    /// Where the webhooks' signing keys are: one file per key, named as the inventory's
    /// `secret`, readable by the service's user only (`ROTOR_WEBHOOK_KEYS_DIR`).
    pub keys_dir: Option<PathBuf>,
    /// Attempts before a notification is given up (`ROTOR_WEBHOOK_MAX_ATTEMPTS`, default 10).
    pub max_attempts: u64,
    /// The delay after the first failed attempt, doubled after each further one
    /// (`ROTOR_WEBHOOK_BACKOFF_MS`, default 1000).
    pub first_backoff: Duration,
    /// The longest delay between attempts (`ROTOR_WEBHOOK_MAX_BACKOFF_SECS`, default 600).
    pub max_backoff: Duration,
    /// How long one POST may take (`ROTOR_WEBHOOK_TIMEOUT_SECS`, default 10).
    pub timeout: Duration,
    /// CA certificates (PEM) trusted for `https://` webhooks besides the system's
    /// (`ROTOR_WEBHOOK_CA_FILE`, read at start).
    pub ca_certificates: Vec<reqwest::Certificate>,
}

impl NotifierConfig {
    /// Reads the notifier's settings; the first bad value is the error.
    pub fn from_settings(settings: &Settings) -> Result<NotifierConfig, SettingError> {
        Ok(NotifierConfig {
            keys_dir: settings.raw("ROTOR_WEBHOOK_KEYS_DIR").map(PathBuf::from),
            max_attempts: settings.number("ROTOR_WEBHOOK_MAX_ATTEMPTS", 10, 1..=1000)?,
            first_backoff: Duration::from_millis(settings.number(
                "ROTOR_WEBHOOK_BACKOFF_MS",
                1000,
                1..=3_600_000,
            )?),
            max_backoff: settings
                .seconds("ROTOR_WEBHOOK_MAX_BACKOFF_SECS", Duration::from_secs(600))?,
            timeout: settings.seconds("ROTOR_WEBHOOK_TIMEOUT_SECS", Duration::from_secs(10))?,
            ca_certificates: match settings.raw("ROTOR_WEBHOOK_CA_FILE") {
                None => Vec::new(),
                Some(path) => read_ca_file(path).map_err(|reason| SettingError {
                    name: "ROTOR_WEBHOOK_CA_FILE".into(),
                    reason,
                })?,
            },
        })
    }

    /// The delay before attempt `attempt + 1` after attempt `attempt` (1-based) failed:
    /// `first_backoff * 2^(attempt-1)`, at most `max_backoff`.
    pub fn backoff(&self, attempt: u64) -> Duration {
        let doublings = attempt.saturating_sub(1).min(32) as u32;
        self.first_backoff
            .saturating_mul(2u32.saturating_pow(doublings))
            .min(self.max_backoff)
    }
}

/// The certificates of a PEM file, at least one.
fn read_ca_file(path: &str) -> Result<Vec<reqwest::Certificate>, String> {
    let pem = std::fs::read(path).map_err(|e| format!("cannot read {path:?}: {e}"))?;
    let certificates = reqwest::Certificate::from_pem_bundle(&pem)
        .map_err(|e| format!("{path:?} is not a PEM certificate bundle: {e}"))?;
    if certificates.is_empty() {
        return Err(format!("{path:?} holds no PEM certificate"));
    }
    Ok(certificates)
}

/// A device in a summary.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceLine {
    /// The device's id.
    pub device_id: String,
    /// Its result (`Succeeded`, `Failed`, `Halted`, ...).
    pub status: String,
    /// Its error code, when it has one.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub code: String,
    /// Its error message, when it has one.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub message: String,
}

/// How many devices ended how.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Totals {
    /// Devices in the operation.
    pub devices: u32,
    /// Devices updated.
    pub succeeded: u32,
    /// Devices that failed.
    pub failed: u32,
    /// Devices never released (a halt or a cancel).
    pub not_attempted: u32,
}

/// The JSON body posted to a webhook.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    /// What happened: `operationEnd`, `operationHalt`, `restoreFailed`, `quarantine`.
    pub event: String,
    /// The fabric.
    pub fabric_id: String,
    /// The operation (for a device event: the operation it happened in).
    pub operation_id: String,
    /// The operation's kind (`FabricRotatePassword`, ...), when known.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub kind: String,
    /// The operation's final status (an operation event) or the device's (a device event).
    pub status: String,
    /// The operation's error code (an operation event) or the device's.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub error_code: String,
    /// The error's message.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub error_message: String,
    /// The device (a device event).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub device_id: String,
    /// Who asked for the operation (an operation event).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub requested_by: String,
    /// When the operation started (an operation event).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub start_time: String,
    /// When the event happened (RFC 3339): the operation's end, the device's last event, the
    /// quarantine.
    pub time: String,
    /// How the operation's devices ended (an operation event).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub totals: Option<Totals>,
    /// The devices updated, by id (an operation event).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub updated: Vec<String>,
    /// The devices not updated, with their status and error (an operation event).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_updated: Vec<DeviceLine>,
    /// How many operations in a row the device failed (a quarantine).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consecutive_failures: Option<u32>,
}

/// What is queued for one webhook: where to post, which key signs, and the exact body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Delivery {
    url: String,
    secret: String,
    event: String,
    delivery_id: String,
    /// The JSON text posted, byte for byte at every attempt.
    body: String,
}

fn state_name(status: i32) -> String {
    OperationState::try_from(status)
        .map_or("Unspecified", |s| s.as_str_name())
        .to_string()
}

fn code_name(error: Option<&rotor_proto::v1::Error>) -> (String, String) {
    match error {
        Some(error) if error.code != ErrorCode::Unspecified as i32 || !error.message.is_empty() => {
            (
                ErrorCode::try_from(error.code)
                    .map_or("Unspecified", |c| c.as_str_name())
                    .to_string(),
                error.message.clone(),
            )
        }
        _ => (String::new(), String::new()),
    }
}

fn kind_name(kind: i32) -> String {
    RotationKind::try_from(kind)
        .map_or("", |k| k.as_str_name())
        .to_string()
}

/// The summary of an operation that ended with `status` (its devices' results in `done`).
pub fn operation_summary(
    plan: &OperationPlan,
    status: &OperationStatus,
    done: &HashMap<String, DeviceResult>,
) -> Summary {
    let event = if status.status == OperationState::Halted as i32 {
        NotificationEvent::OperationHalt
    } else {
        NotificationEvent::OperationEnd
    };
    let (error_code, error_message) = code_name(status.error.as_ref());
    let mut results: Vec<&DeviceResult> = done.values().collect();
    results.sort_by(|a, b| a.resource_id.cmp(&b.resource_id));
    let (updated, not_updated): (Vec<&DeviceResult>, Vec<&DeviceResult>) = results
        .into_iter()
        .partition(|r| r.status == OperationState::Succeeded as i32);
    Summary {
        event: event.as_str().into(),
        fabric_id: plan.fabric_id.clone(),
        operation_id: plan.operation_id.clone(),
        kind: kind_name(status.kind),
        status: state_name(status.status),
        error_code,
        error_message,
        requested_by: plan.requested_by.clone(),
        start_time: status.start_time.clone(),
        time: status.end_time.clone(),
        totals: Some(Totals {
            devices: status.total_devices,
            succeeded: status.succeeded_devices,
            failed: status.failed_devices,
            not_attempted: status.not_attempted_devices,
        }),
        updated: updated.iter().map(|r| r.resource_id.clone()).collect(),
        not_updated: not_updated
            .iter()
            .map(|r| {
                let (code, message) = code_name(r.error.as_ref());
                DeviceLine {
                    device_id: r.resource_id.clone(),
                    status: state_name(r.status),
                    code,
                    message,
                }
            })
            .collect(),
        ..Default::default()
    }
}

/// Queues the summary of an operation's end (`operationHalt` when it halted) for the webhooks
/// that want it.
pub async fn operation_ended(
    bus: &Bus,
    topology: &Topology,
    plan: &OperationPlan,
    status: &OperationStatus,
    done: &HashMap<String, DeviceResult>,
) -> Result<(), BusError> {
    let summary = operation_summary(plan, status, done);
    queue(bus, topology, &plan.operation_id, summary).await
}

/// Whether a device's result is a failed restore (its previous password not proven).
pub fn is_restore_failure(result: &DeviceResult) -> bool {
    result
        .error
        .as_ref()
        .is_some_and(|e| e.code == ErrorCode::RestoreFailed as i32)
}

/// Queues a device's `RestoreFailed` for the webhooks that want it.
pub async fn restore_failed(
    bus: &Bus,
    topology: &Topology,
    event: &rotor_proto::v1::StageEvent,
    kind: Option<i32>,
    result: &DeviceResult,
) -> Result<(), BusError> {
    let (error_code, error_message) = code_name(result.error.as_ref());
    let summary = Summary {
        event: NotificationEvent::RestoreFailed.as_str().into(),
        fabric_id: event.fabric_id.clone(),
        operation_id: event.operation_id.clone(),
        kind: kind.map(kind_name).unwrap_or_default(),
        status: state_name(result.status),
        error_code,
        error_message,
        device_id: event.device_id.clone(),
        time: event.time.clone(),
        ..Default::default()
    };
    let about = format!("{}.{}", event.operation_id, event.device_id);
    queue(bus, topology, &about, summary).await
}

/// The quarantine record `current` if `operation_id` is what quarantined the device (its
/// failure that reached the threshold `after`): an event of that operation folded again finds
/// the record already written, and queues the quarantine's notification again (the message id
/// drops the repeat). A later failure of a quarantined device is not a new quarantine.
pub fn made_by(
    current: Option<&QuarantineRecord>,
    operation_id: &str,
    after: u32,
) -> Option<QuarantineRecord> {
    current
        .filter(|r| {
            r.is_quarantined()
                && r.failures == after
                && r.operations.last().is_some_and(|o| o == operation_id)
        })
        .cloned()
}

/// Queues a device's quarantine for the webhooks that want it.
pub async fn quarantined(
    bus: &Bus,
    topology: &Topology,
    event: &rotor_proto::v1::StageEvent,
    record: &QuarantineRecord,
) -> Result<(), BusError> {
    let summary = Summary {
        event: NotificationEvent::Quarantine.as_str().into(),
        fabric_id: event.fabric_id.clone(),
        operation_id: event.operation_id.clone(),
        status: ErrorCode::Quarantined.as_str_name().into(),
        error_code: record.error_code().as_str_name().into(),
        error_message: record.reason(),
        device_id: event.device_id.clone(),
        time: if record.since.is_empty() {
            rotor_bus::now_rfc3339()
        } else {
            record.since.clone()
        },
        consecutive_failures: Some(record.failures),
        ..Default::default()
    };
    let about = format!("{}.{}", event.operation_id, event.device_id);
    queue(bus, topology, &about, summary).await
}

/// Publishes `summary` once per webhook of its fabric that wants its event.
async fn queue(
    bus: &Bus,
    topology: &Topology,
    about: &str,
    summary: Summary,
) -> Result<(), BusError> {
    let Some(event) = NotificationEvent::ALL
        .into_iter()
        .find(|e| e.as_str() == summary.event)
    else {
        return Ok(());
    };
    let Some(notifications) = load_fabric(topology, &summary.fabric_id)
        .await?
        .and_then(|record| record.fabric.notifications)
    else {
        return Ok(());
    };
    let body = serde_json::to_string(&summary).expect("a summary always serialises");
    for (index, webhook) in notifications.webhooks_for(event) {
        let delivery_id = names::notification_message_id(about, event.as_str(), index);
        let delivery = Delivery {
            url: webhook.url.clone(),
            secret: webhook.secret.clone(),
            event: event.as_str().into(),
            delivery_id: delivery_id.clone(),
            body: body.clone(),
        };
        let payload = serde_json::to_vec(&delivery).expect("a delivery always serialises");
        let queued = bus
            .publish_notification(
                names::notification_subject(&summary.fabric_id, event.as_str()),
                &delivery_id,
                payload.into(),
            )
            .await;
        match queued {
            // A full queue (webhooks down for long) must not stop operations from ending.
            Err(error) if error.is_full() => {
                tracing::error!(%error, fabric = %summary.fabric_id, event = event.as_str(), webhook = index, "the notification queue is full; this notification is lost");
                continue;
            }
            other => other?,
        }
        tracing::debug!(fabric = %summary.fabric_id, event = event.as_str(), webhook = index, "notification queued");
    }
    Ok(())
}

/// The `Rotor-Signature` value of `body` at `unix` seconds: `t=<unix>,v1=<hex>`, the HMAC-SHA256
/// with `key` of `"<unix>.<body>"`.
pub fn signature(key: &[u8], unix: u64, body: &[u8]) -> String {
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, key);
    let mut context = ring::hmac::Context::with_key(&key);
    context.update(unix.to_string().as_bytes());
    context.update(b".");
    context.update(body);
    let tag = context.sign();
    let hex: String = tag.as_ref().iter().map(|b| format!("{b:02x}")).collect();
    format!("t={unix},v1={hex}")
}

/// Reads a signing key: the file `<dir>/<name>`, which only its owner may read; surrounding
/// white space (a final newline) is not part of the key. The error never holds the key.
pub fn read_key(dir: Option<&Path>, name: &str) -> Result<Vec<u8>, String> {
    let dir = dir.ok_or("ROTOR_WEBHOOK_KEYS_DIR is not set, so no webhook can be signed")?;
    rotor_inventory::check_name(name).map_err(|p| format!("key name {p}"))?;
    let path = dir.join(name);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path)
            .map_err(|e| format!("cannot read the key file {}: {e}", path.display()))?
            .permissions()
            .mode();
        if mode & 0o077 != 0 {
            return Err(format!(
                "the key file {} may be read by others (mode {:o}); make it 0600",
                path.display(),
                mode & 0o777
            ));
        }
    }
    let bytes = std::fs::read(&path)
        .map_err(|e| format!("cannot read the key file {}: {e}", path.display()))?;
    let key = bytes.trim_ascii().to_vec();
    if key.is_empty() {
        return Err(format!("the key file {} is empty", path.display()));
    }
    Ok(key)
}

/// Where a URL points, for logs: scheme, host and port only (a path or query may carry a
/// receiver's token).
fn where_to(url: &str) -> &str {
    match url.find("://") {
        Some(at) => {
            let end = url[at + 3..]
                .find(['/', '?', '#'])
                .map_or(url.len(), |i| at + 3 + i);
            &url[..end]
        }
        None => "(not a URL)",
    }
}

/// What one attempt came to.
#[derive(Debug, PartialEq, Eq)]
enum Attempt {
    Delivered,
    Failed(String),
}

/// Posts notifications from the `notifier` consumer until `shutdown` is cancelled (every
/// aggregator copy runs one, leading or not).
pub async fn run(bus: Bus, config: NotifierConfig, shutdown: CancellationToken) {
    // The HTTP client is built without a TLS backend of its own; use ring, as NATS does.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = match reqwest::Client::builder()
        .timeout(config.timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("rotor/", env!("CARGO_PKG_VERSION")))
        .tls_certs_merge(config.ca_certificates.clone())
        .build()
    {
        Ok(client) => client,
        Err(error) => {
            tracing::error!(%error, "cannot build the webhook client; no notification is posted");
            return;
        }
    };
    while !shutdown.is_cancelled() {
        if let Err(error) = post_from_queue(&bus, &client, &config, &shutdown).await {
            tracing::warn!(%error, "the notifier stopped pulling; retrying");
            rotor_runtime::leadership::pause(Duration::from_secs(1), &shutdown).await;
        }
    }
}

async fn post_from_queue(
    bus: &Bus,
    client: &reqwest::Client,
    config: &NotifierConfig,
    shutdown: &CancellationToken,
) -> Result<(), BusError> {
    let consumer = bus.notifier_consumer().await?;
    let messages = consumer
        .stream()
        .max_messages_per_batch(16)
        .heartbeat(Duration::from_secs(5))
        .expires(Duration::from_secs(30))
        .messages()
        .await
        .map_err(|e| BusError::JetStream {
            what: "pull notifications".into(),
            reason: e.to_string(),
        })?;
    messages
        .take_until(shutdown.cancelled())
        .for_each_concurrent(16, |message| async move {
            match message {
                Ok(message) => handle(bus, client, config, message).await,
                Err(error) => tracing::warn!(%error, "pulling notifications failed"),
            }
        })
        .await;
    Ok(())
}

async fn handle(
    bus: &Bus,
    client: &reqwest::Client,
    config: &NotifierConfig,
    message: async_nats::jetstream::Message,
) {
    let attempt = message
        .info()
        .map_or(1, |info| info.delivered.max(1) as u64);
    let delivery: Delivery = match serde_json::from_slice(&message.payload) {
        Ok(delivery) => delivery,
        Err(error) => {
            tracing::warn!(subject = %message.subject, %error, "rejected a notification that does not decode");
            if let Err(error) = bus
                .record_rejected(
                    "aggregator",
                    &message.subject,
                    "not a valid notification",
                    message.payload.clone(),
                )
                .await
            {
                tracing::warn!(%error, "could not keep the rejected notification");
            }
            acknowledge(&message, AckKind::Term).await;
            return;
        }
    };
    let outcome = post(client, config, &delivery).await;
    let target = where_to(&delivery.url);
    let kind = match outcome {
        Attempt::Delivered => {
            tracing::info!(event = %delivery.event, delivery = %delivery.delivery_id, to = target, attempt, "notification delivered");
            rotor_metrics::metrics().webhook_post("delivered");
            AckKind::Ack
        }
        Attempt::Failed(reason) if attempt < config.max_attempts => {
            let delay = config.backoff(attempt);
            tracing::warn!(event = %delivery.event, delivery = %delivery.delivery_id, to = target, attempt, %reason, retry_in_ms = delay.as_millis() as u64, "webhook failed; retrying");
            rotor_metrics::metrics().webhook_post("retried");
            AckKind::Nak(Some(delay))
        }
        Attempt::Failed(reason) => {
            tracing::error!(event = %delivery.event, delivery = %delivery.delivery_id, to = target, attempt, %reason, "webhook failed at every attempt; the notification is given up");
            rotor_metrics::metrics().webhook_post("given_up");
            AckKind::Term
        }
    };
    acknowledge(&message, kind).await;
}

async fn acknowledge(message: &async_nats::jetstream::Message, kind: AckKind) {
    if let Err(error) = message.ack_with(kind).await {
        tracing::warn!(%error, "could not acknowledge a notification; it will be posted again");
    }
}

async fn post(client: &reqwest::Client, config: &NotifierConfig, delivery: &Delivery) -> Attempt {
    let key = match read_key(config.keys_dir.as_deref(), &delivery.secret) {
        Ok(key) => key,
        Err(reason) => return Attempt::Failed(reason),
    };
    let unix = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let signed = signature(&key, unix, delivery.body.as_bytes());
    let sent = client
        .post(&delivery.url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(SIGNATURE_HEADER, signed)
        .header(EVENT_HEADER, &delivery.event)
        .header(DELIVERY_HEADER, &delivery.delivery_id)
        .body(delivery.body.clone())
        .send()
        .await;
    match sent {
        Ok(response) if response.status().is_success() => Attempt::Delivered,
        Ok(response) => Attempt::Failed(format!("the webhook answered {}", response.status())),
        // reqwest's error names the URL; keep only what went wrong.
        Err(error) => Attempt::Failed(format!(
            "the request failed: {}",
            std::error::Error::source(&error).map_or_else(|| error.to_string(), |s| s.to_string())
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_hmac_sha256_of_time_dot_body() {
        // RFC 4231 test case 2 ("Jefe"), with the message split as "<t>.<body>".
        let signed = signature(b"Jefe", 0, b"what do ya want for nothing?");
        // HMAC-SHA256("Jefe", "0.what do ya want for nothing?") computed independently:
        let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, b"Jefe");
        let expected = ring::hmac::sign(&key, b"0.what do ya want for nothing?");
        let hex: String = expected
            .as_ref()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(signed, format!("t=0,v1={hex}"));
        assert_eq!(hex.len(), 64);
        // Another time, another key or another body: another signature.
        assert_ne!(
            signature(b"Jefe", 1, b"what do ya want for nothing?"),
            signed
        );
        assert_ne!(
            signature(b"Jefd", 0, b"what do ya want for nothing?"),
            signed
        );
        assert_ne!(
            signature(b"Jefe", 0, b"what do ya want for nothing!"),
            signed
        );
    }

    #[test]
    fn the_backoff_doubles_up_to_its_cap() {
        let config = NotifierConfig {
            keys_dir: None,
            max_attempts: 10,
            first_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(5),
            timeout: Duration::from_secs(1),
            ca_certificates: Vec::new(),
        };
        let delays: Vec<u64> = (1..=7)
            .map(|a| config.backoff(a).as_millis() as u64)
            .collect();
        assert_eq!(delays, [500, 1000, 2000, 4000, 5000, 5000, 5000]);
        assert_eq!(config.backoff(u64::MAX), Duration::from_secs(5));
        let settings = Settings::from_pairs([("ROTOR_WEBHOOK_MAX_ATTEMPTS", "0")]);
        let error = NotifierConfig::from_settings(&settings).unwrap_err();
        assert_eq!(error.name, "ROTOR_WEBHOOK_MAX_ATTEMPTS");
        let not_pem = std::env::temp_dir().join(format!("rotor-not-pem-{}", std::process::id()));
        std::fs::write(&not_pem, "not a certificate").unwrap();
        for path in [not_pem.display().to_string(), "/nonexistent/ca.pem".into()] {
            let settings = Settings::from_pairs([("ROTOR_WEBHOOK_CA_FILE", path.as_str())]);
            let error = NotifierConfig::from_settings(&settings).unwrap_err();
            assert_eq!(error.name, "ROTOR_WEBHOOK_CA_FILE", "{path}");
        }
        std::fs::remove_file(&not_pem).unwrap();
    }

    fn result(device: &str, status: OperationState, code: Option<ErrorCode>) -> DeviceResult {
        DeviceResult {
            resource_id: device.into(),
            status: status as i32,
            error: code.map(|code| rotor_proto::v1::Error {
                code: code as i32,
                message: format!("{} failed", device),
            }),
            ..Default::default()
        }
    }

    #[test]
    fn an_operation_summary_lists_updated_and_not_updated_devices() {
        let plan: OperationPlan = serde_json::from_value(serde_json::json!({
            "operationId": "op1", "kind": RotationKind::FabricRotatePassword as i32,
            "fabricId": "fab1", "requestId": "", "requestedBy": "alice",
            "acceptedTime": "2026-01-01T00:00:00Z", "deviceIds": ["a", "b", "c"],
            "users": [], "versions": {"fabrics/fab1/admin": 7},
            "lockLeaseId": "lease-secret-id", "fanoutComplete": true
        }))
        .unwrap();
        let status = OperationStatus {
            id: "op1".into(),
            kind: RotationKind::FabricRotatePassword as i32,
            fabric_id: "fab1".into(),
            status: OperationState::Halted as i32,
            start_time: "2026-01-01T00:00:00Z".into(),
            end_time: "2026-01-01T00:01:00Z".into(),
            error: Some(rotor_proto::v1::Error {
                code: ErrorCode::ConfigApplyFailure as i32,
                message: "the canary failed".into(),
            }),
            total_devices: 3,
            succeeded_devices: 1,
            failed_devices: 1,
            not_attempted_devices: 1,
            ..Default::default()
        };
        let done: HashMap<String, DeviceResult> = [
            result("c", OperationState::Halted, Some(ErrorCode::NotAttempted)),
            result("a", OperationState::Succeeded, None),
            result(
                "b",
                OperationState::Failed,
                Some(ErrorCode::ConfigApplyFailure),
            ),
        ]
        .into_iter()
        .map(|r| (r.resource_id.clone(), r))
        .collect();
        let summary = operation_summary(&plan, &status, &done);
        assert_eq!(summary.event, "operationHalt");
        assert_eq!(summary.status, "Halted");
        assert_eq!(summary.error_code, "ConfigApplyFailure");
        assert_eq!(summary.updated, ["a"]);
        let not: Vec<(&str, &str, &str)> = summary
            .not_updated
            .iter()
            .map(|d| (d.device_id.as_str(), d.status.as_str(), d.code.as_str()))
            .collect();
        assert_eq!(
            not,
            [
                ("b", "Failed", "ConfigApplyFailure"),
                ("c", "Halted", "NotAttempted")
            ]
        );
        let body = serde_json::to_string(&summary).unwrap();
        assert!(body.contains(r#""fabricId":"fab1""#), "{body}");
        assert!(
            body.contains(r#""totals":{"devices":3,"succeeded":1,"failed":1,"notAttempted":1}"#),
            "{body}"
        );
        assert!(!body.contains("lease-secret-id"), "{body}");
        let ended = OperationStatus {
            status: OperationState::Succeeded as i32,
            error: None,
            ..status
        };
        let summary = operation_summary(&plan, &ended, &done);
        assert_eq!(summary.event, "operationEnd");
        assert_eq!(summary.error_code, "");
    }

    #[test]
    fn keys_are_read_only_from_private_files() {
        let dir = std::env::temp_dir().join(format!("rotor-keys-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("hook");
        std::fs::write(&path, "s3cret-key\n").unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let problem = read_key(Some(&dir), "hook").unwrap_err();
        assert!(problem.contains("0600"), "{problem}");
        assert!(!problem.contains("s3cret"), "{problem}");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(read_key(Some(&dir), "hook").unwrap(), b"s3cret-key");
        assert!(read_key(Some(&dir), "../hook").is_err());
        assert!(
            read_key(Some(&dir), "missing")
                .unwrap_err()
                .contains("cannot read")
        );
        assert!(
            read_key(None, "hook")
                .unwrap_err()
                .contains("ROTOR_WEBHOOK_KEYS_DIR")
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn only_the_operation_that_quarantined_a_device_queues_its_quarantine_again() {
        let record = QuarantineRecord {
            code: ErrorCode::RestoreFailed as i32,
            operations: vec!["op1".into(), "op2".into(), "op3".into()],
            failures: 3,
            message: "m".into(),
            since: "2026-01-01T00:00:00Z".into(),
        };
        assert_eq!(made_by(Some(&record), "op3", 3), Some(record.clone()));
        assert_eq!(made_by(Some(&record), "op2", 3), None);
        assert_eq!(made_by(None, "op3", 3), None);
        // A failure after the quarantine is not a new one.
        let later = QuarantineRecord {
            failures: 4,
            ..record.clone()
        };
        assert_eq!(made_by(Some(&later), "op3", 3), None);
        let running = QuarantineRecord {
            since: String::new(),
            ..record
        };
        assert_eq!(made_by(Some(&running), "op3", 3), None);
    }

    #[test]
    fn logs_name_where_a_webhook_is_but_not_its_path() {
        assert_eq!(
            where_to("https://hooks.example/t0ken?x=1"),
            "https://hooks.example"
        );
        assert_eq!(where_to("http://127.0.0.1:80"), "http://127.0.0.1:80");
    }
}
