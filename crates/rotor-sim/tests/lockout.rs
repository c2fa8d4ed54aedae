//! NVUE's account lock-out (pam_faillock) over real SSH: five failures lock, a success resets
//! the count, a locked account refuses even the right password, and the lock expires.

mod common;

use std::time::Duration;

use common::*;
use rotor_sim::client::try_login;
use rotor_sim::{LockoutPolicy, Platform, SimConfig};

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
    let simulator = start_with(lockout(Duration::from_secs(3)), spec("lockout", 1, 1)).await;
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
