//! The committed modules have the registry layout and the platform READMEs the issue asks for.

mod common;

use std::fs;

use common::workspace;

const TRUSTCHAIN: &[&str] = &[
    "backup",
    "certificates",
    "compute",
    "dns",
    "hsm",
    "load_balancer",
    "monitoring",
    "networking",
    "security",
    "storage",
];
const SOLIDITY: &[&str] = &[
    "backup",
    "certificates",
    "compute",
    "database",
    "dns",
    "hsm",
    "load_balancer",
    "monitoring",
    "networking",
    "security",
    "storage",
];

#[test]
fn every_module_has_versions_variables_outputs_and_a_readme_with_docs_markers() {
    let root = workspace().join("modules");
    for (platform, modules) in [("trustchain", TRUSTCHAIN), ("solidity", SOLIDITY)] {
        for module in modules {
            let dir = root.join(platform).join(module);
            for file in ["variables.tf", "outputs.tf", "versions.tf", "README.md"] {
                assert!(
                    dir.join(file).is_file(),
                    "{platform}/{module}/{file} is missing"
                );
            }
            let readme = fs::read_to_string(dir.join("README.md")).unwrap();
            for marker in [
                "<!-- BEGIN_TF_DOCS -->",
                "## Inputs",
                "## Outputs",
                "<!-- END_TF_DOCS -->",
            ] {
                assert!(
                    readme.contains(marker),
                    "{platform}/{module}/README.md lacks {marker}"
                );
            }
            let versions = fs::read_to_string(dir.join("versions.tf")).unwrap();
            assert!(
                versions.contains("= \"hashicorp/aws\"")
                    && versions.contains(&format!(
                        "= \">= {}\"",
                        codegen::platforms::AWS_PROVIDER_FLOOR
                    )),
                "{platform}/{module}: {versions}"
            );
            let variables = fs::read_to_string(dir.join("variables.tf")).unwrap();
            let blocks = variables.matches("\nvariable \"").count();
            let described = variables.matches("\n  description = \"").count();
            assert!(
                blocks > 0 && described == blocks,
                "{platform}/{module}: {described} of {blocks} variables described"
            );
        }
    }
}

#[test]
fn trustchain_modules_use_the_custom_provider_resources() {
    let root = workspace().join("modules/trustchain");
    let read = |rel: &str| fs::read_to_string(root.join(rel)).unwrap();
    assert!(read("networking/main.tf").contains("resource \"trustchain_ipv6_network\" \"this\""));
    let hsm = read("hsm/cloudhsm.tf");
    for r in [
        "trustchain_cloudhsm_cluster",
        "trustchain_cloudhsm_hsm",
        "trustchain_cloudhsm_cluster_initialization",
    ] {
        assert!(hsm.contains(&format!("resource \"{r}\"")), "hsm lacks {r}");
    }
    let quic = read("load_balancer/quic.tf");
    assert!(
        quic.contains("resource \"trustchain_quic_load_balancer\"")
            && quic.contains("resource \"trustchain_quic_target\"")
    );
    assert!(read("hsm/versions.tf").contains("= \"trustchain/trustchain\""));
    let vars = read("hsm/variables.tf");
    let key = &vars[vars
        .find("variable \"issuing_ca_private_key_pem\"")
        .unwrap()..];
    let key = &key[..key.find("\n}\n").unwrap()];
    assert!(
        key.contains("sensitive   = true") && key.contains("ephemeral   = true"),
        "{key}"
    );
}

