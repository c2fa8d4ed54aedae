use super::*;

pub(crate) const SAMPLE: &str = r#"
apiVersion: rotor/v1
kind: FabricInventory
fabric:
  id: fab1
  upgradeStatus: None
  terminalServer: ts-01
devices:
  - id: leaf-01
    role: Leaf
    platform: cumulus
    address: 127.0.0.1:2201
    hostKey: ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl
    administrativeState: Enabled
    loginUser: cumulus
    passwordMappings:
      - username: cumulus
        secretType: AdminRW
        secretPath: fabrics/{fabric}/AdminRW
    intendedConfig: configs/leaf-01.yaml
  - id: ts-01
    role: TS
    platform: nvos
    address: 127.0.0.1:2202
    hostKey: ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJm
    loginUser: admin
    passwordMappings:
      - username: admin
        secretType: AdminRW
        secretPath: fabrics/{fabric}/{device}/AdminRW
    intendedConfig: configs/ts-01.yaml
"#;

#[test]
fn a_valid_inventory_parses_with_defaults() {
    let inventory = Inventory::from_yaml(SAMPLE).unwrap();
    assert_eq!(inventory.fabric.id, "fab1");
    assert_eq!(inventory.fabric.secrets_mount, "secret");
    assert_eq!(
        inventory.devices[1].administrative_state,
        AdministrativeState::Enabled
    );
    assert_eq!(inventory.devices[1].platform, Platform::Nvos);
    let mapping = inventory.devices[1].mapping_for("admin").unwrap();
    assert_eq!(
        mapping.resolved_path("fab1", "ts-01"),
        "fabrics/fab1/ts-01/AdminRW"
    );
    // Serialising and parsing again gives the same inventory.
    assert_eq!(
        Inventory::from_yaml(&inventory.to_yaml()).unwrap(),
        inventory
    );
}

#[test]
fn an_unknown_platform_imports_so_the_device_can_fail_later() {
    let text = SAMPLE.replace("platform: nvos", "platform: eos");
    let inventory = Inventory::from_yaml(&text).unwrap();
    assert_eq!(inventory.devices[1].platform, Platform::Other("eos".into()));
    assert!(!inventory.devices[1].platform.is_supported());
}

fn error_of(text: &str) -> InventoryError {
    Inventory::from_yaml(text).unwrap_err()
}

#[test]
fn errors_name_the_device_and_the_field() {
    let duplicate = SAMPLE
        .replace("id: ts-01", "id: leaf-01")
        .replace("terminalServer: ts-01", "");
    assert_eq!(error_of(&duplicate).location, "devices[1] (leaf-01).id");

    let bad_name = SAMPLE.replace("id: leaf-01", "id: leaf.01");
    assert_eq!(error_of(&bad_name).location, "devices[0] (leaf.01).id");

    let wildcard = SAMPLE.replace("id: fab1", "id: 'fab>'");
    assert_eq!(error_of(&wildcard).location, "fabric.id");

    let same_address = SAMPLE.replace("127.0.0.1:2202", "127.0.0.1:2201");
    assert_eq!(
        error_of(&same_address).location,
        "devices[1] (ts-01).address"
    );

    let unmapped_login = SAMPLE.replace("loginUser: admin", "loginUser: monitor");
    assert_eq!(
        error_of(&unmapped_login).location,
        "devices[1] (ts-01).loginUser"
    );

    let shell_user = SAMPLE.replace("- username: cumulus", "- username: 'x; reboot'");
    assert_eq!(
        error_of(&shell_user).location,
        "devices[0] (leaf-01).passwordMappings[0].username"
    );

    let escaping_path = SAMPLE.replace("fabrics/{fabric}/AdminRW", "../sys/AdminRW");
    assert_eq!(
        error_of(&escaping_path).location,
        "devices[0] (leaf-01).passwordMappings[0].secretPath"
    );

    let bad_key = SAMPLE.replace(
        "AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl",
        "not-base64!",
    );
    assert_eq!(error_of(&bad_key).location, "devices[0] (leaf-01).hostKey");

    let unknown_ts = SAMPLE.replace("terminalServer: ts-01", "terminalServer: ts-09");
    assert_eq!(error_of(&unknown_ts).location, "fabric.terminalServer");
}

