//! The console's binary: settings from `ROTOR_*`, then [`rotor_console::run`].

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    rotor_runtime::service_main(
        "console",
        rotor_console::ConsoleConfig::from_settings,
        rotor_console::run,
    )
}
