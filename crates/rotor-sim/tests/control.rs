//! The HTTP control interface end to end (create a fabric, inspect devices, faults, latency,
//! logins, out-of-band password changes, counters, export, shutdown) and the exported inventory
//! read back with `rotor-inventory`.

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use common::*;
use rotor_inventory::{AdministrativeState, FabricImport, UpgradeStatus};
use rotor_sim::client::try_login;
use rotor_sim::{SimConfig, Simulator};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn http(address: SocketAddr, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    let body = body.map(|body| body.to_string()).unwrap_or_default();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut response))
        .await
        .unwrap()
        .unwrap();
    let response = String::from_utf8(response).unwrap();
    let (head, body) = response.split_once("\r\n\r\n").unwrap();
    let status: u16 = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    let value = if body.trim().is_empty() {
        Value::Null
    } else {
        serde_json::from_str(body).unwrap_or(Value::String(body.to_string()))
    };
    (status, value)
}

/// A simulator serving its control interface on a free port, and where.
async fn start_with_control() -> (Simulator, SocketAddr) {
    let simulator = Simulator::start(SimConfig {
        control_address: Some("127.0.0.1:0".parse().unwrap()),
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let control = simulator.control_address().unwrap();
    (simulator, control)
}

#[tokio::test]
async fn control_interface_end_to_end() {
    let (simulator, control) = start_with_control().await;
    let (status, health) = http(control, "GET", "/health", None).await;
    assert_eq!((status, health), (200, json!({"status": "ok"})));

    let spec = json!({
        "fabricId": "http",
        "devices": 3,
        "platformMix": {"cumulus": 2, "nvos": 1},
        "seed": "control",
        "initialUsers": {
            "cumulus": {"cumulus": hash(CUMULUS_PASSWORD)},
            "nvos": {
                "admin": hash(ADMIN_PASSWORD),
                "monitor": {"hashedPassword": hash(MONITOR_PASSWORD), "role": "system-monitor"}
            }
        }
    });
    let (status, created) = http(control, "POST", "/fabrics", Some(spec.clone())).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["deviceCount"], 3);
    let (status, _) = http(control, "POST", "/fabrics", Some(spec)).await;
    assert_eq!(status, 409);
    let plaintext = json!({"fabricId": "bad", "devices": 1,
        "initialUsers": {"cumulus": {"cumulus": "hunter2"}}});
    let (status, error) = http(control, "POST", "/fabrics", Some(plaintext)).await;
    assert_eq!(status, 400);
    assert!(
        !error.to_string().contains("hunter2"),
        "never echo a password: {error}"
    );

    let (status, devices) = http(control, "GET", "/devices?fabric=http", None).await;
    assert_eq!(status, 200);
    let devices = devices.as_array().unwrap().clone();
    assert_eq!(devices.len(), 3);
    let cumulus_id = devices[0]["id"].as_str().unwrap().to_string();
    let nvos_id = devices[2]["id"].as_str().unwrap().to_string();
    assert_eq!(devices[2]["platform"], "nvos");
    // The default mix: the first Cumulus device is cumulus-5.16, which offers only ECDSA; the
    // second cumulus-5.15 (ed25519 first); NVOS nvos-25.02.
    assert_eq!(devices[0]["profile"], "cumulus-5.16");
    assert!(
        devices[0]["hostKey"]
            .as_str()
            .unwrap()
            .starts_with("ecdsa-sha2-nistp256 ")
    );
    assert_eq!(devices[1]["profile"], "cumulus-5.15");
    assert!(
        devices[1]["hostKey"]
            .as_str()
            .unwrap()
            .starts_with("ssh-ed25519 ")
    );
    assert_eq!(devices[1]["hostKeys"].as_array().unwrap().len(), 2);
    assert_eq!(devices[2]["profile"], "nvos-25.02");

    let (status, report) = http(control, "GET", &format!("/devices/{cumulus_id}"), None).await;
    assert_eq!(status, 200);
    let applied = report["appliedConfig"].as_str().unwrap();
    assert!(applied.contains("hashed-password: '*'"), "{applied}");
    assert!(!applied.contains("$6$"));
    let (_, unmasked) = http(
        control,
        "GET",
        &format!("/devices/{cumulus_id}?unmasked=true"),
        None,
    )
    .await;
    assert!(unmasked["appliedConfig"].as_str().unwrap().contains("$6$"));
    let (status, _) = http(control, "GET", "/devices/nope", None).await;
    assert_eq!(status, 404);

    let faults = format!("/devices/{cumulus_id}/faults");
    let (status, active) = http(
        control,
        "PUT",
        &faults,
        Some(json!({"kind": "apply_fails"})),
    )
    .await;
    assert_eq!((status, active), (200, json!([{"kind": "apply_fails"}])));
    let (_, active) = http(
        control,
        "POST",
        &faults,
        Some(json!({"kind": "slow", "factor": 2.0, "extraMs": 10})),
    )
    .await;
    assert_eq!(active.as_array().unwrap().len(), 2);
    let (status, active) = http(control, "DELETE", &format!("{faults}/apply_fails"), None).await;
    assert_eq!(status, 200);
    assert_eq!(
        active,
        json!([{"kind": "slow", "factor": 2.0, "extraMs": 10}])
    );
    http(control, "DELETE", &format!("{faults}/slow"), None).await;
    let (status, _) = http(control, "DELETE", &format!("{faults}/gremlins"), None).await;
    assert_eq!(status, 400);
    let (status, _) = http(
        control,
        "PUT",
        &format!("/devices/{nvos_id}/faults"),
        Some(json!({"kind": "administrative_state", "state": "UnderMaintenance"})),
    )
    .await;
    assert_eq!(status, 200);
    let device = simulator.device(&cumulus_id).unwrap();
    let (_, _) = http(
        control,
        "PUT",
        &faults,
        Some(json!({"kind": "unreachable"})),
    )
    .await;
    assert!(
        tokio::net::TcpStream::connect(device.address())
            .await
            .is_err()
    );
    let (status, _) = http(control, "DELETE", &format!("{faults}/unreachable"), None).await;
    assert_eq!(status, 200);
    assert!(
        try_login(device.address(), "cumulus", CUMULUS_PASSWORD)
            .await
            .unwrap()
    );

    let (status, profile) = http(
        control,
        "PUT",
        "/latency",
        Some(json!({"profile": "realistic"})),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(profile["applyMaxMs"], 5000);
    let (_, profile) = http(control, "PUT", "/latency", Some(json!({"showMs": 5}))).await;
    assert_eq!(profile["showMs"], 5);
    assert_eq!(simulator.latency().show_ms, 5);
    let (status, _) = http(
        control,
        "PUT",
        "/latency",
        Some(json!({"profile": "glacial"})),
    )
    .await;
    assert_eq!(status, 400);
    http(control, "PUT", "/latency", Some(json!({"profile": "none"}))).await;
    let (_, latency) = http(
        control,
        "PUT",
        &format!("/devices/{cumulus_id}/latency"),
        Some(json!({"diffMs": 7})),
    )
    .await;
    assert_eq!(latency["diffMs"], 7);
    assert_eq!(device.latency().diff_ms, 7);
    http(
        control,
        "DELETE",
        &format!("/devices/{cumulus_id}/latency"),
        None,
    )
    .await;
    assert_eq!(device.latency().diff_ms, 0);

    assert!(
        !try_login(device.address(), "cumulus", "wrong")
            .await
            .unwrap()
    );
    let (_, logins) = http(
        control,
        "GET",
        &format!("/devices/{cumulus_id}/logins"),
        None,
    )
    .await;
    assert_eq!(logins["failedLogins"], 1);
    assert_eq!(logins["users"][0]["consecutiveFailures"], 1);
    let (_, logins) = http(
        control,
        "DELETE",
        &format!("/devices/{cumulus_id}/lockouts"),
        None,
    )
    .await;
    assert_eq!(logins["users"], json!([]));

    let (status, changed) = http(
        control,
        "PUT",
        &format!("/devices/{cumulus_id}/users/cumulus/password-hash"),
        Some(json!({"hashedPassword": hash(NEW_PASSWORD)})),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(changed["appliedRevision"], 2);
    assert!(
        try_login(device.address(), "cumulus", NEW_PASSWORD)
            .await
            .unwrap()
    );

    let (_, counters) = http(control, "GET", "/counters", None).await;
    assert_eq!(counters["devices"], 3);
    assert!(counters["loginsSucceeded"].as_u64().unwrap() >= 2);
    assert_eq!(counters["loginsFailed"], 1);

    let directory = temporary_directory("control-export");
    let (status, written) = http(
        control,
        "POST",
        "/fabrics/http/export",
        Some(json!({
            "directory": directory,
            "upgradeStatus": "InProgress",
            "secretsMount": "kv",
            "secretPathTemplate": "fabrics/{fabric}/{device}/AdminRW"
        })),
    )
    .await;
    assert_eq!(status, 200, "{written}");
    assert_eq!(written["devices"], 3);
    let import = FabricImport::load(&directory.join("inventory.yaml")).unwrap();
    assert_eq!(
        import.inventory.fabric.upgrade_status,
        UpgradeStatus::InProgress
    );
    assert_eq!(import.inventory.fabric.secrets_mount, "kv");
    let exported_cumulus = import.inventory.device(&cumulus_id).unwrap();
    assert_eq!(exported_cumulus.address, device.address().to_string());
    assert_eq!(exported_cumulus.host_key, device.host_key());
    assert_eq!(exported_cumulus.pinned_host_keys(), device.host_keys());
    // cumulus-5.15 offers two keys: both are pinned.
    let two_keys = devices[1]["id"].as_str().unwrap();
    let exported = import.inventory.device(two_keys).unwrap();
    assert_eq!(exported.pinned_host_keys().len(), 2);
    assert_eq!(
        exported.pinned_host_keys(),
        simulator.device(two_keys).unwrap().host_keys()
    );
    assert_eq!(exported_cumulus.login_user, "cumulus");
    assert_eq!(exported_cumulus.password_mappings[0].secret_type, "AdminRW");
    assert_eq!(
        exported_cumulus.password_mappings[0].resolved_path("http", &cumulus_id),
        format!("fabrics/http/{cumulus_id}/AdminRW")
    );
    let exported_nvos = import.inventory.device(&nvos_id).unwrap();
    assert_eq!(exported_nvos.login_user, "admin");
    assert_eq!(
        exported_nvos.administrative_state,
        AdministrativeState::UnderMaintenance
    );
    let cumulus_config = &import.intended_configs[&cumulus_id];
    assert!(
        !cumulus_config.contains("hashed-password"),
        "{cumulus_config}"
    );
    let nvos_config = &import.intended_configs[&nvos_id];
    assert!(nvos_config.contains("monitor:"), "{nvos_config}");
    assert_eq!(
        nvos_config.matches("password: ").count(),
        1,
        "only the unmapped monitor keeps its hash"
    );

    let (status, inventory) = http(control, "GET", "/fabrics/http/inventory", None).await;
    assert_eq!(status, 200);
    assert!(
        inventory["inventoryYaml"]
            .as_str()
            .unwrap()
            .contains("apiVersion: rotor/v1")
    );

    let (status, _) = http(control, "DELETE", "/fabrics/http", None).await;
    assert_eq!(status, 204);
    assert!(simulator.devices().is_empty());
    let (status, _) = http(control, "POST", "/shutdown", None).await;
    assert_eq!(status, 202);
    tokio::time::timeout(
        Duration::from_secs(5),
        simulator.wait_for_shutdown_request(),
    )
    .await
    .unwrap();
    simulator.shutdown().await;
    let _ = std::fs::remove_dir_all(directory);
}

#[tokio::test]
async fn a_thousand_devices_start_and_each_answers_on_its_own_port() {
    let simulator = Simulator::start(SimConfig::default()).await.unwrap();
    let started = std::time::Instant::now();
    let summary = simulator.create_fabric(spec("many", 900, 100)).unwrap();
    let elapsed = started.elapsed();
    assert_eq!(summary.device_count, 1000);
    assert!(elapsed < Duration::from_secs(30), "{elapsed:?}");
    let mut ports: Vec<u16> = summary.devices.iter().map(|device| device.port).collect();
    ports.sort_unstable();
    ports.dedup();
    assert_eq!(ports.len(), 1000);
    for device in simulator.devices().iter().step_by(97) {
        let password = login_password(device.platform());
        assert!(
            try_login(device.address(), device.platform().login_user(), password)
                .await
                .unwrap(),
            "{}",
            device.id()
        );
    }
    simulator.shutdown().await;
    assert!(
        simulator
            .devices()
            .iter()
            .all(|device| !device.is_listening())
    );
    assert!(simulator.create_fabric(spec("late", 1, 0)).is_err());
}

#[tokio::test]
async fn fabrics_take_a_profile_mix_and_devices_reboot_through_the_control_interface() {
    let (simulator, control) = start_with_control().await;
    let spec = json!({
        "fabricId": "profiles",
        "devices": 3,
        "profileMix": {"cumulus-5.8": 1, "cumulus-5.16": 1, "nvos-25.02": 1},
        "initialUsers": {
            "cumulus": {"cumulus": hash(CUMULUS_PASSWORD)},
            "nvos": {"admin": hash(ADMIN_PASSWORD), "monitor": hash(MONITOR_PASSWORD)}
        }
    });
    let (status, created) = http(control, "POST", "/fabrics", Some(spec)).await;
    assert_eq!(status, 201, "{created}");
    let profiles: Vec<&str> = created["devices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|device| device["profile"].as_str().unwrap())
        .collect();
    assert_eq!(profiles, ["cumulus-5.8", "cumulus-5.16", "nvos-25.02"]);
    let id = created["devices"][0]["id"].as_str().unwrap().to_string();
    let device = simulator.device(&id).unwrap();
    let client = rotor_sim::client::SimClient::connect(
        device.address(),
        "cumulus",
        CUMULUS_PASSWORD,
        Some(device.public_key()),
    )
    .await
    .unwrap();
    let changed = client
        .exec("nv set system hostname unsaved && nv -y config apply", None)
        .await
        .unwrap();
    assert_eq!(
        changed.stdout, "applied [rev_id: 2]\n",
        "{}",
        changed.stderr
    );
    let (_, report) = http(control, "GET", &format!("/devices/{id}"), None).await;
    assert_eq!(report["saved"], false);
    assert_eq!(report["autoSave"], false);
    let (status, summary) = http(
        control,
        "POST",
        &format!("/devices/{id}/reboot"),
        Some(json!({"downMs": 100})),
    )
    .await;
    assert_eq!(status, 200, "{summary}");
    assert_eq!(summary["id"], id.as_str());
    assert!(client.is_closed() || client.exec("true", None).await.is_err());
    assert_ne!(
        device.hostname().as_deref(),
        Some("unsaved"),
        "startup loaded"
    );
    let (_, report) = http(control, "GET", &format!("/devices/{id}"), None).await;
    assert_eq!(report["up"], true);
    assert_eq!(report["saved"], true);
    let (status, _) = http(control, "POST", &format!("/devices/{id}/reboot"), None).await;
    assert_eq!(status, 200, "no body: the default down time");
    simulator.shutdown().await;
}
