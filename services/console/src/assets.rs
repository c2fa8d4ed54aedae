//! The page and its two assets, compiled in (no build step, nothing fetched from elsewhere), and
//! the headers every answer carries: a Content-Security-Policy that allows only the console's
//! own script and stylesheet (no inline script, no `eval`, no other origin), no framing, no
//! referrer, no caching of API answers.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

const PAGE: &str = include_str!("static/index.html");
const STYLESHEET: &str = include_str!("static/console.css");
const SCRIPT: &str = include_str!("static/console.js");

/// The policy: the page's own script and stylesheet, calls to its own API, nothing else.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

pub async fn page() -> Response {
    with_type(PAGE, "text/html; charset=utf-8")
}

pub async fn stylesheet() -> Response {
    with_type(STYLESHEET, "text/css; charset=utf-8")
}

pub async fn script() -> Response {
    with_type(SCRIPT, "text/javascript; charset=utf-8")
}

fn with_type(body: &'static str, content_type: &'static str) -> Response {
    ([(header::CONTENT_TYPE, content_type)], body).into_response()
}

/// Adds the security headers to every answer.
pub async fn security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    for (name, value) in [
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::CACHE_CONTROL, "no-store"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}
