//! Limits on what one caller can make the orchestrator hold or do (docs/safety.md, "Bad input
//! and security"):
//!
//! - the size of a gRPC message either way (`ROTOR_GRPC_MAX_MESSAGE_BYTES`): a larger request
//!   is refused `RESOURCE_EXHAUSTED` naming the setting ([`too_large`]);
//! - how often one authenticated subject may call (`ROTOR_GRPC_RATE_PER_SECOND`,
//!   `ROTOR_GRPC_BURST`): a token bucket per subject ([`RateLimiter`]), checked by the
//!   interceptor right after the token, refused `RESOURCE_EXHAUSTED` and audited `refused`;
//! - how many `WatchEvents` streams one subject may hold open
//!   (`ROTOR_WATCH_STREAMS_PER_CALLER`, [`StreamCounts`]);
//! - how many bus requests are handled at once (`ROTOR_BUS_REQUEST_CONCURRENCY`,
//!   `crate::bus_requests`), and how often one requester (NATS user) may send one
//!   (`ROTOR_BUS_RATE_PER_SECOND`, `ROTOR_BUS_BURST`: the same token bucket per requester);
//! - how many secret versions one request may write (`ROTOR_MAX_SECRET_WRITES_PER_REQUEST`);
//! - how many operations run at once over every fabric (`ROTOR_MAX_RUNNING_OPERATIONS`,
//!   `crate::requests`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use rotor_runtime::settings::{SettingError, Settings};
use tonic::Status;

/// The limits' settings.
#[derive(Clone, Debug, PartialEq)]
pub struct Limits {
    /// The largest gRPC message decoded or encoded (`ROTOR_GRPC_MAX_MESSAGE_BYTES`, default
    /// 256 MiB: a 10,000-device import with an intended configuration per device).
    pub grpc_max_message_bytes: usize,
    /// Calls per second one subject may sustain (`ROTOR_GRPC_RATE_PER_SECOND`, default 100).
    pub grpc_rate_per_second: f64,
    /// Calls one subject may make at once after a quiet spell (`ROTOR_GRPC_BURST`, default 400).
    pub grpc_burst: u32,
    /// Open `WatchEvents` streams per subject (`ROTOR_WATCH_STREAMS_PER_CALLER`, default 8).
    pub watch_streams_per_caller: usize,
    /// Bus requests handled at once (`ROTOR_BUS_REQUEST_CONCURRENCY`, default 64).
    pub bus_request_concurrency: usize,
    /// Bus requests per second one requester (NATS user) may sustain
    /// (`ROTOR_BUS_RATE_PER_SECOND`, default 20).
    pub bus_rate_per_second: f64,
    /// Bus requests one requester may send at once after a quiet spell (`ROTOR_BUS_BURST`,
    /// default 100).
    pub bus_burst: u32,
    /// Operations running at once over every fabric (`ROTOR_MAX_RUNNING_OPERATIONS`, default
    /// 64): one more is refused `OperationNotAllowed`.
    pub max_running_operations: usize,
    /// Secret versions one request may write (`ROTOR_MAX_SECRET_WRITES_PER_REQUEST`, default
    /// 1000: a fabric's distinct secret paths for the users it rotates); above it the
    /// rotation is refused `OperationNotAllowed` before anything is written.
    pub max_secret_writes: usize,
}

/// The default of `ROTOR_GRPC_MAX_MESSAGE_BYTES`.
pub const DEFAULT_GRPC_MAX_MESSAGE_BYTES: usize = 256 << 20;

impl Default for Limits {
    fn default() -> Self {
        Limits {
            grpc_max_message_bytes: DEFAULT_GRPC_MAX_MESSAGE_BYTES,
            grpc_rate_per_second: 100.0,
            grpc_burst: 400,
            watch_streams_per_caller: 8,
            bus_request_concurrency: 64,
            bus_rate_per_second: 20.0,
            bus_burst: 100,
            max_running_operations: 64,
            max_secret_writes: 1000,
        }
    }
}

