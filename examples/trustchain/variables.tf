variable "environment" {
  description = "Environment name: dev, staging or prod."
  type        = string

  validation {
    condition     = contains(["dev", "staging", "prod"], var.environment)
    error_message = "environment must be dev, staging or prod."
  }
}

variable "create_account_resources" {
  description = "This environment owns the account-wide singletons: GuardDuty detector, AWS Config recorder, delivery channel and rules, the multi-region CloudTrail trail, and the GuardDuty findings alerts. AWS allows one of each per account and region, so exactly one environment per account sets this (prod in env/); if both platforms share an account, only one of them may."
  type        = bool
}

variable "primary_region" {
  description = "Region that serves traffic."
  type        = string
  default     = "us-east-1"
}

variable "secondary_region" {
  description = "Backup region: replicas and backup copies."
  type        = string
  default     = "us-west-2"
}

variable "domain_name" {
  description = "Domain of this environment (the production domain is trust.hypermesh.online)."
  type        = string
}

variable "availability_zones" {
  description = "Availability Zones of the primary region, named explicitly so the layout never shifts when AWS adds a zone."
  type        = list(string)
  default     = ["us-east-1a", "us-east-1b"]
}

variable "enable_cloudhsm" {
  description = "Create the CloudHSM cluster; development uses software key management instead (see the cost table of the platform document)."
  type        = bool
  default     = true
}

variable "hsm_count" {
  description = "HSMs in the cluster, one per Availability Zone."
  type        = number
  default     = 2
}

variable "instance_type" {
  description = "Instance type of the service instances."
  type        = string
  default     = "c6g.4xlarge"
}

variable "min_size" {
  description = "Minimum instances."
  type        = number
  default     = 2
}

variable "max_size" {
  description = "Maximum instances."
  type        = number
  default     = 6
}

variable "use_spot_instances" {
  description = "Spot instances (development only)."
  type        = bool
  default     = false
}

variable "placement_strategy" {
  description = "cluster keeps instances in one AZ (lowest latency); spread keeps them across AZs."
  type        = string
  default     = "spread"
}

variable "udp_service_mode" {
  description = "dualstack_udp (IPv6 clients over UDP) or quic (IPv4 QUIC with connection-ID stickiness)."
  type        = string
  default     = "dualstack_udp"
}

variable "alert_email_addresses" {
  description = "Who receives alerts by e-mail."
  type        = list(string)
  default     = []
}

variable "alert_sms_numbers" {
  description = "Who receives critical alerts by SMS (E.164)."
  type        = list(string)
  default     = []
}

variable "trust_anchor_pem" {
  description = "Root certificate that anchors the CloudHSM cluster; null leaves the cluster uninitialized."
  type        = string
  default     = null
}

variable "signed_cert_pem" {
  description = "Cluster CSR signed offline by the issuing CA."
  type        = string
  default     = null
}

variable "hsm_trust_roots_pem" {
  description = "Manufacturer root of the hsm2m.medium HSMs (Marvell LiquidSecurity 2, PEM, fingerprint checked with Marvell); required with trust_anchor_pem: the provider embeds only hsm1's root and checks each HSM's identity before initializing."
  type        = string
  default     = null
}

variable "enable_deletion_protection" {
  description = "Protect load balancers from deletion (off in dev so it can be torn down)."
  type        = bool
  default     = true
}

variable "backup_vault_lock_mode" {
  description = "AWS Backup Vault Lock of the backup vaults: compliance (the 7-year legal retention: irreversible once the grace days pass), governance (removable by authorized principals, for environments that are torn down) or none."
  type        = string
  default     = "governance"
}
