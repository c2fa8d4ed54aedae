//! The web console in a real browser (headless Chromium over WebDriver) against a live stack:
//! sign in with the link, see the fabrics, rotate the fabric from the form (with its
//! confirmation step) and watch the live progress reach 100 % without a page load, open the
//! device that failed with `DiffValidationError` and see its offending lines, see a guardrail's
//! refusal under the form, resync from the form and see `uniquePasswordSetCount` go to 1.
//! The screenshots it takes are the ones in docs/console.md: a normal run writes them to a
//! scratch folder under the target directory, so `make test` leaves the checkout clean;
//! `make screenshots` sets `ROTOR_SCREENSHOT_DIR=docs/console` to refresh the docs' copies.

use std::path::PathBuf;
use std::time::Duration;

use rotor_e2e::browser::Browser;
use rotor_e2e::{StackOptions, TestStack};
use rotor_runtime::CancellationToken;
use rotor_sim::faults::FaultKind;
use rotor_sim::{Fault, Platform};
use serde_json::json;

const WAIT: Duration = Duration::from_secs(90);

/// Where a screenshot goes: `ROTOR_SCREENSHOT_DIR` (relative to the repository root) when
/// set, else a scratch folder of the test target's.
fn screenshot(name: &str) -> PathBuf {
    let folder = match std::env::var_os("ROTOR_SCREENSHOT_DIR") {
        Some(dir) => PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../..")
            .join(dir),
        None => PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("console"),
    };
    std::fs::create_dir_all(&folder).unwrap();
    folder.join(name)
}

/// The console in this process, calling the stack's API; returns its address.
async fn start_console(stack: &TestStack, shutdown: CancellationToken) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let config = rotor_console::ConsoleConfig {
        listen: address,
        api_url: stack.api_url(),
        api_ca: None,
    };
    tokio::spawn(async move {
        rotor_console::serve(config, listener, shutdown)
            .await
            .expect("the console serves");
    });
    format!("http://{address}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operator_rotates_finds_the_failed_device_and_resyncs_in_the_browser() {
    // On the heap: the whole scenario's future is larger than a test thread's stack.
    Box::pin(scenario()).await;
}

