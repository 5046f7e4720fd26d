"""CKV_TC_12: no password in Helm values; admin secrets come from existing secrets.

AWS rule: AWS Secrets Manager's best practices say not to hard-code credentials but to
keep them in Secrets Manager and retrieve them at run time (on EKS through the External
Secrets Operator or the Secrets Store CSI driver). A password in a helm_release's `values`
or `set` is written into the Terraform plan and state and into the Helm release secret in
the cluster, and a chart default (Grafana's `adminPassword`, ArgoCD's
`argocdServerAdminPassword`) is a password everyone knows. Charts take the name of an
existing secret instead (`admin.existingSecret`, `configs.secret.createSecret = false`).
AWS documents it: Secrets Manager user guide, best practices (don't hard-code credentials).
"""

import ast
import json
import re

import yaml
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

# A key that holds a password itself (adminPassword, password, argocdServerAdminPassword,
# redis.auth.password), not one that names where it lives (passwordKey, existingSecret).
PASSWORD_KEY = re.compile(r"(^|[._-])(admin)?pass(word|wd)$|password$", re.IGNORECASE)


def password_keys(node, path=""):
    found = []
    if isinstance(node, dict):
        for k, v in node.items():
            p = f"{path}.{k}" if path else str(k)
            if PASSWORD_KEY.search(str(k)) and isinstance(v, (str, int, float)) and not isinstance(v, bool) and str(v).strip() not in ("", "null"):
                found.append(p)
            found.extend(password_keys(v, p))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            found.extend(password_keys(v, f"{path}[{i}]"))
    return found


# `key: value` / `key = value` in text checkov could not turn into data (a heredoc whose
# line breaks it folded): a password-holding key with a value that is not empty or boolean.
PASSWORD_TEXT = re.compile(
    r"""["']?([A-Za-z0-9_.-]*pass(?:word|wd))["']?\s*[:=]\s*["']?([^\s"',}\]]*)""",
    re.IGNORECASE,
)


def text_findings(text):
    return [
        k
        for k, v in PASSWORD_TEXT.findall(text)
        if v and v.lower() not in ("null", "true", "false", "~")
    ]


def parse(text):
    """A values string as data: checkov's `yamlencode({...})` rendering (a Python literal
    inside), YAML or JSON; None when it is none of these."""
    m = re.fullmatch(r"\s*(?:yamlencode|jsonencode)\((.*)\)\s*", text, re.S)
    if m:
        try:
            return ast.literal_eval(m.group(1))
        except (ValueError, SyntaxError):
            return None
    for load in (yaml.safe_load, json.loads):
        try:
            data = load(text)
        except (yaml.YAMLError, ValueError):
            continue
        if isinstance(data, (dict, list)):
            return data
    return None


def findings(values):
    """Password-holding keys in each entry of `values`."""
    out = []
    for v in values if isinstance(values, list) else [values]:
        while isinstance(v, list) and len(v) == 1:
            v = v[0]
        if isinstance(v, str):
            data = parse(v)
            out.extend(password_keys(data) if data is not None else text_findings(v))
        else:
            out.extend(password_keys(v))
    return out


class NoPasswordInHelmValues(BaseResourceCheck):
    def __init__(self):
        super().__init__(
            name="Helm releases carry no password in values or set; admin secrets come from existing secrets (External Secrets)",
            id="CKV_TC_12",
            categories=[CheckCategories.SECRETS],
            supported_resources=["helm_release"],
            guideline="https://docs.aws.amazon.com/secretsmanager/latest/userguide/best-practices.html",
        )

    def scan_resource_conf(self, conf):
        found = []
        found.extend(findings(conf.get("values") or []))
        for key in ("set", "set_sensitive"):
            entries = conf.get(key) or []
            for e in entries if isinstance(entries, list) else [entries]:
                while isinstance(e, list) and len(e) == 1:
                    e = e[0]
                if isinstance(e, dict):
                    name = e.get("name")
                    name = name[0] if isinstance(name, list) and name else name
                    if isinstance(name, str) and PASSWORD_KEY.search(name):
                        found.append(f"{key}:{name}")
        if found:
            self.evaluated_keys = ["values", "set", "set_sensitive"]
            return CheckResult.FAILED
        return CheckResult.PASSED


check = NoPasswordInHelmValues()
