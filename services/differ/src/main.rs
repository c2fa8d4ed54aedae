//! The differ service's binary: settings from `ROTOR_*`, then [`rotor_differ::run`].

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    rotor_runtime::service_main(
        "differ",
        |settings| rotor_pipeline::WorkerConfig::from_settings("differ", settings),
        rotor_differ::run,
    )
}
