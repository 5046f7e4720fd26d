"""The emulator's test controls: fault injection in each protocol's real error
format, the request log, and the delay settings; plus the harness's model check."""

import json
import os
import threading
import unittest
from unittest import mock

from botocore.exceptions import ClientError

from controls import delays
from testing import harness
from testing.harness import emulator


class Faults(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.emu = emulator()

    def tearDown(self) -> None:
        self.emu.control("DELETE", "/_trustchain/faults")

    def arm(self, **spec) -> None:
        status, body = self.emu.control("POST", "/_trustchain/faults", spec)
        self.assertEqual(status, 204, body)

    def raw_error(self, client, call) -> tuple[dict, bytes, ClientError]:
        """Makes the call; returns (headers, body) of the raw error and what boto3 parsed."""
        seen = {}

        def capture(response_dict, **_):
            seen.update(headers=dict(response_dict["headers"]), body=response_dict["body"])

        client.meta.events.register("before-parse", capture)
        with self.assertRaises(ClientError) as caught:
            call()
        return seen["headers"], seen["body"], caught.exception

    def test_ec2_fault_is_ec2_query_xml(self):
        self.arm(action="DescribeVpcs", code="UnauthorizedOperation", message="no <vpcs> for you")
        ec2 = self.emu.client("ec2")
        headers, body, error = self.raw_error(ec2, lambda: ec2.describe_vpcs())
        self.assertIn(b"<Response><Errors><Error><Code>UnauthorizedOperation</Code>", body)
        self.assertEqual(error.response["Error"]["Code"], "UnauthorizedOperation")
        self.assertEqual(error.response["Error"]["Message"], "no <vpcs> for you")

    def test_elbv2_and_sts_faults_are_error_response_xml(self):
        for service, namespace, call in (
            (
                "elbv2",
                b"https://elasticloadbalancing.amazonaws.com/doc/2015-12-01/",
                lambda c: c.describe_load_balancers(),
            ),
            ("sts", b"https://sts.amazonaws.com/doc/2011-06-15/", lambda c: c.get_caller_identity()),
        ):
            with self.subTest(service=service):
                client = self.emu.client(service)
                action = "DescribeLoadBalancers" if service == "elbv2" else "GetCallerIdentity"
                self.arm(action=action, code="Throttling", message="slow down", status=400)
                headers, body, error = self.raw_error(client, lambda c=client, f=call: f(c))
                self.assertTrue(
                    body.startswith(b'<ErrorResponse xmlns="' + namespace + b'"><Error><Type>Sender</Type>'),
                    body,
                )
                self.assertEqual(
                    (error.response["Error"]["Code"], error.response["Error"]["Message"]),
                    ("Throttling", "slow down"),
                )
                self.assertEqual(error.response["ResponseMetadata"]["HTTPStatusCode"], 400)

    def test_server_side_fault_is_a_receiver_fault_with_its_status(self):
        self.arm(action="DescribeLoadBalancers", code="InternalFailure", status=503)
        client = self.emu.client("elbv2")
        _, body, error = self.raw_error(client, lambda: client.describe_load_balancers())
        self.assertIn(b"<Type>Receiver</Type>", body)
        self.assertEqual(error.response["ResponseMetadata"]["HTTPStatusCode"], 503)

    def test_cloudhsm_fault_is_json_with_the_error_type_header(self):
        self.arm(action="CreateHsm", code="CloudHsmInternalFailureException", message="try later")
        client = self.emu.client("cloudhsmv2")  # the harness checks __type == x-amzn-ErrorType
        headers, body, error = self.raw_error(
            client, lambda: client.create_hsm(ClusterId="cluster-aaaaaaaaaaa", AvailabilityZone="us-east-1a")
        )
        self.assertEqual(
            json.loads(body), {"__type": "CloudHsmInternalFailureException", "message": "try later"}
        )
        self.assertEqual(
            headers.get("x-amzn-ErrorType") or headers.get("X-Amzn-Errortype"),
            "CloudHsmInternalFailureException",
        )
        self.assertEqual(error.response["Error"]["Code"], "CloudHsmInternalFailureException")

    def test_count_and_service_scope(self):
        self.arm(action="DescribeTags", service="elasticloadbalancing", code="AccessDenied", count=2)
        self.emu.client("ec2").describe_tags()  # EC2's DescribeTags is not the target
        elbv2 = self.emu.client("elbv2")
        for _ in range(2):
            with self.assertRaises(ClientError):
                elbv2.describe_tags(
                    ResourceArns=["arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/x/1"]
                )
        status, body = self.emu.control("GET", "/_trustchain/faults")
        self.assertEqual(body["faults"][0]["count"], 0)

    def test_bad_fault_specs_are_refused(self):
        for spec, reason in (({"code": "X"}, "action"), ({"action": "X", "status": 200}, "status")):
            status, body = self.emu.control("POST", "/_trustchain/faults", spec)
            self.assertEqual(status, 400)
            self.assertIn(reason, body["error"])


class RequestLog(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.emu = emulator()

    def test_calls_are_counted_by_service_and_action_without_bodies(self):
        self.assertEqual(self.emu.control("DELETE", "/_trustchain/requests")[0], 204)
        ec2, hsm = self.emu.client("ec2"), self.emu.client("cloudhsmv2")
        ec2.create_vpc(CidrBlock="10.77.0.0/16")
        hsm.describe_clusters()
        hsm.describe_clusters()
        with self.assertRaises(ClientError):
            hsm.initialize_cluster(
                ClusterId="cluster-aaaaaaaaaaa",
                SignedCert="-----BEGIN CERTIFICATE-----SECRET",
                TrustAnchor="-----BEGIN CERTIFICATE-----SECRET",
            )
        self.emu.control("POST", "/_trustchain/faults", {"action": "DescribeVpcs"})
        with self.assertRaises(ClientError):
            ec2.describe_vpcs()
        status, log = self.emu.control("GET", "/_trustchain/requests")
        self.assertEqual(status, 200)
        self.assertEqual(
            log["counts"],
            {
                "ec2": {"CreateVpc": 1, "DescribeVpcs": 1},
                "cloudhsm": {"DescribeClusters": 2, "InitializeCluster": 1},
            },
        )
        self.assertEqual(log["total"], 5)
        self.assertEqual(
            [(c["action"], c["status"]) for c in log["calls"]],
            [
                ("CreateVpc", 200),
                ("DescribeClusters", 200),
                ("DescribeClusters", 200),
                ("InitializeCluster", 400),
                ("DescribeVpcs", 400),
            ],
        )
        self.assertEqual(
            {tuple(sorted(c)) for c in log["calls"]},
            {
                (
                    "action",
                    "attempt",
                    "caller_account",
                    "end",
                    "fault",
                    "seq",
                    "service",
                    "start",
                    "status",
                    "user_agent",
                )
            },
        )
        # Who called: the account the access key belongs to and the SDK's user agent, never a key.
        self.assertEqual({c["caller_account"] for c in log["calls"]}, {"123456789012"})
        self.assertTrue(all("Boto3" in (c["user_agent"] or "") for c in log["calls"]))
        self.assertTrue(all(0 <= c["start"] <= c["end"] for c in log["calls"]))
        self.assertEqual([c["fault"] for c in log["calls"]], [None, None, None, None, "armed"])
        self.assertNotIn("SECRET", json.dumps(log))
        self.emu.control("DELETE", "/_trustchain/requests")
        self.assertEqual(self.emu.control("GET", "/_trustchain/requests")[1]["total"], 0)


class FaultRates(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.emu = emulator()

    def tearDown(self) -> None:
        self.emu.control("DELETE", "/_trustchain/faults")

    def rates(self, **spec) -> None:
        status, body = self.emu.control("POST", "/_trustchain/faults", spec)
        self.assertEqual(status, 204, body)

    def outcomes(self, n: int) -> list:
        # No SDK retries: each call is one decision.
        ec2 = self.emu.client("ec2")
        ec2.meta.config.retries = {"max_attempts": 1}
        seen = []
        for _ in range(n):
            try:
                ec2.describe_vpcs()
                seen.append("ok")
            except ClientError as e:
                seen.append(e.response["Error"]["Code"])
        return seen

    def test_rates_are_seeded_counted_by_kind_and_cleared(self):
        spec = {"seed": 3, "rates": [{"service": "ec2", "action": "DescribeVpcs", "throttle": 0.3, "error_500": 0.2}]}
        self.rates(**spec)
        first = self.outcomes(40)
        self.rates(**spec)  # the same seed again: the same sequence
        self.assertEqual(self.outcomes(40), first)
        self.assertIn("RequestLimitExceeded", first)
        self.assertIn("InternalError", first)
        _, state = self.emu.control("GET", "/_trustchain/faults")
        by_kind = state["injected"]["by_kind"]
        self.assertEqual(by_kind["throttle"], 2 * first.count("RequestLimitExceeded"))
        self.assertEqual(by_kind["error_500"], 2 * first.count("InternalError"))
        self.emu.control("DELETE", "/_trustchain/faults")
        self.assertEqual(set(self.outcomes(10)), {"ok"})

    def test_a_created_object_is_not_found_for_its_next_reads(self):
        self.rates(seed=1, rates=[{"service": "ec2", "action": "CreateVpc", "not_found_after_create": 1}],
                   consistency_reads=1)
        ec2 = self.emu.client("ec2")
        vpc = ec2.create_vpc(CidrBlock="10.88.0.0/16")["Vpc"]["VpcId"]
        with self.assertRaises(ClientError) as caught:
            ec2.describe_vpcs(VpcIds=[vpc])
        self.assertEqual(caught.exception.response["Error"]["Code"], "InvalidVpcID.NotFound")
        self.assertEqual(ec2.describe_vpcs(VpcIds=[vpc])["Vpcs"][0]["VpcId"], vpc)

    def test_bad_rate_specs_are_refused(self):
        for spec in ({"rates": [{"throttle": 2}]}, {"rates": [{"bogus": 0.1}]}, {"rates": []}):
            status, body = self.emu.control("POST", "/_trustchain/faults", spec)
            self.assertEqual(status, 400, (spec, body))


class NatGateways(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.emu = emulator()

    def test_pending_then_available_deleting_then_deleted(self):
        self.emu.control("POST", "/_trustchain/delays", {"nat_gateway_create": 0.5, "nat_gateway_delete": 0.5})
        ec2 = self.emu.client("ec2")
        vpc = ec2.create_vpc(CidrBlock="10.89.0.0/16")["Vpc"]["VpcId"]
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.89.0.0/24")["Subnet"]["SubnetId"]
        eip = ec2.allocate_address(Domain="vpc")["AllocationId"]
        nat = ec2.create_nat_gateway(SubnetId=subnet, AllocationId=eip)["NatGateway"]["NatGatewayId"]

        def state():
            return ec2.describe_nat_gateways(NatGatewayIds=[nat])["NatGateways"][0]["State"]

        self.assertEqual(state(), "pending")
        harness.wait_for(lambda: state() == "available", "available")
        ec2.delete_nat_gateway(NatGatewayId=nat)
        self.assertEqual(state(), "deleting")
        harness.wait_for(lambda: state() == "deleted", "deleted")
        enis = ec2.describe_network_interfaces(Filters=[{"Name": "subnet-id", "Values": [subnet]}])
        self.assertEqual(enis["NetworkInterfaces"], [], "the gateway's interface outlived it")
        self.assertNotIn("AssociationId", ec2.describe_addresses(AllocationIds=[eip])["Addresses"][0])
        with self.assertRaises(ClientError) as caught:
            ec2.delete_nat_gateway(NatGatewayId="nat-0123456789abcdef0")
        self.assertEqual(caught.exception.response["Error"]["Code"], "NatGatewayNotFound")


class Delays(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.emu = emulator()

    def tearDown(self) -> None:
        self.emu.control("POST", "/_trustchain/delays", {"preset": "fast", **harness.TEST_DELAYS})

    def test_delays_can_be_read_and_changed_at_run_time(self):
        status, body = self.emu.control("GET", "/_trustchain/delays")
        self.assertEqual(status, 200)
        self.assertEqual(body["delays"]["hsm_create"], harness.TEST_DELAYS["hsm_create"])
        status, body = self.emu.control("POST", "/_trustchain/delays", {"preset": "realistic", "scale": 0.5})
        self.assertEqual((body["preset"], body["delays"]["cluster_create"]), ("realistic", 161.0))
        status, body = self.emu.control("POST", "/_trustchain/delays", {"hsm_create": 3})
        self.assertEqual(body["delays"]["hsm_create"], 1.5)

    def test_api_call_latency_is_not_scaled(self):
        status, body = self.emu.control("POST", "/_trustchain/delays", {"preset": "realistic", "scale": 0.01, "api_call": 0.3})
        self.assertEqual((status, body["delays"]["api_call"], body["delays"]["cluster_create"]), (200, 0.3, 3.22))
        self.emu.control("DELETE", "/_trustchain/requests")
        ec2 = self.emu.client("ec2")
        threads = [threading.Thread(target=ec2.describe_vpcs) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        calls = self.emu.control("GET", "/_trustchain/requests")[1]["calls"]
        self.assertEqual(len(calls), 3)
        # Each call (three at once: the server is threaded) spans at least the latency.
        self.assertTrue(all(c["end"] - c["start"] >= 0.3 for c in calls))

    def test_bad_delay_settings_are_refused_with_the_reason(self):
        for spec, reason in (
            ({"hsm_creation": 1}, "unknown delay"),
            ({"hsm_create": -1}, ">= 0"),
            ({"preset": "slow"}, "unknown preset"),
            ({"scale": "x"}, "scale"),
        ):
            with self.subTest(spec=spec):
                status, body = self.emu.control("POST", "/_trustchain/delays", spec)
                self.assertEqual(status, 400)
                self.assertIn(reason, body["error"])

    def test_environment_variable_sets_delays_at_start(self):
        saved = delays.current()
        try:
            with mock.patch.dict(os.environ, {"TRUSTCHAIN_EMULATOR_DELAYS": "realistic"}):
                delays.configure_from_environment()
            self.assertEqual(delays.get("cluster_create"), 322.0)
            with mock.patch.dict(
                os.environ, {"TRUSTCHAIN_EMULATOR_DELAYS": '{"preset": "fast", "hsm_create": 2}'}
            ):
                delays.configure_from_environment()
            self.assertEqual(delays.get("hsm_create"), 2.0)
            with mock.patch.dict(os.environ, {"TRUSTCHAIN_EMULATOR_DELAYS": '{"hsm_create": "soon"}'}):
                with self.assertRaises(SystemExit) as caught:
                    delays.configure_from_environment()
            self.assertIn("TRUSTCHAIN_EMULATOR_DELAYS", str(caught.exception))
        finally:
            delays.configure({"preset": saved["preset"], "scale": saved["scale"], **saved["unscaled"]})


class ModelCheck(unittest.TestCase):
    """The harness's check is what keeps wrong types out (moto once sent ISO strings
    for timestamps, which strict SDKs reject): it must catch them."""

    def test_the_harness_rejects_wrong_field_types(self):
        client = emulator().client("cloudhsmv2")
        shape = client.meta.service_model.operation_model("DescribeClusters").output_shape
        good = {
            "Clusters": [
                {
                    "ClusterId": "cluster-aaaaaaaaaaa",
                    "CreateTimestamp": 1.5,
                    "BackupRetentionPolicy": {"Type": "DAYS", "Value": "90"},
                }
            ]
        }
        harness.check_shape(good, shape, "ok")
        for bad in (
            {"CreateTimestamp": "2026-01-01T00:00:00"},
            {"BackupRetentionPolicy": {"Type": "DAYS", "Value": 90}},
            {"State": "READY"},
            {"Unknown": 1},
            {"SourceBackupId": None},
        ):
            with self.subTest(bad=bad):
                cluster = dict(good["Clusters"][0], **bad)
                with self.assertRaises(AssertionError):
                    harness.check_shape({"Clusters": [cluster]}, shape, "bad")


if __name__ == "__main__":
    unittest.main()
