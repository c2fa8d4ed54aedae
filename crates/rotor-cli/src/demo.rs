//! `rotor demo` (what `make demo` runs): a guided tour on a private local stack. A 24-device
//! fabric where one device has drifted and one is disabled; a fabric rotation with live
//! progress; the status and what went wrong, in plain words; the fixes; a resync; and proof over
//! real SSH that the new password logs in and the old one does not.
//!
//! Nothing here prints a password: only device names, user names and secret versions.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context as _, anyhow, bail, ensure};
use rotor_proto::v1::{
    DeviceStatus, ErrorCode, FabricStatus, OperationState, OperationStatus, RotationKind,
    RotationRequest, ShowDeviceRequest, ShowFabricRequest, Stage,
};
use rotor_sim::faults::FaultKind;
use rotor_sim::{Fault, Platform};

use rotor_stack::LocalStack;
use rotor_stack::ports::PortChoice;
use rotor_stack::services::{SECRETS_MOUNT, login_secret_path};

use crate::cli::{DemoArgs, OutputFormat};
use crate::commands::{self, Context};
use crate::exit::{CliError, Exit};
use crate::output::{self, Table, code_name, state_name, sync_name};
use crate::signals::StopSignals;

const FABRIC: &str = "fab1";

/// The demo's last line: where to see all of this in a browser.
pub const CONSOLE_LINE: &str = "See it in the web console: `rotor up` prints its address (http://127.0.0.1:50053) and writes a sign-in link to .rotor/console-link; docs/console.md shows every page.";

/// Runs `rotor demo`: starts a local stack, walks through the tour printing each step, and stops
/// the stack (also on Ctrl-C, with [`Exit::Interrupted`]).
pub async fn run(arguments: DemoArgs) -> Result<Exit, CliError> {
    let mut signals = StopSignals::watch();
    let state_dir = state_dir_for(std::process::id());
    let tour = tour(&arguments, &state_dir);
    let outcome = tokio::select! {
        outcome = tour => outcome,
        signal = signals.recv() => {
            eprintln!("\nrotor demo: {signal}; stopped everything it started");
            remove(&state_dir);
            return Ok(Exit::Interrupted);
        }
    };
    match outcome {
        Ok(()) => {
            if arguments.keep_logs {
                crate::out!("\nLogs kept in {}.", state_dir.join("logs").display());
            } else {
                remove(&state_dir);
            }
            Ok(Exit::Success)
        }
        Err(error) => Err(CliError::new(
            Exit::Failed,
            format!(
                "rotor demo: {error:#}\n(every service's log is in {})",
                state_dir.join("logs").display()
            ),
        )),
    }
}

fn remove(dir: &Path) {
    let _ = std::fs::remove_dir_all(dir);
}

fn heading(text: &str) {
    crate::out!("\n== {text}\n");
}

fn paragraph(text: &str) {
    crate::out!("{text}");
}

fn command_line(text: &str) {
    crate::out!("  $ {text}\n");
}

async fn tour(arguments: &DemoArgs, state_dir: &Path) -> anyhow::Result<()> {
    let stack = start(arguments, state_dir).await?;
    let sim = stack
        .simulator()
        .ok_or_else(|| anyhow!("the demo's simulator runs in this process"))?;
    let (drifted, disabled) = break_two_devices(sim)?;
    introduce(&stack, &drifted, &disabled).await?;
    let mut context = Context::new(
        &stack.api_url,
        Some(stack.api_token.clone()),
        OutputFormat::Table,
    );
    let rotation = rotate(&mut context).await?;
    let statuses = show_status(&mut context, &rotation).await?;
    explain_failures(&rotation, &statuses)?;
    fix(&stack, sim, &drifted, &disabled).await?;
    let fabric = resync(&mut context).await?;
    let new_version = prove_over_ssh(&stack, sim, &drifted).await?;

    heading("Done");
    crate::out!(
        "Every device of {FABRIC} holds version {new_version} of the password, and no password was printed\n\
         or logged anywhere. Try it yourself with `rotor up` (see docs/first-rotation.md).\n"
    );
    crate::out!(
        "{FABRIC}: {} devices, uniquePasswordSetCount {}",
        fabric.total_devices,
        fabric.unique_password_set_count
    );
    crate::out!("{CONSOLE_LINE}");
    stack.shutdown().await;
    Ok(())
}

