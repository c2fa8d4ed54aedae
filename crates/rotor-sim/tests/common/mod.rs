//! Helpers shared by the simulator's integration tests: password hashes with a fixed salt, a
//! simulator with a small mixed fabric, pinned SSH clients, an interactive shell driver, bounded
//! polling and temporary directories.

#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use rotor_sim::client::SimClient;
use rotor_sim::{Device, FabricSpec, Platform, SimConfig, Simulator};
use russh::ChannelMsg;

pub const CUMULUS_PASSWORD: &str = "Cumulus-Old-1";
pub const ADMIN_PASSWORD: &str = "Admin-Old-1";
pub const MONITOR_PASSWORD: &str = "Monitor-Old-1";
pub const NEW_PASSWORD: &str = "Rotated-New-2";

/// A `$6$` hash with a fixed salt (fast and deterministic).
pub fn hash(password: &str) -> String {
    pwhash::sha512_crypt::hash_with("$6$rounds=5000$rotortests", password).unwrap()
}

/// A spec of `cumulus` Cumulus devices and `nvos` NVOS devices with the test users.
pub fn spec(fabric_id: &str, cumulus: u32, nvos: u32) -> FabricSpec {
    FabricSpec::new(fabric_id, (cumulus + nvos) as usize)
        .with_platform_mix(cumulus, nvos)
        .with_seed("tests")
        .with_user(Platform::Cumulus, "cumulus", hash(CUMULUS_PASSWORD))
        .with_user(Platform::Nvos, "admin", hash(ADMIN_PASSWORD))
        .with_user(Platform::Nvos, "monitor", hash(MONITOR_PASSWORD))
}

/// A simulator with one fabric `fabric_id` of 2 Cumulus and 1 NVOS devices.
pub async fn start(fabric_id: &str) -> Simulator {
    start_with(SimConfig::default(), spec(fabric_id, 2, 1)).await
}

pub async fn start_with(config: SimConfig, spec: FabricSpec) -> Simulator {
    let simulator = Simulator::start(config).await.unwrap();
    simulator.create_fabric(spec).unwrap();
    simulator
}

pub fn first(simulator: &Simulator, platform: Platform) -> Arc<Device> {
    simulator
        .devices()
        .into_iter()
        .find(|device| device.platform() == platform)
        .unwrap()
}

/// The role of the platform's login user (NVOS's roles are `admin` and `monitor`).
pub fn admin_role(platform: Platform) -> &'static str {
    match platform {
        Platform::Cumulus => "system-admin",
        Platform::Nvos => "admin",
    }
}

pub fn login_password(platform: Platform) -> &'static str {
    match platform {
        Platform::Cumulus => CUMULUS_PASSWORD,
        Platform::Nvos => ADMIN_PASSWORD,
    }
}

/// Connects as the platform's login user with the initial password, pinning the host key.
pub async fn connect(device: &Device) -> SimClient {
    connect_as(
        device,
        device.platform().login_user(),
        login_password(device.platform()),
    )
    .await
}

pub async fn connect_as(device: &Device, user: &str, password: &str) -> SimClient {
    SimClient::connect(device.address(), user, password, Some(device.public_key()))
        .await
        .unwrap()
}

/// Polls `condition` every 20 ms for at most `limit`.
pub async fn eventually<F, Fut>(limit: Duration, mut condition: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        if condition().await {
            return true;
        }
        if tokio::time::Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A fresh, empty temporary directory.
pub fn temporary_directory(name: &str) -> PathBuf {
    let directory =
        std::env::temp_dir().join(format!("rotor-sim-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&directory);
    std::fs::create_dir_all(&directory).unwrap();
    directory
}

/// An interactive shell with a terminal, driven from a test.
pub struct Terminal {
    channel: russh::Channel<russh::client::Msg>,
    pub screen: String,
}

impl Terminal {
    pub async fn open(client: &SimClient) -> Terminal {
        let channel = client.handle().channel_open_session().await.unwrap();
        channel
            .request_pty(true, "xterm", 120, 40, 0, 0, &[])
            .await
            .unwrap();
        channel.request_shell(true).await.unwrap();
        Terminal {
            channel,
            screen: String::new(),
        }
    }

    pub async fn send(&self, text: &str) {
        self.channel.data(text.as_bytes()).await.unwrap();
    }

    /// Reads until the screen ends with `suffix` (5 s at most); returns what was read since the
    /// last call.
    pub async fn read_until(&mut self, suffix: &str) -> String {
        let start = self.screen.len();
        let read = tokio::time::timeout(Duration::from_secs(5), async {
            while !self.screen[start..].ends_with(suffix) {
                match self.channel.wait().await {
                    Some(ChannelMsg::Data { data }) => {
                        self.screen.push_str(&String::from_utf8_lossy(&data))
                    }
                    Some(_) => {}
                    None => break,
                }
            }
        })
        .await;
        assert!(
            read.is_ok(),
            "timed out waiting for {suffix:?}; screen: {:?}",
            self.screen
        );
        self.screen[start..].to_string()
    }

    /// Reads until the channel closes; returns the exit status.
    pub async fn wait_for_exit(&mut self) -> Option<u32> {
        let mut status = None;
        let _ = tokio::time::timeout(Duration::from_secs(5), async {
            while let Some(message) = self.channel.wait().await {
                match message {
                    ChannelMsg::Data { data } => {
                        self.screen.push_str(&String::from_utf8_lossy(&data))
                    }
                    ChannelMsg::ExitStatus { exit_status } => status = Some(exit_status),
                    ChannelMsg::Close => break,
                    _ => {}
                }
            }
        })
        .await;
        status
    }
}
