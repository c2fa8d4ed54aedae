//! The NATS server's refusals, into the audit stream. A publish or subscription the server's
//! permissions refuse (a requester forging a stage event, reading a bucket or zeroing the
//! login ledger; a service stepping outside its kind) never reaches Rotor: the server answers
//! the client `-ERR 'Permissions Violation ...'` and writes one line in its log, and that line
//! is the only trace. [`follow`] reads the server's log file as it grows and records each such
//! line as an audit record (verb [`PERMISSION_VIOLATION`], identity `nats:<user>` as the server
//! named the connection, its address, the subject), so `rotor audit` shows these refusals next
//! to the ones Rotor makes itself. A login the server refuses (`authentication error`) is
//! recorded too ([`NATS_LOGIN_REFUSED`], no identity: nobody was authenticated; the user the
//! client claimed is in the message).
//!
//! The line form (nats-server 2.10 to 2.15, seen in this project's tests against the pinned
//! server): `[pid] date time [ERR] <address> - cid:<n> - "<client version:lang:name>" -
//! "<ACCOUNT>/user:<user>" - Publish Violation - Subject "<subject>"`, and the same with
//! `Subscription Violation` and `, SID <n>` after the subject. The name part is absent for an
//! unnamed client. A refused login: `... [ERR] <address> - cid:<n> - authentication error`,
//! with ` - User "<claimed>"` after it for a user-and-password login. A line of another form is
//! left alone.
//!
//! Each record's message id is a digest of its line, so copies following the same file store
//! it once (within the stream's duplicate window). The file is followed from its end when
//! following starts (lines written before are in the file, not relayed), read again from the
//! start when it is truncated or replaced (log rotation).

use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::time::Duration;

use sha2::{Digest, Sha256};

use crate::audit::{Audit, AuditRecord, REFUSED, channel};
use crate::names;

/// The verb of a publish or subscription the NATS server refused.
pub const PERMISSION_VIOLATION: &str = "PermissionViolation";
/// The verb of a login the NATS server refused (wrong or unknown credentials).
pub const NATS_LOGIN_REFUSED: &str = "NatsLoginRefused";

/// How often the log file is looked at for new lines.
pub const POLL: Duration = Duration::from_millis(250);

/// The longest line read as one (a longer one is skipped: no violation line is that long).
const MAX_LINE: usize = 8192;

/// One refusal the server logged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// The client's address (`127.0.0.1:57518`).
    pub peer: String,
    /// The account the connection is in (`REQUESTERS`).
    pub account: String,
    /// The connection's user (`ticketing`) or NKey (`UABC…`, a service's); empty when the
    /// server named none.
    pub user: String,
    /// `Publish`, `Subscription`, or [`LOGIN`] (a refused login: `user` is the one the
    /// client claimed, `account` and `subject` are empty).
    pub kind: String,
    /// The subject it tried.
    pub subject: String,
}

/// The [`Violation::kind`] of a refused login.
pub const LOGIN: &str = "Login";

impl Violation {
    /// Its audit record (identity `nats:<user>`, channel `bus`, outcome `refused`, code
    /// `PermissionDenied`, filed under the subject's fabric when it names one).
    pub fn record(&self) -> AuditRecord {
        if self.kind == LOGIN {
            // Nobody was authenticated: the claimed user is only named in the message.
            return AuditRecord {
                channel: channel::BUS.into(),
                peer: self.peer.clone(),
                verb: NATS_LOGIN_REFUSED.into(),
                outcome: REFUSED.into(),
                code: "Unauthenticated".into(),
                message: if self.user.is_empty() {
                    "the NATS server refused a login: wrong or unknown credentials".to_string()
                } else {
                    format!(
                        "the NATS server refused a login claiming user {:?}: wrong or unknown credentials",
                        self.user
                    )
                },
                ..Default::default()
            };
        }
        let identity = if self.user.is_empty() {
            "nats".to_string()
        } else {
            format!("nats:{}", self.user)
        };
        let what = if self.kind == "Publish" {
            "a publish to"
        } else {
            "a subscription to"
        };
        AuditRecord {
            identity,
            channel: channel::BUS.into(),
            peer: self.peer.clone(),
            verb: PERMISSION_VIOLATION.into(),
            fabric_id: names::fabric_of_subject(&self.subject)
                .unwrap_or_default()
                .to_string(),
            outcome: REFUSED.into(),
            code: "PermissionDenied".into(),
            message: format!(
                "the NATS server refused {what} {} (account {}): its permissions do not allow it",
                self.subject, self.account
            ),
            ..Default::default()
        }
    }
}

