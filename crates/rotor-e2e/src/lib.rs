//! One test's whole Rotor: a real `nats-server`, a real OpenBao dev server, the five services
//! running in this process on their own ports and names, and a simulated fabric over real SSH.
//!
//! [`TestStack::start`] gives each test its own servers and names, so tests never share state.
//! The services reach OpenBao as in production: each kind but the aggregator logs in with its
//! own AppRole role bound to its policy from `deploy/openbao/` ([`TestStack::bao_logins`]); the
//! aggregator has no OpenBao settings.
//! Helpers submit requests through the gRPC API and wait for operations with bounded polling.
//! [`browser`] drives a headless Chromium for the web console's tests.

#![warn(missing_docs)]

pub mod browser;

use std::collections::BTreeMap;
use std::sync::OnceLock;
use std::time::Duration;

use anyhow::{Context, bail};
use rotor_bus::{Bus, BusSettings, Topology};
use rotor_harness::{BaoServer, NatsCluster, NatsServer, ScratchDir};
use rotor_proto::v1::*;
use rotor_runtime::CancellationToken;
use rotor_runtime::settings::Settings;
use rotor_runtime::telemetry::{self, CapturedLogs, LogFormat};
use rotor_secrets::{Password, PasswordPolicy, SecretsClient, SecretsSettings};
use rotor_sim::export::ExportedFabric;
use rotor_sim::{ExportOptions, FabricSpec, Platform, SimConfig, Simulator};
use rotor_stack::process::GuardedProcess;
use tonic::transport::Channel;

/// Every log line of every service in this test process (set once per process).
pub fn captured_logs() -> CapturedLogs {
    static LOGS: OnceLock<CapturedLogs> = OnceLock::new();
    LOGS.get_or_init(|| {
        let logs = CapturedLogs::default();
        let subscriber = telemetry::subscriber(
            "test",
            "info,rotor=debug,async_nats=warn,russh=warn",
            LogFormat::Json,
            logs.clone(),
        );
        let _ = tracing::subscriber::set_global_default(subscriber);
        logs
    })
    .clone()
}

/// What to start.
#[derive(Clone, Debug)]
pub struct StackOptions {
    /// The simulated fabric's id (default `fab1`).
    pub fabric_id: String,
    /// How many simulated devices (default 4).
    pub devices: usize,
    /// Relative weights (cumulus, nvos).
    pub platform_mix: (u32, u32),
    /// How the simulator runs: lock-out, latency, faults at start.
    pub sim: SimConfig,
    /// How many copies of (differ, applier, backup, aggregator).
    pub copies: usize,
    /// More `ROTOR_*` settings for every service.
    pub settings: Vec<(String, String)>,
    /// Import the simulator's inventory at start.
    pub import: bool,
    /// Run the services as separate processes (the built binaries) instead of in this process.
    pub processes: bool,
    /// A 3-node JetStream cluster with every stream and bucket replicated 3 times.
    pub cluster: bool,
    /// Requesters besides [`REQUESTER`] (user, the fabrics its NATS user may send requests
    /// for); what the policy grants them is [`StackOptions::grants`]' business (`nats:<user>`).
    pub requesters: Vec<(String, Vec<String>)>,
    /// The TTLs of the services' AppRole tokens (default: an hour, at most a day). Every
    /// service kind but the aggregator logs in with its own role and policy
    /// (`deploy/openbao/`); the aggregator gets no OpenBao settings.
    pub bao_token_ttls: rotor_stack::bao_setup::TokenTtls,
    /// A simulator profile per device (Cumulus devices first, then NVOS), instead of the
    /// default mix.
    pub profiles: Option<Vec<rotor_sim::Profile>>,
    /// More users on every device, each with its own secret (`fabrics/<fabric>/<user>`,
    /// version 1 in OpenBao) and a password mapping (secret type = the user name) in every
    /// import, e.g. a `breakglass` account.
    pub extra_users: Vec<String>,
    /// Only devices of this platform get the extra users (default: every device), e.g. a
    /// fabric whose Cumulus devices have `breakglass` and whose NVOS devices only `admin`.
    pub extra_users_on: Option<Platform>,
    /// Give every simulated device an RSA host key too.
    pub rsa_host_keys: bool,
    /// Grants for API callers besides the stack's administrator (`rotor-admin`, every role on
    /// every fabric); [`TestStack::client_as`] makes a client with any subject's token.
    pub grants: Vec<rotor_auth::Grant>,
    /// Serve the API over TLS (a certificate for `localhost` from a CA made for the test;
    /// [`TestStack::api_ca`] is that CA).
    pub grpc_tls: bool,
    /// The clock the in-process orchestrator's scheduler reads (default: the system's); a
    /// [`rotor_orchestrator::schedule::Clock::manual`] lets a test say what time it is.
    pub clock: rotor_orchestrator::schedule::Clock,
}

/// The requester every stack has: its NATS user may send requests for every fabric, and the
/// policy grants `nats:ticketing` the operator role on every fabric.
pub const REQUESTER: &str = "ticketing";

/// The NATS server or cluster of a stack.
#[derive(Debug)]
pub enum Broker {
    /// One `nats-server`.
    Single(NatsServer),
    /// A JetStream cluster (three nodes), for failover tests.
    Cluster(NatsCluster),
}

