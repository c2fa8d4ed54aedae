//! Platform profiles: which NVIDIA release a simulated device stands for (`cumulus-5.8`,
//! `cumulus-5.9`, `cumulus-5.15`, `cumulus-5.16`, `nvos-25.02`), and what follows from it: the
//! platform, the version string, the auto-save command and default, the login restrictions, the
//! host key types and NVOS password hardening. Also the mix of profiles in a fabric.
//!
//! Every behaviour here names its source in `docs/simulator.md` ("What is modelled, per profile").

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::platform::Platform;

/// The release a simulated device stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Profile {
    /// Cumulus Linux 5.4 to 5.8: auto-save off, `auto-save enable on|off`.
    #[serde(rename = "cumulus-5.8")]
    Cumulus5_8,
    /// Cumulus Linux 5.9: auto-save on, `auto-save enable on|off`.
    #[serde(rename = "cumulus-5.9")]
    Cumulus5_9,
    /// Cumulus Linux 5.10 to 5.15: `auto-save state enabled|disabled`, login restrictions.
    #[serde(rename = "cumulus-5.15")]
    Cumulus5_15,
    /// Cumulus Linux 5.16: as 5.15, and ECDSA (or RSA) host keys only.
    #[serde(rename = "cumulus-5.16")]
    Cumulus5_16,
    /// NVOS 25.02: plaintext `password`, `hashed-password`, roles `admin`/`monitor`, auto-save
    /// off, password hardening on, login restrictions.
    #[serde(rename = "nvos-25.02")]
    Nvos25_02,
}

/// Every profile, oldest Cumulus first.
pub const ALL_PROFILES: [Profile; 5] = [
    Profile::Cumulus5_8,
    Profile::Cumulus5_9,
    Profile::Cumulus5_15,
    Profile::Cumulus5_16,
    Profile::Nvos25_02,
];

/// The order Cumulus devices of the default mix cycle through, by their index among the
/// fabric's Cumulus devices: current releases first, then older ones.
pub const DEFAULT_CUMULUS_CYCLE: [Profile; 4] = [
    Profile::Cumulus5_16,
    Profile::Cumulus5_15,
    Profile::Cumulus5_9,
    Profile::Cumulus5_8,
];

/// How a profile spells the auto-save switch under `system config auto-save`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AutoSaveSyntax {
    /// `enable on|off` (Cumulus Linux 5.4 to 5.9).
    EnableOnOff,
    /// `state enabled|disabled` (Cumulus Linux 5.10 and later, NVOS).
    StateEnabledDisabled,
}

impl AutoSaveSyntax {
    /// The field under `system config auto-save`.
    pub fn field(self) -> &'static str {
        match self {
            AutoSaveSyntax::EnableOnOff => "enable",
            AutoSaveSyntax::StateEnabledDisabled => "state",
        }
    }

    /// The values the field takes: (on, off).
    pub fn values(self) -> (&'static str, &'static str) {
        match self {
            AutoSaveSyntax::EnableOnOff => ("on", "off"),
            AutoSaveSyntax::StateEnabledDisabled => ("enabled", "disabled"),
        }
    }
}

/// A type of SSH host key a device can offer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HostKeyType {
    /// `ssh-ed25519`.
    Ed25519,
    /// `ecdsa-sha2-nistp256`.
    EcdsaP256,
    /// An RSA key, offered as `rsa-sha2-512` and `rsa-sha2-256` (never SHA-1 `ssh-rsa`).
    Rsa,
}

