"""CKV_TC_21: a role that uses a resource encrypted with a customer managed key is granted that key.

AWS rule: a request on a resource encrypted with a customer managed KMS key succeeds only if the
caller may use the key, through the key policy, an IAM policy or a grant. The key policies of
this project's hsm modules leave use to IAM (the account root statement), so the IAM policy of
each role that uses an encrypted resource must allow the KMS actions on its key. The EBS CSI
driver creates and attaches volumes of a StorageClass with `kmsKeyId` only with kms:CreateGrant
and the data-key actions on that key (Amazon EKS user guide, "Create an Amazon EBS CSI driver
IAM role": AmazonEBSCSIDriverPolicy grants no KMS action; "If you use a custom KMS key for
encryption on your Amazon EBS volumes, customize the IAM role as needed"): without them
CreateVolume fails and every PVC stays Pending. Secrets Manager "calls the Decrypt operation in
response to the GetSecretValue operation", on behalf of the caller, who needs kms:Decrypt on the
secret's key "in an IAM policy or key policy" (Secrets Manager user guide, "Secret encryption
and decryption", Permissions for the KMS key). Reading SSE-KMS S3 objects takes kms:Decrypt on
the bucket key, writing them kms:GenerateDataKey (S3 user guide, "Using server-side encryption
with AWS KMS keys (SSE-KMS)").
The check follows one configuration (the root module and the local modules it calls, each
module's `var.*` read as the expression its call passes, so a key is named by the caller's
expression, e.g. module.hsm.kms_key_arns["eks"]) and fails a role that
 - is trusted by the EBS CSI controller's service account (kube-system:ebs-csi-controller-sa)
   while a StorageClass of provisioner ebs.csi.aws.com of the same cluster sets kmsKeyId, and
   lacks kms:CreateGrant, kms:Decrypt and kms:GenerateDataKey* on that key (same cluster: the
   module calls its trust policy's OIDC provider and the StorageClass's kubernetes provider
   endpoint come from share one, or either is unknown);
 - may secretsmanager:GetSecretValue a secret (named directly or through a module output) that
   sets kms_key_id (or an RDS instance's managed secret with master_user_secret_kms_key_id), and
   lacks kms:Decrypt on that key;
 - may s3:GetObject / s3:PutObject objects of a bucket (named directly or through a module
   output) whose default encryption names kms_master_key_id, and lacks kms:Decrypt /
   kms:GenerateDataKey on that key.
Reach: roles, policies and encrypted resources in the root module and in modules called with a
local source; a role's policies are its aws_iam_role_policy resources (also per for_each key,
through a map indexed by each.key or var.<map>[each.key].policy_json), aws_iam_policy documents
attached to it, inline statements (jsonencode) and aws_iam_policy_document data sources. AWS
managed policies grant nothing here (none names a customer key). A key passed under two
different expressions counts as two keys (the check then fires). Workloads other than the EBS
CSI driver are identified by what their policy reads, not by their service account.
AWS documents it: Amazon EKS user guide, Store Kubernetes volumes with Amazon EBS (Create an
Amazon EBS CSI driver IAM role); AWS Secrets Manager user guide, Secret encryption and
decryption; Amazon S3 user guide, Using server-side encryption with AWS KMS keys (SSE-KMS).
"""

import fnmatch
import glob
import json
import os
import re

import hcl2
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.module.base_module_check import BaseModuleCheck
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

EBS_CSI_SA = ("kube-system", "ebs-csi-controller-sa")
EBS_CSI_ACTIONS = ("kms:CreateGrant", "kms:Decrypt", "kms:GenerateDataKey")
REF = r"(?:module\.[\w-]+\.[\w-]+(?:\[[^\]]*\])*|aws_kms_key\.[\w-]+\.arn|aws_kms_replica_key\.[\w-]+\.arn|data\.aws_kms_key\.[\w-]+\.arn|var\.\w+|local\.\w+)"


def _first(v):
    while isinstance(v, list) and len(v) == 1:
        v = v[0]
    return v


