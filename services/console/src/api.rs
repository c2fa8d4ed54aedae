//! The console's HTTP side: the page and its assets, and one JSON endpoint per gRPC call, each
//! made with the caller's own bearer token (never one of the console's).
//!
//! Answers are the messages' proto3 JSON form (camelCase, enum values by name: the shapes of
//! `rotor fabric show -o json`). A gRPC refusal becomes an HTTP status with
//! `{"code": ..., "message": ...}`; a rotation the guardrails reject is a normal answer
//! (`{"rejected": {"error": {"code": "OperationNotAllowed", ...}}}`), as the API gives it.

use std::collections::HashMap;

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use futures::StreamExt;
use rotor_proto::v1::*;
use rotor_runtime::CancellationToken;
use rotor_stack::api::{Bearer, Client};
use tonic::transport::Channel;

use crate::assets;

/// What every handler shares: the API's channel (no credentials of its own) and the shutdown
/// that ends open event streams.
#[derive(Clone, Debug)]
struct Console {
    channel: Channel,
    shutdown: CancellationToken,
}

/// The console's routes over a channel to the API.
pub fn routes(channel: Channel, shutdown: CancellationToken) -> axum::Router {
    axum::Router::new()
        .route("/", get(assets::page))
        .route("/console.css", get(assets::stylesheet))
        .route("/console.js", get(assets::script))
        .route("/api/fabrics", get(list_fabrics))
        .route("/api/fabrics/{fabric}", get(show_fabric))
        .route("/api/fabrics/{fabric}/devices", get(list_devices))
        .route("/api/fabrics/{fabric}/devices/{device}", get(show_device))
        .route(
            "/api/fabrics/{fabric}/devices/{device}/backups",
            get(list_backups),
        )
        .route("/api/backup", get(get_backup))
        .route("/api/operations", get(list_operations))
        .route("/api/operations/{operation}", get(show_operation))
        .route("/api/rotate", post(rotate))
        .route("/api/resync", post(resync))
        .route("/api/watch", get(watch))
        .fallback(not_found)
        .layer(axum::middleware::map_response(assets::security_headers))
        .with_state(Console { channel, shutdown })
}

/// An answer that is not a success: an HTTP status and `{code, message}`.
#[derive(Debug)]
pub struct Refusal {
    status: StatusCode,
    code: String,
    message: String,
}

impl Refusal {
    fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Refusal {
        Refusal {
            status,
            code: code.to_string(),
            message: message.into(),
        }
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let body = serde_json::json!({"code": self.code, "message": self.message});
        (self.status, Json(body)).into_response()
    }
}

impl From<tonic::Status> for Refusal {
    fn from(status: tonic::Status) -> Refusal {
        use tonic::Code;
        let (http, code) = match status.code() {
            Code::Unauthenticated => (StatusCode::UNAUTHORIZED, "Unauthenticated"),
            Code::PermissionDenied => (StatusCode::FORBIDDEN, "PermissionDenied"),
            Code::NotFound => (StatusCode::NOT_FOUND, "NotFound"),
            Code::InvalidArgument => (StatusCode::BAD_REQUEST, "InvalidRequest"),
            Code::ResourceExhausted => (StatusCode::TOO_MANY_REQUESTS, "ResourceExhausted"),
            Code::FailedPrecondition => (StatusCode::CONFLICT, "OperationNotAllowed"),
            Code::Unavailable => (StatusCode::BAD_GATEWAY, "Unavailable"),
            _ => (StatusCode::BAD_GATEWAY, "InternalError"),
        };
        let message = match status.code() {
            Code::Unavailable => {
                "the Rotor API does not answer; is the orchestrator running?".to_string()
            }
            _ => status.message().to_string(),
        };
        Refusal::new(http, code, message)
    }
}

type Answer = Result<Response, Refusal>;

fn json<T: serde::Serialize>(value: &T) -> Answer {
    Ok(Json(value).into_response())
}

async fn not_found() -> Refusal {
    Refusal::new(StatusCode::NOT_FOUND, "NotFound", "no such page")
}

impl Console {
    /// A client of the API that carries the caller's own token (from the request's
    /// `authorization: Bearer` header), or the refusal when there is none.
    fn client(&self, headers: &HeaderMap) -> Result<Client, Refusal> {
        let token = headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|token| !token.is_empty())
            .ok_or_else(|| {
                Refusal::new(
                    StatusCode::UNAUTHORIZED,
                    "Unauthenticated",
                    "sign in: paste your Rotor API token (rotor auth token), or open the sign-in link `rotor up` wrote",
                )
            })?;
        let bearer = Bearer::new(Some(token)).map_err(|e| {
            Refusal::new(StatusCode::UNAUTHORIZED, "Unauthenticated", e.to_string())
        })?;
        Ok(rotor_stack::api::client(self.channel.clone(), bearer))
    }
}