impl Profile {
    /// The profile's name: `cumulus-5.16`, `nvos-25.02`, ...
    pub fn name(self) -> &'static str {
        match self {
            Profile::Cumulus5_8 => "cumulus-5.8",
            Profile::Cumulus5_9 => "cumulus-5.9",
            Profile::Cumulus5_15 => "cumulus-5.15",
            Profile::Cumulus5_16 => "cumulus-5.16",
            Profile::Nvos25_02 => "nvos-25.02",
        }
    }

    /// Parses a profile name (`cumulus-5.16`, ...).
    pub fn parse(name: &str) -> Option<Profile> {
        let name = name.trim().to_ascii_lowercase();
        ALL_PROFILES
            .into_iter()
            .find(|profile| profile.name() == name)
    }

    /// The operating system of the release.
    pub fn platform(self) -> Platform {
        match self {
            Profile::Nvos25_02 => Platform::Nvos,
            _ => Platform::Cumulus,
        }
    }

    /// The `version` field of the startup configuration header.
    pub fn version(self) -> &'static str {
        match self {
            Profile::Cumulus5_8 => "Cumulus Linux 5.8.0",
            Profile::Cumulus5_9 => "Cumulus Linux 5.9.0",
            Profile::Cumulus5_15 => "Cumulus Linux 5.15.0",
            Profile::Cumulus5_16 => "Cumulus Linux 5.16.0",
            Profile::Nvos25_02 => "NVOS 25.02",
        }
    }

    /// How `system config auto-save` is spelled (the syntax changed in Cumulus Linux 5.10).
    pub fn auto_save_syntax(self) -> AutoSaveSyntax {
        match self {
            Profile::Cumulus5_8 | Profile::Cumulus5_9 => AutoSaveSyntax::EnableOnOff,
            _ => AutoSaveSyntax::StateEnabledDisabled,
        }
    }

    /// Whether auto-save is on when the configuration does not say.
    pub fn auto_save_default(self) -> bool {
        !matches!(self, Profile::Cumulus5_8 | Profile::Nvos25_02)
    }

    /// Whether `system aaa authentication restrictions` (lock-out attempts, re-attempt time,
    /// fail delay) governs logins; older profiles use the simulator's [`crate::LockoutPolicy`].
    pub fn has_login_restrictions(self) -> bool {
        matches!(
            self,
            Profile::Cumulus5_15 | Profile::Cumulus5_16 | Profile::Nvos25_02
        )
    }

    /// Whether `system security password-hardening` exists, and its default state.
    pub fn password_hardening_default(self) -> Option<bool> {
        (self == Profile::Nvos25_02).then_some(true)
    }

    /// The host key types a device of this profile offers, the first one first; RSA only when
    /// the device was created with an RSA key.
    pub fn host_key_types(self, with_rsa: bool) -> Vec<HostKeyType> {
        let mut types = match self {
            Profile::Cumulus5_16 => vec![HostKeyType::EcdsaP256],
            Profile::Nvos25_02 => vec![HostKeyType::Ed25519],
            _ => vec![HostKeyType::Ed25519, HostKeyType::EcdsaP256],
        };
        if with_rsa {
            types.push(HostKeyType::Rsa);
        }
        types
    }

    /// The profile of a platform's device in the default mix; `index` counts the fabric's
    /// devices of that platform from 0.
    pub fn default_for(platform: Platform, index: usize) -> Profile {
        match platform {
            Platform::Cumulus => DEFAULT_CUMULUS_CYCLE[index % DEFAULT_CUMULUS_CYCLE.len()],
            Platform::Nvos => Profile::Nvos25_02,
        }
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.name())
    }
}

/// Relative weights of profiles in a fabric, e.g. `cumulus-5.16=10,cumulus-5.8=2,nvos-25.02=4`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ProfileMix(pub BTreeMap<Profile, u32>);

impl ProfileMix {
    /// Parses `cumulus-5.16=10,nvos-25.02=4`.
    pub fn parse(text: &str) -> Result<ProfileMix, String> {
        let mut weights = BTreeMap::new();
        for part in text.split(',').filter(|part| !part.trim().is_empty()) {
            let (name, weight) = part
                .split_once('=')
                .ok_or_else(|| format!("{part:?}: expected PROFILE=WEIGHT"))?;
            let weight: u32 = weight
                .trim()
                .parse()
                .map_err(|_| format!("{part:?}: the weight must be a whole number"))?;
            let profile = Profile::parse(name).ok_or_else(|| {
                let names: Vec<&str> = ALL_PROFILES.iter().map(|p| p.name()).collect();
                format!("{name:?} is not a profile ({})", names.join(", "))
            })?;
            weights.insert(profile, weight);
        }
        let mix = ProfileMix(weights);
        if mix.total() == 0 {
            return Err("the profile mix needs a weight above 0".into());
        }
        Ok(mix)
    }

