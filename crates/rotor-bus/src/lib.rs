//! Rotor's bus: connecting to NATS JetStream and the streams, consumers, key-value buckets and
//! object store every service shares.
//!
//! - [`names`]: every subject, stream, consumer and bucket name, built by functions.
//! - [`Bus`]: a connection plus [`Bus::ensure_topology`], which creates everything idempotently
//!   at start-up, and publish helpers that set message ids (duplicate suppression) and carry the
//!   W3C trace context in headers ([`trace`]).
//! - [`kv`]: protobuf and JSON values in key-value buckets, prefix scans, compare-and-set.
//! - [`lease`]: leases with an expiry that their holder renews (fabric locks, leadership).
//! - [`audit`]: recording and reading the audit stream.
//!
//! Invariant: all state lives in JetStream; nothing a service needs after a restart is kept only
//! in its memory.

#![warn(missing_docs)]

pub mod audit;
pub mod kv;
pub mod lease;
pub mod names;
pub mod permissions;
pub mod server_log;
pub mod trace;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use async_nats::jetstream::{self, consumer, kv as nats_kv, object_store, stream};
use async_nats::{HeaderMap, ServerAddr};
use bytes::Bytes;
use prost::Message;
use rotor_proto::v1::StageEvent;

pub use names::JobKind;

/// How to reach NATS and how to shape what Rotor creates there.
#[derive(Clone, Debug)]
pub struct BusSettings {
    /// Server URL(s), comma separated, e.g. `nats://127.0.0.1:4222`.
    pub url: String,
    /// Shown in the server's connection list.
    pub client_name: String,
    /// User name and password, when the server requires them (the password never prints).
    pub user: Option<String>,
    /// The password for `user`; used only when both are set.
    pub password: Option<secrecy::SecretString>,
    /// A `.creds` file (JWT + NKey), when the server uses decentralised auth.
    pub credentials_file: Option<PathBuf>,
    /// A file holding an NKey seed (`SU...`), when the server knows the user by its public key
    /// (Rotor's accounts, `deploy/nats-accounts.conf`).
    pub nkey_seed_file: Option<PathBuf>,
    /// The subject prefix of this connection's reply inboxes (`_INBOX_<user>`,
    /// [`permissions::inbox_prefix`]); the server lets a user read its own only.
    pub inbox_prefix: Option<String>,
    /// A CA certificate to trust for TLS; setting it requires TLS.
    pub tls_ca_file: Option<PathBuf>,
    /// Require TLS even without a custom CA.
    pub tls_required: bool,
    /// How many copies of every stream and bucket a cluster keeps (1 on one server, 3 on three).
    pub replicas: usize,
    /// How long a worker may hold a job without acknowledging or extending it before it is
    /// handed to another copy. Workers extend it while a slow switch is still answering.
    pub job_ack_wait: Duration,
    /// How many times a job is delivered before it is given up (the last try reports failure).
    pub job_max_deliver: i64,
    /// How long published message ids are remembered to drop duplicates.
    pub duplicate_window: Duration,
    /// How long stage events are kept for replay.
    pub event_retention: Duration,
    /// How long audit records are kept ([`names::AUDIT_STREAM`]).
    pub audit_retention: Duration,
    /// At most this many bytes of audit records are kept (the oldest go first).
    pub audit_max_bytes: i64,
    /// At most this many bytes of rejected messages are kept ([`names::REJECTED_STREAM`];
    /// the oldest go first).
    pub rejected_max_bytes: i64,
    /// How long a request id's answer is kept ([`names::buckets::REQUESTS`]): a retry within it
    /// gets the first answer.
    pub request_id_retention: Duration,
    /// At most this many bytes of request ids; a full bucket refuses new ids.
    pub requests_max_bytes: i64,
    /// How long a stage mark is kept ([`names::buckets::STAGE_MARKS`]); only a redelivered job
    /// of a running operation reads one.
    pub stage_mark_retention: Duration,
    /// At most this many bytes of stage marks; a full bucket refuses new marks.
    pub stage_marks_max_bytes: i64,
    /// At most this many bytes of stage events ([`names::EVENTS_STREAM`]; the oldest go first).
    pub events_max_bytes: i64,
    /// At most this many bytes of jobs waiting for a worker ([`names::JOBS_STREAM`]); a full
    /// stream refuses new jobs.
    pub jobs_max_bytes: i64,
    /// At most this many bytes of webhook notifications waiting to be posted
    /// ([`names::NOTIFICATIONS_STREAM`]); a full stream refuses new ones (the aggregator
    /// retries the batch that made them).
    pub notifications_max_bytes: i64,
    /// How long an operation's status, plan and device results are kept after their last write
    /// ([`names::buckets::OPERATIONS`], [`names::buckets::OPERATION_RESULTS`]).
    pub operation_retention: Duration,
    /// At most this many bytes in each of the operations and the results buckets; a full bucket
    /// refuses new operations (the orchestrator checks for room before it accepts one).
    pub operations_max_bytes: i64,
    /// How long a backup (object and index entry) is kept.
    pub backup_retention: Duration,
    /// At most this many bytes of backups in the object store; a full store refuses new backups.
    pub backups_max_bytes: i64,
    /// How long a lease record is kept after its last write ([`names::buckets::LEASES`]): a
    /// holder renews its lease far more often, so only the records of long-gone holders go.
    pub lease_record_retention: Duration,
    /// At most this many bytes in each bucket of current state (inventory, intended
    /// configurations, statuses, credentials, the login ledger, switches, leases, the backup
    /// index). These keep no expiry: forgetting a device's state or its failed logins would be
    /// unsafe, so a full bucket refuses writes instead.
    pub state_max_bytes: i64,
    /// How long to wait for the server when connecting and for each request.
    pub timeout: Duration,
}

