//! A device's SSH host keys, derived deterministically from (seed, device id) so the same
//! simulator seed always gives the same keys and Rotor can pin them: ed25519 (as always),
//! ECDSA P-256 and, only when asked for (it is slow to generate), RSA.

use rand::SeedableRng;
use rand::rngs::ChaCha20Rng;
use russh::keys::PrivateKey;
use russh::keys::ssh_key::private::{EcdsaKeypair, Ed25519Keypair, KeypairData, RsaKeypair};
use russh::keys::ssh_key::{Algorithm, EcdsaCurve, HashAlg};
use sha2::{Digest, Sha256};

use crate::profile::HostKeyType;

/// The size of a simulated device's RSA host key, in bits.
pub const RSA_KEY_BITS: usize = 2048;

/// The host key algorithms a simulated device may offer, in the order OpenSSH prefers them.
/// SHA-1 `ssh-rsa` is not among them (Cumulus Linux 5.16 allows only `rsa-sha2-256` and
/// `rsa-sha2-512` for RSA keys).
pub const HOST_KEY_ALGORITHMS: &[Algorithm] = &[
    Algorithm::Ed25519,
    Algorithm::Ecdsa {
        curve: EcdsaCurve::NistP256,
    },
    Algorithm::Rsa {
        hash: Some(HashAlg::Sha512),
    },
    Algorithm::Rsa {
        hash: Some(HashAlg::Sha256),
    },
];

/// The ed25519 host key: its 32-byte seed is SHA-256(seed || 0x00 || device id).
pub fn derive_ed25519(seed: &str, device_id: &str) -> PrivateKey {
    let mut digest = Sha256::new();
    digest.update(seed.as_bytes());
    digest.update([0u8]);
    digest.update(device_id.as_bytes());
    let key_seed: [u8; 32] = digest.finalize().into();
    PrivateKey::from(Ed25519Keypair::from_seed(&key_seed))
}

/// A ChaCha20 generator seeded with SHA-256(key type || 0x00 || seed || 0x00 || device id):
/// the same inputs always give the same key.
fn key_rng(key_type: &str, seed: &str, device_id: &str) -> ChaCha20Rng {
    let mut digest = Sha256::new();
    for part in [key_type, seed] {
        digest.update(part.as_bytes());
        digest.update([0u8]);
    }
    digest.update(device_id.as_bytes());
    ChaCha20Rng::from_seed(digest.finalize().into())
}

/// The ECDSA P-256 host key of (seed, device id).
pub fn derive_ecdsa_p256(seed: &str, device_id: &str) -> PrivateKey {
    let mut rng = key_rng("ecdsa-sha2-nistp256", seed, device_id);
    let keypair = EcdsaKeypair::random(&mut rng, EcdsaCurve::NistP256)
        .expect("P-256 is compiled into ssh-key");
    PrivateKey::new(KeypairData::from(keypair), "").expect("a fresh P-256 key pair is valid")
}

/// The RSA host key of (seed, device id) ([`RSA_KEY_BITS`] bits; takes a while to generate).
pub fn derive_rsa(seed: &str, device_id: &str) -> PrivateKey {
    let mut rng = key_rng("rsa", seed, device_id);
    let keypair = RsaKeypair::random(&mut rng, RSA_KEY_BITS).expect("RSA is compiled into ssh-key");
    PrivateKey::new(KeypairData::from(keypair), "").expect("a fresh RSA key pair is valid")
}

/// The host keys of (seed, device id) for these types, in the same order.
pub fn derive_host_keys(seed: &str, device_id: &str, types: &[HostKeyType]) -> Vec<PrivateKey> {
    types
        .iter()
        .map(|key_type| match key_type {
            HostKeyType::Ed25519 => derive_ed25519(seed, device_id),
            HostKeyType::EcdsaP256 => derive_ecdsa_p256(seed, device_id),
            HostKeyType::Rsa => derive_rsa(seed, device_id),
        })
        .collect()
}

/// The host keys of many devices, `(device id, key types)` each, in the same order, derived on
/// all cores (ECDSA key generation is about a tenth of a millisecond per key: a second for
/// ten thousand devices on one core).
pub fn derive_many(seed: &str, devices: &[(&str, Vec<HostKeyType>)]) -> Vec<Vec<PrivateKey>> {
    let threads = std::thread::available_parallelism().map_or(1, |count| count.get().min(8));
    if threads < 2 || devices.len() < 64 {
        return devices
            .iter()
            .map(|(id, types)| derive_host_keys(seed, id, types))
            .collect();
    }
    let chunk = devices.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let workers: Vec<_> = devices
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .map(|(id, types)| derive_host_keys(seed, id, types))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|worker| worker.join().expect("key derivation does not panic"))
            .collect()
    })
}

/// A public key in OpenSSH form without a comment: `ssh-ed25519 AAAA...`.
pub fn openssh_public_key(key: &PrivateKey) -> String {
    let text = key.public_key().to_openssh().unwrap_or_default();
    text.split_whitespace()
        .take(2)
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_deterministic_per_seed_device_and_type() {
        let types = [HostKeyType::Ed25519, HostKeyType::EcdsaP256];
        let first = derive_host_keys("seed", "leaf-01", &types);
        let again = derive_host_keys("seed", "leaf-01", &types);
        let other = derive_host_keys("seed", "leaf-02", &types);
        for index in 0..2 {
            assert_eq!(first[index].public_key(), again[index].public_key());
            assert_ne!(first[index].public_key(), other[index].public_key());
        }
        assert!(openssh_public_key(&first[0]).starts_with("ssh-ed25519 AAAA"));
        assert!(openssh_public_key(&first[1]).starts_with("ecdsa-sha2-nistp256 AAAA"));
        let ids: Vec<String> = (0..100).map(|index| format!("leaf-{index:02}")).collect();
        let jobs: Vec<(&str, Vec<HostKeyType>)> =
            ids.iter().map(|id| (id.as_str(), types.to_vec())).collect();
        let many = derive_many("seed", &jobs);
        assert_eq!(many.len(), 100);
        assert_eq!(many[1][0].public_key(), first[0].public_key());
        assert_eq!(many[1][1].public_key(), first[1].public_key());
    }
}
