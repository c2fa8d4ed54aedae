//! Describing a simulated fabric (how many devices, which platforms, profiles and roles, the
//! seed, the initial users and their password hashes) and turning that into device ids, each
//! device's profile and the NVUE configuration each device starts with.

use std::collections::BTreeMap;

use rotor_inventory::Role;
use serde::{Deserialize, Serialize};
use serde_yaml::{Mapping, Value};

use crate::config_tree::{Children, Node, NvueConfig};
use crate::platform::{Platform, looks_like_password_hash};
use crate::profile::{Profile, ProfileMix};

/// Initial users per platform: platform -> username -> user.
pub type UsersByPlatform = BTreeMap<Platform, BTreeMap<String, InitialUser>>;

/// A fabric to create.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FabricSpec {
    /// The fabric's id, as in an inventory.
    pub fabric_id: String,
    /// How many devices.
    pub devices: usize,
    /// Relative weights of the platforms; the counts are rounded to add up to `devices`.
    #[serde(default)]
    pub platform_mix: PlatformMix,
    /// A role per device (Cumulus devices first, then NVOS), or `None` for the default layout:
    /// a few spines and two borders, the rest leaves; NVOS devices are leaves.
    #[serde(default)]
    pub roles: Option<Vec<Role>>,
    /// Host keys are derived from (seed, device id).
    #[serde(default = "default_seed")]
    pub seed: String,
    /// The users every device starts with, with their password hashes. The platform's default
    /// users (`cumulus`; `admin` and `monitor`) are always created, with the hash given here.
    #[serde(default)]
    pub initial_users: UsersByPlatform,
    /// Prefix of every device id; `<fabric id>-` when not given.
    #[serde(default)]
    pub device_id_prefix: Option<String>,
    /// Relative weights of profiles (`{"cumulus-5.16": 10, "nvos-25.02": 4}`); when given, it
    /// decides the platforms too and `platform_mix` is ignored. Without it, Cumulus devices cycle
    /// through [`crate::profile::DEFAULT_CUMULUS_CYCLE`] and NVOS devices are `nvos-25.02`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile_mix: Option<ProfileMix>,
    /// A profile per device, in the order the devices are created (Cumulus first, then NVOS,
    /// whatever order is given here); overrides both mixes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profiles: Option<Vec<Profile>>,
    /// Give every device an RSA host key too (offered as `rsa-sha2-512`/`rsa-sha2-256`). RSA
    /// keys take tens of milliseconds each to generate, so this is off by default.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub rsa_host_keys: bool,
}

fn default_seed() -> String {
    "rotor".to_string()
}

impl FabricSpec {
    /// A fabric of `devices` Cumulus devices with no initial users yet.
    pub fn new(fabric_id: impl Into<String>, devices: usize) -> FabricSpec {
        FabricSpec {
            fabric_id: fabric_id.into(),
            devices,
            platform_mix: PlatformMix::default(),
            roles: None,
            seed: default_seed(),
            initial_users: BTreeMap::new(),
            device_id_prefix: None,
            profile_mix: None,
            profiles: None,
            rsa_host_keys: false,
        }
    }

    /// Adds (or replaces) an initial user of a platform.
    pub fn with_user(
        mut self,
        platform: Platform,
        username: impl Into<String>,
        hashed_password: impl Into<String>,
    ) -> FabricSpec {
        self.initial_users
            .entry(platform)
            .or_default()
            .insert(username.into(), InitialUser::new(hashed_password));
        self
    }

    /// Sets the relative weights of Cumulus and NVOS devices.
    pub fn with_platform_mix(mut self, cumulus: u32, nvos: u32) -> FabricSpec {
        self.platform_mix = PlatformMix { cumulus, nvos };
        self
    }

    /// Sets the seed the host keys are derived from (same seed and device id, same key).
    pub fn with_seed(mut self, seed: impl Into<String>) -> FabricSpec {
        self.seed = seed.into();
        self
    }

    /// Sets the prefix of every device id (instead of `<fabric id>-`).
    pub fn with_device_id_prefix(mut self, prefix: impl Into<String>) -> FabricSpec {
        self.device_id_prefix = Some(prefix.into());
        self
    }

    /// Sets the profile mix (see [`FabricSpec::profile_mix`]).
    pub fn with_profile_mix(mut self, mix: ProfileMix) -> FabricSpec {
        self.profile_mix = Some(mix);
        self
    }