def _text(v):
    """A value from hcl2 as text (expressions keep their ${...})."""
    if isinstance(v, str):
        return v
    return json.dumps(v, sort_keys=True)


def _norm(s):
    s = re.sub(r"\s+", "", str(s)).replace('\\"', '"').replace("'", '"')
    return s.replace("${", "").replace("}", "")


def _load(directory):
    blocks = {k: [] for k in ("module", "resource", "data", "locals", "variable", "output", "provider")}
    for path in sorted(glob.glob(os.path.join(directory, "*.tf"))):
        try:
            with open(path) as f:
                doc = hcl2.load(f)
        except Exception:
            continue
        for kind in blocks:
            blocks[kind].extend(doc.get(kind) or [])
    return blocks


def _items(blocks, kind):
    """(type, name, body) of resource or data blocks."""
    for b in blocks[kind]:
        for rtype, named in b.items():
            for name, body in (named or {}).items():
                if isinstance(body, dict):
                    yield rtype, name, body


class Unit:
    """The root module (args None) or one module call, its `var.*` read as the call's arguments."""

    def __init__(self, name, directory, args):
        self.name = name
        self.dir = directory
        self.args = args
        self.blocks = _load(directory)
        self.locals = {}
        for b in self.blocks["locals"]:
            for k, v in b.items():
                if not k.startswith("__"):
                    self.locals[k] = _first(v)
        self.defaults = {}
        for v in self.blocks["variable"]:
            for k, body in v.items():
                if isinstance(body, dict) and "default" in body:
                    self.defaults[k] = _first(body["default"])
        self.outputs = {}
        for o in self.blocks["output"]:
            for k, body in o.items():
                if isinstance(body, dict):
                    self.outputs[k] = _text(_first(body.get("value")))

    def var_value(self, name):
        if self.args is not None and name in self.args:
            return _first(self.args[name])
        if name in self.defaults:
            return self.defaults[name]
        return "${var.%s}" % name

    def expand(self, text, depth=0):
        """Locals inlined (module scope), then var.* replaced by what the call passes."""
        text = str(text)
        if depth < 6:
            text = re.sub(
                r"\blocal\.(\w+)",
                lambda m: "(" + self.expand(_text(self.locals[m.group(1)]), depth + 1) + ")"
                if m.group(1) in self.locals
                else m.group(0),
                text,
            )
        if depth == 0:
            text = re.sub(r"\bvar\.(\w+)", lambda m: "(" + _text(self.var_value(m.group(1))) + ")", text)
        return text


def _doc_statements(unit, name, subst):
    out = []
    for rtype, dname, body in _items(unit.blocks, "data"):
        if rtype != "aws_iam_policy_document" or dname != name:
            continue
        statements = list(body.get("statement") or [])
        for dyn in body.get("dynamic") or []:
            for content in (dyn.get("statement") or {}).get("content") or []:
                statements.append(content)
        for st in statements:
            effect = _text(_first(st.get("effect", "Allow")))
            actions = _text(st.get("actions", []))
            resources = subst(_text(st.get("resources", [])))
            out.append((effect, actions, unit.expand(resources)))
        for key in ("source_policy_documents", "override_policy_documents"):
            if key in body:
                out.extend(_policy_statements(unit, _text(body[key]), subst))
    return out


def _policy_statements(unit, text, subst=lambda t: t, seen=()):
    """(effect, actions text, resources text) of a policy expression: the aws_iam_policy_document
    data sources it references, and statements written inline (jsonencode), locals inlined."""
    out = []
    for d in sorted(set(re.findall(r"data\.aws_iam_policy_document\.(\w+)", text))):
        if d not in seen:
            out.extend(_doc_statements(unit, d, subst))
    expanded = subst(unit.expand(text, depth=1))
    for d in sorted(set(re.findall(r"data\.aws_iam_policy_document\.(\w+)", expanded)) - set(re.findall(r"data\.aws_iam_policy_document\.(\w+)", text))):
        out.extend(_doc_statements(unit, d, subst))
    # Nested interpolations escape their quotes (\\'Effect\\'): drop the escapes to read statements.
    chunks = re.split(r"['\"]?Effect['\"]?\s*[:=]", expanded.replace("\\", ""))
    for chunk in chunks[1:]:
        effect = "Deny" if re.match(r"\s*['\"]?Deny", chunk) else "Allow"
        m = re.search(r"['\"]?(?:Resource)['\"]?\s*[:=]", chunk)
        if not m:
            continue
        actions = chunk[: m.start()] if "Action" in chunk[: m.start()] else chunk
        resources = chunk[m.end():]
        c = re.search(r"['\"]?Condition['\"]?\s*[:=]", resources)
        if c:
            resources = resources[: c.start()]
        out.append((effect, actions, unit.expand(resources)))
    return out


