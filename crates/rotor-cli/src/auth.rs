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
        AuthCommand::Nats { dir, requesters } => nats(&dir, &requesters),
    }
}

fn nats(dir: &Path, requesters: &[String]) -> Result<Exit, CliError> {
    let mut parsed = Vec::new();
    for requester in requesters {
        let (user, fabrics) = requester.split_once('=').ok_or_else(|| {
            CliError::rejected(format!(
                "--requester {requester:?}: write USER=FABRICS, e.g. ticketing=fab1,fab2"
            ))
        })?;
        rotor_inventory::check_name(user)
            .map_err(|e| CliError::rejected(format!("--requester {requester:?}: user {e}")))?;
        let fabrics: Vec<String> = fabrics.split(',').map(|f| f.trim().to_string()).collect();
        for fabric in &fabrics {
            if fabric != "*" {
                rotor_inventory::check_name(fabric).map_err(|e| {
                    CliError::rejected(format!("--requester {requester:?}: fabric {e}"))
                })?;
            }
        }
        parsed.push((user, fabrics));
    }
    let config = dir.join("nats-accounts.conf");
    if config.exists() {
        return Err(CliError::rejected(format!(
            "{} exists already; `rotor auth nats` never overwrites credentials",
            config.display()
        )));
    }
    let users = rotor_stack::nats_users::NatsUsers::create(dir, &parsed)
        .map_err(|e| CliError::rejected(format!("cannot write {}: {e}", dir.display())))?;
    write_private(&config, &users.accounts_config())
        .map_err(|e| CliError::rejected(format!("cannot write {}: {e}", config.display())))?;
    crate::out!(
        "\
Wrote the bus's users to {dir}:

  nats-accounts.conf   include it from nats-server.conf (the requesters' passwords only as bcrypt hashes)
  <service>.nk         each service's NKey seed: give it to that service as ROTOR_NATS_NKEY_FILE
  admin.nk             an administrator's NKey seed (every permission in the ROTOR account): break-glass only
  <user>.password      each requester's password; grant nats:<user> the operator role in the policy",
        dir = dir.display(),
    );
    Ok(Exit::Success)
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
