//! The Terraform configurations of tests/tests/cloudhsm.rs.

use super::Ca;
use acceptance::{Emulator, provider_block};
use serde_json::json;

/// A PEM as an HCL heredoc.
pub fn heredoc(pem: &str) -> String {
    format!("<<-EOT\n{}\n  EOT", pem.trim_end())
}

/// Dual-stack subnets in two zones: an isolated tier of trustchain_ipv6_network.
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

/// The whole TrustChain shape: two HSMs and the initialization side by side, no
/// depends_on anywhere; HSM b names its subnet, HSM a its zone.
pub fn lifecycle(emu: &Emulator, ca: &Ca, retention: u32) -> String {
    format!(
        r#"{provider}
variable "ca_key" {{
  type      = string
  sensitive = true
  ephemeral = true
}}
{network}
resource "trustchain_cloudhsm_cluster" "this" {{
  hsm_type              = "hsm2m.medium"
  subnet_ids            = trustchain_ipv6_network.net.subnets["hsm"][*].id
  network_type          = "DUALSTACK"
  backup_retention_days = {retention}

  tags = {{
    Name = "trustchain-ca"
  }}
}}

resource "trustchain_cloudhsm_hsm" "a" {{
  cluster_id        = trustchain_cloudhsm_cluster.this.cluster_id
  availability_zone = "us-east-1a"
}}

resource "trustchain_cloudhsm_hsm" "b" {{
  cluster_id = trustchain_cloudhsm_cluster.this.cluster_id
  subnet_id  = trustchain_ipv6_network.net.subnets["hsm"][1].id
}}

resource "trustchain_cloudhsm_cluster_initialization" "this" {{
  cluster_id                        = trustchain_cloudhsm_cluster.this.cluster_id
  trust_anchor                      = {anchor}
  hsm_trust_roots                   = {roots}
  issuing_ca_private_key_wo         = var.ca_key
  issuing_ca_private_key_wo_version = 1
}}
"#,
        provider = provider_block(emu),
        network = network(),
        anchor = heredoc(&ca.cert),
        roots = heredoc(&emu.cloudhsm_test_roots()),
    )
}

/// Two HSMs and nothing that initializes the cluster.
pub fn hsms_without_init(emu: &Emulator, timeout: &str) -> String {
    format!(
        r#"{provider}{network}
resource "trustchain_cloudhsm_cluster" "this" {{
  hsm_type   = "hsm2m.medium"
  subnet_ids = trustchain_ipv6_network.net.subnets["hsm"][*].id
}}

resource "trustchain_cloudhsm_hsm" "a" {{
  cluster_id        = trustchain_cloudhsm_cluster.this.cluster_id
  availability_zone = "us-east-1a"

  timeouts {{
    create = "{timeout}"
  }}
}}

resource "trustchain_cloudhsm_hsm" "b" {{
  cluster_id        = trustchain_cloudhsm_cluster.this.cluster_id
  availability_zone = "us-east-1b"

  timeouts {{
    create = "{timeout}"
  }}
}}
"#,
        provider = provider_block(emu),
        network = network(),
    )
}

/// A cluster of `hsm_type` and `network_type` with one HSM.
pub fn migration_config(emu: &Emulator, hsm_type: &str, network_type: &str) -> String {
    format!(
        r#"{provider}{network}
resource "trustchain_cloudhsm_cluster" "this" {{
  hsm_type     = "{hsm_type}"
  network_type = "{network_type}"
  subnet_ids   = trustchain_ipv6_network.net.subnets["hsm"][*].id
}}

resource "trustchain_cloudhsm_hsm" "a" {{
  cluster_id        = trustchain_cloudhsm_cluster.this.cluster_id
  availability_zone = "us-east-1a"
}}
"#,
        provider = provider_block(emu),
        network = network(),
    )
}