impl Default for BusSettings {
    fn default() -> Self {
        BusSettings {
            url: "nats://127.0.0.1:4222".to_string(),
            client_name: "rotor".to_string(),
            user: None,
            password: None,
            credentials_file: None,
            nkey_seed_file: None,
            inbox_prefix: None,
            tls_ca_file: None,
            tls_required: false,
            replicas: 1,
            job_ack_wait: Duration::from_secs(60),
            job_max_deliver: 6,
            duplicate_window: Duration::from_secs(30 * 60),
            event_retention: Duration::from_secs(7 * 24 * 3600),
            audit_retention: Duration::from_secs(400 * 24 * 3600),
            audit_max_bytes: 1 << 30,
            rejected_max_bytes: 256 << 20,
            request_id_retention: Duration::from_secs(7 * 24 * 3600),
            requests_max_bytes: 1 << 30,
            stage_mark_retention: Duration::from_secs(2 * 24 * 3600),
            stage_marks_max_bytes: 1 << 30,
            events_max_bytes: 4 << 30,
            jobs_max_bytes: 256 << 20,
            notifications_max_bytes: 64 << 20,
            operation_retention: Duration::from_secs(400 * 24 * 3600),
            operations_max_bytes: 1 << 30,
            backup_retention: Duration::from_secs(400 * 24 * 3600),
            backups_max_bytes: 4 << 30,
            lease_record_retention: Duration::from_secs(7 * 24 * 3600),
            state_max_bytes: 256 << 20,
            timeout: Duration::from_secs(10),
        }
    }
}

impl BusSettings {
    /// How long each bucket keeps a key after its last write (zero: no expiry) and how many
    /// bytes it may hold. Every bucket has a byte limit and refuses writes when full; only
    /// records of the past expire (request ids, stage marks, operations, backups, the records
    /// of lapsed leases), never current state.
    pub fn bucket_limits(&self, bucket: &str) -> (Duration, i64) {
        use names::buckets;
        match bucket {
            // A request id's answer is kept a week by default: a retry within it is not run
            // twice. Stage marks matter only while their operation runs.
            buckets::REQUESTS => (self.request_id_retention, self.requests_max_bytes),
            buckets::STAGE_MARKS => (self.stage_mark_retention, self.stage_marks_max_bytes),
            buckets::OPERATIONS | buckets::OPERATION_RESULTS => {
                (self.operation_retention, self.operations_max_bytes)
            }
            buckets::BACKUP_INDEX => (self.backup_retention, self.state_max_bytes),
            buckets::LEASES => (self.lease_record_retention, self.state_max_bytes),
            _ => (Duration::ZERO, self.state_max_bytes),
        }
    }
}

impl BusSettings {
    /// The defaults with the byte limits of a small local server (a local stack's or a test's,
    /// whose `max_file_store` is 4 GB): the defaults are sized for a deployment and would not
    /// fit in it.
    pub fn local() -> BusSettings {
        BusSettings {
            audit_max_bytes: 256 << 20,
            rejected_max_bytes: 64 << 20,
            requests_max_bytes: 128 << 20,
            stage_marks_max_bytes: 128 << 20,
            events_max_bytes: 1 << 30,
            jobs_max_bytes: 128 << 20,
            notifications_max_bytes: 16 << 20,
            operations_max_bytes: 256 << 20,
            backups_max_bytes: 512 << 20,
            state_max_bytes: 64 << 20,
            ..BusSettings::default()
        }
    }

    /// The byte limits as the `ROTOR_*` settings that set them (what a local stack gives its
    /// services).
    pub fn limit_settings(&self) -> Vec<(&'static str, String)> {
        [
            ("ROTOR_AUDIT_MAX_BYTES", self.audit_max_bytes),
            ("ROTOR_REJECTED_MAX_BYTES", self.rejected_max_bytes),
            ("ROTOR_REQUESTS_MAX_BYTES", self.requests_max_bytes),
            ("ROTOR_STAGE_MARKS_MAX_BYTES", self.stage_marks_max_bytes),
            ("ROTOR_EVENTS_MAX_BYTES", self.events_max_bytes),
            ("ROTOR_JOBS_MAX_BYTES", self.jobs_max_bytes),
            (
                "ROTOR_NOTIFICATIONS_MAX_BYTES",
                self.notifications_max_bytes,
            ),
            ("ROTOR_OPERATIONS_MAX_BYTES", self.operations_max_bytes),
            ("ROTOR_BACKUPS_MAX_BYTES", self.backups_max_bytes),
            ("ROTOR_STATE_MAX_BYTES", self.state_max_bytes),
        ]
        .into_iter()
        .map(|(name, bytes)| (name, bytes.to_string()))
        .collect()
    }

    /// What the byte limits add up to: JetStream reserves every stream's and bucket's limit in
    /// full against the server's `max_file_store` (per copy: each of `replicas` servers holds
    /// one), so this must fit in it or the topology cannot be created.
    pub fn reserved_bytes(&self) -> u64 {
        let buckets: i64 = names::buckets::ALL
            .iter()
            .map(|bucket| self.bucket_limits(bucket).1)
            .sum();
        (buckets
            + self.jobs_max_bytes
            + self.notifications_max_bytes
            + self.events_max_bytes
            + self.rejected_max_bytes
            + self.audit_max_bytes
            + self.backups_max_bytes) as u64
    }
}

