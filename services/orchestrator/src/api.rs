//! The gRPC `RotationService`, with server reflection so `grpcurl` and generated clients in any
//! language work from `proto/` alone.

use std::collections::HashMap;

use futures::StreamExt;
use rotor_auth::Role;
use rotor_bus::lease::{self, Acquired, now_unix_ms};
use rotor_bus::names::{self, filters, keys};
use rotor_bus::{BusError, kv};
use rotor_inventory::{Inventory, check_name};
use rotor_pipeline::fabric_view;
use rotor_pipeline::records::{load_device, load_devices, load_fabric};
use rotor_proto::v1::rotation_service_server::{RotationService, RotationServiceServer};
use rotor_proto::v1::*;
use rotor_runtime::CancellationToken;
use tokio::io::AsyncReadExt;
use tonic::{Request, Response, Status};

use crate::Orchestrator;
use crate::audit::AuditSlot;
use crate::requests::{Method, lock_holder_text, rejected};
use crate::strict::RefusedFields;
use rotor_bus::format_unix_ms;

/// Serves the API on `listener` until `shutdown` is cancelled.
pub async fn serve(
    orchestrator: Orchestrator,
    listener: tokio::net::TcpListener,
    shutdown: CancellationToken,
) -> Result<(), rotor_pipeline::StartError> {
    // Reflection in both versions: v1, and v1alpha for older grpcurl and grpcio clients.
    let reflection = || {
        tonic_reflection::server::Builder::configure()
            .register_encoded_file_descriptor_set(rotor_proto::FILE_DESCRIPTOR_SET)
    };
    let reflection_problem = |e| rotor_pipeline::StartError::Other(format!("reflection: {e}"));
    let reflection_v1 = reflection().build_v1().map_err(reflection_problem)?;
    let reflection_v1alpha = reflection().build_v1alpha().map_err(reflection_problem)?;
    let limits = orchestrator.config.limits.clone();
    let request_limit = orchestrator.config.max_request_bytes;
    let authenticate = crate::auth::Authenticate::new(&orchestrator.config.auth, &limits);
    let audit = crate::audit::AuditCalls::new(
        orchestrator.audit.clone(),
        orchestrator.config.limits.grpc_max_message_bytes,
    );
    let tls = orchestrator.config.grpc_tls.clone();
    let service = RotationServiceServer::new(Api {
        orchestrator,
        shutdown: shutdown.clone(),
    })
    .max_decoding_message_size(limits.grpc_max_message_bytes)
    .max_encoding_message_size(limits.grpc_max_message_bytes);
    // Every method authenticates first; reflection (the schema only) does not.
    let service = tonic::service::interceptor::InterceptedService::new(service, authenticate);
    let mut builder = tonic::transport::Server::builder();
    if let Some(tls) = &tls {
        let identity = tonic::transport::Identity::from_pem(&tls.cert_pem, &tls.key_pem);
        builder = builder
            .tls_config(tonic::transport::ServerTlsConfig::new().identity(identity))
            .map_err(|e| rotor_pipeline::StartError::Other(format!("gRPC TLS: {e}")))?;
    }
    builder
        .layer(audit)
        .layer(crate::strict::StrictRequests::new(request_limit))
        .add_service(reflection_v1)
        .add_service(reflection_v1alpha)
        .add_service(service)
        .serve_with_incoming_shutdown(
            tokio_stream::wrappers::TcpListenerStream::new(listener),
            shutdown.cancelled_owned(),
        )
        .await
        .map_err(|e| rotor_pipeline::StartError::Other(format!("gRPC server: {e}")))
}

/// The service implementation.
#[derive(Debug)]
pub struct Api {
    /// What the request handlers share.
    pub orchestrator: Orchestrator,
    /// Ends open event streams at shutdown, so the server's graceful stop does not wait on them.
    pub shutdown: CancellationToken,
}

fn internal(error: BusError) -> Status {
    Status::internal(error.to_string())
}

fn checked(field: &str, name: &str) -> Result<(), Status> {
    check_name(name).map_err(|problem| Status::invalid_argument(format!("{field} {problem}")))
}

fn lock_message(fabric_id: &str, lock: &lease::Lease) -> FabricLock {
    FabricLock {
        fabric_id: fabric_id.to_string(),
        holder: lock.holder.clone(),
        purpose: lock.purpose.clone(),
        lease_id: lock.lease_id.clone(),
        expires_time: format_unix_ms(lock.expires_unix_ms),
    }
}

/// Records an import's identity changes in its call's audit record.
fn note_changes<T>(request: &Request<T>, changes: &[IdentityChange]) {
    crate::audit::note(request, |record| set_changes(record, changes));
}

fn set_changes(record: &mut AuditRecord, changes: &[IdentityChange]) {
    record.identity_changes = changes.to_vec();
    record.device_ids = changes.iter().map(|c| c.device_id.clone()).collect();
}

