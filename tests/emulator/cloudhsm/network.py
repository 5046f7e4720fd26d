"""The EC2 side of emulated CloudHSM clusters, in moto's EC2 backend: checking the
subnets a cluster is created in, its security group, and the HSMs' ENIs.

AWS: "When you create a cluster, AWS CloudHSM creates a security group with the name
cloudhsm-cluster-clusterID-sg. This security group contains a preconfigured TCP rule
that allows inbound and outbound communication within the cluster security group
over ports 2223-2225." (user guide, "Review the security group for your cluster").
Cluster ids already start with "cluster-", so the name is cloudhsm-<cluster id>-sg.
"""

import ipaddress
import random

from moto.ec2.exceptions import InvalidSubnetIdError
from moto.ec2.models import ec2_backends

from cloudhsm.model import invalid, not_found

HSM_PORTS = ("2223", "2225")


def ec2_of(account_id: str, region: str):
    return ec2_backends[account_id][region]


def _ipv6_cidr(subnet) -> str | None:
    for association in subnet.ipv6_cidr_block_associations.values():
        state = association.get("ipv6CidrBlockState", {})
        if (state.get("State") if isinstance(state, dict) else state) == "associated":
            return association.get("ipv6CidrBlock")
    return None


def check_subnets(ec2, subnet_ids, network_type: str) -> tuple[str, dict[str, str]]:
    """(VPC id, {AZ: subnet id}) of the subnets a cluster may use, or the API error
    that says which subnet breaks which rule."""
    if not isinstance(subnet_ids, list) or not subnet_ids:
        raise invalid("SubnetIds is required: pass 1 to 10 subnet IDs, one per Availability Zone.")
    if len(subnet_ids) > 10:
        raise invalid(f"SubnetIds has {len(subnet_ids)} subnets; the maximum is 10.")
    if len(set(subnet_ids)) != len(subnet_ids):
        raise invalid("SubnetIds lists a subnet more than once; list each subnet once.")
    subnets = []
    for subnet_id in subnet_ids:
        try:
            subnets.append(ec2.get_subnet(subnet_id))
        except InvalidSubnetIdError:
            raise not_found(f"Subnet '{subnet_id}' does not exist in this account and Region.") from None
    vpcs = sorted({s.vpc_id for s in subnets})
    if len(vpcs) > 1:
        owners = ", ".join(f"{s.id} in {s.vpc_id}" for s in subnets)
        raise invalid(f"All subnets must be in the same VPC; got {owners}.")
    mapping: dict[str, str] = {}
    for subnet in subnets:
        zone = subnet.availability_zone
        if zone in mapping:
            raise invalid(
                f"You can specify only one subnet per Availability Zone: {mapping[zone]} and "
                f"{subnet.id} are both in {zone}."
            )
        mapping[zone] = subnet.id
        if getattr(subnet, "ipv6_native", False) or not subnet.cidr_block:
            raise invalid(
                f"Subnet '{subnet.id}' is IPv6-only; HSMs need an IPv4 address. Use subnets "
                "with an IPv4 CIDR (dual-stack subnets with NetworkType DUALSTACK)."
            )
        if network_type == "DUALSTACK" and not _ipv6_cidr(subnet):
            raise invalid(
                f"NetworkType DUALSTACK needs an IPv6 CIDR block on every subnet; subnet "
                f"'{subnet.id}' has none. Associate an IPv6 CIDR with it or use NetworkType IPV4."
            )
    return vpcs[0], mapping


