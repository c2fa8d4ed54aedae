//! The loopback HTTP+JSON control interface: create and remove fabrics, list and inspect
//! devices, set and clear faults, reboot a device, change latency, reset lock-outs, export the
//! inventory, read counters, and ask the simulator to shut down. Endpoints are listed in
//! `docs/simulator.md`.

use std::path::PathBuf;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use crate::export::ExportOptions;
use crate::fabric::FabricSpec;
use crate::faults::{Fault, FaultKind};
use crate::latency::LatencySetting;
use crate::simulator::{SimError, Simulator};

/// An error answer: `{"error": "..."}` with a status code.
struct ApiError(StatusCode, String);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.0, Json(json!({ "error": self.1 }))).into_response()
    }
}

impl From<SimError> for ApiError {
    fn from(error: SimError) -> Self {
        let status = match &error {
            SimError::UnknownFabric(_) | SimError::UnknownDevice(_) => StatusCode::NOT_FOUND,
            SimError::FabricExists(_) | SimError::DeviceExists(_) => StatusCode::CONFLICT,
            SimError::InvalidSpec(_) | SimError::Fault(_) | SimError::Inventory(_) => {
                StatusCode::BAD_REQUEST
            }
            SimError::ShutDown => StatusCode::SERVICE_UNAVAILABLE,
            SimError::Bind { .. } | SimError::Write { .. } => StatusCode::INTERNAL_SERVER_ERROR,
        };
        ApiError(status, error.to_string())
    }
}

fn bad_request(message: impl Into<String>) -> ApiError {
    ApiError(StatusCode::BAD_REQUEST, message.into())
}

type ApiResult = Result<Response, ApiError>;

fn ok(value: impl serde::Serialize) -> ApiResult {
    Ok(Json(value).into_response())
}

/// The control interface's routes.
pub fn router(simulator: Simulator) -> Router {
    Router::new()
        .route("/health", get(|| async { Json(json!({ "status": "ok" })) }))
        .route("/counters", get(counters))
        .route("/latency", get(latency).put(set_latency))
        .route("/fabrics", get(list_fabrics).post(create_fabric))
        .route("/fabrics/{fabric}", delete(remove_fabric))
        .route("/fabrics/{fabric}/devices", get(fabric_devices))
        .route("/fabrics/{fabric}/inventory", get(fabric_inventory))
        .route(
            "/fabrics/{fabric}/sessions",
            get(fabric_sessions).delete(reset_session_peak),
        )
        .route("/fabrics/{fabric}/export", post(export_fabric))
        .route("/devices", get(list_devices))
        .route("/devices/{device}", get(device_report))
        .route(
            "/devices/{device}/faults",
            get(device_faults).post(set_fault).put(set_fault),
        )
        .route("/devices/{device}/faults/{kind}", delete(clear_fault))
        .route(
            "/devices/{device}/latency",
            get(device_latency)
                .put(set_device_latency)
                .delete(clear_device_latency),
        )
        .route("/devices/{device}/logins", get(device_logins))
        .route("/devices/{device}/reboot", post(reboot_device))
        .route("/devices/{device}/lockouts", delete(reset_lockouts))
        .route(
            "/devices/{device}/users/{user}/password-hash",
            put(set_password_hash),
        )
        .route("/shutdown", post(shutdown))
        .with_state(simulator)
}

/// Serves the control interface until the simulator shuts down.
pub async fn serve(simulator: Simulator, listener: tokio::net::TcpListener) {
    let stop = simulator.clone();
    let app = router(simulator);
    let result = axum::serve(listener, app)
        .with_graceful_shutdown(async move { stop.wait_for_shutdown_request().await })
        .await;
    if let Err(error) = result {
        tracing::warn!(%error, "control interface stopped");
    }
}

async fn counters(State(simulator): State<Simulator>) -> ApiResult {
    ok(simulator.counters())
}

async fn latency(State(simulator): State<Simulator>) -> ApiResult {
    ok(simulator.latency())
}

async fn set_latency(
    State(simulator): State<Simulator>,
    Json(setting): Json<LatencySetting>,
) -> ApiResult {
    let profile = setting.resolve().map_err(bad_request)?;
    simulator.set_latency(profile);
    ok(profile)
}

async fn list_fabrics(State(simulator): State<Simulator>) -> ApiResult {
    let fabrics: Vec<_> = simulator
        .fabric_ids()
        .into_iter()
        .map(|fabric_id| {
            let devices = simulator
                .fabric_devices(&fabric_id)
                .map(|devices| devices.len())
                .unwrap_or_default();
            json!({ "fabricId": fabric_id, "deviceCount": devices })
        })
        .collect();
    ok(fabrics)
}

async fn create_fabric(
    State(simulator): State<Simulator>,
    Json(spec): Json<FabricSpec>,
) -> ApiResult {
    // Binding thousands of ports takes a while; let the runtime move other tasks off this thread.
    let multi_thread = tokio::runtime::Handle::current().runtime_flavor()
        == tokio::runtime::RuntimeFlavor::MultiThread;
    let summary = if multi_thread {
        tokio::task::block_in_place(|| simulator.create_fabric(spec))?
    } else {
        simulator.create_fabric(spec)?
    };
    Ok((StatusCode::CREATED, Json(summary)).into_response())
}