#[test]
fn wrong_types_and_unknown_fields_are_refused_with_a_position() {
    let wrong_type = SAMPLE.replace("role: Leaf", "role: [Leaf]");
    let error = error_of(&wrong_type);
    assert!(error.location.starts_with("line "), "{error}");
    assert!(error.problem.contains("devices[0].role"), "{error}");

    let unknown_field = SAMPLE.replace("role: Leaf", "role: Leaf\n    colour: blue");
    assert!(error_of(&unknown_field).problem.contains("colour"));

    let bad_state = SAMPLE.replace("administrativeState: Enabled", "administrativeState: On");
    assert!(error_of(&bad_state).problem.contains("administrativeState"));
}

#[test]
fn names_are_checked_for_subject_safety() {
    for bad in ["", "a.b", "a*", "a>", "a b", "-x", &"x".repeat(65)] {
        assert!(check_name(bad).is_err(), "{bad:?} should be refused");
    }
    for good in ["fab1", "leaf-01", "AdminRW", "x_y"] {
        check_name(good).unwrap();
    }
    for bad in ["", "Root", "a;b", "$(id)", "a b", "1abc"] {
        assert!(check_username(bad).is_err(), "{bad:?} should be refused");
    }
}

#[test]
fn imports_check_intended_configs() {
    let inventory = Inventory::from_yaml(SAMPLE).unwrap();
    let good = "- set:\n    system:\n      hostname: leaf-01\n".to_string();
    let mut import = FabricImport {
        inventory,
        intended_configs: [
            ("leaf-01".to_string(), good.clone()),
            ("ts-01".to_string(), good.clone()),
        ]
        .into(),
    };
    import.validate().unwrap();

    import
        .intended_configs
        .insert("ts-01".into(), "system: {}".into());
    assert_eq!(
        import.validate().unwrap_err().location,
        "devices[1] (ts-01).intendedConfig"
    );

    import.intended_configs.remove("ts-01");
    assert_eq!(
        import.validate().unwrap_err().location,
        "devices[1] (ts-01).intendedConfig"
    );

    import.intended_configs.insert("ts-01".into(), good.clone());
    import.intended_configs.insert("spine-09".into(), good);
    assert_eq!(import.validate().unwrap_err().location, "intendedConfigs");
}

