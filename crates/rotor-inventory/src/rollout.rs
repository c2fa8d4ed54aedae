//! A fabric's rollout policy (the inventory's `fabric.rollout` section, overridable per request)
//! and the release plan it makes of an operation's devices: a canary, then waves by role, each
//! with the most failures it may have before the operation halts.
//!
//! Without a policy an operation is one wave of every device, with no failure limit (released
//! within the fabric's concurrency window). With one:
//! - the **canary** is `default` (one device of each platform and role present, the first in
//!   inventory order), a count (`2`), a percentage (`"5%"`), named devices (`[leaf-01]`) or
//!   `none`; it may fail `maxCanaryFailures` devices (default 0: it must fully succeed);
//! - the other devices form waves **by role** in `roleOrder` (default leaves and top-of-rack
//!   first, spines after, the terminal server last; roles not listed follow in the default
//!   order), each role cut into waves of `waveSize` (a count or a percentage of the operation's
//!   devices; default the whole role), each wave allowed `maxWaveFailures` failures (default no
//!   limit), the operation `maxFailures` in all (default no limit);
//! - `pauseSecs` between waves, and `concurrency`, the most devices of the fabric in flight (the
//!   orchestrator's `ROTOR_FABRIC_CONCURRENCY` when absent).

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{Device, Platform, Role};

/// A part of a set of devices: a count (`3`) or a percentage (`"10%"`, rounded up).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "ShareForm", into = "ShareForm")]
pub enum Share {
    /// This many devices.
    Count(u32),
    /// This percentage (0 to 100) of the devices, rounded up.
    Percent(u32),
}

#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum ShareForm {
    Count(u32),
    Text(String),
}

impl TryFrom<ShareForm> for Share {
    type Error = String;
    fn try_from(form: ShareForm) -> Result<Share, String> {
        match form {
            ShareForm::Count(count) => Ok(Share::Count(count)),
            ShareForm::Text(text) => Share::parse(&text),
        }
    }
}

impl From<Share> for ShareForm {
    fn from(share: Share) -> ShareForm {
        match share {
            Share::Count(count) => ShareForm::Count(count),
            Share::Percent(_) => ShareForm::Text(share.to_string()),
        }
    }
}

impl Share {
    /// Reads `N` or `P%` (P from 0 to 100).
    pub fn parse(text: &str) -> Result<Share, String> {
        let text = text.trim();
        let bad =
            || format!("{text:?} is neither a count (like 3) nor a percentage (like \"10%\")");
        match text.strip_suffix('%') {
            Some(percent) => {
                let percent: u32 = percent.trim().parse().map_err(|_| bad())?;
                if percent > 100 {
                    return Err(format!("{text:?} is more than 100%"));
                }
                Ok(Share::Percent(percent))
            }
            None => text.parse().map(Share::Count).map_err(|_| bad()),
        }
    }

    /// How many of `total` devices this is (a percentage rounded up, never more than `total`).
    pub fn of(self, total: usize) -> usize {
        match self {
            Share::Count(count) => (count as usize).min(total),
            Share::Percent(percent) => (total * percent as usize).div_ceil(100),
        }
    }
}

impl fmt::Display for Share {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Share::Count(count) => write!(f, "{count}"),
            Share::Percent(percent) => write!(f, "{percent}%"),
        }
    }
}

/// Which devices go first, alone.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "CanaryForm", into = "CanaryForm")]
pub enum Canary {
    /// One device of each (platform, role) present: the first in inventory order.
    #[default]
    Default,
    /// No canary: the waves start at once.
    None,
    /// A count or percentage of the operation's devices, spread over platforms and roles.
    Share(Share),
    /// These devices (those the operation covers).
    Devices(Vec<String>),
}

#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum CanaryForm {
    Count(u32),
    Text(String),
    Devices(Vec<String>),
}

impl TryFrom<CanaryForm> for Canary {
    type Error = String;
    fn try_from(form: CanaryForm) -> Result<Canary, String> {
        match form {
            CanaryForm::Count(count) => Ok(Canary::Share(Share::Count(count))),
            CanaryForm::Text(text) => Canary::parse(&text),
            CanaryForm::Devices(devices) => Ok(Canary::Devices(devices)),
        }
    }
}

impl From<Canary> for CanaryForm {
    fn from(canary: Canary) -> CanaryForm {
        match canary {
            Canary::Default => CanaryForm::Text("default".into()),
            Canary::None => CanaryForm::Text("none".into()),
            Canary::Share(Share::Count(count)) => CanaryForm::Count(count),
            Canary::Share(share) => CanaryForm::Text(share.to_string()),
            Canary::Devices(devices) => CanaryForm::Devices(devices),
        }
    }
}

