//! The command line: every verb, flag and environment variable of `rotor`, as clap types.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::exit::EXIT_CODES_HELP;

/// The address `rotor up` serves the API on, and where every other verb looks by default.
pub const DEFAULT_SERVER: &str = "http://127.0.0.1:50051";

/// Rotor: rotate local account passwords across whole fabrics of Cumulus Linux and NVOS
/// switches, without locking anyone out.
#[derive(Debug, Parser)]
#[command(
    name = "rotor",
    version,

    after_help = EXIT_CODES_HELP,
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    /// Where the Rotor API (the orchestrator's gRPC endpoint) listens.
    #[arg(long, global = true, env = "ROTOR_SERVER", default_value = DEFAULT_SERVER)]
    pub server: String,

    /// The API token (a signed JWT naming who you are; `rotor up` writes one to
    /// `.rotor/api-token`). What you may do is the server's policy.
    #[arg(long, global = true, env = "ROTOR_TOKEN", hide_env_values = true)]
    pub token: Option<String>,

    /// For an `https://` server: the PEM file of the CA that signed its certificate.
    #[arg(long, global = true, env = "ROTOR_CA_FILE")]
    pub ca_file: Option<PathBuf>,

    /// Output form. table: columns for people; json: the API's answer in proto3 JSON (stable,
    /// camelCase, every field). Default: table when stdout is a terminal, else json.
    #[arg(short = 'o', long, global = true, env = "ROTOR_OUTPUT", value_enum)]
    pub output: Option<OutputFormat>,

    /// The verb.
    #[command(subcommand)]
    pub command: Command,
}

/// How answers are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Columns for people.
    Table,
    /// The API's answer in proto3 JSON.
    Json,
}

/// Every verb of `rotor`, grouped by what it acts on.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Rotate, resync and show a whole fabric.
    #[command(subcommand)]
    Fabric(FabricCommand),
    /// Rotate, resync and show one device.
    #[command(subcommand)]
    Device(DeviceCommand),
    /// Show and list operations (accepted rotation and resync requests).
    #[command(subcommand)]
    Operation(OperationCommand),
    /// Follow stage events as devices go through a rotation.
    #[command(subcommand)]
    Events(EventsCommand),
    /// List and show configuration backups taken after each device's rotation.
    #[command(subcommand)]
    Backup(BackupCommand),
    /// Import and show a fabric's inventory.
    #[command(subcommand)]
    Inventory(InventoryCommand),
    /// A fabric's rotation schedule: a period or a calendar, maintenance windows, what to run
    /// (docs/rollout.md#schedules).
    #[command(subcommand)]
    Schedule(ScheduleCommand),
    /// The fabric lock: take it for other fabric-wide work (commit, upgrade); Rotor respects it.
    /// It is held by your identity (your token's subject), which whoever is refused is shown.
    #[command(subcommand)]
    Lock(LockCommand),
    /// Read the audit: every API call, bus request and operation end, with who, from where,
    /// and the outcome (needs the auditor role; newest last).
    #[command(after_help = EXIT_CODES_HELP)]
    Audit(AuditArgs),
    /// Start a whole local Rotor stack with a simulated fabric, until Ctrl-C.
    Up(UpArgs),
    /// A guided tour: a local stack, a 24-device fabric with two broken devices, a rotation,
    /// the fixes, a resync and a real SSH login with the new password.
    Demo(DemoArgs),
    /// The API's credentials: a signing key, the files the orchestrator trusts, and tokens.
    #[command(subcommand)]
    Auth(AuthCommand),
}

