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

# Two HSMs side by side, no depends_on: the second waits until the cluster is
# initialized (AWS accepts one HSM before that), then is created.
resource "trustchain_cloudhsm_hsm" "a" {
  cluster_id        = trustchain_cloudhsm_cluster.this.cluster_id
  availability_zone = "us-east-1a"
}

resource "trustchain_cloudhsm_hsm" "b" {
  cluster_id = trustchain_cloudhsm_cluster.this.cluster_id
  subnet_id  = trustchain_ipv6_network.ca.subnets["hsm"][1].id

  timeouts {
    create = "3h" # includes the wait for the initialization
  }
}