def _action_allowed(actions_text, wanted):
    for a in re.findall(r"['\"]([A-Za-z0-9]+:[A-Za-z0-9*?]+|\*)['\"]", actions_text):
        if fnmatch.fnmatchcase(wanted.lower(), a.lower()):
            return True
    return False


def _covers(resources_text, key):
    r = _norm(resources_text)
    return _norm(key) in r or re.search(r'\["\*"\]|^"\*"$|:"\*"', r) is not None


class Role:
    def __init__(self, unit, name, key):
        self.unit = unit
        self.name = name
        self.key = key
        self.statements = []
        self.trust = ""

    @property
    def address(self):
        return f"aws_iam_role.{self.name}" + (f'["{self.key}"]' if self.key is not None else "")

    def allowed(self, action, key):
        return any(
            effect != "Deny" and _action_allowed(actions, action) and _covers(resources, key)
            for effect, actions, resources in self.statements
        )


def _each_subst(key, value):
    def subst(text):
        text = str(text)
        if key is not None:
            text = re.sub(r"\$\{each\.key\}", key, text).replace("each.key", json.dumps(key))
        if isinstance(value, dict):
            text = re.sub(
                r"\$\{each\.value\.(\w+)\}",
                lambda m: str(_first(value.get(m.group(1), m.group(0)))),
                text,
            )
        return text

    return subst


def _for_each_map(unit, body):
    """The literal map a for_each iterates (a var's argument or default, a local), or None."""
    fe = _first(body.get("for_each"))
    if fe is None:
        return None
    m = re.fullmatch(r"\$\{(var|local)\.(\w+)\}", str(fe).strip())
    if not m:
        return None
    v = unit.var_value(m.group(2)) if m.group(1) == "var" else unit.locals.get(m.group(2))
    v = _first(v)
    return v if isinstance(v, dict) else None


