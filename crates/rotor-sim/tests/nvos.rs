//! NVOS users over real SSH: `password` is a plaintext the switch hashes (also from a file on
//! standard input, `/dev/stdin`, which never lands on the switch), `hashed-password` takes a
//! hash, password hardening with NVOS's messages and its history rule, roles `admin` and
//! `monitor`; and masked values (`'*'`) replayed into an applied configuration.

mod common;

use common::*;
use rotor_sim::client::{SimClient, try_login};
use rotor_sim::{Device, Platform, Profile, Simulator};

async fn nvos() -> (Simulator, std::sync::Arc<Device>, SimClient) {
    let simulator = start("nvos").await;
    let device = first(&simulator, Platform::Nvos);
    let client = connect(&device).await;
    (simulator, device, client)
}

async fn admin_logs_in(device: &Device, password: &str) -> bool {
    try_login(device.address(), "admin", password)
        .await
        .unwrap()
}

/// A patch setting admin's `password`, sent on standard input.
fn password_patch(password: &str) -> String {
    format!(
        "- set:\n    system:\n      aaa:\n        user:\n          admin:\n            password: '{password}'\n"
    )
}

#[tokio::test]
async fn a_plaintext_password_from_standard_input_is_hashed_and_never_stored() {
    let (simulator, device, client) = nvos().await;
    let patch = password_patch("Stdin-Secret-7");
    let patched = client
        .exec("nv config patch /dev/stdin", Some(patch.as_bytes()))
        .await
        .unwrap();
    assert_eq!(patched.exit_status, Some(0), "{}", patched.stderr);
    let diff = client
        .exec("nv config diff -o commands", None)
        .await
        .unwrap();
    assert_eq!(
        diff.stdout,
        "nv set system aaa user admin hashed-password *\n"
    );
    let applied = client.exec("nv config apply -y", None).await.unwrap();
    assert_eq!(applied.stdout, "applied [rev_id: 2]\n");
    assert!(admin_logs_in(&device, "Stdin-Secret-7").await);
    assert!(
        device.files().is_empty(),
        "nothing was written to the switch"
    );
    let report = device.report(true);
    assert!(!report.applied_config.contains("Stdin-Secret-7"));
    assert!(
        !report
            .applied_config
            .lines()
            .any(|line| line.trim_start().starts_with("password:")),
        "only hashed-password is kept"
    );

    // A whole configuration on standard input: the same, with replace.
    let mut intended = device.applied_config();
    let admin = ["system", "aaa", "user", "admin"];
    intended
        .root
        .remove(&[&admin[..], &["hashed-password"]].concat());
    intended.root.set_leaf(
        &[&admin[..], &["password"]].concat(),
        serde_yaml::Value::String("Replace-Secret-8".into()),
    );
    let text = intended.to_startup_yaml(false);
    let replaced = client
        .exec("nv config replace /dev/stdin", Some(text.as_bytes()))
        .await
        .unwrap();
    assert_eq!(replaced.exit_status, Some(0), "{}", replaced.stderr);
    client.exec("nv config apply -y", None).await.unwrap();
    assert!(admin_logs_in(&device, "Replace-Secret-8").await);
    simulator.shutdown().await;
}

#[tokio::test]
async fn a_hash_given_as_password_becomes_that_literal_password() {
    let (simulator, device, client) = nvos().await;
    let literal = hash(NEW_PASSWORD);
    let patch = password_patch(&literal);
    client
        .exec("nv config patch /dev/stdin", Some(patch.as_bytes()))
        .await
        .unwrap();
    client.exec("nv config apply -y", None).await.unwrap();
    assert!(!admin_logs_in(&device, NEW_PASSWORD).await);
    assert!(admin_logs_in(&device, &literal).await);
    // `hashed-password` is the field that takes a hash.
    let set = client
        .exec(
            &format!("nv set system aaa user admin hashed-password '{literal}'"),
            None,
        )
        .await
        .unwrap();
    assert_eq!(set.exit_status, Some(0), "{}", set.stderr);
    client.exec("nv config apply -y", None).await.unwrap();
    assert!(admin_logs_in(&device, NEW_PASSWORD).await);
    simulator.shutdown().await;
}

