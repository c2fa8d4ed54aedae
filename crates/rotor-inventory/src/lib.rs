//! The fabric inventory: what Rotor knows about a fabric and its devices before it touches one.
//!
//! An inventory is a YAML document (format in `docs/inventory.md`) that names a fabric, its
//! upgrade status, and each device with its role, platform, management address, pinned SSH host
//! key, administrative state, password mappings (device user -> secret type -> secret path) and
//! the file holding its intended configuration in NVUE startup YAML.
//!
//! [`Inventory::from_yaml`] parses and validates a document; every error names the device and the
//! field that is wrong. [`FabricImport::load`] also reads the intended configuration files.
//! Nothing here holds a password: mappings point at secrets, they never contain one.

#![warn(missing_docs)]

pub mod notifications;
pub mod rollout;
pub mod schedule;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The `apiVersion` every inventory document carries.
pub const API_VERSION: &str = "rotor/v1";
/// The `kind` every inventory document carries.
pub const KIND: &str = "FabricInventory";
/// The largest intended configuration accepted, in bytes.
pub const MAX_INTENDED_CONFIG_BYTES: usize = 512 * 1024;

/// A whole inventory document: one fabric and its devices.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Inventory {
    /// Must be [`API_VERSION`].
    pub api_version: String,
    /// Must be [`KIND`].
    pub kind: String,
    /// The fabric the devices belong to.
    pub fabric: Fabric,
    /// Every device of the fabric, at least one; ids and addresses are unique within the document.
    pub devices: Vec<Device>,
}

/// A named set of devices rotated together (also called a site).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Fabric {
    /// The fabric's id: 1 to 64 characters from `A-Z a-z 0-9 _ -` (see [`check_name`]), used in
    /// subjects and keys.
    pub id: String,
    /// Whether the fabric is being upgraded; `None` when the document leaves it out.
    #[serde(default)]
    pub upgrade_status: UpgradeStatus,
    /// The device id of the fabric's terminal server, if it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terminal_server: Option<String>,
    /// The KV v2 mount the fabric's secrets live under.
    #[serde(default = "default_secrets_mount")]
    pub secrets_mount: String,
    /// How operations on the fabric release its devices: canary, waves, failure brake,
    /// concurrency ([`rollout`]); absent: every device within the concurrency window, no brake.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rollout: Option<rollout::Rollout>,
    /// Webhooks told when an operation ends or halts, a restore fails or a device is
    /// quarantined ([`notifications`]); absent: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notifications: Option<notifications::Notifications>,
}

fn default_secrets_mount() -> String {
    "secret".to_string()
}

/// Whether the fabric is being upgraded; rotations are refused unless it is `None`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum UpgradeStatus {
    /// Not being upgraded: rotations are allowed.
    #[default]
    None,
    /// An upgrade is running: rotations are refused with `OperationNotAllowed`.
    InProgress,
    /// The last upgrade failed: rotations are refused with `OperationNotAllowed` until it is fixed.
    Failed,
}

/// What a device does in the fabric.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Role {
    /// A spine switch.
    Spine,
    /// A leaf switch.
    Leaf,
    /// A border leaf, connecting the fabric to other networks.
    Border,
    /// A customer edge device.
    CE,
    /// A top-of-rack switch.
    ToR,
    /// A network packet broker.
    NPB,
    /// A terminal server (console access to the other devices).
    TS,
    /// A management-network switch.
    Management,
}

/// The operating system a device runs. Anything Rotor cannot drive is kept as `Other`, so that an
/// inventory with such a device still imports and the device fails with `UnsupportedPlatform`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Platform {
    /// NVIDIA Cumulus Linux (`cumulus`).
    Cumulus,
    /// NVIDIA NVOS (`nvos`).
    Nvos,
    /// Any other platform name, kept as written; such a device fails with `UnsupportedPlatform`.
    Other(String),
}

impl Platform {
    /// The name as the inventory spells it: `cumulus`, `nvos`, or the unsupported name as given.
    pub fn as_str(&self) -> &str {
        match self {
            Platform::Cumulus => "cumulus",
            Platform::Nvos => "nvos",
            Platform::Other(name) => name,
        }
    }