/// The setting that holds the byte limit of a stream, bucket (by its name) or the object
/// store, for the message of a write refused because it is full.
pub fn limit_setting(name: &str) -> &'static str {
    use names::buckets;
    match name {
        buckets::REQUESTS => "ROTOR_REQUESTS_MAX_BYTES",
        buckets::STAGE_MARKS => "ROTOR_STAGE_MARKS_MAX_BYTES",
        buckets::OPERATIONS | buckets::OPERATION_RESULTS => "ROTOR_OPERATIONS_MAX_BYTES",
        names::BACKUPS_OBJECT_STORE => "ROTOR_BACKUPS_MAX_BYTES",
        names::JOBS_STREAM => "ROTOR_JOBS_MAX_BYTES",
        names::NOTIFICATIONS_STREAM => "ROTOR_NOTIFICATIONS_MAX_BYTES",
        names::EVENTS_STREAM => "ROTOR_EVENTS_MAX_BYTES",
        names::AUDIT_STREAM => "ROTOR_AUDIT_MAX_BYTES",
        names::REJECTED_STREAM => "ROTOR_REJECTED_MAX_BYTES",
        _ => "ROTOR_STATE_MAX_BYTES",
    }
}

/// What the server said about a write, and when it refused it because the stream or bucket
/// is full, which setting holds that limit.
pub fn with_limit_hint(name: &str, error: impl std::fmt::Display) -> String {
    let said = error.to_string();
    if said.contains("maximum bytes exceeded") {
        format!(
            "{said} ({name} is full: {} sets its limit)",
            limit_setting(name)
        )
    } else {
        said
    }
}

/// What can go wrong talking to the bus. Messages name the server, stream or bucket.
#[derive(Debug, thiserror::Error)]
pub enum BusError {
    /// The server could not be reached or refused the connection.
    #[error("cannot reach NATS at {url}: {reason}")]
    Connect {
        /// The URL(s) that were tried, as configured.
        url: String,
        /// What the client library said.
        reason: String,
    },
    /// A connection setting is unusable (a URL that does not parse, an unreadable `.creds`
    /// file).
    #[error("invalid NATS setting {setting}: {reason}")]
    Setting {
        /// The environment variable that holds the setting, e.g. `ROTOR_NATS_URL`.
        setting: &'static str,
        /// What is wrong with its value.
        reason: String,
    },
    /// A JetStream call failed: managing a stream or consumer, publishing, reading or writing a
    /// bucket or the object store.
    #[error("JetStream {what}: {reason}")]
    JetStream {
        /// What was being done, naming the stream, bucket or key.
        what: String,
        /// What the server or the client library said.
        reason: String,
    },
    /// A stored value or a message is not what it should be (bad protobuf or JSON).
    #[error("cannot decode {what}: {reason}")]
    Decode {
        /// Where the value came from, e.g. `<bucket>/<key>`.
        what: String,
        /// Why it does not decode.
        reason: String,
    },
    /// A compare-and-set lost: another writer changed the key between read and write.
    #[error("{what} was changed by someone else at the same time")]
    Conflict {
        /// The key (or lease) that was changed.
        what: String,
    },
}

impl BusError {
    pub(crate) fn jetstream(what: impl Into<String>, reason: impl std::fmt::Display) -> Self {
        BusError::JetStream {
            what: what.into(),
            reason: reason.to_string(),
        }
    }

    /// Whether the write was refused because its stream or bucket holds its byte limit
    /// (buckets refuse new writes when full rather than drop old keys).
    pub fn is_full(&self) -> bool {
        matches!(self, BusError::JetStream { reason, .. } if reason.contains("maximum bytes exceeded"))
    }
}

/// A connection to NATS with JetStream, shared by a service's tasks (cheap to clone).
#[derive(Clone, Debug)]
pub struct Bus {
    /// The underlying NATS connection, for core publish, subscribe and request/reply.
    pub client: async_nats::Client,
    /// The JetStream context on that connection, for streams, consumers, buckets and the object
    /// store.
    pub jetstream: jetstream::Context,
    settings: Arc<BusSettings>,
}

impl Bus {
    /// Connects, failing fast with a message that names the server when it cannot be reached.
    pub async fn connect(settings: BusSettings) -> Result<Bus, BusError> {
        // Name ring as the process's TLS provider, so that every TLS configuration built in
        // this process (NATS's here, the secrets store's HTTP client) uses the same one.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let addresses: Vec<ServerAddr> = settings
            .url
            .split(',')
            .map(|url| {
                url.trim()
                    .parse::<ServerAddr>()
                    .map_err(|e| BusError::Setting {
                        setting: "ROTOR_NATS_URL",
                        reason: format!("{url:?} is not a NATS URL: {e}"),
                    })
            })
            .collect::<Result<_, _>>()?;
        let mut options = async_nats::ConnectOptions::new()
            .name(&settings.client_name)
            .connection_timeout(settings.timeout)
            .request_timeout(Some(settings.timeout))
            .max_reconnects(None);
        if let (Some(user), Some(password)) = (&settings.user, &settings.password) {
            options = options.user_and_password(
                user.clone(),
                secrecy::ExposeSecret::expose_secret(password).to_string(),
            );
        }
        if let Some(path) = &settings.credentials_file {
            options = options
                .credentials_file(path)
                .await
                .map_err(|e| BusError::Setting {
                    setting: "ROTOR_NATS_CREDENTIALS",
                    reason: format!("cannot read {}: {e}", path.display()),
                })?;
        }
        if let Some(path) = &settings.nkey_seed_file {
            let seed = std::fs::read_to_string(path).map_err(|e| BusError::Setting {
                setting: "ROTOR_NATS_NKEY_FILE",
                reason: format!("cannot read {}: {e}", path.display()),
            })?;
            let seed = seed.trim().to_string();
            if nkeys::KeyPair::from_seed(&seed).is_err() {
                return Err(BusError::Setting {
                    setting: "ROTOR_NATS_NKEY_FILE",
                    reason: format!("{} does not hold an NKey seed (SU...)", path.display()),
                });
            }
            options = options.nkey(seed);
        }
        if let Some(prefix) = &settings.inbox_prefix {
            options = options.custom_inbox_prefix(prefix);
        }
        if let Some(path) = &settings.tls_ca_file {
            options = options
                .add_root_certificates(path.clone())
                .require_tls(true);
        }
        if settings.tls_required {
            options = options.require_tls(true);
        }
        let client = options
            .connect(addresses)
            .await
            .map_err(|e| BusError::Connect {
                url: settings.url.clone(),
                reason: e.to_string(),
            })?;
        let jetstream = jetstream::new(client.clone());
        Ok(Bus {
            client,
            jetstream,
            settings: Arc::new(settings),
        })
    }

