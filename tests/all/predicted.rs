//! Runtime prediction for backfilling through the engine: a job that outlives its predicted
//! end has its estimate raised to its request, and backfilling plans with the raised one.

use schedsim::cluster::Cluster;

use crate::common::{jobs_secs, run, starts_secs};

#[test]
fn a_job_that_outlives_its_prediction_has_it_raised_to_its_request() {
    // 2 cores. User 1's A (1 core) runs 10 s of 100 requested: B, user 1's next job (1 core,
    // 50 s of 100, at 20), is predicted to run 10 s, until 30. C (user 2, 2 cores, at 21)
    // waits for B, reserved at 30 by the prediction; D (user 3, 1 core, 15 s, at 22) would end
    // at 37 and delay C, so it waits. At 30 B outlives its prediction: raised to its request,
    // B ends at 120 by the estimate, C's reservation moves there, and D is backfilled at 30.
    // B really ends at 70, and C starts then. With requested estimates C is reserved at 120
    // from the start and D starts when it arrives. Conservative does the same: D is first
    // reserved at 40, after C's 30..40; at 30 the plan is rebuilt around B's longer claim, C
    // is placed at 120 and D at 30, now.
    let mut jobs = jobs_secs(&[(0, 10, 100, 1), (20, 50, 100, 1), (21, 10, 10, 2), (22, 15, 15, 1)]);
    for (j, user) in jobs.iter_mut().zip([1, 1, 2, 3]) {
        j.meta.user = user;
    }
    for bf in ["easy", "slurm[interval=0,batch_delay=0,resolution=0]", "conservative"] {
        let predicted = run(&jobs, Cluster::flat(2), "fcfs", bf, "predicted[history=2]");
        assert_eq!(starts_secs(&predicted), [Some(0), Some(20), Some(70), Some(30)], "{bf}");
        let requested = run(&jobs, Cluster::flat(2), "fcfs", bf, "requested");
        assert_eq!(starts_secs(&requested), [Some(0), Some(20), Some(70), Some(22)], "{bf}");
    }
}

#[test]
fn conservative_moves_a_reservation_later_when_a_prediction_is_raised() {
    // As above: C is first promised 30 by the prediction, and starts at 70, when B really
    // ends; D, first reserved at 40 behind C, starts earlier, at 30.
    let mut jobs = jobs_secs(&[(0, 10, 100, 1), (20, 50, 100, 1), (21, 10, 10, 2), (22, 15, 15, 1)]);
    for (j, user) in jobs.iter_mut().zip([1, 1, 2, 3]) {
        j.meta.user = user;
    }
    let out = run(&jobs, Cluster::flat(2), "fcfs", "conservative", "predicted[history=2]");
    let secs = |t: Option<schedsim::time::SimTime>| t.map(|t| t.0 / 1000);
    let promised: Vec<Option<i64>> = out.promised.iter().map(|&p| secs(p)).collect();
    assert_eq!(promised, [Some(0), Some(20), Some(30), Some(40)]);
    assert_eq!(starts_secs(&out), [Some(0), Some(20), Some(70), Some(30)]);
}
