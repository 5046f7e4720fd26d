//! Actions (Terraform 1.14+): operations run from a resource's `action_trigger` or
//! with `terraform apply -invoke`, which keep no state of their own.

pub mod cloudhsm_backup_copy;
