//! Rebooting a device: it cuts every SSH connection and refuses new ones (its listening socket is
//! closed) for a moment, then comes back running its startup configuration: no candidate, no
//! pending commit-confirm, no failed-login state. What lives on disk stays: the startup
//! configuration, the revision history, NVOS's password history and the files.

use std::sync::Arc;
use std::time::Duration;

use tokio::task::JoinHandle;

use crate::device::Device;

impl Device {
    /// Reboots the device and returns once it accepts connections again (or would, if it is
    /// unreachable by a fault), after `down` (the simulator's default when `None`). A reboot
    /// asked for while one is under way just waits for that one. Call within a Tokio runtime.
    pub async fn reboot(self: &Arc<Self>, down: Option<Duration>) {
        let _ = self.start_reboot(down).await;
    }

    /// Takes the device down at once and brings it back up in the background after `down`;
    /// the task ends when it is up ([`Device::wait_until_up`] waits for that too). The device
    /// comes back even if the handle is dropped.
    pub fn start_reboot(self: &Arc<Self>, down: Option<Duration>) -> JoinHandle<()> {
        let went_down = self.go_down();
        let down = down.unwrap_or(self.settings.reboot_down_time);
        let device = Arc::clone(self);
        tokio::spawn(async move {
            if went_down {
                tokio::time::sleep(down).await;
                device.come_up();
            } else {
                device.wait_until_up().await;
            }
        })
    }

    /// Whether the device is up (not in the middle of a reboot).
    pub fn is_up(&self) -> bool {
        !self.lock().rebooting
    }

    /// Waits until a reboot under way (if any) has ended.
    pub async fn wait_until_up(&self) {
        loop {
            let notified = self.came_up.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.is_up() {
                return;
            }
            notified.await;
        }
    }

    /// Closes the listener, cuts every connection and loads the startup configuration. Returns
    /// false when the device was already down.
    fn go_down(self: &Arc<Self>) -> bool {
        {
            let mut state = self.lock();
            if state.rebooting {
                return false;
            }
            state.rebooting = true;
            state.load_startup_at_boot();
        }
        crate::ssh::stop_listening(self);
        let connections = std::mem::take(
            &mut *self
                .connections
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner()),
        );
        for connection in connections.iter().filter_map(std::sync::Weak::upgrade) {
            connection.kill();
        }
        true
    }

    /// Listens again (unless the `unreachable` fault holds) and wakes the waiters.
    fn come_up(self: &Arc<Self>) {
        let unreachable = {
            let mut state = self.lock();
            state.rebooting = false;
            state.faults.unreachable
        };
        if !unreachable && let Err(error) = crate::ssh::start_listening(self) {
            tracing::warn!(device = %self.id, %error, "cannot listen again after a reboot");
        }
        self.came_up.notify_waiters();
    }
}