/// `rotor auth ...`.
#[derive(Debug, Subcommand)]
pub enum AuthCommand {
    /// Write a new signing key, the keys file and the policy the orchestrator reads
    /// (ROTOR_AUTH_KEYS, ROTOR_AUTH_POLICY) and an administrator token into DIR; existing files
    /// are never overwritten.
    Init {
        /// Where to write them.
        dir: PathBuf,
    },
    /// Print a token for SUBJECT, signed with the key `rotor auth init` wrote.
    Token {
        /// The signing key file (signing-key.yaml).
        #[arg(long)]
        key: PathBuf,
        /// Who the token names (the policy decides what it may do).
        #[arg(long)]
        subject: String,
        /// How long it is valid.
        #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u64).range(1..=8760))]
        ttl_hours: u64,
    },
    /// Write the bus's users into DIR: an NKey seed per service kind (ROTOR_NATS_NKEY_FILE), an
    /// administrator's, a password per requester, and nats-accounts.conf for nats-server (the
    /// permissions of deploy/nats-accounts.conf with these keys); existing files are never
    /// overwritten.
    Nats {
        /// Where to write them.
        dir: PathBuf,
        /// A system that sends requests, and the fabrics it may send them for
        /// (`ticketing=fab1,fab2`, or `ticketing=*`); repeat for more. Grant `nats:<user>` the
        /// operator role in the policy.
        #[arg(long = "requester", value_name = "USER=FABRICS")]
        requesters: Vec<String>,
    },
    /// Grant SUBJECT the roles on the fabrics in the policy file.
    Grant(GrantArgs),
    /// Take roles from SUBJECT in the policy file: the given roles (default: every role) on the
    /// given fabrics (default: every fabric its grants name).
    Revoke(GrantArgs),
    /// Print who may do what, as the policy file says.
    Policy {
        /// The policy file (ROTOR_AUTH_POLICY).
        #[arg(long)]
        policy: PathBuf,
    },
}

/// `rotor auth grant` / `revoke`: whose grant, where.
#[derive(Debug, Args)]
pub struct GrantArgs {
    /// The policy file the orchestrator reads (ROTOR_AUTH_POLICY); it obeys the change within
    /// seconds, without a restart.
    #[arg(long)]
    pub policy: PathBuf,
    /// The token subject, or `nats:<user>` for a requester on the bus.
    #[arg(long)]
    pub subject: String,
    /// A fabric id or `*` (every fabric); repeat for more.
    #[arg(long = "fabric", value_name = "FABRIC")]
    pub fabrics: Vec<String>,
    /// viewer, operator, inventory-admin, lock-holder or auditor; repeat for more.
    #[arg(long = "role", value_name = "ROLE")]
    pub roles: Vec<rotor_auth::Role>,
}

/// `rotor audit`: which records to show.
#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Only this fabric's records (default: every fabric's, which needs the role on `*`).
    #[arg(long)]
    pub fabric: Option<String>,
    /// Only this caller's (a token subject, `nats`, or an operation's requestedBy).
    #[arg(long)]
    pub identity: Option<String>,
    /// Only this verb's: a gRPC method (`ImportInventory`, `AcquireFabricLock`), a bus
    /// request's kind (`FabricRotatePassword`) or `OperationEnd`.
    #[arg(long)]
    pub verb: Option<String>,
    /// Only this outcome's.
    #[arg(long, value_enum)]
    pub outcome: Option<AuditOutcome>,
    /// Only records since then: RFC 3339 (`2026-05-01T12:00:00Z`) or a duration ago (`90s`,
    /// `15m`, `2h`, `7d`).
    #[arg(long)]
    pub since: Option<String>,
    /// The newest this many that match.
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub limit: u32,
    /// Print the records as proto3 JSON (the same as `-o json`).
    #[arg(long)]
    pub json: bool,
}

/// What became of an audited call.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum AuditOutcome {
    /// Authorized, still going on (an event stream).
    Allowed,
    /// Not authenticated, or not authorized.
    Refused,
    /// Did what it asked.
    Succeeded,
    /// Authorized, but did not do what it asked.
    Failed,
}

impl AuditOutcome {
    /// The word the audit records.
    pub fn as_str(self) -> &'static str {
        match self {
            AuditOutcome::Allowed => "allowed",
            AuditOutcome::Refused => "refused",
            AuditOutcome::Succeeded => "succeeded",
            AuditOutcome::Failed => "failed",
        }
    }
}

