//! Typed data sources: a model (serde) for configuration and result; the framework
//! decodes the configuration into it and encodes the result with the schema type it
//! built once.

use crate::diag::{DiagResult, Diagnostics};
use crate::framework::resource::Model;
use crate::framework::unknowns::{config_error, decode_config};
use crate::provider::RawDataSource;
use crate::schema::Schema;
use crate::value::{self, Type, Value};
use async_trait::async_trait;
use std::sync::Arc;

#[async_trait]
pub trait DataSource: Send + Sync + 'static {
    type Model: Model;

    /// Full data source type name, e.g. `trustchain_ipv6_plan`.
    const TYPE_NAME: &'static str;

    fn schema(&self) -> Schema;

    /// Checks a configuration. Any value may be unknown, at any depth; a field that
    /// is not wholly known reads `Attr::Unknown` (see `Resource::validate`).
    async fn validate(&self, _config: &Self::Model) -> Diagnostics {
        Diagnostics::new()
    }

    /// The configuration with every computed attribute filled in.
    async fn read(&self, config: Self::Model) -> DiagResult<Self::Model>;
}

/// Registers a typed data source with the framework.
pub fn data_source<D: DataSource>(d: D) -> Arc<dyn RawDataSource> {
    let schema = d.schema();
    let ty = schema.value_type();
    Arc::new(Adapter {
        inner: d,
        schema,
        ty,
    })
}

struct Adapter<D> {
    inner: D,
    schema: Schema,
    ty: Type,
}

#[async_trait]
impl<D: DataSource> RawDataSource for Adapter<D> {
    fn type_name(&self) -> &str {
        D::TYPE_NAME
    }

    fn schema(&self) -> Schema {
        self.schema.clone()
    }

    async fn validate(&self, config: &Value) -> Diagnostics {
        match decode_config::<D::Model>(config) {
            Ok(Some(m)) => self.inner.validate(&m).await,
            Ok(None) => Diagnostics::new(),
            Err(d) => d,
        }
    }

    async fn read(&self, config: Value) -> DiagResult<Value> {
        // Terraform reads a data source only once its configuration is wholly known.
        let m = value::from_value::<D::Model>(&config).map_err(config_error)?;
        let out = self.inner.read(m).await?;
        value::to_value(&out, &self.ty).map_err(Diagnostics::from)
    }
}