    /// The settings this connection was made with.
    pub fn settings(&self) -> &BusSettings {
        &self.settings
    }

    /// Creates (or updates to the current shape) every stream, consumer, bucket and object
    /// store. Safe to call from every copy of every service at every start. While a JetStream
    /// cluster is still forming (no leader yet, peers not all known), it retries for up to a
    /// minute.
    pub async fn ensure_topology(&self) -> Result<Topology, BusError> {
        self.topology(true).await
    }

    /// Opens every stream, bucket and the object store without creating or changing any: what a
    /// service whose NATS user may not manage the topology does (every kind but the
    /// orchestrator, `permissions`). Until the orchestrator has created them (a worker started
    /// first), it waits, up to two minutes.
    pub async fn open_topology(&self) -> Result<Topology, BusError> {
        self.topology(false).await
    }

    async fn topology(&self, manage: bool) -> Result<Topology, BusError> {
        let deadline =
            tokio::time::Instant::now() + Duration::from_secs(if manage { 60 } else { 120 });
        let mut said = false;
        loop {
            match self.try_topology(manage).await {
                Err(error)
                    if (is_cluster_forming(&error) || (!manage && is_missing(&error)))
                        && tokio::time::Instant::now() < deadline =>
                {
                    if !said {
                        tracing::info!(%error, "the bus topology is not ready yet (JetStream forming, or the orchestrator has not created it); retrying");
                        said = true;
                    }
                    tokio::time::sleep(Duration::from_millis(250)).await;
                }
                result => return result,
            }
        }
    }

    async fn stream(&self, manage: bool, config: stream::Config) -> Result<(), BusError> {
        let name = config.name.clone();
        let result = if manage {
            self.jetstream
                .create_or_update_stream(config)
                .await
                .map(drop)
                .map_err(|e| e.to_string())
        } else {
            self.jetstream
                .get_stream(&name)
                .await
                .map(drop)
                .map_err(|e| e.to_string())
        };
        result.map_err(|reason| BusError::JetStream {
            what: format!("stream {name}"),
            reason,
        })
    }

