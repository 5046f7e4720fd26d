environment                = "dev"
domain_name                = "dev.trust.hypermesh.online"
enable_cloudhsm            = false
instance_type              = "c6g.xlarge"
min_size                   = 1
max_size                   = 2
placement_strategy         = "cluster"
enable_deletion_protection = false