impl Broker {
    /// The URL (every node's, for a cluster) clients use.
    pub fn url(&self) -> String {
        match self {
            Broker::Single(server) => server.url(),
            Broker::Cluster(cluster) => cluster.url(),
        }
    }

    /// Stops one node (the only one of a single server).
    pub fn stop_node(&mut self, index: usize) {
        match self {
            Broker::Single(server) => server.stop(),
            Broker::Cluster(cluster) => cluster.servers[index].stop(),
        }
    }
}

impl Default for StackOptions {
    fn default() -> Self {
        StackOptions {
            fabric_id: "fab1".into(),
            devices: 4,
            platform_mix: (3, 1),
            sim: SimConfig::default(),
            copies: 1,
            settings: Vec::new(),
            import: true,
            processes: false,
            cluster: false,
            requesters: Vec::new(),
            bao_token_ttls: Default::default(),
            profiles: None,
            extra_users: Vec::new(),
            extra_users_on: None,
            rsa_host_keys: false,
            grants: Vec::new(),
            grpc_tls: false,
            clock: rotor_orchestrator::schedule::Clock::system(),
        }
    }
}

/// The secret path of an extra user (`StackOptions::extra_users`).
pub fn extra_user_secret_path(fabric_id: &str, user: &str) -> String {
    format!("fabrics/{fabric_id}/{user}")
}

/// The secret path every simulated device's login user maps to (see the simulator's export).
pub use rotor_stack::services::login_secret_path;

/// A running stack.
pub struct TestStack {
    /// The test's own NATS server or cluster.
    pub nats: Broker,
    /// The test's own OpenBao dev server.
    pub bao: BaoServer,
    /// The simulated fabric, in this process.
    pub sim: Simulator,
    /// A bus connection of the test's own, for looking at state and events.
    pub bus: Bus,
    /// Every bucket and the object store, opened on [`TestStack::bus`].
    pub topology: Topology,
    /// A secrets-store client with the root token.
    pub secrets: SecretsClient,
    /// A gRPC client of the orchestrator's API.
    pub client: rotor_stack::api::Client,
    /// The simulated fabric's id, as in [`StackOptions::fabric_id`].
    pub fabric_id: String,
    /// The fabric's first password: version 1 of the login secret, which every device holds at
    /// start.
    pub initial_password: Password,
    /// Where the orchestrator's gRPC API listens.
    pub grpc_address: std::net::SocketAddr,
    /// The log lines of the services running in this process, for assertions (e.g. that no password
    /// appears).
    pub logs: CapturedLogs,
    /// The options the stack was started with.
    pub options: StackOptions,
    /// Each service kind's AppRole login (role id, secret id file); the aggregator has none.
    pub bao_logins: rotor_stack::bao_setup::ServiceLogins,
    services: Vec<(String, CancellationToken, tokio::task::JoinHandle<()>)>,
    processes: Vec<(String, GuardedProcess)>,
    /// Where each service process serves its metrics (services run as processes only).
    pub metrics: Vec<rotor_stack::metrics::MetricsTarget>,
    /// The API's keys and policy (tokens for any subject).
    pub auth: rotor_stack::auth::LocalAuth,
    /// With [`StackOptions::grpc_tls`]: the PEM of the CA that signed the API's certificate.
    pub api_ca: Option<String>,
    /// The NATS users: each service kind's NKey, the administrator's, the requesters'.
    pub nats_users: rotor_stack::nats_users::NatsUsers,
    /// The CA certificate NATS's TLS certificate is signed by (what every client trusts).
    pub nats_ca_file: std::path::PathBuf,
    _dir: ScratchDir,
}

impl std::fmt::Debug for TestStack {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestStack")
            .field("fabric_id", &self.fabric_id)
            .finish_non_exhaustive()
    }
}