/// A device's status as the API shows it: the stored one (default before any operation) with
/// what the inventory says of the device.
fn device_status(
    record: &rotor_pipeline::records::DeviceRecord,
    mut status: DeviceStatus,
) -> DeviceStatus {
    status.device_id = record.device.id.clone();
    status.fabric_id = record.fabric_id.clone();
    status.platform = record.device.platform.to_string();
    status.administrative_state = match record.device.administrative_state {
        rotor_inventory::AdministrativeState::Enabled => AdministrativeState::Enabled,
        rotor_inventory::AdministrativeState::Disabled => AdministrativeState::Disabled,
        rotor_inventory::AdministrativeState::UnderMaintenance => {
            AdministrativeState::UnderMaintenance
        }
        rotor_inventory::AdministrativeState::RMA => AdministrativeState::Rma,
    } as i32;
    status
}

use crate::watch::EventStream;

impl Api {
    /// The caller's subject, if the policy grants it `role` on `fabric` (see
    /// [`crate::auth::authorize`]).
    fn allow<T>(
        &self,
        request: &Request<T>,
        fabric: Option<&str>,
        role: Role,
        what: &str,
    ) -> Result<String, Status> {
        crate::auth::authorize(
            &self.orchestrator.config.auth.policy(),
            request,
            fabric,
            role,
            what,
        )
    }

    /// For a call that changes how operation `operation_id` runs: notes it in the call's audit
    /// record, checks the id, finds the operation's fabric and requires the operator role on
    /// it; the caller.
    async fn operator_of<T>(
        &self,
        request: &Request<T>,
        operation_id: &str,
        what: &str,
    ) -> Result<String, Status> {
        crate::audit::note(request, |record| {
            record.operation_id = operation_id.to_string();
        });
        checked("operationId", operation_id)?;
        let fabric = crate::dispatch::fabric_of(&self.orchestrator, operation_id)
            .await
            .map_err(refusal)?;
        self.allow(request, Some(&fabric), Role::Operator, what)
    }

    /// `PauseSchedule` (`pause`) or `ResumeSchedule`: an operator of the fabric changes it.
    async fn pause_or_resume<T>(
        &self,
        request: &Request<T>,
        fabric_id: String,
        pause: bool,
    ) -> Result<Response<Schedule>, Status> {
        let what = if pause {
            "pause the fabric's schedule"
        } else {
            "resume the fabric's schedule"
        };
        let by = self.allow(request, Some(&fabric_id), Role::Operator, what)?;
        checked("fabricId", &fabric_id)?;
        Ok(Response::new(
            crate::schedule::set_paused(&self.orchestrator, &fabric_id, pause, &by)
                .await
                .map_err(refusal)?,
        ))
    }

    /// A rotation request from an operator of its fabric, as the caller's identity asks it.
    async fn submit(
        &self,
        request: Request<RotationRequest>,
        method: Method,
        what: &str,
    ) -> Result<Response<RotationReply>, Status> {
        let subject = self.allow(
            &request,
            Some(&request.get_ref().fabric_id),
            Role::Operator,
            what,
        )?;
        if let Some(refused) = request.extensions().get::<RefusedFields>() {
            let reply = rejected(ErrorCode::InvalidRequest, refused.0.clone());
            let slot = request.extensions().get::<AuditSlot>();
            crate::audit::note_reply(&self.orchestrator, slot, &reply).await;
            return Ok(Response::new(reply));
        }
        let slot = request.extensions().get::<AuditSlot>().cloned();
        if let Some(slot) = &slot {
            slot.update(|record| crate::audit::request_fields(record, request.get_ref()));
        }
        let mut request = request.into_inner();
        // Who asked is who the token says, never what the request says.
        request.requested_by = subject;
        let reply = self.orchestrator.submit(request, method).await;
        crate::audit::note_reply(&self.orchestrator, slot.as_ref(), &reply).await;
        Ok(Response::new(reply))
    }

    /// A fabric's status: as the aggregator stored it, or derived the same way it would when
    /// it has not written it yet.
    async fn fabric_status(
        &self,
        record: &rotor_pipeline::records::FabricRecord,
    ) -> Result<FabricStatus, Status> {
        let mut status = self.stored_fabric_status(record).await?;
        if let Some(schedule) = crate::schedule::load(&self.orchestrator, &record.fabric.id)
            .await
            .map_err(internal)?
        {
            let now_ms = self.orchestrator.config.schedule.clock.now_ms();
            status.schedule_paused = schedule.paused;
            status.next_scheduled_rotation = crate::schedule::next_run(&schedule, now_ms)
                .map_or_else(String::new, format_unix_ms);
        }
        Ok(status)
    }

