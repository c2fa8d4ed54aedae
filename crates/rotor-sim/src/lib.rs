//! A simulator of NVIDIA Cumulus Linux and NVOS switches that Rotor's pipeline, tests, demo and
//! benchmarks talk to over real SSH, as they would talk to a fabric.
//!
//! Each simulated device listens on its own loopback port with its own deterministic ed25519
//! host key, checks password logins against the `$6$` hash in its applied configuration (with
//! NVUE's lock-out after repeated failures), and runs NVUE commands (`nv set|unset|show`,
//! `nv config show|diff|replace|patch|apply|detach|revision|history`) plus the few shell
//! commands a session needs (`cat > file`, `rm -f`, ...). Latency and faults can be set per
//! device, at start and at run time. One process hosts ten thousand devices.
//!
//! Layout:
//! - [`simulator`]: the [`Simulator`] handle (start, create fabrics, find devices, export,
//!   counters, shutdown) and [`SimConfig`], how a simulator runs (addresses, ports, lock-out,
//!   latency); not to be confused with a device's NVUE configuration in [`config_tree`].
//! - [`fabric`]: [`FabricSpec`], device naming and each device's initial configuration.
//! - [`profile`]: [`Profile`], the NVIDIA release a device stands for (`cumulus-5.8` ...
//!   `nvos-25.02`), and the mix of profiles in a fabric.
//! - [`device`]: one device's state: applied and candidate configuration, revisions, logins
//!   and lock-out, files, faults, latency; [`revisions`]: the startup configuration, saving,
//!   auto-save, commit-confirm and detached revisions; [`reboot`]: taking a device down and
//!   back up with its startup configuration; [`restrictions`]: lock-out and fail delay.
//! - [`host_keys`]: deterministic ed25519, ECDSA P-256 and (when asked) RSA host keys.
//! - [`config_tree`]: the NVUE configuration tree (YAML, diff, masking, `nv set` lines).
//! - [`shell`]: the login shell, testable without SSH: bash's quoting, lists, pipelines and
//!   redirections as far as a session needs them, and the few coreutils (`cat`, `rm`, `grep`, ...).
//! - [`nvue`]: the `nv` command (`set`, `unset`, `show`, `config ...`) with NVUE's output shapes
//!   and errors.
//! - [`ssh`]: the russh server: listeners, authentication, exec and shell channels.
//! - [`faults`]: the injectable faults and the set active on one device.
//! - [`latency`]: how long operations take (`none`, `realistic` or custom profiles).
//! - [`platform`]: what differs between Cumulus Linux and NVOS (default users, the password
//!   field, versions, roles, the prompt).
//! - [`verification`]: checking passwords against `$6$` hashes, with a small cache of successful
//!   checks.
//! - [`export`]: the fabric as a `rotor-inventory` inventory plus intended configurations.
//! - [`control`]: the HTTP+JSON control interface.
//! - [`client`]: a small russh client for tests and the benchmark; [`bench`](mod@bench): the
//!   benchmark.
//!
//! Invariant: the simulator never receives, stores or logs a plaintext password except the one a
//! client sends at login, which is only checked (and, on success, remembered as a SHA-256 digest
//! together with the hash in a small bounded cache).

#![warn(missing_docs)]

pub mod bench;
pub mod client;
pub mod config_tree;
pub mod control;
pub mod device;
pub mod export;
pub mod fabric;
pub mod faults;
pub mod host_keys;
pub mod latency;
pub mod nvue;
pub mod platform;
pub mod profile;
pub mod reboot;
pub mod restrictions;
pub mod revisions;
pub mod shell;
pub mod simulator;
pub mod ssh;
pub mod verification;

pub use device::{Device, LockoutPolicy};
pub use export::ExportOptions;
pub use fabric::{FabricSpec, InitialUser, PlatformMix};
pub use faults::{Fault, FaultKind};
pub use latency::LatencyProfile;
pub use platform::Platform;
pub use profile::{HostKeyType, Profile, ProfileMix};
pub use simulator::{SimConfig, SimError, Simulator};
