//! NVUE and shell commands over real SSH (russh client) on both platforms: show with masked
//! hashes, set/unset/diff/apply, replace and patch from a file written through stdin, detach,
//! revisions, errors and exit codes, password changes taking effect at once, host keys, and an
//! interactive shell.

mod common;

use common::*;
use rotor_sim::client::{SimClient, try_login};
use rotor_sim::{Platform, SimConfig, Simulator};

#[tokio::test]
async fn show_commands_mask_hashes_on_both_platforms() {
    let simulator = start("show").await;
    for platform in [Platform::Cumulus, Platform::Nvos] {
        let device = first(&simulator, platform);
        let client = connect(&device).await;
        let key = platform.password_key();
        let shown = client.exec("nv config show", None).await.unwrap();
        assert_eq!(shown.exit_status, Some(0));
        assert!(
            shown.stdout.contains(&format!("{key}: '*'")),
            "{}",
            shown.stdout
        );
        let commands = client
            .exec("nv config show -o commands", None)
            .await
            .unwrap();
        let login = platform.login_user();
        assert!(
            commands
                .stdout
                .contains(&format!("nv set system aaa user {login} {key} *\n")),
            "{}",
            commands.stdout
        );
        let json = client.exec("nv config show -o json", None).await.unwrap();
        let parsed: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
        assert_eq!(parsed[1]["set"]["system"]["aaa"]["user"][login][key], "*");
        for output in [&shown.stdout, &commands.stdout, &json.stdout] {
            assert!(!output.contains("$6$"), "a hash leaked: {output}");
        }
        let user = client
            .exec(&format!("nv show system aaa user {login} -o json"), None)
            .await
            .unwrap();
        assert_eq!(user.exit_status, Some(0));
        let parsed: serde_json::Value = serde_json::from_str(&user.stdout).unwrap();
        assert_eq!(parsed["role"], admin_role(platform));
        let missing = client
            .exec("nv show system aaa user ghost -o json", None)
            .await
            .unwrap();
        assert_eq!(missing.exit_status, Some(1));
        assert_eq!(
            missing.stderr,
            "Error: The requested item does not exist.\n"
        );
        client.disconnect().await;
    }
    let nvos = first(&simulator, Platform::Nvos);
    let client = connect(&nvos).await;
    let users = client
        .exec("nv show system aaa user -o json", None)
        .await
        .unwrap();
    let parsed: serde_json::Value = serde_json::from_str(&users.stdout).unwrap();
    // NVOS's roles are `admin` and `monitor` (NVOS user manual, AAA commands).
    assert_eq!(parsed["monitor"]["role"], "monitor");
    simulator.shutdown().await;
}

#[tokio::test]
async fn rotation_through_replace_changes_the_password_at_once() {
    let simulator = start("rotate").await;
    for platform in [Platform::Cumulus, Platform::Nvos] {
        let device = first(&simulator, platform);
        let login = platform.login_user();
        let client = connect(&device).await;
        let mut intended = device.applied_config();
        intended.root.set_leaf(
            &["system", "aaa", "user", login, platform.password_key()],
            serde_yaml::Value::String(hash(NEW_PASSWORD)),
        );
        let text = intended.to_startup_yaml(false);
        let written = client
            .exec("cat > /tmp/intended.yaml", Some(text.as_bytes()))
            .await
            .unwrap();
        assert_eq!(written.exit_status, Some(0), "{}", written.stderr);
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
            format!(
                "nv set system aaa user {login} {} *\n",
                platform.password_key()
            )
        );
        let revision_before = device.applied_revision();
        let applied = client.exec("nv config apply -y", None).await.unwrap();
        assert_eq!(applied.exit_status, Some(0));
        // cumulus-5.16 auto-saves; NVOS applies without saving.
        let state = match platform {
            Platform::Cumulus => "applied_and_saved",
            Platform::Nvos => "applied",
        };
        assert_eq!(
            applied.stdout,
            format!("{state} [rev_id: {}]\n", revision_before + 1)
        );
        // The new password works at once, the old one no longer does.
        assert!(
            try_login(device.address(), login, NEW_PASSWORD)
                .await
                .unwrap()
        );
        assert!(
            !try_login(device.address(), login, login_password(platform))
                .await
                .unwrap()
        );
        // The session that applied is still usable (Rotor restores through it if needed).
        let empty = client
            .exec("nv config diff -o commands", None)
            .await
            .unwrap();
        assert_eq!(empty.stdout, "");
        assert_eq!(empty.exit_status, Some(0));
        let nothing = client.exec("nv config apply -y", None).await.unwrap();
        assert_eq!(nothing.exit_status, Some(0));
        assert_eq!(device.applied_revision(), revision_before + 1);
        let cleanup = client.exec("rm -f /tmp/intended.yaml", None).await.unwrap();
        assert_eq!(cleanup.exit_status, Some(0));
        client.disconnect().await;
    }
    simulator.shutdown().await;
}

