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
//! - [`leadership`]: one copy of a kind of work leads at a time, under a lease.

#![warn(missing_docs)]

pub mod leadership;
pub mod settings;
pub mod shutdown;
pub mod telemetry;
pub mod worker;

pub use settings::{CommonSettings, SettingError, Settings};
pub use tokio_util::sync::CancellationToken;

/// The body of every service's `main`: settings from the environment, logging, the metrics
/// endpoint when `ROTOR_METRICS_ADDRESS` is set, run until a signal, and a one-line error (naming the setting or server) with exit code 1 on failure.
pub fn service_main<C, ConfigError, RunError, F, Fut>(
    service: &str,
    config: impl FnOnce(&Settings) -> Result<C, ConfigError>,
    run: F,
) -> std::process::ExitCode
where
    ConfigError: std::fmt::Display,
    RunError: std::fmt::Display,
    F: FnOnce(C, CancellationToken) -> Fut,
    Fut: std::future::Future<Output = Result<(), RunError>>,
{
    let settings = match Settings::from_environment() {
        Ok(settings) => settings,
        Err(error) => {
            eprintln!("rotor-{service}: {error}");
            return std::process::ExitCode::FAILURE;
        }
    };
    if let Err(error) = telemetry::init(service, &settings) {
        eprintln!("rotor-{service}: {error}");
        return std::process::ExitCode::FAILURE;
    }
    let config = match config(&settings) {
        Ok(config) => config,
        Err(error) => {
            eprintln!("rotor-{service}: {error}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let metrics_address = match settings::metrics_address(&settings) {
        Ok(address) => address,
        Err(error) => {
            eprintln!("rotor-{service}: {error}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        // Unoptimised builds make large futures; 8 MiB keeps debug binaries as safe as release.
        .thread_stack_size(8 << 20)
        .build()
        .expect("a tokio runtime starts");
    let code = runtime.block_on(async move {
        let shutdown = shutdown::on_signal();
        if let Some(address) = metrics_address
            && let Err(error) = rotor_metrics::start(address, shutdown.clone()).await
        {
            eprintln!("rotor-{service}: setting ROTOR_METRICS_ADDRESS: cannot listen on {address}: {error}");
            return std::process::ExitCode::FAILURE;
        }
        match run(config, shutdown).await {
            Ok(()) => std::process::ExitCode::SUCCESS,
            Err(error) => {
                tracing::error!(%error, "stopped");
                eprintln!("rotor-{service}: {error}");
                std::process::ExitCode::FAILURE
            }
        }
    });
    drop(runtime);
    telemetry::flush();
    code
}
