//! Conservative backfilling (Mu'alem & Feitelson 2001): every queued job holds a reservation
//! on specific nodes, made when it arrives at the earliest slot the availability profile
//! offers. A job starts when its reservation falls due. When a job ends before its estimate,
//! reservations are compressed in queue order, each withdrawn and placed again at the
//! earliest slot: since its old slot is still free for it, no job is ever delayed.
//!
//! With predicted runtimes, a running job that outlives its prediction has its estimate raised
//! to its request (by the engine): the plan is then rebuilt, every reservation placed again in
//! queue order around the longer claim, and a reservation may move later.
//!
//! A reservation is left in place, without being withdrawn and placed again, when nothing was
//! freed on its partition's nodes since it was placed: the profile there has only lost
//! resources since, so no earlier window can fit, and first fit at the same start picks the
//! same nodes. The result is the same as re-placing it, at a fraction of the cost on machines
//! with several partitions. On a machine of one node, core counts tell where a search would put
//! it (see [`Profile::compress`]), and it is moved there without a search.

use super::{Backfill, Pass};
use crate::cluster::{Allocation, Cluster, Compression, NodeId, Profile, Res};
use crate::time::{SimDuration, SimTime};
use crate::workload::JobIdx;

/// Reservations last at least this long (as in the profile), so a zero-length job's claim
/// is released exactly.
const MIN_SPAN: SimDuration = SimDuration(1);

#[derive(Default)]
pub struct Conservative {
    profile: Option<Profile>,
    /// Reservation of each queued job, indexed by job.
    reservations: Vec<Option<(SimTime, Allocation)>>,
    alloc: Allocation,
    /// A counter of profile changes: each gain and each placement takes the next value.
    clock: u64,
    /// When each queued job's reservation was placed (a `clock` value), indexed by job.
    placed_at: Vec<u64>,
    /// When resources were last freed on each partition's nodes (a `clock` value).
    gained_at: Vec<u64>,
}

impl Conservative {
    /// Notes that `alloc`'s resources were freed: every partition holding one of its nodes
    /// may now offer earlier slots.
    fn gained(&mut self, cluster: &Cluster, alloc: &[(NodeId, Res)]) {
        self.clock += 1;
        for (p, part) in cluster.partitions().iter().enumerate() {
            if alloc.iter().any(|&(n, _)| part.contains(n)) {
                self.gained_at[p] = self.clock;
            }
        }
    }

    /// Notes that `j`'s reservation is where a search made now would put it.
    fn stamp(&mut self, j: JobIdx) {
        self.clock += 1;
        self.placed_at[j as usize] = self.clock;
    }

    fn placed(&mut self, j: JobIdx, start: SimTime) {
        self.stamp(j);
        self.reservations[j as usize] = Some((start, std::mem::take(&mut self.alloc)));
    }
}

