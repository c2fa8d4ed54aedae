//! One benchmark stack: `nats-server` (JetStream), an OpenBao dev server, the simulator
//! (`rotor-sim`) and the five Rotor services, each a separate process under a
//! [`rotor_harness::GuardedProcess`] (the same guard `rotor up` uses, so nothing outlives the
//! bench even after `kill -9`), with the simulated fabric imported through the API.
//!
//! The fabric's first password is generated here, written to OpenBao (version 1) and given to
//! the simulator as `$6$` hashes only; it is never printed or logged.

use rotor_bus::{JobKind, names};
use std::io::Read;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context as _, anyhow, bail};
use rotor_harness::GuardedProcess;
use rotor_proto::v1::ImportInventoryRequest;
use rotor_proto::v1::rotation_service_client::RotationServiceClient;
use rotor_secrets::{PasswordPolicy, SecretsClient, SecretsSettings, render_hash};
use tonic::transport::{Channel, Endpoint};

use crate::procstat;

pub use rotor_harness::local::{SECRETS_MOUNT, login_secret_path};
use rotor_harness::local::{
    SERVICES, ServiceTargets, bao_dev_args, http_status, log_tail, nats_config, nats_greets,
    random_hex, service_env,
};

/// What a process is, for the CPU and memory columns.
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

/// A child process of the stack with its real process id (the guard's child).
#[derive(Debug)]
pub struct Process {
    pub name: String,
    pub role: Role,
    pub pid: Option<u32>,
    guard: GuardedProcess,
}

impl Process {
    fn start(
        name: &str,
        role: Role,
        program: &Path,
        args: &[String],
        log: PathBuf,
        env: &[(&str, &str)],
    ) -> Process {
        // Every child gets the hard open-file limit: the simulator holds one socket per device,
        // a worker one per session in flight.
        let mut wrapped = vec![
            "-c".to_string(),
            r#"ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$0" "$@""#.to_string(),
            program.display().to_string(),
        ];
        wrapped.extend(args.iter().cloned());
        let guard = GuardedProcess::spawn_watched(name, Path::new("/bin/sh"), &wrapped, log, env);
        let pid = procstat::find_child(guard.guard_pid(), program, Duration::from_secs(10));
        Process {
            name: name.to_string(),
            role,
            pid,
            guard,
        }
    }

    pub fn is_running(&mut self) -> bool {
        self.guard.is_running()
    }

    pub fn log_path(&self) -> &Path {
        self.guard.log_path()
    }

    fn failure(&self, what: &str) -> anyhow::Error {
        anyhow!(
            "{} {what}; its log {} ends with:\n{}",
            self.name,
            self.log_path().display(),
            log_tail(self.log_path(), 15)
        )
    }

    pub fn cpu_seconds(&self) -> f64 {
        self.pid.and_then(procstat::cpu_seconds).unwrap_or(0.0)
    }

    pub fn peak_rss_mib(&self) -> f64 {
        self.pid.and_then(procstat::peak_rss_mib).unwrap_or(0.0)
    }
}

/// What to start.
#[derive(Clone, Debug)]
pub struct StackOptions {
    pub fabric_id: String,
    pub devices: usize,
    /// `none` or `realistic` (the simulator's latency profiles).
    pub latency: String,
    /// Platform weights as `rotor-sim --platform-mix` takes them.
    pub platform_mix: String,
    pub differ_copies: usize,
    pub applier_copies: usize,
    /// More `ROTOR_*` settings for every service (e.g. `ROTOR_MAX_IN_FLIGHT`).
    pub service_env: Vec<(String, String)>,
    /// The scenario's folder: logs, the exported inventory.
    pub dir: PathBuf,
}

/// Where the executables are.
#[derive(Clone, Debug)]
pub struct Binaries {
    pub nats: PathBuf,
    pub bao: PathBuf,
    pub sim: PathBuf,
    /// rotor-orchestrator, rotor-differ, ... by service name.
    pub services: Vec<(String, PathBuf)>,
}