impl Canary {
    /// Reads `default`, `none`, `N` or `P%`.
    pub fn parse(text: &str) -> Result<Canary, String> {
        match text.trim() {
            "default" => Ok(Canary::Default),
            "none" => Ok(Canary::None),
            other => Share::parse(other)
                .map(Canary::Share)
                .map_err(|e| format!("{e}, nor default, none or a list of device ids")),
        }
    }
}

/// A fabric's rollout policy: the inventory's `fabric.rollout` section.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Rollout {
    /// The devices that go first, alone.
    #[serde(default)]
    pub canary: Canary,
    /// The size of each wave after the canary; absent: one wave per role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wave_size: Option<Share>,
    /// The order roles are rotated in; roles left out follow in [`DEFAULT_ROLE_ORDER`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub role_order: Vec<Role>,
    /// Seconds to wait between the end of a wave and the start of the next.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub pause_secs: u32,
    /// The most canary devices that may fail (default 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_canary_failures: Option<Share>,
    /// The most devices of one wave that may fail (default no limit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_wave_failures: Option<Share>,
    /// The most devices of the operation that may fail (default no limit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_failures: Option<Share>,
    /// The most devices of the fabric in flight at once (default `ROTOR_FABRIC_CONCURRENCY`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub concurrency: Option<u32>,
}

fn is_zero(value: &u32) -> bool {
    *value == 0
}

/// The order roles are rotated in by default: the edge first, the core after, the terminal
/// server (the way in when something breaks) last.
pub const DEFAULT_ROLE_ORDER: [Role; 8] = [
    Role::Leaf,
    Role::ToR,
    Role::CE,
    Role::NPB,
    Role::Border,
    Role::Spine,
    Role::Management,
    Role::TS,
];

/// A role by its inventory name (`Leaf`, `Spine`, ...).
pub fn parse_role(name: &str) -> Option<Role> {
    DEFAULT_ROLE_ORDER
        .into_iter()
        .find(|role| format!("{role:?}") == name)
}

impl Rollout {
    /// Checks what the YAML structure does not: named canary devices exist and are unique, roles
    /// are listed once, the concurrency is at least 1. The error is (field, problem).
    pub fn validate(&self, devices: &[Device]) -> Result<(), (String, String)> {
        if let Canary::Devices(names) = &self.canary {
            let mut seen = BTreeSet::new();
            for name in names {
                if !devices.iter().any(|d| &d.id == name) {
                    return Err((
                        "fabric.rollout.canary".into(),
                        format!("{name} is not a device of this fabric"),
                    ));
                }
                if !seen.insert(name) {
                    return Err((
                        "fabric.rollout.canary".into(),
                        format!("{name} is listed twice"),
                    ));
                }
            }
        }
        let mut roles = BTreeSet::new();
        for role in &self.role_order {
            if !roles.insert(role) {
                return Err((
                    "fabric.rollout.roleOrder".into(),
                    format!("{role:?} is listed twice"),
                ));
            }
        }
        if self.concurrency == Some(0) {
            return Err((
                "fabric.rollout.concurrency".into(),
                "must be at least 1".into(),
            ));
        }
        Ok(())
    }

    /// The roles in rotation order: `roleOrder`, then the others in the default order.
    pub fn role_order(&self) -> Vec<Role> {
        let mut order = self.role_order.clone();
        for role in DEFAULT_ROLE_ORDER {
            if !order.contains(&role) {
                order.push(role);
            }
        }
        order
    }
}

/// One step of a release plan.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Wave {
    /// How people see it: `canary`, `Leaf 1/3`, `all`.
    pub name: String,
    /// Its devices, in release order.
    pub device_ids: Vec<String>,
    /// The most of them that may fail before the operation halts; `None`: no limit.
    pub max_failures: Option<u32>,
}

/// An operation's devices in release order, cut into waves.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReleasePlan {
    /// The waves, in order; each starts once the previous one ended within its limit.
    pub waves: Vec<Wave>,
    /// The most devices of the operation that may fail; `None`: no limit.
    pub max_failures: Option<u32>,
    /// Seconds between waves.
    pub pause_secs: u32,
    /// The most devices in flight; `None`: the orchestrator's default.
    pub concurrency: Option<u32>,
}

