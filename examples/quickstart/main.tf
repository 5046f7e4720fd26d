# Quickstart: the trustchain provider against a local AWS emulator.
# `make demo` starts the emulator on 127.0.0.1, points `endpoint` at it, and runs
# plan, apply, output and destroy with the provider built from this checkout.

terraform {
  required_version = ">= 1.8"
  required_providers {
    trustchain = {
      source  = "trustchain/trustchain"
      version = "~> 0.1"
    }
  }
}

variable "endpoint" {
  description = "AWS API endpoint of the local emulator, e.g. http://127.0.0.1:5000."
  type        = string
}

variable "region" {
  description = "AWS region the emulator pretends to be."
  type        = string
  default     = "us-east-1"
}

provider "trustchain" {
  region = var.region
  endpoints {
    ec2        = var.endpoint
    elbv2      = var.endpoint
    cloudhsmv2 = var.endpoint
    sts        = var.endpoint
  }
  default_tags {
    tags = {
      Project = "trustchain-quickstart"
    }
  }
}

locals {
  prefix = "2600:1f18:abcd:1200::/56"
  zones  = ["${var.region}a", "${var.region}b", "${var.region}c"]
}

# Offline: the /64 of every tier in every zone, by the provider's index scheme.
data "trustchain_ipv6_plan" "this" {
  prefix             = local.prefix
  tiers              = ["public", "app", "data"]
  availability_zones = local.zones
}

output "subnet_plan" {
  description = "Tier -> /64 blocks, in zone order."
  value       = data.trustchain_ipv6_plan.this.cidr_blocks
}

output "tier_capacity" {
  description = "How many tiers the /56 holds under the scheme."
  value       = data.trustchain_ipv6_plan.this.tier_capacity
}

output "hsm_subnet_zone_c" {
  description = "Provider function: the scheme's /64 for tier 3 (hsm) in zone c."
  value       = provider::trustchain::ipv6_tier_subnet(local.prefix, 3, local.zones[2])
}

output "first_of_255" {
  description = "Provider function: cidrsubnet for IPv6."
  value       = provider::trustchain::ipv6_subnet(local.prefix, 8, 255)
}