impl Limits {
    /// Reads the limits; the first bad value is the error.
    pub fn from_settings(settings: &Settings) -> Result<Limits, SettingError> {
        let defaults = Limits::default();
        let rate = |name: &str, default: f64| -> Result<f64, SettingError> {
            let rate: f64 = settings.parse(name, default)?;
            if !(0.01..=1_000_000.0).contains(&rate) {
                return Err(SettingError {
                    name: name.into(),
                    reason: format!("{rate} is outside 0.01..=1000000 calls a second"),
                });
            }
            Ok(rate)
        };
        Ok(Limits {
            grpc_max_message_bytes: settings.number(
                "ROTOR_GRPC_MAX_MESSAGE_BYTES",
                defaults.grpc_max_message_bytes as u64,
                (64 << 10)..=(2 << 30),
            )? as usize,
            grpc_rate_per_second: rate(
                "ROTOR_GRPC_RATE_PER_SECOND",
                defaults.grpc_rate_per_second,
            )?,
            grpc_burst: settings.number(
                "ROTOR_GRPC_BURST",
                defaults.grpc_burst as u64,
                1..=1_000_000,
            )? as u32,
            watch_streams_per_caller: settings.number(
                "ROTOR_WATCH_STREAMS_PER_CALLER",
                defaults.watch_streams_per_caller as u64,
                1..=10_000,
            )? as usize,
            bus_request_concurrency: settings.number(
                "ROTOR_BUS_REQUEST_CONCURRENCY",
                defaults.bus_request_concurrency as u64,
                1..=100_000,
            )? as usize,
            bus_rate_per_second: rate("ROTOR_BUS_RATE_PER_SECOND", defaults.bus_rate_per_second)?,
            bus_burst: settings.number(
                "ROTOR_BUS_BURST",
                defaults.bus_burst as u64,
                1..=1_000_000,
            )? as u32,
            max_running_operations: settings.number(
                "ROTOR_MAX_RUNNING_OPERATIONS",
                defaults.max_running_operations as u64,
                1..=100_000,
            )? as usize,
            max_secret_writes: settings.number(
                "ROTOR_MAX_SECRET_WRITES_PER_REQUEST",
                defaults.max_secret_writes as u64,
                1..=1_000_000,
            )? as usize,
        })
    }
}

/// A token bucket per authenticated subject.
#[derive(Debug)]
pub struct RateLimiter {
    rate: f64,
    burst: f64,
    settings: &'static str,
    buckets: Mutex<HashMap<String, (f64, Instant)>>,
}

/// Above this many subjects, buckets that have refilled (their subject was quiet) are dropped.
const BUCKETS_KEPT: usize = 4096;

impl RateLimiter {
    /// `rate` calls a second, up to `burst` at once, per subject; `settings` names the two
    /// settings, for the refusal.
    pub fn new(rate: f64, burst: u32, settings: &'static str) -> RateLimiter {
        RateLimiter {
            rate,
            burst: burst as f64,
            settings,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one call from `subject`'s bucket, or says why not.
    pub fn admit(&self, subject: &str) -> Result<(), String> {
        self.admit_at(subject, Instant::now())
    }

    fn admit_at(&self, subject: &str, now: Instant) -> Result<(), String> {
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() >= BUCKETS_KEPT && !buckets.contains_key(subject) {
            let (rate, burst) = (self.rate, self.burst);
            buckets.retain(|_, (tokens, since)| {
                *tokens + now.saturating_duration_since(*since).as_secs_f64() * rate < burst
            });
        }
        let (tokens, since) = buckets
            .entry(subject.to_string())
            .or_insert((self.burst, now));
        *tokens = (*tokens + now.saturating_duration_since(*since).as_secs_f64() * self.rate)
            .min(self.burst);
        *since = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            return Ok(());
        }
        tracing::warn!(%subject, "refused a call over the caller's rate");
        Err(format!(
            "{subject} calls faster than Rotor allows ({} a second, bursts of {}; {}): retry later",
            self.rate, self.burst, self.settings
        ))
    }
}

/// Open streams per subject; a [`StreamSlot`] holds one until it is dropped.
#[derive(Clone, Debug, Default)]
pub struct StreamCounts {
    open: Arc<Mutex<HashMap<String, usize>>>,
}

/// One open stream of one subject, given back when dropped (the stream ended or the caller
/// went away).
#[derive(Debug)]
pub struct StreamSlot {
    open: Arc<Mutex<HashMap<String, usize>>>,
    subject: String,
}

impl StreamCounts {
    /// A slot for one more stream of `subject`, or `RESOURCE_EXHAUSTED` when it holds `max`.
    pub fn open(&self, subject: &str, max: usize) -> Result<StreamSlot, Status> {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        let count = open.entry(subject.to_string()).or_default();
        if *count >= max {
            return Err(Status::resource_exhausted(format!(
                "{subject} already watches {max} event streams, the most one caller may hold open (ROTOR_WATCH_STREAMS_PER_CALLER): close one first"
            )));
        }
        *count += 1;
        Ok(StreamSlot {
            open: self.open.clone(),
            subject: subject.to_string(),
        })
    }
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(count) = open.get_mut(&self.subject) {
            *count -= 1;
            if *count == 0 {
                open.remove(&self.subject);
            }
        }
    }
}