    /// Gives the devices these profiles, one each (the device count becomes their number).
    pub fn with_profiles(mut self, profiles: Vec<Profile>) -> FabricSpec {
        self.devices = profiles.len();
        self.profiles = Some(profiles);
        self
    }

    /// Gives every device an RSA host key as well.
    pub fn with_rsa_host_keys(mut self) -> FabricSpec {
        self.rsa_host_keys = true;
        self
    }

    /// Each device's profile, in creation order: Cumulus devices first, then NVOS.
    pub fn device_profiles(&self) -> Result<Vec<Profile>, String> {
        if let Some(profiles) = &self.profiles {
            if profiles.len() != self.devices {
                return Err(format!(
                    "profiles lists {} profiles for {} devices",
                    profiles.len(),
                    self.devices
                ));
            }
            let mut ordered = profiles.clone();
            ordered.sort_by_key(|profile| profile.platform() == Platform::Nvos);
            return Ok(ordered);
        }
        let counts: Vec<(Profile, usize)> = match &self.profile_mix {
            Some(mix) => mix.counts(self.devices),
            None => {
                let (cumulus, nvos) = self.platform_mix.counts(self.devices);
                let cycle =
                    (0..cumulus).map(|index| Profile::default_for(Platform::Cumulus, index));
                let nvos = (0..nvos).map(|index| Profile::default_for(Platform::Nvos, index));
                return Ok(cycle.chain(nvos).collect());
            }
        };
        let mut ordered = Vec::with_capacity(self.devices);
        for platform in [Platform::Cumulus, Platform::Nvos] {
            let quotas: Vec<(Profile, usize)> = counts
                .iter()
                .copied()
                .filter(|(profile, count)| profile.platform() == platform && *count > 0)
                .collect();
            ordered.extend(spread(&quotas));
        }
        Ok(ordered)
    }

    /// (Cumulus devices, NVOS devices) this specification creates.
    pub fn platform_counts(&self) -> (usize, usize) {
        match (&self.profiles, &self.profile_mix) {
            (Some(profiles), _) => {
                let nvos = profiles
                    .iter()
                    .filter(|profile| profile.platform() == Platform::Nvos)
                    .count();
                (profiles.len() - nvos, nvos)
            }
            (None, Some(mix)) => mix.platform_counts(self.devices),
            (None, None) => self.platform_mix.counts(self.devices),
        }
    }
}

/// Interleaves profiles by their counts (smooth weighted round robin), so a mix of 10 and 3
/// spreads the 3 among the 10 instead of putting them last. Deterministic.
fn spread(quotas: &[(Profile, usize)]) -> Vec<Profile> {
    let total: usize = quotas.iter().map(|(_, count)| count).sum();
    let mut given = vec![0usize; quotas.len()];
    let mut out = Vec::with_capacity(total);
    for _ in 0..total {
        // The profile furthest behind its share at this position: given/count smallest.
        let chosen = (0..quotas.len())
            .filter(|index| given[*index] < quotas[*index].1)
            .min_by(|a, b| {
                let left = given[*a] * quotas[*b].1;
                let right = given[*b] * quotas[*a].1;
                left.cmp(&right).then(a.cmp(b))
            })
            .unwrap_or(0);
        given[chosen] += 1;
        out.push(quotas[chosen].0);
    }
    out
}

/// Relative weights of the platforms in a fabric.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PlatformMix {
    /// The weight of Cumulus Linux devices (default 1).
    pub cumulus: u32,
    /// The weight of NVOS devices (default 0).
    pub nvos: u32,
}

impl Default for PlatformMix {
    fn default() -> Self {
        PlatformMix {
            cumulus: 1,
            nvos: 0,
        }
    }
}

impl PlatformMix {
    /// Parses `cumulus=20,nvos=4`.
    pub fn parse(text: &str) -> Result<PlatformMix, String> {
        let mut mix = PlatformMix {
            cumulus: 0,
            nvos: 0,
        };
        for part in text.split(',').filter(|part| !part.trim().is_empty()) {
            let (name, weight) = part
                .split_once('=')
                .ok_or_else(|| format!("{part:?}: expected PLATFORM=WEIGHT"))?;
            let weight: u32 = weight
                .trim()
                .parse()
                .map_err(|_| format!("{part:?}: the weight must be a whole number"))?;
            match Platform::parse(name) {
                Some(Platform::Cumulus) => mix.cumulus = weight,
                Some(Platform::Nvos) => mix.nvos = weight,
                None => return Err(format!("{name:?} is not a platform (cumulus, nvos)")),
            }
        }
        if mix.cumulus + mix.nvos == 0 {
            return Err("the platform mix needs a weight above 0".into());
        }
        Ok(mix)
    }

