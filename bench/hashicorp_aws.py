"""What hashicorp/aws spends on AWS API calls to refresh the quickstart topology,
derived from its resources' Read functions (internal/service/<service>/<resource>.go
in hashicorp/terraform-provider-aws 6.x; each Read is one resource's refresh, and a
refresh reads every resource once). These are the anchor figures of issue 12; the
derivation is here so anyone can check it against the provider's source.

`python3 bench/hashicorp_aws.py` prints the derivation.
"""

# Per resource type: the calls its Read makes, with the finder that makes each.
READS = {
    "aws_vpc": [
        ("ec2:DescribeVpcs", "FindVPCByID"),
        ("ec2:DescribeVpcAttribute", "FindVPCAttribute(enableDnsHostnames)"),
        ("ec2:DescribeVpcAttribute", "FindVPCAttribute(enableDnsSupport)"),
        ("ec2:DescribeVpcAttribute", "FindVPCAttribute(enableNetworkAddressUsageMetrics)"),
        ("ec2:DescribeNetworkAcls", "FindVPCDefaultNetworkACL (default_network_acl_id)"),
        ("ec2:DescribeRouteTables", "FindVPCMainRouteTable (main_route_table_id)"),
        ("ec2:DescribeSecurityGroups", "FindVPCDefaultSecurityGroup (default_security_group_id)"),
    ],
    "aws_subnet": [("ec2:DescribeSubnets", "FindSubnetByID")],
    "aws_internet_gateway": [("ec2:DescribeInternetGateways", "FindInternetGatewayByID")],
    "aws_egress_only_internet_gateway": [
        ("ec2:DescribeEgressOnlyInternetGateways", "FindEgressOnlyInternetGatewayByID")
    ],
    "aws_route_table": [("ec2:DescribeRouteTables", "FindRouteTableByID")],
    "aws_route": [("ec2:DescribeRouteTables", "FindRouteByIPv6Destination (reads the whole table)")],
    "aws_route_table_association": [("ec2:DescribeRouteTables", "FindRouteTableAssociationByID")],
    "aws_nat_gateway": [("ec2:DescribeNatGateways", "FindNATGatewayByID")],
    "aws_eip": [("ec2:DescribeAddresses", "FindEIPByAllocationID")],
    "aws_cloudhsm_v2_cluster": [("cloudhsm:DescribeClusters", "FindClusterByID (filter clusterIds)")],
    "aws_cloudhsm_v2_hsm": [
        ("cloudhsm:DescribeClusters", "FindHSMByTwoPartKey: lists every cluster in the region, then finds the HSM")
    ],
    "aws_lb": [
        ("elasticloadbalancing:DescribeLoadBalancers", "FindLoadBalancerByARN"),
        ("elasticloadbalancing:DescribeLoadBalancerAttributes", "FindLoadBalancerAttributesByARN"),
        ("elasticloadbalancing:DescribeCapacityReservation", "FindCapacityReservationByARN (minimum_load_balancer_capacity)"),
        ("elasticloadbalancing:DescribeTags", "transparent tagging (listTags)"),
    ],
    "aws_lb_listener": [
        ("elasticloadbalancing:DescribeListeners", "FindListenerByARN"),
        ("elasticloadbalancing:DescribeListenerAttributes", "FindListenerAttributesByARN (tcp_idle_timeout_seconds)"),
        ("elasticloadbalancing:DescribeTags", "transparent tagging (listTags)"),
    ],
    "aws_lb_target_group": [
        ("elasticloadbalancing:DescribeTargetGroups", "FindTargetGroupByARN"),
        ("elasticloadbalancing:DescribeTargetGroupAttributes", "FindTargetGroupAttributesByARN"),
        ("elasticloadbalancing:DescribeTags", "transparent tagging (listTags)"),
    ],
    "aws_lb_target_group_attachment": [("elasticloadbalancing:DescribeTargetHealth", "FindTargetHealthDescription")],
}

# The quickstart topology in hashicorp/aws resources: resource type -> count.
TOPOLOGY = {
    "network (IPv6-only: VPC, 6 subnets, IGW, EIGW, 2 route tables, 2 routes, 6 associations)": {
        "aws_vpc": 1,
        "aws_subnet": 6,
        "aws_internet_gateway": 1,
        "aws_egress_only_internet_gateway": 1,
        "aws_route_table": 2,
        "aws_route": 2,
        "aws_route_table_association": 6,
    },
    "network with NAT64 (+ NAT gateway, its EIP, the 64:ff9b::/96 route)": {
        "aws_vpc": 1,
        "aws_subnet": 6,
        "aws_internet_gateway": 1,
        "aws_egress_only_internet_gateway": 1,
        "aws_route_table": 2,
        "aws_route": 3,
        "aws_route_table_association": 6,
        "aws_nat_gateway": 1,
        "aws_eip": 1,
    },
    "CloudHSM cluster + 2 HSMs": {"aws_cloudhsm_v2_cluster": 1, "aws_cloudhsm_v2_hsm": 2},
    "NLB + 2 listeners + 2 target groups + 4 attachments": {
        "aws_lb": 1,
        "aws_lb_listener": 2,
        "aws_lb_target_group": 2,
        "aws_lb_target_group_attachment": 4,
    },
}


def refresh_calls(group: str) -> dict[str, int]:
    """Calls per refresh of one group, by service:action."""
    out: dict[str, int] = {}
    for rtype, n in TOPOLOGY[group].items():
        for call, _ in READS[rtype]:
            out[call] = out.get(call, 0) + n
    return out


def totals() -> dict[str, int]:
    return {g: sum(refresh_calls(g).values()) for g in TOPOLOGY}


def derivation() -> str:
    lines = []
    for group, resources in TOPOLOGY.items():
        lines.append(f"{group}: {sum(refresh_calls(group).values())} calls per refresh")
        for rtype, n in resources.items():
            calls = READS[rtype]
            lines.append(f"  {n} x {rtype} ({len(calls)} per Read) = {n * len(calls)}")
            for call, finder in calls:
                lines.append(f"      {call:<52} {finder}")
    return "\n".join(lines)


if __name__ == "__main__":
    print(derivation())
