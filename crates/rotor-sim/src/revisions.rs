//! What a device keeps besides its applied configuration: the startup configuration and saving
//! (`nv config save`, auto-save), the commit-confirm window (`nv config apply --confirm`) and its
//! rollback, detached revisions (`nv config detach`), and NVOS's per-user password history.
//!
//! Timers: a commit-confirm deadline is an instant on Tokio's clock, checked whenever the
//! device's state is locked ([`crate::device::Device`] locks it for every command, login and
//! report), so the rollback is seen as soon as it is due, paused test time works, and an idle
//! device has no timer task.

use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use crate::config_tree::{Node, NvueConfig};
use crate::device::{DeviceState, Revision, now_text};
use crate::profile::Profile;

/// How many detached revisions a device keeps (the oldest is forgotten first).
pub const MAX_DETACHED: usize = 10;
/// How many password hashes per user the history keeps (NVOS's `history-cnt` is at most 100).
pub const MAX_PASSWORD_HISTORY: usize = 100;

/// An apply made with `--confirm`, waiting for `--confirm-yes`.
#[derive(Debug)]
pub(crate) struct PendingConfirm {
    /// The revision that was applied and waits.
    pub revision: u64,
    /// When it rolls back by itself.
    pub deadline: Instant,
    /// The configuration applied before it, which a rollback restores.
    pub previous: Arc<NvueConfig>,
}

/// A candidate kept by `nv config detach`.
#[derive(Debug)]
pub(crate) struct DetachedRevision {
    pub id: u64,
    pub user: String,
    pub date: String,
    pub config: Box<NvueConfig>,
}

/// Each user's recent password hashes, oldest first, the applied one last (NVOS only).
#[derive(Debug, Default)]
pub(crate) struct PasswordHistory(Vec<(String, Vec<String>)>);

const USERS: [&str; 3] = ["system", "aaa", "user"];

fn user_hash(config: &NvueConfig, username: &str) -> Option<String> {
    config
        .root
        .leaf_text(&["system", "aaa", "user", username, "hashed-password"])
}

impl PasswordHistory {
    /// Records every user whose hash differs between `before` and `after` (profiles with
    /// password hardening only).
    pub fn record_changes(&mut self, profile: Profile, before: &NvueConfig, after: &NvueConfig) {
        if profile.password_hardening_default().is_none() {
            return;
        }
        let Some(users) = after.root.get(&USERS).and_then(Node::children) else {
            return;
        };
        for (username, _) in users {
            let Some(new) = user_hash(after, username) else {
                continue;
            };
            let old = user_hash(before, username);
            if old.as_deref() == Some(new.as_str()) {
                continue;
            }
            let hashes = self.entry(username);
            if hashes.is_empty()
                && let Some(old) = old
            {
                hashes.push(old);
            }
            hashes.push(new);
            if hashes.len() > MAX_PASSWORD_HISTORY {
                hashes.remove(0);
            }
        }
    }

    fn entry(&mut self, username: &str) -> &mut Vec<String> {
        let index = match self.0.iter().position(|(name, _)| name == username) {
            Some(index) => index,
            None => {
                self.0.push((username.to_string(), Vec::new()));
                self.0.len() - 1
            }
        };
        &mut self.0[index].1
    }

    /// The user's last `count` password hashes, the applied one (`current`) included.
    pub fn recent(&self, username: &str, current: Option<&str>, count: usize) -> Vec<String> {
        let mut hashes: Vec<String> = self
            .0
            .iter()
            .find(|(name, _)| name == username)
            .map(|(_, hashes)| hashes.clone())
            .unwrap_or_default();
        if let Some(current) = current
            && hashes.last().map(String::as_str) != Some(current)
        {
            hashes.push(current.to_string());
        }
        let skip = hashes.len().saturating_sub(count);
        hashes.split_off(skip)
    }
}

impl DeviceState {
    /// A fresh revision id (applied and detached revisions count from the same number).
    pub(crate) fn take_revision_id(&mut self) -> u64 {
        let id = self.next_revision_id;
        self.next_revision_id += 1;
        id
    }

    /// Whether the applied configuration has auto-save on (its profile's spelling, else the
    /// profile's default).
    pub(crate) fn auto_save_enabled(&self) -> bool {
        let syntax = self.profile.auto_save_syntax();
        let path = ["system", "config", "auto-save", syntax.field()];
        match self.applied.root.leaf_text(&path) {
            Some(value) => value == syntax.values().0,
            None => self.profile.auto_save_default(),
        }
    }

    /// `nv config save`: the applied configuration becomes the startup configuration.
    pub(crate) fn save(&mut self) {
        self.startup = Arc::clone(&self.applied);
    }

    /// Saves when auto-save is on; returns whether it saved.
    pub(crate) fn save_if_auto_save(&mut self) -> bool {
        let on = self.auto_save_enabled();
        if on {
            self.save();
        }
        on
    }

