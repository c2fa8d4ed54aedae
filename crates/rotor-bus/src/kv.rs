//! Values in key-value buckets: protobuf or JSON, read, written, scanned by prefix and updated
//! with compare-and-set so that concurrent copies of a service never overwrite each other.

use async_nats::jetstream::consumer;
use async_nats::jetstream::kv::Store;
use bytes::Bytes;
use futures::StreamExt;
use prost::Message;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::BusError;
use crate::names::{self, KeyFilter};

/// One key's value and the revision it was read at.
#[derive(Clone, Debug)]
pub struct Versioned<T> {
    /// The decoded value.
    pub value: T,
    /// The key's revision in the bucket, to pass to [`compare_and_set`] as `expected`.
    pub revision: u64,
}

fn bucket_error(store: &Store, action: &str, key: &str, error: impl std::fmt::Display) -> BusError {
    BusError::jetstream(
        format!("{action} {}/{key}", store.name),
        crate::with_limit_hint(&store.name, error),
    )
}

/// Reads raw bytes and their revision; `None` when the key is absent or deleted.
pub async fn get_bytes(store: &Store, key: &str) -> Result<Option<Versioned<Bytes>>, BusError> {
    let entry = store
        .entry(key)
        .await
        .map_err(|e| bucket_error(store, "read", key, e))?;
    Ok(entry.and_then(|entry| match entry.operation {
        async_nats::jetstream::kv::Operation::Put => Some(Versioned {
            value: entry.value,
            revision: entry.revision,
        }),
        _ => None,
    }))
}

/// How full a bucket is, read fresh from the server: the bytes it holds and its byte limit
/// (negative: none).
pub async fn usage(store: &Store) -> Result<(u64, i64), BusError> {
    let info = store.stream.get_info().await.map_err(|e| {
        BusError::jetstream(format!("key-value bucket {} (its size)", store.name), e)
    })?;
    Ok((info.state.bytes, info.config.max_bytes))
}

/// Reads a protobuf message and its revision; `None` when the key is absent or deleted.
pub async fn get_message<M: Message + Default>(
    store: &Store,
    key: &str,
) -> Result<Option<Versioned<M>>, BusError> {
    let Some(raw) = get_bytes(store, key).await? else {
        return Ok(None);
    };
    let value = M::decode(raw.value).map_err(|e| BusError::Decode {
        what: format!("{}/{key}", store.name),
        reason: e.to_string(),
    })?;
    Ok(Some(Versioned {
        value,
        revision: raw.revision,
    }))
}

/// Writes a protobuf message unconditionally; returns the new revision.
pub async fn put_message(store: &Store, key: &str, value: &impl Message) -> Result<u64, BusError> {
    store
        .put(key, Bytes::from(value.encode_to_vec()))
        .await
        .map_err(|e| bucket_error(store, "write", key, e))
}

/// Reads a JSON value and its revision; `None` when the key is absent or deleted.
pub async fn get_json<T: DeserializeOwned>(
    store: &Store,
    key: &str,
) -> Result<Option<Versioned<T>>, BusError> {
    let Some(raw) = get_bytes(store, key).await? else {
        return Ok(None);
    };
    let value = serde_json::from_slice(&raw.value).map_err(|e| BusError::Decode {
        what: format!("{}/{key}", store.name),
        reason: e.to_string(),
    })?;
    Ok(Some(Versioned {
        value,
        revision: raw.revision,
    }))
}

/// Writes a value as JSON unconditionally; returns the new revision.
pub async fn put_json(store: &Store, key: &str, value: &impl Serialize) -> Result<u64, BusError> {
    let bytes = serde_json::to_vec(value).expect("values written to buckets always serialise");
    store
        .put(key, Bytes::from(bytes))
        .await
        .map_err(|e| bucket_error(store, "write", key, e))
}

/// Writes `value` only if the key is still at `expected` (0: only if it does not exist).
/// Returns `Ok(None)` when someone else changed it first.
pub async fn compare_and_set(
    store: &Store,
    key: &str,
    value: Bytes,
    expected: u64,
) -> Result<Option<u64>, BusError> {
    let result = if expected == 0 {
        store.create(key, value).await.map_err(|e| {
            if e.kind() == async_nats::jetstream::kv::CreateErrorKind::AlreadyExists {
                None
            } else {
                Some(bucket_error(store, "create", key, e))
            }
        })
    } else {
        store.update(key, value, expected).await.map_err(|e| {
            if e.kind() == async_nats::jetstream::kv::UpdateErrorKind::WrongLastRevision {
                None
            } else {
                Some(bucket_error(store, "update", key, e))
            }
        })
    };
    match result {
        Ok(revision) => Ok(Some(revision)),
        Err(None) => Ok(None),
        Err(Some(error)) => Err(error),
    }
}

