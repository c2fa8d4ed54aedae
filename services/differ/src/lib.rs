//! The differ service (being built).
