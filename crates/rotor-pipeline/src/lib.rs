//! What the rotation services share.
//!
//! - [`records`]: imported fabrics and devices, operation plans, as stored in key-value buckets.
//! - [`events`]: publishing a device's stage events (deduplicated by id).
//! - [`access`]: logging in to a device with credential fallback inside the lock-out budget.
//! - [`render`]: the intended configuration with target hashes filled in.

pub mod access;
pub mod context;
pub mod events;
pub mod fabric_view;
pub mod fanout;
pub mod records;
pub mod render;

pub use access::{AccessError, DeviceAccess, LoginBudget};
pub use context::{StartError, WorkerConfig, WorkerContext};
pub use events::{EventDetails, Reporter, StageFailure};
pub use render::{Rendered, Renderer};
