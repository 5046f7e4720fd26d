//! CloudHSM v2 with real Terraform against the emulator, as step lists: a dual-stack
//! network, a cluster, two HSMs in two zones declared side by side (AWS's #7437
//! refusal waited out), initialization with a CA made in the test, retention in
//! place, import with state verification, an HSM deleted behind Terraform's back,
//! destroy leaving nothing; the #7437 timeout, Ctrl-C, the signed_cert path, data
//! sources, secrets and bad input. Shared helpers live in `cloudhsm_support`.

mod cloudhsm_support;

use acceptance::{Emulator, StepCtx, Steps};
use cloudhsm_support::*;
use serde_json::json;

#[test]
fn cloudhsm_lifecycle_side_by_side_hsms_initialization_retention_import_drift_destroy() {
    let emu = Emulator::start();
    // An HSM takes 2 s to become active, so the second CreateHsm surely meets the
    // first one CREATE_IN_PROGRESS: AWS's #7437 refusal, which the provider waits out.
    emu.set_delays(json!({"hsm_create": 2}));
    let ca = Ca::root("TrustChain Lifecycle Root CA");
    let logs = tempfile::tempdir().expect("log dir");
    let log_path = logs.path().join("provider.log");
    let log = log_path.display().to_string();
    Steps::new(&emu)
        .env("TF_VAR_ca_key", &ca.key)
        .env("TF_LOG_PROVIDER", "INFO")
        .env("TF_LOG_PATH", &log)
        .apply(
            "network, cluster, two HSMs side by side, initialization",
            lifecycle(&emu, &ca, 90),
        )
        .check(|s| {
            let cluster = s.values(CLUSTER);
            let cluster_id = cluster["cluster_id"]
                .as_str()
                .expect("cluster id")
                .to_string();
            s.remember("cluster_id", cluster_id.clone());
            s.remember("vpc_id", cluster["vpc_id"].as_str().unwrap_or(""));
            let aws = describe_cluster(s.emu, &cluster_id);
            assert_eq!(aws["State"], "INITIALIZED", "{aws}");
            let hsms = hsms_of(&aws);
            let zones: Vec<&str> = hsms
                .iter()
                .map(|h| h["AvailabilityZone"].as_str().unwrap_or(""))
                .collect();
            assert_eq!(zones.len(), 2, "{aws}");
            assert!(
                zones.contains(&"us-east-1a") && zones.contains(&"us-east-1b"),
                "{zones:?}"
            );
            assert!(
                hsms_of(&aws).iter().all(|h| h["State"] == "ACTIVE"),
                "{aws}"
            );
            // The second CreateHsm met AWS's #7437 refusal and was tried again with
            // backoff until the initialization: two accepted, the refusals between
            // (backoff from 250 ms: a handful in these seconds, not a busy loop).
            let calls = sorted(statuses(s.emu, "CreateHsm"));
            let refused = calls.iter().filter(|c| **c == 400).count();
            assert_eq!(
                calls.iter().filter(|c| **c == 200).count(),
                2,
                "CreateHsm calls: {calls:?}"
            );
            assert!((1..=20).contains(&refused), "CreateHsm calls: {calls:?}");
            assert_eq!(
                statuses(s.emu, "InitializeCluster"),
                [200],
                "one InitializeCluster"
            );
            let init = s.values(INIT);
            assert_eq!(init["cluster_state"], "INITIALIZED");
            assert!(
                init["cluster_certificate"]
                    .as_str()
                    .unwrap_or("")
                    .contains("BEGIN CERTIFICATE")
            );
            assert!(init["issuing_ca_private_key_wo"].is_null());
            for addr in [HSM_A, HSM_B] {
                let h = s.values(addr);
                assert!(
                    h["eni_ipv6"].as_str().is_some_and(|v| v.contains(':')),
                    "{addr}: DUALSTACK HSM without IPv6: {h}"
                );
            }
            // The HSM that waited said why.
            let provider_log = std::fs::read_to_string(&log_path).expect("provider log");
            assert!(
                provider_log.contains(
                    "AWS refused a second HSM for now (hashicorp/terraform-provider-aws #7437)"
                ) && provider_log.contains("trying CreateHsm again with backoff"),
                "the #7437 wait is not logged"
            );
            assert_refresh_is_frugal(s, &ca.key);
        })
        .apply(
            "backup retention 30 days in place",
            lifecycle(&emu, &ca, 30),
        )
        .expect_actions(&[(CLUSTER, "update")])
        .check(|s| {
            let aws = describe_cluster(s.emu, &s.recall_str("cluster_id"));
            assert_eq!(aws["BackupRetentionPolicy"]["Value"], "30", "{aws}");
            assert_eq!(
                s.values(CLUSTER)["cluster_id"],
                s.recall_str("cluster_id"),
                "cluster replaced"
            );
        })
        .import(CLUSTER)
        .by_id(|v| v["cluster_id"].as_str().expect("cluster id").to_string())
        .import(CLUSTER)
        .by_identity(&["cluster_id"])
        .import(HSM_A)
        .by_id(|v| {
            format!(
                "{}/{}",
                v["cluster_id"].as_str().unwrap_or(""),
                v["hsm_id"].as_str().unwrap_or("")
            )
        })
        .import(HSM_B)
        .by_identity(&["account_id", "region", "cluster_id", "hsm_id"])
        .drift("delete HSM b behind Terraform's back", |s: &StepCtx| {
            let h = s.values(HSM_B);
            let hsm_id = h["hsm_id"].as_str().expect("hsm id").to_string();
            s.emu.call(
                "cloudhsmv2",
                "delete_hsm",
                json!({"ClusterId": h["cluster_id"], "HsmId": hsm_id}),
            );
            s.remember("victim", hsm_id);
        })
        .expect_actions(&[(HSM_B, "create")])
        .check(|s| {
            let h = s.values(HSM_B);
            assert_ne!(h["hsm_id"], s.recall_str("victim"), "HSM b not re-created");
            assert_eq!(h["availability_zone"], "us-east-1b");
            let aws = describe_cluster(s.emu, &s.recall_str("cluster_id"));
            assert_eq!(hsms_of(&aws).len(), 2, "{aws}");
        })
        .destroy()
        .check(|s| {
            assert_cloudhsm_gone(s.emu, &s.recall_str("cluster_id"), &s.recall_str("vpc_id"));
        })
        .run();
}

