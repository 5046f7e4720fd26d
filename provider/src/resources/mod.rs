//! Managed resources, one folder each. The registration list lives in `provider.rs`.

pub mod cloudhsm_cluster;
pub mod cloudhsm_cluster_initialization;
pub mod cloudhsm_hsm;
pub mod ipv6_network;
pub mod moved;
#[cfg(test)]
pub mod plan_testing;
pub mod quic_load_balancer;
pub mod quic_target;
