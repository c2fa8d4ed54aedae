//! `WatchEvents`: every watcher of one orchestrator copy shares one subscription to the stage
//! events ([`LiveEvents`]); a watch from the start replays the stream's history with a consumer
//! of its own only until it has caught up, then goes on from the shared subscription.
//!
//! The shared subscription is opened by the first watcher and closed once no watcher has been
//! left for a few seconds. A watcher that cannot keep up (more than [`BUFFERED`] events behind)
//! is ended with `RESOURCE_EXHAUSTED` saying so: watch again, from the start if every event
//! matters, rather than let one slow client hold events for everyone.

use std::collections::HashSet;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::{Stream, StreamExt};
use prost::Message;
use rotor_bus::{Bus, names};
use rotor_proto::v1::StageEvent;
use tokio::sync::broadcast;
use tonic::Status;

/// How many events a watcher may fall behind the shared subscription before it is ended.
pub const BUFFERED: usize = 8192;

/// How long the shared subscription stays open without a watcher.
const IDLE: Duration = Duration::from_secs(5);

/// A watch's stream of events.
pub type EventStream = Pin<Box<dyn Stream<Item = Result<StageEvent, Status>> + Send + 'static>>;

/// Which events a watcher wants.
#[derive(Clone, Debug, Default)]
pub struct Selection {
    /// Only this fabric's (empty: every fabric's).
    pub fabric_id: String,
    /// Only this device's (empty: every device's).
    pub device_id: String,
    /// Only this operation's (empty: every operation's).
    pub operation_id: String,
}

impl Selection {
    fn keeps(&self, event: &StageEvent) -> bool {
        (self.fabric_id.is_empty() || event.fabric_id == self.fabric_id)
            && (self.device_id.is_empty() || event.device_id == self.device_id)
            && (self.operation_id.is_empty() || event.operation_id == self.operation_id)
    }

    /// The subject filter of the same selection, for a replay.
    fn filter(&self) -> String {
        names::events_filter(
            Some(self.fabric_id.as_str()).filter(|s| !s.is_empty()),
            Some(self.device_id.as_str()).filter(|s| !s.is_empty()),
        )
    }
}

/// The one subscription to stage events all watchers of this copy share.
#[derive(Clone, Debug, Default)]
pub struct LiveEvents {
    sender: Arc<Mutex<Option<broadcast::Sender<Arc<StageEvent>>>>>,
}

impl LiveEvents {
    /// A receiver of every event from now on, opening the shared subscription if none is open.
    async fn subscribe(&self, bus: &Bus) -> Result<broadcast::Receiver<Arc<StageEvent>>, Status> {
        if let Some(sender) = self
            .sender
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
        {
            return Ok(sender.subscribe());
        }
        let subscriber = bus
            .client
            .subscribe(names::EVENTS_ALL)
            .await
            .map_err(|e| Status::internal(format!("cannot subscribe to stage events: {e}")))?;
        let mut slot = self.sender.lock().unwrap_or_else(|e| e.into_inner());
        // Another watcher opened one meanwhile: use it (this subscription ends when dropped).
        if let Some(sender) = slot.as_ref() {
            return Ok(sender.subscribe());
        }
        let (sender, receiver) = broadcast::channel(BUFFERED);
        *slot = Some(sender.clone());
        tokio::spawn(forward(subscriber, sender, self.sender.clone()));
        Ok(receiver)
    }

    /// Whether the shared subscription is open (for tests).
    pub fn is_open(&self) -> bool {
        self.sender
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_some()
    }

