//! The load balancer's calls to AWS. Together they pass the 800-line limit, so they
//! are split by topic under `aws/` (provider/README.md, "Adding a resource"):
//! `discovery` reads what exists (one batched set of Describe calls), `reconcile`
//! converges listeners and target groups in AWS's order, and `load_balancer` changes
//! the load balancer itself. The state built from AWS's answers is in `../state.rs`.

pub(super) mod discovery;
mod load_balancer;
mod reconcile;
