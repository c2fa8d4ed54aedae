//! Auditing every gRPC call and bus request ([`rotor_bus::audit`] records them).
//!
//! [`AuditCalls`] is a tower layer around the whole API: it gives each `RotationService` call
//! an [`AuditSlot`] (a request extension), lets the call run, and records one
//! [`AuditRecord`] when the answer is known: `refused` for `UNAUTHENTICATED`,
//! `PERMISSION_DENIED` and `RESOURCE_EXHAUSTED` (over a limit, `crate::limits`), `failed` for any other error or a rejected rotation request,
//! `succeeded` otherwise (`allowed` for `WatchEvents`, a stream that has no end to record).
//! What the slot holds by then was written by those who knew it: the interceptor (the
//! identity and the peer, also of a refused call), [`crate::auth::authorize`] (the fabric and
//! the role) and the handlers (devices, operation, identity changes of an import). The method
//! is the verb. Bus requests are recorded by [`bus_request`].

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use rotor_bus::audit::{self, Audit, AuditRecord};
use rotor_proto::v1::{RotationReply, RotationRequest, rotation_reply};
use tonic::body::Body;
use tonic::codegen::http;

/// The path prefix of the audited service's methods.
const SERVICE_PREFIX: &str = "/rotor.v1.RotationService/";

/// What is known so far of one call's record (a request extension set by [`AuditCalls`]).
#[derive(Clone, Debug, Default)]
pub struct AuditSlot(Arc<Mutex<AuditRecord>>);

impl AuditSlot {
    /// Changes the record being built.
    pub fn update(&self, change: impl FnOnce(&mut AuditRecord)) {
        let mut record = self.0.lock().unwrap_or_else(|e| e.into_inner());
        change(&mut record);
    }