    /// (Cumulus devices, NVOS devices) for a fabric of `devices`.
    pub fn counts(&self, devices: usize) -> (usize, usize) {
        let total = u64::from(self.cumulus) + u64::from(self.nvos);
        if total == 0 {
            return (devices, 0);
        }
        let nvos = ((devices as u64 * u64::from(self.nvos) + total / 2) / total) as usize;
        let nvos = nvos.min(devices);
        (devices - nvos, nvos)
    }
}

/// A user a device starts with. In JSON or YAML either just the hash (`"$6$..."`) or
/// `{hashedPassword, role, fullName}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", from = "InitialUserForm")]
pub struct InitialUser {
    /// The user's `$6$` password hash, as NVUE stores it.
    pub hashed_password: String,
    /// The user's NVUE role; one the platform knows. Default: the platform's default user's role,
    /// or `system-admin` for other users.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// The user's full name, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full_name: Option<String>,
}

impl InitialUser {
    /// A user with this hash and the default role and full name.
    pub fn new(hashed_password: impl Into<String>) -> InitialUser {
        InitialUser {
            hashed_password: hashed_password.into(),
            role: None,
            full_name: None,
        }
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum InitialUserForm {
    Hash(String),
    #[serde(rename_all = "camelCase")]
    Full {
        hashed_password: String,
        #[serde(default)]
        role: Option<String>,
        #[serde(default)]
        full_name: Option<String>,
    },
}

impl From<InitialUserForm> for InitialUser {
    fn from(form: InitialUserForm) -> Self {
        match form {
            InitialUserForm::Hash(hashed_password) => InitialUser::new(hashed_password),
            InitialUserForm::Full {
                hashed_password,
                role,
                full_name,
            } => InitialUser {
                hashed_password,
                role,
                full_name,
            },
        }
    }
}

/// Parses a users file (YAML or JSON): platform -> username -> hash or
/// `{hashedPassword, role, fullName}`.
pub fn parse_users_file(text: &str) -> Result<UsersByPlatform, String> {
    let users: UsersByPlatform = serde_yaml::from_str(text).map_err(|error| error.to_string())?;
    check_users(&users)?;
    Ok(users)
}

/// Checks user names, roles and that every password is a hash, never a plaintext.
pub fn check_users(users: &UsersByPlatform) -> Result<(), String> {
    for (platform, platform_users) in users {
        for (username, user) in platform_users {
            rotor_inventory::check_username(username)
                .map_err(|problem| format!("{platform} user: {problem}"))?;
            if !looks_like_password_hash(&user.hashed_password) {
                return Err(format!(
                    "{platform} user {username:?}: the password must be a crypt(3) hash such as $6$...; the simulator never takes plaintext passwords"
                ));
            }
            if let Some(role) = &user.role
                && !platform
                    .user_roles()
                    .contains(&platform.canonical_role(role).as_str())
            {
                return Err(format!(
                    "{platform} user {username:?}: role {role:?} is not one of {:?}",
                    platform.user_roles()
                ));
            }
        }
    }
    Ok(())
}

/// One device to create.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DevicePlan {
    /// The device's id, `<prefix><role>-<number>` (e.g. `fab1-leaf-07`; NVOS devices are
    /// `<prefix>nvos-<number>`), numbered per role from 1.
    pub id: String,
    /// The platform the device runs.
    pub platform: Platform,
    /// The release the device stands for.
    pub profile: Profile,
    /// The device's role in the fabric.
    pub role: Role,
    /// Position in the fabric, from 0.
    pub index: usize,
}

fn role_slug(role: Role) -> &'static str {
    match role {
        Role::Spine => "spine",
        Role::Leaf => "leaf",
        Role::Border => "border",
        Role::CE => "ce",
        Role::ToR => "tor",
        Role::NPB => "npb",
        Role::TS => "ts",
        Role::Management => "mgmt",
    }
}

