//! The initialization itself: wait for the CSR of the cluster's first HSM, sign the
//! CSR that is current when signing (AWS may replace the first HSM before the
//! cluster is initialized, which makes a new key and CSR), InitializeCluster, wait
//! for INITIALIZED. A cluster already initialized with this trust anchor is taken
//! as it is.

use crate::aws::retry::{GaveUp, gave_up, poll};
use crate::aws::{Clients, Deadline, Poll, code_of, failed};
use crate::cloudhsm::identity::{self, Roots};
use crate::cloudhsm::pki::{Cert, Csr, PrivateKey};
use crate::cloudhsm::{self, CloudHsm, INITIALIZED_OR_LATER, kms, pca, sign, time};
use aws_sdk_cloudhsmv2::types::Cluster;
use std::time::Duration;
use tfplugin::diag::{Diagnostic, Diagnostics};

/// New CSRs signed in one apply before giving up.
const MAX_SIGNINGS: usize = 3;

/// How the cluster certificate comes about.
#[derive(Debug)]
pub enum Signer {
    /// Signed outside Terraform.
    Signed(Cert),
    /// Signed here with the issuing CA's key.
    Key { issuer: Cert, key: PrivateKey },
    /// Built here, its digest signed by this AWS KMS key.
    Kms { issuer: Cert, key_id: String },
    /// Issued from the CSR by this AWS Private CA root.
    Pca { arn: String },
}

pub struct Outcome {
    pub cluster_certificate: Option<String>,
    pub cluster_state: String,
    pub diagnostics: Diagnostics,
}

enum Ready {
    /// The cluster as it was when its CSR was read: the CSR and the HSM's certificates.
    Csr(Box<Cluster>),
    Initialized(Box<Cluster>),
}

fn csr_of(c: &Cluster) -> Option<&str> {
    c.certificates().and_then(|x| x.cluster_csr())
}

/// What the cluster is initialized with, and what its HSM must chain to.
pub struct With<'a> {
    pub anchor: &'a Cert,
    pub signer: &'a Signer,
    pub roots: &'a Roots,
}

