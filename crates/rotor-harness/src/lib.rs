//! Real servers for tests: `nats-server` with JetStream and `bao server -dev` (OpenBao), each on
//! a free loopback port with its own scratch directory, stopped and cleaned up on drop.
//!
//! Binaries are found in `$ROTOR_TOOLS_DIR`, then the project's `tools/bin` (filled by
//! `scripts/bootstrap.sh`), then `PATH`. Every server runs under a small shell guard that kills it
//! when the test process goes away, even if the test is killed before `Drop` runs, so no server
//! outlives its test. No test talks to a server it did not start.

pub mod local;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Where the project's bootstrap puts the servers.
pub fn tools_dir() -> PathBuf {
    std::env::var_os("ROTOR_TOOLS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tools/bin"))
}

/// Finds an executable in the tools folder or on `PATH`.
pub fn find_binary(name: &str) -> PathBuf {
    try_find_binary(name).unwrap_or_else(|| {
        panic!(
            "{name} was not found in {} or on PATH; run `scripts/bootstrap.sh` (make test does)",
            tools_dir().display()
        )
    })
}

/// Like [`find_binary`], but `None` instead of a panic when the executable is nowhere.
pub fn try_find_binary(name: &str) -> Option<PathBuf> {
    let local = tools_dir().join(name);
    if local.exists() {
        return Some(local);
    }
    find_on_path(name)
}

/// Finds an executable file on `PATH` only.
pub fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

/// A fresh scratch directory under the system temp folder, removed on drop.
#[derive(Debug)]
pub struct ScratchDir(PathBuf);

