//! [`LocalStack`]: a whole Rotor of child processes, started in order by [`StackBuilder`]:
//! `nats-server` and OpenBao's dev server (in parallel, each waited for with its probe), the
//! fabric's first password into OpenBao, the simulator with the fabric (in this process, or as a
//! `rotor-sim` process), the services (any number of copies of each worker kind, extra
//! environment), and a wait until the API answers. It stops in the reverse order: services, then
//! the simulator, then the servers.
//!
//! State folder layout: `logs/` (one log per process), `nats/` (configuration and JetStream
//! store, emptied at start), `bao/` (the dev server's home), `inventory/` (the exported fabric,
//! emptied at start), `bao-token` (the dev server's root token, for the user's own clients),
//! `approle/` (each service kind's AppRole secret id, mode 0600) and,
//! with the simulator as a process, `sim-ready.json` (and, only while it starts, `users.yaml`
//! with the devices' hashes); with the web console, `console-link` (mode 0600: the console's
//! address with the administrator's token as a sign-in link).

use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rotor_proto::v1::{ImportInventoryRequest, ImportInventoryResponse, ShowFabricRequest};
use rotor_secrets::{SecretsClient, SecretsSettings};
use rotor_sim::{ExportOptions, FabricSpec, LatencyProfile, PlatformMix, SimConfig, Simulator};

use crate::StackError;
use crate::api::{self, Client};
use crate::auth::{LocalAuth, write_private};
use crate::bao_setup::{self, TokenTtls};
use crate::binaries::{Binaries, DEFAULT_BUILD_HINT};
use crate::metrics::MetricsTarget;
use crate::nats_users::{LOCAL_REQUESTER, NatsUsers};
use crate::ports::{PortChoice, Ports};
use crate::process::GuardedProcess;
use crate::servers::{
    BAO_READY_WITHIN, NATS_READY_WITHIN, bao_dev_args, bao_dev_env, bao_is_healthy, nats_args,
    nats_config, nats_greets, random_hex,
};
use crate::services::{SERVICES, ServiceTargets, service_env};
use crate::simulator;
use crate::tls::{LocalCa, nats_tls_config};

/// How long the services may take until the API answers.
const API_READY_WITHIN: Duration = Duration::from_secs(60);

/// How long the console may take until it serves its page.
const CONSOLE_READY_WITHIN: Duration = Duration::from_secs(30);

/// How long an import retries while a finishing operation still holds the fabric lock.
const IMPORT_RETRY_WITHIN: Duration = Duration::from_secs(30);

/// The order processes stop in (and are checked in): services, simulator, servers.
const STOP_ORDER: [&[Role]; 3] = [
    &[Role::Rotor],
    &[Role::Simulator],
    &[Role::Broker, Role::Secrets],
];

/// What a child process of a stack is: when it stops, and which CPU column the benchmark puts
/// it in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Role {
    /// One of Rotor's five services.
    Rotor,
    /// nats-server.
    Broker,
    /// OpenBao.
    Secrets,
    /// rotor-sim: on a real fabric this work runs on the switches.
    Simulator,
}

/// One child process of a local stack.
#[derive(Debug)]
pub struct StackProcess {
    name: String,
    role: Role,
    process: GuardedProcess,
}

impl StackProcess {
    /// Starts `program` as `name` (also its log's name, in `log_dir`), called `described_as` in
    /// messages.
    fn spawn(
        name: &str,
        described_as: &str,
        role: Role,
        program: &Path,
        args: &[String],
        log_dir: &Path,
        env: &[(&str, &str)],
    ) -> StackProcess {
        let log = log_dir.join(format!("{name}.log"));
        StackProcess {
            name: name.to_string(),
            role,
            process: GuardedProcess::spawn_watched(described_as, program, args, log, env),
        }
    }

    /// Its short name, also its log's: `nats-server`, `openbao`, `rotor-sim`, `rotor-differ` (or
    /// `rotor-differ-0` when numbered).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// What it is.
    pub fn role(&self) -> Role {
        self.role
    }

    /// The guarded process (its program, log, guard's process id).
    pub fn process(&self) -> &GuardedProcess {
        &self.process
    }
}

