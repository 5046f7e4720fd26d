//! Every example in registry layout plans with real Terraform: the provider example
//! offline, resource examples against the emulator, data source and function examples
//! (evaluated at plan), action examples validated. Data-driven: a new example directory is picked up by itself.

use acceptance::{Emulator, Workspace, provider_block, workspace_root};
use serde_json::json;
use std::path::{Path, PathBuf};

/// Variables the examples declare, with values made here: a root CA from Python's
/// `cryptography` (tests/emulator/testca_cli.py) for the CloudHSM initialization.
fn example_variables(w: &mut Workspace) {
    let ca = acceptance::test_root_ca("Example Root CA");
    w.set_env(
        "TF_VAR_root_ca_cert_pem",
        ca["cert"].as_str().expect("cert"),
    );
    w.set_env("TF_VAR_root_ca_key_pem", ca["key"].as_str().expect("key"));
    // Stands in for the Marvell root the example asks for (the examples only plan).
    let manufacturer = acceptance::test_root_ca("Example manufacturer root");
    w.set_env(
        "TF_VAR_hsm2m_manufacturer_root_pem",
        manufacturer["cert"].as_str().expect("cert"),
    );
}

/// What the data source examples read: a CloudHSM cluster tagged Name=trustchain-ca.
fn data_source_fixtures(emu: &Emulator) {
    let vpc = emu.call("ec2", "create_vpc", json!({"CidrBlock": "10.1.0.0/16"}));
    let vpc_id = vpc["Vpc"]["VpcId"].as_str().expect("vpc id").to_string();
    let subnets: Vec<String> = [("10.1.0.0/24", "us-east-1a"), ("10.1.1.0/24", "us-east-1b")]
        .iter()
        .map(|(cidr, az)| {
            let s = emu.call(
                "ec2",
                "create_subnet",
                json!({"VpcId": vpc_id, "CidrBlock": cidr, "AvailabilityZone": az}),
            );
            s["Subnet"]["SubnetId"]
                .as_str()
                .expect("subnet id")
                .to_string()
        })
        .collect();
    emu.call(
        "cloudhsmv2",
        "create_cluster",
        json!({"HsmType": "hsm2m.medium", "SubnetIds": subnets,
               "TagList": [{"Key": "Name", "Value": "trustchain-ca"}]}),
    );
}

/// `examples/<kind>/<name>/<file>` for every name.
fn examples(kind: &str, file: &str) -> Vec<(String, PathBuf)> {
    let dir = workspace_root().join("examples").join(kind);
    let mut out: Vec<(String, PathBuf)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            (name, e.path().join(file))
        })
        .collect();
    out.sort();
    assert!(!out.is_empty(), "no examples under {}", dir.display());
    for (name, path) in &out {
        assert!(path.exists(), "examples/{kind}/{name} has no {file}");
    }
    out
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn the_provider_example_plans() {
    let w = Workspace::new(&read(
        &workspace_root().join("examples/provider/provider.tf"),
    ));
    w.terraform(&["init", "-no-color", "-input=false"]);
    w.terraform(&["plan", "-no-color", "-input=false"]).ok();
}

#[test]
fn every_resource_example_plans_against_the_emulator() {
    let emu = Emulator::start();
    for (name, path) in examples("resources", "resource.tf") {
        eprintln!("[examples] resources/{name}");
        let mut w = Workspace::new(&format!("{}\n{}", provider_block(&emu), read(&path)));
        example_variables(&mut w);
        w.terraform(&["plan", "-no-color", "-input=false"]).ok();
        // A resource that imports documents both ways; the import block must name the
        // resource and its identity attributes correctly.
        if path.with_file_name("import.sh").exists() {
            let block = path.with_file_name("import-by-identity.tf");
            assert!(
                block.exists(),
                "examples/resources/{name} lacks import-by-identity.tf"
            );
            w.write_file("import.tf", &read(&block));
            w.terraform(&["validate", "-no-color"]).ok();
        }
    }
}

#[test]
fn every_data_source_and_function_example_plans() {
    let emu = Emulator::start();
    data_source_fixtures(&emu);
    for (kind, file) in [
        ("data-sources", "data-source.tf"),
        ("functions", "function.tf"),
    ] {
        for (name, path) in examples(kind, file) {
            eprintln!("[examples] {kind}/{name}");
            let w = Workspace::new(&format!("{}\n{}", provider_block(&emu), read(&path)));
            w.terraform(&["plan", "-no-color", "-input=false"]).ok();
        }
    }
}

#[test]
fn every_action_example_validates() {
    let emu = Emulator::start();
    for (name, path) in examples("actions", "action.tf") {
        eprintln!("[examples] actions/{name}");
        let w = Workspace::new(&format!("{}\n{}", provider_block(&emu), read(&path)));
        w.terraform(&["validate", "-no-color"]).ok();
    }
}
