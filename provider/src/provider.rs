//! The `trustchain` provider: its configuration block and the registration list of
//! resources, data sources and functions.

use crate::aws::{ProviderData, ProviderSettings};
use crate::cloudhsm::CloudHsm;
use crate::{actions, data_sources, functions, resources};
use async_trait::async_trait;
use std::sync::Arc;
use tfplugin::diag::Diagnostics;
use tfplugin::framework::unknowns::config_error;
use tfplugin::framework::{action, data_source, list_resource, resource};
use tfplugin::provider::{
    ConfigureRequest, Function, Provider, RawAction, RawDataSource, RawListResource, RawResource,
};
use tfplugin::schema::Schema;
use tfplugin::value::{self, PathStep, Value};

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

impl Default for TrustchainProvider {
    fn default() -> Self {
        Self::new()
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

    fn list_resources(&self) -> Vec<Arc<dyn RawListResource>> {
        use resources::{cloudhsm_cluster, cloudhsm_hsm};
        vec![
            list_resource(cloudhsm_cluster::ClusterList::new(self.hsm.clone())),
            list_resource(cloudhsm_hsm::HsmList::new(self.hsm.clone())),
            list_resource(resources::ipv6_network::NetworkList::new(self.data.clone())),
            list_resource(resources::quic_load_balancer::LoadBalancerList::new(
                self.data.clone(),
            )),
            list_resource(resources::quic_target::TargetList::new(self.data.clone())),
        ]
    }

    fn actions(&self) -> Vec<Arc<dyn RawAction>> {
        vec![action(
            actions::cloudhsm_backup_copy::CloudHsmBackupCopy::new(self.hsm.clone()),
        )]
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

    /// Terraform configures the provider while planning with whatever is known then.
    /// `default_tags` may wait for apply (`tags_all` is then known after apply); the
    /// arguments that reach AWS cannot, and each unknown one is an error at it.
    async fn configure(&self, req: ConfigureRequest) -> Diagnostics {
        let mut config = req.config;
        let mut d = Diagnostics::new();
        let mut default_tags_known = true;
        config.walk(&mut |path, v| {
            if !v.is_unknown() {
                return;
            }
            if path.steps.first() == Some(&PathStep::Attribute("default_tags".into())) {
                default_tags_known = false;
            } else {
                d.error_at(
                    path.clone(),
                    "Provider argument not known yet",
                    format!("{path} depends on a value Terraform knows only after apply, and the provider needs it to reach AWS while planning. Use a value known at plan time (a variable, a local, a data source) or the environment (AWS_REGION, AWS_PROFILE, ...), or apply what it comes from first (terraform apply -target=...)."),
                );
            }
        });
        if d.has_errors() {
            return d;
        }
        if let Some(dt) = config.get_mut("default_tags") {
            if default_tags_known {
                drop_null_tags(dt);
            } else {
                *dt = Value::List(Vec::new());
            }
        }
        match value::from_value::<ProviderSettings>(&config) {
            Ok(settings) => {
                let d = self.data.configure(settings, &req.terraform_version).await;
                if !default_tags_known {
                    self.data.default_tags_not_known_yet();
                }
                d
            }
            Err(e) => config_error(e),
        }
    }

    async fn stop(&self) {
        tracing::info!("Terraform asked the provider to stop; ending waits");
        self.data.stop();
    }
}

/// A null default tag is a placeholder, as a null resource tag is: no tag.
fn drop_null_tags(default_tags: &mut Value) {
    if let Value::List(blocks) = default_tags {
        for b in blocks {
            if let Some(Value::Map(tags)) = b.get_mut("tags") {
                tags.retain(|_, v| !v.is_null());
            }
        }
    }
}