    /// The fabric's status as the aggregator stored it (or derived from its devices' statuses).
    async fn stored_fabric_status(
        &self,
        record: &rotor_pipeline::records::FabricRecord,
    ) -> Result<FabricStatus, Status> {
        let fabric_id = &record.fabric.id;
        let topology = &self.orchestrator.topology;
        let stored =
            kv::get_message::<FabricStatus>(&topology.fabric_status, &keys::fabric(fabric_id))
                .await
                .map_err(internal)?;
        if let Some(status) = stored {
            return Ok(status.value);
        }
        let statuses: HashMap<String, DeviceStatus> = kv::scan_messages::<DeviceStatus>(
            &topology.device_status,
            &filters::devices_of(fabric_id),
        )
        .await
        .map_err(internal)?
        .into_iter()
        .map(|(_, s)| (s.device_id.clone(), s))
        .collect();
        Ok(fabric_view::fabric_status(
            fabric_id,
            &record.device_ids,
            &statuses,
            None,
        ))
    }

    /// A device's status as `ShowDevice` answers it.
    async fn device_view(&self, fabric_id: &str, device_id: &str) -> Result<DeviceStatus, Status> {
        self.fabric_exists(fabric_id).await?;
        checked("deviceId", device_id)?;
        let topology = &self.orchestrator.topology;
        let record = load_device(topology, fabric_id, device_id)
            .await
            .map_err(internal)?
            .ok_or_else(|| {
                Status::not_found(format!("device {device_id} is not in fabric {fabric_id}"))
            })?;
        let stored = kv::get_message::<DeviceStatus>(
            &topology.device_status,
            &keys::device(fabric_id, device_id),
        )
        .await
        .map_err(internal)?
        .map(|v| v.value)
        .unwrap_or_default();
        let mut status = device_status(&record, stored);
        let quarantine = rotor_pipeline::quarantine::load(topology, fabric_id, device_id)
            .await
            .map_err(internal)?;
        crate::quarantine::set_quarantine(&mut status, quarantine.as_ref());
        Ok(status)
    }

    async fn fabric_exists(
        &self,
        fabric_id: &str,
    ) -> Result<rotor_pipeline::records::FabricRecord, Status> {
        checked("fabricId", fabric_id)?;
        load_fabric(&self.orchestrator.topology, fabric_id)
            .await
            .map_err(internal)?
            .ok_or_else(|| Status::not_found(format!("fabric {fabric_id} is not in the inventory; import it with `rotor inventory import`")))
    }
}

#[tonic::async_trait]
impl RotationService for Api {
    async fn rotate(
        &self,
        request: Request<RotationRequest>,
    ) -> Result<Response<RotationReply>, Status> {
        self.submit(request, Method::Rotate, "rotate passwords")
            .await
    }

    async fn resync(
        &self,
        request: Request<RotationRequest>,
    ) -> Result<Response<RotationReply>, Status> {
        self.submit(request, Method::Resync, "resync passwords")
            .await
    }

    async fn show_fabric(
        &self,
        request: Request<ShowFabricRequest>,
    ) -> Result<Response<FabricStatus>, Status> {
        self.allow(
            &request,
            Some(&request.get_ref().fabric_id),
            Role::Viewer,
            "show the fabric",
        )?;
        let fabric_id = request.into_inner().fabric_id;
        let record = self.fabric_exists(&fabric_id).await?;
        Ok(Response::new(self.fabric_status(&record).await?))
    }

    async fn list_fabrics(
        &self,
        request: Request<ListFabricsRequest>,
    ) -> Result<Response<ListFabricsResponse>, Status> {
        // Every fabric the caller may view: the role is checked per fabric, so a caller with
        // none sees an empty list rather than a refusal.
        let identity = request
            .extensions()
            .get::<rotor_auth::Identity>()
            .cloned()
            .ok_or_else(|| Status::unauthenticated("the call carries no identity"))?;
        crate::audit::note(&request, |record| {
            record.role = Role::Viewer.as_str().to_string();
        });
        let policy = self.orchestrator.config.auth.policy();
        let mut records: Vec<rotor_pipeline::records::FabricRecord> =
            kv::scan_json(&self.orchestrator.topology.inventory, &filters::fabrics())
                .await
                .map_err(internal)?
                .into_iter()
                .map(|(_, record)| record)
                .filter(|record: &rotor_pipeline::records::FabricRecord| {
                    policy.allows(&identity.subject, Some(&record.fabric.id), Role::Viewer)
                })
                .collect();
        records.sort_by(|a, b| a.fabric.id.cmp(&b.fabric.id));
        let mut fabrics = Vec::with_capacity(records.len());
        for record in &records {
            fabrics.push(self.fabric_status(record).await?);
        }
        Ok(Response::new(ListFabricsResponse { fabrics }))
    }

