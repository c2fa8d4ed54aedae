//! `rotor up`: the whole local stack with a simulated fabric, kept running until Ctrl-C or
//! SIGTERM (or until a piece stops), then stopped in order.

use std::path::PathBuf;
use std::time::Duration;

use rotor_stack::LocalStack;
use rotor_stack::services::login_secret_path;

use crate::cli::UpArgs;
use crate::exit::{CliError, Exit};
use crate::signals::StopSignals;

/// The line `rotor up` prints once everything is ready (scripts and tests wait for it).
pub const READY_LINE: &str = "rotor up: ready";

/// Runs `rotor up`: starts a local stack, prints how to reach it and [`READY_LINE`], and stops it
/// on Ctrl-C or SIGTERM.
pub async fn run(arguments: UpArgs) -> Result<Exit, CliError> {
    // Watch the signals first: a Ctrl-C during the start stops what was started.
    let mut signals = StopSignals::watch();
    let state_dir = arguments
        .state_dir
        .clone()
        .unwrap_or_else(|| PathBuf::from(".rotor"));
    let fabrics = crate::cli::fabric_ids(&arguments.fabric, arguments.fabrics);
    eprintln!(
        "rotor up: starting a local Rotor with {} of {} simulated devices (state in {})",
        if fabrics.len() == 1 {
            format!("fabric {}", fabrics[0])
        } else {
            format!("fabrics {}", fabrics.join(", "))
        },
        arguments.devices,
        state_dir.display()
    );
    let builder = LocalStack::builder(&arguments.fabric, arguments.devices as usize, state_dir)
        .platform_mix(arguments.platform_mix)
        .ports(arguments.ports.choice())
        .simulator_in_process(arguments.latency.profile())
        .console(true);
    let start = async {
        let stack = builder
            .start(|started| eprintln!("  started {started}"))
            .await?;
        let imported = stack.import().await?;
        for fabric in &fabrics[1..] {
            stack
                .add_fabric(fabric, arguments.devices as usize, arguments.platform_mix)
                .await?;
            eprintln!("  created and imported fabric {fabric}");
        }
        anyhow::Ok((stack, imported))
    };
    let (mut stack, imported) = tokio::select! {
        started = start => started.map_err(|e| CliError::unavailable(format!("rotor up: {e:#}")))?,
        signal = signals.recv() => {
            eprintln!("rotor up: {signal} during the start; stopped what was started");
            return Ok(Exit::Success);
        }
    };
    print_ready(&stack, imported.device_count, &fabrics);

    let reason = loop {
        tokio::select! {
            signal = signals.recv() => break format!("{signal} received"),
            _ = wait_for_shutdown_request(&stack) => {
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

/// Until the in-process simulator's control interface asks for shutdown.
async fn wait_for_shutdown_request(stack: &LocalStack) {
    match stack.simulator() {
        Some(sim) => sim.wait_for_shutdown_request().await,
        None => std::future::pending().await,
    }
}

fn print_ready(stack: &LocalStack, devices: u32, fabrics: &[String]) {
    let fabric = &stack.fabric_id;
    let (cumulus, nvos) = stack.platform_counts;
    let others = if fabrics.len() > 1 {
        format!(
            "\nAlso simulated: {}, like {fabric} but each with its own password\n(secret/fabrics/<fabric>/AdminRW) and inventory folder ({}/<fabric>).\n",
            fabrics[1..].join(", "),
            stack.inventory_dir.display()
        )
    } else {
        String::new()
    };
    crate::out!(
        "\
Rotor is up: fabric {fabric} has {devices} simulated devices ({cumulus} Cumulus Linux, {nvos} NVOS).
{others}
  Web console         {console}   sign in with the link in {console_link} (mode 0600)
  API (gRPC)          {api}   token ({admin}, every role) in {api_token_file}
  NATS (JetStream)    {nats}   requester {requester} (operator on every fabric), password in {requester_password}
                      administrator NKey seed in {nats_admin}; TLS, CA in {nats_ca}
  OpenBao (dev)       {bao}   token in {token_file}
  Simulator control   {control}   (e.g. curl {control}/fabrics/{fabric}/devices)
  Inventory           {inventory}
  Logs                {logs}
  Metrics             {metrics}
                      Prometheus configuration scraping them: {prometheus_config}

The fabric's password is in OpenBao at secret/{path} (version 1).

To reach this stack (ROTOR_* for rotor, BAO_* and PATH for the bao command):

  export PATH=\"{bao_dir}:$PATH\"
  export ROTOR_SERVER={api}
  export ROTOR_TOKEN=\"$(cat {api_token_file})\"
  export ROTOR_NATS_URL={nats}
  export ROTOR_BAO_ADDR={bao}
  export BAO_ADDR={bao}
  export BAO_TOKEN=\"$(cat {token_file})\"

Try:

  rotor fabric rotate-password --fabric {fabric} --wait
  rotor fabric show --fabric {fabric}
  rotor device show --fabric {fabric} --device {first_device}
  rotor operation list --fabric {fabric}
  rotor events watch --fabric {fabric}
  bao kv metadata get -mount=secret {path}

Press Ctrl-C to stop everything.",
        api = stack.api_url,
        console = stack.console_url.as_deref().unwrap_or("(not running)"),
        console_link = stack.console_link_file().display(),
        admin = rotor_stack::auth::ADMIN_SUBJECT,
        nats = stack.nats_url,
        requester = rotor_stack::nats_users::LOCAL_REQUESTER,
        requester_password = stack
            .nats_users
            .requester_password_file(rotor_stack::nats_users::LOCAL_REQUESTER)
            .map(|path| path.display().to_string())
            .unwrap_or_default(),
        nats_admin = stack.nats_users.admin_seed_file().display(),
        nats_ca = stack.nats_ca_file.display(),
        bao = stack.bao_address,
        bao_dir = stack
            .bao_binary
            .parent()
            .map(|dir| dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf()))
            .unwrap_or_default()
            .display(),
        token_file = stack.state_dir.join("bao-token").display(),
        api_token_file = stack.state_dir.join("api-token").display(),
        control = stack.control_url,
        inventory = stack.inventory_path().display(),
        logs = stack.log_dir.display(),
        metrics = stack
            .metrics
            .iter()
            .map(|t| format!("{} http://{}/metrics", t.instance, t.address))
            .collect::<Vec<_>>()
            .join("\n                      "),
        prometheus_config = stack.prometheus_config.display(),
        path = login_secret_path(fabric),
        first_device = stack
            .simulator()
            .and_then(|sim| sim.fabric_devices(fabric).ok())
            .and_then(|devices| devices.first().map(|d| d.id().to_string()))
            .unwrap_or_else(|| format!("{fabric}-leaf-01")),
    );
    crate::out!("{READY_LINE}");
}
