//! What running Rotor beyond one machine needs: NATS user authentication and TLS, and OpenBao
//! least privilege: each service kind's own AppRole role and policy (deploy/openbao/), tokens
//! renewed and logged in again without a credential showing anywhere.

use rotor_bus::{Bus, BusError, BusSettings};
use rotor_e2e::{StackOptions, TestStack};
use rotor_harness::{NatsOptions, NatsServer, ScratchDir};
use rotor_proto::v1::*;
use rotor_secrets::{Password, SecretsClient, SecretsError, SecretsSettings};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rotation_runs_with_the_nats_accounts_and_each_services_own_openbao_role() {
    let stack = TestStack::start(StackOptions {
        ..Default::default()
    })
    .await
    .unwrap();
    // Every service kind but the aggregator logs in with its own role; the aggregator has no
    // OpenBao settings at all, and still finishes the operation.
    for service in ["orchestrator", "differ", "applier", "backup"] {
        let settings = stack.settings(service, 0);
        assert!(settings.raw("ROTOR_BAO_ROLE_ID").is_some(), "{service}");
        assert!(settings.raw("ROTOR_BAO_TOKEN").is_none(), "{service}");
    }
    let aggregator = stack.settings("aggregator", 0);
    assert!(
        !aggregator
            .pairs()
            .any(|(key, _)| key.starts_with("ROTOR_BAO")),
        "{aggregator:?}"
    );
    rotor_aggregator::AggregatorConfig::from_settings(&aggregator).unwrap();
    let operation = stack.run(stack.fabric_rotate()).await.unwrap();
    assert_eq!(
        operation.status,
        OperationState::Succeeded as i32,
        "{operation:?}"
    );

    // Without credentials, or with the wrong ones, the bus says what is wrong.
    for (user, password) in [
        (None, None),
        (
            Some(rotor_e2e::REQUESTER.to_string()),
            Some("Wr0ng-Secret-81".into()),
        ),
    ] {
        let settings = BusSettings {
            url: stack.nats.url(),
            tls_ca_file: Some(stack.nats_ca_file.clone()),
            user,
            password,
            timeout: std::time::Duration::from_secs(2),
            ..Default::default()
        };
        assert!(!format!("{settings:?}").contains("Wr0ng-Secret-81"));
        let error = Bus::connect(settings).await.unwrap_err();
        assert!(matches!(error, BusError::Connect { .. }), "{error}");
        assert!(!format!("{error} {error:?}").contains("Wr0ng-Secret-81"));
        assert!(error.to_string().contains(&stack.nats.url()), "{error}");
    }

    // Each role does what its service needs and nothing more.
    let path = rotor_e2e::login_secret_path(&stack.fabric_id);
    let attempt = Password::new("Attacker-Chosen-1");
    for service in ["orchestrator", "differ", "applier", "backup"] {
        let login = &stack.bao_logins[service];
        let client = SecretsClient::connect(&SecretsSettings::approle(
            stack.bao.address(),
            login.role_id.clone(),
            &login.secret_id_file,
        ))
        .await
        .unwrap();
        let (_, newest) = client.read("secret", &path, None).await.unwrap();
        assert!(newest >= 2, "{service} reads the fabric's versions");
        let outside = client
            .read("secret", "other-team/db", None)
            .await
            .unwrap_err();
        assert!(
            matches!(outside, SecretsError::PermissionDenied { .. }),
            "{service}: {outside}"
        );
        let write = client.write("secret", &path, &attempt).await;
        if service == "orchestrator" {
            // Only the orchestrator writes versions, and only under the fabrics' prefix.
            write.unwrap();
            let elsewhere = client
                .write("secret", "other-team/db", &attempt)
                .await
                .unwrap_err();
            assert!(
                matches!(elsewhere, SecretsError::PermissionDenied { .. }),
                "{elsewhere}"
            );
        } else {
            let refused = write.unwrap_err();
            assert!(
                matches!(refused, SecretsError::PermissionDenied { .. }),
                "{service} may not write: {refused}"
            );
        }
    }
    stack.shutdown().await;
}

/// The words of `text` that look like an OpenBao token (`s.`/`hvs.`/`b.` and a long tail).
fn token_like_words(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '_' || c == '-'))
        .filter(|word| {
            ["s.", "hvs.", "b.", "hvb."].iter().any(|prefix| {
                word.strip_prefix(prefix).is_some_and(|tail| {
                    tail.len() >= 20 && tail.chars().all(|c| c.is_ascii_alphanumeric())
                })
            })
        })
        .map(String::from)
        .collect()
}

