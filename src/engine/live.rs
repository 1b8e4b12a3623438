//! The engine's per-job state for the jobs in the system (queued or running), in slots that
//! are reused as jobs leave: a run of millions of jobs holds state only for the few hundred in
//! the system at once, plus one slot number per job.

use std::ops::{Index, IndexMut};

use crate::workload::JobIdx;

/// Marks a job that has no slot: not yet submitted, rejected, or gone.
const NO_SLOT: u32 = u32::MAX;

/// `T` for each job in the system, by job index.
#[derive(Debug)]
pub struct LiveJobs<T> {
    slot_of: Vec<u32>,
    slots: Vec<T>,
    free: Vec<u32>,
}

impl<T> LiveJobs<T> {
    /// Room for the jobs `0..jobs`, none of them in the system.
    pub fn new(jobs: usize) -> Self {
        LiveJobs { slot_of: vec![NO_SLOT; jobs], slots: Vec::new(), free: Vec::new() }
    }

    /// Job `j`'s state, if it is in the system.
    pub fn get(&self, j: JobIdx) -> Option<&T> {
        match self.slot_of[j as usize] {
            NO_SLOT => None,
            s => Some(&self.slots[s as usize]),
        }
    }

    pub fn get_mut(&mut self, j: JobIdx) -> Option<&mut T> {
        match self.slot_of[j as usize] {
            NO_SLOT => None,
            s => Some(&mut self.slots[s as usize]),
        }
    }

    /// Job `j` enters the system with `state` (replacing any it had).
    pub fn admit(&mut self, j: JobIdx, state: T) {
        if let Some(old) = self.get_mut(j) {
            *old = state;
            return;
        }
        let s = match self.free.pop() {
            Some(s) => {
                self.slots[s as usize] = state;
                s
            }
            None => {
                self.slots.push(state);
                u32::try_from(self.slots.len() - 1).expect("fewer than 2^32 jobs in the system")
            }
        };
        self.slot_of[j as usize] = s;
    }

    /// Job `j` leaves the system; its slot goes to the next job admitted.
    pub fn release(&mut self, j: JobIdx) {
        let s = std::mem::replace(&mut self.slot_of[j as usize], NO_SLOT);
        if s != NO_SLOT {
            self.free.push(s);
        }
    }
}

impl<T> Index<usize> for LiveJobs<T> {
    type Output = T;

    /// # Panics
    /// If job `j` is not in the system: the engine looked up a job it had let go.
    fn index(&self, j: usize) -> &T {
        self.get(j as JobIdx).expect("job is in the system")
    }
}

impl<T> IndexMut<usize> for LiveJobs<T> {
    fn index_mut(&mut self, j: usize) -> &mut T {
        self.get_mut(j as JobIdx).expect("job is in the system")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_reused_and_gone_jobs_have_none() {
        let mut live = LiveJobs::new(4);
        live.admit(0, 'a');
        live.admit(2, 'c');
        assert_eq!((live.get(0), live.get(1), live[2]), (Some(&'a'), None, 'c'));
        live.release(0);
        live.release(0);
        assert_eq!(live.get(0), None);
        live.admit(3, 'd');
        assert_eq!(live.slots.len(), 2, "job 3 took job 0's slot");
        live[3] = 'e';
        assert_eq!((live.get(3), live.get(2)), (Some(&'e'), Some(&'c')));
    }
}