impl ScratchDir {
    pub fn new(label: &str) -> ScratchDir {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("rotor-{label}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("the temp folder is writable");
        ScratchDir(path)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A port nobody listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a loopback port is free")
}

/// A child process that dies with the test process: it runs under `sh`, which waits for its
/// standard input (a pipe from us) to close and then kills the child.
#[derive(Debug)]
pub struct GuardedProcess {
    guard: Child,
    stdin: Option<ChildStdin>,
    /// Set by [`GuardedProcess::begin_stop`] until the guard has been waited for.
    stopping: bool,
    log: PathBuf,
    name: String,
}

impl GuardedProcess {
    pub fn spawn(
        name: &str,
        program: &Path,
        args: &[String],
        log: PathBuf,
        env: &[(&str, &str)],
    ) -> GuardedProcess {
        let script = r#"exec 3<&0; "$@" </dev/null >"$LOG" 2>&1 & child=$!; read -r _ <&3; kill -TERM $child 2>/dev/null; for i in 1 2 3 4 5 6 7 8 9 10; do kill -0 $child 2>/dev/null || exit 0; sleep 0.1; done; kill -KILL $child 2>/dev/null; wait $child 2>/dev/null"#;
        Self::spawn_with_guard(script, name, program, args, log, env)
    }

    /// Like [`GuardedProcess::spawn`], but the guard also ends when the child ends on its own,
    /// so [`GuardedProcess::is_running`] tells whether the child itself still runs (for
    /// long-lived stacks that must notice a crashed server).
    pub fn spawn_watched(
        name: &str,
        program: &Path,
        args: &[String],
        log: PathBuf,
        env: &[(&str, &str)],
    ) -> GuardedProcess {
        let script = r#"exec 3<&0; "$@" </dev/null >"$LOG" 2>&1 & child=$!; ( read -r _ <&3; kill -TERM $child 2>/dev/null; for i in 1 2 3 4 5 6 7 8 9 10; do kill -0 $child 2>/dev/null || exit 0; sleep 0.1; done; kill -KILL $child 2>/dev/null ) </dev/null & watcher=$!; exec 3<&-; wait $child; status=$?; kill $watcher 2>/dev/null; exit $status"#;
        Self::spawn_with_guard(script, name, program, args, log, env)
    }

    fn spawn_with_guard(
        script: &str,
        name: &str,
        program: &Path,
        args: &[String],
        log: PathBuf,
        env: &[(&str, &str)],
    ) -> GuardedProcess {
        let mut command = Command::new("sh");
        // Its own process group: a Ctrl-C in the terminal reaches the parent (which stops its
        // children in order), not the guard, whose death would orphan the child.
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        command
            .arg("-c")
            .arg(script)
            .arg("sh")
            .arg(program)
            .args(args)
            .env("LOG", &log)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        for (key, value) in env {
            command.env(key, value);
        }
        let mut guard = command
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", program.display()));
        let stdin = guard.stdin.take();
        GuardedProcess {
            guard,
            stdin,
            stopping: false,
            log,
            name: name.to_string(),
        }
    }

    /// The file the process's output goes to.
    pub fn log_path(&self) -> &Path {
        &self.log
    }

    /// What the process has printed so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Stops the process and waits for it.
    pub fn stop(&mut self) {
        self.begin_stop();
        if self.stopping {
            self.stopping = false;
            let _ = self.guard.wait();
        }
    }

    /// Asks the process to stop (SIGTERM, then SIGKILL after a second) without waiting, so that
    /// many processes can stop at once; [`GuardedProcess::stop`] (or drop) then waits.
    pub fn begin_stop(&mut self) {
        if let Some(stdin) = self.stdin.take() {
            drop(stdin);
            self.stopping = true;
        }
    }

    /// Kills the process with SIGKILL (a crash: no shutdown, no cleanup) and waits for the guard.
    pub fn kill_hard(&mut self) {
        let _ = Command::new("pkill")
            .args(["-KILL", "-P", &self.guard.id().to_string()])
            .status();
        self.stop();
    }

    /// The guard's process id (the server runs as its child).
    pub fn guard_pid(&self) -> u32 {
        self.guard.id()
    }

    pub fn is_running(&mut self) -> bool {
        self.stdin.is_some() && matches!(self.guard.try_wait(), Ok(None))
    }

    fn fail(&self, what: &str) -> ! {
        panic!("{} {what}; its log:\n{}", self.name, self.log())
    }
}

impl Drop for GuardedProcess {
    fn drop(&mut self) {
        self.stop();
    }
}

fn wait_until(deadline: Duration, mut ready: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    let mut pause = Duration::from_millis(5);
    while start.elapsed() < deadline {
        if ready() {
            return true;
        }
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(100));
    }
    ready()
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
    pub fn start() -> NatsServer {
        Self::start_with(NatsOptions::default())
    }

    pub fn start_with(options: NatsOptions) -> NatsServer {
        let dir = ScratchDir::new("nats");
        let port = free_port();
        let mut config = base_nats_config(dir.path(), port, &options);
        config.push_str(&options.extra_config);
        Self::launch(dir, port, None, config)
    }

    fn launch(dir: ScratchDir, port: u16, cluster_port: Option<u16>, config: String) -> NatsServer {
        let config_path = dir.path().join("nats.conf");
        std::fs::write(&config_path, config).unwrap();
        let process = GuardedProcess::spawn(
            "nats-server",
            &find_binary("nats-server"),
            &["-c".to_string(), config_path.display().to_string()],
            dir.path().join("nats.log"),
            &[],
        );
        let server = NatsServer {
            process,
            port,
            cluster_port,
            config_path,
            _dir: dir,
        };
        server.wait_ready();
        server
    }

    fn wait_ready(&self) {
        let port = self.port;
        let ready = wait_until(Duration::from_secs(20), || {
            // A NATS server greets every connection with an INFO line.
            TcpStream::connect(("127.0.0.1", port))
                .and_then(|stream| {
                    stream.set_read_timeout(Some(Duration::from_millis(500)))?;
                    let mut line = String::new();
                    BufReader::new(stream).read_line(&mut line)?;
                    Ok(line.starts_with("INFO"))
                })
                .unwrap_or(false)
        });
        if !ready {
            self.process.fail("did not start listening");
        }
    }

    /// The URL clients connect to.
    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn log(&self) -> String {
        self.process.log()
    }

    /// Stops the server (its data stays until drop), e.g. to test an outage.
    pub fn stop(&mut self) {
        self.process.stop();
    }

    /// Starts it again on the same port with the same data.
    pub fn restart(&mut self) {
        self.process.stop();
        self.process = GuardedProcess::spawn(
            "nats-server",
            &find_binary("nats-server"),
            &["-c".to_string(), self.config_path.display().to_string()],
            self._dir.path().join("nats.log"),
            &[],
        );
        self.wait_ready();
    }

    pub fn cluster_port(&self) -> Option<u16> {
        self.cluster_port
    }
}

fn base_nats_config(dir: &Path, port: u16, options: &NatsOptions) -> String {
    let mut config = format!(
        "listen: 127.0.0.1:{port}\nmax_payload: 8MB\nserver_name: n{port}\n\
         jetstream {{\n  store_dir: \"{}\"\n  max_memory_store: 256MB\n  max_file_store: 4GB\n}}\n",
        dir.join("store").display()
    );
    if let Some((user, password)) = &options.user_password {
        config.push_str(&format!(
            "authorization {{\n  user: \"{user}\"\n  password: \"{password}\"\n}}\n"
        ));
    }
    config
}

/// Three `nats-server`s forming a JetStream cluster on loopback.
#[derive(Debug)]
pub struct NatsCluster {
    pub servers: Vec<NatsServer>,
}

impl NatsCluster {
    pub fn start(size: usize) -> NatsCluster {
        let ports: Vec<(u16, u16)> = (0..size).map(|_| (free_port(), free_port())).collect();
        let routes: Vec<String> = ports
            .iter()
            .map(|(_, cluster)| format!("nats-route://127.0.0.1:{cluster}"))
            .collect();
        // Start every node before waiting on any: a JetStream cluster needs a quorum to be ready.
        let mut pending = Vec::new();
        for (port, cluster_port) in &ports {
            let dir = ScratchDir::new("nats-cluster");
            let mut config = base_nats_config(dir.path(), *port, &NatsOptions::default());
            config.push_str(&format!(
                "cluster {{\n  name: rotor-test\n  listen: 127.0.0.1:{cluster_port}\n  routes: [{}]\n}}\n",
                routes.join(", ")
            ));
            let config_path = dir.path().join("nats.conf");
            std::fs::write(&config_path, config).unwrap();
            let process = GuardedProcess::spawn(
                "nats-server",
                &find_binary("nats-server"),
                &["-c".to_string(), config_path.display().to_string()],
                dir.path().join("nats.log"),
                &[],
            );
            pending.push(NatsServer {
                process,
                port: *port,
                cluster_port: Some(*cluster_port),
                config_path,
                _dir: dir,
            });
        }
        for server in &pending {
            server.wait_ready();
        }
        NatsCluster { servers: pending }
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
    _dir: ScratchDir,
}

impl BaoServer {
    pub fn start() -> BaoServer {
        let dir = ScratchDir::new("bao");
        let port = free_port();
        let token = format!("root-{}-{port}", std::process::id());
        let home = dir.path().display().to_string();
        let process = GuardedProcess::spawn(
            "bao",
            &find_binary("bao"),
            &[
                "server".to_string(),
                "-dev".to_string(),
                "-dev-no-store-token".to_string(),
                format!("-dev-root-token-id={token}"),
                format!("-dev-listen-address=127.0.0.1:{port}"),
            ],
            dir.path().join("bao.log"),
            &[("HOME", home.as_str()), ("BAO_LOG_LEVEL", "warn")],
        );
        let server = BaoServer {
            process,
            port,
            token,
            _dir: dir,
        };
        server.wait_ready();
        server
    }