/// The violation (or refused login) a server log line reports, if it reports one.
pub fn parse_line(line: &str) -> Option<Violation> {
    let rest = line.split_once(" [ERR] ")?.1;
    let (peer, rest) = rest.split_once(" - cid:")?;
    if peer.contains(' ') {
        return None;
    }
    // `- cid:<n> - authentication error` (` - User "<claimed>"` after it for a user login).
    if let Some((cid, after)) = rest.split_once(" - authentication error")
        && cid.chars().all(|c| c.is_ascii_digit())
    {
        let user = after
            .strip_prefix(" - User \"")
            .and_then(|claimed| claimed.rsplit_once('"'))
            .map(|(claimed, _)| claimed)
            .unwrap_or_default();
        return Some(Violation {
            peer: peer.to_string(),
            account: String::new(),
            user: user.to_string(),
            kind: LOGIN.to_string(),
            subject: String::new(),
        });
    }
    let (kind, subject_part) = ["Publish", "Subscription"].into_iter().find_map(|kind| {
        let marker = format!(" - {kind} Violation - Subject \"");
        // The last marker: what follows it is the server's (a subject has no spaces), what
        // precedes it may hold a client's chosen name, which could imitate one.
        let (head, tail) = rest.rsplit_once(&marker)?;
        Some((kind, (head, tail)))
    })?;
    let (head, tail) = subject_part;
    let subject = tail.split_once('"')?.0;
    // The last quoted part before the marker is "<ACCOUNT>/user:<user>" (or "<ACCOUNT>").
    let who = head.rsplit_once(" - \"")?.1.strip_suffix('"')?;
    let (account, user) = match who
        .split_once("/user:")
        .or_else(|| who.split_once("/nkey:"))
    {
        Some((account, user)) => (account, user),
        None => (who, ""),
    };
    if subject.is_empty() || account.is_empty() {
        return None;
    }
    Some(Violation {
        peer: peer.to_string(),
        account: account.to_string(),
        user: user.to_string(),
        kind: kind.to_string(),
        subject: subject.to_string(),
    })
}

/// The message id of a relayed line: its digest (the line carries the server's time to the
/// microsecond and its connection id, so two refusals never share one).
pub fn message_id(line: &str) -> String {
    let digest = Sha256::digest(line.as_bytes());
    format!(
        "nats-log.{}",
        digest[..16]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    )
}

/// The most refusals of one identity recorded one by one per [`BUDGET_WINDOW`]; beyond it they
/// are counted and recorded as one summary when the window ends, so a client flooding the
/// server with refused publishes cannot push older records out of the (size-limited) audit
/// stream.
pub const BUDGET_PER_WINDOW: u32 = 100;
/// The window of [`BUDGET_PER_WINDOW`].
pub const BUDGET_WINDOW: Duration = Duration::from_secs(60);

/// Refusals recorded and held back per identity in the current window.
#[derive(Default)]
struct Budget {
    started: Option<std::time::Instant>,
    counts: std::collections::BTreeMap<String, (u32, Violation)>,
}

impl Budget {
    /// Whether this refusal is recorded one by one.
    fn take(&mut self, violation: &Violation, now: std::time::Instant) -> bool {
        self.started.get_or_insert(now);
        let entry = self
            .counts
            .entry(if violation.kind == LOGIN {
                // Refused logins by the client's host, whatever user each claims.
                let host = violation
                    .peer
                    .rsplit_once(':')
                    .map_or(&*violation.peer, |(host, _)| host);
                format!("login from {host}")
            } else {
                format!("{}/{}", violation.account, violation.user)
            })
            .or_insert_with(|| (0, violation.clone()));
        entry.0 += 1;
        entry.0 <= BUDGET_PER_WINDOW
    }