/// `--wait` and what it does.
#[derive(Clone, Copy, Debug, Args)]
pub struct WaitArgs {
    /// Wait until the operation ends, showing progress on stderr, then print each device's
    /// result; the exit code tells how it ended (see below).
    #[arg(long)]
    pub wait: bool,
}

/// Overrides of the fabric's rollout policy for one fabric-wide operation (docs/rollout.md).
#[derive(Clone, Debug, Default, Args)]
pub struct RolloutArgs {
    /// The canary: `default` (one device of each platform and role), `none`, a count or a
    /// percentage (`5%`).
    #[arg(long, value_name = "N|P%|default|none")]
    pub canary: Option<String>,
    /// A named canary device (repeatable; instead of --canary).
    #[arg(long = "canary-device", value_name = "DEVICE")]
    pub canary_devices: Vec<String>,
    /// The size of each wave after the canary: a count or a percentage of the devices.
    #[arg(long, value_name = "N|P%")]
    pub wave_size: Option<String>,
    /// The order roles are rotated in, comma-separated (e.g. `Leaf,Border,Spine`).
    #[arg(long, value_delimiter = ',', value_name = "ROLE,...")]
    pub role_order: Vec<String>,
    /// Seconds to pause between waves.
    #[arg(long, value_name = "SECS")]
    pub pause_secs: Option<u32>,
    /// The most canary devices that may fail before the operation halts (default 0).
    #[arg(long, value_name = "N|P%")]
    pub max_canary_failures: Option<String>,
    /// The most devices of one wave that may fail before the operation halts.
    #[arg(long, value_name = "N|P%")]
    pub max_wave_failures: Option<String>,
    /// The most devices of the operation that may fail before it halts.
    #[arg(long, value_name = "N|P%")]
    pub max_failures: Option<String>,
    /// The most devices of the fabric in flight at once.
    #[arg(long, value_name = "N")]
    pub concurrency: Option<u32>,
}

/// `rotor fabric ...`: the verbs on a whole fabric.
#[derive(Debug, Subcommand)]
pub enum FabricCommand {
    /// Generate new passwords and push them to every device of the fabric.
    #[command(after_help = EXIT_CODES_HELP)]
    RotatePassword {
        /// The fabric's id.
        #[arg(long)]
        fabric: String,
        /// A device user to rotate (repeatable). Default: every mapped user.
        #[arg(long = "user", value_name = "USER")]
        users: Vec<String>,
        /// Push the newest versions an operator already wrote to the secrets store instead of
        /// generating new ones.
        #[arg(long)]
        use_stored: bool,
        /// Your id for this request: sending the same id again returns the first answer and
        /// does nothing again.
        #[arg(long)]
        request_id: Option<String>,
        /// Canary, waves, failure brake and concurrency for this operation.
        #[command(flatten)]
        rollout: RolloutArgs,
        /// Report what the operation would do on each device and change nothing: no new secret
        /// version, nothing applied, no status changed (a dry run; docs/rollout.md).
        #[arg(long)]
        plan: bool,
        /// Whether to wait for the operation to end.
        #[command(flatten)]
        wait: WaitArgs,
    },
    /// Push the current passwords to every device that does not hold them (or to the named
    /// devices).
    #[command(after_help = EXIT_CODES_HELP)]
    ResyncPassword {
        /// The fabric's id.
        #[arg(long)]
        fabric: String,
        /// Only this device (repeatable). Default: every device not in sync.
        #[arg(long = "device", value_name = "DEVICE")]
        devices: Vec<String>,
        /// Your id for this request: sending the same id again returns the first answer and does
        /// nothing again.
        #[arg(long)]
        request_id: Option<String>,
        /// Canary, waves, failure brake and concurrency for this operation.
        #[command(flatten)]
        rollout: RolloutArgs,
        /// Report what the operation would do on each device and change nothing: no new secret
        /// version, nothing applied, no status changed (a dry run; docs/rollout.md).
        #[arg(long)]
        plan: bool,
        /// Whether to wait for the operation to end.
        #[command(flatten)]
        wait: WaitArgs,
    },
    /// The fabric's password status: last operation, succeeded and failed devices, unique
    /// password set count.
    #[command(after_help = EXIT_CODES_HELP)]
    Show {
        /// The fabric's id.
        #[arg(long)]
        fabric: String,
    },
}