#[test]
fn cloudhsm_hsm_type_migrates_in_place_and_other_changes_replace_with_a_reason() {
    let emu = Emulator::start();
    Steps::new(&emu)
        .apply(
            "an hsm1.medium cluster with one HSM",
            migration_config(&emu, "hsm1.medium", "IPV4"),
        )
        .check(|s| {
            let h = s.values(HSM_A);
            s.remember("cluster_id", s.values(CLUSTER)["cluster_id"].clone());
            s.remember("eni_id", h["eni_id"].clone());
        })
        .apply(
            "migrate to hsm2m.medium",
            migration_config(&emu, "hsm2m.medium", "IPV4"),
        )
        .expect_actions(&[(CLUSTER, "update")])
        .check(|s| {
            let (cluster_id, eni) = (s.recall_str("cluster_id"), s.recall_str("eni_id"));
            let aws = describe_cluster(s.emu, &cluster_id);
            assert_eq!(aws["HsmType"], "hsm2m.medium", "{aws}");
            assert_eq!(
                aws["State"], "UNINITIALIZED",
                "the migration has finished: {aws}"
            );
            let hsms = hsms_of(&aws);
            assert_eq!(hsms.len(), 1);
            assert_eq!(hsms[0]["HsmType"], "hsm2m.medium");
            assert_eq!(
                hsms[0]["EniId"],
                eni.as_str(),
                "the HSM keeps its network interface"
            );
            let cluster = s.values(CLUSTER);
            assert_eq!(cluster["hsm_type"], "hsm2m.medium");
            assert!(
                cluster["hsm_type_rollback_expiration"].is_string(),
                "{cluster}"
            );
            // Anything else replaces the cluster, and the plan says why.
            s.w.write_main(&migration_config(s.emu, "hsm2m.medium", "DUALSTACK"));
            let run =
                s.w.terraform(&["plan", "-json", "-no-color", "-input=false"])
                    .ok();
            let warning = run
                .json_lines()
                .into_iter()
                .filter(|l| l["type"] == "diagnostic" && l["diagnostic"]["severity"] == "warning")
                .map(|l| l["diagnostic"].clone())
                .find(|d| d["summary"] == "This change replaces the object")
                .unwrap_or_else(|| panic!("no replacement reason:\n{}", run.stdout()));
            let detail = warning["detail"].as_str().unwrap_or("");
            assert!(
                detail.contains("network type") && detail.contains("keys they hold"),
                "{detail}"
            );
            assert!(
                warning["snippet"]["code"]
                    .as_str()
                    .unwrap_or("")
                    .contains("network_type"),
                "{warning}"
            );
            s.w.write_main(&migration_config(s.emu, "hsm2m.medium", "IPV4"));
        })
        .destroy()
        .check(|s| assert_cloudhsm_gone(s.emu, &s.recall_str("cluster_id"), ""))
        .run();
}