#[tokio::test]
async fn set_unset_patch_detach_revision_history_and_errors() {
    let simulator = start("edit").await;
    let device = first(&simulator, Platform::Cumulus);
    let client = connect(&device).await;
    let run = |command: &'static str| {
        let client = &client;
        async move { client.exec(command, None).await.unwrap() }
    };
    assert_eq!(
        run("nv set system message pre-login 'Authorised users only'")
            .await
            .exit_status,
        Some(0)
    );
    assert_eq!(
        run("nv set interface swp9 description 'new link'")
            .await
            .exit_status,
        Some(0)
    );
    assert_eq!(run("nv unset interface swp4").await.exit_status, Some(0));
    assert_eq!(
        run("nv set router bgp router-id 10.0.0.9")
            .await
            .exit_status,
        Some(0)
    );
    assert_eq!(
        run("nv set service ntp mgmt server time.example.net")
            .await
            .exit_status,
        Some(0)
    );
    let diff = run("nv config diff -o commands").await;
    assert_eq!(
        diff.stdout,
        "nv unset interface swp4\n\
         nv set interface swp9 description 'new link'\n\
         nv set router bgp router-id 10.0.0.9\n\
         nv set service ntp mgmt server time.example.net\n\
         nv set system message pre-login 'Authorised users only'\n"
    );
    let yaml = run("nv config diff").await;
    assert!(yaml.stdout.starts_with("- set:\n"), "{}", yaml.stdout);
    assert!(yaml.stdout.contains("- unset:\n"), "{}", yaml.stdout);
    assert_eq!(run("nv config detach").await.exit_status, Some(0));
    assert_eq!(run("nv config diff -o commands").await.stdout, "");

    let patch = "- set:\n    system:\n      hostname: patched-01\n";
    let written = client
        .exec("cat > /tmp/patch.yaml", Some(patch.as_bytes()))
        .await
        .unwrap();
    assert_eq!(written.exit_status, Some(0));
    assert_eq!(run("cat /tmp/patch.yaml").await.stdout, patch);
    assert_eq!(
        run("nv config patch /tmp/patch.yaml").await.exit_status,
        Some(0)
    );
    let applied = run("nv config apply -y").await;
    // The detached candidate kept revision 2; cumulus-5.16 auto-saves.
    assert_eq!(applied.stdout, "applied_and_saved [rev_id: 3]\n");
    assert_eq!(device.hostname().as_deref(), Some("patched-01"));
    let revisions = run("nv config revision").await;
    assert!(
        revisions.stdout.starts_with("Rev ID"),
        "{}",
        revisions.stdout
    );
    assert!(revisions.stdout.contains("cumulus"));
    let detached = revisions
        .stdout
        .lines()
        .find(|line| line.starts_with("2 "))
        .unwrap_or_default();
    assert!(detached.contains(" detached "), "{}", revisions.stdout);
    let history = run("nv config history").await;
    assert!(history.stdout.contains("rev-id: '3'"), "{}", history.stdout);
    assert!(
        !history.stdout.contains("rev-id: '2'"),
        "{}",
        history.stdout
    );

    let invalid = run("nv set vlan 10 name x").await;
    assert_eq!(invalid.exit_status, Some(1));
    assert!(invalid.stderr.starts_with("Error: Invalid config path"));
    let missing = run("nv config replace /tmp/nothing.yaml").await;
    assert_eq!(missing.exit_status, Some(1));
    let broken = client
        .exec(
            "cat > /tmp/broken.yaml",
            Some(b"- set:\n  system: [unclosed\n"),
        )
        .await
        .unwrap();
    assert_eq!(broken.exit_status, Some(0));
    let syntax = run("nv config replace /tmp/broken.yaml").await;
    assert_eq!(syntax.exit_status, Some(1));
    assert!(
        syntax
            .stderr
            .starts_with("Error: Invalid config file /tmp/broken.yaml: "),
        "{}",
        syntax.stderr
    );
    assert!(syntax.stderr.contains("line"), "{}", syntax.stderr);
    let unknown = run("show running-config").await;
    assert_eq!(unknown.exit_status, Some(127));
    assert_eq!(unknown.stderr, "-bash: show: command not found\n");
    let confirm = run("nv set system hostname again && nv config apply").await;
    assert_eq!(confirm.exit_status, Some(1), "apply without -y refuses");
    assert_eq!(device.applied_revision(), 3);
    client.disconnect().await;
    simulator.shutdown().await;
}

