//! How long simulated operations take: the `none` and `realistic` profiles, custom profiles, and
//! the classes of operation a delay applies to.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// What kind of operation is being delayed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OperationClass {
    /// Password authentication.
    Login,
    /// `nv show`, `nv config show`, `nv config revision|history`.
    Show,
    /// `nv config replace`.
    Replace,
    /// `nv config patch`.
    Patch,
    /// `nv config diff`.
    Diff,
    /// `nv config apply`.
    Apply,
    /// `nv set`, `nv unset`, `nv config detach` and everything else.
    Other,
}

/// Delays per operation class, in milliseconds. `apply` is drawn uniformly from
/// `apply_min_ms..=apply_max_ms`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct LatencyProfile {
    /// Password authentication.
    pub login_ms: u64,
    /// `nv show`, `nv config show`, `nv config revision|history`.
    pub show_ms: u64,
    /// `nv config replace`.
    pub replace_ms: u64,
    /// `nv config patch`.
    pub patch_ms: u64,
    /// `nv config diff`.
    pub diff_ms: u64,
    /// The shortest `nv config apply`.
    pub apply_min_ms: u64,
    /// The longest `nv config apply`.
    pub apply_max_ms: u64,
    /// `nv set`, `nv unset`, `nv config detach` and every other command.
    pub other_ms: u64,
}

impl LatencyProfile {
    /// No delay at all (the default).
    pub fn none() -> LatencyProfile {
        LatencyProfile::default()
    }

    /// Roughly what a Cumulus Linux switch takes: show ~150 ms, replace/patch/diff ~300 ms,
    /// apply 2-5 s, login ~50 ms.
    pub fn realistic() -> LatencyProfile {
        LatencyProfile {
            login_ms: 50,
            show_ms: 150,
            replace_ms: 300,
            patch_ms: 300,
            diff_ms: 300,
            apply_min_ms: 2_000,
            apply_max_ms: 5_000,
            other_ms: 100,
        }
    }

    /// `none` or `realistic`.
    pub fn named(name: &str) -> Option<LatencyProfile> {
        match name {
            "none" => Some(LatencyProfile::none()),
            "realistic" => Some(LatencyProfile::realistic()),
            _ => None,
        }
    }

    /// The delay for one operation (random within the range for `apply`).
    pub fn delay(&self, class: OperationClass) -> Duration {
        let milliseconds = match class {
            OperationClass::Login => self.login_ms,
            OperationClass::Show => self.show_ms,
            OperationClass::Replace => self.replace_ms,
            OperationClass::Patch => self.patch_ms,
            OperationClass::Diff => self.diff_ms,
            OperationClass::Other => self.other_ms,
            OperationClass::Apply => {
                let low = self.apply_min_ms.min(self.apply_max_ms);
                let high = self.apply_min_ms.max(self.apply_max_ms);
                if low == high {
                    low
                } else {
                    rand::random_range(low..=high)
                }
            }
        };
        Duration::from_millis(milliseconds)
    }
}

/// A latency setting as the control interface accepts it: a profile name or a custom profile.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum LatencySetting {
    /// A profile by name.
    Named {
        /// `none` or `realistic`.
        profile: String,
    },
    /// A whole profile given field by field (missing fields are 0).
    Custom(LatencyProfile),
}

impl LatencySetting {
    /// The profile this setting stands for; an unknown profile name is an error naming the known
    /// ones.
    pub fn resolve(&self) -> Result<LatencyProfile, String> {
        match self {
            LatencySetting::Named { profile } => LatencyProfile::named(profile).ok_or_else(|| {
                format!("unknown latency profile {profile:?}; expected \"none\" or \"realistic\"")
            }),
            LatencySetting::Custom(profile) => Ok(*profile),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn realistic_apply_is_between_two_and_five_seconds() {
        let profile = LatencyProfile::realistic();
        for _ in 0..50 {
            let delay = profile.delay(OperationClass::Apply);
            assert!(delay >= Duration::from_secs(2) && delay <= Duration::from_secs(5));
        }
        assert_eq!(
            LatencyProfile::none().delay(OperationClass::Apply),
            Duration::ZERO
        );
    }

    #[test]
    fn settings_parse_from_json() {
        let named: LatencySetting = serde_json::from_str(r#"{"profile":"realistic"}"#).unwrap();
        assert_eq!(named.resolve().unwrap(), LatencyProfile::realistic());
        let custom: LatencySetting = serde_json::from_str(r#"{"showMs":7}"#).unwrap();
        assert_eq!(custom.resolve().unwrap().show_ms, 7);
        let unknown: LatencySetting = serde_json::from_str(r#"{"profile":"slowish"}"#).unwrap();
        assert!(unknown.resolve().is_err());
    }
}
