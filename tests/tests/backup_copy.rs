//! The action `trustchain_cloudhsm_backup_copy` with real Terraform 1.15 against the
//! emulator: a cluster made, initialized and activated through Terraform gets its
//! first backup; the next update of the cluster triggers the action
//! (`action_trigger`, after_update), which copies the newest READY backup to the
//! second region, where boto3 finds it READY, tagged and never expiring; running
//! the action again with `terraform apply -invoke` finds that copy and copies
//! nothing; a cluster without a READY backup, an unknown cluster and a destination
//! equal to the source region get diagnostics with the fix.

#[allow(unused)]
mod cloudhsm_support;

use acceptance::{Emulator, Workspace, provider_block};
use cloudhsm_support::{Ca, heredoc};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

const DR: &str = "us-west-2";
const INVOKE: &str = "-invoke=action.trustchain_cloudhsm_backup_copy.dr";

fn config(emu: &Emulator, ca: &Ca, retention: u32) -> String {
    format!(
        r#"{provider}
variable "ca_key" {{
  type      = string
  sensitive = true
  ephemeral = true
}}

resource "trustchain_ipv6_network" "net" {{
  name               = "hsm-net"
  availability_zones = ["us-east-1a", "us-east-1b"]

  tier {{
    name        = "hsm"
    kind        = "isolated"
    ipv6_native = false
  }}
}}

resource "trustchain_cloudhsm_cluster" "this" {{
  hsm_type              = "hsm2m.medium"
  subnet_ids            = trustchain_ipv6_network.net.subnets["hsm"][*].id
  network_type          = "DUALSTACK"
  backup_retention_days = {retention}

  lifecycle {{
    action_trigger {{
      events  = [after_update]
      actions = [action.trustchain_cloudhsm_backup_copy.dr]
    }}
  }}
}}

resource "trustchain_cloudhsm_hsm" "a" {{
  cluster_id        = trustchain_cloudhsm_cluster.this.cluster_id
  availability_zone = "us-east-1a"
}}

resource "trustchain_cloudhsm_cluster_initialization" "this" {{
  cluster_id                        = trustchain_cloudhsm_cluster.this.cluster_id
  trust_anchor                      = {anchor}
  hsm_trust_roots                   = {roots}
  issuing_ca_private_key_wo         = var.ca_key
  issuing_ca_private_key_wo_version = 1
}}

action "trustchain_cloudhsm_backup_copy" "dr" {{
  config {{
    cluster_id         = trustchain_cloudhsm_cluster.this.cluster_id
    destination_region = "{DR}"
    never_expires      = true
    tags = {{
      purpose = "dr"
    }}
  }}
}}

output "cluster_id" {{
  value = trustchain_cloudhsm_cluster.this.cluster_id
}}
"#,
        provider = provider_block(emu),
        anchor = heredoc(&ca.cert),
        roots = heredoc(&emu.cloudhsm_test_roots()),
    )
}

