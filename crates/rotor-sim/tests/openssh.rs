//! The OpenSSH client (`/usr/bin/ssh`) against the simulator: password login through
//! SSH_ASKPASS, exec with exit codes and standard input, host key pinning through known_hosts,
//! and shells driven through standard input with and without a terminal.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use common::*;
use rotor_sim::{Device, Platform};
use tokio::io::AsyncWriteExt;

const SSH: &str = "/usr/bin/ssh";

struct SshOutput {
    status: Option<i32>,
    stdout: String,
    stderr: String,
}

fn askpass(directory: &Path, password: &str) -> PathBuf {
    let script = directory.join(format!("askpass-{}.sh", password.len()));
    std::fs::write(&script, format!("#!/bin/sh\nprintf '%s\\n' '{password}'\n")).unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o700)).unwrap();
    script
}

async fn ssh(
    device: &Device,
    directory: &Path,
    password: &str,
    extra: &[&str],
    command: Option<&str>,
    stdin: Option<&[u8]>,
) -> SshOutput {
    let mut process = tokio::process::Command::new(SSH);
    process
        .args(["-p", &device.port().to_string()])
        .args([
            "-o",
            "UserKnownHostsFile=/dev/null",
            "-o",
            "StrictHostKeyChecking=no",
            "-o",
            "PreferredAuthentications=password",
            "-o",
            "PubkeyAuthentication=no",
            "-o",
            "NumberOfPasswordPrompts=1",
            "-o",
            "LogLevel=ERROR",
        ])
        .args(extra)
        .arg(format!("{}@127.0.0.1", device.platform().login_user()))
        .env("SSH_ASKPASS", askpass(directory, password))
        .env("SSH_ASKPASS_REQUIRE", "force")
        .env("DISPLAY", ":0")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    if let Some(command) = command {
        process.arg(command);
    }
    let mut child = process.spawn().expect("ssh runs");
    if let Some(stdin) = stdin {
        let mut pipe = child.stdin.take().unwrap();
        pipe.write_all(stdin).await.unwrap();
        drop(pipe);
    }
    let output = tokio::time::timeout(Duration::from_secs(30), child.wait_with_output())
        .await
        .expect("ssh finishes")
        .unwrap();
    SshOutput {
        status: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn have_ssh() -> bool {
    if Path::new(SSH).exists() {
        return true;
    }
    println!("skipping: {SSH} is not installed");
    false
}

#[tokio::test]
async fn openssh_exec_with_exit_codes_stdin_and_pinned_host_key() {
    if !have_ssh() {
        return;
    }
    let directory = temporary_directory("openssh-exec");
    let simulator = start("openssh").await;
    for platform in [Platform::Cumulus, Platform::Nvos] {
        let device = first(&simulator, platform);
        let password = login_password(platform);
        let login = platform.login_user();
        let shown = ssh(
            &device,
            &directory,
            password,
            &[],
            Some(&format!("nv show system aaa user {login} -o json")),
            None,
        )
        .await;
        assert_eq!(shown.status, Some(0), "{}", shown.stderr);
        let parsed: serde_json::Value = serde_json::from_str(&shown.stdout).unwrap();
        assert_eq!(parsed["role"], admin_role(platform));

        let unknown = ssh(
            &device,
            &directory,
            password,
            &[],
            Some("bogus-command"),
            None,
        )
        .await;
        assert_eq!(unknown.status, Some(127));
        assert!(
            unknown
                .stderr
                .contains("-bash: bogus-command: command not found")
        );
        let nvue_error = ssh(
            &device,
            &directory,
            password,
            &[],
            Some("nv show system aaa user ghost"),
            None,
        )
        .await;
        assert_eq!(nvue_error.status, Some(1));

        let text = "- set:\n    system:\n      hostname: from-openssh\n";
        let written = ssh(
            &device,
            &directory,
            password,
            &[],
            Some("cat > /tmp/from-openssh.yaml"),
            Some(text.as_bytes()),
        )
        .await;
        assert_eq!(written.status, Some(0), "{}", written.stderr);
        assert_eq!(
            device.file("/tmp/from-openssh.yaml").as_deref(),
            Some(text.as_bytes())
        );

        let wrong = ssh(
            &device,
            &directory,
            "not-the-password",
            &[],
            Some("true"),
            None,
        )
        .await;
        assert_eq!(wrong.status, Some(255));
        assert!(
            wrong.stderr.contains("Permission denied"),
            "{}",
            wrong.stderr
        );

        // The exported host key is what OpenSSH sees.
        let known_hosts = directory.join(format!("known_hosts-{}", device.id()));
        std::fs::write(
            &known_hosts,
            format!("[127.0.0.1]:{} {}\n", device.port(), device.host_key()),
        )
        .unwrap();
        let pinned = ssh(
            &device,
            &directory,
            password,
            &[
                "-o",
                &format!("UserKnownHostsFile={}", known_hosts.display()),
                "-o",
                "StrictHostKeyChecking=yes",
            ],
            Some("true"),
            None,
        )
        .await;
        assert_eq!(pinned.status, Some(0), "{}", pinned.stderr);
    }
    simulator.shutdown().await;
    let _ = std::fs::remove_dir_all(directory);
}

#[tokio::test]
async fn openssh_shell_driven_through_stdin() {
    if !have_ssh() {
        return;
    }
    let directory = temporary_directory("openssh-shell");
    let simulator = start("openssh-shell").await;
    let device = first(&simulator, Platform::Cumulus);
    let hostname = device.hostname().unwrap();

    // Without a terminal: a script, no prompt, the last exit status.
    let script = ssh(
        &device,
        &directory,
        CUMULUS_PASSWORD,
        &["-T"],
        None,
        Some(b"nv show system hostname\nnv set system hostname scripted\nnv config apply -y\nexit 3\n"),
    )
    .await;
    assert_eq!(script.status, Some(3), "{}", script.stderr);
    // The fabric's first Cumulus device is cumulus-5.16: auto-save is on, the apply saves too.
    assert_eq!(
        script.stdout,
        format!("{hostname}\napplied_and_saved [rev_id: 2]\n")
    );

    // With a forced terminal: prompt, echo and CRLF.
    let terminal = ssh(
        &device,
        &directory,
        CUMULUS_PASSWORD,
        &["-tt"],
        None,
        Some(b"nv show system hostname\rexit\r"),
    )
    .await;
    assert_eq!(terminal.status, Some(0), "{}", terminal.stderr);
    assert!(
        terminal.stdout.contains("cumulus@scripted:mgmt:~$ "),
        "{:?}",
        terminal.stdout
    );
    assert!(
        terminal.stdout.contains("scripted\r\n"),
        "{:?}",
        terminal.stdout
    );
    simulator.shutdown().await;
    let _ = std::fs::remove_dir_all(directory);
}