    async fn try_topology(&self, manage: bool) -> Result<Topology, BusError> {
        let settings = &self.settings;
        let js = &self.jetstream;
        self.stream(
            manage,
            stream::Config {
                name: names::JOBS_STREAM.to_string(),
                description: Some(
                    "Per-device jobs, one work-queue consumer per worker kind".into(),
                ),
                subjects: vec![names::JOBS_ALL.to_string()],
                retention: stream::RetentionPolicy::WorkQueue,
                max_bytes: settings.jobs_max_bytes,
                discard: stream::DiscardPolicy::New,
                duplicate_window: settings.duplicate_window,
                num_replicas: settings.replicas,
                storage: stream::StorageType::File,
                ..Default::default()
            },
        )
        .await?;
        self.stream(
            manage,
            stream::Config {
                name: names::EVENTS_STREAM.to_string(),
                description: Some("Stage events of every device, kept for replay".into()),
                subjects: vec![
                    names::EVENTS_ALL.to_string(),
                    names::ROLLOUT_ALL.to_string(),
                ],
                retention: stream::RetentionPolicy::Limits,
                max_age: settings.event_retention,
                max_bytes: settings.events_max_bytes,
                discard: stream::DiscardPolicy::Old,
                duplicate_window: settings.duplicate_window,
                num_replicas: settings.replicas,
                storage: stream::StorageType::File,
                ..Default::default()
            },
        )
        .await?;
        self.stream(
            manage,
            stream::Config {
                name: names::REJECTED_STREAM.to_string(),
                description: Some("Messages a service could not decode, for inspection".into()),
                subjects: vec![names::REJECTED_ALL.to_string()],
                retention: stream::RetentionPolicy::Limits,
                max_age: settings.event_retention,
                max_messages: 100_000,
                max_bytes: settings.rejected_max_bytes,
                num_replicas: settings.replicas,
                ..Default::default()
            },
        )
        .await?;
        self.stream(
            manage,
            stream::Config {
                name: names::AUDIT_STREAM.to_string(),
                description: Some(
                    "Audit: every API call, bus request and operation end, with who and the outcome"
                        .into(),
                ),
                subjects: vec![names::AUDIT_ALL.to_string()],
                retention: stream::RetentionPolicy::Limits,
                max_age: settings.audit_retention,
                max_bytes: settings.audit_max_bytes,
                discard: stream::DiscardPolicy::Old,
                num_replicas: settings.replicas,
                storage: stream::StorageType::File,
                ..Default::default()
            },
        )
        .await?;
        self.stream(
            manage,
            stream::Config {
                name: names::NOTIFICATIONS_STREAM.to_string(),
                description: Some(
                    "Webhook notifications, each kept until a webhook took it or it was given up"
                        .into(),
                ),
                subjects: vec![names::NOTIFICATIONS_ALL.to_string()],
                retention: stream::RetentionPolicy::WorkQueue,
                max_bytes: settings.notifications_max_bytes,
                discard: stream::DiscardPolicy::New,
                duplicate_window: settings.duplicate_window,
                num_replicas: settings.replicas,
                storage: stream::StorageType::File,
                ..Default::default()
            },
        )
        .await?;

        if manage {
            for kind in JobKind::ALL {
                self.ensure_job_consumer(kind).await?;
            }
            self.ensure_aggregator_consumer().await?;
            self.ensure_notifier_consumer().await?;
        }

        let mut buckets = std::collections::HashMap::new();
        for bucket in names::buckets::ALL {
            let history = if bucket == names::buckets::LEASES {
                5
            } else {
                1
            };
            let (max_age, max_bytes) = settings.bucket_limits(bucket);
            let store = if manage {
                js.create_or_update_key_value(nats_kv::Config {
                    bucket: bucket.to_string(),
                    history,
                    max_age,
                    max_bytes,
                    num_replicas: settings.replicas,
                    storage: stream::StorageType::File,
                    ..Default::default()
                })
                .await
                .map_err(|e| e.to_string())
            } else {
                js.get_key_value(bucket).await.map_err(|e| e.to_string())
            }
            .map_err(|reason| BusError::JetStream {
                what: format!("key-value bucket {bucket}"),
                reason,
            })?;
            buckets.insert(bucket, store);
        }
        let backups = self.backups_store(manage).await?;
        let take = |name: &str| {
            buckets
                .get(name)
                .cloned()
                .expect("every bucket was created")
        };
        Ok(Topology {
            inventory: take(names::buckets::INVENTORY),
            intended_configs: take(names::buckets::INTENDED_CONFIGS),
            device_status: take(names::buckets::DEVICE_STATUS),
            fabric_status: take(names::buckets::FABRIC_STATUS),
            operations: take(names::buckets::OPERATIONS),
            operation_results: take(names::buckets::OPERATION_RESULTS),
            requests: take(names::buckets::REQUESTS),
            leases: take(names::buckets::LEASES),
            credentials: take(names::buckets::CREDENTIALS),
            login_attempts: take(names::buckets::LOGIN_ATTEMPTS),
            stage_marks: take(names::buckets::STAGE_MARKS),
            backup_index: take(names::buckets::BACKUP_INDEX),
            switches: take(names::buckets::SWITCHES),
            quarantine: take(names::buckets::QUARANTINE),
            schedules: take(names::buckets::SCHEDULES),
            backups,
        })
    }

    /// The backups object store, created with its retention and byte limit, or (managing) its
    /// limits brought up to the settings: the client library creates an object store's stream
    /// but never changes it, so its limits are set on the stream.
    async fn backups_store(&self, manage: bool) -> Result<object_store::ObjectStore, BusError> {
        let settings = &self.settings;
        let what = || format!("object store {}", names::BACKUPS_OBJECT_STORE);
        let store = match self
            .jetstream
            .get_object_store(names::BACKUPS_OBJECT_STORE)
            .await
        {
            Ok(store) => store,
            Err(error) if !manage => return Err(BusError::jetstream(what(), error)),
            Err(_) => {
                return self
                    .jetstream
                    .create_object_store(object_store::Config {
                        bucket: names::BACKUPS_OBJECT_STORE.to_string(),
                        description: Some("Running-config backups taken by perform_backup".into()),
                        max_age: settings.backup_retention,
                        max_bytes: settings.backups_max_bytes,
                        num_replicas: settings.replicas,
                        storage: stream::StorageType::File,
                        ..Default::default()
                    })
                    .await
                    .map_err(|e| BusError::jetstream(what(), e));
            }
        };
        if manage {
            let name = names::object_store_stream(names::BACKUPS_OBJECT_STORE);
            let mut stream = self
                .jetstream
                .get_stream(&name)
                .await
                .map_err(|e| BusError::jetstream(what(), e))?;
            let mut config = stream
                .info()
                .await
                .map_err(|e| BusError::jetstream(what(), e))?
                .config
                .clone();
            if config.max_age != settings.backup_retention
                || config.max_bytes != settings.backups_max_bytes
            {
                config.max_age = settings.backup_retention;
                config.max_bytes = settings.backups_max_bytes;
                self.jetstream
                    .update_stream(config)
                    .await
                    .map_err(|e| BusError::jetstream(what(), e))?;
            }
        }
        Ok(store)
    }

    async fn ensure_job_consumer(&self, kind: JobKind) -> Result<(), BusError> {
        let config = consumer::pull::Config {
            durable_name: Some(kind.consumer_name().to_string()),
            description: Some(format!("{} jobs, shared by every copy", kind.token())),
            filter_subject: kind.filter_subject(),
            ack_policy: consumer::AckPolicy::Explicit,
            ack_wait: self.settings.job_ack_wait,
            max_deliver: self.settings.job_max_deliver,
            max_ack_pending: 100_000,
            max_waiting: 4096,
            num_replicas: self.settings.replicas,
            ..Default::default()
        };
        self.create_or_update_consumer(names::JOBS_STREAM, config)
            .await
    }