/// [`compare_and_set`] of a JSON value.
pub async fn compare_and_set_json(
    store: &Store,
    key: &str,
    value: &impl Serialize,
    expected: u64,
) -> Result<Option<u64>, BusError> {
    let bytes = Bytes::from(serde_json::to_vec(value).expect("values always serialise"));
    compare_and_set(store, key, bytes, expected).await
}

/// Reads, changes and writes back a JSON value, retrying when another writer got there first.
/// `change` gets the current value (or `None`) and returns the new one, or `None` to leave it.
pub async fn update_json<T, F>(store: &Store, key: &str, change: F) -> Result<Option<T>, BusError>
where
    T: Serialize + DeserializeOwned,
    F: FnMut(Option<T>) -> Option<T>,
{
    Ok(update_json_versioned(store, key, change)
        .await?
        .map(|written| written.value))
}

/// Like [`update_json`], also returning the revision written, so that a later change can go
/// straight to a compare-and-set at that revision instead of reading first.
pub async fn update_json_versioned<T, F>(
    store: &Store,
    key: &str,
    mut change: F,
) -> Result<Option<Versioned<T>>, BusError>
where
    T: Serialize + DeserializeOwned,
    F: FnMut(Option<T>) -> Option<T>,
{
    for _ in 0..64 {
        let current = get_json::<T>(store, key).await?;
        let revision = current.as_ref().map_or(0, |c| c.revision);
        let Some(next) = change(current.map(|c| c.value)) else {
            return Ok(None);
        };
        let bytes = Bytes::from(serde_json::to_vec(&next).expect("values always serialise"));
        if let Some(written) = compare_and_set(store, key, bytes, revision).await? {
            return Ok(Some(Versioned {
                value: next,
                revision: written,
            }));
        }
    }
    Err(BusError::Conflict {
        what: format!("{}/{key}", store.name),
    })
}

/// Every live key matching `filter` (NATS wildcards: `fab1.*`, `op1.>`) with its latest value.
pub async fn scan(
    store: &Store,
    filter: &KeyFilter,
) -> Result<Vec<(String, Versioned<Bytes>)>, BusError> {
    let prefix = store.prefix.clone();
    let consumer = store
        .stream
        .create_consumer(consumer::push::OrderedConfig {
            deliver_subject: names::scan_inbox(&store.name),
            filter_subject: format!("{prefix}{filter}"),
            deliver_policy: consumer::DeliverPolicy::LastPerSubject,
            replay_policy: consumer::ReplayPolicy::Instant,
            ..Default::default()
        })
        .await
        .map_err(|e| bucket_error(store, "scan", filter.as_str(), e))?;
    let mut results = Vec::new();
    if consumer.cached_info().num_pending == 0 {
        return Ok(results);
    }
    let mut messages = consumer
        .messages()
        .await
        .map_err(|e| bucket_error(store, "scan", filter.as_str(), e))?;
    while let Some(message) = messages.next().await {
        let message = message.map_err(|e| bucket_error(store, "scan", filter.as_str(), e))?;
        let info = message
            .info()
            .map_err(|e| bucket_error(store, "scan", filter.as_str(), e))?;
        let pending = info.pending;
        let revision = info.stream_sequence;
        let is_put = message
            .headers
            .as_ref()
            .and_then(|h| h.get("KV-Operation"))
            .is_none();
        if is_put {
            let key = message
                .subject
                .strip_prefix(prefix.as_str())
                .unwrap_or(&message.subject)
                .to_string();
            results.push((
                key,
                Versioned {
                    value: message.payload.clone(),
                    revision,
                },
            ));
        }
        if pending == 0 {
            break;
        }
    }
    Ok(results)
}

/// Like [`scan`], decoding each value as protobuf.
pub async fn scan_messages<M: Message + Default>(
    store: &Store,
    filter: &KeyFilter,
) -> Result<Vec<(String, M)>, BusError> {
    scan(store, filter)
        .await?
        .into_iter()
        .map(|(key, raw)| {
            M::decode(raw.value)
                .map(|value| (key.clone(), value))
                .map_err(|e| BusError::Decode {
                    what: format!("{}/{key}", store.name),
                    reason: e.to_string(),
                })
        })
        .collect()
}

/// Like [`scan`], decoding each value as JSON.
pub async fn scan_json<T: DeserializeOwned>(
    store: &Store,
    filter: &KeyFilter,
) -> Result<Vec<(String, T)>, BusError> {
    scan(store, filter)
        .await?
        .into_iter()
        .map(|(key, raw)| {
            serde_json::from_slice(&raw.value)
                .map(|value| (key.clone(), value))
                .map_err(|e| BusError::Decode {
                    what: format!("{}/{key}", store.name),
                    reason: e.to_string(),
                })
        })
        .collect()
}
