//! Any bytes on `rotor.requests.<fabric>`: decoding (both encodings) and validation must never
//! panic, only accept or reject.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rotor_orchestrator::bus_requests::decode_request;
use rotor_orchestrator::requests::{Method, validate};

fuzz_target!(|data: &[u8]| {
    for json in [false, true] {
        if let Ok(request) = decode_request(data, json) {
            let _ = validate(&request, Method::Either);
        }
    }
});