    async fn list_devices(
        &self,
        request: Request<ListDevicesRequest>,
    ) -> Result<Response<ListDevicesResponse>, Status> {
        self.allow(
            &request,
            Some(&request.get_ref().fabric_id),
            Role::Viewer,
            "list the devices",
        )?;
        let fabric_id = request.into_inner().fabric_id;
        let record = self.fabric_exists(&fabric_id).await?;
        let topology = &self.orchestrator.topology;
        let devices = load_devices(topology, &record).await.map_err(internal)?;
        let quarantined = rotor_pipeline::quarantine::load_all(topology, &fabric_id)
            .await
            .map_err(internal)?;
        let mut statuses: HashMap<String, DeviceStatus> = kv::scan_messages::<DeviceStatus>(
            &topology.device_status,
            &filters::devices_of(&fabric_id),
        )
        .await
        .map_err(internal)?
        .into_iter()
        .map(|(_, s)| (s.device_id.clone(), s))
        .collect();
        let devices = devices
            .into_iter()
            .map(|device| {
                let mut stored = statuses.remove(&device.device.id).unwrap_or_default();
                crate::quarantine::set_quarantine(&mut stored, quarantined.get(&device.device.id));
                DeviceSummary {
                    role: format!("{:?}", device.device.role),
                    usernames: device
                        .device
                        .password_mappings
                        .iter()
                        .map(|m| m.username.clone())
                        .collect(),
                    login_user: device.device.login_user.clone(),
                    status: Some(device_status(&device, stored)),
                }
            })
            .collect();
        Ok(Response::new(ListDevicesResponse { devices }))
    }

    async fn show_device(
        &self,
        request: Request<ShowDeviceRequest>,
    ) -> Result<Response<DeviceStatus>, Status> {
        self.allow(
            &request,
            Some(&request.get_ref().fabric_id),
            Role::Viewer,
            "show a device",
        )?;
        let request = request.into_inner();
        let status = self
            .device_view(&request.fabric_id, &request.device_id)
            .await?;
        Ok(Response::new(status))
    }

    async fn release_device(
        &self,
        request: Request<ReleaseDeviceRequest>,
    ) -> Result<Response<DeviceStatus>, Status> {
        let (fabric_id, device_id) = (
            request.get_ref().fabric_id.clone(),
            request.get_ref().device_id.clone(),
        );
        crate::audit::note(&request, |record| {
            record.device_ids = vec![device_id.clone()];
        });
        self.allow(
            &request,
            Some(&fabric_id),
            Role::Operator,
            "release a device",
        )?;
        self.fabric_exists(&fabric_id).await?;
        checked("deviceId", &device_id)?;
        let released = crate::quarantine::release(&self.orchestrator, &fabric_id, &device_id)
            .await
            .map_err(refusal)?;
        crate::audit::note(&request, |record| {
            record.message = match &released {
                Some(was) => format!("released from quarantine: {}", was.reason()),
                None => "was not quarantined".into(),
            };
        });
        Ok(Response::new(
            self.device_view(&fabric_id, &device_id).await?,
        ))
    }

    async fn show_operation(
        &self,
        request: Request<ShowOperationRequest>,
    ) -> Result<Response<OperationStatus>, Status> {
        let asked = request;
        let request = asked.get_ref().clone();
        crate::audit::note(&asked, |record| {
            record.operation_id = request.operation_id.clone();
        });
        if request.operation_id.is_empty() || request.operation_id.contains(['.', '*', '>', ' ']) {
            return Err(Status::invalid_argument(format!(
                "{:?} is not an operation id",
                request.operation_id
            )));
        }
        let topology = &self.orchestrator.topology;
        let mut status = kv::get_message::<OperationStatus>(
            &topology.operations,
            &keys::operation(&request.operation_id),
        )
        .await
        .map_err(internal)?
        .ok_or_else(|| {
            Status::not_found(format!("operation {} does not exist", request.operation_id))
        })?
        .value;
        self.allow(
            &asked,
            Some(&status.fabric_id),
            Role::Viewer,
            "show an operation",
        )?;
        let plan = rotor_pipeline::records::load_plan(&topology.operations, &request.operation_id)
            .await
            .map_err(internal)?;
        let record = crate::dispatch::load_record(&self.orchestrator, &request.operation_id)
            .await
            .map_err(internal)?
            .map(|r| r.value);
        if let (Some(plan), Some(record)) = (&plan, &record) {
            status.rollout = Some(crate::dispatch::progress(plan, record, &status));
        }
        if !request.omit_devices {
            let mut results: Vec<DeviceResult> = kv::scan_messages::<DeviceResult>(
                &topology.operation_results,
                &filters::results_of(&request.operation_id),
            )
            .await
            .map_err(internal)?
            .into_iter()
            .map(|(_, r)| r)
            .collect();
            // Devices not finished yet show as in progress, those not released yet as accepted.
            if let Some(plan) = &plan {
                let done: std::collections::HashSet<String> =
                    results.iter().map(|r| r.resource_id.clone()).collect();
                let released: std::collections::HashSet<String> = match &record {
                    Some(record) => crate::dispatch::released_devices(plan, record)
                        .into_iter()
                        .collect(),
                    None => plan.device_ids.iter().cloned().collect(),
                };
                for device in plan.device_ids.iter().filter(|d| !done.contains(*d)) {
                    let state = if released.contains(device) {
                        OperationState::InProgress
                    } else {
                        OperationState::Accepted
                    };
                    results.push(DeviceResult {
                        resource_id: device.clone(),
                        status: state as i32,
                        ..Default::default()
                    });
                }
            }
            results.sort_by(|a, b| a.resource_id.cmp(&b.resource_id));
            status.operations = results;
        }
        Ok(Response::new(status))
    }