/// The local stack, its pieces printed as they come up.
async fn start(arguments: &DemoArgs, state_dir: &Path) -> anyhow::Result<LocalStack> {
    crate::out!("Rotor demo: rotating the admin password of a whole (simulated) fabric.");
    heading("Starting a local Rotor");
    paragraph(
        "A real nats-server (JetStream) and a real OpenBao dev server, the five Rotor services\n\
         (orchestrator, differ, applier, backup, aggregator) as separate processes, and a\n\
         simulated fabric of switches that speak NVUE over real SSH. All on free loopback ports,\n\
         with state in a temporary folder.\n",
    );
    let stack = LocalStack::builder(FABRIC, arguments.devices as usize, state_dir)
        .platform_mix(rotor_sim::PlatformMix {
            cumulus: 20,
            nvos: 4,
        })
        .ports(PortChoice::Free)
        .simulator_in_process(arguments.latency.profile())
        .console(true)
        .start(|started| crate::out!("  started {started}"))
        .await?;
    Ok(stack)
}

/// Two devices that will not take the rotation: a drifted Cumulus leaf and a disabled device
/// (an NVOS one when there is one); returns their ids.
fn break_two_devices(sim: &rotor_sim::Simulator) -> anyhow::Result<(String, String)> {
    let devices = sim.fabric_devices(FABRIC)?;
    let leaves: Vec<String> = devices
        .iter()
        .filter(|d| d.platform() == Platform::Cumulus && d.id().contains("-leaf-"))
        .map(|d| d.id().to_string())
        .collect();
    let drifted = leaves
        .get(2)
        .or(leaves.first())
        .cloned()
        .ok_or_else(|| anyhow!("the fabric has no Cumulus leaf"))?;
    let nvos_devices: Vec<String> = devices
        .iter()
        .filter(|d| d.platform() == Platform::Nvos)
        .map(|d| d.id().to_string())
        .collect();
    let disabled = nvos_devices
        .get(1)
        .or(nvos_devices.first())
        .or(leaves.last())
        .cloned()
        .ok_or_else(|| anyhow!("the fabric has no device to disable"))?;
    sim.set_fault(&drifted, Fault::Drifted)?;
    sim.set_fault(
        &disabled,
        Fault::AdministrativeState {
            state: rotor_inventory::AdministrativeState::Disabled,
        },
    )?;
    Ok((drifted, disabled))
}

/// Imports the fabric and says what it is and which two devices will fail.
async fn introduce(stack: &LocalStack, drifted: &str, disabled: &str) -> anyhow::Result<()> {
    let (cumulus, nvos) = stack.platform_counts;
    let imported = stack.import().await?;
    crate::out!(
        "\nFabric {FABRIC}: {} devices ({cumulus} Cumulus Linux, {nvos} NVOS), imported into Rotor\n\
         from {}.\n\
         Every device holds version 1 of the admin password, stored in OpenBao at\n\
         {SECRETS_MOUNT}/{}.\n",
        imported.device_count,
        stack.inventory_path().display(),
        login_secret_path(FABRIC)
    );
    crate::out!("Two devices are set up to fail, as they would in a real fabric:");
    crate::out!(
        "  - {drifted} has drifted: someone changed an interface description by hand, so its\n    running configuration no longer matches the intended one."
    );
    crate::out!(
        "  - {disabled} is Disabled in the inventory (administrativeState: Disabled), e.g. for\n    maintenance."
    );
    Ok(())
}

/// Step 1: the rotation, which fails on the two devices.
async fn rotate(context: &mut Context) -> anyhow::Result<OperationStatus> {
    heading("1. Rotate the fabric's password");
    paragraph(
        "Rotor writes a new password version to OpenBao, then for every device: renders its\n\
         intended configuration with the new password's hash, diffs it on the device, applies it\n\
         if the diff changes nothing but the password, proves the new password with a fresh SSH\n\
         login, and backs up the running configuration.\n",
    );
    command_line(&format!(
        "rotor fabric rotate-password --fabric {FABRIC} --wait"
    ));
    let rotation = rotate_or_resync(context, RotationKind::FabricRotatePassword).await?;
    ensure!(
        progress_exit(&rotation) == Exit::PartialSuccess,
        "the rotation was expected to fail on two devices (PartialSuccess), but it ended {}",
        state_name(rotation.status)
    );
    Ok(rotation)
}

/// Step 2: the fabric's status and a table of every device's; returns the statuses.
async fn show_status(
    context: &mut Context,
    rotation: &OperationStatus,
) -> anyhow::Result<Vec<DeviceStatus>> {
    heading("2. The fabric's status");
    command_line(&format!("rotor fabric show --fabric {FABRIC} -o json"));
    let fabric = fabric_status(context, &rotation.id).await?;
    crate::out!("{}", output::json(&fabric));
    crate::out!(
        "\nTwo password sets are live now (uniquePasswordSetCount {}): {} devices hold the new\n\
         password, {} still hold the old one. Per device:\n",
        fabric.unique_password_set_count,
        fabric.succeeded_device_ids.len(),
        fabric.failed_device_ids.len()
    );
    let statuses = device_statuses(context, &fabric).await?;
    crate::out!("{}", device_table(&statuses, rotation));
    Ok(statuses)
}

