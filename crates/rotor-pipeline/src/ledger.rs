//! The failed-login ledger: how many failed logins Rotor caused, per user of each physical
//! switch, within a sliding lock-out window, shared by every worker and copy.
//!
//! NVUE counts failed logins per user and locks an account after five consecutive ones by
//! default (Cumulus Linux 5.15 and later, NVOS: `system aaa authentication restrictions
//! lockout-attempts`, 3 to 999), resetting the count on that user's successful login. So Rotor
//! keeps one ledger per (switch, user), keyed by the switch's identity (its first pinned host
//! key, unique across fabrics), not by a device id or fabric: the same switch listed twice is
//! refused at import. Every login that might fail first reserves a failure; the reservation is
//! kept whenever the password was sent and no success was seen (a refusal, a timeout or a
//! disconnect during the login), given back only when the login never got as far as sending
//! it, and the user's ledger is cleared by that user's success. The window slides: a failure
//! counts for `window` after it happened, so no burst at a window's edge can exceed the budget.

use async_nats::jetstream::kv::Store;
use rotor_bus::BusError;
use rotor_bus::kv::{self, Versioned};
use rotor_bus::lease::now_unix_ms;
use rotor_bus::names::keys;
use serde::{Deserialize, Serialize};

use crate::access::LoginBudget;

/// The failed logins of one user of one switch within the window.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LoginFailures {
    /// When each failed (or possibly failed) login was reserved, Unix milliseconds, oldest
    /// first.
    pub failures_unix_ms: Vec<i64>,
}

/// A reserved failed login, to settle once the login's outcome is known.
#[derive(Debug)]
pub struct Reservation {
    key: String,
    at_unix_ms: i64,
    written: Versioned<LoginFailures>,
}

/// How a login that reserved a failure ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoginOutcome {
    /// The switch accepted the password: the user's failures are cleared.
    Succeeded,
    /// The password was sent and no success was seen: the failure stays.
    MaybeFailed,
    /// The login never got as far as sending the password: the reservation is given back.
    NotTried,
}

/// The budget is spent for this user of this switch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spent {
    /// Failures within the window.
    pub failures: u32,
    /// When the oldest of them leaves the window (a login may be tried again then), Unix ms.
    pub free_at_unix_ms: i64,
}

/// The ledger, in the login-attempts bucket.
#[derive(Clone, Debug)]
pub struct LoginLedger {
    /// The login-attempts bucket.
    pub store: Store,
    /// Failures allowed per user and switch within the window.
    pub budget: LoginBudget,
}

impl LoginLedger {
    /// Reserves one failed login of `user` on `switch`, or says the budget is spent.
    pub async fn reserve(
        &self,
        switch: &str,
        user: &str,
    ) -> Result<Result<Reservation, Spent>, BusError> {
        let key = keys::login_ledger(switch, user);
        let (budget, window_ms) = (
            self.budget.max_failures,
            self.budget.window.as_millis() as i64,
        );
        let now = now_unix_ms();
        let mut spent = None;
        let written = kv::update_json_versioned::<LoginFailures, _>(&self.store, &key, |current| {
            let mut ledger = current.unwrap_or_default();
            ledger.failures_unix_ms.retain(|at| now - at < window_ms);
            if ledger.failures_unix_ms.len() as u32 >= budget {
                spent = Some(Spent {
                    failures: ledger.failures_unix_ms.len() as u32,
                    free_at_unix_ms: ledger.failures_unix_ms[0] + window_ms,
                });
                return None;
            }
            spent = None;
            ledger.failures_unix_ms.push(now);
            Some(ledger)
        })
        .await?;
        if !matches!((&spent, &written), (None, Some(_))) {
            rotor_metrics::metrics().login_budget_refusals.inc();
        }
        Ok(match (spent, written) {
            (None, Some(written)) => Ok(Reservation {
                key,
                at_unix_ms: now,
                written,
            }),
            (spent, _) => Err(spent.unwrap_or(Spent {
                failures: budget,
                free_at_unix_ms: now + window_ms,
            })),
        })
    }

    /// Settles a reservation. When nobody changed the ledger since, one compare-and-set at the
    /// reserved revision does it; otherwise it reads, changes and writes as usual.
    pub async fn settle(
        &self,
        reservation: Reservation,
        outcome: LoginOutcome,
    ) -> Result<(), BusError> {
        let at = reservation.at_unix_ms;
        rotor_metrics::metrics().login_attempt(match outcome {
            LoginOutcome::Succeeded => "succeeded",
            LoginOutcome::MaybeFailed => "failed",
            LoginOutcome::NotTried => "not_tried",
        });
        let change = |current: Option<LoginFailures>| {
            let mut ledger = current?;
            match outcome {
                LoginOutcome::Succeeded => ledger.failures_unix_ms.clear(),
                LoginOutcome::MaybeFailed => return None,
                LoginOutcome::NotTried => {
                    let position = ledger.failures_unix_ms.iter().position(|t| *t == at)?;
                    ledger.failures_unix_ms.remove(position);
                }
            }
            Some(ledger)
        };
        let Some(next) = change(Some(reservation.written.value.clone())) else {
            return Ok(());
        };
        let key = &reservation.key;
        let revision = reservation.written.revision;
        if kv::compare_and_set_json(&self.store, key, &next, revision)
            .await?
            .is_some()
        {
            return Ok(());
        }
        kv::update_json::<LoginFailures, _>(&self.store, key, change).await?;
        Ok(())
    }
}
