//! schedsim's integration tests, in one binary: reference schedules from other simulators,
//! hand-computed scenarios, property tests of the scheduling invariants, determinism, and the
//! command line through the real binary.

mod cli;
mod common;
mod interactive;
mod io;
mod properties;
mod queueing;
mod reference;
mod report;
mod sacct;
mod scenarios;
mod size_pool;
mod slurm;
mod sweep;
