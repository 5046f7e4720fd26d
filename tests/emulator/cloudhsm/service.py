"""CloudHSM v2 for the emulator, in place of moto's partial one: the whole cluster
lifecycle (clusters in real subnets with a real security group, HSMs with real
ENIs, a real CSR, InitializeCluster that checks the certificates as AWS does,
ModifyCluster, backups, tags), with state-transition delays (controls/delays.py).

`install()` swaps moto's CloudHSMV2Backend for cloudhsm_backend.HsmBackend and
moto's response handlers for the ones below; `middleware(app)` runs due
transitions before every request and serves the test-only activation hook:

    POST /_trustchain/cloudhsm/activate  {"ClusterId": "cluster-..."}
        INITIALIZED -> ACTIVE, standing in for the data-plane `cloudhsm-cli cluster
        activate` (which sets the admin password on the HSMs, out of any API's reach).

    GET  /_trustchain/cloudhsm/test-roots
        The emulator's stand-ins for the AWS CloudHSM root and the manufacturer root
        that its HSM certificates chain to ({"AwsRoot", "ManufacturerRoot", "Bundle"}):
        what a test passes as hsm_trust_roots.

    POST /_trustchain/cloudhsm/intercept-csr  {"Enabled": true|false}
        While enabled, DescribeClusters serves a CSR for a key that is not the HSM's
        (an attacker on the network path swapping the CSR); certificates unchanged.

    POST /_trustchain/cloudhsm/second-hsm-rule  {"Rule": "first_hsm_active" |
            "cluster_initialized" | "cluster_active"}
        When CreateHsm takes another HSM in a cluster that has one (#7437; the rule
        AWS enforces is not published): once every HSM is ACTIVE; once the cluster is
        also initialized (the default); once it is also activated.
"""

import json

from moto.cloudhsmv2 import models as moto_models
from moto.cloudhsmv2.responses import CloudHSMV2Response

from controls import aws_request
from cloudhsm import backend as cloudhsm_backend
from cloudhsm import pki as cloudhsm_pki
from cloudhsm.backend import LOCK, HsmBackend, advance_all
from cloudhsm.model import invalid

_JSON = {"Content-Type": "application/x-amz-json-1.1"}


def _params(response: CloudHSMV2Response) -> dict:
    try:
        value = json.loads(response.body or "{}")
    except ValueError:
        raise invalid("The request body is not JSON.") from None
    if not isinstance(value, dict):
        raise invalid("The request body must be a JSON object.")
    return value


def _required(params: dict, name: str):
    value = params.get(name)
    if value is None or value == "":
        raise invalid(f"{name} is required.")
    return value


def _handler(operation):
    """A moto response method: parse, advance time, run `operation(backend, params)`
    under the lock, answer JSON."""

    def method(self: CloudHSMV2Response):
        params = _params(self)
        with LOCK:
            advance_all()
            result = operation(self.cloudhsmv2_backend, params)
        return json.dumps(result), dict(_JSON)

    return method


def _create_cluster(b: HsmBackend, p):
    return {"Cluster": b.create_cluster(p).to_api()}


def _delete_cluster(b, p):
    return {"Cluster": b.delete_cluster(_required(p, "ClusterId")).to_api()}


def _describe_clusters(b, p):
    clusters, token = b.describe_clusters_page(p.get("Filters"), p.get("NextToken"), p.get("MaxResults"))
    out = {"Clusters": [c.to_api() for c in clusters]}
    if token:
        out["NextToken"] = token
    return out


def _create_hsm(b, p):
    hsm = b.create_hsm(_required(p, "ClusterId"), _required(p, "AvailabilityZone"), p.get("IpAddress"))
    return {"Hsm": hsm.to_api()}


def _delete_hsm(b, p):
    hsm_id = b.delete_hsm(_required(p, "ClusterId"), p.get("HsmId"), p.get("EniId"), p.get("EniIp"))
    return {"HsmId": hsm_id}


def _initialize_cluster(b, p):
    cluster = b.initialize_cluster(
        _required(p, "ClusterId"), _required(p, "SignedCert"), _required(p, "TrustAnchor")
    )
    api = cluster.to_api()
    return {"State": api["State"], "StateMessage": api["StateMessage"]}


def _modify_cluster(b, p):
    cluster = b.modify_cluster(_required(p, "ClusterId"), p.get("HsmType"), p.get("BackupRetentionPolicy"))
    return {"Cluster": cluster.to_api()}


def _describe_backups(b, p):
    backups, token = b.describe_backups_page(
        p.get("Filters"),
        p.get("NextToken"),
        p.get("MaxResults"),
        bool(p.get("SortAscending")),
        bool(p.get("Shared")),
    )
    out = {"Backups": [x.to_api() for x in backups]}
    if token:
        out["NextToken"] = token
    return out


def _delete_backup(b, p):
    return {"Backup": b.delete_backup(_required(p, "BackupId")).to_api()}


def _restore_backup(b, p):
    return {"Backup": b.restore_backup(_required(p, "BackupId")).to_api()}


def _modify_backup_attributes(b, p):
    if "NeverExpires" not in p:
        raise invalid("NeverExpires is required.")
    return {"Backup": b.modify_backup_attributes(_required(p, "BackupId"), p["NeverExpires"]).to_api()}