    async fn resume_operation(
        &self,
        request: Request<ResumeOperationRequest>,
    ) -> Result<Response<OperationStatus>, Status> {
        let operation_id = request.get_ref().operation_id.clone();
        self.operator_of(&request, &operation_id, "resume an operation")
            .await?;
        let status = crate::dispatch::resume(&self.orchestrator, &operation_id)
            .await
            .map_err(refusal)?;
        Ok(Response::new(status))
    }

    async fn cancel_operation(
        &self,
        request: Request<CancelOperationRequest>,
    ) -> Result<Response<OperationStatus>, Status> {
        let operation_id = request.get_ref().operation_id.clone();
        let caller = self
            .operator_of(&request, &operation_id, "cancel an operation")
            .await?;
        let status = crate::dispatch::cancel(&self.orchestrator, &operation_id, &caller)
            .await
            .map_err(refusal)?;
        Ok(Response::new(status))
    }

    async fn list_operations(
        &self,
        request: Request<ListOperationsRequest>,
    ) -> Result<Response<ListOperationsResponse>, Status> {
        let fabric = Some(request.get_ref().fabric_id.as_str()).filter(|f| !f.is_empty());
        self.allow(&request, fabric, Role::Viewer, "list operations")?;
        let request = request.into_inner();
        if !request.fabric_id.is_empty() {
            checked("fabricId", &request.fabric_id)?;
        }
        let limit = if request.limit == 0 {
            50
        } else {
            request.limit as usize
        };
        let mut operations: Vec<OperationStatus> = kv::scan_messages::<OperationStatus>(
            &self.orchestrator.topology.operations,
            &filters::operations(),
        )
        .await
        .map_err(internal)?
        .into_iter()
        .map(|(_, op)| op)
        .filter(|op| request.fabric_id.is_empty() || op.fabric_id == request.fabric_id)
        .collect();
        operations.sort_by(|a, b| b.start_time.cmp(&a.start_time).then(b.id.cmp(&a.id)));
        operations.truncate(limit);
        Ok(Response::new(ListOperationsResponse { operations }))
    }

    type WatchEventsStream = EventStream;

    async fn watch_events(
        &self,
        request: Request<WatchEventsRequest>,
    ) -> Result<Response<Self::WatchEventsStream>, Status> {
        let fabric = Some(request.get_ref().fabric_id.as_str()).filter(|f| !f.is_empty());
        let subject = self.allow(&request, fabric, Role::Viewer, "watch events")?;
        // Held by the stream: given back when it ends or the caller goes away.
        let slot = self.orchestrator.watch_streams.open(
            &subject,
            self.orchestrator.config.limits.watch_streams_per_caller,
        )?;
        let request = request.into_inner();
        if !request.fabric_id.is_empty() {
            checked("fabricId", &request.fabric_id)?;
        }
        if !request.device_id.is_empty() {
            checked("deviceId", &request.device_id)?;
        }
        let selection = crate::watch::Selection {
            fabric_id: request.fabric_id,
            device_id: request.device_id,
            operation_id: request.operation_id,
        };
        let stream = self
            .orchestrator
            .live_events
            .watch(&self.orchestrator.bus, selection, request.from_start)
            .await?;
        let stream: EventStream = Box::pin(
            stream
                .take_until(self.shutdown.clone().cancelled_owned())
                .map(move |event| {
                    let _held = &slot;
                    event
                }),
        );
        Ok(Response::new(stream))
    }

