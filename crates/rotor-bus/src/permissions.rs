//! Who may do what on the bus: the NATS permissions of each service kind and of the systems that
//! send requests, and the `nats-server` accounts configuration they make.
//!
//! Two accounts ([`SERVICE_ACCOUNT`], [`REQUESTER_ACCOUNT`]). Rotor's services live in the first,
//! one NKey user per service kind, each allowed only the subjects, streams, buckets and key shapes
//! it uses (a differ cannot write statuses, an aggregator cannot publish jobs, nobody but the
//! orchestrator creates or changes the topology). Requesters live in the second: they can publish
//! `rotor.requests.<their fabrics>` only, read only replies sent to their own inbox prefix, and
//! subscribe to their fabrics' stage events; the two reach the service account through an export
//! and import, and the import is *shared*, so the server adds a `Nats-Request-Info` header naming
//! the requester's account and user to every request (overwriting one a client wrote). That
//! header is the only identity the orchestrator believes for a bus request
//! ([`requester_identity`]).
//!
//! JetStream subjects follow the JetStream API reference (docs.nats.io, "JetStream wire API
//! reference"): `$JS.API.STREAM.INFO.<stream>`, `$JS.API.DIRECT.GET.<stream>`,
//! `$JS.API.CONSUMER.CREATE.<stream>...`, `$JS.API.CONSUMER.MSG.NEXT.<stream>.<consumer>`,
//! `$JS.ACK.<stream>.<consumer>...`, `$JS.FC.<stream>...` (flow control of ordered consumers),
//! key-value writes on `$KV.<bucket>.<key>` and object-store chunks and metadata on
//! `$O.<store>.C.*` and `$O.<store>.M.*`. `deploy/nats-accounts.conf` is [`render`]ed from here
//! (a test keeps it current), and every local stack runs with the same rendering.

use crate::names::{self, JobKind, buckets};
use rotor_proto::v1::Stage;

/// The account of Rotor's services (and of administrators).
pub const SERVICE_ACCOUNT: &str = "ROTOR";
/// The account of the systems that send rotation requests.
pub const REQUESTER_ACCOUNT: &str = "REQUESTERS";
/// The header the server adds to a request that crossed a shared service import.
pub const REQUEST_INFO_HEADER: &str = "Nats-Request-Info";

/// A kind of Rotor service, each with its own NATS user.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ServiceKind {
    /// Takes requests, creates the topology, publishes diff jobs.
    Orchestrator,
    /// Takes diff jobs.
    Differ,
    /// Takes apply jobs.
    Applier,
    /// Takes backup jobs.
    Backup,
    /// Folds events into statuses.
    Aggregator,
}

impl ServiceKind {
    /// Every kind.
    pub const ALL: [ServiceKind; 5] = [
        ServiceKind::Orchestrator,
        ServiceKind::Differ,
        ServiceKind::Applier,
        ServiceKind::Backup,
        ServiceKind::Aggregator,
    ];

    /// The service's short name (`differ`), also its NATS user's.
    pub fn name(self) -> &'static str {
        match self {
            ServiceKind::Orchestrator => "orchestrator",
            ServiceKind::Differ => "differ",
            ServiceKind::Applier => "applier",
            ServiceKind::Backup => "backup",
            ServiceKind::Aggregator => "aggregator",
        }
    }

    /// The kind named `name`.
    pub fn from_name(name: &str) -> Option<ServiceKind> {
        ServiceKind::ALL
            .into_iter()
            .find(|kind| kind.name() == name)
    }
}

/// The inbox prefix of a connection (`_INBOX_<user>`): its replies arrive below it, and its
/// permissions let it subscribe there only, so no one reads another's replies.
pub fn inbox_prefix(user: &str) -> String {
    format!("_INBOX_{user}")
}

/// A user's permissions, as `nats-server` takes them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Permissions {
    /// Subjects it may publish to.
    pub publish: Vec<String>,
    /// Subjects it may not publish to although `publish` matches them.
    pub deny_publish: Vec<String>,
    /// Subjects it may subscribe to.
    pub subscribe: Vec<String>,
    /// Whether it may answer requests it received (publish to their reply subjects, once).
    pub allow_responses: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Access {
    Read,
    Write,
}