/// The release plan of `devices` (the operation's, in inventory order) under `rollout`; without
/// a policy, one wave of every device with no limit.
pub fn release_plan(rollout: Option<&Rollout>, devices: &[&Device]) -> ReleasePlan {
    let Some(rollout) = rollout else {
        return ReleasePlan {
            waves: vec![Wave {
                name: "all".into(),
                device_ids: devices.iter().map(|d| d.id.clone()).collect(),
                max_failures: None,
            }],
            ..Default::default()
        };
    };
    let total = devices.len();
    let canary = canary_of(&rollout.canary, devices);
    let mut waves = Vec::new();
    if !canary.is_empty() {
        let limit = rollout.max_canary_failures.unwrap_or(Share::Count(0));
        waves.push(Wave {
            name: "canary".into(),
            max_failures: Some(limit.of(canary.len()) as u32),
            device_ids: canary.clone(),
        });
    }
    let size = rollout.wave_size.map(|s| s.of(total).max(1));
    for role in rollout.role_order() {
        let group: Vec<String> = devices
            .iter()
            .filter(|d| d.role == role && !canary.contains(&d.id))
            .map(|d| d.id.clone())
            .collect();
        if group.is_empty() {
            continue;
        }
        let chunks: Vec<Vec<String>> = match size {
            Some(size) => group.chunks(size).map(<[String]>::to_vec).collect(),
            None => vec![group],
        };
        let count = chunks.len();
        for (index, chunk) in chunks.into_iter().enumerate() {
            waves.push(Wave {
                name: format!("{role:?} {}/{count}", index + 1),
                max_failures: rollout.max_wave_failures.map(|s| s.of(chunk.len()) as u32),
                device_ids: chunk,
            });
        }
    }
    ReleasePlan {
        waves,
        max_failures: rollout.max_failures.map(|s| s.of(total) as u32),
        pause_secs: rollout.pause_secs,
        concurrency: rollout.concurrency,
    }
}

