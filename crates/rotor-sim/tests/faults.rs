//! Every fault over real SSH, set and cleared at run time, and latency profiles (global, per
//! device, changed at run time).

mod common;

use std::time::{Duration, Instant};

use common::*;
use rotor_inventory::AdministrativeState;
use rotor_sim::client::{SimClient, try_login};
use rotor_sim::config_tree::NvueConfig;
use rotor_sim::{ExportOptions, Fault, FaultKind, LatencyProfile, Platform};

async fn stage_password_change(client: &SimClient, platform: Platform) {
    let command = format!(
        "nv set system aaa user {} {} '{}'",
        platform.login_user(),
        platform.password_key(),
        hash(NEW_PASSWORD)
    );
    let output = client.exec(&command, None).await.unwrap();
    assert_eq!(output.exit_status, Some(0), "{}", output.stderr);
}

/// An injected delay, and a bound an undelayed call stays under even on a busy machine: far
/// apart, so a slow moment of the machine cannot pass for (or hide) the delay.
const INJECTED: Duration = Duration::from_millis(1500);
const UNDELAYED: Duration = Duration::from_millis(1000);

#[tokio::test]
async fn unreachable_refuses_connections_and_clearing_listens_on_the_same_port() {
    let simulator = start("unreachable").await;
    let device = first(&simulator, Platform::Cumulus);
    let port = device.port();
    let open_session = connect(&device).await;
    device.set_fault(Fault::Unreachable).unwrap();
    assert!(!device.is_listening());
    let refused = tokio::net::TcpStream::connect(device.address()).await;
    assert_eq!(
        refused.unwrap_err().kind(),
        std::io::ErrorKind::ConnectionRefused
    );
    // A session opened before stays usable.
    let still = open_session
        .exec("nv show system hostname", None)
        .await
        .unwrap();
    assert_eq!(still.exit_status, Some(0));
    device.clear_fault(FaultKind::Unreachable).unwrap();
    assert_eq!(device.port(), port);
    assert!(
        try_login(device.address(), "cumulus", CUMULUS_PASSWORD)
            .await
            .unwrap()
    );
    simulator.shutdown().await;
}

#[tokio::test]
async fn slow_adds_delay_to_login_and_commands() {
    let simulator = start("slow").await;
    let slow = first(&simulator, Platform::Cumulus);
    let fast = first(&simulator, Platform::Nvos);
    slow.set_fault(Fault::Slow {
        factor: 1.0,
        extra_ms: INJECTED.as_millis() as u64,
    })
    .unwrap();
    let started = Instant::now();
    let client = connect(&slow).await;
    let login_time = started.elapsed();
    let started = Instant::now();
    client.exec("nv config show", None).await.unwrap();
    let command_time = started.elapsed();
    assert!(login_time >= INJECTED, "{login_time:?}");
    assert!(command_time >= INJECTED, "{command_time:?}");
    let started = Instant::now();
    let other = connect(&fast).await;
    other.exec("nv config show", None).await.unwrap();
    assert!(started.elapsed() < UNDELAYED);
    slow.clear_fault(FaultKind::Slow).unwrap();
    let started = Instant::now();
    client.exec("nv config show", None).await.unwrap();
    assert!(started.elapsed() < UNDELAYED);
    simulator.shutdown().await;
}

#[tokio::test]
async fn drifted_device_differs_from_its_intended_configuration() {
    let simulator = start("drift").await;
    let device = first(&simulator, Platform::Cumulus);
    device.set_fault(Fault::Drifted).unwrap();
    let exported = simulator
        .inventory("drift", &ExportOptions::default())
        .unwrap();
    // Render the login user's password the way Rotor would (same hash: a password-free diff).
    let mut intended =
        NvueConfig::from_startup_yaml(&exported.intended_configs[device.id()]).unwrap();
    intended.root.set_leaf(
        &["system", "aaa", "user", "cumulus", "hashed-password"],
        serde_yaml::Value::String(hash(CUMULUS_PASSWORD)),
    );
    let intended = intended.to_startup_yaml(false);
    let client = connect(&device).await;
    client
        .exec("cat > /tmp/intended.yaml", Some(intended.as_bytes()))
        .await
        .unwrap();
    let replaced = client
        .exec("nv config replace /tmp/intended.yaml", None)
        .await
        .unwrap();
    assert_eq!(replaced.exit_status, Some(0), "{}", replaced.stderr);
    let diff = client
        .exec("nv config diff -o commands", None)
        .await
        .unwrap();
    assert_eq!(
        diff.stdout,
        "nv set interface swp1 description 'fabric link to spine 1'\n"
    );
    client.exec("nv config detach", None).await.unwrap();
    device.clear_fault(FaultKind::Drifted).unwrap();
    let replaced = client
        .exec("nv config replace /tmp/intended.yaml", None)
        .await
        .unwrap();
    assert_eq!(replaced.exit_status, Some(0));
    let diff = client
        .exec("nv config diff -o commands", None)
        .await
        .unwrap();
    assert_eq!(diff.stdout, "", "clearing the drift reverts it");
    simulator.shutdown().await;
}