#[test]
fn cloudhsm_second_hsm_fails_clearly_when_nothing_initializes_the_cluster() {
    let emu = Emulator::start();
    Steps::new(&emu)
        .apply_fails(
            "two HSMs, no initialization, 8 s to wait",
            hsms_without_init(&emu, "8s"),
        )
        .errors(|diags, _| {
            let d = diags
                .iter()
                .find(|d| {
                    d["summary"]
                        .as_str()
                        .is_some_and(|s| s.contains("was not initialized in time for this HSM"))
                })
                .unwrap_or_else(|| panic!("no #7437 timeout diagnostic in {diags:#?}"));
            let detail = d["detail"].as_str().unwrap_or("");
            for want in [
                "#7437",
                "8s (timeouts.create)",
                "trustchain_cloudhsm_cluster_initialization",
                "raise timeouts.create",
            ] {
                assert!(detail.contains(want), "{want:?} missing: {detail}");
            }
        })
        .check(|s| {
            let cluster = s.values(CLUSTER);
            s.remember("cluster_id", cluster["cluster_id"].as_str().unwrap_or(""));
            let aws = describe_cluster(s.emu, &s.recall_str("cluster_id"));
            assert_eq!(
                hsms_of(&aws).len(),
                1,
                "exactly the first HSM exists: {aws}"
            );
            assert_eq!(aws["State"], "UNINITIALIZED");
        })
        .destroy()
        .check(|s| assert_cloudhsm_gone(s.emu, &s.recall_str("cluster_id"), ""))
        .run();
}

/// An attacker on the network path swaps the cluster CSR for one of their own key (the
/// emulator's intercept control; the HSM certificate stays the HSM's): the provider
/// checks the HSM's identity as the user guide does, refuses, and signs nothing.
#[test]
fn cloudhsm_a_swapped_csr_is_refused_and_nothing_is_signed() {
    let emu = Emulator::start();
    let ca = Ca::root("TrustChain MITM Root CA");
    emu.intercept_cloudhsm_csr(true);
    Steps::new(&emu)
        .env("TF_VAR_ca_key", &ca.key)
        .apply_fails(
            "initialize while the CSR is swapped on the way",
            secret_config(&emu, &ca.cert),
        )
        .errors(|diags, _| {
            let d = diags
                .iter()
                .find(|d| d["summary"] == "HSM identity check failed: the CSR is not the HSM's")
                .unwrap_or_else(|| panic!("no identity error in {diags:#?}"));
            let detail = d["detail"].as_str().unwrap_or("");
            for want in [
                "is not the key of its HsmCertificate",
                "Nothing was signed",
                "do not retry blindly",
            ] {
                assert!(detail.contains(want), "{want:?} missing: {detail}");
            }
        })
        .check(|s| {
            s.remember(
                "cluster_id",
                s.values(CLUSTER)["cluster_id"].as_str().unwrap_or(""),
            );
            assert_eq!(
                s.emu.calls("cloudhsm", "InitializeCluster"),
                0,
                "InitializeCluster was called"
            );
            let aws = describe_cluster(s.emu, &s.recall_str("cluster_id"));
            assert_eq!(aws["State"], "UNINITIALIZED", "{aws}");
            assert!(
                acceptance::steps::resource_in(&s.state(), INIT).is_none(),
                "the initialization reached state"
            );
        })
        .destroy()
        .check(|s| assert_cloudhsm_gone(s.emu, &s.recall_str("cluster_id"), ""))
        .run();
}

