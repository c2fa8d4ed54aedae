//! Why a local stack did not start or stopped: each error names the piece and, for a child
//! process, its log and the log's last lines.

use std::io;
use std::path::PathBuf;

use rotor_inventory::LoadError;
use rotor_secrets::{PolicyError, SecretsError};
use rotor_sim::SimError;

use crate::binaries::MissingExecutable;

/// What went wrong with a local stack.
#[derive(Debug, thiserror::Error)]
pub enum StackError {
    /// The fabric id cannot become a subject token or key.
    #[error("fabric id {0}")]
    InvalidFabric(String),
    /// Executables the stack needs are nowhere; each names where it was looked for and how to
    /// get it.
    #[error("missing executables: {}", list(.0))]
    MissingExecutables(Vec<MissingExecutable>),
    /// A well-known port is taken.
    #[error(
        "port {port} (for {what}) is busy: {error}; stop what listens there (another `rotor up`?) or run `rotor up --ports auto`"
    )]
    PortBusy {
        /// The port.
        port: u16,
        /// What the stack wanted it for.
        what: &'static str,
        /// Why it could not be bound.
        error: io::Error,
    },
    /// No free loopback port could be bound.
    #[error("no free loopback port")]
    NoFreePort(#[source] io::Error),
    /// A folder or file of the state folder could not be made or written.
    #[error("cannot {action} {}", path.display())]
    Files {
        /// `create`, `empty` or `write`.
        action: &'static str,
        /// The folder or file.
        path: PathBuf,
        /// Why not.
        #[source]
        source: io::Error,
    },
    /// The operating system's random source failed (for the dev server's root token).
    #[error("reading /dev/urandom")]
    Random(#[source] io::Error),
    /// A child process stopped or did not get ready.
    #[error("{name} {what}; its log is {}, ending with:\n{tail}", log.display())]
    Process {
        /// The process, as messages name it.
        name: String,
        /// What happened, e.g. `stopped while starting`.
        what: String,
        /// Its log file.
        log: PathBuf,
        /// The log's last lines, indented.
        tail: String,
    },
    /// OpenBao is healthy but no client could be made for it.
    #[error("OpenBao answers its health check but not a client")]
    SecretsClient(#[source] SecretsError),
    /// OpenBao's policies, AppRole roles or secret ids for the services could not be set up.
    #[error("setting up the services' OpenBao policies and AppRole logins")]
    OpenBaoSetup(#[source] SecretsError),
    /// The fabric's first password could not be generated.
    #[error("generating the fabric's initial password")]
    Password(#[source] PolicyError),
    /// The fabric's first password could not be written to OpenBao.
    #[error("writing the fabric's initial password to OpenBao")]
    InitialPassword(#[source] SecretsError),
    /// The in-process simulator refused something.
    #[error("{what}")]
    Simulator {
        /// What the stack asked of it, e.g. `starting the simulator`.
        what: &'static str,
        /// Its answer.
        #[source]
        source: SimError,
    },
    /// The simulator's exported inventory does not load.
    #[error("the exported inventory does not load")]
    Inventory(#[source] LoadError),
    /// The API refused the inventory.
    #[error("importing the inventory: {0}")]
    Import(String),
    /// The API could not be reached.
    #[error("cannot reach the Rotor API at {url}")]
    Api {
        /// Where it should be.
        url: String,
        /// Why not.
        #[source]
        source: tonic::transport::Error,
    },
}

impl StackError {
    /// What to turn an I/O error on `path` into, for `map_err`: `action` is `create`, `empty`,
    /// `write` or `resolve`.
    pub(crate) fn files(
        action: &'static str,
        path: &std::path::Path,
    ) -> impl FnOnce(io::Error) -> StackError {
        let path = path.to_path_buf();
        move |source| StackError::Files {
            action,
            path,
            source,
        }
    }
}

fn list(missing: &[MissingExecutable]) -> String {
    missing
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}