    /// Whether Rotor can drive this platform (everything but [`Platform::Other`]).
    pub fn is_supported(&self) -> bool {
        !matches!(self, Platform::Other(_))
    }

    /// The field NVUE stores a user's password hash under on this platform.
    pub fn password_key(&self) -> &'static str {
        match self {
            Platform::Nvos => "password",
            _ => "hashed-password",
        }
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<&str> for Platform {
    fn from(name: &str) -> Self {
        match name {
            "cumulus" => Platform::Cumulus,
            "nvos" => Platform::Nvos,
            other => Platform::Other(other.to_string()),
        }
    }
}

impl Serialize for Platform {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Platform {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        Ok(Platform::from(name.as_str()))
    }
}

/// Whether Rotor may contact a device. Only `Enabled` devices are ever contacted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum AdministrativeState {
    /// Rotor may contact the device; the default.
    #[default]
    Enabled,
    /// Taken out of service; the device is skipped with `DeviceDisabled`.
    Disabled,
    /// Being worked on; the device is skipped with `DeviceDisabled`.
    UnderMaintenance,
    /// Returned to the vendor (return merchandise authorization); the device is skipped with
    /// `DeviceDisabled`.
    RMA,
}

impl AdministrativeState {
    /// The state's name as the inventory and the status messages spell it, e.g. `UnderMaintenance`.
    pub fn as_str(&self) -> &'static str {
        match self {
            AdministrativeState::Enabled => "Enabled",
            AdministrativeState::Disabled => "Disabled",
            AdministrativeState::UnderMaintenance => "UnderMaintenance",
            AdministrativeState::RMA => "RMA",
        }
    }
}

/// One switch.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Device {
    /// The device's id, unique within the fabric (same rules as [`check_name`]).
    pub id: String,
    /// What the device does in the fabric.
    pub role: Role,
    /// The operating system the device runs, which picks the driver and the password field.
    pub platform: Platform,
    /// Management address as `host:port`.
    pub address: String,
    /// The device's SSH host key in OpenSSH form (`ssh-ed25519 AAAA...`,
    /// `ecdsa-sha2-nistp256 AAAA...`, `ssh-rsa AAAA...`); connections to a device presenting a
    /// key that is not pinned are refused. Give one here, or several in `hostKeys`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub host_key: String,
    /// More pinned host keys (a switch with several key types, or during a host-key rotation):
    /// any of them is accepted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub host_keys: Vec<String>,
    /// Whether Rotor may contact the device; `Enabled` when the document leaves it out.
    #[serde(default)]
    pub administrative_state: AdministrativeState,
    /// The device account Rotor logs in with; it must have a password mapping.
    pub login_user: String,
    /// The device users whose passwords Rotor manages, each user at most once.
    pub password_mappings: Vec<PasswordMapping>,
    /// Path of the device's intended configuration (NVUE startup YAML), relative to the
    /// inventory file.
    pub intended_config: String,
}

impl Device {
    /// The physical switch this device is: a digest of its first pinned host key. Two devices
    /// (in any fabrics) never share one (checked at import), so the device lock and the
    /// failed-login ledger, keyed by it, hold whatever id or address a switch is listed under.
    /// Keep the first key in place during a host-key rotation (add the new one after it).
    pub fn switch_identity(&self) -> String {
        let first = self
            .pinned_host_keys()
            .into_iter()
            .next()
            .unwrap_or_default();
        key_digest(&first)
    }

    /// Digests of everything that identifies the physical switch: each pinned key and the
    /// canonical address (host in lower case, port as a number). Import refuses a device that
    /// shares one with a device of another id or fabric.
    pub fn identity_claims(&self) -> Vec<String> {
        let mut claims: Vec<String> = self
            .pinned_host_keys()
            .iter()
            .map(|key| format!("key-{}", key_digest(key)))
            .collect();
        claims.push(format!(
            "address-{}",
            digest(&canonical_address(&self.address))
        ));
        claims
    }

