terraform {
  required_providers {
    trustchain = {
      source  = "trustchain/trustchain"
      version = "~> 0.1"
    }
  }
}

provider "trustchain" {
  region = "us-east-1"

  assume_role {
    role_arn = "arn:aws:iam::123456789012:role/ca-infrastructure"
  }

  default_tags {
    tags = {
      Project = "trustchain"
    }
  }

  # Tags that other tools write (cost allocation, Kubernetes subnet discovery).
  ignore_tags {
    keys         = ["CostCenter"]
    key_prefixes = ["kubernetes.io/"]
  }
}
