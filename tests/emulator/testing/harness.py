"""Test harness for the emulator's own unittest suite (each package's test_*.py).

One emulator (server.py, started by launcher.py as every caller does) serves the
whole run, on a free 127.0.0.1 port, with short delays. Every boto3 client it hands
out checks each JSON-protocol response (CloudHSM v2) against botocore's service model before
boto3 parses it: field names, types (epoch-number timestamps, string retention
values, int32 ranges), enums, patterns, lengths, required members, and that an
error's `__type` is one the operation declares. boto3 alone is lenient; the AWS
SDK for Rust is not.
"""

import atexit
import base64
import ipaddress
import json
import re
import threading
import time

import boto3
from botocore.config import Config

import launcher

REGION = "us-east-1"
TEST_DELAYS = {
    "cluster_create": 0.02,
    "cluster_initialize": 0.02,
    "cluster_modify": 0.02,
    "cluster_delete": 0.02,
    "cluster_deleted_retention": 1.0,
    "hsm_create": 0.02,
    "hsm_delete": 0.02,
    "backup_create": 0.02,
}


class Emulator(launcher.Emulator):
    """The launcher's emulator with short delays and shape-checking boto3 clients."""

    def __init__(self) -> None:
        super().__init__(env={"TRUSTCHAIN_EMULATOR_DELAYS": json.dumps({"preset": "fast", **TEST_DELAYS})})

    def client(self, service: str, region: str = REGION, check_shapes: bool = True):
        client = boto3.client(
            service,
            endpoint_url=self.url,
            region_name=region,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            config=Config(retries={"total_max_attempts": 1, "mode": "standard"}),  # no retries
        )
        if check_shapes:
            client.meta.events.register("before-parse", _check_response)
        return client


_shared = None
_shared_lock = threading.Lock()


