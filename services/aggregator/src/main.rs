//! The aggregator service's binary: settings from `ROTOR_*`, then [`rotor_aggregator::run`].

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    rotor_runtime::service_main(
        "aggregator",
        rotor_aggregator::AggregatorConfig::from_settings,
        rotor_aggregator::run,
    )
}