impl Permissions {
    fn publish(&mut self, subject: impl Into<String>) -> &mut Self {
        let subject = subject.into();
        if !self.publish.contains(&subject) {
            self.publish.push(subject);
        }
        self
    }

    fn subscribe(&mut self, subject: impl Into<String>) -> &mut Self {
        let subject = subject.into();
        if !self.subscribe.contains(&subject) {
            self.subscribe.push(subject);
        }
        self
    }

    /// Reading a stream's messages: its info, direct and stored-message gets, and ordered
    /// consumers (create, delete, flow control).
    fn read_stream(&mut self, stream: &str) -> &mut Self {
        self.publish(format!("$JS.API.STREAM.INFO.{stream}"))
            .publish(format!("$JS.API.DIRECT.GET.{stream}"))
            .publish(format!("$JS.API.DIRECT.GET.{stream}.>"))
            .publish(format!("$JS.API.STREAM.MSG.GET.{stream}"))
            .publish(format!("$JS.API.CONSUMER.CREATE.{stream}"))
            .publish(format!("$JS.API.CONSUMER.CREATE.{stream}.>"))
            .publish(format!("$JS.API.CONSUMER.DELETE.{stream}.>"))
            .publish(format!("$JS.API.CONSUMER.INFO.{stream}.>"))
            .publish(format!("$JS.API.CONSUMER.MSG.NEXT.{stream}.>"))
            .publish(format!("$JS.FC.{stream}.>"))
    }

    /// No pulling from, or acknowledging for, a durable consumer of another kind's (the
    /// job consumers, the aggregator's) that a read grant's wildcards would reach.
    fn deny_other_durables(&mut self, own: &[(&str, &str)]) -> &mut Self {
        let mut durables: Vec<(&str, &str)> = JobKind::ALL
            .iter()
            .map(|kind| (names::JOBS_STREAM, kind.consumer_name()))
            .collect();
        durables.push((names::EVENTS_STREAM, names::AGGREGATOR_CONSUMER));
        durables.push((names::NOTIFICATIONS_STREAM, names::NOTIFIER_CONSUMER));
        for (stream, consumer) in durables {
            if own.contains(&(stream, consumer)) {
                continue;
            }
            for subject in [
                format!("$JS.API.CONSUMER.MSG.NEXT.{stream}.{consumer}"),
                format!("$JS.ACK.{stream}.{consumer}.>"),
            ] {
                if !self.deny_publish.contains(&subject) {
                    self.deny_publish.push(subject);
                }
            }
        }
        self
    }

    /// A key-value bucket: read it, or read it and write the keys `keys` (NATS wildcards after
    /// the bucket; `>` for every key).
    fn bucket(&mut self, bucket: &str, access: Access, keys: &[&str]) -> &mut Self {
        self.read_stream(&format!("KV_{bucket}"))
            .subscribe(names::scan_inboxes(bucket));
        if access == Access::Write {
            for key in keys {
                self.publish(format!("$KV.{bucket}.{key}"));
            }
        }
        self
    }

    /// The backups object store: read it, or write it too.
    fn object_store(&mut self, access: Access) -> &mut Self {
        let store = names::BACKUPS_OBJECT_STORE;
        self.read_stream(&names::object_store_stream(store));
        if access == Access::Write {
            self.publish(format!("$O.{store}.>")).publish(format!(
                "$JS.API.STREAM.PURGE.{}",
                names::object_store_stream(store)
            ));
        }
        self
    }

    /// Taking jobs (or events) from a durable pull consumer and acknowledging them.
    fn consume(&mut self, stream: &str, consumer: &str) -> &mut Self {
        self.publish(format!("$JS.API.STREAM.INFO.{stream}"))
            .publish(format!("$JS.API.CONSUMER.INFO.{stream}.{consumer}"))
            .publish(format!("$JS.API.CONSUMER.MSG.NEXT.{stream}.{consumer}"))
            .publish(format!("$JS.ACK.{stream}.{consumer}.>"))
    }