async fn scenario() {
    let browser = Browser::start().await.unwrap();
    let mut stack = Box::pin(TestStack::start(StackOptions {
        devices: 6,
        platform_mix: (5, 1),
        // One live password set at most: after a partial rotation, another rotate is refused.
        settings: vec![("ROTOR_PASSWORD_SET_LIMIT".into(), "1".into())],
        ..Default::default()
    }))
    .await
    .unwrap();
    let drifted = stack
        .device_ids()
        .into_iter()
        .find(|id| stack.device(id).platform() == Platform::Cumulus)
        .unwrap();
    stack.device(&drifted).set_fault(Fault::Drifted).unwrap();
    let shutdown = CancellationToken::new();
    let console = start_console(&stack, shutdown.clone()).await;
    let port: u16 = console.rsplit(':').next().unwrap().parse().unwrap();
    // The console has no token of its own: without the user's, its API refuses.
    assert_eq!(
        rotor_stack::servers::http_status(port, "/api/fabrics"),
        Some(401)
    );
    let mut seen = Vec::new();

    // Sign in with the link `rotor up` writes; the token leaves the address bar at once.
    let token = stack.auth.token(rotor_stack::auth::ADMIN_SUBJECT);
    browser
        .open(&format!("{console}/#token={token}"))
        .await
        .unwrap();
    browser
        .wait_for(
            &format!("#fabrics tr[data-fabric='{}']", stack.fabric_id),
            WAIT,
        )
        .await
        .unwrap();
    let address = browser
        .script("return location.href;", vec![])
        .await
        .unwrap();
    assert!(!address.as_str().unwrap().contains("token"), "{address}");
    let who = browser.text("[data-test=subject]").await.unwrap();
    assert_eq!(
        who,
        format!("signed in as {}", rotor_stack::auth::ADMIN_SUBJECT)
    );
    let row = browser
        .text(&format!("#fabrics tr[data-fabric='{}']", stack.fabric_id))
        .await
        .unwrap();
    assert!(row.contains('6'), "{row}");
    seen.push(browser.text("body").await.unwrap());

    // Rotate the fabric from the form: a first click shows what will happen, Confirm does it.
    browser
        .open(&format!("{console}/#/actions?fabric={}", stack.fabric_id))
        .await
        .unwrap();
    browser
        .click_on("#rotate-fabric [data-test=start]")
        .await
        .unwrap();
    let confirm = browser
        .wait_for_text("#rotate-fabric [data-test=confirm]", WAIT, |t| {
            !t.is_empty()
        })
        .await
        .unwrap();
    assert!(
        confirm.contains(&format!("all 6 devices of fabric {}", stack.fabric_id)),
        "{confirm}"
    );
    browser.screenshot(&screenshot("forms.png")).await.unwrap();
    // A mark on the window: still there at the end means the page never reloaded.
    browser
        .script("window.rotorTestMark = 'same page'; return null;", vec![])
        .await
        .unwrap();
    // The backup worker is away for now: the operation stops before its last stage, so the
    // pages show it in progress for as long as the test looks.
    stack.stop_service("backup-0").await;
    browser
        .click_on("#rotate-fabric [data-test=confirm-button]")
        .await
        .unwrap();
    browser.wait_for("#operation-progress", WAIT).await.unwrap();
    let updated = stack
        .device_ids()
        .into_iter()
        .find(|id| *id != drifted)
        .unwrap();
    let row = format!("#operation-devices tr[data-device='{updated}']");
    let applied = browser
        .wait_for_text(
            &format!("{row} td[data-stage=apply_configuration]"),
            WAIT,
            |t| t.contains("Succeeded"),
        )
        .await
        .unwrap();
    assert!(
        applied.contains("a fresh login with the new password succeeded"),
        "{applied}"
    );
    let backup = browser
        .text(&format!("{row} td[data-stage=perform_backup]"))
        .await
        .unwrap();
    assert_eq!(backup, "waiting");
    let percent = browser
        .text("#operation-progress [data-test=percent]")
        .await
        .unwrap();
    assert_ne!(percent, "100 %");
    let status = browser.text("[data-test=operation-status]").await.unwrap();
    assert!(status.contains("InProgress"), "{status}");
    browser
        .screenshot(&screenshot("operation-live.png"))
        .await
        .unwrap();
    // The fabrics page shows it too, with its progress bar.
    let operation_page = browser
        .script("return location.hash;", vec![])
        .await
        .unwrap();
    browser.click_on("a[data-nav=fabrics]").await.unwrap();
    let running = browser
        .wait_for_text(
            &format!("#fabrics tr[data-fabric='{}']", stack.fabric_id),
            WAIT,
            |t| t.contains("FabricRotatePassword in progress"),
        )
        .await
        .unwrap();
    assert!(running.contains("InProgress"), "{running}");
    browser
        .wait_for(
            &format!("#fabrics tr[data-fabric='{}'] progress", stack.fabric_id),
            WAIT,
        )
        .await
        .unwrap();
    browser
        .screenshot(&screenshot("fabrics-progress.png"))
        .await
        .unwrap();
    // The backup worker back, the operation ends; its page follows to 100 %.
    stack.start_service("backup", 0).await.unwrap();
    browser
        .open(&format!("{console}/{}", operation_page.as_str().unwrap()))
        .await
        .unwrap();
    browser
        .wait_for_text("#operation-progress [data-test=percent]", WAIT, |t| {
            t == "100 %"
        })
        .await
        .unwrap();
    let summary = browser
        .wait_for_text("[data-test=summary]", WAIT, |t| {
            t.contains("PartialSuccess")
        })
        .await
        .unwrap();
    assert!(summary.contains("Updated (5)"), "{summary}");
    assert!(summary.contains("Not updated (1)"), "{summary}");
    assert!(summary.contains("DiffValidationError"), "{summary}");
    // The stages came in as events: the drifted device's diff failed, the others' were
    // auto-approved.
    let drifted_row = browser
        .wait_for_text(
            &format!("#operation-devices tr[data-device='{drifted}'] td[data-stage=perform_configuration_diff]"),
            WAIT,
            |t| t.contains("DiffValidationError"),
        )
        .await
        .unwrap();
    assert!(drifted_row.contains("Failed"), "{drifted_row}");
    let table = browser
        .wait_for_text("#operation-devices", WAIT, |t| t.contains("Auto-Approved"))
        .await
        .unwrap();
    // The backups' events too, with their display texts.
    assert!(table.contains("Backup fab1/"), "{table}");
    let mark = browser
        .script("return window.rotorTestMark || null;", vec![])
        .await
        .unwrap();
    assert_eq!(mark, json!("same page"), "the operation page was reloaded");
    browser
        .screenshot(&screenshot("operation.png"))
        .await
        .unwrap();
    seen.push(browser.text("body").await.unwrap());

    // The fabric's devices: failed first on request, filterable.
    browser
        .click_on(&format!("a[href='#/fabrics/{}']", stack.fabric_id))
        .await
        .unwrap();
    browser.click_on("#failed-first").await.unwrap();
    let first = browser
        .wait_for_text("#devices tbody tr:first-child", WAIT, |t| {
            t.contains("DiffValidationError")
        })
        .await
        .unwrap();
    assert!(first.contains(&drifted), "{first}");
    let operations = browser.text("#operations").await.unwrap();
    assert!(
        operations.contains("FabricRotatePassword") && operations.contains("PartialSuccess"),
        "{operations}"
    );
    browser.screenshot(&screenshot("fabric.png")).await.unwrap();
    seen.push(browser.text("body").await.unwrap());
    let filter = browser.wait_for("#device-filter", WAIT).await.unwrap();
    browser.type_into(&filter, "OutOfSync").await.unwrap();
    let rows = browser
        .script(
            "return document.querySelectorAll('#devices tbody tr[data-device]').length;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(rows, json!(1), "only the drifted device is OutOfSync");

    // The failed device: its stages, the display texts, the offending diff lines.
    browser
        .click_on(&format!("#devices a[href$='/devices/{drifted}']"))
        .await
        .unwrap();
    let offending = browser
        .wait_for_text("[data-test=offending-lines]", WAIT, |t| !t.is_empty())
        .await
        .unwrap();
    assert!(offending.contains("interface"), "{offending}");
    let error = browser.text("[data-test=last-error]").await.unwrap();
    assert!(error.contains("DiffValidationError"), "{error}");
    browser.screenshot(&screenshot("device.png")).await.unwrap();
    seen.push(browser.text("body").await.unwrap());

    // Two password sets are live now, above the limit: the form shows the guardrail's refusal.
    browser
        .open(&format!("{console}/#/actions?fabric={}", stack.fabric_id))
        .await
        .unwrap();
    browser
        .click_on("#rotate-fabric [data-test=start]")
        .await
        .unwrap();
    browser
        .click_on("#rotate-fabric [data-test=confirm-button]")
        .await
        .unwrap();
    let refusal = browser
        .wait_for_text("#rotate-fabric [data-test=refusal]", WAIT, |t| {
            !t.is_empty()
        })
        .await
        .unwrap();
    assert!(refusal.starts_with("OperationNotAllowed"), "{refusal}");
    assert!(refusal.contains("password sets"), "{refusal}");
    browser
        .screenshot(&screenshot("refusal.png"))
        .await
        .unwrap();

    // The drift fixed, resync the failed devices from the form.
    stack
        .device(&drifted)
        .clear_fault(FaultKind::Drifted)
        .unwrap();
    browser
        .click_on("#resync-fabric [data-test=start]")
        .await
        .unwrap();
    let confirm = browser
        .wait_for_text("#resync-fabric [data-test=confirm]", WAIT, |t| {
            !t.is_empty()
        })
        .await
        .unwrap();
    assert!(confirm.contains(&drifted), "{confirm}");
    browser
        .click_on("#resync-fabric [data-test=confirm-button]")
        .await
        .unwrap();
    browser
        .wait_for_text("[data-test=operation-status]", WAIT, |t| {
            t.contains("Succeeded")
        })
        .await
        .unwrap();
    browser
        .wait_for_text("#operation-progress [data-test=percent]", WAIT, |t| {
            t == "100 %"
        })
        .await
        .unwrap();

    // One password set again.
    browser.click_on("a[data-nav=fabrics]").await.unwrap();
    browser
        .wait_for_text(
            &format!(
                "#fabrics tr[data-fabric='{}'] [data-test=unique-password-set-count]",
                stack.fabric_id
            ),
            WAIT,
            |t| t == "1",
        )
        .await
        .unwrap();
    browser
        .screenshot(&screenshot("fabrics.png"))
        .await
        .unwrap();
    seen.push(browser.text("body").await.unwrap());

    // The fabric page shows the next scheduled rotation once there is a schedule.
    let schedule = stack
        .client
        .clone()
        .set_schedule(rotor_proto::v1::SetScheduleRequest {
            schedule: Some(rotor_proto::v1::Schedule {
                fabric_id: stack.fabric_id.clone(),
                every: "90d".into(),
                windows: vec!["sat 02:00-06:00".into()],
                ..Default::default()
            }),
        })
        .await
        .unwrap()
        .into_inner();
    browser
        .open(&format!("{console}/#/fabrics/{}", stack.fabric_id))
        .await
        .unwrap();
    let next = "[data-test=next-scheduled-rotation] time";
    browser.wait_for(next, WAIT).await.unwrap();
    let shown = browser
        .script(
            "return document.querySelector(arguments[0]).getAttribute('datetime');",
            vec![json!(next)],
        )
        .await
        .unwrap();
    assert_eq!(shown.as_str(), Some(schedule.next_run_time.as_str()));

    // A device that took the rotation: its secrets at the new version and its backups.
    let updated = stack
        .device_ids()
        .into_iter()
        .find(|id| *id != drifted)
        .unwrap();
    browser
        .open(&format!(
            "{console}/#/fabrics/{}/devices/{updated}",
            stack.fabric_id
        ))
        .await
        .unwrap();
    let backups = browser
        .wait_for_text("body", WAIT, |t| t.contains("Download"))
        .await
        .unwrap();
    assert!(backups.contains("InSync"), "{backups}");
    browser
        .screenshot(&screenshot("device-backups.png"))
        .await
        .unwrap();
    seen.push(backups);
    // The newest backup, downloaded as stored: the device's configuration, hashes masked.
    browser.click_on("#backups button").await.unwrap();
    let config = browser.downloaded(".yaml", WAIT).await.unwrap();
    assert!(config.contains("hashed-password"), "{config}");
    assert!(
        !config.contains("$6$"),
        "a downloaded backup shows a hash: {config}"
    );
    seen.push(config);

    // Nothing the console showed holds a password.
    for plaintext in stack.all_plaintexts().await.unwrap() {
        assert!(
            !seen.iter().any(|page| page.contains(&plaintext)),
            "a page shows a password"
        );
    }
    browser.close().await;
    shutdown.cancel();
    stack.shutdown().await;
}

/// One HTTP/1.0 call to the console: the status and the body.
fn http(port: u16, method: &str, path: &str, token: Option<&str>, body: &str) -> (u16, String) {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let authorization = token
        .map(|token| format!("Authorization: Bearer {token}\r\n"))
        .unwrap_or_default();
    write!(
        stream,
        "{method} {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n{authorization}Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or_default();
    (status, format!("{head}\n\n{body}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_acts_only_as_its_user() {
    let stack = Box::pin(TestStack::start(StackOptions {
        devices: 2,
        platform_mix: (2, 0),
        grants: vec![
            rotor_auth::Grant {
                subject: "watcher".into(),
                fabrics: vec!["*".into()],
                roles: vec![rotor_auth::Role::Viewer],
            },
            rotor_auth::Grant {
                subject: "elsewhere".into(),
                fabrics: vec!["other-fabric".into()],
                roles: vec![rotor_auth::Role::Viewer, rotor_auth::Role::Operator],
            },
        ],
        ..Default::default()
    }))
    .await
    .unwrap();
    let shutdown = CancellationToken::new();
    let console = start_console(&stack, shutdown.clone()).await;
    let port: u16 = console.rsplit(':').next().unwrap().parse().unwrap();
    let rotate = format!(
        r#"{{"kind": "FabricRotatePassword", "fabricId": "{}"}}"#,
        stack.fabric_id
    );

    // The page, with a policy that allows only the console's own script and stylesheet.
    let (status, page) = http(port, "GET", "/", None, "");
    assert_eq!(status, 200, "{page}");
    let page = page.to_ascii_lowercase();
    assert!(
        page.contains("content-security-policy: default-src 'none'; script-src 'self';"),
        "{page}"
    );
    assert!(page.contains("x-frame-options: deny"), "{page}");

    // No token: refused by the console itself, before the API is asked.
    let (status, body) = http(port, "POST", "/api/rotate", None, &rotate);
    assert_eq!(status, 401, "{body}");
    assert!(body.contains("\"code\":\"Unauthenticated\""), "{body}");

    // A viewer may look, not rotate: the API refuses the viewer's own token, and the audit
    // names the viewer, not the console.
    let watcher = stack.auth.token("watcher");
    let (status, body) = http(port, "GET", "/api/fabrics", Some(&watcher), "");
    assert_eq!(status, 200, "{body}");
    assert!(
        body.contains(&format!("\"fabricId\":\"{}\"", stack.fabric_id)),
        "{body}"
    );
    let (status, body) = http(
        port,
        "GET",
        &format!("/api/fabrics/{}/devices", stack.fabric_id),
        Some(&watcher),
        "",
    );
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\"usernames\":[\"cumulus\"]"), "{body}");
    assert!(body.contains("\"role\":\"Leaf\""), "{body}");
    let (status, body) = http(port, "POST", "/api/rotate", Some(&watcher), &rotate);
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("\"code\":\"PermissionDenied\""), "{body}");
    assert!(body.contains("watcher may not rotate passwords"), "{body}");
    let record = stack
        .audited("the viewer's refused rotate", |r| {
            r.verb == "Rotate" && r.outcome == "refused"
        })
        .await;
    assert_eq!(record.identity, "watcher");

    // A subject with no role on this fabric sees no fabric at all, and none of its devices.
    let elsewhere = stack.auth.token("elsewhere");
    let (status, body) = http(port, "GET", "/api/fabrics", Some(&elsewhere), "");
    assert_eq!(status, 200, "{body}");
    assert!(!body.contains(&stack.fabric_id), "{body}");
    let (status, body) = http(
        port,
        "GET",
        &format!("/api/fabrics/{}/devices", stack.fabric_id),
        Some(&elsewhere),
        "",
    );
    assert_eq!(status, 403, "{body}");

    // The forms' requests take no other field: nothing can carry a password in.
    let admin = stack.auth.token(rotor_stack::auth::ADMIN_SUBJECT);
    let with_password = format!(
        r#"{{"kind": "DeviceRotatePassword", "fabricId": "{}", "deviceIds": ["{}"], "password": "hunter2"}}"#,
        stack.fabric_id,
        stack.device_ids()[0]
    );
    let (status, body) = http(port, "POST", "/api/rotate", Some(&admin), &with_password);
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("unknown field `password`"), "{body}");
    assert!(!body.contains("hunter2"), "{body}");
    // A resync is not a rotate.
    let (status, body) = http(
        port,
        "POST",
        "/api/rotate",
        Some(&admin),
        &rotate.replace("Rotate", "Resync"),
    );
    assert_eq!(status, 400, "{body}");

    shutdown.cancel();
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn markup_from_a_device_is_shown_as_text() {
    // On the heap, as above.
    Box::pin(hostile_markup()).await;
}

/// A description with markup in a device's intended configuration makes its diff fail with
/// that line: the console shows it as text and runs nothing of it.
async fn hostile_markup() {
    const MARKUP: &str = "<img src=x onerror=window.rotorInjected=1><b>bold</b>";
    let browser = Browser::start().await.unwrap();
    let mut stack = Box::pin(TestStack::start(StackOptions {
        devices: 2,
        platform_mix: (2, 0),
        ..Default::default()
    }))
    .await
    .unwrap();
    let target = stack.device_ids()[0].clone();
    let changed = target.clone();
    stack
        .import(move |exported| {
            let config = exported.intended_configs.get_mut(&changed).unwrap();
            assert!(config.contains("fabric link to"), "{config}");
            *config = config.replacen("fabric link to", MARKUP, 1);
        })
        .await
        .unwrap();
    let operation = stack.run(stack.fabric_rotate()).await.unwrap();
    assert_eq!(
        operation.status,
        rotor_proto::v1::OperationState::Failed as i32
    );
    let shutdown = CancellationToken::new();
    let console = start_console(&stack, shutdown.clone()).await;
    let token = stack.auth.token(rotor_stack::auth::ADMIN_SUBJECT);
    browser
        .open(&format!("{console}/#token={token}"))
        .await
        .unwrap();
    browser.wait_for("#fabrics", WAIT).await.unwrap();
    browser
        .open(&format!(
            "{console}/#/fabrics/{}/devices/{target}",
            stack.fabric_id
        ))
        .await
        .unwrap();
    let offending = browser
        .wait_for_text("[data-test=offending-lines]", WAIT, |t| !t.is_empty())
        .await
        .unwrap();
    assert!(offending.contains("<img src=x onerror="), "{offending}");
    assert!(offending.contains("<b>bold</b>"), "{offending}");
    let injected = browser
        .script(
            "return [window.rotorInjected === undefined, document.querySelectorAll('main img, main b').length];",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        injected,
        json!([true, 0]),
        "the device's markup became part of the page"
    );
    browser.close().await;
    shutdown.cancel();
    stack.shutdown().await;
}