#[tokio::test]
async fn host_keys_are_stable_and_pinned() {
    let first_run = start("keys").await;
    let second_run = Simulator::start(SimConfig::default()).await.unwrap();
    second_run.create_fabric(spec("keys", 2, 1)).unwrap();
    for device in first_run.devices() {
        let twin = second_run.device(device.id()).unwrap();
        assert_eq!(device.host_key(), twin.host_key());
        assert_eq!(device.host_keys(), twin.host_keys());
        // cumulus-5.16 offers only ECDSA (Cumulus Linux 5.16 SSH ciphers); the others
        // ed25519 first.
        let first_type = match device.profile() {
            rotor_sim::Profile::Cumulus5_16 => "ecdsa-sha2-nistp256 AAAA",
            _ => "ssh-ed25519 AAAA",
        };
        assert!(device.host_key().starts_with(first_type));
        assert_ne!(device.port(), twin.port());
    }
    let devices = first_run.devices();
    assert_ne!(devices[0].host_key(), devices[1].host_key());
    // Pinning the right key works; any other key is refused.
    let pinned = SimClient::connect(
        devices[0].address(),
        "cumulus",
        CUMULUS_PASSWORD,
        Some(devices[0].public_key()),
    )
    .await;
    assert!(pinned.is_ok());
    let wrong = SimClient::connect(
        devices[0].address(),
        "cumulus",
        CUMULUS_PASSWORD,
        Some(devices[1].public_key()),
    )
    .await;
    assert!(wrong.is_err());
    first_run.shutdown().await;
    second_run.shutdown().await;
}

#[tokio::test]
async fn interactive_shell_with_prompt_echo_editing_and_confirmation() {
    let simulator = start("shell").await;
    let device = first(&simulator, Platform::Cumulus);
    let hostname = device.hostname().unwrap();
    let client = connect(&device).await;
    let mut terminal = Terminal::open(&client).await;
    let prompt = format!("cumulus@{hostname}:mgmt:~$ ");
    terminal.read_until(&prompt).await;
    // Typed characters are echoed; backspace erases.
    terminal
        .send("nv show system aaa user cumulus -o jsonX\x7f\r")
        .await;
    let shown = terminal.read_until(&prompt).await;
    assert!(shown.contains("\"role\": \"system-admin\""), "{shown}");
    assert!(shown.contains("\x08 \x08"), "{shown:?}");
    assert!(shown.contains("\r\n"), "terminal output uses CRLF");
    terminal
        .send("nv set system hostname shell-renamed\r")
        .await;
    terminal.read_until(&prompt).await;
    terminal.send("nv config apply\r").await;
    terminal.read_until("Are you sure? [y/N] ").await;
    terminal.send("y\r").await;
    let applied = terminal.read_until("cumulus@shell-renamed:mgmt:~$ ").await;
    assert!(
        applied.contains("applied_and_saved [rev_id: 2]"),
        "{applied}"
    );
    terminal.send("bogus\r").await;
    let error = terminal.read_until("cumulus@shell-renamed:mgmt:~$ ").await;
    assert!(error.contains("-bash: bogus: command not found"), "{error}");
    terminal.send("exit\r").await;
    assert_eq!(terminal.wait_for_exit().await, Some(127));
    assert!(terminal.screen.contains("logout"));

    let nvos = first(&simulator, Platform::Nvos);
    let client = connect(&nvos).await;
    let mut terminal = Terminal::open(&client).await;
    let prompt = format!("admin@{}:~$ ", nvos.hostname().unwrap());
    terminal.read_until(&prompt).await;
    terminal.send("cat > /tmp/typed.txt\rhello\r\x04").await;
    terminal.read_until(&prompt).await;
    assert_eq!(
        nvos.file("/tmp/typed.txt").as_deref(),
        Some(&b"hello\n"[..])
    );
    terminal.send("\x04").await;
    assert_eq!(terminal.wait_for_exit().await, Some(0));
    simulator.shutdown().await;
}

#[tokio::test]
async fn shutdown_closes_open_sessions_and_listeners() {
    let simulator = start("shutdown").await;
    let device = first(&simulator, Platform::Cumulus);
    let client = connect(&device).await;
    simulator.shutdown().await;
    assert!(
        eventually(std::time::Duration::from_secs(5), || async {
            client.is_closed()
        })
        .await,
        "open sessions end at shutdown"
    );
    assert!(
        tokio::net::TcpStream::connect(device.address())
            .await
            .is_err()
    );
}

#[tokio::test]
async fn devices_take_consecutive_ports_from_a_base_port() {
    let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = probe.local_addr().unwrap().port();
    drop(probe);
    let config = SimConfig {
        base_port: Some(base),
        ..SimConfig::default()
    };
    let simulator = match Simulator::start(config).await {
        Ok(simulator) => simulator,
        Err(error) => panic!("{error}"),
    };
    match simulator.create_fabric(spec("ported", 2, 1)) {
        Ok(summary) => {
            let ports: Vec<u16> = summary.devices.iter().map(|device| device.port).collect();
            assert_eq!(ports, vec![base, base + 1, base + 2]);
            assert!(
                try_login(
                    summary.devices[2].address.parse().unwrap(),
                    "admin",
                    ADMIN_PASSWORD
                )
                .await
                .unwrap()
            );
        }
        // Another process took one of the ports in between: the error names it.
        Err(error) => assert!(error.to_string().contains("cannot listen"), "{error}"),
    }
    simulator.shutdown().await;
}
