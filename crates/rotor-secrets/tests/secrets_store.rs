//! The secrets client against a real OpenBao dev server.

use rotor_harness::BaoServer;
use rotor_secrets::{Password, PasswordPolicy, SecretsClient, SecretsError, SecretsSettings};

#[tokio::test]
async fn versions_are_written_read_listed_and_stepped_back() {
    let bao = BaoServer::start();
    let client = SecretsClient::connect(&SecretsSettings::new(bao.address(), bao.token()))
        .await
        .unwrap();
    let path = "fabrics/fab1/AdminRW";
    assert_eq!(client.newest_version("secret", path).await.unwrap(), None);
    assert!(matches!(
        client.read("secret", path, None).await,
        Err(SecretsError::NotFound { .. })
    ));

    let first = PasswordPolicy::default().generate().unwrap();
    let second = PasswordPolicy::default().generate().unwrap();
    assert_eq!(client.write("secret", path, &first).await.unwrap(), 1);
    assert_eq!(client.write("secret", path, &second).await.unwrap(), 2);

    let (newest, version) = client.read("secret", path, None).await.unwrap();
    assert_eq!(version, 2);
    assert!(newest.matches(second.expose_for_login()));
    let (old, _) = client.read("secret", path, Some(1)).await.unwrap();
    assert!(old.matches(first.expose_for_login()));
    assert_eq!(
        client.previous_version("secret", path, 2).await.unwrap(),
        Some(1)
    );
    assert_eq!(
        client.previous_version("secret", path, 1).await.unwrap(),
        None
    );
    let versions = client.versions("secret", path).await.unwrap();
    assert_eq!(
        versions.iter().map(|v| v.version).collect::<Vec<_>>(),
        vec![1, 2]
    );
    assert!(matches!(
        client.read("secret", path, Some(7)).await,
        Err(SecretsError::VersionNotFound { version: 7, .. })
    ));
    let reference = client.reference("secret", path, 2);
    assert_eq!(
        reference.uri,
        format!("{}/v1/secret/data/{path}?version=2", bao.address())
    );
}

#[tokio::test]
async fn a_wrong_token_and_a_dead_store_give_clear_errors() {
    let mut bao = BaoServer::start();
    let wrong = SecretsClient::connect(&SecretsSettings::new(bao.address(), "not-the-token")).await;
    let error = wrong.unwrap_err();
    assert!(
        matches!(error, SecretsError::PermissionDenied { .. }),
        "{error}"
    );
    assert!(error.to_string().contains("ROTOR_BAO_TOKEN"));

    let client = SecretsClient::new(&SecretsSettings::new(bao.address(), bao.token())).unwrap();
    bao.stop();
    let error = client
        .write("secret", "x", &Password::new("p"))
        .await
        .unwrap_err();
    assert!(matches!(error, SecretsError::Unavailable { .. }), "{error}");
    assert!(error.is_transient());
    assert!(error.to_string().contains(&bao.address()));

    let bad = SecretsClient::new(&SecretsSettings::new("ftp://x", "t")).unwrap_err();
    assert!(matches!(bad, SecretsError::Address { .. }));
}
