//! Rotation requests on the bus: `rotor.requests.<fabric>`, request/reply.
//!
//! The payload is a protobuf `RotationRequest`, or its proto3 JSON form (a payload starting with
//! `{`, or a `Content-Type: application/json` header); the reply uses the same encoding. The
//! subject's fabric must match the request's (an empty `fabricId` takes the subject's). Malformed,
//! oversized or unknown-field requests get a `InvalidRequest` rejection and are recorded on
//! `rotor.rejected.orchestrator`; nothing crashes.
//!
//! Who sent a request is what the NATS server says, never what the request says: a request that
//! crossed the requester account's shared import carries the server's `Nats-Request-Info`
//! header, and its user is the identity (`nats:<user>`, `rotor_bus::permissions`) the policy must
//! grant the operator role on the fabric. A request without it (published inside the service
//! account, or on a server without Rotor's accounts) or not allowed by the policy is refused with
//! `PermissionDenied`.
//!
//! At most `ROTOR_BUS_REQUEST_CONCURRENCY` requests are handled at once; one more is answered
//! at once with a rejection (`OperationNotAllowed`, "too many requests in flight, retry")
//! rather than queued without bound.

use std::sync::Arc;

use bytes::Bytes;
use futures::StreamExt;
use prost::Message;
use rotor_auth::Role;
use rotor_bus::{names, permissions};
use rotor_proto::v1::{ErrorCode, RotationKind, RotationReply, RotationRequest};
use rotor_runtime::CancellationToken;

use crate::Orchestrator;
use crate::requests::{Method, rejected};

/// Answers requests until `shutdown` is cancelled; every copy joins one queue group.
pub async fn serve(orchestrator: Orchestrator, shutdown: CancellationToken) {
    let mut subscriber = match orchestrator
        .bus
        .client
        .queue_subscribe(
            names::REQUESTS_WILDCARD,
            names::REQUESTS_QUEUE_GROUP.to_string(),
        )
        .await
    {
        Ok(subscriber) => subscriber,
        Err(error) => {
            tracing::error!(%error, "cannot subscribe to rotation requests");
            return;
        }
    };
    let concurrency = orchestrator.config.limits.bus_request_concurrency;
    let permits = Arc::new(tokio::sync::Semaphore::new(concurrency));
    loop {
        let message = tokio::select! {
            _ = shutdown.cancelled() => break,
            message = subscriber.next() => match message {
                Some(message) => message,
                None => break,
            },
        };
        if message.reply.is_none() {
            tracing::warn!(subject = %message.subject, "a rotation request without a reply subject was ignored");
            continue;
        }
        let orchestrator = orchestrator.clone();
        match permits.clone().try_acquire_owned() {
            Ok(permit) => {
                tokio::spawn(async move {
                    let reply = handle(&orchestrator, &message, is_json(&message)).await;
                    // Handled: the next request may start as this answer goes out.
                    drop(permit);
                    answer(&orchestrator, &message, reply).await;
                });
            }
            // Full: answered at once, never queued without bound.
            Err(_) => answer(&orchestrator, &message, busy(concurrency)).await,
        }
    }
    let _ = subscriber.unsubscribe().await;
}

/// The reply to a request that found `concurrency` requests in flight already.
pub fn busy(concurrency: usize) -> RotationReply {
    rejected(
        ErrorCode::OperationNotAllowed,
        format!(
            "too many requests in flight ({concurrency}, ROTOR_BUS_REQUEST_CONCURRENCY), retry"
        ),
    )
}

/// Sends `reply` to a request (in the request's encoding) and audits it.
async fn answer(orchestrator: &Orchestrator, message: &async_nats::Message, reply: RotationReply) {
    let Some(reply_to) = message.reply.clone() else {
        return;
    };
    let json = is_json(message);
    let payload = if json {
        Bytes::from(serde_json::to_vec(&reply).expect("replies serialise"))
    } else {
        Bytes::from(reply.encode_to_vec())
    };
    if let Err(error) = orchestrator.bus.client.publish(reply_to, payload).await {
        tracing::warn!(%error, "could not answer a rotation request");
    }
    let requester = requester_of(message);
    crate::audit::bus_request(orchestrator, requester.as_ref(), message, json, &reply).await;
}

