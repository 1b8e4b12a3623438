//! Conservative backfilling (Mu'alem & Feitelson 2001): every queued job holds a reservation
//! on specific nodes, made when it arrives at the earliest slot the availability profile
//! offers. A job starts when its reservation falls due. When a job ends before its estimate,
//! reservations are compressed in queue order, each withdrawn and placed again at the
//! earliest slot: since its old slot is still free for it, no job is ever delayed.

use super::{Backfill, Pass};
use crate::cluster::{Allocation, Profile};
use crate::time::{SimDuration, SimTime};

/// Reservations last at least this long (as in the profile), so a zero-length job's claim
/// is released exactly.
const MIN_SPAN: SimDuration = SimDuration(1);

#[derive(Default)]
pub struct Conservative {
    profile: Option<Profile>,
    /// Reservation of each queued job, indexed by job.
    reservations: Vec<Option<(SimTime, Allocation)>>,
    alloc: Allocation,
}

impl Backfill for Conservative {
    fn schedule(&mut self, pass: &mut Pass<'_>) {
        let now = pass.now;
        let (queue, estimates) = (pass.queue, pass.estimates);
        if self.reservations.len() != pass.jobs.len() {
            self.reservations = vec![None; pass.jobs.len()];
        }
        let profile = self.profile.get_or_insert_with(|| Profile::new(pass.cluster, now));
        profile.advance(now);

        let mut freed_early = false;
        for &j in pass.withdrawn {
            if let Some((start, alloc)) = self.reservations[j as usize].take() {
                let est = estimates[j as usize];
                profile.release(start, start.saturating_add(est.max(MIN_SPAN)), &alloc);
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
                freed_early = true;
            }
        }

        if freed_early {
            for &j in queue {
                if let Some((start, alloc)) = self.reservations[j as usize].take() {
                    let est = estimates[j as usize];
                    profile.release(start, start.saturating_add(est.max(MIN_SPAN)), &alloc);
                    let job = &pass.jobs[j as usize];
                    let part = pass.cluster.partition(job.partition);
                    let new_start = profile.earliest(job.task, job.tasks, est, part, &mut self.alloc);
                    debug_assert!(new_start <= start, "compression delayed a reservation");
                    pass.promise(j, new_start);
                    profile.reserve(new_start, est, &self.alloc);
                    self.reservations[j as usize] = Some((new_start, std::mem::take(&mut self.alloc)));
                }
            }
        }

        for &j in pass.arrived {
            let est = estimates[j as usize];
            let job = &pass.jobs[j as usize];
            let part = pass.cluster.partition(job.partition);
            let start = profile.earliest(job.task, job.tasks, est, part, &mut self.alloc);
            profile.reserve(start, est, &self.alloc);
            pass.promise(j, start);
            self.reservations[j as usize] = Some((start, std::mem::take(&mut self.alloc)));
        }

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