    fn wait_ready(&self) {
        let port = self.port;
        let ready = wait_until(Duration::from_secs(30), || {
            http_get_status(port, "/v1/sys/health") == Some(200)
        });
        if !ready {
            self.process.fail("did not become healthy");
        }
    }

    /// The address clients use, e.g. `http://127.0.0.1:8200`.
    pub fn address(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The root token (the dev server's only token).
    pub fn token(&self) -> &str {
        &self.token
    }

    pub fn port(&self) -> u16 {
        self.port
    }

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
        let mut command = Command::new(find_binary("bao"));
        command
            .args(args)
            .env("BAO_ADDR", self.address())
            .env("BAO_TOKEN", &self.token)
            .env("HOME", self._dir.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
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

/// A minimal HTTP GET on loopback, returning the status code.
fn http_get_status(port: u16, path: &str) -> Option<u16> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    response.split_whitespace().nth(1)?.parse().ok()
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
    fn nats_and_bao_start_and_stop() {
        let nats = NatsServer::start();
        let info = nats_server_info(nats.port()).expect("the server greets");
        assert_eq!(info["jetstream"], serde_json::Value::Bool(true));
        let mut bao = BaoServer::start();
        assert_eq!(http_get_status(bao.port(), "/v1/sys/health"), Some(200));
        let port = bao.port();
        bao.stop();
        assert_eq!(http_get_status(port, "/v1/sys/health"), None);
    }
}
