//! The fuzz target `fuzz/fuzz_targets/nvue_parsers.rs`, run deterministically on stable: random
//! and mutated device output must never make a parser panic, and nothing accepted carries a hash.

use rotor_device::diff::classify;
use rotor_device::nvue::{check_startup_yaml, parse_apply, parse_diff_commands, parse_user_exists};
use rotor_device::ssh::CommandOutput;

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
    "nv set system aaa user cumulus hashed-password *\nnv unset interface swp9\n",
    "nv set system aaa user admin password '$6$salt$hash'\n",
    "applied [rev_id: 42]\n",
    "Warning: No pending configuration changes to apply.\n",
    "- header:\n    rev-id: 1.0\n- set:\n    system:\n      hostname: leaf-01\n",
    "{\"full-name\": \"cumulus,,,\", \"role\": \"system-admin\"}",
    "Error: The requested item does not exist.",
    "",
];

const PIECES: &[&str] = &[
    "nv ",
    "set ",
    "unset ",
    "$6$",
    "'",
    "\n",
    "*",
    "applied [rev_id: ",
    "]",
    "- set:",
    "{",
    "}",
    "\u{0}",
    "é",
    "  ",
    ":",
];

fn mutate(random: &mut Random, seed: &str) -> String {
    let mut bytes = seed.as_bytes().to_vec();
    for _ in 0..=random.below(6) {
        match random.below(4) {
            0 if !bytes.is_empty() => {
                let at = random.below(bytes.len());
                bytes.remove(at);
            }
            1 => {
                let at = random.below(bytes.len() + 1);
                bytes.insert(at, random.next() as u8);
            }
            2 => {
                let at = random.below(bytes.len() + 1);
                let piece = PIECES[random.below(PIECES.len())].as_bytes();
                bytes.splice(at..at, piece.iter().copied());
            }
            _ if !bytes.is_empty() => {
                let at = random.below(bytes.len());
                bytes.truncate(at);
            }
            _ => {}
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

#[test]
fn parsers_survive_random_and_mutated_device_output() {
    let mut random = Random(0x5eed_1234_abcd_9876);
    for round in 0..20_000 {
        let text = if round % 4 == 0 {
            let length = random.below(200);
            let bytes: Vec<u8> = (0..length).map(|_| random.next() as u8).collect();
            String::from_utf8_lossy(&bytes).into_owned()
        } else {
            let seed = SEEDS[random.below(SEEDS.len())];
            mutate(&mut random, seed)
        };
        if let Ok(lines) = parse_diff_commands(&text) {
            assert!(lines.iter().all(|line| !line.contains("$6$")), "{text:?}");
            let _ = classify(&lines, &["cumulus".to_string()], &["hashed-password"]);
        }
        let _ = parse_apply(&text);
        let _ = check_startup_yaml(&text);
        let output = CommandOutput {
            stdout: text.clone(),
            stderr: String::new(),
            exit: (round % 2) as u32,
        };
        let _ = parse_user_exists(&output);
        assert!(
            !rotor_device::redact_hashes(&text).contains("$6$"),
            "{text:?}"
        );
    }
}
