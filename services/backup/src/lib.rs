//! The backup service (being built).
