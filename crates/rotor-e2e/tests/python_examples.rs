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

/// The stack's NATS CA, set by the test before any script runs.
fn nats_ca() -> PathBuf {
    NATS_CA.get().expect("the stack is up").clone()
}

static NATS_CA: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();

/// A script's command: the API token, and the requester's NATS user and password file.
fn example(script: &str, args: &[&str], token: &str, requester: &Path) -> Command {
    let mut command = Command::new(python());
    command
        .arg(repository().join("docs/examples/python").join(script))
        .args(args)
        .env("ROTOR_TOKEN", token)
        .env("ROTOR_NATS_USER", rotor_e2e::REQUESTER)
        .env("ROTOR_NATS_PASSWORD_FILE", requester)
        .env("ROTOR_NATS_TLS_CA", nats_ca());
    command
}

fn run_example(
    script: &str,
    args: &[&str],
    token: &str,
    requester: &Path,
) -> (i32, String, String) {
    let output = example(script, args, token, requester)
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
    NATS_CA.set(stack.nats_ca_file.clone()).unwrap();
    let nats = stack.nats.url();
    let server = stack.grpc_address.to_string();
    let fabric = stack.fabric_id.clone();
    let requester = stack
        .nats_users
        .requester_password_file(rotor_e2e::REQUESTER)
        .unwrap()
        .to_path_buf();

    let (code, stdout, stderr) = tokio::task::spawn_blocking({
        let (server, fabric, token, requester) = (
            server.clone(),
            fabric.clone(),
            token.clone(),
            requester.clone(),
        );
        move || {
            run_example(
                "rotate_over_grpc.py",
                &["--server", &server, "--fabric", &fabric],
                &token,
                &requester,
            )
        }
    })
    .await
    .unwrap();
    no_password_in(&stack, "rotate_over_grpc.py", &stdout, &stderr).await;
    assert_eq!(code, 0, "rotate_over_grpc.py failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains("accepted: operation"), "{stdout}");
    assert!(stdout.contains("\"uniquePasswordSetCount\": 1"), "{stdout}");

    // The watcher first (it says when it is subscribed), then a rotation over the bus it sees.
    let mut watcher = example(
        "watch_events.py",
        &["--nats", &nats, "--fabric", &fabric, "--limit", "12"],
        "",
        &requester,
    )
    .stdout(std::process::Stdio::piped())
    .stderr(std::process::Stdio::piped())
    .spawn()
    .expect("python runs");
    let mut watcher_stderr = std::io::BufReader::new(watcher.stderr.take().unwrap());
    let first_line = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        let _ = std::io::BufRead::read_line(&mut watcher_stderr, &mut line);
        (line, watcher_stderr)
    })
    .await
    .unwrap();
    assert!(
        first_line.0.starts_with("watching "),
        "watch_events.py did not subscribe: {first_line:?}"
    );

    let (code, stdout, stderr) = tokio::task::spawn_blocking({
        let (nats, fabric, requester) = (nats.clone(), fabric.clone(), requester.clone());
        move || {
            run_example(
                "rotate_over_nats.py",
                &["--nats", &nats, "--fabric", &fabric],
                "",
                &requester,
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

    let output = tokio::task::spawn_blocking(move || watcher.wait_with_output())
        .await
        .unwrap()
        .expect("watch_events.py ends");
    let (stdout, stderr) = (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::new(),
    );
    no_password_in(&stack, "watch_events.py", &stdout, &stderr).await;
    assert!(output.status.success(), "watch_events.py failed:\n{stdout}");
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
