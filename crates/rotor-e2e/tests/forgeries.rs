//! Attacks on the control plane that Rotor refuses: jobs forged on the bus (another fabric's
//! secret, no operation, no fence, a hostile user name) and inventories that point Rotor at
//! secrets outside their fabric. Each attack is made for real (the job published on NATS, the
//! import sent over gRPC) and each refusal is checked where it matters: the switch saw no login
//! and no command, no event was published, the secret was never read into a configuration.

use std::time::Duration;

use futures::StreamExt;
use rotor_bus::JobKind;
use rotor_e2e::{StackOptions, TestStack};
use rotor_pipeline::records::{load_device, load_plan};
use rotor_proto::v1::*;
use rotor_secrets::PasswordPolicy;

fn options() -> StackOptions {
    StackOptions {
        devices: 2,
        platform_mix: (1, 1),
        ..Default::default()
    }
}

/// The job Rotor itself published for `device` in `operation` (as anyone on the bus can
/// rebuild it from the stored plan).
async fn genuine_job(stack: &TestStack, operation: &str, device: &str) -> DeviceJob {
    let plan = load_plan(&stack.topology.operations, operation)
        .await
        .unwrap()
        .expect("the operation has a plan");
    let record = load_device(&stack.topology, &stack.fabric_id, device)
        .await
        .unwrap()
        .expect("the device is imported");
    rotor_pipeline::fanout::diff_job(&plan, &record, &stack.bao.address())
        .device
        .unwrap()
}

async fn publish(
    stack: &TestStack,
    kind: JobKind,
    device: &str,
    id: &str,
    job: &impl prost::Message,
) {
    stack
        .bus
        .publish_job(kind, &stack.fabric_id, device, id, job)
        .await
        .unwrap()
        .await
        .expect("the jobs stream stores the forged job");
}

