"""CKV_TC_15: global resource types are recorded in one region of an account.

AWS rule: AWS Config records global resource types (IAM users, groups, roles and customer
managed policies) in every region whose configuration recorder includes them; "The
configuration details for any global resource are the same in all regions. If you customize
AWS Config in multiple regions to record global resources, it will create multiple
configuration items each time a global resource changes: one configuration item for each
region", billed per item. A configuration that runs a recorder in a second region (a standby
stack) turns include_global_resource_types off there, so each global change is one item.
This module-call check follows each call of a module that creates a Config recorder
(resolving `var.*` of include_global_resource_types and of its count switch from the call's
arguments and the module's defaults) and fails when another call or recorder of the same
configuration, on a provider of another region, records global types as well. Recorders and
trails declared in the root module itself (beside module calls or not) are checked the same
way by a resource check of the same ID, which finds the root's files through checkov's graph.
CloudTrail: "For global services such as AWS Identity and Access Management (IAM), AWS STS,
Amazon CloudFront, and Route 53, events are delivered to any trail that includes global
services" (include_global_service_events, on by default): a second such trail in one
configuration, in any region, records and bills each global event twice, so one trail
includes them.
AWS documents it: AWS Config API reference, RecordingGroup (includeGlobalResourceTypes);
AWS Config developer guide, Recording AWS resources (regional and global resources); AWS
CloudTrail user guide, Global service events.
"""

import glob
import json
import os
import re

import hcl2
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.module.base_module_check import BaseModuleCheck
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

RECORDER = "aws_config_configuration_recorder"
TRAIL = "aws_cloudtrail"


def _first(v):
    while isinstance(v, list) and v:
        v = v[0]
    return v


def _load(directory):
    blocks = {"module": [], "resource": [], "provider": [], "variable": []}
    for path in sorted(glob.glob(os.path.join(directory, "*.tf"))):
        try:
            with open(path) as f:
                doc = hcl2.load(f)
        except Exception:
            continue
        for kind in blocks:
            blocks[kind].extend(doc.get(kind) or [])
    return blocks


def _var_name(v):
    m = re.fullmatch(r"\$\{var\.([A-Za-z0-9_]+)\}", str(v).strip())
    return m.group(1) if m else None


def _resolve(v, args, defaults):
    """A literal, or `var.x` looked up in the call's arguments then the module's defaults;
    None when unknown (an expression of the caller)."""
    v = _first(v)
    name = _var_name(v)
    if name is None:
        return v
    if name in args:
        inner = _first(args[name])
        return inner if isinstance(inner, bool) else None
    d = defaults.get(name)
    return d if isinstance(d, bool) else None


def _switched_off(body, args, defaults):
    """A `count = var.x ? 1 : 0` (or a literal 0) that the call turns off."""
    count = _first(body.get("count"))
    if count == 0:
        return True
    m = re.fullmatch(r"\$\{var\.([A-Za-z0-9_]+) \? 1 : 0\}", str(count or ""))
    return bool(m) and _resolve("${var.%s}" % m.group(1), args, defaults) is False


def _unwrap(v):
    """hcl2 wraps attribute values in a list: a list attribute is a list in a list."""
    if isinstance(v, list) and len(v) == 1 and isinstance(v[0], list):
        return v[0]
    return v if isinstance(v, list) else []


def _recorder_globals(body, args, defaults):
    for group in body.get("recording_group") or []:
        if "include_global_resource_types" in group:
            if _resolve(group.get("include_global_resource_types"), args, defaults) is not False:
                return True
        if any(str(t).startswith("AWS::IAM::") for t in _unwrap(group.get("resource_types"))):
            return True
    return False


def _trail_globals(body, args, defaults):
    # include_global_service_events defaults to true.
    if "include_global_service_events" not in body:
        return True
    return _resolve(body.get("include_global_service_events"), args, defaults) is not False


def _records_globals(module_dir, args):
    """What a call of the module at module_dir with args records of the global resources:
    a subset of {RECORDER, TRAIL}."""
    blocks = _load(module_dir)
    defaults = {}
    for v in blocks["variable"]:
        for name, body in v.items():
            defaults[name] = _first(body.get("default"))
    kinds = set()
    for r in blocks["resource"]:
        for kind, test in ((RECORDER, _recorder_globals), (TRAIL, _trail_globals)):
            for _, body in (r.get(kind) or {}).items():
                if not _switched_off(body, args, defaults) and test(body, args, defaults):
                    kinds.add(kind)
    return kinds


def _region_key(provider_ref, providers):
    ref = str(provider_ref or "aws").strip().removeprefix("${").removesuffix("}")
    return providers.get(ref, ref)


def _call_dir(resolved):
    """The caller's file and the called module's directory, from checkov's __resolved__ (the
    module's files, each keyed by the call that loads it)."""
    for key in resolved or []:
        try:
            data = json.loads(str(key))
        except ValueError:
            continue
        caller = (data.get("tf_source_modules") or {}).get("path")
        module_file = data.get("file_path")
        if caller and module_file:
            return caller, os.path.dirname(module_file)
    return None, None


