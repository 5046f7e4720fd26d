//! The network's calls to AWS. Together they pass the 800-line limit, so they are
//! split by topic under `aws/` (provider/README.md, "Adding a resource"):
//! `discovery` reads what exists in the VPC, `reconcile` decides what to change and
//! in which order, `objects` creates and deletes the individual objects, `routes`
//! keeps the network's routes, and `ownership` says which routes and tags are the
//! network's. The state built from AWS's answers is in `../state.rs`.

pub(super) mod discovery;
mod objects;
mod ownership;
mod reconcile;
mod routes;
