"""CKV_TC_13: Istio PeerAuthentication policies require mutual TLS (STRICT).

AWS rule: AWS's prescriptive guidance for service meshes on Amazon EKS activates mutual TLS
so that each service verifies the client making the connection as well as encrypting the
traffic between pods; a mesh policy in PERMISSIVE mode also accepts plaintext, and DISABLE
turns mutual TLS off, so a workload without a sidecar (or an attacker's pod) reaches the
services unauthenticated and in the clear. The platform document asks for Istio's mTLS
between the microservices. AWS documents it: AWS Prescriptive Guidance, activate mTLS in
a service mesh on Amazon EKS.
"""

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck


def one(value):
    while isinstance(value, list) and len(value) == 1:
        value = value[0]
    return value


def unresolved(mode):
    return isinstance(mode, str) and mode.startswith(("var.", "local.", "${"))


class MeshStrictMtls(BaseResourceCheck):
    def __init__(self):
        super().__init__(
            name="Istio PeerAuthentication policies use mTLS mode STRICT (not PERMISSIVE, DISABLE or unset)",
            id="CKV_TC_13",
            categories=[CheckCategories.ENCRYPTION],
            supported_resources=["kubernetes_manifest"],
            guideline="https://docs.aws.amazon.com/prescriptive-guidance/latest/patterns/activate-mtls-in-aws-app-mesh-using-aws-private-ca-on-amazon-eks.html",
        )

    def scan_resource_conf(self, conf):
        manifest = one(conf.get("manifest"))
        if not isinstance(manifest, dict) or one(manifest.get("kind")) != "PeerAuthentication":
            return CheckResult.PASSED
        self.evaluated_keys = ["manifest"]
        spec = one(manifest.get("spec")) or {}
        modes = [one((one(spec.get("mtls")) or {}).get("mode")) if isinstance(spec, dict) else None]
        ports = one(spec.get("portLevelMtls")) if isinstance(spec, dict) else None
        if isinstance(ports, dict):
            modes.extend(one((one(p) or {}).get("mode")) for p in ports.values())
        for mode in modes:
            if unresolved(mode):
                continue
            if mode != "STRICT":
                return CheckResult.FAILED
        return CheckResult.PASSED


check = MeshStrictMtls()