async fn remove_fabric(
    State(simulator): State<Simulator>,
    Path(fabric): Path<String>,
) -> ApiResult {
    simulator.remove_fabric(&fabric)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn fabric_devices(
    State(simulator): State<Simulator>,
    Path(fabric): Path<String>,
) -> ApiResult {
    ok(simulator.device_summaries(Some(&fabric))?)
}

async fn fabric_sessions(
    State(simulator): State<Simulator>,
    Path(fabric): Path<String>,
) -> ApiResult {
    ok(simulator.fabric_sessions(&fabric))
}

async fn reset_session_peak(
    State(simulator): State<Simulator>,
    Path(fabric): Path<String>,
) -> ApiResult {
    simulator.reset_session_peak(&fabric);
    ok(simulator.fabric_sessions(&fabric))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct InventoryQuery {
    secrets_mount: Option<String>,
    secret_path_template: Option<String>,
}

async fn fabric_inventory(
    State(simulator): State<Simulator>,
    Path(fabric): Path<String>,
    Query(query): Query<InventoryQuery>,
) -> ApiResult {
    let mut options = ExportOptions::default();
    if let Some(mount) = query.secrets_mount {
        options.secrets_mount = mount;
    }
    if let Some(template) = query.secret_path_template {
        options.secret_path_template = template;
    }
    let exported = simulator.inventory(&fabric, &options)?;
    ok(json!({
        "inventory": exported.inventory,
        "inventoryYaml": exported.inventory.to_yaml(),
        "intendedConfigs": exported.intended_configs,
    }))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ExportRequest {
    directory: PathBuf,
    #[serde(flatten)]
    options: ExportOptions,
}

async fn export_fabric(
    State(simulator): State<Simulator>,
    Path(fabric): Path<String>,
    Json(request): Json<ExportRequest>,
) -> ApiResult {
    ok(simulator.export_inventory(&fabric, &request.directory, &request.options)?)
}

#[derive(Debug, Deserialize)]
struct DevicesQuery {
    fabric: Option<String>,
}

async fn list_devices(
    State(simulator): State<Simulator>,
    Query(query): Query<DevicesQuery>,
) -> ApiResult {
    ok(simulator.device_summaries(query.fabric.as_deref())?)
}

#[derive(Debug, Deserialize)]
struct ReportQuery {
    #[serde(default)]
    unmasked: bool,
}

async fn device_report(
    State(simulator): State<Simulator>,
    Path(device): Path<String>,
    Query(query): Query<ReportQuery>,
) -> ApiResult {
    ok(simulator.require_device(&device)?.report(query.unmasked))
}

async fn device_faults(
    State(simulator): State<Simulator>,
    Path(device): Path<String>,
) -> ApiResult {
    ok(simulator.require_device(&device)?.faults())
}

async fn set_fault(
    State(simulator): State<Simulator>,
    Path(device): Path<String>,
    Json(fault): Json<Fault>,
) -> ApiResult {
    let device = simulator.require_device(&device)?;
    device.set_fault(fault).map_err(bad_request)?;
    ok(device.faults())
}

async fn clear_fault(
    State(simulator): State<Simulator>,
    Path((device, kind)): Path<(String, String)>,
) -> ApiResult {
    let device = simulator.require_device(&device)?;
    let kind = FaultKind::parse(&kind).map_err(bad_request)?;
    device
        .clear_fault(kind)
        .map_err(|message| ApiError(StatusCode::CONFLICT, message))?;
    ok(device.faults())
}

async fn device_latency(
    State(simulator): State<Simulator>,
    Path(device): Path<String>,
) -> ApiResult {
    let device = simulator.require_device(&device)?;
    ok(json!({ "effective": device.latency(), "override": device.report(false).latency_override }))
}

async fn set_device_latency(
    State(simulator): State<Simulator>,
    Path(device): Path<String>,
    Json(setting): Json<LatencySetting>,
) -> ApiResult {
    let device = simulator.require_device(&device)?;
    let profile = setting.resolve().map_err(bad_request)?;
    device.set_latency(Some(profile));
    ok(profile)
}

async fn clear_device_latency(
    State(simulator): State<Simulator>,
    Path(device): Path<String>,
) -> ApiResult {
    let device = simulator.require_device(&device)?;
    device.set_latency(None);
    ok(device.latency())
}

async fn device_logins(
    State(simulator): State<Simulator>,
    Path(device): Path<String>,
) -> ApiResult {
    ok(simulator.require_device(&device)?.login_statistics())
}

async fn reset_lockouts(
    State(simulator): State<Simulator>,
    Path(device): Path<String>,
) -> ApiResult {
    let device = simulator.require_device(&device)?;
    device.reset_lockouts();
    ok(device.login_statistics())
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RebootRequest {
    down_ms: Option<u64>,
}

/// `POST /devices/{id}/reboot` (body optional, `{"downMs": N}`): answers once the device is up
/// again, with its summary.
async fn reboot_device(
    State(simulator): State<Simulator>,
    Path(device): Path<String>,
    body: axum::body::Bytes,
) -> ApiResult {
    let device = simulator.require_device(&device)?;
    let request: RebootRequest = if body.iter().all(u8::is_ascii_whitespace) {
        RebootRequest::default()
    } else {
        serde_json::from_slice(&body).map_err(|error| bad_request(error.to_string()))?
    };
    device
        .reboot(request.down_ms.map(std::time::Duration::from_millis))
        .await;
    ok(device.summary())
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PasswordHashRequest {
    hashed_password: String,
}

async fn set_password_hash(
    State(simulator): State<Simulator>,
    Path((device, user)): Path<(String, String)>,
    Json(request): Json<PasswordHashRequest>,
) -> ApiResult {
    let device = simulator.require_device(&device)?;
    let revision = device
        .set_user_password_hash(&user, &request.hashed_password)
        .map_err(bad_request)?;
    ok(json!({ "appliedRevision": revision }))
}

async fn shutdown(State(simulator): State<Simulator>) -> ApiResult {
    simulator.request_shutdown();
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({ "status": "shutting down" })),
    )
        .into_response())
}
