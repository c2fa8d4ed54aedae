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
                let ports = free_ports(10).ok_or_else(|| {
                    StackError::NoFreePort(std::io::Error::new(
                        std::io::ErrorKind::AddrInUse,
                        "no 10 loopback ports are free below the ephemeral range",
                    ))
                })?;
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

/// The lowest port chosen, and the kernel's ephemeral range's lowest (32768 when unknown). Ports
/// are chosen between the two, so that no outgoing connection (which takes its local port from
/// the ephemeral range, and many are made while a stack starts) can take one between the choice
/// and the listen.
const LOWEST: u32 = 10_000;

fn ephemeral_low() -> u32 {
    std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|text| text.split_whitespace().next()?.parse().ok())
        .unwrap_or(32768)
        .min(65536)
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

/// `count` free loopback ports below the ephemeral range, each chosen at random (stacks starting
/// side by side, as the tests start them, rarely try the same), at least 2 apart and each with
/// its next port free too: OpenBao's dev server takes its API port + 1 for its cluster address.
/// A small race with other programs remains, acceptable for a local stack.
pub fn free_ports(count: usize) -> Option<Vec<u16>> {
    let span = ephemeral_low().checked_sub(LOWEST + 1)?;
    let mut chosen: Vec<u32> = Vec::with_capacity(count);
    for _ in 0..count * 100 {
        if chosen.len() == count {
            break;
        }
        let port = LOWEST + random_below(span);
        if chosen.iter().all(|&other| port.abs_diff(other) >= 2)
            && bindable(port)
            && bindable(port + 1)
        {
            chosen.push(port);
        }
    }
    (chosen.len() == count).then(|| chosen.into_iter().map(|port| port as u16).collect())
}

/// The first of `count` consecutive free loopback ports below the ephemeral range (the
/// simulator's switches), from a random start, or `None`.
pub fn free_port_range(count: usize) -> Option<u16> {
    let count = count.max(1) as u32;
    let span = ephemeral_low().checked_sub(LOWEST + count)?;
    let start = random_below(span + 1);
    (0..span / count + 1)
        .map(|i| LOWEST + (start + i * count) % (span + 1))
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
        let ephemeral_low: u16 = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
            .unwrap()
            .split_whitespace()
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!(all.iter().all(|&port| port < ephemeral_low), "{ports:?}");
    }
}