/// `rotor device ...`: the verbs on one device.
#[derive(Debug, Subcommand)]
pub enum DeviceCommand {
    /// Generate a new password for one user of one device and push it.
    #[command(after_help = EXIT_CODES_HELP)]
    RotatePassword {
        /// The fabric's id.
        #[arg(long)]
        fabric: String,
        /// The device's id.
        #[arg(long)]
        device: String,
        /// The device user to rotate. Default: the device's login user.
        #[arg(long)]
        user: Option<String>,
        /// Your id for this request: sending the same id again returns the first answer and does
        /// nothing again.
        #[arg(long)]
        request_id: Option<String>,
        /// Report what the operation would do on each device and change nothing: no new secret
        /// version, nothing applied, no status changed (a dry run; docs/rollout.md).
        #[arg(long)]
        plan: bool,
        /// Whether to wait for the operation to end.
        #[command(flatten)]
        wait: WaitArgs,
    },
    /// Push the current passwords to one device.
    #[command(after_help = EXIT_CODES_HELP)]
    ResyncPassword {
        /// The fabric's id.
        #[arg(long)]
        fabric: String,
        /// The device's id.
        #[arg(long)]
        device: String,
        /// Your id for this request: sending the same id again returns the first answer and does
        /// nothing again.
        #[arg(long)]
        request_id: Option<String>,
        /// Report what the operation would do on each device and change nothing: no new secret
        /// version, nothing applied, no status changed (a dry run; docs/rollout.md).
        #[arg(long)]
        plan: bool,
        /// Whether to wait for the operation to end.
        #[command(flatten)]
        wait: WaitArgs,
    },
    /// A device's password status: each secret's synchronization status and version, and the
    /// stages of its last operation.
    #[command(after_help = EXIT_CODES_HELP)]
    Show {
        /// The fabric's id.
        #[arg(long)]
        fabric: String,
        /// The device's id.
        #[arg(long)]
        device: String,
    },
    /// Release a quarantined device: fabric-wide operations include it again, and its run of
    /// failures starts from nothing (docs/rollout.md).
    #[command(after_help = EXIT_CODES_HELP)]
    Release {
        /// The fabric's id.
        #[arg(long)]
        fabric: String,
        /// The device's id.
        #[arg(long)]
        device: String,
    },
}

/// `rotor operation ...`: accepted requests and their results.
#[derive(Debug, Subcommand)]
pub enum OperationCommand {
    /// One operation with every device's result.
    #[command(after_help = EXIT_CODES_HELP)]
    Show {
        /// The operation id (printed when the request was accepted).
        id: String,
    },
    /// Continue a Halted operation once the cause of its failures is fixed: the devices not
    /// attempted are released again (operator role).
    #[command(after_help = EXIT_CODES_HELP)]
    Resume {
        /// The operation id.
        id: String,
        /// Whether to wait for the operation to end.
        #[command(flatten)]
        wait: WaitArgs,
    },
    /// End a running or Halted operation: nothing more is released, devices at work finish
    /// their stage safely, the rest are NotAttempted (operator role).
    #[command(after_help = EXIT_CODES_HELP)]
    Cancel {
        /// The operation id.
        id: String,
        /// Whether to wait for the operation to end.
        #[command(flatten)]
        wait: WaitArgs,
    },
    /// Recent operations, newest first.
    #[command(after_help = EXIT_CODES_HELP)]
    List {
        /// Only this fabric's.
        #[arg(long)]
        fabric: Option<String>,
        /// At most this many.
        #[arg(long, default_value_t = 20)]
        limit: u32,
    },
}

