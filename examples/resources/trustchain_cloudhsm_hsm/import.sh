# Import by CLUSTER_ID/HSM_ID.
terraform import trustchain_cloudhsm_hsm.a cluster-igklspoyj5v/hsm-ucskhjpuiw6