/// Side by side under each reading of the #7437 rule (the emulator's control): the
/// provider retries CreateHsm until AWS takes HSM b, whatever the rule is.
fn side_by_side_under(rule: &str) {
    let emu = Emulator::start();
    emu.set_second_hsm_rule(rule);
    let ca = Ca::root("TrustChain 7437 Root CA");
    Steps::new(&emu)
        .env("TF_VAR_ca_key", &ca.key)
        .apply(
            &format!("two HSMs and the initialization side by side, rule {rule}"),
            side_by_side(&emu, &ca, "10m"),
        )
        .check(|s| {
            s.remember(
                "cluster_id",
                s.values(CLUSTER)["cluster_id"].as_str().unwrap_or(""),
            );
            let aws = describe_cluster(s.emu, &s.recall_str("cluster_id"));
            assert_eq!(aws["State"], "INITIALIZED", "{aws}");
            assert_eq!(hsms_of(&aws).len(), 2, "{aws}");
        })
        .destroy()
        .check(|s| assert_cloudhsm_gone(s.emu, &s.recall_str("cluster_id"), ""))
        .run();
}

#[test]
fn cloudhsm_7437_when_aws_waits_for_the_first_hsm_to_be_active() {
    side_by_side_under("first_hsm_active");
}

#[test]
fn cloudhsm_7437_when_aws_waits_for_the_initialization() {
    side_by_side_under("cluster_initialized");
}

/// AWS waiting for activation: no provider can activate, so the HSM AWS did not take
/// first (a or b: they race) ends in the clear timeout error, after 30 s, long enough
/// for the initialization even on a loaded machine; once the cluster is activated (the emulator's stand-in for
/// `cloudhsm-cli cluster activate`), the next apply creates it.
#[test]
fn cloudhsm_7437_when_aws_waits_for_the_activation() {
    let emu = Emulator::start();
    emu.set_second_hsm_rule("cluster_active");
    let ca = Ca::root("TrustChain 7437 Root CA");
    Steps::new(&emu)
        .env("TF_VAR_ca_key", &ca.key)
        .apply_fails(
            "side by side; AWS takes the second HSM only once the cluster is activated",
            side_by_side(&emu, &ca, "30s"),
        )
        .errors(|diags, _| {
            let d = diags
                .iter()
                .find(|d| {
                    d["summary"]
                        .as_str()
                        .is_some_and(|s| s.contains("was not activated in time for this HSM"))
                })
                .unwrap_or_else(|| panic!("no activation timeout in {diags:#?}"));
            let detail = d["detail"].as_str().unwrap_or("");
            for want in [
                "#7437",
                "30s (timeouts.create)",
                "cloudhsm-cli cluster activate",
            ] {
                assert!(detail.contains(want), "{want:?} missing: {detail}");
            }
        })
        .check(|s| {
            s.remember(
                "cluster_id",
                s.values(CLUSTER)["cluster_id"].as_str().unwrap_or(""),
            );
            let aws = describe_cluster(s.emu, &s.recall_str("cluster_id"));
            assert_eq!(aws["State"], "INITIALIZED", "{aws}");
            assert_eq!(hsms_of(&aws).len(), 1, "{aws}");
            s.emu.activate_cluster(&s.recall_str("cluster_id"));
        })
        .apply(
            "after activation, the second HSM is created",
            side_by_side(&emu, &ca, "30s"),
        )
        .check(|s| {
            let aws = describe_cluster(s.emu, &s.recall_str("cluster_id"));
            assert_eq!(aws["State"], "ACTIVE", "{aws}");
            assert_eq!(hsms_of(&aws).len(), 2, "{aws}");
        })
        .destroy()
        .check(|s| assert_cloudhsm_gone(s.emu, &s.recall_str("cluster_id"), ""))
        .run();
}

#[test]
fn cloudhsm_ctrl_c_ends_the_wait_for_initialization_promptly() {
    let emu = Emulator::start();
    let w = acceptance::Workspace::new(&hsms_without_init(&emu, "1h"));
    let outcome = interrupt_apply_when(&w, || statuses(&emu, "CreateHsm").contains(&400));
    // The wait's own limit is an hour and nothing initializes the cluster: Terraform
    // exiting with the interrupt message shows StopProvider ended the wait. The time is
    // printed, not asserted.
    eprintln!(
        "Terraform stopped {:?} after SIGINT",
        outcome.elapsed_after_interrupt
    );
    assert!(
        outcome
            .output
            .contains("Interrupted while waiting for CloudHSM cluster"),
        "the wait did not end with the interrupt message:\n{}",
        outcome.output
    );
    w.destroy().ok();
    assert_eq!(
        describe_clusters(&emu)
            .iter()
            .filter(|c| c["State"] != "DELETED")
            .count(),
        0
    );
}

