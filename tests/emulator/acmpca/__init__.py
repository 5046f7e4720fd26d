"""ACM PCA IssueCertificate / GetCertificate as AWS answers them (issue.py). Rules and
their AWS sources: README.md, "acmpca/".
"""
