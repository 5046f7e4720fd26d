"""ELBv2 for Network Load Balancers where moto falls short of AWS: NLB identity, state and
attributes (nlb.py), QUIC / TCP_QUIC listeners (quic.py), target groups (targets.py), target
registrations and QuicServerId (registrations.py), tags and paging (common.py). Rules and their
AWS sources: README.md, "elbv2/".
"""
