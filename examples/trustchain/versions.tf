terraform {
  required_version = ">= 1.11"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 6.66.0"
    }
    trustchain = {
      source  = "trustchain/trustchain"
      version = "~> 0.1"
    }
  }
}
