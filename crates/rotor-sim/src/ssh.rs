//! The SSH side of a simulated device (russh server): the profile's host keys, one loopback
//! listener per device, password authentication with lock-out and fail delay, `exec` channels
//! with standard input, and an interactive shell with prompt, echo and minimal line editing.
//!
//! Every device has exactly one task while idle: its accept loop. A connection gets the tasks
//! russh needs plus one per channel, and they end with it.

use std::collections::HashMap;
use std::future::poll_fn;
use std::io;
use std::ops::ControlFlow;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use russh::keys::PrivateKey;
use russh::server::{Auth, ChannelOpenHandle, Handle, Msg, Session};
use russh::{Channel, ChannelId, MethodKind, MethodSet, SshId};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::mpsc;

use crate::device::{Device, LoginOutcome, MAX_FILE_BYTES};
use crate::latency::OperationClass;
use crate::shell::syntax::{self, CommandList, ShellError};
use crate::shell::{self, ExecContext, Output};

/// The version string the simulated devices announce, as Cumulus Linux 5.9's OpenSSH does.
pub const SERVER_ID: &str = "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3";

/// How much a channel may send before the rest is dropped (a file is at most 1 MiB).
const MAX_CHANNEL_INPUT: usize = 2 * MAX_FILE_BYTES;

/// The device's ed25519 host key: its 32-byte seed is SHA-256(seed || 0x00 || device id), so the
/// same (seed, device id) always gives the same key and Rotor can pin it. (The other key types
/// are in [`crate::host_keys`].)
pub fn derive_host_key(seed: &str, device_id: &str) -> PrivateKey {
    crate::host_keys::derive_ed25519(seed, device_id)
}

/// Binds the device's port (non-blocking, ready for Tokio).
pub(crate) fn bind(device_address: std::net::SocketAddr) -> io::Result<std::net::TcpListener> {
    let listener = std::net::TcpListener::bind(device_address)?;
    listener.set_nonblocking(true)?;
    Ok(listener)
}

/// Starts the accept loop on an already bound listener. Must run inside a Tokio runtime.
pub(crate) fn listen_on(device: &Arc<Device>, listener: std::net::TcpListener) -> io::Result<()> {
    let listener = tokio::net::TcpListener::from_std(listener)?;
    stop_listening(device);
    *lock(&device.socket) = Some(listener);
    let task = tokio::spawn(accept_loop(Arc::clone(device)));
    *lock(&device.listener) = Some(task);
    Ok(())
}

/// Binds the device's port again and starts accepting.
pub(crate) fn start_listening(device: &Arc<Device>) -> io::Result<()> {
    let listener = bind(device.address())?;
    listen_on(device, listener)
}

