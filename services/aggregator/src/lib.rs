//! The aggregator service (being built).
