# The cluster another configuration manages, found by its tags.
data "trustchain_cloudhsm_cluster" "ca" {
  tags = {
    Name = "trustchain-ca"
  }
}

output "hsm_ips" {
  value = data.trustchain_cloudhsm_cluster.ca.hsms[*].ip_address
}

output "cluster_certificate" {
  value = data.trustchain_cloudhsm_cluster.ca.cluster_certificate
}
