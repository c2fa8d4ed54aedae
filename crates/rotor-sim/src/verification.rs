//! Password verification against crypt(3) hashes, with a small bounded cache of successful
//! verifications so that a fleet of simulated devices does not spend the CPU a real fabric would
//! spend on its own switches.
//!
//! The cache never holds a password: its entries are SHA-256 digests of (hash, password), and
//! only successful verifications are kept. When it is full it is emptied.

use std::collections::HashSet;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use sha2::{Digest, Sha256};

/// Checks passwords against hashes, remembering successes.
#[derive(Debug)]
pub struct VerificationCache {
    entries: Mutex<HashSet<[u8; 32]>>,
    capacity: usize,
    hits: AtomicU64,
    misses: AtomicU64,
}

impl VerificationCache {
    /// A cache of at most `capacity` successful verifications; 0 disables it.
    pub fn new(capacity: usize) -> VerificationCache {
        VerificationCache {
            entries: Mutex::new(HashSet::new()),
            capacity,
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }

    fn key(password: &str, hash: &str) -> [u8; 32] {
        let mut digest = Sha256::new();
        digest.update(b"rotor-sim verification\0");
        digest.update(hash.as_bytes());
        digest.update([0u8]);
        digest.update(password.as_bytes());
        digest.finalize().into()
    }

    /// Whether `password` matches the crypt(3) `hash` (`$6$`, `$5$`, `$1$`, ...).
    pub fn verify(&self, password: &str, hash: &str) -> bool {
        if self.capacity == 0 {
            return pwhash::unix::verify(password, hash);
        }
        let key = VerificationCache::key(password, hash);
        if self.lock().contains(&key) {
            self.hits.fetch_add(1, Ordering::Relaxed);
            return true;
        }
        self.misses.fetch_add(1, Ordering::Relaxed);
        let matches = pwhash::unix::verify(password, hash);
        if matches {
            let mut entries = self.lock();
            if entries.len() >= self.capacity {
                entries.clear();
            }
            entries.insert(key);
        }
        matches
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashSet<[u8; 32]>> {
        self.entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// (cache hits, full verifications).
    pub fn statistics(&self) -> (u64, u64) {
        (
            self.hits.load(Ordering::Relaxed),
            self.misses.load(Ordering::Relaxed),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verifies_and_caches_only_successes() {
        let hash = pwhash::sha512_crypt::hash_with("$6$rounds=5000$testsalt", "right").unwrap();
        let cache = VerificationCache::new(2);
        assert!(cache.verify("right", &hash));
        assert!(cache.verify("right", &hash));
        assert!(!cache.verify("wrong", &hash));
        assert!(!cache.verify("wrong", &hash));
        assert_eq!(cache.statistics(), (1, 3));
        let uncached = VerificationCache::new(0);
        assert!(uncached.verify("right", &hash));
        assert!(!uncached.verify("right", "not a hash"));
    }
}
