environment        = "staging"
domain_name        = "staging.trust.hypermesh.online"
enable_cloudhsm    = true
hsm_count          = 2
instance_type      = "c6g.2xlarge"
min_size           = 2
max_size           = 4
placement_strategy = "spread"
