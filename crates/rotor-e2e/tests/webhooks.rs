//! Webhook notifications on a whole stack (docs/notifications.md): a receiver (an HTTP server
//! in the test, on loopback) gets a summary signed with the webhook's key at an operation's end,
//! after answering 500 the first time (the notifier retries with its backoff); a halted canary
//! is notified as `operationHalt`, its device's failed restore as `restoreFailed` and its
//! quarantine as `quarantine`; a summary queued by an aggregator killed (`kill -9`) while
//! retrying it is delivered by the copy started after it. Every signature is checked here with
//! the key, independently of Rotor's code.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use rotor_e2e::{StackOptions, TestStack, results_by_device, until};
use rotor_inventory::notifications::{NotificationEvent, Notifications, Webhook};
use rotor_inventory::rollout::{Canary, Rollout};
use rotor_proto::v1::*;
use rotor_sim::Fault;
use serde_json::Value;

/// The key's name in the inventory (its file in the keys directory).
const KEY_NAME: &str = "ops-hook";

/// One POST the receiver got, and what it answered.
#[derive(Clone, Debug)]
struct Received {
    signature: String,
    event: String,
    delivery: String,
    body: String,
    answered: u16,
}

#[derive(Clone, Default)]
struct Receiver {
    received: Arc<Mutex<Vec<Received>>>,
    /// Event -> how many more POSTs of it to answer 500.
    failures: Arc<Mutex<HashMap<String, u32>>>,
    url: String,
}

impl Receiver {
    /// A receiver on a free loopback port that answers 500 to the first `fail` POSTs of each
    /// event named, 204 to everything else.
    async fn start(fail: &[(&str, u32)]) -> Receiver {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let receiver = Receiver {
            url: format!("http://{}/hook", listener.local_addr().unwrap()),
            ..Default::default()
        };
        *receiver.failures.lock().unwrap() =
            fail.iter().map(|(e, n)| (e.to_string(), *n)).collect();
        let app = axum::Router::new()
            .route("/hook", axum::routing::post(take))
            .with_state(receiver.clone());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        receiver
    }

    fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    /// The POSTs of `event`, in arrival order.
    fn of(&self, event: &str) -> Vec<Received> {
        self.received()
            .into_iter()
            .filter(|r| r.event == event)
            .collect()
    }

    fn delivered(&self, event: &str) -> bool {
        self.of(event).iter().any(|r| r.answered < 300)
    }
}

async fn take(State(receiver): State<Receiver>, headers: HeaderMap, body: String) -> StatusCode {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    let event = header("rotor-event");
    let status = {
        let mut failures = receiver.failures.lock().unwrap();
        match failures.get_mut(&event) {
            Some(left) if *left > 0 => {
                *left -= 1;
                StatusCode::INTERNAL_SERVER_ERROR
            }
            _ => StatusCode::NO_CONTENT,
        }
    };
    receiver.received.lock().unwrap().push(Received {
        signature: header("rotor-signature"),
        event,
        delivery: header("rotor-delivery"),
        body,
        answered: status.as_u16(),
    });
    status
}

/// A keys directory with the webhook's key in a 0600 file, removed at the end.
struct Keys {
    dir: PathBuf,
    key: Vec<u8>,
}

