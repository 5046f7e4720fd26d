//! CloudHSM initialization with the CA key kept off the runner, with real Terraform
//! against the emulator: the root's key is an AWS KMS key (`kms_key_id`), or an AWS
//! Private CA root issues the cluster certificate (`acm_pca_arn`). The root
//! certificate is made outside Terraform by KMS itself (tests/emulator/testca_cli.py
//! op `kms_root`: KMS Sign of the TBS digest), so no private key exists anywhere but
//! in the emulator's KMS; the test control `/_trustchain/kms/private-key` reveals it
//! only so the test can look for it where it must not be.

#[allow(unused)]
mod cloudhsm_support;

use acceptance::{Emulator, Steps, provider_block};
use cloudhsm_support::*;
use serde_json::json;

/// A KMS key made in the emulator: its id, and an alias naming it.
fn kms_key(emu: &Emulator, usage: &str, spec: &str, alias: &str) -> String {
    let key = emu.call(
        "kms",
        "create_key",
        json!({"KeyUsage": usage, "KeySpec": spec, "Description": alias}),
    );
    let id = key["KeyMetadata"]["KeyId"]
        .as_str()
        .expect("key id")
        .to_string();
    emu.call(
        "kms",
        "create_alias",
        json!({"AliasName": format!("alias/{alias}"), "TargetKeyId": id}),
    );
    id
}

/// A self-signed root whose key is KMS key `key_id` (signed by KMS Sign, DIGEST).
fn kms_root(emu: &Emulator, key_id: &str, name: &str) -> String {
    acceptance::testca(&json!({
        "op": "kms_root", "endpoint": emu.url(), "key_id": key_id, "name": name
    }))["cert"]
        .as_str()
        .expect("root certificate")
        .to_string()
}

/// Every 24-character run (every 20 characters) of the key's base64 lines that the
/// certificate does not hold too.
fn key_pieces(key_pem: &str, cert: &str) -> Vec<String> {
    let public: String = cert.lines().collect();
    key_pem
        .lines()
        .filter(|l| !l.starts_with("-----") && l.len() >= 24)
        .flat_map(|line| {
            (0..=line.len() - 24)
                .step_by(20)
                .map(|s| line[s..s + 24].to_string())
                .collect::<Vec<_>>()
        })
        .filter(|p| !public.contains(p.as_str()))
        .collect()
}

fn assert_no_key(text: &str, pieces: &[String], what: &str) {
    assert!(
        !text.contains("PRIVATE KEY"),
        "a PEM private key is in {what}"
    );
    for p in pieces {
        assert!(
            !text.contains(p.as_str()),
            "a piece of the KMS private key is in {what}"
        );
    }
}

fn network() -> &'static str {
    r#"
resource "trustchain_ipv6_network" "net" {
  name               = "hsm-net"
  availability_zones = ["us-east-1a", "us-east-1b"]

  tier {
    name        = "hsm"
    kind        = "isolated"
    ipv6_native = false
  }
}
"#
}

/// Two HSMs and the initialization side by side, signed by the KMS key `key`.
fn kms_side_by_side(emu: &Emulator, anchor: &str, key: &str) -> String {
    format!(
        r#"{provider}
{network}
resource "trustchain_cloudhsm_cluster" "this" {{
  hsm_type   = "hsm2m.medium"
  subnet_ids = trustchain_ipv6_network.net.subnets["hsm"][*].id
}}

resource "trustchain_cloudhsm_hsm" "a" {{
  cluster_id        = trustchain_cloudhsm_cluster.this.cluster_id
  availability_zone = "us-east-1a"
}}

resource "trustchain_cloudhsm_hsm" "b" {{
  cluster_id        = trustchain_cloudhsm_cluster.this.cluster_id
  availability_zone = "us-east-1b"
}}

resource "trustchain_cloudhsm_cluster_initialization" "this" {{
  cluster_id      = trustchain_cloudhsm_cluster.this.cluster_id
  trust_anchor    = {anchor}
  hsm_trust_roots = {roots}
  kms_key_id      = "{key}"
}}
"#,
        provider = provider_block(emu),
        network = network(),
        anchor = heredoc(anchor),
        roots = heredoc(&emu.cloudhsm_test_roots()),
    )
}

