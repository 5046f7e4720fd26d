"""What exists in the emulator, for tests that must show nothing was orphaned:
`inventory.py ENDPOINT` prints `{"kind": ["id", ...], ...}` for every live object
of the services the provider manages (us-east-1). Objects moto makes by itself (the
default VPC, its subnets, route table, security group, network ACL) are left out;
deleted NAT gateways, clusters and HSMs are history, not objects, and are left out
too. Run it with the fault rates off: its calls go through the fault middleware.
Only ever used with a loopback endpoint."""

import json
import sys

import boto3


def main() -> int:
    endpoint = sys.argv[1]
    if not endpoint.startswith(("http://127.", "http://localhost")):
        print(f"refusing non-loopback endpoint {endpoint}", file=sys.stderr)
        return 2

    def client(service):
        return boto3.client(
            service,
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    ec2, elbv2, hsm = client("ec2"), client("elbv2"), client("cloudhsmv2")
    vpcs = ec2.describe_vpcs()["Vpcs"]
    default = {v["VpcId"] for v in vpcs if v.get("IsDefault")}
    found = {
        "vpc": [v["VpcId"] for v in vpcs if v["VpcId"] not in default],
        "subnet": [s["SubnetId"] for s in ec2.describe_subnets()["Subnets"] if s["VpcId"] not in default],
        "internet_gateway": [g["InternetGatewayId"] for g in ec2.describe_internet_gateways()["InternetGateways"]],
        "egress_only_internet_gateway": [
            g["EgressOnlyInternetGatewayId"]
            for g in ec2.describe_egress_only_internet_gateways()["EgressOnlyInternetGateways"]
        ],
        "route_table": [
            t["RouteTableId"] for t in ec2.describe_route_tables()["RouteTables"] if t["VpcId"] not in default
        ],
        "nat_gateway": [
            n["NatGatewayId"] for n in ec2.describe_nat_gateways()["NatGateways"] if n["State"] != "deleted"
        ],
        "elastic_ip": [a["AllocationId"] for a in ec2.describe_addresses()["Addresses"]],
        "security_group": [
            g["GroupId"] for g in ec2.describe_security_groups()["SecurityGroups"] if g["VpcId"] not in default
        ],
        "network_interface": [
            e["NetworkInterfaceId"] for e in ec2.describe_network_interfaces()["NetworkInterfaces"]
        ],
        "load_balancer": [lb["LoadBalancerArn"] for lb in elbv2.describe_load_balancers()["LoadBalancers"]],
        "target_group": [g["TargetGroupArn"] for g in elbv2.describe_target_groups()["TargetGroups"]],
        "cloudhsm_cluster": [],
        "cloudhsm_hsm": [],
    }
    for cluster in hsm.describe_clusters()["Clusters"]:
        if cluster["State"] == "DELETED":
            continue
        found["cloudhsm_cluster"].append(cluster["ClusterId"])
        found["cloudhsm_hsm"] += [h["HsmId"] for h in cluster.get("Hsms", []) if h.get("State") != "DELETED"]
    print(json.dumps(found, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