#[test]
fn cloudhsm_signed_cert_path_activation_and_data_sources() {
    let emu = Emulator::start();
    let ca = Ca::root("TrustChain Offline Root CA");
    let inter = Ca::intermediate("TrustChain Issuing CA", &ca);
    Steps::new(&emu)
        .apply(
            "cluster with one HSM",
            signed_cert_config(&emu, &ca.cert, None, false),
        )
        .check(|s| {
            let id = s.values(CLUSTER)["cluster_id"]
                .as_str()
                .expect("id")
                .to_string();
            let csr = describe_cluster(s.emu, &id)["Certificates"]["ClusterCsr"]
                .as_str()
                .expect("a CSR once the HSM is active")
                .to_string();
            // Signed offline, as the user guide does with openssl, into files the
            // configuration reads.
            s.remember("signed", ca.sign_csr(&csr));
            s.w.write_file("cluster.crt", &s.recall_str("signed"));
            s.w.write_file("wrong.crt", &inter.cert);
            s.remember("cluster_id", id);
        })
        .plan_fails(
            "a certificate for another key",
            signed_cert_config(&emu, &ca.cert, Some("wrong.crt"), false),
        )
        .errors(|diags, _| {
            assert_diagnostic_at(
                diags,
                "signed_cert is not for the cluster's current CSR",
                "signed_cert",
            )
        })
        .apply(
            "initialize with the CSR signed outside Terraform",
            signed_cert_config(&emu, &ca.cert, Some("cluster.crt"), false),
        )
        .check(|s| {
            assert_eq!(
                describe_cluster(s.emu, &s.recall_str("cluster_id"))["State"],
                "INITIALIZED"
            );
            let init = s.values(INIT);
            assert_eq!(
                init["cluster_certificate"].as_str().map(str::trim),
                Some(s.recall_str("signed").trim())
            );
            // The data-plane `cloudhsm-cli cluster activate`, through the emulator's hook.
            s.emu.activate_cluster(&s.recall_str("cluster_id"));
        })
        .apply(
            "data sources after activation",
            signed_cert_config(&emu, &ca.cert, Some("cluster.crt"), true),
        )
        .check(|s| {
            assert_eq!(
                s.values(INIT)["cluster_state"],
                "ACTIVE",
                "refresh shows the activation"
            );
            let by_tags = s.output("by_tags");
            assert_eq!(by_tags["cluster_id"], s.recall_str("cluster_id"));
            assert_eq!(by_tags["cluster_state"], "ACTIVE");
            assert_eq!(by_tags["hsms"].as_array().map(Vec::len), Some(1));
            let backups = s.output("backups");
            assert!(
                backups["backups"].as_array().is_some_and(|b| !b.is_empty()
                    && b.iter()
                        .all(|x| x["cluster_id"] == s.recall_str("cluster_id"))),
                "activation makes a backup: {backups}"
            );
        })
        .destroy()
        .check(|s| assert_cloudhsm_gone(s.emu, &s.recall_str("cluster_id"), ""))
        .run();
}

/// A distinctive AWS secret key for the secret tests: the emulator takes any, and
/// it must never appear anywhere either (SigV4 only signs with it).
const AWS_SECRET: &str = "tcSecretAccessKey/ZZqv8XkWm3Lp9Rt2Yh5Nb7Dc";

/// The sensitive values of the secret tests are nowhere in `text`.
fn assert_no_secrets(text: &str, ca: &Ca, what: &str) {
    assert_no_secret(text, ca, what);
    assert!(
        !text.contains(AWS_SECRET) && !text.contains("tcSecretAccessKey"),
        "the AWS secret access key is in {what}"
    );
}