/// A piece of the stack that has come up, as [`StackBuilder::start`] reports it; its `Display`
/// is the line `rotor up` prints after "started".
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Started {
    /// NATS greets.
    Nats {
        /// Its URL.
        url: String,
    },
    /// OpenBao is healthy.
    OpenBao {
        /// Its address.
        address: String,
    },
    /// The simulator runs the fabric.
    Simulator {
        /// Its control interface.
        control_url: String,
        /// The fabric.
        fabric_id: String,
        /// Its devices.
        devices: usize,
    },
    /// Where the services serve their metrics, and a Prometheus configuration scraping them.
    Metrics {
        /// Each service copy's instance name and metrics address.
        addresses: Vec<(String, std::net::SocketAddr)>,
        /// The Prometheus configuration file.
        prometheus_config: PathBuf,
    },
    /// The services run and the API answers.
    Services {
        /// The API.
        api_url: String,
        /// Where every process logs.
        log_dir: PathBuf,
    },
    /// The web console answers.
    Console {
        /// Its address.
        url: String,
        /// The sign-in link's file.
        link_file: PathBuf,
    },
}

impl fmt::Display for Started {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Started::Nats { url } => write!(f, "NATS (JetStream)   {url}"),
            Started::OpenBao { address } => write!(f, "OpenBao (dev)      {address}"),
            Started::Simulator {
                control_url,
                fabric_id,
                devices,
            } => write!(
                f,
                "Simulator          {control_url} (control), fabric {fabric_id}: {devices} devices"
            ),
            Started::Metrics {
                addresses,
                prometheus_config,
            } => {
                let list: Vec<String> = addresses
                    .iter()
                    .map(|(instance, address)| format!("{instance} http://{address}/metrics"))
                    .collect();
                write!(
                    f,
                    "Metrics            {}; Prometheus configuration {}",
                    list.join(", "),
                    prometheus_config.display()
                )
            }
            Started::Services { api_url, log_dir } => write!(
                f,
                "Rotor services     {api_url} (API), logs in {}",
                log_dir.display()
            ),
            Started::Console { url, link_file } => write!(
                f,
                "Web console        {url} (sign-in link in {})",
                link_file.display()
            ),
        }
    }
}

/// Where the simulator runs.
#[derive(Clone, Debug)]
enum SimulatorMode {
    /// In this process, with this latency: the caller can reach the devices and set faults.
    InProcess(LatencyProfile),
    /// As `rotor-sim` with this latency profile's name.
    Process(String),
}

/// An extra `ROTOR_*` setting for one service (or, without one, for all).
#[derive(Clone, Debug)]
struct ExtraSetting {
    service: Option<String>,
    key: String,
    value: String,
}

/// What a [`LocalStack`] is made of; [`StackBuilder::start`] starts it.
#[derive(Clone, Debug)]
pub struct StackBuilder {
    fabric_id: String,
    devices: usize,
    state_dir: PathBuf,
    platform_mix: PlatformMix,
    ports: PortChoice,
    simulator: SimulatorMode,
    copies: BTreeMap<String, usize>,
    settings: Vec<ExtraSetting>,
    numbered_instances: bool,
    nats_max_file_store: String,
    build_hint: String,
    console: bool,
}

impl StackBuilder {
    /// The platforms' weights (default: Cumulus Linux only).
    pub fn platform_mix(mut self, mix: PlatformMix) -> StackBuilder {
        self.platform_mix = mix;
        self
    }

    /// The well-known ports or free ones (the default).
    pub fn ports(mut self, choice: PortChoice) -> StackBuilder {
        self.ports = choice;
        self
    }

    /// The simulator runs in this process (the default, with no latency), reachable through
    /// [`LocalStack::simulator`].
    pub fn simulator_in_process(mut self, latency: LatencyProfile) -> StackBuilder {
        self.simulator = SimulatorMode::InProcess(latency);
        self
    }

    /// The simulator runs as a `rotor-sim` process with the named latency profile (`none` or
    /// `realistic`), exporting the fabric's inventory at start.
    pub fn simulator_process(mut self, latency: &str) -> StackBuilder {
        self.simulator = SimulatorMode::Process(latency.to_string());
        self
    }