    fn events(&mut self, stages: &[Stage]) -> &mut Self {
        for stage in stages {
            self.publish(names::event_subject("*", "*", *stage));
        }
        self
    }

    fn jobs(&mut self, kind: JobKind) -> &mut Self {
        self.publish(kind.filter_subject())
    }

    /// Creating and changing every stream, consumer, bucket and the object store.
    fn manage_topology(&mut self) -> &mut Self {
        self.publish("$JS.API.INFO");
        for stream in &topology_streams() {
            self.publish(format!("$JS.API.STREAM.CREATE.{stream}"))
                .publish(format!("$JS.API.STREAM.UPDATE.{stream}"))
                .publish(format!("$JS.API.STREAM.INFO.{stream}"))
                .publish(format!("$JS.API.CONSUMER.DURABLE.CREATE.{stream}.>"))
                .publish(format!("$JS.API.CONSUMER.CREATE.{stream}.>"))
                .publish(format!("$JS.API.CONSUMER.INFO.{stream}.>"));
        }
        self
    }

    /// The shape every connection shares: its own inbox and the rejected-message subject of its
    /// service.
    fn service_base(&mut self, kind: ServiceKind) -> &mut Self {
        self.subscribe(format!("{}.>", inbox_prefix(kind.name())))
            .publish(names::rejected_subject(kind.name()));
        // Opening the topology looks each stream, bucket and the object store up (its
        // configuration and counts, never a message): reading one needs its own grant.
        for stream in topology_streams() {
            self.publish(format!("$JS.API.STREAM.INFO.{stream}"));
        }
        self
    }
}

/// Every stream of the topology: the streams, the buckets' and the object store's.
fn topology_streams() -> Vec<String> {
    let mut streams: Vec<String> = vec![
        names::JOBS_STREAM.into(),
        names::EVENTS_STREAM.into(),
        names::REJECTED_STREAM.into(),
        names::AUDIT_STREAM.into(),
        names::NOTIFICATIONS_STREAM.into(),
        names::object_store_stream(names::BACKUPS_OBJECT_STORE),
    ];
    streams.extend(buckets::ALL.iter().map(|bucket| format!("KV_{bucket}")));
    streams
}

