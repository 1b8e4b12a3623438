//! # schedsim
//!
//! A deterministic discrete-event simulator of an HPC cluster's scheduler.
//!
//! Data flows one way: a workload source ([`workload`]) yields jobs in arrival order; the
//! [`engine`] runs them on a [`cluster`] under a queue order and a backfill strategy from
//! the [`policy`] registry and writes one [`metrics::JobRecord`] per job; [`metrics`]
//! summarises the records and [`report`] writes them out.
//!
//! ## Event model
//! Simulated time is an integer count of milliseconds ([`time::SimTime`]). Events are
//! ordered by (time, phase, insertion sequence); at one instant, job ends come first, then
//! submissions, then a single scheduling pass (see [`engine::event`]). A job ending at `t`
//! therefore frees its cores for a job submitted at `t`.
//!
//! ## Determinism
//! The same inputs and seed give byte-identical outputs on any machine and at any thread
//! count: no float decides an order, no hash-map iteration reaches an output, and every
//! random stream is a ChaCha8 generator derived from (seed, run, stream name) by [`rng`].

pub mod civil;
pub mod cluster;
pub mod echo;
pub mod engine;
pub mod experiment;
pub mod metrics;
pub mod policy;
pub mod report;
pub mod res;
pub mod rng;
pub mod scenario;
pub mod series;
pub mod time;
pub mod units;
pub mod workload;
