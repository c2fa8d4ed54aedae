//! Strict gRPC requests: a tower layer that refuses, before tonic decodes them, `Rotate` and
//! `Resync` calls whose protobuf `RotationRequest` carries a field the contract does not
//! declare. prost skips unknown fields, so without this a request meant for a newer Rotor (or a
//! mistyped one) would run a real rotation without what its sender asked for. The layer marks
//! such a call with [`RefusedFields`] and the API answers it with a `RotationReply` rejected
//! `InvalidRequest` naming the field number, as the bus does for the same check
//! (`bus_requests::check_protobuf_request`).

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use http_body_util::BodyExt;
use tonic::body::Body;
use tonic::codegen::http;

/// The methods whose requests are checked.
const CHECKED: [&str; 2] = [
    "/rotor.v1.RotationService/Rotate",
    "/rotor.v1.RotationService/Resync",
];

/// Why a call's request is refused: set as a request extension by [`StrictRequests`].
#[derive(Clone, Debug)]
pub struct RefusedFields(pub String);

/// The layer (`Server::builder().layer(StrictRequests::new(limit))`).
#[derive(Clone, Copy, Debug)]
pub struct StrictRequests {
    limit: usize,
}

impl StrictRequests {
    /// Checks requests of at most `limit` bytes (`ROTOR_MAX_REQUEST_BYTES`, as on the bus); a larger
    /// body is refused `RESOURCE_EXHAUSTED` as soon as it is seen to be larger, before the
    /// caller is authenticated, so it is never held whole.
    pub fn new(limit: usize) -> StrictRequests {
        StrictRequests { limit }
    }
}

impl<S> tower::Layer<S> for StrictRequests {
    type Service = Strict<S>;

    fn layer(&self, inner: S) -> Strict<S> {
        Strict {
            inner,
            limit: self.limit,
        }
    }
}

/// The service [`StrictRequests`] wraps around the API.
#[derive(Clone, Debug)]
pub struct Strict<S> {
    inner: S,
    limit: usize,
}

type Response = http::Response<Body>;

impl<S> tower::Service<http::Request<Body>> for Strict<S>
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

    fn call(&mut self, request: http::Request<Body>) -> Self::Future {
        if !CHECKED.contains(&request.uri().path()) {
            return Box::pin(self.inner.call(request));
        }
        // The ready service answers this call; a fresh clone waits for the next one.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let limit = self.limit;
        Box::pin(async move {
            let (mut parts, body) = request.into_parts();
            // One message and its 5-byte frame header.
            let body = http_body_util::Limited::new(body, limit.saturating_add(5));
            let bytes = match body.collect().await {
                Ok(collected) => collected.to_bytes(),
                Err(error) if error.is::<http_body_util::LengthLimitError>() => {
                    return Ok(
                        crate::limits::too_large(limit, "ROTOR_MAX_REQUEST_BYTES").into_http()
                    );
                }
                Err(_) => {
                    return Ok(
                        tonic::Status::invalid_argument("the request body is unreadable")
                            .into_http(),
                    );
                }
            };
            if let Err(problem) = check_frames(&bytes) {
                parts.extensions.insert(RefusedFields(problem));
            }
            let request =
                http::Request::from_parts(parts, Body::new(http_body_util::Full::new(bytes)));
            inner.call(request).await
        })
    }
}

/// Checks every gRPC message frame (`flag`, 4-byte length, message) of a request body.
fn check_frames(mut body: &[u8]) -> Result<(), String> {
    while !body.is_empty() {
        if body.len() < 5 {
            return Err("a gRPC frame is cut short".into());
        }
        let compressed = body[0] != 0;
        let length = u32::from_be_bytes([body[1], body[2], body[3], body[4]]) as usize;
        let Some(message) = body.get(5..5 + length) else {
            return Err("a gRPC frame is cut short".into());
        };
        if !compressed {
            crate::bus_requests::check_protobuf_request(message)?;
        }
        body = &body[5 + length..];
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use prost::Message;

    fn frame(message: &[u8]) -> Vec<u8> {
        let mut framed = vec![0];
        framed.extend_from_slice(&(message.len() as u32).to_be_bytes());
        framed.extend_from_slice(message);
        framed
    }

    #[test]
    fn frames_with_unknown_fields_are_refused() {
        let request = rotor_proto::v1::RotationRequest {
            fabric_id: "fab1".into(),
            ..Default::default()
        };
        let good = request.encode_to_vec();
        assert_eq!(check_frames(&frame(&good)), Ok(()));
        let mut bad = good.clone();
        bad.extend_from_slice(&[0xd0, 0x02, 0x01]);
        let refused = check_frames(&frame(&bad)).unwrap_err();
        assert!(refused.contains("field number 42"), "{refused}");
        assert!(check_frames(&[0, 0, 0]).is_err());
    }
}