/// The one write-only/sensitive value of the provider's schemas
/// (issuing_ca_private_key_wo; pinned in
/// cloudhsm_schema_keeps_the_key_write_only_and_serves_identities) and the AWS
/// secret key: never in the plan, the state (local file, `show -json`), the
/// TF_LOG=TRACE output, or any request the emulator received (the key signs the CSR
/// inside the provider; no AWS call needs it). Figures in target/reports/secrets.txt.
#[test]
fn cloudhsm_ca_private_key_never_reaches_state_plan_or_trace_logs() {
    let emu = Emulator::start();
    let ca = Ca::root("TrustChain Secret Root CA");
    let mut needles = secret_pieces(&ca);
    needles.push(AWS_SECRET.into());
    emu.watch_requests(&needles);
    let logs = tempfile::tempdir().expect("log dir");
    let log_path = logs.path().join("terraform.log");
    let log = log_path.display().to_string();
    Steps::new(&emu)
        .env("TF_VAR_ca_key", &ca.key_pkcs1)
        .env("AWS_SECRET_ACCESS_KEY", AWS_SECRET)
        .env("TF_LOG", "TRACE")
        .env("TF_LOG_PATH", &log)
        .apply(
            "initialize with a PKCS#1 key under TF_LOG=TRACE",
            secret_config(&emu, &ca.cert),
        )
        .check_plan(|s, plan| {
            assert_no_secrets(&plan.to_string(), &ca, "terraform show -json of the plan");
            s.remember("checked", json!(["plan JSON"]));
        })
        .check(|s| {
            s.remember(
                "cluster_id",
                s.values(CLUSTER)["cluster_id"].as_str().unwrap_or(""),
            );
            assert_eq!(
                describe_cluster(s.emu, &s.recall_str("cluster_id"))["State"],
                "INITIALIZED"
            );
            let raw =
                std::fs::read_to_string(s.w.path().join("terraform.tfstate")).expect("state file");
            assert_no_secrets(&raw, &ca, "terraform.tfstate");
            assert_no_secrets(&s.state().to_string(), &ca, "terraform show -json");
            let trace = std::fs::read_to_string(&log_path).expect("TF_LOG_PATH file");
            assert!(
                trace.contains("ApplyResourceChange") || trace.len() > 100_000,
                "TRACE logging did not happen"
            );
            assert!(
                trace.contains("signing the cluster CSR"),
                "the provider's own logs are missing from the trace"
            );
            assert_no_secrets(&trace, &ca, "the TF_LOG=TRACE output");
            let log = s.emu.requests().to_string();
            assert_no_secrets(&log, &ca, "the emulator's request log");
            let mut checked: Vec<String> = s.recall_as("checked");
            checked.extend([
                "state file".into(),
                "show -json".into(),
                format!("TRACE log ({} KiB)", trace.len() / 1024),
                "request log".into(),
            ]);
            s.remember("checked", json!(checked));
        })
        .destroy()
        .check(|s| {
            let watched = s.emu.watched();
            assert!(
                watched.is_empty(),
                "requests to the emulator carried a secret: {watched:?}"
            );
            let calls = s.emu.requests()["total"].as_u64().unwrap_or(0);
            let checked: Vec<String> = s.recall_as("checked");
            let lines = vec![format!(
                "secrets (issuing_ca_private_key_wo, AWS secret key): absent from {}, and from all {calls} AWS calls' bodies and headers",
                checked.join(", ")
            )];
            eprintln!("{}", lines[0]);
            acceptance::write_report("secrets", &lines);
        })
        .run();
}

/// A provider panic with the key in hand (a debug-build hook that panics with the
/// whole model in its message) becomes an internal-error diagnostic; neither it, the
/// panic's log line nor anything else Terraform prints or logs carries the key.
#[test]
fn cloudhsm_ca_private_key_never_reaches_crash_output() {
    let emu = Emulator::start();
    let ca = Ca::root("TrustChain Crash Root CA");
    emu.watch_requests(&secret_pieces(&ca));
    let logs = tempfile::tempdir().expect("log dir");
    let log_path = logs.path().join("terraform.log");
    let log = log_path.display().to_string();
    Steps::new(&emu)
        .env("TF_VAR_ca_key", &ca.key)
        .env("AWS_SECRET_ACCESS_KEY", AWS_SECRET)
        .env("TRUSTCHAIN_TEST_PANIC_WITH_KEY", "1")
        .env("TF_LOG", "TRACE")
        .env("TF_LOG_PATH", &log)
        .apply_fails(
            "the initialization panics with the key in hand",
            secret_config(&emu, &ca.cert),
        )
        .errors(|diags, run| {
            assert!(
                diags
                    .iter()
                    .any(|d| d["summary"] == "The provider hit an internal error"),
                "no internal-error diagnostic: {diags:#?}"
            );
            let words = format!("{}\n{}", run.stdout(), run.stderr());
            assert!(
                words.contains("TRUSTCHAIN_TEST_PANIC_WITH_KEY") && words.contains("redacted"),
                "the panic message did not come through:\n{words}"
            );
            assert_no_secrets(&words, &ca, "the crash output");
            let trace = std::fs::read_to_string(&log_path).expect("TF_LOG_PATH file");
            assert!(trace.contains("handler panicked"), "no panic in the trace");
            assert_no_secrets(&trace, &ca, "the TRACE log of the crash");
        })
        .check(|s| {
            let raw =
                std::fs::read_to_string(s.w.path().join("terraform.tfstate")).expect("state file");
            assert_no_secrets(&raw, &ca, "the state after the crash");
        })
        .destroy()
        .run();
    assert!(emu.watched().is_empty(), "{:?}", emu.watched());
    acceptance::write_report(
        "secrets-crash",
        &["secrets: a provider panic holding the CA key: internal-error diagnostic, key absent from crash output, TRACE log, state and AWS calls".into()],
    );
}