pub async fn initialize(
    hsm: &CloudHsm,
    c: &Clients,
    deadline: &Deadline,
    limit: Duration,
    id: &str,
    with: With<'_>,
) -> Result<Outcome, Diagnostics> {
    let With {
        anchor,
        signer,
        roots,
    } = with;
    let mut signings = 0;
    loop {
        let cluster = match wait_for_csr(hsm, c, deadline, limit, id).await? {
            Ready::Initialized(cluster) => return adopt(&cluster, id, anchor),
            Ready::Csr(cluster) => cluster,
        };
        let csr_pem = csr_of(&cluster).unwrap_or_default().to_string();
        // Before any signature and before InitializeCluster, whichever the signer.
        verify_identity(&cluster, &csr_pem, id, roots)?;
        let signed = match signer {
            Signer::Signed(cert) => cert.clone(),
            Signer::Key { issuer, key } => {
                signings += 1;
                let csr = Csr::from_pem(&csr_pem).map_err(|e| {
                    Diagnostics::from(Diagnostic::error(
                        format!("The CSR of CloudHSM cluster {id} cannot be signed"),
                        format!("AWS's cluster CSR {e}. Run terraform apply again; if it persists, report it."),
                    ))
                })?;
                tracing::info!(cluster_id = %id, "signing the cluster CSR with the issuing CA");
                sign::sign_csr(&csr, issuer, key, time::now()).map_err(|e| {
                    Diagnostics::from(Diagnostic::error("Could not sign the cluster CSR", e))
                })?
            }
            Signer::Kms { issuer, key_id } => {
                signings += 1;
                let csr = Csr::from_pem(&csr_pem).map_err(|e| {
                    Diagnostics::from(Diagnostic::error(
                        format!("The CSR of CloudHSM cluster {id} cannot be signed"),
                        format!("AWS's cluster CSR {e}. Run terraform apply again; if it persists, report it."),
                    ))
                })?;
                sign_with_kms(c, &csr, issuer, key_id, id).await?
            }
            Signer::Pca { arn } => {
                signings += 1;
                pca::check_ca(&c.acmpca, arn, anchor).await.map_err(|p| {
                    Diagnostics::from(
                        Diagnostic::error(p.summary, p.detail)
                            .at(tfplugin::value::AttributePath::root().attr(p.attribute)),
                    )
                })?;
                let not_after =
                    (time::now() + sign::VALIDITY_DAYS * 86_400).min(anchor.validity().1);
                tracing::info!(cluster_id = %id, certificate_authority_arn = %arn, "asking ACM PCA to issue the cluster certificate from the CSR");
                pca::issue(&c.acmpca, arn, &csr_pem, anchor, not_after, deadline).await?
            }
        };
        if let Signer::Signed(cert) = signer
            && let Ok(csr) = Csr::from_pem(&csr_pem)
            && csr.public_key_bits() != cert.public_key_bits()
        {
            return Err(csr_mismatch(id));
        }
        let sent = c
            .cloudhsmv2
            .initialize_cluster()
            .cluster_id(id)
            .signed_cert(signed.to_pem())
            .trust_anchor(anchor.to_pem())
            .send()
            .await;
        hsm.changed(id).await;
        match sent {
            Ok(_) => {
                tracing::info!(cluster_id = %id, "InitializeCluster accepted; waiting for INITIALIZED");
                let cluster = wait_initialized(hsm, c, deadline, id).await?;
                let mut out = adopt(&cluster, id, anchor)?;
                out.cluster_certificate = out.cluster_certificate.or(Some(signed.to_pem()));
                out.diagnostics = Diagnostics::new();
                return Ok(out);
            }
            Err(e) if code_of(&e) == "CloudHsmInvalidRequestException" => {
                // Refused: because the CSR changed under us, or because the cluster
                // is no longer waiting to be initialized?
                let now = hsm.cluster_now(c, id).await?;
                let state = now.as_ref().map(cloudhsm::state).unwrap_or("");
                let current = now.as_ref().and_then(csr_of);
                if state != "UNINITIALIZED" {
                    continue;
                }
                if current.is_some_and(|cur| cur != csr_pem) {
                    if matches!(signer, Signer::Signed(_)) {
                        return Err(csr_mismatch(id));
                    }
                    if signings < MAX_SIGNINGS {
                        tracing::info!(cluster_id = %id, "the cluster's CSR changed (AWS replaced its first HSM); signing the new CSR");
                        continue;
                    }
                }
                return Err(failed("CloudHSM", "InitializeCluster")(e));
            }
            Err(e) => return Err(failed("CloudHSM", "InitializeCluster")(e)),
        }
    }
}

/// The cluster certificate for `csr`, its digest signed by KMS key `key_id`. The key is
/// checked again first (it may have changed since the plan) and the assembled
/// certificate must verify under `issuer` before it is used.
async fn sign_with_kms(
    c: &Clients,
    csr: &Csr,
    issuer: &Cert,
    key_id: &str,
    id: &str,
) -> Result<Cert, Diagnostics> {
    let at_key = |p: kms::Problem| -> Diagnostics {
        Diagnostic::error(p.summary, p.detail)
            .at(tfplugin::value::AttributePath::root().attr("kms_key_id"))
            .into()
    };
    kms::check_key(&c.kms, key_id, issuer, "the issuing certificate")
        .await
        .map_err(at_key)?;
    let tbs = sign::tbs_certificate(csr, issuer, time::now())
        .map_err(|e| Diagnostics::from(Diagnostic::error("Could not sign the cluster CSR", e)))?;
    tracing::info!(cluster_id = %id, kms_key_id = %key_id, "signing the cluster CSR's certificate digest with KMS");
    let signature = kms::sign(&c.kms, key_id, &sign::sha256(&tbs))
        .await
        .map_err(at_key)?;
    match sign::assemble(&tbs, &signature) {
        Ok(cert) if cert.is_issued_by(issuer) => Ok(cert),
        _ => Err(Diagnostic::error(
            "KMS signature does not verify",
            format!("The signature KMS key {key_id} made does not verify with the key of \"{}\", so nothing was sent to CloudHSM. Check that kms_key_id is the key of that certificate.", issuer.subject()),
        )
        .at(tfplugin::value::AttributePath::root().attr("kms_key_id"))
        .into()),
    }
}

