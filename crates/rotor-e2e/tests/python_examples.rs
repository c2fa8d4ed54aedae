//! The Python examples in docs/examples/python, run against a live stack as another system
//! would run them (nats-py, grpcio from the project's tools/venv).

use std::path::{Path, PathBuf};
use std::process::Command;

use rotor_e2e::{StackOptions, TestStack};

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn python() -> PathBuf {
    let python = repository().join("tools/venv/bin/python");
    assert!(
        python.exists(),
        "{} is missing; run scripts/bootstrap.sh (make test does)",
        python.display()
    );
    python
}

fn run_example(script: &str, args: &[&str], token: &str) -> (i32, String, String) {
    let output = Command::new(python())
        .arg(repository().join("docs/examples/python").join(script))
        .args(args)
        .env("ROTOR_TOKEN", token)
        .output()
        .expect("python runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_python_examples_work_against_a_live_stack() {
    let options = StackOptions {
        devices: 6,
        ..Default::default()
    };
    // The example runs as a system of its own, granted what it needs on this fabric only.
    let grant = rotor_auth::Grant {
        subject: "ticketing".into(),
        fabrics: vec![options.fabric_id.clone()],
        roles: vec![rotor_auth::Role::Operator, rotor_auth::Role::Viewer],
    };
    let stack = TestStack::start(StackOptions {
        grants: vec![grant],
        ..options
    })
    .await
    .unwrap();
    let token = stack.auth.token("ticketing");
    let nats = stack.nats.url();
    let server = stack.grpc_address.to_string();
    let fabric = stack.fabric_id.clone();

    let (code, stdout, stderr) = tokio::task::spawn_blocking({
        let (server, fabric, token) = (server.clone(), fabric.clone(), token.clone());
        move || {
            run_example(
                "rotate_over_grpc.py",
                &["--server", &server, "--fabric", &fabric],
                &token,
            )
        }
    })
    .await
    .unwrap();
    no_password_in(&stack, "rotate_over_grpc.py", &stdout, &stderr).await;
    assert_eq!(code, 0, "rotate_over_grpc.py failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains("accepted: operation"), "{stdout}");
    assert!(stdout.contains("\"uniquePasswordSetCount\": 1"), "{stdout}");

    let (code, stdout, stderr) = tokio::task::spawn_blocking({
        let (nats, fabric) = (nats.clone(), fabric.clone());
        move || {
            run_example(
                "rotate_over_nats.py",
                &["--nats", &nats, "--fabric", &fabric],
                "",
            )
        }
    })
    .await
    .unwrap();
    no_password_in(&stack, "rotate_over_nats.py", &stdout, &stderr).await;
    assert_eq!(code, 0, "rotate_over_nats.py failed:\n{stdout}\n{stderr}");
    assert!(
        stdout.contains("device outcomes: {'Succeeded': 6}"),
        "{stdout}"
    );

    let (code, stdout, stderr) = tokio::task::spawn_blocking({
        let (nats, fabric) = (nats.clone(), fabric.clone());
        move || {
            run_example(
                "watch_events.py",
                &[
                    "--nats",
                    &nats,
                    "--fabric",
                    &fabric,
                    "--from-start",
                    "--limit",
                    "12",
                ],
                "",
            )
        }
    })
    .await
    .unwrap();
    no_password_in(&stack, "watch_events.py", &stdout, &stderr).await;
    assert_eq!(code, 0, "watch_events.py failed:\n{stdout}\n{stderr}");
    assert_eq!(stdout.lines().count(), 12, "{stdout}");
    assert!(
        stdout.contains("load_intended_configuration Started"),
        "{stdout}"
    );

    stack.shutdown().await;
}

/// No password the fabric has had (the first one and every rotation's) is in a script's output.
/// Checked before anything prints that output in a failure message.
async fn no_password_in(stack: &TestStack, script: &str, stdout: &str, stderr: &str) {
    let plaintexts = stack.all_plaintexts().await.unwrap();
    assert!(!plaintexts.is_empty());
    for plaintext in plaintexts {
        assert!(
            !stdout.contains(&plaintext) && !stderr.contains(&plaintext),
            "{script} printed a password"
        );
    }
}
