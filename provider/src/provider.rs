//! The `trustchain` provider: its configuration block and the registration list of
//! resources, data sources and functions.

use crate::aws::{ProviderData, ProviderSettings, services};
use crate::cloudhsm::CloudHsm;
use crate::{data_sources, functions, resources};
use async_trait::async_trait;
use std::sync::Arc;
use tfplugin::diag::Diagnostics;
use tfplugin::framework::unknowns::config_error;
use tfplugin::framework::{data_source, resource};
use tfplugin::provider::{ConfigureRequest, Function, Provider, RawDataSource, RawResource};
use tfplugin::schema::{Attribute, Block, NestedBlock, Schema};
use tfplugin::value::{self, PathStep, Type, Value};

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
        let strings = Type::list(Type::String);
        Schema::new(
            Block::new()
                .description("Manages CloudHSM v2 clusters, IPv6-only networks and QUIC-aware Network Load Balancers on AWS. Credentials and region resolve like the AWS CLI and hashicorp/aws: provider arguments, then environment variables, then shared config files.")
                .attribute(Attribute::optional("region", Type::String).description("AWS region, e.g. us-east-1. Defaults to AWS_REGION / AWS_DEFAULT_REGION or the profile's region."))
                .attribute(Attribute::optional("profile", Type::String).description("Named profile from the shared config and credentials files."))
                .attribute(Attribute::optional("shared_config_files", strings.clone()).description("Paths of shared config files (default ~/.aws/config)."))
                .attribute(Attribute::optional("shared_credentials_files", strings).description("Paths of shared credentials files (default ~/.aws/credentials)."))
                .attribute(Attribute::optional("max_retries", Type::Number).description("Maximum retries of a throttled or failed AWS API call (default 25, like hashicorp/aws)."))
                .attribute(Attribute::optional("skip_credentials_validation", Type::Bool).description("Skip the STS GetCallerIdentity call that checks credentials before the first AWS request."))
                .block(
                    NestedBlock::list(
                        "assume_role",
                        Block::new()
                            .description("Assume an IAM role before calling AWS.")
                            .attribute(Attribute::required("role_arn", Type::String).description("ARN of the role to assume."))
                            .attribute(Attribute::optional("session_name", Type::String).description("Session name recorded in CloudTrail (default terraform-provider-trustchain)."))
                            .attribute(Attribute::optional("external_id", Type::String).description("External ID the role's trust policy requires."))
                            .attribute(Attribute::optional("duration", Type::String).description("Session duration as a Go duration, e.g. \"1h\" (15m to 12h).")),
                    )
                    .max_items(1),
                )
                .block(NestedBlock::list("endpoints", services::endpoints_block()).max_items(1))
                .block(
                    NestedBlock::list(
                        "default_tags",
                        Block::new()
                            .description("Tags applied to every resource this provider creates; a resource's own tags win on conflicts.")
                            .attribute(Attribute::optional("tags", Type::map(Type::String)).description("Tags to apply.")),
                    )
                    .max_items(1),
                ),
        )
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
                self.data.configure(settings);
                if !default_tags_known {
                    self.data.default_tags_not_known_yet();
                }
                Diagnostics::new()
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
