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
configuration, on a provider of another region, records global types as well.
AWS documents it: AWS Config API reference, RecordingGroup (includeGlobalResourceTypes);
AWS Config developer guide, Recording AWS resources (regional and global resources).
"""

import glob
import json
import os
import re

import hcl2
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.module.base_module_check import BaseModuleCheck

RECORDER = "aws_config_configuration_recorder"


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


def _records_globals(module_dir, args):
    """Whether a call of the module at module_dir with args may record global types."""
    blocks = _load(module_dir)
    defaults = {}
    for v in blocks["variable"]:
        for name, body in v.items():
            defaults[name] = _first(body.get("default"))
    for r in blocks["resource"]:
        for _, body in (r.get(RECORDER) or {}).items():
            count = str(_first(body.get("count")) or "")
            m = re.fullmatch(r"\$\{var\.([A-Za-z0-9_]+) \? 1 : 0\}", count)
            if m and _resolve("${var.%s}" % m.group(1), args, defaults) is False:
                continue
            if _first(body.get("count")) == 0:
                continue
            for group in body.get("recording_group") or []:
                include = _resolve(group.get("include_global_resource_types"), args, defaults)
                types = [str(t) for t in (_first([group.get("resource_types")]) or [])]
                if include is not False or any(t.startswith("AWS::IAM::") for t in types):
                    return True
    return False


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


class GlobalResourcesOnce(BaseModuleCheck):
    def __init__(self):
        super().__init__(
            name="AWS Config records global resource types (IAM) in one region only: a second region's recorder sets include_global_resource_types = false",
            id="CKV_TC_15",
            categories=[CheckCategories.LOGGING],
            guideline="https://docs.aws.amazon.com/config/latest/APIReference/API_RecordingGroup.html",
        )

    def scan_module_conf(self, conf):
        caller_file, module_dir = _call_dir(conf.get("__resolved__"))
        if not caller_file or not module_dir or not os.path.isdir(module_dir):
            return CheckResult.UNKNOWN
        caller_dir = os.path.dirname(caller_file)
        name = self.entity_path.rsplit(":", 1)[-1]
        blocks = _load(caller_dir)
        providers = {}
        for p in blocks["provider"]:
            for ptype, body in p.items():
                alias = _first(body.get("alias"))
                region = _first(body.get("region"))
                key = f"{ptype}.{alias}" if alias else ptype
                providers[key] = str(region) if region is not None else key
        mine = None
        others = []
        for m in blocks["module"]:
            for call, body in m.items():
                source = str(_first(body.get("source")) or "")
                target = os.path.normpath(os.path.join(caller_dir, source))
                if not os.path.isdir(target) or not _records_globals(target, body):
                    continue
                region = _region_key((_first(body.get("providers")) or {}).get("aws"), providers)
                if call == name:
                    mine = region
                else:
                    others.append((f"module.{call}", region))
        for r in blocks["resource"]:
            for rname, body in (r.get(RECORDER) or {}).items():
                groups = body.get("recording_group") or []
                if any(_first(g.get("include_global_resource_types")) is not False for g in groups):
                    others.append((f"{RECORDER}.{rname}", _region_key(_first(body.get("provider")), providers)))
        if mine is None:
            return CheckResult.PASSED
        clash = [o for o, region in others if region != mine]
        if clash:
            self.details.append("global resource types are also recorded by " + ", ".join(clash))
            self.evaluated_keys = ["source"]
            return CheckResult.FAILED
        return CheckResult.PASSED


check = GlobalResourcesOnce()