/// The command line and environment of a process and of its children (a guard's service).
fn process_texts(pid: u32) -> Vec<(String, String)> {
    let mut pids = vec![pid];
    if let Ok(children) = std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children")) {
        pids.extend(
            children
                .split_whitespace()
                .filter_map(|p| p.parse::<u32>().ok()),
        );
    }
    let mut texts = Vec::new();
    for pid in pids {
        for file in ["cmdline", "environ"] {
            if let Ok(bytes) = std::fs::read(format!("/proc/{pid}/{file}")) {
                let text = String::from_utf8_lossy(&bytes).replace('\0', " ");
                texts.push((format!("/proc/{pid}/{file}"), text));
            }
        }
    }
    texts
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_openbao_credential_reaches_a_log_or_a_command_line_while_tokens_turn_over() {
    // The services as processes, their tokens living 3 s at most 6 s: over two rotations every
    // service renews and logs in again, and still nothing of it shows.
    let stack = TestStack::start(StackOptions {
        processes: true,
        bao_token_ttls: rotor_stack::bao_setup::TokenTtls {
            ttl: std::time::Duration::from_secs(3),
            max_ttl: std::time::Duration::from_secs(6),
        },
        ..Default::default()
    })
    .await
    .unwrap();
    let started = std::time::Instant::now();
    for _ in 0..2 {
        let operation = stack.run(stack.fabric_rotate()).await.unwrap();
        assert_eq!(
            operation.status,
            OperationState::Succeeded as i32,
            "{operation:?}"
        );
    }
    // Past the first tokens' max TTL: a rotation still succeeds.
    rotor_e2e::until(
        "the services' first tokens reach their max TTL",
        std::time::Duration::from_secs(20),
        || started.elapsed() > std::time::Duration::from_secs(7),
    )
    .await;
    let operation = stack.run(stack.fabric_rotate()).await.unwrap();
    assert_eq!(
        operation.status,
        OperationState::Succeeded as i32,
        "{operation:?}"
    );

    let mut secrets: Vec<String> = vec![stack.bao.token().to_string()];
    for login in stack.bao_logins.values() {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&login.secret_id_file)
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(
            mode & 0o077,
            0,
            "{} is readable by others",
            login.secret_id_file
        );
        secrets.push(
            std::fs::read_to_string(&login.secret_id_file)
                .unwrap()
                .trim()
                .to_string(),
        );
    }
    let mut texts: Vec<(String, String)> = Vec::new();
    for (name, pid) in stack.process_ids() {
        texts.push((format!("{name}'s log"), stack.process_logs(&name)));
        texts.extend(process_texts(pid));
    }
    assert!(texts.len() > 5, "{} texts", texts.len());
    // Each service that reads secrets logged in again after its first token's max TTL; the
    // aggregator never logged in.
    for (name, _) in stack.process_ids() {
        let logins = stack
            .process_logs(&name)
            .matches("logged in to the secrets store")
            .count();
        if name.starts_with("aggregator") {
            assert_eq!(logins, 0, "{name}");
        } else {
            assert!(logins >= 2, "{name} logged in {logins} times");
        }
    }
    for (what, text) in &texts {
        for secret in &secrets {
            assert!(
                !text.contains(secret.as_str()),
                "{what} shows a secret id or the root token"
            );
        }
        assert_eq!(token_like_words(text), Vec::<String>::new(), "{what}");
    }
    stack.shutdown().await;
}

#[tokio::test]
async fn the_bus_connects_over_tls_with_the_configured_ca() {
    let dir = ScratchDir::new("tls");
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "rotor test CA");
    let ca = ca_params.clone().self_signed(&ca_key).unwrap();
    let server_key = rcgen::KeyPair::generate().unwrap();
    let server_params =
        rcgen::CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()])
            .unwrap();
    let issuer = rcgen::Issuer::from_params(&ca_params, &ca_key);
    let server = server_params.signed_by(&server_key, &issuer).unwrap();
    let ca_path = dir.path().join("ca.pem");
    std::fs::write(&ca_path, ca.pem()).unwrap();
    std::fs::write(dir.path().join("server.pem"), server.pem()).unwrap();
    std::fs::write(
        dir.path().join("server-key.pem"),
        server_key.serialize_pem(),
    )
    .unwrap();

    let nats = NatsServer::start_with(NatsOptions {
        extra_config: format!(
            "tls {{\n  cert_file: \"{}\"\n  key_file: \"{}\"\n}}\n",
            dir.path().join("server.pem").display(),
            dir.path().join("server-key.pem").display()
        ),
        ..Default::default()
    });
    let url = format!("tls://127.0.0.1:{}", nats.port());
    let bus = Bus::connect(BusSettings {
        url: url.clone(),
        tls_ca_file: Some(ca_path),
        ..BusSettings::local()
    })
    .await
    .unwrap();
    let topology = bus.ensure_topology().await.unwrap();
    rotor_bus::kv::put_json(&topology.leases, "probe", &"over tls")
        .await
        .unwrap();

    // Without the CA, the server's certificate is not trusted: a clear error.
    let error = Bus::connect(BusSettings {
        url: url.clone(),
        tls_required: true,
        timeout: std::time::Duration::from_secs(2),
        ..Default::default()
    })
    .await
    .unwrap_err();
    assert!(matches!(error, BusError::Connect { .. }), "{error}");
}
