//! The W3C trace context (`traceparent`, `tracestate`) carried in NATS message headers, so that
//! one device's rotation is one trace across every service it passes through.

use async_nats::HeaderMap;
use opentelemetry::propagation::{Extractor, Injector, TextMapPropagator};
use opentelemetry_sdk::propagation::TraceContextPropagator;
use tracing_opentelemetry::OpenTelemetrySpanExt;

struct HeaderInjector<'a>(&'a mut HeaderMap);

impl Injector for HeaderInjector<'_> {
    fn set(&mut self, key: &str, value: String) {
        self.0.insert(key, value.as_str());
    }
}

struct HeaderExtractor<'a>(&'a HeaderMap);

impl Extractor for HeaderExtractor<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(|value| value.as_str())
    }

    fn keys(&self) -> Vec<&str> {
        self.0.iter().map(|(name, _)| name.as_ref()).collect()
    }
}

/// Writes the current span's trace context into `headers` (nothing when there is no trace).
pub fn inject_current(headers: &mut HeaderMap) {
    let context = tracing::Span::current().context();
    TraceContextPropagator::new().inject_context(&context, &mut HeaderInjector(headers));
}

/// Reads a trace context from message headers.
pub fn extract(headers: Option<&HeaderMap>) -> opentelemetry::Context {
    match headers {
        Some(headers) => TraceContextPropagator::new().extract(&HeaderExtractor(headers)),
        None => opentelemetry::Context::new(),
    }
}

/// A span for handling one consumed message, a child of the publisher's span when the message
/// carried a trace context. Named and tagged after OpenTelemetry's messaging conventions.
pub fn consumer_span(subject: &str, consumer: &str, headers: Option<&HeaderMap>) -> tracing::Span {
    let span = tracing::info_span!(
        "process",
        otel.kind = "consumer",
        messaging.system = "nats",
        messaging.destination.name = subject,
        messaging.consumer.group.name = consumer,
        trace_id = tracing::field::Empty,
    );
    let parent = extract(headers);
    {
        use opentelemetry::trace::TraceContextExt;
        let parent_span = parent.span();
        let span_context = parent_span.span_context();
        if span_context.is_valid() {
            span.record("trace_id", span_context.trace_id().to_string());
        }
    }
    let _ = span.set_parent(parent);
    span
}

/// The trace id of the current span, for log lines and test assertions (empty when none).
pub fn current_trace_id() -> String {
    use opentelemetry::trace::TraceContextExt;
    let context = tracing::Span::current().context();
    let span_context = context.span().span_context().clone();
    if span_context.is_valid() {
        span_context.trace_id().to_string()
    } else {
        String::new()
    }
}
