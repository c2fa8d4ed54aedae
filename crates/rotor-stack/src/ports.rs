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
                // Hold all of them at once so they differ.
                let listeners: Vec<TcpListener> = (0..10)
                    .map(|_| TcpListener::bind("127.0.0.1:0"))
                    .collect::<Result<_, _>>()
                    .map_err(StackError::NoFreePort)?;
                let port = |i: usize| {
                    listeners[i]
                        .local_addr()
                        .map(|a| a.port())
                        .map_err(StackError::NoFreePort)
                };
                Ok(Ports {
                    nats: port(0)?,
                    bao: port(1)?,
                    api: port(2)?,
                    control: port(3)?,
                    console: port(4)?,
                    metrics: [port(5)?, port(6)?, port(7)?, port(8)?, port(9)?],
                })
            }
        }
    }
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
        assert!(all.windows(2).all(|pair| pair[0] != pair[1]), "{ports:?}");
    }
}
