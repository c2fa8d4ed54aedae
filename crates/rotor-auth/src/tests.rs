use super::*;

const NOW: u64 = 1_800_000_000;

fn key(id: &str) -> SigningKey {
    SigningKey::generate(id).unwrap()
}

fn trusting(keys: &[&SigningKey]) -> TrustedKeys {
    TrustedKeys {
        keys: keys.iter().map(|k| k.public_key()).collect(),
    }
}

/// A token with the given header and claims, signed by `key`.
fn forged(key: &SigningKey, header: serde_json::Value, claims: serde_json::Value) -> String {
    let signed = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let signature = key.pair.sign(signed.as_bytes());
    format!("{signed}.{}", URL_SAFE_NO_PAD.encode(signature.as_ref()))
}

#[test]
fn a_token_from_a_trusted_key_names_its_subject() {
    let issuer = key("ops-1");
    let trusted = trusting(&[&issuer]);
    let token = issuer.token("alice@example", 3600, NOW).unwrap();
    assert_eq!(
        trusted.verify(&token, NOW + 10).unwrap(),
        Identity {
            subject: "alice@example".into(),
            key_id: "ops-1".into()
        }
    );
    // Files round-trip.
    let again = SigningKey::from_file_text(&issuer.to_file_text()).unwrap();
    assert_eq!(again.public_key(), issuer.public_key());
    let keys = TrustedKeys::from_yaml(&trusted.to_yaml()).unwrap();
    assert_eq!(keys, trusted);
}

#[test]
fn forged_tampered_and_stale_tokens_are_refused() {
    let issuer = key("ops-1");
    let stranger = key("ops-1");
    let trusted = trusting(&[&issuer]);
    // Signed by a key with the same id that is not the trusted one.
    let token = stranger.token("alice", 3600, NOW).unwrap();
    assert_eq!(trusted.verify(&token, NOW), Err(AuthError::BadSignature));
    // The claims swapped for others, the signature kept.
    let token = issuer.token("alice", 3600, NOW).unwrap();
    let parts: Vec<&str> = token.split('.').collect();
    let admin = URL_SAFE_NO_PAD
        .encode(serde_json::json!({"sub": "admin", "aud": "rotor", "exp": NOW + 3600}).to_string());
    let swapped = format!("{}.{admin}.{}", parts[0], parts[2]);
    assert_eq!(trusted.verify(&swapped, NOW), Err(AuthError::BadSignature));
    // Expired, beyond the leeway; within it still valid.
    assert_eq!(
        trusted.verify(&token, NOW + 3600 + CLOCK_LEEWAY_SECS),
        Err(AuthError::Expired)
    );
    assert!(trusted.verify(&token, NOW + 3600).is_ok());
    // Unknown key id.
    let other = key("ops-2");
    let token = other.token("alice", 3600, NOW).unwrap();
    assert_eq!(
        trusted.verify(&token, NOW),
        Err(AuthError::UnknownKey("ops-2".into()))
    );
}

#[test]
fn tokens_not_made_for_rotor_are_refused() {
    let issuer = key("ops-1");
    let trusted = trusting(&[&issuer]);
    let header = serde_json::json!({"alg": "EdDSA", "kid": "ops-1"});
    let claims =
        |aud: serde_json::Value| serde_json::json!({"sub": "alice", "aud": aud, "exp": NOW + 60});
    for (what, token) in [
        (
            "other audience",
            forged(&issuer, header.clone(), claims("grafana".into())),
        ),
        (
            "no expiry",
            forged(
                &issuer,
                header.clone(),
                serde_json::json!({"sub": "a", "aud": "rotor"}),
            ),
        ),
        (
            "no subject",
            forged(
                &issuer,
                header.clone(),
                serde_json::json!({"aud": "rotor", "exp": NOW + 60}),
            ),
        ),
        (
            "not yet valid",
            forged(
                &issuer,
                header.clone(),
                serde_json::json!({"sub": "a", "aud": "rotor", "exp": NOW + 9999, "nbf": NOW + 999}),
            ),
        ),
        (
            "alg none",
            forged(
                &issuer,
                serde_json::json!({"alg": "none", "kid": "ops-1"}),
                claims("rotor".into()),
            ),
        ),
        (
            "HMAC",
            forged(
                &issuer,
                serde_json::json!({"alg": "HS256", "kid": "ops-1"}),
                claims("rotor".into()),
            ),
        ),
        ("two parts", "a.b".to_string()),
        ("garbage", "!!.??.**".to_string()),
        ("huge", "a".repeat(MAX_TOKEN_BYTES + 1)),
    ] {
        assert!(
            matches!(trusted.verify(&token, NOW), Err(AuthError::Invalid(_))),
            "{what}: {:?}",
            trusted.verify(&token, NOW)
        );
    }
    // An audience list that names Rotor is fine.
    let token = forged(
        &issuer,
        header,
        claims(serde_json::json!(["rotor", "other"])),
    );
    assert!(trusted.verify(&token, NOW).is_ok());
}

