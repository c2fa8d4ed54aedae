//! NVUE's account lock-out over real SSH. Older profiles (the simulator's pam_faillock policy):
//! five failures lock, a success resets the count, a locked account refuses even the right
//! password, and the lock expires. Profiles with `system aaa authentication restrictions`
//! (cumulus-5.15, cumulus-5.16, nvos-25.02): the applied attempts, re-attempt time and fail delay
//! govern, `nv action clear ...` and a reboot unlock.

mod common;

use std::time::Duration;

use common::*;
use rotor_sim::client::try_login;
use rotor_sim::{LockoutPolicy, Platform, Profile, SimConfig};

/// Long enough that the checks made while locked finish inside it on a busy machine (expiry at
/// an exact instant is tested with paused time in `device.rs`).
fn lockout(period: Duration) -> SimConfig {
    SimConfig {
        lockout: LockoutPolicy {
            threshold: 5,
            period,
        },
        ..SimConfig::default()
    }
}

#[tokio::test]
async fn five_failures_lock_the_account_until_the_period_ends() {
    // The simulator's own lock-out policy governs profiles without NVUE's login restrictions.
    let spec = spec("lockout", 1, 1).with_profiles(vec![Profile::Cumulus5_8, Profile::Nvos25_02]);
    let simulator = start_with(lockout(Duration::from_secs(3)), spec).await;
    let device = first(&simulator, Platform::Cumulus);
    let address = device.address();

    for _ in 0..4 {
        assert!(!try_login(address, "cumulus", "wrong").await.unwrap());
    }
    let statistics = device.login_statistics();
    assert_eq!(statistics.users[0].username, "cumulus");
    assert_eq!(statistics.users[0].consecutive_failures, 4);
    assert!(statistics.locked_users.is_empty());
    // A success resets the count.
    assert!(
        try_login(address, "cumulus", CUMULUS_PASSWORD)
            .await
            .unwrap()
    );
    assert!(device.login_statistics().users.is_empty());

    for _ in 0..5 {
        assert!(!try_login(address, "cumulus", "wrong").await.unwrap());
    }
    let statistics = device.login_statistics();
    assert_eq!(statistics.locked_users, vec!["cumulus".to_string()]);
    assert_eq!(statistics.lockouts_triggered, 1);
    assert!(statistics.users[0].locked);
    // While locked, even the right password is refused.
    assert!(
        !try_login(address, "cumulus", CUMULUS_PASSWORD)
            .await
            .unwrap()
    );
    assert_eq!(device.login_statistics().failed_logins, 10);
    assert_eq!(simulator.counters().lockouts_triggered, 1);

    // The lock ends after its period (bounded polling).
    let unlocked = eventually(Duration::from_secs(10), || async {
        try_login(address, "cumulus", CUMULUS_PASSWORD)
            .await
            .unwrap()
    })
    .await;
    assert!(unlocked, "the lock should expire");
    let statistics = device.login_statistics();
    assert!(statistics.locked_users.is_empty());
    assert_eq!(statistics.lockouts_triggered, 1);
    simulator.shutdown().await;
}

#[tokio::test]
async fn a_locked_user_does_not_lock_others_and_resets_clear_locks() {
    let simulator = start_with(
        lockout(Duration::from_secs(600)),
        spec("lockout-users", 0, 1),
    )
    .await;
    let device = first(&simulator, Platform::Nvos);
    let address = device.address();
    for _ in 0..5 {
        assert!(!try_login(address, "monitor", "wrong").await.unwrap());
    }
    assert_eq!(
        device.login_statistics().locked_users,
        vec!["monitor".to_string()]
    );
    assert!(try_login(address, "admin", ADMIN_PASSWORD).await.unwrap());
    assert!(!try_login(address, "ghost", "x").await.unwrap());
    let statistics = device.login_statistics();
    assert!(statistics.users.iter().all(|user| user.username != "ghost"));
    assert_eq!(statistics.failed_logins, 6);
    assert_eq!(statistics.locked_users, vec!["monitor".to_string()]);
    device.reset_lockouts();
    assert!(
        try_login(address, "monitor", MONITOR_PASSWORD)
            .await
            .unwrap()
    );
    simulator.shutdown().await;
}

/// A cumulus-5.16 device (login restrictions) and a session opened before any failure.
async fn restricted(
    fabric_id: &str,
) -> (
    rotor_sim::Simulator,
    std::sync::Arc<rotor_sim::Device>,
    rotor_sim::client::SimClient,
) {
    let spec = spec(fabric_id, 0, 0).with_profiles(vec![Profile::Cumulus5_16]);
    let simulator = start_with(SimConfig::default(), spec).await;
    let device = first(&simulator, Platform::Cumulus);
    let client = connect(&device).await;
    (simulator, device, client)
}

