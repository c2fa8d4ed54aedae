//! Injectable device faults: their names, their settings, which ones clear themselves after
//! firing once, and the set of faults active on one device.

use std::fmt;

use rotor_inventory::AdministrativeState;
use serde::{Deserialize, Serialize};

/// A fault to set on a device.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Fault {
    /// The device stops listening: connections are refused. Sessions already open stay open.
    Unreachable,
    /// Every delay (login and commands) is multiplied by `factor`, then `extra_ms` is added.
    Slow {
        /// How many times longer every delay is (default 1).
        #[serde(default = "one")]
        factor: f64,
        /// Milliseconds added to every delay after the factor (default 0).
        #[serde(default, rename = "extraMs", alias = "extra_ms")]
        extra_ms: u64,
    },
    /// The applied configuration gets a non-password change (an interface description) that is
    /// not in the configuration the device was created with; clearing reverts it.
    Drifted,
    /// `nv config apply` fails with `Error: Config apply failed: ...`; nothing changes.
    ApplyFails,
    /// `nv config replace|patch` fails with a YAML syntax error naming line and column.
    RejectsYaml,
    /// One-shot: the next apply takes effect, then the connection is dropped without output or
    /// exit status.
    DropAfterApply,
    /// One-shot: the next apply reports success but users keep their old password hashes.
    PasswordNotApplied,
    /// One-shot: the next apply reports success, and every user's password changes but
    /// `user`'s, who keeps the old one (a proof that fails after the login user's passed).
    PasswordNotAppliedFor {
        /// The user whose password does not change.
        user: String,
    },
    /// Sticky: a pending confirmation cannot be rolled back: `--confirm-no` fails and the
    /// confirm timer ends without a rollback (the change stays applied).
    RollbackFails,
    /// One-shot: right after the next `nv config diff`, the applied configuration changes
    /// (a non-password edit, new revision) as if another operator committed.
    ChangeBetweenDiffAndApply,
    /// Only changes the administrative state written to the exported inventory.
    AdministrativeState {
        /// The state the exported inventory gives the device.
        state: AdministrativeState,
    },
    /// Sticky: every `nv config apply` takes effect at once, but its answer is held back `ms`
    /// milliseconds (so a test can kill the applier between the apply and its proof).
    StallApply {
        /// How long the answer is held back, in milliseconds.
        ms: u64,
    },
    /// Fires at once: the device reboots (down for `downMs`, the simulator's default when not
    /// given) and comes back with its startup configuration. Never listed as active.
    Reboot {
        /// How long the device stays down, in milliseconds.
        #[serde(
            default,
            rename = "downMs",
            alias = "down_ms",
            skip_serializing_if = "Option::is_none"
        )]
        down_ms: Option<u64>,
    },
}

fn one() -> f64 {
    1.0
}

impl Fault {
    /// The fault's kind, by which it is cleared.
    pub fn kind(&self) -> FaultKind {
        match self {
            Fault::Unreachable => FaultKind::Unreachable,
            Fault::Slow { .. } => FaultKind::Slow,
            Fault::Drifted => FaultKind::Drifted,
            Fault::ApplyFails => FaultKind::ApplyFails,
            Fault::RejectsYaml => FaultKind::RejectsYaml,
            Fault::DropAfterApply => FaultKind::DropAfterApply,
            Fault::PasswordNotApplied => FaultKind::PasswordNotApplied,
            Fault::PasswordNotAppliedFor { .. } => FaultKind::PasswordNotAppliedFor,
            Fault::RollbackFails => FaultKind::RollbackFails,
            Fault::ChangeBetweenDiffAndApply => FaultKind::ChangeBetweenDiffAndApply,
            Fault::AdministrativeState { .. } => FaultKind::AdministrativeState,
            Fault::StallApply { .. } => FaultKind::StallApply,
            Fault::Reboot { .. } => FaultKind::Reboot,
        }
    }

