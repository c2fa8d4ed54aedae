//! Who calls the gRPC API and what they may do.
//!
//! An interceptor ([`Authenticate`]) runs before every `RotationService` method: the call must
//! carry `authorization: Bearer <token>`, a token signed by a key in `ROTOR_AUTH_KEYS`
//! (see `rotor_auth`), or it is refused `UNAUTHENTICATED`. The caller's [`Identity`] then rides
//! in the request's extensions; each handler asks [`authorize`] for the role its method needs
//! on the fabric it touches (policy `ROTOR_AUTH_POLICY`), or refuses `PERMISSION_DENIED`. Who
//! asked for an operation and who holds a lock are the token's subject, never what the request
//! says. Every refusal is logged with the peer address (never the token), and every call,
//! refused or not, is audited (`crate::audit`): the interceptor and [`authorize`] write who,
//! from where, on which fabric and with which role into the call's record. Once the token is
//! verified, the subject's calls are counted against its rate (`crate::limits`): a call over
//! it is refused `RESOURCE_EXHAUSTED` (audited `refused`).

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use rotor_auth::{Identity, Policy, Role, TrustedKeys};
use rotor_runtime::settings::{SettingError, Settings};
use tonic::{Request, Status};

/// The trusted keys, read at start, and the policy, read at start and again whenever its file
/// changes ([`watch_policy`]).
#[derive(Clone, Debug)]
pub struct Auth {
    /// Whose tokens are accepted.
    pub keys: Arc<TrustedKeys>,
    /// Who may do what, as last read.
    policy: Arc<RwLock<Arc<Policy>>>,
    /// Where the policy is read from.
    policy_file: Option<PathBuf>,
}

impl Auth {
    /// The policy as last read.
    pub fn policy(&self) -> Arc<Policy> {
        self.policy
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

/// How often the policy file is looked at for a change.
const POLICY_CHECK: std::time::Duration = std::time::Duration::from_secs(1);

/// Reads the policy file again whenever it changes (its modification time or size), until
/// `shutdown`: `rotor auth grant` and `revoke`, or an edit, take effect without a restart. A
/// file that does not read or parse leaves the policy as it was, logged as an error.
pub async fn watch_policy(auth: Auth, shutdown: rotor_runtime::CancellationToken) {
    let Some(path) = auth.policy_file.clone() else {
        return;
    };
    let stamp = |path: &Path| {
        std::fs::metadata(path)
            .ok()
            .map(|m| (m.modified().ok(), m.len()))
    };
    let mut last = stamp(&path);
    let mut tick = tokio::time::interval(POLICY_CHECK);
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tick.tick() => {}
        }
        let now = stamp(&path);
        if now == last {
            continue;
        }
        last = now;
        match std::fs::read_to_string(&path)
            .map_err(|e| e.to_string())
            .and_then(|text| Policy::from_yaml(&text).map_err(|e| e.to_string()))
        {
            Ok(policy) => {
                tracing::info!(file = %path.display(), grants = policy.grants.len(), "the policy changed; obeying the new one");
                *auth.policy.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(policy);
            }
            Err(error) => {
                tracing::error!(file = %path.display(), %error, "the policy file changed but cannot be used; the previous policy stays in force");
            }
        }
    }
}

impl Auth {
    /// Reads `ROTOR_AUTH_KEYS` and `ROTOR_AUTH_POLICY` (both files, both required).
    pub fn from_settings(settings: &Settings) -> Result<Auth, SettingError> {
        let read = |name: &str| -> Result<String, SettingError> {
            let path = settings.raw(name).ok_or_else(|| SettingError {
                name: name.into(),
                reason: "is not set: the API serves only callers with a token signed by a trusted key, as the policy allows (`rotor auth init` writes both files; docs/operations.md)".into(),
            })?;
            std::fs::read_to_string(path).map_err(|e| SettingError {
                name: name.into(),
                reason: format!("cannot read {path}: {e}"),
            })
        };
        let keys = TrustedKeys::from_yaml(&read("ROTOR_AUTH_KEYS")?).map_err(|e| SettingError {
            name: "ROTOR_AUTH_KEYS".into(),
            reason: e.to_string(),
        })?;
        let policy = Policy::from_yaml(&read("ROTOR_AUTH_POLICY")?).map_err(|e| SettingError {
            name: "ROTOR_AUTH_POLICY".into(),
            reason: e.to_string(),
        })?;
        Ok(Auth {
            keys: Arc::new(keys),
            policy: Arc::new(RwLock::new(Arc::new(policy))),
            policy_file: settings.raw("ROTOR_AUTH_POLICY").map(PathBuf::from),
        })
    }
}

