//! `trustchain_cloudhsm_cluster_initialization`: takes a CloudHSM cluster from
//! UNINITIALIZED to INITIALIZED, with the CSR signed by a key in AWS KMS
//! (`kms_key_id`), here (the CA key is write-only) or outside Terraform (`signed_cert`).
//!
//! Initialization cannot be undone: update never calls AWS (it checks at plan time
//! that new values still describe how the cluster was initialized) and destroy only
//! forgets the resource, with a warning.

mod aws;
mod model;
mod plan;
mod schema;
mod validate;

use crate::aws::clients_or_return;
use crate::cloudhsm::is_id;
use crate::cloudhsm::pki::{self, PrivateKey};
use crate::cloudhsm::{self, CloudHsm, INITIALIZED_OR_LATER};
use async_trait::async_trait;
use model::{InitIdentity, InitModel};
use std::time::Duration;
use tfplugin::diag::{DiagResult, Diagnostic, Diagnostics};
use tfplugin::framework::timeouts::limit;
use tfplugin::framework::{
    Applied, Create, Delete, Import, Operation, Plan, Read, Refreshed, Resource, Update,
};
use tfplugin::schema::{IdentitySchema, Schema};
use tfplugin::value::{Attr, AttributePath};

/// Room for the first HSM to become active (AWS: minutes) and the initialization.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(120 * 60);

pub struct CloudHsmClusterInitialization {
    hsm: CloudHsm,
}

impl CloudHsmClusterInitialization {
    pub fn new(hsm: CloudHsm) -> Self {
        Self { hsm }
    }
}

fn at(name: &str) -> AttributePath {
    AttributePath::root().attr(name)
}

#[async_trait]
impl Resource for CloudHsmClusterInitialization {
    type Model = InitModel;
    type Identity = InitIdentity;
    const TYPE_NAME: &'static str = model::TYPE_NAME;

    fn schema(&self) -> Schema {
        schema::schema()
    }

    fn identity_schema(&self) -> IdentitySchema {
        schema::identity_schema()
    }

    fn identity(&self, state: &InitModel) -> Option<InitIdentity> {
        Some(InitIdentity {
            cluster_id: state.cluster_id.known()?.clone(),
        })
    }

    async fn validate(&self, config: &InitModel) -> Diagnostics {
        let mut d = validate::check(config);
        if let Attr::Known(c) = &config.cluster_id
            && !is_id(c, "cluster")
        {
            d.error_at(
                at("cluster_id"),
                "Invalid cluster id",
                format!("{c:?} is not a CloudHSM cluster id (cluster-...)."),
            );
        }
        d
    }

    async fn modify_plan(&self, p: &mut Plan<InitModel>) {
        self.plan(p).await;
    }

    async fn create(&self, req: Create<InitModel>) -> Applied<InitModel> {
        let (mut config, planned) = (req.config, req.planned);
        let clients = clients_or_return!(self.hsm, d => Applied::failed(None, d));
        let (Some(id), Some(anchor_pem)) = (
            planned.cluster_id.known().cloned(),
            planned.trust_anchor.known().cloned(),
        ) else {
            return Applied::failed(
                None,
                Diagnostic::error(
                    "Incomplete initialization plan",
                    "cluster_id or trust_anchor is not known at apply time. This is a bug in the provider; please report it.",
                ),
            );
        };
        // Checked at plan time; checked again now that every value is known.
        let mut diags = validate::check(&config);
        if diags.has_errors() {
            return Applied::failed(None, diags);
        }
        let Ok(anchor) = pki::one_certificate(&anchor_pem) else {
            return Applied::failed(None, diags);
        };
        let signer = match signer(&config, &anchor) {
            Ok(s) => s,
            Err(d) => return Applied::failed(None, d),
        };
        // Debug builds only: a panic with the key in hand and the whole model in its
        // message, so a test can show crash output carries no key material.
        #[cfg(debug_assertions)]
        if std::env::var_os("TRUSTCHAIN_TEST_PANIC_WITH_KEY").is_some() {
            panic!("TRUSTCHAIN_TEST_PANIC_WITH_KEY: {config:?} {signer:?}");
        }
        // The signer holds the parsed key now: the PEM text is wiped (the one copy the
        // provider owns; the request's bytes belong to the plugin framework).
        if let Attr::Known(pem) = &mut config.issuing_ca_private_key_wo {
            zeroize::Zeroize::zeroize(pem);
        }
        let roots = match trust_roots(&config) {
            Ok(r) => cloudhsm::identity::Roots::with(&r),
            Err(d) => return Applied::failed(None, d),
        };
        let timeout = limit(planned.timeouts.known(), Operation::Create, DEFAULT_TIMEOUT);
        let deadline = self.hsm.deadline(timeout, Operation::Create);
        match aws::initialize(
            &self.hsm,
            &clients,
            &deadline,
            timeout,
            &id,
            aws::With {
                anchor: &anchor,
                signer: &signer,
                roots: &roots,
            },
        )
        .await
        {
            Ok(out) => {
                let mut state = planned;
                state.id = Attr::Known(id);
                state.cluster_certificate = out.cluster_certificate.into();
                state.cluster_state = Attr::Known(out.cluster_state);
                diags.extend(out.diagnostics);
                Applied {
                    state: Some(state),
                    private: Vec::new(),
                    diagnostics: diags,
                }
            }
            Err(d) => Applied::failed(None, d),
        }
    }

