//! The `rotor-sim` binary: starts a fabric from a users file, exports the inventory, serves the
//! control interface, prints its ready line, and stops cleanly on SIGTERM.

mod common;

use std::process::Stdio;
use std::time::Duration;

use common::*;
use rotor_inventory::FabricImport;
use tokio::io::{AsyncBufReadExt, BufReader};

#[tokio::test]
async fn binary_runs_a_fabric_until_terminated() {
    let directory = temporary_directory("binary");
    let users = directory.join("users.yaml");
    std::fs::write(
        &users,
        format!(
            "cumulus:\n  cumulus: '{}'\nnvos:\n  admin: '{}'\n  monitor: '{}'\n",
            hash(CUMULUS_PASSWORD),
            hash(ADMIN_PASSWORD),
            hash(MONITOR_PASSWORD)
        ),
    )
    .unwrap();
    let export = directory.join("export");
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_rotor-sim"))
        .args([
            "--fabric",
            "bin",
            "--devices",
            "4",
            "--platform-mix",
            "cumulus=3,nvos=1",
        ])
        .args(["--seed", "binary", "--control", "127.0.0.1:0"])
        .arg("--users-file")
        .arg(&users)
        .arg("--export")
        .arg(&export)
        .args(["--fault", "bin-leaf-01=drifted"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut printed = Vec::new();
    let ready = tokio::time::timeout(Duration::from_secs(30), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            printed.push(line.clone());
            if line.starts_with("ROTOR_SIM_READY ") {
                return line;
            }
        }
        panic!("no ready line: {printed:?}");
    })
    .await
    .expect("ready in time");
    assert!(ready.contains("devices=4"), "{ready}");
    assert!(
        printed.iter().any(|line| line
            == "rotor-sim: profiles cumulus-5.9=1,cumulus-5.15=1,cumulus-5.16=1,nvos-25.02=1"),
        "{printed:?}"
    );
    let control = ready
        .split_whitespace()
        .find_map(|word| word.strip_prefix("control=http://"))
        .unwrap()
        .to_string();
    let mut stream = tokio::net::TcpStream::connect(&control).await.unwrap();
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    stream
        .write_all(b"GET /counters HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    assert!(response.contains("\"devices\":4"), "{response}");

    let import = FabricImport::load(&export.join("inventory.yaml")).unwrap();
    assert_eq!(import.inventory.devices.len(), 4);
    let device = &import.inventory.devices[0];
    assert!(
        rotor_sim::client::try_login(device.address.parse().unwrap(), "cumulus", CUMULUS_PASSWORD)
            .await
            .unwrap()
    );

    let pid = child.id().unwrap().to_string();
    let killed = tokio::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .await
        .unwrap();
    assert!(killed.success());
    let status = tokio::time::timeout(Duration::from_secs(10), child.wait())
        .await
        .expect("stops in time")
        .unwrap();
    assert!(status.success(), "{status:?}");
    let rest: Vec<String> = {
        let mut rest = Vec::new();
        while let Ok(Some(line)) = lines.next_line().await {
            rest.push(line);
        }
        rest
    };
    assert!(
        rest.iter().any(|line| line == "rotor-sim: stopped"),
        "{rest:?}"
    );
    let _ = std::fs::remove_dir_all(directory);
}
