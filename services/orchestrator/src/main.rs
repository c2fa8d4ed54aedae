//! The orchestrator service's binary: settings from `ROTOR_*`, then [`rotor_orchestrator::run`].

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    rotor_runtime::service_main(
        "orchestrator",
        rotor_orchestrator::OrchestratorConfig::from_settings,
        rotor_orchestrator::run,
    )
}