/// The canary devices, in release order (their order among `devices`).
fn canary_of(canary: &Canary, devices: &[&Device]) -> Vec<String> {
    let picked: BTreeSet<&str> = match canary {
        Canary::None => BTreeSet::new(),
        Canary::Devices(names) => names.iter().map(String::as_str).collect(),
        Canary::Default => {
            let mut seen: BTreeSet<(&Platform, Role)> = BTreeSet::new();
            devices
                .iter()
                .filter(|d| seen.insert((&d.platform, d.role)))
                .map(|d| d.id.as_str())
                .collect()
        }
        Canary::Share(share) => {
            // Spread over (platform, role): the first of each group, then the second, ...
            let wanted = share.of(devices.len());
            let mut groups: Vec<((&Platform, Role), Vec<&str>)> = Vec::new();
            for device in devices {
                let key = (&device.platform, device.role);
                match groups.iter_mut().find(|(k, _)| *k == key) {
                    Some((_, members)) => members.push(&device.id),
                    None => groups.push((key, vec![&device.id])),
                }
            }
            let mut picked = BTreeSet::new();
            let mut round = 0;
            while picked.len() < wanted {
                for (_, members) in &groups {
                    if let Some(id) = members.get(round)
                        && picked.len() < wanted
                    {
                        picked.insert(*id);
                    }
                }
                round += 1;
            }
            picked
        }
    };
    devices
        .iter()
        .filter(|d| picked.contains(d.id.as_str()))
        .map(|d| d.id.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn device(id: &str, role: Role, platform: Platform) -> Device {
        Device {
            id: id.into(),
            role,
            platform,
            address: "10.0.0.1".into(),
            host_key: String::new(),
            host_keys: Vec::new(),
            administrative_state: Default::default(),
            login_user: "cumulus".into(),
            password_mappings: Vec::new(),
            intended_config: String::new(),
        }
    }

    fn fabric() -> Vec<Device> {
        let mut devices = vec![
            device("ts-1", Role::TS, Platform::Cumulus),
            device("spine-1", Role::Spine, Platform::Cumulus),
            device("spine-2", Role::Spine, Platform::Cumulus),
        ];
        for i in 1..=6 {
            devices.push(device(&format!("leaf-{i}"), Role::Leaf, Platform::Cumulus));
        }
        devices.push(device("leaf-nvos", Role::Leaf, Platform::Nvos));
        devices
    }

    #[test]
    fn no_policy_is_one_wave_without_a_limit() {
        let devices = fabric();
        let refs: Vec<&Device> = devices.iter().collect();
        let plan = release_plan(None, &refs);
        assert_eq!(plan.waves.len(), 1);
        assert_eq!(plan.waves[0].device_ids.len(), 10);
        assert_eq!(plan.waves[0].max_failures, None);
        assert_eq!(plan.max_failures, None);
    }

    #[test]
    fn the_default_canary_is_one_of_each_platform_and_role_then_waves_by_role() {
        let devices = fabric();
        let refs: Vec<&Device> = devices.iter().collect();
        let rollout = Rollout {
            wave_size: Some(Share::Count(3)),
            ..Default::default()
        };
        let plan = release_plan(Some(&rollout), &refs);
        let names: Vec<&str> = plan.waves.iter().map(|w| w.name.as_str()).collect();
        assert_eq!(
            names,
            ["canary", "Leaf 1/2", "Leaf 2/2", "Spine 1/1"],
            "{plan:?}"
        );
        assert_eq!(
            plan.waves[0].device_ids,
            ["ts-1", "spine-1", "leaf-1", "leaf-nvos"]
        );
        assert_eq!(plan.waves[0].max_failures, Some(0));
        assert_eq!(plan.waves[1].device_ids, ["leaf-2", "leaf-3", "leaf-4"]);
        assert_eq!(plan.waves[2].device_ids, ["leaf-5", "leaf-6"]);
        assert_eq!(plan.waves[3].device_ids, ["spine-2"]);
        // Every device exactly once.
        let all: BTreeSet<&String> = plan.waves.iter().flat_map(|w| &w.device_ids).collect();
        assert_eq!(all.len(), 10);
    }

    #[test]
    fn the_terminal_server_goes_last_and_limits_are_shares_of_their_wave() {
        let devices = fabric();
        let refs: Vec<&Device> = devices.iter().collect();
        let rollout = Rollout {
            canary: Canary::None,
            role_order: vec![Role::Spine],
            max_wave_failures: Some(Share::Percent(50)),
            max_failures: Some(Share::Percent(10)),
            ..Default::default()
        };
        let plan = release_plan(Some(&rollout), &refs);
        let names: Vec<&str> = plan.waves.iter().map(|w| w.name.as_str()).collect();
        assert_eq!(names, ["Spine 1/1", "Leaf 1/1", "TS 1/1"]);
        assert_eq!(plan.waves[1].max_failures, Some(4));
        assert_eq!(plan.waves[2].max_failures, Some(1));
        assert_eq!(plan.max_failures, Some(1));
    }

    #[test]
    fn a_counted_canary_spreads_over_groups_and_named_ones_are_checked() {
        let devices = fabric();
        let refs: Vec<&Device> = devices.iter().collect();
        let rollout = Rollout {
            canary: Canary::Share(Share::Count(5)),
            ..Default::default()
        };
        let plan = release_plan(Some(&rollout), &refs);
        assert_eq!(
            plan.waves[0].device_ids,
            ["ts-1", "spine-1", "spine-2", "leaf-1", "leaf-nvos"]
        );
        let named = Rollout {
            canary: Canary::Devices(vec!["leaf-9".into()]),
            ..Default::default()
        };
        let (field, problem) = named.validate(&devices).unwrap_err();
        assert_eq!(field, "fabric.rollout.canary");
        assert!(problem.contains("leaf-9"), "{problem}");
    }

    #[test]
    fn shares_and_canaries_read_and_write_their_yaml_forms() {
        assert_eq!(Share::parse("10%"), Ok(Share::Percent(10)));
        assert_eq!(Share::parse("3"), Ok(Share::Count(3)));
        assert!(Share::parse("101%").is_err());
        assert!(Share::parse("many").is_err());
        assert_eq!(Share::Percent(10).of(200), 20);
        assert_eq!(Share::Percent(1).of(5), 1);
        let yaml = "canary: [leaf-1]\nwaveSize: 25%\nmaxFailures: 2\nconcurrency: 10\n";
        let rollout: Rollout = serde_yaml::from_str(yaml).unwrap();
        assert_eq!(rollout.canary, Canary::Devices(vec!["leaf-1".into()]));
        assert_eq!(rollout.wave_size, Some(Share::Percent(25)));
        let again: Rollout =
            serde_yaml::from_str(&serde_yaml::to_string(&rollout).unwrap()).unwrap();
        assert_eq!(again, rollout);
        let none: Rollout = serde_yaml::from_str("canary: none\n").unwrap();
        assert_eq!(none.canary, Canary::None);
        assert!(serde_yaml::from_str::<Rollout>("canary: lots\n").is_err());
        assert!(serde_yaml::from_str::<Rollout>("waves: 3\n").is_err());
    }
}