/// The interceptor that authenticates every call.
#[derive(Clone, Debug)]
pub struct Authenticate {
    keys: Arc<TrustedKeys>,
    rate: Arc<crate::limits::RateLimiter>,
}

impl Authenticate {
    /// Authenticates against `auth`'s keys, and admits each subject's calls at the rate
    /// `limits` allows.
    pub fn new(auth: &Auth, limits: &crate::limits::Limits) -> Authenticate {
        Authenticate {
            keys: auth.keys.clone(),
            rate: Arc::new(crate::limits::RateLimiter::new(
                limits.grpc_rate_per_second,
                limits.grpc_burst,
                "ROTOR_GRPC_RATE_PER_SECOND, ROTOR_GRPC_BURST",
            )),
        }
    }
}

impl tonic::service::Interceptor for Authenticate {
    fn call(&mut self, mut request: Request<()>) -> Result<Request<()>, Status> {
        let peer = request.remote_addr();
        let slot = request
            .extensions()
            .get::<crate::audit::AuditSlot>()
            .cloned();
        if let (Some(slot), Some(peer)) = (&slot, peer) {
            slot.update(|record| record.peer = peer.to_string());
        }
        let refuse = |reason: String| {
            tracing::warn!(?peer, %reason, "refused an unauthenticated call");
            Status::unauthenticated(reason)
        };
        let header = request
            .metadata()
            .get("authorization")
            .ok_or_else(|| refuse("no credentials: send `authorization: Bearer <token>` (ROTOR_TOKEN for the rotor CLI)".into()))?;
        let token = header
            .to_str()
            .ok()
            .and_then(|value| value.strip_prefix("Bearer "))
            .ok_or_else(|| refuse("the authorization header is not `Bearer <token>`".into()))?;
        let identity = self
            .keys
            .verify(token.trim(), rotor_auth::now_unix())
            .map_err(|e| refuse(e.to_string()))?;
        if let Some(slot) = &slot {
            slot.update(|record| record.identity = identity.subject.clone());
        }
        // Before the request is decoded: a caller over its rate costs no more than this.
        self.rate
            .admit(&identity.subject)
            .map_err(Status::resource_exhausted)?;
        request.extensions_mut().insert(identity);
        Ok(request)
    }
}

/// The caller's subject if the policy grants it `role` on `fabric` (`None`: every fabric);
/// otherwise `PERMISSION_DENIED`, logged. `what` says what was asked, for the message.
pub fn authorize<T>(
    policy: &Policy,
    request: &Request<T>,
    fabric: Option<&str>,
    role: Role,
    what: &str,
) -> Result<String, Status> {
    let identity = request
        .extensions()
        .get::<Identity>()
        .ok_or_else(|| Status::unauthenticated("the call carries no identity"))?;
    crate::audit::note(request, |record| {
        record.fabric_id = fabric.unwrap_or_default().to_string();
        record.role = role.as_str().to_string();
    });
    if policy.allows(&identity.subject, fabric, role) {
        return Ok(identity.subject.clone());
    }
    let scope = match fabric {
        Some(fabric) => format!("fabric {fabric}"),
        None => "every fabric".to_string(),
    };
    tracing::warn!(
        subject = %identity.subject,
        peer = ?request.remote_addr(),
        role = role.as_str(),
        %scope,
        what,
        "refused an unauthorized call"
    );
    Err(Status::permission_denied(format!(
        "{} may not {what}: the policy does not grant it the {role} role on {scope}",
        identity.subject
    )))
}