    /// At the end of a window: one summary record per identity that went over, and a new
    /// window.
    fn roll(&mut self, now: std::time::Instant) -> Vec<AuditRecord> {
        match self.started {
            Some(started) if now.duration_since(started) >= BUDGET_WINDOW => {}
            _ => return Vec::new(),
        }
        self.started = None;
        std::mem::take(&mut self.counts)
            .into_values()
            .filter(|(count, _)| *count > BUDGET_PER_WINDOW)
            .map(|(count, last)| {
                let mut record = last.record();
                record.fabric_id = String::new();
                record.message = format!(
                    "the NATS server refused {} more publishes or subscriptions of this client within {} s (account {}, the last to {}); over {BUDGET_PER_WINDOW} a window they are counted here, not recorded one by one; the server's log has each",
                    count - BUDGET_PER_WINDOW,
                    BUDGET_WINDOW.as_secs(),
                    last.account,
                    last.subject
                );
                record
            })
            .collect()
    }
}

/// Where the follower is in the file.
struct Position {
    offset: u64,
    identity: Option<(u64, u64)>,
    partial: Vec<u8>,
}

#[cfg(unix)]
fn file_identity(metadata: &std::fs::Metadata) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    Some((metadata.dev(), metadata.ino()))
}

#[cfg(not(unix))]
fn file_identity(_: &std::fs::Metadata) -> Option<(u64, u64)> {
    None
}

/// The complete lines added to `path` since `position` (none when it cannot be read now).
fn new_lines(path: &Path, position: &mut Position) -> Vec<String> {
    let Ok(mut file) = std::fs::File::open(path) else {
        return Vec::new();
    };
    let Ok(metadata) = file.metadata() else {
        return Vec::new();
    };
    let identity = file_identity(&metadata);
    if identity != position.identity || metadata.len() < position.offset {
        // Replaced or truncated: the new file from its start.
        position.offset = 0;
        position.partial.clear();
        position.identity = identity;
    }
    if metadata.len() == position.offset || file.seek(SeekFrom::Start(position.offset)).is_err() {
        return Vec::new();
    }
    let mut bytes = Vec::new();
    let Ok(read) = file.take(1 << 20).read_to_end(&mut bytes) else {
        return Vec::new();
    };
    position.offset += read as u64;
    position.partial.extend_from_slice(&bytes);
    let mut lines = Vec::new();
    while let Some(end) = position.partial.iter().position(|&b| b == b'\n') {
        let line: Vec<u8> = position.partial.drain(..=end).collect();
        if line.len() <= MAX_LINE {
            lines.push(String::from_utf8_lossy(&line).trim_end().to_string());
        }
    }
    if position.partial.len() > MAX_LINE {
        position.partial.clear();
    }
    lines
}

