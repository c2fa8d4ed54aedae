//! The `rotor` command: Rotor's front end for people and scripts.
//!
//! Layout:
//! - [`cli`]: every verb and flag (clap).
//! - [`commands`]: the verbs that talk to a running Rotor through its gRPC API, printing tables
//!   or proto3 JSON.
//! - [`progress`]: `--wait`: polling an operation, the live progress line, the exit code.
//! - [`output`]: tables, `name  value` lines, JSON, enum names.
//! - [`exit`]: exit codes and one-line errors.
//! - [`client`]: the connection and the requester's identity.
//! - [`up`], [`demo`]: `rotor up` and `rotor demo`, each on a whole local Rotor (NATS,
//!   OpenBao, the five services, a simulated fabric) from `rotor_stack`.
//! - [`signals`]: Ctrl-C and SIGTERM.
//!
//! Invariant: the command never prints or logs a plaintext password. Rotations generate
//! passwords inside Rotor; `rotor up` and `rotor demo` hold the fabric's first password only to
//! write it to OpenBao and hash it for the simulator, and read versions back only to log in.

#![warn(missing_docs)]

pub mod auth;
pub mod cli;
pub mod client;
pub mod commands;
pub mod demo;
pub mod exit;
pub mod output;
pub mod progress;
pub mod signals;
pub mod up;

use cli::{Cli, Command};
use commands::Context;
use exit::{CliError, Exit};

/// Runs one parsed command line and returns how it ended.
pub async fn run(cli: Cli) -> Result<Exit, CliError> {
    let format = output::resolve(cli.output);
    let token = cli.token.or_else(client::local_stack_token);
    let mut context = Context::new(&cli.server, token, format).with_ca_file(cli.ca_file);
    match cli.command {
        Command::Fabric(command) => commands::fabric(&mut context, command).await,
        Command::Device(command) => commands::device(&mut context, command).await,
        Command::Operation(command) => commands::operation(&mut context, command).await,
        Command::Events(command) => commands::events(&mut context, command).await,
        Command::Backup(command) => commands::backup(&mut context, command).await,
        Command::Inventory(command) => commands::inventory(&mut context, command).await,
        Command::Schedule(command) => commands::schedule(&mut context, command).await,
        Command::Lock(command) => commands::lock(&mut context, command).await,
        Command::Audit(arguments) => commands::audit(&mut context, arguments).await,
        Command::Up(arguments) => up::run(arguments).await,
        Command::Demo(arguments) => demo::run(arguments).await,
        Command::Auth(command) => auth::run(command),
    }
}
