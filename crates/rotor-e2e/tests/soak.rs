//! Fifty rotations of a small mixed fabric with random faults from the simulator (unreachable
//! devices, slow logins, connections dropped after an apply, changes that do not take, an
//! applier stopped mid-rotation), checking after each: every device's password is a version
//! present in OpenBao, and no account ever reached the switch's lock-out count; and at the end
//! one resync converges the fabric to one password set.

use std::time::Duration;

use rotor_e2e::{StackOptions, TestStack};
use rotor_proto::v1::*;
use rotor_sim::faults::FaultKind;
use rotor_sim::{Fault, Profile};

/// A small deterministic pseudo-random source (the same faults on every run).
struct Dice(u64);

impl Dice {
    fn roll(&mut self, sides: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % sides
    }
}

const ROUNDS: usize = 50;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_rotations_with_random_faults_keep_every_guarantee() {
    let mut stack = TestStack::start(StackOptions {
        devices: 4,
        platform_mix: (3, 1),
        profiles: Some(vec![
            Profile::Cumulus5_16,
            Profile::Cumulus5_8,
            Profile::Cumulus5_15,
            Profile::Nvos25_02,
        ]),
        settings: vec![
            ("ROTOR_JOB_MAX_DELIVER".into(), "2".into()),
            ("ROTOR_JOB_ACK_WAIT_SECS".into(), "2".into()),
            ("ROTOR_CONFIRM_SECS".into(), "5".into()),
            ("ROTOR_SHUTDOWN_GRACE_SECS".into(), "0".into()),
            ("ROTOR_PASSWORD_SET_LIMIT".into(), "1000".into()),
        ],
        ..Default::default()
    })
    .await
    .unwrap();
    let devices = stack.device_ids();
    let mut dice = Dice(0x5eed);
    for round in 0..ROUNDS {
        let faulted = &devices[dice.roll(devices.len() as u64) as usize];
        let fault = match dice.roll(5) {
            0 => Fault::Unreachable,
            1 => Fault::Slow {
                factor: 1.0,
                extra_ms: 200,
            },
            2 => Fault::DropAfterApply,
            3 => Fault::PasswordNotApplied,
            _ => Fault::StallApply { ms: 300 },
        };
        stack.device(faulted).set_fault(fault.clone()).unwrap();
        let stop_applier = dice.roll(4) == 0;
        let operation = match stack.submit(stack.fabric_rotate()).await.unwrap().outcome {
            Some(rotation_reply::Outcome::Accepted(accepted)) => accepted.operation_id,
            // A rotation that would evict a version a device holds is refused: resync instead.
            _ => stack.submit_accepted(stack.fabric_resync()).await.unwrap(),
        };
        if stop_applier {
            tokio::time::sleep(Duration::from_millis(100 * dice.roll(5))).await;
            stack.stop_service("applier-0").await;
            stack.start_service("applier", 0).await.unwrap();
        }
        stack.wait_for_operation(&operation).await.unwrap();
        for kind in [
            FaultKind::Unreachable,
            FaultKind::Slow,
            FaultKind::DropAfterApply,
            FaultKind::PasswordNotApplied,
            FaultKind::StallApply,
        ] {
            stack.device(faulted).clear_fault(kind).unwrap();
        }
        check(&stack, &devices, round, &fault).await;
    }
    // Faults cleared: one resync converges (a pending rollback timer may still have to end).
    let resync = stack.run(stack.fabric_resync()).await.unwrap();
    assert_eq!(
        resync.status,
        OperationState::Succeeded as i32,
        "{resync:?}\nwhat the failed devices' logins did:\n{}",
        login_history(&stack, &resync)
    );
    let fabric = stack.fabric_status(Some(&resync.id)).await.unwrap();
    assert_eq!(fabric.unique_password_set_count, 1, "{fabric:?}");
    stack.shutdown().await;
}

/// The last log lines about logins of the devices `operation` failed on (for a failure message).
fn login_history(stack: &TestStack, operation: &OperationStatus) -> String {
    let failed: Vec<&str> = operation
        .operations
        .iter()
        .filter(|r| r.status != OperationState::Succeeded as i32)
        .map(|r| r.resource_id.as_str())
        .collect();
    let text = stack.logs.text();
    let lines: Vec<&str> = text
        .lines()
        .filter(|line| failed.iter().any(|device| line.contains(device)))
        .filter(|line| {
            ["login", "refused", "retry", "failed", "budget"]
                .iter()
                .any(|w| line.contains(w))
        })
        .collect();
    lines[lines.len().saturating_sub(40)..].join("\n")
}

/// Every device's login password is a version in OpenBao; no account reached a lock-out.
async fn check(stack: &TestStack, devices: &[String], round: usize, fault: &Fault) {
    let path = rotor_e2e::login_secret_path(&stack.fabric_id);
    let versions = stack.secrets.versions("secret", &path).await.unwrap();
    let mut passwords = Vec::new();
    for version in versions.iter().filter(|v| v.readable) {
        let (password, _) = stack
            .secrets
            .read("secret", &path, Some(version.version))
            .await
            .unwrap();
        passwords.push(password);
    }
    for device in devices {
        let simulated = stack.device(device);
        let user = match simulated.platform() {
            rotor_sim::Platform::Cumulus => "cumulus",
            rotor_sim::Platform::Nvos => "admin",
        };
        // A rollback timer may still be running on a device whose change was not confirmed.
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let hash = simulated.user_password_hash(user).unwrap();
            let known = passwords
                .iter()
                .any(|p| pwhash::unix::verify(p.expose_for_login(), &hash));
            if known {
                break;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "round {round} ({fault:?}): {device}'s password is no version in OpenBao"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let logins = simulated.login_statistics();
        assert_eq!(
            logins.lockouts_triggered, 0,
            "round {round} ({fault:?}): {device} locked an account: {logins:?}"
        );
    }
}
