//! A whole local Rotor, as `rotor up` and `rotor demo` run it: `nats-server` with JetStream and
//! an OpenBao dev server as child processes, the five service binaries as child processes, and
//! a simulated fabric in this process, with its initial password in OpenBao and its inventory
//! imported through the API.
//!
//! Every child runs under a guard ([`rotor_harness::GuardedProcess::spawn_watched`]) that kills
//! it when this process goes away for any reason (its standard input, a pipe from us, closes),
//! so nothing outlives `rotor up`, even after `kill -9`.
//!
//! Invariant: the fabric's initial password is generated here, written to OpenBao and turned
//! into `$6$` hashes for the simulator; it is never printed or logged.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context as _, anyhow, bail};
use rotor_harness::GuardedProcess;
use rotor_proto::v1::{ImportInventoryResponse, ShowFabricRequest};
use rotor_secrets::{PasswordPolicy, SecretsClient, SecretsSettings, render_hash};
use rotor_sim::{ExportOptions, FabricSpec, Platform, PlatformMix, SimConfig, Simulator};

use crate::cli::PortsMode;
use crate::client::{self, Client};

pub use rotor_harness::local::{SECRETS_MOUNT, SERVICES, login_secret_path};
use rotor_harness::local::{
    ServiceTargets, bao_dev_args, http_status, log_tail, nats_config, nats_greets, random_hex,
    service_env,
};

/// What to start.
#[derive(Clone, Debug)]
pub struct StackOptions {
    pub fabric_id: String,
    pub devices: u32,
    pub platform_mix: PlatformMix,
    pub state_dir: PathBuf,
    pub ports: PortsMode,
    /// How long the simulated switches take to answer.
    pub latency: rotor_sim::LatencyProfile,
}

/// The ports of one stack.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ports {
    pub nats: u16,
    pub bao: u16,
    pub api: u16,
    pub control: u16,
}

impl Ports {
    pub const DEFAULT: Ports = Ports {
        nats: 4222,
        bao: 8200,
        api: 50051,
        control: 50052,
    };

    /// The well-known ports (each checked free, a busy one named) or four free ones.
    pub fn choose(mode: PortsMode) -> anyhow::Result<Ports> {
        match mode {
            PortsMode::Default => {
                let ports = Ports::DEFAULT;
                for (port, what) in [
                    (ports.nats, "NATS"),
                    (ports.bao, "OpenBao"),
                    (ports.api, "the Rotor API"),
                    (ports.control, "the simulator's control interface"),
                ] {
                    if let Err(error) = TcpListener::bind(("127.0.0.1", port)) {
                        bail!(
                            "port {port} (for {what}) is busy: {error}; stop what listens there (another `rotor up`?) or run `rotor up --ports auto`"
                        );
                    }
                }
                Ok(ports)
            }
            PortsMode::Auto => {
                // Hold all four at once so they differ.
                let listeners: Vec<TcpListener> = (0..4)
                    .map(|_| TcpListener::bind("127.0.0.1:0"))
                    .collect::<Result<_, _>>()
                    .context("no free loopback port")?;
                let port = |i: usize| listeners[i].local_addr().map(|a| a.port());
                Ok(Ports {
                    nats: port(0)?,
                    bao: port(1)?,
                    api: port(2)?,
                    control: port(3)?,
                })
            }
        }
    }
}

/// Where the stack's executables are.
#[derive(Debug)]
struct Binaries {
    nats: PathBuf,
    bao: PathBuf,
    /// (service, executable), in [`SERVICES`] order.
    services: Vec<(String, PathBuf)>,
}

