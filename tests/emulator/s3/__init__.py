"""S3 conditional writes made atomic, for Terraform's S3 lock file (conditional.py).
"""
