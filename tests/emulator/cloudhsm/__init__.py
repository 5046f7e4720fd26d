"""CloudHSM v2, which moto barely has: the JSON 1.1 wire layer and test hooks (service.py),
clusters and HSMs (backend.py, model.py), backups and tags (backups.py), subnets, security
groups and ENIs in moto's EC2 (network.py), keys, CSRs and certificates (pki.py). Rules and
their AWS sources: README.md, "cloudhsm/".
"""
