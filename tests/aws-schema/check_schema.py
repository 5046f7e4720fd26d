#!/usr/bin/env python3
"""Self-check of the derived hashicorp/aws schema against facts known from the provider.

Each check names a fact about hashicorp/aws 6.x that a Terraform user relies on (an
argument is required, a block holds at most one item, ingress is an attribute and not a
block, ...). Exits 1 when any fails. Usage: check_schema.py [schema.json.gz]
"""
from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
PRIMITIVES = {"string", "number", "bool", "dynamic"}
NESTING = {"single", "list", "set", "map", "group"}


class Schema:
    def __init__(self, raw: dict):
        self.raw = raw

    def block(self, path: str) -> dict:
        """`aws_x.a.b` (resource), `data.aws_x.a`, `ephemeral.aws_x`, `provider.a`: the block at that path."""
        parts = path.split(".")
        if parts[0] == "provider":
            block, rest = self.raw["provider"]["block"], parts[1:]
        elif parts[0] == "data":
            block, rest = self.raw["data_source_schemas"][parts[1]]["block"], parts[2:]
        elif parts[0] == "ephemeral":
            block, rest = self.raw["ephemeral_resource_schemas"][parts[1]]["block"], parts[2:]
        else:
            block, rest = self.raw["resource_schemas"][parts[0]]["block"], parts[1:]
        for step in rest:
            block = block["block_types"][step]["block"]
        return block

    def attr(self, path: str) -> dict:
        parent, _, name = path.rpartition(".")
        return self.block(parent)["attributes"][name]

    def block_type(self, path: str) -> dict:
        parent, _, name = path.rpartition(".")
        return self.block(parent)["block_types"][name]


def flags(attr: dict) -> str:
    return "+".join(f for f in ("required", "optional", "computed") if attr.get(f))


def valid_type(t) -> bool:
    if isinstance(t, str):
        return t in PRIMITIVES
    if isinstance(t, list) and len(t) == 2 and t[0] in ("list", "set", "map"):
        return valid_type(t[1])
    if isinstance(t, list) and len(t) == 2 and t[0] == "object" and isinstance(t[1], dict):
        return all(valid_type(v) for v in t[1].values())
    return False


def walk(block: dict, path: str, problems: list[str]) -> None:
    for name, a in block.get("attributes", {}).items():
        if flags(a) not in ("required", "optional", "computed", "optional+computed"):
            problems.append(f"{path}.{name}: flags {flags(a) or 'none'}")
        nested = a.get("nested_type")
        if nested is not None:
            if nested.get("nesting_mode") not in ("single", "list", "set", "map"):
                problems.append(f"{path}.{name}: nested nesting {nested.get('nesting_mode')!r}")
            walk({"attributes": nested.get("attributes", {})}, f"{path}.{name}", problems)
        elif not valid_type(a.get("type")):
            problems.append(f"{path}.{name}: type {a.get('type')!r}")
    for name, bt in block.get("block_types", {}).items():
        if bt.get("nesting_mode") not in NESTING:
            problems.append(f"{path}.{name}: nesting {bt.get('nesting_mode')!r}")
        lo, hi = bt.get("min_items", 0), bt.get("max_items", 0)
        if hi and lo > hi:
            problems.append(f"{path}.{name}: min_items {lo} > max_items {hi}")
        if name in block.get("attributes", {}):
            problems.append(f"{path}.{name}: both attribute and block")
        walk(bt["block"], f"{path}.{name}", problems)


def statement_depth(block: dict) -> int:
    """How many and_statement levels nest inside a wafv2 statement block."""
    depth = 0
    while "and_statement" in block.get("block_types", {}):
        depth += 1
        block = block["block_types"]["and_statement"]["block"]["block_types"]["statement"]["block"]
    return depth