    async fn ensure_aggregator_consumer(&self) -> Result<(), BusError> {
        let config = consumer::pull::Config {
            durable_name: Some(names::AGGREGATOR_CONSUMER.to_string()),
            description: Some("Folds stage events into statuses".into()),
            filter_subject: names::EVENTS_ALL.to_string(),
            ack_policy: consumer::AckPolicy::Explicit,
            // A crashed leader's unacknowledged events go to the next leader after this.
            ack_wait: self.settings.job_ack_wait,
            max_deliver: -1,
            max_ack_pending: 100_000,
            num_replicas: self.settings.replicas,
            ..Default::default()
        };
        self.create_or_update_consumer(names::EVENTS_STREAM, config)
            .await
    }

    async fn ensure_notifier_consumer(&self) -> Result<(), BusError> {
        let config = consumer::pull::Config {
            durable_name: Some(names::NOTIFIER_CONSUMER.to_string()),
            description: Some("Posts webhook notifications, shared by every aggregator".into()),
            filter_subject: names::NOTIFICATIONS_ALL.to_string(),
            ack_policy: consumer::AckPolicy::Explicit,
            // A copy that died while posting hands the notification on after this.
            ack_wait: self.settings.job_ack_wait,
            // The notifier gives a notification up after its own number of attempts
            // (`ROTOR_WEBHOOK_MAX_ATTEMPTS`), with its backoff between them.
            max_deliver: -1,
            max_ack_pending: 10_000,
            num_replicas: self.settings.replicas,
            ..Default::default()
        };
        self.create_or_update_consumer(names::NOTIFICATIONS_STREAM, config)
            .await
    }

    /// The pull consumer every aggregator copy posts webhook notifications from.
    pub async fn notifier_consumer(&self) -> Result<consumer::PullConsumer, BusError> {
        self.jetstream
            .get_consumer_from_stream(names::NOTIFIER_CONSUMER, names::NOTIFICATIONS_STREAM)
            .await
            .map_err(|e| BusError::jetstream(format!("consumer {}", names::NOTIFIER_CONSUMER), e))
    }

    /// Publishes a webhook notification and waits until the notifications stream has stored
    /// it; `message_id` ([`names::notification_message_id`]) makes a repeat a no-op.
    pub async fn publish_notification(
        &self,
        subject: String,
        message_id: &str,
        payload: Bytes,
    ) -> Result<(), BusError> {
        let mut headers = HeaderMap::new();
        headers.insert(async_nats::header::NATS_MESSAGE_ID, message_id);
        let started = std::time::Instant::now();
        let stored = async {
            self.jetstream
                .publish_with_headers(subject, headers, payload)
                .await?
                .await
        }
        .await
        .map_err(|e| {
            BusError::jetstream(
                "publish notification",
                with_limit_hint(names::NOTIFICATIONS_STREAM, e),
            )
        });
        rotor_metrics::metrics().nats_publish("notification", started, stored.is_ok());
        stored.map(drop)
    }

    /// Creates the durable consumer `config` describes on `stream`, or updates it to `config`.
    async fn create_or_update_consumer(
        &self,
        stream: &str,
        config: consumer::pull::Config,
    ) -> Result<(), BusError> {
        let stream = self
            .jetstream
            .get_stream(stream)
            .await
            .map_err(|e| BusError::jetstream(format!("stream {stream}"), e))?;
        let name = config.durable_name.clone().unwrap_or_default();
        if stream.consumer_info(&name).await.is_ok() {
            stream
                .update_consumer(config)
                .await
                .map_err(|e| BusError::jetstream(format!("consumer {name}"), e))?;
        } else {
            stream
                .create_consumer(config)
                .await
                .map_err(|e| BusError::jetstream(format!("consumer {name}"), e))?;
        }
        Ok(())
    }

    /// The pull consumer shared by every copy of the worker that takes `kind`.
    pub async fn job_consumer(&self, kind: JobKind) -> Result<consumer::PullConsumer, BusError> {
        self.jetstream
            .get_consumer_from_stream(kind.consumer_name(), names::JOBS_STREAM)
            .await
            .map_err(|e| BusError::jetstream(format!("consumer {}", kind.consumer_name()), e))
    }

    /// The aggregator's pull consumer on the events stream.
    pub async fn aggregator_consumer(&self) -> Result<consumer::PullConsumer, BusError> {
        self.jetstream
            .get_consumer_from_stream(names::AGGREGATOR_CONSUMER, names::EVENTS_STREAM)
            .await
            .map_err(|e| BusError::jetstream("consumer aggregator", e))
    }

    /// Publishes a job for one device without waiting for the server's acknowledgement; await the
    /// returned future (many at once when fanning out). The message id makes a repeated publish
    /// of the same (operation, device, kind) a no-op.
    pub async fn publish_job(
        &self,
        kind: JobKind,
        fabric_id: &str,
        device_id: &str,
        operation_id: &str,
        job: &impl Message,
    ) -> Result<jetstream::context::PublishAckFuture, BusError> {
        let mut headers = HeaderMap::new();
        trace::inject_current(&mut headers);
        headers.insert(
            async_nats::header::NATS_MESSAGE_ID,
            names::job_message_id(kind, operation_id, device_id).as_str(),
        );
        let started = std::time::Instant::now();
        let published = self
            .jetstream
            .publish_with_headers(
                names::job_subject(kind, fabric_id, device_id),
                headers,
                Bytes::from(job.encode_to_vec()),
            )
            .await;
        rotor_metrics::metrics().nats_publish("job", started, published.is_ok());
        published.map_err(|e| BusError::jetstream(format!("publish {} job", kind.token()), e))
    }

