# A dual-stack cluster for the CA keys, one subnet per Availability Zone.
resource "trustchain_cloudhsm_cluster" "this" {
  hsm_type              = "hsm2m.medium"
  mode                  = "FIPS"
  network_type          = "DUALSTACK"
  subnet_ids            = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]
  backup_retention_days = 90

  tags = {
    Name    = "trustchain-ca"
    Service = "certificate-authority"
  }

  lifecycle {
    # Replacing a cluster deletes its HSMs and the keys they hold.
    prevent_destroy = true
  }
}

output "cluster_csr" {
  description = "Sign this CSR with your root CA when you initialize outside Terraform."
  value       = trustchain_cloudhsm_cluster.this.cluster_csr
}

output "hsm_security_group_id" {
  description = "Add it to the instances that run the CloudHSM client."
  value       = trustchain_cloudhsm_cluster.this.security_group_id
}