def emulator() -> Emulator:
    """The run's emulator, started on first use and stopped at exit."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = Emulator()
            atexit.register(_shared.stop)
        return _shared


def wait_for(probe, what: str, timeout: float = 10.0, interval: float = 0.02):
    """Polls probe() until it returns something truthy; fails naming `what`."""
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        last = probe()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what} (last: {last!r})")


# -- network fixtures ------------------------------------------------------------


def network(ec2, zones=("a", "b"), ipv6: bool = False, cidr: str = "10.0.0.0/16"):
    """A VPC and one subnet per zone suffix: (vpc_id, [subnet ids])."""
    vpc = ec2.create_vpc(CidrBlock=cidr, AmazonProvidedIpv6CidrBlock=ipv6)["Vpc"]
    vpc_ipv6 = None
    if ipv6:
        described = ec2.describe_vpcs(VpcIds=[vpc["VpcId"]])["Vpcs"][0]
        vpc_ipv6 = described["Ipv6CidrBlockAssociationSet"][0]["Ipv6CidrBlock"]
    base = cidr.split(".")
    subnets = []
    for i, zone in enumerate(zones):
        args = dict(
            VpcId=vpc["VpcId"], AvailabilityZone=REGION + zone, CidrBlock=f"{base[0]}.{base[1]}.{i + 1}.0/24"
        )
        if vpc_ipv6:
            args["Ipv6CidrBlock"] = str(list(ipaddress.IPv6Network(vpc_ipv6).subnets(new_prefix=64))[i])
        subnets.append(ec2.create_subnet(**args)["Subnet"]["SubnetId"])
    return vpc["VpcId"], subnets


# -- model conformance -------------------------------------------------------------


def _check_response(operation_model, response_dict, **_):
    if operation_model.service_model.resolved_protocol != "json":
        return
    body = response_dict.get("body") or b"{}"
    payload = json.loads(body)
    if response_dict["status_code"] >= 300:
        declared = {s.name for s in operation_model.error_shapes}
        if operation_model.service_model.service_name in ("kms", "acm-pca"):
            # KMS and Private CA API references, Common Errors (every action): ValidationException
            # "The input fails to satisfy the constraints specified by an AWS service."
            declared.add("ValidationException")
        code = payload.get("__type")
        header = {k.lower(): v for k, v in response_dict["headers"].items()}.get("x-amzn-errortype")
        assert header == code, f"{operation_model.name}: x-amzn-ErrorType {header!r} != __type {code!r}"
        assert code in declared, f"{operation_model.name}: error {code!r} is not one of {sorted(declared)}"
        assert isinstance(payload.get("message"), str), f"{operation_model.name}: error without message"
        return
    if operation_model.output_shape is None:
        assert payload == {}, f"{operation_model.name}: has no output, answered {payload!r}"
        return
    check_shape(payload, operation_model.output_shape, operation_model.name)


def check_shape(value, shape, path: str) -> None:
    """Raises AssertionError where `value` does not fit botocore `shape`."""
    kind = shape.type_name
    meta = shape.metadata
    if kind == "structure":
        assert isinstance(value, dict), f"{path}: expected an object, got {value!r}"
        unknown = set(value) - set(shape.members)
        assert not unknown, f"{path}: fields not in the model: {sorted(unknown)}"
        for name in shape.required_members:
            assert name in value, f"{path}: required field {name} missing"
        for name, member in value.items():
            assert member is not None, f"{path}.{name}: null (omit absent values)"
            check_shape(member, shape.members[name], f"{path}.{name}")
    elif kind == "list":
        assert isinstance(value, list), f"{path}: expected a list, got {value!r}"
        _check_length(path, len(value), meta)
        for i, item in enumerate(value):
            check_shape(item, shape.member, f"{path}[{i}]")
    elif kind == "map":
        assert isinstance(value, dict), f"{path}: expected a map, got {value!r}"
        for key, item in value.items():
            check_shape(key, shape.key, f"{path}<key>")
            check_shape(item, shape.value, f"{path}[{key!r}]")
    elif kind == "string":
        assert isinstance(value, str), f"{path}: expected a string, got {value!r}"
        _check_length(path, len(value), meta)
        if shape.enum:
            assert value in shape.enum, f"{path}: {value!r} is not one of {shape.enum}"
        pattern = meta.get("pattern")
        if pattern and "\\p" not in pattern:
            assert re.search(pattern, value), f"{path}: {value!r} does not match {pattern}"
    elif kind == "boolean":
        assert isinstance(value, bool), f"{path}: expected a boolean, got {value!r}"
    elif kind in ("integer", "long"):
        assert isinstance(value, int) and not isinstance(value, bool), (
            f"{path}: expected an integer, got {value!r}"
        )
        if kind == "integer":
            assert -(2**31) <= value < 2**31, f"{path}: {value} overflows Int32"
    elif kind == "blob":
        # JSON protocol: a blob is base64 text (KMS PublicKey, Signature).
        assert isinstance(value, str), f"{path}: a blob must be base64 text, got {value!r}"
        try:
            raw = base64.b64decode(value, validate=True)
        except ValueError as e:
            raise AssertionError(f"{path}: not base64: {e}") from e
        _check_length(path, len(raw), meta)
    elif kind == "timestamp":
        assert isinstance(value, (int, float)) and not isinstance(value, bool), (
            f"{path}: a timestamp must be epoch seconds (a JSON number), got {value!r}"
        )
    else:
        raise AssertionError(f"{path}: shape type {kind} not checked by the harness")


def _check_length(path: str, length: int, meta: dict) -> None:
    if "min" in meta:
        assert length >= meta["min"], f"{path}: length {length} < min {meta['min']}"
    if "max" in meta:
        assert length <= meta["max"], f"{path}: length {length} > max {meta['max']}"


# -- a base for the CloudHSM tests -------------------------------------------------

import contextlib  # noqa: E402
import unittest  # noqa: E402

from botocore.exceptions import ClientError  # noqa: E402


class CloudHsmCase(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.emu = emulator()
        cls.ec2 = cls.emu.client("ec2")
        cls.hsm = cls.emu.client("cloudhsmv2")

    def assert_error(self, code: str, call, *, contains: str = "", **params) -> str:
        """Calls call(**params), expecting the API error `code`; returns its message."""
        with self.assertRaises(ClientError) as caught:
            call(**params)
        error = caught.exception.response["Error"]
        self.assertEqual(error["Code"], code, error)
        self.assertIn(contains, error["Message"])
        return error["Message"]

    @contextlib.contextmanager
    def delays(self, **values):
        """Runs the block with some delays changed (e.g. long, to observe a state)."""
        status, body = self.emu.control("POST", "/_trustchain/delays", values)
        self.assertEqual(status, 200, body)
        try:
            yield
        finally:
            self.emu.control("POST", "/_trustchain/delays", {"preset": "fast", **TEST_DELAYS})

    def cluster(self, cluster_id: str) -> dict:
        found = self.hsm.describe_clusters(Filters={"clusterIds": [cluster_id]})["Clusters"]
        self.assertEqual(len(found), 1, f"cluster {cluster_id} not listed")
        return found[0]

    def wait_state(self, cluster_id: str, state: str) -> dict:
        return wait_for(
            lambda: (c := self.cluster(cluster_id))["State"] == state and c,
            f"cluster {cluster_id} to be {state}",
        )

    def new_cluster(self, subnets=None, wait: str | None = "UNINITIALIZED", **params) -> dict:
        if subnets is None:
            _, subnets = network(self.ec2)
        params.setdefault("HsmType", "hsm2m.medium")
        cluster = self.hsm.create_cluster(SubnetIds=subnets, **params)["Cluster"]
        return self.wait_state(cluster["ClusterId"], wait) if wait else cluster

    def hsm_state(self, cluster_id: str, hsm_id: str) -> str | None:
        for hsm in self.cluster(cluster_id)["Hsms"]:
            if hsm["HsmId"] == hsm_id:
                return hsm["State"]
        return None

    def new_hsm(self, cluster: dict, zone: str = REGION + "a", **params) -> dict:
        hsm = self.hsm.create_hsm(ClusterId=cluster["ClusterId"], AvailabilityZone=zone, **params)["Hsm"]
        wait_for(
            lambda: self.hsm_state(cluster["ClusterId"], hsm["HsmId"]) == "ACTIVE",
            f"HSM {hsm['HsmId']} ACTIVE",
        )
        return hsm

    def csr(self, cluster_id: str) -> str:
        return wait_for(
            lambda: self.cluster(cluster_id)["Certificates"].get("ClusterCsr"), f"CSR of {cluster_id}"
        )

    def delete_hsm_and_wait(self, cluster_id: str, hsm_id: str) -> None:
        self.hsm.delete_hsm(ClusterId=cluster_id, HsmId=hsm_id)
        wait_for(lambda: self.hsm_state(cluster_id, hsm_id) is None, f"HSM {hsm_id} gone")

    def initialized_cluster(self, ca=None, zone: str = REGION + "a", **params) -> tuple[dict, dict]:
        """(cluster, its first HSM) once INITIALIZED with a CA made here."""
        from testing import testca

        ca = ca or testca.shared()
        cluster = self.new_cluster(**params)
        hsm = self.new_hsm(cluster, zone)
        signed = ca.sign_csr(self.csr(cluster["ClusterId"]))
        self.hsm.initialize_cluster(ClusterId=cluster["ClusterId"], SignedCert=signed, TrustAnchor=ca.pem)
        return self.wait_state(cluster["ClusterId"], "INITIALIZED"), hsm