    /// How many copies of a service run (default 1 each).
    ///
    /// # Panics
    /// If `service` is not one of [`SERVICES`], or asks for other than one orchestrator (the
    /// API has one port).
    pub fn copies(mut self, service: &str, copies: usize) -> StackBuilder {
        assert!(SERVICES.contains(&service), "no service {service:?}");
        assert!(
            service != "orchestrator" || copies == 1,
            "a local stack runs one orchestrator"
        );
        self.copies.insert(service.to_string(), copies);
        self
    }

    /// One more setting (`ROTOR_*`) for every service; later ones win.
    pub fn env(mut self, key: &str, value: &str) -> StackBuilder {
        self.settings.push(ExtraSetting {
            service: None,
            key: key.to_string(),
            value: value.to_string(),
        });
        self
    }

    /// One more setting for every copy of one service.
    ///
    /// # Panics
    /// If `service` is not one of [`SERVICES`].
    pub fn service_env(mut self, service: &str, key: &str, value: &str) -> StackBuilder {
        assert!(SERVICES.contains(&service), "no service {service:?}");
        self.settings.push(ExtraSetting {
            service: Some(service.to_string()),
            key: key.to_string(),
            value: value.to_string(),
        });
        self
    }

    /// Names every service process and log after its instance (`rotor-differ-0`) even when it
    /// is the only copy; by default a single copy is `rotor-differ`.
    pub fn numbered_instances(mut self, numbered: bool) -> StackBuilder {
        self.numbered_instances = numbered;
        self
    }

    /// JetStream's file store limit (default `4GB`).
    pub fn nats_max_file_store(mut self, limit: &str) -> StackBuilder {
        self.nats_max_file_store = limit.to_string();
        self
    }

    /// Runs the web console (`rotor-console`) too, once the API answers (default: not).
    pub fn console(mut self, console: bool) -> StackBuilder {
        self.console = console;
        self
    }

    /// How a missing Rotor binary is built, for the error (default [`DEFAULT_BUILD_HINT`]).
    pub fn build_hint(mut self, hint: &str) -> StackBuilder {
        self.build_hint = hint.to_string();
        self
    }

