"""Records of the emulated CloudHSM v2 service (clusters, HSMs, backups), the API
errors, and how each record is shown on the wire.

Every field emitted has the name and type of botocore's service model
(cloudhsmv2 2017-04-28): timestamps are epoch seconds (JSON numbers, as the
awsJson protocols send them; a string breaks strict SDKs), BackupRetentionPolicy's
Value is a string, absent values are omitted rather than sent as null.
"""

import heapq
import itertools
import json
import secrets
import time
from dataclasses import dataclass, field

from moto.core.exceptions import JsonRESTError

from cloudhsm import pki as cloudhsm_pki
from cloudhsm.pki import Identity

_ID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"  # the model's [2-7a-zA-Z]{11,16}


def new_id(prefix: str) -> str:
    return prefix + "-" + "".join(secrets.choice(_ID_ALPHABET) for _ in range(11))


class CloudHsmError(JsonRESTError):
    code = 400

    def __init__(self, error_type: str, message: str):
        super().__init__(error_type, message)
        # awsJson errors: "__type" and "message"; the model's member is "Message".
        self.description = json.dumps({"__type": error_type, "message": message, "Message": message})
        self.content_type = "application/x-amz-json-1.1"


def invalid(message: str) -> CloudHsmError:
    return CloudHsmError("CloudHsmInvalidRequestException", message)


def not_found(message: str) -> CloudHsmError:
    return CloudHsmError("CloudHsmResourceNotFoundException", message)


def tag_error(message: str) -> CloudHsmError:
    return CloudHsmError("CloudHsmTagException", message)


STATE_MESSAGES = {
    "CREATE_IN_PROGRESS": "The cluster is being created.",
    "UNINITIALIZED": "The cluster is not initialized. Create an HSM, sign the cluster CSR and call InitializeCluster.",
    "INITIALIZE_IN_PROGRESS": "Cluster is initializing. State will change to INITIALIZED upon completion.",
    "INITIALIZED": "The cluster is initialized. Activate it with the CloudHSM CLI (cluster activate).",
    "ACTIVE": "The cluster is ready for use.",
    "MODIFY_IN_PROGRESS": "The cluster is migrating its HSMs to the requested HSM type.",
    "ROLLBACK_IN_PROGRESS": "The cluster is rolling back to its previous HSM type.",
    "DELETE_IN_PROGRESS": "The cluster is being deleted.",
    "DELETED": "The cluster has been deleted.",
}

HSM_STATE_MESSAGES = {
    "CREATE_IN_PROGRESS": "The HSM is being created.",
    "ACTIVE": "HSM created.",
    "DELETE_IN_PROGRESS": "The HSM is being deleted.",
}


def _tags(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in tags.items()]


@dataclass
class Hsm:
    hsm_id: str
    cluster_id: str
    availability_zone: str
    subnet_id: str
    eni_id: str
    eni_ip: str
    eni_ipv6: str | None
    hsm_type: str
    state: str = "CREATE_IN_PROGRESS"

    def to_api(self) -> dict:
        out = {
            "AvailabilityZone": self.availability_zone,
            "ClusterId": self.cluster_id,
            "SubnetId": self.subnet_id,
            "EniId": self.eni_id,
            "EniIp": self.eni_ip,
            "HsmId": self.hsm_id,
            "HsmType": self.hsm_type,
            "State": self.state,
            "StateMessage": HSM_STATE_MESSAGES.get(self.state, ""),
        }
        if self.eni_ipv6:
            out["EniIpV6"] = self.eni_ipv6
        return out