#[tokio::test]
async fn hardening_names_every_broken_rule_and_changes_nothing() {
    let (simulator, device, client) = nvos().await;
    let refused = client
        .exec("nv set system aaa user admin password 'short'", None)
        .await
        .unwrap();
    assert_eq!(refused.exit_status, Some(1));
    let lines: Vec<&str> = refused.stderr.lines().collect();
    assert_eq!(
        &lines[2..],
        &[
            "    Password should contain at least one uppercase character",
            "    Password should contain at least one digit",
            "    Password should contain at least one special character",
            "    Password should contain at least 8 characters",
        ]
    );
    assert!(device.candidate_config().is_none(), "nothing changed");
    let patch = password_patch("ADMIN-SHOUTS-1");
    let from_file = client
        .exec("nv config patch /dev/stdin", Some(patch.as_bytes()))
        .await
        .unwrap();
    assert_eq!(from_file.exit_status, Some(1));
    assert!(
        from_file
            .stderr
            .ends_with("    Password should contain at least one lowercase character\n    Password should be different than username\n"),
        "{}",
        from_file.stderr
    );
    let long = format!("Aa1-{}", "x".repeat(510));
    let too_long = client
        .exec(
            &format!("nv set system aaa user admin password '{long}'"),
            None,
        )
        .await
        .unwrap();
    assert!(
        too_long
            .stderr
            .contains("    Password should contain at most 511 characters\n"),
        "{}",
        too_long.stderr
    );
    // The settings are NVUE configuration, shown with their defaults.
    let shown = client
        .exec("nv show system security password-hardening -o json", None)
        .await
        .unwrap();
    let settings: serde_json::Value = serde_json::from_str(&shown.stdout).unwrap();
    assert_eq!(settings["state"], "enabled");
    assert_eq!(settings["len-min"], 8);
    assert_eq!(settings["history-cnt"], 10);
    let bad = client
        .exec("nv set system security password-hardening len-min 40", None)
        .await
        .unwrap();
    assert_eq!(
        bad.stderr,
        "Error: At system security password-hardening len-min: 40 is greater than the maximum of 32\n"
    );
    simulator.shutdown().await;
}

#[tokio::test]
async fn none_of_the_last_ten_passwords_may_come_back() {
    let (simulator, _device, client) = nvos().await;
    let set_and_apply = |password: String| {
        let client = &client;
        async move {
            let set = client
                .exec(
                    &format!("nv set system aaa user admin password '{password}'"),
                    None,
                )
                .await
                .unwrap();
            if set.exit_status != Some(0) {
                return Err(set.stderr);
            }
            client.exec("nv config apply -y", None).await.unwrap();
            Ok(())
        }
    };
    for index in 1..=10 {
        set_and_apply(format!("History-Pass-{index}"))
            .await
            .unwrap();
    }
    // The last ten (History-Pass-1 ... -10, the applied one included) are refused.
    for index in [1, 10] {
        let refused = set_and_apply(format!("History-Pass-{index}"))
            .await
            .unwrap_err();
        assert!(
            refused.ends_with("    Password should be different than 10 previous passwords\n"),
            "{refused}"
        );
    }
    // The one before them is allowed again (it holds the user name: allow that first).
    client
        .exec(
            "nv set system security password-hardening reject-user-passw-match disabled",
            None,
        )
        .await
        .unwrap();
    client.exec("nv config apply -y", None).await.unwrap();
    set_and_apply(ADMIN_PASSWORD.to_string()).await.unwrap();
    simulator.shutdown().await;
}

#[tokio::test]
async fn monitor_may_look_but_not_change() {
    let (simulator, device, _client) = nvos().await;
    let monitor = connect_as(&device, "monitor", MONITOR_PASSWORD).await;
    let shown = monitor
        .exec("nv show system aaa user -o json", None)
        .await
        .unwrap();
    let users: serde_json::Value = serde_json::from_str(&shown.stdout).unwrap();
    assert_eq!(users["admin"]["role"], "admin");
    assert_eq!(users["monitor"]["role"], "monitor");
    let changed = monitor
        .exec("nv set system message post-login mine", None)
        .await
        .unwrap();
    assert_eq!(
        changed.stderr,
        "Error: You do not have permission to perform this operation\n"
    );
    simulator.shutdown().await;
}