def _roles(unit):
    roles = {}
    text_all = json.dumps(unit.blocks["resource"])
    for rtype, name, body in _items(unit.blocks, "resource"):
        if rtype != "aws_iam_role":
            continue
        instances = _for_each_map(unit, body)
        if instances is not None:
            keys = [(k, v) for k, v in instances.items() if not k.startswith("__")]
        elif "for_each" in body:
            lit = sorted(set(re.findall(r"aws_iam_role\.%s\[\\?[\"']([\w-]+)\\?[\"']\]" % re.escape(name), text_all)))
            keys = [(k, None) for k in lit]
        else:
            keys = [(None, None)]
        for k, v in keys:
            role = Role(unit, name, k)
            subst = _each_subst(k, v)
            trust = _text(_first(body.get("assume_role_policy")))
            role.trust = subst(unit.expand(trust))
            for d in re.findall(r"data\.aws_iam_policy_document\.(\w+)", trust):
                role.trust += json.dumps([_doc_statements(unit, d, subst)])
                for _, dn, db in _items(unit.blocks, "data"):
                    if dn == d:
                        role.trust += subst(unit.expand(json.dumps(db)))
            role.trust = subst(role.trust)
            inline = body.get("inline_policy") or []
            for ip in inline:
                role.statements.extend(_policy_statements(unit, _text(_first(ip.get("policy"))), subst))
            roles[(name, k)] = role
    # Policies attached to the roles.
    for rtype, pname, body in _items(unit.blocks, "resource"):
        if rtype not in ("aws_iam_role_policy", "aws_iam_role_policy_attachment"):
            continue
        role_ref = _text(_first(body.get("role")))
        m = re.search(r"aws_iam_role\.(\w+)(\[[^\]]*\])?", role_ref)
        if not m:
            continue
        rname, index = m.group(1), m.group(2) or ""
        if rtype == "aws_iam_role_policy":
            policy = _text(_first(body.get("policy")))
        else:
            arn = _text(_first(body.get("policy_arn")))
            pm = re.search(r"aws_iam_policy\.(\w+)", arn)
            policy = ""
            if pm:
                for t, n, b in _items(unit.blocks, "resource"):
                    if t == "aws_iam_policy" and n == pm.group(1):
                        policy = _text(_first(b.get("policy")))
        lit = re.fullmatch(r"\[\\?[\"']([\w-]+)\\?[\"']\]", index)
        for (rn, k), role in roles.items():
            if rn != rname:
                continue
            if lit and k != lit.group(1):
                continue
            if "each." in index:
                fe = unit.expand(_text(_first(body.get("for_each"))))
                if k is None or (f'"{k}"' not in fe.replace("'", '"')):
                    continue
            subst = _each_subst(k, None)
            ptext = policy
            mm = re.fullmatch(r"\$\{\{(.*)\}\[each\.key\]\}", ptext.strip(), re.S)
            if mm and k is not None:
                entry = re.search(r"['\"]%s['\"]\s*:\s*'([^']*)'" % re.escape(k), mm.group(1))
                ptext = entry.group(1) if entry else ""
            vm = re.fullmatch(r"\$\{var\.(\w+)\[each\.key\]\.(\w+)\}", ptext.strip())
            if vm and k is not None:
                m2 = _first(unit.var_value(vm.group(1)))
                item = m2.get(k) if isinstance(m2, dict) else None
                ptext = _text(_first(item.get(vm.group(2)))) if isinstance(item, dict) and _first(item.get(vm.group(2))) is not None else ""
            role.statements.extend(_policy_statements(unit, ptext, subst))
    return list(roles.values())


def _key_of(unit, ref):
    """The caller-level expression of a key reference in unit; None for no key (null)."""
    m = re.match(r"var\.(\w+)", ref)
    if m:
        v = unit.var_value(m.group(1))
        if v is None or str(v) in ("None", "null", "${None}"):
            return None
        return _text(v)
    m = re.match(r"local\.(\w+)", ref)
    if m and m.group(1) in unit.locals:
        return unit.expand(_text(unit.locals[m.group(1)]))
    return ref


def _refs(text):
    return re.findall(REF, str(text))


