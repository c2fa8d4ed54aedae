//! The loop every job worker runs.
//!
//! All copies of a worker kind pull from one durable consumer, so starting another copy shares
//! the work with no other change. Each copy keeps up to `max_in_flight` jobs running; while a job
//! runs, its message's ack deadline is extended so a slow switch does not cause a redelivery to
//! another copy. A message that does not decode is recorded on `rotor.rejected.<service>`,
//! terminated (never redelivered), and the loop goes on with the next one.
//!
//! Shutdown (the token is cancelled): stop taking jobs, let in-flight ones finish for up to the
//! grace period, then stop them and hand their messages back (nak) so another copy takes them at
//! once. Handlers must therefore be safe to run again for the same job (see docs/safety.md).

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use async_nats::jetstream::AckKind;
use async_nats::jetstream::message::Acker;
use futures::StreamExt;
use prost::Message;
use rotor_bus::{Bus, BusError, JobKind};
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

/// How one delivery of a job went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JobOutcome {
    /// Finished (successfully or with a reported failure): acknowledge.
    Done,
    /// A transient problem: deliver again after the delay (bounded backoff is the handler's
    /// choice, see [`backoff`]).
    RetryLater(Duration),
}

/// About one delivery of a job.
#[derive(Clone, Debug)]
pub struct Delivery {
    /// 1 on the first delivery.
    pub attempt: u32,
    /// The consumer's redelivery limit.
    pub max_deliver: i64,
    /// The subject the job was published on.
    pub subject: String,
    /// Raised while the job is in a part a shutdown must not cut short.
    pub shield: Shield,
}

/// Marks the parts of a job that a graceful shutdown lets finish instead of handing the job
/// back (an apply, its proof and its rollback: cutting them short would leave a switch waiting
/// for a confirmation or a rollback nobody proves). Raised while any [`ShieldGuard`] lives.
#[derive(Clone, Debug, Default)]
pub struct Shield(Arc<AtomicUsize>);

impl Shield {
    /// Raises the shield until the guard is dropped.
    pub fn raise(&self) -> ShieldGuard {
        self.0.fetch_add(1, Ordering::AcqRel);
        ShieldGuard(self.0.clone())
    }

    /// Whether a guard lives.
    pub fn is_raised(&self) -> bool {
        self.0.load(Ordering::Acquire) > 0
    }
}

/// Keeps a [`Shield`] raised while it lives.
#[derive(Debug)]
pub struct ShieldGuard(Arc<AtomicUsize>);

impl Drop for ShieldGuard {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Delivery {
    /// On the last attempt a handler must report a final failure instead of asking for a retry.
    pub fn is_last_attempt(&self) -> bool {
        self.max_deliver > 0 && i64::from(self.attempt) >= self.max_deliver
    }
}

/// Exponential backoff for attempt `attempt` (1-based): 1 s, 2 s, 4 s, ... capped at 30 s.
pub fn backoff(attempt: u32) -> Duration {
    Duration::from_secs(1u64 << attempt.saturating_sub(1).min(5)).min(Duration::from_secs(30))
}

/// A worker's job handling.
pub trait JobHandler: Send + Sync + 'static {
    /// The protobuf message a job of this kind carries.
    type Job: Message + Default + Send + 'static;

    /// The kind of job (and so the consumer) this worker takes.
    fn kind(&self) -> JobKind;

    /// Handles one delivery. Must be safe to call again for the same job.
    fn handle(&self, job: Self::Job, delivery: Delivery)
    -> impl Future<Output = JobOutcome> + Send;
}

/// How the loop runs.
#[derive(Clone, Debug)]
pub struct WorkerOptions {
    /// The service's name, used for the `rotor.rejected.<service>` subject and in logs.
    pub service: String,
    /// How many jobs this copy handles at once (also the pull batch size, capped at 256).
    pub max_in_flight: usize,
    /// How long shutdown waits for in-flight jobs before handing the rest back for redelivery.
    pub shutdown_grace: Duration,
}

