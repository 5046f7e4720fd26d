provider "aws" {
  alias  = "primary"
  region = var.primary_region

  default_tags {
    tags = local.tags
  }
}

# Backup region: S3 replicas, backup copies, and the KMS keys that encrypt them.
provider "aws" {
  alias  = "secondary"
  region = var.secondary_region

  default_tags {
    tags = local.tags
  }
}

provider "trustchain" {
  alias  = "primary"
  region = var.primary_region

  default_tags {
    tags = local.tags
  }
}

provider "trustchain" {
  alias  = "secondary"
  region = var.secondary_region

  default_tags {
    tags = local.tags
  }
}
