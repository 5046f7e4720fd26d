//! Data sources, one file each. The registration list lives in `provider.rs`.

pub mod cloudhsm_backups;
pub mod cloudhsm_cluster;
pub mod ipv6_plan;