/// The KMS path: two HSMs declared side by side, the cluster initialized with a
/// certificate KMS signed (one Sign call, a digest), verified by the emulator's
/// InitializeCluster against the trust anchor; no private key in the configuration,
/// the plan, the state or the TRACE log, and none in any request.
#[test]
fn cloudhsm_kms_key_initializes_two_hsms_side_by_side_with_no_private_key_anywhere() {
    let emu = Emulator::start();
    let key_id = kms_key(&emu, "SIGN_VERIFY", "RSA_2048", "trustchain-root");
    let anchor = kms_root(&emu, &key_id, "TrustChain KMS Root CA");
    let pieces = key_pieces(&emu.kms_private_key(&key_id), &anchor);
    assert!(pieces.len() > 50, "too few pieces of the key to look for");
    emu.watch_requests(&pieces);
    // The root's own signature was one Sign call.
    let signed_before = emu.calls("kms", "Sign");
    let logs = tempfile::tempdir().expect("log dir");
    let log_path = logs.path().join("terraform.log");
    let log = log_path.display().to_string();
    let config = kms_side_by_side(&emu, &anchor, "alias/trustchain-root");
    assert_no_key(&config, &pieces, "the configuration");
    Steps::new(&emu)
        .env("TF_LOG", "TRACE")
        .env("TF_LOG_PATH", &log)
        .apply(
            "two HSMs and the KMS-signed initialization side by side",
            config,
        )
        .check_plan(|_, plan| assert_no_key(&plan.to_string(), &pieces, "the plan JSON"))
        .check(|s| {
            s.remember(
                "cluster_id",
                s.values(CLUSTER)["cluster_id"].as_str().unwrap_or(""),
            );
            let aws = describe_cluster(s.emu, &s.recall_str("cluster_id"));
            assert_eq!(aws["State"], "INITIALIZED", "{aws}");
            assert_eq!(hsms_of(&aws).len(), 2, "{aws}");
            let init = s.values(INIT);
            let cert = init["cluster_certificate"].as_str().unwrap_or("");
            assert_eq!(
                cert,
                aws["Certificates"]["ClusterCertificate"]
                    .as_str()
                    .unwrap_or("-"),
                "state holds the certificate AWS was given"
            );
            assert_eq!(
                s.emu.calls("kms", "Sign"),
                signed_before + 1,
                "one KMS signature"
            );
            assert!(
                s.emu.calls("kms", "DescribeKey") >= 2,
                "plan and apply check the key"
            );
            let raw =
                std::fs::read_to_string(s.w.path().join("terraform.tfstate")).expect("state file");
            assert_no_key(&raw, &pieces, "terraform.tfstate");
            assert_no_key(&s.state().to_string(), &pieces, "terraform show -json");
            let trace = std::fs::read_to_string(&log_path).expect("TF_LOG_PATH file");
            assert!(
                trace.contains("signing the cluster CSR's certificate digest with KMS"),
                "the provider's own logs are missing from the trace"
            );
            assert_no_key(&trace, &pieces, "the TF_LOG=TRACE output");
        })
        .destroy()
        .check(|s| assert_cloudhsm_gone(s.emu, &s.recall_str("cluster_id"), ""))
        .run();
    let watched = emu.watched();
    assert!(
        watched.is_empty(),
        "requests to the emulator carried the key: {watched:?}"
    );
}

