resource "trustchain_cloudhsm_cluster" "this" {
  hsm_type   = "hsm2m.medium"
  subnet_ids = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]
}

# Two HSMs side by side, no depends_on: the second waits until the cluster is
# initialized (AWS accepts one HSM before that), then is created.
resource "trustchain_cloudhsm_hsm" "a" {
  cluster_id        = trustchain_cloudhsm_cluster.this.cluster_id
  availability_zone = "us-east-1a"
}

resource "trustchain_cloudhsm_hsm" "b" {
  cluster_id = trustchain_cloudhsm_cluster.this.cluster_id
  subnet_id  = "subnet-0a1b2c3d4e5f60002"

  timeouts {
    create = "3h" # includes the wait for the initialization
  }
}
