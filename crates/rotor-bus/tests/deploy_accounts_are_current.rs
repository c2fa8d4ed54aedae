//! `deploy/nats-accounts.conf` is what `rotor_bus::permissions::render` makes (with placeholder
//! keys), so the shipped configuration is the one every local and test stack runs with.
//! `ROTOR_REGENERATE=1 cargo test -p rotor-bus --test deploy_accounts_are_current` rewrites it.

use rotor_bus::permissions::{Accounts, Requester, ServiceKind, ServiceUser, render};

const HEADER: &str = "\
# Rotor's NATS accounts: one NKey user per service kind with only the subjects, streams and
# buckets it uses, and a requester account for the systems that send rotation requests.
# Generated from crates/rotor-bus/src/permissions.rs (a test keeps this file current); include it
# from nats-server.conf. Replace every <...> placeholder: an NKey public key (`nk -gen user
# -pubout`, or the .nk files `rotor up` writes for its own stack) whose seed file the service gets
# as ROTOR_NATS_NKEY_FILE, and a bcrypt hash of each requester's password (`nats server passwd`).
# docs/operations.md explains the trust model.

";

fn placeholder_accounts() -> Accounts {
    Accounts {
        services: ServiceKind::ALL
            .into_iter()
            .map(|kind| ServiceUser {
                kind,
                nkey: format!("<{}-public-nkey>", kind.name()),
            })
            .collect(),
        administrators: vec!["<administrator-public-nkey>".into()],
        requesters: vec![Requester {
            user: "ticketing".into(),
            password: "<bcrypt hash of ticketing's password>".into(),
            fabrics: vec!["fab1".into(), "fab2".into()],
        }],
    }
}

#[test]
fn the_shipped_accounts_are_the_rendered_ones() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deploy/nats-accounts.conf");
    let expected = format!("{HEADER}{}", render(&placeholder_accounts()));
    if std::env::var_os("ROTOR_REGENERATE").is_some() {
        std::fs::write(&path, &expected).unwrap();
    }
    let shipped = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        shipped == expected,
        "deploy/nats-accounts.conf is not what rotor_bus::permissions renders; run \
         `ROTOR_REGENERATE=1 cargo test -p rotor-bus --test deploy_accounts_are_current`"
    );
}
