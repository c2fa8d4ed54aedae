//! The loopback ports of a local stack: the well-known ones (each checked free, a busy one
//! named) or free ones chosen at start: NATS, OpenBao, the API, the simulator's control
//! interface, and the metrics endpoint of each service's first copy.

use std::net::TcpListener;

use crate::StackError;

/// Which ports a stack uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PortChoice {
    /// [`Ports::WELL_KNOWN`]; a busy one stops the start, naming it.
    WellKnown,
    /// Free ports chosen at start (several stacks side by side).
    Free,
}

/// The ports of one stack.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ports {
    /// NATS's client port.
    pub nats: u16,
    /// OpenBao's API.
    pub bao: u16,
    /// The Rotor API (the orchestrator's gRPC).
    pub api: u16,
    /// The simulator's HTTP control interface.
    pub control: u16,
    /// The web console (when the stack runs it).
    pub console: u16,
    /// The metrics endpoint of each service's first copy, in [`crate::services::SERVICES`]
    /// order (other copies get free ports as they start).
    pub metrics: [u16; 5],
}

impl Ports {
    /// NATS 4222, OpenBao 8200, API 50051, simulator control 50052, console 50053, metrics
    /// 9470 to 9474.
    pub const WELL_KNOWN: Ports = Ports {
        nats: 4222,
        bao: 8200,
        api: 50051,
        control: 50052,
        console: 50053,
        metrics: crate::metrics::WELL_KNOWN_METRICS_PORTS,
    };

    /// The well-known ports (each checked free, a busy one named) or free ones.
    pub fn choose(choice: PortChoice) -> Result<Ports, StackError> {
        match choice {
            PortChoice::WellKnown => {
                let ports = Ports::WELL_KNOWN;
                let named = [
                    (ports.nats, "NATS"),
                    (ports.bao, "OpenBao"),
                    (ports.api, "the Rotor API"),
                    (ports.control, "the simulator's control interface"),
                    (ports.console, "the web console"),
                ];
                let metrics = ports
                    .metrics
                    .map(|port| (port, "a service's metrics endpoint"));
                for (port, what) in named.into_iter().chain(metrics) {
                    if let Err(error) = TcpListener::bind(("127.0.0.1", port)) {
                        return Err(StackError::PortBusy { port, what, error });
                    }
                }
                Ok(ports)
            }
            PortChoice::Free => {
                let ports = free_ports(10)?;
                Ok(Ports {
                    nats: ports[0],
                    bao: ports[1],
                    api: ports[2],
                    control: ports[3],
                    console: ports[4],
                    metrics: [ports[5], ports[6], ports[7], ports[8], ports[9]],
                })
            }
        }
    }
}

// Ports are chosen below the kernel's ephemeral range, so that no outgoing connection (which
// takes its local port from that range, and many are made while a stack starts) can take one
// between the choice and the listen. Below it, two pools that never overlap: the simulator's
// blocks of consecutive ports (one per switch, up to tens of thousands) low, and single servers'
// ports high. A server's port chosen before the simulator starts is not listening yet when the
// simulator's block is checked, so only disjoint pools keep the two apart.

/// Where the simulator's blocks start: above the well-known ports a stack uses below it
/// (NATS 4222, OpenBao 8200, metrics 9470-9474), which are not all listening yet when the
/// simulator's block is chosen.
const BLOCKS_LOWEST: u32 = 10_000;
/// Where single ports start (the blocks end below it; 12,000 ports hold a 10,000-switch
/// fabric's block).
const SINGLES_LOWEST: u32 = 22_000;

/// The lowest port of the kernel's ephemeral range (32768 when unknown), at least
/// [`SINGLES_LOWEST`] + 1000.
fn ephemeral_low() -> u32 {
    std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|text| text.split_whitespace().next()?.parse().ok())
        .unwrap_or(32768)
        .clamp(SINGLES_LOWEST + 1000, 65536)
}

/// A random number below `bound` (at least 1), from the standard library's per-process random
/// hasher keys.
fn random_below(bound: u32) -> u32 {
    use std::hash::{BuildHasher, RandomState};
    (RandomState::new().hash_one(std::process::id()) % u64::from(bound.max(1))) as u32
}

fn bindable(port: u32) -> bool {
    TcpListener::bind(("127.0.0.1", port as u16)).is_ok()
}

/// The next single-port candidate of this process: from a random place, 2 apart each time, so
/// one process never hands out the same port twice and processes starting side by side (the
/// tests) walk different stretches.
fn next_single() -> u32 {
    use std::sync::OnceLock;
    use std::sync::atomic::{AtomicU32, Ordering};
    static CURSOR: OnceLock<AtomicU32> = OnceLock::new();
    let span = ephemeral_low() - SINGLES_LOWEST - 1;
    let cursor = CURSOR.get_or_init(|| AtomicU32::new(random_below(span)));
    SINGLES_LOWEST + cursor.fetch_add(2, Ordering::Relaxed) % span
}

/// `count` free loopback ports for servers, below the ephemeral range and above the simulator's
/// blocks, at least 2 apart and each with its next port free too: OpenBao's dev server takes its
/// API port + 1 for its cluster address. A small race with other programs remains, acceptable
/// for a local stack.
pub fn free_ports(count: usize) -> Result<Vec<u16>, StackError> {
    let mut chosen = Vec::with_capacity(count);
    for _ in 0..10_000 {
        if chosen.len() == count {
            return Ok(chosen);
        }
        let port = next_single();
        if bindable(port) && bindable(port + 1) {
            chosen.push(port as u16);
        }
    }
    Err(StackError::NoFreePort(std::io::Error::new(
        std::io::ErrorKind::AddrInUse,
        format!("{count} loopback ports are not free below the ephemeral range"),
    )))
}

/// One port of [`free_ports`].
pub fn free_port() -> Result<u16, StackError> {
    Ok(free_ports(1)?[0])
}

/// The first of `count` consecutive free loopback ports below the servers' pool (the
/// simulator's switches), from a random start, or `None` when no such block is free.
pub fn free_port_range(count: usize) -> Option<u16> {
    let count = count.max(1) as u32;
    let span = SINGLES_LOWEST.checked_sub(BLOCKS_LOWEST + count)?;
    let start = random_below(span + 1);
    (0..span / count + 1)
        .map(|i| BLOCKS_LOWEST + (start + i * count) % (span + 1))
        .find(|&base| (0..count).all(|i| bindable(base + i)))
        .map(|base| base as u16)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_ports_differ() {
        let ports = Ports::choose(PortChoice::Free).unwrap();
        let mut all = vec![
            ports.nats,
            ports.bao,
            ports.api,
            ports.control,
            ports.console,
        ];
        all.extend(ports.metrics);
        all.sort();
        // At least 2 apart: OpenBao takes its port + 1 too.
        assert!(
            all.windows(2).all(|pair| pair[1] - pair[0] >= 2),
            "{ports:?}"
        );
        assert!(
            all.iter()
                .all(|&port| (SINGLES_LOWEST..ephemeral_low()).contains(&u32::from(port))),
            "{ports:?}"
        );
        // The simulator's blocks lie below every server's port, even a 10,000-switch one.
        let block = u32::from(free_port_range(10_000).expect("a free block"));
        assert!(
            block >= BLOCKS_LOWEST && block + 10_000 <= SINGLES_LOWEST,
            "{block}"
        );
        // One process never hands out the same port twice.
        let more = free_ports(50).unwrap();
        let mut distinct = more.clone();
        distinct.sort();
        distinct.dedup();
        assert_eq!(distinct.len(), more.len(), "{more:?}");
    }
}
