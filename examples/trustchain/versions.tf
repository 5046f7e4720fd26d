terraform {
  # 1.14: the action block of main.tf (the modules themselves need 1.11).
  required_version = ">= 1.14"

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