#[test]
fn platform_readmes_map_components_and_list_what_is_left_out() {
    let root = workspace().join("modules");
    let solidity = fs::read_to_string(root.join("solidity/README.md")).unwrap();
    for left_out in [
        "Istio",
        "ArgoCD",
        "Prometheus",
        "Grafana",
        "Jaeger",
        "Kiali",
        "cert-manager",
        "External Secrets",
        "AWS Load Balancer Controller",
    ] {
        assert!(
            solidity.contains(left_out),
            "solidity README does not mention {left_out}"
        );
    }
    for platform in ["solidity", "trustchain"] {
        let readme = fs::read_to_string(root.join(platform).join("README.md")).unwrap();
        assert!(
            readme.contains("## Where each component of the document lives")
                && readme.contains("## Left out"),
            "{platform}"
        );
        let modules = if platform == "solidity" {
            SOLIDITY
        } else {
            TRUSTCHAIN
        };
        for module in modules {
            assert!(
                readme.contains(&format!("[{module}]({module}/)")),
                "{platform} README does not list {module}"
            );
        }
    }
}

#[test]
fn platform_readmes_say_what_an_operator_still_does_by_hand_on_aws() {
    let root = workspace().join("modules");
    for (platform, musts) in [
        (
            "trustchain",
            &[
                "create_account_resources",
                "name_servers",
                "cloudhsm-cli cluster activate",
                "AWS_USE_DUALSTACK_ENDPOINT",
            ][..],
        ),
        (
            "solidity",
            &[
                "create_account_resources",
                "name_servers",
                "TargetGroupBinding",
                "access entries",
                "redis_auth_token",
            ][..],
        ),
    ] {
        let readme = fs::read_to_string(root.join(platform).join("README.md")).unwrap();
        let section = readme
            .split("## By hand on real AWS")
            .nth(1)
            .and_then(|rest| rest.split("\n## ").next())
            .unwrap_or_else(|| panic!("{platform} README has no \"By hand on real AWS\" section"));
        assert!(
            section.matches("\n1. **").count() >= 5,
            "{platform}: {section}"
        );
        for must in musts {
            assert!(
                section.contains(must),
                "{platform} by-hand steps do not mention {must}:\n{section}"
            );
        }
    }
}

#[test]
fn examples_use_an_s3_backend_with_lockfile_and_all_environments() {
    for example in ["trustchain", "solidity"] {
        let dir = workspace().join("examples").join(example);
        let backend = fs::read_to_string(dir.join("backend.tf")).unwrap();
        assert!(
            backend.contains("backend \"s3\"") && backend.contains("use_lockfile = true"),
            "{example}: {backend}"
        );
        for env in ["dev", "staging", "prod"] {
            assert!(
                dir.join("env").join(format!("{env}.tfvars")).is_file(),
                "{example}: {env}.tfvars missing"
            );
        }
        let main = fs::read_to_string(dir.join("main.tf")).unwrap();
        assert!(
            main.contains(&format!("source = \"../../modules/{example}/networking\"")),
            "{example}"
        );
        assert!(
            main.contains("aws.replica = aws.secondary"),
            "{example}: secondary region not wired"
        );
    }
}

/// The hashicorp/aws floor the modules state is the version `make validate-modules`
/// validates them against (the schema derived by `tests/aws-schema/derive_schema.py`), so
/// every argument and block a module uses exists at the floor.
#[test]
fn the_aws_provider_floor_is_the_validated_schema_version() {
    let derive = fs::read_to_string(workspace().join("tests/aws-schema/derive_schema.py"))
        .expect("tests/aws-schema/derive_schema.py");
    let validated = derive
        .lines()
        .find_map(|l| l.trim().strip_prefix("AWS_PROVIDER_VERSION = "))
        .map(|v| v.trim().trim_matches('"').to_string())
        .expect("AWS_PROVIDER_VERSION in derive_schema.py");
    assert_eq!(codegen::platforms::AWS_PROVIDER_FLOOR, validated);
    for platform in ["trustchain", "solidity"] {
        for entry in fs::read_dir(workspace().join("modules").join(platform)).unwrap() {
            let versions = entry.unwrap().path().join("versions.tf");
            let Ok(text) = fs::read_to_string(&versions) else {
                continue;
            };
            assert!(
                text.contains(&format!("\">= {validated}\"")),
                "{}: hashicorp/aws should be constrained to >= {validated}",
                versions.display()
            );
            assert!(!text.contains("~> 6"), "{}", versions.display());
        }
    }
}
