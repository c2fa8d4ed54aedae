//! The fuzz target `fuzz/fuzz_targets/request_decoder.rs`, run deterministically on stable:
//! random and mutated request payloads must decode or be refused, never panic.

use rotor_orchestrator::bus_requests::decode_request;
use rotor_orchestrator::requests::{Method, validate};

struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const SEEDS: &[&str] = &[
    r#"{"kind": "FabricRotatePassword", "fabricId": "fab1", "requestId": "r1"}"#,
    r#"{"kind": "DeviceRotatePassword", "fabricId": "fab1", "deviceIds": ["leaf-01"], "users": ["cumulus"]}"#,
    r#"{"kind": "FabricResyncPassword", "deviceIds": ["a", "b"], "useStored": false}"#,
    r#"{"kind": 3, "fabricId": "f", "requestedBy": "x"}"#,
];

#[test]
fn request_decoding_survives_random_and_mutated_payloads() {
    let mut random = Random(0xfeed_beef_0123_4567);
    let mut accepted = 0;
    for round in 0..20_000 {
        let payload: Vec<u8> = if round % 3 == 0 {
            (0..random.below(120))
                .map(|_| random.next() as u8)
                .collect()
        } else {
            let mut bytes = SEEDS[random.below(SEEDS.len())].as_bytes().to_vec();
            for _ in 0..=random.below(4) {
                if bytes.is_empty() {
                    break;
                }
                let at = random.below(bytes.len());
                match random.below(3) {
                    0 => bytes[at] = random.next() as u8,
                    1 => {
                        bytes.remove(at);
                    }
                    _ => {
                        let alphabet = b"{}[]\",:>*. 0";
                        bytes.insert(at, alphabet[random.below(alphabet.len())]);
                    }
                }
            }
            bytes
        };
        for json in [false, true] {
            if let Ok(request) = decode_request(&payload, json)
                && validate(&request, Method::Either).is_ok()
            {
                accepted += 1;
            }
        }
    }
    assert!(accepted > 0, "some mutated requests stay valid");
}
