//! Limits on what one caller, request or device can make a service hold: a command's output,
//! gRPC messages, calls per caller, bus requests in flight, event streams per caller.

use std::time::Duration;

use rotor_device::DeviceError;
use rotor_device::ssh::{Session, SshOptions};
use rotor_e2e::{StackOptions, TestStack};

/// A switch that prints more than `ROTOR_DEVICE_OUTPUT_MAX_BYTES` for one command: Rotor stops
/// reading and fails the command naming the limit and the setting, over real SSH.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_printing_without_end_is_cut_off_at_the_output_limit() {
    let stack = TestStack::start(StackOptions {
        devices: 1,
        platform_mix: (1, 0),
        import: false,
        ..Default::default()
    })
    .await
    .unwrap();
    let device = stack.device(&stack.device_ids()[0]);
    let address = device.address().to_string();
    let connect = |options: SshOptions| {
        let (address, keys, password) = (
            address.clone(),
            device.host_keys(),
            stack.initial_password.clone(),
        );
        async move {
            Session::connect(&address, &keys, "cumulus", &password, &options)
                .await
                .unwrap()
        }
    };
    // 600 KB in a file on the switch, printed back.
    let big = "x".repeat(1023) + "\n";
    let big = big.repeat(600);
    let session = connect(SshOptions::default()).await;
    let upload = session
        .run_with_input("cat > /tmp/big", Some(big.as_bytes()))
        .await
        .unwrap();
    assert!(upload.succeeded(), "{upload:?}");
    let whole = session.run("cat /tmp/big").await.unwrap();
    assert_eq!(whole.stdout.len(), big.len(), "under the default limit");
    session.close().await;

    let limited = connect(SshOptions {
        output_max_bytes: 64 << 10,
        command_timeout: Duration::from_secs(20),
        ..Default::default()
    })
    .await;
    let error = limited.run("cat /tmp/big").await.unwrap_err();
    assert!(
        matches!(&error, DeviceError::OutputTooLarge { limit, .. } if *limit == 64 << 10),
        "{error:?}"
    );
    assert_eq!(
        error.code(),
        rotor_proto::v1::ErrorCode::UnexpectedDeviceOutput
    );
    let message = error.to_string();
    assert!(
        message.contains("65536") && message.contains("ROTOR_DEVICE_OUTPUT_MAX_BYTES"),
        "{message}"
    );
    // The session is still usable for short answers.
    let short = limited.run("cat /tmp/missing").await.unwrap();
    assert!(!short.succeeded());
    limited.close().await;
    stack.shutdown().await;
}