    /// Every pinned host key (`hostKey`, then `hostKeys`).
    pub fn pinned_host_keys(&self) -> Vec<String> {
        std::iter::once(&self.host_key)
            .filter(|key| !key.is_empty())
            .chain(&self.host_keys)
            .cloned()
            .collect()
    }

    /// The password mapping for a device user, if the device has one.
    pub fn mapping_for(&self, username: &str) -> Option<&PasswordMapping> {
        self.password_mappings
            .iter()
            .find(|m| m.username == username)
    }
}

/// A device user whose password Rotor manages, and where that password lives.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PasswordMapping {
    /// The user's name on the device, as Linux `useradd` accepts it (see [`check_username`]).
    pub username: String,
    /// A label for the kind of credential, e.g. `AdminRW`.
    pub secret_type: String,
    /// Path under the fabric's KV v2 mount. Devices that share a path share a password; a path
    /// containing `{device}` gives every device its own. `{fabric}` is replaced too.
    pub secret_path: String,
}

impl PasswordMapping {
    /// The secret path with `{fabric}` and `{device}` replaced.
    pub fn resolved_path(&self, fabric_id: &str, device_id: &str) -> String {
        self.secret_path
            .replace("{fabric}", fabric_id)
            .replace("{device}", device_id)
    }
}

/// Why an inventory was refused. The message names the device and field.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{location}: {problem}")]
pub struct InventoryError {
    /// Where the problem is, e.g. `devices[3] (leaf-03).platform` or `fabric.id`.
    pub location: String,
    /// What is wrong there, as a sentence fragment for a person.
    pub problem: String,
}

impl InventoryError {
    fn new(location: impl Into<String>, problem: impl Into<String>) -> Self {
        InventoryError {
            location: location.into(),
            problem: problem.into(),
        }
    }
}

/// Checks that a fabric, device or secret type name is safe to use as a NATS subject token and a
/// key-value key: 1 to 64 characters from `A-Z a-z 0-9 _ -`, starting with a letter or digit.
pub fn check_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("must not be empty".into());
    }
    if name.len() > 64 {
        return Err(format!(
            "is {} characters long, at most 64 are allowed",
            name.len()
        ));
    }
    if !name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric())
    {
        return Err(format!("{name:?} must start with a letter or a digit"));
    }
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '_' || *c == '-'))
    {
        return Err(format!(
            "{name:?} contains {bad:?}; only letters, digits, '_' and '-' are allowed"
        ));
    }
    Ok(())
}

/// Checks a device user name: what Linux `useradd` accepts, so it can never carry shell syntax.
pub fn check_username(name: &str) -> Result<(), String> {
    let valid_start = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_');
    let valid_rest = name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
    if name.is_empty() || name.len() > 32 || !valid_start || !valid_rest {
        return Err(format!(
            "{name:?} is not a valid user name (1-32 characters: a-z, 0-9, '_', '-', starting with a letter or '_')"
        ));
    }
    Ok(())
}

fn check_secret_path(path: &str) -> Result<(), String> {
    let valid = !path.is_empty()
        && path.len() <= 256
        && !path.starts_with('/')
        && !path.ends_with('/')
        && !path.contains("//")
        && path
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '/' | '{' | '}' | '.'))
        && !path
            .split('/')
            .any(|segment| segment == "." || segment == "..");
    if valid {
        Ok(())
    } else {
        Err(format!(
            "{path:?} is not a valid secret path (segments of letters, digits, '_', '-', '.', separated by '/')"
        ))
    }
}

impl Inventory {
    /// Parses and validates an inventory document.
    pub fn from_yaml(text: &str) -> Result<Inventory, InventoryError> {
        let inventory: Inventory = serde_yaml::from_str(text).map_err(|error| {
            let location = error
                .location()
                .map(|l| format!("line {}, column {}", l.line(), l.column()))
                .unwrap_or_else(|| "document".to_string());
            InventoryError::new(location, error.to_string())
        })?;
        inventory.validate()?;
        Ok(inventory)
    }

