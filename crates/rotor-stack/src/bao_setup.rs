//! OpenBao for a local stack's services, least privilege as in production: the policies Rotor
//! ships in `deploy/openbao/` (compiled in, so the tested policy is the shipped one), the AppRole
//! auth method, one role per service kind bound to its policy, and each kind's role id and
//! secret id. A secret id goes only into a file of mode 0600 in the stack's state folder
//! (`approle/<role>.secret-id`), named to the service by `ROTOR_BAO_SECRET_ID_FILE`; the
//! administrator's (root) token that sets this up stays in this process. The aggregator needs no
//! OpenBao access and gets no role.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rotor_secrets::{AppRoleSpec, DEFAULT_APPROLE_MOUNT, SecretsClient};
use secrecy::ExposeSecret;

use crate::StackError;
use crate::auth::write_private;

/// Rotor's OpenBao policies, one per service kind that reads or writes secrets, as shipped in
/// `deploy/openbao/`.
pub const POLICIES: [(&str, &str); 4] = [
    (
        "orchestrator",
        include_str!("../../../deploy/openbao/rotor-orchestrator.hcl"),
    ),
    (
        "differ",
        include_str!("../../../deploy/openbao/rotor-differ.hcl"),
    ),
    (
        "applier",
        include_str!("../../../deploy/openbao/rotor-applier.hcl"),
    ),
    (
        "backup",
        include_str!("../../../deploy/openbao/rotor-backup.hcl"),
    ),
];

/// The policy and role name of a service kind (`rotor-differ`).
pub fn role_name(service: &str) -> String {
    format!("rotor-{service}")
}

/// The TTLs of the services' tokens.
#[derive(Clone, Copy, Debug)]
pub struct TokenTtls {
    /// A login's TTL (renewed at 2/3 of it).
    pub ttl: Duration,
    /// The longest a token lives (the service logs in again before).
    pub max_ttl: Duration,
}

impl Default for TokenTtls {
    /// One hour, at most a day: what `deploy/openbao/setup-approle.sh` sets.
    fn default() -> Self {
        TokenTtls {
            ttl: Duration::from_secs(3600),
            max_ttl: Duration::from_secs(86_400),
        }
    }
}

/// One service kind's AppRole credentials.
#[derive(Clone, Debug)]
pub struct ServiceLogin {
    /// `ROTOR_BAO_ROLE_ID`.
    pub role_id: String,
    /// `ROTOR_BAO_SECRET_ID_FILE`: the file (mode 0600) holding the secret id.
    pub secret_id_file: String,
}

/// The AppRole credentials of every service kind that needs OpenBao, by service name.
pub type ServiceLogins = BTreeMap<String, ServiceLogin>;

/// With an administrator's client: writes the policies, enables AppRole, writes one role per
/// service kind with `ttls`, and writes each kind's new secret id to `dir/<role>.secret-id`
/// (mode 0600, `dir` mode 0700).
pub async fn service_logins(
    admin: &SecretsClient,
    dir: &Path,
    ttls: TokenTtls,
) -> Result<ServiceLogins, StackError> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::create_dir_all(dir).map_err(StackError::files("create", dir))?;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
        .map_err(StackError::files("restrict", dir))?;
    admin
        .enable_approle(DEFAULT_APPROLE_MOUNT)
        .await
        .map_err(StackError::OpenBaoSetup)?;
    let mut logins = ServiceLogins::new();
    for (service, policy) in POLICIES {
        let name = role_name(service);
        admin
            .write_policy(&name, policy)
            .await
            .map_err(StackError::OpenBaoSetup)?;
        let role_id = admin
            .write_approle(
                DEFAULT_APPROLE_MOUNT,
                &AppRoleSpec {
                    name: &name,
                    policy: &name,
                    token_ttl: ttls.ttl,
                    token_max_ttl: ttls.max_ttl,
                },
            )
            .await
            .map_err(StackError::OpenBaoSetup)?;
        let secret_id = admin
            .new_secret_id(DEFAULT_APPROLE_MOUNT, &name)
            .await
            .map_err(StackError::OpenBaoSetup)?;
        let file: PathBuf = dir.join(format!("{name}.secret-id"));
        write_private(&file, &format!("{}\n", secret_id.expose_secret()))
            .map_err(StackError::files("write", &file))?;
        logins.insert(
            service.to_string(),
            ServiceLogin {
                role_id,
                secret_id_file: file.display().to_string(),
            },
        );
    }
    Ok(logins)
}