/// What one service kind may do on the bus, and nothing more.
pub fn service_permissions(kind: ServiceKind) -> Permissions {
    use Access::{Read, Write};
    let mut p = Permissions::default();
    p.service_base(kind);
    let every = ["*", ">"];
    let switch_locks = [names::keys::switch_lock("*")];
    let switch_locks: Vec<&str> = switch_locks.iter().map(String::as_str).collect();
    match kind {
        ServiceKind::Orchestrator => {
            p.manage_topology()
                .subscribe(names::REQUESTS_WILDCARD)
                .jobs(JobKind::Diff)
                // The last event of a device a halted or cancelled operation never released
                // (NotAttempted).
                .events(&[Stage::PerformBackup])
                // The dispatcher says when each wave starts and ends.
                .publish(names::rollout_subject("*", "*"))
                .publish(names::inventory_changed_subject("*"))
                .read_stream(names::EVENTS_STREAM)
                // WatchEvents without fromStart: the live events, core NATS.
                .subscribe(names::EVENTS_ALL)
                .read_stream(names::AUDIT_STREAM)
                .publish(names::AUDIT_ALL)
                .object_store(Read);
            p.allow_responses = true;
            for bucket in [
                buckets::INVENTORY,
                buckets::INTENDED_CONFIGS,
                buckets::DEVICE_STATUS,
                buckets::FABRIC_STATUS,
                buckets::OPERATIONS,
                buckets::REQUESTS,
                buckets::LEASES,
                buckets::SWITCHES,
                buckets::CREDENTIALS,
                // A resume removes the NotAttempted results of the devices it releases.
                buckets::OPERATION_RESULTS,
                // A release removes a device's quarantine.
                buckets::QUARANTINE,
                // The scheduler (one copy) and the schedule calls.
                buckets::SCHEDULES,
            ] {
                p.bucket(bucket, Write, &every);
            }
            for bucket in [
                buckets::BACKUP_INDEX,
                buckets::LOGIN_ATTEMPTS,
                buckets::STAGE_MARKS,
            ] {
                p.bucket(bucket, Read, &[]);
            }
        }
        ServiceKind::Differ | ServiceKind::Applier | ServiceKind::Backup => {
            let (job, next, stages): (JobKind, &[JobKind], &[Stage]) = match kind {
                ServiceKind::Differ => (
                    JobKind::Diff,
                    &[JobKind::Apply, JobKind::Backup],
                    &[
                        Stage::LoadIntendedConfiguration,
                        Stage::PerformConfigurationDiff,
                        Stage::ApplyConfiguration,
                        Stage::PerformBackup,
                    ],
                ),
                ServiceKind::Applier => (
                    JobKind::Apply,
                    &[JobKind::Backup],
                    &[Stage::ApplyConfiguration, Stage::PerformBackup],
                ),
                _ => (JobKind::Backup, &[], &[Stage::PerformBackup]),
            };
            p.consume(names::JOBS_STREAM, job.consumer_name())
                .events(stages)
                .subscribe(names::INVENTORY_CHANGED_WILDCARD)
                // A job the stored plan does not vouch for is recorded, nothing else.
                .publish(names::audit_verb_filter(crate::audit::FORGED_JOB));
            for next in next {
                p.jobs(*next);
            }
            for bucket in [
                buckets::INVENTORY,
                buckets::INTENDED_CONFIGS,
                buckets::OPERATIONS,
                buckets::SWITCHES,
            ] {
                p.bucket(bucket, Read, &[]);
            }
            p.bucket(buckets::LEASES, Write, &switch_locks);
            for bucket in [
                buckets::CREDENTIALS,
                buckets::LOGIN_ATTEMPTS,
                buckets::STAGE_MARKS,
                buckets::DEVICE_STATUS,
            ] {
                p.bucket(bucket, Write, &every);
            }
            if kind == ServiceKind::Backup {
                p.bucket(buckets::BACKUP_INDEX, Write, &every)
                    .object_store(Write);
            }
        }
        ServiceKind::Aggregator => {
            p.consume(names::EVENTS_STREAM, names::AGGREGATOR_CONSUMER)
                .subscribe(names::INVENTORY_CHANGED_WILDCARD)
                .publish(names::AUDIT_ALL)
                // Webhook notifications: the leader queues them, every copy posts them.
                .publish(names::NOTIFICATIONS_ALL)
                .consume(names::NOTIFICATIONS_STREAM, names::NOTIFIER_CONSUMER);
            for bucket in [
                buckets::OPERATIONS,
                buckets::OPERATION_RESULTS,
                buckets::FABRIC_STATUS,
                buckets::DEVICE_STATUS,
                buckets::LEASES,
                buckets::QUARANTINE,
            ] {
                p.bucket(bucket, Write, &every);
            }
            for bucket in [buckets::INVENTORY, buckets::CREDENTIALS] {
                p.bucket(bucket, Read, &[]);
            }
        }
    }
    let own: Vec<(&str, &str)> = match kind {
        ServiceKind::Differ => vec![(names::JOBS_STREAM, JobKind::Diff.consumer_name())],
        ServiceKind::Applier => vec![(names::JOBS_STREAM, JobKind::Apply.consumer_name())],
        ServiceKind::Backup => vec![(names::JOBS_STREAM, JobKind::Backup.consumer_name())],
        ServiceKind::Aggregator => vec![
            (names::EVENTS_STREAM, names::AGGREGATOR_CONSUMER),
            (names::NOTIFICATIONS_STREAM, names::NOTIFIER_CONSUMER),
        ],
        ServiceKind::Orchestrator => Vec::new(),
    };
    p.deny_other_durables(&own);
    p
}