    /// The inventory as a YAML document in the same format [`Inventory::from_yaml`] reads.
    pub fn to_yaml(&self) -> String {
        serde_yaml::to_string(self).expect("an inventory always serialises")
    }

    /// The device with this id, if the fabric has one.
    pub fn device(&self, device_id: &str) -> Option<&Device> {
        self.devices.iter().find(|d| d.id == device_id)
    }

    /// Checks everything that the YAML structure alone does not.
    pub fn validate(&self) -> Result<(), InventoryError> {
        if self.api_version != API_VERSION {
            return Err(InventoryError::new(
                "apiVersion",
                format!("is {:?}, expected {API_VERSION:?}", self.api_version),
            ));
        }
        if self.kind != KIND {
            return Err(InventoryError::new(
                "kind",
                format!("is {:?}, expected {KIND:?}", self.kind),
            ));
        }
        check_name(&self.fabric.id).map_err(|p| InventoryError::new("fabric.id", p))?;
        check_name(&self.fabric.secrets_mount)
            .map_err(|p| InventoryError::new("fabric.secretsMount", p))?;
        if self.devices.is_empty() {
            return Err(InventoryError::new(
                "devices",
                "a fabric needs at least one device",
            ));
        }
        if let Some(rollout) = &self.fabric.rollout {
            rollout
                .validate(&self.devices)
                .map_err(|(field, problem)| InventoryError::new(field, problem))?;
        }
        if let Some(notifications) = &self.fabric.notifications {
            notifications
                .validate()
                .map_err(|(field, problem)| InventoryError::new(field, problem))?;
        }
        let mut seen_ids = BTreeSet::new();
        let mut seen_addresses = BTreeMap::new();
        let mut seen_claims: BTreeMap<String, &str> = BTreeMap::new();
        for (index, device) in self.devices.iter().enumerate() {
            let at = |field: &str| format!("devices[{index}] ({}).{field}", device.id);
            check_name(&device.id).map_err(|p| InventoryError::new(at("id"), p))?;
            if !seen_ids.insert(device.id.as_str()) {
                return Err(InventoryError::new(at("id"), "duplicate device id"));
            }
            if let Err(problem) = check_address(&device.address) {
                return Err(InventoryError::new(at("address"), problem));
            }
            if let Some(other) =
                seen_addresses.insert(canonical_address(&device.address), device.id.as_str())
            {
                return Err(InventoryError::new(
                    at("address"),
                    format!("{} is also the address of {other}", device.address),
                ));
            }
            check_host_keys(device).map_err(|(field, p)| InventoryError::new(at(field), p))?;
            for claim in device.identity_claims() {
                if let Some(other) = seen_claims.insert(claim, device.id.as_str())
                    && other != device.id
                {
                    return Err(InventoryError::new(
                        at("hostKeys"),
                        format!("{other} pins the same host key: one switch is one device"),
                    ));
                }
            }
            check_username(&device.login_user)
                .map_err(|p| InventoryError::new(at("loginUser"), p))?;
            let mut users = BTreeSet::new();
            for (mapping_index, mapping) in device.password_mappings.iter().enumerate() {
                let field = |name: &str| at(&format!("passwordMappings[{mapping_index}].{name}"));
                check_username(&mapping.username)
                    .map_err(|p| InventoryError::new(field("username"), p))?;
                check_name(&mapping.secret_type)
                    .map_err(|p| InventoryError::new(field("secretType"), p))?;
                check_secret_path(&mapping.secret_path)
                    .map_err(|p| InventoryError::new(field("secretPath"), p))?;
                if !users.insert(mapping.username.as_str()) {
                    return Err(InventoryError::new(
                        field("username"),
                        format!("user {:?} is mapped twice", mapping.username),
                    ));
                }
            }
            if device.platform.is_supported() && device.mapping_for(&device.login_user).is_none() {
                return Err(InventoryError::new(
                    at("loginUser"),
                    format!(
                        "Rotor logs in as {:?} but the device has no password mapping for it",
                        device.login_user
                    ),
                ));
            }
            if device.intended_config.trim().is_empty() {
                return Err(InventoryError::new(
                    at("intendedConfig"),
                    "must name a file",
                ));
            }
        }
        if let Some(terminal_server) = &self.fabric.terminal_server
            && !seen_ids.contains(terminal_server.as_str())
        {
            return Err(InventoryError::new(
                "fabric.terminalServer",
                format!("{terminal_server:?} is not a device of this fabric"),
            ));
        }
        Ok(())
    }
}