#[test]
fn cloudhsm_bad_input_gets_diagnostics_at_the_attribute() {
    let emu = Emulator::start();
    let net = SubnetsForChecks::create(&emu);
    let (root, other) = (Ca::root("Root"), Ca::root("Other Root"));
    let inter = Ca::intermediate("Intermediate", &root);
    Steps::new(&emu)
        .plan_fails(
            "mistakes visible in the configuration",
            bad_config(&emu, &net, &root, &other, &inter),
        )
        .errors(|diags, _| {
            assert_diagnostic_at(diags, "NON_FIPS mode needs hsm2m.medium", "mode");
            assert_diagnostic_at(
                diags,
                "Backup retention out of range",
                "backup_retention_days",
            );
            assert_diagnostic_at(
                diags,
                "CA key does not match its certificate",
                "issuing_ca_private_key_wo",
            );
            assert_diagnostic_at(
                diags,
                "Issuing CA does not chain to the trust anchor",
                "issuing_ca_certificate",
            );
            assert_diagnostic_at(
                diags,
                "Intermediate CA cannot sign the cluster certificate",
                "issuing_ca_certificate",
            );
            assert_diagnostic_at(diags, "Invalid trust_anchor", "trust_anchor");
            assert_diagnostic_at(
                diags,
                "Signed certificate not issued by the trust anchor",
                "signed_cert",
            );
            // Terraform quotes the configuration in its snippets; the provider's
            // own words must not quote the key.
            for d in diags {
                let words = format!("{} {}", d["summary"], d["detail"]);
                assert_no_secret(&words, &root, "a diagnostic");
                assert_no_secret(&words, &other, "a diagnostic");
                assert_no_secret(&words, &inter, "a diagnostic");
            }
        })
        .plan_fails(
            "mistakes only EC2 knows of, found at plan time",
            subnet_config(&emu, &net),
        )
        .errors(|diags, _| {
            assert_diagnostic_at(diags, "Two subnets in one Availability Zone", "subnet_ids");
            assert_diagnostic_at(diags, "DUALSTACK needs subnets with IPv6", "network_type");
            let zone = diags
                .iter()
                .find(|d| d["summary"] == "Two subnets in one Availability Zone")
                .expect("zone diagnostic");
            let detail = zone["detail"].as_str().unwrap_or("");
            assert!(
                detail.contains(&net.a1)
                    && detail.contains(&net.a2)
                    && detail.contains("us-east-1a"),
                "{detail}"
            );
        })
        .run();
    assert_eq!(
        emu.calls("cloudhsm", "CreateCluster"),
        0,
        "a failed plan created something"
    );
}