/// Step 3: what went wrong on each device that did not succeed, in plain words.
fn explain_failures(rotation: &OperationStatus, statuses: &[DeviceStatus]) -> anyhow::Result<()> {
    heading("3. Why two devices were not updated");
    for result in rotation
        .operations
        .iter()
        .filter(|r| r.status != OperationState::Succeeded as i32)
    {
        let error = result.error.clone().unwrap_or_default();
        match ErrorCode::try_from(error.code) {
            Ok(ErrorCode::DiffValidationError) => {
                let status = statuses
                    .iter()
                    .find(|s| s.device_id == result.resource_id)
                    .ok_or_else(|| anyhow!("no status for {}", result.resource_id))?;
                let offending: Vec<String> = status
                    .last_stages
                    .iter()
                    .filter(|s| s.stage == Stage::PerformConfigurationDiff as i32)
                    .flat_map(|s| s.offending_lines.clone())
                    .collect();
                crate::out!(
                    "{}: DiffValidationError. Rotor loaded the intended configuration (with the new\n\
                     password) on the device and asked for the diff against its running configuration.\n\
                     The diff changes more than the password, and Rotor only approves password-only\n\
                     changes on its own, so it left the device untouched: it still has the old password\n\
                     and its configuration is exactly as it was. The lines that are not a password change:",
                    result.resource_id
                );
                for line in &offending {
                    crate::out!("    {line}");
                }
                crate::out!(
                    "  (`rotor device show --fabric {FABRIC} --device {}` shows them too.)\n",
                    result.resource_id
                );
            }
            Ok(ErrorCode::DeviceDisabled) => {
                crate::out!(
                    "{}: DeviceDisabled. The inventory says the device is Disabled, so Rotor never\n\
                     contacted it: no SSH connection, no login attempt. Enable it before rotating.\n",
                    result.resource_id
                );
            }
            _ => crate::out!(
                "{}: {}: {}\n",
                result.resource_id,
                code_name(error.code),
                error.message
            ),
        }
    }
    Ok(())
}

/// Step 4: the drift reverted and the device enabled, the inventory imported again.
async fn fix(
    stack: &LocalStack,
    sim: &rotor_sim::Simulator,
    drifted: &str,
    disabled: &str,
) -> anyhow::Result<()> {
    heading("4. Fix them");
    sim.clear_fault(drifted, FaultKind::Drifted)
        .context("reverting the drift")?;
    crate::out!(
        "An operator reverts the drift on {drifted} (its interface description is back to the\n\
         intended value)."
    );
    sim.clear_fault(disabled, FaultKind::AdministrativeState)
        .context("enabling the device")?;
    stack.import().await?;
    crate::out!(
        "{disabled} is Enabled in the inventory again, and the inventory is re-imported:\n"
    );
    command_line(&format!(
        "rotor inventory import {}",
        stack.inventory_path().display()
    ));
    Ok(())
}

/// Step 5: the resync, after which every device holds the new password; returns the fabric's
/// status.
async fn resync(context: &mut Context) -> anyhow::Result<FabricStatus> {
    heading("5. Resync the fabric");
    paragraph(
        "A resync pushes the current password version (no new one) to every device that does not\n\
         hold it: here, the two that failed.\n",
    );
    command_line(&format!(
        "rotor fabric resync-password --fabric {FABRIC} --wait"
    ));
    let resync = rotate_or_resync(context, RotationKind::FabricResyncPassword).await?;
    ensure!(
        progress_exit(&resync) == Exit::Success,
        "the resync was expected to succeed, but it ended {} ({})",
        state_name(resync.status),
        output::error_text(resync.error.as_ref())
    );
    let fabric = fabric_status(context, &resync.id).await?;
    crate::out!("");
    command_line(&format!("rotor fabric show --fabric {FABRIC}"));
    crate::out!("{}", commands::fabric_fields(&fabric));
    ensure!(
        fabric.unique_password_set_count == 1,
        "the fabric still has {} password sets",
        fabric.unique_password_set_count
    );
    Ok(fabric)
}

