//! Platform profiles over real SSH: one device of each profile in one fabric, each with its
//! apply line, auto-save default and syntax, `nv config save`, the startup configuration,
//! reboots that load it, and the host key types it offers; and the default mix.

mod common;

use std::time::Duration;

use common::*;
use rotor_sim::client::{SimClient, try_login};
use rotor_sim::profile::ALL_PROFILES;
use rotor_sim::{Device, FabricSpec, Platform, Profile, SimConfig, Simulator};
use russh::keys::Algorithm;
use russh::keys::ssh_key::{EcdsaCurve, HashAlg};

/// A fabric of one device of each profile, rebooting quickly.
async fn one_of_each(fabric_id: &str) -> Simulator {
    let config = SimConfig {
        reboot_down_time: Duration::from_millis(200),
        ..SimConfig::default()
    };
    let spec = spec(fabric_id, 0, 0).with_profiles(ALL_PROFILES.to_vec());
    start_with(config, spec).await
}

fn device_of(simulator: &Simulator, profile: Profile) -> std::sync::Arc<Device> {
    simulator
        .devices()
        .into_iter()
        .find(|device| device.profile() == profile)
        .unwrap()
}

/// Stages a new login password: a hash on Cumulus, the plaintext on NVOS (`password` is a
/// plaintext field there).
async fn stage_new_password(client: &SimClient, platform: Platform) {
    let login = platform.login_user();
    let command = match platform {
        Platform::Cumulus => format!(
            "nv set system aaa user {login} hashed-password '{}'",
            hash(NEW_PASSWORD)
        ),
        Platform::Nvos => format!("nv set system aaa user {login} password '{NEW_PASSWORD}'"),
    };
    let staged = client.exec(&command, None).await.unwrap();
    assert_eq!(staged.exit_status, Some(0), "{}", staged.stderr);
}

async fn logs_in(device: &Device, password: &str) -> bool {
    try_login(device.address(), device.platform().login_user(), password)
        .await
        .unwrap()
}

#[tokio::test]
async fn each_profile_applies_saves_and_reboots_as_its_release_does() {
    let simulator = one_of_each("each").await;
    for profile in ALL_PROFILES {
        let device = device_of(&simulator, profile);
        let platform = device.platform();
        let client = connect(&device).await;
        stage_new_password(&client, platform).await;
        let applied = client.exec("nv config apply -y", None).await.unwrap();
        let auto_saves = matches!(
            profile,
            Profile::Cumulus5_9 | Profile::Cumulus5_15 | Profile::Cumulus5_16
        );
        let expected = if auto_saves {
            "applied_and_saved [rev_id: 2]\n"
        } else {
            "applied [rev_id: 2]\n"
        };
        assert_eq!(applied.stdout, expected, "{profile}");
        let unsaved = client
            .exec("nv config diff applied startup -o commands", None)
            .await
            .unwrap();
        let expected = if auto_saves {
            String::new()
        } else {
            format!(
                "nv set system aaa user {} hashed-password *\n",
                platform.login_user()
            )
        };
        assert_eq!(unsaved.stdout, expected, "{profile}");
        client.disconnect().await;

        // A reboot loads the startup configuration: an unsaved change is gone.
        device.reboot(None).await;
        assert_eq!(
            logs_in(&device, NEW_PASSWORD).await,
            auto_saves,
            "{profile}"
        );
        assert_eq!(
            logs_in(&device, login_password(platform)).await,
            !auto_saves,
            "{profile}"
        );
    }
    simulator.shutdown().await;
}

