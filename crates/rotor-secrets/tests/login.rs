//! How a service logs in to a real OpenBao dev server and stays logged in: AppRole with short
//! TTLs (renewed, then a new login at the max TTL, and again after its token was revoked), a
//! periodic token renewed before its period ends, HTTPS with a CA, and the errors a wrong
//! credential or address gives.

use std::time::{Duration, Instant};

use rotor_harness::{BaoServer, ScratchDir};
use rotor_secrets::{
    AppRoleSpec, DEFAULT_APPROLE_MOUNT, Password, PasswordPolicy, SecretsClient, SecretsError,
    SecretsSettings,
};
use secrecy::ExposeSecret;

const DIFFER_POLICY: &str = include_str!("../../../deploy/openbao/rotor-differ.hcl");
const PATH: &str = "fabrics/fab1/AdminRW";

/// How long a test may take to see what it waits for.
const WITHIN: Duration = Duration::from_secs(40);

struct Store {
    bao: BaoServer,
    admin: SecretsClient,
    password: Password,
    dir: ScratchDir,
}

/// A dev server with the differ's policy and a password at [`PATH`].
async fn store() -> Store {
    let bao = BaoServer::start();
    let admin = SecretsClient::connect(&SecretsSettings::new(bao.address(), bao.token()))
        .await
        .unwrap();
    admin
        .write_policy("rotor-differ", DIFFER_POLICY)
        .await
        .unwrap();
    let password = PasswordPolicy::default().generate().unwrap();
    admin.write("secret", PATH, &password).await.unwrap();
    Store {
        bao,
        admin,
        password,
        dir: ScratchDir::new("login"),
    }
}

/// The differ's role with these TTLs; its role id and a secret id file.
async fn differ_role(store: &Store, ttl: u64, max_ttl: u64) -> (String, std::path::PathBuf) {
    store
        .admin
        .enable_approle(DEFAULT_APPROLE_MOUNT)
        .await
        .unwrap();
    let role_id = store
        .admin
        .write_approle(
            DEFAULT_APPROLE_MOUNT,
            &AppRoleSpec {
                name: "rotor-differ",
                policy: "rotor-differ",
                token_ttl: Duration::from_secs(ttl),
                token_max_ttl: Duration::from_secs(max_ttl),
            },
        )
        .await
        .unwrap();
    let secret_id = store
        .admin
        .new_secret_id(DEFAULT_APPROLE_MOUNT, "rotor-differ")
        .await
        .unwrap();
    let file = store.dir.path().join("rotor-differ.secret-id");
    std::fs::write(&file, secret_id.expose_secret()).unwrap();
    (role_id, file)
}