impl Binaries {
    /// nats-server and bao from tools/bin or PATH; Rotor's binaries next to this one.
    pub fn find() -> anyhow::Result<Binaries> {
        let beside = rotor_harness::local::sibling_binary;
        let mut missing = Vec::new();
        let nats = rotor_harness::try_find_binary("nats-server");
        let bao = rotor_harness::try_find_binary("bao");
        if nats.is_none() {
            missing.push("nats-server (run `make bootstrap`)".to_string());
        }
        if bao.is_none() {
            missing.push("bao (run `make bootstrap`)".to_string());
        }
        let sim = beside("rotor-sim");
        if sim.is_none() {
            missing.push("rotor-sim (cargo build --release --workspace --bins)".to_string());
        }
        let mut services = Vec::new();
        for service in SERVICES {
            match beside(&format!("rotor-{service}")) {
                Some(path) => services.push((service.to_string(), path)),
                None => missing.push(format!(
                    "rotor-{service} (cargo build --release --workspace --bins)"
                )),
            }
        }
        if !missing.is_empty() {
            bail!("missing executables: {}", missing.join("; "));
        }
        Ok(Binaries {
            nats: nats.expect("checked"),
            bao: bao.expect("checked"),
            sim: sim.expect("checked"),
            services,
        })
    }
}

fn free_port() -> anyhow::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// The first port of `count` consecutive free loopback ports below the kernel's ephemeral range
/// (so outgoing connections never take one), or `None`.
pub fn free_port_range(count: usize) -> Option<u16> {
    let ephemeral_low: u32 = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|text| text.split_whitespace().next()?.parse().ok())
        .unwrap_or(32768);
    let count = count.max(1) as u32;
    let mut base: u32 = 12000;
    while base + count <= ephemeral_low {
        // One at a time (a small race with other programs is acceptable for a benchmark).
        if (0..count).all(|i| TcpListener::bind(("127.0.0.1", (base + i) as u16)).is_ok()) {
            return Some(base as u16);
        }
        base += 1000;
    }
    None
}

/// `GET path` on a loopback HTTP server, the body parsed as JSON.
pub fn http_get_json(url: &str, path: &str) -> Option<serde_json::Value> {
    use std::io::Write;
    let authority = url.strip_prefix("http://")?;
    let address: SocketAddr = authority.parse().ok()?;
    let mut stream = TcpStream::connect_timeout(&address, Duration::from_secs(2)).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: {authority}\r\n\r\n").ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let body = response.split_once("\r\n\r\n")?.1;
    serde_json::from_str(body).ok()
}

/// The API client.
pub type Client = RotationServiceClient<Channel>;

pub async fn connect_api(url: &str) -> anyhow::Result<Client> {
    let channel = Endpoint::from_shared(url.to_string())?
        .connect_timeout(Duration::from_secs(5))
        .tcp_nodelay(true)
        .connect()
        .await?;
    Ok(RotationServiceClient::new(channel)
        .max_decoding_message_size(256 << 20)
        .max_encoding_message_size(256 << 20))
}

/// A running stack. Dropping it stops every process (services first).
#[derive(Debug)]
pub struct BenchStack {
    pub processes: Vec<Process>,
    pub fabric_id: String,
    pub devices: usize,
    pub control_url: String,
    pub inventory_path: PathBuf,
    pub secrets: SecretsClient,
    pub jetstream: async_nats::jetstream::Context,
    pub client: Client,
    /// Seconds from nothing to an imported fabric with every worker pulling.
    pub start_seconds: f64,
    pub import_seconds: f64,
}