/// `rotor schedule ...`: when Rotor rotates a fabric by itself.
#[derive(Debug, Subcommand)]
pub enum ScheduleCommand {
    /// Set (or replace) a fabric's schedule; its first run is due a period (or the calendar's
    /// next time) from now, in the first maintenance window after that (operator role).
    #[command(after_help = SCHEDULE_HELP)]
    Set {
        /// The fabric's id.
        #[arg(long)]
        fabric: String,
        /// A period after the start of the last scheduled run: 90d, 12h, 30m, 1d12h, 2w.
        #[arg(
            long,
            conflicts_with = "calendar",
            required_unless_present = "calendar"
        )]
        every: Option<String>,
        /// A 5-field cron expression (minute hour day month weekday), in the time zone:
        /// "0 3 * * sat" is every Saturday at 03:00.
        #[arg(long)]
        calendar: Option<String>,
        /// A maintenance window (repeatable): "sat,sun 02:00-06:00", "mon-fri 22:00-04:00",
        /// "daily 01:00-05:00". None: any time.
        #[arg(long = "window", value_name = "WINDOW")]
        windows: Vec<String>,
        /// The IANA time zone of the calendar and the windows, e.g. Europe/Paris.
        #[arg(long, default_value = "UTC")]
        time_zone: String,
        /// What each run does: rotate (new passwords) or resync (push the current ones to the
        /// devices that do not hold them).
        #[arg(long, value_enum, default_value_t = ScheduledRunKind::Rotate)]
        run: ScheduledRunKind,
        /// A device user to rotate (repeatable). Default: every mapped user.
        #[arg(long = "user", value_name = "USER")]
        users: Vec<String>,
    },
    /// A fabric's schedule: the next run, the last one, missed windows.
    #[command(after_help = EXIT_CODES_HELP)]
    Show {
        /// The fabric's id.
        #[arg(long)]
        fabric: String,
    },
    /// Start no scheduled run until resumed (operator role).
    #[command(after_help = EXIT_CODES_HELP)]
    Pause {
        /// The fabric's id.
        #[arg(long)]
        fabric: String,
    },
    /// Start scheduled runs again; a run that came due while paused starts at the next window
    /// (operator role).
    #[command(after_help = EXIT_CODES_HELP)]
    Resume {
        /// The fabric's id.
        #[arg(long)]
        fabric: String,
    },
    /// Remove a fabric's schedule (operator role).
    #[command(after_help = EXIT_CODES_HELP)]
    Delete {
        /// The fabric's id.
        #[arg(long)]
        fabric: String,
    },
}

/// What a scheduled run does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ScheduledRunKind {
    /// A fabric rotate: new passwords for every mapped user (or the `--user`s).
    Rotate,
    /// A fabric resync: the current passwords to every device not in sync.
    Resync,
}

const SCHEDULE_HELP: &str = "Examples:
  rotor schedule set --fabric fab1 --every 90d --window \"sat,sun 02:00-06:00\" --time-zone Europe/Paris
  rotor schedule set --fabric fab1 --calendar \"0 3 1 */3 *\" --window \"daily 02:00-06:00\"
  rotor schedule set --fabric fab1 --every 1d --run resync

Exit codes: as every verb's (`rotor schedule show --help` lists them).";

/// `rotor events ...`: stage events.
#[derive(Debug, Subcommand)]
pub enum EventsCommand {
    /// Print stage events as they happen (one line each; one JSON object per line with
    /// `-o json`) until Ctrl-C.
    #[command(after_help = EXIT_CODES_HELP)]
    Watch {
        /// Only this fabric's events.
        #[arg(long)]
        fabric: Option<String>,
        /// Only this device's events.
        #[arg(long)]
        device: Option<String>,
        /// Only this operation's events.
        #[arg(long)]
        operation: Option<String>,
        /// Replay the retained history first.
        #[arg(long)]
        from_start: bool,
    },
}

