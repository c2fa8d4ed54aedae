//! A child process that dies with this one: it runs under `sh`, which waits for its standard
//! input (a pipe from us) to close and then stops the child (SIGTERM, SIGKILL a second later).
//! The pipe closes when we stop it, drop it, or go away for any reason, even `kill -9`, so no
//! server or service outlives the program or test that started it. The child's output goes to a
//! log file; it runs with the hard open-file limit (the simulator holds a socket per device, a
//! worker one per session in flight).
//!
//! Also here: the bounded wait until a child is ready ([`GuardedProcess::wait_ready`] and its
//! blocking twin), which fails early, naming the child and its log, when the child stops.

use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

use crate::StackError;

/// The guard of [`GuardedProcess::spawn`]: runs the child until its standard input closes.
const GUARD: &str = r#"exec 3<&0; ulimit -n "$(ulimit -Hn)" 2>/dev/null; "$@" </dev/null >"$LOG" 2>&1 & child=$!; read -r _ <&3; kill -TERM $child 2>/dev/null; for i in 1 2 3 4 5 6 7 8 9 10; do kill -0 $child 2>/dev/null || exit 0; sleep 0.1; done; kill -KILL $child 2>/dev/null; wait $child 2>/dev/null"#;

/// The guard of [`GuardedProcess::spawn_watched`]: the same, but it also ends when the child does.
const WATCHED_GUARD: &str = r#"exec 3<&0; ulimit -n "$(ulimit -Hn)" 2>/dev/null; "$@" </dev/null >"$LOG" 2>&1 & child=$!; ( read -r _ <&3; kill -TERM $child 2>/dev/null; for i in 1 2 3 4 5 6 7 8 9 10; do kill -0 $child 2>/dev/null || exit 0; sleep 0.1; done; kill -KILL $child 2>/dev/null ) </dev/null & watcher=$!; exec 3<&-; wait $child; status=$?; kill $watcher 2>/dev/null; exit $status"#;

/// How many of a log's last lines an error quotes.
const LOG_TAIL_LINES: usize = 15;

/// A child process under a guard that stops it when this process goes away.
#[derive(Debug)]
pub struct GuardedProcess {
    guard: Child,
    stdin: Option<ChildStdin>,
    /// Set by [`GuardedProcess::begin_stop`] until the guard has been waited for.
    stopping: bool,
    log: PathBuf,
    name: String,
    program: PathBuf,
}

impl GuardedProcess {
    /// Starts `program` with `args` and extra `env`, its output going to `log`. `name` is how
    /// messages call it. [`GuardedProcess::is_running`] stays true until it is stopped.
    pub fn spawn(
        name: &str,
        program: &Path,
        args: &[String],
        log: PathBuf,
        env: &[(&str, &str)],
    ) -> GuardedProcess {
        Self::spawn_with_guard(GUARD, name, program, args, log, env)
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
        Self::spawn_with_guard(WATCHED_GUARD, name, program, args, log, env)
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
            program: program.to_path_buf(),
        }
    }

    /// How messages name the process.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The executable it runs.
    pub fn program(&self) -> &Path {
        &self.program
    }

    /// What the process has printed so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// The last `lines` lines the process printed, indented (for an error message).
    pub fn log_tail(&self, lines: usize) -> String {
        log_tail(&self.log, lines)
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

    /// The guard's process id (the program runs as its child).
    pub fn guard_pid(&self) -> u32 {
        self.guard.id()
    }

    /// Whether it has not been stopped (and, when watched, the child still runs).
    pub fn is_running(&mut self) -> bool {
        self.stdin.is_some() && matches!(self.guard.try_wait(), Ok(None))
    }

    /// An error naming the process, `what` happened, its log and the log's last lines.
    pub fn failure(&self, what: &str) -> StackError {
        StackError::Process {
            name: self.name.clone(),
            what: what.to_string(),
            log: self.log.clone(),
            tail: log_tail(&self.log, LOG_TAIL_LINES),
        }
    }

    /// Polls `ready` (backing off from 5 to 50 ms) until it holds; fails naming the process and
    /// its log when the process stops first or `limit` passes.
    pub async fn wait_ready(
        &mut self,
        limit: Duration,
        mut ready: impl FnMut() -> bool,
    ) -> Result<(), StackError> {
        let mut wait = ReadinessWait::new(limit);
        while let ControlFlow::Continue(pause) = wait.round(self, ready())? {
            tokio::time::sleep(pause).await;
        }
        Ok(())
    }

    /// [`GuardedProcess::wait_ready`] for callers without an async runtime (test servers).
    pub fn wait_ready_blocking(
        &mut self,
        limit: Duration,
        mut ready: impl FnMut() -> bool,
    ) -> Result<(), StackError> {
        let mut wait = ReadinessWait::new(limit);
        while let ControlFlow::Continue(pause) = wait.round(self, ready())? {
            std::thread::sleep(pause);
        }
        Ok(())
    }
}

impl Drop for GuardedProcess {
    fn drop(&mut self) {
        self.stop();
    }
}

/// One bounded wait for a process to become ready: what each round checks, for both forms.
struct ReadinessWait {
    started: Instant,
    limit: Duration,
    pause: Duration,
}

impl ReadinessWait {
    fn new(limit: Duration) -> ReadinessWait {
        ReadinessWait {
            started: Instant::now(),
            limit,
            pause: Duration::from_millis(5),
        }
    }

    /// Done (`Break`) when ready; how long to pause before asking again (`Continue`); or why the
    /// wait failed.
    fn round(
        &mut self,
        process: &mut GuardedProcess,
        ready: bool,
    ) -> Result<ControlFlow<(), Duration>, StackError> {
        if ready {
            return Ok(ControlFlow::Break(()));
        }
        if !process.is_running() {
            return Err(process.failure("stopped while starting"));
        }
        if self.started.elapsed() > self.limit {
            let what = format!("was not ready within {} s", self.limit.as_secs());
            return Err(process.failure(&what));
        }
        let pause = self.pause;
        self.pause = (pause * 2).min(Duration::from_millis(50));
        Ok(ControlFlow::Continue(pause))
    }
}

/// The last `lines` lines of a log, indented, for an error message.
pub fn log_tail(path: &Path, lines: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..]
        .iter()
        .map(|line| format!("    {line}"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(label: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("rotor-stack-{label}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn a_child_that_stops_while_starting_is_named_with_its_log() {
        let dir = scratch("stops");
        let mut process = GuardedProcess::spawn_watched(
            "the child",
            Path::new("/bin/sh"),
            &[
                "-c".to_string(),
                "echo starting; echo gave up; exit 3".to_string(),
            ],
            dir.join("child.log"),
            &[],
        );
        let error = process
            .wait_ready_blocking(Duration::from_secs(10), || false)
            .unwrap_err();
        let text = error.to_string();
        assert!(
            text.starts_with("the child stopped while starting; its log is "),
            "{text}"
        );
        assert!(text.ends_with("    starting\n    gave up"), "{text}");
        let _ = std::fs::remove_dir_all(dir);
    }

    #[tokio::test]
    async fn a_child_that_is_not_ready_in_time_is_named() {
        let dir = scratch("late");
        let mut process = GuardedProcess::spawn_watched(
            "the sleeper",
            Path::new("/bin/sleep"),
            &["30".to_string()],
            dir.join("sleeper.log"),
            &[],
        );
        let error = process
            .wait_ready(Duration::from_millis(200), || false)
            .await
            .unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("the sleeper was not ready within 0 s"),
            "{error}"
        );
        process.stop();
        assert!(!process.is_running());
        let _ = std::fs::remove_dir_all(dir);
    }
}