impl BenchStack {
    pub async fn start(
        binaries: &Binaries,
        options: &StackOptions,
        mut say: impl FnMut(&str),
    ) -> anyhow::Result<BenchStack> {
        let started = Instant::now();
        let dir = &options.dir;
        let log_dir = dir.join("logs");
        let nats_dir = dir.join("nats");
        let bao_dir = dir.join("bao");
        let inventory_dir = dir.join("inventory");
        for folder in [&nats_dir, &inventory_dir] {
            if folder.exists() {
                std::fs::remove_dir_all(folder)?;
            }
        }
        for folder in [&log_dir, &nats_dir, &bao_dir, &inventory_dir] {
            std::fs::create_dir_all(folder)
                .with_context(|| format!("cannot create {}", folder.display()))?;
        }
        let nats_port = free_port()?;
        let bao_port = free_port()?;
        let api_port = free_port()?;
        let control_port = free_port()?;
        let mut processes = Vec::new();

        let nats_config_file = nats_dir.join("nats.conf");
        std::fs::write(
            &nats_config_file,
            nats_config(nats_port, "rotor-bench", &nats_dir.join("store"), "8GB"),
        )?;
        processes.push(Process::start(
            "nats-server",
            Role::Broker,
            &binaries.nats,
            &["-c".to_string(), nats_config_file.display().to_string()],
            log_dir.join("nats-server.log"),
            &[],
        ));
        let bao_token = format!(
            "rotor-bench-{}",
            random_hex(12).context("reading /dev/urandom")?
        );
        let bao_home = bao_dir.display().to_string();
        processes.push(Process::start(
            "openbao",
            Role::Secrets,
            &binaries.bao,
            &bao_dev_args(&bao_token, bao_port),
            log_dir.join("openbao.log"),
            &[("HOME", bao_home.as_str()), ("BAO_LOG_LEVEL", "warn")],
        ));
        let nats_url = format!("nats://127.0.0.1:{nats_port}");
        let bao_address = format!("http://127.0.0.1:{bao_port}");
        wait_ready(&mut processes[0], Duration::from_secs(20), || {
            nats_greets(nats_port)
        })
        .await?;
        wait_ready(&mut processes[1], Duration::from_secs(30), || {
            http_status(bao_port, "/v1/sys/health") == Some(200)
        })
        .await?;

        // The fabric's first password: in OpenBao (version 1), as hashes on every device.
        let secrets = SecretsClient::connect(&SecretsSettings::new(&bao_address, &bao_token))
            .await
            .context("OpenBao answers its health check but not a client")?;
        let path = login_secret_path(&options.fabric_id);
        let password = PasswordPolicy::default().generate()?;
        let version = secrets.write(SECRETS_MOUNT, &path, &password).await?;
        let monitor = PasswordPolicy::default().generate()?;
        let users = format!(
            "cumulus:\n  cumulus: '{}'\nnvos:\n  admin: '{}'\n  monitor: '{}'\n",
            render_hash(&password, &path, version, "cumulus").as_crypt(),
            render_hash(&password, &path, version, "admin").as_crypt(),
            render_hash(&monitor, "monitor", 1, "monitor").as_crypt(),
        );
        drop((password, monitor));
        processes.push(
            start_simulator(
                binaries,
                &SimSpec {
                    fabric_id: &options.fabric_id,
                    devices: options.devices,
                    platform_mix: &options.platform_mix,
                    latency: &options.latency,
                    users_yaml: &users,
                    control_port,
                },
                dir,
            )
            .await?,
        );
        say(&format!(
            "simulator ready: {} devices ({} latency) in {:.1} s",
            options.devices,
            options.latency,
            started.elapsed().as_secs_f64()
        ));

        // The services.
        let api_listen = format!("127.0.0.1:{api_port}");
        let targets = ServiceTargets {
            nats_url: &nats_url,
            bao_address: &bao_address,
            bao_token: &bao_token,
            api_listen: &api_listen,
        };
        for (service, binary) in &binaries.services {
            let copies = match service.as_str() {
                "differ" => options.differ_copies,
                "applier" => options.applier_copies,
                _ => 1,
            };
            for copy in 0..copies {
                let instance = format!("{service}-{copy}");
                let mut env = service_env(targets, service, &instance);
                for (key, value) in &options.service_env {
                    env.push((key.as_str(), value.as_str()));
                }
                processes.push(Process::start(
                    &format!("rotor-{instance}"),
                    Role::Rotor,
                    binary,
                    &[],
                    log_dir.join(format!("rotor-{instance}.log")),
                    &env,
                ));
            }
        }
        let api_url = format!("http://{api_listen}");
        let nats = async_nats::ConnectOptions::new()
            .name("rotor-bench")
            .connect(nats_url.as_str())
            .await
            .context("connecting to NATS")?;
        let jetstream = async_nats::jetstream::new(nats.clone());
        let client = wait_for_api(&mut processes, &api_url).await?;
        let mut stack = BenchStack {
            processes,
            fabric_id: options.fabric_id.clone(),
            devices: options.devices,
            control_url: format!("http://127.0.0.1:{control_port}"),
            inventory_path: inventory_dir.join("inventory.yaml"),
            secrets,
            jetstream,
            client,
            start_seconds: 0.0,
            import_seconds: 0.0,
        };
        let import_started = Instant::now();
        stack.import().await?;
        stack.import_seconds = import_started.elapsed().as_secs_f64();
        say(&format!(
            "imported {} devices in {:.1} s",
            options.devices, stack.import_seconds
        ));
        stack
            .wait_for_workers(options.differ_copies, options.applier_copies)
            .await?;
        stack.start_seconds = started.elapsed().as_secs_f64();
        Ok(stack)
    }

