//! A run's policy on each axis (queue order, backfill, runtime estimate), by registry name:
//! what a scenario, a comparison or a sweep point chooses.

use super::registry::{Axis, PolicyError, PolicySpec, Registry};

/// A policy on each axis, by registry name.
#[derive(Clone, Debug, PartialEq)]
pub struct PolicyChoice {
    pub order: String,
    pub backfill: String,
    pub estimate: String,
}

impl PolicyChoice {
    /// Checks every name and parameter against the registry.
    pub fn validate(&self) -> Result<(), PolicyError> {
        Registry::check(Axis::Order, &self.order)?;
        Registry::check(Axis::Backfill, &self.backfill)?;
        Registry::check(Axis::Estimate, &self.estimate)
    }

    /// The choice validated and spelled one way: names and parameters trimmed, and no empty
    /// brackets, so that `" fcfs"`, `"fcfs[]"` and `"fcfs"` are one policy with one label.
    pub fn canonical(&self) -> Result<PolicyChoice, PolicyError> {
        self.validate()?;
        let spell = |axis, text: &str| -> Result<String, PolicyError> {
            let spec = PolicySpec::parse(axis, text)?;
            if spec.given.is_empty() {
                return Ok(spec.name);
            }
            let params: Vec<String> = spec.given.iter().map(|(k, v)| format!("{k}={v}")).collect();
            Ok(format!("{}[{}]", spec.name, params.join(",")))
        };
        Ok(PolicyChoice {
            order: spell(Axis::Order, &self.order)?,
            backfill: spell(Axis::Backfill, &self.backfill)?,
            estimate: spell(Axis::Estimate, &self.estimate)?,
        })
    }

    /// `order/backfill`, plus the estimate when it is not the default.
    pub fn label(&self) -> String {
        if self.estimate == "requested" {
            format!("{}/{}", self.order, self.backfill)
        } else {
            format!("{}/{}/{}", self.order, self.backfill, self.estimate)
        }
    }
}

impl Default for PolicyChoice {
    fn default() -> Self {
        PolicyChoice { order: "fcfs".into(), backfill: "easy".into(), estimate: "requested".into() }
    }
}
