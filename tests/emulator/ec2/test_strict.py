"""EC2 in the emulator where it is as strict as AWS (strict.py) and the route
objects hashicorp/aws attaches to a network (vpn_routes.py, moto's gateway
endpoints, transit gateway and peering routes).

Run: .venv/bin/python -m unittest discover -s tests/emulator/ec2 -t tests/emulator
"""

import ipaddress
import unittest

import botocore.exceptions

from testing.harness import REGION, emulator


class Ec2TestCase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.ec2 = emulator().client("ec2")

    def assertRefused(self, code, call, *args, **kwargs):
        with self.assertRaises(botocore.exceptions.ClientError) as caught:
            call(*args, **kwargs)
        self.assertEqual(caught.exception.response["Error"]["Code"], code, caught.exception)
        return caught.exception.response["Error"]["Message"]

    def vpc(self, ipv6=False):
        vpc = self.ec2.create_vpc(CidrBlock="10.0.0.0/16", AmazonProvidedIpv6CidrBlock=ipv6)["Vpc"]
        return vpc["VpcId"]

    def vpc_ipv6(self, vpc_id):
        vpc = self.ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"][0]
        return vpc["Ipv6CidrBlockAssociationSet"][0]["Ipv6CidrBlock"]


class Tags(Ec2TestCase):
    def test_keys_with_the_aws_prefix_are_refused_in_any_case_and_on_delete(self):
        vpc_id = self.vpc()
        for key in ("aws:owner", "AWS:owner", "Aws:owner"):
            self.assertRefused(
                "InvalidParameterValue",
                self.ec2.create_tags,
                Resources=[vpc_id],
                Tags=[{"Key": key, "Value": "x"}],
            )
        self.assertRefused(
            "InvalidParameterValue", self.ec2.delete_tags, Resources=[vpc_id], Tags=[{"Key": "aws:owner"}]
        )
        self.ec2.create_tags(Resources=[vpc_id], Tags=[{"Key": "owner:aws", "Value": "fine"}])

    def test_tag_specifications_are_checked_like_create_tags(self):
        self.assertRefused(
            "InvalidParameterValue",
            self.ec2.create_vpc,
            CidrBlock="10.1.0.0/16",
            TagSpecifications=[{"ResourceType": "vpc", "Tags": [{"Key": "aws:team", "Value": "x"}]}],
        )

    def test_key_and_value_lengths(self):
        vpc_id = self.vpc()
        self.ec2.create_tags(Resources=[vpc_id], Tags=[{"Key": "k" * 128, "Value": "v" * 256}])
        message = self.assertRefused(
            "InvalidParameterValue",
            self.ec2.create_tags,
            Resources=[vpc_id],
            Tags=[{"Key": "k" * 129, "Value": "v"}],
        )
        self.assertIn("128", message)
        self.assertRefused(
            "InvalidParameterValue",
            self.ec2.create_tags,
            Resources=[vpc_id],
            Tags=[{"Key": "k", "Value": "v" * 257}],
        )
        # Unicode characters, not bytes, are counted.
        self.ec2.create_tags(Resources=[vpc_id], Tags=[{"Key": "é" * 128, "Value": "ü" * 256}])


class SubnetsAndNat(Ec2TestCase):
    def test_ipv4_subnets_are_between_a_28_and_a_16(self):
        vpc_id = self.vpc()
        zone = REGION + "a"
        self.ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.0.0/28", AvailabilityZone=zone)
        self.assertRefused(
            "InvalidSubnet.Range",
            self.ec2.create_subnet,
            VpcId=vpc_id,
            CidrBlock="10.0.0.16/29",
            AvailabilityZone=zone,
        )

    def test_a_nat_gateway_in_an_ipv6_only_subnet_is_refused(self):
        vpc_id = self.vpc(ipv6=True)
        block = ipaddress.IPv6Network(self.vpc_ipv6(vpc_id))
        first, second = list(block.subnets(new_prefix=64))[:2]
        v6only = self.ec2.create_subnet(
            VpcId=vpc_id, Ipv6Native=True, Ipv6CidrBlock=str(first), AvailabilityZone=REGION + "a"
        )["Subnet"]["SubnetId"]
        dual = self.ec2.create_subnet(
            VpcId=vpc_id,
            CidrBlock="10.0.0.0/28",
            Ipv6CidrBlock=str(second),
            AvailabilityZone=REGION + "a",
        )["Subnet"]["SubnetId"]
        eip = self.ec2.allocate_address(Domain="vpc")["AllocationId"]
        message = self.assertRefused(
            "InvalidSubnet", self.ec2.create_nat_gateway, SubnetId=v6only, AllocationId=eip
        )
        self.assertIn("IPv6-only", message)
        self.ec2.create_nat_gateway(SubnetId=dual, AllocationId=eip)


class Ipv6Notation(Ec2TestCase):
    def test_vpc_and_subnet_blocks_are_answered_in_rfc_5952_form(self):
        for _ in range(20):  # moto's random blocks have leading zeros now and then
            block = self.vpc_ipv6(self.vpc(ipv6=True))
            self.assertEqual(block, str(ipaddress.IPv6Network(block)), block)
        vpc_id = self.vpc(ipv6=True)
        subnet = list(ipaddress.IPv6Network(self.vpc_ipv6(vpc_id)).subnets(new_prefix=64))[3]
        exploded = subnet.exploded.upper()  # "2400:6500:0A3F:1203:0000:...::/64"
        created = self.ec2.create_subnet(
            VpcId=vpc_id, Ipv6Native=True, Ipv6CidrBlock=exploded, AvailabilityZone=REGION + "b"
        )["Subnet"]
        described = self.ec2.describe_subnets(SubnetIds=[created["SubnetId"]])["Subnets"][0]
        answered = described["Ipv6CidrBlockAssociationSet"][0]["Ipv6CidrBlock"]
        self.assertEqual(answered, str(subnet))