/// `host:port` with the host in lower case and the port as a plain number (`Switch1:022` and
/// `switch1:22` are the same address).
pub fn canonical_address(address: &str) -> String {
    match address.rsplit_once(':') {
        Some((host, port)) => match port.parse::<u16>() {
            Ok(port) => format!("{}:{port}", host.to_ascii_lowercase()),
            Err(_) => address.to_ascii_lowercase(),
        },
        None => address.to_ascii_lowercase(),
    }
}

/// The digest of an OpenSSH key's base64 blob (comments and spacing do not count).
fn key_digest(openssh: &str) -> String {
    digest(openssh.split_whitespace().nth(1).unwrap_or_default())
}

fn digest(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn check_address(address: &str) -> Result<(), String> {
    let Some((host, port)) = address.rsplit_once(':') else {
        return Err(format!("{address:?} must be host:port"));
    };
    if host.is_empty() || host.chars().any(|c| c.is_whitespace() || c == '/') {
        return Err(format!("{address:?} has no valid host"));
    }
    match port.parse::<u16>() {
        Ok(port) if port > 0 => Ok(()),
        _ => Err(format!("{address:?} has no valid port")),
    }
}

/// At least one pinned key, each an OpenSSH public key, none twice.
fn check_host_keys(device: &Device) -> Result<(), (&'static str, String)> {
    if !device.host_key.is_empty() {
        check_host_key(&device.host_key).map_err(|p| ("hostKey", p))?;
    }
    let mut seen = BTreeSet::new();
    for key in device.pinned_host_keys() {
        check_host_key(&key).map_err(|p| ("hostKeys", p))?;
        let blob = key
            .split_whitespace()
            .nth(1)
            .unwrap_or_default()
            .to_string();
        if !seen.insert(blob) {
            return Err(("hostKeys", "the same key is pinned twice".into()));
        }
    }
    if seen.is_empty() {
        return Err((
            "hostKey",
            "must pin the device's SSH host key (hostKey or hostKeys)".into(),
        ));
    }
    Ok(())
}

fn check_host_key(host_key: &str) -> Result<(), String> {
    let mut parts = host_key.split_whitespace();
    let (Some(algorithm), Some(blob)) = (parts.next(), parts.next()) else {
        return Err("must be an OpenSSH public key, e.g. \"ssh-ed25519 AAAA...\"".into());
    };
    if !algorithm.starts_with("ssh-") && !algorithm.starts_with("ecdsa-") {
        return Err(format!("unknown key algorithm {algorithm:?}"));
    }
    if blob.len() < 16
        || !blob
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '='))
    {
        return Err("the key is not base64".into());
    }
    Ok(())
}

/// An inventory with every device's intended configuration read in: what an import sends.
#[derive(Clone, Debug, PartialEq)]
pub struct FabricImport {
    /// The validated inventory document.
    pub inventory: Inventory,
    /// Device id -> intended configuration text (NVUE startup YAML).
    pub intended_configs: BTreeMap<String, String>,
}

/// Why an inventory file could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The inventory file or an intended configuration file it names could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file that could not be read.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// The files were read but the inventory or an intended configuration is not valid.
    #[error("{path}: {source}")]
    Invalid {
        /// The inventory file.
        path: PathBuf,
        /// What is wrong, and where.
        #[source]
        source: InventoryError,
    },
}