#[test]
fn load_reads_files_relative_to_the_inventory() {
    let dir = std::env::temp_dir().join(format!("rotor-inventory-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("configs")).unwrap();
    std::fs::write(dir.join("inventory.yaml"), SAMPLE).unwrap();
    let config = "- set:\n    system:\n      hostname: x\n";
    std::fs::write(dir.join("configs/leaf-01.yaml"), config).unwrap();
    let missing = FabricImport::load(&dir.join("inventory.yaml")).unwrap_err();
    assert!(
        matches!(missing, LoadError::Read { ref path, .. } if path.ends_with("configs/ts-01.yaml"))
    );
    std::fs::write(dir.join("configs/ts-01.yaml"), config).unwrap();
    let import = FabricImport::load(&dir.join("inventory.yaml")).unwrap();
    assert_eq!(import.intended_configs["leaf-01"], config);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn intended_config_versions_are_stable_and_distinct() {
    assert_eq!(intended_config_version("a"), intended_config_version("a"));
    assert_ne!(intended_config_version("a"), intended_config_version("b"));
    assert_eq!(intended_config_version("a").len(), 16);
}

#[test]
fn masked_passwords_in_intended_configs_are_refused_with_the_device_and_path() {
    let inventory = Inventory::from_yaml(SAMPLE).unwrap();
    let good = "- set:\n    system:\n      hostname: leaf-01\n".to_string();
    // As `nv config show -o yaml` prints a user (NVUE masks every hash as '*').
    for masked in [
        "- set:\n    system:\n      aaa:\n        user:\n          monitor:\n            hashed-password: '*'\n",
        "- set:\n    system:\n      aaa:\n        user:\n          monitor:\n            password: '*'\n",
        "- set:\n    system:\n      aaa:\n        user:\n          monitor:\n            hashed-password: \"*\"\n",
    ] {
        let import = FabricImport {
            inventory: inventory.clone(),
            intended_configs: [
                ("leaf-01".to_string(), good.clone()),
                ("ts-01".to_string(), masked.to_string()),
            ]
            .into(),
        };
        let error = import.validate().unwrap_err();
        assert_eq!(
            error.location, "devices[1] (ts-01).intendedConfig",
            "{masked}"
        );
        assert!(
            error.problem.contains("system.aaa.user.monitor."),
            "{}",
            error.problem
        );
        assert!(error.problem.contains("masked"), "{}", error.problem);
    }
    // A real hash, and no password field at all, are fine.
    let real = "- set:\n    system:\n      aaa:\n        user:\n          monitor:\n            hashed-password: '$6$salt$hash'\n";
    let import = FabricImport {
        inventory,
        intended_configs: [
            ("leaf-01".to_string(), good),
            ("ts-01".to_string(), real.to_string()),
        ]
        .into(),
    };
    import.validate().unwrap();
}

#[test]
fn several_host_keys_can_be_pinned() {
    let text = SAMPLE.replace(
        "    hostKey: ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\n",
        "    hostKeys:\n      - ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBEmKSENjQEezOmxkZMy7opKgwFB9nkt5YRrYMjNuG5N87uRgg6CLrbo5wAdT/y6v0mKV0U2w0WZ2YB/++Tpockg=\n      - ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\n",
    );
    let inventory = Inventory::from_yaml(&text).unwrap();
    assert_eq!(inventory.devices[0].pinned_host_keys().len(), 2);
    inventory.validate().unwrap();
    let none = SAMPLE.replace(
        "    hostKey: ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\n",
        "",
    );
    assert_eq!(error_of(&none).location, "devices[0] (leaf-01).hostKey");
    let twice = text.replace(
        "      - ssh-ed25519",
        "      - ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBEmKSENjQEezOmxkZMy7opKgwFB9nkt5YRrYMjNuG5N87uRgg6CLrbo5wAdT/y6v0mKV0U2w0WZ2YB/++Tpockg=\n      - ssh-ed25519",
    );
    assert_eq!(error_of(&twice).location, "devices[0] (leaf-01).hostKeys");
}

#[test]
fn an_inventory_carries_its_webhooks_and_refuses_a_bad_one_naming_the_field() {
    let with = |webhooks: &str| {
        SAMPLE.replace(
            "  terminalServer: ts-01\n",
            &format!("  terminalServer: ts-01\n  notifications:\n    webhooks:\n{webhooks}"),
        )
    };
    let inventory = Inventory::from_yaml(&with(
        "    - url: https://hooks.example.com/rotor\n      secret: ops-hook\n      events: [operationHalt]\n",
    ))
    .unwrap();
    let webhooks = &inventory.fabric.notifications.as_ref().unwrap().webhooks;
    assert_eq!(webhooks[0].secret, "ops-hook");
    assert_eq!(
        webhooks[0].events,
        Some(vec![notifications::NotificationEvent::OperationHalt])
    );
    // It survives the round trip the import stores.
    assert_eq!(
        Inventory::from_yaml(&inventory.to_yaml()).unwrap(),
        inventory
    );

    let plain = error_of(&with(
        "    - url: http://hooks.example.com/rotor\n      secret: ops-hook\n",
    ));
    assert_eq!(plain.location, "fabric.notifications.webhooks[0].url");
    assert!(plain.problem.contains("https://"), "{plain}");
    let unknown = error_of(&with(
        "    - url: https://hooks.example.com/\n      secret: ops-hook\n      key: abc\n",
    ));
    assert!(unknown.to_string().contains("key"), "{unknown}");
}