/// The refusal of a request message over `limit` bytes, the limit `setting` sets.
pub fn too_large(limit: usize, setting: &str) -> Status {
    Status::resource_exhausted(format!(
        "the request is larger than {limit} bytes, the largest the API takes ({setting})"
    ))
}

/// tonic's own refusal of a message over the decoding limit (`OUT_OF_RANGE`, naming no
/// setting), which the audit layer answers as [`too_large`] instead.
pub fn is_tonic_too_large(status: &Status) -> bool {
    status.code() == tonic::Code::OutOfRange
        && status
            .message()
            .starts_with("Error, decoded message length too large")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn each_subject_has_its_own_bucket_which_refills_at_the_rate() {
        let limiter = RateLimiter::new(2.0, 3, "RATE, BURST");
        let start = Instant::now();
        for _ in 0..3 {
            limiter.admit_at("alice", start).unwrap();
        }
        let refused = limiter.admit_at("alice", start).unwrap_err();
        assert!(refused.contains("RATE, BURST"), "{refused:?}");
        limiter.admit_at("bob", start).unwrap();
        let later = start + Duration::from_millis(500);
        limiter.admit_at("alice", later).unwrap();
        assert!(limiter.admit_at("alice", later).is_err());
    }

    #[test]
    fn a_stream_slot_is_given_back_when_dropped() {
        let counts = StreamCounts::default();
        let first = counts.open("alice", 2).unwrap();
        let _second = counts.open("alice", 2).unwrap();
        let refused = counts.open("alice", 2).unwrap_err();
        assert!(refused.message().contains("ROTOR_WATCH_STREAMS_PER_CALLER"));
        counts.open("bob", 2).unwrap();
        drop(first);
        counts.open("alice", 2).unwrap();
    }

    #[test]
    fn bad_limits_name_their_setting() {
        let error = |name: &str, value: &str| {
            Limits::from_settings(&Settings::from_pairs([(name, value)]))
                .unwrap_err()
                .name
        };
        for (name, value) in [
            ("ROTOR_GRPC_MAX_MESSAGE_BYTES", "10"),
            ("ROTOR_GRPC_RATE_PER_SECOND", "0"),
            ("ROTOR_GRPC_RATE_PER_SECOND", "fast"),
            ("ROTOR_GRPC_BURST", "0"),
            ("ROTOR_WATCH_STREAMS_PER_CALLER", "0"),
            ("ROTOR_BUS_REQUEST_CONCURRENCY", "0"),
            ("ROTOR_MAX_RUNNING_OPERATIONS", "0"),
        ] {
            assert_eq!(error(name, value), name);
        }
        assert_eq!(
            Limits::from_settings(&Settings::default()).unwrap(),
            Limits::default()
        );
    }
}
