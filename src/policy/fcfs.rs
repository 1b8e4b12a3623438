//! First come, first served: the queue in arrival order.

use super::QueueOrder;
use crate::time::{SimDuration, SimTime};
use crate::workload::Job;

pub struct Fcfs;

impl QueueOrder for Fcfs {
    fn key(&self, _job: &Job, _estimate: SimDuration, _now: SimTime) -> i64 {
        // Every key equal: the queue's tie-break, arrival order, decides alone.
        0
    }
}