    /// Parses a fault from its name, as the command line gives it: `unreachable`, `slow`,
    /// `slow:3` (factor), `slow:+500` (extra milliseconds), `administrative_state:RMA`,
    /// `stall_apply:3000` (milliseconds), `reboot`, `reboot:2000` (milliseconds down), ...
    pub fn parse(text: &str) -> Result<Fault, String> {
        let (name, argument) = match text.split_once(':') {
            Some((name, argument)) => (name, Some(argument)),
            None => (text, None),
        };
        let kind = FaultKind::parse(name)?;
        Ok(match kind {
            FaultKind::Unreachable => Fault::Unreachable,
            FaultKind::Drifted => Fault::Drifted,
            FaultKind::ApplyFails => Fault::ApplyFails,
            FaultKind::RejectsYaml => Fault::RejectsYaml,
            FaultKind::DropAfterApply => Fault::DropAfterApply,
            FaultKind::PasswordNotApplied => Fault::PasswordNotApplied,
            FaultKind::PasswordNotAppliedFor => Fault::PasswordNotAppliedFor {
                user: argument
                    .filter(|user| !user.is_empty())
                    .ok_or_else(|| format!("{text:?}: expected password_not_applied_for:USER"))?
                    .to_string(),
            },
            FaultKind::RollbackFails => Fault::RollbackFails,
            FaultKind::ChangeBetweenDiffAndApply => Fault::ChangeBetweenDiffAndApply,
            FaultKind::Slow => match argument {
                None => Fault::Slow {
                    factor: 3.0,
                    extra_ms: 0,
                },
                Some(extra) if extra.starts_with('+') => Fault::Slow {
                    factor: 1.0,
                    extra_ms: extra[1..]
                        .parse()
                        .map_err(|_| format!("{text:?}: expected slow:+MILLISECONDS"))?,
                },
                Some(factor) => Fault::Slow {
                    factor: factor
                        .parse()
                        .map_err(|_| format!("{text:?}: expected slow:FACTOR"))?,
                    extra_ms: 0,
                },
            },
            FaultKind::StallApply => Fault::StallApply {
                ms: argument
                    .and_then(|ms| ms.parse().ok())
                    .ok_or_else(|| format!("{text:?}: expected stall_apply:MILLISECONDS"))?,
            },
            FaultKind::Reboot => Fault::Reboot {
                down_ms: match argument {
                    None => None,
                    Some(ms) => Some(
                        ms.parse()
                            .map_err(|_| format!("{text:?}: expected reboot:MILLISECONDS"))?,
                    ),
                },
            },
            FaultKind::AdministrativeState => {
                let state = match argument.unwrap_or("") {
                    "Enabled" => AdministrativeState::Enabled,
                    "Disabled" => AdministrativeState::Disabled,
                    "UnderMaintenance" => AdministrativeState::UnderMaintenance,
                    "RMA" => AdministrativeState::RMA,
                    other => {
                        return Err(format!(
                            "{other:?} is not an administrative state (Enabled, Disabled, UnderMaintenance, RMA)"
                        ));
                    }
                };
                Fault::AdministrativeState { state }
            }
        })
    }
}

/// The name of a fault, used to clear it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// [`Fault::Unreachable`].
    Unreachable,
    /// [`Fault::Slow`].
    Slow,
    /// [`Fault::Drifted`].
    Drifted,
    /// [`Fault::ApplyFails`].
    ApplyFails,
    /// [`Fault::RejectsYaml`].
    RejectsYaml,
    /// [`Fault::DropAfterApply`].
    DropAfterApply,
    /// [`Fault::PasswordNotApplied`].
    PasswordNotApplied,
    /// [`Fault::PasswordNotAppliedFor`].
    PasswordNotAppliedFor,
    /// [`Fault::RollbackFails`].
    RollbackFails,
    /// [`Fault::ChangeBetweenDiffAndApply`].
    ChangeBetweenDiffAndApply,
    /// [`Fault::AdministrativeState`]; clearing it sets the state back to `Enabled`.
    AdministrativeState,
    /// [`Fault::StallApply`].
    StallApply,
    /// [`Fault::Reboot`].
    Reboot,
}

/// Every fault kind, in documentation order.
pub const ALL_FAULT_KINDS: [FaultKind; 13] = [
    FaultKind::Unreachable,
    FaultKind::Slow,
    FaultKind::Drifted,
    FaultKind::ApplyFails,
    FaultKind::RejectsYaml,
    FaultKind::DropAfterApply,
    FaultKind::PasswordNotApplied,
    FaultKind::PasswordNotAppliedFor,
    FaultKind::RollbackFails,
    FaultKind::ChangeBetweenDiffAndApply,
    FaultKind::AdministrativeState,
    FaultKind::StallApply,
    FaultKind::Reboot,
];

impl FaultKind {
    /// The kind's name, as the command line, the control interface and JSON spell it
    /// (`snake_case`).
    pub fn as_str(self) -> &'static str {
        match self {
            FaultKind::Unreachable => "unreachable",
            FaultKind::Slow => "slow",
            FaultKind::Drifted => "drifted",
            FaultKind::ApplyFails => "apply_fails",
            FaultKind::RejectsYaml => "rejects_yaml",
            FaultKind::DropAfterApply => "drop_after_apply",
            FaultKind::PasswordNotApplied => "password_not_applied",
            FaultKind::PasswordNotAppliedFor => "password_not_applied_for",
            FaultKind::RollbackFails => "rollback_fails",
            FaultKind::ChangeBetweenDiffAndApply => "change_between_diff_and_apply",
            FaultKind::AdministrativeState => "administrative_state",
            FaultKind::StallApply => "stall_apply",
            FaultKind::Reboot => "reboot",
        }
    }

    /// The kind named `name` (as [`FaultKind::as_str`] spells it); the error lists the known names.
    pub fn parse(name: &str) -> Result<FaultKind, String> {
        ALL_FAULT_KINDS
            .into_iter()
            .find(|kind| kind.as_str() == name)
            .ok_or_else(|| {
                format!(
                    "unknown fault {name:?}; known faults: {}",
                    ALL_FAULT_KINDS.map(FaultKind::as_str).join(", ")
                )
            })
    }
}