def checks(s: Schema):
    """(description, callable returning truthy when the fact holds)."""
    meta = s.raw["//"]
    yield "metadata names hashicorp/aws 6.66.0 and the pinned npm package", lambda: (
        meta["provider_version"] == "6.66.0" and meta["npm_package"] == "@cdktn/provider-aws@25.7.0"
    )
    yield "over 1700 resources, 650 data sources, some ephemeral resources", lambda: (
        len(s.raw["resource_schemas"]) > 1700
        and len(s.raw["data_source_schemas"]) > 650
        and "aws_secretsmanager_secret_version" in s.raw["ephemeral_resource_schemas"]
    )

    def invariants():
        problems: list[str] = []
        walk(s.raw["provider"]["block"], "provider", problems)
        for kind in ("resource_schemas", "data_source_schemas", "ephemeral_resource_schemas"):
            for name, rs in s.raw[kind].items():
                walk(rs["block"], name, problems)
        if problems:
            print("   " + "\n   ".join(problems[:20]))
        return not problems

    yield "every attribute has a valid flag set and type; every block a valid nesting", invariants

    # aws_vpc
    yield "aws_vpc.cidr_block is optional+computed string", lambda: (
        flags(s.attr("aws_vpc.cidr_block")) == "optional+computed" and s.attr("aws_vpc.cidr_block")["type"] == "string"
    )
    yield "aws_vpc.arn and owner_id are computed only", lambda: (
        flags(s.attr("aws_vpc.arn")) == "computed" and flags(s.attr("aws_vpc.owner_id")) == "computed"
    )
    yield "aws_vpc.id is optional+computed (SDKv2 id)", lambda: flags(s.attr("aws_vpc.id")) == "optional+computed"
    yield "aws_vpc.tags optional map(string), tags_all optional+computed", lambda: (
        flags(s.attr("aws_vpc.tags")) == "optional"
        and s.attr("aws_vpc.tags")["type"] == ["map", "string"]
        and flags(s.attr("aws_vpc.tags_all")) == "optional+computed"
    )
    yield "aws_vpc.enable_dns_support optional bool", lambda: s.attr("aws_vpc.enable_dns_support")["type"] == "bool"
    # aws_subnet, aws_iam_role, aws_db_instance: required arguments
    yield "aws_subnet.vpc_id is required", lambda: flags(s.attr("aws_subnet.vpc_id")) == "required"
    yield "aws_iam_role.assume_role_policy is required", lambda: (
        flags(s.attr("aws_iam_role.assume_role_policy")) == "required"
    )
    yield "aws_iam_role.inline_policy is a set block", lambda: (
        s.block_type("aws_iam_role.inline_policy")["nesting_mode"] == "set"
    )
    yield "aws_db_instance.instance_class required; password_wo write-only", lambda: (
        flags(s.attr("aws_db_instance.instance_class")) == "required"
        and s.attr("aws_db_instance.password_wo").get("write_only") is True
    )
    yield "aws_db_instance.master_user_secret is computed list(object)", lambda: (
        flags(s.attr("aws_db_instance.master_user_secret")) == "computed"
        and s.attr("aws_db_instance.master_user_secret")["type"][0] == "list"
        and s.attr("aws_db_instance.master_user_secret")["type"][1][0] == "object"
    )
    # aws_launch_template / aws_instance single-item blocks
    yield "aws_launch_template.metadata_options is a list block, max 1", lambda: (
        s.block_type("aws_launch_template.metadata_options")["nesting_mode"] == "list"
        and s.block_type("aws_launch_template.metadata_options").get("max_items") == 1
        and flags(s.attr("aws_launch_template.metadata_options.http_tokens")) == "optional+computed"
    )
    yield "aws_instance.root_block_device list max 1; ebs_block_device set", lambda: (
        s.block_type("aws_instance.root_block_device").get("max_items") == 1
        and s.block_type("aws_instance.ebs_block_device")["nesting_mode"] == "set"
    )
    yield "aws_instance.timeouts is a single nested block", lambda: (
        s.block_type("aws_instance.timeouts")["nesting_mode"] == "single"
    )
    # aws_s3_bucket_lifecycle_configuration
    yield "aws_s3_bucket_lifecycle_configuration.rule is a list block with required id and status", lambda: (
        s.block_type("aws_s3_bucket_lifecycle_configuration.rule")["nesting_mode"] == "list"
        and flags(s.attr("aws_s3_bucket_lifecycle_configuration.rule.id")) == "required"
        and flags(s.attr("aws_s3_bucket_lifecycle_configuration.rule.status")) == "required"
        and "transition" in s.block("aws_s3_bucket_lifecycle_configuration.rule")["block_types"]
    )
    # aws_security_group: attributes as blocks
    sg_obj = {
        "cidr_blocks": ["list", "string"],
        "description": "string",
        "from_port": "number",
        "ipv6_cidr_blocks": ["list", "string"],
        "prefix_list_ids": ["list", "string"],
        "protocol": "string",
        "security_groups": ["set", "string"],
        "self": "bool",
        "to_port": "number",
    }
    for rule in ("ingress", "egress"):
        yield f"aws_security_group.{rule} is an optional+computed attribute of set(object), not a block", (
            lambda rule=rule: flags(s.attr(f"aws_security_group.{rule}")) == "optional+computed"
            and s.attr(f"aws_security_group.{rule}")["type"] == ["set", ["object", sg_obj]]
            and rule not in s.block("aws_security_group").get("block_types", {})
        )
    yield "aws_route_table.route is an attribute set(object) too", lambda: (
        s.attr("aws_route_table.route")["type"][0] == "set"
    )
    # aws_backup_plan
    yield "aws_backup_plan.rule is a set block, min 1, with rule_name required", lambda: (
        s.block_type("aws_backup_plan.rule")["nesting_mode"] == "set"
        and s.block_type("aws_backup_plan.rule").get("min_items") == 1
        and flags(s.attr("aws_backup_plan.rule.rule_name")) == "required"
        and flags(s.attr("aws_backup_plan.rule.target_vault_name")) == "required"
    )
    # aws_lb / listener
    yield "aws_lb_listener.default_action is a required list block", lambda: (
        s.block_type("aws_lb_listener.default_action")["nesting_mode"] == "list"
        and s.block_type("aws_lb_listener.default_action").get("min_items") == 1
        and flags(s.attr("aws_lb_listener.load_balancer_arn")) == "required"
    )
    yield "aws_lb.access_logs list max 1; subnet_mapping set", lambda: (
        s.block_type("aws_lb.access_logs").get("max_items") == 1
        and s.block_type("aws_lb.subnet_mapping")["nesting_mode"] == "set"
    )
    # aws_cloudhsm_v2_cluster (what the trustchain provider complements)
    yield "aws_cloudhsm_v2_cluster: hsm_type and subnet_ids required, cluster_certificates computed", lambda: (
        flags(s.attr("aws_cloudhsm_v2_cluster.hsm_type")) == "required"
        and s.attr("aws_cloudhsm_v2_cluster.subnet_ids")["type"] == ["set", "string"]
        and flags(s.attr("aws_cloudhsm_v2_cluster.cluster_certificates")) == "computed"
    )
    # wafv2: grafted statement trees
    acl_stmt = "aws_wafv2_web_acl.rule.statement"
    yield "aws_wafv2_web_acl.rule is a set block; rule.statement a required list block of one", lambda: (
        s.block_type("aws_wafv2_web_acl.rule")["nesting_mode"] == "set"
        and s.block_type(acl_stmt)["nesting_mode"] == "list"
        and s.block_type(acl_stmt).get("min_items") == 1
        and s.block_type(acl_stmt).get("max_items") == 1
        and "statement" not in s.block("aws_wafv2_web_acl.rule").get("attributes", {})
    )
    yield "aws_wafv2_web_acl statements: managed rule groups, rate based, and three and/or/not levels", lambda: (
        {"managed_rule_group_statement", "rate_based_statement", "and_statement", "or_statement", "not_statement"}
        <= set(s.block(acl_stmt)["block_types"])
        and statement_depth(s.block(acl_stmt)) == 3
        and flags(s.attr(acl_stmt + ".managed_rule_group_statement.name")) == "required"
    )
    yield "aws_wafv2_web_acl.default_action and visibility_config are blocks", lambda: (
        s.block_type("aws_wafv2_web_acl.default_action")["nesting_mode"] == "list"
        and s.block_type("aws_wafv2_web_acl.visibility_config")["nesting_mode"] == "list"
    )
    yield "aws_wafv2_rule_group statements hold no managed rule group statement", lambda: (
        "managed_rule_group_statement" not in s.block("aws_wafv2_rule_group.rule.statement")["block_types"]
        and "byte_match_statement" in s.block("aws_wafv2_rule_group.rule.statement")["block_types"]
    )
    yield "aws_wafv2_web_acl_rule.statement unrolled to three and/or/not levels", lambda: (
        statement_depth(s.block("aws_wafv2_web_acl_rule.statement")) == 3
    )
    # provider and data sources
    yield "provider: region optional string, default_tags block, no alias", lambda: (
        flags(s.attr("provider.region")) == "optional"
        and "default_tags" in s.block("provider")["block_types"]
        and "alias" not in s.block("provider")["attributes"]
    )
    yield "data.aws_iam_policy_document.statement list block; principals set with required type", lambda: (
        s.block_type("data.aws_iam_policy_document.statement")["nesting_mode"] == "list"
        and s.block_type("data.aws_iam_policy_document.statement.principals")["nesting_mode"] == "set"
        and flags(s.attr("data.aws_iam_policy_document.statement.principals.type")) == "required"
        and flags(s.attr("data.aws_iam_policy_document.json")) == "computed"
    )
    yield "data.aws_availability_zones.names is computed list(string)", lambda: (
        s.attr("data.aws_availability_zones.names")["type"] == ["list", "string"]
        and flags(s.attr("data.aws_availability_zones.names")) == "computed"
    )
    yield "provider functions: arn_build takes five strings, arn_parse one", lambda: (
        [p["name"] for p in s.raw["functions"]["arn_build"]["parameters"]]
        == ["partition", "service", "region", "account_id", "resource"]
        and len(s.raw["functions"]["arn_parse"]["parameters"]) == 1
    )
    yield "data.aws_vpc.filter is a set block with required name and values", lambda: (
        s.block_type("data.aws_vpc.filter")["nesting_mode"] == "set"
        and flags(s.attr("data.aws_vpc.filter.name")) == "required"
        and s.attr("data.aws_vpc.filter.values")["type"] == ["set", "string"]
    )