/// KMS keys that cannot sign for the anchor, and two signers at once: errors at
/// kms_key_id at plan time, with the fix; nothing created.
#[test]
fn cloudhsm_kms_key_mistakes_are_plan_time_errors_at_kms_key_id() {
    let emu = Emulator::start();
    let good = kms_key(&emu, "SIGN_VERIFY", "RSA_2048", "root");
    let anchor = kms_root(&emu, &good, "TrustChain KMS Root CA");
    kms_key(&emu, "ENCRYPT_DECRYPT", "RSA_2048", "encrypting");
    let ecc = kms_key(&emu, "SIGN_VERIFY", "ECC_NIST_P256", "ecc");
    kms_key(&emu, "SIGN_VERIFY", "RSA_2048", "other");
    let disabled = kms_key(&emu, "SIGN_VERIFY", "RSA_4096", "disabled");
    let disabled_anchor = kms_root(&emu, &disabled, "Disabled KMS Root CA");
    emu.call("kms", "disable_key", json!({"KeyId": disabled}));
    let ca = Ca::root("Key Root");
    let signed_before = emu.calls("kms", "Sign");
    let init = |name: &str, anchor: &str, key: &str| {
        format!(
            r#"
resource "trustchain_cloudhsm_cluster_initialization" "{name}" {{
  cluster_id   = trustchain_cloudhsm_cluster.this.cluster_id
  trust_anchor = {anchor}
  kms_key_id   = "{key}"
}}
"#,
            anchor = heredoc(anchor)
        )
    };
    let with_cluster = |inits: String| {
        format!(
            r#"{provider}
{network}
resource "trustchain_cloudhsm_cluster" "this" {{
  hsm_type   = "hsm2m.medium"
  subnet_ids = trustchain_ipv6_network.net.subnets["hsm"][*].id
}}
{inits}"#,
            provider = provider_block(&emu),
            network = network(),
        )
    };
    let config = with_cluster(
        [
            init("encrypting", &anchor, "alias/encrypting"),
            init("ecc", &anchor, &ecc),
            init("other", &anchor, "alias/other"),
            init("disabled", &disabled_anchor, "alias/disabled"),
            init("missing", &ca.cert, "alias/nope"),
        ]
        .concat(),
    );
    // Checked when the configuration is validated, before any plan.
    let two_signers = with_cluster(format!(
        r#"
resource "trustchain_cloudhsm_cluster_initialization" "two_signers" {{
  cluster_id   = trustchain_cloudhsm_cluster.this.cluster_id
  trust_anchor = {anchor}
  kms_key_id   = "alias/root"
  signed_cert  = {anchor}
}}
"#,
        anchor = heredoc(&anchor)
    ));
    Steps::new(&emu)
        .plan_fails("KMS keys that cannot sign for their anchor", config)
        .errors(|diags, _| {
            let at_key = |summary: &str, resource: &str| {
                let d = diags
                    .iter()
                    .find(|d| {
                        d["summary"] == summary
                            && d["snippet"]["context"]
                                .as_str()
                                .is_some_and(|c| c.contains(&format!("\"{resource}\"")))
                    })
                    .unwrap_or_else(|| panic!("no {summary:?} for {resource} in {diags:#?}"));
                let code = d["snippet"]["code"].as_str().unwrap_or("");
                assert!(code.contains("kms_key_id"), "{summary:?} at {code:?}");
                d["detail"].as_str().unwrap_or("").to_string()
            };
            let detail = at_key("KMS key cannot sign", "encrypting");
            assert!(
                detail.contains("ENCRYPT_DECRYPT") && detail.contains("SIGN_VERIFY"),
                "{detail}"
            );
            let detail = at_key(
                "KMS key spec not accepted for a CloudHSM trust anchor",
                "ecc",
            );
            assert!(
                detail.contains("ECC_NIST_P256") && detail.contains("RSA_4096"),
                "{detail}"
            );
            let detail = at_key("KMS key does not match its certificate", "other");
            assert!(detail.contains("TrustChain KMS Root CA"), "{detail}");
            let detail = at_key("KMS key is not enabled", "disabled");
            assert!(detail.contains("enable-key"), "{detail}");
            let detail = at_key("KMS key not found", "missing");
            assert!(detail.contains("alias"), "{detail}");
        })
        .plan_fails("two signers at once", two_signers)
        .errors(|diags, _| {
            assert_diagnostic_at(
                diags,
                "More than one way to sign the cluster CSR",
                "kms_key_id",
            );
        })
        .run();
    assert_eq!(
        emu.calls("kms", "Sign"),
        signed_before,
        "a failed plan signed something"
    );
    assert_eq!(
        emu.calls("cloudhsm", "CreateCluster"),
        0,
        "a failed plan created something"
    );
}

const ROOT_TEMPLATE: &str = "arn:aws:acm-pca:::template/RootCACertificate/V1";

/// GetCertificate until issued (the emulator, like AWS, answers
/// RequestInProgressException for a moment after IssueCertificate).
fn pca_certificate(emu: &Emulator, ca_arn: &str, cert_arn: &str) -> String {
    for _ in 0..100 {
        match emu.try_call(
            "acm-pca",
            "get_certificate",
            json!({"CertificateAuthorityArn": ca_arn, "CertificateArn": cert_arn}),
        ) {
            Ok(v) => return v["Certificate"].as_str().expect("certificate").to_string(),
            Err(e) if e.code == "RequestInProgressException" => {
                std::thread::sleep(std::time::Duration::from_millis(200))
            }
            Err(e) => panic!("GetCertificate: {e}"),
        }
    }
    panic!("certificate {cert_arn} never issued")
}

