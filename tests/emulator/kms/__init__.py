"""KMS Sign with MessageType DIGEST and the Sign errors as AWS answers them (sign.py).
Rules and their AWS sources: README.md, "kms/".
"""