/// Reads the password every 200 ms, each read having to succeed, until `done` holds.
async fn keep_reading(store: &Store, client: &SecretsClient, done: impl Fn(Duration) -> bool) {
    let started = Instant::now();
    while !done(started.elapsed()) {
        assert!(
            started.elapsed() < WITHIN,
            "after {:?}: {} logins, {} renewals",
            started.elapsed(),
            client.logins(),
            client.renewals()
        );
        let (read, _) = client
            .read("secret", PATH, None)
            .await
            .unwrap_or_else(|e| panic!("a read failed after {:?}: {e}", started.elapsed()));
        assert!(read.matches(store.password.expose_for_login()));
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn an_approle_session_renews_and_logs_in_again_beyond_its_max_ttl() {
    let store = store().await;
    let (role_id, secret_id_file) = differ_role(&store, 3, 6).await;
    let mut settings = SecretsSettings::approle(store.bao.address(), role_id, &secret_id_file);
    settings.cache_ttl = Duration::ZERO;
    let client = SecretsClient::connect(&settings).await.unwrap();
    assert_eq!(client.logins(), 1);

    // Past the first token's max TTL (6 s) with a renewal and a new login on the way; no read
    // may fail meanwhile.
    keep_reading(&store, &client, |elapsed| {
        elapsed > Duration::from_secs(7) && client.renewals() >= 1 && client.logins() >= 2
    })
    .await;

    // Least privilege: the differ's token reads and never writes.
    let refused = client
        .write("secret", PATH, &Password::new("Not-Allowed-1"))
        .await
        .unwrap_err();
    assert!(
        matches!(refused, SecretsError::PermissionDenied { .. }),
        "{refused}"
    );
}

#[tokio::test]
async fn a_periodic_token_is_renewed_before_its_period_ends() {
    let store = store().await;
    // The token reaches this test on the command's standard output, never its arguments.
    let created = store.bao.cli(
        &[
            "token",
            "create",
            "-policy=rotor-differ",
            "-no-default-policy",
            "-period=3s",
            "-field=token",
        ],
        None,
    );
    assert!(
        created.status.success(),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );
    let token = String::from_utf8(created.stdout)
        .unwrap()
        .trim()
        .to_string();
    let mut settings = SecretsSettings::new(store.bao.address(), token);
    settings.cache_ttl = Duration::ZERO;
    let client = SecretsClient::connect(&settings).await.unwrap();
    // More than two periods: without renewals the token would have expired twice over.
    keep_reading(&store, &client, |elapsed| {
        elapsed > Duration::from_secs(7) && client.renewals() >= 3
    })
    .await;
    assert_eq!(client.logins(), 0);
}

#[tokio::test]
async fn wrong_or_missing_credentials_are_clear_errors() {
    let store = store().await;
    let (role_id, secret_id_file) = differ_role(&store, 60, 120).await;

    let missing = store.dir.path().join("no-such-file");
    let error = SecretsClient::connect(&SecretsSettings::approle(
        store.bao.address(),
        role_id.clone(),
        &missing,
    ))
    .await
    .unwrap_err();
    assert!(matches!(error, SecretsError::Credentials { .. }), "{error}");
    assert!(
        error.to_string().contains("ROTOR_BAO_SECRET_ID_FILE"),
        "{error}"
    );

    let wrong = store.dir.path().join("wrong-secret-id");
    std::fs::write(&wrong, "00000000-0000-0000-0000-000000000000").unwrap();
    let error = SecretsClient::connect(&SecretsSettings::approle(
        store.bao.address(),
        role_id.clone(),
        &wrong,
    ))
    .await
    .unwrap_err();
    assert!(
        matches!(error, SecretsError::LoginRefused { .. }),
        "{error}"
    );
    assert!(!error.is_transient());
    assert!(!error.to_string().contains("00000000-0000"), "{error}");

    // The right one works; neither the secret id nor the token shows in any message or debug
    // form.
    let settings = SecretsSettings::approle(store.bao.address(), role_id, &secret_id_file);
    let client = SecretsClient::connect(&settings).await.unwrap();
    let secret_id = std::fs::read_to_string(&secret_id_file).unwrap();
    for text in [format!("{settings:?}"), format!("{client:?}")] {
        assert!(!text.contains(secret_id.trim()), "{text}");
    }
    assert_eq!(client.logins(), 1);

    // Its token revoked behind its back: the next read is refused, the client logs in again
    // and the read succeeds.
    let revoked = store.bao.cli(
        &["token", "revoke", "-mode=path", "auth/approle/login"],
        None,
    );
    assert!(
        revoked.status.success(),
        "{}",
        String::from_utf8_lossy(&revoked.stderr)
    );
    let logins = client.logins();
    client.read("secret", PATH, None).await.unwrap();
    assert_eq!(client.logins(), logins + 1);

    // Least privilege: the differ's token reads and never writes.
    let refused = client
        .write("secret", PATH, &Password::new("Not-Allowed-1"))
        .await
        .unwrap_err();
    assert!(
        matches!(refused, SecretsError::PermissionDenied { .. }),
        "{refused}"
    );
    // A refusal that is the policy's (the token is fine) costs no new login.
    assert_eq!(client.logins(), logins + 1);
}

#[tokio::test]
async fn https_needs_the_configured_ca_and_plain_http_stays_on_loopback() {
    let bao = BaoServer::start_tls();
    assert!(bao.address().starts_with("https://"));
    let mut trusting = SecretsSettings::new(bao.address(), bao.token());
    trusting.ca_file = Some(bao.ca_file());
    let started = Instant::now();
    let client = loop {
        match SecretsClient::connect(&trusting).await {
            Ok(client) => break client,
            Err(error) if error.is_transient() && started.elapsed() < WITHIN => {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(error) => panic!("{error}"),
        }
    };
    let password = PasswordPolicy::default().generate().unwrap();
    assert_eq!(client.write("secret", PATH, &password).await.unwrap(), 1);

    // Without the CA, the server's certificate is not trusted.
    let error = SecretsClient::connect(&SecretsSettings::new(bao.address(), bao.token()))
        .await
        .unwrap_err();
    assert!(matches!(error, SecretsError::Unavailable { .. }), "{error}");

    // Plain http:// beyond loopback is refused before anything is sent; on loopback it is fine.
    for address in ["http://10.0.0.8:8200", "http://openbao.example:8200"] {
        let error = SecretsClient::new(&SecretsSettings::new(address, "t")).unwrap_err();
        assert!(matches!(error, SecretsError::Address { .. }), "{error}");
        assert!(error.to_string().contains("https://"), "{error}");
    }
    for address in [
        "http://127.0.0.1:8200",
        "http://127.3.4.5:8200",
        "http://[::1]:8200",
        "http://localhost:8200",
    ] {
        SecretsClient::new(&SecretsSettings::new(address, "t")).unwrap();
    }
}
