//! One benchmark stack: a [`rotor_stack::LocalStack`] with every piece a separate process
//! (the simulator too, as `rotor-sim`, so its CPU is counted apart from Rotor's) and N copies of
//! the differ and the applier, plus what only the benchmark needs: each process's real process
//! id for the CPU and memory columns (from `/proc`, [`crate::procstat`]), a JetStream context for
//! the events and consumers, the API client, and how long the start and the import took.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use rotor_bus::{JobKind, names};
use rotor_sim::PlatformMix;
use rotor_stack::api::Client;
use rotor_stack::process::GuardedProcess;
use rotor_stack::{LocalStack, Role, Started};

use crate::procstat;

/// How to build the binaries the bench starts (`make bench` builds them so).
pub const BUILD_HINT: &str = "`cargo build --release --workspace --bins`";

/// What to start.
#[derive(Clone, Debug)]
pub struct StackOptions {
    pub fabric_id: String,
    pub devices: usize,
    /// `none` or `realistic` (the simulator's latency profiles).
    pub latency: String,
    pub platform_mix: PlatformMix,
    pub differ_copies: usize,
    pub applier_copies: usize,
    /// More `ROTOR_*` settings for every service (e.g. `ROTOR_MAX_IN_FLIGHT`).
    pub service_env: Vec<(String, String)>,
    /// The scenario's folder: logs, the exported inventory.
    pub dir: PathBuf,
}

/// A process of the stack as the benchmark measures it: its real process id (the guard's
/// child).
#[derive(Clone, Debug)]
pub struct MeasuredProcess {
    pub name: String,
    pub role: Role,
    pub pid: Option<u32>,
}

impl MeasuredProcess {
    /// Finds the process id of the program the guard runs (waiting a little while it starts).
    pub fn of(name: &str, role: Role, process: &GuardedProcess) -> MeasuredProcess {
        MeasuredProcess {
            name: name.to_string(),
            role,
            pid: procstat::find_child(
                process.guard_pid(),
                process.program(),
                Duration::from_secs(10),
            ),
        }
    }

    pub fn cpu_seconds(&self) -> f64 {
        self.pid.and_then(procstat::cpu_seconds).unwrap_or(0.0)
    }

    pub fn peak_rss_mib(&self) -> f64 {
        self.pid.and_then(procstat::peak_rss_mib).unwrap_or(0.0)
    }
}

/// A running stack. Dropping it stops every process (services first).
#[derive(Debug)]
pub struct BenchStack {
    pub local: LocalStack,
    /// Every process of `local`, in start order.
    pub processes: Vec<MeasuredProcess>,
    pub jetstream: async_nats::jetstream::Context,
    pub client: Client,
    /// Seconds from nothing to an imported fabric with every worker pulling.
    pub start_seconds: f64,
    pub import_seconds: f64,
}

impl BenchStack {
    pub async fn start(
        options: &StackOptions,
        mut say: impl FnMut(&str),
    ) -> anyhow::Result<BenchStack> {
        let started = Instant::now();
        let mut builder = LocalStack::builder(&options.fabric_id, options.devices, &options.dir)
            .platform_mix(options.platform_mix)
            .simulator_process(&options.latency)
            .copies("differ", options.differ_copies)
            .copies("applier", options.applier_copies)
            .numbered_instances(true)
            .nats_max_file_store("8GB")
            .build_hint(BUILD_HINT);
        for (key, value) in &options.service_env {
            builder = builder.env(key, value);
        }
        let local = builder
            .start(|piece| {
                if let Started::Simulator { devices, .. } = piece {
                    say(&format!(
                        "simulator ready: {devices} devices ({} latency) in {:.1} s",
                        options.latency,
                        started.elapsed().as_secs_f64()
                    ));
                }
            })
            .await?;
        let processes = local
            .processes()
            .iter()
            .map(|p| MeasuredProcess::of(p.name(), p.role(), p.process()))
            .collect();
        let nats = async_nats::ConnectOptions::new()
            .name("rotor-bench")
            .nkey(local.nats_users.admin_seed()?)
            .add_root_certificates(local.nats_ca_file.clone())
            .require_tls(true)
            .connect(local.nats_url.as_str())
            .await
            .context("connecting to NATS")?;
        let client = local.client().await?;
        let mut stack = BenchStack {
            local,
            processes,
            jetstream: async_nats::jetstream::new(nats),
            client,
            start_seconds: 0.0,
            import_seconds: 0.0,
        };
        let import_started = Instant::now();
        let imported = stack.local.import().await?;
        if imported.device_count as usize != options.devices {
            bail!(
                "imported {} devices, expected {}",
                imported.device_count,
                options.devices
            );
        }
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
        let control = SocketAddr::from(([127, 0, 0, 1], self.local.ports.control));
        rotor_stack::servers::http_get(control, "/counters", Duration::from_secs(10))
            .and_then(|(_, body)| serde_json::from_str(&body).ok())
            .unwrap_or(serde_json::Value::Null)
    }

    /// An error naming the first process that stopped.
    pub fn check(&mut self) -> anyhow::Result<()> {
        Ok(self.local.check()?)
    }

    /// Stops the services, then the simulator, then NATS and OpenBao.
    pub async fn shutdown(self) {
        self.local.shutdown().await;
    }
}