    async fn read(&self, req: Read<InitModel>) -> Refreshed<InitModel> {
        let Some(id) = req.state.cluster_id.known().cloned() else {
            return Refreshed::gone();
        };
        let clients =
            clients_or_return!(self.hsm, d => Refreshed::failed(req.state, req.private, d));
        match self.hsm.cluster(&clients, &id).await {
            Ok(Some(c)) if INITIALIZED_OR_LATER.contains(&cloudhsm::state(&c)) => {
                let mut m = req.state;
                m.cluster_state = Attr::Known(cloudhsm::state(&c).to_string());
                if let Some(pem) = c.certificates().and_then(|x| x.cluster_certificate()) {
                    m.cluster_certificate = Attr::Known(pem.to_string());
                }
                Refreshed::found(m, req.private)
            }
            // Deleted, or a new cluster under the id (never initialized): plan again.
            Ok(_) => Refreshed::gone(),
            Err(d) => Refreshed::failed(req.state, req.private, d),
        }
    }

    async fn update(&self, req: Update<InitModel>) -> Applied<InitModel> {
        // Plan-time checks made sure the new values describe the same initialization.
        let mut state = req.planned;
        state.cluster_certificate = req.prior.cluster_certificate;
        state.cluster_state = req.prior.cluster_state;
        Applied::ok(state)
    }

    async fn delete(&self, req: Delete<InitModel>) -> Diagnostics {
        let id = req.prior.cluster_id.known().cloned().unwrap_or_default();
        let mut d = Diagnostics::new();
        d.push(Diagnostic::warning(
            "CloudHSM initialization cannot be undone",
            format!("Cluster {id} stays initialized with its trust anchor until the cluster is deleted; Terraform only forgets this resource."),
        ));
        d
    }

    async fn import(&self, _req: Import<InitIdentity>) -> DiagResult<InitModel> {
        Err(Diagnostic::error(
            "Initialization is not imported",
            "Declare trustchain_cloudhsm_cluster_initialization for the cluster with its trust_anchor and apply: for a cluster initialized already, the provider checks that its certificate was issued by trust_anchor and records it without calling InitializeCluster.",
        )
        .into())
    }
}

/// The roots of hsm_trust_roots (none when unset).
fn trust_roots(config: &InitModel) -> Result<Vec<pki::Cert>, Diagnostics> {
    match &config.hsm_trust_roots {
        Attr::Known(pem) => validate::trust_roots(pem).map_err(|e| {
            Diagnostic::error("Invalid hsm_trust_roots", format!("hsm_trust_roots {e}."))
                .at(at("hsm_trust_roots"))
                .into()
        }),
        _ => Ok(Vec::new()),
    }
}

/// The KMS path, the key path or the signed-certificate path, from the configuration.
fn signer(config: &InitModel, anchor: &pki::Cert) -> Result<aws::Signer, Diagnostics> {
    let invalid = |name: &str, e: String| {
        Diagnostics::from(
            Diagnostic::error(format!("Invalid {name}"), format!("{name} {e}.")).at(at(name)),
        )
    };
    let issuer = || match &config.issuing_ca_certificate {
        Attr::Known(c) => pki::one_certificate(c).map_err(|e| invalid("issuing_ca_certificate", e)),
        _ => Ok(anchor.clone()),
    };
    if let Attr::Known(arn) = &config.acm_pca_arn {
        return Ok(aws::Signer::Pca { arn: arn.clone() });
    }
    if let Attr::Known(key_id) = &config.kms_key_id {
        return Ok(aws::Signer::Kms {
            issuer: issuer()?,
            key_id: key_id.clone(),
        });
    }
    if let Attr::Known(pem) = &config.issuing_ca_private_key_wo {
        let key = PrivateKey::from_pem(pem).map_err(|e| invalid("issuing_ca_private_key_wo", e))?;
        return Ok(aws::Signer::Key {
            issuer: issuer()?,
            key,
        });
    }
    match &config.signed_cert {
        Attr::Known(s) => Ok(aws::Signer::Signed(
            pki::one_certificate(s).map_err(|e| invalid("signed_cert", e))?,
        )),
        _ => Err(Diagnostic::error(
            "Nothing to initialize the cluster with",
            "None of kms_key_id, acm_pca_arn, issuing_ca_private_key_wo and signed_cert has a value at apply time. If the key comes from an ephemeral resource, make sure it is available during apply.",
        )
        .into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_model_names_every_attribute_of_the_schema() {
        tfplugin::framework::check_model::<InitModel>(&schema::schema()).expect("complete model");
    }
}
