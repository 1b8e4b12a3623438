//! Shortest job first: the queue by runtime estimate, shortest first, arrival order among
//! equals.

use super::QueueOrder;
use crate::time::{SimDuration, SimTime};
use crate::workload::Job;

pub struct Sjf;

impl QueueOrder for Sjf {
    fn key(&self, _job: &Job, estimate: SimDuration, _now: SimTime) -> i64 {
        estimate.0
    }
}