/// One HSM; with `signed_file`, the initialization with that signed certificate;
/// with `data_sources`, the cluster by tags and its backups as outputs.
pub fn signed_cert_config(
    emu: &Emulator,
    anchor: &str,
    signed_file: Option<&str>,
    data_sources: bool,
) -> String {
    let init = signed_file.map_or(String::new(), |f| {
        format!(
            r#"
resource "trustchain_cloudhsm_cluster_initialization" "this" {{
  cluster_id   = trustchain_cloudhsm_cluster.this.cluster_id
  trust_anchor    = {anchor}
  hsm_trust_roots = {roots}
  signed_cert     = file("${{path.module}}/{f}")
}}
"#,
            anchor = heredoc(anchor),
            roots = heredoc(&emu.cloudhsm_test_roots()),
        )
    });
    let data = if data_sources {
        r#"
data "trustchain_cloudhsm_cluster" "by_tags" {
  tags = {
    Name = "offline-ca"
  }
}

data "trustchain_cloudhsm_backups" "this" {
  cluster_id = trustchain_cloudhsm_cluster.this.cluster_id
  states     = ["READY", "CREATE_IN_PROGRESS"]
}

output "by_tags" {
  value = data.trustchain_cloudhsm_cluster.by_tags
}

output "backups" {
  value = data.trustchain_cloudhsm_backups.this
}
"#
    } else {
        ""
    };
    format!(
        r#"{provider}{network}
resource "trustchain_cloudhsm_cluster" "this" {{
  hsm_type   = "hsm2m.medium"
  subnet_ids = trustchain_ipv6_network.net.subnets["hsm"][*].id

  tags = {{
    Name = "offline-ca"
  }}
}}

resource "trustchain_cloudhsm_hsm" "a" {{
  cluster_id        = trustchain_cloudhsm_cluster.this.cluster_id
  availability_zone = "us-east-1a"
}}
{init}{data}"#,
        provider = provider_block(emu),
        network = network(),
    )
}

