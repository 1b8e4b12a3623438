//! Scenarios: what to simulate, read from TOML files (see [`schema`] for every key, and
//! `scenarios/README.md` for the table of keys, units and defaults).
//!
//! [`load`] or [`parse`] reads and validates a file; [`build`] turns it into the inputs of a
//! run (cluster, merged workload, login nodes, policy, what to measure). Errors name the file,
//! line and key path (see [`error`]). The built-in default is [`default_scenario`].

pub mod build;
pub mod error;
pub mod overrides;
pub mod schema;
pub mod swf_out;

use std::path::Path;

pub use build::{build, build_replication, Built, LoginInputs};
pub use error::{ErrorKind, KeyPath, ScenarioError};
pub use schema::{parse, Scenario};

/// The built-in default scenario (`scenarios/default.toml`).
pub const DEFAULT_SCENARIO: &str = include_str!("../../scenarios/default.toml");

/// Where the built-in default says it comes from, in messages and headers.
pub const DEFAULT_SCENARIO_PATH: &str = "scenarios/default.toml";

/// The built-in default scenario, parsed and validated.
///
/// # Panics
/// Never in a released build: the embedded file is checked by the tests.
pub fn default_scenario() -> Scenario {
    parse(DEFAULT_SCENARIO, Path::new(DEFAULT_SCENARIO_PATH)).expect("the built-in default scenario is valid")
}

/// Reads and validates the scenario file at `path`.
pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
    let fail =
        |kind| ScenarioError { file: path.to_path_buf(), line: None, path: KeyPath::root(), kind: Box::new(kind) };
    if let Some(what) = crate::workload::wrong_kind(path, false) {
        return Err(fail(ErrorKind::WrongKind(what)));
    }
    let text = std::fs::read_to_string(path).map_err(|e| fail(ErrorKind::Io(e)))?;
    parse(&text, path)
}

#[cfg(test)]
mod tests;