def create_security_group(ec2, cluster_id: str, vpc_id: str) -> str:
    group = ec2.create_security_group(
        name=f"cloudhsm-{cluster_id}-sg",
        description=f"AWS CloudHSM cluster {cluster_id} security group",
        vpc_id=vpc_id,
    )
    # Only the HSM ports within the group, inbound and outbound (no default egress).
    group.egress_rules = []
    own = [{"GroupId": group.id, "UserId": ec2.account_id}]
    ec2.authorize_security_group_ingress(
        group.id, "tcp", HSM_PORTS[0], HSM_PORTS[1], [], source_groups=own, vpc_id=vpc_id
    )
    ec2.authorize_security_group_egress(
        group.id, "tcp", HSM_PORTS[0], HSM_PORTS[1], [], source_groups=own, vpc_id=vpc_id
    )
    return group.id


def delete_security_group(ec2, group_id: str | None) -> None:
    if not group_id:
        return
    try:
        ec2.delete_security_group(group_id=group_id)
    except Exception:  # already gone (deleted behind the service's back): nothing to do
        pass


def _used_addresses(ec2, subnet_id: str) -> set[str]:
    used = set()
    for eni in ec2.enis.values():
        if getattr(eni.subnet, "id", None) == subnet_id:
            used.update(a.get("PrivateIpAddress") for a in eni.private_ip_addresses)
            used.update(eni.ipv6_addresses)
    subnet = ec2.get_subnet(subnet_id)
    used.update(getattr(subnet, "_subnet_ips", {}).keys())
    return used


def _pick(network, used: set[str]) -> str:
    # AWS reserves the first four addresses and the last one of every subnet.
    first, last = 4, network.num_addresses - 2
    if last < first:
        raise invalid(f"Subnet {network} has no address left for an HSM.")
    for _ in range(200):
        candidate = str(network[random.randint(first, last)])
        if candidate not in used:
            return candidate
    for offset in range(first, last + 1):
        candidate = str(network[offset])
        if candidate not in used:
            return candidate
    raise invalid(f"Subnet {network} has no free address left for an HSM.")


def hsm_addresses(ec2, subnet_id: str, requested: str | None, dualstack: bool) -> tuple[str, str | None]:
    """(IPv4, IPv6 or None) for a new HSM's ENI in the subnet."""
    subnet = ec2.get_subnet(subnet_id)
    network = ipaddress.IPv4Network(subnet.cidr_block, strict=False)
    used = _used_addresses(ec2, subnet_id)
    if requested is None:
        ipv4 = _pick(network, used)
    else:
        try:
            address = ipaddress.IPv4Address(requested)
        except ValueError:
            raise invalid(f"IpAddress '{requested}' is not an IPv4 address.") from None
        if address not in network:
            raise invalid(f"IpAddress {requested} is not in subnet {subnet_id} ({network}).")
        offset = int(address) - int(network.network_address)
        if offset < 4 or offset == network.num_addresses - 1:
            raise invalid(
                f"IpAddress {requested} is reserved by AWS in subnet {subnet_id} ({network}): the "
                "first four addresses and the last one cannot be used."
            )
        if requested in used:
            raise invalid(f"IpAddress {requested} is already in use in subnet {subnet_id}.")
        ipv4 = requested
    ipv6 = None
    if dualstack:
        cidr = _ipv6_cidr(subnet)
        if cidr is None:
            raise invalid(f"Subnet '{subnet_id}' has no IPv6 CIDR block left for a DUALSTACK HSM.")
        ipv6 = _pick(ipaddress.IPv6Network(cidr, strict=False), used)
    return ipv4, ipv6


def create_eni(ec2, subnet_id: str, ipv4: str, ipv6: str | None, group_id: str, hsm_id: str) -> str:
    eni = ec2.create_network_interface(
        ec2.get_subnet(subnet_id),
        ipv4,
        group_ids=[group_id],
        description=f"CloudHSM ENI for HSM {hsm_id}",
        ipv6_addresses=[ipv6] if ipv6 else [],
    )
    eni.requester_managed = True  # the service owns it, not the account's user
    return eni.id


def delete_eni(ec2, eni_id: str) -> None:
    try:
        ec2.delete_network_interface(eni_id)
    except Exception:  # deleted behind the service's back
        pass