def _copy_backup_to_region(b, p):
    destination = b.copy_backup_to_region(
        _required(p, "DestinationRegion"), _required(p, "BackupId"), p.get("TagList")
    )
    return {"DestinationBackup": destination}


def _tag_resource(b, p):
    b.tag_resource(_required(p, "ResourceId"), p.get("TagList"))
    return {}


def _untag_resource(b, p):
    b.untag_resource(_required(p, "ResourceId"), p.get("TagKeyList"))
    return {}


def _list_tags(b, p):
    tags, token = b.list_tags_page(_required(p, "ResourceId"), p.get("NextToken"), p.get("MaxResults"))
    out = {"TagList": tags}
    if token:
        out["NextToken"] = token
    return out


def _delete_resource_policy(b, p):
    arn = _required(p, "ResourceArn")
    policy = b.resource_policies.pop(arn, None)
    out = {"ResourceArn": arn}
    if policy is not None:
        out["Policy"] = policy
    return out


def _get_resource_policy(b, p):
    policy = b.get_resource_policy(_required(p, "ResourceArn"))
    return {} if policy is None else {"Policy": policy}  # moto sent "Policy": null


_OPERATIONS = {
    "create_cluster": _create_cluster,
    "delete_cluster": _delete_cluster,
    "describe_clusters": _describe_clusters,
    "create_hsm": _create_hsm,
    "delete_hsm": _delete_hsm,
    "initialize_cluster": _initialize_cluster,
    "modify_cluster": _modify_cluster,
    "describe_backups": _describe_backups,
    "delete_backup": _delete_backup,
    "restore_backup": _restore_backup,
    "modify_backup_attributes": _modify_backup_attributes,
    "copy_backup_to_region": _copy_backup_to_region,
    "tag_resource": _tag_resource,
    "untag_resource": _untag_resource,
    "list_tags": _list_tags,
    "delete_resource_policy": _delete_resource_policy,
    "get_resource_policy": _get_resource_policy,
}


def install() -> None:
    # Before any backend exists: BackendDict creates them lazily from `.backend`.
    moto_models.cloudhsmv2_backends.backend = HsmBackend
    for name, operation in _OPERATIONS.items():
        setattr(CloudHSMV2Response, name, _handler(operation))


def _activate(environ, start_response):
    try:
        spec = aws_request.read_json(environ)
    except ValueError as e:
        return aws_request.reply(start_response, "400 Bad Request", {"error": str(e)})
    cluster_id = spec.get("ClusterId") or spec.get("cluster_id")
    with LOCK:
        advance_all()
        for backend in cloudhsm_backend.all_backends():
            cluster = backend.clusters.get(cluster_id)
            if cluster is None:
                continue
            try:
                backend.activate(cluster)
            except ValueError as e:
                return aws_request.reply(start_response, "409 Conflict", {"error": str(e)})
            return aws_request.reply(
                start_response, "200 OK", {"ClusterId": cluster_id, "State": cluster.state}
            )
    return aws_request.reply(start_response, "404 Not Found", {"error": f"no cluster {cluster_id!r}"})


def _intercept(environ, start_response):
    try:
        spec = aws_request.read_json(environ)
    except ValueError as e:
        return aws_request.reply(start_response, "400 Bad Request", {"error": str(e)})
    with LOCK:
        cloudhsm_pki.INTERCEPT["csr"] = bool(spec.get("Enabled"))
    return aws_request.reply(start_response, "200 OK", {"Enabled": cloudhsm_pki.INTERCEPT["csr"]})


def _second_hsm_rule(environ, start_response):
    try:
        spec = aws_request.read_json(environ)
    except ValueError as e:
        return aws_request.reply(start_response, "400 Bad Request", {"error": str(e)})
    rule = spec.get("Rule")
    if rule not in cloudhsm_backend.SECOND_HSM_RULES:
        return aws_request.reply(
            start_response, "400 Bad Request", {"error": f"Rule must be one of {cloudhsm_backend.SECOND_HSM_RULES}"}
        )
    with LOCK:
        cloudhsm_backend.SECOND_HSM_RULE["rule"] = rule
    return aws_request.reply(start_response, "200 OK", {"Rule": rule})


def middleware(app):
    def wrapped(environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path == "/_trustchain/cloudhsm/test-roots":
            return aws_request.reply(start_response, "200 OK", cloudhsm_pki.test_roots())
        if path == "/_trustchain/cloudhsm/second-hsm-rule":
            if environ["REQUEST_METHOD"] != "POST":
                return aws_request.reply(start_response, "405 Method Not Allowed", {"error": "use POST"})
            return _second_hsm_rule(environ, start_response)
        if path == "/_trustchain/cloudhsm/intercept-csr":
            if environ["REQUEST_METHOD"] != "POST":
                return aws_request.reply(start_response, "405 Method Not Allowed", {"error": "use POST"})
            return _intercept(environ, start_response)
        if path == "/_trustchain/cloudhsm/activate":
            if environ["REQUEST_METHOD"] != "POST":
                return aws_request.reply(start_response, "405 Method Not Allowed", {"error": "use POST"})
            return _activate(environ, start_response)
        # Due transitions first, so EC2 sees an HSM's ENI gone once the HSM is.
        advance_all()
        return app(environ, start_response)

    return wrapped
