//! The applier service's binary: settings from `ROTOR_*`, then [`rotor_applier::run`].

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    rotor_runtime::service_main(
        "applier",
        |settings| rotor_pipeline::WorkerConfig::from_settings("applier", settings),
        rotor_applier::run,
    )
}