impl TestStack {
    /// Starts everything `options` asks for: servers on free ports, the fabric's first password in
    /// OpenBao, the simulator, the five services, and (unless told not to) the inventory import.
    pub async fn start(options: StackOptions) -> anyhow::Result<TestStack> {
        let logs = captured_logs();
        let dir = ScratchDir::new("e2e");
        // Rotor's accounts, as deployed: an NKey per service kind, requesters, an administrator
        // (this test's own look at state).
        let mut requesters: Vec<(&str, Vec<String>)> = vec![(REQUESTER, vec!["*".into()])];
        requesters.extend(
            options
                .requesters
                .iter()
                .map(|(user, fabrics)| (user.as_str(), fabrics.clone())),
        );
        let nats_users = rotor_stack::nats_users::NatsUsers::create(
            &dir.path().join("nats-users"),
            &requesters,
        )?;
        // NATS serves TLS with a certificate of a CA made for this stack, as deployed.
        let ca = rotor_stack::tls::LocalCa::new("rotor test CA")?;
        let nats_ca_file = dir.path().join("ca.pem");
        ca.write_pem(&nats_ca_file)?;
        let nats_certificate = ca.issue(dir.path(), "nats", &["localhost", "127.0.0.1"])?;
        let nats_options = rotor_harness::NatsOptions {
            extra_config: format!(
                "{}{}",
                nats_users.accounts_config(),
                rotor_stack::tls::nats_tls_config(&nats_certificate)
            ),
            ..Default::default()
        };
        let nats = if options.cluster {
            Broker::Cluster(NatsCluster::start_with(3, nats_options))
        } else {
            Broker::Single(NatsServer::start_with(nats_options))
        };
        let bao = BaoServer::start();
        let secrets =
            SecretsClient::connect(&SecretsSettings::new(bao.address(), bao.token())).await?;
        let fabric_id = options.fabric_id.clone();

        // The fabric's current password, in the store (version 1) and on every device.
        let initial_password = PasswordPolicy::default().generate()?;
        let path = login_secret_path(&fabric_id);
        let version = secrets.write("secret", &path, &initial_password).await?;
        let monitor = PasswordPolicy::default().generate()?;
        let mut spec = FabricSpec::new(&fabric_id, options.devices)
            .with_platform_mix(options.platform_mix.0, options.platform_mix.1);
        if let Some(profiles) = &options.profiles {
            spec = spec.with_profiles(profiles.clone());
        }
        if options.rsa_host_keys {
            spec = spec.with_rsa_host_keys();
        }
        let mut spec = rotor_stack::simulator::with_initial_users(
            spec,
            &initial_password,
            &path,
            version,
            &monitor,
        );
        for user in &options.extra_users {
            let path = extra_user_secret_path(&fabric_id, user);
            let password = PasswordPolicy::default().generate()?;
            let version = secrets.write("secret", &path, &password).await?;
            let hash = rotor_secrets::render_hash(&password, &path, version, user);
            for platform in [Platform::Cumulus, Platform::Nvos] {
                if options.extra_users_on.is_none_or(|only| only == platform) {
                    spec = spec.with_user(platform, user, hash.as_crypt());
                }
            }
        }
        let sim = Simulator::start(options.sim.clone()).await?;
        sim.create_fabric(spec)?;

        let bus = connect_bus(&options, &nats, &nats_users, &nats_ca_file).await?;
        let topology = bus.ensure_topology().await?;

        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let grpc_address = listener.local_addr()?;
        let mut stack = TestStack {
            nats,
            bao,
            sim,
            bus,
            topology,
            secrets,
            client: rotor_stack::api::client(
                Channel::from_static("http://127.0.0.1:1").connect_lazy(),
                rotor_stack::api::Bearer::new(None)?,
            ),
            fabric_id,
            initial_password,
            grpc_address,
            logs,
            options: options.clone(),
            bao_logins: Default::default(),
            services: Vec::new(),
            processes: Vec::new(),
            metrics: Vec::new(),
            auth: rotor_stack::auth::LocalAuth::create(
                &dir.path().join("auth"),
                std::iter::once(rotor_auth::Grant {
                    subject: format!("nats:{REQUESTER}"),
                    fabrics: vec!["*".into()],
                    roles: vec![rotor_auth::Role::Operator],
                })
                .chain(options.grants.clone())
                .collect(),
            )?,
            nats_users,
            nats_ca_file,
            api_ca: if options.grpc_tls {
                Some(api_certificates(dir.path())?)
            } else {
                None
            },
            _dir: dir,
        };
        stack.bao_logins = rotor_stack::bao_setup::service_logins(
            &stack.secrets,
            &stack._dir.path().join("approle"),
            options.bao_token_ttls,
        )
        .await?;
        stack.start_services(listener).await?;
        stack.client = stack.client_as(rotor_stack::auth::ADMIN_SUBJECT).await?;
        if options.import {
            stack.import(|_| {}).await?;
        }
        Ok(stack)
    }

    /// Every service, in this process or as processes; the orchestrator's API on `listener`.
    async fn start_services(&mut self, listener: tokio::net::TcpListener) -> anyhow::Result<()> {
        let copies = self.options.copies;
        if self.options.processes {
            drop(listener);
            self.spawn_process("orchestrator", 0);
            for copy in 0..copies {
                for service in ["differ", "applier", "backup", "aggregator"] {
                    self.spawn_process(service, copy);
                }
            }
        } else {
            self.start_orchestrator(0, listener).await?;
            for copy in 0..copies {
                for service in ["differ", "applier", "backup", "aggregator"] {
                    self.start_service(service, copy).await?;
                }
            }
        }
        Ok(())
    }

