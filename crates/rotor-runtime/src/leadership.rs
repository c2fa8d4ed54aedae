//! One copy of a kind of work leads at a time (the aggregation, the dispatch, the schedules):
//! [`Leadership::acquire`] takes the lease `service.<role>` in the leases bucket, runs the leader's
//! work while it holds it, [`Leadership::step_down`] gives it back when the work ends, and otherwise waits for the
//! holder's lease to lapse. A leader that dies is replaced once its lease expires.

use std::time::Duration;

use rotor_bus::lease::{HeldLease, now_unix_ms};
use rotor_bus::names::keys;

use crate::CancellationToken;

/// Who leads what, and for how long a lease is taken.
#[derive(Clone, Copy, Debug)]
pub struct Leadership<'a> {
    /// The leases bucket.
    pub leases: &'a async_nats::jetstream::kv::Store,
    /// The kind of work (`dispatcher`, `scheduler`, `aggregator`): the lease `service.<role>`.
    pub role: &'a str,
    /// This copy's name, as the lease's holder.
    pub instance: &'a str,
    /// What the leader does, written in the lease.
    pub purpose: &'a str,
    /// The lease's duration.
    pub lease: Duration,
}

impl Leadership<'_> {
    /// Waits (standing by while another copy leads) until this copy holds the lease; `None`
    /// when `shutdown` comes first. Run the leader's work, then [`Leadership::step_down`]:
    ///
    /// ```ignore
    /// while let Some(leader) = leadership.acquire(&shutdown).await {
    ///     let result = work(&leader).await;
    ///     leadership.step_down(leader, result, &shutdown).await;
    /// }
    /// ```
    pub async fn acquire(&self, shutdown: &CancellationToken) -> Option<HeldLease> {
        let key = keys::leader(self.role);
        while !shutdown.is_cancelled() {
            match HeldLease::acquire(self.leases, &key, self.instance, self.purpose, self.lease)
                .await
            {
                Ok(Ok(leader)) => {
                    tracing::info!(instance = %self.instance, role = self.role, "leading");
                    return Some(leader);
                }
                Ok(Err(other)) => {
                    tracing::debug!(leader = %other.holder, role = self.role, "standing by");
                    let wait = (other.expires_unix_ms - now_unix_ms()).clamp(100, 2_000) as u64;
                    pause(Duration::from_millis(wait), shutdown).await;
                }
                Err(error) => {
                    tracing::warn!(%error, role = self.role, "cannot reach the leases bucket; retrying");
                    pause(Duration::from_secs(1), shutdown).await;
                }
            }
        }
        None
    }

    /// Gives the lease back once the leader's work ended with `result`; after an error (logged)
    /// waits a second before the next [`Leadership::acquire`].
    pub async fn step_down<E: std::fmt::Display>(
        &self,
        leader: HeldLease,
        result: Result<(), E>,
        shutdown: &CancellationToken,
    ) {
        if let Err(error) = leader.release().await {
            tracing::warn!(%error, role = self.role, "could not give the leadership back; it lapses");
        }
        if let Err(error) = result {
            tracing::warn!(%error, role = self.role, "stopped leading after an error; retrying");
            pause(Duration::from_secs(1), shutdown).await;
        }
    }
}

/// Waits `duration`, or less if `shutdown` comes first.
pub async fn pause(duration: Duration, shutdown: &CancellationToken) {
    tokio::select! {
        _ = tokio::time::sleep(duration) => {}
        _ = shutdown.cancelled() => {}
    }
}