/// Who sent a request, as the server wrote it in the request's `Nats-Request-Info` header.
fn requester_of(message: &async_nats::Message) -> Option<permissions::RequesterInfo> {
    let info = message
        .headers
        .as_ref()
        .and_then(|headers| headers.get(permissions::REQUEST_INFO_HEADER))
        .map(|value| value.as_str());
    permissions::requester_identity(info)
}

fn is_json(message: &async_nats::Message) -> bool {
    let declared = message
        .headers
        .as_ref()
        .and_then(|h| h.get("Content-Type"))
        .map(|v| v.as_str().contains("json"));
    declared
        .unwrap_or_else(|| message.payload.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{'))
}

/// Decodes a request payload in either encoding; unknown fields are refused in both (JSON by
/// name, protobuf by number).
pub fn decode_request(payload: &[u8], json: bool) -> Result<RotationRequest, String> {
    if json {
        serde_json::from_slice::<RotationRequest>(payload)
            .map_err(|e| format!("not a RotationRequest in JSON: {e}"))
    } else {
        check_protobuf_request(payload)?;
        RotationRequest::decode(payload).map_err(|e| format!("not a protobuf RotationRequest: {e}"))
    }
}

/// Refuses a protobuf `RotationRequest` with a field the contract does not declare (prost would
/// skip it silently, and the request would run without what its sender meant).
pub fn check_protobuf_request(payload: &[u8]) -> Result<(), String> {
    static DECLARED: std::sync::LazyLock<Vec<u32>> =
        std::sync::LazyLock::new(|| rotor_proto::declared_fields("rotor.v1.RotationRequest"));
    match rotor_proto::unknown_field(payload, &DECLARED) {
        Ok(None) => Ok(()),
        Ok(Some(number)) => Err(format!(
            "the protobuf RotationRequest has field number {number}, which the contract does not declare (a newer or a wrong client?); unknown fields are refused"
        )),
        Err(problem) => Err(format!("not a protobuf RotationRequest: {problem}")),
    }
}

async fn handle(
    orchestrator: &Orchestrator,
    message: &async_nats::Message,
    json: bool,
) -> RotationReply {
    let subject_fabric = names::parse_request_subject(message.subject.as_str())
        .unwrap_or_default()
        .to_string();
    let reject = |reason: String| async move {
        let _ = orchestrator
            .bus
            .record_rejected(
                "orchestrator",
                &message.subject,
                &reason,
                message.payload.clone(),
            )
            .await;
        rejected(ErrorCode::InvalidRequest, reason)
    };
    // Who sent it, before anything else is looked at or recorded.
    let Some(requester) = requester_of(message) else {
        tracing::warn!(subject = %message.subject, "refused a bus request that names no requester");
        return rejected(
            ErrorCode::PermissionDenied,
            format!(
                "the request did not come through the {} account: a bus request's sender is the NATS user the server names, and this one names none (connect as a requester, docs/operations.md)",
                permissions::REQUESTER_ACCOUNT
            ),
        );
    };
    // Before the request is decoded: a requester over its rate costs no more than this.
    if let Err(refusal) = orchestrator.bus_rate.admit(&requester.identity) {
        return rejected(ErrorCode::OperationNotAllowed, refusal);
    }
    if message.payload.len() > orchestrator.config.max_request_bytes {
        return reject(format!(
            "the request is {} bytes, at most {} are accepted",
            message.payload.len(),
            orchestrator.config.max_request_bytes
        ))
        .await;
    }
    let mut request = match decode_request(&message.payload, json) {
        Ok(request) => request,
        Err(reason) => return reject(reason).await,
    };
    if request.fabric_id.is_empty() {
        request.fabric_id = subject_fabric.clone();
    }
    if let Err(problem) = rotor_inventory::check_name(&request.fabric_id) {
        // Said before the subject comparison: "send it to rotor.requests.<an invalid name>"
        // would send the sender somewhere no one listens.
        return reject(format!("fabricId {problem}")).await;
    }
    if request.fabric_id != subject_fabric {
        return reject(format!(
            "the request names fabric {:?} but was sent to {}; send it to {}",
            request.fabric_id,
            message.subject,
            names::request_subject(&request.fabric_id)
        ))
        .await;
    }
    let policy = orchestrator.config.auth.policy();
    if !policy.allows(
        &requester.identity,
        Some(&request.fabric_id),
        Role::Operator,
    ) {
        tracing::warn!(
            subject = %requester.identity,
            peer = ?requester.peer,
            fabric = %request.fabric_id,
            "refused an unauthorized bus request"
        );
        return rejected(
            ErrorCode::PermissionDenied,
            format!(
                "{} may not rotate or resync: the policy does not grant it the {} role on fabric {}",
                requester.identity,
                Role::Operator,
                request.fabric_id
            ),
        );
    }
    // Who asked is who the server says, never what the request says.
    request.requested_by = requester.identity;
    match request.kind() {
        RotationKind::ResumeOperation | RotationKind::CancelOperation => {
            control(orchestrator, &request).await
        }
        RotationKind::ReleaseDevice => release(orchestrator, &request).await,
        RotationKind::SetSchedule | RotationKind::PauseSchedule | RotationKind::ResumeSchedule => {
            schedule(orchestrator, &request).await
        }
        _ => orchestrator.submit(request, Method::Either).await,
    }
}

/// A `SetSchedule`, `PauseSchedule` or `ResumeSchedule` bus request (docs/rollout.md#schedules):
/// accepted with no operation id.
async fn schedule(orchestrator: &Orchestrator, request: &RotationRequest) -> RotationReply {
    let fabric_id = &request.fabric_id;
    let by = &request.requested_by;
    let done = match request.kind() {
        RotationKind::SetSchedule => match &request.schedule {
            Some(schedule) if schedule.fabric_id.is_empty() || &schedule.fabric_id == fabric_id => {
                crate::schedule::set(orchestrator, fabric_id, schedule, by).await
            }
            Some(schedule) => Err(crate::dispatch::Refusal::Invalid(format!(
                "the schedule names fabric {:?} but the request is for {fabric_id}",
                schedule.fabric_id
            ))),
            None => Err(crate::dispatch::Refusal::Invalid(
                "SetSchedule needs a schedule".into(),
            )),
        },
        kind => {
            crate::schedule::set_paused(
                orchestrator,
                fabric_id,
                kind == RotationKind::PauseSchedule,
                by,
            )
            .await
        }
    };
    match done {
        Ok(_) => RotationReply {
            outcome: Some(rotor_proto::v1::rotation_reply::Outcome::Accepted(
                rotor_proto::v1::RequestAccepted {
                    operation_id: String::new(),
                    kind: request.kind,
                    fabric_id: fabric_id.clone(),
                    submitted_device_count: 0,
                },
            )),
        },
        Err(refusal) => refused(refusal, |message| {
            rejected(ErrorCode::OperationNotAllowed, message)
        }),
    }
}

/// A `ReleaseDevice` bus request: one device of the request's fabric, released from
/// quarantine (accepted also when it was not quarantined: releasing is idempotent).
async fn release(orchestrator: &Orchestrator, request: &RotationRequest) -> RotationReply {
    let [device_id] = request.device_ids.as_slice() else {
        return rejected(
            ErrorCode::InvalidRequest,
            format!(
                "ReleaseDevice needs exactly one device id, got {}",
                request.device_ids.len()
            ),
        );
    };
    if let Err(problem) = rotor_inventory::check_name(device_id) {
        return rejected(ErrorCode::InvalidRequest, format!("deviceIds: {problem}"));
    }
    match crate::quarantine::release(orchestrator, &request.fabric_id, device_id).await {
        Ok(_) => RotationReply {
            outcome: Some(rotor_proto::v1::rotation_reply::Outcome::Accepted(
                rotor_proto::v1::RequestAccepted {
                    operation_id: String::new(),
                    kind: request.kind,
                    fabric_id: request.fabric_id.clone(),
                    submitted_device_count: 1,
                },
            )),
        },
        Err(refusal) => refused(refusal, |_| {
            rejected(
                ErrorCode::OperationNotAllowed,
                format!("device {device_id} is not in fabric {}", request.fabric_id),
            )
        }),
    }
}

/// The answer to a refused control request; `unknown` answers a `NotFound`.
fn refused(
    refusal: crate::dispatch::Refusal,
    unknown: impl FnOnce(String) -> RotationReply,
) -> RotationReply {
    match refusal {
        crate::dispatch::Refusal::NotFound(message) => unknown(message),
        crate::dispatch::Refusal::NotAllowed(message) => {
            rejected(ErrorCode::OperationNotAllowed, message)
        }
        crate::dispatch::Refusal::Invalid(message) => rejected(ErrorCode::InvalidRequest, message),
        crate::dispatch::Refusal::Bus(error) => {
            rejected(ErrorCode::InternalError, error.to_string())
        }
    }
}

/// A `ResumeOperation` or `CancelOperation` bus request: accepted with the operation's id, or
/// rejected saying why (an operation of another fabric is refused as unknown).
async fn control(orchestrator: &Orchestrator, request: &RotationRequest) -> RotationReply {
    let operation_id = &request.operation_id;
    if let Err(problem) = rotor_inventory::check_name(operation_id) {
        return rejected(ErrorCode::InvalidRequest, format!("operationId {problem}"));
    }
    let unknown = || {
        rejected(
            ErrorCode::OperationNotAllowed,
            format!(
                "operation {operation_id} is not an operation of fabric {}",
                request.fabric_id
            ),
        )
    };
    let refused = |refusal| refused(refusal, |_| unknown());
    match crate::dispatch::fabric_of(orchestrator, operation_id).await {
        Ok(fabric) if fabric == request.fabric_id => {}
        Ok(_) => return unknown(),
        Err(refusal) => return refused(refusal),
    }
    let done = match request.kind() {
        RotationKind::ResumeOperation => crate::dispatch::resume(orchestrator, operation_id).await,
        _ => crate::dispatch::cancel(orchestrator, operation_id, &request.requested_by).await,
    };
    match done {
        Ok(status) => RotationReply {
            outcome: Some(rotor_proto::v1::rotation_reply::Outcome::Accepted(
                rotor_proto::v1::RequestAccepted {
                    operation_id: status.id.clone(),
                    kind: request.kind,
                    fabric_id: status.fabric_id.clone(),
                    submitted_device_count: status.total_devices,
                },
            )),
        },
        Err(refusal) => refused(refusal),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_encodings_decode_and_unknown_fields_are_refused() {
        let json = br#"{"kind": "FabricRotatePassword", "fabricId": "fab1", "requestId": "r1"}"#;
        let request = decode_request(json, true).unwrap();
        assert_eq!(request.fabric_id, "fab1");
        assert_eq!(
            request.kind,
            rotor_proto::v1::RotationKind::FabricRotatePassword as i32
        );
        assert!(decode_request(br#"{"kind": "FabricRotatePassword", "colour": 1}"#, true).is_err());
        assert!(decode_request(br#"{"kind": "NoSuchKind"}"#, true).is_err());
        assert!(decode_request(b"\xff\xff\xff", false).is_err());
        let encoded = request.encode_to_vec();
        assert_eq!(decode_request(&encoded, false).unwrap(), request);
        let mut unknown = encoded.clone();
        unknown.extend_from_slice(&[0xd0, 0x02, 0x01]);
        let refused = decode_request(&unknown, false).unwrap_err();
        assert!(refused.contains("field number 42"), "{refused}");
    }
}
