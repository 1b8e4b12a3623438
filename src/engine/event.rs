//! The event queue and its total order.
//!
//! Events are ordered by **(time, phase, insertion sequence)**. At one instant, phases run in
//! this order: resource releases (job ends, walltime and idle kills, abandonments; then
//! preemptions, which the engine makes just before the pass), then submissions, then one
//! scheduling pass (wake-ups asked for by a policy), then samplers. So a job ending at `t`
//! frees its cores for a job submitted at `t`, and both are seen by the pass at `t`. Within a
//! phase, events run in the order they were pushed. Submissions are already sorted and bypass
//! this queue, as do samples (taken at interval boundaries between instants); both keep their
//! place in this order in the engine loop.
//!
//! Cancellation is lazy: a job's end event carries the job's generation, which preemption
//! bumps, so a stale end is recognised and dropped when popped.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use crate::time::SimTime;
use crate::workload::JobIdx;

/// Phase of an event within one instant; lower runs first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Phase {
    Release = 0,
    Submit = 1,
    Schedule = 2,
}

/// Every kind of event, one closed enum.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// A running job ends (completes, or is killed at its walltime or idle timeout), unless
    /// the job's generation has moved on since.
    JobEnd(JobIdx, u32),
    /// A waiting job's user gives up, unless it has started.
    Abandon(JobIdx),
    /// A policy asked for a pass at this instant.
    Wakeup,
    /// A running job reaches its predicted end: unless it has ended or its generation has
    /// moved on, its estimate is raised to its request.
    Raise(JobIdx, u32),
}

impl Event {
    pub fn phase(self) -> Phase {
        match self {
            Event::JobEnd(..) | Event::Abandon(_) | Event::Raise(..) => Phase::Release,
            Event::Wakeup => Phase::Schedule,
        }
    }
}

#[derive(Debug)]
struct Entry {
    time: SimTime,
    phase: Phase,
    seq: u64,
    event: Event,
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Entry {
    /// Reversed so that `BinaryHeap`, a max-heap, pops the smallest (time, phase, seq).
    fn cmp(&self, other: &Self) -> Ordering {
        (other.time, other.phase, other.seq).cmp(&(self.time, self.phase, self.seq))
    }
}

/// A priority queue of events in the documented total order.
#[derive(Debug, Default)]
pub struct EventQueue {
    heap: BinaryHeap<Entry>,
    seq: u64,
}

impl EventQueue {
    pub fn push(&mut self, time: SimTime, event: Event) {
        self.seq += 1;
        self.heap.push(Entry { time, phase: event.phase(), seq: self.seq, event });
    }

    /// Removes the next events for as long as `stale` says they would do nothing; returns how
    /// many it removed.
    pub fn drop_stale(&mut self, stale: impl Fn(Event) -> bool) -> u64 {
        let mut n = 0;
        while self.heap.peek().is_some_and(|e| stale(e.event)) {
            self.heap.pop();
            n += 1;
        }
        n
    }

    /// The time of the next event, if any.
    pub fn peek_time(&self) -> Option<SimTime> {
        self.heap.peek().map(|e| e.time)
    }

    /// Pops the next event if it is at `time` in `phase`.
    pub fn pop_if(&mut self, time: SimTime, phase: Phase) -> Option<Event> {
        match self.heap.peek() {
            Some(e) if e.time == time && e.phase == phase => self.heap.pop().map(|e| e.event),
            _ => None,
        }
    }

    pub fn len(&self) -> usize {
        self.heap.len()
    }

    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_by_time_then_phase_then_insertion() {
        let mut q = EventQueue::default();
        q.push(SimTime(5), Event::Wakeup);
        q.push(SimTime(5), Event::JobEnd(2, 0));
        q.push(SimTime(5), Event::JobEnd(1, 0));
        q.push(SimTime(3), Event::Wakeup);
        assert_eq!(q.peek_time(), Some(SimTime(3)));
        assert_eq!(q.pop_if(SimTime(3), Phase::Release), None);
        assert_eq!(q.pop_if(SimTime(3), Phase::Schedule), Some(Event::Wakeup));
        assert_eq!(q.pop_if(SimTime(5), Phase::Release), Some(Event::JobEnd(2, 0)));
        assert_eq!(q.pop_if(SimTime(5), Phase::Release), Some(Event::JobEnd(1, 0)));
        assert_eq!(q.pop_if(SimTime(5), Phase::Release), None);
        assert_eq!(q.pop_if(SimTime(5), Phase::Schedule), Some(Event::Wakeup));
        assert!(q.is_empty());
    }
}
