//! The verbs that talk to a running Rotor: each builds one API request, prints the answer as a
//! table or as proto3 JSON, and says which exit code the answer means.

use std::path::Path;

use rotor_proto::v1::rotation_reply::Outcome;
use rotor_proto::v1::*;

use crate::cli::{
    AuditArgs, BackupCommand, DeviceCommand, EventsCommand, FabricCommand, InventoryCommand,
    LockCommand, OperationCommand, OutputFormat, ScheduleCommand, ScheduledRunKind,
};
use crate::client::{self, Client};
use crate::exit::{CliError, Exit};
use crate::output::{
    self, Table, administrative_state_name, code_name, error_text, fields, kind_name, or_dash,
    stage_name, stage_status_name, state_name, sync_name,
};
use crate::progress;

/// What every verb needs: where the API is, how to print, and the connection once made. Its
/// debug form never shows the token.
pub struct Context {
    /// The API's address, normalised to a URL.
    pub server: String,
    /// How answers are printed.
    pub format: OutputFormat,
    token: Option<String>,
    ca_file: Option<std::path::PathBuf>,
    client: Option<Client>,
}

impl std::fmt::Debug for Context {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context")
            .field("server", &self.server)
            .field("format", &self.format)
            .field("token", &self.token.as_ref().map(|_| "<token>"))
            .field("ca_file", &self.ca_file)
            .finish_non_exhaustive()
    }
}

impl Context {
    /// A context for the API at `server` (a URL, or `host:port`); the connection is made on first
    /// use.
    pub fn new(server: &str, token: Option<String>, format: OutputFormat) -> Context {
        Context {
            server: client::normalise_server(server),
            format,
            token,
            ca_file: None,
            client: None,
        }
    }

    /// The same context, trusting the CA in `ca_file` for an `https://` server.
    pub fn with_ca_file(mut self, ca_file: Option<std::path::PathBuf>) -> Context {
        self.ca_file = ca_file;
        self
    }

    /// The API client, connecting on first use.
    pub async fn client(&mut self) -> Result<Client, CliError> {
        if let Some(client) = &self.client {
            return Ok(client.clone());
        }
        let client =
            client::connect(&self.server, self.token.as_deref(), self.ca_file.as_deref()).await?;
        self.client = Some(client.clone());
        Ok(client)
    }

    /// A gRPC status as the command's error.
    pub fn status(&self, status: tonic::Status) -> CliError {
        CliError::from_status(&self.server, &status)
    }

    fn json(&self) -> bool {
        self.format == OutputFormat::Json
    }

    /// Awaits an API call; its gRPC status becomes the command's error.
    async fn answer<T>(
        &self,
        call: impl std::future::Future<Output = Result<tonic::Response<T>, tonic::Status>>,
    ) -> Result<T, CliError> {
        call.await
            .map(tonic::Response::into_inner)
            .map_err(|status| self.status(status))
    }

    /// Prints an answer: proto3 JSON with `-o json`, else what `text` makes of it.
    fn print<T: serde::Serialize>(&self, value: &T, text: impl FnOnce(&T) -> String) {
        if self.json() {
            crate::out!("{}", output::json(value));
        } else {
            crate::out!("{}", text(value));
        }
    }
}

/// How a rotation request ended, for the caller (the demo reads the operation).
#[derive(Debug)]
pub struct Submitted {
    /// The exit code the answer implies.
    pub exit: Exit,
    /// The acknowledgement, when the request was accepted.
    pub accepted: Option<RequestAccepted>,
    /// With `--wait`: the ended operation with every device's result.
    pub operation: Option<OperationStatus>,
}

/// Sends a rotate or resync request, prints the acknowledgement (or the rejection), and with
/// `wait` follows the operation to its end.
pub async fn submit(
    context: &mut Context,
    request: RotationRequest,
    wait: bool,
) -> Result<Submitted, CliError> {
    let kind = RotationKind::try_from(request.kind).unwrap_or(RotationKind::Unspecified);
    let resync = matches!(
        kind,
        RotationKind::FabricResyncPassword | RotationKind::DeviceResyncPassword
    );
    let mut client = context.client().await?;
    let reply = if resync {
        client.resync(request).await
    } else {
        client.rotate(request).await
    }
    .map_err(|status| context.status(status))?
    .into_inner();
    let accepted = match reply.outcome {
        Some(Outcome::Accepted(accepted)) => accepted,
        Some(Outcome::Rejected(rejected)) => {
            let error = rejected.error.clone().unwrap_or_default();
            if context.json() {
                crate::out!("{}", output::json(&rejected));
            }
            eprintln!("rejected: {}: {}", code_name(error.code), error.message);
            let exit = match ErrorCode::try_from(error.code) {
                Ok(ErrorCode::InternalError | ErrorCode::SecretsUnavailable) => Exit::Unavailable,
                _ => Exit::Rejected,
            };
            return Ok(Submitted {
                exit,
                accepted: None,
                operation: None,
            });
        }
        None => {
            return Err(CliError::unavailable(
                "the API answered neither accepted nor rejected",
            ));
        }
    };
    print_accepted(context, &accepted, wait);
    if !wait {
        return Ok(Submitted {
            exit: Exit::Success,
            accepted: Some(accepted),
            operation: None,
        });
    }
    let operation =
        progress::wait_for_operation(&context.server, &mut client, &accepted.operation_id).await?;
    if context.json() {
        crate::out!("{}", output::json(&operation));
    } else {
        crate::out!("");
        crate::out!("{}", operation_summary(&operation));
    }
    Ok(Submitted {
        exit: progress::operation_exit(&operation),
        accepted: Some(accepted),
        operation: Some(operation),
    })
}