impl Keys {
    fn new(test: &str) -> Keys {
        use std::os::unix::fs::PermissionsExt;
        let dir =
            std::env::temp_dir().join(format!("rotor-webhook-keys-{test}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let key = format!("key-of-{test}-{}", uuid_like()).into_bytes();
        let path = dir.join(KEY_NAME);
        std::fs::write(&path, [key.as_slice(), b"\n"].concat()).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        Keys { dir, key }
    }

    fn settings(&self) -> Vec<(String, String)> {
        vec![
            (
                "ROTOR_WEBHOOK_KEYS_DIR".into(),
                self.dir.display().to_string(),
            ),
            ("ROTOR_WEBHOOK_BACKOFF_MS".into(), "200".into()),
        ]
    }
}

impl Drop for Keys {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn uuid_like() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{nanos:x}")
}

/// Checks `Rotor-Signature: t=<unix>,v1=<hex>` as a receiver would: HMAC-SHA256 with `key` of
/// `"<t>.<body>"`, and a time within five minutes of now.
fn verify(key: &[u8], signature: &str, body: &str) -> Result<(), String> {
    let mut t = None;
    let mut v1 = None;
    for part in signature.split(',') {
        match part.split_once('=') {
            Some(("t", value)) => t = Some(value),
            Some(("v1", value)) => v1 = Some(value),
            _ => {}
        }
    }
    let (t, v1) = t.zip(v1).ok_or(format!("{signature:?} lacks t= or v1="))?;
    let sent: u64 = t.parse().map_err(|_| format!("t={t} is not a number"))?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    if now.abs_diff(sent) > 300 {
        return Err(format!("t={t} is more than five minutes from now"));
    }
    let tag: Vec<u8> = (0..v1.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(v1.get(i..i + 2).unwrap_or("zz"), 16))
        .collect::<Result<_, _>>()
        .map_err(|_| format!("v1={v1} is not hex"))?;
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, key);
    ring::hmac::verify(&key, format!("{t}.{body}").as_bytes(), &tag)
        .map_err(|_| "the signature does not match".to_string())
}

/// Whether docs/examples/python/verify_webhook.py (the documented check, standard library only)
/// accepts `body` under `signature` with the key in `keys`.
fn python_accepts(keys: &Keys, signature: &str, body: &str) -> bool {
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../docs/examples/python/verify_webhook.py");
    let body_file = keys.dir.join("body.json");
    std::fs::write(&body_file, body).unwrap();
    let output = std::process::Command::new("python3")
        .arg(script)
        .arg("--key-file")
        .arg(keys.dir.join(KEY_NAME))
        .arg("--signature")
        .arg(signature)
        .arg("--body")
        .arg(&body_file)
        .output()
        .expect("python3 runs (the documented verification is Python)");
    output.status.success()
}

fn webhook(receiver: &Receiver, events: Option<Vec<NotificationEvent>>) -> Notifications {
    Notifications {
        webhooks: vec![Webhook {
            url: receiver.url.clone(),
            secret: KEY_NAME.into(),
            events,
        }],
    }
}

/// A stack whose fabric is imported with `notifications`.
async fn stack_notifying(options: StackOptions, notifications: Notifications) -> TestStack {
    let mut stack = TestStack::start(StackOptions {
        import: false,
        ..options
    })
    .await
    .unwrap();
    stack
        .import(|fabric| fabric.inventory.fabric.notifications = Some(notifications))
        .await
        .unwrap();
    stack
}

fn json(body: &str) -> Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{body:?} is not JSON: {e}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receiver_gets_a_signed_summary_at_operation_end_after_answering_500() {
    let keys = Keys::new("end");
    let receiver = Receiver::start(&[("operationEnd", 1)]).await;
    let stack = stack_notifying(
        StackOptions {
            devices: 3,
            settings: keys.settings(),
            ..Default::default()
        },
        webhook(&receiver, None),
    )
    .await;

    let operation = stack.run(stack.fabric_rotate()).await.unwrap();
    assert_eq!(operation.status, OperationState::Succeeded as i32);
    until(
        "the operation's summary is delivered",
        Duration::from_secs(60),
        || receiver.delivered("operationEnd"),
    )
    .await;

    let posts = receiver.of("operationEnd");
    assert_eq!(
        posts.iter().map(|p| p.answered).collect::<Vec<_>>(),
        [500, 204],
        "one refused POST, then the retry: {posts:?}"
    );
    assert_eq!(
        posts[0].delivery, posts[1].delivery,
        "one delivery, tried twice"
    );
    assert!(!posts[0].delivery.is_empty());
    for post in &posts {
        verify(&keys.key, &post.signature, &post.body).unwrap();
        assert_eq!(
            post.body, posts[0].body,
            "every attempt posts the same body"
        );
        // The check can fail: another key, or a changed body, does not verify.
        assert!(verify(b"another key", &post.signature, &post.body).is_err());
        assert!(verify(&keys.key, &post.signature, &post.body.replace("3", "4")).is_err());
    }
    // The documented Python check agrees, and refuses a changed body.
    assert!(python_accepts(&keys, &posts[1].signature, &posts[1].body));
    assert!(!python_accepts(
        &keys,
        &posts[1].signature,
        &posts[1].body.replace("Succeeded", "Failed")
    ));
    let summary = json(&posts[1].body);
    assert_eq!(summary["event"], "operationEnd");
    assert_eq!(summary["fabricId"], stack.fabric_id.as_str());
    assert_eq!(summary["operationId"], operation.id.as_str());
    assert_eq!(summary["kind"], "FabricRotatePassword");
    assert_eq!(summary["status"], "Succeeded");
    assert_eq!(summary["totals"]["devices"], 3);
    assert_eq!(summary["totals"]["succeeded"], 3);
    assert_eq!(summary["totals"]["failed"], 0);
    let mut devices = stack.device_ids();
    devices.sort();
    assert_eq!(summary["updated"], serde_json::json!(devices));
    assert!(summary.get("notUpdated").is_none(), "{summary}");
    assert!(summary["time"].as_str().is_some_and(|t| !t.is_empty()));
    for password in stack.all_plaintexts().await.unwrap() {
        assert!(!posts[1].body.contains(&password), "a password in the body");
    }
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_halted_canary_its_failed_restore_and_its_quarantine_are_notified() {
    let keys = Keys::new("halt");
    let receiver = Receiver::start(&[]).await;
    let mut settings = keys.settings();
    settings.push(("ROTOR_JOB_MAX_DELIVER".into(), "2".into()));
    // One failure quarantines the device.
    settings.push(("ROTOR_QUARANTINE_AFTER".into(), "1".into()));
    let mut stack = TestStack::start(StackOptions {
        devices: 4,
        platform_mix: (1, 0),
        extra_users: vec!["breakglass".into()],
        import: false,
        settings,
        ..Default::default()
    })
    .await
    .unwrap();
    let devices = stack.device_ids();
    let broken = devices[0].clone();
    // breakglass's new password does not take and the switch cannot roll back: the previous
    // password cannot be proven (RestoreFailed), the canary fails and the brake halts.
    stack
        .device(&broken)
        .set_fault(Fault::PasswordNotAppliedFor {
            user: "breakglass".into(),
        })
        .unwrap();
    stack
        .device(&broken)
        .set_fault(Fault::RollbackFails)
        .unwrap();
    let rollout = Rollout {
        canary: Canary::Devices(vec![broken.clone()]),
        ..Default::default()
    };
    let notifications = webhook(
        &receiver,
        Some(vec![
            NotificationEvent::OperationHalt,
            NotificationEvent::RestoreFailed,
            NotificationEvent::Quarantine,
        ]),
    );
    stack
        .import(|fabric| {
            fabric.inventory.fabric.rollout = Some(rollout);
            fabric.inventory.fabric.notifications = Some(notifications);
        })
        .await
        .unwrap();

    let halted = stack.run(stack.fabric_rotate()).await.unwrap();
    assert_eq!(halted.status, OperationState::Halted as i32, "{halted:?}");
    assert_eq!(
        results_by_device(&halted)[&broken],
        (OperationState::Failed, ErrorCode::RestoreFailed)
    );
    until(
        "the halt, the failed restore and the quarantine are delivered",
        Duration::from_secs(60),
        || {
            receiver.delivered("operationHalt")
                && receiver.delivered("restoreFailed")
                && receiver.delivered("quarantine")
        },
    )
    .await;

    for post in receiver.received() {
        verify(&keys.key, &post.signature, &post.body).unwrap();
        assert!(
            ["operationHalt", "restoreFailed", "quarantine"].contains(&post.event.as_str()),
            "the webhook does not want operationEnd: {post:?}"
        );
    }
    let restore = json(&receiver.of("restoreFailed")[0].body);
    assert_eq!(restore["event"], "restoreFailed");
    assert_eq!(restore["deviceId"], broken.as_str());
    assert_eq!(restore["operationId"], halted.id.as_str());
    assert_eq!(restore["errorCode"], "RestoreFailed");
    assert_eq!(restore["status"], "Failed");

    let quarantine = json(&receiver.of("quarantine")[0].body);
    assert_eq!(quarantine["deviceId"], broken.as_str());
    assert_eq!(quarantine["status"], "Quarantined");
    assert_eq!(quarantine["errorCode"], "RestoreFailed");
    assert_eq!(quarantine["consecutiveFailures"], 1);
    assert!(
        quarantine["errorMessage"]
            .as_str()
            .is_some_and(|m| m.contains("rotor device release")),
        "{quarantine}"
    );

    let halt = json(&receiver.of("operationHalt")[0].body);
    assert_eq!(halt["event"], "operationHalt");
    assert_eq!(halt["status"], "Halted");
    assert_eq!(halt["totals"]["notAttempted"], 3);
    assert!(halt.get("updated").is_none(), "{halt}");
    let not_updated: HashMap<String, (String, String)> = halt["notUpdated"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["deviceId"].as_str().unwrap().to_string(),
                (
                    d["status"].as_str().unwrap().to_string(),
                    d["code"].as_str().unwrap().to_string(),
                ),
            )
        })
        .collect();
    assert_eq!(not_updated.len(), 4, "{halt}");
    assert_eq!(
        not_updated[&broken],
        ("Failed".to_string(), "RestoreFailed".to_string())
    );
    for device in devices.iter().filter(|d| **d != broken) {
        assert_eq!(
            not_updated[device],
            ("Halted".to_string(), "NotAttempted".to_string())
        );
    }
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_notification_outlives_a_crash_of_the_aggregator_posting_it() {
    let keys = Keys::new("crash");
    // The receiver refuses every summary until the aggregator has been killed.
    let receiver = Receiver::start(&[("operationEnd", u32::MAX)]).await;
    let mut stack = stack_notifying(
        StackOptions {
            devices: 2,
            processes: true,
            settings: keys.settings(),
            ..Default::default()
        },
        webhook(&receiver, Some(vec![NotificationEvent::OperationEnd])),
    )
    .await;
    let operation = stack.run(stack.fabric_rotate()).await.unwrap();
    assert_eq!(operation.status, OperationState::Succeeded as i32);
    until(
        "the receiver refused the summary once",
        Duration::from_secs(60),
        || !receiver.of("operationEnd").is_empty(),
    )
    .await;

    // kill -9: the only aggregator, which queued the summary and was retrying it, is gone.
    assert!(stack.kill_process("aggregator-0"));
    receiver.failures.lock().unwrap().clear();
    let refused = receiver.of("operationEnd").len();
    stack.spawn_process("aggregator", 0);
    until(
        "the restarted aggregator delivers the summary",
        Duration::from_secs(90),
        || receiver.delivered("operationEnd"),
    )
    .await;
    let posts = receiver.of("operationEnd");
    assert!(posts.len() > refused, "{posts:?}");
    assert!(
        posts.iter().all(|p| p.delivery == posts[0].delivery),
        "one notification, posted again: {posts:?}"
    );
    let delivered = posts.iter().find(|p| p.answered < 300).unwrap();
    verify(&keys.key, &delivered.signature, &delivered.body).unwrap();
    assert_eq!(json(&delivered.body)["operationId"], operation.id.as_str());
    stack.shutdown().await;
}