#[tokio::test]
async fn save_writes_the_startup_configuration_that_a_reboot_keeps() {
    let simulator = one_of_each("save").await;
    for profile in [Profile::Cumulus5_8, Profile::Nvos25_02] {
        let device = device_of(&simulator, profile);
        let platform = device.platform();
        let client = connect(&device).await;
        stage_new_password(&client, platform).await;
        client.exec("nv config apply -y", None).await.unwrap();
        let saved = client.exec("nv config save", None).await.unwrap();
        assert_eq!(
            (saved.stdout.as_str(), saved.exit_status),
            ("saved\n", Some(0))
        );
        let diff = client
            .exec("nv config diff applied startup -o commands", None)
            .await
            .unwrap();
        assert_eq!(diff.stdout, "");
        for command in [
            "nv config show -r startup -o yaml",
            "nv config show --rev startup -o json",
        ] {
            let shown = client.exec(command, None).await.unwrap();
            assert_eq!(shown.exit_status, Some(0), "{command}");
            assert!(shown.stdout.contains("hashed-password"), "{}", shown.stdout);
            assert!(!shown.stdout.contains("$6$"), "{command}: masked");
        }
        assert!(device.is_saved());
        device.reboot(Some(Duration::from_millis(100))).await;
        assert!(logs_in(&device, NEW_PASSWORD).await, "{profile}");
    }
    simulator.shutdown().await;
}

#[tokio::test]
async fn auto_save_is_spelled_as_each_release_spells_it() {
    let simulator = one_of_each("autosave").await;
    let cases = [
        (Profile::Cumulus5_8, "enable on", "state enabled"),
        (Profile::Cumulus5_9, "enable off", "state disabled"),
        (Profile::Cumulus5_15, "state disabled", "enable off"),
        (Profile::Cumulus5_16, "state disabled", "enable off"),
        (Profile::Nvos25_02, "state enabled", "enable on"),
    ];
    for (profile, right, wrong) in cases {
        let device = device_of(&simulator, profile);
        let client = connect(&device).await;
        let refused = client
            .exec(&format!("nv set system config auto-save {wrong}"), None)
            .await
            .unwrap();
        assert_eq!(refused.exit_status, Some(1), "{profile}: {wrong}");
        let field = wrong.split_whitespace().next().unwrap();
        assert_eq!(
            refused.stderr,
            format!("Error: Invalid config path: system config auto-save {field}\n")
        );
        let before = device.auto_save();
        let set = client
            .exec(&format!("nv set system config auto-save {right}"), None)
            .await
            .unwrap();
        assert_eq!(set.exit_status, Some(0), "{profile}: {}", set.stderr);
        let applied = client.exec("nv config apply -y", None).await.unwrap();
        // The apply that turns auto-save on is saved by it; the one that turns it off is not.
        let expected = if before {
            "applied [rev_id: 2]\n"
        } else {
            "applied_and_saved [rev_id: 2]\n"
        };
        assert_eq!(applied.stdout, expected, "{profile}");
        assert_eq!(device.auto_save(), !before, "{profile}");
        let shown = client
            .exec("nv show system config auto-save -o json", None)
            .await
            .unwrap();
        let value: serde_json::Value = serde_json::from_str(&shown.stdout).unwrap();
        let (field, value_word) = right.split_once(' ').unwrap();
        assert_eq!(value[field], value_word, "{profile}");
    }
    simulator.shutdown().await;
}

#[tokio::test]
async fn a_reboot_cuts_sessions_refuses_connections_then_comes_back() {
    let simulator = one_of_each("reboot").await;
    let device = device_of(&simulator, Profile::Cumulus5_15);
    let client = connect(&device).await;
    let rebooting = device.start_reboot(Some(Duration::from_secs(2)));
    assert!(!device.is_up());
    assert!(
        eventually(Duration::from_secs(5), || async { client.is_closed() }).await,
        "open sessions are cut"
    );
    let refused = tokio::net::TcpStream::connect(device.address()).await;
    assert_eq!(
        refused.unwrap_err().kind(),
        std::io::ErrorKind::ConnectionRefused
    );
    device.wait_until_up().await;
    rebooting.await.unwrap();
    assert!(device.is_up());
    assert!(logs_in(&device, CUMULUS_PASSWORD).await);

    // The fault does the same.
    let other = device_of(&simulator, Profile::Cumulus5_9);
    other
        .set_fault(rotor_sim::Fault::Reboot { down_ms: Some(300) })
        .unwrap();
    assert!(!other.is_up());
    other.wait_until_up().await;
    assert!(
        other.faults().is_empty(),
        "reboot is never listed as active"
    );
    assert!(logs_in(&other, CUMULUS_PASSWORD).await);
    simulator.shutdown().await;
}