    async fn import_inventory(
        &self,
        request: Request<ImportInventoryRequest>,
    ) -> Result<Response<ImportInventoryResponse>, Status> {
        // The fabric an inventory is for is in the document: parsed once, here (a document that
        // does not parse says so to any authenticated caller: it is the caller's own).
        let import = {
            let request = request.get_ref();
            let configs = request.intended_configs.clone().into_iter().collect();
            crate::import::parse_import(&request.inventory_yaml, configs)?
        };
        let fabric_id = import.inventory.fabric.id.clone();
        // What it would change of known devices' identities, for the audit, refused or not.
        // Not for the refusal: it would tell a caller without the role what is stored.
        let would_change = match self.orchestrator.stored_devices(&fabric_id).await {
            Ok(stored) => crate::import::identity_changes(&stored, &import),
            Err(_) => Vec::new(),
        };
        note_changes(&request, &would_change);
        self.allow(
            &request,
            Some(&fabric_id),
            crate::import::IMPORT_ROLE,
            "import an inventory",
        )?;
        let slot = request.extensions().get::<AuditSlot>().cloned();
        let (response, changed) = self.orchestrator.import_inventory(&import).await?;
        if let Some(slot) = slot {
            slot.update(|record| set_changes(record, &changed));
        }
        Ok(Response::new(response))
    }

    async fn show_inventory(
        &self,
        request: Request<ShowInventoryRequest>,
    ) -> Result<Response<ShowInventoryResponse>, Status> {
        self.allow(
            &request,
            Some(&request.get_ref().fabric_id),
            Role::Viewer,
            "show the inventory",
        )?;
        let fabric_id = request.into_inner().fabric_id;
        let record = self.fabric_exists(&fabric_id).await?;
        let devices = load_devices(&self.orchestrator.topology, &record)
            .await
            .map_err(internal)?;
        let inventory = Inventory {
            api_version: rotor_inventory::API_VERSION.into(),
            kind: rotor_inventory::KIND.into(),
            fabric: record.fabric,
            devices: devices.into_iter().map(|d| d.device).collect(),
        };
        Ok(Response::new(ShowInventoryResponse {
            inventory_yaml: inventory.to_yaml(),
        }))
    }

    async fn list_backups(
        &self,
        request: Request<ListBackupsRequest>,
    ) -> Result<Response<ListBackupsResponse>, Status> {
        self.allow(
            &request,
            Some(&request.get_ref().fabric_id),
            Role::Viewer,
            "list backups",
        )?;
        let request = request.into_inner();
        self.fabric_exists(&request.fabric_id).await?;
        let device = Some(request.device_id.as_str()).filter(|d| !d.is_empty());
        if let Some(device) = device {
            checked("deviceId", device)?;
        }
        let filter = filters::backups_of(&request.fabric_id, device);
        let mut backups: Vec<BackupInfo> =
            kv::scan_messages::<BackupInfo>(&self.orchestrator.topology.backup_index, &filter)
                .await
                .map_err(internal)?
                .into_iter()
                .map(|(_, b)| b)
                .collect();
        backups.sort_by(|a, b| b.time.cmp(&a.time).then(a.name.cmp(&b.name)));
        Ok(Response::new(ListBackupsResponse { backups }))
    }

    async fn get_backup(
        &self,
        request: Request<GetBackupRequest>,
    ) -> Result<Response<GetBackupResponse>, Status> {
        let name = request.get_ref().name.clone();
        let Some((fabric, device, operation)) = names::parse_backup_object_name(&name) else {
            return Err(Status::invalid_argument(format!(
                "{name:?} is not a backup name (<fabric>/<device>/<operation>)"
            )));
        };
        crate::audit::note(&request, |record| {
            record.device_ids = vec![device.to_string()];
            record.operation_id = operation.to_string();
        });
        self.allow(&request, Some(fabric), Role::Viewer, "read a backup")?;
        let topology = &self.orchestrator.topology;
        let info = kv::get_message::<BackupInfo>(
            &topology.backup_index,
            &keys::backup(fabric, device, operation),
        )
        .await
        .map_err(internal)?
        .ok_or_else(|| Status::not_found(format!("backup {name} does not exist")))?
        .value;
        let mut object = topology
            .backups
            .get(&name)
            .await
            .map_err(|e| Status::not_found(format!("backup {name}: {e}")))?;
        let mut config = String::new();
        object
            .read_to_string(&mut config)
            .await
            .map_err(|e| Status::internal(format!("reading backup {name}: {e}")))?;
        Ok(Response::new(GetBackupResponse {
            info: Some(info),
            config,
        }))
    }

    async fn acquire_fabric_lock(
        &self,
        request: Request<AcquireFabricLockRequest>,
    ) -> Result<Response<FabricLock>, Status> {
        // The lock is held by the caller's identity; the request's `holder` is not used.
        let holder = self.allow(
            &request,
            Some(&request.get_ref().fabric_id),
            Role::LockHolder,
            "take the fabric lock",
        )?;
        let request = request.into_inner();
        self.fabric_exists(&request.fabric_id).await?;
        let lease_ms = match request.lease_seconds {
            0 => self.orchestrator.config.external_lock_lease.as_millis() as i64,
            seconds if seconds <= 24 * 3600 => seconds as i64 * 1000,
            _ => return Err(Status::invalid_argument("leaseSeconds is at most 86400")),
        };
        let key = keys::fabric_lock(&request.fabric_id);
        match lease::acquire(
            &self.orchestrator.topology.leases,
            &key,
            &holder,
            &request.purpose,
            lease_ms,
            now_unix_ms(),
        )
        .await
        .map_err(internal)?
        {
            Acquired::Yes(lock) => Ok(Response::new(lock_message(&request.fabric_id, &lock))),
            Acquired::HeldBy(holder) => Err(Status::failed_precondition(format!(
                "OperationNotAllowed: {}",
                lock_holder_text(&request.fabric_id, &holder)
            ))),
        }
    }

