//! Login restrictions: how failed logins lock an account and delay the answer.
//!
//! Profiles with NVUE's `system aaa authentication restrictions` (Cumulus Linux 5.15 and later,
//! NVOS) take `lockout-state`, `lockout-attempts`, `lockout-reattempt` and `fail-delay` from the
//! applied configuration (defaults enabled, 5, 15 s, 0 s). Older profiles keep the simulator's
//! [`LockoutPolicy`] (pam_faillock's `deny` and `unlock_time`, 5 and 15 minutes by default) and
//! answer a refusal at once.

use std::time::Duration;

use crate::config_tree::NvueConfig;
use crate::device::{DeviceState, LockoutPolicy};

/// The path of the restrictions object.
pub const RESTRICTIONS_PATH: [&str; 4] = ["system", "aaa", "authentication", "restrictions"];

/// The restrictions' fields with their defaults, in the order `nv show` lists them.
pub const RESTRICTION_DEFAULTS: [(&str, &str); 4] = [
    ("fail-delay", "0"),
    ("lockout-attempts", "5"),
    ("lockout-reattempt", "15"),
    ("lockout-state", "enabled"),
];

/// How failed logins are handled on a device now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LoginPolicy {
    /// Whether failures lock the account at all.
    pub locks: bool,
    /// Consecutive failures that lock it.
    pub threshold: u32,
    /// How long it stays locked.
    pub period: Duration,
    /// How long every refusal is held back before it is sent.
    pub fail_delay: Duration,
}

/// A restriction's value in a configuration, or its default.
pub fn restriction_value(config: &NvueConfig, field: &str) -> String {
    let mut path: Vec<&str> = RESTRICTIONS_PATH.to_vec();
    path.push(field);
    config.root.leaf_text(&path).unwrap_or_else(|| {
        RESTRICTION_DEFAULTS
            .iter()
            .find(|(name, _)| *name == field)
            .map(|(_, default)| (*default).to_string())
            .unwrap_or_default()
    })
}

fn seconds(config: &NvueConfig, field: &str) -> u64 {
    restriction_value(config, field).parse().unwrap_or(0)
}

impl DeviceState {
    /// The login policy of the applied configuration (`legacy` for profiles without
    /// restrictions).
    pub(crate) fn login_policy(&self, legacy: LockoutPolicy) -> LoginPolicy {
        if !self.profile.has_login_restrictions() {
            return LoginPolicy {
                locks: true,
                threshold: legacy.threshold,
                period: legacy.period,
                fail_delay: Duration::ZERO,
            };
        }
        let config = &self.applied;
        LoginPolicy {
            locks: restriction_value(config, "lockout-state") == "enabled",
            threshold: seconds(config, "lockout-attempts").clamp(1, u64::from(u32::MAX)) as u32,
            period: Duration::from_secs(seconds(config, "lockout-reattempt")),
            fail_delay: Duration::from_secs(seconds(config, "fail-delay")),
        }
    }
}