/// Runs the worker loop until `shutdown` is cancelled and in-flight jobs are finished or handed
/// back.
pub async fn run<H: JobHandler>(
    bus: Bus,
    handler: H,
    options: WorkerOptions,
    shutdown: CancellationToken,
) -> Result<(), BusError> {
    let kind = handler.kind();
    let handler = Arc::new(handler);
    let consumer = bus.job_consumer(kind).await?;
    let max_deliver = bus.settings().job_max_deliver;
    let progress_every = (bus.settings().job_ack_wait / 3).max(Duration::from_millis(200));
    let batch = options.max_in_flight.clamp(1, 256);
    let mut messages = consumer
        .stream()
        .max_messages_per_batch(batch)
        .heartbeat(Duration::from_secs(5))
        .expires(Duration::from_secs(30))
        .messages()
        .await
        .map_err(|e| BusError::JetStream {
            what: format!("pull from consumer {}", kind.consumer_name()),
            reason: e.to_string(),
        })?;
    let slots = Arc::new(Semaphore::new(options.max_in_flight));
    let in_flight = rotor_metrics::metrics().in_flight(kind.consumer_name());
    // The queue's depth, as the shared consumer counts it, every few seconds.
    let watching = shutdown.child_token();
    let _stop_watching = watching.clone().drop_guard();
    tokio::spawn(watch_pending(consumer.clone(), kind, watching));
    let hand_back = CancellationToken::new();
    let mut tasks = tokio::task::JoinSet::new();
    tracing::info!(
        consumer = kind.consumer_name(),
        max_in_flight = options.max_in_flight,
        "worker started"
    );

    loop {
        let permit = tokio::select! {
            biased;
            _ = shutdown.cancelled() => break,
            permit = slots.clone().acquire_owned() => permit.expect("the semaphore is never closed"),
        };
        let next = tokio::select! {
            biased;
            _ = shutdown.cancelled() => break,
            next = messages.next() => next,
        };
        // Reap finished tasks so the set does not grow.
        while tasks.try_join_next().is_some() {}
        let message = match next {
            None => {
                tracing::warn!("the consumer's message stream ended; stopping");
                break;
            }
            Some(Err(error)) => {
                tracing::warn!(%error, "pulling jobs failed; retrying");
                continue;
            }
            Some(Ok(message)) => message,
        };
        let handler = handler.clone();
        let bus = bus.clone();
        let service = options.service.clone();
        let hand_back = hand_back.clone();
        let in_flight = in_flight.clone();
        tasks.spawn(async move {
            let _permit = permit;
            in_flight.inc();
            let _in_flight = scopeguard(move || {
                in_flight.dec();
            });
            let attempt = message.info().map(|i| i.delivered as u32).unwrap_or(1);
            let (message, acker) = message.split();
            let span = rotor_bus::trace::consumer_span(
                &message.subject,
                kind.consumer_name(),
                message.headers.as_ref(),
            );
            async move {
                let job = match H::Job::decode(message.payload.clone()) {
                    Ok(job) => job,
                    Err(error) => {
                        reject(&bus, &service, &message, &acker, &error.to_string()).await;
                        count_job(kind, "rejected");
                        return;
                    }
                };
                let delivery = Delivery {
                    attempt,
                    max_deliver,
                    subject: message.subject.to_string(),
                    shield: Shield::default(),
                };
                let shield = delivery.shield.clone();
                // Boxed: a stage's future is large, and the worker thread's stack is not.
                let mut work = Box::pin(handler.handle(job, delivery));
                let mut ticker = tokio::time::interval(progress_every);
                ticker.tick().await;
                let mut finishing = false;
                let outcome = loop {
                    tokio::select! {
                        outcome = &mut work => break Some(outcome),
                        _ = ticker.tick() => {
                            let _ = acker.ack_with(AckKind::Progress).await;
                        }
                        _ = hand_back.cancelled(), if !finishing => {
                            if !shield.is_raised() {
                                break None;
                            }
                            // In a part that must not be cut short: finish the job instead.
                            tracing::info!("shutting down: finishing a job in its apply section first");
                            finishing = true;
                        }
                    }
                };
                let ack = match outcome {
                    Some(JobOutcome::Done) => {
                        count_job(kind, "done");
                        AckKind::Ack
                    }
                    Some(JobOutcome::RetryLater(delay)) => {
                        count_job(kind, "retry");
                        AckKind::Nak(Some(delay))
                    }
                    None => {
                        tracing::info!("handing an unfinished job back for another copy");
                        count_job(kind, "handed_back");
                        AckKind::Nak(None)
                    }
                };
                if let Err(error) = acker.ack_with(ack).await {
                    tracing::warn!(%error, "could not acknowledge a job; it will be delivered again");
                }
            }
            .instrument(span)
            .await
        });
    }

    drop(messages);
    if !tasks.is_empty() {
        tracing::info!(in_flight = tasks.len(), grace = ?options.shutdown_grace, "finishing in-flight jobs");
        let finished = tokio::time::timeout(options.shutdown_grace, async {
            while tasks.join_next().await.is_some() {}
        })
        .await;
        if finished.is_err() {
            hand_back.cancel();
            while tasks.join_next().await.is_some() {}
        }
    }
    tracing::info!("worker stopped");
    Ok(())
}

/// Runs `f` when dropped (a job's task ends on every path, also when it is cancelled).
fn scopeguard(f: impl FnOnce() + Send) -> impl Drop + Send {
    struct Guard<F: FnOnce()>(Option<F>);
    impl<F: FnOnce()> Drop for Guard<F> {
        fn drop(&mut self) {
            if let Some(f) = self.0.take() {
                f();
            }
        }
    }
    Guard(Some(f))
}

fn count_job(kind: JobKind, outcome: &str) {
    rotor_metrics::metrics()
        .jobs
        .get_or_create(&rotor_metrics::JobLabels {
            worker_kind: kind.consumer_name().to_string(),
            outcome: outcome.to_string(),
        })
        .inc();
}

/// How often a worker reads its queue's depth.
const PENDING_EVERY: Duration = Duration::from_secs(5);

/// Keeps `rotor_jobs_pending{worker_kind}` at the shared consumer's pending count until `stop`.
async fn watch_pending(
    consumer: async_nats::jetstream::consumer::PullConsumer,
    kind: JobKind,
    stop: CancellationToken,
) {
    let gauge = rotor_metrics::metrics()
        .jobs_pending
        .get_or_create(&rotor_metrics::WorkerKind {
            worker_kind: kind.consumer_name().to_string(),
        })
        .clone();
    let mut ticker = tokio::time::interval(PENDING_EVERY);
    loop {
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = ticker.tick() => {}
        }
        if let Ok(info) = consumer.get_info().await {
            gauge.set(i64::try_from(info.num_pending).unwrap_or(i64::MAX));
        }
    }
}

async fn reject(
    bus: &Bus,
    service: &str,
    message: &async_nats::Message,
    acker: &Acker,
    reason: &str,
) {
    tracing::warn!(subject = %message.subject, %reason, "rejected a job that does not decode");
    let reason = format!("not a valid job: {reason}");
    if let Err(error) = bus
        .record_rejected(service, &message.subject, &reason, message.payload.clone())
        .await
    {
        tracing::warn!(%error, "could not record a rejected job");
    }
    let _ = acker.ack_with(AckKind::Term).await;
}