    /// Publishes a stage event and waits until the events stream has stored it.
    pub async fn publish_event(&self, event: &StageEvent) -> Result<(), BusError> {
        self.publish_once(
            "publish stage event",
            names::event_subject(&event.fabric_id, &event.device_id, event.stage()),
            &event.event_id,
            event.encode_to_vec(),
        )
        .await
    }

    /// Publishes a rollout event (a wave started or ended) into the events stream, once: its
    /// id is the message id.
    pub async fn publish_rollout_event(
        &self,
        event: &rotor_proto::v1::RolloutEvent,
    ) -> Result<(), BusError> {
        self.publish_once(
            "publish rollout event",
            names::rollout_subject(&event.fabric_id, &event.operation_id),
            &event.event_id,
            event.encode_to_vec(),
        )
        .await
    }

    /// Publishes into the events stream with a message id (a repeat within the duplicate
    /// window is dropped) and the current trace context, and waits for the stream's ack.
    async fn publish_once(
        &self,
        what: &'static str,
        subject: String,
        message_id: &str,
        payload: Vec<u8>,
    ) -> Result<(), BusError> {
        let mut headers = HeaderMap::new();
        trace::inject_current(&mut headers);
        headers.insert(async_nats::header::NATS_MESSAGE_ID, message_id);
        let started = std::time::Instant::now();
        let stored = async {
            self.jetstream
                .publish_with_headers(subject, headers, Bytes::from(payload))
                .await
                .map_err(|e| BusError::jetstream(what, e))?
                .await
                .map_err(|e| BusError::jetstream(what, e))
        }
        .await;
        rotor_metrics::metrics().nats_publish("event", started, stored.is_ok());
        stored?;
        Ok(())
    }

    /// Keeps a message a service could not decode, with the reason, for inspection; the
    /// service then acknowledges (terminates) it and goes on with the next one. What is kept of
    /// the payload is its size, its SHA-256 and its first [`REJECTED_EXCERPT_BYTES`] bytes (headers
    /// `Rotor-Payload-Bytes`, `Rotor-Payload-Sha256`; the excerpt is the message): a sender of
    /// large garbage cannot fill the stream with it.
    pub async fn record_rejected(
        &self,
        service: &str,
        subject: &str,
        reason: &str,
        payload: Bytes,
    ) -> Result<(), BusError> {
        let (headers, excerpt) = rejected_record(subject, reason, &payload);
        let started = std::time::Instant::now();
        let stored = async {
            self.jetstream
                .publish_with_headers(names::rejected_subject(service), headers, excerpt)
                .await
                .map_err(|e| BusError::jetstream("record rejected message", e))?
                .await
                .map_err(|e| BusError::jetstream("record rejected message", e))
        }
        .await;
        rotor_metrics::metrics().nats_publish("rejected", started, stored.is_ok());
        stored?;
        Ok(())
    }
}

/// How much of a rejected message's payload is kept.
pub const REJECTED_EXCERPT_BYTES: usize = 1024;

/// The headers and the payload excerpt of a rejected message's record.
fn rejected_record(subject: &str, reason: &str, payload: &Bytes) -> (HeaderMap, Bytes) {
    use sha2::Digest;
    let mut headers = HeaderMap::new();
    headers.insert("Rotor-Original-Subject", subject);
    headers.insert(
        "Rotor-Reject-Reason",
        reason.replace(['\r', '\n'], " ").as_str(),
    );
    headers.insert("Rotor-Payload-Bytes", payload.len().to_string().as_str());
    let digest: String = sha2::Sha256::digest(payload)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    headers.insert("Rotor-Payload-Sha256", digest.as_str());
    let excerpt = payload.slice(..payload.len().min(REJECTED_EXCERPT_BYTES));
    (headers, excerpt)
}

/// One stage event read back from the events stream.
#[derive(Clone, Debug)]
pub struct ReplayedEvent {
    /// The event.
    pub event: StageEvent,
    /// When the stream stored it.
    pub stored: time::OffsetDateTime,
}

impl Bus {
    /// The stage events matching `filter`, from the start of the events stream (see
    /// [`replay_events`]).
    pub async fn replay_events(
        &self,
        filter: String,
        follow: bool,
    ) -> Result<futures::stream::BoxStream<'static, Result<ReplayedEvent, BusError>>, BusError>
    {
        replay_events(&self.jetstream, filter, follow).await
    }
}

/// The stage events matching `filter` (see [`names::events_filter`]) from the start of the
/// events stream, in order: up to the newest stored one when `follow` is false (the stream
/// then ends), or on as new ones arrive. An event that does not decode is an error item. The
/// one way the API, the benchmark and the tests read events back.
pub async fn replay_events(
    jetstream: &jetstream::Context,
    filter: String,
    follow: bool,
) -> Result<futures::stream::BoxStream<'static, Result<ReplayedEvent, BusError>>, BusError> {
    use futures::StreamExt;
    let what = || format!("replay {filter}");
    let stream = jetstream
        .get_stream(names::EVENTS_STREAM)
        .await
        .map_err(|e| BusError::jetstream(what(), e))?;
    let consumer = stream
        .create_consumer(consumer::pull::OrderedConfig {
            filter_subject: filter.clone(),
            deliver_policy: consumer::DeliverPolicy::All,
            ..Default::default()
        })
        .await
        .map_err(|e| BusError::jetstream(what(), e))?;
    if !follow && consumer.cached_info().num_pending == 0 {
        return Ok(futures::stream::empty().boxed());
    }
    let messages = consumer
        .messages()
        .await
        .map_err(|e| BusError::jetstream(what(), e))?;
    // Ends right after the newest stored event (unless following), without waiting for more.
    let replay =
        futures::stream::unfold((messages, false), move |(mut messages, done)| async move {
            if done {
                return None;
            }
            let message = messages.next().await?;
            let mut caught_up = false;
            let item = message
                .map_err(|e| BusError::jetstream("replay stage events", e))
                .and_then(|message| {
                    let info = message
                        .info()
                        .map_err(|e| BusError::jetstream("replay stage events", e))?;
                    caught_up = !follow && info.pending == 0;
                    let stored = info.published;
                    let event = StageEvent::decode(message.payload.clone()).map_err(|e| {
                        BusError::Decode {
                            what: format!("stage event {}", message.subject),
                            reason: e.to_string(),
                        }
                    })?;
                    Ok(ReplayedEvent { event, stored })
                });
            Some((item, (messages, caught_up)))
        });
    Ok(replay.boxed())
}