/// `rotor backup ...`: configuration backups.
#[derive(Debug, Subcommand)]
pub enum BackupCommand {
    /// A fabric's backups (or one device's), newest first.
    #[command(after_help = EXIT_CODES_HELP)]
    List {
        /// The fabric's id.
        #[arg(long)]
        fabric: String,
        /// Only this device's backups.
        #[arg(long)]
        device: Option<String>,
    },
    /// One backup: what it is and the running configuration it holds (hashes masked).
    #[command(after_help = EXIT_CODES_HELP)]
    Show {
        /// The backup's name, `<fabric>/<device>/<operation>`.
        name: String,
    },
}

/// `rotor inventory ...`: importing and showing inventories.
#[derive(Debug, Subcommand)]
pub enum InventoryCommand {
    /// Read an inventory file and every intended configuration it names, check them, and send
    /// them to Rotor.
    #[command(after_help = EXIT_CODES_HELP)]
    Import {
        /// The inventory YAML (docs/inventory.md); intended configurations are read relative to
        /// it.
        file: PathBuf,
    },
    /// The inventory Rotor holds for a fabric, as YAML.
    #[command(after_help = EXIT_CODES_HELP)]
    Show {
        /// The fabric's id.
        #[arg(long)]
        fabric: String,
    },
}

/// `rotor lock ...`: the fabric lock, for other fabric-wide work.
#[derive(Debug, Subcommand)]
pub enum LockCommand {
    /// Take the fabric lock; Rotor refuses fabric-wide operations until it is released or its
    /// lease expires. Prints the lease id needed to renew or release it.
    #[command(after_help = EXIT_CODES_HELP)]
    Acquire {
        /// The fabric's id.
        #[arg(long)]
        fabric: String,
        /// Why, e.g. `upgrade to 5.9`.
        #[arg(long, default_value = "")]
        purpose: String,
        /// Lease length (0: the server's default, 300 s unless configured).
        #[arg(long, default_value_t = 0)]
        lease_seconds: u32,
    },
    /// Extend a lock you hold.
    #[command(after_help = EXIT_CODES_HELP)]
    Renew {
        /// The fabric's id.
        #[arg(long)]
        fabric: String,
        /// The lease id `lock acquire` printed.
        #[arg(long)]
        lease_id: String,
        /// New lease length from now (0: the server's default, 300 s unless configured).
        #[arg(long, default_value_t = 0)]
        lease_seconds: u32,
    },
    /// Give back a lock you hold.
    #[command(after_help = EXIT_CODES_HELP)]
    Release {
        /// The fabric's id.
        #[arg(long)]
        fabric: String,
        /// The lease id `lock acquire` printed.
        #[arg(long)]
        lease_id: String,
    },
    /// Who holds a fabric's lock, if anyone.
    #[command(after_help = EXIT_CODES_HELP)]
    Show {
        /// The fabric's id.
        #[arg(long)]
        fabric: String,
    },
}

/// Which ports the local stack uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum PortsMode {
    /// The well-known ports: NATS 4222, OpenBao 8200, API 50051, simulator control 50052, web console 50053.
    Default,
    /// Free ports chosen at start (several stacks side by side; printed when ready).
    Auto,
}

impl PortsMode {
    /// The local stack's choice of ports.
    pub fn choice(self) -> rotor_stack::ports::PortChoice {
        match self {
            PortsMode::Default => rotor_stack::ports::PortChoice::WellKnown,
            PortsMode::Auto => rotor_stack::ports::PortChoice::Free,
        }
    }
}

/// How long the simulated switches take to answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Latency {
    /// At once.
    None,
    /// Roughly a real Cumulus Linux switch: logins ~50 ms, diffs ~300 ms, applies 2-5 s.
    Realistic,
}