    fn take(&self) -> AuditRecord {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

/// Changes the record of the call `request` is part of (nothing outside an audited call).
pub fn note<T>(request: &tonic::Request<T>, change: impl FnOnce(&mut AuditRecord)) {
    if let Some(slot) = request.extensions().get::<AuditSlot>() {
        slot.update(change);
    }
}

/// Records what a rotation reply says: accepted (with its operation and the versions it
/// pushes), or rejected (a call whose answer is `Ok` but did not do what was asked).
pub async fn note_reply(
    orchestrator: &crate::Orchestrator,
    slot: Option<&AuditSlot>,
    reply: &RotationReply,
) {
    let Some(slot) = slot else {
        return;
    };
    let versions = match &reply.outcome {
        Some(rotation_reply::Outcome::Accepted(accepted)) => {
            orchestrator.planned_versions(&accepted.operation_id).await
        }
        _ => Vec::new(),
    };
    slot.update(|record| {
        reply_outcome(record, reply);
        record.versions = versions;
    });
}

/// Sets `record`'s outcome, code, message and operation from a rotation reply.
fn reply_outcome(record: &mut AuditRecord, reply: &RotationReply) {
    match &reply.outcome {
        Some(rotation_reply::Outcome::Accepted(accepted)) => {
            record.outcome = audit::SUCCEEDED.into();
            record.operation_id = accepted.operation_id.clone();
        }
        Some(rotation_reply::Outcome::Rejected(rejected)) => {
            // Not the caller's to ask is a refusal, like PERMISSION_DENIED on the API.
            let denied = rejected
                .error
                .as_ref()
                .is_some_and(|error| error.code() == rotor_proto::v1::ErrorCode::PermissionDenied);
            record.outcome = if denied {
                audit::REFUSED
            } else {
                audit::FAILED
            }
            .into();
            if let Some(error) = &rejected.error {
                record.code = error.code().as_str_name().to_string();
                record.message = error.message.clone();
            }
        }
        None => {}
    }
}

/// What a rotation request names, for its record.
pub fn request_fields(record: &mut AuditRecord, request: &RotationRequest) {
    record.fabric_id = request.fabric_id.clone();
    record.device_ids = request.device_ids.clone();
}

/// The identity recorded for a bus request whose sender the server did not name (published
/// inside the service account, or on a server without Rotor's accounts; it was refused).
pub const BUS_CALLER: &str = "nats";

/// Records a request answered on the bus (`rotor.requests.<fabric>`) by `reply`, sent by
/// `requester` as the server named it (`nats:<user>` and its address; [`BUS_CALLER`] when it
/// named none). The verb is the request's kind (`Undecodable` when it is not a request).
pub async fn bus_request(
    orchestrator: &crate::Orchestrator,
    requester: Option<&rotor_bus::permissions::RequesterInfo>,
    message: &async_nats::Message,
    json: bool,
    reply: &RotationReply,
) {
    let mut record = AuditRecord {
        identity: requester
            .map(|r| r.identity.clone())
            .unwrap_or_else(|| BUS_CALLER.to_string()),
        peer: requester.and_then(|r| r.peer.clone()).unwrap_or_default(),
        channel: audit::channel::BUS.into(),
        fabric_id: rotor_bus::names::parse_request_subject(message.subject.as_str())
            .unwrap_or_default()
            .to_string(),
        role: rotor_auth::Role::Operator.as_str().into(),
        verb: "Undecodable".into(),
        ..Default::default()
    };
    if let Ok(request) = crate::bus_requests::decode_request(&message.payload, json) {
        record.verb = request.kind().as_str_name().to_string();
        record.device_ids = request.device_ids.clone();
        if !request.fabric_id.is_empty() {
            record.fabric_id = request.fabric_id;
        }
    }
    reply_outcome(&mut record, reply);
    record.versions = orchestrator.planned_versions(&record.operation_id).await;
    orchestrator.audit.record(record);
}

impl crate::Orchestrator {
    /// The versions an accepted operation pushes, from its plan (none when `operation_id` is
    /// empty or the plan cannot be read: the record goes without, its end has them).
    pub async fn planned_versions(
        &self,
        operation_id: &str,
    ) -> Vec<rotor_proto::v1::SecretReference> {
        if operation_id.is_empty() {
            return Vec::new();
        }
        rotor_pipeline::records::load_plan(&self.topology.operations, operation_id)
            .await
            .ok()
            .flatten()
            .map(|plan| plan.version_references())
            .unwrap_or_default()
    }
}

/// The layer (`Server::builder().layer(AuditCalls::new(audit))`).
#[derive(Clone, Debug)]
pub struct AuditCalls {
    audit: Audit,
    limit: usize,
}

impl AuditCalls {
    /// Records into `audit`; `limit` is `ROTOR_GRPC_MAX_MESSAGE_BYTES`, for the refusal of a
    /// larger message.
    pub fn new(audit: Audit, limit: usize) -> AuditCalls {
        AuditCalls { audit, limit }
    }
}

impl<S> tower::Layer<S> for AuditCalls {
    type Service = Audited<S>;

    fn layer(&self, inner: S) -> Audited<S> {
        Audited {
            inner,
            audit: self.audit.clone(),
            limit: self.limit,
        }
    }
}

/// The service [`AuditCalls`] wraps around the API.
#[derive(Clone, Debug)]
pub struct Audited<S> {
    inner: S,
    audit: Audit,
    limit: usize,
}

type Response = http::Response<Body>;

impl<S> tower::Service<http::Request<Body>> for Audited<S>
where
    S: tower::Service<http::Request<Body>, Response = Response> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
{
    type Response = Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, context: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(context)
    }

    fn call(&mut self, mut request: http::Request<Body>) -> Self::Future {
        let Some(method) = request.uri().path().strip_prefix(SERVICE_PREFIX) else {
            return Box::pin(self.inner.call(request));
        };
        let slot = AuditSlot::default();
        slot.update(|record| {
            record.verb = method.to_string();
            record.channel = audit::channel::GRPC.into();
        });
        request.extensions_mut().insert(slot.clone());
        let audit = self.audit.clone();
        let limit = self.limit;
        let answer = self.inner.call(request);
        Box::pin(async move {
            let response = answer.await.map(|response| {
                // tonic's refusal of a message over the limit names no setting: say which.
                match tonic::Status::from_header_map(response.headers()) {
                    Some(status) if crate::limits::is_tonic_too_large(&status) => {
                        crate::limits::too_large(limit, "ROTOR_GRPC_MAX_MESSAGE_BYTES").into_http()
                    }
                    _ => response,
                }
            });
            let mut record = slot.take();
            match &response {
                Ok(response) => outcome_of(&mut record, response.headers()),
                Err(_) => {
                    record.outcome = audit::FAILED.into();
                    record.code = "INTERNAL".into();
                }
            }
            audit.record(record);
            response
        })
    }
}

/// The outcome of a call from its answer's headers: an error's `grpc-status` is in them (a
/// success's comes in the trailers, or never, for a stream still open).
fn outcome_of(record: &mut AuditRecord, headers: &http::HeaderMap) {
    let Some(status) =
        tonic::Status::from_header_map(headers).filter(|s| s.code() != tonic::Code::Ok)
    else {
        if record.outcome.is_empty() {
            record.outcome = if record.verb == "WatchEvents" {
                audit::ALLOWED
            } else {
                audit::SUCCEEDED
            }
            .into();
        }
        return;
    };
    record.outcome = match status.code() {
        // Over a limit (a caller's rate, its streams, the message size) is refused too.
        tonic::Code::Unauthenticated
        | tonic::Code::PermissionDenied
        | tonic::Code::ResourceExhausted => audit::REFUSED,
        _ => audit::FAILED,
    }
    .into();
    record.code = code_name(status.code()).into();
    record.message = status.message().to_string();
}

/// A gRPC code as the protocol spells it (`PERMISSION_DENIED`).
fn code_name(code: tonic::Code) -> &'static str {
    use tonic::Code::*;
    match code {
        Ok => "OK",
        Cancelled => "CANCELLED",
        Unknown => "UNKNOWN",
        InvalidArgument => "INVALID_ARGUMENT",
        DeadlineExceeded => "DEADLINE_EXCEEDED",
        NotFound => "NOT_FOUND",
        AlreadyExists => "ALREADY_EXISTS",
        PermissionDenied => "PERMISSION_DENIED",
        ResourceExhausted => "RESOURCE_EXHAUSTED",
        FailedPrecondition => "FAILED_PRECONDITION",
        Aborted => "ABORTED",
        OutOfRange => "OUT_OF_RANGE",
        Unimplemented => "UNIMPLEMENTED",
        Internal => "INTERNAL",
        Unavailable => "UNAVAILABLE",
        DataLoss => "DATA_LOSS",
        Unauthenticated => "UNAUTHENTICATED",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_s_headers_give_the_outcome() {
        let mut headers = http::HeaderMap::new();
        let mut record = AuditRecord {
            verb: "ShowFabric".into(),
            ..Default::default()
        };
        outcome_of(&mut record, &headers);
        assert_eq!(record.outcome, audit::SUCCEEDED);
        headers.insert("grpc-status", "7".parse().unwrap());
        headers.insert(
            "grpc-message",
            "bob may not rotate%3A no %25 role".parse().unwrap(),
        );
        let mut record = AuditRecord::default();
        outcome_of(&mut record, &headers);
        assert_eq!(record.outcome, audit::REFUSED);
        assert_eq!(record.code, "PERMISSION_DENIED");
        assert_eq!(record.message, "bob may not rotate: no % role");
        headers.insert("grpc-status", "5".parse().unwrap());
        outcome_of(&mut record, &headers);
        assert_eq!(
            (record.outcome.as_str(), record.code.as_str()),
            (audit::FAILED, "NOT_FOUND")
        );
    }
}
