//! What running Rotor beyond one machine needs: NATS user authentication and TLS, and an
//! OpenBao token limited to the policy shipped in deploy/.

use rotor_bus::{Bus, BusError, BusSettings};
use rotor_e2e::{StackOptions, TestStack};
use rotor_harness::{NatsOptions, NatsServer, ScratchDir};
use rotor_proto::v1::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rotation_runs_with_the_nats_accounts_and_the_least_privilege_token() {
    let stack = TestStack::start(StackOptions {
        least_privilege_token: true,
        ..Default::default()
    })
    .await
    .unwrap();
    assert_ne!(stack.service_token, stack.bao.token());
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
    // The limited token cannot read what it has no business with.
    let limited = rotor_secrets::SecretsClient::new(&rotor_secrets::SecretsSettings::new(
        stack.bao.address(),
        stack.service_token.clone(),
    ))
    .unwrap();
    let outside = limited
        .read("secret", "other-team/db", None)
        .await
        .unwrap_err();
    assert!(
        matches!(
            outside,
            rotor_secrets::SecretsError::PermissionDenied { .. }
        ),
        "{outside}"
    );
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
        ..Default::default()
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