impl Latency {
    /// The simulator's latency profile for this choice.
    pub fn profile(self) -> rotor_sim::LatencyProfile {
        match self {
            Latency::None => rotor_sim::LatencyProfile::none(),
            Latency::Realistic => rotor_sim::LatencyProfile::realistic(),
        }
    }
}

/// The flags of `rotor up`.
#[derive(Clone, Debug, Args)]
pub struct UpArgs {
    /// How many simulated devices.
    #[arg(long, default_value_t = 24, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub devices: u32,
    /// Relative weights of the platforms, e.g. `cumulus=20,nvos=4` or `nvos=1`.
    #[arg(long, default_value = "cumulus=20,nvos=4", value_parser = parse_mix)]
    pub platform_mix: rotor_sim::PlatformMix,
    /// The fabric's id.
    #[arg(long, default_value = "fab1", value_parser = parse_name)]
    pub fabric: String,
    /// How many simulated fabrics, each with `--devices` devices and its own password: the
    /// first is `--fabric`, the others count on from it (`fab1`, `fab2`, ...; `pod`, `pod-2`,
    /// ...).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=20))]
    pub fabrics: u32,
    /// Where logs, the NATS store and the exported inventory go. Default: `.rotor` in the
    /// current directory. Its `nats/` and `inventory/` are emptied at start.
    #[arg(long, env = "ROTOR_STATE_DIR")]
    pub state_dir: Option<PathBuf>,
    /// `default`: the well-known ports (a busy one stops the start, naming it); `auto`: free
    /// ports.
    #[arg(long, value_enum, default_value_t = PortsMode::Default)]
    pub ports: PortsMode,
    /// How long the simulated switches take to answer.
    #[arg(long, value_enum, default_value_t = Latency::None)]
    pub latency: Latency,
}

/// The flags of `rotor demo`.
#[derive(Clone, Debug, Args)]
pub struct DemoArgs {
    /// How many simulated devices (at least 10).
    #[arg(long, default_value_t = 24, value_parser = clap::value_parser!(u32).range(10..=1000))]
    pub devices: u32,
    /// Keep the temporary folder with every service's log after the demo.
    #[arg(long)]
    pub keep_logs: bool,
    /// How long the simulated switches take to answer (`none` makes the tour take seconds).
    #[arg(long, value_enum, default_value_t = Latency::Realistic)]
    pub latency: Latency,
}

/// The ids of `count` fabrics starting at `first`: a trailing number counts on (`fab1`, `fab2`),
/// otherwise `-2`, `-3`, ... are added (`pod`, `pod-2`).
pub fn fabric_ids(first: &str, count: u32) -> Vec<String> {
    let digits = first.len() - first.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    let (stem, start) = match first[first.len() - digits..].parse::<u64>() {
        Ok(number) if digits > 0 => (&first[..first.len() - digits], number),
        _ => {
            return std::iter::once(first.to_string())
                .chain((2..=u64::from(count)).map(|n| format!("{first}-{n}")))
                .collect();
        }
    };
    (0..u64::from(count))
        .map(|offset| format!("{stem}{:0digits$}", start + offset))
        .collect()
}

fn parse_name(text: &str) -> Result<String, String> {
    rotor_inventory::check_name(text).map(|()| text.to_string())
}

fn parse_mix(text: &str) -> Result<rotor_sim::PlatformMix, String> {
    rotor_sim::PlatformMix::parse(text)
}

/// The verbs that start their own local stack: `--server` and `--output` mean nothing there,
/// so their help leaves them out and giving one is a usage error.
const LOCAL_VERBS: [&str; 2] = ["up", "demo"];

/// The global flags a [`LOCAL_VERBS`] verb has no use for (clap ids).
const REMOTE_FLAGS: [(&str, &str); 4] = [
    ("server", "--server"),
    ("token", "--token"),
    ("ca_file", "--ca-file"),
    ("output", "--output"),
];