async fn list_fabrics(State(console): State<Console>, headers: HeaderMap) -> Answer {
    let reply = console
        .client(&headers)?
        .list_fabrics(ListFabricsRequest {})
        .await?;
    json(reply.get_ref())
}

async fn show_fabric(
    State(console): State<Console>,
    headers: HeaderMap,
    Path(fabric_id): Path<String>,
) -> Answer {
    let reply = console
        .client(&headers)?
        .show_fabric(ShowFabricRequest { fabric_id })
        .await?;
    json(reply.get_ref())
}

async fn list_devices(
    State(console): State<Console>,
    headers: HeaderMap,
    Path(fabric_id): Path<String>,
) -> Answer {
    let reply = console
        .client(&headers)?
        .list_devices(ListDevicesRequest { fabric_id })
        .await?;
    json(reply.get_ref())
}

async fn show_device(
    State(console): State<Console>,
    headers: HeaderMap,
    Path((fabric_id, device_id)): Path<(String, String)>,
) -> Answer {
    let reply = console
        .client(&headers)?
        .show_device(ShowDeviceRequest {
            fabric_id,
            device_id,
        })
        .await?;
    json(reply.get_ref())
}

async fn list_backups(
    State(console): State<Console>,
    headers: HeaderMap,
    Path((fabric_id, device_id)): Path<(String, String)>,
) -> Answer {
    let reply = console
        .client(&headers)?
        .list_backups(ListBackupsRequest {
            fabric_id,
            device_id,
        })
        .await?;
    json(reply.get_ref())
}

