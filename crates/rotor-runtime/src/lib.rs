//! What every Rotor service shares.
//!
//! - [`settings`]: defaults, then a YAML file (`ROTOR_CONFIG`), then `ROTOR_*` environment
//!   variables; a bad value stops the service at start with a message naming the setting.
//! - [`telemetry`]: structured logs (text or JSON) with OpenTelemetry trace ids, one init per
//!   process, and a capturing variant for tests.
//! - [`worker`]: the loop every job worker runs: many jobs in flight from one shared durable
//!   consumer, progress acks while a slow switch answers, malformed messages rejected and
//!   recorded, graceful shutdown that finishes or hands back in-flight work.
//! - [`shutdown`]: Ctrl-C / SIGTERM as a cancellation token.

pub mod settings;
pub mod shutdown;
pub mod telemetry;
pub mod worker;

pub use settings::{CommonSettings, SettingError, Settings};
pub use tokio_util::sync::CancellationToken;
