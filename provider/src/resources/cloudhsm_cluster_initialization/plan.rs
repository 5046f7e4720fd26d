//! Plan-time checks that need AWS or the prior state: on create, the KMS key or the
//! Private CA can sign for the trust anchor, and `signed_cert` is for the cluster's
//! current CSR; on update, new values still describe how the cluster was initialized
//! (initialization cannot be undone).

use super::model::InitModel;
use super::{CloudHsmClusterInitialization, at};
use crate::cloudhsm::pki;
use crate::cloudhsm::{self, INITIALIZED_OR_LATER};
use tfplugin::diag::Diagnostic;
use tfplugin::framework::Plan;
use tfplugin::value::Attr;

impl CloudHsmClusterInitialization {
    /// The resource's `modify_plan`, after the framework's default planning.
    pub(super) async fn plan(&self, p: &mut Plan<InitModel>) {
        match p.prior.clone() {
            None => self.plan_create(p).await,
            Some(prior) if !p.is_replacing() => plan_update(&prior, p),
            Some(_) => {}
        }
    }

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
    use super::super::CloudHsmClusterInitialization;
    use super::super::model::InitModel;
    use crate::cloudhsm::testing::{TestCa, cluster_csr, root};
    use crate::resources::plan_testing;
    use rcgen::{CertificateParams, DnType, date_time_ymd};
    use serde_json::{Value, json};

    fn init() -> CloudHsmClusterInitialization {
        CloudHsmClusterInitialization::new(crate::cloudhsm::CloudHsm::new(
            crate::aws::ProviderData::default(),
        ))
    }

    /// The cluster certificate `anchor` issued for a cluster CSR's key.
    fn cluster_certificate(anchor: &TestCa) -> String {
        let (_, key) = cluster_csr();
        let mut p = CertificateParams::new(Vec::<String>::new()).expect("params");
        p.distinguished_name
            .push(DnType::CommonName, "HSM:0123456789AB:PARTN:1");
        p.signed_by(&key, &anchor.issuer())
            .expect("cluster cert")
            .pem()
    }

    /// `anchor` issued again: the same name and key, another validity.
    fn reissued(anchor: &TestCa) -> String {
        let mut p = anchor.params.clone();
        p.not_before = date_time_ymd(2021, 1, 1);
        p.self_signed(&anchor.key).expect("re-issue").pem()
    }

    fn config(anchor: &str) -> Value {
        json!({"cluster_id": "cluster-abcdefghijk", "trust_anchor": anchor,
               "issuing_ca_private_key_wo_version": 1})
    }

    /// The state after initializing with `anchor`'s key.
    fn state(anchor: &TestCa, cluster_cert: &str) -> Value {
        json!({"id": "cluster-abcdefghijk", "cluster_id": "cluster-abcdefghijk",
               "trust_anchor": anchor.cert_pem, "issuing_ca_private_key_wo_version": 1,
               "cluster_certificate": cluster_cert, "cluster_state": "INITIALIZED"})
    }

    async fn plan(prior: &Value, config: &Value) -> plan_testing::Planned<InitModel> {
        plan_testing::plan(init(), Some(prior), config, &[]).await
    }

    #[tokio::test]
    async fn a_new_trust_anchor_must_be_the_one_that_issued_the_cluster_certificate() {
        let r = root("Root");
        let cert = cluster_certificate(&r);
        let prior = state(&r, &cert);
        let p = plan(&prior, &config(&r.cert_pem)).await;
        assert!(p.summaries().is_empty(), "{:?}", p.summaries());
        // A re-issue of the same root (same name and key) still verifies the certificate.
        let p = plan(&prior, &config(&reissued(&r))).await;
        assert!(p.summaries().is_empty(), "{:?}", p.summaries());
        let other = root("Other");
        let p = plan(&prior, &config(&other.cert_pem)).await;
        assert_eq!(
            p.summaries(),
            [(
                "Initialization cannot be changed".to_string(),
                "trust_anchor".to_string()
            )]
        );
        let detail = &p.diagnostics.iter().next().expect("one").detail;
        assert!(detail.contains("-replace="), "{detail}");
    }

    #[tokio::test]
    async fn signed_cert_may_only_be_set_to_the_certificate_the_cluster_has() {
        let r = root("Root");
        let cert = cluster_certificate(&r);
        let prior = state(&r, &cert);
        let with = |signed: &str| {
            let mut c = config(&r.cert_pem);
            c["signed_cert"] = json!(signed);
            c
        };
        // The cluster's own certificate, given as signed_cert after the fact: accepted.
        let p = plan(&prior, &with(&cert)).await;
        assert!(p.summaries().is_empty(), "{:?}", p.summaries());
        // Another certificate for the same cluster key, by the same root: refused.
        let p = plan(&prior, &with(&cluster_certificate(&r))).await;
        assert_eq!(
            p.summaries(),
            [(
                "Initialization cannot be changed".to_string(),
                "signed_cert".to_string()
            )]
        );
        // Unchanged from the prior state: nothing to say, whatever it is.
        let mut prior_signed = prior.clone();
        prior_signed["signed_cert"] = json!(r.cert_pem);
        let p = plan(&prior_signed, &with(&r.cert_pem)).await;
        assert!(p.summaries().is_empty(), "{:?}", p.summaries());
    }

    #[tokio::test]
    async fn a_new_key_version_warns_that_nothing_changes_and_the_results_are_kept() {
        let r = root("Root");
        let cert = cluster_certificate(&r);
        let prior = state(&r, &cert);
        let mut c = config(&r.cert_pem);
        c["issuing_ca_private_key_wo_version"] = json!(2);
        let p = plan(&prior, &c).await;
        assert_eq!(
            p.summaries(),
            [(
                "Nothing changes in AWS".to_string(),
                "issuing_ca_private_key_wo_version".to_string()
            )]
        );
        assert!(!p.diagnostics.has_errors());
        assert_eq!(p.model.cluster_certificate.known(), Some(&cert));
        assert_eq!(
            p.model.cluster_state.known().map(String::as_str),
            Some("INITIALIZED")
        );
        assert_eq!(
            p.model.id.known().map(String::as_str),
            Some("cluster-abcdefghijk")
        );
        assert!(p.replaced().is_empty(), "{:?}", p.replaced());
    }
}
