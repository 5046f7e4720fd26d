//! `trustchain_cloudhsm_cluster_initialization`: takes a CloudHSM cluster from
//! UNINITIALIZED to INITIALIZED, with the CSR signed by a key in AWS KMS
//! (`kms_key_id`), here (the CA key is write-only) or outside Terraform (`signed_cert`).
//!
//! Initialization cannot be undone: update never calls AWS (it checks at plan time
//! that new values still describe how the cluster was initialized) and destroy only
//! forgets the resource, with a warning.

mod aws;
mod model;
mod validate;

use crate::cloudhsm::pki::{self, PrivateKey};
use crate::cloudhsm::{self, CloudHsm, INITIALIZED_OR_LATER};
use crate::resources::cloudhsm_cluster::is_id;
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
        model::schema()
    }

    fn identity_schema(&self) -> IdentitySchema {
        model::identity_schema()
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
        match p.prior.clone() {
            None => self.plan_create(p).await,
            Some(prior) if !p.is_replacing() => plan_update(&prior, p),
            Some(_) => {}
        }
    }

    async fn create(&self, req: Create<InitModel>) -> Applied<InitModel> {
        let (mut config, planned) = (req.config, req.planned);
        let clients = match self.hsm.clients().await {
            Ok(c) => c,
            Err(d) => return Applied::failed(None, d),
        };
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
        let clients = match self.hsm.clients().await {
            Ok(c) => c,
            Err(d) => return Refreshed::failed(req.state, req.private, d),
        };
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

impl CloudHsmClusterInitialization {
    /// On create: the KMS key can sign for its certificate (unless the cluster is
    /// initialized already); with the cluster known, `signed_cert` must be for its
    /// current CSR and a cluster initialized already must have been so by this trust
    /// anchor.
    async fn plan_create(&self, p: &mut Plan<InitModel>) {
        let Ok(clients) = self.hsm.data.clients().await else {
            return;
        };
        // A cluster made in the same apply (unknown id) is not initialized yet.
        let Attr::Known(id) = p.planned.cluster_id.clone() else {
            self.plan_pca(p, &clients).await;
            return self.plan_kms(p, &clients).await;
        };
        let cluster = match self.hsm.cluster(&clients, &id).await {
            Ok(Some(c)) if !cloudhsm::is_gone(&c) => c,
            // Known at plan time: refused here, not after the apply has begun.
            Ok(_) => {
                return p.diagnostics.error_at(
                    at("cluster_id"),
                    "CloudHSM cluster not found",
                    format!(
                        "No cluster {id} in {}. Check cluster_id: a cluster deleted, or in another region or account, cannot be initialized by this provider configuration.",
                        clients.region
                    ),
                );
            }
            Err(_) => return,
        };
        let anchor = p
            .planned
            .trust_anchor
            .known()
            .and_then(|a| pki::one_certificate(a).ok());
        let state = cloudhsm::state(&cluster);
        // An initialized cluster is adopted: nothing is signed.
        if !INITIALIZED_OR_LATER.contains(&state) {
            self.plan_kms(p, &clients).await;
            self.plan_pca(p, &clients).await;
        }
        let certs = cluster.certificates();
        if state == "UNINITIALIZED"
            && let (Some(csr), Attr::Known(signed)) =
                (certs.and_then(|x| x.cluster_csr()), &p.planned.signed_cert)
            && let (Ok(csr), Ok(signed)) = (pki::Csr::from_pem(csr), pki::one_certificate(signed))
            && csr.public_key_bits() != signed.public_key_bits()
        {
            p.diagnostics.error_at(
                at("signed_cert"),
                "signed_cert is not for the cluster's current CSR",
                format!("signed_cert certifies a different key than the current CSR of cluster {id} (AWS makes a new key and CSR when it replaces the first HSM before initialization). Sign the current CSR (trustchain_cloudhsm_cluster.cluster_csr) with the trust anchor."),
            );
        }
        if INITIALIZED_OR_LATER.contains(&state)
            && let (Some(anchor), Some(Ok(cert))) = (
                &anchor,
                certs
                    .and_then(|x| x.cluster_certificate())
                    .map(pki::one_certificate),
            )
        {
            if cert.is_issued_by(anchor) {
                p.diagnostics.push(
                    Diagnostic::warning(
                        format!("Cluster {id} is initialized already"),
                        "Its cluster certificate was issued by trust_anchor, so apply records this initialization without calling InitializeCluster.",
                    )
                    .at(at("cluster_id")),
                );
            } else {
                p.diagnostics.error_at(
                    at("trust_anchor"),
                    format!("Cluster {id} was initialized with another trust anchor"),
                    format!("Its cluster certificate was issued by \"{}\", not by trust_anchor \"{}\". Initialization cannot be undone: give the trust anchor the cluster was initialized with, or use a new cluster.", cert.issuer_name(), anchor.subject()),
                );
            }
        }
    }
}

impl CloudHsmClusterInitialization {
    /// acm_pca_arn: one DescribeCertificateAuthority and one
    /// GetCertificateAuthorityCertificate show an ACTIVE RSA root whose certificate is
    /// trust_anchor.
    async fn plan_pca(&self, p: &mut Plan<InitModel>, clients: &crate::aws::Clients) {
        let (Attr::Known(arn), Attr::Known(anchor)) =
            (&p.planned.acm_pca_arn, &p.planned.trust_anchor)
        else {
            return;
        };
        let Ok(anchor) = pki::one_certificate(anchor) else {
            return;
        };
        if let Err(problem) = cloudhsm::pca::check_ca(&clients.acmpca, arn, &anchor).await {
            p.diagnostics
                .error_at(at(problem.attribute), problem.summary, problem.detail);
        }
    }

    /// kms_key_id: one DescribeKey and one GetPublicKey show whether the key can sign
    /// for its certificate (trust_anchor, or issuing_ca_certificate when set).
    async fn plan_kms(&self, p: &mut Plan<InitModel>, clients: &crate::aws::Clients) {
        let Attr::Known(key_id) = &p.planned.kms_key_id else {
            return;
        };
        let (cert, whose) = match &p.planned.issuing_ca_certificate {
            Attr::Known(c) => (c, "issuing_ca_certificate"),
            Attr::Null => match &p.planned.trust_anchor {
                Attr::Known(a) => (a, "trust_anchor"),
                _ => return,
            },
            Attr::Unknown => return,
        };
        // A certificate that does not parse has its own error from validate.
        let Ok(cert) = pki::one_certificate(cert) else {
            return;
        };
        if let Err(problem) = cloudhsm::kms::check_key(&clients.kms, key_id, &cert, whose).await {
            p.diagnostics
                .error_at(at("kms_key_id"), problem.summary, problem.detail);
        }
    }
}

/// An initialized cluster keeps its certificates: a new trust anchor must have issued
/// the cluster certificate, a new signed_cert must be it.
fn plan_update(prior: &InitModel, p: &mut Plan<InitModel>) {
    let cluster_cert = prior
        .cluster_certificate
        .known()
        .and_then(|c| pki::one_certificate(c).ok());
    if let (Attr::Known(old), Attr::Known(new)) = (&prior.trust_anchor, &p.planned.trust_anchor)
        && old != new
        && let (Some(cert), Ok(anchor)) = (&cluster_cert, pki::one_certificate(new))
        && !cert.is_issued_by(&anchor)
    {
        p.diagnostics.error_at(
            at("trust_anchor"),
            "Initialization cannot be changed",
            format!("The cluster was initialized with a certificate issued by \"{}\"; the new trust_anchor \"{}\" did not issue it. AWS cannot re-initialize a cluster: put back the original trust anchor, or replace the cluster (terraform apply -replace=trustchain_cloudhsm_cluster.NAME) to initialize a new one.", cert.issuer_name(), anchor.subject()),
        );
    }
    if let (Attr::Known(new), Some(cert)) = (&p.planned.signed_cert, &cluster_cert)
        && prior.signed_cert.known() != Some(new)
        && pki::one_certificate(new).ok().as_ref() != Some(cert)
    {
        p.diagnostics.error_at(
            at("signed_cert"),
            "Initialization cannot be changed",
            "This signed_cert is not the certificate the cluster was initialized with, and AWS cannot re-initialize a cluster. Put back the original, remove signed_cert, or replace the cluster to initialize a new one.",
        );
    }
    if prior.issuing_ca_private_key_wo_version != p.planned.issuing_ca_private_key_wo_version {
        p.diagnostics.push(
            Diagnostic::warning(
                "Nothing changes in AWS",
                "The issuing CA key is used only when a cluster is initialized; this cluster is initialized already. The new key is used when the cluster is replaced.",
            )
            .at(at("issuing_ca_private_key_wo_version")),
        );
    }
    p.planned.cluster_certificate = prior.cluster_certificate.clone();
    p.planned.cluster_state = prior.cluster_state.clone();
    p.planned.id = prior.id.clone();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_model_names_every_attribute_of_the_schema() {
        tfplugin::framework::check_model::<InitModel>(&model::schema()).expect("complete model");
    }
}
