//! Typed actions (`action` blocks, Terraform 1.14+): an action declares the model
//! of its `config` block, is checked at validate and plan time (values may be
//! unknown there), and runs with the configuration known, reporting progress as it
//! goes. Terraform runs it from a resource's `action_trigger` or from
//! `terraform apply -invoke=action.<type>.<name>`; it has no state of its own.
//!
//! ```ignore
//! impl Action for BackupCopy {
//!     type Config = BackupCopyConfig;
//!     const TYPE_NAME: &'static str = "trustchain_cloudhsm_backup_copy";
//!     fn schema(&self) -> Schema { ... }
//!     async fn invoke(&self, config: BackupCopyConfig, progress: &mut ActionProgress) -> Diagnostics {
//!         progress.report("copying backup-... to eu-west-1").await;
//!         ...
//!     }
//! }
//! // registration: framework::action(BackupCopy::new(data))
//! ```

use crate::diag::Diagnostics;
use crate::framework::Model;
use crate::framework::list::null_config;
use crate::framework::unknowns::{config_error, decode_config};
use crate::provider::{ActionProgress, RawAction};
use crate::schema::Schema;
use crate::value::{self, Type, Value};
use async_trait::async_trait;
use std::sync::Arc;

#[async_trait]
pub trait Action: Send + Sync + 'static {
    /// The model of the `config` block (fields read `Attr::Unknown` while a value
    /// is not known, in `validate` and `plan`).
    type Config: Model;

    /// The action type, e.g. `trustchain_cloudhsm_backup_copy`.
    const TYPE_NAME: &'static str;

    /// The schema of the `config` block.
    fn schema(&self) -> Schema;

    /// Static checks of a configuration, without the provider configured.
    async fn validate(&self, _config: &Self::Config) -> Diagnostics {
        Diagnostics::new()
    }

    /// Checks with the provider configured, before anything runs.
    async fn plan(&self, _config: &Self::Config) -> Diagnostics {
        Diagnostics::new()
    }

    /// Runs the action; every value of `config` is known. Report each step with
    /// `progress.report(...)`; the returned diagnostics complete the run.
    async fn invoke(&self, config: Self::Config, progress: &mut ActionProgress) -> Diagnostics;
}

/// Registers a typed action with the framework.
pub fn action<A: Action>(a: A) -> Arc<dyn RawAction> {
    let schema = a.schema();
    let ty = schema.value_type();
    Arc::new(ActionAdapter {
        inner: a,
        schema,
        ty,
    })
}

struct ActionAdapter<A> {
    inner: A,
    schema: Schema,
    ty: Type,
}

#[async_trait]
impl<A: Action> RawAction for ActionAdapter<A> {
    fn type_name(&self) -> &str {
        A::TYPE_NAME
    }

    fn schema(&self) -> Schema {
        self.schema.clone()
    }

    async fn validate(&self, config: &Value) -> Diagnostics {
        let config = null_config(config.clone(), &self.ty);
        match decode_config::<A::Config>(&config) {
            Ok(Some(c)) => self.inner.validate(&c).await,
            Ok(None) => Diagnostics::new(),
            Err(d) => d,
        }
    }

    async fn plan(&self, config: &Value) -> Diagnostics {
        let config = null_config(config.clone(), &self.ty);
        match decode_config::<A::Config>(&config) {
            Ok(Some(c)) => {
                let mut d = self.inner.validate(&c).await;
                if !d.has_errors() {
                    d.extend(self.inner.plan(&c).await);
                }
                d
            }
            Ok(None) => Diagnostics::new(),
            Err(d) => d,
        }
    }

    async fn invoke(&self, config: Value, progress: &mut ActionProgress) -> Diagnostics {
        let config = null_config(config, &self.ty);
        let config: A::Config = match value::from_value(&config) {
            Ok(c) => c,
            Err(e) => return config_error(e),
        };
        self.inner.invoke(config, progress).await
    }
}
