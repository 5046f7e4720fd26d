//! The framework resources are written against: typed resources, data sources, list
//! resources and actions ([`resource`], [`data_source`], [`list`], [`action`]), the default planner ([`plan`]), `timeouts` blocks
//! ([`timeouts`]), and behind them the per-RPC logic (`rpc`: decoding with cached
//! schema types, default planning, apply routing, identity, capability checks) that
//! the thin tonic adapter in `crate::server` calls.

pub mod action;
pub mod data_source;
pub mod list;
pub mod plan;
pub mod resource;
pub(crate) mod rpc;
pub mod timeouts;
pub mod unknowns;

pub use action::{Action, action};
pub use data_source::{DataSource, data_source};
pub use list::{List, ListResource, Lister, list_resource};
pub use resource::{
    Applied, Create, Delete, Import, Model, Plan, Read, Refreshed, Resource, Update, check_model,
    model_from_json, resource,
};
pub use timeouts::{Operation, Timeouts};