/// What a requester may do: send requests for `fabrics` (`*`: every fabric), read replies to its
/// own inbox prefix, and watch those fabrics' stage and rollout events.
pub fn requester_permissions(user: &str, fabrics: &[String]) -> Permissions {
    let mut p = Permissions::default();
    p.subscribe(format!("{}.>", inbox_prefix(user)));
    for fabric in fabrics {
        let only = (fabric != "*").then_some(fabric.as_str());
        p.publish(names::request_subject(fabric))
            .subscribe(names::events_filter(only, None))
            .subscribe(names::rollout_filter(only));
    }
    p
}

/// Who sent a bus request, as the server says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequesterInfo {
    /// `nats:<user>`: the requester's identity in Rotor's policy and audit.
    pub identity: String,
    /// The address the requester connected from.
    pub peer: Option<String>,
}

/// Who sent a bus request: the requester the server names in the request's
/// [`REQUEST_INFO_HEADER`], if the request came through the requester account; `None` for a
/// request without the header (published inside the service account, or on a server without
/// Rotor's accounts) or from another account.
pub fn requester_identity(request_info: Option<&str>) -> Option<RequesterInfo> {
    #[derive(serde::Deserialize)]
    struct Info {
        acc: String,
        user: Option<String>,
        host: Option<String>,
    }
    let info: Info = serde_json::from_str(request_info?).ok()?;
    let user = info.user.filter(|user| !user.is_empty())?;
    (info.acc == REQUESTER_ACCOUNT).then(|| RequesterInfo {
        identity: format!("nats:{user}"),
        peer: info.host,
    })
}

/// A service kind's NATS user: its NKey's public key.
#[derive(Clone, Debug)]
pub struct ServiceUser {
    /// Which service.
    pub kind: ServiceKind,
    /// The public NKey (`U...`) it authenticates with.
    pub nkey: String,
}

/// A requester's NATS user.
#[derive(Clone, Debug)]
pub struct Requester {
    /// Its user name (`nats:<user>` in Rotor's policy and audit).
    pub user: String,
    /// Its password as the server checks it: a bcrypt hash (`$2a$...`).
    pub password: String,
    /// The fabrics it may send requests for (`*`: every fabric).
    pub fabrics: Vec<String>,
}

/// Everything [`render`] needs.
#[derive(Clone, Debug, Default)]
pub struct Accounts {
    /// One user per service kind.
    pub services: Vec<ServiceUser>,
    /// Administrators (public NKeys) with every permission in the service account: for break-
    /// glass inspection and the tests' own look at state, never for a service.
    pub administrators: Vec<String>,
    /// The requesters.
    pub requesters: Vec<Requester>,
}

/// The `accounts { ... }` block of a `nats-server` configuration.
pub fn render(accounts: &Accounts) -> String {
    let mut out = String::from("accounts {\n");
    out.push_str(&format!(
        "  {SERVICE_ACCOUNT} {{\n    jetstream: enabled\n    users: [\n"
    ));
    for service in &accounts.services {
        out.push_str(&format!(
            "      # rotor-{}\n      {{ nkey: \"{}\", permissions: {} }}\n",
            service.kind.name(),
            service.nkey,
            render_permissions(&service_permissions(service.kind), "      ")
        ));
    }
    for admin in &accounts.administrators {
        out.push_str(&format!(
            "      # an administrator\n      {{ nkey: \"{admin}\" }}\n"
        ));
    }
    out.push_str("    ]\n    exports: [\n");
    out.push_str(&format!(
        "      {{ service: \"{}\" }}\n      {{ stream: \"{}\" }}\n      {{ stream: \"{}\" }}\n    ]\n  }}\n",
        names::REQUESTS_WILDCARD,
        names::EVENTS_ALL,
        names::ROLLOUT_ALL
    ));
    out.push_str(&format!("  {REQUESTER_ACCOUNT} {{\n    users: [\n"));
    for requester in &accounts.requesters {
        out.push_str(&format!(
            "      {{ user: {}, password: {}, permissions: {} }}\n",
            quote(&requester.user),
            quote(&requester.password),
            render_permissions(
                &requester_permissions(&requester.user, &requester.fabrics),
                "      "
            )
        ));
    }
    out.push_str("    ]\n    imports: [\n");
    out.push_str(&format!(
        "      # share: the server adds {REQUEST_INFO_HEADER} (this account, the user) to every request\n      {{ service: {{ account: {SERVICE_ACCOUNT}, subject: \"{}\" }}, share: true }}\n      {{ stream: {{ account: {SERVICE_ACCOUNT}, subject: \"{}\" }} }}\n      {{ stream: {{ account: {SERVICE_ACCOUNT}, subject: \"{}\" }} }}\n    ]\n  }}\n}}\n",
        names::REQUESTS_WILDCARD,
        names::EVENTS_ALL,
        names::ROLLOUT_ALL
    ));
    out
}