/// The acknowledgement, in the shape `docs/cli.md` documents: `RequestAccepted` plus
/// `"status": "Accepted"`.
fn print_accepted(context: &Context, accepted: &RequestAccepted, wait: bool) {
    if context.json() {
        let mut value = serde_json::to_value(accepted).expect("proto messages serialise");
        value["status"] = serde_json::Value::String("Accepted".into());
        if wait {
            // stdout gets one document: the ended operation.
            eprintln!(
                "{}",
                serde_json::to_string(&value).expect("JSON serialises")
            );
        } else {
            crate::out!(
                "{}",
                serde_json::to_string_pretty(&value).expect("JSON serialises")
            );
        }
    } else {
        crate::out!(
            "{}",
            fields(&[
                ("Operation", accepted.operation_id.clone()),
                ("Kind", kind_name(accepted.kind).to_string()),
                ("Fabric", accepted.fabric_id.clone()),
                (
                    "Submitted devices",
                    accepted.submitted_device_count.to_string()
                ),
                ("Status", "Accepted".to_string()),
            ])
        );
        if !wait {
            crate::out!(
                "\nFollow it with `rotor operation show {}` or `rotor events watch --operation {}`.",
                accepted.operation_id,
                accepted.operation_id
            );
        }
    }
}

/// Device ids, a few per line.
fn id_list(ids: &[String]) -> String {
    let mut lines = Vec::new();
    let mut line = String::new();
    for id in ids {
        if !line.is_empty() && line.len() + id.len() + 2 > 96 {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push_str(", ");
        }
        line.push_str(id);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
        .iter()
        .map(|l| format!("  {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn operation_fields(operation: &OperationStatus) -> String {
    let status = match &operation.error {
        Some(error) if error.code != 0 => {
            format!(
                "{} ({})",
                state_name(operation.status),
                error_text(Some(error))
            )
        }
        _ => state_name(operation.status).to_string(),
    };
    fields(&[
        ("Operation", operation.id.clone()),
        (
            "Kind",
            if operation.plan {
                format!(
                    "{} (plan: nothing written or applied)",
                    kind_name(operation.kind)
                )
            } else {
                kind_name(operation.kind).to_string()
            },
        ),
        ("Fabric", operation.fabric_id.clone()),
        ("Status", status),
        ("Progress", format!("{}%", operation.percent_complete)),
        (
            "Devices",
            format!(
                "{} total, {} succeeded, {} failed",
                operation.total_devices, operation.succeeded_devices, operation.failed_devices
            ),
        ),
        ("Started", or_dash(&operation.start_time)),
        ("Ended", or_dash(&operation.end_time)),
        ("Requested by", or_dash(&operation.requested_by)),
        ("Request id", or_dash(&operation.request_id)),
    ])
}

/// The end of a waited operation: which devices were updated and why the others were not.
pub fn operation_summary(operation: &OperationStatus) -> String {
    if operation.plan {
        return plan_summary(operation);
    }
    let mut text = operation_fields(operation);
    let updated: Vec<String> = operation
        .operations
        .iter()
        .filter(|r| r.status == OperationState::Succeeded as i32)
        .map(|r| r.resource_id.clone())
        .collect();
    let not_updated: Vec<&DeviceResult> = operation
        .operations
        .iter()
        .filter(|r| r.status != OperationState::Succeeded as i32)
        .collect();
    if updated.is_empty() {
        text.push_str("\n\nUpdated: none.");
    } else {
        text.push_str(&format!("\n\nUpdated ({}):\n", updated.len()));
        text.push_str(&id_list(&updated));
    }
    if not_updated.is_empty() {
        text.push_str("\n\nNot updated: none.");
    } else {
        text.push_str(&format!("\n\nNot updated ({}):\n", not_updated.len()));
        text.push_str(&reasons_table(not_updated));
    }
    text.push_str(&skipped_section(operation));
    text
}

/// The quarantined devices an operation left out, when there are any.
fn skipped_section(operation: &OperationStatus) -> String {
    if operation.skipped_devices.is_empty() {
        return String::new();
    }
    format!(
        "\n\nSkipped, quarantined ({}; `rotor device release` includes one again):\n{}",
        operation.skipped_devices.len(),
        reasons_table(&operation.skipped_devices)
    )
}

/// The end of a plan: what the operation would do on each device.
fn plan_summary(operation: &OperationStatus) -> String {
    use rotor_proto::v1::PlanVerdict;
    let mut text = operation_fields(operation);
    let with = |verdict: PlanVerdict| -> Vec<&DeviceResult> {
        operation
            .operations
            .iter()
            .filter(|r| r.verdict == verdict as i32)
            .collect()
    };
    for (verdict, title) in [
        (PlanVerdict::WouldChange, "Would change (password only)"),
        (PlanVerdict::NoChange, "No change"),
    ] {
        let ids: Vec<String> = with(verdict)
            .iter()
            .map(|r| r.resource_id.clone())
            .collect();
        if ids.is_empty() {
            text.push_str(&format!("\n\n{title}: none."));
        } else {
            text.push_str(&format!("\n\n{title} ({}):\n", ids.len()));
            text.push_str(&id_list(&ids));
        }
    }
    for (verdict, title) in [
        (PlanVerdict::WouldRefuse, "Would refuse"),
        (PlanVerdict::Unreachable, "Unreachable"),
    ] {
        let results = with(verdict);
        if !results.is_empty() {
            text.push_str(&format!("\n\n{title} ({}):\n", results.len()));
            text.push_str(&reasons_table(results));
        }
    }
    let unfinished: Vec<&DeviceResult> = with(PlanVerdict::Unspecified);
    if !unfinished.is_empty() {
        text.push_str(&format!("\n\nNot planned ({}):\n", unfinished.len()));
        text.push_str(&reasons_table(unfinished));
    }
    text.push_str(&skipped_section(operation));
    text
}

/// Devices with why they were not updated: the error code (or the state) and the message.
fn reasons_table<'a>(results: impl IntoIterator<Item = &'a DeviceResult>) -> String {
    let mut table = Table::new(&["DEVICE", "CODE", "MESSAGE"]);
    for result in results {
        let error = result.error.clone().unwrap_or_default();
        table.row(vec![
            result.resource_id.clone(),
            if error.code == 0 {
                state_name(result.status).to_string()
            } else {
                code_name(error.code).to_string()
            },
            or_dash(&error.message),
        ]);
    }
    table.render()
}

/// Every device's result in an operation, as a table.
pub fn device_results_table(operation: &OperationStatus) -> String {
    let mut table = Table::new(&["DEVICE", "STATUS", "ERROR"]);
    for result in &operation.operations {
        table.row(vec![
            result.resource_id.clone(),
            state_name(result.status).to_string(),
            error_text(result.error.as_ref()),
        ]);
    }
    table.render()
}

/// A fabric's status as `name  value` lines.
pub fn fabric_fields(status: &FabricStatus) -> String {
    let mut pairs = vec![
        ("Fabric", status.fabric_id.clone()),
        ("State", state_name(status.state).to_string()),
        ("Last rotation", or_dash(&status.last_rotation_time)),
        ("Last operation", or_dash(&status.last_operation_id)),
        ("Total devices", status.total_devices.to_string()),
        ("Succeeded", status.succeeded_device_ids.len().to_string()),
        ("Failed", status.failed_device_ids.len().to_string()),
        (
            "Unique password sets",
            status.unique_password_set_count.to_string(),
        ),
    ];
    if status.schedule_paused {
        pairs.push((
            "Next scheduled rotation",
            "none: the schedule is paused".into(),
        ));
    } else if !status.next_scheduled_rotation.is_empty() {
        pairs.push((
            "Next scheduled rotation",
            status.next_scheduled_rotation.clone(),
        ));
    }
    if !status.failed_device_ids.is_empty() {
        pairs.push(("Failed devices", status.failed_device_ids.join(", ")));
    }
    fields(&pairs)
}

/// A device's status: fields, its secrets and the stages of its last operation.
pub fn device_text(status: &DeviceStatus) -> String {
    let last_result = match &status.last_error {
        Some(error) if error.code != 0 => format!(
            "{} ({})",
            state_name(status.last_result),
            error_text(Some(error))
        ),
        _ => state_name(status.last_result).to_string(),
    };
    let mut text = fields(&[
        ("Device", status.device_id.clone()),
        ("Fabric", status.fabric_id.clone()),
        ("Platform", or_dash(&status.platform)),
        (
            "Administrative state",
            administrative_state_name(status.administrative_state).to_string(),
        ),
        ("Last rotation", or_dash(&status.last_rotation_time)),
        ("Last operation", or_dash(&status.last_operation_id)),
        ("Last result", last_result),
        (
            "Quarantine",
            match &status.quarantine {
                Some(q) => format!("since {}: {}", q.since, q.reason),
                None if status.consecutive_failures > 0 => {
                    format!("no ({} failure(s) in a row)", status.consecutive_failures)
                }
                None => "no".into(),
            },
        ),
    ]);
    let mut secrets = Table::new(&[
        "SECRET TYPE",
        "USER",
        "SYNCHRONIZATION",
        "VERSION",
        "SECRET",
        "LAST ROTATION",
    ]);
    for secret in &status.secrets {
        let reference = secret.secret_archive_reference.clone().unwrap_or_default();
        secrets.row(vec![
            secret.secret_type.clone(),
            or_dash(&secret.username),
            sync_name(secret.synchronization_status).to_string(),
            if reference.version == 0 {
                "-".into()
            } else {
                reference.version.to_string()
            },
            if reference.path.is_empty() {
                "-".into()
            } else {
                format!("{}/{}", reference.mount, reference.path)
            },
            or_dash(&secret.last_rotation_time),
        ]);
    }
    if !secrets.is_empty() {
        text.push_str("\n\n");
        text.push_str(&secrets.render());
    }
    if !status.last_stages.is_empty() {
        let mut stages = Table::new(&["STAGE", "STATUS", "TIME", "DETAIL"]);
        for stage in &status.last_stages {
            let detail = match &stage.error {
                Some(error) if error.code != 0 => error_text(Some(error)),
                _ => or_dash(&stage.display),
            };
            stages.row(vec![
                stage_name(stage.stage).to_string(),
                stage_status_name(stage.status).to_string(),
                or_dash(&stage.time),
                detail,
            ]);
        }
        text.push_str("\n\n");
        text.push_str(&stages.render());
        for stage in &status.last_stages {
            if !stage.offending_lines.is_empty() {
                text.push_str(&format!(
                    "\n\nOffending lines ({}):",
                    stage_name(stage.stage)
                ));
                for line in &stage.offending_lines {
                    text.push_str(&format!("\n  {line}"));
                }
            }
        }
    }
    text
}

fn operations_table(operations: &[OperationStatus]) -> String {
    let mut table = Table::new(&[
        "OPERATION",
        "KIND",
        "FABRIC",
        "STATUS",
        "DEVICES",
        "ERROR",
        "STARTED",
        "ENDED",
    ]);
    for operation in operations {
        table.row(vec![
            operation.id.clone(),
            kind_name(operation.kind).to_string(),
            operation.fabric_id.clone(),
            state_name(operation.status).to_string(),
            format!(
                "{}/{} ok, {} failed",
                operation.succeeded_devices, operation.total_devices, operation.failed_devices
            ),
            operation
                .error
                .as_ref()
                .map(|e| code_name(e.code).to_string())
                .unwrap_or_else(|| "-".into()),
            or_dash(&operation.start_time),
            or_dash(&operation.end_time),
        ]);
    }
    table.render()
}

fn rotation_request(
    kind: RotationKind,
    fabric: &str,
    devices: Vec<String>,
    users: Vec<String>,
    use_stored: bool,
    request_id: Option<String>,
) -> RotationRequest {
    RotationRequest {
        request_id: request_id.unwrap_or_default(),
        kind: kind as i32,
        fabric_id: fabric.to_string(),
        device_ids: devices,
        users,
        use_stored,
        requested_by: client::requested_by(),
        ..Default::default()
    }
}

/// The request's rollout overrides; `None` when no flag was given.
fn rollout_policy(args: crate::cli::RolloutArgs) -> Option<rotor_proto::v1::RolloutPolicy> {
    let policy = rotor_proto::v1::RolloutPolicy {
        canary: args.canary.unwrap_or_default(),
        canary_devices: args.canary_devices,
        wave_size: args.wave_size.unwrap_or_default(),
        role_order: args.role_order,
        pause_secs: args.pause_secs.unwrap_or_default(),
        max_canary_failures: args.max_canary_failures.unwrap_or_default(),
        max_wave_failures: args.max_wave_failures.unwrap_or_default(),
        max_failures: args.max_failures.unwrap_or_default(),
        concurrency: args.concurrency.unwrap_or_default(),
    };
    (policy != rotor_proto::v1::RolloutPolicy::default()).then_some(policy)
}

/// Runs a `rotor fabric ...` verb.
pub async fn fabric(context: &mut Context, command: FabricCommand) -> Result<Exit, CliError> {
    match command {
        FabricCommand::RotatePassword {
            fabric,
            users,
            use_stored,
            request_id,
            rollout,
            plan,
            wait,
        } => {
            let mut request = rotation_request(
                RotationKind::FabricRotatePassword,
                &fabric,
                Vec::new(),
                users,
                use_stored,
                request_id,
            );
            request.rollout = rollout_policy(rollout);
            request.plan = plan;
            Ok(submit(context, request, wait.wait).await?.exit)
        }
        FabricCommand::ResyncPassword {
            fabric,
            devices,
            request_id,
            rollout,
            plan,
            wait,
        } => {
            let mut request = rotation_request(
                RotationKind::FabricResyncPassword,
                &fabric,
                devices,
                Vec::new(),
                false,
                request_id,
            );
            request.rollout = rollout_policy(rollout);
            request.plan = plan;
            Ok(submit(context, request, wait.wait).await?.exit)
        }
        FabricCommand::Show { fabric } => {
            let mut client = context.client().await?;
            let status = context
                .answer(client.show_fabric(ShowFabricRequest { fabric_id: fabric }))
                .await?;
            context.print(&status, fabric_fields);
            Ok(Exit::Success)
        }
    }
}

/// Runs a `rotor device ...` verb.
pub async fn device(context: &mut Context, command: DeviceCommand) -> Result<Exit, CliError> {
    match command {
        DeviceCommand::RotatePassword {
            fabric,
            device,
            user,
            request_id,
            plan,
            wait,
        } => {
            let mut request = rotation_request(
                RotationKind::DeviceRotatePassword,
                &fabric,
                vec![device],
                user.into_iter().collect(),
                false,
                request_id,
            );
            request.plan = plan;
            Ok(submit(context, request, wait.wait).await?.exit)
        }
        DeviceCommand::ResyncPassword {
            fabric,
            device,
            request_id,
            plan,
            wait,
        } => {
            let mut request = rotation_request(
                RotationKind::DeviceResyncPassword,
                &fabric,
                vec![device],
                Vec::new(),
                false,
                request_id,
            );
            request.plan = plan;
            Ok(submit(context, request, wait.wait).await?.exit)
        }
        DeviceCommand::Show { fabric, device } => {
            let mut client = context.client().await?;
            let status = context
                .answer(client.show_device(ShowDeviceRequest {
                    fabric_id: fabric,
                    device_id: device,
                }))
                .await?;
            context.print(&status, device_text);
            Ok(Exit::Success)
        }
        DeviceCommand::Release { fabric, device } => {
            let mut client = context.client().await?;
            let status = context
                .answer(client.release_device(ReleaseDeviceRequest {
                    fabric_id: fabric,
                    device_id: device,
                }))
                .await?;
            context.print(&status, |status| {
                format!(
                    "Released {}: fabric-wide operations include it again.\n\n{}",
                    status.device_id,
                    device_text(status)
                )
            });
            Ok(Exit::Success)
        }
    }
}

/// Runs a `rotor schedule ...` verb.
pub async fn schedule(context: &mut Context, command: ScheduleCommand) -> Result<Exit, CliError> {
    let mut client = context.client().await?;
    let schedule = match command {
        ScheduleCommand::Set {
            fabric,
            every,
            calendar,
            windows,
            time_zone,
            run,
            users,
        } => {
            let kind = match run {
                ScheduledRunKind::Rotate => RotationKind::FabricRotatePassword,
                ScheduledRunKind::Resync => RotationKind::FabricResyncPassword,
            };
            context
                .answer(client.set_schedule(SetScheduleRequest {
                    schedule: Some(Schedule {
                        fabric_id: fabric,
                        every: every.unwrap_or_default(),
                        calendar: calendar.unwrap_or_default(),
                        windows,
                        time_zone,
                        kind: kind as i32,
                        users,
                        ..Default::default()
                    }),
                }))
                .await?
        }
        ScheduleCommand::Show { fabric } => {
            context
                .answer(client.show_schedule(ShowScheduleRequest { fabric_id: fabric }))
                .await?
        }
        ScheduleCommand::Pause { fabric } => {
            context
                .answer(client.pause_schedule(PauseScheduleRequest { fabric_id: fabric }))
                .await?
        }
        ScheduleCommand::Resume { fabric } => {
            context
                .answer(client.resume_schedule(ResumeScheduleRequest { fabric_id: fabric }))
                .await?
        }
        ScheduleCommand::Delete { fabric } => {
            let response = context
                .answer(client.delete_schedule(DeleteScheduleRequest {
                    fabric_id: fabric.clone(),
                }))
                .await?;
            context.print(&response, |response| {
                if response.deleted {
                    format!("Deleted the schedule of {fabric}.")
                } else {
                    format!("Fabric {fabric} had no schedule.")
                }
            });
            return Ok(Exit::Success);
        }
    };
    context.print(&schedule, schedule_text);
    Ok(Exit::Success)
}

/// A schedule as `name  value` lines.
pub fn schedule_text(schedule: &Schedule) -> String {
    let next = if schedule.paused {
        format!("none: paused by {}", or_dash(&schedule.paused_by))
    } else {
        or_dash(&schedule.next_run_time)
    };
    let mut pairs = vec![
        ("Fabric", schedule.fabric_id.clone()),
        ("Runs", schedule.kind().as_str_name().to_string()),
        ("When", schedule.trigger_text()),
        (
            "Windows",
            format!("{} ({})", schedule.windows_text(), schedule.time_zone),
        ),
        (
            "Users",
            if schedule.users.is_empty() {
                "every mapped user".to_string()
            } else {
                schedule.users.join(", ")
            },
        ),
        ("Next run", next),
        ("Due", or_dash(&schedule.due_time)),
        (
            "Set by",
            format!("{} at {}", schedule.set_by, schedule.set_time),
        ),
    ];
    if let Some(run) = &schedule.last_run {
        let what = match &run.refused {
            Some(error) => format!(
                "refused ({}), retried at the next window",
                error_text(Some(error))
            ),
            None => format!("started {}", run.operation_id),
        };
        pairs.push(("Last run", format!("{} {what}", run.time)));
    }
    if schedule.missed_window_count > 0 {
        let last = schedule
            .missed_windows
            .last()
            .map(|w| format!(", last {} to {}", w.start_time, w.end_time))
            .unwrap_or_default();
        pairs.push((
            "Missed windows",
            format!("{}{last}", schedule.missed_window_count),
        ));
    }
    fields(&pairs)
}

/// Runs a `rotor operation ...` verb.
pub async fn operation(context: &mut Context, command: OperationCommand) -> Result<Exit, CliError> {
    let mut client = context.client().await?;
    match command {
        OperationCommand::Show { id } => {
            let status = context
                .answer(client.show_operation(ShowOperationRequest {
                    operation_id: id,
                    omit_devices: false,
                }))
                .await?;
            context.print(&status, |status| {
                if status.operations.is_empty() {
                    operation_fields(status)
                } else {
                    format!(
                        "{}\n\n{}",
                        operation_fields(status),
                        device_results_table(status)
                    )
                }
            });
        }
        OperationCommand::Resume { id, wait } => {
            let status = context
                .answer(client.resume_operation(ResumeOperationRequest {
                    operation_id: id.clone(),
                }))
                .await?;
            return finish_control(context, &mut client, status, wait.wait, "resumed").await;
        }
        OperationCommand::Cancel { id, wait } => {
            let status = context
                .answer(client.cancel_operation(CancelOperationRequest {
                    operation_id: id.clone(),
                }))
                .await?;
            return finish_control(context, &mut client, status, wait.wait, "cancel asked for")
                .await;
        }
        OperationCommand::List { fabric, limit } => {
            let list = context
                .answer(client.list_operations(ListOperationsRequest {
                    fabric_id: fabric.unwrap_or_default(),
                    limit,
                }))
                .await?;
            context.print(&list, |list| {
                if list.operations.is_empty() {
                    "No operations yet.".to_string()
                } else {
                    operations_table(&list.operations)
                }
            });
        }
    }
    Ok(Exit::Success)
}

/// After a resume or a cancel: the operation as it is, or with `--wait` as it ends.
async fn finish_control(
    context: &mut Context,
    client: &mut crate::client::Client,
    status: OperationStatus,
    wait: bool,
    what: &str,
) -> Result<Exit, CliError> {
    if !wait {
        if context.json() {
            crate::out!("{}", output::json(&status));
        } else {
            crate::out!(
                "Operation {} {what}: {}",
                status.id,
                state_name(status.status)
            );
        }
        return Ok(Exit::Success);
    }
    let operation = progress::wait_for_operation(&context.server, client, &status.id).await?;
    if context.json() {
        crate::out!("{}", output::json(&operation));
    } else {
        crate::out!("{}", operation_summary(&operation));
    }
    Ok(progress::operation_exit(&operation))
}

/// One event as a line for people.
pub fn event_line(event: &StageEvent) -> String {
    let detail = match &event.error {
        Some(error) if error.code != 0 => error_text(Some(error)),
        _ => event.display.clone(),
    };
    let mut line = format!(
        "{}  {}  {}  {:<27}  {:<9}  {}",
        or_dash(&event.time),
        event.operation_id,
        event.device_id,
        stage_name(event.stage),
        stage_status_name(event.status),
        detail
    );
    if event.attempt > 1 {
        line.push_str(&format!(" (attempt {})", event.attempt));
    }
    for offending in &event.offending_lines {
        line.push_str(&format!("\n    | {offending}"));
    }
    line.trim_end().to_string()
}

/// Runs a `rotor events ...` verb.
pub async fn events(context: &mut Context, command: EventsCommand) -> Result<Exit, CliError> {
    let EventsCommand::Watch {
        fabric,
        device,
        operation,
        from_start,
    } = command;
    let mut client = context.client().await?;
    let mut stream = context
        .answer(client.watch_events(WatchEventsRequest {
            fabric_id: fabric.unwrap_or_default(),
            device_id: device.unwrap_or_default(),
            operation_id: operation.unwrap_or_default(),
            from_start,
        }))
        .await?;
    let interrupted = crate::signals::interrupted();
    tokio::pin!(interrupted);
    loop {
        tokio::select! {
            _ = &mut interrupted => return Ok(Exit::Success),
            message = stream.message() => match message {
                Ok(Some(event)) => {
                    if context.json() {
                        crate::out!("{}", output::json_line(&event));
                    } else {
                        crate::out!("{}", event_line(&event));
                    }
                }
                Ok(None) => return Ok(Exit::Success),
                Err(status) => return Err(context.status(status)),
            }
        }
    }
}

fn backups_text(list: &ListBackupsResponse) -> String {
    if list.backups.is_empty() {
        return "No backups yet (one is taken after each device's rotation).".to_string();
    }
    let mut table = Table::new(&[
        "NAME",
        "DEVICE",
        "TRIGGER",
        "TIME",
        "SIZE",
        "CONFIG VERSION",
    ]);
    for backup in &list.backups {
        table.row(vec![
            backup.name.clone(),
            backup.device_id.clone(),
            or_dash(&backup.trigger),
            or_dash(&backup.time),
            backup.size.to_string(),
            or_dash(&backup.intended_config_version),
        ]);
    }
    table.render()
}

fn backup_text(backup: &GetBackupResponse) -> String {
    let info = backup.info.clone().unwrap_or_default();
    format!(
        "{}\n\n{}",
        fields(&[
            ("Backup", info.name.clone()),
            ("Fabric", info.fabric_id.clone()),
            ("Device", info.device_id.clone()),
            ("Operation", or_dash(&info.operation_id)),
            ("Trigger", or_dash(&info.trigger)),
            ("Time", or_dash(&info.time)),
            ("Size", format!("{} bytes", info.size)),
            ("SHA-256", or_dash(&info.sha256)),
            ("Config version", or_dash(&info.intended_config_version)),
        ]),
        backup.config.trim_end()
    )
}

/// Runs a `rotor backup ...` verb.
pub async fn backup(context: &mut Context, command: BackupCommand) -> Result<Exit, CliError> {
    let mut client = context.client().await?;
    match command {
        BackupCommand::List { fabric, device } => {
            let list = context
                .answer(client.list_backups(ListBackupsRequest {
                    fabric_id: fabric,
                    device_id: device.unwrap_or_default(),
                }))
                .await?;
            context.print(&list, backups_text);
        }
        BackupCommand::Show { name } => {
            let backup = context
                .answer(client.get_backup(GetBackupRequest { name }))
                .await?;
            context.print(&backup, backup_text);
        }
    }
    Ok(Exit::Success)
}

/// What an audit record says beyond its columns: the error, the identity changes of an import,
/// the operation, the devices and versions.
fn audit_detail(record: &AuditRecord) -> String {
    let mut parts = Vec::new();
    if !record.code.is_empty() {
        parts.push(format!("{}: {}", record.code, record.message));
    }
    for change in &record.identity_changes {
        parts.push(format!(
            "changes {}: {}",
            change.device_id,
            change.fields.join(", ")
        ));
    }
    if !record.operation_id.is_empty() {
        parts.push(format!("operation {}", record.operation_id));
    }
    if record.identity_changes.is_empty() && !record.device_ids.is_empty() {
        let shown: Vec<&str> = record
            .device_ids
            .iter()
            .take(5)
            .map(String::as_str)
            .collect();
        let more = record.device_ids.len().saturating_sub(5);
        parts.push(if more > 0 {
            format!("devices {} +{more}", shown.join(", "))
        } else {
            format!("devices {}", shown.join(", "))
        });
    }
    if !record.versions.is_empty() {
        let versions: Vec<String> = record
            .versions
            .iter()
            .map(|v| format!("{}@{}", v.path, v.version))
            .collect();
        parts.push(format!("versions {}", versions.join(", ")));
    }
    parts.join("; ")
}

fn audit_table(list: &ListAuditResponse) -> String {
    if list.records.is_empty() {
        return "No audit records match.".to_string();
    }
    let mut table = Table::new(&[
        "TIME", "IDENTITY", "PEER", "CHANNEL", "VERB", "FABRIC", "OUTCOME", "DETAIL",
    ]);
    for record in &list.records {
        table.row(vec![
            record.time.clone(),
            or_dash(&record.identity),
            or_dash(&record.peer),
            record.channel.clone(),
            record.verb.clone(),
            or_dash(&record.fabric_id),
            record.outcome.clone(),
            audit_detail(record),
        ]);
    }
    table.render()
}

/// Runs `rotor audit`.
pub async fn audit(context: &mut Context, arguments: AuditArgs) -> Result<Exit, CliError> {
    let mut client = context.client().await?;
    let list = context
        .answer(
            client.list_audit(ListAuditRequest {
                fabric_id: arguments.fabric.unwrap_or_default(),
                identity: arguments.identity.unwrap_or_default(),
                verb: arguments.verb.unwrap_or_default(),
                outcome: arguments
                    .outcome
                    .map(|o| o.as_str().to_string())
                    .unwrap_or_default(),
                since: arguments.since.unwrap_or_default(),
                limit: arguments.limit,
            }),
        )
        .await?;
    if arguments.json {
        context.format = OutputFormat::Json;
    }
    context.print(&list, audit_table);
    Ok(Exit::Success)
}

/// Reads an inventory and its intended configurations; a problem names the file and location.
pub fn load_inventory(file: &Path) -> Result<ImportInventoryRequest, CliError> {
    let import = rotor_inventory::FabricImport::load(file)
        .map_err(|e| CliError::rejected(format!("the inventory cannot be imported: {e}")))?;
    Ok(ImportInventoryRequest {
        inventory_yaml: import.inventory.to_yaml(),
        intended_configs: import.intended_configs.into_iter().collect(),
    })
}

/// Runs a `rotor inventory ...` verb.
pub async fn inventory(context: &mut Context, command: InventoryCommand) -> Result<Exit, CliError> {
    match command {
        InventoryCommand::Import { file } => {
            let request = load_inventory(&file)?;
            let mut client = context.client().await?;
            let response = context.answer(client.import_inventory(request)).await?;
            context.print(&response, |response| {
                format!(
                    "Imported fabric {}: {} devices, {} intended configurations changed.",
                    response.fabric_id, response.device_count, response.intended_configs_changed
                )
            });
        }
        InventoryCommand::Show { fabric } => {
            let mut client = context.client().await?;
            let response = context
                .answer(client.show_inventory(ShowInventoryRequest { fabric_id: fabric }))
                .await?;
            context.print(&response, |response| {
                response.inventory_yaml.trim_end().to_string()
            });
        }
    }
    Ok(Exit::Success)
}

fn lock_fields(lock: &FabricLock) -> String {
    let mut pairs = vec![
        ("Fabric", lock.fabric_id.clone()),
        ("Holder", lock.holder.clone()),
        ("Purpose", or_dash(&lock.purpose)),
        ("Expires", or_dash(&lock.expires_time)),
    ];
    if !lock.lease_id.is_empty() {
        pairs.push(("Lease id", lock.lease_id.clone()));
    }
    fields(&pairs)
}

/// Runs a `rotor lock ...` verb.
pub async fn lock(context: &mut Context, command: LockCommand) -> Result<Exit, CliError> {
    let mut client = context.client().await?;
    match command {
        LockCommand::Acquire {
            fabric,
            purpose,
            lease_seconds,
        } => {
            let lock = context
                .answer(client.acquire_fabric_lock(AcquireFabricLockRequest {
                    fabric_id: fabric,
                    // The server records the caller's identity as the holder.
                    holder: String::new(),
                    purpose,
                    lease_seconds,
                }))
                .await?;
            context.print(&lock, |lock| {
                format!(
                    "{}\n\nRelease it with `rotor lock release --fabric {} --lease-id {}`.",
                    lock_fields(lock),
                    lock.fabric_id,
                    lock.lease_id
                )
            });
        }
        LockCommand::Renew {
            fabric,
            lease_id,
            lease_seconds,
        } => {
            let lock = context
                .answer(client.renew_fabric_lock(RenewFabricLockRequest {
                    fabric_id: fabric,
                    lease_id,
                    lease_seconds,
                }))
                .await?;
            context.print(&lock, lock_fields);
        }
        LockCommand::Release { fabric, lease_id } => {
            let response = context
                .answer(client.release_fabric_lock(ReleaseFabricLockRequest {
                    fabric_id: fabric.clone(),
                    lease_id,
                }))
                .await?;
            context.print(&response, |_| {
                format!("Released the lock of fabric {fabric}.")
            });
        }
        LockCommand::Show { fabric } => {
            let response = context
                .answer(client.show_fabric_lock(ShowFabricLockRequest {
                    fabric_id: fabric.clone(),
                }))
                .await?;
            if context.json() {
                crate::out!("{}", output::json(&response));
            } else {
                match &response.lock {
                    Some(lock) => crate::out!("{}", lock_fields(lock)),
                    None => crate::out!("Fabric {fabric} is not locked."),
                }
            }
        }
    }
    Ok(Exit::Success)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The text docs/rollout.md ("Schedules") shows, and a refused last run with missed windows.
    #[test]
    fn a_schedule_reads_as_the_docs_show_it() {
        let mut schedule = Schedule {
            fabric_id: "fab1".into(),
            every: "90d".into(),
            windows: vec!["sat,sun 02:00-06:00".into()],
            time_zone: "Europe/Paris".into(),
            kind: RotationKind::FabricRotatePassword as i32,
            set_by: "alice".into(),
            set_time: "2026-12-04T09:00:00.000Z".into(),
            next_run_time: "2027-03-06T01:00:00.000Z".into(),
            due_time: "2027-03-04T09:00:00.000Z".into(),
            ..Default::default()
        };
        let docs = include_str!("../../../docs/rollout.md");
        let text = schedule_text(&schedule);
        assert!(docs.contains(&text), "docs/rollout.md lacks:\n{text}");

        schedule.last_run = Some(rotor_proto::v1::ScheduledRun {
            time: "2027-03-06T01:00:10.000Z".into(),
            refused: Some(rotor_proto::v1::Error {
                code: rotor_proto::v1::ErrorCode::OperationNotAllowed as i32,
                message: "fabric fab1 is locked by upgrade".into(),
            }),
            ..Default::default()
        });
        schedule.missed_window_count = 2;
        schedule.missed_windows = vec![rotor_proto::v1::ScheduleWindow {
            start_time: "2027-03-07T01:00:00.000Z".into(),
            end_time: "2027-03-07T05:00:00.000Z".into(),
        }];
        schedule.paused = true;
        schedule.paused_by = "bob".into();
        let text = schedule_text(&schedule);
        assert!(
            text.contains("Next run        none: paused by bob"),
            "{text}"
        );
        assert!(
            text.contains("Last run        2027-03-06T01:00:10.000Z refused (OperationNotAllowed: fabric fab1 is locked by upgrade), retried at the next window"),
            "{text}"
        );
        assert!(
            text.contains(
                "Missed windows  2, last 2027-03-07T01:00:00.000Z to 2027-03-07T05:00:00.000Z"
            ),
            "{text}"
        );
    }

    #[test]
    fn a_summary_says_none_for_an_empty_list() {
        let result = |id: &str, state: OperationState| DeviceResult {
            resource_id: id.into(),
            status: state as i32,
            ..Default::default()
        };
        let failed = OperationStatus {
            operations: vec![result("leaf-01", OperationState::Failed)],
            ..Default::default()
        };
        let text = operation_summary(&failed);
        assert!(
            text.contains("\n\nUpdated: none.\n\nNot updated (1):"),
            "{text}"
        );
        let succeeded = OperationStatus {
            operations: vec![result("leaf-01", OperationState::Succeeded)],
            ..Default::default()
        };
        let text = operation_summary(&succeeded);
        assert!(text.contains("\n\nUpdated (1):\n"), "{text}");
        assert!(text.contains("leaf-01"), "{text}");
        assert!(text.ends_with("Not updated: none."), "{text}");
    }

    #[test]
    fn a_plans_summary_groups_the_devices_by_verdict() {
        use rotor_proto::v1::{Error, ErrorCode, PlanVerdict};
        let result = |id: &str, verdict: PlanVerdict, code: ErrorCode| DeviceResult {
            resource_id: id.into(),
            verdict: verdict as i32,
            error: (code != ErrorCode::Unspecified).then(|| Error {
                code: code as i32,
                message: format!("{id} says why"),
            }),
            ..Default::default()
        };
        let plan = OperationStatus {
            plan: true,
            kind: RotationKind::FabricRotatePassword as i32,
            operations: vec![
                result("leaf-01", PlanVerdict::WouldChange, ErrorCode::Unspecified),
                result(
                    "leaf-02",
                    PlanVerdict::WouldRefuse,
                    ErrorCode::DiffValidationError,
                ),
                result(
                    "leaf-03",
                    PlanVerdict::Unreachable,
                    ErrorCode::CouldNotConnect,
                ),
            ],
            ..Default::default()
        };
        let text = operation_summary(&plan);
        assert!(
            text.contains("(plan: nothing written or applied)"),
            "{text}"
        );
        assert!(
            text.contains("Would change (password only) (1):\n  leaf-01"),
            "{text}"
        );
        assert!(text.contains("No change: none."), "{text}");
        let refuse = text.find("Would refuse (1):").expect(&text);
        let unreachable = text.find("Unreachable (1):").expect(&text);
        assert!(
            text[refuse..unreachable].contains("DiffValidationError"),
            "{text}"
        );
        assert!(text[unreachable..].contains("CouldNotConnect"), "{text}");
        assert!(!text.contains("Updated"), "{text}");
    }
}
