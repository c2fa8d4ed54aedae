//! The simulated fabric of a local stack: the users its devices start with (the fabric's first
//! password, written to OpenBao and given to the devices only as `$6$` hashes), and the simulator
//! as a `rotor-sim` process of its own (the benchmark's way: its CPU is measured apart).

use std::path::Path;
use std::time::Duration;

use rotor_secrets::{Password, PasswordPolicy, SecretsClient, render_hash};
use rotor_sim::{FabricSpec, Platform};

use crate::StackError;
use crate::process::GuardedProcess;
use crate::services::{SECRETS_MOUNT, login_secret_path};

/// How long a starting `rotor-sim` may take to create its devices and export the inventory.
const SIM_READY_WITHIN: Duration = Duration::from_secs(120);

/// Adds the users every simulated device starts with: each platform's login user, which Rotor
/// rotates (`cumulus`, `admin`), with `login`'s hash for (`secret_path`, `version`), and NVOS's
/// `monitor`, which Rotor does not manage, with `monitor`'s.
pub fn with_initial_users(
    spec: FabricSpec,
    login: &Password,
    secret_path: &str,
    version: u32,
    monitor: &Password,
) -> FabricSpec {
    let login_user = |platform: Platform| {
        let user = platform.login_user();
        (
            platform,
            user,
            render_hash(login, secret_path, version, user),
        )
    };
    let mut spec = spec;
    for (platform, user, hash) in [login_user(Platform::Cumulus), login_user(Platform::Nvos)] {
        spec = spec.with_user(platform, user, hash.as_crypt());
    }
    spec.with_user(
        Platform::Nvos,
        "monitor",
        render_hash(monitor, "monitor", 1, "monitor").as_crypt(),
    )
}

/// Generates the fabric's first password, writes it to OpenBao as version 1 of the fabric's
/// login secret, and returns `spec` with the devices' users. The password itself goes no further.
pub async fn seed_fabric_password(
    secrets: &SecretsClient,
    spec: FabricSpec,
) -> Result<FabricSpec, StackError> {
    let path = login_secret_path(&spec.fabric_id);
    let password = PasswordPolicy::default()
        .generate()
        .map_err(StackError::Password)?;
    let version = secrets
        .write(SECRETS_MOUNT, &path, &password)
        .await
        .map_err(StackError::InitialPassword)?;
    let monitor = PasswordPolicy::default()
        .generate()
        .map_err(StackError::Password)?;
    Ok(with_initial_users(
        spec, &password, &path, version, &monitor,
    ))
}

/// The simulator's `--users-file` for a fabric: platform -> user -> `$6$` hash.
pub fn users_file(spec: &FabricSpec) -> String {
    let mut text = String::new();
    for (platform, users) in &spec.initial_users {
        text.push_str(&format!("{}:\n", platform.as_str()));
        for (name, user) in users {
            // A crypt(3) hash holds no quote, and user names are checked.
            text.push_str(&format!("  {name}: '{}'\n", user.hashed_password));
        }
    }
    text
}

/// Starts `rotor-sim` (`binary`) with `spec`'s fabric, `latency` (`none` or `realistic`) and its
/// control interface on `control_port`, on consecutive device ports when a free range exists,
/// exporting the inventory to `dir/inventory/`, logging to `dir/logs/rotor-sim.log`; returns once
/// it is ready. The users file with the hashes is removed again as soon as it has been read.
pub async fn start_process(
    binary: &Path,
    spec: &FabricSpec,
    latency: &str,
    control_port: u16,
    dir: &Path,
) -> Result<GuardedProcess, StackError> {
    let inventory_dir = dir.join("inventory");
    let log_dir = dir.join("logs");
    for folder in [&inventory_dir, &log_dir] {
        std::fs::create_dir_all(folder).map_err(StackError::files("create", folder))?;
    }
    let users_path = dir.join("users.yaml");
    std::fs::write(&users_path, users_file(spec))
        .map_err(StackError::files("write", &users_path))?;
    let ready_file = dir.join("sim-ready.json");
    let _ = std::fs::remove_file(&ready_file);
    let mix = spec.platform_mix;
    let mut args: Vec<String> = [
        "--fabric",
        &spec.fabric_id,
        "--devices",
        &spec.devices.to_string(),
        "--platform-mix",
        &format!("cumulus={},nvos={}", mix.cumulus, mix.nvos),
        "--seed",
        &spec.seed,
        "--latency",
        latency,
        "--control",
        &format!("127.0.0.1:{control_port}"),
    ]
    .map(String::from)
    .to_vec();
    for (flag, path) in [
        ("--users-file", &users_path),
        ("--export", &inventory_dir),
        ("--ready-file", &ready_file),
    ] {
        args.extend([flag.to_string(), path.display().to_string()]);
    }
    if let Some(base) = crate::ports::free_port_range(spec.devices) {
        args.extend(["--base-port".to_string(), base.to_string()]);
    }
    let log = log_dir.join("rotor-sim.log");
    let mut process = GuardedProcess::spawn_watched("rotor-sim", binary, &args, log, &[]);
    let ready = process
        .wait_ready(SIM_READY_WITHIN, || ready_file.is_file())
        .await;
    let _ = std::fs::remove_file(&users_path);
    ready.map(|()| process)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_users_file_is_what_the_simulator_reads() {
        let login = PasswordPolicy::default().generate().unwrap();
        let monitor = PasswordPolicy::default().generate().unwrap();
        let spec = with_initial_users(
            FabricSpec::new("fab1", 2),
            &login,
            "fabrics/fab1/AdminRW",
            1,
            &monitor,
        );
        let text = users_file(&spec);
        let parsed = rotor_sim::fabric::parse_users_file(&text).unwrap();
        assert_eq!(parsed, spec.initial_users);
        assert_eq!(parsed[&Platform::Nvos].len(), 2);
        assert!(!text.contains(login.expose_for_login()));
    }
}