#[tokio::test]
async fn an_applied_masked_value_is_a_password_nothing_matches() {
    let simulator = start("masked").await;
    // Cumulus: the masked `nv config show` output replayed as the intended configuration.
    let device = first(&simulator, Platform::Cumulus);
    let client = connect(&device).await;
    let shown = client.exec("nv config show", None).await.unwrap();
    assert!(shown.stdout.contains("hashed-password: '*'"));
    let replaced = client
        .exec(
            "nv config replace /dev/stdin",
            Some(shown.stdout.as_bytes()),
        )
        .await
        .unwrap();
    assert_eq!(replaced.exit_status, Some(0), "{}", replaced.stderr);
    let applied = client.exec("nv config apply -y", None).await.unwrap();
    assert_eq!(applied.exit_status, Some(0));
    assert_eq!(device.user_password_hash("cumulus").as_deref(), Some("*"));
    for password in [CUMULUS_PASSWORD, "*", ""] {
        assert!(
            !try_login(device.address(), "cumulus", password)
                .await
                .unwrap()
        );
    }

    // NVOS: `password: '*'` fails hardening; with hardening off it matches nothing either.
    let nvos = first(&simulator, Platform::Nvos);
    let client = connect(&nvos).await;
    let patch = password_patch("*");
    let refused = client
        .exec("nv config patch /dev/stdin", Some(patch.as_bytes()))
        .await
        .unwrap();
    assert!(
        refused
            .stderr
            .contains("    Password should contain at least 8 characters\n"),
        "{}",
        refused.stderr
    );
    client
        .exec(
            "nv set system security password-hardening state disabled",
            None,
        )
        .await
        .unwrap();
    client.exec("nv config apply -y", None).await.unwrap();
    let accepted = client
        .exec("nv config patch /dev/stdin", Some(patch.as_bytes()))
        .await
        .unwrap();
    assert_eq!(accepted.exit_status, Some(0), "{}", accepted.stderr);
    client.exec("nv config apply -y", None).await.unwrap();
    assert!(!admin_logs_in(&nvos, "*").await);
    assert!(!admin_logs_in(&nvos, ADMIN_PASSWORD).await);
    simulator.shutdown().await;
}

#[tokio::test]
async fn a_cumulus_device_reads_a_file_on_standard_input_too() {
    let spec = spec("stdin", 0, 0).with_profiles(vec![Profile::Cumulus5_8]);
    let simulator = start_with(rotor_sim::SimConfig::default(), spec).await;
    let device = first(&simulator, Platform::Cumulus);
    let client = connect(&device).await;
    let patch = format!(
        "- set:\n    system:\n      aaa:\n        user:\n          cumulus:\n            hashed-password: '{}'\n",
        hash(NEW_PASSWORD)
    );
    let patched = client
        .exec("nv config patch /dev/stdin", Some(patch.as_bytes()))
        .await
        .unwrap();
    assert_eq!(patched.exit_status, Some(0), "{}", patched.stderr);
    let applied = client.exec("nv config apply -y", None).await.unwrap();
    assert_eq!(applied.stdout, "applied [rev_id: 2]\n");
    assert!(
        try_login(device.address(), "cumulus", NEW_PASSWORD)
            .await
            .unwrap()
    );
    // A here-document feeds it the same way.
    let here = client
        .exec(
            "nv config patch /dev/stdin <<'EOF'\n- set:\n    system:\n      hostname: from-here\nEOF",
            None,
        )
        .await
        .unwrap();
    assert_eq!(here.exit_status, Some(0), "{}", here.stderr);
    let diff = client
        .exec("nv config diff -o commands", None)
        .await
        .unwrap();
    assert_eq!(diff.stdout, "nv set system hostname from-here\n");
    simulator.shutdown().await;
}