class EgressOnlyGatewayFilters(Ec2TestCase):
    def test_tag_filters_are_applied(self):
        vpc_id = self.vpc(ipv6=True)
        tagged, plain = (
            self.ec2.create_egress_only_internet_gateway(
                VpcId=vpc_id,
                TagSpecifications=[
                    {"ResourceType": "egress-only-internet-gateway", "Tags": tags}
                ],
            )["EgressOnlyInternetGateway"]["EgressOnlyInternetGatewayId"]
            for tags in ([{"Key": "owner", "Value": vpc_id}], [{"Key": "Name", "Value": "x"}])
        )

        def found(**kwargs):
            answer = self.ec2.describe_egress_only_internet_gateways(**kwargs)
            return [g["EgressOnlyInternetGatewayId"] for g in answer["EgressOnlyInternetGateways"]]

        self.assertEqual(found(Filters=[{"Name": "tag:owner", "Values": [vpc_id]}]), [tagged])
        self.assertEqual(found(Filters=[{"Name": "tag:owner", "Values": ["vpc-other"]}]), [])
        self.assertEqual(found(Filters=[{"Name": "tag-key", "Values": ["owner"]}]), [tagged])
        self.assertIn(plain, found())


class ForeignRoutes(Ec2TestCase):
    """The objects hashicorp/aws attaches to a route table."""

    def routes(self, rt):
        return self.ec2.describe_route_tables(RouteTableIds=[rt])["RouteTables"][0]

    def test_vpn_gateway_propagates_the_static_routes_of_its_connections(self):
        vpc_id = self.vpc()
        rt = self.ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
        vgw = self.ec2.create_vpn_gateway(Type="ipsec.1")["VpnGateway"]["VpnGatewayId"]
        self.assertRefused(
            "Gateway.NotAttached", self.ec2.enable_vgw_route_propagation, GatewayId=vgw, RouteTableId=rt
        )
        self.ec2.attach_vpn_gateway(VpnGatewayId=vgw, VpcId=vpc_id)
        cgw = self.ec2.create_customer_gateway(Type="ipsec.1", PublicIp="198.51.100.7", BgpAsn=65000)
        vpn = self.ec2.create_vpn_connection(
            Type="ipsec.1",
            CustomerGatewayId=cgw["CustomerGateway"]["CustomerGatewayId"],
            VpnGatewayId=vgw,
            Options={"StaticRoutesOnly": True},
        )["VpnConnection"]["VpnConnectionId"]
        self.ec2.create_vpn_connection_route(VpnConnectionId=vpn, DestinationCidrBlock="192.168.0.0/16")
        self.assertRefused(
            "InvalidParameterValue",
            self.ec2.create_vpn_connection_route,
            VpnConnectionId=vpn,
            DestinationCidrBlock="2001:db8::/32",
        )
        self.ec2.enable_vgw_route_propagation(GatewayId=vgw, RouteTableId=rt)
        table = self.routes(rt)
        self.assertEqual(table["PropagatingVgws"], [{"GatewayId": vgw}])
        propagated = [r for r in table["Routes"] if r.get("Origin") == "EnableVgwRoutePropagation"]
        self.assertEqual(
            [(r["DestinationCidrBlock"], r["GatewayId"], r["State"]) for r in propagated],
            [("192.168.0.0/16", vgw, "active")],
        )
        # Only propagation makes or removes it: DeleteRoute does not see it.
        self.assertRefused(
            "InvalidRoute.NotFound",
            self.ec2.delete_route,
            RouteTableId=rt,
            DestinationCidrBlock="192.168.0.0/16",
        )
        # A static route to the same destination is listed beside it.
        igw = self.ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
        self.ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc_id)
        self.ec2.create_route(RouteTableId=rt, DestinationCidrBlock="192.168.0.0/16", GatewayId=igw)
        same = [r for r in self.routes(rt)["Routes"] if r.get("DestinationCidrBlock") == "192.168.0.0/16"]
        self.assertEqual(sorted(r["Origin"] for r in same), ["CreateRoute", "EnableVgwRoutePropagation"])
        self.ec2.disable_vgw_route_propagation(GatewayId=vgw, RouteTableId=rt)
        table = self.routes(rt)
        self.assertEqual(table.get("PropagatingVgws", []), [])
        self.assertFalse([r for r in table["Routes"] if r.get("Origin") == "EnableVgwRoutePropagation"])

    def test_gateway_endpoint_adds_a_prefix_list_route(self):
        vpc_id = self.vpc()
        rt = self.ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
        vpce = self.ec2.create_vpc_endpoint(
            VpcId=vpc_id,
            ServiceName=f"com.amazonaws.{REGION}.s3",
            VpcEndpointType="Gateway",
            RouteTableIds=[rt],
        )["VpcEndpoint"]["VpcEndpointId"]
        routes = [r for r in self.routes(rt)["Routes"] if r.get("GatewayId") == vpce]
        self.assertEqual(len(routes), 1, routes)
        self.assertTrue(routes[0]["DestinationPrefixListId"].startswith("pl-"), routes)


if __name__ == "__main__":
    unittest.main()
