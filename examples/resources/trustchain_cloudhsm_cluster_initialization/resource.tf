# The root CA's key comes from an ephemeral value (Terraform 1.11+): it signs the
# cluster CSR during apply and is never stored in state or plan.
variable "root_ca_key_pem" {
  type      = string
  sensitive = true
  ephemeral = true
}

resource "trustchain_cloudhsm_cluster" "this" {
  hsm_type   = "hsm2m.medium"
  subnet_ids = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]
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
  trust_anchor                      = file("${path.module}/customerCA.crt")
  issuing_ca_private_key_wo         = var.root_ca_key_pem
  issuing_ca_private_key_wo_version = 1
}

# Signed outside Terraform instead (an offline root, as in the AWS user guide):
#   signed_cert = file("${path.module}/cluster-igklspoyj5v_CustomerHsmCertificate.crt")
