//! Commit-confirm over real SSH: `nv config apply --confirm <time> -y`, `--confirm-status`,
//! `--confirm-yes` keeping the change, `--confirm-no` and the timer rolling it back (the old
//! password works again, the new one no longer), a second apply refused while a confirm waits,
//! and the faults that act on an apply (`drop_after_apply`, `stall_apply`) with a timer running.
//! (The exact expiry instant is tested with paused time in `nvue::apply`.)

mod common;

use std::time::{Duration, Instant};

use common::*;
use rotor_sim::client::{SimClient, try_login};
use rotor_sim::{Device, Fault, FaultKind, Platform, Profile};

async fn stage_password_change(client: &SimClient) {
    let command = format!(
        "nv set system aaa user cumulus hashed-password '{}'",
        hash(NEW_PASSWORD)
    );
    let output = client.exec(&command, None).await.unwrap();
    assert_eq!(output.exit_status, Some(0), "{}", output.stderr);
}

async fn logs_in(device: &Device, password: &str) -> bool {
    try_login(device.address(), "cumulus", password)
        .await
        .unwrap()
}

/// A cumulus-5.16 device (auto-save on) and a session to it.
async fn setup(fabric_id: &str) -> (rotor_sim::Simulator, std::sync::Arc<Device>, SimClient) {
    let spec = spec(fabric_id, 0, 0).with_profiles(vec![Profile::Cumulus5_16]);
    let simulator = start_with(rotor_sim::SimConfig::default(), spec).await;
    let device = first(&simulator, Platform::Cumulus);
    let client = connect(&device).await;
    (simulator, device, client)
}

#[tokio::test]
async fn confirm_yes_keeps_the_change_and_saves_it() {
    let (simulator, device, client) = setup("confirm-yes").await;
    let status = client
        .exec("nv config apply --confirm-status", None)
        .await
        .unwrap();
    assert_eq!(status.stdout, "No pending confirmation.\n");
    assert_eq!(status.exit_status, Some(0));
    stage_password_change(&client).await;
    let applied = client
        .exec("nv config apply --confirm 300s -y", None)
        .await
        .unwrap();
    assert_eq!(applied.stdout, "applied [rev_id: 2]\n", "not saved yet");
    assert!(!device.is_saved());
    assert!(logs_in(&device, NEW_PASSWORD).await, "applied at once");
    let status = client
        .exec("nv config apply --confirm-status", None)
        .await
        .unwrap();
    let seconds: u64 = status
        .stdout
        .strip_prefix("Confirm timeout remaining: ")
        .and_then(|rest| rest.strip_suffix(" seconds\n"))
        .and_then(|number| number.parse().ok())
        .unwrap_or_else(|| panic!("{:?}", status.stdout));
    assert!((290..=300).contains(&seconds), "{seconds}");
    // A second apply waits for the first to be confirmed.
    client
        .exec("nv set system message post-login hello", None)
        .await
        .unwrap();
    let second = client.exec("nv config apply -y", None).await.unwrap();
    assert_eq!(second.exit_status, Some(1));
    assert!(
        second
            .stderr
            .starts_with("Error: A configuration apply is waiting for confirmation (rev_id: 2)"),
        "{}",
        second.stderr
    );
    client.exec("nv config detach", None).await.unwrap();
    let confirmed = client
        .exec("nv config apply --confirm-yes", None)
        .await
        .unwrap();
    assert_eq!(confirmed.stdout, "applied_and_saved [rev_id: 2]\n");
    assert!(device.is_saved());
    assert_eq!(device.confirm_remaining(), None);
    let again = client
        .exec("nv config apply --confirm-yes", None)
        .await
        .unwrap();
    assert_eq!(again.exit_status, Some(1));
    assert_eq!(again.stderr, "Error: There is no pending confirmation.\n");
    assert!(logs_in(&device, NEW_PASSWORD).await);
    simulator.shutdown().await;
}

#[tokio::test]
async fn confirm_no_rolls_back_at_once() {
    let (simulator, device, client) = setup("confirm-no").await;
    stage_password_change(&client).await;
    client
        .exec("nv config apply --confirm 5m -y", None)
        .await
        .unwrap();
    assert!(logs_in(&device, NEW_PASSWORD).await);
    let rolled = client
        .exec("nv config apply --confirm-no", None)
        .await
        .unwrap();
    assert_eq!(rolled.stdout, "applied [rev_id: 3]\n");
    assert!(!logs_in(&device, NEW_PASSWORD).await);
    assert!(logs_in(&device, CUMULUS_PASSWORD).await);
    let revisions = client.exec("nv config revision", None).await.unwrap();
    let row = revisions
        .stdout
        .lines()
        .find(|line| line.starts_with("2 "))
        .unwrap_or_default();
    assert!(row.contains(" confirm_fail "), "{}", revisions.stdout);
    let none = client
        .exec("nv config apply --confirm-no", None)
        .await
        .unwrap();
    assert_eq!(none.exit_status, Some(1));
    simulator.shutdown().await;
}

#[tokio::test]
async fn the_timer_rolls_back_by_itself_even_after_the_session_dropped() {
    let (simulator, device, client) = setup("confirm-timer").await;
    stage_password_change(&client).await;
    device.set_fault(Fault::DropAfterApply).unwrap();
    let dropped = client.exec("nv config apply --confirm 2s -y", None).await;
    if let Ok(result) = dropped {
        assert_eq!(result.exit_status, None, "the connection dropped");
    }
    assert!(
        logs_in(&device, NEW_PASSWORD).await,
        "the apply took effect"
    );
    // Poll the device, not logins: failed logins while waiting would lock the account.
    let rolled_back = eventually(Duration::from_secs(10), || async {
        device.applied_revision() == 3
    })
    .await;
    assert!(rolled_back, "the timer rolled the apply back");
    assert!(
        logs_in(&device, CUMULUS_PASSWORD).await,
        "the old password works again"
    );
    assert!(!logs_in(&device, NEW_PASSWORD).await);
    assert!(
        device.is_saved(),
        "the rollback restores the saved configuration"
    );
    simulator.shutdown().await;
}

#[tokio::test]
async fn stall_apply_holds_the_answer_back_after_the_apply_took_effect() {
    let (simulator, device, client) = setup("stall").await;
    stage_password_change(&client).await;
    device.set_fault(Fault::StallApply { ms: 1500 }).unwrap();
    let started = Instant::now();
    let apply = tokio::spawn(async move {
        let answer = client
            .exec("nv config apply --confirm 60s -y", None)
            .await
            .unwrap();
        (answer, started.elapsed())
    });
    let took_effect = eventually(Duration::from_secs(5), || async {
        device.applied_revision() == 2
    })
    .await;
    assert!(took_effect);
    assert!(!apply.is_finished(), "the answer is still held back");
    assert!(logs_in(&device, NEW_PASSWORD).await);
    let (answer, elapsed) = apply.await.unwrap();
    assert_eq!(answer.stdout, "applied [rev_id: 2]\n");
    assert!(elapsed >= Duration::from_millis(1500), "{elapsed:?}");
    device.clear_fault(FaultKind::StallApply).unwrap();
    assert!(device.faults().is_empty());
    simulator.shutdown().await;
}
