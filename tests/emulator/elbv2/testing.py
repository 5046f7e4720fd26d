"""Test support for the ELBv2 extension tests: one emulator (launcher.py) on a free
loopback port for the whole run, boto3 clients for it, and a dual-stack VPC.

boto3 here is the one `make tools` installs with moto (botocore 1.44.x), whose
ELBv2 model already has QUIC, TCP_QUIC, QuicServerId and
EnablePrefixForIpv6SourceNat, so requests are validated client-side as a real
SDK would; only tests that send values the model itself forbids use the client
with parameter validation off.
"""

import atexit
import ipaddress
import unittest
import uuid

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

import launcher

# Short clocks so state transitions are observable within a test.
TIMING = {
    "EMULATOR_NLB_PROVISIONING_SECONDS": "0.4",
    "EMULATOR_TARGET_INITIAL_SECONDS": "0.4",
    "EMULATOR_TARGET_DRAINING_SECONDS": "0.4",
}


class Emulator(launcher.Emulator):
    """The launcher's emulator with short ELBv2 clocks."""

    def __init__(self):
        super().__init__(env=TIMING)

    def client(self, service: str, validate: bool = True):
        return boto3.client(
            service,
            endpoint_url=self.url,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            config=Config(parameter_validation=validate, retries={"max_attempts": 1}),
        )


_shared = []


def shared_emulator() -> Emulator:
    """One emulator for the whole test run (stopped at exit): starting moto costs
    more than all the calls of a test class."""
    if not _shared:
        _shared.append(Emulator())
        atexit.register(_shared[0].stop)
    return _shared[0]


class EmulatorTestCase(unittest.TestCase):
    """Uses the shared emulator and gives each test a dual-stack VPC
    with two subnets (IPv4 + IPv6 /64) and one IPv4-only subnet."""

    @classmethod
    def setUpClass(cls):
        cls.emulator = shared_emulator()
        cls.elb = cls.emulator.client("elbv2")
        cls.raw_elb = cls.emulator.client("elbv2", validate=False)
        cls.ec2 = cls.emulator.client("ec2")
        cls.acm = cls.emulator.client("acm")

    def setUp(self):
        vpc = self.ec2.create_vpc(CidrBlock="10.0.0.0/16", AmazonProvidedIpv6CidrBlock=True)["Vpc"]
        self.vpc_id = vpc["VpcId"]
        block = self.ec2.describe_vpcs(VpcIds=[self.vpc_id])["Vpcs"][0]["Ipv6CidrBlockAssociationSet"][0]
        sixty_fours = ipaddress.ip_network(block["Ipv6CidrBlock"]).subnets(new_prefix=64)
        self.subnets, self.subnet_v6 = [], {}
        for i, zone in enumerate(("us-east-1a", "us-east-1b")):
            v6 = str(next(sixty_fours))
            subnet = self.ec2.create_subnet(
                VpcId=self.vpc_id, CidrBlock=f"10.0.{i}.0/24", Ipv6CidrBlock=v6, AvailabilityZone=zone
            )["Subnet"]
            self.subnets.append(subnet["SubnetId"])
            self.subnet_v6[subnet["SubnetId"]] = v6
        self.v4_subnet = self.ec2.create_subnet(
            VpcId=self.vpc_id, CidrBlock="10.0.9.0/24", AvailabilityZone="us-east-1c"
        )["Subnet"]["SubnetId"]

    # ---- builders -------------------------------------------------------------

    def name(self, prefix: str) -> str:
        return f"{prefix}-{uuid.uuid4().hex[:8]}"

    def nlb(self, ip="ipv4", nat=None, **kwargs) -> dict:
        params = dict(Name=self.name("nlb"), Type="network", IpAddressType=ip)
        if "SubnetMappings" not in kwargs:
            params["Subnets"] = self.subnets
        if nat:
            params["EnablePrefixForIpv6SourceNat"] = nat
        params.update(kwargs)
        return self.elb.create_load_balancer(**params)["LoadBalancers"][0]

    def group(self, protocol="QUIC", port=8853, ip="ipv4", target_type="ip", **kwargs) -> dict:
        return self.elb.create_target_group(
            Name=self.name("tg"),
            Protocol=protocol,
            Port=port,
            VpcId=self.vpc_id,
            TargetType=target_type,
            IpAddressType=ip,
            **kwargs,
        )["TargetGroups"][0]

    def listener(self, lb: dict, protocol: str, port: int, group: dict, **kwargs) -> dict:
        return self.elb.create_listener(
            LoadBalancerArn=lb["LoadBalancerArn"],
            Protocol=protocol,
            Port=port,
            DefaultActions=[{"Type": "forward", "TargetGroupArn": group["TargetGroupArn"]}],
            **kwargs,
        )["Listeners"][0]

    def certificate(self) -> str:
        return self.acm.request_certificate(DomainName="trustchain.example")["CertificateArn"]

    # ---- assertions -----------------------------------------------------------

    def assertRefused(self, code: str, call, *args, **kwargs) -> str:
        """The call fails with AWS error `code`; returns the message."""
        with self.assertRaises(ClientError) as caught:
            call(*args, **kwargs)
        error = caught.exception.response["Error"]
        self.assertEqual(error["Code"], code, error.get("Message"))
        return error["Message"]