/// The user guide's identity check of the HSM behind `csr_pem`; an error names the
/// link that failed.
fn verify_identity(
    cluster: &Cluster,
    csr_pem: &str,
    id: &str,
    roots: &Roots,
) -> Result<(), Diagnostics> {
    let hsm_type = cluster.hsm_type().unwrap_or("");
    match identity::verify(csr_pem, cluster.certificates(), roots) {
        Ok(()) => {
            tracing::info!(cluster_id = %id, "HSM identity verified: the CSR is the HSM certificate's key, which chains to the AWS CloudHSM root and to the manufacturer root");
            Ok(())
        }
        Err(link) => {
            tracing::error!(cluster_id = %id, link = ?link, "HSM identity check failed; nothing signed");
            let d = Diagnostic::error(link.summary(), link.detail(id, hsm_type));
            let d = match link {
                identity::Link::AwsRoot | identity::Link::ManufacturerRoot => {
                    d.at(tfplugin::value::AttributePath::root().attr("hsm_trust_roots"))
                }
                _ => d,
            };
            Err(d.into())
        }
    }
}

fn csr_mismatch(id: &str) -> Diagnostics {
    Diagnostic::error(
        "signed_cert is not for the cluster's current CSR",
        format!("signed_cert certifies a different key than the current CSR of cluster {id}. AWS makes a new key and CSR when it replaces the cluster's first HSM before initialization. Sign the current CSR (trustchain_cloudhsm_cluster.cluster_csr) with the trust anchor, put it in signed_cert and run terraform apply again, or let the provider sign it (issuing_ca_private_key_wo)."),
    )
    .at(tfplugin::value::AttributePath::root().attr("signed_cert"))
    .into()
}

/// The cluster is initialized already (by this resource's earlier apply, or outside
/// Terraform): fine when its certificate was issued by this trust anchor.
fn adopt(cluster: &Cluster, id: &str, anchor: &Cert) -> Result<Outcome, Diagnostics> {
    let pem = cluster
        .certificates()
        .and_then(|x| x.cluster_certificate())
        .map(String::from);
    let mut diagnostics = Diagnostics::new();
    match pem.as_deref().map(crate::cloudhsm::pki::one_certificate) {
        Some(Ok(cert)) if !cert.is_issued_by(anchor) => {
            return Err(Diagnostic::error(
                format!("CloudHSM cluster {id} was initialized with another trust anchor"),
                format!("Its cluster certificate was issued by \"{}\", not by trust_anchor \"{}\". Initialization cannot be undone: give the trust anchor the cluster was initialized with, or create a new cluster.", cert.issuer_name(), anchor.subject()),
            )
            .at(tfplugin::value::AttributePath::root().attr("trust_anchor"))
            .into());
        }
        Some(Ok(_)) => {}
        _ => diagnostics.push(Diagnostic::warning(
            format!("Could not check the trust anchor of cluster {id}"),
            "The cluster is initialized but AWS shows no cluster certificate, so the provider could not check that trust_anchor is the anchor it was initialized with.",
        )),
    }
    Ok(Outcome {
        cluster_certificate: pem,
        cluster_state: cloudhsm::state(cluster).to_string(),
        diagnostics,
    })
}