/// One HSM and an initialization with the key from an ephemeral variable.
pub fn secret_config(emu: &Emulator, anchor: &str) -> String {
    format!(
        r#"{provider}
variable "ca_key" {{
  type      = string
  sensitive = true
  ephemeral = true
}}
{network}
resource "trustchain_cloudhsm_cluster" "this" {{
  hsm_type   = "hsm2m.medium"
  subnet_ids = trustchain_ipv6_network.net.subnets["hsm"][*].id
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
"#,
        provider = provider_block(emu),
        network = network(),
        anchor = heredoc(anchor),
        roots = heredoc(&emu.cloudhsm_test_roots()),
    )
}

/// An IPv4-only VPC with two subnets in us-east-1a and one in us-east-1b, made
/// outside Terraform so their ids are known at plan time.
pub struct SubnetsForChecks {
    pub a1: String,
    pub a2: String,
    pub b: String,
}

impl SubnetsForChecks {
    pub fn create(emu: &Emulator) -> Self {
        let vpc = emu.call("ec2", "create_vpc", json!({"CidrBlock": "10.20.0.0/16"}));
        let vpc_id = vpc["Vpc"]["VpcId"].as_str().expect("vpc").to_string();
        let subnet = |cidr: &str, zone: &str| {
            emu.call(
                "ec2",
                "create_subnet",
                json!({"VpcId": vpc_id, "CidrBlock": cidr, "AvailabilityZone": zone}),
            )["Subnet"]["SubnetId"]
                .as_str()
                .expect("subnet")
                .to_string()
        };
        Self {
            a1: subnet("10.20.1.0/24", "us-east-1a"),
            a2: subnet("10.20.2.0/24", "us-east-1a"),
            b: subnet("10.20.3.0/24", "us-east-1b"),
        }
    }
}

/// Mistakes a plan finds without AWS, each in its own resource.
pub fn bad_config(
    emu: &Emulator,
    net: &SubnetsForChecks,
    root: &Ca,
    other: &Ca,
    inter: &Ca,
) -> String {
    let (a, b) = (&net.a1, &net.b);
    let cluster = "cluster-abcdefghijk";
    format!(
        r#"{provider}
resource "trustchain_cloudhsm_cluster" "non_fips" {{
  hsm_type   = "hsm1.medium"
  mode       = "NON_FIPS"
  subnet_ids = ["{a}", "{b}"]
}}

resource "trustchain_cloudhsm_cluster" "retention" {{
  hsm_type              = "hsm2m.medium"
  subnet_ids            = ["{a}", "{b}"]
  backup_retention_days = 400
}}

resource "trustchain_cloudhsm_cluster_initialization" "wrong_key" {{
  cluster_id                = "{cluster}"
  trust_anchor              = {root_cert}
  issuing_ca_private_key_wo = {other_key}
}}

resource "trustchain_cloudhsm_cluster_initialization" "not_chaining" {{
  cluster_id                = "{cluster}"
  trust_anchor              = {root_cert}
  issuing_ca_certificate    = {other_cert}
  issuing_ca_private_key_wo = {other_key}
}}

resource "trustchain_cloudhsm_cluster_initialization" "intermediate" {{
  cluster_id                = "{cluster}"
  trust_anchor              = {root_cert}
  issuing_ca_certificate    = {inter_cert}
  issuing_ca_private_key_wo = {inter_key}
}}

resource "trustchain_cloudhsm_cluster_initialization" "garbage" {{
  cluster_id   = "{cluster}"
  trust_anchor = "this is not a certificate"
  signed_cert  = {other_cert}
}}

resource "trustchain_cloudhsm_cluster_initialization" "foreign_signed_cert" {{
  cluster_id   = "{cluster}"
  trust_anchor = {root_cert}
  signed_cert  = {other_cert}
}}
"#,
        provider = provider_block(emu),
        root_cert = heredoc(&root.cert),
        other_cert = heredoc(&other.cert),
        other_key = heredoc(&other.key),
        inter_cert = heredoc(&inter.cert),
        inter_key = heredoc(&inter.key),
    )
}

/// Subnet mistakes only DescribeSubnets reveals.
pub fn subnet_config(emu: &Emulator, net: &SubnetsForChecks) -> String {
    format!(
        r#"{provider}
resource "trustchain_cloudhsm_cluster" "same_zone" {{
  hsm_type   = "hsm2m.medium"
  subnet_ids = ["{a1}", "{a2}"]
}}

resource "trustchain_cloudhsm_cluster" "dualstack" {{
  hsm_type     = "hsm2m.medium"
  network_type = "DUALSTACK"
  subnet_ids   = ["{a1}", "{b}"]
}}
"#,
        provider = provider_block(emu),
        a1 = net.a1,
        a2 = net.a2,
        b = net.b,
    )
}

/// Two HSMs (each with `timeout` to create: either may be the one AWS takes first) and
/// the initialization side by side, no depends_on: the #7437 rule decides when AWS
/// takes the other.
pub fn side_by_side(emu: &Emulator, ca: &Ca, timeout: &str) -> String {
    format!(
        r#"{provider}
variable "ca_key" {{
  type      = string
  sensitive = true
  ephemeral = true
}}
{network}
resource "trustchain_cloudhsm_cluster" "this" {{
  hsm_type   = "hsm2m.medium"
  subnet_ids = trustchain_ipv6_network.net.subnets["hsm"][*].id
}}

resource "trustchain_cloudhsm_hsm" "a" {{
  cluster_id        = trustchain_cloudhsm_cluster.this.cluster_id
  availability_zone = "us-east-1a"

  timeouts {{
    create = "{timeout}"
  }}
}}

resource "trustchain_cloudhsm_hsm" "b" {{
  cluster_id        = trustchain_cloudhsm_cluster.this.cluster_id
  availability_zone = "us-east-1b"

  timeouts {{
    create = "{timeout}"
  }}
}}

resource "trustchain_cloudhsm_cluster_initialization" "this" {{
  cluster_id                        = trustchain_cloudhsm_cluster.this.cluster_id
  trust_anchor                      = {anchor}
  hsm_trust_roots                   = {roots}
  issuing_ca_private_key_wo         = var.ca_key
  issuing_ca_private_key_wo_version = 1
}}
"#,
        provider = provider_block(emu),
        network = network(),
        anchor = heredoc(&ca.cert),
        roots = heredoc(&emu.cloudhsm_test_roots()),
    )
}

/// A network in three zones and a cluster with subnets in the first two only, plus
/// `hsm` (an HSM block, or nothing): for the plan-time checks of an HSM's place.
pub fn zone_checks(emu: &Emulator, hsm: &str) -> String {
    format!(
        r#"{provider}
resource "trustchain_ipv6_network" "net" {{
  name               = "hsm-zones"
  availability_zones = ["us-east-1a", "us-east-1b", "us-east-1c"]

  tier {{
    name        = "hsm"
    kind        = "isolated"
    ipv6_native = false
  }}
}}

locals {{
  outside = [for s in trustchain_ipv6_network.net.subnets["hsm"] : s.id if s.availability_zone == "us-east-1c"]
}}

resource "trustchain_cloudhsm_cluster" "this" {{
  hsm_type   = "hsm2m.medium"
  subnet_ids = [for s in trustchain_ipv6_network.net.subnets["hsm"] : s.id if s.availability_zone != "us-east-1c"]
}}
{hsm}"#,
        provider = provider_block(emu),
    )
}