class Config:
    def __init__(self, root):
        self.root = Unit("", root, None)
        self.units = {"": self.root}
        for b in self.root.blocks["module"]:
            for call, body in b.items():
                source = str(_first(body.get("source")) or "")
                target = os.path.normpath(os.path.join(root, source))
                if os.path.isdir(target):
                    self.units[call] = Unit(call, target, body)

    def cluster_of_storage(self, unit):
        """The module calls the kubernetes provider of unit's resources is configured from (the
        cluster's endpoint), empty when unknown."""
        alias = None
        if unit.args is not None:
            prov = _first(unit.args.get("providers"))
            if isinstance(prov, dict) and "kubernetes" in prov:
                m = re.fullmatch(r"\$\{kubernetes(?:\.(\w+))?\}", str(prov["kubernetes"]).strip())
                alias = m.group(1) if m else alias
        for p in self.root.blocks.get("provider", []):
            body = p.get("kubernetes")
            if isinstance(body, dict) and _first(body.get("alias")) == alias:
                return set(re.findall(r"module\.([\w-]+)\.", json.dumps(body)))
        return set()

    def keys_of_output(self, call, output, what):
        """Keys encrypting the resources of kind `what` (secret, bucket) an output of a call names."""
        unit = self.units.get(call)
        if unit is None or output not in unit.outputs:
            return []
        return self._keys_in(unit, unit.outputs[output], what)

    def _keys_in(self, unit, text, what):
        keys = []
        text = unit.expand(text, depth=1)
        if what == "secret":
            for s in set(re.findall(r"aws_secretsmanager_secret\.(\w+)", text)):
                for t, n, b in _items(unit.blocks, "resource"):
                    if t != "aws_secretsmanager_secret" or n != s:
                        continue
                    # A replica of the secret (an output over the map of its `replica` blocks)
                    # is encrypted with that replica's kms_key_id, the map's value.
                    replica_maps = [
                        m.group(1)
                        for dyn in b.get("dynamic") or []
                        for m in [re.search(r"var\.(\w+)", _text((dyn.get("replica") or {}).get("for_each")))]
                        if m
                    ]
                    replicas = [v for v in replica_maps if re.search(r"\bvar\.%s\b" % v, text)]
                    if replicas:
                        for v in replicas:
                            value = _first(unit.var_value(v))
                            if isinstance(value, dict):
                                value = [x for k, x in value.items() if not str(k).startswith("__")]
                            keys.extend(_refs(_text(value)))
                    elif "kms_key_id" in b:
                        keys.extend(_key_of(unit, r) for r in _refs(_text(_first(b["kms_key_id"]))))
            for kind in ("aws_db_instance", "aws_rds_cluster"):
                for s in set(re.findall(kind + r"\.(\w+)(?:\[[^\]]*\])?\.master_user_secret", text)):
                    for t, n, b in _items(unit.blocks, "resource"):
                        if t == kind and n == s and "master_user_secret_kms_key_id" in b:
                            keys.extend(_key_of(unit, r) for r in _refs(_text(_first(b["master_user_secret_kms_key_id"]))))
        else:
            for s in set(re.findall(r"aws_s3_bucket\.(\w+)", text)):
                for t, n, b in _items(unit.blocks, "resource"):
                    if t != "aws_s3_bucket_server_side_encryption_configuration":
                        continue
                    if not re.search(r"aws_s3_bucket\.%s\b" % re.escape(s), _text(b.get("bucket"))):
                        continue
                    for ref in _refs(_text(b.get("rule"))):
                        if "kms" in ref or ref.startswith(("var.", "local.", "module.")):
                            keys.append(_key_of(unit, ref))
        return [k for k in keys if k]

    def used_keys(self, unit, resources_text, what):
        """Keys of the secrets/buckets a statement's resources name, in the caller's terms."""
        keys = []
        for call, output in re.findall(r"module\.([\w-]+)\.([\w-]+)", resources_text):
            keys.extend(self.keys_of_output(call, output, what))
        keys.extend(self._keys_in(unit, resources_text, what))
        return keys

    def violations(self):
        roles = [r for u in self.units.values() for r in _roles(u)]
        self.units_with_roles = {r.unit.name for r in roles}
        ebs_keys = []
        for unit in self.units.values():
            for t, n, b in _items(unit.blocks, "resource"):
                if t not in ("kubernetes_storage_class", "kubernetes_storage_class_v1"):
                    continue
                if "ebs.csi.aws.com" not in _text(b.get("storage_provisioner")):
                    continue
                for ref in re.findall(r"kmsKeyId['\"]?\s*[:=]\s*['\"]?(?:\$\{)?(" + REF + ")", _text(b.get("parameters"))):
                    key = _key_of(unit, ref)
                    if key:
                        where = f"{unit.name and 'module.' + unit.name + '.'}{t}.{n}"
                        ebs_keys.append((key, where, self.cluster_of_storage(unit)))
        out = []
        sa = "system:serviceaccount:%s:%s" % EBS_CSI_SA
        for role in roles:
            missing = []
            if sa in role.trust:
                cluster = set(re.findall(r"module\.([\w-]+)\.", role.trust))
                for key, who, where in ebs_keys:
                    if cluster and where and not cluster & where:
                        continue  # another cluster's StorageClass (another OIDC provider)
                    lacks = [a for a in EBS_CSI_ACTIONS if not role.allowed(a, key)]
                    if lacks:
                        missing.append(f"{', '.join(lacks)} on {_norm(key)} (the EBS CSI driver; {who} sets kmsKeyId)")
            for effect, actions, resources in role.statements:
                if effect == "Deny":
                    continue
                checks = []
                if _action_allowed(actions, "secretsmanager:GetSecretValue"):
                    checks.append(("secret", "kms:Decrypt", "reads a secret encrypted with it"))
                if _action_allowed(actions, "s3:GetObject"):
                    checks.append(("bucket", "kms:Decrypt", "reads SSE-KMS objects"))
                if _action_allowed(actions, "s3:PutObject"):
                    checks.append(("bucket", "kms:GenerateDataKey", "writes SSE-KMS objects"))
                for what, action, why in checks:
                    for key in self.used_keys(role.unit, resources, what):
                        if not role.allowed(action, key):
                            missing.append(f"{action} on {_norm(key)} ({why})")
            if missing:
                out.append((role, sorted(set(missing))))
        return out


