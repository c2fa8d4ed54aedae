//! Structured logging with OpenTelemetry trace context, set up once per process.
//!
//! Spans get OpenTelemetry trace and span ids (an SDK tracer provider with no exporter by
//! default), so the trace context can travel in NATS headers and every log line of one device's
//! rotation carries the same `trace_id` in every service. `ROTOR_LOG` is the filter (default
//! `info`), `ROTOR_LOG_FORMAT` is `text` (default) or `json`.
//!
//! With `ROTOR_OTLP_ENDPOINT` (an OTLP/HTTP base URL such as `http://127.0.0.1:4318`) the spans
//! are also exported, OTLP protobuf over HTTP to `<endpoint>/v1/traces`, in batches from a
//! thread of their own, under the service name `rotor-<service>`; [`flush`] sends what is left
//! before the process ends.

use std::io::Write;
use std::sync::{Arc, Mutex};

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing::Subscriber;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::registry::LookupSpan;

use crate::settings::{SettingError, Settings};

/// Log line format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines (the default).
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

fn otel_layer<S>(service: &str, provider: SdkTracerProvider) -> impl tracing_subscriber::Layer<S>
where
    S: Subscriber + for<'span> LookupSpan<'span>,
{
    let tracer = provider.tracer(format!("rotor-{service}"));
    tracing_opentelemetry::layer().with_tracer(tracer)
}

/// Where spans are exported (`ROTOR_OTLP_ENDPOINT`): `None` (the default) exports none.
pub fn otlp_endpoint(settings: &Settings) -> Result<Option<String>, SettingError> {
    let Some(endpoint) = settings.raw("ROTOR_OTLP_ENDPOINT") else {
        return Ok(None);
    };
    let endpoint = endpoint.trim().trim_end_matches('/');
    let host = endpoint
        .strip_prefix("http://")
        .or_else(|| endpoint.strip_prefix("https://"));
    match host {
        Some(host) if !host.is_empty() && !host.contains(char::is_whitespace) => {
            Ok(Some(endpoint.to_string()))
        }
        _ => Err(SettingError {
            name: "ROTOR_OTLP_ENDPOINT".into(),
            reason: format!(
                "{endpoint:?} is not an OTLP/HTTP base URL such as http://127.0.0.1:4318"
            ),
        }),
    }
}

/// A tracer provider exporting to the OTLP/HTTP `endpoint` (base URL) as `rotor-<service>`.
fn exporting_provider(service: &str, endpoint: &str) -> Result<SdkTracerProvider, SettingError> {
    use opentelemetry_otlp::WithExportConfig;
    // The HTTP client is built without a TLS backend of its own; use ring, as NATS does.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_protocol(opentelemetry_otlp::Protocol::HttpBinary)
        .with_endpoint(format!("{endpoint}/v1/traces"))
        .build()
        .map_err(|e| SettingError {
            name: "ROTOR_OTLP_ENDPOINT".into(),
            reason: format!("cannot export spans to {endpoint}: {e}"),
        })?;
    let resource = opentelemetry_sdk::Resource::builder()
        .with_service_name(format!("rotor-{service}"))
        .build();
    Ok(SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .with_resource(resource)
        .build())
}

/// The exporting provider of this process, for [`flush`].
static EXPORTING: std::sync::OnceLock<SdkTracerProvider> = std::sync::OnceLock::new();

/// Sends the spans not exported yet and stops exporting (at the end of a service's `main`).
pub fn flush() {
    if let Some(provider) = EXPORTING.get()
        && let Err(error) = provider.shutdown()
    {
        eprintln!("could not export the last spans: {error}");
    }
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
    subscriber_with(
        service,
        filter,
        format,
        writer,
        SdkTracerProvider::builder().build(),
    )
}

fn subscriber_with<W>(
    service: &str,
    filter: &str,
    format: LogFormat,
    writer: W,
    provider: SdkTracerProvider,
) -> Box<dyn Subscriber + Send + Sync>
where
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    let filter = EnvFilter::try_new(filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let registry = tracing_subscriber::registry()
        .with(filter)
        .with(otel_layer(service, provider));
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

/// Sets the process-wide subscriber from `ROTOR_LOG` and `ROTOR_LOG_FORMAT` (logs go to
/// stderr), exporting spans when `ROTOR_OTLP_ENDPOINT` is set. Call it outside an async runtime
/// (the exporter's HTTP client is a blocking one).
pub fn init(service: &str, settings: &Settings) -> Result<(), SettingError> {
    let filter = settings.string("ROTOR_LOG", "info");
    let format = match settings.string("ROTOR_LOG_FORMAT", "text").as_str() {
        "json" => LogFormat::Json,
        _ => LogFormat::Text,
    };
    let provider = match otlp_endpoint(settings)? {
        Some(endpoint) => {
            let provider = exporting_provider(service, &endpoint)?;
            let _ = EXPORTING.set(provider.clone());
            provider
        }
        None => SdkTracerProvider::builder().build(),
    };
    let _ = tracing::subscriber::set_global_default(subscriber_with(
        service,
        &filter,
        format,
        std::io::stderr,
        provider,
    ));
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_otlp_endpoint_is_off_by_default_and_checked() {
        assert_eq!(otlp_endpoint(&Settings::default()), Ok(None));
        let set = Settings::from_pairs([("ROTOR_OTLP_ENDPOINT", "http://127.0.0.1:4318/")]);
        assert_eq!(
            otlp_endpoint(&set),
            Ok(Some("http://127.0.0.1:4318".to_string()))
        );
        for bad in ["127.0.0.1:4318", "grpc://collector:4317", "http://"] {
            let settings = Settings::from_pairs([("ROTOR_OTLP_ENDPOINT", bad)]);
            let error = otlp_endpoint(&settings).unwrap_err();
            assert_eq!(error.name, "ROTOR_OTLP_ENDPOINT", "{bad}");
        }
    }
}
