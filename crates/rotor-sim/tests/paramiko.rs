//! Python's paramiko (from the project's tools virtual environment) against the simulator:
//! pinned host key, password login, exec with exit status, standard input, and a wrong password.
//! Skips, saying so, when that Python is missing.

mod common;

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use common::*;
use rotor_sim::Platform;

const SCRIPT: &str = r#"
import base64, json, sys
import paramiko

port, user, password, host_key = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
algorithm, blob = host_key.split()[:2]
client = paramiko.SSHClient()
key_class = {"ssh-ed25519": paramiko.Ed25519Key, "ecdsa-sha2-nistp256": paramiko.ECDSAKey}[algorithm]
client.get_host_keys().add(f"[127.0.0.1]:{port}", algorithm, key_class(data=base64.b64decode(blob)))
client.set_missing_host_key_policy(paramiko.RejectPolicy())
client.connect("127.0.0.1", port=port, username=user, password=password,
               allow_agent=False, look_for_keys=False, timeout=10)
results = {}

def run(name, command, stdin_text=None):
    stdin, stdout, stderr = client.exec_command(command, timeout=10)
    if stdin_text is not None:
        stdin.write(stdin_text)
        stdin.channel.shutdown_write()
    out = stdout.read().decode()
    err = stderr.read().decode()
    results[name] = {"stdout": out, "stderr": err, "status": stdout.channel.recv_exit_status()}

run("show", f"nv show system aaa user {user} -o json")
run("write", "cat > /tmp/paramiko.yaml", "- set:\n    system:\n      hostname: from-paramiko\n")
run("replace", "nv config replace /tmp/paramiko.yaml")
run("diff", "nv config diff -o commands")
run("unknown", "bogus")
client.close()

try:
    other = paramiko.SSHClient()
    other.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    other.connect("127.0.0.1", port=port, username=user, password="wrong",
                  allow_agent=False, look_for_keys=False, timeout=10)
    results["wrong_password"] = "accepted"
except paramiko.AuthenticationException:
    results["wrong_password"] = "refused"
print(json.dumps(results))
"#;

#[tokio::test]
async fn paramiko_client_drives_the_simulator() {
    let python = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tools/venv/bin/python");
    if !python.exists() {
        println!(
            "skipping the paramiko test: {} is missing (scripts/bootstrap.sh installs it)",
            python.display()
        );
        return;
    }
    let simulator = start("paramiko").await;
    let device = first(&simulator, Platform::Cumulus);
    let output = tokio::time::timeout(
        Duration::from_secs(60),
        tokio::process::Command::new(&python)
            .arg("-c")
            .arg(SCRIPT)
            .arg(device.port().to_string())
            .arg("cumulus")
            .arg(CUMULUS_PASSWORD)
            .arg(device.host_key())
            .stdin(Stdio::null())
            .kill_on_drop(true)
            .output(),
    )
    .await
    .expect("paramiko finishes")
    .unwrap();
    assert!(
        output.status.success(),
        "paramiko failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let results: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(results["show"]["status"], 0);
    let user: serde_json::Value =
        serde_json::from_str(results["show"]["stdout"].as_str().unwrap()).unwrap();
    assert_eq!(user["role"], "system-admin");
    assert_eq!(results["write"]["status"], 0);
    assert_eq!(results["replace"]["status"], 0, "{}", results["replace"]);
    let diff = results["diff"]["stdout"].as_str().unwrap();
    assert!(
        diff.contains("nv set system hostname from-paramiko\n"),
        "{diff}"
    );
    assert!(diff.contains("nv unset interface\n"), "{diff}");
    assert_eq!(results["unknown"]["status"], 127);
    assert_eq!(
        results["unknown"]["stderr"],
        "-bash: bogus: command not found\n"
    );
    assert_eq!(results["wrong_password"], "refused");
    simulator.shutdown().await;
}