def _providers(blocks):
    providers = {}
    for p in blocks["provider"]:
        for ptype, body in p.items():
            alias = _first(body.get("alias"))
            region = _first(body.get("region"))
            key = f"{ptype}.{alias}" if alias else ptype
            providers[key] = str(region) if region is not None else key
    return providers


def _configuration(caller_dir):
    """Who records global resources in the configuration whose root is caller_dir: a list of
    (kind, who, region), `who` being `module.<call>` for the module calls and `<type>.<name>`
    for recorders and trails declared in the root itself."""
    blocks = _load(caller_dir)
    providers = _providers(blocks)
    out = []
    for m in blocks["module"]:
        for call, body in m.items():
            source = str(_first(body.get("source")) or "")
            target = os.path.normpath(os.path.join(caller_dir, source))
            if not os.path.isdir(target):
                continue
            region = _region_key((_first(body.get("providers")) or {}).get("aws"), providers)
            for kind in _records_globals(target, body):
                out.append((kind, f"module.{call}", region))
    for r in blocks["resource"]:
        for kind, test in ((RECORDER, _recorder_globals), (TRAIL, _trail_globals)):
            for rname, body in (r.get(kind) or {}).items():
                # The root's own switches are unknown here (tfvars set them): on.
                if not _switched_off(body, {}, {}) and test(body, {}, {}):
                    region = _region_key(_first(body.get("provider")), providers)
                    out.append((kind, f"{kind}.{rname}", region))
    return out


def _clashes(records, me):
    """What of records clashes with the entries of `me` (who): a second region's recorder
    duplicates the configuration items of global types; a second trail with global service
    events duplicates them whatever its region."""
    mine = {kind: region for kind, who, region in records if who == me}
    return [
        f"{who} ({kind})"
        for kind, who, region in records
        if who != me and kind in mine and (kind == TRAIL or region != mine[kind])
    ]


NAME = (
    "Global resources are recorded once: AWS Config records global types (IAM) in one region only, and one CloudTrail trail includes global service events"
)


class GlobalResourcesOnce(BaseModuleCheck):
    def __init__(self):
        super().__init__(
            name=NAME,
            id="CKV_TC_15",
            categories=[CheckCategories.LOGGING],
            guideline="https://docs.aws.amazon.com/config/latest/APIReference/API_RecordingGroup.html",
        )

    def scan_module_conf(self, conf):
        caller_file, module_dir = _call_dir(conf.get("__resolved__"))
        if not caller_file or not module_dir or not os.path.isdir(module_dir):
            return CheckResult.UNKNOWN
        name = self.entity_path.rsplit(":", 1)[-1]
        clash = _clashes(_configuration(os.path.dirname(caller_file)), f"module.{name}")
        if clash:
            self.details.append("global resources are also recorded by " + ", ".join(clash))
            self.evaluated_keys = ["source"]
            return CheckResult.FAILED
        return CheckResult.PASSED


def _root_file(graph, scanned_file, address):
    """The absolute path of the file checkov scans as scanned_file (relative to the
    directory given to `-d`), from the graph's vertex of the resource at address. Of the
    files ending so, the scan root is the shortest prefix (every scanned file lies below it)."""
    if graph is None or not hasattr(graph, "nodes"):
        return None
    found = []
    for node in graph.nodes():
        attrs = node[1] if isinstance(node, tuple) else node
        path = str(attrs.get("file_path_") or "")
        if attrs.get("__address__") == address and path.endswith(scanned_file):
            found.append(path)
    return min(found, key=len) if found else None


class GlobalResourcesOnceInTheRoot(BaseResourceCheck):
    """The same rule for recorders and trails declared in the root module itself (beside
    module calls or not): the module-call check above reports a clash on the call, this one
    on the root's own resource. Resources inside called modules are the calls' part."""

    def __init__(self):
        super().__init__(
            name=NAME,
            id="CKV_TC_15",
            categories=[CheckCategories.LOGGING],
            supported_resources=[RECORDER, TRAIL],
            guideline="https://docs.aws.amazon.com/config/latest/APIReference/API_RecordingGroup.html",
        )

    def scan_resource_conf(self, conf):
        address = str(conf.get("__address__", ""))
        if not address or address.startswith("module."):
            return CheckResult.UNKNOWN
        scanned_file = self.entity_path.split(":", 1)[0]
        path = _root_file(getattr(self, "graph", None), scanned_file, address)
        if path is None:
            return CheckResult.UNKNOWN
        records = _configuration(os.path.dirname(path))
        if not any(who == address for _, who, _ in records):
            # Switched off or not recording global resources.
            return CheckResult.PASSED
        clash = _clashes(records, address)
        if clash:
            self.details.append("global resources are also recorded by " + ", ".join(clash))
            self.evaluated_keys = ["recording_group", "include_global_service_events"]
            return CheckResult.FAILED
        return CheckResult.PASSED


check = GlobalResourcesOnce()
root_check = GlobalResourcesOnceInTheRoot()
