"""What hashicorp/aws spends on AWS API calls to refresh the quickstart topology,
derived from its resources' Read functions (internal/service/<service>/<resource>.go
in hashicorp/terraform-provider-aws 6.x; each Read is one resource's refresh, and a
refresh reads every resource once). These are the anchor figures of issue 12; the
derivation is here so anyone can check it against the provider's source.

`python3 bench/hashicorp_aws.py` prints the derivation; `--markdown` prints
bench/hashicorp_aws_calls.md (the derivation with its sources). `refresh_calls_for`
prices any topology, e.g. the one `make bench` finds in the emulator after applying
the quickstart.
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

# Where each Read is: the file in hashicorp/terraform-provider-aws, and the commit it
# was read at (None: read through the finder's name and the figures only).
SOURCES = {
    "aws_vpc": ("internal/service/ec2/vpc_.go", "00081ce41cc691433ac19bf42227cdabffd0454d",
                "resourceVPCRead: findVPCByIDV2, then three findVPCAttributeV2 calls (each its own "
                "DescribeVpcAttribute), findVPCDefaultNetworkACLV2, findVPCMainRouteTable, "
                "findVPCDefaultSecurityGroupV2; tags come with DescribeVpcs"),
    "aws_subnet": ("internal/service/ec2/vpc_subnet.go", None, "findSubnetByID; tags come with DescribeSubnets"),
    "aws_internet_gateway": ("internal/service/ec2/vpc_internet_gateway.go", None, "findInternetGatewayByID"),
    "aws_egress_only_internet_gateway": ("internal/service/ec2/vpc_egress_only_internet_gateway.go", None,
                                         "findEgressOnlyInternetGatewayByID"),
    "aws_route_table": ("internal/service/ec2/vpc_route_table.go", None, "findRouteTableByID"),
    "aws_route": ("internal/service/ec2/vpc_route.go", None,
                  "a route finder by destination: DescribeRouteTables of the route's table"),
    "aws_route_table_association": ("internal/service/ec2/vpc_route_table_association.go", None,
                                    "findRouteTableAssociationByID: DescribeRouteTables filtered by association id"),
    "aws_nat_gateway": ("internal/service/ec2/vpc_nat_gateway.go", None, "findNATGatewayByID"),
    "aws_eip": ("internal/service/ec2/ec2_eip.go", None, "findEIPByAllocationID"),
    "aws_cloudhsm_v2_cluster": ("internal/service/cloudhsmv2/cluster.go", "013f1736b90439e5a19567a87d3e5cd11858c420",
                                "resourceClusterRead: findClusterByID (DescribeClusters, filter clusterIds, paged); "
                                "tags from the cluster's TagList (no ListTags)"),
    "aws_cloudhsm_v2_hsm": ("internal/service/cloudhsmv2/hsm.go", "01606926a0c0ab9174aec440f976a48b0baee722",
                            "resourceHSMRead: findHSMByTwoPartKey pages DescribeClusters with an empty input "
                            "(every cluster in the region) and looks for the HSM id or ENI id"),
    "aws_lb": ("internal/service/elbv2/load_balancer.go", "00edc94be7a89c4c485415cdec27094875f61bfc",
               "resourceLoadBalancerRead: findLoadBalancerByARN, findLoadBalancerAttributesByARN, and for "
               "application and network load balancers findCapacityReservationByARN; tags by the provider's "
               "transparent tagging (DescribeTags after Read)"),
    "aws_lb_listener": ("internal/service/elbv2/listener.go", None,
                        "resourceListenerRead: findListenerByARN, then findListenerAttributesByARN for every "
                        "protocol but TLS (seen in a stored copy); tags by transparent tagging"),
    "aws_lb_target_group": ("internal/service/elbv2/target_group.go", None,
                            "findTargetGroupByARN, findTargetGroupAttributesByARN (seen in stored copies); "
                            "tags by transparent tagging"),
    "aws_lb_target_group_attachment": ("internal/service/elbv2/target_group_attachment.go", None,
                                       "findTargetHealthDescription: DescribeTargetHealth for the one target "
                                       "(seen in a stored copy)"),
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


def refresh_calls_for(resources: dict[str, int]) -> dict[str, int]:
    """Calls per refresh of a set of hashicorp/aws resources (type -> count), by service:action."""
    out: dict[str, int] = {}
    for rtype, n in resources.items():
        for call, _ in READS[rtype]:
            out[call] = out.get(call, 0) + n
    return {k: v for k, v in out.items() if v}


def refresh_calls(group: str) -> dict[str, int]:
    """Calls per refresh of one group of the issue's reference topology, by service:action."""
    return refresh_calls_for(TOPOLOGY[group])


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


def markdown() -> str:
    out = [
        "# What hashicorp/aws spends per refresh",
        "",
        "Generated by `python3 bench/hashicorp_aws.py --markdown` from `bench/hashicorp_aws.py`;",
        "`make bench` prices the topology it finds in the emulator after applying the quickstart",
        "with the same table.",
        "",
        "A refresh (`terraform plan`, `plan -refresh-only`, and the refresh before `apply` and",
        "`destroy`) calls every managed resource's Read once. hashicorp/aws has one resource type",
        "per AWS object, and each Read describes its own object, so the calls add up per object.",
        "Read facts only: no code of hashicorp/aws is used by this project.",
        "",
        "## Reads, per resource type",
        "",
        "| resource type | calls per Read | calls | source (hashicorp/terraform-provider-aws) |",
        "| --- | --- | --- | --- |",
    ]
    for rtype, calls in READS.items():
        path, commit, how = SOURCES[rtype]
        where = f"`{path}` at `{commit[:10]}`" if commit else f"`{path}`"
        names = "<br>".join(f"{c} ({finder})" for c, finder in calls)
        out.append(f"| `{rtype}` | {len(calls)} | {names} | {where}: {how} |")
    out += ["", "## The issue's reference topology", ""]
    for group, resources in TOPOLOGY.items():
        total = sum(refresh_calls(group).values())
        parts = " + ".join(f"{n} x {len(READS[r])} ({r})" for r, n in resources.items())
        out.append(f"- {group}: {parts} = **{total}**")
    out += [
        "",
        "hashicorp/aws has no resource for CloudHSM cluster initialization (it is done with",
        "`cloudhsm-cli` outside Terraform), so the quickstart's `trustchain_cloudhsm_cluster_initialization`",
        "has no counterpart and adds nothing on their side; ours reads it from the same",
        "DescribeClusters answer as the cluster and HSMs.",
        "",
        "Commits are the versions of each file read through the project's code search; where no",
        "commit is given, the Read was checked through the finder it calls in a stored copy of the",
        "file, not line by line at one commit. Paged calls count one page (these topologies fit).",
        "",
    ]
    return "\n".join(out)


if __name__ == "__main__":
    import sys

    print(markdown() if "--markdown" in sys.argv else derivation())
