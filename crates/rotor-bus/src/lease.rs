//! Leases: a key held by one holder until it releases it or stops renewing it.
//!
//! Fabric locks (one per fabric, shared with other systems' fabric-wide work) and service
//! leadership use them. Taking a lease is atomic (create, or compare-and-set over an expired
//! one), so two takers never both win; a crashed holder blocks nobody for longer than its lease.
//! Times are Unix milliseconds from the caller, so tests control the clock.

use async_nats::jetstream::kv::Store;
use bytes::Bytes;
use serde::{Deserialize, Serialize};

use crate::BusError;
use crate::kv::{compare_and_set, get_json};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Lease {
    pub holder: String,
    pub purpose: String,
    /// Proof of holding, needed to renew or release.
    pub lease_id: String,
    pub acquired_unix_ms: i64,
    pub expires_unix_ms: i64,
}

impl Lease {
    pub fn is_expired(&self, now_unix_ms: i64) -> bool {
        now_unix_ms >= self.expires_unix_ms
    }
}

/// The result of trying to take a lease.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Acquired {
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
    for _ in 0..16 {
        let current = get_json::<Lease>(store, key).await?;
        let expected_revision = match &current {
            Some(existing) if !existing.value.is_expired(now_unix_ms) => {
                return Ok((Acquired::HeldBy(existing.value.clone()), 0));
            }
            Some(expired) => expired.revision,
            None => 0,
        };
        let lease = Lease {
            holder: holder.to_string(),
            purpose: purpose.to_string(),
            lease_id: uuid::Uuid::new_v4().to_string(),
            acquired_unix_ms: now_unix_ms,
            expires_unix_ms: now_unix_ms + lease_ms,
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
    let Some(current) = get_json::<Lease>(store, key).await? else {
        return Ok(None);
    };
    if current.value.lease_id != lease_id {
        return Ok(None);
    }
    let lease = Lease {
        expires_unix_ms: now_unix_ms + lease_ms,
        ..current.value
    };
    let bytes = Bytes::from(serde_json::to_vec(&lease).expect("a lease serialises"));
    Ok(compare_and_set(store, key, bytes, current.revision)
        .await?
        .map(|revision| (lease, revision)))
}

/// Gives a lease back. `false` when `lease_id` does not hold it (nothing is changed then).
pub async fn release(store: &Store, key: &str, lease_id: &str) -> Result<bool, BusError> {
    let Some(current) = get_json::<Lease>(store, key).await? else {
        return Ok(false);
    };
    if current.value.lease_id != lease_id {
        return Ok(false);
    }
    match store
        .delete_expect_revision(key, Some(current.revision))
        .await
    {
        Ok(()) => Ok(true),
        Err(_) => Ok(false),
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
    if revision > 0
        && store
            .delete_expect_revision(key, Some(revision))
            .await
            .is_ok()
    {
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
