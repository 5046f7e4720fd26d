"""The emulator checks every request and answer against botocore's model of the
operation (model_check.py): what AWS would refuse is refused, loudly; an answer that
does not fit its output shape is the emulator's bug and fails the call."""

import json
import unittest
import urllib.error
import urllib.parse
import urllib.request

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from controls import aws_request
from controls import model_check
from testing.harness import emulator


class Requests(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.emu = emulator()

    def client(self, service: str):
        """A client that sends what it is given (boto3's own validation off), as a
        provider with a wrong request would."""
        return boto3.client(
            service,
            endpoint_url=self.emu.url,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            config=Config(parameter_validation=False, retries={"total_max_attempts": 1, "mode": "standard"}),
        )

    def raw(self, signing: str, params: dict, target: str | None = None) -> tuple[int, str]:
        """A request boto3 cannot even build (an unknown parameter, a string for a
        list): form-encoded, or JSON with `target`; signed in name only."""
        headers = {
            "Authorization": f"AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/{signing}/aws4_request, "
            "SignedHeaders=host, Signature=0",
            "User-Agent": "aws-sdk-rust/1.3 os/linux lang/rust",
        }
        if target:
            data = json.dumps(params).encode()
            headers.update({"X-Amz-Target": target, "Content-Type": "application/x-amz-json-1.1"})
        else:
            data = urllib.parse.urlencode(params).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        request = urllib.request.Request(self.emu.url + "/", data=data, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=10) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    def refused(self, call, code: str) -> str:
        with self.assertRaises(ClientError) as caught:
            call()
        error = caught.exception.response["Error"]
        self.assertEqual(error["Code"], code, error)
        self.assertEqual(caught.exception.response["ResponseMetadata"]["HTTPStatusCode"], 400)
        return error["Message"]

    def test_an_unknown_parameter_is_refused_in_the_query_protocol(self):
        status, body = self.raw(
            "elasticloadbalancing", {"Action": "DescribeLoadBalancers", "Version": "2015-12-01", "PageSizeX": "5"}
        )
        self.assertEqual(status, 400, body)
        self.assertIn("<Code>ValidationError</Code>", body)
        self.assertIn("PageSizeX", body)

    def test_a_missing_required_member_an_enum_and_a_range_are_refused(self):
        elbv2 = self.client("elbv2")
        message = self.refused(
            lambda: elbv2.create_target_group(Protocol="QUICK", Port=70000), "ValidationError"
        )
        self.assertIn('Missing required parameter in input: "Name"', message)
        self.assertIn("Protocol: not one of ProtocolEnum's values", message)
        self.assertIn("Port: 70000 greater than 65535", message)

    def test_ec2_lists_and_patterns_are_read_with_the_ec2_protocol(self):
        status, body = self.raw(
            "ec2", {"Action": "DescribeVpcs", "Version": "2016-11-15", "Filter.1.Name": "vpc-id", "Filters.1.Name": "x"}
        )
        self.assertEqual(status, 400, body)
        self.assertIn("<Code>UnknownParameter</Code>", body)
        self.assertIn("Filters.1.Name", body)
        ec2 = self.client("ec2")
        message = self.refused(lambda: ec2.create_vpc(InstanceTenancy="shared-ish"), "InvalidParameterValue")
        self.assertIn("InstanceTenancy: not one of Tenancy's values", message)
        message = self.refused(
            lambda: ec2.describe_vpcs(Filters=[{"Name": "vpc-id", "Values": ["vpc-1"]}], MaxResults=2),
            "InvalidParameterValue",
        )
        self.assertIn("MaxResults", message)
        # A well-formed call with nested lists passes and is answered.
        ok = self.emu.client("ec2").describe_vpcs(Filters=[{"Name": "vpc-id", "Values": ["vpc-12345678"]}])
        self.assertEqual(ok["Vpcs"], [])

    def test_json_protocol_types_and_patterns_are_refused(self):
        status, body = self.raw(
            "cloudhsm", {"HsmType": "hsm2m.medium", "SubnetIds": "subnet-1"}, target="BaldrApiService.CreateCluster"
        )
        self.assertEqual(status, 400, body)
        self.assertEqual(json.loads(body)["__type"], "CloudHsmInvalidRequestException")
        self.assertIn("Invalid type for parameter SubnetIds", json.loads(body)["message"])
        hsm = self.client("cloudhsmv2")
        message = self.refused(
            lambda: hsm.describe_backups(Filters={"states": ["READY"]}, MaxResults=0), "CloudHsmInvalidRequestException"
        )
        self.assertIn("MaxResults", message)
        message = self.refused(
            lambda: hsm.create_cluster(HsmType="hsm2m.medium", SubnetIds=["sn-1"]), "CloudHsmInvalidRequestException"
        )
        self.assertIn("SubnetIds[0]: does not match the pattern", message)

    def test_a_refusal_never_quotes_the_value(self):
        secret = "not-a-list-but-a-secret-value"
        status, body = self.raw(
            "cloudhsm", {"HsmType": "hsm2m.medium", "SubnetIds": secret}, target="BaldrApiService.CreateCluster"
        )
        self.assertEqual(status, 400, body)
        self.assertNotIn(secret, body)

    def test_violations_are_listed_for_the_harness_and_can_be_cleared(self):
        self.emu.control("DELETE", "/_trustchain/model")
        self.raw("elasticloadbalancing", {"Action": "DescribeLoadBalancers", "Version": "2015-12-01", "Bogus": "1"})
        elbv2 = self.client("elbv2")
        self.refused(lambda: elbv2.describe_load_balancers(PageSize=500), "ValidationError")
        status, body = self.emu.control("GET", "/_trustchain/model")
        self.assertEqual(status, 200)
        self.assertEqual(
            [(v["action"], v["side"], v["client"]) for v in body["violations"]],
            [("DescribeLoadBalancers", "request", "aws-sdk-rust"), ("DescribeLoadBalancers", "request", "boto3")],
        )
        self.assertGreaterEqual(body["checked"]["requests"], 2)
        self.emu.control("DELETE", "/_trustchain/model")
        self.assertEqual(self.emu.control("GET", "/_trustchain/model")[1]["violations"], [])


class Answers(unittest.TestCase):
    """The answer side, on answers written here (moto's are checked in every call)."""

    def test_an_int32_member_beyond_its_range_is_an_error(self):
        # moto's IPv6-native subnets once answered 2^64 - 5 free addresses (README).
        body = (
            b'<DescribeSubnetsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">'
            b"<requestId>r</requestId><subnetSet><item><subnetId>subnet-1</subnetId>"
            b"<availableIpAddressCount>18446744073709551611</availableIpAddressCount>"
            b"</item></subnetSet></DescribeSubnetsResponse>"
        )
        problems = model_check.answer_problems("ec2", "DescribeSubnets", aws_request.EC2, body)
        self.assertEqual(len(problems), 1, problems)
        self.assertIn("AvailableIpAddressCount: 18446744073709551611 outside the integer range", problems[0])

    def test_an_unknown_element_or_enum_value_is_an_error(self):
        body = (
            b'<DescribeSubnetsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">'
            b"<requestId>r</requestId><subnetSet><item><subnetId>subnet-1</subnetId>"
            b"<state>{'Code': 'available'}</state><madeUp>1</madeUp></item></subnetSet>"
            b"</DescribeSubnetsResponse>"
        )
        problems = model_check.answer_problems("ec2", "DescribeSubnets", aws_request.EC2, body)
        self.assertTrue(any("State: \"{'Code': 'available'}\" is not one of SubnetState's values" in p for p in problems), problems)
        self.assertTrue(any("madeUp: not a member of Subnet" in p for p in problems), problems)

    def test_values_aws_documents_outside_its_enum_pass(self):
        def igw(state: bytes) -> list[str]:
            body = (
                b'<DescribeInternetGatewaysResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">'
                b"<requestId>r</requestId><internetGatewaySet><item><internetGatewayId>igw-1</internetGatewayId>"
                b"<attachmentSet><item><vpcId>vpc-1</vpcId><state>" + state + b"</state></item></attachmentSet>"
                b"</item></internetGatewaySet></DescribeInternetGatewaysResponse>"
            )
            return model_check.answer_problems("ec2", "DescribeInternetGateways", aws_request.EC2, body)

        self.assertEqual(igw(b"available"), [])  # the EC2 API reference says so
        self.assertEqual(igw(b"attached"), [])
        self.assertEqual(len(igw(b"glued")), 1)

    def test_query_answers_are_read_inside_their_result_element(self):
        good = (
            b'<DescribeTargetGroupsResponse xmlns="https://elasticloadbalancing.amazonaws.com/doc/2015-12-01/">'
            b"<DescribeTargetGroupsResult><TargetGroups><member><TargetGroupName>tg</TargetGroupName>"
            b"<Port>8853</Port><Protocol>QUIC</Protocol></member></TargetGroups></DescribeTargetGroupsResult>"
            b"<ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></DescribeTargetGroupsResponse>"
        )
        self.assertEqual(
            model_check.answer_problems("elasticloadbalancing", "DescribeTargetGroups", aws_request.QUERY, good), []
        )
        bad = good.replace(b"<Port>8853</Port>", b"<Port>eighty</Port>")
        problems = model_check.answer_problems("elasticloadbalancing", "DescribeTargetGroups", aws_request.QUERY, bad)
        self.assertEqual(problems, ["DescribeTargetGroups.TargetGroups[0].Port: integer expected"])

    def test_json_answers_are_checked_member_by_member(self):
        body = json.dumps({"Clusters": [{"ClusterId": "cluster-abcdefghijk", "State": "SLEEPING"}]}).encode()
        problems = model_check.answer_problems("cloudhsm", "DescribeClusters", aws_request.JSON, body)
        self.assertEqual(problems, ["DescribeClusters.Clusters[0].State: 'SLEEPING' is not one of ClusterState's values"])


if __name__ == "__main__":
    unittest.main()