/// Closes the listening socket at once (new connections are refused from now on) and ends the
/// accept loop. Open connections are not touched.
pub(crate) fn stop_listening(device: &Device) {
    drop(lock(&device.socket).take());
    if let Some(task) = lock(&device.listener).take() {
        task.abort();
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

async fn accept_loop(device: Arc<Device>) {
    loop {
        let accepted = poll_fn(|context| match lock(&device.socket).as_ref() {
            Some(listener) => listener.poll_accept(context).map(Some),
            None => Poll::Ready(None),
        })
        .await;
        match accepted {
            None => return,
            Some(Ok((stream, _peer))) => {
                tokio::spawn(serve_connection(Arc::clone(&device), stream));
            }
            Some(Err(error)) => {
                // Out of file descriptors and the like: back off a little, then try again.
                tracing::warn!(device = %device.id, %error, "accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
}

/// The key exchanges the simulated switches offer: those of the OpenSSH they announce
/// (9.2p1, Debian 12, what Cumulus Linux 5.x and NVOS run) that russh implements, in OpenSSH's
/// order. OpenSSH 9.2 has no `mlkem768x25519-sha256` (it came with 9.9), so a client meets
/// `curve25519-sha256` on a real switch, and here too. (Its first choice,
/// `sntrup761x25519-sha512@openssh.com`, russh does not implement.)
pub const KEX_ALGORITHMS: &[russh::kex::Name] = &[
    russh::kex::CURVE25519,
    russh::kex::CURVE25519_PRE_RFC_8731,
    russh::kex::DH_GEX_SHA256,
    russh::kex::DH_G16_SHA512,
    russh::kex::DH_G18_SHA512,
    russh::kex::DH_G14_SHA256,
    russh::kex::EXTENSION_SUPPORT_AS_SERVER,
    russh::kex::EXTENSION_OPENSSH_STRICT_KEX_AS_SERVER,
];

fn server_config(device: &Device) -> Arc<russh::server::Config> {
    Arc::new(russh::server::Config {
        server_id: SshId::Standard(SERVER_ID.into()),
        preferred: russh::Preferred {
            kex: std::borrow::Cow::Borrowed(KEX_ALGORITHMS),
            key: std::borrow::Cow::Borrowed(crate::host_keys::HOST_KEY_ALGORITHMS),
            ..russh::Preferred::DEFAULT
        },
        methods: MethodSet::from(&[MethodKind::Password][..]),
        auth_rejection_time: device.settings.auth_rejection_delay,
        auth_rejection_time_initial: Some(Duration::ZERO),
        keys: device.host_keys.clone(),
        max_auth_attempts: 6,
        inactivity_timeout: Some(Duration::from_secs(3600)),
        nodelay: true,
        ..Default::default()
    })
}

async fn serve_connection(device: Arc<Device>, stream: TcpStream) {
    let _ = stream.set_nodelay(true);
    device
        .settings
        .counters
        .connections
        .fetch_add(1, Ordering::Relaxed);
    let mut shutdown = device.settings.shutdown.subscribe();
    if *shutdown.borrow() {
        return;
    }
    let kill = Arc::new(KillSwitch::default());
    device.register_connection(&kill);
    let stream = KillableStream {
        inner: stream,
        kill: Arc::clone(&kill),
    };
    let handler = ConnectionHandler {
        device: Arc::clone(&device),
        kill: Arc::clone(&kill),
        user: None,
        channels: HashMap::new(),
    };
    let start = russh::server::run_stream(server_config(&device), stream, handler);
    let session = tokio::select! {
        started = tokio::time::timeout(Duration::from_secs(30), start) => match started {
            Ok(Ok(session)) => session,
            _ => return,
        },
        _ = shutdown.wait_for(|stopped| *stopped) => return,
    };
    tokio::select! {
        _ = session => {}
        _ = shutdown.wait_for(|stopped| *stopped) => kill.kill(),
    }
}

/// Lets the simulator cut a connection the way a failing switch would: no disconnect message,
/// the socket just closes.
#[derive(Debug, Default)]
pub(crate) struct KillSwitch {
    killed: AtomicBool,
    read_waker: Mutex<Option<Waker>>,
}

impl KillSwitch {
    pub(crate) fn kill(&self) {
        self.killed.store(true, Ordering::SeqCst);
        if let Some(waker) = lock(&self.read_waker).take() {
            waker.wake();
        }
    }

    fn is_killed(&self) -> bool {
        self.killed.load(Ordering::SeqCst)
    }
}

fn dropped() -> io::Error {
    io::Error::new(io::ErrorKind::ConnectionAborted, "connection dropped")
}

/// A TCP stream that fails as soon as its [`KillSwitch`] is thrown.
struct KillableStream {
    inner: TcpStream,
    kill: Arc<KillSwitch>,
}

impl AsyncRead for KillableStream {
    fn poll_read(
        self: Pin<&mut Self>,
        context: &mut Context<'_>,
        buffer: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.kill.is_killed() {
            return Poll::Ready(Err(dropped()));
        }
        {
            let mut waker = lock(&this.kill.read_waker);
            if !waker
                .as_ref()
                .is_some_and(|existing| existing.will_wake(context.waker()))
            {
                *waker = Some(context.waker().clone());
            }
        }
        if this.kill.is_killed() {
            return Poll::Ready(Err(dropped()));
        }
        Pin::new(&mut this.inner).poll_read(context, buffer)
    }
}

impl AsyncWrite for KillableStream {
    fn poll_write(
        self: Pin<&mut Self>,
        context: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.kill.is_killed() {
            return Poll::Ready(Err(dropped()));
        }
        Pin::new(&mut this.inner).poll_write(context, data)
    }

    fn poll_flush(self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.kill.is_killed() {
            return Poll::Ready(Err(dropped()));
        }
        Pin::new(&mut this.inner).poll_flush(context)
    }

    fn poll_shutdown(self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(context)
    }
}

/// What the session loop passes on to a channel's task.
#[derive(Debug)]
enum ChannelInput {
    Data(Vec<u8>),
    Eof,
}

#[derive(Debug, Default)]
struct ChannelSlot {
    pty: bool,
    input: Option<mpsc::UnboundedSender<ChannelInput>>,
    received: usize,
}

/// One SSH connection to a device.
struct ConnectionHandler {
    device: Arc<Device>,
    kill: Arc<KillSwitch>,
    user: Option<String>,
    channels: HashMap<ChannelId, ChannelSlot>,
}

impl Drop for ConnectionHandler {
    fn drop(&mut self) {
        if self.user.is_some() {
            let before = self.device.open_sessions.fetch_sub(1, Ordering::Relaxed);
            let counters = &self.device.settings.counters;
            counters.open_sessions.fetch_sub(1, Ordering::Relaxed);
            if before == 1 {
                counters.device_in_session(self.device.fabric_id(), false);
            }
        }
    }
}

fn reject_password() -> Auth {
    Auth::Reject {
        proceed_with_methods: Some(MethodSet::from(&[MethodKind::Password][..])),
        partial_success: false,
    }
}

impl ConnectionHandler {
    fn open_input(&mut self, channel: ChannelId) -> (bool, mpsc::UnboundedReceiver<ChannelInput>) {
        let (sender, receiver) = mpsc::unbounded_channel();
        let slot = self.channels.entry(channel).or_default();
        slot.input = Some(sender);
        (slot.pty, receiver)
    }

    fn context(&self, interactive: bool) -> ExecContext {
        ExecContext {
            user: self.user.clone().unwrap_or_default(),
            interactive,
            last_status: 0,
        }
    }
}

impl russh::server::Handler for ConnectionHandler {
    type Error = russh::Error;

    async fn auth_none(&mut self, _user: &str) -> Result<Auth, Self::Error> {
        Ok(reject_password())
    }

    async fn auth_password(&mut self, user: &str, password: &str) -> Result<Auth, Self::Error> {
        let delay = self.device.delay_for(OperationClass::Login);
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        match self.device.check_login(user, password) {
            LoginOutcome::Accepted => {
                if self.user.is_none() {
                    let before = self.device.open_sessions.fetch_add(1, Ordering::Relaxed);
                    let counters = &self.device.settings.counters;
                    counters.open_sessions.fetch_add(1, Ordering::Relaxed);
                    if before == 0 {
                        counters.device_in_session(self.device.fabric_id(), true);
                    }
                }
                self.user = Some(user.to_string());
                Ok(Auth::Accept)
            }
            _ => {
                // `fail-delay`: the client really waits for the refusal.
                let delay = self.device.failed_login_delay();
                if !delay.is_zero() {
                    tokio::time::sleep(delay).await;
                }
                Ok(reject_password())
            }
        }
    }

    async fn authentication_banner(&mut self) -> Result<Option<String>, Self::Error> {
        let banner = self
            .device
            .lock()
            .applied
            .root
            .leaf_text(&["system", "message", "pre-login"]);
        Ok(banner.map(|text| format!("{}\n", text.trim_end())))
    }

    async fn channel_open_session(
        &mut self,
        _channel: Channel<Msg>,
        reply: ChannelOpenHandle,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        if self.user.is_none() {
            return Ok(());
        }
        self.channels.insert(_channel.id(), ChannelSlot::default());
        reply.accept().await;
        Ok(())
    }

    async fn channel_close(
        &mut self,
        channel: ChannelId,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        self.channels.remove(&channel);
        Ok(())
    }

    async fn channel_eof(
        &mut self,
        channel: ChannelId,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        if let Some(slot) = self.channels.get_mut(&channel)
            && let Some(input) = &slot.input
        {
            let _ = input.send(ChannelInput::Eof);
        }
        Ok(())
    }

    async fn data(
        &mut self,
        channel: ChannelId,
        data: &[u8],
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        if let Some(slot) = self.channels.get_mut(&channel)
            && let Some(input) = &slot.input
            && slot.received <= MAX_CHANNEL_INPUT
        {
            slot.received += data.len();
            let _ = input.send(ChannelInput::Data(data.to_vec()));
        }
        Ok(())
    }

    async fn pty_request(
        &mut self,
        channel: ChannelId,
        _term: &str,
        _col_width: u32,
        _row_height: u32,
        _pix_width: u32,
        _pix_height: u32,
        _modes: &[(russh::Pty, u32)],
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        match self.channels.get_mut(&channel) {
            Some(slot) => {
                slot.pty = true;
                session.channel_success(channel)
            }
            None => session.channel_failure(channel),
        }
    }

    async fn env_request(
        &mut self,
        channel: ChannelId,
        _variable_name: &str,
        _variable_value: &str,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        session.channel_success(channel)
    }

    async fn window_change_request(
        &mut self,
        channel: ChannelId,
        _col_width: u32,
        _row_height: u32,
        _pix_width: u32,
        _pix_height: u32,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        session.channel_success(channel)
    }

    async fn subsystem_request(
        &mut self,
        channel: ChannelId,
        _name: &str,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        session.channel_failure(channel)
    }

    async fn exec_request(
        &mut self,
        channel: ChannelId,
        data: &[u8],
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        if !self.channels.contains_key(&channel) {
            return session.channel_failure(channel);
        }
        let command = String::from_utf8_lossy(data).into_owned();
        let (terminal, input) = self.open_input(channel);
        let task = ChannelTask {
            terminal,
            device: Arc::clone(&self.device),
            context: self.context(false),
            handle: session.handle(),
            channel,
            kill: Arc::clone(&self.kill),
            input,
        };
        tokio::spawn(task.run_exec(command));
        session.channel_success(channel)
    }

    async fn shell_request(
        &mut self,
        channel: ChannelId,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        if !self.channels.contains_key(&channel) {
            return session.channel_failure(channel);
        }
        let (pty, input) = self.open_input(channel);
        let task = ChannelTask {
            terminal: pty,
            device: Arc::clone(&self.device),
            context: self.context(pty),
            handle: session.handle(),
            channel,
            kill: Arc::clone(&self.kill),
            input,
        };
        tokio::spawn(task.run_shell());
        session.channel_success(channel)
    }
}

/// The task behind one `exec` or `shell` channel.
struct ChannelTask {
    /// The client asked for a terminal: output goes to it with `\r\n`, stderr merged.
    terminal: bool,
    device: Arc<Device>,
    context: ExecContext,
    handle: Handle,
    channel: ChannelId,
    kill: Arc<KillSwitch>,
    input: mpsc::UnboundedReceiver<ChannelInput>,
}

impl ChannelTask {
    async fn run_exec(mut self, command: String) {
        let output = match syntax::parse(&command, true) {
            Err(error) => shell::shell_error_output(&self.context, &error),
            Ok(list) => {
                let stdin = if list.reads_session_stdin() {
                    Some(self.read_all_input().await)
                } else {
                    None
                };
                shell::run_list(&self.device, &self.context, &list, stdin).await
            }
        };
        if output.drop_connection {
            self.kill.kill();
            return;
        }
        if self.terminal {
            self.send_terminal(&output.stdout).await;
            self.send_terminal(&output.stderr).await;
            return self.finish(output.exit_status).await;
        }
        if !output.stdout.is_empty() {
            let _ = self.handle.data(self.channel, output.stdout).await;
        }
        if !output.stderr.is_empty() {
            let _ = self
                .handle
                .extended_data(self.channel, 1, output.stderr)
                .await;
        }
        self.finish(output.exit_status).await;
    }

    /// Standard input up to EOF (or the channel closing).
    async fn read_all_input(&mut self) -> Vec<u8> {
        let mut stdin = Vec::new();
        while let Some(ChannelInput::Data(data)) = self.input.recv().await {
            if stdin.len() <= MAX_FILE_BYTES {
                stdin.extend_from_slice(&data);
            }
        }
        stdin
    }

    /// Exit status, EOF and close, in the order OpenSSH's sshd sends them.
    async fn finish(&self, exit_status: u32) {
        let _ = self.handle.eof(self.channel).await;
        let _ = self
            .handle
            .exit_status_request(self.channel, exit_status)
            .await;
        let _ = self.handle.close(self.channel).await;
    }

    async fn send_terminal(&self, text: &[u8]) {
        if text.is_empty() {
            return;
        }
        let mut converted = Vec::with_capacity(text.len() + 16);
        for &byte in text {
            if byte == b'\n' {
                converted.push(b'\r');
            }
            converted.push(byte);
        }
        let _ = self.handle.data(self.channel, converted).await;
    }

    fn prompt(&self) -> String {
        let hostname = self
            .device
            .hostname()
            .unwrap_or_else(|| self.device.id.clone());
        self.device.platform.prompt(&self.context.user, &hostname)
    }

    /// An interactive shell (with a terminal: prompt, echo, `\r\n`) or a script read from
    /// standard input (without one).
    async fn run_shell(mut self) {
        let terminal = self.context.interactive;
        let mut shell = ShellState::default();
        if terminal {
            let message =
                self.device
                    .lock()
                    .applied
                    .root
                    .leaf_text(&["system", "message", "post-login"]);
            if let Some(message) = message {
                self.send_terminal(format!("{}\n", message.trim_end()).as_bytes())
                    .await;
            }
            let prompt = self.prompt();
            self.send_terminal(prompt.as_bytes()).await;
        }
        loop {
            let Some(input) = self.input.recv().await else {
                return;
            };
            let data = match input {
                ChannelInput::Data(data) => data,
                ChannelInput::Eof => {
                    if !terminal {
                        let rest = std::mem::take(&mut shell.line);
                        if let Some(stdin) = shell.collecting_stdin.take() {
                            let mut stdin = stdin;
                            stdin.extend_from_slice(&rest);
                            if let Some(status) = self.run_pending(&mut shell, stdin).await {
                                return self.finish(status).await;
                            }
                        } else if !rest.is_empty() {
                            let text = String::from_utf8_lossy(&rest).into_owned();
                            if let Some(status) = self.process_line(&mut shell, text).await {
                                return self.finish(status).await;
                            }
                        }
                    }
                    return self.finish(shell.last_status).await;
                }
            };
            let outcome = if terminal {
                self.terminal_input(&mut shell, &data).await
            } else {
                self.script_input(&mut shell, &data).await
            };
            if let Some(status) = outcome {
                return self.finish(status).await;
            }
            if self.kill.is_killed() {
                return;
            }
        }
    }

    /// Bytes typed on a terminal. Returns an exit status when the shell ends.
    async fn terminal_input(&mut self, shell: &mut ShellState, data: &[u8]) -> Option<u32> {
        for &byte in data {
            if shell.escape > 0 {
                // Skip terminal escape sequences (arrow keys and the like): ESC [ ... letter.
                shell.escape = match (shell.escape, byte) {
                    (1, b'[') | (1, b'O') => 2,
                    (2, b'0'..=b'9' | b';') => 2,
                    _ => 0,
                };
                continue;
            }
            match byte {
                b'\r' | b'\n' => {
                    if byte == b'\n' && shell.last_was_carriage_return {
                        shell.last_was_carriage_return = false;
                        continue;
                    }
                    shell.last_was_carriage_return = byte == b'\r';
                    if let ControlFlow::Break(ended) = self.enter(shell).await {
                        return ended;
                    }
                }
                0x7f | 0x08 if !shell.line.is_empty() => {
                    while let Some(removed) = shell.line.pop() {
                        // Stop at the first byte of a UTF-8 character.
                        if removed & 0xC0 != 0x80 {
                            break;
                        }
                    }
                    self.send_terminal(b"\x08 \x08").await;
                }
                0x7f | 0x08 => {}
                0x03 => self.interrupt(shell).await,
                0x04 => {
                    if let ControlFlow::Break(ended) = self.end_of_input(shell).await {
                        return ended;
                    }
                }
                0x15 => {
                    let characters = String::from_utf8_lossy(&shell.line).chars().count();
                    shell.line.clear();
                    self.send_terminal("\x08 \x08".repeat(characters).as_bytes())
                        .await;
                }
                0x1b => shell.escape = 1,
                byte if byte >= 0x20 || byte == b'\t' => {
                    shell.line.push(byte);
                    let _ = self.handle.data(self.channel, vec![byte]).await;
                }
                _ => {}
            }
        }
        None
    }

    /// Enter on a terminal: the line is run (or added to the standard input being collected)
    /// and the prompt comes again. Breaks with what [`Self::terminal_input`] returns when the
    /// shell ends or the session is killed.
    async fn enter(&mut self, shell: &mut ShellState) -> ControlFlow<Option<u32>> {
        self.send_terminal(b"\n").await;
        let line = std::mem::take(&mut shell.line);
        if let Some(stdin) = shell.collecting_stdin.as_mut() {
            stdin.extend_from_slice(&line);
            stdin.push(b'\n');
            return ControlFlow::Continue(());
        }
        let text = String::from_utf8_lossy(&line).into_owned();
        if let Some(status) = self.process_line(shell, text).await {
            return ControlFlow::Break(Some(status));
        }
        if self.kill.is_killed() {
            return ControlFlow::Break(None);
        }
        self.send_prompt(shell).await;
        ControlFlow::Continue(())
    }

    /// Ctrl-C: forgets the line, any continuation, pending confirmation and collected input.
    async fn interrupt(&mut self, shell: &mut ShellState) {
        shell.line.clear();
        shell.continuation.clear();
        shell.pending_apply = None;
        shell.pending_list = None;
        shell.collecting_stdin = None;
        shell.last_status = 130;
        self.send_terminal(b"^C\n").await;
        self.send_prompt(shell).await;
    }

    /// Ctrl-D: ends the standard input being collected (and runs its command), or on an empty
    /// line logs out. Breaks as [`Self::enter`] does.
    async fn end_of_input(&mut self, shell: &mut ShellState) -> ControlFlow<Option<u32>> {
        if let Some(stdin) = shell.collecting_stdin.take() {
            let mut stdin = stdin;
            stdin.extend_from_slice(&std::mem::take(&mut shell.line));
            if let Some(status) = self.run_pending(shell, stdin).await {
                return ControlFlow::Break(Some(status));
            }
            if self.kill.is_killed() {
                return ControlFlow::Break(None);
            }
            self.send_prompt(shell).await;
        } else if shell.line.is_empty() && shell.continuation.is_empty() {
            self.send_terminal(b"logout\n").await;
            return ControlFlow::Break(Some(shell.last_status));
        }
        ControlFlow::Continue(())
    }

    /// Bytes of a script on standard input (no terminal): run line by line, no prompt or echo.
    async fn script_input(&mut self, shell: &mut ShellState, data: &[u8]) -> Option<u32> {
        if let Some(stdin) = shell.collecting_stdin.as_mut() {
            stdin.extend_from_slice(data);
            return None;
        }
        shell.line.extend_from_slice(data);
        while let Some(position) = shell.line.iter().position(|&byte| byte == b'\n') {
            let rest = shell.line.split_off(position + 1);
            let mut line = std::mem::replace(&mut shell.line, rest);
            line.pop();
            if let Some(stdin) = shell.collecting_stdin.as_mut() {
                stdin.extend_from_slice(&line);
                stdin.push(b'\n');
                continue;
            }
            let text = String::from_utf8_lossy(&line).into_owned();
            if let Some(status) = self.process_line(shell, text).await {
                return Some(status);
            }
            if self.kill.is_killed() {
                return None;
            }
        }
        None
    }

    async fn send_prompt(&self, shell: &ShellState) {
        if shell.collecting_stdin.is_some() {
            return;
        }
        let prompt = if shell.pending_apply.is_some() {
            "Are you sure? [y/N] ".to_string()
        } else if !shell.continuation.is_empty() {
            "> ".to_string()
        } else {
            self.prompt()
        };
        self.send_terminal(prompt.as_bytes()).await;
    }

    /// Runs the command list that waited for its standard input (`cat > file` then Ctrl-D).
    async fn run_pending(&mut self, shell: &mut ShellState, stdin: Vec<u8>) -> Option<u32> {
        let list = shell.pending_list.take()?;
        self.context.last_status = shell.last_status;
        let output = shell::run_list(&self.device, &self.context, &list, Some(stdin)).await;
        self.deliver(shell, output).await
    }

    /// One complete line typed or read. Returns an exit status when the shell ends.
    async fn process_line(&mut self, shell: &mut ShellState, line: String) -> Option<u32> {
        if let Some(list) = shell.pending_apply.take() {
            let answer = line.trim().to_ascii_lowercase();
            if answer == "y" || answer == "yes" {
                let mut list = list;
                if let Some((_, command)) = list.commands.first_mut() {
                    command.words.push("-y".into());
                }
                self.context.last_status = shell.last_status;
                let output = shell::run_list(&self.device, &self.context, &list, None).await;
                return self.deliver(shell, output).await;
            }
            let declined = format!("{}\n", crate::nvue::DECLINED_APPLY);
            self.send_terminal(declined.as_bytes()).await;
            shell.last_status = 1;
            return None;
        }
        let text = if shell.continuation.is_empty() {
            line
        } else {
            let mut text = std::mem::take(&mut shell.continuation);
            text.push_str(&line);
            text
        };
        let list = match syntax::parse(&text, !self.context.interactive) {
            Ok(list) => list,
            Err(ShellError::Incomplete { .. }) if self.context.interactive => {
                shell.continuation = text;
                shell.continuation.push('\n');
                return None;
            }
            Err(error) => {
                let output = shell::shell_error_output(
                    &ExecContext {
                        interactive: true,
                        ..self.context.clone()
                    },
                    &error,
                );
                return self.deliver(shell, output).await;
            }
        };
        if list.commands.is_empty() {
            return None;
        }
        if self.context.interactive {
            let warnings = shell::apply_warnings(&self.device, &list);
            if !warnings.is_empty() {
                let text: String = warnings
                    .iter()
                    .map(|warning| format!("Warning: {warning}\n"))
                    .collect();
                self.send_terminal(text.as_bytes()).await;
                shell.pending_apply = Some(list);
                return None;
            }
        }
        if list.reads_session_stdin() {
            shell.pending_list = Some(list);
            shell.collecting_stdin = Some(Vec::new());
            return None;
        }
        self.context.last_status = shell.last_status;
        let output = shell::run_list(&self.device, &self.context, &list, None).await;
        self.deliver(shell, output).await
    }

    /// Sends a command line's output. Returns an exit status when the shell ends.
    async fn deliver(&mut self, shell: &mut ShellState, output: Output) -> Option<u32> {
        if output.drop_connection {
            self.kill.kill();
            return None;
        }
        if self.context.interactive {
            self.send_terminal(&output.stdout).await;
            self.send_terminal(&output.stderr).await;
        } else {
            if !output.stdout.is_empty() {
                let _ = self.handle.data(self.channel, output.stdout).await;
            }
            if !output.stderr.is_empty() {
                let _ = self
                    .handle
                    .extended_data(self.channel, 1, output.stderr)
                    .await;
            }
        }
        shell.last_status = output.exit_status;
        if output.exit_requested {
            if self.context.interactive {
                self.send_terminal(b"logout\n").await;
            }
            return Some(output.exit_status);
        }
        None
    }
}

/// The state of one shell between inputs.
#[derive(Debug, Default)]
struct ShellState {
    line: Vec<u8>,
    /// Earlier lines of a command that is not complete yet (open quote, here-document).
    continuation: String,
    /// `nv config apply` waiting for the answer to "Are you sure?".
    pending_apply: Option<CommandList>,
    /// A command waiting for its standard input (`cat > file`), and the input so far.
    pending_list: Option<CommandList>,
    collecting_stdin: Option<Vec<u8>>,
    last_status: u32,
    last_was_carriage_return: bool,
    escape: u8,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ed25519_host_keys_are_deterministic_per_seed_and_device() {
        let first = derive_host_key("seed", "leaf-01");
        let again = derive_host_key("seed", "leaf-01");
        let other_device = derive_host_key("seed", "leaf-02");
        let other_seed = derive_host_key("other", "leaf-01");
        assert_eq!(first.public_key(), again.public_key());
        assert_ne!(first.public_key(), other_device.public_key());
        assert_ne!(first.public_key(), other_seed.public_key());
        let text = first.public_key().to_openssh().unwrap();
        assert!(text.starts_with("ssh-ed25519 AAAA"), "{text}");
    }
}