    /// Starts everything; the fabric is created but not imported yet (call
    /// [`LocalStack::import`]). `say` hears of each piece as it comes up. On an error, whatever
    /// was started is stopped again.
    pub async fn start(self, mut say: impl FnMut(Started)) -> Result<LocalStack, StackError> {
        rotor_inventory::check_name(&self.fabric_id).map_err(StackError::InvalidFabric)?;
        let with_sim = matches!(self.simulator, SimulatorMode::Process(_));
        let binaries = Binaries::find(with_sim, self.console, &self.build_hint)?;
        let ports = Ports::choose(self.ports)?;
        let dirs = StateDirs::prepare(&self.state_dir)?;
        let mut processes = Vec::new();
        let servers = self
            .start_servers(&binaries, ports, &dirs, &mut processes, &mut say)
            .await?;
        let secrets = SecretsClient::connect(&SecretsSettings::new(
            &servers.bao_address,
            &servers.bao_token,
        ))
        .await
        .map_err(StackError::SecretsClient)?;
        let mut spec = FabricSpec::new(&self.fabric_id, self.devices);
        spec.platform_mix = self.platform_mix;
        let spec = simulator::seed_fabric_password(&secrets, spec).await?;
        let bao_logins =
            bao_setup::service_logins(&secrets, &dirs.root.join("approle"), TokenTtls::default())
                .await?;
        let sim = self
            .start_simulator(&binaries, spec, ports, &dirs, &mut processes)
            .await?;
        let control_url = format!("http://127.0.0.1:{}", ports.control);
        say(Started::Simulator {
            control_url: control_url.clone(),
            fabric_id: self.fabric_id.clone(),
            devices: self.devices,
        });
        let api_listen = format!("127.0.0.1:{}", ports.api);
        let auth_dir = dirs.root.join("auth");
        // The local requester may rotate and resync every fabric over the bus.
        let requester = rotor_auth::Grant {
            subject: format!("nats:{LOCAL_REQUESTER}"),
            fabrics: vec!["*".into()],
            roles: vec![rotor_auth::Role::Operator],
        };
        let auth = LocalAuth::create(&auth_dir, vec![requester])
            .map_err(StackError::files("write", &auth_dir))?;
        let api_token = auth.admin_token();
        write_private(&dirs.root.join("api-token"), &format!("{api_token}\n"))
            .map_err(StackError::files("write", &dirs.root.join("api-token")))?;
        let [(_, keys_file), (_, policy_file)] = auth.settings();
        // The name StackProcess gives NATS's log.
        let nats_log = dirs.logs.join("nats-server.log").display().to_string();
        let targets = ServiceTargets {
            nats_url: &servers.nats_url,
            bao_address: &servers.bao_address,
            bao_logins: &bao_logins,
            api_listen: &api_listen,
            auth_files: (&keys_file, &policy_file),
            nats_users: Some(&servers.nats_users),
            nats_ca_file: servers.nats_ca_file.to_str(),
            nats_log: Some(&nats_log),
        };
        let metrics = self.start_services(&binaries, targets, ports, &dirs.logs, &mut processes)?;
        let prometheus_config = dirs.root.join("prometheus.yml");
        write_file(
            &prometheus_config,
            &crate::metrics::prometheus_config(&metrics, "15s", None),
        )?;
        let mut stack = LocalStack {
            processes,
            sim,
            platform_counts: self.platform_mix.counts(self.devices),
            fabric_id: self.fabric_id,
            devices: self.devices,
            secrets,
            ports,
            nats_url: servers.nats_url,
            nats_users: servers.nats_users,
            nats_ca_file: servers.nats_ca_file,
            bao_address: servers.bao_address,
            bao_token: servers.bao_token,
            bao_binary: binaries.bao.clone(),
            api_url: format!("http://{api_listen}"),
            api_token,
            auth,
            control_url,
            console_url: None,
            state_dir: dirs.root,
            log_dir: dirs.logs,
            inventory_dir: dirs.inventory,
            metrics,
            prometheus_config,
        };
        stack.wait_for_api().await?;
        say(Started::Services {
            api_url: stack.api_url.clone(),
            log_dir: stack.log_dir.clone(),
        });
        say(Started::Metrics {
            addresses: stack
                .metrics
                .iter()
                .map(|t| (t.instance.clone(), t.address))
                .collect(),
            prometheus_config: stack.prometheus_config.clone(),
        });
        if let Some(console) = &binaries.console {
            stack.start_console(console).await?;
            say(Started::Console {
                url: stack.console_url.clone().unwrap_or_default(),
                link_file: stack.console_link_file(),
            });
        }
        Ok(stack)
    }