/// Waits until the cluster has a CSR (its first HSM is ACTIVE) or is initialized.
async fn wait_for_csr(
    hsm: &CloudHsm,
    c: &Clients,
    deadline: &Deadline,
    limit: Duration,
    id: &str,
) -> Result<Ready, Diagnostics> {
    let what = format!("the CSR of CloudHSM cluster {id}");
    let no_hsm = std::sync::atomic::AtomicBool::new(false);
    let no_hsm = &no_hsm;
    poll(
        deadline,
        &what,
        || {
            let fut = hsm.cluster_now(c, id);
            async move {
                let cluster = match fut.await {
                    Ok(Some(cl)) if !cloudhsm::is_gone(&cl) => cl,
                    Ok(_) => {
                        return Poll::Fail(Diagnostics::from(Diagnostic::error(
                            format!("CloudHSM cluster {id} not found"),
                            "The cluster to initialize does not exist (or is being deleted). Check cluster_id.",
                        )));
                    }
                    Err(d) => return Poll::Fail(d),
                };
                let state = cloudhsm::state(&cluster).to_string();
                no_hsm.store(cluster.hsms().is_empty(), std::sync::atomic::Ordering::Relaxed);
                if INITIALIZED_OR_LATER.contains(&state.as_str()) {
                    return Poll::Done(Ready::Initialized(Box::new(cluster)));
                }
                if state == "UNINITIALIZED" && csr_of(&cluster).is_some() {
                    return Poll::Done(Ready::Csr(Box::new(cluster)));
                }
                match (state.as_str(), csr_of(&cluster)) {
                    ("UNINITIALIZED", None) if cluster.hsms().is_empty() => Poll::Retry(format!(
                        "cluster {id} has no HSM yet, and its CSR appears once the first HSM is ACTIVE"
                    )),
                    ("UNINITIALIZED", None) => Poll::Retry(format!(
                        "HSM {} is {}; the cluster CSR appears once it is ACTIVE",
                        cluster.hsms()[0].hsm_id(),
                        cloudhsm::hsm_state(&cluster.hsms()[0])
                    )),
                    (other, _) => Poll::Retry(format!("cluster {id} is {other}")),
                }
            }
        },
        |why| match why {
            GaveUp::TimedOut(last) if no_hsm.load(std::sync::atomic::Ordering::Relaxed) => Diagnostic::error(
                format!("CloudHSM cluster {id} got no HSM in time to be initialized"),
                format!("A cluster's CSR exists only once its first HSM is ACTIVE, and after {}s (timeouts.create) cluster {id} still had no HSM ({last}). Declare a trustchain_cloudhsm_hsm for the cluster (beside this resource; no depends_on is needed), then run terraform apply again.", limit.as_secs()),
            )
            .into(),
            why => gave_up(deadline, &what, why),
        },
    )
    .await
}