/// Follows the NATS server's log file at `path` until `shutdown` completes, recording each
/// refusal it logs (from the file's end at the start). A file that does not exist yet is waited
/// for.
pub async fn follow(path: PathBuf, audit: Audit, shutdown: impl std::future::Future<Output = ()>) {
    let mut shutdown = std::pin::pin!(shutdown);
    let mut position = Position {
        offset: 0,
        identity: None,
        partial: Vec::new(),
    };
    if let Ok(metadata) = std::fs::metadata(&path) {
        position.offset = metadata.len();
        position.identity = file_identity(&metadata);
    }
    tracing::info!(path = %path.display(), "relaying the NATS server's permission refusals into the audit");
    let mut budget = Budget::default();
    loop {
        let now = std::time::Instant::now();
        for summary in budget.roll(now) {
            audit.record(summary);
        }
        for line in new_lines(&path, &mut position) {
            if let Some(violation) = parse_line(&line) {
                if !budget.take(&violation, now) {
                    continue;
                }
                tracing::warn!(
                    identity = %violation.user,
                    account = %violation.account,
                    peer = %violation.peer,
                    subject = %violation.subject,
                    kind = %violation.kind,
                    "the NATS server refused a client's login, publish or subscription"
                );
                audit.record_once(violation.record(), message_id(&line));
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(POLL) => {}
            _ = &mut shutdown => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PUBLISH: &str = r#"[20806] 2026/12/04 03:27:11.026602 [ERR] 127.0.0.1:57518 - cid:6 - "v2.16.0:python3:evil-client" - "REQUESTERS/user:ticketing" - Publish Violation - Subject "rotor.events.fab1.d1.perform_backup""#; // names-check: allow (a line as the server logs it)
    const SUBSCRIBE: &str = r#"[20806] 2026/12/04 03:27:11.026628 [ERR] 127.0.0.1:57518 - cid:6 - "v2.16.0:python3:evil-client" - "REQUESTERS/user:ticketing" - Subscription Violation - Subject "$KV.rotor_ledger.>", SID 1"#; // names-check: allow (a line as the server logs it)

    #[test]
    fn the_servers_violation_lines_are_read() {
        let publish = parse_line(PUBLISH).expect("a violation");
        assert_eq!(
            publish,
            Violation {
                peer: "127.0.0.1:57518".into(),
                account: "REQUESTERS".into(),
                user: "ticketing".into(),
                kind: "Publish".into(),
                subject: "rotor.events.fab1.d1.perform_backup".into(), // names-check: allow (a line as the server logs it)
            }
        );
        let record = publish.record();
        assert_eq!(
            (record.identity.as_str(), record.fabric_id.as_str()),
            ("nats:ticketing", "fab1")
        );
        assert_eq!(
            (record.outcome.as_str(), record.code.as_str()),
            (REFUSED, "PermissionDenied")
        );
        let subscribe = parse_line(SUBSCRIBE).expect("a violation");
        assert_eq!(subscribe.kind, "Subscription");
        assert_eq!(subscribe.subject, "$KV.rotor_ledger.>"); // names-check: allow (a line as the server logs it)
        assert_eq!(subscribe.record().fabric_id, "");
        // An unnamed client, a service account's user.
        let unnamed = r#"[1] 2026/12/04 03:27:11.026602 [ERR] [::1]:4000 - cid:9 - "SERVICES/user:UABC" - Publish Violation - Subject "rotor.requests.fab2""#; // names-check: allow (a line as the server logs it)
        let parsed = parse_line(unnamed).expect("a violation");
        assert_eq!(
            (parsed.account.as_str(), parsed.user.as_str()),
            ("SERVICES", "UABC")
        );
        assert_eq!(parsed.peer, "[::1]:4000");
    }

    #[test]
    fn refused_logins_are_read_without_an_identity() {
        let line = r#"[24855] 2026/12/04 03:42:10.034128 [ERR] 127.0.0.1:49900 - cid:6 - authentication error - User "ticketing""#;
        let login = parse_line(line).expect("a refused login");
        assert_eq!(
            (login.kind.as_str(), login.user.as_str()),
            (LOGIN, "ticketing")
        );
        let record = login.record();
        assert_eq!(record.verb, NATS_LOGIN_REFUSED);
        assert_eq!(record.identity, "", "nobody was authenticated");
        assert_eq!(record.peer, "127.0.0.1:49900");
        assert!(record.message.contains("\"ticketing\""), "{record:?}");
        let nkey = r#"[1] 2026/12/04 03:42:10.1 [ERR] 127.0.0.1:2 - cid:7 - authentication error"#;
        assert_eq!(parse_line(nkey).expect("a refused login").user, "");
    }

    #[test]
    fn other_lines_are_not_violations() {
        for line in [
            "",
            "[1] 2026/12/04 03:27:11.026602 [INF] Server is ready",
            "[1] 2026/12/04 03:27:11.026602 [ERR] 127.0.0.1:1 - cid:2 - Slow Consumer Detected",
        ] {
            assert_eq!(parse_line(line), None, "{line}");
        }
    }

    #[test]
    fn a_client_name_cannot_make_a_violation_look_like_someone_elses() {
        // The client named itself to look like a refused admin; the server's part comes last.
        let forged = r#"[1] 2026/12/04 03:27:11.1 [ERR] 127.0.0.1:1 - cid:2 - "v1:rust:x" - "SERVICES/user:orchestrator" - Publish Violation - Subject "rotor.requests.fab9"" - "REQUESTERS/user:intruder" - Publish Violation - Subject "rotor.events.fab1.d1.perform_backup""#; // names-check: allow (a line as the server logs it)
        let parsed = parse_line(forged).expect("a violation");
        assert_eq!(
            (
                parsed.account.as_str(),
                parsed.user.as_str(),
                parsed.subject.as_str()
            ),
            (
                "REQUESTERS",
                "intruder",
                "rotor.events.fab1.d1.perform_backup" // names-check: allow (a line as the server logs it)
            )
        );
    }

    #[test]
    fn a_flood_is_recorded_one_by_one_up_to_the_budget_then_summed_up() {
        let violation = parse_line(PUBLISH).unwrap();
        let other = parse_line(SUBSCRIBE.replace("user:ticketing", "user:other").as_str()).unwrap();
        let start = std::time::Instant::now();
        let mut budget = Budget::default();
        let taken = (0..BUDGET_PER_WINDOW + 25)
            .filter(|_| budget.take(&violation, start))
            .count();
        assert_eq!(taken, BUDGET_PER_WINDOW as usize);
        // Another identity has its own budget.
        assert!(budget.take(&other, start));
        assert!(budget.roll(start + BUDGET_WINDOW / 2).is_empty());
        let summaries = budget.roll(start + BUDGET_WINDOW);
        assert_eq!(summaries.len(), 1, "{summaries:?}");
        assert_eq!(summaries[0].identity, "nats:ticketing");
        assert!(
            summaries[0].message.contains("refused 25 more"),
            "{:?}",
            summaries[0]
        );
        // A new window: one by one again.
        assert!(budget.take(&violation, start + BUDGET_WINDOW));
    }

    #[test]
    fn message_ids_differ_per_line_and_repeat_for_the_same_line() {
        assert_eq!(message_id(PUBLISH), message_id(PUBLISH));
        assert_ne!(message_id(PUBLISH), message_id(SUBSCRIBE));
    }

    #[test]
    fn the_file_is_followed_through_partial_lines_truncation_and_replacement() {
        let dir = std::env::temp_dir().join(format!("rotor-server-log-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("nats.log");
        std::fs::write(&path, "old line\n").unwrap();
        let metadata = std::fs::metadata(&path).unwrap();
        let mut position = Position {
            offset: metadata.len(),
            identity: file_identity(&metadata),
            partial: Vec::new(),
        };
        assert!(new_lines(&path, &mut position).is_empty());
        let append = |text: &str| {
            use std::io::Write;
            let mut file = std::fs::OpenOptions::new()
                .append(true)
                .open(&path)
                .unwrap();
            file.write_all(text.as_bytes()).unwrap();
        };
        append("first\nsec");
        assert_eq!(new_lines(&path, &mut position), ["first"]);
        append("ond\n");
        assert_eq!(new_lines(&path, &mut position), ["second"]);
        // Truncated (copytruncate rotation): read from the start again.
        std::fs::write(&path, "after truncation\n").unwrap();
        assert_eq!(new_lines(&path, &mut position), ["after truncation"]);
        // Replaced (rename rotation): the new file from its start.
        std::fs::rename(&path, dir.join("nats.log.1")).unwrap();
        std::fs::write(&path, "new file line, a longer one than before\n").unwrap();
        assert_eq!(
            new_lines(&path, &mut position),
            ["new file line, a longer one than before"]
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
