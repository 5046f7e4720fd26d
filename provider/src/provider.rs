//! The `trustchain` provider: its configuration block and the registration list of
//! resources, data sources and functions.

use crate::aws::{ProviderData, ProviderSettings};
use crate::cloudhsm::CloudHsm;
use crate::{data_sources, functions, resources};
use async_trait::async_trait;
use std::sync::Arc;
use tfplugin::diag::{Diagnostic, Diagnostics};
use tfplugin::framework::{data_source, resource};
use tfplugin::provider::{ConfigureRequest, Function, Provider, RawDataSource, RawResource};
use tfplugin::schema::Schema;
use tfplugin::value::{self, Value};

pub struct TrustchainProvider {
    data: ProviderData,
    /// CloudHSM resources share one cluster cache (one DescribeClusters per refresh).
    hsm: CloudHsm,
}

impl TrustchainProvider {
    pub fn new() -> Self {
        let data = ProviderData::default();
        Self {
            hsm: CloudHsm::new(data.clone()),
            data,
        }
    }
}

#[async_trait]
impl Provider for TrustchainProvider {
    fn type_name(&self) -> &str {
        "trustchain"
    }

    fn schema(&self) -> Schema {
        crate::aws::schema::provider_block()
    }

    fn resources(&self) -> Vec<Arc<dyn RawResource>> {
        use resources::{cloudhsm_cluster, cloudhsm_cluster_initialization, cloudhsm_hsm};
        vec![
            resource(resources::ipv6_network::Ipv6Network::new(self.data.clone())),
            resource(cloudhsm_cluster::CloudHsmCluster::new(self.hsm.clone())),
            resource(cloudhsm_hsm::CloudHsmHsm::new(self.hsm.clone())),
            resource(
                cloudhsm_cluster_initialization::CloudHsmClusterInitialization::new(
                    self.hsm.clone(),
                ),
            ),
            resource(resources::quic_load_balancer::QuicLoadBalancer::new(
                self.data.clone(),
            )),
            resource(resources::quic_target::QuicTarget::new(self.data.clone())),
        ]
    }

    fn data_sources(&self) -> Vec<Arc<dyn RawDataSource>> {
        vec![
            data_source(data_sources::ipv6_plan::Ipv6Plan),
            data_source(data_sources::cloudhsm_cluster::CloudHsmClusterData::new(
                self.hsm.clone(),
            )),
            data_source(data_sources::cloudhsm_backups::CloudHsmBackupsData::new(
                self.hsm.clone(),
            )),
        ]
    }

    fn functions(&self) -> Vec<Arc<dyn Function>> {
        vec![
            Arc::new(functions::ipv6::Ipv6Subnet),
            Arc::new(functions::ipv6::Ipv6TierSubnet),
        ]
    }

    async fn validate(&self, config: &Value) -> Diagnostics {
        ProviderSettings::validate(config)
    }

    async fn configure(&self, req: ConfigureRequest) -> Diagnostics {
        if !req.config.is_fully_known() {
            return Diagnostic::error(
                "Provider configuration is not known yet",
                "An argument of the trustchain provider block depends on a value known only after apply. Use values known at plan time (variables, locals, data sources).",
            )
            .into();
        }
        match value::from_value::<ProviderSettings>(&req.config) {
            Ok(settings) => self.data.configure(settings, &req.terraform_version).await,
            Err(e) => e.into(),
        }
    }

    async fn stop(&self) {
        tracing::info!("Terraform asked the provider to stop; ending waits");
        self.data.stop();
    }
}
