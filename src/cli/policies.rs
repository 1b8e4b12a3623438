//! `schedsim policies`: the registry's list of policies.

pub fn text() -> String {
    schedsim::policy::Registry::describe()
}
