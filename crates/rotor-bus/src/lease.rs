//! Leases: a key held by one holder until it releases it or stops renewing it.
//!
//! Fabric locks (one per fabric, shared with other systems' fabric-wide work), service
//! leadership and device locks use them, through one primitive: [`HeldLease`] (taken or
//! adopted, renewed in the background, `is_held`, released). Taking a lease is atomic (create,
//! or compare-and-set over an expired one), so two takers never both win; a crashed holder
//! blocks nobody for longer than its lease.
//! Times are Unix milliseconds from the caller, so tests control the clock.
//!
//! A lease can also carry a [`PendingChange`]: a switch lock whose holder applied a change that
//! waits for its confirmation (NVUE's `nv config apply --confirm`, undone by the switch's own
//! rollback timer unless confirmed). Until the timer has surely ended, nobody takes that switch
//! but a copy of the job that applied the change, even after the holder released the lease,
//! stopped renewing it or died: anyone else would meet a password the switch is about to drop.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use async_nats::jetstream::kv::{DeleteErrorKind, Store};
use bytes::Bytes;
use serde::{Deserialize, Serialize};

use crate::BusError;
use crate::kv::{compare_and_set, get_json};

/// A lease as stored under its key (JSON, camelCase).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Lease {
    /// Who holds it, e.g. an operation or a person; shown to whoever is refused.
    pub holder: String,
    /// Why it is held, e.g. `upgrade to 5.9`; may be empty.
    pub purpose: String,
    /// Proof of holding, needed to renew or release.
    pub lease_id: String,
    /// When it was taken, in Unix milliseconds.
    pub acquired_unix_ms: i64,
    /// When it runs out unless renewed, in Unix milliseconds; from then on anyone may take it
    /// (but see [`Lease::pending`]).
    pub expires_unix_ms: i64,
    /// A change its holder left waiting for a confirmation: until it ends, only the job that
    /// made it may take the lease, whatever [`Lease::expires_unix_ms`] says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending: Option<PendingChange>,
}

/// A change on a switch that waits for its confirmation, recorded in the switch's lock.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PendingChange {
    /// The job that made it (its copies may take the lease to confirm or roll it back).
    pub job: String,
    /// When the switch has surely rolled it back by itself, in Unix milliseconds.
    pub until_unix_ms: i64,
}

impl Lease {
    /// Whether the lease has run out at `now_unix_ms` (the expiry instant counts as expired).
    pub fn is_expired(&self, now_unix_ms: i64) -> bool {
        now_unix_ms >= self.expires_unix_ms
    }

    /// The pending change still in force at `now_unix_ms`, if any.
    pub fn pending_at(&self, now_unix_ms: i64) -> Option<&PendingChange> {
        self.pending
            .as_ref()
            .filter(|pending| now_unix_ms < pending.until_unix_ms)
    }

    /// Whether `job` (a job's identity, `None` for a taker that is no job) may take the lease
    /// at `now_unix_ms`: it has run out and no pending change of another job is in force.
    pub fn is_free_for(&self, job: Option<&str>, now_unix_ms: i64) -> bool {
        self.is_expired(now_unix_ms)
            && self
                .pending_at(now_unix_ms)
                .is_none_or(|pending| Some(pending.job.as_str()) == job)
    }
}

/// The result of trying to take a lease.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Acquired {
    /// The caller took the lease.
    Yes(Lease),
    /// Someone else holds it until the lease expires.
    HeldBy(Lease),
}