def nested(s: Schema, path: str) -> dict:
    """The attributes of the nested attribute at `path` (`helm_release.set`, `provider.kubernetes`)."""
    return s.attr(path)["nested_type"]


def all_valid(s: Schema) -> bool:
    problems: list[str] = []
    walk(s.raw["provider"]["block"], "provider", problems)
    for kind in ("resource_schemas", "data_source_schemas"):
        for name, sch in s.raw[kind].items():
            walk(sch["block"], name, problems)
    for p in problems[:20]:
        print(f"  {p}")
    return not problems


def helm_checks(s: Schema):
    """Facts of hashicorp/helm 3.x the addons module relies on."""
    yield "every attribute has valid flags and a valid type or nested type", lambda: all_valid(s)
    yield "helm_release: name and chart required, version and repository optional", lambda: (
        [flags(s.attr(f"helm_release.{a}")) for a in ("name", "chart", "version", "repository")]
        == ["required", "required", "optional", "optional"]
    )
    yield "helm_release.values is list(string)", lambda: s.attr("helm_release.values")["type"] == ["list", "string"]
    yield "helm_release.set is a list nested attribute (helm 3), name required, value optional", lambda: (
        nested(s, "helm_release.set")["nesting_mode"] == "list"
        and flags(nested(s, "helm_release.set")["attributes"]["name"]) == "required"
        and flags(nested(s, "helm_release.set")["attributes"]["value"]) == "optional"
        and "set" not in s.block("helm_release").get("block_types", {})
    )
    yield "helm_release.set_wo exists (write-only values, helm 3.1)", lambda: "set_wo" in s.block("helm_release")["attributes"]
    yield "helm_release: manifest, status and id are computed", lambda: all(
        flags(s.attr(f"helm_release.{a}")) == "computed" for a in ("manifest", "status", "id")
    )
    yield "provider.kubernetes is a single nested attribute whose exec has api_version and command required", lambda: (
        nested(s, "provider.kubernetes")["nesting_mode"] == "single"
        and nested(s, "provider.kubernetes")["attributes"]["exec"]["nested_type"]["nesting_mode"] == "single"
        and [
            flags(nested(s, "provider.kubernetes")["attributes"]["exec"]["nested_type"]["attributes"][a])
            for a in ("api_version", "command", "args")
        ]
        == ["required", "required", "optional"]
    )


