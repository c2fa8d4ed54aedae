//! Regenerates the code in `src/gen/` from `proto/` with pure-Rust tools (protox, prost,
//! tonic and pbjson generators) and fails if the checked-in files differ.
//! `ROTOR_REGENERATE=1 cargo test -p rotor-proto --test generated_code_is_current` rewrites them.

use std::path::{Path, PathBuf};

use prost::Message;

fn generate(out_dir: &Path) {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let proto_root = crate_dir.join(rotor_proto::PROTO_ROOT);
    let descriptors =
        protox::compile(rotor_proto::PROTO_FILES, [&proto_root]).expect("the .proto files compile");
    let descriptor_bytes = descriptors.encode_to_vec();
    std::fs::write(out_dir.join("rotor.v1.bin"), &descriptor_bytes).unwrap();

    tonic_prost_build::configure()
        .build_client(true)
        .build_server(true)
        .build_transport(true)
        .emit_rerun_if_changed(false)
        .out_dir(out_dir)
        .compile_fds(descriptors)
        .expect("prost and tonic generate the code");

    pbjson_build::Builder::new()
        .register_descriptors(&descriptor_bytes)
        .unwrap()
        .out_dir(out_dir)
        .emit_fields()
        .build(&[".rotor.v1"])
        .expect("pbjson generates the serde code");
}

#[test]
fn generated_code_is_current() {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let checked_in = crate_dir.join("src/gen");
    let fresh: PathBuf =
        std::env::temp_dir().join(format!("rotor-proto-gen-{}", std::process::id()));
    std::fs::create_dir_all(&fresh).unwrap();
    generate(&fresh);
    let regenerate = std::env::var_os("ROTOR_REGENERATE").is_some();
    let mut stale = Vec::new();
    for name in ["rotor.v1.rs", "rotor.v1.serde.rs", "rotor.v1.bin"] {
        let new = std::fs::read(fresh.join(name)).unwrap();
        let old = std::fs::read(checked_in.join(name)).unwrap_or_default();
        if new != old {
            if regenerate {
                std::fs::write(checked_in.join(name), &new).unwrap();
            } else {
                stale.push(name);
            }
        }
    }
    std::fs::remove_dir_all(&fresh).unwrap();
    assert!(
        stale.is_empty(),
        "src/gen/{stale:?} differ from what proto/ generates; run \
         `ROTOR_REGENERATE=1 cargo test -p rotor-proto --test generated_code_is_current`"
    );
}
