//! What the command tests share: running a command line on a test device as its login user.

use crate::device::Device;
use crate::shell::{ExecContext, Output, run_line};

/// A hash to set in tests; not the hash of any password anyone uses.
pub(crate) const NEW_HASH: &str = "$6$rounds=5000$newsalt$abcdefghijklmnopqrstuv";

/// The platform's login user (`cumulus`, `admin`) in an `exec` request.
pub(crate) fn admin(device: &Device) -> ExecContext {
    ExecContext {
        user: device.platform.login_user().to_string(),
        interactive: false,
        last_status: 0,
    }
}

/// Runs a command line as the login user, with no standard input.
pub(crate) async fn run(device: &Device, line: &str) -> Output {
    run_line(device, &admin(device), line, None).await
}

/// Runs a command line as the login user, with `stdin` as the session's standard input.
pub(crate) async fn run_with_stdin(device: &Device, line: &str, stdin: &str) -> Output {
    run_line(
        device,
        &admin(device),
        line,
        Some(stdin.as_bytes().to_vec()),
    )
    .await
}
