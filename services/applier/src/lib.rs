//! The applier service (being built).
