//! Managed resources, one file each. The registration list lives in `provider.rs`.
