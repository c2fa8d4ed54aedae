//! What differs between the two simulated operating systems (Cumulus Linux and NVOS): default
//! users, the key a password hash is stored under, version strings, known configuration objects,
//! interface kinds, user roles and the shell prompt. What differs between releases of one
//! operating system is in [`crate::profile`].

use std::fmt;

use serde::{Deserialize, Serialize};

/// The operating system a simulated device runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Platform {
    /// NVIDIA Cumulus Linux 5.x with NVUE.
    Cumulus,
    /// NVIDIA NVOS (NVLink / InfiniBand switches) with NVUE.
    Nvos,
}

impl Platform {
    /// The platform's name as inventories spell it: `cumulus` or `nvos`.
    pub fn as_str(self) -> &'static str {
        match self {
            Platform::Cumulus => "cumulus",
            Platform::Nvos => "nvos",
        }
    }

    /// Parses `cumulus` or `nvos`.
    pub fn parse(name: &str) -> Option<Platform> {
        match name.trim().to_ascii_lowercase().as_str() {
            "cumulus" => Some(Platform::Cumulus),
            "nvos" => Some(Platform::Nvos),
            _ => None,
        }
    }

    /// The same platform in the inventory crate's terms.
    pub fn inventory_platform(self) -> rotor_inventory::Platform {
        match self {
            Platform::Cumulus => rotor_inventory::Platform::Cumulus,
            Platform::Nvos => rotor_inventory::Platform::Nvos,
        }
    }

    /// The field of `system aaa user <name>` that holds the stored password hash:
    /// `hashed-password` on both platforms. (NVOS's `password` field takes a plaintext that the
    /// switch hashes into `hashed-password`; the simulator never keeps a `password` value.)
    pub fn password_key(self) -> &'static str {
        "hashed-password"
    }

    /// The account Rotor logs in with.
    pub fn login_user(self) -> &'static str {
        match self {
            Platform::Cumulus => "cumulus",
            Platform::Nvos => "admin",
        }
    }

    /// The users every device of this platform is created with: (name, role, full name).
    pub fn default_users(self) -> &'static [(&'static str, &'static str, &'static str)] {
        match self {
            Platform::Cumulus => &[("cumulus", "system-admin", "cumulus,,,")],
            Platform::Nvos => &[
                ("admin", "admin", "System Administrator"),
                ("monitor", "monitor", "System Monitor"),
            ],
        }
    }

    /// The `version` field of the startup configuration header of the platform's first profile
    /// in the default mix (each device's own is [`crate::Profile::version`]).
    pub fn version(self) -> &'static str {
        crate::profile::Profile::default_for(self, 0).version()
    }

    /// The `model` field of the startup configuration header.
    pub fn model(self) -> &'static str {
        match self {
            Platform::Cumulus => "VX",
            Platform::Nvos => "MQM9700",
        }
    }

    /// Top-level configuration objects NVUE accepts on this platform.
    pub fn top_level_objects(self) -> &'static [&'static str] {
        match self {
            Platform::Cumulus => &[
                "acl",
                "bridge",
                "evpn",
                "interface",
                "mlag",
                "nve",
                "qos",
                "router",
                "service",
                "system",
                "vrf",
            ],
            Platform::Nvos => &["acl", "ib", "interface", "qos", "service", "system"],
        }
    }

    /// Values accepted for `interface <name> type`.
    pub fn interface_types(self) -> &'static [&'static str] {
        match self {
            Platform::Cumulus => &[
                "bond", "bridge", "eth", "loopback", "peerlink", "sub", "svi", "swp",
            ],
            Platform::Nvos => &["eth", "ib", "nvl"],
        }
    }

    /// Values accepted for `system aaa user <name> role`.
    pub fn user_roles(self) -> &'static [&'static str] {
        match self {
            Platform::Cumulus => &["nvue-admin", "nvue-monitor", "system-admin"],
            Platform::Nvos => &["admin", "monitor"],
        }
    }

    /// The role a new user gets when none is given.
    pub fn default_role(self) -> &'static str {
        match self {
            Platform::Cumulus => "system-admin",
            Platform::Nvos => "admin",
        }
    }

    /// A role name as this platform spells it: on NVOS the simulator's earlier names
    /// `system-admin` and `system-monitor` (still accepted in fabric specifications and users
    /// files) become `admin` and `monitor`.
    pub fn canonical_role(self, role: &str) -> String {
        match (self, role) {
            (Platform::Nvos, "system-admin") => "admin".to_string(),
            (Platform::Nvos, "system-monitor") => "monitor".to_string(),
            _ => role.to_string(),
        }
    }

    /// Roles that may only look, never change the configuration.
    pub fn is_read_only_role(self, role: &str) -> bool {
        match self {
            Platform::Cumulus => role == "nvue-monitor",
            Platform::Nvos => role == "monitor",
        }
    }

    /// Fields accepted under `system aaa user <name>`.
    pub fn user_fields(self) -> &'static [&'static str] {
        match self {
            // `password` takes a plaintext password that NVUE hashes into `hashed-password`.
            Platform::Cumulus => &["enable", "full-name", "hashed-password", "password", "role"],
            // `password` takes a plaintext the switch hashes; `hashed-password` a crypt hash.
            Platform::Nvos => &["full-name", "hashed-password", "password", "role", "state"],
        }
    }

    /// The shell prompt, as the device prints it.
    pub fn prompt(self, user: &str, hostname: &str) -> String {
        match self {
            Platform::Cumulus => format!("{user}@{hostname}:mgmt:~$ "),
            Platform::Nvos => format!("{user}@{hostname}:~$ "),
        }
    }

    /// The home directory of a user, used to resolve relative file names.
    pub fn home_directory(self, user: &str) -> String {
        format!("/home/{user}")
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

/// What an applied masked value (`hashed-password: '*'`, as `nv config show` prints every hash)
/// stores: like `*` in `/etc/shadow`, a hash no password matches.
pub const MASKED_VALUE: &str = "*";

/// Whether a `hashed-password` value is accepted: a crypt(3) hash, or the masked value `*`
/// (which locks the password: nothing matches it).
pub fn is_acceptable_hashed_password(text: &str) -> bool {
    text == MASKED_VALUE || looks_like_password_hash(text)
}

/// Whether a text looks like a crypt(3) password hash NVUE would accept as a hashed password.
pub fn looks_like_password_hash(text: &str) -> bool {
    let Some(rest) = text.strip_prefix('$') else {
        return false;
    };
    let Some((scheme, rest)) = rest.split_once('$') else {
        return false;
    };
    matches!(scheme, "1" | "5" | "6" | "y" | "2b" | "2y")
        && !rest.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '$' | '.' | '/' | '=' | ','))
}