async fn wait_initialized(
    hsm: &CloudHsm,
    c: &Clients,
    deadline: &Deadline,
    id: &str,
) -> Result<Cluster, Diagnostics> {
    let what = format!("CloudHSM cluster {id} to be initialized");
    // AWS took the call: for a while a read may still show the cluster as it was
    // (UNINITIALIZED), or not at all, before the change shows.
    let settled_by = std::time::Instant::now() + crate::aws::retry::PROPAGATION;
    let lagging = move || std::time::Instant::now() < settled_by;
    hsm.wait_cluster(c, deadline, id, &what, |cl| match cl {
        Some(cl) if INITIALIZED_OR_LATER.contains(&cloudhsm::state(cl)) => Poll::Done(cl.clone()),
        Some(cl) if cloudhsm::state(cl) == "INITIALIZE_IN_PROGRESS" => {
            Poll::Retry(format!("cluster {id} is INITIALIZE_IN_PROGRESS"))
        }
        Some(cl) if cloudhsm::state(cl) == "UNINITIALIZED" && lagging() => Poll::Retry(format!(
            "cluster {id} still reads UNINITIALIZED just after InitializeCluster"
        )),
        None if lagging() => Poll::Retry(format!("cluster {id} is not visible yet")),
        Some(cl) => Poll::Fail(
            Diagnostic::error(
                format!("CloudHSM cluster {id} was not initialized"),
                format!(
                    "After InitializeCluster the cluster is {}: {}. Run terraform apply again.",
                    cloudhsm::state(cl),
                    cl.state_message().unwrap_or("AWS gave no reason")
                ),
            )
            .into(),
        ),
        None => Poll::Fail(
            Diagnostic::error(
                format!("CloudHSM cluster {id} disappeared"),
                "The cluster vanished while it was being initialized.",
            )
            .into(),
        ),
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::{Stop, testing};
    use crate::cloudhsm::testing::{TestHsm, root, test_hsm};
    use aws_sdk_cloudhsmv2::Client;
    use aws_sdk_cloudhsmv2::operation::describe_clusters::DescribeClustersOutput;
    use aws_sdk_cloudhsmv2::operation::initialize_cluster::{
        InitializeClusterError, InitializeClusterOutput,
    };
    use aws_sdk_cloudhsmv2::types::error::CloudHsmInvalidRequestException;
    use aws_sdk_cloudhsmv2::types::{Certificates, ClusterState, Hsm, HsmState};
    use aws_smithy_mocks::mock;
    use aws_smithy_types::error::ErrorMetadata;
    use std::sync::{Arc, Mutex};
    use tfplugin::framework::Operation;

    const ID: &str = "cluster-abcdefghijk";

    fn cluster(
        state: ClusterState,
        hsm: Option<&TestHsm>,
        cert: Option<&str>,
    ) -> DescribeClustersOutput {
        let certs = match hsm {
            Some(h) => {
                let mut c = h.certs.clone();
                c.cluster_csr = Some(h.csr.clone());
                c
            }
            None => Certificates::builder()
                .set_cluster_certificate(cert.map(String::from))
                .build(),
        };
        let hsm = Hsm::builder()
            .hsm_id("hsm-abcdefghijk")
            .state(HsmState::Active)
            .build()
            .expect("hsm");
        DescribeClustersOutput::builder()
            .clusters(
                Cluster::builder()
                    .cluster_id(ID)
                    .state(state)
                    .hsms(hsm)
                    .certificates(certs)
                    .build(),
            )
            .build()
    }

    #[tokio::test]
    async fn a_kms_signature_that_does_not_verify_is_never_sent_to_cloudhsm() {
        use aws_sdk_kms::operation::describe_key::DescribeKeyOutput;
        use aws_sdk_kms::operation::get_public_key::GetPublicKeyOutput;
        use aws_sdk_kms::operation::sign::SignOutput;
        use aws_sdk_kms::primitives::Blob;
        use aws_sdk_kms::types::{KeyMetadata, KeySpec, KeyState, KeyUsageType};
        let ca = root("KMS Root");
        let anchor = crate::cloudhsm::pki::one_certificate(&ca.cert_pem).expect("anchor");
        let h = Arc::new(test_hsm());
        let roots = Roots::with(&h.roots());
        let h1 = h.clone();
        let describe = mock!(Client::describe_clusters)
            .sequence()
            .output(move || cluster(ClusterState::Uninitialized, Some(&h1), None))
            .repeatedly()
            .build();
        let init_rule = mock!(Client::initialize_cluster).then_output(|| {
            InitializeClusterOutput::builder()
                .state(ClusterState::InitializeInProgress)
                .build()
        });
        let mut clients = testing::clients_with_cloudhsm(&[&describe, &init_rule]);
        let key = mock!(aws_sdk_kms::Client::describe_key).then_output(|| {
            DescribeKeyOutput::builder()
                .key_metadata(
                    KeyMetadata::builder()
                        .key_id("k")
                        .key_usage(KeyUsageType::SignVerify)
                        .key_spec(KeySpec::Rsa2048)
                        .key_state(KeyState::Enabled)
                        .signing_algorithms(kms::ALGORITHM)
                        .build()
                        .expect("metadata"),
                )
                .build()
        });
        let spki = anchor.spki_der();
        let public = mock!(aws_sdk_kms::Client::get_public_key).then_output(move || {
            GetPublicKeyOutput::builder()
                .public_key(Blob::new(spki.clone()))
                .build()
        });
        // A signature of the right size that no key made.
        let sign = mock!(aws_sdk_kms::Client::sign).then_output(|| {
            SignOutput::builder()
                .signature(Blob::new(vec![0x5a; 256]))
                .build()
        });
        clients.services.kms = testing::kms_client(&[&key, &public, &sign]);
        let hsm = CloudHsm::new(Default::default());
        let deadline = Deadline::new(Duration::from_secs(30), Operation::Create, Stop::default());
        let signer = Signer::Kms {
            issuer: anchor.clone(),
            key_id: "alias/root".into(),
        };
        let d = initialize(
            &hsm,
            &clients,
            &deadline,
            Duration::from_secs(30),
            ID,
            With {
                anchor: &anchor,
                signer: &signer,
                roots: &roots,
            },
        )
        .await
        .err()
        .expect("refused");
        let x = d.iter().next().expect("one");
        assert_eq!(x.summary, "KMS signature does not verify");
        assert_eq!(sign.num_calls(), 1, "KMS Sign called once");
        assert_eq!(init_rule.num_calls(), 0, "InitializeCluster called");
    }

    #[tokio::test]
    async fn a_csr_replaced_before_initialization_is_signed_again() {
        let ca = root("Root");
        let anchor = crate::cloudhsm::pki::one_certificate(&ca.cert_pem).expect("anchor");
        let (a, b) = (Arc::new(test_hsm()), Arc::new(test_hsm()));
        let mut extra = a.roots();
        extra.extend(b.roots());
        let roots = Roots::with(&extra);
        let (a1, b1, b2) = (a.clone(), b.clone(), b.clone());
        let describe = mock!(Client::describe_clusters)
            .sequence()
            .output(move || cluster(ClusterState::Uninitialized, Some(&a1), None))
            // After the refusal: AWS replaced the first HSM, which made a new CSR.
            .output(move || cluster(ClusterState::Uninitialized, Some(&b1), None))
            .output(move || cluster(ClusterState::Uninitialized, Some(&b2), None))
            .output(|| cluster(ClusterState::Initialized, None, None))
            .build();
        let sent: Arc<Mutex<Vec<String>>> = Arc::default();
        let record = sent.clone();
        let init_rule = mock!(Client::initialize_cluster)
            .match_requests(move |r| {
                record
                    .lock()
                    .expect("lock")
                    .push(r.signed_cert().unwrap_or("").to_string());
                true
            })
            .sequence()
            .error(|| {
                let m = "SignedCert does not certify the cluster's key";
                InitializeClusterError::CloudHsmInvalidRequestException(
                    CloudHsmInvalidRequestException::builder()
                        .message(m)
                        .meta(
                            ErrorMetadata::builder()
                                .code("CloudHsmInvalidRequestException")
                                .message(m)
                                .build(),
                        )
                        .build(),
                )
            })
            .output(|| {
                InitializeClusterOutput::builder()
                    .state(ClusterState::InitializeInProgress)
                    .build()
            })
            .build();
        let clients = testing::clients_with_cloudhsm(&[&describe, &init_rule]);
        let hsm = CloudHsm::new(Default::default());
        let deadline = Deadline::new(Duration::from_secs(30), Operation::Create, Stop::default());
        let signer = Signer::Key {
            issuer: anchor.clone(),
            key: PrivateKey::from_pem(&ca.key_pem).expect("key"),
        };
        let out = initialize(
            &hsm,
            &clients,
            &deadline,
            Duration::from_secs(30),
            ID,
            With {
                anchor: &anchor,
                signer: &signer,
                roots: &roots,
            },
        )
        .await
        .expect("initialized");
        assert_eq!(out.cluster_state, "INITIALIZED");
        let sent = sent.lock().expect("lock").clone();
        assert_eq!(sent.len(), 2, "signed twice");
        let second = crate::cloudhsm::pki::one_certificate(&sent[1]).expect("cert");
        assert_eq!(
            second.public_key_bits(),
            b.key.public_key_raw(),
            "the second signature is for the new CSR"
        );
        assert!(second.is_issued_by(&anchor));
        // AWS showed no certificate: the state keeps the one sent.
        assert_eq!(out.cluster_certificate.as_deref(), Some(sent[1].as_str()));
    }

    /// A CSR swapped on the way (not the HSM certificate's key): refused before any
    /// signature and before InitializeCluster, for the key and the signed_cert paths.
    #[tokio::test]
    async fn a_swapped_csr_is_refused_on_every_signing_path() {
        let ca = root("Root");
        let anchor = crate::cloudhsm::pki::one_certificate(&ca.cert_pem).expect("anchor");
        let h = Arc::new(test_hsm());
        let (attacker_csr, _) = crate::cloudhsm::testing::cluster_csr();
        let roots = Roots::with(&h.roots());
        for signer in [
            Signer::Key {
                issuer: anchor.clone(),
                key: PrivateKey::from_pem(&ca.key_pem).expect("key"),
            },
            Signer::Signed(anchor.clone()),
            Signer::Kms {
                issuer: anchor.clone(),
                key_id: "alias/root".into(),
            },
            Signer::Pca {
                arn: "arn:aws:acm-pca:us-east-1:123456789012:certificate-authority/x".into(),
            },
        ] {
            let (h1, csr) = (h.clone(), attacker_csr.clone());
            let describe = mock!(Client::describe_clusters)
                .sequence()
                .output(move || {
                    let mut out = cluster(ClusterState::Uninitialized, Some(&h1), None);
                    out.clusters.as_mut().expect("clusters")[0]
                        .certificates
                        .as_mut()
                        .expect("certificates")
                        .cluster_csr = Some(csr.clone());
                    out
                })
                .repeatedly()
                .build();
            let init_rule = mock!(Client::initialize_cluster).then_output(|| {
                InitializeClusterOutput::builder()
                    .state(ClusterState::InitializeInProgress)
                    .build()
            });
            let mut clients = testing::clients_with_cloudhsm(&[&describe, &init_rule]);
            // Any KMS call (the key check or Sign) would be counted here.
            let kms_rule = mock!(aws_sdk_kms::Client::sign)
                .then_output(|| aws_sdk_kms::operation::sign::SignOutput::builder().build());
            let kms_describe = mock!(aws_sdk_kms::Client::describe_key).then_output(|| {
                aws_sdk_kms::operation::describe_key::DescribeKeyOutput::builder().build()
            });
            clients.services.kms = testing::kms_client(&[&kms_rule, &kms_describe]);
            let pca_rule = mock!(aws_sdk_acmpca::Client::issue_certificate).then_output(|| {
                aws_sdk_acmpca::operation::issue_certificate::IssueCertificateOutput::builder()
                    .build()
            });
            let pca_describe =
                mock!(aws_sdk_acmpca::Client::describe_certificate_authority).then_output(|| {
                    aws_sdk_acmpca::operation::describe_certificate_authority::DescribeCertificateAuthorityOutput::builder().build()
                });
            clients.services.acmpca = testing::acmpca_client(&[&pca_rule, &pca_describe]);
            let hsm = CloudHsm::new(Default::default());
            let deadline =
                Deadline::new(Duration::from_secs(30), Operation::Create, Stop::default());
            let d = initialize(
                &hsm,
                &clients,
                &deadline,
                Duration::from_secs(30),
                ID,
                With {
                    anchor: &anchor,
                    signer: &signer,
                    roots: &roots,
                },
            )
            .await
            .err()
            .expect("refused");
            let x = d.iter().next().expect("one");
            assert_eq!(
                x.summary,
                "HSM identity check failed: the CSR is not the HSM's"
            );
            assert_eq!(init_rule.num_calls(), 0, "InitializeCluster called");
            assert_eq!(
                kms_rule.num_calls()
                    + kms_describe.num_calls()
                    + pca_rule.num_calls()
                    + pca_describe.num_calls(),
                0,
                "KMS or ACM PCA called before the identity check"
            );
        }
    }
}