    /// NATS and OpenBao, started together and waited for in turn; writes the token file.
    async fn start_servers(
        &self,
        binaries: &Binaries,
        ports: Ports,
        dirs: &StateDirs,
        processes: &mut Vec<StackProcess>,
        say: &mut impl FnMut(Started),
    ) -> Result<Servers, StackError> {
        let config_file = dirs.nats.join("nats.conf");
        let users_dir = dirs.root.join("nats-users");
        let nats_users = NatsUsers::create(&users_dir, &[(LOCAL_REQUESTER, vec!["*".into()])])
            .map_err(StackError::files("write", &users_dir))?;
        let mut config = nats_config(
            ports.nats,
            "rotor-local",
            &dirs.nats.join("store"),
            &self.nats_max_file_store,
        );
        config.push_str(&nats_users.accounts_config());
        // TLS with a certificate of a CA made for this stack (`ca.pem` is what clients trust).
        let nats_ca_file = dirs.root.join("ca.pem");
        let ca = LocalCa::new("rotor local stack CA")
            .map_err(|e| StackError::files("write", &nats_ca_file)(std::io::Error::other(e)))?;
        ca.write_pem(&nats_ca_file)
            .map_err(StackError::files("write", &nats_ca_file))?;
        let certificate = ca
            .issue(&dirs.nats, "nats", &["localhost", "127.0.0.1"])
            .map_err(StackError::files("write", &dirs.nats))?;
        config.push_str(&nats_tls_config(&certificate));
        write_private(&config_file, &config).map_err(StackError::files("write", &config_file))?;
        let mut nats = StackProcess::spawn(
            "nats-server",
            "nats-server",
            Role::Broker,
            &binaries.nats,
            &nats_args(&config_file),
            &dirs.logs,
            &[],
        );
        let token = format!("rotor-dev-{}", random_hex(12).map_err(StackError::Random)?);
        let home = dirs.bao.display().to_string();
        let mut bao = StackProcess::spawn(
            "openbao",
            "OpenBao (bao server -dev)",
            Role::Secrets,
            &binaries.bao,
            &bao_dev_args(ports.bao),
            &dirs.logs,
            &bao_dev_env(&token, &home),
        );
        let servers = Servers {
            nats_url: format!("nats://127.0.0.1:{}", ports.nats),
            bao_address: format!("http://127.0.0.1:{}", ports.bao),
            bao_token: token,
            nats_users,
            nats_ca_file,
        };
        let probe = ports.nats;
        nats.process
            .wait_ready(NATS_READY_WITHIN, || nats_greets(probe))
            .await?;
        say(Started::Nats {
            url: servers.nats_url.clone(),
        });
        let probe = ports.bao;
        bao.process
            .wait_ready(BAO_READY_WITHIN, || bao_is_healthy(probe))
            .await?;
        say(Started::OpenBao {
            address: servers.bao_address.clone(),
        });
        processes.extend([nats, bao]);
        write_file(
            &dirs.root.join("bao-token"),
            &format!("{}\n", servers.bao_token),
        )?;
        Ok(servers)
    }

    /// The simulator with the fabric: in this process (returned), or as a process (added to
    /// `processes`).
    async fn start_simulator(
        &self,
        binaries: &Binaries,
        spec: FabricSpec,
        ports: Ports,
        dirs: &StateDirs,
        processes: &mut Vec<StackProcess>,
    ) -> Result<Option<Simulator>, StackError> {
        match &self.simulator {
            SimulatorMode::InProcess(latency) => {
                let sim = Simulator::start(SimConfig {
                    control_address: Some(SocketAddr::from(([127, 0, 0, 1], ports.control))),
                    latency: *latency,
                    ..SimConfig::default()
                })
                .await
                .map_err(|source| StackError::Simulator {
                    what: "starting the simulator",
                    source,
                })?;
                sim.create_fabric(spec)
                    .map_err(|source| StackError::Simulator {
                        what: "creating the simulated fabric",
                        source,
                    })?;
                Ok(Some(sim))
            }
            SimulatorMode::Process(latency) => {
                let binary = binaries
                    .sim
                    .as_deref()
                    .expect("Binaries::find looked for rotor-sim");
                let process =
                    simulator::start_process(binary, &spec, latency, ports.control, &dirs.root)
                        .await?;
                processes.push(StackProcess {
                    name: "rotor-sim".to_string(),
                    role: Role::Simulator,
                    process,
                });
                Ok(None)
            }
        }
    }

    /// Every copy of every service, in [`SERVICES`] order, each serving metrics (the first
    /// copy of each on its port of `ports`, the others on free ones); where they do.
    fn start_services(
        &self,
        binaries: &Binaries,
        targets: ServiceTargets<'_>,
        ports: Ports,
        log_dir: &Path,
        processes: &mut Vec<StackProcess>,
    ) -> Result<Vec<MetricsTarget>, StackError> {
        let mut metrics = Vec::new();
        for (service, binary) in &binaries.services {
            let index = SERVICES.iter().position(|s| s == service).unwrap_or(0);
            let copies = self.copies.get(*service).copied().unwrap_or(1);
            for copy in 0..copies {
                let instance = format!("{service}-{copy}");
                let name = if copies == 1 && !self.numbered_instances {
                    format!("rotor-{service}")
                } else {
                    format!("rotor-{instance}")
                };
                let port = match copy {
                    0 => ports.metrics[index],
                    _ => crate::ports::free_port()?,
                };
                let address = std::net::SocketAddr::from(([127, 0, 0, 1], port));
                let metrics_address = address.to_string();
                let mut env = service_env(targets, service, &instance);
                env.push(("ROTOR_METRICS_ADDRESS", metrics_address.as_str()));
                env.extend(
                    self.settings
                        .iter()
                        .filter(|s| s.service.as_deref().is_none_or(|only| only == *service))
                        .map(|s| (s.key.as_str(), s.value.as_str())),
                );
                processes.push(StackProcess::spawn(
                    &name,
                    &name,
                    Role::Rotor,
                    binary,
                    &[],
                    log_dir,
                    &env,
                ));
                metrics.push(MetricsTarget {
                    service: service.to_string(),
                    instance,
                    address,
                });
            }
        }
        Ok(metrics)
    }
}