_CACHE = {}


def _violations(root):
    try:
        mtime = max(os.path.getmtime(p) for p in glob.glob(os.path.join(root, "*.tf")))
    except ValueError:
        return [], set()
    hit = _CACHE.get(root)
    if hit and hit[0] == mtime:
        return hit[1]
    config = Config(root)
    v = (config.violations(), config.units_with_roles)
    _CACHE[root] = (mtime, v)
    return v


def _call_dir(resolved):
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


def _root_file(graph, scanned_file, address):
    if graph is None or not hasattr(graph, "nodes"):
        return None
    found = []
    for node in graph.nodes():
        attrs = node[1] if isinstance(node, tuple) else node
        path = str(attrs.get("file_path_") or "")
        if attrs.get("__address__") == address and path.endswith(scanned_file):
            found.append(path)
    return min(found, key=len) if found else None


NAME = "A role that uses a resource encrypted with a customer managed key (EBS CSI StorageClass, Secrets Manager secret, SSE-KMS bucket) is granted the KMS actions on that key"


class KmsKeyUsersGranted(BaseModuleCheck):
    def __init__(self):
        super().__init__(
            name=NAME,
            id="CKV_TC_21",
            categories=[CheckCategories.IAM],
            guideline="https://docs.aws.amazon.com/eks/latest/userguide/ebs-csi.html",
        )

    def scan_module_conf(self, conf):
        caller_file, module_dir = _call_dir(conf.get("__resolved__"))
        if not caller_file or not module_dir or not os.path.isdir(module_dir):
            return CheckResult.UNKNOWN
        name = self.entity_path.rsplit(":", 1)[-1]
        violations, with_roles = _violations(os.path.dirname(caller_file))
        if name not in with_roles:
            return CheckResult.UNKNOWN
        found = [(r, m) for r, m in violations if r.unit.name == name]
        if found:
            for role, missing in found:
                self.details.append(f"module.{name}.{role.address} lacks " + "; ".join(missing))
            self.evaluated_keys = ["source"]
            return CheckResult.FAILED
        return CheckResult.PASSED


class KmsKeyUsersGrantedInTheRoot(BaseResourceCheck):
    def __init__(self):
        super().__init__(
            name=NAME,
            id="CKV_TC_21",
            categories=[CheckCategories.IAM],
            supported_resources=["aws_iam_role"],
            guideline="https://docs.aws.amazon.com/eks/latest/userguide/ebs-csi.html",
        )

    def scan_resource_conf(self, conf):
        address = str(conf.get("__address__", ""))
        if not address or address.startswith("module."):
            return CheckResult.UNKNOWN
        scanned_file = self.entity_path.split(":", 1)[0]
        path = _root_file(getattr(self, "graph", None), scanned_file, address)
        if path is None:
            return CheckResult.UNKNOWN
        name = address.split(".", 1)[1].split("[", 1)[0]
        violations, _ = _violations(os.path.dirname(path))
        found = [(r, m) for r, m in violations if r.unit.name == "" and r.name == name]
        if found:
            for role, missing in found:
                self.details.append(f"{role.address} lacks " + "; ".join(missing))
            self.evaluated_keys = ["assume_role_policy"]
            return CheckResult.FAILED
        return CheckResult.PASSED


check = KmsKeyUsersGranted()
root_check = KmsKeyUsersGrantedInTheRoot()
