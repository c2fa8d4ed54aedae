//! What the rotation services share.
//!
//! - [`stage`]: the stage-worker abstraction: a stage service implements [`StageWorker`] with
//!   only its logic; one handler owns retries, failures and reporting.
//! - [`context`]: what a job worker builds once at start ([`WorkerContext`]).
//! - [`records`]: imported fabrics and devices, operation plans, as stored in key-value buckets.
//! - [`marks`]: stage marks, so a redelivered job does not repeat a side effect.
//! - [`quarantine`]: a device's run of failures and its quarantine.
//! - [`events`]: publishing a device's stage events (deduplicated by id).
//! - [`access`]: the device lock and logging in with credential fallback inside the lock-out
//!   budget.
//! - [`render`]: the intended configuration with target hashes filled in.
//! - [`vouch`]: a job is taken only if its operation's plan and its device's record vouch for
//!   what it carries.
//! - [`fanout`]: an operation's diff jobs; [`fabric_view`]: the fabric picture from device
//!   statuses.

#![warn(missing_docs)]

pub mod access;
pub mod context;
pub mod events;
pub mod fabric_view;
pub mod fanout;
pub mod ledger;
pub mod marks;
pub mod quarantine;
pub mod records;
pub mod render;
pub mod stage;
pub mod vouch;

pub use access::{AccessError, DeviceAccess, DeviceLock, DeviceSession, LoginBudget};
pub use context::{StartError, WorkerConfig, WorkerContext};
pub use events::{EventDetails, Reporter, StageFailure};
pub use render::{RenderError, Rendered, Renderer};
pub use stage::{StageError, StageRun, StageWorker};