/// Whether an error is JetStream still forming its cluster (worth a retry at start-up).
/// Whether a topology piece is not there (yet).
fn is_missing(error: &BusError) -> bool {
    let text = error.to_string().to_ascii_lowercase();
    text.contains("not found") || text.contains("does not exist")
}

fn is_cluster_forming(error: &BusError) -> bool {
    let text = error.to_string().to_ascii_lowercase();
    [
        "no suitable peers",
        "peer offline",
        "not available",
        "timed out",
        "timeout",
        "no responders",
        "leader",
    ]
    .iter()
    .any(|needle| text.contains(needle))
}

/// Handles on every bucket and the object store, opened by [`Bus::ensure_topology`].
#[derive(Clone)]
pub struct Topology {
    /// [`names::buckets::INVENTORY`]: fabric and device records.
    pub inventory: nats_kv::Store,
    /// [`names::buckets::INTENDED_CONFIGS`]: each device's intended configuration.
    pub intended_configs: nats_kv::Store,
    /// [`names::buckets::DEVICE_STATUS`]: each device's `DeviceStatus`.
    pub device_status: nats_kv::Store,
    /// [`names::buckets::FABRIC_STATUS`]: each fabric's `FabricStatus`.
    pub fabric_status: nats_kv::Store,
    /// [`names::buckets::OPERATIONS`]: operation statuses and plans.
    pub operations: nats_kv::Store,
    /// [`names::buckets::OPERATION_RESULTS`]: each device's result in an operation.
    pub operation_results: nats_kv::Store,
    /// [`names::buckets::REQUESTS`]: the first answer to each request id, so a repeat is not
    /// executed twice.
    pub requests: nats_kv::Store,
    /// [`names::buckets::LEASES`]: fabric locks, service leadership and device locks.
    pub leases: nats_kv::Store,
    /// [`names::buckets::CREDENTIALS`]: which secret version Rotor last logged in to each device
    /// with.
    pub credentials: nats_kv::Store,
    /// [`names::buckets::LOGIN_ATTEMPTS`]: each device's failed-login budget use.
    pub login_attempts: nats_kv::Store,
    /// [`names::buckets::STAGE_MARKS`]: which stage side effects are done or under way.
    pub stage_marks: nats_kv::Store,
    /// [`names::buckets::BACKUP_INDEX`]: one entry per backup, so older backups stay listable.
    pub backup_index: nats_kv::Store,
    /// [`names::buckets::SWITCHES`]: which device claims each physical switch identity.
    pub switches: nats_kv::Store,
    /// [`names::buckets::QUARANTINE`]: each device's run of failures and its quarantine.
    pub quarantine: nats_kv::Store,
    /// [`names::buckets::SCHEDULES`]: each fabric's rotation schedule and its progress.
    pub schedules: nats_kv::Store,
    /// [`names::BACKUPS_OBJECT_STORE`]: the backed-up running configurations.
    pub backups: object_store::ObjectStore,
}

impl std::fmt::Debug for Topology {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Topology").finish_non_exhaustive()
    }
}

/// The current time as RFC 3339 with milliseconds, the form every timestamp in Rotor takes.
pub fn now_rfc3339() -> String {
    format_time(time::OffsetDateTime::now_utc())
}

/// Formats a time as [`now_rfc3339`] does: RFC 3339, UTC, truncated to milliseconds.
pub fn format_time(at: time::OffsetDateTime) -> String {
    // Always three fractional digits, in UTC: times compare correctly as strings (with the
    // trailing zeros dropped, `.84Z` would sort after `.845Z`).
    const FORMAT: &[time::format_description::BorrowedFormatItem<'_>] = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    );
    at.to_offset(time::UtcOffset::UTC)
        .format(FORMAT)
        .unwrap_or_default()
}

/// A Unix time in milliseconds as RFC 3339 (empty when out of range).
pub fn format_unix_ms(unix_ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(unix_ms as i128 * 1_000_000)
        .map(format_time)
        .unwrap_or_default()
}

#[cfg(test)]
mod time_tests {
    use super::*;

    #[test]
    fn times_have_three_digits_and_sort_as_strings() {
        let at = |ms: i64| {
            time::OffsetDateTime::from_unix_timestamp_nanos(
                (1_764_629_830_000 + ms) as i128 * 1_000_000,
            )
            .unwrap()
        };
        let (earlier, later) = (format_time(at(840)), format_time(at(845)));
        assert!(earlier.ends_with(".840Z"), "{earlier}");
        assert!(earlier < later, "{earlier} sorts after {later}");
        assert!(format_time(at(0)).ends_with(".000Z"));
        assert_eq!(format_unix_ms(1_764_629_830_845), later);
        time::OffsetDateTime::parse(&later, &time::format_description::well_known::Rfc3339)
            .expect("still RFC 3339");
    }
}