    /// The settings a service of this stack runs with.
    pub fn settings(&self, service: &str, copy: usize) -> Settings {
        let mut settings = Settings::from_pairs([
            ("ROTOR_NATS_URL", self.nats.url().as_str()),
            ("ROTOR_DEVICE_TIMEOUT_SECS", "10"),
            ("ROTOR_SHUTDOWN_GRACE_SECS", "5"),
            ("ROTOR_LEADER_LEASE_SECS", "3"),
            ("ROTOR_DEVICE_LOCK_SECS", "5"),
        ]);
        for (key, value) in rotor_stack::services::LOCAL_STORAGE_LIMITS.iter() {
            settings.set(key, value.clone());
        }
        if self.options.cluster {
            settings.set("ROTOR_NATS_REPLICAS", "3");
        }
        if let Some(seed) = self.nats_users.seed_file(service) {
            settings.set("ROTOR_NATS_NKEY_FILE", seed.display().to_string());
        }
        settings.set("ROTOR_NATS_TLS_CA", self.nats_ca_file.display().to_string());
        settings.set("ROTOR_INSTANCE", format!("{service}-{copy}"));
        if let Some(login) = self.bao_logins.get(service) {
            settings.set("ROTOR_BAO_ADDR", self.bao.address());
            settings.set("ROTOR_BAO_ROLE_ID", login.role_id.clone());
            settings.set("ROTOR_BAO_SECRET_ID_FILE", login.secret_id_file.clone());
        }
        if service == "orchestrator" {
            // Copy 0 serves the API the test's client uses; other copies listen anywhere.
            let listen = if copy == 0 {
                self.grpc_address.to_string()
            } else {
                "127.0.0.1:0".to_string()
            };
            settings.set("ROTOR_GRPC_LISTEN", listen);
            // The server's refusals into the audit (a cluster: the first node's).
            let nats_log = match &self.nats {
                Broker::Single(server) => server.log_path(),
                Broker::Cluster(cluster) => cluster.servers[0].log_path(),
            };
            settings.set("ROTOR_NATS_SERVER_LOG", nats_log.display().to_string());
            for (key, value) in self.auth.settings() {
                settings.set(key, value);
            }
            if self.api_ca.is_some() {
                let dir = self._dir.path();
                settings.set(
                    "ROTOR_GRPC_TLS_CERT",
                    dir.join("api-cert.pem").display().to_string(),
                );
                settings.set(
                    "ROTOR_GRPC_TLS_KEY",
                    dir.join("api-key.pem").display().to_string(),
                );
            }
        }
        for (key, value) in &self.options.settings {
            settings.set(key, value.clone());
        }
        settings
    }

    /// Starts an in-process orchestrator copy with the stack's clock (copy 0, e.g. again after
    /// [`TestStack::stop_service`], on the API address the test's client uses; another copy's
    /// API anywhere): a candidate for the dispatcher's and the scheduler's leases.
    pub async fn start_orchestrator_copy(&mut self, copy: usize) -> anyhow::Result<()> {
        let address = if copy == 0 {
            self.grpc_address.to_string()
        } else {
            "127.0.0.1:0".to_string()
        };
        let listener = tokio::net::TcpListener::bind(address).await?;
        self.start_orchestrator(copy, listener).await
    }

    async fn start_orchestrator(
        &mut self,
        copy: usize,
        listener: tokio::net::TcpListener,
    ) -> anyhow::Result<()> {
        let settings = self.settings("orchestrator", copy);
        let mut config = rotor_orchestrator::OrchestratorConfig::from_settings(&settings)?;
        config.schedule.clock = self.options.clock.clone();
        let shutdown = CancellationToken::new();
        let token = shutdown.clone();
        let task = tokio::spawn(async move {
            if let Err(error) = rotor_orchestrator::serve(config, listener, token).await {
                panic!("orchestrator stopped: {error}");
            }
        });
        self.services
            .push((format!("orchestrator-{copy}"), shutdown, task));
        Ok(())
    }

    /// Starts one more copy of a worker kind (or the aggregator).
    pub async fn start_service(&mut self, service: &str, copy: usize) -> anyhow::Result<()> {
        let settings = self.settings(service, copy);
        let shutdown = CancellationToken::new();
        let token = shutdown.clone();
        let name = format!("{service}-{copy}");
        let task = match service {
            "aggregator" => {
                let config = rotor_aggregator::AggregatorConfig::from_settings(&settings)?;
                tokio::spawn(async move {
                    rotor_aggregator::run(config, token)
                        .await
                        .expect("the aggregator runs");
                })
            }
            worker => {
                let config = rotor_pipeline::WorkerConfig::from_settings(worker, &settings)?;
                let worker = worker.to_string();
                tokio::spawn(async move {
                    let result = match worker.as_str() {
                        "differ" => rotor_differ::run(config, token).await,
                        "applier" => rotor_applier::run(config, token).await,
                        "backup" => rotor_backup::run(config, token).await,
                        other => panic!("no service {other}"),
                    };
                    result.expect("the worker runs");
                })
            }
        };
        self.services.push((name, shutdown, task));
        Ok(())
    }

    /// Starts a service copy as a process of its built binary (`target/<profile>/rotor-<service>`).
    pub fn spawn_process(&mut self, service: &str, copy: usize) {
        let name = format!("{service}-{copy}");
        let mut settings = self.settings(service, copy);
        // Every process serves its metrics (a restarted copy keeps its address).
        let address = match self.metrics.iter().find(|t| t.instance == name) {
            Some(target) => target.address,
            None => {
                let address =
                    std::net::SocketAddr::from(([127, 0, 0, 1], rotor_harness::free_port()));
                self.metrics.push(rotor_stack::metrics::MetricsTarget {
                    service: service.to_string(),
                    instance: name.clone(),
                    address,
                });
                address
            }
        };
        settings.set("ROTOR_METRICS_ADDRESS", address.to_string());
        let environment: Vec<(&str, &str)> = settings.pairs().collect();
        let log = self
            ._dir
            .path()
            .join(format!("{name}.{}.log", self.processes.len()));
        let process =
            GuardedProcess::spawn(&name, &service_binary(service), &[], log, &environment);
        self.processes.push((name, process));
    }

