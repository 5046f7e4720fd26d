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

    // On create: the cluster, KMS and ACM PCA answered by aws-smithy-mocks.
    use aws_sdk_acmpca::operation::describe_certificate_authority::DescribeCertificateAuthorityOutput;
    use aws_sdk_acmpca::types::{CertificateAuthority, CertificateAuthorityType};
    use aws_sdk_cloudhsmv2::operation::describe_clusters::DescribeClustersOutput;
    use aws_sdk_cloudhsmv2::types::{Certificates, Cluster, ClusterState};
    use aws_sdk_kms::operation::describe_key::DescribeKeyOutput;
    use aws_sdk_kms::types::{KeyMetadata, KeySpec, KeyState, KeyUsageType};
    use aws_smithy_mocks::{Rule, mock};
    use tfplugin::value::AttributePath;

    const ID: &str = "cluster-abcdefghijk";
    const PCA: &str = "arn:aws:acm-pca:us-east-1:123456789012:certificate-authority/1";

    fn cluster(state: ClusterState, certs: Certificates) -> Rule {
        mock!(aws_sdk_cloudhsmv2::Client::describe_clusters).then_output(move || {
            DescribeClustersOutput::builder()
                .clusters(
                    Cluster::builder()
                        .cluster_id(ID)
                        .state(state.clone())
                        .certificates(certs.clone())
                        .build(),
                )
                .build()
        })
    }

    /// A KMS key for encryption, which cannot sign.
    fn encryption_key() -> Rule {
        mock!(aws_sdk_kms::Client::describe_key).then_output(|| {
            DescribeKeyOutput::builder()
                .key_metadata(
                    KeyMetadata::builder()
                        .key_id("1234abcd-12ab-34cd-56ef-1234567890ab")
                        .key_usage(KeyUsageType::EncryptDecrypt)
                        .key_spec(KeySpec::SymmetricDefault)
                        .key_state(KeyState::Enabled)
                        .build()
                        .expect("metadata"),
                )
                .build()
        })
    }

    fn subordinate_ca() -> Rule {
        mock!(aws_sdk_acmpca::Client::describe_certificate_authority).then_output(|| {
            DescribeCertificateAuthorityOutput::builder()
                .certificate_authority(
                    CertificateAuthority::builder()
                        .arn(PCA)
                        .r#type(CertificateAuthorityType::Subordinate)
                        .build(),
                )
                .build()
        })
    }

    fn init_asking(cluster: &Rule, kms: &[&Rule], pca: &[&Rule]) -> CloudHsmClusterInitialization {
        let mut clients = crate::aws::testing::clients_with_cloudhsm(&[cluster]);
        clients.services.kms = crate::aws::testing::kms_client(kms);
        clients.services.acmpca = crate::aws::testing::acmpca_client(pca);
        CloudHsmClusterInitialization::new(crate::cloudhsm::CloudHsm::new(
            crate::aws::ProviderData::with_clients(clients),
        ))
    }

    async fn create(
        r: CloudHsmClusterInitialization,
        config: &Value,
        unknown: &[AttributePath],
    ) -> plan_testing::Planned<InitModel> {
        plan_testing::plan(r, None, config, unknown).await
    }

    fn with(anchor: &TestCa, extra: Value) -> Value {
        let mut c = json!({"cluster_id": ID, "trust_anchor": anchor.cert_pem});
        for (k, v) in extra.as_object().expect("object") {
            c[k] = v.clone();
        }
        c
    }

    #[tokio::test]
    async fn a_kms_key_that_cannot_sign_is_refused_at_plan_unless_the_cluster_is_initialized() {
        let r = root("Root");
        let config = with(&r, json!({"kms_key_id": "alias/root-ca"}));
        let key = encryption_key();
        let uninitialized = cluster(ClusterState::Uninitialized, Certificates::builder().build());
        let p = create(init_asking(&uninitialized, &[&key], &[]), &config, &[]).await;
        assert_eq!(
            p.summaries(),
            [("KMS key cannot sign".to_string(), "kms_key_id".to_string())]
        );
        assert_eq!(key.num_calls(), 1);
        // Initialized by this trust anchor already: adopted, nothing signed, KMS not asked.
        let key = encryption_key();
        let certs = Certificates::builder()
            .cluster_certificate(cluster_certificate(&r))
            .build();
        let initialized = cluster(ClusterState::Initialized, certs);
        let p = create(init_asking(&initialized, &[&key], &[]), &config, &[]).await;
        assert_eq!(
            p.summaries(),
            [(
                format!("Cluster {ID} is initialized already"),
                "cluster_id".to_string()
            )]
        );
        assert!(!p.diagnostics.has_errors());
        assert_eq!(key.num_calls(), 0);
        // ... by another trust anchor: refused at trust_anchor.
        let other = root("Other");
        let certs = Certificates::builder()
            .cluster_certificate(cluster_certificate(&other))
            .build();
        let initialized = cluster(ClusterState::Initialized, certs);
        let p = create(
            init_asking(&initialized, &[], &[]),
            &with(&r, json!({"signed_cert": r.cert_pem})),
            &[],
        )
        .await;
        assert_eq!(
            p.summaries(),
            [(
                format!("Cluster {ID} was initialized with another trust anchor"),
                "trust_anchor".to_string()
            )]
        );
    }

    #[tokio::test]
    async fn a_subordinate_private_ca_is_refused_at_plan_also_for_a_cluster_made_in_the_same_apply()
    {
        let r = root("Root");
        let ca = subordinate_ca();
        let none = cluster(ClusterState::Uninitialized, Certificates::builder().build());
        let p = create(
            init_asking(&none, &[], &[&ca]),
            &with(&r, json!({"acm_pca_arn": PCA})),
            &[AttributePath::root().attr("cluster_id")],
        )
        .await;
        assert_eq!(
            p.summaries(),
            [(
                "Subordinate private CA cannot initialize a cluster".to_string(),
                "acm_pca_arn".to_string()
            )]
        );
        assert_eq!(none.num_calls(), 0, "no cluster to describe yet");
    }

    #[tokio::test]
    async fn signed_cert_must_certify_the_key_of_the_current_csr() {
        let r = root("Root");
        let (csr, key) = cluster_csr();
        let mut p = CertificateParams::new(Vec::<String>::new()).expect("params");
        p.distinguished_name
            .push(DnType::CommonName, "HSM:0123456789AB:PARTN:1");
        let for_csr = p.signed_by(&key, &r.issuer()).expect("cert").pem();
        let certs = Certificates::builder().cluster_csr(csr).build();
        let uninitialized = cluster(ClusterState::Uninitialized, certs);
        let plan = create(
            init_asking(&uninitialized, &[], &[]),
            &with(&r, json!({"signed_cert": for_csr})),
            &[],
        )
        .await;
        assert!(plan.summaries().is_empty(), "{:?}", plan.summaries());
        // A certificate for another key (AWS made a new CSR when it replaced the first HSM).
        let plan = create(
            init_asking(&uninitialized, &[], &[]),
            &with(&r, json!({"signed_cert": cluster_certificate(&r)})),
            &[],
        )
        .await;
        assert_eq!(
            plan.summaries(),
            [(
                "signed_cert is not for the cluster's current CSR".to_string(),
                "signed_cert".to_string()
            )]
        );
    }

    #[tokio::test]
    async fn a_deleted_cluster_is_not_found_at_plan() {
        let r = root("Root");
        let deleted = cluster(ClusterState::Deleted, Certificates::builder().build());
        let p = create(
            init_asking(&deleted, &[], &[]),
            &with(&r, json!({"signed_cert": r.cert_pem})),
            &[],
        )
        .await;
        assert_eq!(
            p.summaries(),
            [(
                "CloudHSM cluster not found".to_string(),
                "cluster_id".to_string()
            )]
        );
    }

    #[tokio::test]
    async fn a_replacement_is_a_new_initialization_not_a_change() {
        // A new cluster_id replaces the resource: the new trust anchor initializes the
        // new cluster, so the old cluster certificate does not bind it.
        let r = root("Root");
        let prior = state(&r, &cluster_certificate(&r));
        let other = root("Other");
        let mut c = config(&other.cert_pem);
        c["cluster_id"] = json!("cluster-bcdefghijkl");
        let p = plan(&prior, &c).await;
        assert_eq!(p.replaced(), ["cluster_id"]);
        assert!(!p.diagnostics.has_errors(), "{:?}", p.summaries());
    }
}