    /// Whether the startup configuration is the applied one.
    pub(crate) fn is_saved(&self) -> bool {
        Arc::ptr_eq(&self.startup, &self.applied) || self.startup.root.same_as(&self.applied.root)
    }

    /// Starts the confirm window of the revision just applied over `previous`.
    pub(crate) fn start_confirm(
        &mut self,
        revision: u64,
        window: Duration,
        previous: Arc<NvueConfig>,
    ) {
        self.pending_confirm = Some(PendingConfirm {
            revision,
            deadline: Instant::now() + window,
            previous,
        });
    }

    /// How long the pending confirm has left.
    pub(crate) fn confirm_remaining(&self) -> Option<Duration> {
        self.pending_confirm
            .as_ref()
            .map(|pending| pending.deadline.saturating_duration_since(Instant::now()))
    }

    /// Rolls back a pending confirm whose deadline has passed.
    pub(crate) fn roll_back_if_confirm_expired(&mut self) {
        let expired = self
            .pending_confirm
            .as_ref()
            .is_some_and(|pending| Instant::now() >= pending.deadline);
        if expired && self.faults.rollback_fails {
            // The rollback fails: the change stays applied, no longer waiting.
            self.pending_confirm = None;
        } else if expired {
            self.roll_back_confirm("system", "Rollback: the confirm time ran out");
        }
    }

    /// Restores the configuration applied before the pending confirm, as a new revision (not
    /// saved), and marks the unconfirmed one rolled back. Returns the new revision's id.
    pub(crate) fn roll_back_confirm(&mut self, user: &str, message: &str) -> Option<u64> {
        let pending = self.pending_confirm.take()?;
        if let Some(revision) = self
            .revisions
            .iter_mut()
            .find(|revision| revision.id == pending.revision)
        {
            revision.rolled_back = true;
        }
        let previous = (*pending.previous).clone();
        Some(self.commit(previous, user, "CLI", "Config update", message))
    }

    /// `--confirm-yes`: ends the confirm window; saves when auto-save is on. Returns the
    /// confirmed revision and whether it was saved.
    pub(crate) fn confirm(&mut self) -> Option<(u64, bool)> {
        let pending = self.pending_confirm.take()?;
        Some((pending.revision, self.save_if_auto_save()))
    }

    /// `nv config detach`: keeps the candidate as a numbered detached revision.
    pub(crate) fn detach(&mut self, user: &str) {
        let Some(config) = self.candidate.take() else {
            return;
        };
        let id = self.take_revision_id();
        self.detached.push(DetachedRevision {
            id,
            user: user.to_string(),
            date: now_text(),
            config,
        });
        if self.detached.len() > MAX_DETACHED {
            self.detached.remove(0);
        }
    }

    /// At boot: no candidate, no confirm window, no failed-login state (it lives in `/run`), and
    /// the startup configuration applied (a new revision when it differs).
    pub(crate) fn load_startup_at_boot(&mut self) {
        self.candidate = None;
        self.pending_confirm = None;
        self.logins.users.clear();
        if !self.is_saved() {
            let startup = (*self.startup).clone();
            let message = "Startup configuration loaded at boot";
            self.commit(startup, "system", "startup", "Config update", message);
            self.save();
        }
    }

    /// The state `nv config revision` shows for an applied revision.
    pub(crate) fn revision_state(&self, revision: &Revision) -> &'static str {
        let pending = self.pending_confirm.as_ref().map(|p| p.revision);
        if pending == Some(revision.id) {
            "confirm"
        } else if revision.rolled_back {
            "confirm_fail"
        } else if revision.id != self.applied_revision() {
            "superseded"
        } else if self.is_saved() {
            "applied_and_saved"
        } else {
            "applied"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config_with_hash(hash: &str) -> NvueConfig {
        let mut root = Node::default();
        root.set_leaf(
            &["system", "aaa", "user", "admin", "hashed-password"],
            serde_yaml::Value::String(hash.into()),
        );
        NvueConfig::new(serde_yaml::Value::Null, root)
    }

    #[test]
    fn the_password_history_keeps_each_users_recent_hashes() {
        let mut history = PasswordHistory::default();
        let mut before = config_with_hash("$6$a$first");
        for index in 0..12 {
            let after = config_with_hash(&format!("$6$a$hash{index}"));
            history.record_changes(Profile::Nvos25_02, &before, &after);
            before = after;
        }
        let recent = history.recent("admin", Some("$6$a$hash11"), 10);
        assert_eq!(recent.len(), 10);
        assert_eq!(recent[0], "$6$a$hash2");
        assert_eq!(recent[9], "$6$a$hash11");
        let mut cumulus = PasswordHistory::default();
        cumulus.record_changes(Profile::Cumulus5_16, &before, &config_with_hash("$6$b$x"));
        assert!(cumulus.recent("admin", None, 10).is_empty());
    }
}
