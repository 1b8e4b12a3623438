//! schedsim's integration tests, in one binary: reference schedules from other simulators,
//! hand-computed scenarios, property tests of the scheduling invariants, determinism, and the
//! command line through the real binary.

mod common;
mod reference;
mod scenarios;
