//! `rotor auth`: the API's credentials, made on this machine. `init` writes a signing key, the
//! keys file and the policy the orchestrator reads (`ROTOR_AUTH_KEYS`, `ROTOR_AUTH_POLICY`)
//! and an administrator token; `token` issues a token for any subject with the signing key.
//! What a subject may do is the policy's business (edit `policy.yaml`, restart the
//! orchestrator).

use std::path::Path;

use rotor_stack::auth::{ADMIN_SUBJECT, LocalAuth, write_private};

use crate::cli::AuthCommand;
use crate::exit::{CliError, Exit};

/// Runs a `rotor auth ...` verb.
pub fn run(command: AuthCommand) -> Result<Exit, CliError> {
    match command {
        AuthCommand::Init { dir } => init(&dir),
        AuthCommand::Token {
            key,
            subject,
            ttl_hours,
        } => token(&key, &subject, ttl_hours),
    }
}

fn init(dir: &Path) -> Result<Exit, CliError> {
    for name in ["signing-key.yaml", "keys.yaml", "policy.yaml"] {
        if dir.join(name).exists() {
            return Err(CliError::rejected(format!(
                "{} exists already; `rotor auth init` never overwrites credentials",
                dir.join(name).display()
            )));
        }
    }
    let auth = LocalAuth::create(dir, Vec::new())
        .map_err(|e| CliError::rejected(format!("cannot write {}: {e}", dir.display())))?;
    let token_file = dir.join(format!("{ADMIN_SUBJECT}.token"));
    write_private(&token_file, &format!("{}\n", auth.admin_token()))
        .map_err(|e| CliError::rejected(format!("cannot write {}: {e}", token_file.display())))?;
    crate::out!(
        "\
Wrote the API's credentials to {dir}:

  signing-key.yaml   the private key that issues tokens (keep it private; `rotor auth token`)
  keys.yaml          ROTOR_AUTH_KEYS: the public key the orchestrator trusts
  policy.yaml        ROTOR_AUTH_POLICY: {ADMIN_SUBJECT} has every role on every fabric
  {ADMIN_SUBJECT}.token  a token for {ADMIN_SUBJECT}, valid 30 days

  export ROTOR_TOKEN=\"$(cat {token})\"",
        dir = dir.display(),
        token = token_file.display(),
    );
    Ok(Exit::Success)
}

fn token(key: &Path, subject: &str, ttl_hours: u64) -> Result<Exit, CliError> {
    let text = std::fs::read_to_string(key)
        .map_err(|e| CliError::rejected(format!("cannot read {}: {e}", key.display())))?;
    let signing = rotor_auth::SigningKey::from_file_text(&text)
        .map_err(|e| CliError::rejected(format!("{}: {e}", key.display())))?;
    let token = signing
        .token(subject, ttl_hours * 3600, rotor_auth::now_unix())
        .map_err(|e| CliError::rejected(format!("--subject: {e}")))?;
    crate::out!("{token}");
    Ok(Exit::Success)
}
