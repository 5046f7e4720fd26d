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

# A dual-stack cluster for the CA keys, one subnet per Availability Zone.
resource "trustchain_cloudhsm_cluster" "this" {
  hsm_type              = "hsm2m.medium"
  mode                  = "FIPS"
  network_type          = "DUALSTACK"
  subnet_ids            = [for s in trustchain_ipv6_network.ca.subnets["hsm"] : s.id]
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
