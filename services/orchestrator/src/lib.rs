//! The orchestrator service (being built).