#[test]
fn bad_key_files_are_refused_with_a_reason() {
    for text in [
        "keys: []",
        "keys: [{id: a, ed25519: AAAA}]",
        "keys: [{id: 'a b', ed25519: AAAA}]",
        "nothing: here",
    ] {
        assert!(TrustedKeys::from_yaml(text).is_err(), "{text}");
    }
    let one = key("k").public_key();
    let twice = TrustedKeys {
        keys: vec![one.clone(), one],
    };
    assert!(TrustedKeys::from_yaml(&twice.to_yaml()).is_err());
    assert!(SigningKey::from_file_text("id: k\npkcs8: AAAA\n").is_err());
}

#[test]
fn roles_are_granted_per_fabric() {
    let policy = Policy::from_yaml(
        "grants:
  - subject: alice
    fabrics: [fab1]
    roles: [viewer, operator]
  - subject: robot
    fabrics: ['*']
    roles: [viewer]
",
    )
    .unwrap();
    assert!(policy.allows("alice", Some("fab1"), Role::Operator));
    assert!(!policy.allows("alice", Some("fab2"), Role::Viewer));
    assert!(!policy.allows("alice", Some("fab1"), Role::InventoryAdmin));
    assert!(!policy.allows("alice", None, Role::Viewer));
    assert!(policy.allows("robot", Some("any"), Role::Viewer));
    assert!(policy.allows("robot", None, Role::Viewer));
    assert!(!policy.allows("robot", Some("fab1"), Role::LockHolder));
    assert!(!policy.allows("mallory", Some("fab1"), Role::Viewer));
    assert!(Policy::from_yaml("grants: [{subject: a, fabrics: [], roles: [viewer]}]").is_err());
    assert!(Policy::from_yaml("grants: [{subject: a, fabrics: [x], roles: [root]}]").is_err());
    assert_eq!("lock-holder".parse::<Role>().unwrap(), Role::LockHolder);
    assert_eq!("auditor".parse::<Role>().unwrap(), Role::Auditor);
    assert!("admin".parse::<Role>().is_err());
}

#[test]
fn the_shipped_example_policy_parses() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../deploy/auth-policy.example.yaml"
    );
    let policy = Policy::from_yaml(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert!(policy.allows("rotor-admin", Some("fab1"), Role::InventoryAdmin));
    assert!(policy.allows("change-system", Some("fab2"), Role::Operator));
    assert!(!policy.allows("change-system", Some("fab3"), Role::Operator));
    assert!(!policy.allows("grafana", Some("fab1"), Role::Operator));
    assert!(!policy.allows("grafana", Some("fab1"), Role::Auditor));
    assert!(policy.allows("security-team", None, Role::Auditor));
    assert!(!policy.allows("security-team", Some("fab1"), Role::Viewer));
}

#[test]
fn grants_are_added_and_revoked_exactly() {
    let mut policy = Policy::default();
    let fabs = |list: &[&str]| list.iter().map(|f| f.to_string()).collect::<Vec<_>>();
    assert!(policy.grant("alice", &fabs(&["fab2", "fab1"]), &[Role::Viewer]));
    assert!(policy.grant("alice", &fabs(&["fab1", "fab2"]), &[Role::Operator]));
    assert!(!policy.grant("alice", &fabs(&["fab1", "fab2"]), &[Role::Viewer]));
    assert_eq!(policy.grants.len(), 1, "{policy:?}");
    assert!(policy.allows("alice", Some("fab2"), Role::Operator));
    // Taking one role on one fabric leaves the rest.
    assert_eq!(
        policy.revoke("alice", Some("fab1"), Some(Role::Operator)),
        1
    );
    assert!(!policy.allows("alice", Some("fab1"), Role::Operator));
    assert!(policy.allows("alice", Some("fab1"), Role::Viewer));
    assert!(policy.allows("alice", Some("fab2"), Role::Operator));
    assert!(policy.allows("alice", Some("fab2"), Role::Viewer));
    // Nothing to take: nothing changes.
    assert_eq!(policy.revoke("alice", Some("fab3"), None), 0);
    assert_eq!(policy.revoke("bob", None, None), 0);
    // Everything: no grant of alice's is left, and the result still parses.
    assert_eq!(policy.revoke("alice", None, None), 3);
    assert!(policy.grants.is_empty(), "{policy:?}");
    policy.grant("robot", &fabs(&["*"]), &[Role::Viewer, Role::Viewer]);
    let again = Policy::from_yaml(&policy.to_yaml()).unwrap();
    assert_eq!(again, policy);
    assert_eq!(again.grants[0].roles, vec![Role::Viewer]);
}