fn backups(emu: &Emulator, region: &str, filters: Value) -> Vec<Value> {
    emu.call_in(
        region,
        "cloudhsmv2",
        "describe_backups",
        json!({"Filters": filters}),
    )["Backups"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn wait_ready_backup(emu: &Emulator, cluster_id: &str) -> Value {
    let until = Instant::now() + Duration::from_secs(60);
    loop {
        let ready = backups(
            emu,
            "us-east-1",
            json!({"clusterIds": [cluster_id], "states": ["READY"]}),
        );
        if let Some(b) = ready.first() {
            return b.clone();
        }
        assert!(Instant::now() < until, "no READY backup of {cluster_id}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn the_action_copies_the_newest_ready_backup_on_update_and_on_invoke_never_twice() {
    let emu = Emulator::start();
    let ca = Ca::root("TrustChain DR Root CA");
    let mut w = Workspace::new(&config(&emu, &ca, 30));
    w.set_env("TF_VAR_ca_key", &ca.key);
    let created = w.apply().ok();
    assert!(
        !created.stdout().contains("CopyBackupToRegion"),
        "after_update only: {}",
        created.stdout()
    );
    let cluster_id = w.outputs()["cluster_id"]["value"]
        .as_str()
        .expect("cluster id")
        .to_string();
    assert_eq!(emu.calls("cloudhsm", "CopyBackupToRegion"), 0);

    // Activation (cloudhsm-cli, outside Terraform) makes the first backup.
    emu.activate_cluster(&cluster_id);
    let backup = wait_ready_backup(&emu, &cluster_id);
    let backup_id = backup["BackupId"].as_str().expect("backup id").to_string();

    // An update of the cluster triggers the action.
    w.write_main(&config(&emu, &ca, 31));
    let updated = w.apply().ok();
    let out = updated.stdout();
    for want in [
        format!("Newest READY backup of {cluster_id}: {backup_id}."),
        format!("Copying {backup_id} of {cluster_id} from us-east-1 to {DR}"),
        format!("is READY in {DR}."),
        "Tagged backup-".to_string(),
        "Set never_expires = true".to_string(),
    ] {
        assert!(out.contains(&want), "{want:?} not in the progress:\n{out}");
    }
    let copies = backups(&emu, DR, json!({"sourceBackupIds": [backup_id]}));
    assert_eq!(copies.len(), 1, "{copies:#?}");
    let copy = &copies[0];
    assert_eq!(copy["BackupState"], "READY");
    assert_eq!(copy["SourceRegion"], "us-east-1");
    assert_eq!(copy["SourceCluster"], cluster_id.as_str());
    assert_eq!(copy["NeverExpires"], true);
    let copy_id = copy["BackupId"].as_str().expect("copy id");
    let tags = emu.call_in(
        DR,
        "cloudhsmv2",
        "list_tags",
        json!({"ResourceId": copy_id}),
    );
    assert_eq!(tags["TagList"], json!([{"Key": "purpose", "Value": "dr"}]));
    assert_eq!(emu.calls("cloudhsm", "CopyBackupToRegion"), 1);

    // Invoked by hand, the action finds its copy and copies nothing.
    let invoked = w
        .terraform(&[
            "apply",
            INVOKE,
            "-auto-approve",
            "-no-color",
            "-input=false",
        ])
        .ok();
    let out = invoked.stdout();
    assert!(
        out.contains(&format!(
            "{backup_id} was copied to {DR} before: {copy_id} (READY); not copying it again."
        )),
        "{out}"
    );
    assert_eq!(
        emu.calls("cloudhsm", "CopyBackupToRegion"),
        1,
        "no second copy"
    );
    assert_eq!(
        backups(&emu, DR, json!({"sourceBackupIds": [backup_id]})).len(),
        1
    );
    // Nothing else changed: the next plan is empty.
    let (changes, run) = w.plan_has_changes();
    assert!(!changes, "{}", run.stdout());
}

fn standalone(emu: &Emulator, cluster_id: &str, destination: &str) -> String {
    format!(
        r#"{provider}
action "trustchain_cloudhsm_backup_copy" "dr" {{
  config {{
    cluster_id         = "{cluster_id}"
    destination_region = "{destination}"
  }}
}}
"#,
        provider = provider_block(emu)
    )
}

fn error_at(run: &acceptance::Run, summary: &str) -> String {
    let text = format!("{}\n{}", run.stdout(), run.stderr());
    assert!(text.contains(summary), "{summary:?} missing:\n{text}");
    text
}

#[test]
fn no_ready_backup_an_unknown_cluster_and_the_source_region_get_diagnostics_with_the_fix() {
    let emu = Emulator::start();
    let vpc = emu.call("ec2", "create_vpc", json!({"CidrBlock": "10.30.0.0/16"}));
    let vpc_id = vpc["Vpc"]["VpcId"].as_str().expect("vpc");
    let subnet = emu.call(
        "ec2",
        "create_subnet",
        json!({"VpcId": vpc_id, "CidrBlock": "10.30.0.0/24", "AvailabilityZone": "us-east-1a"}),
    )["Subnet"]["SubnetId"]
        .as_str()
        .expect("subnet")
        .to_string();
    let cluster_id = emu.call(
        "cloudhsmv2",
        "create_cluster",
        json!({"HsmType": "hsm2m.medium", "SubnetIds": [subnet]}),
    )["Cluster"]["ClusterId"]
        .as_str()
        .expect("cluster id")
        .to_string();

    let w = Workspace::new(&standalone(&emu, &cluster_id, DR));
    let run = w
        .terraform(&[
            "apply",
            INVOKE,
            "-auto-approve",
            "-no-color",
            "-input=false",
        ])
        .failed();
    let text = error_at(&run, "No READY backup to copy yet");
    assert!(
        text.contains(&format!("Cluster {cluster_id} has no READY backup")),
        "{text}"
    );
    assert!(
        text.contains("-invoke=action.trustchain_cloudhsm_backup_copy"),
        "{text}"
    );
    assert_eq!(emu.calls("cloudhsm", "CopyBackupToRegion"), 0);

    w.write_main(&standalone(&emu, "cluster-aaaaaaaaaaa", DR));
    let run = w
        .terraform(&[
            "apply",
            INVOKE,
            "-auto-approve",
            "-no-color",
            "-input=false",
        ])
        .failed();
    let text = error_at(&run, "Unknown cluster");
    assert!(text.contains("cluster_id"), "{text}");

    w.write_main(&standalone(&emu, &cluster_id, "us-east-1"));
    let run = w
        .terraform(&[
            "apply",
            INVOKE,
            "-auto-approve",
            "-no-color",
            "-input=false",
        ])
        .failed();
    let text = error_at(&run, "The destination is the backup's own region");
    assert!(text.contains("destination_region"), "{text}");
    assert!(
        text.contains("set destination_region to the secondary region"),
        "{text}"
    );

    w.write_main(&standalone(&emu, &cluster_id, "us-east"));
    let run = w.validate().failed();
    error_at(&run, "Invalid region");
}
