# The root CA: its certificate, and its key from an ephemeral value (Terraform 1.11+),
# which signs the cluster CSR during apply and is never stored in state or plan.
variable "root_ca_cert_pem" {
  type = string
}

variable "root_ca_key_pem" {
  type      = string
  sensitive = true
  ephemeral = true
}

# The manufacturer root of hsm2m HSMs (Marvell LiquidSecurity 2), downloaded from Marvell
# and its fingerprint checked: the provider verifies the HSM before signing its CSR and
# embeds only the AWS CloudHSM root and the hsm1 manufacturer root.
variable "hsm2m_manufacturer_root_pem" {
  type = string
}

# The CA network: HSM network interfaces need IPv4, so the hsm tier is dual-stack.
resource "trustchain_ipv6_network" "ca" {
  name               = "trustchain-ca"
  availability_zones = ["us-east-1a", "us-east-1b"]

  tier {
    name        = "hsm"
    kind        = "isolated"
    ipv6_native = false
  }
}

resource "trustchain_cloudhsm_cluster" "this" {
  hsm_type     = "hsm2m.medium"
  network_type = "DUALSTACK"
  subnet_ids   = [for s in trustchain_ipv6_network.ca.subnets["hsm"] : s.id]
}

resource "trustchain_cloudhsm_hsm" "a" {
  cluster_id        = trustchain_cloudhsm_cluster.this.cluster_id
  availability_zone = "us-east-1a"
}

resource "trustchain_cloudhsm_hsm" "b" {
  cluster_id        = trustchain_cloudhsm_cluster.this.cluster_id
  availability_zone = "us-east-1b"
}

# Waits for the first HSM's CSR, signs it with the root CA and initializes the
# cluster; the second HSM follows by itself.
resource "trustchain_cloudhsm_cluster_initialization" "this" {
  cluster_id                        = trustchain_cloudhsm_cluster.this.cluster_id
  trust_anchor                      = var.root_ca_cert_pem
  hsm_trust_roots                   = var.hsm2m_manufacturer_root_pem
  issuing_ca_private_key_wo         = var.root_ca_key_pem
  issuing_ca_private_key_wo_version = 1
}

# Signed outside Terraform instead (an offline root, as in the AWS user guide):
#   signed_cert = file("${path.module}/cluster-igklspoyj5v_CustomerHsmCertificate.crt")