/// The command line's definition, with the flags [`LOCAL_VERBS`] ignore hidden from their help.
pub fn command() -> clap::Command {
    use clap::CommandFactory;
    let mut command = Cli::command();
    // A subcommand's own argument with a global's id takes its place there: the same flag
    // (value, environment, default), hidden.
    let hidden: Vec<clap::Arg> = command
        .get_arguments()
        .filter(|arg| REMOTE_FLAGS.iter().any(|(id, _)| arg.get_id() == *id))
        .map(|arg| arg.clone().global(false).hide(true))
        .collect();
    for verb in LOCAL_VERBS {
        command = command.mut_subcommand(verb, |sub| {
            hidden.iter().fold(sub, |sub, arg| sub.arg(arg.clone()))
        });
    }
    command
}

impl Cli {
    /// Parses `arguments` (the program name first), or says what is wrong (clap's error, which
    /// also carries `--help` and `--version`).
    pub fn try_parse_arguments<I, T>(arguments: I) -> Result<Cli, clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<std::ffi::OsString> + Clone,
    {
        use clap::FromArgMatches;
        let mut command = command();
        let matches = command.try_get_matches_from_mut(arguments)?;
        if let Some((verb, sub)) = matches.subcommand()
            && LOCAL_VERBS.contains(&verb)
        {
            for (id, flag) in REMOTE_FLAGS {
                if sub.value_source(id) == Some(clap::parser::ValueSource::CommandLine) {
                    return Err(command.error(
                        clap::error::ErrorKind::ArgumentConflict,
                        format!(
                            "`rotor {verb}` starts its own local stack and prints for itself; {flag} does nothing there"
                        ),
                    ));
                }
            }
        }
        Cli::from_arg_matches(&matches).map_err(|error| error.format(&mut command))
    }

    /// Parses the process's command line, exiting with clap's message when it is wrong.
    pub fn parse_arguments() -> Cli {
        Cli::try_parse_arguments(std::env::args_os()).unwrap_or_else(|error| error.exit())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
        command().debug_assert();
    }

    #[test]
    fn further_fabrics_count_on_from_the_first() {
        assert_eq!(fabric_ids("fab1", 3), ["fab1", "fab2", "fab3"]);
        assert_eq!(fabric_ids("pod", 3), ["pod", "pod-2", "pod-3"]);
        assert_eq!(fabric_ids("dc-09", 2), ["dc-09", "dc-10"]);
        assert_eq!(fabric_ids("7", 2), ["7", "8"]);
        assert_eq!(fabric_ids("fab1", 1), ["fab1"]);
    }

    #[test]
    fn local_verbs_neither_list_nor_take_the_remote_flags() {
        let help = |arguments: &[&str]| {
            let error = Cli::try_parse_arguments(arguments).unwrap_err();
            assert_eq!(error.kind(), clap::error::ErrorKind::DisplayHelp);
            error.to_string()
        };
        let up = help(&["rotor", "up", "--help"]);
        assert!(!up.contains("--server"), "{up}");
        assert!(!up.contains("--output"), "{up}");
        assert!(up.contains("--devices"), "{up}");
        assert!(!help(&["rotor", "demo", "--help"]).contains("--server"));
        assert!(help(&["rotor", "fabric", "rotate-password", "--help"]).contains("--server"));
        for arguments in [
            &["rotor", "up", "--server", "http://x:1"][..],
            &["rotor", "-o", "json", "up"],
            &["rotor", "demo", "--output", "table"],
        ] {
            let error = Cli::try_parse_arguments(arguments).unwrap_err();
            let error = format!("{:?} {error}", error.kind());
            assert!(
                error.contains("does nothing there"),
                "{arguments:?}: {error}"
            );
        }
        assert!(Cli::try_parse_arguments(["rotor", "up", "--devices", "3"]).is_ok());
        assert!(
            Cli::try_parse_arguments(["rotor", "-o", "json", "fabric", "show", "--fabric", "f"])
                .is_ok()
        );
    }
}