impl FabricImport {
    /// Reads an inventory file and the intended configuration files it names.
    pub fn load(path: &Path) -> Result<FabricImport, LoadError> {
        let read = |path: &Path| {
            std::fs::read_to_string(path).map_err(|source| LoadError::Read {
                path: path.to_path_buf(),
                source,
            })
        };
        let inventory =
            Inventory::from_yaml(&read(path)?).map_err(|source| LoadError::Invalid {
                path: path.to_path_buf(),
                source,
            })?;
        let base = path.parent().unwrap_or(Path::new("."));
        let mut intended_configs = BTreeMap::new();
        for device in &inventory.devices {
            let config_path = base.join(&device.intended_config);
            intended_configs.insert(device.id.clone(), read(&config_path)?);
        }
        let import = FabricImport {
            inventory,
            intended_configs,
        };
        import.validate().map_err(|source| LoadError::Invalid {
            path: path.to_path_buf(),
            source,
        })?;
        Ok(import)
    }

    /// Checks the inventory and that every device has a well-formed intended configuration.
    pub fn validate(&self) -> Result<(), InventoryError> {
        self.inventory.validate()?;
        for (index, device) in self.inventory.devices.iter().enumerate() {
            let at = format!("devices[{index}] ({}).intendedConfig", device.id);
            let Some(text) = self.intended_configs.get(&device.id) else {
                return Err(InventoryError::new(
                    at,
                    "no intended configuration was given",
                ));
            };
            if text.len() > MAX_INTENDED_CONFIG_BYTES {
                return Err(InventoryError::new(
                    at,
                    format!(
                        "is {} bytes, at most {MAX_INTENDED_CONFIG_BYTES} are allowed",
                        text.len()
                    ),
                ));
            }
            check_intended_config(text).map_err(|p| InventoryError::new(at.clone(), p))?;
            check_no_masked_secrets(text).map_err(|p| InventoryError::new(at, p))?;
        }
        if let Some(extra) = self
            .intended_configs
            .keys()
            .find(|id| self.inventory.device(id).is_none())
        {
            return Err(InventoryError::new(
                "intendedConfigs",
                format!("{extra:?} is not a device of this fabric"),
            ));
        }
        Ok(())
    }
}

/// Checks that a text is NVUE startup YAML: a list of documents, one of which is a `set:` map.
pub fn check_intended_config(text: &str) -> Result<(), String> {
    let value: serde_yaml::Value =
        serde_yaml::from_str(text).map_err(|e| format!("is not valid YAML: {e}"))?;
    let Some(items) = value.as_sequence() else {
        return Err("is not NVUE startup YAML: expected a list with a `- set:` entry".into());
    };
    let has_set = items
        .iter()
        .any(|item| item.as_mapping().is_some_and(|m| m.contains_key("set")));
    if !has_set {
        return Err("is not NVUE startup YAML: no `- set:` entry".into());
    }
    Ok(())
}

/// Refuses an intended configuration that carries a masked password (`'*'` or `*`, as
/// `nv config show` and Rotor's backups print every hash): applied, it would set a password
/// nothing matches (NVUE stores the `*` as given).
pub fn check_no_masked_secrets(text: &str) -> Result<(), String> {
    let value: serde_yaml::Value =
        serde_yaml::from_str(text).map_err(|e| format!("is not valid YAML: {e}"))?;
    let users = value
        .as_sequence()
        .into_iter()
        .flatten()
        .filter_map(|item| item.get("set"))
        .filter_map(|set| set.get("system")?.get("aaa")?.get("user")?.as_mapping());
    for users in users {
        for (user, record) in users {
            for key in ["password", "hashed-password"] {
                if record.get(key).and_then(|v| v.as_str()).map(str::trim) == Some("*") {
                    return Err(format!(
                        "system.aaa.user.{}.{key} is masked ('*'), as `nv config show` and backups print it; applied, it would set a password nothing matches. Give the real hash (the switch's /etc/nvue.d/startup.yaml has it) or leave the field out for users Rotor rotates",
                        user.as_str().unwrap_or("?")
                    ));
                }
            }
        }
    }
    Ok(())
}

/// The version of an intended configuration: the first 16 hex digits of its SHA-256, playing the
/// part of the config store's commit SHA.
pub fn intended_config_version(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests;
