//! Real servers for tests: `nats-server` with JetStream (also as a 3-node cluster),
//! `bao server -dev` (OpenBao) and Prometheus, each on a free loopback port with its own scratch directory,
//! stopped and cleaned up on drop. No test talks to a server it did not start.
//!
//! The servers' binaries, command lines, readiness probes and the guard that kills a server when
//! the test process goes away (even if the test is killed before `Drop` runs) are the ones every
//! local stack uses, from `rotor_stack`; what is here is only for tests: free ports, scratch
//! directories, panics instead of errors, outages (stop, restart, seal).

#![warn(missing_docs)]

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use rotor_stack::process::GuardedProcess;
use rotor_stack::servers::{
    BAO_READY_WITHIN, NATS_READY_WITHIN, bao_dev_args, bao_dev_env, bao_is_healthy, nats_args,
    nats_config, nats_greets,
};

/// A server the bootstrap installs, or a panic saying where it was looked for and how to get it.
fn tool(name: &str) -> PathBuf {
    rotor_stack::binaries::find_tool(name)
        .unwrap_or_else(|missing| panic!("missing executable: {missing}"))
}

/// A fresh scratch directory under the system temp folder, removed on drop.
#[derive(Debug)]
pub struct ScratchDir(PathBuf);

impl ScratchDir {
    /// Creates an empty directory named after `label`, the process id and a counter, so that tests
    /// in one process never share one.
    pub fn new(label: &str) -> ScratchDir {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("rotor-{label}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("the temp folder is writable");
        ScratchDir(path)
    }

    /// The directory's path.
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A port nobody listens on right now, below the ephemeral range and with the next one free
/// too ([`rotor_stack::ports::free_port`]: no outgoing connection can take it before the
/// server listens, and OpenBao also takes its port + 1).
pub fn free_port() -> u16 {
    rotor_stack::ports::free_port().unwrap_or_else(|error| panic!("{error}"))
}

/// Options for a NATS server.
#[derive(Clone, Debug, Default)]
pub struct NatsOptions {
    /// Require this user name and password.
    pub user_password: Option<(String, String)>,
    /// Extra configuration lines.
    pub extra_config: String,
}

/// A real `nats-server -js` on a free loopback port.
#[derive(Debug)]
pub struct NatsServer {
    process: GuardedProcess,
    port: u16,
    cluster_port: Option<u16>,
    config_path: PathBuf,
    _dir: ScratchDir,
}

impl NatsServer {
    /// Starts a server with no authentication and waits until it accepts connections; panics if it
    /// does not.
    pub fn start() -> NatsServer {
        Self::start_with(NatsOptions::default())
    }

    /// Starts a server with `options` and waits until it accepts connections; panics if it does
    /// not.
    pub fn start_with(options: NatsOptions) -> NatsServer {
        let dir = ScratchDir::new("nats");
        let port = free_port();
        let mut config = base_nats_config(dir.path(), port, &options);
        config.push_str(&options.extra_config);
        let mut server = Self::spawn(dir, port, None, config);
        server.wait_ready();
        server
    }

    /// Writes the configuration and starts the server, without waiting for it.
    fn spawn(dir: ScratchDir, port: u16, cluster_port: Option<u16>, config: String) -> NatsServer {
        let config_path = dir.path().join("nats.conf");
        std::fs::write(&config_path, config).unwrap();
        NatsServer {
            process: Self::spawn_process(&config_path, dir.path()),
            port,
            cluster_port,
            config_path,
            _dir: dir,
        }
    }

    fn spawn_process(config_path: &Path, dir: &Path) -> GuardedProcess {
        GuardedProcess::spawn(
            "nats-server",
            &tool("nats-server"),
            &nats_args(config_path),
            dir.join("nats.log"),
            &[],
        )
    }

    fn wait_ready(&mut self) {
        let port = self.port;
        self.process
            .wait_ready_blocking(NATS_READY_WITHIN, || nats_greets(port))
            .unwrap_or_else(|error| panic!("{error}"));
    }

    /// The URL clients connect to.
    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    /// The client port on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Everything the server has written to its log so far, for a failing test's message.
    pub fn log(&self) -> String {
        self.process.log()
    }

    /// The file the server logs to (what `ROTOR_NATS_SERVER_LOG` names).
    pub fn log_path(&self) -> PathBuf {
        self._dir.path().join("nats.log")
    }

    /// Stops the server (its data stays until drop), e.g. to test an outage.
    pub fn stop(&mut self) {
        self.process.stop();
    }

    /// Starts it again on the same port with the same data.
    pub fn restart(&mut self) {
        self.process.stop();
        self.process = Self::spawn_process(&self.config_path, self._dir.path());
        self.wait_ready();
    }

    /// The cluster (route) port, when the server is a node of a [`NatsCluster`].
    pub fn cluster_port(&self) -> Option<u16> {
        self.cluster_port
    }
}

fn base_nats_config(dir: &Path, port: u16, options: &NatsOptions) -> String {
    let mut config = nats_config(
        port,
        &format!("n{port}"),
        &dir.join("store"),
        rotor_stack::servers::LOCAL_MAX_FILE_STORE,
    );
    if let Some((user, password)) = &options.user_password {
        config.push_str(&format!(
            "authorization {{\n  user: \"{user}\"\n  password: \"{password}\"\n}}\n"
        ));
    }
    config
}

/// `nats-server`s (usually three) forming a JetStream cluster on loopback.
#[derive(Debug)]
pub struct NatsCluster {
    /// The nodes, each with its own ports and store; stop or restart one to test failover.
    pub servers: Vec<NatsServer>,
}

impl NatsCluster {
    /// Starts `size` nodes routed to each other and waits until every one is ready; panics if one
    /// is not.
    pub fn start(size: usize) -> NatsCluster {
        Self::start_with(size, NatsOptions::default())
    }

    /// Like [`NatsCluster::start`], every node with `options`; the routes between the nodes
    /// authenticate with a user and password of their own (a route that does not is refused).
    pub fn start_with(size: usize, options: NatsOptions) -> NatsCluster {
        let route_password = rotor_stack::servers::random_hex(12).expect("/dev/urandom reads");
        let ports: Vec<(u16, u16)> = (0..size).map(|_| (free_port(), free_port())).collect();
        let routes: Vec<String> = ports
            .iter()
            .map(|(_, cluster)| format!("nats-route://route:{route_password}@127.0.0.1:{cluster}"))
            .collect();
        // Start every node before waiting on any: a JetStream cluster needs a quorum to be ready.
        let mut servers: Vec<NatsServer> = ports
            .iter()
            .map(|(port, cluster_port)| {
                let dir = ScratchDir::new("nats-cluster");
                let mut config = base_nats_config(dir.path(), *port, &options);
                config.push_str(&options.extra_config);
                config.push_str(&format!(
                    "cluster {{\n  name: rotor-test\n  listen: 127.0.0.1:{cluster_port}\n  authorization {{ user: route, password: \"{route_password}\" }}\n  routes: [{}]\n}}\n",
                    routes.join(", ")
                ));
                NatsServer::spawn(dir, *port, Some(*cluster_port), config)
            })
            .collect();
        for server in &mut servers {
            server.wait_ready();
        }
        NatsCluster { servers }
    }

    /// Every node's URL, comma separated, as clients take it.
    pub fn url(&self) -> String {
        self.servers
            .iter()
            .map(|s| s.url())
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// A real OpenBao dev server (`bao server -dev`) with KV v2 at `secret/` and a known root token.
#[derive(Debug)]
pub struct BaoServer {
    process: GuardedProcess,
    port: u16,
    token: String,
    tls: bool,
    _dir: ScratchDir,
}

impl BaoServer {
    /// Starts a dev server with a root token of its own and waits until it is healthy; panics if it
    /// does not become healthy.
    pub fn start() -> BaoServer {
        Self::start_with(false)
    }

    /// Starts a dev server that speaks only HTTPS (`-dev-tls`: a CA and a certificate for
    /// 127.0.0.1 and localhost it makes itself, the CA in [`Self::ca_file`]).
    pub fn start_tls() -> BaoServer {
        Self::start_with(true)
    }

    fn start_with(tls: bool) -> BaoServer {
        let dir = ScratchDir::new("bao");
        let port = free_port();
        let token = format!("root-{}-{port}", std::process::id());
        let home = dir.path().display().to_string();
        let mut args = bao_dev_args(port);
        if tls {
            args.push("-dev-tls".into());
            args.push(format!("-dev-tls-cert-dir={}", dir.path().display()));
        }
        let mut process = GuardedProcess::spawn(
            "bao",
            &tool("bao"),
            &args,
            dir.path().join("bao.log"),
            &bao_dev_env(&token, &home),
        );
        let ca = dir.path().join("vault-ca.pem");
        process
            .wait_ready_blocking(BAO_READY_WITHIN, || {
                if tls {
                    // Plain HTTP gets an answer (400) once it listens, with its CA written.
                    ca.exists()
                        && rotor_stack::servers::http_status(port, "/v1/sys/health").is_some()
                } else {
                    bao_is_healthy(port)
                }
            })
            .unwrap_or_else(|error| panic!("{error}"));
        BaoServer {
            process,
            port,
            token,
            tls,
            _dir: dir,
        }
    }

    /// The address clients use, e.g. `http://127.0.0.1:8200` (`https://` with TLS).
    pub fn address(&self) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://127.0.0.1:{}", self.port)
    }

    /// The PEM of the CA that signed a TLS dev server's certificate.
    pub fn ca_file(&self) -> std::path::PathBuf {
        self._dir.path().join("vault-ca.pem")
    }

    /// The root token (the dev server's only token).
    pub fn token(&self) -> &str {
        &self.token
    }

    /// The HTTP port on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Everything the server has written to its log so far, for a failing test's message.
    pub fn log(&self) -> String {
        self.process.log()
    }

    /// Stops the server: a secrets-store outage. Its data is gone (dev mode keeps it in memory).
    pub fn stop(&mut self) {
        self.process.stop();
    }

    /// Seals the store: it stays up but refuses every secret read and write (503).
    pub fn seal(&self) {
        let output = self.cli(&["operator", "seal"], None);
        assert!(
            output.status.success(),
            "bao operator seal: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }

    /// Unseals it again with the dev server's unseal key (from its start-up banner).
    pub fn unseal(&self) {
        let log = self.log();
        let key = log
            .lines()
            .find_map(|line| line.trim().strip_prefix("Unseal Key: "))
            .expect("the dev server prints its unseal key")
            .trim()
            .to_string();
        let output = self.cli(&["operator", "unseal", &key], None);
        assert!(
            output.status.success(),
            "bao operator unseal: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }

    /// Runs `bao` with this server's address and token, returning its output (for setting up
    /// policies and tokens in tests).
    pub fn cli(&self, args: &[&str], stdin: Option<&str>) -> std::process::Output {
        let mut command = Command::new(tool("bao"));
        command
            .args(args)
            .env("BAO_ADDR", self.address())
            .env("BAO_TOKEN", &self.token)
            .env("HOME", self._dir.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if self.tls {
            command.env("BAO_CACERT", self.ca_file());
        }
        let mut child = command.spawn().expect("bao runs");
        if let Some(text) = stdin {
            child
                .stdin
                .take()
                .unwrap()
                .write_all(text.as_bytes())
                .unwrap();
        } else {
            drop(child.stdin.take());
        }
        child.wait_with_output().expect("bao runs")
    }
}

/// A real Prometheus server (`prometheus`, Debian's package, installed by
/// `scripts/bootstrap-prometheus.sh`) on a free loopback port, scraping what its configuration
/// says (see `rotor_stack::metrics::prometheus_config`).
#[derive(Debug)]
pub struct PrometheusServer {
    process: GuardedProcess,
    port: u16,
    _dir: ScratchDir,
}

/// How long Prometheus may take to become ready.
const PROMETHEUS_READY_WITHIN: Duration = Duration::from_secs(60);

impl PrometheusServer {
    /// Starts Prometheus with the configuration `config` (YAML) and waits until it is ready;
    /// panics if it is missing or does not become ready.
    pub fn start(config: &str) -> PrometheusServer {
        let dir = ScratchDir::new("prometheus");
        let port = free_port();
        let config_path = dir.path().join("prometheus.yml");
        std::fs::write(&config_path, config).expect("the scratch folder is writable");
        let binary = rotor_stack::binaries::find_tool("prometheus").unwrap_or_else(|missing| {
            panic!(
                "missing executable: {missing} (scripts/bootstrap-prometheus.sh installs Debian's prometheus package there)"
            )
        });
        let mut process = GuardedProcess::spawn(
            "prometheus",
            &binary,
            &rotor_stack::metrics::prometheus_args(&config_path, &dir.path().join("data"), port),
            dir.path().join("prometheus.log"),
            &[],
        );
        process
            .wait_ready_blocking(PROMETHEUS_READY_WITHIN, || {
                rotor_stack::servers::http_status(port, "/-/ready") == Some(200)
            })
            .unwrap_or_else(|error| panic!("{error}"));
        PrometheusServer {
            process,
            port,
            _dir: dir,
        }
    }

    /// Its HTTP port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Its log.
    pub fn log(&self) -> String {
        self.process.log()
    }

    /// Runs an instant query (`/api/v1/query`) and returns the answer's `data.result` (a vector
    /// of `{metric, value}`); panics on an error answer.
    pub fn query(&self, promql: &str) -> Vec<serde_json::Value> {
        let path = format!("/api/v1/query?query={}", percent_encode(promql));
        let address = std::net::SocketAddr::from(([127, 0, 0, 1], self.port));
        let (status, body) =
            rotor_stack::servers::http_get(address, &path, Duration::from_secs(10))
                .unwrap_or_else(|| panic!("Prometheus did not answer {promql}"));
        let answer: serde_json::Value = serde_json::from_str(&body)
            .unwrap_or_else(|e| panic!("Prometheus answered {status} {body:?} to {promql}: {e}"));
        assert_eq!(answer["status"], "success", "{promql}: {answer}");
        answer["data"]["result"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// The value of a query whose answer is one sample (`None`: no sample).
    pub fn value(&self, promql: &str) -> Option<f64> {
        let result = self.query(promql);
        assert!(result.len() <= 1, "{promql} has several series: {result:?}");
        result.first().map(|sample| {
            sample["value"][1]
                .as_str()
                .and_then(|v| v.parse().ok())
                .unwrap_or_else(|| panic!("{promql}: not a number: {sample}"))
        })
    }

    /// The health of every scrape target (`/api/v1/targets`): (job, scrape URL, health).
    pub fn targets(&self) -> Vec<(String, String, String)> {
        let address = std::net::SocketAddr::from(([127, 0, 0, 1], self.port));
        let (_, body) =
            rotor_stack::servers::http_get(address, "/api/v1/targets", Duration::from_secs(10))
                .expect("Prometheus answers");
        let answer: serde_json::Value = serde_json::from_str(&body).expect("a JSON answer");
        answer["data"]["activeTargets"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .map(|t| {
                let field = |name: &str| t[name].as_str().unwrap_or_default().to_string();
                (
                    t["labels"]["job"].as_str().unwrap_or_default().to_string(),
                    field("scrapeUrl"),
                    field("health"),
                )
            })
            .collect()
    }
}

impl PrometheusServer {
    /// Every loaded rule (`/api/v1/rules`): its name and health (`ok`, `err`, `unknown` before
    /// its first evaluation).
    pub fn rules(&self) -> Vec<(String, String)> {
        let address = std::net::SocketAddr::from(([127, 0, 0, 1], self.port));
        let (_, body) =
            rotor_stack::servers::http_get(address, "/api/v1/rules", Duration::from_secs(10))
                .expect("Prometheus answers");
        let answer: serde_json::Value = serde_json::from_str(&body).expect("a JSON answer");
        let mut rules = Vec::new();
        for group in answer["data"]["groups"]
            .as_array()
            .cloned()
            .unwrap_or_default()
        {
            for rule in group["rules"].as_array().cloned().unwrap_or_default() {
                rules.push((
                    rule["name"].as_str().unwrap_or_default().to_string(),
                    rule["health"].as_str().unwrap_or_default().to_string(),
                ));
            }
        }
        rules
    }
}

/// `text` with everything but unreserved characters percent-encoded (a query string value).
fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

/// A JSON value from the NATS monitoring-free `INFO` line: the server's version, for reports.
pub fn nats_server_info(url_port: u16) -> Option<serde_json::Value> {
    let stream = TcpStream::connect(("127.0.0.1", url_port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(1))).ok()?;
    let mut line = String::new();
    BufReader::new(stream).read_line(&mut line).ok()?;
    serde_json::from_str(line.strip_prefix("INFO ")?.trim()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_node_without_the_route_credentials_is_not_let_into_a_cluster() {
        let cluster = NatsCluster::start(3);
        let first = cluster.servers[0].cluster_port().unwrap();
        let rogue_port = free_port();
        let rogue = NatsServer::start_with(NatsOptions {
            extra_config: format!(
                "cluster {{\n  name: rotor-test\n  listen: 127.0.0.1:{rogue_port}\n  routes: [nats-route://127.0.0.1:{first}]\n}}\n"
            ),
            ..Default::default()
        });
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        // The route (`rid:`) is refused by the first node for want of the route credentials.
        let refused = |log: String| {
            log.lines()
                .any(|line| line.contains(" - rid:") && line.contains("authentication error"))
        };
        while !refused(cluster.servers[0].log()) {
            assert!(
                std::time::Instant::now() < deadline,
                "the first node did not refuse the rogue route:\n{}\n--- rogue:\n{}",
                cluster.servers[0].log(),
                rogue.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    #[test]
    fn nats_and_bao_start_and_stop() {
        let nats = NatsServer::start();
        let info = nats_server_info(nats.port()).expect("the server greets");
        assert_eq!(info["jetstream"], serde_json::Value::Bool(true));
        let mut bao = BaoServer::start();
        assert!(bao_is_healthy(bao.port()));
        let port = bao.port();
        bao.stop();
        assert!(!bao_is_healthy(port));
    }
}