/// A private CA of `kind` (ROOT or SUBORDINATE) and key algorithm `key`; a ROOT one
/// installed with its own certificate as the Private CA user guide does (ACTIVE).
/// Its ARN and, for a root, its certificate.
fn private_ca(emu: &Emulator, kind: &str, key: &str, name: &str) -> (String, String) {
    let arn = emu.call(
        "acm-pca",
        "create_certificate_authority",
        json!({
            "CertificateAuthorityType": kind,
            "CertificateAuthorityConfiguration": {
                "KeyAlgorithm": key, "SigningAlgorithm": "SHA256WITHRSA",
                "Subject": {"CommonName": name, "Organization": "TrustChain tests"}
            }
        }),
    )["CertificateAuthorityArn"]
        .as_str()
        .expect("CA ARN")
        .to_string();
    if kind != "ROOT" {
        return (arn, String::new());
    }
    let csr = emu.call(
        "acm-pca",
        "get_certificate_authority_csr",
        json!({"CertificateAuthorityArn": arn}),
    )["Csr"]
        .as_str()
        .expect("CA CSR")
        .to_string();
    let cert_arn = emu.call(
        "acm-pca",
        "issue_certificate",
        json!({
            "CertificateAuthorityArn": arn, "Csr": csr, "SigningAlgorithm": "SHA256WITHRSA",
            "TemplateArn": ROOT_TEMPLATE, "Validity": {"Type": "YEARS", "Value": 10}
        }),
    )["CertificateArn"]
        .as_str()
        .expect("certificate ARN")
        .to_string();
    let cert = pca_certificate(emu, &arn, &cert_arn);
    emu.call(
        "acm-pca",
        "import_certificate_authority_certificate",
        json!({"CertificateAuthorityArn": arn, "Certificate": cert}),
    );
    (arn, cert)
}

/// Two HSMs and the initialization side by side, the certificate issued by `ca_arn`.
fn pca_side_by_side(emu: &Emulator, anchor: &str, ca_arn: &str) -> String {
    kms_side_by_side(emu, anchor, "-").replace(
        "  kms_key_id      = \"-\"",
        &format!("  acm_pca_arn     = \"{ca_arn}\""),
    )
}

/// The ACM PCA path: two HSMs declared side by side, the cluster certificate issued
/// by a ROOT private CA from the CSR (one IssueCertificate, GetCertificate polled
/// until issued), trust anchor the CA's certificate; no private key in the plan, the
/// state or the TRACE log.
#[test]
fn cloudhsm_acm_pca_root_initializes_two_hsms_side_by_side_with_no_private_key_anywhere() {
    let emu = Emulator::start();
    let (ca_arn, anchor) = private_ca(&emu, "ROOT", "RSA_2048", "TrustChain PCA Root CA");
    let issued_before = emu.calls("acm-pca", "IssueCertificate");
    let logs = tempfile::tempdir().expect("log dir");
    let log_path = logs.path().join("terraform.log");
    let log = log_path.display().to_string();
    let config = pca_side_by_side(&emu, &anchor, &ca_arn);
    assert!(config.contains("acm_pca_arn"), "{config}");
    assert_no_key(&config, &[], "the configuration");
    Steps::new(&emu)
        .env("TF_LOG", "TRACE")
        .env("TF_LOG_PATH", &log)
        .apply(
            "two HSMs and the PCA-issued initialization side by side",
            config,
        )
        .check_plan(|_, plan| assert_no_key(&plan.to_string(), &[], "the plan JSON"))
        .check(|s| {
            s.remember(
                "cluster_id",
                s.values(CLUSTER)["cluster_id"].as_str().unwrap_or(""),
            );
            let aws = describe_cluster(s.emu, &s.recall_str("cluster_id"));
            assert_eq!(aws["State"], "INITIALIZED", "{aws}");
            assert_eq!(hsms_of(&aws).len(), 2, "{aws}");
            assert_eq!(
                s.emu.calls("acm-pca", "IssueCertificate"),
                issued_before + 1,
                "one certificate issued"
            );
            assert!(
                s.emu.calls("acm-pca", "GetCertificate") >= 2,
                "GetCertificate was not polled while the certificate was in progress"
            );
            assert!(
                s.emu.calls("acm-pca", "DescribeCertificateAuthority") >= 2,
                "plan and apply check the CA"
            );
            let raw =
                std::fs::read_to_string(s.w.path().join("terraform.tfstate")).expect("state file");
            assert_no_key(&raw, &[], "terraform.tfstate");
            let trace = std::fs::read_to_string(&log_path).expect("TF_LOG_PATH file");
            assert!(
                trace.contains("asking ACM PCA to issue the cluster certificate"),
                "the provider's own logs are missing from the trace"
            );
            assert_no_key(&trace, &[], "the TF_LOG=TRACE output");
        })
        .destroy()
        .check(|s| assert_cloudhsm_gone(s.emu, &s.recall_str("cluster_id"), ""))
        .run();
}

