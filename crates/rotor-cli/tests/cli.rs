//! The `rotor` command as a user runs it, against a whole stack each test starts in-process
//! (real NATS, real OpenBao, the five services, the simulator over real SSH): every verb, both
//! output forms, the progress lines, and every exit code.

mod common;

use std::process::Stdio;
use std::time::Duration;

use common::{Api, Run, password_like_words, rotor};
use rotor_e2e::{StackOptions, TestStack, set_administrative_state};
use rotor_harness::ScratchDir;
use rotor_sim::{ExportOptions, Fault};
use tokio::io::{AsyncBufReadExt, BufReader};

async fn stack(devices: usize) -> TestStack {
    TestStack::start(StackOptions {
        devices,
        ..Default::default()
    })
    .await
    .expect("the stack starts")
}

/// The stack's API as its administrator reaches it.
fn server(stack: &TestStack) -> Api {
    Api::new(
        &format!("http://{}", stack.grpc_address),
        Some(stack.auth.admin_token()),
    )
}

fn keys(value: &serde_json::Value) -> Vec<String> {
    let mut keys: Vec<String> = value
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {value}"))
        .keys()
        .cloned()
        .collect();
    keys.sort();
    keys
}

fn sorted(names: &[&str]) -> Vec<String> {
    let mut names: Vec<String> = names.iter().map(|s| s.to_string()).collect();
    names.sort();
    names
}

