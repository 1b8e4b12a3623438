//! Scenarios: what to simulate. For now the built-in default, a synthetic batch workload on
//! 200 nodes; scenario files come with the mixed-cluster work.

use crate::cluster::Cluster;
use crate::rng;
use crate::workload::lublin::{self, Extent, LublinConfig, Population};
use crate::workload::Workload;

/// Nodes of the default machine.
pub const DEFAULT_NODES: u32 = 200;
/// Cores per node of the default machine.
pub const DEFAULT_CORES_PER_NODE: u32 = 32;
/// Jobs in the default workload.
pub const DEFAULT_JOBS: usize = 10_000;
/// Offered load the default workload is scaled to.
pub const DEFAULT_LOAD: f64 = 0.8;

/// The default run: Lublin–Feitelson batch jobs at 80% offered load on 200 nodes of 32
/// cores, drawn from the stream (`seed`, 0, "default/lublin").
pub fn default_workload(seed: u64) -> (Workload, Cluster) {
    let mut cfg = LublinConfig::new(DEFAULT_NODES, Population::Batch);
    cfg.cores_per_node = DEFAULT_CORES_PER_NODE;
    cfg.target_load = Some(DEFAULT_LOAD);
    let mut rng = rng::stream(seed, 0, "default/lublin");
    let w = lublin::generate_workload(&cfg, Extent::Jobs(DEFAULT_JOBS), &mut rng)
        .expect("the built-in default configuration is valid");
    (w, Cluster::uniform(DEFAULT_NODES, DEFAULT_CORES_PER_NODE))
}
