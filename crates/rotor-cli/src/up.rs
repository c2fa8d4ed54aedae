//! `rotor up`: the whole local stack with a simulated fabric, kept running until Ctrl-C or
//! SIGTERM (or until a piece stops), then stopped in order.

use std::path::PathBuf;
use std::time::Duration;

use crate::cli::UpArgs;
use crate::exit::{CliError, Exit};
use crate::signals::StopSignals;
use crate::stack::{LocalStack, StackOptions, login_secret_path};

/// The line `rotor up` prints once everything is ready (scripts and tests wait for it).
pub const READY_LINE: &str = "rotor up: ready";

pub async fn run(arguments: UpArgs) -> Result<Exit, CliError> {
    // Watch the signals first: a Ctrl-C during the start stops what was started.
    let mut signals = StopSignals::watch();
    let options = StackOptions {
        fabric_id: arguments.fabric.clone(),
        devices: arguments.devices,
        platform_mix: arguments.platform_mix,
        state_dir: arguments
            .state_dir
            .clone()
            .unwrap_or_else(|| PathBuf::from(".rotor")),
        ports: arguments.ports,
        latency: arguments.latency.profile(),
    };
    eprintln!(
        "rotor up: starting a local Rotor with a {}-device simulated fabric {} (state in {})",
        options.devices,
        options.fabric_id,
        options.state_dir.display()
    );
    let start = async {
        let stack = LocalStack::start(&options, |line| eprintln!("  started {line}")).await?;
        let imported = stack.import().await?;
        anyhow::Ok((stack, imported))
    };
    let (mut stack, imported) = tokio::select! {
        started = start => started.map_err(|e| CliError::unavailable(format!("rotor up: {e:#}")))?,
        signal = signals.recv() => {
            eprintln!("rotor up: {signal} during the start; stopped what was started");
            return Ok(Exit::Success);
        }
    };
    print_ready(&stack, imported.device_count);

    let reason = loop {
        tokio::select! {
            signal = signals.recv() => break format!("{signal} received"),
            _ = stack.sim.wait_for_shutdown_request() => {
                break "the simulator's control interface asked for shutdown".to_string();
            }
            _ = tokio::time::sleep(Duration::from_secs(1)) => {
                if let Err(error) = stack.check() {
                    eprintln!("rotor up: {error:#}");
                    eprintln!("rotor up: stopping the rest");
                    stack.shutdown().await;
                    return Ok(Exit::Unavailable);
                }
            }
        }
    };
    eprintln!("rotor up: {reason}; stopping the services, the simulator, NATS and OpenBao");
    let log_dir = stack.log_dir.clone();
    stack.shutdown().await;
    eprintln!("rotor up: stopped (logs kept in {})", log_dir.display());
    Ok(Exit::Success)
}

fn print_ready(stack: &LocalStack, devices: u32) {
    let fabric = &stack.fabric_id;
    let (cumulus, nvos) = stack.platform_counts;
    crate::out!(
        "\
Rotor is up: fabric {fabric} has {devices} simulated devices ({cumulus} Cumulus Linux, {nvos} NVOS).

  API (gRPC)          {api}
  NATS (JetStream)    {nats}
  OpenBao (dev)       {bao}   token in {token_file}
  Simulator control   {control}   (e.g. curl {control}/fabrics/{fabric}/devices)
  Inventory           {inventory}
  Logs                {logs}

The fabric's password is in OpenBao at secret/{path} (version 1). To reach this stack:

  export ROTOR_SERVER={api}
  export ROTOR_NATS_URL={nats}
  export ROTOR_BAO_ADDR={bao}
  export ROTOR_BAO_TOKEN={token}

Try:

  rotor fabric rotate-password --fabric {fabric} --wait
  rotor fabric show --fabric {fabric}
  rotor device show --fabric {fabric} --device {first_device}
  rotor operation list --fabric {fabric}
  rotor events watch --fabric {fabric}

Press Ctrl-C to stop everything.",
        api = stack.api_url,
        nats = stack.nats_url,
        bao = stack.bao_address,
        token = stack.bao_token,
        token_file = stack.state_dir.join("bao-token").display(),
        control = stack.control_url,
        inventory = stack.inventory_path().display(),
        logs = stack.log_dir.display(),
        path = login_secret_path(fabric),
        first_device = stack
            .sim
            .fabric_devices(fabric)
            .ok()
            .and_then(|devices| devices.first().map(|d| d.id().to_string()))
            .unwrap_or_else(|| format!("{fabric}-leaf-01")),
    );
    crate::out!("{READY_LINE}");
}
