//! Ctrl-C (SIGINT) and SIGTERM as futures, so that long-running verbs (`events watch`, `up`,
//! `demo`) end cleanly and stop what they started.

use tokio::signal::unix::{Signal, SignalKind, signal};

/// Both stop signals, watched from the moment this is made (make it before starting anything).
#[derive(Debug)]
pub struct StopSignals {
    interrupt: Signal,
    terminate: Signal,
}

impl StopSignals {
    /// Starts watching SIGINT and SIGTERM; panics only if the runtime cannot install signal
    /// handlers.
    pub fn watch() -> StopSignals {
        StopSignals {
            interrupt: signal(SignalKind::interrupt()).expect("SIGINT can be watched"),
            terminate: signal(SignalKind::terminate()).expect("SIGTERM can be watched"),
        }
    }

    /// Waits for the next stop signal and names it.
    pub async fn recv(&mut self) -> &'static str {
        tokio::select! {
            _ = self.interrupt.recv() => "Ctrl-C",
            _ = self.terminate.recv() => "SIGTERM",
        }
    }
}

/// Resolves on the first Ctrl-C or SIGTERM after the call.
pub async fn interrupted() {
    StopSignals::watch().recv().await;
}