    /// The events `selection` wants: from the start of the stream (replayed up to the newest,
    /// then live) or from now on, until the caller goes away.
    pub async fn watch(
        &self,
        bus: &Bus,
        selection: Selection,
        from_start: bool,
    ) -> Result<EventStream, Status> {
        // Subscribed before the replay: nothing published while it runs is missed.
        let receiver = self.subscribe(bus).await?;
        let live = live_stream(receiver, selection.clone());
        if !from_start {
            return Ok(live);
        }
        let replay = bus
            .replay_events(selection.filter(), false)
            .await
            .map_err(|e| Status::internal(e.to_string()))?;
        // Events published since the subscription may come both ways: the replay's are
        // remembered (only those stored from a little before it: nothing older is live).
        let since = time::OffsetDateTime::now_utc() - Duration::from_secs(2);
        let seen: Arc<Mutex<HashSet<String>>> = Arc::default();
        let remember = seen.clone();
        let keep = selection.clone();
        let replayed = replay.filter_map(move |replayed| {
            let (remember, keep) = (remember.clone(), keep.clone());
            async move {
                let replayed = match replayed {
                    Ok(replayed) => replayed,
                    Err(error) => return Some(Err(Status::internal(error.to_string()))),
                };
                if replayed.stored >= since {
                    remember
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .insert(replayed.event.event_id.clone());
                }
                keep.keeps(&replayed.event).then_some(Ok(replayed.event))
            }
        });
        let fresh = live.filter(move |item| {
            let new = match item {
                Ok(event) => !seen
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .contains(&event.event_id),
                Err(_) => true,
            };
            std::future::ready(new)
        });
        Ok(Box::pin(replayed.chain(fresh)))
    }
}

/// A receiver's events as a stream, ended with `RESOURCE_EXHAUSTED` when it fell behind.
fn live_stream(
    receiver: broadcast::Receiver<Arc<StageEvent>>,
    selection: Selection,
) -> EventStream {
    Box::pin(futures::stream::unfold(Some(receiver), move |receiver| {
        let selection = selection.clone();
        async move {
            let mut receiver = receiver?;
            loop {
                match receiver.recv().await {
                    Ok(event) if selection.keeps(&event) => {
                        return Some((Ok(event.as_ref().clone()), Some(receiver)));
                    }
                    Ok(_) => continue,
                    Err(broadcast::error::RecvError::Lagged(missed)) => {
                        let refusal = Status::resource_exhausted(format!(
                            "this watch fell {missed} events behind (at most {BUFFERED} are held for a watcher): watch again, with fromStart to miss nothing"
                        ));
                        return Some((Err(refusal), None));
                    }
                    Err(broadcast::error::RecvError::Closed) => return None,
                }
            }
        }
    }))
}

/// Hands every event the subscription receives to the watchers; closes it once none has been
/// left for [`IDLE`].
async fn forward(
    mut subscriber: async_nats::Subscriber,
    sender: broadcast::Sender<Arc<StageEvent>>,
    slot: Arc<Mutex<Option<broadcast::Sender<Arc<StageEvent>>>>>,
) {
    let mut idle_since: Option<tokio::time::Instant> = None;
    let mut tick = tokio::time::interval(IDLE / 5);
    loop {
        tokio::select! {
            message = subscriber.next() => {
                let Some(message) = message else { break };
                match StageEvent::decode(message.payload) {
                    Ok(event) => {
                        let _ = sender.send(Arc::new(event));
                    }
                    Err(error) => {
                        tracing::debug!(%error, subject = %message.subject, "a stage event that does not decode is not watched");
                    }
                }
            }
            _ = tick.tick() => {
                if sender.receiver_count() > 0 {
                    idle_since = None;
                    continue;
                }
                let since = *idle_since.get_or_insert_with(tokio::time::Instant::now);
                // Decided under the lock watchers subscribe under: none can join a
                // subscription that is closing.
                if since.elapsed() >= IDLE && close_if_unwatched(&slot, &sender) {
                    break;
                }
            }
        }
    }
    {
        let mut slot = slot.lock().unwrap_or_else(|e| e.into_inner());
        if slot.as_ref().is_some_and(|s| s.same_channel(&sender)) {
            *slot = None;
        }
    }
    let _ = subscriber.unsubscribe().await;
}

fn close_if_unwatched(
    slot: &Mutex<Option<broadcast::Sender<Arc<StageEvent>>>>,
    sender: &broadcast::Sender<Arc<StageEvent>>,
) -> bool {
    let mut slot = slot.lock().unwrap_or_else(|e| e.into_inner());
    if sender.receiver_count() == 0 {
        *slot = None;
        return true;
    }
    false
}
