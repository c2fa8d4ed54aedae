//! Rotation requests on the bus: `rotor.requests.<fabric>`, request/reply.
//!
//! The payload is a protobuf `RotationRequest`, or its proto3 JSON form (a payload starting with
//! `{`, or a `Content-Type: application/json` header); the reply uses the same encoding. The
//! subject's fabric must match the request's (an empty `fabricId` takes the subject's). Malformed,
//! oversized or unknown-field requests get a `InvalidRequest` rejection and are recorded on
//! `rotor.rejected.orchestrator`; nothing crashes.

use bytes::Bytes;
use futures::StreamExt;
use prost::Message;
use rotor_bus::names;
use rotor_proto::v1::{ErrorCode, RotationReply, RotationRequest};
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
    loop {
        let message = tokio::select! {
            _ = shutdown.cancelled() => break,
            message = subscriber.next() => match message {
                Some(message) => message,
                None => break,
            },
        };
        let orchestrator = orchestrator.clone();
        tokio::spawn(async move {
            let Some(reply_to) = message.reply.clone() else {
                tracing::warn!(subject = %message.subject, "a rotation request without a reply subject was ignored");
                return;
            };
            let json = is_json(&message);
            let reply = handle(&orchestrator, &message, json).await;
            let payload = if json {
                Bytes::from(serde_json::to_vec(&reply).expect("replies serialise"))
            } else {
                Bytes::from(reply.encode_to_vec())
            };
            if let Err(error) = orchestrator.bus.client.publish(reply_to, payload).await {
                tracing::warn!(%error, "could not answer a rotation request");
            }
            let caller = crate::audit::BUS_CALLER;
            crate::audit::bus_request(&orchestrator, caller, &message, json, &reply).await;
        });
    }
    let _ = subscriber.unsubscribe().await;
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
    orchestrator.submit(request, Method::Either).await
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