impl fmt::Display for FaultKind {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

/// The faults active on one device.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ActiveFaults {
    /// [`Fault::Unreachable`] is active.
    pub unreachable: bool,
    /// [`Fault::Slow`] is active, with its factor and extra milliseconds.
    pub slow: Option<(f64, u64)>,
    /// [`Fault::Drifted`] is active.
    pub drifted: bool,
    /// [`Fault::ApplyFails`] is active.
    pub apply_fails: bool,
    /// [`Fault::RejectsYaml`] is active.
    pub rejects_yaml: bool,
    /// [`Fault::DropAfterApply`] is armed for the next apply.
    pub drop_after_apply: bool,
    /// [`Fault::PasswordNotApplied`] is armed for the next apply.
    pub password_not_applied: bool,
    /// [`Fault::PasswordNotAppliedFor`] is armed for the next apply, for this user.
    pub password_not_applied_for: Option<String>,
    /// [`Fault::RollbackFails`] is active.
    pub rollback_fails: bool,
    /// [`Fault::ChangeBetweenDiffAndApply`] is armed for the next diff.
    pub change_between_diff_and_apply: bool,
    /// The administrative state the exported inventory gives the device (`Enabled` unless a fault
    /// set another).
    pub administrative_state: AdministrativeState,
    /// Milliseconds an apply's answer is held back.
    pub stall_apply: Option<u64>,
}

impl ActiveFaults {
    /// The active faults as a list (administrative state only when it is not `Enabled`).
    pub fn list(&self) -> Vec<Fault> {
        let mut faults = Vec::new();
        if self.unreachable {
            faults.push(Fault::Unreachable);
        }
        if let Some((factor, extra_ms)) = self.slow {
            faults.push(Fault::Slow { factor, extra_ms });
        }
        let flags = [
            (self.drifted, Fault::Drifted),
            (self.apply_fails, Fault::ApplyFails),
            (self.rejects_yaml, Fault::RejectsYaml),
            (self.drop_after_apply, Fault::DropAfterApply),
            (self.password_not_applied, Fault::PasswordNotApplied),
            (self.rollback_fails, Fault::RollbackFails),
            (
                self.change_between_diff_and_apply,
                Fault::ChangeBetweenDiffAndApply,
            ),
        ];
        faults.extend(
            flags
                .into_iter()
                .filter(|(active, _)| *active)
                .map(|(_, fault)| fault),
        );
        if self.administrative_state != AdministrativeState::Enabled {
            faults.push(Fault::AdministrativeState {
                state: self.administrative_state,
            });
        }
        if let Some(ms) = self.stall_apply {
            faults.push(Fault::StallApply { ms });
        }
        if let Some(user) = &self.password_not_applied_for {
            faults.push(Fault::PasswordNotAppliedFor { user: user.clone() });
        }
        faults
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_per_user_password_fault_and_a_failing_rollback_parse() {
        assert_eq!(
            Fault::parse("password_not_applied_for:breakglass").unwrap(),
            Fault::PasswordNotAppliedFor {
                user: "breakglass".into()
            }
        );
        assert!(Fault::parse("password_not_applied_for").is_err());
        assert_eq!(
            Fault::parse("rollback_fails").unwrap(),
            Fault::RollbackFails
        );
        let json = serde_json::to_string(&Fault::RollbackFails).unwrap();
        assert_eq!(json, r#"{"kind":"rollback_fails"}"#);
    }

    #[test]
    fn faults_round_trip_through_json_and_names() {
        let slow: Fault = serde_json::from_str(r#"{"kind":"slow","factor":2.5}"#).unwrap();
        assert_eq!(
            slow,
            Fault::Slow {
                factor: 2.5,
                extra_ms: 0
            }
        );
        let state: Fault =
            serde_json::from_str(r#"{"kind":"administrative_state","state":"RMA"}"#).unwrap();
        assert_eq!(state.kind(), FaultKind::AdministrativeState);
        assert_eq!(
            Fault::parse("slow:+250").unwrap(),
            Fault::Slow {
                factor: 1.0,
                extra_ms: 250
            }
        );
        assert_eq!(
            Fault::parse("change_between_diff_and_apply").unwrap(),
            Fault::ChangeBetweenDiffAndApply
        );
        assert!(Fault::parse("gremlins").is_err());
        assert_eq!(
            Fault::parse("stall_apply:2500").unwrap(),
            Fault::StallApply { ms: 2500 }
        );
        assert!(Fault::parse("stall_apply").is_err());
        assert_eq!(
            Fault::parse("reboot").unwrap(),
            Fault::Reboot { down_ms: None }
        );
        let reboot: Fault = serde_json::from_str(r#"{"kind":"reboot","downMs":50}"#).unwrap();
        assert_eq!(reboot, Fault::Reboot { down_ms: Some(50) });
        for kind in ALL_FAULT_KINDS {
            assert_eq!(FaultKind::parse(kind.as_str()).unwrap(), kind);
        }
    }
}