    async fn renew_fabric_lock(
        &self,
        request: Request<RenewFabricLockRequest>,
    ) -> Result<Response<FabricLock>, Status> {
        self.allow(
            &request,
            Some(&request.get_ref().fabric_id),
            Role::LockHolder,
            "renew the fabric lock",
        )?;
        let request = request.into_inner();
        checked("fabricId", &request.fabric_id)?;
        let lease_ms = match request.lease_seconds {
            0 => self.orchestrator.config.external_lock_lease.as_millis() as i64,
            seconds => seconds.min(24 * 3600) as i64 * 1000,
        };
        let key = keys::fabric_lock(&request.fabric_id);
        lease::renew(
            &self.orchestrator.topology.leases,
            &key,
            &request.lease_id,
            lease_ms,
            now_unix_ms(),
        )
        .await
        .map_err(internal)?
        .map(|lock| Response::new(lock_message(&request.fabric_id, &lock)))
        .ok_or_else(|| {
            Status::failed_precondition(format!(
                "lease {} does not hold the lock of fabric {}",
                request.lease_id, request.fabric_id
            ))
        })
    }

    async fn release_fabric_lock(
        &self,
        request: Request<ReleaseFabricLockRequest>,
    ) -> Result<Response<ReleaseFabricLockResponse>, Status> {
        self.allow(
            &request,
            Some(&request.get_ref().fabric_id),
            Role::LockHolder,
            "release the fabric lock",
        )?;
        let request = request.into_inner();
        checked("fabricId", &request.fabric_id)?;
        let key = keys::fabric_lock(&request.fabric_id);
        if lease::release(&self.orchestrator.topology.leases, &key, &request.lease_id)
            .await
            .map_err(internal)?
        {
            Ok(Response::new(ReleaseFabricLockResponse {}))
        } else {
            Err(Status::failed_precondition(format!(
                "lease {} does not hold the lock of fabric {}",
                request.lease_id, request.fabric_id
            )))
        }
    }

    async fn show_fabric_lock(
        &self,
        request: Request<ShowFabricLockRequest>,
    ) -> Result<Response<ShowFabricLockResponse>, Status> {
        self.allow(
            &request,
            Some(&request.get_ref().fabric_id),
            Role::Viewer,
            "show the fabric lock",
        )?;
        let fabric_id = request.into_inner().fabric_id;
        checked("fabricId", &fabric_id)?;
        let lock = lease::current(
            &self.orchestrator.topology.leases,
            &keys::fabric_lock(&fabric_id),
            now_unix_ms(),
        )
        .await
        .map_err(internal)?
        .map(|lock| FabricLock {
            lease_id: String::new(),
            ..lock_message(&fabric_id, &lock)
        });
        Ok(Response::new(ShowFabricLockResponse { lock }))
    }

    async fn set_schedule(
        &self,
        request: Request<SetScheduleRequest>,
    ) -> Result<Response<Schedule>, Status> {
        let schedule = request.get_ref().schedule.clone().unwrap_or_default();
        let by = self.allow(
            &request,
            Some(&schedule.fabric_id),
            Role::Operator,
            "set the fabric's schedule",
        )?;
        checked("fabricId", &schedule.fabric_id)?;
        let set = crate::schedule::set(&self.orchestrator, &schedule.fabric_id, &schedule, &by)
            .await
            .map_err(refusal)?;
        crate::audit::note(&request, |record| record.message = schedule_summary(&set));
        Ok(Response::new(set))
    }

    async fn show_schedule(
        &self,
        request: Request<ShowScheduleRequest>,
    ) -> Result<Response<Schedule>, Status> {
        let fabric_id = request.get_ref().fabric_id.clone();
        self.allow(
            &request,
            Some(&fabric_id),
            Role::Viewer,
            "show the fabric's schedule",
        )?;
        checked("fabricId", &fabric_id)?;
        Ok(Response::new(
            crate::schedule::show(&self.orchestrator, &fabric_id)
                .await
                .map_err(refusal)?,
        ))
    }

    async fn pause_schedule(
        &self,
        request: Request<PauseScheduleRequest>,
    ) -> Result<Response<Schedule>, Status> {
        let fabric_id = request.get_ref().fabric_id.clone();
        self.pause_or_resume(&request, fabric_id, true).await
    }

