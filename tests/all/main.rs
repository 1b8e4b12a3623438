//! schedsim's integration tests, in one binary: reference schedules from other simulators,
//! hand-computed scenarios, property tests of the scheduling invariants, determinism, and the
//! command line through the real binary.

mod atomic;
mod bounds;
mod cli;
mod common;
#[path = "../support/fixture.rs"]
mod fixture;
mod fuzz;
mod inputs;
mod interactive;
mod io;
mod layout;
mod messages;
mod predicted;
mod properties;
mod qos;
mod queueing;
mod real_slurm;
mod reference;
mod report;
mod report_check;
mod sacct;
mod scenarios;
mod size_pool;
mod slurm;
mod sweep;