impl Backfill for Conservative {
    fn schedule(&mut self, pass: &mut Pass<'_>) {
        let now = pass.now;
        let (queue, estimates) = (pass.queue, pass.estimates);
        if self.reservations.len() != pass.jobs.len() {
            self.reservations = vec![None; pass.jobs.len()];
            self.placed_at = vec![0; pass.jobs.len()];
        }
        self.gained_at.resize(pass.cluster.partitions().len(), 0);
        let mut profile = self.profile.take().unwrap_or_else(|| Profile::new(pass.cluster, now));
        profile.advance(now);

        // A running job that outlived its prediction holds its resources longer than planned,
        // where reservations may lie: every reservation is withdrawn, the longer claims made,
        // and the reservations placed again in queue order, from the profile.
        let mut replan = Vec::new();
        if !pass.raised.is_empty() {
            for &j in queue {
                if let Some((start, alloc)) = self.reservations[j as usize].take() {
                    profile.release(start, start.saturating_add(estimates[j as usize].max(MIN_SPAN)), &alloc);
                    self.gained(pass.cluster, &alloc);
                    replan.push(j);
                }
            }
            for r in pass.raised {
                let from = r.from.max(now);
                if r.to > from {
                    profile.reserve(from, r.to - from, pass.allocation(r.job));
                }
            }
        }

        let mut freed_early = false;
        for &j in pass.withdrawn {
            if let Some((start, alloc)) = self.reservations[j as usize].take() {
                let est = estimates[j as usize];
                profile.release(start, start.saturating_add(est.max(MIN_SPAN)), &alloc);
                self.gained(pass.cluster, &alloc);
                freed_early = true;
            }
        }
        for e in pass.ended {
            // A zero-estimate job claimed [start, start + MIN_SPAN) and started and ended now.
            let claimed_until = if estimates[e.job as usize] == SimDuration::ZERO {
                now.saturating_add(MIN_SPAN)
            } else {
                e.estimated_end
            };
            if claimed_until > now {
                profile.release(now, claimed_until, pass.allocation(e.job));
                self.gained(pass.cluster, pass.allocation(e.job));
                freed_early = true;
            }
        }

        for &j in &replan {
            let job = &pass.jobs[j as usize];
            let est = estimates[j as usize];
            let start =
                profile.earliest(job.task, job.tasks, est, pass.cluster.partition(job.partition), &mut self.alloc);
            profile.reserve(start, est, &self.alloc);
            pass.promise(j, start);
            self.placed(j, start);
        }
        if freed_early && replan.is_empty() {
            for &j in queue {
                let job = &pass.jobs[j as usize];
                if self.gained_at[job.partition as usize] < self.placed_at[j as usize] {
                    // Nothing was freed on its nodes since it was placed: it would stay.
                    continue;
                }
                let est = estimates[j as usize];
                let Some((start, alloc)) = self.reservations[j as usize].take() else {
                    continue;
                };
                match profile.compress(start, est, &alloc) {
                    Compression::Stays => {
                        self.reservations[j as usize] = Some((start, alloc));
                        self.stamp(j);
                        continue;
                    }
                    Compression::Moved(to) => {
                        // What withdrawing it and searching again would give: the same claim.
                        pass.promise(j, to);
                        self.gained(pass.cluster, &alloc);
                        self.reservations[j as usize] = Some((to, alloc));
                        self.stamp(j);
                        continue;
                    }
                    Compression::Search => {}
                }
                profile.release(start, start.saturating_add(est.max(MIN_SPAN)), &alloc);
                let part = pass.cluster.partition(job.partition);
                let new_start = profile.earliest(job.task, job.tasks, est, part, &mut self.alloc);
                debug_assert!(new_start <= start, "compression delayed a reservation");
                pass.promise(j, new_start);
                profile.reserve(new_start, est, &self.alloc);
                if (new_start, &self.alloc) != (start, &alloc) {
                    // Its old slot, less what it took again, is free for later jobs.
                    self.gained(pass.cluster, &alloc);
                }
                self.placed(j, new_start);
            }
        }

        for &j in pass.arrived {
            let est = estimates[j as usize];
            let job = &pass.jobs[j as usize];
            let part = pass.cluster.partition(job.partition);
            let start = profile.earliest(job.task, job.tasks, est, part, &mut self.alloc);
            profile.reserve(start, est, &self.alloc);
            pass.promise(j, start);
            self.placed(j, start);
        }
        self.profile = Some(profile);

        let mut next_due = None::<SimTime>;
        for &j in queue {
            match &self.reservations[j as usize] {
                Some((start, _)) if *start == now => {
                    let (_, alloc) = self.reservations[j as usize].take().expect("matched above");
                    pass.start(j, alloc);
                }
                Some((start, _)) => next_due = Some(next_due.map_or(*start, |t| t.min(*start))),
                None => {}
            }
        }
        // A reservation normally falls due when a job ends; ask for a pass in case none does.
        if let Some(t) = next_due {
            pass.wake_at(t);
        }
    }

    fn plans_every_arrival(&self) -> bool {
        true
    }
}