#[tokio::test]
async fn usage_errors_bad_input_and_an_unreachable_server() {
    // 2: a missing flag (clap's usage error).
    let run = rotor(None, &["fabric", "show"]).await.expect(2);
    assert!(run.stderr.contains("--fabric"), "{run:#?}");
    rotor(None, &["fabric", "rotate-password"]).await.expect(2);
    rotor(None, &["device", "show", "--fabric", "f"])
        .await
        .expect(2);
    rotor(None, &["lock", "release", "--fabric", "f"])
        .await
        .expect(2);

    // --help documents the exit codes.
    let help = rotor(None, &["fabric", "rotate-password", "--help"])
        .await
        .expect(0);
    for line in ["Exit codes:", "4  with --wait: partially", "7  not found"] {
        assert!(help.stdout.contains(line), "{}", help.stdout);
    }

    // 6: nothing listens there; one line, no backtrace.
    let port = rotor_harness::free_port();
    let closed = format!("http://127.0.0.1:{port}");
    let run = rotor(
        Some(&Api::new(&closed, None)),
        &["fabric", "show", "--fabric", "fab1"],
    )
    .await
    .expect(6);
    assert_eq!(run.stderr.lines().count(), 1, "{run:#?}");
    assert!(
        run.stderr.starts_with(&format!(
            "rotor: cannot reach the Rotor API at {closed} (is `rotor up` running?): "
        )),
        "{run:#?}"
    );
    assert!(run.stdout.is_empty());
    // The same through --server, for a rotation.
    rotor(
        None,
        &[
            "--server",
            &closed,
            "fabric",
            "rotate-password",
            "--fabric",
            "fab1",
        ],
    )
    .await
    .expect(6);

    // 3: an inventory file that is not there.
    let run = rotor(
        Some(&Api::new(&closed, None)),
        &["inventory", "import", "/nonexistent/inventory.yaml"],
    )
    .await
    .expect(3);
    assert!(
        run.stderr
            .contains("cannot read /nonexistent/inventory.yaml"),
        "{run:#?}"
    );
    assert_eq!(run.stderr.lines().count(), 1, "{run:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_verb_in_both_output_forms() {
    let stack = stack(4).await;
    let server = server(&stack);
    let server = Some(&server);
    let devices = stack.device_ids();
    let device = devices[0].as_str();

    // Fabric show before any rotation: the fabric status shape docs/cli.md documents.
    let run = rotor(
        server,
        &["fabric", "show", "--fabric", "fab1", "-o", "json"],
    )
    .await
    .expect(0);
    let fabric = run.json();
    assert_eq!(
        keys(&fabric),
        sorted(&[
            "fabricId",
            "lastRotationTime",
            "state",
            "totalDevices",
            "succeededDeviceIds",
            "failedDeviceIds",
            "uniquePasswordSetCount",
            "lastOperationId",
            "nextScheduledRotation",
            "schedulePaused"
        ])
    );
    assert_eq!(fabric["totalDevices"], 4);
    // Not a terminal: JSON by default.
    let default = rotor(server, &["fabric", "show", "--fabric", "fab1"])
        .await
        .expect(0);
    assert_eq!(default.json(), fabric);

    // A fabric rotation with --wait: progress lines on stderr, the ended operation on stdout.
    let run = rotor(
        server,
        &[
            "fabric",
            "rotate-password",
            "--fabric",
            "fab1",
            "--wait",
            "-o",
            "json",
            "--request-id",
            "cli-test-1",
        ],
    )
    .await
    .expect(0);
    let operation = run.json();
    // Every scalar and list is emitted; `error` (a message) only when there is one.
    assert_eq!(
        keys(&operation),
        sorted(&[
            "id",
            "kind",
            "fabricId",
            "status",
            "startTime",
            "endTime",
            "percentComplete",
            "operations",
            "totalDevices",
            "succeededDevices",
            "failedDevices",
            "requestId",
            "requestedBy",
            "notAttemptedDevices",
            "rollout",
            "skippedDevices",
            "plan"
        ])
    );
    assert_eq!(operation["status"], "Succeeded");
    // A fabric without a rollout section: one wave of every device.
    assert_eq!(operation["rollout"]["waveCount"], 1);
    assert_eq!(operation["rollout"]["waves"][0]["name"], "all");
    assert_eq!(operation["rollout"]["releasedDevices"], 4);
    assert_eq!(operation["kind"], "FabricRotatePassword");
    assert_eq!(operation["percentComplete"], 100);
    assert_eq!(operation["requestId"], "cli-test-1");
    // Who asked is the token's subject, not what the command says of itself.
    assert_eq!(operation["requestedBy"], rotor_stack::auth::ADMIN_SUBJECT);
    let results = operation["operations"].as_array().unwrap();
    assert_eq!(results.len(), 4);
    assert_eq!(
        keys(&results[0]),
        sorted(&["resourceId", "status", "verdict"])
    );
    assert_eq!(results[0]["verdict"], "PLAN_VERDICT_UNSPECIFIED");
    let operation_id = operation["id"].as_str().unwrap().to_string();
    // The acknowledgement went to stderr (stdout holds one document), then progress lines.
    let acknowledgement: serde_json::Value =
        serde_json::from_str(run.stderr.lines().next().unwrap()).unwrap();
    assert_eq!(acknowledgement["status"], "Accepted");
    assert_eq!(acknowledgement["operationId"], operation_id.as_str());
    assert_eq!(acknowledgement["submittedDeviceCount"], 4);
    let last = run.stderr.lines().last().unwrap();
    assert_eq!(
        last,
        format!(
            "operation {operation_id}: 4/4 completed: 4 updated, 0 failed, 0 in progress (Succeeded)"
        )
    );
    assert!(
        run.stderr.lines().skip(1).all(|line| line
            .starts_with(&format!("operation {operation_id}: "))
            && line.contains(" completed: ")),
        "{}",
        run.stderr
    );
    // The same request id again: the first answer, nothing new.
    let again = rotor(
        server,
        &[
            "fabric",
            "rotate-password",
            "--fabric",
            "fab1",
            "-o",
            "json",
            "--request-id",
            "cli-test-1",
        ],
    )
    .await
    .expect(0);
    assert_eq!(again.json()["operationId"], operation_id.as_str());

    // The fabric afterwards, as JSON and as a table.
    let fabric = rotor(
        server,
        &["fabric", "show", "--fabric", "fab1", "-o", "json"],
    )
    .await
    .expect(0)
    .json();
    assert_eq!(fabric["state"], "Succeeded");
    assert_eq!(fabric["uniquePasswordSetCount"], 1);
    assert_eq!(fabric["succeededDeviceIds"].as_array().unwrap().len(), 4);
    assert_eq!(fabric["lastOperationId"], operation_id.as_str());
    let table = rotor(
        server,
        &["fabric", "show", "--fabric", "fab1", "-o", "table"],
    )
    .await
    .expect(0);
    for expected in [
        "Fabric                fab1",
        "State                 Succeeded",
        "Unique password sets  1",
    ] {
        assert!(table.stdout.contains(expected), "{}", table.stdout);
    }

    // Device show: the device status shape docs/cli.md documents.
    let status = rotor(
        server,
        &[
            "device", "show", "--fabric", "fab1", "--device", device, "-o", "json",
        ],
    )
    .await
    .expect(0)
    .json();
    for key in [
        "deviceId",
        "lastRotationTime",
        "administrativeState",
        "secrets",
        "lastStages",
    ] {
        assert!(status.get(key).is_some(), "{key} missing: {status}");
    }
    assert_eq!(status["administrativeState"], "Enabled");
    let secret = &status["secrets"][0];
    assert_eq!(secret["synchronizationStatus"], "InSync");
    assert_eq!(secret["secretType"], "AdminRW");
    assert_eq!(
        keys(&secret["secretArchiveReference"]),
        sorted(&["uri", "mount", "path", "version"])
    );
    assert_eq!(secret["secretArchiveReference"]["version"], 2);
    let stages: Vec<&str> = status["lastStages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["stage"].as_str().unwrap())
        .collect();
    assert_eq!(
        stages,
        [
            "load_intended_configuration",
            "perform_configuration_diff",
            "apply_configuration",
            "perform_backup"
        ]
    );
    let table = rotor(
        server,
        &[
            "device", "show", "--fabric", "fab1", "--device", device, "-o", "table",
        ],
    )
    .await
    .expect(0);
    assert!(table.stdout.contains("InSync"), "{}", table.stdout);
    assert!(table.stdout.contains("perform_configuration_diff"));

    // Operation show and list.
    let shown = rotor(server, &["operation", "show", &operation_id, "-o", "json"])
        .await
        .expect(0)
        .json();
    assert_eq!(shown["operations"].as_array().unwrap().len(), 4);
    let table = rotor(server, &["operation", "show", &operation_id, "-o", "table"])
        .await
        .expect(0);
    assert!(table.stdout.contains("DEVICE"), "{}", table.stdout);
    assert!(table.stdout.contains(device));
    let list = rotor(
        server,
        &[
            "operation",
            "list",
            "--fabric",
            "fab1",
            "--limit",
            "5",
            "-o",
            "json",
        ],
    )
    .await
    .expect(0)
    .json();
    assert_eq!(list["operations"][0]["id"], operation_id.as_str());
    let table = rotor(server, &["operation", "list", "-o", "table"])
        .await
        .expect(0);
    assert!(table.stdout.contains(&operation_id), "{}", table.stdout);

    // Backups: one per device, readable, hashes masked.
    let backups = rotor(
        server,
        &[
            "backup", "list", "--fabric", "fab1", "--device", device, "-o", "json",
        ],
    )
    .await
    .expect(0)
    .json();
    let name = backups["backups"][0]["name"].as_str().unwrap().to_string();
    assert_eq!(name, format!("fab1/{device}/{operation_id}"));
    let table = rotor(
        server,
        &["backup", "list", "--fabric", "fab1", "-o", "table"],
    )
    .await
    .expect(0);
    assert_eq!(table.stdout.lines().count(), 1 + 4, "{}", table.stdout);
    let backup = rotor(server, &["backup", "show", &name, "-o", "json"])
        .await
        .expect(0)
        .json();
    assert_eq!(backup["info"]["deviceId"], device);
    assert!(!backup["config"].as_str().unwrap().contains("$6$"));
    let table = rotor(server, &["backup", "show", &name, "-o", "table"])
        .await
        .expect(0);
    assert!(table.stdout.contains("set:"), "{}", table.stdout);

    // Inventory: show it, export it from the simulator and import it through the command.
    let shown = rotor(
        server,
        &["inventory", "show", "--fabric", "fab1", "-o", "json"],
    )
    .await
    .expect(0)
    .json();
    assert!(
        shown["inventoryYaml"]
            .as_str()
            .unwrap()
            .contains("kind: FabricInventory")
    );
    let yaml = rotor(
        server,
        &["inventory", "show", "--fabric", "fab1", "-o", "table"],
    )
    .await
    .expect(0);
    assert!(
        yaml.stdout.starts_with("apiVersion: rotor/v1"),
        "{}",
        yaml.stdout
    );
    let dir = ScratchDir::new("cli-inventory");
    stack
        .sim
        .export_inventory("fab1", dir.path(), &ExportOptions::default())
        .unwrap();
    let file = dir.path().join("inventory.yaml");
    let imported = rotor(
        server,
        &["inventory", "import", file.to_str().unwrap(), "-o", "json"],
    )
    .await
    .expect(0)
    .json();
    assert_eq!(imported["fabricId"], "fab1");
    assert_eq!(imported["deviceCount"], 4);
    let table = rotor(
        server,
        &["inventory", "import", file.to_str().unwrap(), "-o", "table"],
    )
    .await
    .expect(0);
    assert!(
        table.stdout.starts_with("Imported fabric fab1: 4 devices"),
        "{}",
        table.stdout
    );
    // A bad host key: the error names the device and the field, in one line.
    let text = std::fs::read_to_string(&file).unwrap();
    let mut seen = 0;
    let broken: Vec<String> = text
        .lines()
        .map(|line| {
            if line.trim_start().starts_with("hostKey:") {
                seen += 1;
                if seen == 2 {
                    let indent = &line[..line.len() - line.trim_start().len()];
                    return format!("{indent}hostKey: ssh-ed25519 not-a-key");
                }
            }
            line.to_string()
        })
        .collect();
    std::fs::write(&file, broken.join("\n")).unwrap();
    let run = rotor(server, &["inventory", "import", file.to_str().unwrap()])
        .await
        .expect(3);
    assert!(
        run.stderr
            .contains(&format!("devices[1] ({}).hostKey: ", devices[1])),
        "{run:#?}"
    );
    assert_eq!(run.stderr.lines().count(), 1, "{run:#?}");

    // Device rotate, device resync, fabric resync of named devices, all waited for.
    let run = rotor(
        server,
        &[
            "device",
            "rotate-password",
            "--fabric",
            "fab1",
            "--device",
            device,
            "--wait",
            "-o",
            "table",
        ],
    )
    .await
    .expect(0);
    assert!(run.stdout.contains("DeviceRotatePassword"), "{run:#?}");
    assert!(run.stdout.contains("Updated (1):"), "{run:#?}");
    assert!(run.stdout.contains("Not updated: none."), "{run:#?}");
    assert!(
        run.stderr
            .contains("1/1 completed: 1 updated, 0 failed, 0 in progress"),
        "{run:#?}"
    );
    rotor(
        server,
        &[
            "device",
            "resync-password",
            "--fabric",
            "fab1",
            "--device",
            &devices[1],
            "--wait",
        ],
    )
    .await
    .expect(0);
    let run = rotor(
        server,
        &[
            "fabric",
            "resync-password",
            "--fabric",
            "fab1",
            "--device",
            &devices[2],
            "--device",
            &devices[3],
            "--wait",
            "-o",
            "json",
        ],
    )
    .await
    .expect(0);
    assert_eq!(run.json()["kind"], "FabricResyncPassword");
    // Without --wait: the acknowledgement only, worded as docs/cli.md shows it.
    let run = rotor(
        server,
        &[
            "fabric",
            "resync-password",
            "--fabric",
            "fab1",
            "-o",
            "table",
        ],
    )
    .await
    .expect(0);
    for expected in [
        "Kind               FabricResyncPassword",
        "Status             Accepted",
    ] {
        assert!(run.stdout.contains(expected), "{run:#?}");
    }
    let resync_id = run
        .stdout
        .lines()
        .next()
        .unwrap()
        .split_whitespace()
        .last()
        .unwrap()
        .to_string();
    stack.wait_for_operation(&resync_id).await.unwrap();

    // 7: unknown fabric, device, operation, backup.
    for args in [
        vec!["fabric", "show", "--fabric", "nope"],
        vec!["device", "show", "--fabric", "fab1", "--device", "nope"],
        vec!["device", "show", "--fabric", "nope", "--device", device],
        vec!["operation", "show", "0000-nope"],
        vec!["backup", "show", "fab1/nope/nope"],
        vec!["backup", "list", "--fabric", "nope"],
        vec!["inventory", "show", "--fabric", "nope"],
    ] {
        let run = rotor(server, &args).await.expect(7);
        assert_eq!(run.stderr.lines().count(), 1, "{run:#?}");
        assert!(run.stderr.starts_with("rotor: "), "{run:#?}");
    }
    // 3: a malformed name is an invalid request.
    let run = rotor(server, &["fabric", "show", "--fabric", "bad name"])
        .await
        .expect(3);
    assert!(
        run.stderr.starts_with("rotor: invalid request: "),
        "{run:#?}"
    );

    // The fabric lock: taken, shown, renewed; a rotation is refused (3) until it is released.
    let lock = rotor(
        server,
        &[
            "lock",
            "acquire",
            "--fabric",
            "fab1",
            "--purpose",
            "upgrade to 5.9",
            "-o",
            "json",
        ],
    )
    .await
    .expect(0)
    .json();
    assert_eq!(
        keys(&lock),
        sorted(&["fabricId", "holder", "purpose", "leaseId", "expiresTime"])
    );
    let lease = lock["leaseId"].as_str().unwrap().to_string();
    let shown = rotor(server, &["lock", "show", "--fabric", "fab1", "-o", "table"])
        .await
        .expect(0);
    // Held by the caller's identity.
    assert_eq!(lock["holder"], rotor_stack::auth::ADMIN_SUBJECT);
    assert!(
        shown.stdout.contains(rotor_stack::auth::ADMIN_SUBJECT),
        "{shown:#?}"
    );
    // It cannot be taken twice.
    let run = rotor(server, &["lock", "acquire", "--fabric", "fab1"])
        .await
        .expect(3);
    assert!(run.stderr.contains("OperationNotAllowed"), "{run:#?}");
    let run = rotor(server, &["fabric", "rotate-password", "--fabric", "fab1"])
        .await
        .expect(3);
    assert!(
        run.stderr.starts_with("rejected: OperationNotAllowed: "),
        "{run:#?}"
    );
    assert!(
        run.stderr.contains(rotor_stack::auth::ADMIN_SUBJECT),
        "{run:#?}"
    );
    assert_eq!(run.json()["error"]["code"], "OperationNotAllowed");
    rotor(
        server,
        &[
            "lock",
            "renew",
            "--fabric",
            "fab1",
            "--lease-id",
            &lease,
            "--lease-seconds",
            "60",
        ],
    )
    .await
    .expect(0);
    rotor(
        server,
        &["lock", "release", "--fabric", "fab1", "--lease-id", "wrong"],
    )
    .await
    .expect(3);
    rotor(
        server,
        &["lock", "release", "--fabric", "fab1", "--lease-id", &lease],
    )
    .await
    .expect(0);
    let shown = rotor(server, &["lock", "show", "--fabric", "fab1", "-o", "table"])
        .await
        .expect(0);
    assert_eq!(shown.stdout.trim(), "Fabric fab1 is not locked.");

    // Schedules: none yet (7, saying how to set one); set, shown in both forms and on the
    // fabric; bad input named (2 from clap, 3 from Rotor); paused, resumed, deleted.
    let run = rotor(server, &["schedule", "show", "--fabric", "fab1"])
        .await
        .expect(7);
    assert!(
        run.stderr.contains("rotor schedule set --fabric fab1"),
        "{run:#?}"
    );
    let set = rotor(
        server,
        &[
            "schedule",
            "set",
            "--fabric",
            "fab1",
            "--every",
            "90d",
            "--window",
            "sat,sun 02:00-06:00",
            "--time-zone",
            "Europe/Paris",
            "-o",
            "json",
        ],
    )
    .await
    .expect(0)
    .json();
    assert_eq!(set["every"], "90d", "{set}");
    assert_eq!(set["windows"][0], "sat,sun 02:00-06:00", "{set}");
    assert_eq!(set["setBy"], rotor_stack::auth::ADMIN_SUBJECT, "{set}");
    let next = set["nextRunTime"].as_str().unwrap().to_string();
    assert!(!next.is_empty(), "{set}");
    let table = rotor(
        server,
        &["schedule", "show", "--fabric", "fab1", "-o", "table"],
    )
    .await
    .expect(0);
    for expected in [
        "every 90d",
        "sat,sun 02:00-06:00 (Europe/Paris)",
        next.as_str(),
    ] {
        assert!(table.stdout.contains(expected), "{table:#?}");
    }
    let fabric = rotor(
        server,
        &["fabric", "show", "--fabric", "fab1", "-o", "json"],
    )
    .await
    .expect(0)
    .json();
    assert_eq!(fabric["nextScheduledRotation"], next.as_str(), "{fabric}");
    let run = rotor(
        server,
        &[
            "schedule",
            "set",
            "--fabric",
            "fab1",
            "--every",
            "90d",
            "--time-zone",
            "Mars/Olympus",
        ],
    )
    .await
    .expect(3);
    assert!(run.stderr.contains("Mars/Olympus"), "{run:#?}");
    rotor(server, &["schedule", "set", "--fabric", "fab1"])
        .await
        .expect(2);
    let paused = rotor(
        server,
        &["schedule", "pause", "--fabric", "fab1", "-o", "json"],
    )
    .await
    .expect(0)
    .json();
    assert_eq!(paused["paused"], true, "{paused}");
    let resumed = rotor(
        server,
        &["schedule", "resume", "--fabric", "fab1", "-o", "table"],
    )
    .await
    .expect(0);
    assert!(resumed.stdout.contains(&next), "{resumed:#?}");
    rotor(server, &["schedule", "delete", "--fabric", "fab1"])
        .await
        .expect(0);
    rotor(server, &["schedule", "show", "--fabric", "fab1"])
        .await
        .expect(7);

    // Nothing printed anywhere looks like a password.
    let plaintexts = stack.all_plaintexts().await.unwrap();
    let run = rotor(
        server,
        &["device", "show", "--fabric", "fab1", "--device", device],
    )
    .await
    .expect(0);
    for plaintext in &plaintexts {
        assert!(!run.stdout.contains(plaintext.as_str()));
    }
    assert!(password_like_words(&run.stdout).is_empty());
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_stream_line_by_line_until_ctrl_c() {
    let stack = stack(2).await;
    let server = server(&stack);
    let operation = stack.run(stack.fabric_rotate()).await.unwrap();
    // 2 devices x 4 stages x (Started + an end) = 16 events, replayed from the start.
    for (format, json) in [("json", true), ("table", false)] {
        let mut child = tokio::process::Command::new(common::ROTOR)
            .args([
                "events",
                "watch",
                "--fabric",
                "fab1",
                "--from-start",
                "-o",
                format,
            ])
            .env("ROTOR_SERVER", &server.url)
            .env("ROTOR_TOKEN", server.token.as_deref().unwrap_or_default())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut seen = Vec::new();
        while seen.len() < 16 {
            let line = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
                .await
                .expect("events keep coming")
                .unwrap()
                .expect("the stream stays open");
            seen.push(line);
        }
        for line in &seen {
            if json {
                let event: serde_json::Value = serde_json::from_str(line).unwrap();
                assert_eq!(event["operationId"], operation.id.as_str());
                assert_eq!(event["fabricId"], "fab1");
                assert!(event["stage"].is_string() && event["status"].is_string());
            } else {
                assert!(line.contains(&operation.id), "{line}");
            }
        }
        if !json {
            assert!(
                seen.iter()
                    .any(|l| l.contains("perform_backup") && l.contains("Succeeded")),
                "{seen:#?}"
            );
        }
        // Ctrl-C ends it with 0.
        let pid = child.id().unwrap().to_string();
        let killed = std::process::Command::new("kill")
            .args(["-INT", &pid])
            .status()
            .unwrap();
        assert!(killed.success());
        let status = tokio::time::timeout(Duration::from_secs(10), child.wait())
            .await
            .expect("Ctrl-C ends the watch")
            .unwrap();
        assert_eq!(status.code(), Some(0));
    }
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_drifted_device_is_a_partial_success_exit_4() {
    let stack = stack(4).await;
    let server = server(&stack);
    let drifted = stack.device_ids()[1].clone();
    stack.device(&drifted).set_fault(Fault::Drifted).unwrap();
    let run: Run = rotor(
        Some(&server),
        &[
            "fabric",
            "rotate-password",
            "--fabric",
            "fab1",
            "--wait",
            "-o",
            "table",
        ],
    )
    .await
    .expect(4);
    assert!(
        run.stdout
            .contains("Status        Failed (PartialSuccess: "),
        "{run:#?}"
    );
    assert!(run.stdout.contains("Updated (3):"), "{run:#?}");
    assert!(run.stdout.contains("Not updated (1):"), "{run:#?}");
    let line = run
        .stdout
        .lines()
        .find(|l| l.starts_with(&drifted))
        .unwrap_or_else(|| panic!("no line for {drifted}: {run:#?}"));
    assert!(line.contains("DiffValidationError"), "{line}");
    assert!(
        run.stderr
            .contains("4/4 completed: 3 updated, 1 failed, 0 in progress (Failed)"),
        "{run:#?}"
    );
    // The device's table names the offending lines.
    let shown = rotor(
        Some(&server),
        &[
            "device", "show", "--fabric", "fab1", "--device", &drifted, "-o", "table",
        ],
    )
    .await
    .expect(0);
    assert!(shown.stdout.contains("OutOfSync"), "{shown:#?}");
    assert!(
        shown
            .stdout
            .contains("Offending lines (perform_configuration_diff):"),
        "{shown:#?}"
    );
    let fabric = rotor(
        Some(&server),
        &["fabric", "show", "--fabric", "fab1", "-o", "json"],
    )
    .await
    .expect(0)
    .json();
    assert_eq!(fabric["uniquePasswordSetCount"], 2);
    assert_eq!(fabric["failedDeviceIds"][0], drifted.as_str());
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_device_updated_is_exit_5() {
    let mut stack = stack(3).await;
    let server = server(&stack);
    let devices = stack.device_ids();
    stack
        .import(|exported| {
            for device in &devices {
                set_administrative_state(
                    exported,
                    device,
                    rotor_inventory::AdministrativeState::Disabled,
                );
            }
        })
        .await
        .unwrap();
    let run = rotor(
        Some(&server),
        &[
            "fabric",
            "rotate-password",
            "--fabric",
            "fab1",
            "--wait",
            "-o",
            "json",
        ],
    )
    .await
    .expect(5);
    let operation = run.json();
    assert_eq!(operation["status"], "Failed");
    assert_eq!(operation["error"]["code"], "RotationFailed");
    for result in operation["operations"].as_array().unwrap() {
        assert_eq!(result["error"]["code"], "DeviceDisabled");
    }
    let table = rotor(
        Some(&server),
        &[
            "operation",
            "show",
            operation["id"].as_str().unwrap(),
            "-o",
            "table",
        ],
    )
    .await
    .expect(0);
    assert_eq!(
        table
            .stdout
            .lines()
            .filter(|l| l.contains("Failed  DeviceDisabled: "))
            .count(),
        3,
        "{table:#?}"
    );
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upgrading_fabric_is_rejected_exit_3() {
    let mut stack = stack(2).await;
    let server = server(&stack);
    stack
        .import(|exported| {
            exported.inventory.fabric.upgrade_status = rotor_inventory::UpgradeStatus::InProgress;
        })
        .await
        .unwrap();
    let run = rotor(
        Some(&server),
        &[
            "fabric",
            "rotate-password",
            "--fabric",
            "fab1",
            "--wait",
            "-o",
            "table",
        ],
    )
    .await
    .expect(3);
    assert!(run.stdout.is_empty(), "{run:#?}");
    assert_eq!(run.stderr.lines().count(), 1, "{run:#?}");
    assert!(
        run.stderr
            .starts_with("rejected: OperationNotAllowed: fabric fab1 is being upgraded"),
        "{run:#?}"
    );
    // A malformed device name: InvalidRequest, also 3.
    let run = rotor(
        Some(&server),
        &[
            "fabric",
            "resync-password",
            "--fabric",
            "fab1",
            "--device",
            "bad name",
        ],
    )
    .await
    .expect(3);
    assert!(
        run.stderr.starts_with("rejected: InvalidRequest: "),
        "{run:#?}"
    );
    stack.shutdown().await;
}

#[tokio::test]
async fn auth_nats_writes_the_bus_users_a_real_nats_server_runs_with() {
    let dir = ScratchDir::new("auth-nats");
    let users = dir.path().join("nats");
    let users_arg = users.to_str().unwrap();
    let run = rotor(
        None,
        &[
            "auth",
            "nats",
            users_arg,
            "--requester",
            "ticketing=fab1,fab2",
        ],
    )
    .await
    .expect(0);
    assert!(run.stdout.contains("ROTOR_NATS_NKEY_FILE"), "{run:#?}");
    let accounts = std::fs::read_to_string(users.join("nats-accounts.conf")).unwrap();
    for service in [
        "orchestrator",
        "differ",
        "applier",
        "backup",
        "aggregator",
        "admin",
    ] {
        let seed = std::fs::read_to_string(users.join(format!("{service}.nk"))).unwrap();
        assert!(seed.starts_with("SU"), "{service}: {seed}");
        // Seeds stay in their files: neither printed nor in the server's configuration.
        assert!(!run.stdout.contains(seed.trim()) && !accounts.contains(seed.trim()));
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(users.join(format!("{service}.nk")))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "{service}.nk is readable by others");
    }
    assert!(accounts.contains("\"rotor.requests.fab2\""), "{accounts}"); // names-check: allow (the rendered permission)
    // A real nats-server takes the configuration.
    let server = rotor_harness::NatsServer::start_with(rotor_harness::NatsOptions {
        extra_config: accounts,
        ..Default::default()
    });
    assert!(server.log().contains("Server is ready"), "{}", server.log());
    // Never overwritten; a requester without fabrics is refused with what to write.
    let again = rotor(None, &["auth", "nats", users_arg]).await.expect(3);
    assert!(again.stderr.contains("never overwrites"), "{again:#?}");
    let bad = rotor(
        None,
        &[
            "auth",
            "nats",
            dir.path().join("other").to_str().unwrap(),
            "--requester",
            "ticketing",
        ],
    )
    .await
    .expect(3);
    assert!(bad.stderr.contains("USER=FABRICS"), "{bad:#?}");
}

#[tokio::test]
async fn auth_init_writes_credentials_once_and_token_issues_what_the_keys_verify() {
    let dir = ScratchDir::new("auth");
    let creds = dir.path().join("creds");
    let creds_arg = creds.to_str().unwrap();
    let run = rotor(None, &["auth", "init", creds_arg]).await.expect(0);
    assert!(run.stdout.contains("ROTOR_AUTH_KEYS"), "{run:#?}");
    let admin_token = std::fs::read_to_string(creds.join("rotor-admin.token")).unwrap();
    // The token is in its file, never printed.
    assert!(!run.stdout.contains(admin_token.trim()));
    // Never overwritten.
    let again = rotor(None, &["auth", "init", creds_arg]).await.expect(3);
    assert!(again.stderr.contains("never overwrites"), "{again:#?}");
    // A token for another subject, checked against the keys file the orchestrator reads.
    let key = creds.join("signing-key.yaml");
    let issued = rotor(
        None,
        &[
            "auth",
            "token",
            "--key",
            key.to_str().unwrap(),
            "--subject",
            "ticketing",
        ],
    )
    .await
    .expect(0);
    let keys = rotor_auth::TrustedKeys::from_yaml(
        &std::fs::read_to_string(creds.join("keys.yaml")).unwrap(),
    )
    .unwrap();
    let now = rotor_auth::now_unix();
    let identity = keys.verify(issued.stdout.trim(), now).unwrap();
    assert_eq!(identity.subject, "ticketing");
    // Eight hours by default: expired a day later.
    assert!(keys.verify(issued.stdout.trim(), now + 24 * 3600).is_err());
    let admin = keys.verify(admin_token.trim(), now).unwrap();
    assert_eq!(admin.subject, "rotor-admin");
    let policy =
        rotor_auth::Policy::from_yaml(&std::fs::read_to_string(creds.join("policy.yaml")).unwrap())
            .unwrap();
    assert!(policy.allows("rotor-admin", Some("any"), rotor_auth::Role::Operator));
    assert!(!policy.allows("ticketing", Some("any"), rotor_auth::Role::Viewer));
    // Bad input: a missing key file (3), a TTL out of range (2).
    rotor(
        None,
        &["auth", "token", "--key", "/nonexistent", "--subject", "x"],
    )
    .await
    .expect(3);
    rotor(
        None,
        &[
            "auth",
            "token",
            "--key",
            key.to_str().unwrap(),
            "--subject",
            "x",
            "--ttl-hours",
            "0",
        ],
    )
    .await
    .expect(2);
}