    async fn import(&mut self) -> anyhow::Result<()> {
        let import = rotor_inventory::FabricImport::load(&self.inventory_path)
            .map_err(|e| anyhow!("the exported inventory does not load: {e}"))?;
        let request = ImportInventoryRequest {
            inventory_yaml: import.inventory.to_yaml(),
            intended_configs: import.intended_configs.into_iter().collect(),
        };
        let response = self
            .client
            .import_inventory(request)
            .await
            .map_err(|status| anyhow!("importing the inventory: {}", status.message()))?
            .into_inner();
        if response.device_count as usize != self.devices {
            bail!(
                "imported {} devices, expected {}",
                response.device_count,
                self.devices
            );
        }
        Ok(())
    }

    /// Waits (bounded) until every worker copy has a pull request waiting on its consumer, so
    /// the rotation's clock does not include services still starting.
    async fn wait_for_workers(&mut self, differs: usize, appliers: usize) -> anyhow::Result<()> {
        let started = Instant::now();
        let wanted = [
            (names::JOBS_STREAM, JobKind::Diff.consumer_name(), differs),
            (names::JOBS_STREAM, JobKind::Apply.consumer_name(), appliers),
            (names::JOBS_STREAM, JobKind::Backup.consumer_name(), 1),
            (names::EVENTS_STREAM, names::AGGREGATOR_CONSUMER, 1),
        ];
        loop {
            let mut ready = true;
            for (stream, consumer, copies) in wanted {
                let waiting = match self.jetstream.get_stream(stream).await {
                    Ok(stream) => match stream.consumer_info(consumer).await {
                        Ok(info) => info.num_waiting,
                        Err(_) => 0,
                    },
                    Err(_) => 0,
                };
                if waiting < copies {
                    ready = false;
                }
            }
            if ready {
                return Ok(());
            }
            self.check()?;
            if started.elapsed() > Duration::from_secs(60) {
                bail!("the workers did not all pull from their consumers within 60 s");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The simulator's `GET /counters` (empty when it does not answer).
    pub fn sim_counters(&self) -> serde_json::Value {
        http_get_json(&self.control_url, "/counters").unwrap_or(serde_json::Value::Null)
    }

    /// An error naming the first process that stopped.
    pub fn check(&mut self) -> anyhow::Result<()> {
        for process in &mut self.processes {
            if !process.is_running() {
                return Err(process.failure("stopped"));
            }
        }
        Ok(())
    }

    /// Stops the services, then the simulator, then NATS and OpenBao.
    pub fn shutdown(mut self) {
        self.stop_all();
    }

    fn stop_all(&mut self) {
        for role in [
            &[Role::Rotor][..],
            &[Role::Simulator][..],
            &[Role::Broker, Role::Secrets][..],
        ] {
            let mut chosen: Vec<&mut Process> = self
                .processes
                .iter_mut()
                .filter(|p| role.contains(&p.role))
                .collect();
            for process in chosen.iter_mut() {
                process.guard.begin_stop();
            }
            for process in chosen.iter_mut() {
                process.guard.stop();
            }
        }
    }
}

/// A simulator to start.
#[derive(Clone, Debug)]
pub struct SimSpec<'a> {
    pub fabric_id: &'a str,
    pub devices: usize,
    pub platform_mix: &'a str,
    pub latency: &'a str,
    /// platform -> user -> `$6$` hash (the simulator never sees a password).
    pub users_yaml: &'a str,
    pub control_port: u16,
}

/// Starts `rotor-sim` as a process of its own (consecutive ports when a free range exists),
/// exporting the fabric's inventory to `dir/inventory/inventory.yaml`; returns once it is ready.
pub async fn start_simulator(
    binaries: &Binaries,
    spec: &SimSpec<'_>,
    dir: &Path,
) -> anyhow::Result<Process> {
    let inventory_dir = dir.join("inventory");
    let log_dir = dir.join("logs");
    std::fs::create_dir_all(&inventory_dir)?;
    std::fs::create_dir_all(&log_dir)?;
    let users_file = dir.join("users.yaml");
    std::fs::write(&users_file, spec.users_yaml)?;
    let ready_file = dir.join("sim-ready.json");
    let _ = std::fs::remove_file(&ready_file);
    let mut args = vec![
        "--fabric".to_string(),
        spec.fabric_id.to_string(),
        "--devices".to_string(),
        spec.devices.to_string(),
        "--platform-mix".to_string(),
        spec.platform_mix.to_string(),
        "--latency".to_string(),
        spec.latency.to_string(),
        "--control".to_string(),
        format!("127.0.0.1:{}", spec.control_port),
        "--users-file".to_string(),
        users_file.display().to_string(),
        "--export".to_string(),
        inventory_dir.display().to_string(),
        "--ready-file".to_string(),
        ready_file.display().to_string(),
    ];
    if let Some(base) = free_port_range(spec.devices) {
        args.push("--base-port".to_string());
        args.push(base.to_string());
    }
    let mut process = Process::start(
        "rotor-sim",
        Role::Simulator,
        &binaries.sim,
        &args,
        log_dir.join("rotor-sim.log"),
        &[],
    );
    let ready = wait_ready(&mut process, Duration::from_secs(120), || {
        ready_file.is_file()
    })
    .await;
    let _ = std::fs::remove_file(&users_file);
    ready?;
    Ok(process)
}

impl Drop for BenchStack {
    fn drop(&mut self) {
        self.stop_all();
    }
}

async fn wait_ready(
    process: &mut Process,
    limit: Duration,
    mut ready: impl FnMut() -> bool,
) -> anyhow::Result<()> {
    let started = Instant::now();
    loop {
        if ready() {
            return Ok(());
        }
        if !process.is_running() {
            return Err(process.failure("stopped while starting"));
        }
        if started.elapsed() > limit {
            return Err(process.failure(&format!("was not ready within {} s", limit.as_secs())));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn wait_for_api(processes: &mut [Process], url: &str) -> anyhow::Result<Client> {
    let started = Instant::now();
    loop {
        if let Ok(mut client) = connect_api(url).await {
            let answer = client
                .show_fabric(rotor_proto::v1::ShowFabricRequest {
                    fabric_id: "none".into(),
                })
                .await;
            match answer {
                Ok(_) => return Ok(client),
                Err(status) if status.code() != tonic::Code::Unavailable => return Ok(client),
                Err(_) => {}
            }
        }
        for process in processes.iter_mut() {
            if !process.is_running() {
                return Err(process.failure("stopped"));
            }
        }
        if started.elapsed() > Duration::from_secs(60) {
            bail!("the orchestrator did not serve the API on {url} within 60 s");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