/// Where the started servers are.
struct Servers {
    nats_users: NatsUsers,
    nats_ca_file: PathBuf,
    nats_url: String,
    bao_address: String,
    bao_token: String,
}

/// The state folder and its parts, absolute.
struct StateDirs {
    root: PathBuf,
    logs: PathBuf,
    nats: PathBuf,
    bao: PathBuf,
    inventory: PathBuf,
}

impl StateDirs {
    /// Creates the folders, emptying the NATS store and the inventory of an earlier run.
    fn prepare(state_dir: &Path) -> Result<StateDirs, StackError> {
        let root = if state_dir.is_absolute() {
            state_dir.to_path_buf()
        } else {
            let current =
                std::env::current_dir().map_err(StackError::files("resolve", state_dir))?;
            current.join(state_dir)
        };
        let dirs = StateDirs {
            logs: root.join("logs"),
            nats: root.join("nats"),
            bao: root.join("bao"),
            inventory: root.join("inventory"),
            root,
        };
        for dir in [&dirs.nats, &dirs.inventory] {
            if dir.exists() {
                std::fs::remove_dir_all(dir).map_err(StackError::files("empty", dir))?;
            }
        }
        for dir in [&dirs.logs, &dirs.nats, &dirs.bao, &dirs.inventory] {
            std::fs::create_dir_all(dir).map_err(StackError::files("create", dir))?;
        }
        Ok(dirs)
    }
}

fn write_file(path: &Path, contents: &str) -> Result<(), StackError> {
    std::fs::write(path, contents).map_err(StackError::files("write", path))
}

/// A running local stack. Dropping it stops every child process (services first). Its debug
/// form never shows the tokens.
pub struct LocalStack {
    processes: Vec<StackProcess>,
    sim: Option<Simulator>,
    /// The fabric's id.
    pub fabric_id: String,
    /// How many devices it has.
    pub devices: usize,
    /// (Cumulus Linux, NVOS) device counts.
    pub platform_counts: (usize, usize),
    /// A client of OpenBao with the root token.
    pub secrets: SecretsClient,
    /// The ports.
    pub ports: Ports,
    /// NATS's URL.
    pub nats_url: String,
    /// Its users: the services', the administrator's, [`LOCAL_REQUESTER`]'s.
    pub nats_users: NatsUsers,
    /// The CA NATS's TLS certificate is signed by (what its clients trust).
    pub nats_ca_file: PathBuf,
    /// OpenBao's address.
    pub bao_address: String,
    /// OpenBao's root token (also in `bao-token` in the state folder).
    pub bao_token: String,
    /// The `bao` command this stack runs (for `bao kv ...` against it).
    pub bao_binary: PathBuf,
    /// The Rotor API.
    pub api_url: String,
    /// The administrator's token for the API (also in `api-token` in the state folder).
    pub api_token: String,
    /// The API's keys, policy and signing key (tokens for other subjects).
    pub auth: LocalAuth,
    /// The simulator's control interface.
    pub control_url: String,
    /// The web console, when the stack runs it.
    pub console_url: Option<String>,
    /// The state folder, absolute.
    pub state_dir: PathBuf,
    /// Where every process logs.
    pub log_dir: PathBuf,
    /// Where the fabric's inventory is exported.
    pub inventory_dir: PathBuf,
    /// Where each service copy serves its Prometheus metrics.
    pub metrics: Vec<MetricsTarget>,
    /// A Prometheus configuration scraping them (`prometheus.yml` in the state folder).
    pub prometheus_config: PathBuf,
}