async fn set_and_apply(client: &rotor_sim::client::SimClient, settings: &[&str]) {
    for setting in settings {
        let command = format!("nv set system aaa authentication restrictions {setting}");
        let set = client.exec(&command, None).await.unwrap();
        assert_eq!(set.exit_status, Some(0), "{command}: {}", set.stderr);
    }
    let applied = client.exec("nv config apply -y", None).await.unwrap();
    assert_eq!(applied.exit_status, Some(0), "{}", applied.stderr);
}

#[tokio::test]
async fn restrictions_lock_after_the_attempts_and_release_after_the_reattempt_time() {
    let (simulator, device, client) = restricted("restrictions").await;
    let shown = client
        .exec("nv show system aaa authentication restrictions", None)
        .await
        .unwrap();
    for row in [
        "fail-delay         0",
        "lockout-attempts   5",
        "lockout-reattempt  15",
        "lockout-state      enabled",
    ] {
        assert!(shown.stdout.contains(row), "{row:?} in {}", shown.stdout);
    }
    set_and_apply(&client, &["lockout-attempts 3", "lockout-reattempt 2"]).await;
    let address = device.address();
    for _ in 0..3 {
        assert!(!try_login(address, "cumulus", "wrong").await.unwrap());
    }
    assert_eq!(
        device.login_statistics().locked_users,
        vec!["cumulus".to_string()]
    );
    assert!(
        !try_login(address, "cumulus", CUMULUS_PASSWORD)
            .await
            .unwrap()
    );
    // Poll the device, not logins (a failed login would not extend the lock, but be plain).
    let released = eventually(Duration::from_secs(10), || async {
        device.login_statistics().locked_users.is_empty()
    })
    .await;
    assert!(released, "the re-attempt time ends the lock");
    assert!(
        try_login(address, "cumulus", CUMULUS_PASSWORD)
            .await
            .unwrap()
    );
    let too_few = client
        .exec(
            "nv set system aaa authentication restrictions lockout-attempts 2",
            None,
        )
        .await
        .unwrap();
    assert_eq!(
        too_few.stderr,
        "Error: At system aaa authentication restrictions lockout-attempts: 2 is less than the minimum of 3\n"
    );
    simulator.shutdown().await;
}

#[tokio::test]
async fn fail_delay_holds_back_every_refusal() {
    let (simulator, device, client) = restricted("fail-delay").await;
    set_and_apply(&client, &["fail-delay 2"]).await;
    let started = std::time::Instant::now();
    assert!(
        !try_login(device.address(), "cumulus", "wrong")
            .await
            .unwrap()
    );
    let refused_after = started.elapsed();
    assert!(refused_after >= Duration::from_secs(2), "{refused_after:?}");
    let started = std::time::Instant::now();
    assert!(
        try_login(device.address(), "cumulus", CUMULUS_PASSWORD)
            .await
            .unwrap()
    );
    assert!(
        started.elapsed() < Duration::from_millis(1500),
        "success is not delayed"
    );
    simulator.shutdown().await;
}

#[tokio::test]
async fn clearing_restrictions_and_rebooting_unlock_accounts() {
    let (simulator, device, client) = restricted("clear").await;
    let address = device.address();
    for _ in 0..5 {
        assert!(!try_login(address, "cumulus", "wrong").await.unwrap());
    }
    assert!(!device.login_statistics().locked_users.is_empty());
    let cleared = client
        .exec(
            "nv action clear system aaa authentication restrictions user cumulus",
            None,
        )
        .await
        .unwrap();
    assert_eq!(
        cleared.stdout,
        "Action executing ...\nClearing restrictions for user cumulus\nSuccessfully cleared user name cumulus\nAction succeeded\n"
    );
    assert!(
        try_login(address, "cumulus", CUMULUS_PASSWORD)
            .await
            .unwrap()
    );
    for _ in 0..5 {
        assert!(!try_login(address, "cumulus", "wrong").await.unwrap());
    }
    // The failure records live in /run: a reboot forgets them.
    device.reboot(Some(Duration::from_millis(100))).await;
    assert!(
        try_login(address, "cumulus", CUMULUS_PASSWORD)
            .await
            .unwrap()
    );
    simulator.shutdown().await;
}

#[tokio::test]
async fn older_profiles_have_no_restrictions_object() {
    let spec = spec("old", 0, 0).with_profiles(vec![Profile::Cumulus5_9]);
    let simulator = start_with(SimConfig::default(), spec).await;
    let client = connect(&first(&simulator, Platform::Cumulus)).await;
    let refused = client
        .exec(
            "nv set system aaa authentication restrictions lockout-attempts 3",
            None,
        )
        .await
        .unwrap();
    assert_eq!(
        refused.stderr,
        "Error: Invalid config path: system aaa authentication restrictions lockout-attempts\n"
    );
    let action = client
        .exec(
            "nv action clear system aaa authentication restrictions",
            None,
        )
        .await
        .unwrap();
    assert_eq!(action.exit_status, Some(1));
    simulator.shutdown().await;
}