/// The algorithms a client may be restricted to.
const ED25519: Algorithm = Algorithm::Ed25519;
const ECDSA: Algorithm = Algorithm::Ecdsa {
    curve: EcdsaCurve::NistP256,
};
const RSA_SHA512: Algorithm = Algorithm::Rsa {
    hash: Some(HashAlg::Sha512),
};

async fn connects_with(device: &Device, index: usize, algorithm: Algorithm) -> bool {
    SimClient::connect_with_host_key_algorithms(
        device.address(),
        device.platform().login_user(),
        login_password(device.platform()),
        Some(device.public_keys()[index].clone()),
        &[algorithm],
    )
    .await
    .is_ok()
}

#[tokio::test]
async fn each_profile_offers_its_host_key_types() {
    let simulator = one_of_each("hostkeys").await;
    for profile in ALL_PROFILES {
        let device = device_of(&simulator, profile);
        let types: Vec<String> = device
            .host_keys()
            .iter()
            .map(|key| key.split_whitespace().next().unwrap().to_string())
            .collect();
        let expected: &[&str] = match profile {
            Profile::Cumulus5_16 => &["ecdsa-sha2-nistp256"],
            Profile::Nvos25_02 => &["ssh-ed25519"],
            _ => &["ssh-ed25519", "ecdsa-sha2-nistp256"],
        };
        assert_eq!(types, expected, "{profile}");
        assert_eq!(device.host_key(), device.host_keys()[0]);
    }
    // A client that insists on ed25519 is refused by cumulus-5.16; ECDSA works.
    let current = device_of(&simulator, Profile::Cumulus5_16);
    assert!(!connects_with(&current, 0, ED25519).await);
    assert!(connects_with(&current, 0, ECDSA).await);
    // cumulus-5.15 offers both: each pinned key works with its own algorithm.
    let older = device_of(&simulator, Profile::Cumulus5_15);
    assert!(connects_with(&older, 0, ED25519).await);
    assert!(connects_with(&older, 1, ECDSA).await);
    assert!(
        !connects_with(&older, 0, ECDSA).await,
        "pinned to the other key"
    );
    simulator.shutdown().await;
}

#[tokio::test]
async fn rsa_host_keys_only_when_asked_and_never_with_sha1() {
    let simulator = Simulator::start(SimConfig::default()).await.unwrap();
    let spec = spec("rsa", 0, 0)
        .with_profiles(vec![Profile::Cumulus5_16])
        .with_rsa_host_keys();
    simulator.create_fabric(spec).unwrap();
    let device = device_of(&simulator, Profile::Cumulus5_16);
    let keys = device.host_keys();
    assert_eq!(keys.len(), 2);
    assert!(keys[1].starts_with("ssh-rsa AAAA"), "{}", keys[1]);
    assert!(connects_with(&device, 1, RSA_SHA512).await);
    let sha1 = Algorithm::Rsa { hash: None };
    assert!(
        !connects_with(&device, 1, sha1).await,
        "ssh-rsa is not offered"
    );
    simulator.shutdown().await;
}

#[tokio::test]
async fn the_default_fabric_mixes_current_and_older_profiles() {
    let spec = FabricSpec::new("mixed", 12).with_platform_mix(10, 2);
    let plans = rotor_sim::fabric::plan_devices(&spec).unwrap();
    let profiles: std::collections::BTreeSet<Profile> =
        plans.iter().map(|plan| plan.profile).collect();
    assert_eq!(profiles, ALL_PROFILES.into_iter().collect());
    let simulator = start("default-mix").await;
    let listed: std::collections::BTreeSet<Profile> = simulator
        .devices()
        .iter()
        .map(|device| device.profile())
        .collect();
    assert_eq!(listed.len(), 3, "{listed:?}");
    simulator.shutdown().await;
}