fn render_permissions(permissions: &Permissions, indent: &str) -> String {
    let list = |subjects: &[String]| {
        subjects
            .iter()
            .map(|s| format!("{indent}      {}", quote(s)))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let deny = if permissions.deny_publish.is_empty() {
        String::new()
    } else {
        format!(
            ", deny: [\n{}\n{indent}    ]",
            list(&permissions.deny_publish)
        )
    };
    let mut out = format!(
        "{{\n{indent}    publish: {{ allow: [\n{}\n{indent}    ]{deny} }}\n{indent}    subscribe: {{ allow: [\n{}\n{indent}    ] }}\n",
        list(&permissions.publish),
        list(&permissions.subscribe)
    );
    if permissions.allow_responses {
        out.push_str(&format!("{indent}    allow_responses: true\n"));
    }
    out.push_str(&format!("{indent}  }}"));
    out
}

/// A quoted configuration string (the names and subjects here hold no quotes or backslashes;
/// a password might).
fn quote(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requesters_reach_only_their_fabrics_and_their_own_inbox() {
        let p = requester_permissions("ticketing", &["fab1".to_string()]);
        assert_eq!(p.publish, ["rotor.requests.fab1"]);
        assert_eq!(
            p.subscribe,
            [
                "_INBOX_ticketing.>",
                "rotor.events.fab1.>",
                "rotor.rollout.fab1.*"
            ]
        );
        assert!(!p.allow_responses);
    }

    #[test]
    fn only_the_orchestrator_manages_the_topology_and_workers_publish_only_their_stages() {
        for kind in ServiceKind::ALL {
            let p = service_permissions(kind);
            let creates = p.publish.iter().any(|s| s.contains("STREAM.CREATE"));
            assert_eq!(creates, kind == ServiceKind::Orchestrator, "{kind:?}");
            assert!(!p.publish.iter().any(|s| s == ">" || s == "$JS.API.>"));
        }
        let backup = service_permissions(ServiceKind::Backup);
        assert!(
            backup
                .publish
                .contains(&"rotor.events.*.*.perform_backup".to_string())
        );
        assert!(
            !backup
                .publish
                .iter()
                .any(|s| s.contains("apply_configuration"))
        );
        let orchestrator = service_permissions(ServiceKind::Orchestrator);
        assert!(
            orchestrator
                .deny_publish
                .contains(&"$JS.API.CONSUMER.MSG.NEXT.ROTOR_EVENTS.aggregator".to_string())
        );
        let aggregator = service_permissions(ServiceKind::Aggregator);
        assert!(
            !aggregator
                .publish
                .iter()
                .any(|s| s.starts_with("rotor.jobs"))
        );
        assert!(
            !aggregator
                .publish
                .iter()
                .any(|s| s.contains(buckets::LOGIN_ATTEMPTS) && s.starts_with("$KV"))
        );
    }

    #[test]
    fn the_identity_comes_from_the_requester_account_only() {
        let info =
            |acc: &str| format!(r#"{{"acc":"{acc}","user":"ticketing","host":"127.0.0.1"}}"#);
        assert_eq!(
            requester_identity(Some(&info(REQUESTER_ACCOUNT))),
            Some(RequesterInfo {
                identity: "nats:ticketing".into(),
                peer: Some("127.0.0.1".into())
            })
        );
        assert_eq!(requester_identity(Some(&info(SERVICE_ACCOUNT))), None);
        assert_eq!(requester_identity(Some("not json")), None);
        assert_eq!(requester_identity(None), None);
    }
}
