# Quickstart: the whole trustchain provider against a local AWS emulator.
#
# `make demo` runs it: it starts the emulator on 127.0.0.1, makes a demo root CA in
# memory (its key reaches Terraform only through an ephemeral variable, so it is never
# written to disk, state or plan), keeps the state in the emulator's S3 with a lock
# file, applies, shows what exists, proves the next plan is empty, and destroys.
#
# What it builds, the shape of TrustChain's certificate authority:
# - an IPv6-only network: a dual-stack edge tier for the load balancer, a private app
#   tier, and a dual-stack hsm tier (HSM network interfaces need IPv4);
# - a CloudHSM cluster with two HSMs in two zones, declared side by side, initialized
#   with the demo CA (the provider signs the cluster CSR);
# - a QUIC load balancer (DNS-over-QUIC on 8853) with two targets and their QUIC
#   server IDs.

terraform {
  required_version = ">= 1.11"
  required_providers {
    trustchain = {
      source  = "trustchain/trustchain"
      version = "~> 0.1"
    }
  }

  # bucket, endpoints and credentials come from -backend-config (make demo writes them).
  backend "s3" {
    key          = "quickstart/terraform.tfstate"
    use_lockfile = true
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

variable "demo_ca_certificate_pem" {
  description = "Self-signed root CA certificate (PEM) that becomes the cluster's trust anchor."
  type        = string
}

variable "demo_ca_private_key_pem" {
  description = "The root CA's private key (PEM). Ephemeral: it signs the cluster CSR during apply and is never stored."
  type        = string
  sensitive   = true
  ephemeral   = true
}

variable "demo_hsm_trust_roots_pem" {
  description = "Roots the HSM's hardware certificates chain to, beside those the provider embeds: against the emulator, its test roots (GET /_trustchain/cloudhsm/test-roots); against AWS with hsm2m, Marvell's LiquidSecurity 2 root."
  type        = string
  default     = null
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
  zones = ["${var.region}a", "${var.region}b"]
}

# Offline: the subnet plan the network below follows, by the provider's index scheme.
data "trustchain_ipv6_plan" "this" {
  prefix             = "2600:1f18:abcd:1200::/56"
  tiers              = ["edge", "app", "hsm"]
  availability_zones = local.zones
}

resource "trustchain_ipv6_network" "this" {
  name               = "trustchain-quickstart"
  availability_zones = local.zones
  ipv4_cidr          = "10.0.0.0/20" # dual-stack tiers take a /28 each

  tier {
    name        = "edge"
    kind        = "public"
    ipv6_native = false # the load balancer needs IPv4
  }

  tier {
    name         = "app"
    kind         = "private"
    enable_dns64 = true
  }

  tier {
    name        = "hsm"
    kind        = "isolated"
    ipv6_native = false # HSM network interfaces need IPv4
  }
}

resource "trustchain_cloudhsm_cluster" "this" {
  #checkov:skip=CKV2_TC_6:the quickstart runs no CloudHSM clients; a deployment admits its CA hosts on TCP 2223-2225 to security_group_id, as modules/trustchain/hsm does
  hsm_type              = "hsm2m.medium"
  network_type          = "DUALSTACK"
  subnet_ids            = [for s in trustchain_ipv6_network.this.subnets["hsm"] : s.id]
  backup_retention_days = 7

  tags = {
    Name = "trustchain-quickstart"
  }
}

# Two HSMs side by side, no depends_on: AWS takes one HSM before the cluster is
# initialized, so the second waits for the initialization below, then is created.
resource "trustchain_cloudhsm_hsm" "this" {
  for_each = toset(local.zones)

  cluster_id        = trustchain_cloudhsm_cluster.this.cluster_id
  availability_zone = each.value
}

# Waits for the first HSM's CSR, signs it with the demo CA and initializes the cluster.
resource "trustchain_cloudhsm_cluster_initialization" "this" {
  cluster_id                        = trustchain_cloudhsm_cluster.this.cluster_id
  trust_anchor                      = var.demo_ca_certificate_pem
  hsm_trust_roots                   = var.demo_hsm_trust_roots_pem
  issuing_ca_private_key_wo         = var.demo_ca_private_key_pem
  issuing_ca_private_key_wo_version = 1
}

# DNS-over-QUIC on 8853: QUIC passthrough needs an ipv4 load balancer.
resource "trustchain_quic_load_balancer" "doq" {
  name       = "trustchain-doq"
  subnet_ids = [for s in trustchain_ipv6_network.this.subnets["edge"] : s.id]

  listener {
    port        = 8853
    protocol    = "QUIC"
    target_type = "ip"

    # NLBs check over TCP, HTTP or HTTPS only: probe the service's HTTPS endpoint.
    health_check {
      protocol = "HTTPS"
      port     = 8443
      path     = "/health"
    }
  }
}

# Two DNS-over-QUIC servers; the provider derives each one's QUIC server ID.
resource "trustchain_quic_target" "doq" {
  for_each = toset(local.zones)

  target_group_arn = trustchain_quic_load_balancer.doq.listeners["8853"].target_group_arn
  target_id = cidrhost(one([
    for s in trustchain_ipv6_network.this.subnets["edge"] : s.ipv4_cidr_block if s.availability_zone == each.value
  ]), 10)
  port = 8853
}

output "subnet_plan" {
  description = "Offline plan: tier -> /64 blocks, in zone order."
  value       = data.trustchain_ipv6_plan.this.cidr_blocks
}

output "network" {
  description = "The VPC, its /56, and its subnets per tier."
  value = {
    vpc_id          = trustchain_ipv6_network.this.vpc_id
    ipv6_cidr_block = trustchain_ipv6_network.this.ipv6_cidr_block
    subnets = { for tier, list in trustchain_ipv6_network.this.subnets :
    tier => [for s in list : "${s.availability_zone} ${s.id} ${s.ipv6_cidr_block}"] }
  }
}

output "cloudhsm" {
  description = "The cluster, its state after initialization, and its HSMs."
  value = {
    cluster_id    = trustchain_cloudhsm_cluster.this.cluster_id
    cluster_state = trustchain_cloudhsm_cluster_initialization.this.cluster_state
    hsms = { for az, h in trustchain_cloudhsm_hsm.this :
    az => "${h.hsm_id} ${h.ip_address} ${h.hsm_state}" }
  }
}

output "quic" {
  description = "The QUIC load balancer and its targets with their QUIC server IDs."
  value = {
    dns_name = trustchain_quic_load_balancer.doq.dns_name
    targets  = { for az, t in trustchain_quic_target.doq : az => "${t.target_id}:${t.port} ${t.quic_server_id}" }
  }
}

output "first_of_255" {
  description = "Provider function: cidrsubnet for IPv6."
  value       = provider::trustchain::ipv6_subnet("2600:1f18:abcd:1200::/56", 8, 255)
}