    async fn resume_schedule(
        &self,
        request: Request<ResumeScheduleRequest>,
    ) -> Result<Response<Schedule>, Status> {
        let fabric_id = request.get_ref().fabric_id.clone();
        self.pause_or_resume(&request, fabric_id, false).await
    }

    async fn delete_schedule(
        &self,
        request: Request<DeleteScheduleRequest>,
    ) -> Result<Response<DeleteScheduleResponse>, Status> {
        let fabric_id = request.get_ref().fabric_id.clone();
        self.allow(
            &request,
            Some(&fabric_id),
            Role::Operator,
            "delete the fabric's schedule",
        )?;
        checked("fabricId", &fabric_id)?;
        let deleted = crate::schedule::delete(&self.orchestrator, &fabric_id)
            .await
            .map_err(refusal)?;
        Ok(Response::new(DeleteScheduleResponse { deleted }))
    }

    async fn list_audit(
        &self,
        request: Request<ListAuditRequest>,
    ) -> Result<Response<ListAuditResponse>, Status> {
        let fabric = Some(request.get_ref().fabric_id.as_str()).filter(|f| !f.is_empty());
        self.allow(&request, fabric, Role::Auditor, "read the audit")?;
        let request = request.into_inner();
        let given = |text: &str| Some(text.to_string()).filter(|t| !t.is_empty());
        let query = rotor_bus::audit::AuditQuery {
            fabric_id: given(&request.fabric_id),
            verb: given(&request.verb),
            identity: given(&request.identity),
            outcome: given(&request.outcome),
            since: parse_since(&request.since, time::OffsetDateTime::now_utc())?,
            limit: match request.limit {
                0 => 100,
                limit => limit.min(10_000) as usize,
            },
        };
        let records = rotor_bus::audit::read(&self.orchestrator.bus.jetstream, &query)
            .await
            .map_err(internal)?;
        Ok(Response::new(ListAuditResponse { records }))
    }
}

/// `since` of `ListAudit`: RFC 3339, or a duration before `now` (`90s`, `15m`, `2h`, `7d`);
/// empty: no bound.
pub fn parse_since(
    text: &str,
    now: time::OffsetDateTime,
) -> Result<Option<time::OffsetDateTime>, Status> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if let Ok(at) =
        time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
    {
        return Ok(Some(at));
    }
    let unit = text.chars().last().unwrap_or(' ');
    let seconds = match unit {
        's' => 1,
        'm' => 60,
        'h' => 3600,
        'd' => 86_400,
        _ => 0,
    };
    text[..text.len() - unit.len_utf8()]
        .parse::<u32>()
        .ok()
        .filter(|_| seconds > 0)
        .map(|n| Some(now - time::Duration::seconds(i64::from(n) * seconds)))
        .ok_or_else(|| {
            Status::invalid_argument(format!(
                "since {text:?} is neither RFC 3339 (2026-05-01T12:00:00Z) nor a duration (90s, 15m, 2h, 7d)"
            ))
        })
}

/// A schedule in one line, for its audit record.
fn schedule_summary(schedule: &Schedule) -> String {
    format!(
        "{} {}, windows {} ({}), next run {}",
        schedule.kind().as_str_name(),
        schedule.trigger_text(),
        schedule.windows_text(),
        schedule.time_zone,
        if schedule.next_run_time.is_empty() {
            "none"
        } else {
            &schedule.next_run_time
        }
    )
}

/// A refusal of the dispatcher or the schedules (resume, cancel, schedule calls) as a gRPC
/// status.
fn refusal(refusal: crate::dispatch::Refusal) -> Status {
    match refusal {
        crate::dispatch::Refusal::NotFound(message) => Status::not_found(message),
        crate::dispatch::Refusal::NotAllowed(message) => Status::failed_precondition(message),
        crate::dispatch::Refusal::Invalid(message) => Status::invalid_argument(message),
        crate::dispatch::Refusal::Bus(error) => internal(error),
    }
}

#[cfg(test)]
mod tests {
    use super::parse_since;

    #[test]
    fn since_is_a_time_or_a_duration_before_now() {
        let now = time::macros::datetime!(2026-05-02 12:00 UTC);
        assert_eq!(parse_since("", now).unwrap(), None);
        assert_eq!(
            parse_since("2h", now).unwrap(),
            Some(time::macros::datetime!(2026-05-02 10:00 UTC))
        );
        assert_eq!(
            parse_since("1d", now).unwrap(),
            Some(time::macros::datetime!(2026-05-01 12:00 UTC))
        );
        assert_eq!(
            parse_since("2026-05-01T00:00:00Z", now).unwrap(),
            Some(time::macros::datetime!(2026-05-01 0:00 UTC))
        );
        for bad in ["yesterday", "5", "-3h", "h", "3é"] {
            assert!(parse_since(bad, now).is_err(), "{bad}");
        }
    }
}