/// A subordinate CA, a disabled root, a non-RSA root and a trust anchor that is not
/// the CA's certificate: plan-time errors at the attribute, nothing issued.
#[test]
fn cloudhsm_acm_pca_mistakes_are_plan_time_errors_at_the_attribute() {
    let emu = Emulator::start();
    let (root, anchor) = private_ca(&emu, "ROOT", "RSA_2048", "PCA Root");
    let (sub, _) = private_ca(&emu, "SUBORDINATE", "RSA_2048", "PCA Sub");
    let (disabled, disabled_anchor) = private_ca(&emu, "ROOT", "RSA_2048", "Disabled Root");
    emu.call(
        "acm-pca",
        "update_certificate_authority",
        json!({"CertificateAuthorityArn": disabled, "Status": "DISABLED"}),
    );
    let (ec, ec_anchor) = private_ca(&emu, "ROOT", "EC_prime256v1", "EC Root");
    let other = Ca::root("Not the PCA");
    let issued_before = emu.calls("acm-pca", "IssueCertificate");
    let init = |name: &str, anchor: &str, arn: &str| {
        format!(
            r#"
resource "trustchain_cloudhsm_cluster_initialization" "{name}" {{
  cluster_id   = trustchain_cloudhsm_cluster.this.cluster_id
  trust_anchor = {anchor}
  acm_pca_arn  = "{arn}"
}}
"#,
            anchor = heredoc(anchor)
        )
    };
    let config = format!(
        r#"{provider}
{network}
resource "trustchain_cloudhsm_cluster" "this" {{
  hsm_type   = "hsm2m.medium"
  subnet_ids = trustchain_ipv6_network.net.subnets["hsm"][*].id
}}
{inits}"#,
        provider = provider_block(&emu),
        network = network(),
        inits = [
            init("subordinate", &anchor, &sub),
            init("disabled", &disabled_anchor, &disabled),
            init("ec", &ec_anchor, &ec),
            init("not_the_ca", &other.cert, &root),
        ]
        .concat(),
    );
    Steps::new(&emu)
        .plan_fails("private CAs that cannot initialize a cluster", config)
        .errors(|diags, _| {
            let at = |summary: &str, resource: &str, attribute: &str| {
                let d = diags
                    .iter()
                    .find(|d| {
                        d["summary"] == summary
                            && d["snippet"]["context"]
                                .as_str()
                                .is_some_and(|c| c.contains(&format!("\"{resource}\"")))
                    })
                    .unwrap_or_else(|| panic!("no {summary:?} for {resource} in {diags:#?}"));
                let code = d["snippet"]["code"].as_str().unwrap_or("");
                assert!(code.contains(attribute), "{summary:?} at {code:?}");
                d["detail"].as_str().unwrap_or("").to_string()
            };
            let detail = at(
                "Subordinate private CA cannot initialize a cluster",
                "subordinate",
                "acm_pca_arn",
            );
            assert!(detail.contains("SUBORDINATE"), "{detail}");
            let detail = at("Private CA is not ACTIVE", "disabled", "acm_pca_arn");
            assert!(detail.contains("--status ACTIVE"), "{detail}");
            let detail = at(
                "Private CA key not accepted for a CloudHSM trust anchor",
                "ec",
                "acm_pca_arn",
            );
            assert!(detail.contains("EC_prime256v1"), "{detail}");
            let detail = at(
                "trust_anchor is not the private CA's certificate",
                "not_the_ca",
                "trust_anchor",
            );
            assert!(
                detail.contains("get-certificate-authority-certificate"),
                "{detail}"
            );
        })
        .run();
    assert_eq!(
        emu.calls("acm-pca", "IssueCertificate"),
        issued_before,
        "a failed plan issued something"
    );
}
