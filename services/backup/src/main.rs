//! The backup service's binary: settings from `ROTOR_*`, then [`rotor_backup::run`].

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    rotor_runtime::service_main(
        "backup",
        |settings| rotor_pipeline::WorkerConfig::from_settings("backup", settings),
        rotor_backup::run,
    )
}
