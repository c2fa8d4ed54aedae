//! The `rotor` binary: parse the command line, run it on a Tokio runtime, print an error as one
//! line on stderr, and exit with the code that says how it ended (see [`rotor_cli::exit`]).

fn main() -> std::process::ExitCode {
    let cli = rotor_cli::cli::Cli::parse_arguments();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .thread_stack_size(8 << 20)
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("rotor: cannot start: {error}");
            return std::process::ExitCode::from(rotor_cli::exit::Exit::Unavailable.code());
        }
    };
    let exit = match runtime.block_on(rotor_cli::run(cli)) {
        Ok(exit) => exit,
        Err(error) => {
            let message = error.message.trim_end();
            if message.starts_with("rotor") {
                eprintln!("{message}");
            } else {
                eprintln!("rotor: {message}");
            }
            error.exit
        }
    };
    // Don't wait for background tasks (an event stream, simulator connections) to notice.
    runtime.shutdown_timeout(std::time::Duration::from_millis(100));
    std::process::ExitCode::from(exit.code())
}
