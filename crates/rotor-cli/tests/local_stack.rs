//! `rotor up` and `rotor demo` as processes: the stack comes up, answers, and every child
//! process is gone after SIGTERM; the demo runs its whole tour and prints no password.

mod common;

use std::process::Stdio;
use std::time::{Duration, Instant};

use common::{ROTOR, password_like_words, rotor, services_are_built};
use rotor_harness::ScratchDir;
use tokio::io::{AsyncBufReadExt, BufReader};

/// The port in a URL like `http://127.0.0.1:4222`.
fn port_of(url: &str) -> u16 {
    url.rsplit(':').next().unwrap().parse().unwrap()
}

fn is_closed(port: u16) -> bool {
    std::net::TcpStream::connect_timeout(
        &std::net::SocketAddr::from(([127, 0, 0, 1], port)),
        Duration::from_millis(200),
    )
    .is_err()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotor_up_serves_a_fabric_and_stops_everything_on_sigterm() {
    services_are_built().unwrap();
    let state = ScratchDir::new("cli-up");
    let mut child = tokio::process::Command::new(ROTOR)
        .args([
            "up",
            "--ports",
            "auto",
            "--devices",
            "4",
            "--fabrics",
            "2",
            "--state-dir",
        ])
        .arg(state.path())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut printed = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, lines.next_line()).await {
            Ok(Ok(Some(line))) => {
                let ready = line == "rotor up: ready";
                printed.push(line);
                if ready {
                    break;
                }
            }
            other => {
                let mut stderr = String::new();
                let _ = tokio::io::AsyncReadExt::read_to_string(
                    child.stderr.as_mut().unwrap(),
                    &mut stderr,
                )
                .await;
                panic!("rotor up never got ready ({other:?}): {printed:#?}\n{stderr}");
            }
        }
    }
    let value = |name: &str| -> String {
        printed
            .iter()
            .find_map(|line| line.trim().strip_prefix(&format!("export {name}=")))
            .unwrap_or_else(|| panic!("no {name} in {printed:#?}"))
            .to_string()
    };
    let server = value("ROTOR_SERVER");
    // The console: its address printed, its sign-in link (with the administrator's token) in a
    // file only this user reads, never on the screen; it serves its page.
    let console = printed
        .iter()
        .find_map(|line| line.trim().strip_prefix("Web console"))
        .unwrap_or_else(|| panic!("no console line in {printed:#?}"))
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();
    let link_file = state.path().join("console-link");
    let link = std::fs::read_to_string(&link_file).unwrap();
    assert!(link.starts_with(&format!("{console}/#token=")), "{link}");
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&link_file).unwrap().permissions().mode();
        assert_eq!(
            mode & 0o077,
            0,
            "the console's sign-in link is readable by others"
        );
    }
    let page = rotor_stack::servers::http_status(port_of(&console), "/");
    assert_eq!(
        page,
        Some(200),
        "the console at {console} does not serve its page"
    );
    // Each service's metrics address is printed, each serves OpenMetrics text, and the
    // Prometheus configuration in the state folder scrapes every one.
    let metrics: Vec<std::net::SocketAddr> = printed
        .iter()
        .flat_map(|line| line.split_whitespace())
        .filter_map(|word| word.strip_prefix("http://")?.strip_suffix("/metrics"))
        .map(|address| address.parse().unwrap())
        .collect();
    assert_eq!(
        metrics.len(),
        5,
        "one metrics address per service: {printed:#?}"
    );
    let scrape = std::fs::read_to_string(state.path().join("prometheus.yml")).unwrap();
    for address in &metrics {
        let (status, body) =
            rotor_stack::servers::http_get(*address, "/metrics", Duration::from_secs(5))
                .unwrap_or_else(|| panic!("no answer from {address}/metrics"));
        assert_eq!(status, 200, "{body}");
        assert!(body.contains("# TYPE rotor_"), "{body}");
        assert!(body.trim_end().ends_with("# EOF"), "{body}");
        assert!(scrape.contains(&format!("'{address}'")), "{scrape}");
    }
    let mut ports = vec![
        port_of(&console),
        port_of(&server),
        port_of(&value("ROTOR_NATS_URL")),
        port_of(&value("ROTOR_BAO_ADDR")),
    ];
    ports.extend(metrics.iter().map(|address| address.port()));
    // OpenBao's root token: printed as a line that reads it from its file, never itself.
    let bao_token_file = state.path().join("bao-token");
    assert_eq!(
        value("BAO_TOKEN"),
        format!("\"$(cat {})\"", bao_token_file.display())
    );
    let bao_token = std::fs::read_to_string(&bao_token_file).unwrap();
    assert!(!printed.iter().any(|line| line.contains(bao_token.trim())));
    // The services log in with their own AppRole roles, never with the root token: it shows
    // in none of their logs, and their secret ids are readable by this user only.
    for entry in std::fs::read_dir(state.path().join("approle")).unwrap() {
        use std::os::unix::fs::PermissionsExt;
        let mode = entry.unwrap().metadata().unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "a secret id file is readable by others");
    }
    for entry in std::fs::read_dir(state.path().join("logs")).unwrap() {
        let path = entry.unwrap().path();
        // The services' logs (OpenBao's dev server prints its own root token in its banner).
        if !path
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("rotor-")
        {
            continue;
        }
        let log = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            !log.contains(bao_token.trim()),
            "{} shows OpenBao's root token",
            path.display()
        );
    }
    // The API token: printed as a line that reads it from its file, not the token itself.
    let token_file = state.path().join("api-token");
    assert_eq!(
        value("ROTOR_TOKEN"),
        format!("\"$(cat {})\"", token_file.display())
    );
    let api_token = std::fs::read_to_string(&token_file)
        .unwrap()
        .trim()
        .to_string();
    assert!(!printed.iter().any(|line| line.contains(&api_token)));
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&token_file).unwrap().permissions().mode();
    assert_eq!(mode & 0o077, 0, "the API token is readable by others");
    let api = common::Api::new(&server, Some(api_token));
    // Without the token, the API does not answer (exit 8).
    let refused = rotor(
        Some(&common::Api::new(&server, None)),
        &["fabric", "show", "--fabric", "fab1"],
    )
    .await
    .expect(8);
    assert!(
        refused.stderr.contains("does not know who you are"),
        "{refused:#?}"
    );
    assert!(state.path().join("inventory/inventory.yaml").is_file());
    assert!(state.path().join("logs/rotor-orchestrator.log").is_file());

    let fabric = rotor(
        Some(&api),
        &["fabric", "show", "--fabric", "fab1", "-o", "json"],
    )
    .await
    .expect(0)
    .json();
    assert_eq!(fabric["totalDevices"], 4);
    // The second fabric, imported with its own inventory.
    let second = rotor(
        Some(&api),
        &["fabric", "show", "--fabric", "fab2", "-o", "json"],
    )
    .await
    .expect(0)
    .json();
    assert_eq!(second["totalDevices"], 4);
    assert!(state.path().join("inventory/fab2/inventory.yaml").is_file());
    // The bao exports printed work as printed: the PATH line finds bao, BAO_ADDR and
    // BAO_TOKEN reach this stack's OpenBao (metadata only: no password is shown).
    let path = value("PATH");
    let bao_dir = path
        .trim_matches('"')
        .strip_suffix(":$PATH")
        .unwrap_or_else(|| panic!("PATH line {path}"));
    let metadata = std::process::Command::new(std::path::Path::new(bao_dir).join("bao"))
        .args([
            "kv",
            "metadata",
            "get",
            "-mount=secret",
            "fabrics/fab2/AdminRW",
        ])
        .env("BAO_ADDR", value("BAO_ADDR"))
        // What the printed `"$(cat …/bao-token)"` gives a shell.
        .env("BAO_TOKEN", bao_token.trim())
        .output()
        .unwrap();
    let listed = String::from_utf8_lossy(&metadata.stdout);
    assert!(metadata.status.success(), "{listed} {:?}", metadata);
    assert!(listed.contains("current_version"), "{listed}");
    let run = rotor(
        Some(&api),
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
    .expect(0);
    assert_eq!(run.json()["succeededDevices"], 4);
    assert!(password_like_words(&printed.join("\n")).is_empty());

    let pid = child.id().unwrap().to_string();
    assert!(
        std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let status = tokio::time::timeout(Duration::from_secs(30), child.wait())
        .await
        .expect("rotor up stops within 30 s of SIGTERM")
        .unwrap();
    assert_eq!(status.code(), Some(0));
    // rotor up waits for its children before it exits: every port is closed already, but
    // allow the kernel a moment to tear the sockets down.
    let deadline = Instant::now() + Duration::from_secs(10);
    while !ports.iter().all(|port| is_closed(*port)) {
        assert!(
            Instant::now() < deadline,
            "still listening after rotor up exited: {:?}",
            ports
                .iter()
                .filter(|port| !is_closed(**port))
                .collect::<Vec<_>>()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut stderr = String::new();
    tokio::io::AsyncReadExt::read_to_string(child.stderr.as_mut().unwrap(), &mut stderr)
        .await
        .unwrap();
    assert!(stderr.contains("rotor up: SIGTERM received"), "{stderr}");
    assert!(stderr.contains("rotor up: stopped"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotor_up_names_a_busy_port() {
    services_are_built().unwrap();
    let state = ScratchDir::new("cli-up-busy");
    // Whatever holds the API's well-known port, `--ports default` must name a busy one (this
    // test holds NATS's port only if nobody else does).
    let _held = std::net::TcpListener::bind("127.0.0.1:4222");
    let run = rotor(
        None,
        &[
            "up",
            "--devices",
            "2",
            "--state-dir",
            state.path().to_str().unwrap(),
        ],
    )
    .await
    .expect(6);
    assert!(run.stderr.contains("is busy"), "{run:#?}");
    assert!(run.stderr.contains("--ports auto"), "{run:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotor_demo_runs_its_whole_tour() {
    services_are_built().unwrap();
    let started = Instant::now();
    let run = rotor(None, &["demo"]).await.expect(0);
    let elapsed = started.elapsed();
    let stdout = &run.stdout;
    // First, and without printing them: nothing that looks like a password was printed.
    let leaked = password_like_words(&format!("{stdout}\n{}", run.stderr)).len();
    assert_eq!(leaked, 0, "the demo printed {leaked} password-like words");
    for expected in [
        "DiffValidationError",
        "DeviceDisabled",
        "\"uniquePasswordSetCount\": 2",
        "over SSH as cumulus with it: accepted.",
        "the same way: refused.",
    ] {
        assert!(stdout.contains(expected), "{expected:?} missing:\n{stdout}");
    }
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines[lines.len() - 2],
        "fab1: 24 devices, uniquePasswordSetCount 1"
    );
    // The last line points at the console, which the demo's stack ran too.
    assert!(
        lines[lines.len() - 1]
            .starts_with("See it in the web console: `rotor up` prints its address"),
        "{stdout}"
    );
    assert!(
        stdout.contains("started Web console        http://127.0.0.1:"),
        "{stdout}"
    );
    eprintln!("rotor demo took {:.1} s", elapsed.as_secs_f64());
}