    /// Kills a service process with SIGKILL: a crash, no graceful shutdown.
    /// Kills (`kill -9`) the running process of a service copy; whether one was running.
    #[must_use]
    pub fn kill_process(&mut self, name: &str) -> bool {
        let mut killed = false;
        for (process_name, process) in &mut self.processes {
            if process_name == name && process.is_running() {
                process.kill_hard();
                killed = true;
            }
        }
        killed
    }

    /// Every service process started so far: its name and its guard's process id (the
    /// service runs as the guard's child).
    pub fn process_ids(&self) -> Vec<(String, u32)> {
        self.processes
            .iter()
            .map(|(name, process)| (name.clone(), process.guard_pid()))
            .collect()
    }

    /// The last `lines` lines each service process logged (empty when the services run in the
    /// test's own process: their logs are the test's), for a failure's message.
    fn process_log_tails(&self, lines: usize) -> String {
        self.processes
            .iter()
            .map(|(name, process)| {
                format!(
                    "\n--- the last {lines} lines of {name}'s log:\n{}",
                    process.log_tail(lines)
                )
            })
            .collect()
    }

    /// The log of every process run under `name` so far.
    pub fn process_logs(&self, name: &str) -> String {
        self.processes
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, p)| p.log())
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Stops one service copy (gracefully) and waits for it.
    pub async fn stop_service(&mut self, name: &str) {
        if let Some(index) = self.services.iter().position(|(n, _, _)| n == name) {
            let (_, shutdown, task) = self.services.remove(index);
            shutdown.cancel();
            let _ = task.await;
        }
    }

    /// The simulator's inventory, changed by `mutate`, imported through the API.
    pub async fn import(
        &mut self,
        mutate: impl FnOnce(&mut ExportedFabric),
    ) -> anyhow::Result<ImportInventoryResponse> {
        let mut exported = self
            .sim
            .inventory(&self.fabric_id, &ExportOptions::default())?;
        let only = self.options.extra_users_on.map(Platform::as_str);
        for device in &mut exported.inventory.devices {
            if only.is_some_and(|only| device.platform.as_str() != only) {
                continue;
            }
            for user in &self.options.extra_users {
                if device.mapping_for(user).is_none() {
                    device
                        .password_mappings
                        .push(rotor_inventory::PasswordMapping {
                            username: user.clone(),
                            secret_type: user.clone(),
                            secret_path: extra_user_secret_path("{fabric}", user),
                        });
                }
            }
        }
        mutate(&mut exported);
        let request = ImportInventoryRequest {
            inventory_yaml: exported.inventory.to_yaml(),
            intended_configs: exported.intended_configs.into_iter().collect(),
        };
        Ok(self
            .client
            .clone()
            .import_inventory(request)
            .await?
            .into_inner())
    }

    /// A client of the API with a token for `subject` (what it may do is the policy's:
    /// [`StackOptions::grants`]).
    pub async fn client_as(&self, subject: &str) -> anyhow::Result<rotor_stack::api::Client> {
        let bearer = rotor_stack::api::Bearer::new(Some(&self.auth.token(subject)))?;
        Ok(rotor_stack::api::client(
            connect_api(&self.api_url(), self.api_ca.as_deref()).await?,
            bearer,
        ))
    }

    /// The API's URL: `https://localhost:<port>` with [`StackOptions::grpc_tls`], else
    /// `http://<address>`.
    pub fn api_url(&self) -> String {
        match self.api_ca {
            Some(_) => format!("https://localhost:{}", self.grpc_address.port()),
            None => format!("http://{}", self.grpc_address),
        }
    }

    /// What an orchestrator that crashed while handling a rotate of the whole fabric leaves
    /// behind: the fabric lock taken for `operation_id` and its stored plan (accepted a minute
    /// ago) with `versions`, `prepared` or not, no job published.
    pub async fn crashed_plan(
        &self,
        operation_id: &str,
        versions: BTreeMap<String, u32>,
        prepared: bool,
    ) -> anyhow::Result<rotor_pipeline::records::OperationPlan> {
        let rotor_bus::lease::Acquired::Yes(lock) = rotor_bus::lease::acquire(
            &self.topology.leases,
            &rotor_bus::names::keys::fabric_lock(&self.fabric_id),
            &format!("rotor:{operation_id}"),
            "FabricRotatePassword",
            120_000,
            rotor_bus::lease::now_unix_ms(),
        )
        .await?
        else {
            bail!("fabric {} is locked already", self.fabric_id);
        };
        let accepted = time::OffsetDateTime::now_utc() - time::Duration::minutes(1);
        let plan = rotor_pipeline::records::OperationPlan {
            operation_id: operation_id.to_string(),
            kind: RotationKind::FabricRotatePassword as i32,
            fabric_id: self.fabric_id.clone(),
            request_id: String::new(),
            requested_by: "crashed".into(),
            accepted_time: rotor_bus::format_time(accepted),
            device_ids: self.device_ids(),
            users: Vec::new(),
            versions,
            lock_lease_id: lock.lease_id,
            fanout_complete: false,
            prepared,
            release: None,
            skipped: Default::default(),
            plan: false,
        };
        rotor_pipeline::records::store_plan(&self.topology.operations, &plan).await?;
        Ok(plan)
    }

    /// The simulated fabric's device ids, sorted.
    pub fn device_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = self
            .sim
            .fabric_devices(&self.fabric_id)
            .expect("the fabric exists")
            .iter()
            .map(|d| d.id().to_string())
            .collect();
        ids.sort();
        ids
    }

    /// A simulated device, to inspect or to inject faults; panics if there is no such device.
    pub fn device(&self, id: &str) -> std::sync::Arc<rotor_sim::Device> {
        self.sim.device(id).expect("the device exists")
    }

    /// A fabric rotate request.
    pub fn fabric_rotate(&self) -> RotationRequest {
        RotationRequest {
            kind: RotationKind::FabricRotatePassword as i32,
            fabric_id: self.fabric_id.clone(),
            requested_by: "test".into(),
            ..Default::default()
        }
    }

    /// A fabric resync request.
    pub fn fabric_resync(&self) -> RotationRequest {
        RotationRequest {
            kind: RotationKind::FabricResyncPassword as i32,
            fabric_id: self.fabric_id.clone(),
            requested_by: "test".into(),
            ..Default::default()
        }
    }

    /// Submits a request through gRPC (Rotate or Resync by kind) and returns the answer.
    pub async fn submit(&self, request: RotationRequest) -> anyhow::Result<RotationReply> {
        let kind = RotationKind::try_from(request.kind).unwrap_or(RotationKind::Unspecified);
        let mut client = self.client.clone();
        let reply = match kind {
            RotationKind::FabricResyncPassword | RotationKind::DeviceResyncPassword => {
                client.resync(request).await?
            }
            _ => client.rotate(request).await?,
        };
        Ok(reply.into_inner())
    }

    /// Submits a request that must be accepted; returns the operation id.
    pub async fn submit_accepted(&self, request: RotationRequest) -> anyhow::Result<String> {
        match self.submit(request).await?.outcome {
            Some(rotation_reply::Outcome::Accepted(accepted)) => Ok(accepted.operation_id),
            other => bail!("the request was not accepted: {other:?}"),
        }
    }

    /// Polls an operation's summary (bounded by `limit`) until `reached` holds and returns that
    /// summary. While the API restarts (a crash test) it asks again.
    async fn poll_operation(
        &self,
        operation_id: &str,
        limit: Duration,
        reached: impl Fn(&OperationStatus) -> bool,
    ) -> anyhow::Result<OperationStatus> {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            let answer = self
                .client
                .clone()
                .show_operation(ShowOperationRequest {
                    operation_id: operation_id.into(),
                    omit_devices: true,
                })
                .await;
            let last = match answer {
                Ok(status) => {
                    let status = status.into_inner();
                    if reached(&status) {
                        return Ok(status);
                    }
                    format!("{status:?}")
                }
                Err(status)
                    if matches!(
                        status.code(),
                        tonic::Code::Unavailable | tonic::Code::Unknown | tonic::Code::Cancelled
                    ) =>
                {
                    format!("the API is unavailable: {status}")
                }
                Err(status) => return Err(status.into()),
            };
            if tokio::time::Instant::now() > deadline {
                bail!(
                    "operation {operation_id} did not get there within {limit:?}; last: {last}; NATS permission violations of services: {:#?}{}",
                    self.service_violations(),
                    self.process_log_tails(30)
                );
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// Waits (bounded) until an operation has ended (succeeded, failed, halted or cancelled) and
    /// returns it with per-device results.
    pub async fn wait_for_operation(&self, operation_id: &str) -> anyhow::Result<OperationStatus> {
        self.poll_operation(operation_id, Duration::from_secs(120), |status| {
            matches!(
                OperationState::try_from(status.status),
                Ok(OperationState::Succeeded
                    | OperationState::Failed
                    | OperationState::Halted
                    | OperationState::Cancelled)
            )
        })
        .await?;
        Ok(self
            .client
            .clone()
            .show_operation(ShowOperationRequest {
                operation_id: operation_id.into(),
                omit_devices: false,
            })
            .await?
            .into_inner())
    }

    /// Waits (bounded) until an operation is at least `percent` done.
    pub async fn wait_for_progress(&self, operation_id: &str, percent: u32) -> anyhow::Result<()> {
        self.poll_operation(operation_id, Duration::from_secs(60), |status| {
            status.percent_complete >= percent
        })
        .await
        .map(|_| ())
    }

    /// Submits and waits.
    pub async fn run(&self, request: RotationRequest) -> anyhow::Result<OperationStatus> {
        let id = self.submit_accepted(request).await?;
        self.wait_for_operation(&id).await
    }

    /// Waits (bounded) until the fabric status reflects `operation_id` and returns it.
    pub async fn fabric_status(&self, operation_id: Option<&str>) -> anyhow::Result<FabricStatus> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            let status = self
                .client
                .clone()
                .show_fabric(ShowFabricRequest {
                    fabric_id: self.fabric_id.clone(),
                })
                .await?
                .into_inner();
            let finished = matches!(
                OperationState::try_from(status.state),
                Ok(OperationState::Succeeded | OperationState::Failed)
            );
            if operation_id.is_none_or(|id| status.last_operation_id == id && finished) {
                return Ok(status);
            }
            if tokio::time::Instant::now() > deadline {
                bail!("the fabric status never showed operation {operation_id:?}: {status:?}");
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// A device's status through the API.
    pub async fn device_status(&self, device_id: &str) -> anyhow::Result<DeviceStatus> {
        Ok(self
            .client
            .clone()
            .show_device(ShowDeviceRequest {
                fabric_id: self.fabric_id.clone(),
                device_id: device_id.into(),
            })
            .await?
            .into_inner())
    }

    /// The newest version of the fabric's login secret, and its password.
    pub async fn current_password(&self) -> anyhow::Result<(Password, u32)> {
        self.secrets
            .read("secret", &login_secret_path(&self.fabric_id), None)
            .await
            .context("reading the fabric's password")
    }

    /// Whether `password` logs in as the device's login user (a real SSH login).
    pub async fn can_log_in(&self, device_id: &str, password: &Password) -> bool {
        let device = self.device(device_id);
        let user = match device.platform() {
            Platform::Cumulus => "cumulus",
            Platform::Nvos => "admin",
        };
        rotor_device_login(
            &device.address().to_string(),
            &device.host_key(),
            user,
            password,
        )
        .await
    }

    /// Every plaintext the stack's secrets store holds for the fabric (all versions).
    pub async fn all_plaintexts(&self) -> anyhow::Result<Vec<String>> {
        let path = login_secret_path(&self.fabric_id);
        let mut plaintexts = Vec::new();
        for version in self.secrets.versions("secret", &path).await? {
            let (password, _) = self
                .secrets
                .read("secret", &path, Some(version.version))
                .await?;
            plaintexts.push(password.expose_for_login().to_string());
        }
        Ok(plaintexts)
    }

    /// Stops every service, then the simulator.
    /// A connection of a requester (its user and password; replies below its own inbox
    /// prefix), as another system connects.
    pub async fn requester(&self, user: &str) -> anyhow::Result<async_nats::Client> {
        let password = self
            .nats_users
            .requester_password(user)
            .with_context(|| format!("no requester {user} in this stack"))?;
        Ok(async_nats::ConnectOptions::with_user_and_password(
            user.to_string(),
            password.to_string(),
        )
        .custom_inbox_prefix(rotor_bus::permissions::inbox_prefix(user))
        .add_root_certificates(self.nats_ca_file.clone())
        .require_tls(true)
        .connect(self.nats.url().split(',').next().unwrap_or_default())
        .await?)
    }

    /// The permission violations the NATS server logged for the service account's users: a
    /// service doing something its permissions do not allow (a gap in
    /// `rotor_bus::permissions`, or a forgery).
    pub fn service_violations(&self) -> Vec<String> {
        self.nats_log()
            .lines()
            .filter(|line| {
                line.contains("Violation")
                    && line.contains(&format!("\"{}/", rotor_bus::permissions::SERVICE_ACCOUNT))
            })
            .map(String::from)
            .collect()
    }

    /// Every audit record stored so far, oldest first.
    pub async fn audit_records(&self) -> Vec<rotor_bus::audit::AuditRecord> {
        let everything = rotor_bus::audit::AuditQuery {
            limit: usize::MAX,
            ..Default::default()
        };
        rotor_bus::audit::read(&self.bus.jetstream, &everything)
            .await
            .expect("the audit stream reads")
    }

    /// The first audit record `wanted` picks, waiting (bounded) for it to be stored: records
    /// are published in the background, after the answer.
    pub async fn audited(
        &self,
        what: &str,
        wanted: impl Fn(&rotor_bus::audit::AuditRecord) -> bool,
    ) -> rotor_bus::audit::AuditRecord {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(record) = self.audit_records().await.into_iter().find(|r| wanted(r)) {
                return record;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "no audit record of {what}; the stream holds {:#?}",
                self.audit_records().await
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Everything the NATS server (every node of a cluster) has logged so far.
    pub fn nats_log(&self) -> String {
        match &self.nats {
            Broker::Single(server) => server.log(),
            Broker::Cluster(cluster) => cluster.servers.iter().map(|s| s.log()).collect(),
        }
    }

    /// Stops everything; panics if a service hit a permission violation on the bus
    /// ([`TestStack::service_violations`]): what a test runs is what least privilege allows.
    pub async fn shutdown(self) {
        let violations = self.service_violations();
        assert!(
            violations.is_empty(),
            "services did what their NATS permissions do not allow:\n{}",
            violations.join("\n")
        );
        self.shutdown_unchecked().await;
    }

    /// Stops everything, for a test that made services' users break their permissions on
    /// purpose.
    pub async fn shutdown_unchecked(mut self) {
        for (_, process) in &mut self.processes {
            process.stop();
        }
        for (_, shutdown, _) in &self.services {
            shutdown.cancel();
        }
        for (_, _, task) in self.services.drain(..) {
            let _ = task.await;
        }
        self.sim.shutdown().await;
    }
}

/// The test's own connection to its broker, as the administrator, with the stack's replicas.
async fn connect_bus(
    options: &StackOptions,
    nats: &Broker,
    users: &rotor_stack::nats_users::NatsUsers,
    ca_file: &std::path::Path,
) -> anyhow::Result<Bus> {
    // The topology's limits as the stack's orchestrator reads them, so the test's creation of
    // the topology and the orchestrator's agree.
    let mut settings = Settings::from_pairs([]);
    for (key, value) in rotor_stack::services::LOCAL_STORAGE_LIMITS.iter() {
        settings.set(key, value.clone());
    }
    for (key, value) in &options.settings {
        settings.set(key, value.clone());
    }
    let shaped = rotor_runtime::settings::CommonSettings::from_settings("test", &settings)?.bus;
    Ok(Bus::connect(BusSettings {
        url: nats.url(),
        tls_ca_file: Some(ca_file.to_path_buf()),
        replicas: if options.cluster { 3 } else { 1 },
        nkey_seed_file: Some(users.admin_seed_file().to_path_buf()),
        inbox_prefix: None,
        client_name: "rotor-test".into(),
        tls_required: false,
        ..shaped
    })
    .await?)
}

/// A built service binary next to the test binary (`target/<profile>/deps/..`).
pub fn service_binary(service: &str) -> std::path::PathBuf {
    let hint = "`cargo build --workspace --bins` (make test does)";
    rotor_stack::binaries::find_rotor_binary(&format!("rotor-{service}"), hint)
        .unwrap_or_else(|missing| panic!("missing executable: {missing}"))
}

/// Waits (bounded) until `done` holds, checking every 50 ms; panics naming `what` after `within`.
pub async fn until(what: &str, within: Duration, mut done: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + within;
    while !done() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{what} did not happen within {within:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The `rotor` command, built next to the tests.
pub fn rotor_cli_binary() -> std::path::PathBuf {
    let hint = "`cargo build --workspace --bins` (make test does)";
    rotor_stack::binaries::find_rotor_binary("rotor", hint)
        .unwrap_or_else(|missing| panic!("missing executable: {missing}"))
}

/// Connects to the API, waiting (bounded) for it to listen.
async fn connect_api(url: &str, ca: Option<&str>) -> anyhow::Result<Channel> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        match rotor_stack::api::endpoint(url, ca.map(str::as_bytes))?
            .connect()
            .await
        {
            Ok(channel) => return Ok(channel),
            Err(error) if tokio::time::Instant::now() > deadline => {
                bail!("the API at {url} never answered: {error}")
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
}

/// A CA and a certificate for `localhost` signed by it, written as `api-cert.pem` and
/// `api-key.pem` in `dir`; returns the CA's PEM.
fn api_certificates(dir: &std::path::Path) -> anyhow::Result<String> {
    let ca = rotor_stack::tls::LocalCa::new("rotor test API CA")?;
    ca.issue(dir, "api", &["localhost"])?;
    Ok(ca.pem().to_string())
}

async fn rotor_device_login(
    address: &str,
    host_key: &str,
    user: &str,
    password: &Password,
) -> bool {
    match rotor_device_session(address, host_key, user, password).await {
        Ok(session) => {
            session.close().await;
            true
        }
        Err(_) => false,
    }
}

async fn rotor_device_session(
    address: &str,
    host_key: &str,
    user: &str,
    password: &Password,
) -> Result<rotor_device::ssh::Session, rotor_device::DeviceError> {
    let pinned = [host_key.to_string()];
    rotor_device::ssh::Session::connect(address, &pinned, user, password, &Default::default()).await
}

/// Sets a device's administrative state in an exported inventory.
pub fn set_administrative_state(
    exported: &mut ExportedFabric,
    device_id: &str,
    state: rotor_inventory::AdministrativeState,
) {
    for device in &mut exported.inventory.devices {
        if device.id == device_id {
            device.administrative_state = state;
        }
    }
}

/// A refused request's code and message; `None` when the request was accepted.
pub fn rejection(reply: &RotationReply) -> Option<(ErrorCode, String)> {
    match &reply.outcome {
        Some(rotation_reply::Outcome::Rejected(rejected)) => {
            let error = rejected.error.clone().unwrap_or_default();
            Some((
                ErrorCode::try_from(error.code).unwrap_or(ErrorCode::Unspecified),
                error.message,
            ))
        }
        _ => None,
    }
}

/// The per-device results of an operation, by device id.
pub fn results_by_device(
    operation: &OperationStatus,
) -> BTreeMap<String, (OperationState, ErrorCode)> {
    operation
        .operations
        .iter()
        .map(|result| {
            let state =
                OperationState::try_from(result.status).unwrap_or(OperationState::Unspecified);
            let code = result
                .error
                .as_ref()
                .and_then(|e| ErrorCode::try_from(e.code).ok())
                .unwrap_or(ErrorCode::Unspecified);
            (result.resource_id.clone(), (state, code))
        })
        .collect()
}