/// Waits until every job of `kind` was taken and acknowledged.
async fn drained(stack: &TestStack, kind: JobKind) {
    let mut consumer = stack.bus.job_consumer(kind).await.unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let info = consumer.info().await.unwrap();
        if info.num_ack_pending == 0 && info.num_pending == 0 {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{} jobs left unacknowledged: {info:?}",
            kind.token()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Every event of the fabric, as `operation stage status` lines.
async fn events(stack: &TestStack) -> Vec<String> {
    let filter = rotor_bus::names::events_filter(Some(&stack.fabric_id), None);
    let mut replay = stack.bus.replay_events(filter, false).await.unwrap();
    let mut lines = Vec::new();
    while let Some(replayed) = tokio::time::timeout(Duration::from_secs(30), replay.next())
        .await
        .expect("the events stream replays")
    {
        let event = replayed.unwrap().event;
        lines.push(format!(
            "{} {} {} {}",
            event.operation_id,
            event.device_id,
            event.stage().as_str_name(),
            event.status().as_str_name()
        ));
    }
    lines
}

/// What a switch would show of being touched: its logins, its password hashes, its files.
fn touched(stack: &TestStack, device: &str) -> String {
    let sim = stack.device(device);
    let logins = sim.login_statistics();
    let hashes: Vec<Option<String>> = sim
        .users()
        .iter()
        .map(|user| sim.user_password_hash(&user.username))
        .collect();
    format!(
        "logins ok {} failed {}; hashes {hashes:?}; files {:?}; revision {}",
        logins.succeeded_logins,
        logins.failed_logins,
        sim.files(),
        sim.applied_revision()
    )
}

fn refusals(stack: &TestStack) -> usize {
    stack
        .logs
        .text()
        .lines()
        .filter(|line| {
            line.contains("does not vouch for") && line.contains(stack.fabric_id.as_str())
        })
        .count()
}

/// Waits (bounded) until the audit stream holds `count` refused forged jobs of the fabric, and
/// checks it holds no more.
async fn forgeries_audited(stack: &TestStack, count: usize) {
    let forged = || async {
        stack
            .audit_records()
            .await
            .into_iter()
            .filter(|r| {
                r.verb == rotor_bus::audit::FORGED_JOB
                    && r.fabric_id == stack.fabric_id
                    && r.outcome == rotor_bus::audit::REFUSED
            })
            .count()
    };
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while forged().await < count {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the audit holds {} of {count} refused forged jobs",
            forged().await
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(forged().await, count);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_jobs_change_nothing_and_read_no_foreign_secret() {
    let stack = TestStack::start(options()).await.unwrap();
    let operation = stack.run(stack.fabric_rotate()).await.unwrap();
    assert_eq!(operation.status, OperationState::Succeeded as i32);
    // Another fabric's production password, readable with Rotor's token.
    let stolen_path = "fabrics/production/AdminRW";
    let stolen = PasswordPolicy::default().generate().unwrap();
    let stolen_version = stack
        .secrets
        .write("secret", stolen_path, &stolen)
        .await
        .unwrap();
    let foreign = |target: &mut SecretTarget| {
        target.reference = Some(
            stack
                .secrets
                .reference("secret", stolen_path, stolen_version),
        );
    };

    let devices = stack.device_ids();
    let before_events = events(&stack).await;
    let before: Vec<String> = devices.iter().map(|d| touched(&stack, d)).collect();
    let before_status = stack.device_status(&devices[0]).await.unwrap();

    let device = &devices[0];
    let genuine = genuine_job(&stack, &operation.id, device).await;
    let mut forgeries = Vec::new();
    // The real operation, another fabric's secret as the target.
    let mut job = genuine.clone();
    foreign(&mut job.targets[0]);
    forgeries.push(job);
    // An operation that never was, with the same secret.
    let mut job = genuine.clone();
    job.operation_id = "op-forged".into();
    foreign(&mut job.targets[0]);
    forgeries.push(job);
    // The real operation without its fence (and so without its lock).
    let mut job = genuine.clone();
    job.fence = String::new();
    forgeries.push(job);
    // A device the operation does not cover.
    let mut job = genuine.clone();
    job.device_id = "leaf-999".into();
    forgeries.push(job);
    for (index, job) in forgeries.iter().enumerate() {
        let forged = DiffJob {
            device: Some(job.clone()),
        };
        publish(
            &stack,
            JobKind::Diff,
            device,
            &format!("forged-{index}"),
            &forged,
        )
        .await;
    }
    // A backup job claiming the device holds the stolen secret.
    let mut held = genuine.targets[0].clone();
    foreign(&mut held);
    let backup = BackupJob {
        device: Some(genuine.clone()),
        intended_config_version: String::new(),
        trigger: "Workflow".into(),
        outcome: Some(DeviceOutcome {
            status: OperationState::Succeeded as i32,
            error: None,
            held: vec![held],
            applied: true,
            verdict: 0,
        }),
    };
    publish(&stack, JobKind::Backup, device, "forged-backup", &backup).await;

    for kind in JobKind::ALL {
        drained(&stack, kind).await;
    }
    assert_eq!(
        refusals(&stack),
        forgeries.len() + 1,
        "{}",
        stack.logs.text()
    );
    forgeries_audited(&stack, forgeries.len() + 1).await;
    assert_eq!(
        events(&stack).await,
        before_events,
        "a forged job published events"
    );
    let after: Vec<String> = devices.iter().map(|d| touched(&stack, d)).collect();
    assert_eq!(after, before, "a forged job reached a switch");
    assert_eq!(
        stack.device_status(&devices[0]).await.unwrap(),
        before_status
    );
    // The stolen password was never rendered, sent or logged.
    assert!(!stack.logs.text().contains(stolen.expose_for_login()));
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forged_apply_job_with_a_hostile_user_name_reaches_no_switch() {
    let stack = TestStack::start(options()).await.unwrap();
    let operation = stack.run(stack.fabric_rotate()).await.unwrap();
    assert_eq!(operation.status, OperationState::Succeeded as i32);
    let devices = stack.device_ids();
    let before_events = events(&stack).await;
    let before: Vec<String> = devices.iter().map(|d| touched(&stack, d)).collect();

    let hostile = "x;touch /tmp/pwned;#";
    let mut forgeries = Vec::new();
    for device in &devices {
        let genuine = genuine_job(&stack, &operation.id, device).await;
        let apply = |job: DeviceJob, changing: &str, previous: Vec<SecretTarget>| ApplyJob {
            device: Some(job),
            intended_config_version: String::new(),
            approved_diff: vec![format!(
                "nv set system aaa user '{hostile}' role system-admin"
            )],
            running_config_fingerprint: String::new(),
            previous,
            changing_users: vec![changing.to_string()],
            others: Vec::new(),
        };
        // The hostile name as a target user, of the real operation and of one that never was
        // (which no stage mark of a finished apply protects).
        let mut job = genuine.clone();
        job.targets[0].username = hostile.into();
        job.users = vec![hostile.into()];
        forgeries.push((device.clone(), apply(job.clone(), hostile, Vec::new())));
        job.operation_id = "op-forged".into();
        forgeries.push((device.clone(), apply(job, hostile, Vec::new())));
        // The genuine job, the hostile name among the changing users.
        forgeries.push((device.clone(), apply(genuine.clone(), hostile, Vec::new())));
        // The genuine job, a previous version under the hostile name.
        let mut previous = genuine.targets[0].clone();
        previous.username = hostile.into();
        let login = genuine.targets[0].username.clone();
        forgeries.push((
            device.clone(),
            apply(genuine.clone(), &login, vec![previous]),
        ));
    }
    for (index, (device, job)) in forgeries.iter().enumerate() {
        publish(
            &stack,
            JobKind::Apply,
            device,
            &format!("forged-{index}"),
            job,
        )
        .await;
    }
    for kind in JobKind::ALL {
        drained(&stack, kind).await;
    }
    assert_eq!(refusals(&stack), forgeries.len(), "{}", stack.logs.text());
    forgeries_audited(&stack, forgeries.len()).await;
    assert_eq!(
        events(&stack).await,
        before_events,
        "a forged job published events"
    );
    let after: Vec<String> = devices.iter().map(|d| touched(&stack, d)).collect();
    assert_eq!(after, before, "a forged job reached a switch");
    for device in &devices {
        assert!(stack.device(device).file("/tmp/pwned").is_none());
    }
    // The genuine pipeline still works after the attack.
    let again = stack.run(stack.fabric_rotate()).await.unwrap();
    assert_eq!(again.status, OperationState::Succeeded as i32);
    stack.shutdown().await;
}

fn refused_import(result: anyhow::Result<ImportInventoryResponse>) -> String {
    let error = result.expect_err("the import is refused");
    let status = error
        .downcast_ref::<tonic::Status>()
        .unwrap_or_else(|| panic!("not a gRPC status: {error:#}"));
    assert_eq!(status.code(), tonic::Code::InvalidArgument, "{status:?}");
    status.message().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_inventory_cannot_reach_outside_its_fabrics_secrets() {
    let mut stack = TestStack::start(options()).await.unwrap();
    let before = stack.device_status(&stack.device_ids()[0]).await.unwrap();
    // Another fabric's path, spelled out.
    let message = refused_import(
        stack
            .import(|fabric| {
                fabric.inventory.devices[0].password_mappings[0].secret_path =
                    "fabrics/production/AdminRW".into();
            })
            .await,
    );
    assert!(
        message.contains("devices[0]")
            && message.contains("passwordMappings[0].secretPath")
            && message.contains("fabrics/production/AdminRW")
            && message.contains("ROTOR_SECRET_PATH_PREFIX"),
        "{message}"
    );
    // A path that starts like the fabric's but is another fabric's ("fab1" and "fab10").
    let id = stack.fabric_id.clone();
    let message = refused_import(
        stack
            .import(|fabric| {
                fabric.inventory.devices[1].password_mappings[0].secret_path =
                    format!("fabrics/{id}0/AdminRW");
            })
            .await,
    );
    assert!(message.contains("devices[1]"), "{message}");
    // A mount that is not on the allow-list.
    let message = refused_import(
        stack
            .import(|fabric| fabric.inventory.fabric.secrets_mount = "sys".into())
            .await,
    );
    assert!(
        message.contains("fabric.secretsMount") && message.contains("ROTOR_SECRET_MOUNTS"),
        "{message}"
    );
    // Nothing of the refused imports was stored; the fabric's own import still works.
    let record = load_device(&stack.topology, &stack.fabric_id, &stack.device_ids()[0])
        .await
        .unwrap()
        .unwrap();
    assert_eq!(record.secrets_mount, "secret");
    assert!(
        record.device.password_mappings[0]
            .resolved_path(&stack.fabric_id, &record.device.id)
            .starts_with(&format!("fabrics/{}/", stack.fabric_id))
    );
    assert_eq!(
        stack.device_status(&stack.device_ids()[0]).await.unwrap(),
        before
    );
    stack.import(|_| {}).await.unwrap();
    stack.shutdown().await;
}