/// The devices of a fabric: ids, platforms and roles.
pub fn plan_devices(spec: &FabricSpec) -> Result<Vec<DevicePlan>, String> {
    rotor_inventory::check_name(&spec.fabric_id)
        .map_err(|problem| format!("fabricId {problem}"))?;
    if spec.devices == 0 {
        return Err("a fabric needs at least one device".into());
    }
    if let Some(roles) = &spec.roles
        && roles.len() != spec.devices
    {
        return Err(format!(
            "roles lists {} roles for {} devices",
            roles.len(),
            spec.devices
        ));
    }
    let profiles = spec.device_profiles()?;
    let (cumulus, _) = spec.platform_counts();
    let spines = if cumulus >= 4 {
        (cumulus / 12).max(2)
    } else {
        0
    };
    let borders = if cumulus >= 8 { 2 } else { 0 };
    let mut assigned: Vec<(Profile, Role, &'static str)> = Vec::with_capacity(spec.devices);
    for (index, profile) in profiles.into_iter().enumerate() {
        let platform = profile.platform();
        let role = match &spec.roles {
            Some(roles) => roles[index],
            None if platform == Platform::Nvos => Role::Leaf,
            None if index < spines => Role::Spine,
            None if index < spines + borders => Role::Border,
            None => Role::Leaf,
        };
        let slug = if platform == Platform::Nvos {
            "nvos"
        } else {
            role_slug(role)
        };
        assigned.push((profile, role, slug));
    }
    let mut totals: BTreeMap<&str, usize> = BTreeMap::new();
    for (_, _, slug) in &assigned {
        *totals.entry(slug).or_default() += 1;
    }
    let prefix = spec
        .device_id_prefix
        .clone()
        .unwrap_or_else(|| format!("{}-", spec.fabric_id));
    let mut numbers: BTreeMap<&str, usize> = BTreeMap::new();
    let mut plans = Vec::with_capacity(spec.devices);
    for (index, (profile, role, slug)) in assigned.into_iter().enumerate() {
        let number = numbers.entry(slug).or_default();
        *number += 1;
        let width = totals[slug].to_string().len().max(2);
        let id = format!("{prefix}{slug}-{number:0width$}");
        rotor_inventory::check_name(&id).map_err(|problem| format!("device id {problem}"))?;
        plans.push(DevicePlan {
            id,
            platform: profile.platform(),
            profile,
            role,
            index,
        });
    }
    Ok(plans)
}

fn map(entries: Vec<(&str, Node)>) -> Node {
    Node::Branch(
        entries
            .into_iter()
            .map(|(key, node)| (key.to_string(), node))
            .collect(),
    )
}

fn text(value: impl Into<String>) -> Node {
    Node::Leaf(Value::String(value.into()))
}

fn empty() -> Node {
    Node::default()
}

/// The configuration a device starts with.
pub fn initial_config(plan: &DevicePlan, users: &UsersByPlatform) -> NvueConfig {
    let platform = plan.platform;
    let mut header = Mapping::new();
    header.insert("model".into(), platform.model().into());
    header.insert("nvue-api-version".into(), "nvue_v1".into());
    header.insert(
        "rev-id".into(),
        Value::Number(serde_yaml::Number::from(1.0)),
    );
    header.insert("version".into(), plan.profile.version().into());

    let user_nodes = initial_users(platform, users.get(&platform));
    let hostname = plan.id.replace('_', "-");
    let system = map(vec![
        ("hostname", text(hostname)),
        ("aaa", map(vec![("user", Node::Branch(user_nodes))])),
        ("timezone", text("Etc/UTC")),
    ]);
    let root = match platform {
        Platform::Cumulus => cumulus_root(plan, system),
        Platform::Nvos => nvos_root(system),
    };
    NvueConfig::new(Value::Mapping(header), root)
}

/// The platform's default users with the hashes (and any role or full name) given for them,
/// then the other users given.
fn initial_users(platform: Platform, given: Option<&BTreeMap<String, InitialUser>>) -> Children {
    let mut user_nodes = Children::new();
    for (username, role, full_name) in platform.default_users() {
        let mut fields = vec![("role", text(*role)), ("full-name", text(*full_name))];
        if let Some(user) = given.and_then(|given| given.get(*username)) {
            fields.push((platform.password_key(), text(user.hashed_password.clone())));
            if let Some(role) = &user.role {
                fields[0] = ("role", text(platform.canonical_role(role)));
            }
            if let Some(full_name) = &user.full_name {
                fields[1] = ("full-name", text(full_name.clone()));
            }
        }
        user_nodes.insert(username.to_string(), map(fields));
    }
    for (username, user) in given.into_iter().flatten() {
        if user_nodes.contains_key(username) {
            continue;
        }
        let mut fields = vec![
            (
                "role",
                text(user.role.as_deref().map_or_else(
                    || platform.default_role().into(),
                    |role| platform.canonical_role(role),
                )),
            ),
            (platform.password_key(), text(user.hashed_password.clone())),
        ];
        if let Some(full_name) = &user.full_name {
            fields.push(("full-name", text(full_name.clone())));
        }
        user_nodes.insert(username.clone(), map(fields));
    }
    user_nodes
}

/// A Cumulus switch's configuration around its `system` tree: management, loopback and four
/// fabric ports, BGP, NTP and DNS.
fn cumulus_root(plan: &DevicePlan, system: Node) -> Node {
    let loopback = format!(
        "10.255.{}.{}",
        (plan.index / 250) % 250,
        plan.index % 250 + 1
    );
    map(vec![
        ("system", system),
        ("interface", cumulus_interfaces(plan, &loopback)),
        (
            "router",
            map(vec![(
                "bgp",
                map(vec![
                    (
                        "autonomous-system",
                        Node::Leaf(Value::Number((4_200_000_000u64 + plan.index as u64).into())),
                    ),
                    ("router-id", text(loopback.clone())),
                    ("enable", text("on")),
                ]),
            )]),
        ),
        (
            "service",
            map(vec![
                (
                    "ntp",
                    map(vec![(
                        "mgmt",
                        map(vec![(
                            "server",
                            map(vec![("pool.ntp.org", map(vec![("iburst", text("on"))]))]),
                        )]),
                    )]),
                ),
                (
                    "dns",
                    map(vec![(
                        "mgmt",
                        map(vec![("server", map(vec![("192.0.2.53", empty())]))]),
                    )]),
                ),
            ]),
        ),
    ])
}

/// A Cumulus switch's interfaces: `eth0` (management), `lo` and `swp1`-`swp4`.
fn cumulus_interfaces(plan: &DevicePlan, loopback: &str) -> Node {
    let mut interfaces = vec![
        (
            "eth0".to_string(),
            map(vec![
                ("type", text("eth")),
                ("ip", map(vec![("address", map(vec![("dhcp", empty())]))])),
                ("vrf", text("mgmt")),
            ]),
        ),
        (
            "lo".to_string(),
            map(vec![
                ("type", text("loopback")),
                (
                    "ip",
                    map(vec![(
                        "address",
                        Node::Branch([(format!("{loopback}/32"), empty())].into_iter().collect()),
                    )]),
                ),
            ]),
        ),
    ];
    let peer = match plan.role {
        Role::Spine => "leaf",
        _ => "spine",
    };
    for port in 1..=4 {
        interfaces.push((
            format!("swp{port}"),
            map(vec![
                ("type", text("swp")),
                ("description", text(format!("fabric link to {peer} {port}"))),
                ("link", map(vec![("state", text("up"))])),
            ]),
        ));
    }
    Node::Branch(interfaces.into_iter().collect())
}

/// An NVOS switch's configuration around its `system` tree: management, two NVLink ports and
/// NTP.
fn nvos_root(system: Node) -> Node {
    let mut interfaces = vec![(
        "eth0".to_string(),
        map(vec![
            ("type", text("eth")),
            ("ip", map(vec![("address", map(vec![("dhcp", empty())]))])),
        ]),
    )];
    for port in 1..=2 {
        interfaces.push((
            format!("sw1p{port}"),
            map(vec![
                ("type", text("nvl")),
                ("description", text(format!("NVLink port {port}"))),
                ("link", map(vec![("state", text("up"))])),
            ]),
        ));
    }
    map(vec![
        ("system", system),
        ("interface", Node::Branch(interfaces.into_iter().collect())),
        (
            "service",
            map(vec![(
                "ntp",
                map(vec![(
                    "default",
                    map(vec![("server", map(vec![("pool.ntp.org", empty())]))]),
                )]),
            )]),
        ),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platform_mix_parses_and_rounds() {
        let mix = PlatformMix::parse("cumulus=20,nvos=4").unwrap();
        assert_eq!(mix.counts(24), (20, 4));
        assert_eq!(mix.counts(1), (1, 0));
        assert!(PlatformMix::parse("junos=1").is_err());
        assert!(PlatformMix::parse("cumulus=0").is_err());
    }

    #[test]
    fn default_layout_names_devices_by_role() {
        let spec = FabricSpec::new("dc1", 24).with_platform_mix(20, 4);
        let plans = plan_devices(&spec).unwrap();
        assert_eq!(plans.len(), 24);
        assert_eq!(plans[0].id, "dc1-spine-01");
        assert_eq!(plans[0].role, Role::Spine);
        assert_eq!(plans[2].id, "dc1-border-01");
        assert_eq!(plans[4].id, "dc1-leaf-01");
        assert_eq!(plans[20].id, "dc1-nvos-01");
        assert_eq!(plans[20].platform, Platform::Nvos);
        let ids: std::collections::BTreeSet<_> = plans.iter().map(|p| &p.id).collect();
        assert_eq!(ids.len(), 24);
    }

    #[test]
    fn users_accept_a_bare_hash_or_a_full_form_and_refuse_plaintext() {
        let users = parse_users_file(
            "cumulus:\n  cumulus: '$6$salt$hash'\n  breakglass:\n    hashedPassword: '$6$salt$other'\n    role: system-admin\nnvos:\n  admin: '$6$a$b'\n",
        )
        .unwrap();
        assert_eq!(users[&Platform::Cumulus].len(), 2);
        assert!(parse_users_file("cumulus:\n  cumulus: hunter2\n").is_err());
    }

    #[test]
    fn initial_configs_have_users_with_hashes_and_pass_validation() {
        let spec = FabricSpec::new("dc1", 2)
            .with_platform_mix(1, 1)
            .with_user(Platform::Cumulus, "cumulus", "$6$salt$hash")
            .with_user(Platform::Nvos, "admin", "$6$salt$admin");
        let plans = plan_devices(&spec).unwrap();
        let cumulus = initial_config(&plans[0], &spec.initial_users);
        assert_eq!(
            cumulus
                .root
                .leaf_text(&["system", "aaa", "user", "cumulus", "hashed-password"])
                .as_deref(),
            Some("$6$salt$hash")
        );
        let nvos = initial_config(&plans[1], &spec.initial_users);
        // NVOS keeps a user's stored hash under `hashed-password` (`password` takes plaintext).
        assert_eq!(
            nvos.root
                .leaf_text(&["system", "aaa", "user", "admin", "hashed-password"])
                .as_deref(),
            Some("$6$salt$admin")
        );
        assert!(
            nvos.root
                .get(&["system", "aaa", "user", "monitor"])
                .is_some()
        );
        let text = cumulus.to_startup_yaml(false);
        rotor_inventory::check_intended_config(&text).unwrap();
        assert!(text.contains("version: Cumulus Linux 5.16.0"), "{text}");
    }

    #[test]
    fn profiles_come_from_the_default_cycle_a_mix_or_a_list() {
        let default = FabricSpec::new("dc1", 10).with_platform_mix(8, 2);
        let plans = plan_devices(&default).unwrap();
        let profiles: Vec<Profile> = plans.iter().map(|plan| plan.profile).collect();
        assert_eq!(&profiles[..4], &crate::profile::DEFAULT_CUMULUS_CYCLE);
        assert_eq!(profiles[4], Profile::Cumulus5_16);
        assert_eq!(profiles[8], Profile::Nvos25_02);
        assert_eq!(plans[8].id, "dc1-nvos-01");

        let mix = ProfileMix::parse("cumulus-5.8=3,cumulus-5.16=1,nvos-25.02=1").unwrap();
        let plans = plan_devices(&FabricSpec::new("m", 5).with_profile_mix(mix)).unwrap();
        let profiles: Vec<Profile> = plans.iter().map(|plan| plan.profile).collect();
        assert_eq!(
            profiles,
            vec![
                Profile::Cumulus5_8,
                Profile::Cumulus5_16,
                Profile::Cumulus5_8,
                Profile::Cumulus5_8,
                Profile::Nvos25_02
            ]
        );

        let listed = FabricSpec::new("l", 0).with_profiles(vec![
            Profile::Nvos25_02,
            Profile::Cumulus5_9,
            Profile::Cumulus5_15,
        ]);
        let plans = plan_devices(&listed).unwrap();
        assert_eq!(plans[0].profile, Profile::Cumulus5_9);
        assert_eq!(plans[2].platform, Platform::Nvos);
        assert_eq!(
            plan_devices(&FabricSpec {
                devices: 4,
                ..listed
            })
            .unwrap_err(),
            "profiles lists 3 profiles for 4 devices"
        );
    }
}