def kubernetes_checks(s: Schema):
    """Facts of hashicorp/kubernetes 2.x the addons module relies on."""
    yield "every attribute has valid flags and a valid type or nested type", lambda: all_valid(s)
    yield "kubernetes_namespace_v1.metadata is a required list block of one", lambda: (
        s.block_type("kubernetes_namespace_v1.metadata")["nesting_mode"] == "list"
        and s.block_type("kubernetes_namespace_v1.metadata").get("min_items") == 1
        and s.block_type("kubernetes_namespace_v1.metadata").get("max_items") == 1
    )
    yield "kubernetes_manifest.manifest is a required dynamic attribute", lambda: (
        s.attr("kubernetes_manifest.manifest")["type"] == "dynamic"
        and flags(s.attr("kubernetes_manifest.manifest")) == "required"
    )
    yield "kubernetes_storage_class_v1.storage_provisioner is required, parameters map(string)", lambda: (
        flags(s.attr("kubernetes_storage_class_v1.storage_provisioner")) == "required"
        and s.attr("kubernetes_storage_class_v1.parameters")["type"] == ["map", "string"]
    )
    yield "provider exec is a block with api_version and command required", lambda: (
        flags(s.attr("provider.exec.api_version")) == "required" and flags(s.attr("provider.exec.command")) == "required"
    )


CHECKS = {"aws": ("schema.json.gz", checks), "helm": ("helm-schema.json.gz", helm_checks), "kubernetes": ("kubernetes-schema.json.gz", kubernetes_checks)}


def main(argv: list[str]) -> int:
    provider = "aws"
    if argv[:1] == ["--provider"] and len(argv) >= 2:
        provider, argv = argv[1], argv[2:]
    default, facts = CHECKS[provider]
    path = Path(argv[0]) if argv else HERE / default
    raw = json.loads(gzip.decompress(path.read_bytes()))
    s = Schema(raw)
    passed = failed = 0
    for desc, fact in facts(s):
        try:
            ok = bool(fact())
        except (KeyError, IndexError, TypeError) as e:
            ok = False
            desc = f"{desc} (missing: {e!r})"
        print(f"{'ok  ' if ok else 'FAIL'} {desc}")
        passed += ok
        failed += not ok
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
