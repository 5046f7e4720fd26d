# Partial configuration: bucket, key and region come from env/<environment>.s3.tfbackend:
#   terraform init -backend-config=env/prod.s3.tfbackend
# `terraform init -backend=false` works without them (validation, CI).
terraform {
  backend "s3" {
    encrypt      = true
    use_lockfile = true
  }
}