impl std::fmt::Debug for LocalStack {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalStack")
            .field("fabric_id", &self.fabric_id)
            .field("devices", &self.devices)
            .field("api_url", &self.api_url)
            .field("nats_url", &self.nats_url)
            .field("bao_address", &self.bao_address)
            .field("state_dir", &self.state_dir)
            .finish_non_exhaustive()
    }
}

impl LocalStack {
    /// A stack with a simulated fabric `fabric_id` of `devices` devices, its state in
    /// `state_dir`; everything else as the builder's defaults until set.
    pub fn builder(
        fabric_id: impl Into<String>,
        devices: usize,
        state_dir: impl Into<PathBuf>,
    ) -> StackBuilder {
        StackBuilder {
            fabric_id: fabric_id.into(),
            devices,
            state_dir: state_dir.into(),
            platform_mix: PlatformMix::default(),
            ports: PortChoice::Free,
            simulator: SimulatorMode::InProcess(LatencyProfile::none()),
            copies: BTreeMap::new(),
            settings: Vec::new(),
            numbered_instances: false,
            nats_max_file_store: crate::servers::LOCAL_MAX_FILE_STORE.to_string(),
            build_hint: DEFAULT_BUILD_HINT.to_string(),
            console: false,
        }
    }

    /// The simulator, when it runs in this process.
    pub fn simulator(&self) -> Option<&Simulator> {
        self.sim.as_ref()
    }

    /// Every child process, in start order.
    pub fn processes(&self) -> &[StackProcess] {
        &self.processes
    }

    /// Where the console's sign-in link is written: `console-link` in the state folder.
    pub fn console_link_file(&self) -> PathBuf {
        self.state_dir.join("console-link")
    }

    /// Starts `rotor-console` on the console port, calling this stack's API; waits (bounded)
    /// until it serves its page, then writes the sign-in link (0600: it holds the
    /// administrator's token, like `api-token`).
    async fn start_console(&mut self, binary: &Path) -> Result<(), StackError> {
        let port = self.ports.console;
        let listen = format!("127.0.0.1:{port}");
        let env = crate::services::console_env(&listen, &self.api_url);
        let name = format!("rotor-{}", crate::services::CONSOLE);
        let mut console =
            StackProcess::spawn(&name, &name, Role::Rotor, binary, &[], &self.log_dir, &env);
        let ready = console
            .process
            .wait_ready(CONSOLE_READY_WITHIN, || {
                crate::servers::http_status(port, "/") == Some(200)
            })
            .await;
        self.processes.push(console);
        ready?;
        let url = format!("http://{listen}");
        let link = self.console_link_file();
        write_private(&link, &format!("{url}/#token={}\n", self.api_token))
            .map_err(StackError::files("write", &link))?;
        self.console_url = Some(url);
        Ok(())
    }