#[tokio::test]
async fn apply_fails_and_rejects_yaml_are_sticky_until_cleared() {
    let simulator = start("failing").await;
    let device = first(&simulator, Platform::Nvos);
    let client = connect(&device).await;
    stage_password_change(&client, Platform::Nvos).await;
    device.set_fault(Fault::ApplyFails).unwrap();
    for _ in 0..2 {
        let failed = client.exec("nv config apply -y", None).await.unwrap();
        assert_eq!(failed.exit_status, Some(1));
        assert!(failed.stderr.starts_with("Error: Config apply failed: "));
    }
    assert_eq!(device.applied_revision(), 1);
    assert!(
        try_login(device.address(), "admin", ADMIN_PASSWORD)
            .await
            .unwrap()
    );
    device.clear_fault(FaultKind::ApplyFails).unwrap();
    let applied = client.exec("nv config apply -y", None).await.unwrap();
    assert_eq!(applied.stdout, "applied [rev_id: 2]\n");

    device.set_fault(Fault::RejectsYaml).unwrap();
    client
        .exec(
            "cat > /tmp/x.yaml",
            Some(b"- set:\n    system:\n      hostname: x\n"),
        )
        .await
        .unwrap();
    for command in [
        "nv config replace /tmp/x.yaml",
        "nv config patch /tmp/x.yaml",
    ] {
        let rejected = client.exec(command, None).await.unwrap();
        assert_eq!(rejected.exit_status, Some(1));
        assert!(
            rejected.stderr.contains("line 3 column 5"),
            "{}",
            rejected.stderr
        );
    }
    device.clear_fault(FaultKind::RejectsYaml).unwrap();
    let accepted = client
        .exec("nv config patch /tmp/x.yaml", None)
        .await
        .unwrap();
    assert_eq!(accepted.exit_status, Some(0));
    simulator.shutdown().await;
}

#[tokio::test]
async fn drop_after_apply_applies_then_drops_the_connection_once() {
    let simulator = start("drop").await;
    let device = first(&simulator, Platform::Cumulus);
    let client = connect(&device).await;
    stage_password_change(&client, Platform::Cumulus).await;
    device.set_fault(Fault::DropAfterApply).unwrap();
    let dropped = client.exec("nv config apply -y", None).await;
    if let Ok(result) = dropped {
        assert_eq!(result.exit_status, None, "no exit status after the drop");
        assert_eq!(result.stdout, "", "no output after the drop");
    }
    assert!(
        eventually(Duration::from_secs(5), || async { client.is_closed() }).await,
        "the connection is closed"
    );
    assert_eq!(device.applied_revision(), 2, "the apply took effect");
    assert!(device.faults().is_empty(), "one-shot");
    assert!(
        try_login(device.address(), "cumulus", NEW_PASSWORD)
            .await
            .unwrap()
    );
    simulator.shutdown().await;
}

#[tokio::test]
async fn password_not_applied_reports_success_but_keeps_the_old_hash_once() {
    let simulator = start("sticky-password").await;
    let device = first(&simulator, Platform::Cumulus);
    let client = connect(&device).await;
    stage_password_change(&client, Platform::Cumulus).await;
    device.set_fault(Fault::PasswordNotApplied).unwrap();
    let applied = client.exec("nv config apply -y", None).await.unwrap();
    // cumulus-5.16 auto-saves.
    assert_eq!(applied.stdout, "applied_and_saved [rev_id: 2]\n");
    assert!(
        !try_login(device.address(), "cumulus", NEW_PASSWORD)
            .await
            .unwrap()
    );
    assert!(
        try_login(device.address(), "cumulus", CUMULUS_PASSWORD)
            .await
            .unwrap()
    );
    assert!(device.faults().is_empty());
    stage_password_change(&client, Platform::Cumulus).await;
    client.exec("nv config apply -y", None).await.unwrap();
    assert!(
        try_login(device.address(), "cumulus", NEW_PASSWORD)
            .await
            .unwrap()
    );
    simulator.shutdown().await;
}