/// Milliseconds since the Unix epoch, from the system clock.
pub fn now_unix_ms() -> i64 {
    (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

/// Takes the lease on `key` unless someone holds an unexpired one.
pub async fn acquire(
    store: &Store,
    key: &str,
    holder: &str,
    purpose: &str,
    lease_ms: i64,
    now_unix_ms: i64,
) -> Result<Acquired, BusError> {
    Ok(
        acquire_versioned(store, key, holder, purpose, lease_ms, now_unix_ms)
            .await?
            .0,
    )
}

/// Like [`acquire`], also returning the revision of the lease written when it was taken (0
/// otherwise), for [`renew_versioned`] and [`release_at`].
pub async fn acquire_versioned(
    store: &Store,
    key: &str,
    holder: &str,
    purpose: &str,
    lease_ms: i64,
    now_unix_ms: i64,
) -> Result<(Acquired, u64), BusError> {
    acquire_as(store, key, holder, purpose, None, lease_ms, now_unix_ms).await
}

/// Like [`acquire_versioned`], for `job` (a job's identity): it may also take a lease whose
/// [`PendingChange`] is its own, and keeps that pending change in the lease it writes.
pub async fn acquire_as(
    store: &Store,
    key: &str,
    holder: &str,
    purpose: &str,
    job: Option<&str>,
    lease_ms: i64,
    now_unix_ms: i64,
) -> Result<(Acquired, u64), BusError> {
    for _ in 0..16 {
        let current = get_json::<Lease>(store, key).await?;
        let (expected_revision, pending) = match &current {
            Some(existing) if !existing.value.is_free_for(job, now_unix_ms) => {
                return Ok((Acquired::HeldBy(existing.value.clone()), 0));
            }
            Some(free) => (free.revision, free.value.pending_at(now_unix_ms).cloned()),
            None => (0, None),
        };
        let lease = Lease {
            holder: holder.to_string(),
            purpose: purpose.to_string(),
            lease_id: uuid::Uuid::new_v4().to_string(),
            acquired_unix_ms: now_unix_ms,
            expires_unix_ms: now_unix_ms + lease_ms,
            pending,
        };
        let bytes = Bytes::from(serde_json::to_vec(&lease).expect("a lease serialises"));
        if let Some(revision) = compare_and_set(store, key, bytes, expected_revision).await? {
            return Ok((Acquired::Yes(lease), revision));
        }
    }
    Err(BusError::Conflict {
        what: format!("lease {}/{key}", store.name),
    })
}

/// Takes the lease on `key` again under the id `lease_id` it had before, unless someone holds
/// an unexpired one: a resumed operation holds its fabric lock under its plan's lease id again,
/// so the fence of its jobs (and what workers checked them against) stays the same.
pub async fn reacquire(
    store: &Store,
    key: &str,
    holder: &str,
    purpose: &str,
    lease_id: &str,
    lease_ms: i64,
    now_unix_ms: i64,
) -> Result<Acquired, BusError> {
    for _ in 0..16 {
        let current = get_json::<Lease>(store, key).await?;
        let expected_revision = match &current {
            Some(existing) if !existing.value.is_free_for(None, now_unix_ms) => {
                return Ok(Acquired::HeldBy(existing.value.clone()));
            }
            Some(free) => free.revision,
            None => 0,
        };
        let lease = Lease {
            holder: holder.to_string(),
            purpose: purpose.to_string(),
            lease_id: lease_id.to_string(),
            acquired_unix_ms: now_unix_ms,
            expires_unix_ms: now_unix_ms + lease_ms,
            pending: None,
        };
        let bytes = Bytes::from(serde_json::to_vec(&lease).expect("a lease serialises"));
        if compare_and_set(store, key, bytes, expected_revision)
            .await?
            .is_some()
        {
            return Ok(Acquired::Yes(lease));
        }
    }
    Err(BusError::Conflict {
        what: format!("lease {}/{key}", store.name),
    })
}

/// Extends a lease its holder still holds; `None` when it was lost (released, or expired and
/// taken by someone else). An expired lease nobody took is renewed.
pub async fn renew(
    store: &Store,
    key: &str,
    lease_id: &str,
    lease_ms: i64,
    now_unix_ms: i64,
) -> Result<Option<Lease>, BusError> {
    Ok(renew_versioned(store, key, lease_id, lease_ms, now_unix_ms)
        .await?
        .map(|(lease, _)| lease))
}

/// Like [`renew`], also returning the revision written.
pub async fn renew_versioned(
    store: &Store,
    key: &str,
    lease_id: &str,
    lease_ms: i64,
    now_unix_ms: i64,
) -> Result<Option<(Lease, u64)>, BusError> {
    let renewed = update_held(store, key, lease_id, |lease| {
        Some(Lease {
            expires_unix_ms: now_unix_ms + lease_ms,
            ..lease
        })
    })
    .await?;
    Ok(match renewed {
        Updated::Written(lease, revision) => Some((lease, revision)),
        Updated::Deleted | Updated::NotHeld => None,
    })
}

/// What [`update_held`] did.
enum Updated {
    /// Wrote this lease at this revision.
    Written(Lease, u64),
    /// Deleted the lease.
    Deleted,
    /// `lease_id` does not hold the lease (nothing was changed).
    NotHeld,
}

/// Rewrites the lease `lease_id` holds with `change` (`None`: deletes it), by compare-and-set,
/// reading again when something else wrote in between (the holder's renewal and its pending
/// change both write); `NotHeld` once someone else holds it.
async fn update_held(
    store: &Store,
    key: &str,
    lease_id: &str,
    change: impl Fn(Lease) -> Option<Lease>,
) -> Result<Updated, BusError> {
    for _ in 0..16 {
        let Some(current) = get_json::<Lease>(store, key).await? else {
            return Ok(Updated::NotHeld);
        };
        if current.value.lease_id != lease_id {
            return Ok(Updated::NotHeld);
        }
        match change(current.value) {
            Some(lease) => {
                let bytes = Bytes::from(serde_json::to_vec(&lease).expect("a lease serialises"));
                if let Some(revision) = compare_and_set(store, key, bytes, current.revision).await?
                {
                    return Ok(Updated::Written(lease, revision));
                }
            }
            None => {
                if delete_at(store, key, current.revision).await? {
                    return Ok(Updated::Deleted);
                }
            }
        }
    }
    Err(BusError::Conflict {
        what: format!("lease {}/{key}", store.name),
    })
}

/// Gives a lease back. `false` when `lease_id` does not hold it (nothing is changed then); an
/// error when the bucket could not be asked or written (the lease may still be held).
pub async fn release(store: &Store, key: &str, lease_id: &str) -> Result<bool, BusError> {
    let Some(current) = get_json::<Lease>(store, key).await? else {
        return Ok(false);
    };
    if current.value.lease_id != lease_id {
        return Ok(false);
    }
    delete_at(store, key, current.revision).await
}

/// Ends a lease that carries a pending change: it runs out now and keeps the pending change;
/// one without a pending change in force is deleted.
async fn hand_to_pending(store: &Store, key: &str, lease_id: &str) -> Result<bool, BusError> {
    let handed = update_held(store, key, lease_id, |lease| {
        let now = now_unix_ms();
        lease.pending_at(now).is_some().then_some(Lease {
            expires_unix_ms: now,
            ..lease
        })
    })
    .await?;
    Ok(!matches!(handed, Updated::NotHeld))
}

/// Deletes `key` if it is still at `revision`: `false` when it changed since.
async fn delete_at(store: &Store, key: &str, revision: u64) -> Result<bool, BusError> {
    match store.delete_expect_revision(key, Some(revision)).await {
        Ok(()) => Ok(true),
        Err(error) if error.kind() == DeleteErrorKind::WrongLastRevision => Ok(false),
        Err(error) => Err(BusError::jetstream(
            format!("release lease {}/{key}", store.name),
            error,
        )),
    }
}

/// Gives back a lease its holder last wrote at `revision` (from [`acquire_versioned`] or
/// [`renew_versioned`]) with one delete at that revision; if the key changed since, falls back
/// to [`release`], which checks who holds it.
pub async fn release_at(
    store: &Store,
    key: &str,
    lease_id: &str,
    revision: u64,
) -> Result<bool, BusError> {
    if revision > 0 && delete_at(store, key, revision).await? {
        return Ok(true);
    }
    release(store, key, lease_id).await
}

/// The unexpired lease on `key`, if any.
pub async fn current(
    store: &Store,
    key: &str,
    now_unix_ms: i64,
) -> Result<Option<Lease>, BusError> {
    Ok(get_json::<Lease>(store, key)
        .await?
        .map(|c| c.value)
        .filter(|lease| !lease.is_expired(now_unix_ms)))
}

/// A lease this process holds and renews in the background (every third of its duration) until
/// it is released or dropped. Dropping stops the renewal without releasing: the lease then
/// lapses after its duration (what a leader that stops leading wants: the next one takes over
/// the fabric locks it renewed, not released ones).
#[derive(Debug)]
pub struct HeldLease {
    store: Store,
    key: String,
    lease: Lease,
    /// The revision this holder last wrote, so a release is one delete.
    revision: Arc<AtomicU64>,
    /// Whether the lease carries a [`PendingChange`] (as this holder knows it).
    pending: Arc<AtomicBool>,
    /// Turns true once the lease is gone (taken over, or not renewed for a whole duration).
    lost: tokio::sync::watch::Receiver<bool>,
    renewal: tokio::task::JoinHandle<()>,
}

impl HeldLease {
    /// Takes the lease on `key` for `duration` unless someone holds it; `Err(holder)` then.
    pub async fn acquire(
        store: &Store,
        key: &str,
        holder: &str,
        purpose: &str,
        duration: Duration,
    ) -> Result<Result<HeldLease, Lease>, BusError> {
        HeldLease::acquire_as(store, key, holder, purpose, None, duration).await
    }

    /// Like [`HeldLease::acquire`], for `job` (see [`acquire_as`]).
    pub async fn acquire_as(
        store: &Store,
        key: &str,
        holder: &str,
        purpose: &str,
        job: Option<&str>,
        duration: Duration,
    ) -> Result<Result<HeldLease, Lease>, BusError> {
        let lease_ms = duration.as_millis() as i64;
        match acquire_as(store, key, holder, purpose, job, lease_ms, now_unix_ms()).await? {
            (Acquired::Yes(lease), revision) => {
                Ok(Ok(HeldLease::keep(store, key, lease, revision, duration)))
            }
            (Acquired::HeldBy(other), _) => Ok(Err(other)),
        }
    }

    /// Takes over the renewal of a lease taken elsewhere (a fabric lock the orchestrator took
    /// for an operation, kept by the aggregator): renews it once now, then in the background.
    /// `None` when `lease_id` no longer holds it.
    pub async fn adopt(
        store: &Store,
        key: &str,
        lease_id: &str,
        duration: Duration,
    ) -> Result<Option<HeldLease>, BusError> {
        let lease_ms = duration.as_millis() as i64;
        Ok(
            renew_versioned(store, key, lease_id, lease_ms, now_unix_ms())
                .await?
                .map(|(lease, revision)| HeldLease::keep(store, key, lease, revision, duration)),
        )
    }

    /// Renews a lease this process took, `revision` being the last one it wrote.
    fn keep(
        store: &Store,
        key: &str,
        lease: Lease,
        revision: u64,
        duration: Duration,
    ) -> HeldLease {
        let revision = Arc::new(AtomicU64::new(revision));
        let pending = Arc::new(AtomicBool::new(lease.pending.is_some()));
        let (lost_sender, lost) = tokio::sync::watch::channel(false);
        let renewal = tokio::spawn(renew_until_lost(
            store.clone(),
            key.to_string(),
            lease.lease_id.clone(),
            duration,
            revision.clone(),
            lost_sender,
        ));
        HeldLease {
            store: store.clone(),
            key: key.to_string(),
            lease,
            revision,
            pending,
            lost,
            renewal,
        }
    }

    /// Records `pending` in the lease (or, with `None`, that nothing waits any more); renewals
    /// keep it. `false` when the lease is no longer held (nothing is written then).
    pub async fn set_pending(&self, pending: Option<PendingChange>) -> Result<bool, BusError> {
        let set = update_held(&self.store, &self.key, &self.lease.lease_id, |lease| {
            Some(Lease {
                pending: pending.clone(),
                ..lease
            })
        })
        .await?;
        match set {
            Updated::Written(_, revision) => {
                self.revision.store(revision, Ordering::Release);
                self.pending.store(pending.is_some(), Ordering::Release);
                Ok(true)
            }
            Updated::Deleted | Updated::NotHeld => Ok(false),
        }
    }

    /// The lease as it was taken.
    pub fn lease(&self) -> &Lease {
        &self.lease
    }

    /// Whether it is still held. A side effect that needs the lease must not start once it is
    /// not: someone else may hold it now.
    pub fn is_held(&self) -> bool {
        !*self.lost.borrow()
    }

    /// Resolves once the lease is lost (never, while it is renewed).
    pub async fn lost(&self) {
        let mut lost = self.lost.clone();
        let _ = lost.wait_for(|lost| *lost).await;
    }

    /// Stops renewing and gives the lease back; `false` when it was no longer held. A lease
    /// with a [`PendingChange`] in force is not deleted: it runs out now, so a copy of the job
    /// that made the change can take it, and the pending change keeps everyone else away.
    pub async fn release(self) -> Result<bool, BusError> {
        self.renewal.abort();
        if self.pending.load(Ordering::Acquire) {
            return hand_to_pending(&self.store, &self.key, &self.lease.lease_id).await;
        }
        let revision = self.revision.load(Ordering::Acquire);
        release_at(&self.store, &self.key, &self.lease.lease_id, revision).await
    }
}

impl Drop for HeldLease {
    fn drop(&mut self) {
        self.renewal.abort();
    }
}

async fn renew_until_lost(
    store: Store,
    key: String,
    lease_id: String,
    duration: Duration,
    revision: Arc<AtomicU64>,
    lost: tokio::sync::watch::Sender<bool>,
) {
    let lease_ms = duration.as_millis() as i64;
    let mut last_renewed = tokio::time::Instant::now();
    loop {
        tokio::time::sleep(duration / 3).await;
        match renew_versioned(&store, &key, &lease_id, lease_ms, now_unix_ms()).await {
            Ok(Some((_, written))) => {
                revision.store(written, Ordering::Release);
                last_renewed = tokio::time::Instant::now();
            }
            Ok(None) => break,
            // The bus is unreachable: the lease lapses after its duration.
            Err(error) if last_renewed.elapsed() >= duration => {
                tracing::warn!(%error, key, "could not renew a lease in time; it is lost");
                break;
            }
            Err(error) => tracing::warn!(%error, key, "could not renew a lease; trying again"),
        }
    }
    let _ = lost.send(true);
}