    /// Waits (bounded) until the API answers, failing early if a process stops.
    async fn wait_for_api(&mut self) -> Result<(), StackError> {
        let started = Instant::now();
        loop {
            if let Ok(mut client) = api::connect(&self.api_url, &self.api_token).await {
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
            if started.elapsed() > API_READY_WITHIN {
                let orchestrator = self
                    .processes
                    .iter()
                    .find(|p| p.role == Role::Rotor)
                    .expect("a stack runs the orchestrator");
                let what = format!(
                    "did not serve the API on {} within {} s",
                    self.api_url,
                    API_READY_WITHIN.as_secs()
                );
                return Err(orchestrator.process.failure(&what));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// An error naming the first child process that is no longer running (services first).
    pub fn check(&mut self) -> Result<(), StackError> {
        for roles in STOP_ORDER {
            for child in self.processes.iter_mut() {
                if roles.contains(&child.role) && !child.process.is_running() {
                    return Err(child.process.failure("stopped"));
                }
            }
        }
        Ok(())
    }

    /// A new client of the API.
    pub async fn client(&self) -> Result<Client, StackError> {
        api::connect(&self.api_url, &self.api_token)
            .await
            .map_err(|source| StackError::Api {
                url: self.api_url.clone(),
                source,
            })
    }

    /// The inventory file of the simulated fabric.
    pub fn inventory_path(&self) -> PathBuf {
        self.inventory_dir_of(&self.fabric_id)
            .join("inventory.yaml")
    }

    /// Where a fabric's inventory is exported: the first fabric's in the inventory folder, each
    /// other's in a folder of its own there.
    pub fn inventory_dir_of(&self, fabric_id: &str) -> PathBuf {
        if fabric_id == self.fabric_id {
            self.inventory_dir.clone()
        } else {
            self.inventory_dir.join(fabric_id)
        }
    }

    /// Imports the simulated fabric's inventory through the API, as `rotor inventory import`
    /// does; an in-process simulator exports it first (with each device's administrative state
    /// as the simulator holds it). Retries (bounded) while a finishing operation still holds the
    /// fabric lock.
    pub async fn import(&self) -> Result<ImportInventoryResponse, StackError> {
        self.import_fabric(&self.fabric_id).await
    }

    /// Imports one simulated fabric of this stack, as [`Self::import`] does the first.
    pub async fn import_fabric(
        &self,
        fabric_id: &str,
    ) -> Result<ImportInventoryResponse, StackError> {
        let dir = self.inventory_dir_of(fabric_id);
        if let Some(sim) = &self.sim {
            sim.export_inventory(fabric_id, &dir, &ExportOptions::default())
                .map_err(|source| StackError::Simulator {
                    what: "exporting the simulated fabric's inventory",
                    source,
                })?;
        }
        let import = rotor_inventory::FabricImport::load(&dir.join("inventory.yaml"))
            .map_err(StackError::Inventory)?;
        let request = ImportInventoryRequest {
            inventory_yaml: import.inventory.to_yaml(),
            intended_configs: import.intended_configs.into_iter().collect(),
        };
        let mut client = self.client().await?;
        let started = Instant::now();
        loop {
            match client.import_inventory(request.clone()).await {
                Ok(response) => return Ok(response.into_inner()),
                Err(status)
                    if status.code() == tonic::Code::FailedPrecondition
                        && started.elapsed() < IMPORT_RETRY_WITHIN =>
                {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(status) => return Err(StackError::Import(status.message().to_string())),
            }
        }
    }

    /// Another simulated fabric of `devices` devices (in-process simulator only): its first
    /// password into OpenBao as version 1 of its own login secret, its devices in the
    /// simulator, its inventory imported. Returns the import's answer.
    pub async fn add_fabric(
        &self,
        fabric_id: &str,
        devices: usize,
        platform_mix: PlatformMix,
    ) -> Result<ImportInventoryResponse, StackError> {
        rotor_inventory::check_name(fabric_id).map_err(StackError::InvalidFabric)?;
        let Some(sim) = &self.sim else {
            return Err(StackError::InvalidFabric(
                "another fabric needs the simulator in this process".into(),
            ));
        };
        let mut spec = FabricSpec::new(fabric_id, devices);
        spec.platform_mix = platform_mix;
        let spec = simulator::seed_fabric_password(&self.secrets, spec).await?;
        sim.create_fabric(spec)
            .map_err(|source| StackError::Simulator {
                what: "creating the simulated fabric",
                source,
            })?;
        self.import_fabric(fabric_id).await
    }

    /// Stops the services, then the simulator, then NATS and OpenBao; waits for each.
    pub async fn shutdown(mut self) {
        self.stop(STOP_ORDER[0]);
        if let Some(sim) = &self.sim {
            sim.shutdown().await;
        }
        for roles in &STOP_ORDER[1..] {
            self.stop(roles);
        }
    }

    /// Asks every process of these roles to stop at once, then waits for each.
    fn stop(&mut self, roles: &[Role]) {
        for child in self.processes.iter_mut() {
            if roles.contains(&child.role) {
                child.process.begin_stop();
            }
        }
        for child in self.processes.iter_mut() {
            if roles.contains(&child.role) {
                child.process.stop();
            }
        }
    }
}

impl Drop for LocalStack {
    fn drop(&mut self) {
        for roles in STOP_ORDER {
            self.stop(roles);
        }
    }
}