/// Step 6: the new password logs in over real SSH, the old one does not; returns the new
/// version.
async fn prove_over_ssh(
    stack: &LocalStack,
    sim: &rotor_sim::Simulator,
    drifted: &str,
) -> anyhow::Result<u32> {
    heading("6. Proof over SSH");
    let path = login_secret_path(FABRIC);
    let (new_password, new_version) = stack
        .secrets
        .read(SECRETS_MOUNT, &path, None)
        .await
        .context("reading the newest password version from OpenBao")?;
    let device = sim.require_device(drifted)?;
    let address = device.address().to_string();
    let host_keys = [device.host_key()];
    let options = rotor_device::ssh::SshOptions::default();
    let session = rotor_device::ssh::Session::connect(
        &address,
        &host_keys,
        "cumulus",
        &new_password,
        &options,
    )
    .await
    .map_err(|e| anyhow!("the new password did not log in to {drifted}: {e}"))?;
    session.close().await;
    drop(new_password);
    crate::out!(
        "Read version {new_version} of {SECRETS_MOUNT}/{path} from OpenBao and logged in to\n\
         {drifted} ({address}) over SSH as cumulus with it: accepted."
    );
    let (old_password, old_version) = stack
        .secrets
        .read(SECRETS_MOUNT, &path, Some(1))
        .await
        .context("reading version 1 from OpenBao")?;
    let old = rotor_device::ssh::Session::connect(
        &address,
        &host_keys,
        "cumulus",
        &old_password,
        &options,
    )
    .await;
    drop(old_password);
    match old {
        Err(rotor_device::DeviceError::AuthenticationFailed { .. }) => crate::out!(
            "Tried version {old_version} (the password before the rotation) the same way: refused."
        ),
        Err(error) => bail!("logging in with the old password failed oddly: {error}"),
        Ok(session) => {
            session.close().await;
            bail!("the old password still logs in to {drifted}");
        }
    }
    Ok(new_version)
}

fn progress_exit(operation: &OperationStatus) -> Exit {
    crate::progress::operation_exit(operation)
}

/// Submits a fabric rotate or resync with `--wait`, printing as the CLI does.
async fn rotate_or_resync(
    context: &mut Context,
    kind: RotationKind,
) -> anyhow::Result<OperationStatus> {
    let request = RotationRequest {
        kind: kind as i32,
        fabric_id: FABRIC.to_string(),
        requested_by: crate::client::requested_by().replace("rotor CLI", "rotor demo"),
        ..Default::default()
    };
    let submitted = commands::submit(context, request, true)
        .await
        .map_err(|e| anyhow!("{e}"))?;
    submitted
        .operation
        .ok_or_else(|| anyhow!("the request was not accepted"))
}

/// The fabric status once it reflects `operation_id` (bounded wait).
async fn fabric_status(context: &mut Context, operation_id: &str) -> anyhow::Result<FabricStatus> {
    let mut client = context.client().await.map_err(|e| anyhow!("{e}"))?;
    let started = Instant::now();
    loop {
        let status = client
            .show_fabric(ShowFabricRequest {
                fabric_id: FABRIC.to_string(),
            })
            .await?
            .into_inner();
        let finished = matches!(
            OperationState::try_from(status.state),
            Ok(OperationState::Succeeded | OperationState::Failed)
        );
        if status.last_operation_id == operation_id && finished {
            return Ok(status);
        }
        if started.elapsed() > Duration::from_secs(30) {
            bail!("the fabric status never showed operation {operation_id}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn device_statuses(
    context: &mut Context,
    fabric: &FabricStatus,
) -> anyhow::Result<Vec<DeviceStatus>> {
    let mut client = context.client().await.map_err(|e| anyhow!("{e}"))?;
    let mut ids: Vec<String> = fabric
        .succeeded_device_ids
        .iter()
        .chain(fabric.failed_device_ids.iter())
        .cloned()
        .collect();
    ids.sort();
    let mut statuses = Vec::new();
    for device_id in ids {
        statuses.push(
            client
                .show_device(ShowDeviceRequest {
                    fabric_id: FABRIC.to_string(),
                    device_id,
                })
                .await?
                .into_inner(),
        );
    }
    Ok(statuses)
}

fn device_table(statuses: &[DeviceStatus], operation: &OperationStatus) -> String {
    let mut table = Table::new(&[
        "DEVICE",
        "PLATFORM",
        "ADMIN STATE",
        "RESULT",
        "PASSWORD",
        "VERSION",
        "ERROR",
    ]);
    for status in statuses {
        let result = operation
            .operations
            .iter()
            .find(|r| r.resource_id == status.device_id);
        let secret = status.secrets.first();
        table.row(vec![
            status.device_id.clone(),
            status.platform.clone(),
            output::administrative_state_name(status.administrative_state).to_string(),
            result
                .map(|r| state_name(r.status).to_string())
                .unwrap_or_else(|| "-".into()),
            secret
                .map(|s| sync_name(s.synchronization_status).to_string())
                .unwrap_or_else(|| "-".into()),
            secret
                .and_then(|s| s.secret_archive_reference.as_ref())
                .map(|r| r.version.to_string())
                .unwrap_or_else(|| "-".into()),
            result
                .and_then(|r| r.error.as_ref())
                .map(|e| code_name(e.code).to_string())
                .unwrap_or_else(|| "-".into()),
        ]);
    }
    table.render()
}

/// The state folder of a demo run (for tests and messages).
pub fn state_dir_for(pid: u32) -> PathBuf {
    std::env::temp_dir().join(format!("rotor-demo-{pid}"))
}
