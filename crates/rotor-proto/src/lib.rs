//! Rotor's wire contract, generated from `proto/rotor/v1/rotor.proto`.
//!
//! The generated code is checked in under `src/gen/` so that building Rotor needs no `protoc`.
//! The test `tests/generated_code_is_current.rs` regenerates it with pure-Rust tools and fails if
//! it differs from what is checked in; run it with `ROTOR_REGENERATE=1` to rewrite the files
//! after changing the `.proto`.
//!
//! Every message has serde implementations following the proto3 JSON mapping (camelCase field
//! names, enum values by name, every field emitted), which is the JSON form of the bus contract
//! and of `rotor ... -o json`.

#[allow(clippy::all, missing_debug_implementations)]
pub mod v1 {
    include!("gen/rotor.v1.rs");
    include!("gen/rotor.v1.serde.rs");
}

/// The encoded `FileDescriptorSet` of `proto/`, for gRPC server reflection.
pub const FILE_DESCRIPTOR_SET: &[u8] = include_bytes!("gen/rotor.v1.bin");

/// Where the `.proto` files are, relative to this crate.
pub const PROTO_ROOT: &str = "../../proto";
/// The `.proto` files that make up the contract.
pub const PROTO_FILES: &[&str] = &["rotor/v1/rotor.proto"];
