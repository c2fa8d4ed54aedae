//! Structured logging with OpenTelemetry trace context, set up once per process.
//!
//! Spans get OpenTelemetry trace and span ids (an SDK tracer provider with no exporter by
//! default), so the trace context can travel in NATS headers and every log line of one device's
//! rotation carries the same `trace_id` in every service. `ROTOR_LOG` is the filter (default
//! `info`), `ROTOR_LOG_FORMAT` is `text` (default) or `json`.

use std::io::Write;
use std::sync::{Arc, Mutex};

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing::Subscriber;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::registry::LookupSpan;

use crate::settings::Settings;

/// Log line format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines (the default).
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

fn otel_layer<S>(service: &str) -> impl tracing_subscriber::Layer<S>
where
    S: Subscriber + for<'span> LookupSpan<'span>,
{
    let provider = SdkTracerProvider::builder().build();
    let tracer = provider.tracer(format!("rotor-{service}"));
    tracing_opentelemetry::layer().with_tracer(tracer)
}

/// A subscriber writing to `writer`, with trace ids. Tests use it to capture every log line.
pub fn subscriber<W>(
    service: &str,
    filter: &str,
    format: LogFormat,
    writer: W,
) -> Box<dyn Subscriber + Send + Sync>
where
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    let filter = EnvFilter::try_new(filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let registry = tracing_subscriber::registry()
        .with(filter)
        .with(otel_layer(service));
    match format {
        LogFormat::Json => Box::new(
            registry.with(
                tracing_subscriber::fmt::layer()
                    .json()
                    .with_current_span(true)
                    .with_span_list(false)
                    .with_writer(writer),
            ),
        ),
        LogFormat::Text => Box::new(
            registry.with(
                tracing_subscriber::fmt::layer()
                    .with_target(false)
                    .with_ansi(false)
                    .with_writer(writer),
            ),
        ),
    }
}

/// Sets the process-wide subscriber from `ROTOR_LOG` and `ROTOR_LOG_FORMAT` (logs go to stderr).
pub fn init(service: &str, settings: &Settings) {
    let filter = settings.string("ROTOR_LOG", "info");
    let format = match settings.string("ROTOR_LOG_FORMAT", "text").as_str() {
        "json" => LogFormat::Json,
        _ => LogFormat::Text,
    };
    let _ = tracing::subscriber::set_global_default(subscriber(
        service,
        &filter,
        format,
        std::io::stderr,
    ));
}

/// An in-memory log sink for tests: every line any test subscriber writes.
#[derive(Clone, Debug, Default)]
pub struct CapturedLogs(Arc<Mutex<Vec<u8>>>);

impl CapturedLogs {
    /// Everything written so far, as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl Write for CapturedLogs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for CapturedLogs {
    type Writer = CapturedLogs;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}
