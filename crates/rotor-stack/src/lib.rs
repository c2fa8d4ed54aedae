//! A whole Rotor on this machine, each piece a child process: `nats-server` with JetStream, an
//! OpenBao dev server, the five services (as many copies of each as asked for) and a simulated
//! fabric, in this process or as a `rotor-sim` process. `rotor up`, `rotor demo` and
//! `rotor-bench` start one with [`StackBuilder`]; the test servers (crate `rotor-harness`) use
//! its pieces: the process guard, the binary lookup, the servers' command lines and probes.
//!
//! Layout:
//! - [`LocalStack`] and [`StackBuilder`]: what to start, the start sequence, `check`, the API,
//!   the fabric's import, shutdown in order.
//! - [`process`]: [`process::GuardedProcess`], a child that dies with this process (even after
//!   `kill -9`), its log, and bounded readiness waits.
//! - [`binaries`]: where `nats-server`, `bao`, `rotor-sim` and the service binaries are, and
//!   what to tell a user when one is missing.
//! - [`servers`]: `nats-server`'s configuration, `bao server -dev`'s command line and
//!   environment, their readiness probes.
//! - [`nats_users`]: the stack's NATS users (an NKey per service kind, an administrator,
//!   requesters) and the accounts configuration they make.
//! - [`services`]: the services' names, their `ROTOR_*` environment, the fabric's secret path.
//! - [`simulator`]: the fabric's first password (into OpenBao, to the devices only as hashes),
//!   and `rotor-sim` as a process.
//! - [`bao_setup`]: the services' OpenBao policies (from `deploy/openbao/`), AppRole roles and
//!   secret id files.
//! - [`tls`]: a CA made at start and the certificates it issues (NATS serves TLS with them).
//! - [`ports`]: the well-known ports or free ones. [`api`]: the gRPC client.
//! - [`metrics`]: each service's metrics address and the Prometheus configuration scraping
//!   them (`prometheus.yml` in the state folder).
//!
//! Invariant: the fabric's first password is generated here, written to OpenBao and turned into
//! `$6$` hashes for the simulator; it is never printed, logged or put on a command line. OpenBao's
//! root token reaches the dev server through its environment and stays in this process otherwise;
//! the services log in with AppRole, each kind with its own policy, their secret ids in 0600
//! files.

#![warn(missing_docs)]

pub mod api;
pub mod auth;
pub mod bao_setup;
pub mod binaries;
mod error;
pub mod metrics;
pub mod nats_users;
pub mod ports;
pub mod process;
pub mod servers;
pub mod services;
pub mod simulator;
mod stack;
pub mod tls;

pub use error::StackError;
pub use stack::{LocalStack, Role, StackBuilder, StackProcess, Started};