    fn total(&self) -> u64 {
        self.0.values().map(|weight| u64::from(*weight)).sum()
    }

    /// How many devices of each profile a fabric of `devices` gets (largest remainders, so the
    /// counts add up to `devices`), Cumulus profiles first in [`ALL_PROFILES`] order.
    pub fn counts(&self, devices: usize) -> Vec<(Profile, usize)> {
        let total = self.total();
        if total == 0 {
            return Vec::new();
        }
        let mut counts: Vec<(Profile, usize, u64)> = self
            .0
            .iter()
            .map(|(profile, weight)| {
                let exact = devices as u64 * u64::from(*weight);
                (*profile, (exact / total) as usize, exact % total)
            })
            .collect();
        let mut left = devices - counts.iter().map(|(_, count, _)| count).sum::<usize>();
        let mut by_remainder: Vec<usize> = (0..counts.len()).collect();
        by_remainder.sort_by(|a, b| counts[*b].2.cmp(&counts[*a].2).then(a.cmp(b)));
        for index in by_remainder {
            if left == 0 {
                break;
            }
            counts[index].1 += 1;
            left -= 1;
        }
        counts
            .into_iter()
            .map(|(profile, count, _)| (profile, count))
            .collect()
    }

    /// The platform counts this mix gives a fabric of `devices`: (Cumulus, NVOS).
    pub fn platform_counts(&self, devices: usize) -> (usize, usize) {
        let nvos = self
            .counts(devices)
            .iter()
            .filter(|(profile, _)| profile.platform() == Platform::Nvos)
            .map(|(_, count)| count)
            .sum::<usize>();
        (devices - nvos, nvos)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profiles_parse_by_name_and_know_their_platform() {
        for profile in ALL_PROFILES {
            assert_eq!(Profile::parse(profile.name()), Some(profile));
            let json = serde_json::to_string(&profile).unwrap();
            assert_eq!(json, format!("\"{}\"", profile.name()));
        }
        assert_eq!(Profile::parse("cumulus-4.4"), None);
        assert_eq!(Profile::Nvos25_02.platform(), Platform::Nvos);
        assert_eq!(Profile::Cumulus5_16.version(), "Cumulus Linux 5.16.0");
        assert!(!Profile::Cumulus5_8.auto_save_default());
        assert!(Profile::Cumulus5_9.auto_save_default());
        assert_eq!(
            Profile::Cumulus5_15.auto_save_syntax(),
            AutoSaveSyntax::StateEnabledDisabled
        );
        assert_eq!(
            Profile::Cumulus5_16.host_key_types(false),
            vec![HostKeyType::EcdsaP256]
        );
    }

    #[test]
    fn the_default_mix_cycles_through_current_and_older_cumulus_releases() {
        let first: Vec<Profile> = (0..4)
            .map(|index| Profile::default_for(Platform::Cumulus, index))
            .collect();
        assert_eq!(first, DEFAULT_CUMULUS_CYCLE.to_vec());
        assert_eq!(
            Profile::default_for(Platform::Cumulus, 4),
            Profile::Cumulus5_16
        );
        assert_eq!(Profile::default_for(Platform::Nvos, 3), Profile::Nvos25_02);
    }

    #[test]
    fn a_mix_parses_and_its_counts_add_up() {
        let mix = ProfileMix::parse("cumulus-5.16=10,cumulus-5.8=3,nvos-25.02=4").unwrap();
        let counts = mix.counts(17);
        assert_eq!(counts.iter().map(|(_, count)| count).sum::<usize>(), 17);
        assert_eq!(mix.platform_counts(17), (13, 4));
        let uneven = ProfileMix::parse("cumulus-5.9=1,cumulus-5.15=1,nvos-25.02=1").unwrap();
        assert_eq!(
            uneven
                .counts(4)
                .iter()
                .map(|(_, count)| count)
                .sum::<usize>(),
            4
        );
        assert!(ProfileMix::parse("cumulus-9.9=1").is_err());
        assert!(ProfileMix::parse("cumulus-5.8=0").is_err());
    }
}
