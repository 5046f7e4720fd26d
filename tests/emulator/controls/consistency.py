"""Eventual consistency for the fault rates (fault_rates.py): what AWS's APIs do
for a moment after a change, since they read from replicas that lag behind.

- After a create (`not_found_after_create`): the new object is invisible for its
  next few reads. A call that names it as a parameter (DescribeVpcs VpcId.1,
  CreateRoute RouteTableId, CreateListener LoadBalancerArn, InitializeCluster
  ClusterId...) gets the service's NotFound code; a listing leaves it out. Deletes
  are never refused this way (everyone reads NotFound on delete as "already gone").
- After a change (`stale_after_modify`): an object a call named (ModifySubnetAttribute
  SubnetId, CreateRoute RouteTableId, DeleteHsm ClusterId...) is described as it
  was before that call, for its next few reads.

"A few" is 1..consistency_reads reads and never longer than consistency_seconds.
Objects are known by the id a listing keys them with (below); the copy served
when stale is the last one a listing showed before the change. Only bodies of
successful reads are rewritten; nothing is kept once the rates are cleared.
"""

import copy
import json
import re
import threading
import time
import xml.etree.ElementTree as ET
from urllib.parse import parse_qsl


# The id of the object each create makes, in its answer.
CREATED = {
    ("ec2", "CreateVpc"): r"<vpcId>(vpc-[0-9a-f]+)</vpcId>",
    ("ec2", "CreateSubnet"): r"<subnetId>(subnet-[0-9a-f]+)</subnetId>",
    ("ec2", "CreateInternetGateway"): r"<internetGatewayId>(igw-[0-9a-f]+)</internetGatewayId>",
    ("ec2", "CreateEgressOnlyInternetGateway"): r"<egressOnlyInternetGatewayId>(eigw-[0-9a-f]+)<",
    ("ec2", "CreateRouteTable"): r"<routeTableId>(rtb-[0-9a-f]+)</routeTableId>",
    ("ec2", "CreateNatGateway"): r"<natGatewayId>(nat-[0-9a-f]+)</natGatewayId>",
    ("ec2", "AllocateAddress"): r"<allocationId>(eipalloc-[0-9a-f]+)</allocationId>",
    ("ec2", "CreateSecurityGroup"): r"<groupId>(sg-[0-9a-f]+)</groupId>",
    ("elasticloadbalancing", "CreateLoadBalancer"): r"<LoadBalancerArn>([^<]+)</LoadBalancerArn>",
    ("elasticloadbalancing", "CreateTargetGroup"): r"<TargetGroupArn>([^<]+)</TargetGroupArn>",
    ("elasticloadbalancing", "CreateListener"): r"<ListenerArn>([^<]+)</ListenerArn>",
    ("cloudhsm", "CreateCluster"): r'"ClusterId": ?"(cluster-[a-z0-9]+)"',
    ("cloudhsm", "CreateHsm"): r'"HsmId": ?"(hsm-[a-z0-9]+)"',
}

# Listings: the element (XML) or key (JSON) of a list, and the id its entries carry.
XML_LISTS = {
    "vpcSet": "vpcId",
    "subnetSet": "subnetId",
    "routeTableSet": "routeTableId",
    "internetGatewaySet": "internetGatewayId",
    "egressOnlyInternetGatewaySet": "egressOnlyInternetGatewayId",
    "natGatewaySet": "natGatewayId",
    "addressesSet": "allocationId",
    "securityGroupInfo": "groupId",
    "LoadBalancers": "LoadBalancerArn",
    "TargetGroups": "TargetGroupArn",
    "Listeners": "ListenerArn",
}
JSON_LISTS = {"Clusters": "ClusterId", "Hsms": "HsmId"}

_EC2_NOT_FOUND = {
    "vpc": "InvalidVpcID.NotFound",
    "subnet": "InvalidSubnetID.NotFound",
    "igw": "InvalidInternetGatewayID.NotFound",
    "eigw": "InvalidGatewayID.NotFound",
    "rtb": "InvalidRouteTableID.NotFound",
    "nat": "NatGatewayNotFound",
    "eipalloc": "InvalidAllocationID.NotFound",
    "sg": "InvalidGroup.NotFound",
}

_READ = ("Describe", "List", "Get")
_DELETE = ("Delete", "Release", "Deregister", "Detach", "Disassociate")

_lock = threading.Lock()
_hidden: dict[tuple[str, str], list] = {}  # (service, id) -> [reads left, until]
_stale: dict[tuple[str, str], list] = {}  # (service, id) -> [reads left, until, old entry]
_seen: dict[tuple[str, str], object] = {}  # (service, id) -> last entry a listing showed


def clear() -> None:
    with _lock:
        _hidden.clear()
        _stale.clear()
        _seen.clear()


def is_read(action: str) -> bool:
    return action.startswith(_READ)


def not_found_code(object_id: str) -> str:
    if object_id.startswith("arn:"):
        for part, code in (
            (":loadbalancer/", "LoadBalancerNotFound"),
            (":targetgroup/", "TargetGroupNotFound"),
            (":listener/", "ListenerNotFound"),
        ):
            if part in object_id:
                return code
    if object_id.startswith(("cluster-", "hsm-")):
        return "CloudHsmResourceNotFoundException"
    return _EC2_NOT_FOUND.get(object_id.split("-")[0], "InvalidParameterValue")


