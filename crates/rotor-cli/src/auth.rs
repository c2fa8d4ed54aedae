//! `rotor auth`: the API's credentials, made on this machine. `init` writes a signing key, the
//! keys file and the policy the orchestrator reads (`ROTOR_AUTH_KEYS`, `ROTOR_AUTH_POLICY`)
//! and an administrator token; `token` issues a token for any subject with the signing key.
//! What a subject may do is the policy's: `grant`, `revoke` and `policy` change and show the
//! policy file, which a running orchestrator reads again when it changes.

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
        AuthCommand::Grant(args) => change_policy(&args, true),
        AuthCommand::Revoke(args) => change_policy(&args, false),
        AuthCommand::Policy { policy } => show_policy(&policy),
    }
}

fn read_policy(path: &Path) -> Result<rotor_auth::Policy, CliError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| CliError::rejected(format!("cannot read {}: {e}", path.display())))?;
    rotor_auth::Policy::from_yaml(&text)
        .map_err(|e| CliError::rejected(format!("{}: {e}", path.display())))
}

/// Grants or revokes, and writes the file whole (a new file renamed over the old, keeping its
/// permissions): the orchestrator never reads half a policy.
fn change_policy(args: &crate::cli::GrantArgs, grant: bool) -> Result<Exit, CliError> {
    let subject = args.subject.trim();
    if subject.is_empty() {
        return Err(CliError::rejected("--subject is empty"));
    }
    for fabric in &args.fabrics {
        if fabric != "*" {
            rotor_inventory::check_name(fabric)
                .map_err(|e| CliError::rejected(format!("--fabric {fabric:?}: {e}")))?;
        }
    }
    let mut policy = read_policy(&args.policy)?;
    let said = if grant {
        if args.fabrics.is_empty() || args.roles.is_empty() {
            return Err(CliError::rejected(
                "name at least one --fabric (or '*') and one --role to grant",
            ));
        }
        if !policy.grant(subject, &args.fabrics, &args.roles) {
            crate::out!(
                "{subject} has these roles there already; {} is unchanged",
                args.policy.display()
            );
            return Ok(Exit::Success);
        }
        format!(
            "granted {subject} {} on {}",
            roles_text(&args.roles),
            args.fabrics.join(", ")
        )
    } else {
        if args.fabrics.len() > 1 || args.roles.len() > 1 {
            return Err(CliError::rejected(
                "revoke one --fabric and one --role at a time (or leave either out for all)",
            ));
        }
        let taken = policy.revoke(
            subject,
            args.fabrics.first().map(String::as_str),
            args.roles.first().copied(),
        );
        if taken == 0 {
            return Err(CliError::rejected(format!(
                "the policy grants {subject} nothing of that; {} is unchanged",
                args.policy.display()
            )));
        }
        format!("took {taken} grant(s) from {subject}")
    };
    let text = format!(
        "# ROTOR_AUTH_POLICY, written by `rotor auth grant|revoke` (docs/operations.md).\n{}",
        policy.to_yaml()
    );
    let dir = args
        .policy
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let fresh = dir.join(format!(
        ".{}.new",
        args.policy
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("policy")
    ));
    let written = std::fs::write(&fresh, text)
        .and_then(|()| {
            let permissions = std::fs::metadata(&args.policy)?.permissions();
            std::fs::set_permissions(&fresh, permissions)
        })
        .and_then(|()| std::fs::rename(&fresh, &args.policy));
    if let Err(error) = written {
        let _ = std::fs::remove_file(&fresh);
        return Err(CliError::rejected(format!(
            "cannot write {}: {error}",
            args.policy.display()
        )));
    }
    crate::out!(
        "{said} in {}; a running orchestrator obeys it within seconds",
        args.policy.display()
    );
    Ok(Exit::Success)
}

fn roles_text(roles: &[rotor_auth::Role]) -> String {
    roles
        .iter()
        .map(|role| role.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn show_policy(path: &Path) -> Result<Exit, CliError> {
    let policy = read_policy(path)?;
    if policy.grants.is_empty() {
        crate::out!("{} grants nothing: every call is refused", path.display());
    }
    for grant in &policy.grants {
        crate::out!(
            "{}: {} on {}",
            grant.subject,
            roles_text(&grant.roles),
            grant.fabrics.join(", ")
        );
    }
    Ok(Exit::Success)
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