@dataclass
class Cluster:
    cluster_id: str
    hsm_type: str
    mode: str
    network_type: str
    subnet_mapping: dict[str, str]  # AZ -> subnet id
    vpc_id: str
    security_group: str | None
    retention_days: str
    source_backup_id: str | None
    tags: dict[str, str]
    state: str = "CREATE_IN_PROGRESS"
    create_timestamp: float = field(default_factory=time.time)
    hsms: dict[str, Hsm] = field(default_factory=dict)
    identity: Identity | None = None  # the first HSM's key, CSR and attestation
    cluster_certificate: str | None = None
    rollback_expiration: float | None = None
    state_before_change: str | None = None  # restored after a ModifyCluster migration
    # Bumped whenever the first HSM is replaced, so a stale "HSM is ACTIVE" event
    # cannot attach an old identity.
    identity_generation: int = 0

    def certificates(self) -> dict:
        if self.state == "UNINITIALIZED" and self.identity is not None:
            csr = self.identity.csr_pem
            if cloudhsm_pki.INTERCEPT["csr"]:
                csr = cloudhsm_pki.attacker_csr(csr)
            return {
                "ClusterCsr": csr,
                "HsmCertificate": self.identity.hsm_certificate,
                "AwsHardwareCertificate": self.identity.aws_hardware_certificate,
                "ManufacturerHardwareCertificate": self.identity.manufacturer_hardware_certificate,
            }
        if self.cluster_certificate and self.state not in ("UNINITIALIZED", "INITIALIZE_IN_PROGRESS"):
            return {"ClusterCertificate": self.cluster_certificate}
        return {}

    def to_api(self) -> dict:
        out = {
            "BackupPolicy": "DEFAULT",
            "BackupRetentionPolicy": {"Type": "DAYS", "Value": self.retention_days},
            "ClusterId": self.cluster_id,
            "CreateTimestamp": self.create_timestamp,
            "Hsms": [h.to_api() for h in self.hsms.values()],
            "HsmType": self.hsm_type,
            "State": self.state,
            "StateMessage": STATE_MESSAGES.get(self.state, ""),
            "SubnetMapping": dict(self.subnet_mapping),
            "VpcId": self.vpc_id,
            "NetworkType": self.network_type,
            "Certificates": self.certificates(),
            "Mode": self.mode,
        }
        if self.security_group:
            out["SecurityGroup"] = self.security_group
        if self.source_backup_id:
            out["SourceBackupId"] = self.source_backup_id
        if self.rollback_expiration is not None:
            out["HsmTypeRollbackExpiration"] = self.rollback_expiration
        if self.tags:
            out["TagList"] = _tags(self.tags)
        return out


@dataclass
class Backup:
    backup_id: str
    arn: str
    cluster_id: str | None
    hsm_type: str
    mode: str
    # What a cluster restored from this backup starts with.
    cluster_certificate: str | None
    state: str = "CREATE_IN_PROGRESS"
    create_timestamp: float = field(default_factory=time.time)
    never_expires: bool = False
    delete_timestamp: float | None = None
    tags: dict[str, str] = field(default_factory=dict)
    copy_timestamp: float | None = None
    source_region: str | None = None
    source_backup: str | None = None
    source_cluster: str | None = None

    def to_api(self) -> dict:
        out = {
            "BackupId": self.backup_id,
            "BackupArn": self.arn,
            "BackupState": self.state,
            "CreateTimestamp": self.create_timestamp,
            "NeverExpires": self.never_expires,
            "HsmType": self.hsm_type,
            "Mode": self.mode,
        }
        optional = {
            "ClusterId": self.cluster_id,
            "CopyTimestamp": self.copy_timestamp,
            "SourceRegion": self.source_region,
            "SourceBackup": self.source_backup,
            "SourceCluster": self.source_cluster,
            "DeleteTimestamp": self.delete_timestamp,
        }
        out.update({k: v for k, v in optional.items() if v is not None})
        if self.tags:
            out["TagList"] = _tags(self.tags)
        return out


class Schedule:
    """Transitions due at a time, run in order by `run_due`; each callback gets the
    time it was due, so chained transitions keep AWS's timeline even when nobody
    asked in between."""

    def __init__(self) -> None:
        self._heap: list = []
        self._seq = itertools.count()

    def at(self, due: float, callback) -> None:
        heapq.heappush(self._heap, (due, next(self._seq), callback))

    def run_due(self, now: float) -> None:
        while self._heap and self._heap[0][0] <= now:
            due, _, callback = heapq.heappop(self._heap)
            callback(due)