def parameter_values(params) -> set[str]:
    """The string values of a request's parameters, filters left out (a filter on
    an unknown id matches nothing; it is no error)."""
    values = set()
    if isinstance(params, dict):  # JSON
        for key, value in params.items():
            if key == "Filters":
                continue
            for v in value if isinstance(value, list) else [value]:
                if isinstance(v, str):
                    values.add(v)
    else:  # query: [(name, value)]
        for name, value in params:
            if not name.startswith("Filter"):
                values.add(value)
    return values


def _live(table: dict, key) -> list | None:
    entry = table.get(key)
    if entry is None:
        return None
    if entry[0] <= 0 or time.monotonic() > entry[1]:
        del table[key]
        return None
    return entry


def refusal(service: str, action: str, params) -> tuple[str, str] | None:
    """(code, message) when the call names an object that is not visible yet."""
    if action.startswith(_DELETE):
        return None
    with _lock:
        for value in parameter_values(params):
            entry = _live(_hidden, (service, value))
            if entry:
                entry[0] -= 1
                return not_found_code(value), f"The resource '{value}' does not exist (not visible yet)"
    return None


def after(service: str, action: str, params, body: bytes, decision) -> tuple[bytes, list[str]]:
    """The body to send for a successful call, and the fault kinds it carries."""
    pattern = CREATED.get((service, action))
    if pattern:
        found = re.search(pattern, body.decode("utf-8", "replace"))
        if found and decision.hide_created:
            with _lock:
                _hidden[(service, found.group(1))] = [decision.reads, time.monotonic() + decision.lag]
    if not is_read(action):
        if decision.stale_modified:
            with _lock:
                for value in parameter_values(params):
                    old = _seen.get((service, value))
                    if old is not None:
                        _stale[(service, value)] = [decision.reads, time.monotonic() + decision.lag, old]
        return body, []
    return _rewrite(service, body)


def _rewrite(service: str, body: bytes) -> tuple[bytes, list[str]]:
    text = body.lstrip()
    try:
        if text.startswith(b"{"):
            return _rewrite_json(service, body)
        if text.startswith(b"<"):
            return _rewrite_xml(service, body)
    except (ValueError, ET.ParseError):
        pass  # not a listing this module understands: served as it is
    return body, []


def _visit(service: str, entries: list, key_of, replace, remove) -> list[str]:
    """Hides fresh entries, serves stale ones, remembers the rest; returns the kinds."""
    kinds = []
    with _lock:
        for entry in list(entries):
            object_id = key_of(entry)
            if not object_id:
                continue
            key = (service, object_id)
            hidden = _live(_hidden, key)
            if hidden:
                hidden[0] -= 1
                remove(entry)
                kinds.append("not_found_after_create")
                continue
            current = copy.deepcopy(entry)
            stale = _live(_stale, key)
            if stale:
                stale[0] -= 1
                replace(entry, copy.deepcopy(stale[2]))
                kinds.append("stale_after_modify")
            _seen[key] = current
    return kinds


def _rewrite_json(service: str, body: bytes) -> tuple[bytes, list[str]]:
    doc = json.loads(body)
    kinds: list[str] = []

    def walk(node):
        if isinstance(node, dict):
            for name, value in node.items():
                if name in JSON_LISTS and isinstance(value, list):
                    id_key = JSON_LISTS[name]
                    kinds.extend(
                        _visit(
                            service,
                            value,
                            lambda e, k=id_key: e.get(k) if isinstance(e, dict) else None,
                            lambda e, new, v=value: v.__setitem__(v.index(e), new),
                            value.remove,
                        )
                    )
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(doc)
    if not kinds:
        return body, []
    return json.dumps(doc).encode(), kinds


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _rewrite_xml(service: str, body: bytes) -> tuple[bytes, list[str]]:
    root = ET.fromstring(body)
    namespace = root.tag[1:].split("}", 1)[0] if root.tag.startswith("{") else None
    kinds: list[str] = []
    for parent in list(root.iter()):
        id_tag = XML_LISTS.get(_local(parent.tag))
        if id_tag is None:
            continue

        def key_of(entry, id_tag=id_tag):
            child = next((c for c in entry if _local(c.tag) == id_tag), None)
            return child.text.strip() if child is not None and child.text else None

        def replace(entry, new, parent=parent):
            index = list(parent).index(entry)
            parent.remove(entry)
            parent.insert(index, new)

        kinds.extend(_visit(service, list(parent), key_of, replace, parent.remove))
    if not kinds:
        return body, []
    out = ET.tostring(root, encoding="unicode", default_namespace=namespace)
    if body.lstrip().startswith(b"<?xml"):
        out = '<?xml version="1.0" encoding="UTF-8"?>\n' + out
    return out.encode(), kinds


def request_params(call, environ, body: bytes):
    """The request's parameters: a dict for JSON calls, [(name, value)] for query."""
    if call.protocol == "json":
        try:
            value = json.loads(body or b"{}")
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}
    pairs = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
    pairs += parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True)
    return pairs