/// One backup (`?name=<fabric>/<device>/<operation>`), as stored: hashes masked by the device.
async fn get_backup(
    State(console): State<Console>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Answer {
    let name = query.get("name").cloned().unwrap_or_default();
    let reply = console
        .client(&headers)?
        .get_backup(GetBackupRequest { name })
        .await?;
    json(reply.get_ref())
}

async fn list_operations(
    State(console): State<Console>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Answer {
    let fabric_id = query.get("fabric").cloned().unwrap_or_default();
    let limit = query
        .get("limit")
        .and_then(|l| l.parse().ok())
        .unwrap_or(20);
    let reply = console
        .client(&headers)?
        .list_operations(ListOperationsRequest { fabric_id, limit })
        .await?;
    json(reply.get_ref())
}

async fn show_operation(
    State(console): State<Console>,
    headers: HeaderMap,
    Path(operation_id): Path<String>,
) -> Answer {
    let reply = console
        .client(&headers)?
        .show_operation(ShowOperationRequest {
            operation_id,
            omit_devices: false,
        })
        .await?;
    json(reply.get_ref())
}

/// What the forms send: the request's proto3 JSON form, of which only these fields are taken.
/// Nothing here can carry a password (the request has no such field), and who asks is the
/// token's subject, never what the page says.
#[derive(Debug, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Asked {
    kind: String,
    fabric_id: String,
    #[serde(default)]
    device_ids: Vec<String>,
    #[serde(default)]
    users: Vec<String>,
}

impl Asked {
    fn request(self, allowed: [RotationKind; 2]) -> Result<RotationRequest, Refusal> {
        let kind = RotationKind::from_str_name(&self.kind)
            .filter(|kind| allowed.contains(kind))
            .ok_or_else(|| {
                Refusal::new(
                    StatusCode::BAD_REQUEST,
                    "InvalidRequest",
                    format!(
                        "kind {:?} is not one of {}",
                        self.kind,
                        allowed.map(|k| k.as_str_name()).join(", ")
                    ),
                )
            })?;
        Ok(RotationRequest {
            kind: kind as i32,
            fabric_id: self.fabric_id,
            device_ids: self.device_ids,
            users: self.users,
            requested_by: "rotor console".into(),
            ..Default::default()
        })
    }
}

fn asked(body: &[u8]) -> Result<Asked, Refusal> {
    serde_json::from_slice(body).map_err(|e| {
        Refusal::new(
            StatusCode::BAD_REQUEST,
            "InvalidRequest",
            format!("the request is not {{kind, fabricId, deviceIds, users}}: {e}"),
        )
    })
}

async fn rotate(State(console): State<Console>, headers: HeaderMap, body: bytes::Bytes) -> Answer {
    let request = asked(&body)?.request([
        RotationKind::FabricRotatePassword,
        RotationKind::DeviceRotatePassword,
    ])?;
    let reply = console.client(&headers)?.rotate(request).await?;
    json(reply.get_ref())
}

async fn resync(State(console): State<Console>, headers: HeaderMap, body: bytes::Bytes) -> Answer {
    let request = asked(&body)?.request([
        RotationKind::FabricResyncPassword,
        RotationKind::DeviceResyncPassword,
    ])?;
    let reply = console.client(&headers)?.resync(request).await?;
    json(reply.get_ref())
}

/// `WatchEvents` (`?fabric=&device=&operation=`, the retained history first) as Server-Sent
/// Events: one `data:` line of the event's JSON per stage event, until the caller goes away or
/// the console stops.
async fn watch(
    State(console): State<Console>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Answer {
    let field = |name: &str| query.get(name).cloned().unwrap_or_default();
    let events = console
        .client(&headers)?
        .watch_events(WatchEventsRequest {
            fabric_id: field("fabric"),
            device_id: field("device"),
            operation_id: field("operation"),
            from_start: true,
        })
        .await?
        .into_inner();
    // A comment first, so the page knows the stream is open before any event.
    let opened = futures::stream::once(async { Ok(bytes::Bytes::from_static(b": open\n\n")) });
    let events = events
        .take_until(console.shutdown.clone().cancelled_owned())
        .map(|event| -> Result<bytes::Bytes, std::io::Error> {
            let line = match event {
                Ok(event) => serde_json::to_string(&event).map_err(std::io::Error::other)?,
                Err(status) => {
                    let refusal = Refusal::from(status);
                    let error =
                        serde_json::json!({"code": refusal.code, "message": refusal.message});
                    return Ok(bytes::Bytes::from(format!(
                        "event: error\ndata: {error}\n\n"
                    )));
                }
            };
            Ok(bytes::Bytes::from(format!("data: {line}\n\n")))
        });
    let mut response = Response::new(Body::from_stream(opened.chain(events)));
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream"),
    );
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_form_request_takes_only_what_a_rotation_names() {
        let request = asked(br#"{"kind": "DeviceRotatePassword", "fabricId": "fab1", "deviceIds": ["leaf-1"], "users": ["admin"]}"#)
            .unwrap()
            .request([RotationKind::FabricRotatePassword, RotationKind::DeviceRotatePassword])
            .unwrap();
        assert_eq!(request.kind, RotationKind::DeviceRotatePassword as i32);
        assert_eq!(request.device_ids, ["leaf-1"]);
        assert_eq!(request.users, ["admin"]);
        assert!(!request.use_stored);
        // No field can bring a password (or anything else) in.
        let refused =
            asked(br#"{"kind": "FabricRotatePassword", "fabricId": "fab1", "password": "x"}"#)
                .unwrap_err();
        assert_eq!(refused.status, StatusCode::BAD_REQUEST);
        assert!(
            refused.message.contains("unknown field `password`"),
            "{refused:?}"
        );
        // A resync kind is not a rotate.
        let refused = asked(br#"{"kind": "FabricResyncPassword", "fabricId": "fab1"}"#)
            .unwrap()
            .request([
                RotationKind::FabricRotatePassword,
                RotationKind::DeviceRotatePassword,
            ])
            .unwrap_err();
        assert_eq!(refused.code, "InvalidRequest");
    }

    #[test]
    fn grpc_refusals_keep_their_meaning() {
        for (status, http, code) in [
            (
                tonic::Status::unauthenticated("x"),
                StatusCode::UNAUTHORIZED,
                "Unauthenticated",
            ),
            (
                tonic::Status::permission_denied("x"),
                StatusCode::FORBIDDEN,
                "PermissionDenied",
            ),
            (
                tonic::Status::not_found("x"),
                StatusCode::NOT_FOUND,
                "NotFound",
            ),
            (
                tonic::Status::invalid_argument("x"),
                StatusCode::BAD_REQUEST,
                "InvalidRequest",
            ),
        ] {
            let refusal = Refusal::from(status);
            assert_eq!((refusal.status, refusal.code.as_str()), (http, code));
            assert_eq!(refusal.message, "x");
        }
    }
}