#[test]
fn cloudhsm_examples_are_valid_terraform() {
    let root = acceptance::workspace_root().join("examples");
    let ca = Ca::root("Example Root CA");
    let mut checked = 0;
    for kind in ["resources", "data-sources"] {
        let mut dirs: Vec<_> = std::fs::read_dir(root.join(kind))
            .expect("examples dir")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("trustchain_cloudhsm"))
            })
            .collect();
        dirs.sort();
        for dir in dirs {
            let w = acceptance::Workspace::new(
                "terraform {\n  required_providers {\n    trustchain = {\n      source = \"trustchain/trustchain\"\n    }\n  }\n}\n",
            );
            for f in std::fs::read_dir(&dir)
                .expect("example")
                .filter_map(|e| e.ok())
            {
                let name = f.file_name().to_string_lossy().to_string();
                if name.ends_with(".tf") {
                    w.write_file(
                        &name,
                        &std::fs::read_to_string(f.path()).expect("read example"),
                    );
                }
            }
            w.write_file("customerCA.crt", &ca.cert);
            let v = w.validate().json();
            assert_eq!(v["valid"], true, "{}: {v:#}", dir.display());
            w.terraform(&["fmt", "-check", "-no-color", dir.to_str().unwrap_or(".")])
                .ok();
            checked += 1;
        }
    }
    assert_eq!(
        checked, 5,
        "every CloudHSM resource and data source has an example"
    );
}

#[test]
fn cloudhsm_schema_keeps_the_key_write_only_and_serves_identities() {
    let w = acceptance::Workspace::new(
        "terraform {\n  required_providers {\n    trustchain = {\n      source = \"trustchain/trustchain\"\n    }\n  }\n}\n",
    );
    let schema = w.terraform(&["providers", "schema", "-json"]).ok().json();
    let p = &schema["provider_schemas"]["registry.terraform.io/trustchain/trustchain"];
    let key = &p["resource_schemas"]["trustchain_cloudhsm_cluster_initialization"]["block"]["attributes"]
        ["issuing_ca_private_key_wo"];
    assert_eq!(key["write_only"], true, "{key}");
    assert_eq!(key["sensitive"], true, "{key}");
    let cluster = &p["resource_identity_schemas"]["trustchain_cloudhsm_cluster"]["attributes"];
    assert_eq!(
        cluster["cluster_id"]["required_for_import"], true,
        "{cluster}"
    );
    assert_eq!(
        cluster["account_id"]["optional_for_import"], true,
        "{cluster}"
    );
    let hsm = &p["resource_identity_schemas"]["trustchain_cloudhsm_hsm"]["attributes"];
    for a in ["cluster_id", "hsm_id"] {
        assert_eq!(hsm[a]["required_for_import"], true, "{hsm}");
    }
    for ds in ["trustchain_cloudhsm_cluster", "trustchain_cloudhsm_backups"] {
        assert!(p["data_source_schemas"][ds].is_object(), "{ds} not served");
    }
}

/// Where an HSM goes is checked at plan time against the cluster's subnet mapping (one
/// DescribeClusters): a zone or a subnet the cluster has no subnet in is an error at that
/// attribute, and no HSM is created.
#[test]
fn cloudhsm_hsm_place_outside_the_cluster_is_refused_at_plan() {
    let emu = Emulator::start();
    let hsm = |place: &str| {
        format!(
            "\nresource \"trustchain_cloudhsm_hsm\" \"a\" {{\n  cluster_id = trustchain_cloudhsm_cluster.this.cluster_id\n  {place}\n}}\n"
        )
    };
    Steps::new(&emu)
        .apply(
            "a cluster with subnets in us-east-1a and 1b of a three-zone network",
            zone_checks(&emu, ""),
        )
        .check(|s| s.remember("cluster_id", s.values(CLUSTER)["cluster_id"].clone()))
        .plan_fails(
            "an HSM in us-east-1c",
            zone_checks(&emu, &hsm("availability_zone = \"us-east-1c\"")),
        )
        .errors(|diags, _| {
            acceptance::assert_diagnostic(
                diags,
                "Zone not in the cluster",
                "availability_zone",
                "us-east-1c is not one of its zones",
            )
        })
        .plan_fails(
            "an HSM in the network's us-east-1c subnet",
            zone_checks(&emu, &hsm("subnet_id = local.outside[0]")),
        )
        .errors(|diags, _| {
            acceptance::assert_diagnostic(
                diags,
                "Subnet not in the cluster",
                "subnet_id",
                "is not one of its subnets",
            )
        })
        // Destroy plans the configuration too, so it goes back to the cluster alone first.
        .apply("the cluster alone again", zone_checks(&emu, ""))
        .expect_actions(&[])
        .destroy()
        .check(|s| {
            assert_eq!(
                s.emu.calls("cloudhsm", "CreateHsm"),
                0,
                "an HSM was created"
            );
            assert_cloudhsm_gone(s.emu, &s.recall_str("cluster_id"), "");
        })
        .run();
}