/// Every executable the stack needs, or one error naming each missing one and how to get it.
fn find_binaries() -> anyhow::Result<Binaries> {
    let mut missing = Vec::new();
    let nats = rotor_harness::try_find_binary("nats-server");
    let bao = rotor_harness::try_find_binary("bao");
    for (name, found) in [("nats-server", &nats), ("bao", &bao)] {
        if found.is_none() {
            missing.push(format!(
                "{name} (looked in {} and on PATH; run `make bootstrap`)",
                rotor_harness::tools_dir().display()
            ));
        }
    }
    let mut services = Vec::new();
    for service in SERVICES {
        let name = format!("rotor-{service}");
        match rotor_harness::local::sibling_binary(&name) {
            Some(path) => services.push((service.to_string(), path)),
            None => missing.push(format!(
                "{name} (looked next to this rotor and on PATH; build it with `cargo build --workspace --bins`, which `make build` runs)"
            )),
        }
    }
    match (nats, bao) {
        (Some(nats), Some(bao)) if missing.is_empty() => Ok(Binaries {
            nats,
            bao,
            services,
        }),
        _ => bail!("missing executables: {}", missing.join("; ")),
    }
}

/// Whether nothing listens on a loopback port any more.
pub fn port_is_closed(port: u16) -> bool {
    TcpStream::connect_timeout(
        &SocketAddr::from(([127, 0, 0, 1], port)),
        Duration::from_millis(200),
    )
    .is_err()
}

/// A child process of the stack, with the name errors use.
#[derive(Debug)]
struct Child {
    name: String,
    process: GuardedProcess,
}

impl Child {
    fn start(
        name: &str,
        program: &Path,
        args: &[String],
        log: PathBuf,
        env: &[(&str, &str)],
    ) -> Child {
        Child {
            name: name.to_string(),
            process: GuardedProcess::spawn_watched(name, program, args, log, env),
        }
    }

    fn failure(&self, what: &str) -> anyhow::Error {
        let path = self.process.log_path();
        anyhow!(
            "{} {what}; its log is {}, ending with:\n{}",
            self.name,
            path.display(),
            log_tail(path, 15)
        )
    }

