//! The differ service's binary: settings from `ROTOR_*`, then [`rotor_differ::run`].

fn main() -> std::process::ExitCode {
    rotor_runtime::service_main(
        "differ",
        |settings| rotor_pipeline::WorkerConfig::from_settings("differ", settings),
        rotor_differ::run,
    )
}
