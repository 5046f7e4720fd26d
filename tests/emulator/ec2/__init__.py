"""EC2 where moto falls short of AWS: subnet attributes and IPv6 (ipv6.py), NAT gateway
states (nat.py), AWS's tag, subnet-size, NAT-subnet and IPv6-notation rules (strict.py), VPN
route propagation (vpn_routes.py). Rules and their AWS sources: README.md, "ec2/".
"""
