# Quickstart: the trustchain provider against a local AWS emulator.
# The plan data source and functions work offline; the network is created in the
# emulator.
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

# Against the emulator: a real IPv6-only network, carved by the same scheme.
resource "trustchain_ipv6_network" "this" {
  name               = "trustchain-quickstart"
  availability_zones = local.zones

  tier {
    name = "public"
    kind = "public"
  }

  tier {
    name         = "app"
    kind         = "private"
    enable_dns64 = true
  }

  tier {
    name = "data"
    kind = "isolated"
  }
}

output "vpc_id" {
  description = "The network's VPC."
  value       = trustchain_ipv6_network.this.vpc_id
}

output "ipv6_cidr_block" {
  description = "The Amazon-provided /56 (from the emulator)."
  value       = trustchain_ipv6_network.this.ipv6_cidr_block
}

output "app_subnets" {
  description = "The app tier's subnets: ids and /64s, in zone order."
  value       = { for s in trustchain_ipv6_network.this.subnets["app"] : s.availability_zone => "${s.id} ${s.ipv6_cidr_block}" }
}

output "first_of_255" {
  description = "Provider function: cidrsubnet for IPv6."
  value       = provider::trustchain::ipv6_subnet(local.prefix, 8, 255)
}