#[tokio::test]
async fn change_between_diff_and_apply_bumps_the_revision_after_the_diff() {
    let simulator = start("race").await;
    let device = first(&simulator, Platform::Cumulus);
    let client = connect(&device).await;
    stage_password_change(&client, Platform::Cumulus).await;
    device.set_fault(Fault::ChangeBetweenDiffAndApply).unwrap();
    let before = client
        .exec("nv config revision -o json", None)
        .await
        .unwrap();
    let diff = client
        .exec("nv config diff -o commands", None)
        .await
        .unwrap();
    assert_eq!(
        diff.stdout,
        "nv set system aaa user cumulus hashed-password *\n"
    );
    let after = client
        .exec("nv config revision -o json", None)
        .await
        .unwrap();
    assert_ne!(before.stdout, after.stdout);
    assert_eq!(device.applied_revision(), 2);
    let shown = client
        .exec("nv show system message post-login", None)
        .await
        .unwrap();
    assert!(
        shown.stdout.contains("another operator"),
        "{}",
        shown.stdout
    );
    let revisions = device.revisions();
    assert_eq!(revisions.last().unwrap().user, "operator");
    assert!(device.faults().is_empty());
    // Only once.
    client.exec("nv config diff", None).await.unwrap();
    assert_eq!(device.applied_revision(), 2);
    simulator.shutdown().await;
}

#[tokio::test]
async fn administrative_state_only_changes_the_exported_inventory() {
    let simulator = start("admin-state").await;
    let device = first(&simulator, Platform::Cumulus);
    device
        .set_fault(Fault::AdministrativeState {
            state: AdministrativeState::RMA,
        })
        .unwrap();
    let exported = simulator
        .inventory("admin-state", &ExportOptions::default())
        .unwrap();
    let listed = exported.inventory.device(device.id()).unwrap();
    assert_eq!(listed.administrative_state, AdministrativeState::RMA);
    assert!(
        try_login(device.address(), "cumulus", CUMULUS_PASSWORD)
            .await
            .unwrap()
    );
    device.clear_fault(FaultKind::AdministrativeState).unwrap();
    assert_eq!(device.administrative_state(), AdministrativeState::Enabled);
    simulator.shutdown().await;
}

async fn timed(client: &SimClient, command: &str) -> Duration {
    let started = Instant::now();
    client.exec(command, None).await.unwrap();
    started.elapsed()
}

#[tokio::test]
async fn latency_profiles_apply_globally_per_device_and_change_at_run_time() {
    let simulator = start("latency").await;
    let device = first(&simulator, Platform::Cumulus);
    let other = first(&simulator, Platform::Nvos);
    let client = connect(&device).await;
    let other_client = connect(&other).await;
    assert!(timed(&client, "nv config show").await < UNDELAYED);
    simulator.set_latency(LatencyProfile {
        show_ms: INJECTED.as_millis() as u64,
        ..LatencyProfile::none()
    });
    assert!(timed(&client, "nv config show").await >= INJECTED);
    assert!(timed(&other_client, "nv config show").await >= INJECTED);
    assert!(timed(&client, "nv config diff").await < UNDELAYED);
    device.set_latency(Some(LatencyProfile {
        diff_ms: INJECTED.as_millis() as u64,
        ..LatencyProfile::none()
    }));
    assert!(timed(&client, "nv config diff").await >= INJECTED);
    assert!(timed(&client, "nv config show").await < UNDELAYED);
    assert!(timed(&other_client, "nv config show").await >= INJECTED);
    device.set_latency(None);
    simulator.set_latency(LatencyProfile::none());
    assert!(timed(&client, "nv config diff").await < UNDELAYED);
    let realistic = LatencyProfile::realistic();
    assert_eq!(realistic.login_ms, 50);
    assert_eq!(
        (realistic.apply_min_ms, realistic.apply_max_ms),
        (2_000, 5_000)
    );
    simulator.shutdown().await;
}