    /// Polls `ready` (bounded) until it holds; fails naming the piece and its log.
    async fn wait_ready(
        &mut self,
        limit: Duration,
        mut ready: impl FnMut() -> bool,
    ) -> anyhow::Result<()> {
        let started = Instant::now();
        loop {
            if ready() {
                return Ok(());
            }
            if !self.process.is_running() {
                return Err(self.failure("stopped while starting"));
            }
            if started.elapsed() > limit {
                return Err(self.failure(&format!("was not ready within {} s", limit.as_secs())));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// A running local stack. Dropping it stops every child process (services first).
#[derive(Debug)]
pub struct LocalStack {
    services: Vec<Child>,
    servers: Vec<Child>,
    pub sim: Simulator,
    pub secrets: SecretsClient,
    pub fabric_id: String,
    pub ports: Ports,
    pub nats_url: String,
    pub bao_address: String,
    pub bao_token: String,
    pub api_url: String,
    pub control_url: String,
    pub state_dir: PathBuf,
    pub log_dir: PathBuf,
    pub inventory_dir: PathBuf,
    /// (cumulus, nvos) device counts.
    pub platform_counts: (usize, usize),
}

impl LocalStack {
    /// Starts everything and creates the simulated fabric (not yet imported: call
    /// [`LocalStack::import`]). `say` hears one line per piece as it comes up.
    pub async fn start(
        options: &StackOptions,
        mut say: impl FnMut(&str),
    ) -> anyhow::Result<LocalStack> {
        rotor_inventory::check_name(&options.fabric_id)
            .map_err(|problem| anyhow!("--fabric {problem}"))?;
        let binaries = find_binaries()?;
        let ports = Ports::choose(options.ports)?;
        let state_dir = absolute(&options.state_dir)?;
        let log_dir = state_dir.join("logs");
        let nats_dir = state_dir.join("nats");
        let bao_dir = state_dir.join("bao");
        let inventory_dir = state_dir.join("inventory");
        for dir in [&nats_dir, &inventory_dir] {
            if dir.exists() {
                std::fs::remove_dir_all(dir)
                    .with_context(|| format!("cannot empty {}", dir.display()))?;
            }
        }
        for dir in [&log_dir, &nats_dir, &bao_dir, &inventory_dir] {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
        }

        // NATS with JetStream.
        let nats_config_file = nats_dir.join("nats.conf");
        std::fs::write(
            &nats_config_file,
            nats_config(ports.nats, "rotor-local", &nats_dir.join("store"), "4GB"),
        )
        .with_context(|| format!("cannot write {}", nats_config_file.display()))?;
        let mut nats = Child::start(
            "nats-server",
            &binaries.nats,
            &["-c".to_string(), nats_config_file.display().to_string()],
            log_dir.join("nats-server.log"),
            &[],
        );
        let nats_url = format!("nats://127.0.0.1:{}", ports.nats);
        // OpenBao's dev server, in parallel.
        let bao_token = format!(
            "rotor-dev-{}",
            random_hex(12).context("reading /dev/urandom")?
        );
        let bao_home = bao_dir.display().to_string();
        let mut bao = Child::start(
            "OpenBao (bao server -dev)",
            &binaries.bao,
            &bao_dev_args(&bao_token, ports.bao),
            log_dir.join("openbao.log"),
            &[("HOME", bao_home.as_str()), ("BAO_LOG_LEVEL", "warn")],
        );
        let bao_address = format!("http://127.0.0.1:{}", ports.bao);
        let nats_port = ports.nats;
        nats.wait_ready(Duration::from_secs(20), || nats_greets(nats_port))
            .await?;
        say(&format!("NATS (JetStream)   {nats_url}"));
        let bao_port = ports.bao;
        bao.wait_ready(Duration::from_secs(30), || {
            http_status(bao_port, "/v1/sys/health") == Some(200)
        })
        .await?;
        say(&format!("OpenBao (dev)      {bao_address}"));
        let servers = vec![nats, bao];
        std::fs::write(state_dir.join("bao-token"), format!("{bao_token}\n"))
            .context("cannot write the OpenBao token file")?;

        // The fabric's current password: in OpenBao (version 1) and, as hashes, on every device.
        let secrets = SecretsClient::connect(&SecretsSettings::new(&bao_address, &bao_token))
            .await
            .context("OpenBao answers its health check but not a client")?;
        let path = login_secret_path(&options.fabric_id);
        let password = PasswordPolicy::default().generate()?;
        let version = secrets
            .write(SECRETS_MOUNT, &path, &password)
            .await
            .context("writing the fabric's initial password to OpenBao")?;
        let monitor = PasswordPolicy::default().generate()?;
        let mut spec = FabricSpec::new(&options.fabric_id, options.devices as usize)
            .with_user(
                Platform::Cumulus,
                "cumulus",
                render_hash(&password, &path, version, "cumulus").as_crypt(),
            )
            .with_user(
                Platform::Nvos,
                "admin",
                render_hash(&password, &path, version, "admin").as_crypt(),
            )
            .with_user(
                Platform::Nvos,
                "monitor",
                render_hash(&monitor, "monitor", 1, "monitor").as_crypt(),
            );
        drop((password, monitor));
        spec.platform_mix = options.platform_mix;
        let platform_counts = options.platform_mix.counts(options.devices as usize);
        let sim = Simulator::start(SimConfig {
            control_address: Some(SocketAddr::from(([127, 0, 0, 1], ports.control))),
            latency: options.latency,
            ..SimConfig::default()
        })
        .await
        .context("starting the simulator")?;
        sim.create_fabric(spec)
            .context("creating the simulated fabric")?;
        let control_url = format!("http://127.0.0.1:{}", ports.control);
        say(&format!(
            "Simulator          {control_url} (control), fabric {}: {} devices",
            options.fabric_id, options.devices
        ));

        // The services.
        let api_listen = format!("127.0.0.1:{}", ports.api);
        let targets = ServiceTargets {
            nats_url: &nats_url,
            bao_address: &bao_address,
            bao_token: &bao_token,
            api_listen: &api_listen,
        };
        let mut services = Vec::new();
        for (service, binary) in &binaries.services {
            let instance = format!("{service}-0");
            let env = service_env(targets, service, &instance);
            services.push(Child::start(
                &format!("rotor-{service}"),
                binary,
                &[],
                log_dir.join(format!("rotor-{service}.log")),
                &env,
            ));
        }
        let api_url = format!("http://{api_listen}");
        let mut stack = LocalStack {
            services,
            servers,
            sim,
            secrets,
            fabric_id: options.fabric_id.clone(),
            ports,
            nats_url,
            bao_address,
            bao_token,
            api_url,
            control_url,
            state_dir,
            log_dir,
            inventory_dir,
            platform_counts,
        };
        stack.wait_for_api().await?;
        say(&format!(
            "Rotor services     {} (API), logs in {}",
            stack.api_url,
            stack.log_dir.display()
        ));
        Ok(stack)
    }

    /// Waits (bounded) until the API answers, failing early if a service stops.
    async fn wait_for_api(&mut self) -> anyhow::Result<()> {
        let started = Instant::now();
        loop {
            if let Ok(mut client) = client::connect(&self.api_url).await {
                let answer = client
                    .show_fabric(ShowFabricRequest {
                        fabric_id: self.fabric_id.clone(),
                    })
                    .await;
                match answer {
                    Ok(_) => return Ok(()),
                    Err(status) if status.code() != tonic::Code::Unavailable => return Ok(()),
                    Err(_) => {}
                }
            }
            self.check()?;
            if started.elapsed() > Duration::from_secs(60) {
                let orchestrator = &self.services[0];
                return Err(orchestrator.failure(&format!(
                    "did not serve the API on {} within 60 s",
                    self.api_url
                )));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// An error naming the first child process that is no longer running.
    pub fn check(&mut self) -> anyhow::Result<()> {
        for child in self.services.iter_mut().chain(self.servers.iter_mut()) {
            if !child.process.is_running() {
                return Err(child.failure("stopped"));
            }
        }
        Ok(())
    }

    pub async fn client(&self) -> anyhow::Result<Client> {
        client::connect(&self.api_url)
            .await
            .map_err(|e| anyhow!("{e}"))
    }

    /// The inventory file the stack exported.
    pub fn inventory_path(&self) -> PathBuf {
        self.inventory_dir.join("inventory.yaml")
    }

    /// Exports the simulated fabric's inventory (with each device's administrative state as
    /// the simulator holds it) to the state folder and imports it through the API, as
    /// `rotor inventory import` does. Retries (bounded) while a finishing operation still holds
    /// the fabric lock.
    pub async fn import(&self) -> anyhow::Result<ImportInventoryResponse> {
        self.sim
            .export_inventory(
                &self.fabric_id,
                &self.inventory_dir,
                &ExportOptions::default(),
            )
            .context("exporting the simulated fabric's inventory")?;
        let request =
            crate::commands::load_inventory(&self.inventory_path()).map_err(|e| anyhow!("{e}"))?;
        let mut client = self.client().await?;
        let started = Instant::now();
        loop {
            match client.import_inventory(request.clone()).await {
                Ok(response) => return Ok(response.into_inner()),
                Err(status)
                    if status.code() == tonic::Code::FailedPrecondition
                        && started.elapsed() < Duration::from_secs(30) =>
                {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(status) => bail!("importing the inventory: {}", status.message()),
            }
        }
    }

    /// Stops the services, then the simulator, then NATS and OpenBao; waits for each.
    pub async fn shutdown(mut self) {
        stop_all(&mut self.services);
        self.sim.shutdown().await;
        stop_all(&mut self.servers);
    }
}

/// Asks every process to stop at once, then waits for each.
fn stop_all(children: &mut [Child]) {
    for child in children.iter_mut() {
        child.process.begin_stop();
    }
    for child in children.iter_mut() {
        child.process.stop();
    }
}

impl Drop for LocalStack {
    fn drop(&mut self) {
        stop_all(&mut self.services);
        stop_all(&mut self.servers);
    }
}

fn absolute(path: &Path) -> anyhow::Result<PathBuf> {
    if path.is_absolute() {
        Ok(path.to_path_buf())
    } else {
        Ok(std::env::current_dir()
            .context("the current directory is not readable")?
            .join(path))
    }
}
