#!/usr/bin/env python3
"""Derive the hashicorp/aws provider schema from the npm package @cdktn/provider-aws.

The hashicorp/aws provider binary cannot be downloaded here, but CDK Terrain publishes
bindings generated from its `terraform providers schema -json` output. This script fetches
one pinned version of that package with `npm pack` (into .tmp/npm/, checked against the
pinned integrity), reads the generated JavaScript and TypeScript declarations, and writes
the schema back in the shape `terraform providers schema -json` uses for one provider.

What the package carries, and where this script reads it (see README.md beside it):

* `lib/<name>/index.js` (and `index-structs/*.js` for large resources): one class per
  resource, data source, ephemeral resource and provider, with `static tfResourceType`;
  a comment `// <attr> - computed: X, optional: Y, required: Z` before every attribute;
  `synthesizeHclAttributes()` / `<struct>ToHclTerraform()` listing each settable
  attribute's value mapper (whose shape gives the type, and whether a list of objects is a
  block or an attribute), its collection kind (list, set, map, struct) and write-only
  marker; getters that give the types of computed-only attributes; one
  `<Struct>OutputReference` class per nested object carrying the same comments.
* `lib/<name>/index.d.ts`: doc comments on settable properties. The generator describes
  every block as "<name> block", which tells a single nested block from an object-typed
  attribute; other text is the schema's description.

Usage:
    derive_schema.py                 fetch if needed, derive, write tests/aws-schema/schema.json.gz
    derive_schema.py --check         derive and compare with the committed file (exit 1 if it differs)
    derive_schema.py --package DIR   use an already unpacked package directory (for debugging)
"""
from __future__ import annotations

import argparse
import base64
import gzip
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
from dataclasses import dataclass, field
from pathlib import Path

NPM_PACKAGE = "@cdktn/provider-aws"
NPM_VERSION = "25.7.0"
NPM_INTEGRITY = (
    "sha512-E/nhu0yVZE4mXMgIPuI8tEFt1BExLkA7ARjihdG+/HmfDfzLr+OEF3dkFRvI6glRt30lrrBWQLwXqCJBxcmyUg=="
)
AWS_PROVIDER_SOURCE = "registry.terraform.io/hashicorp/aws"
AWS_PROVIDER_VERSION = "6.66.0"
# Prefix of the CDK runtime in the generated code: `cdktn` (CDK Terrain) for aws, `cdktf`
# (the CDK for Terraform packages, which still carry helm and kubernetes) for the others.
CDK_NS = "cdktn"

# The other providers the generated modules use (modules/solidity/addons), derived the same
# way from the CDK for Terraform bindings: (npm package, version, integrity, provider
# source, provider version, output file). `--provider NAME` selects one.
OTHER_PROVIDERS = {
    "helm": (
        "@cdktf/provider-helm",
        "12.1.2",
        "sha512-QFLfD6e5djSiuw5o63JTaVjLTzUrcXW4rT6zdcvIHfjrqcUJT+Yc8cfhLTVVr5p+fRYrB90b6j8YogBEsLj+5A==",
        "registry.terraform.io/hashicorp/helm",
        "3.1.1",
        "helm-schema.json.gz",
    ),
    "kubernetes": (
        "@cdktf/provider-kubernetes",
        "12.1.1",
        "sha512-faZ/zydCsDBYwXqq3douhxSf8KFJfTUixYDr5hg0uCA8FExRK3+w27JUrt6gAVHFBuOVsKthObdqtTmP3PzQSQ==",
        "registry.terraform.io/hashicorp/kubernetes",
        "2.38.0",
        "kubernetes-schema.json.gz",
    ),
}
PROVIDER = "aws"


def select_provider(name: str) -> None:
    """Point the pinned-package globals at one of OTHER_PROVIDERS (aws is the default)."""
    global NPM_PACKAGE, NPM_VERSION, NPM_INTEGRITY, AWS_PROVIDER_SOURCE, AWS_PROVIDER_VERSION
    global CDK_NS, DEFAULT_OUT, PROVIDER
    if name == "aws":
        return
    pkg, ver, integrity, source, pver, out = OTHER_PROVIDERS[name]
    NPM_PACKAGE, NPM_VERSION, NPM_INTEGRITY = pkg, ver, integrity
    AWS_PROVIDER_SOURCE, AWS_PROVIDER_VERSION = source, pver
    CDK_NS, DEFAULT_OUT, PROVIDER = "cdktf", HERE / out, name


def read_generated(path: Path) -> str:
    """A generated file's text, in CDK Terrain's spelling: the CDK for Terraform packages
    write `cdktf.` where CDK Terrain writes `cdktn.`, and set `Class.tfResourceType = "x";`
    after the class instead of `static tfResourceType = "x";` inside it."""
    text = path.read_text()
    if CDK_NS == "cdktn":
        return text
    text = text.replace("cdktf.", "cdktn.")
    for m in re.finditer(r'^(\w+)\.tfResourceType = "([\w-]+)";$', text, re.M):
        text = re.sub(
            rf"^(class {m.group(1)} extends [\w.]+ \{{\n)",
            lambda c: c.group(1) + f'    static tfResourceType = "{m.group(2)}";\n',
            text,
            count=1,
            flags=re.M,
        )
    return text

# How many times one nested struct may appear on a path from the resource root. The CDK
# generator folds a recursive schema into a self-referencing type as soon as a nested
# struct repeats one of its ancestors (only aws_wafv2_web_acl_rule's statement in this
# version), so the depth at which the real provider stops is lost. hashicorp/aws writes
# its wafv2 statements with three levels of and/or/not nesting (four levels of
# `statement`); we unroll the cycle to that depth, and drop a block or object emptied by
# the cut so the innermost `statement` has no and/or/not blocks at all, as upstream.
RECURSION_DEPTH = 4

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
DEFAULT_OUT = HERE / "schema.json.gz"
NPM_DIR = ROOT / ".tmp" / "npm"


class DeriveError(Exception):
    """The package did not look the way this script expects."""


# --------------------------------------------------------------------------------------
# Fetching the package
# --------------------------------------------------------------------------------------


def tarball_path() -> Path:
    return NPM_DIR / f"{NPM_PACKAGE.lstrip('@').replace('/', '-')}-{NPM_VERSION}.tgz"


def check_integrity(path: Path) -> None:
    algo, _, expected = NPM_INTEGRITY.partition("-")
    digest = hashlib.new(algo)
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    actual = base64.b64encode(digest.digest()).decode()
    if actual != expected:
        raise DeriveError(f"{path}: integrity {algo}-{actual} does not match the pinned {NPM_INTEGRITY}")


def fetch_package() -> Path:
    """Return the unpacked package directory, fetching it with `npm pack` when absent."""
    unpacked = NPM_DIR / f"provider-{PROVIDER}-{NPM_VERSION}"
    stamp = unpacked / ".unpacked"
    if stamp.exists():
        return unpacked / "package"
    NPM_DIR.mkdir(parents=True, exist_ok=True)
    tgz = tarball_path()
    if not tgz.exists():
        npm = shutil.which("npm")
        if npm is None:
            raise DeriveError("npm is not on PATH; it is needed once to fetch the pinned package")
        print(f"fetching {NPM_PACKAGE}@{NPM_VERSION} with npm pack", file=sys.stderr)
        subprocess.run(
            [npm, "pack", f"{NPM_PACKAGE}@{NPM_VERSION}", "--pack-destination", str(NPM_DIR), "--silent"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    check_integrity(tgz)
    if unpacked.exists():
        shutil.rmtree(unpacked)
    with tarfile.open(tgz) as tar:
        members = [
            m
            for m in tar.getmembers()
            if m.isfile()
            and (m.name in ("package/package.json", "package/README.md") or m.name.startswith("package/lib/"))
            and (m.name.endswith(".js") or m.name.endswith(".d.ts") or not m.name.startswith("package/lib/"))
        ]
        if hasattr(tarfile, "data_filter"):  # Python >= 3.11.4: refuse links and absolute paths
            tar.extractall(unpacked, members=members, filter="data")
        else:
            tar.extractall(unpacked, members=members)
    stamp.touch()
    return unpacked / "package"


# --------------------------------------------------------------------------------------
# Reading the generated code
# --------------------------------------------------------------------------------------

FLAG_RE = re.compile(
    r"^    // (\S+) - computed: (true|false), optional: (true|false), required: (true|false)$", re.M
)
CLASS_RE = re.compile(r"^class (\w+) extends ([\w.]+) \{\n(.*?)^\}$", re.M | re.S)
HCL_FUNC_RE = re.compile(r"^function (\w+)ToHclTerraform\(struct\) \{\n(.*?)^\}$", re.M | re.S)
HCL_ENTRY_RE = re.compile(
    r'^ +"?([\w-]+)"?: \{\n\s+value: (.*),\n\s+isBlock: (true|false),\n'
    r'\s+type: "(\w+)",\n\s+storageClassType: "(\w+)",\n\s+\},?$',
    re.M,
)
TF_TYPE_RE = re.compile(r'^    static tfResourceType = "([\w-]+)";$', re.M)
STORED_RE = re.compile(r'^    _\w+ = new ([\w.]+)\(this, "([\w-]+)"(?:, (true|false))?\);$', re.M)
GETTER_RE = re.compile(r"^    get \w+\(\) \{\n\s+return (.*);$", re.M)
DTS_INTERFACE_RE = re.compile(r"^export interface (\w+)(?: extends [\w.]+)? \{\n(.*?)^\}$", re.M | re.S)
DTS_PROP_RE = re.compile(r"^    /\*\*\n(.*?)^    \*/\n    readonly (\w+)(\??): ", re.M | re.S)
DTS_CLASS_RE = re.compile(r"^export declare class (\w+) extends [\w.]+ \{\n(.*?)^\}$", re.M | re.S)
DTS_CONFIG_RE = re.compile(r"^    constructor\(scope: Construct, id: string, config\??: (\w+)\);$", re.M)
DOC_LINK_RE = re.compile(r"Docs at Terraform Registry: \{@link \S+#([\w-]+) \S+\}")

PRIMITIVE_MAPPERS = {"string": "string", "number": "number", "boolean": "bool"}


@dataclass
class Flags:
    computed: bool
    optional: bool
    required: bool


@dataclass
class HclEntry:
    value: str
    is_block: bool
    kind: str  # simple, list, set, map, struct


@dataclass
class Scope:
    """One resource class or one `<Struct>OutputReference` class, with what settles its attributes."""

    flags: dict[str, Flags] = field(default_factory=dict)  # ordered as generated
    sections: dict[str, str] = field(default_factory=dict)  # attribute -> its code in the class
    hcl: dict[str, HclEntry] = field(default_factory=dict)
    docs: dict[str, str] = field(default_factory=dict)  # attribute -> doc text (settable ones)
    optional_in_dts: dict[str, bool] = field(default_factory=dict)


@dataclass
class Module:
    """One directory under lib/: classes, struct HCL mappers and interface docs, by name."""

    name: str
    classes: dict[str, tuple[str, str]] = field(default_factory=dict)  # name -> (base, body)
    hcl_funcs: dict[str, dict[str, HclEntry]] = field(default_factory=dict)  # struct fn prefix -> entries
    interfaces: dict[str, tuple[dict[str, str], dict[str, bool]]] = field(default_factory=dict)
    config_of_class: dict[str, str] = field(default_factory=dict)
    scopes: dict[str, "Scope"] = field(default_factory=dict)  # struct -> Scope, built once


def parse_hcl_entries(text: str) -> dict[str, HclEntry]:
    out = {}
    for m in HCL_ENTRY_RE.finditer(text):
        out[m.group(1)] = HclEntry(m.group(2), m.group(3) == "true", m.group(4))
    return out


def parse_doc(raw: str) -> tuple[str | None, str]:
    """Return (terraform name, description) from a d.ts doc comment body."""
    lines = [re.sub(r"^    \* ?", "", line) for line in raw.split("\n")]
    text = "\n".join(lines)
    link = DOC_LINK_RE.search(text)
    name = link.group(1) if link else None
    desc = text.split("Docs at Terraform Registry:")[0].strip().replace("*\\/", "*/")
    return name, desc


def load_module(directory: Path) -> Module:
    mod = Module(directory.name)
    js_files = sorted(directory.rglob("*.js"))
    dts_files = sorted(directory.rglob("*.d.ts"))
    for path in js_files:
        text = read_generated(path)
        for m in CLASS_RE.finditer(text):
            if m.group(1) in mod.classes:
                raise DeriveError(f"{path}: class {m.group(1)} defined twice")
            mod.classes[m.group(1)] = (m.group(2), m.group(3))
        for m in HCL_FUNC_RE.finditer(text):
            mod.hcl_funcs[m.group(1)] = parse_hcl_entries(m.group(2))
    for path in dts_files:
        text = read_generated(path)
        for m in DTS_INTERFACE_RE.finditer(text):
            docs: dict[str, str] = {}
            optional: dict[str, bool] = {}
            for p in DTS_PROP_RE.finditer(m.group(2)):
                name, desc = parse_doc(p.group(1))
                if name is None:
                    continue
                docs[name] = desc
                optional[name] = p.group(3) == "?"
            mod.interfaces[m.group(1)] = (docs, optional)
        for m in DTS_CLASS_RE.finditer(text):
            c = DTS_CONFIG_RE.search(m.group(2))
            if c:
                mod.config_of_class[m.group(1)] = c.group(1)
    return mod


def class_scope(body: str) -> tuple[dict[str, Flags], dict[str, str]]:
    flags: dict[str, Flags] = {}
    sections: dict[str, str] = {}
    marks = list(FLAG_RE.finditer(body))
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(body)
        name = m.group(1)
        flags[name] = Flags(m.group(2) == "true", m.group(3) == "true", m.group(4) == "true")
        sections[name] = body[m.end() : end]
    return flags, sections


def check_scope(scope: Scope, what: str) -> None:
    if CDK_NS == "cdktf":
        # The CDK for Terraform generator comments only complex attributes; a simple
        # settable one is required or optional as its config declaration says (`?`), and
        # taken as not computed.
        for name in scope.hcl:
            if name not in scope.flags and name in scope.optional_in_dts:
                opt = scope.optional_in_dts[name]
                scope.flags[name] = Flags(False, opt, not opt)
    extra = set(scope.hcl) - set(scope.flags)
    if extra:
        raise DeriveError(f"{what}: settable attributes without flags: {sorted(extra)}")


def downcase_first(name: str) -> str:
    return name[:1].lower() + name[1:]


def strip_module_prefix(expr: str) -> str:
    # Cross-file references in split modules: `index_1.fooToHclTerraform`, `(0, structs0_1.foo...)`.
    expr = re.sub(r"\(0, (?:\w+_\d+\.)?(\w+ToHclTerraform)\)", r"\1", expr)
    return re.sub(r"\b\w+_\d+\.(\w+ToHclTerraform)", r"\1", expr)


# --------------------------------------------------------------------------------------
# Building the schema
# --------------------------------------------------------------------------------------


class Builder:
    def __init__(self, mod: Module, root_name: str, report: dict):
        self.mod = mod
        self.root = root_name
        self.report = report

    # -- scopes -----------------------------------------------------------------------

    def struct_scope(self, struct: str) -> Scope:
        """Everything known about nested struct `struct` (its OutputReference class, HCL mapper, docs)."""
        if struct in self.mod.scopes:
            return self.mod.scopes[struct]
        scope = Scope()
        cls = self.mod.classes.get(f"{struct}OutputReference")
        if cls is not None:
            scope.flags, scope.sections = class_scope(cls[1])
        scope.hcl = self.mod.hcl_funcs.get(downcase_first(struct), {})
        scope.docs, scope.optional_in_dts = self.mod.interfaces.get(struct, ({}, {}))
        if cls is None:
            # Provider structs have no OutputReference class: the declaration says optional or not.
            self.note("struct_flags_from_declaration", struct)
            for name in scope.hcl:
                opt = scope.optional_in_dts.get(name, True)
                scope.flags[name] = Flags(False, opt, not opt)
        check_scope(scope, struct)
        self.mod.scopes[struct] = scope
        return scope

    def note(self, key: str, path: str) -> None:
        self.report.setdefault(key, []).append(path)

    # -- types ------------------------------------------------------------------------

    def parse_mapper(self, expr: str):
        """Turn a value mapper expression into a small tree: ('prim', t) | ('list', elem, is_block)
        | ('map', elem) | ('struct', name) | ('any',)."""
        expr = strip_module_prefix(expr.strip())
        expr = re.sub(r"^struct\.\w+ === undefined \? null : ", "", expr)
        m = re.fullmatch(r"this\.markWriteOnlyAttribute\((.*)\)", expr)
        if m:
            return ("writeonly", self.parse_mapper(m.group(1)))
        m = re.fullmatch(r"(.*)\((?:this\._\w+(?:\.internalValue)?|struct\.\w+)\)", expr)
        if m:
            expr = m.group(1)
        return self._mapper_fn(expr)

    def _mapper_fn(self, expr: str):
        m = re.fullmatch(r"cdktn\.(string|number|boolean)ToHclTerraform", expr)
        if m:
            return ("prim", PRIMITIVE_MAPPERS[m.group(1)])
        if expr == "cdktn.anyToHclTerraform":
            return ("any",)
        m = re.fullmatch(r"cdktn\.listMapperHcl\((.*), (true|false)\)", expr)
        if m:
            return ("list", self._mapper_fn(m.group(1)), m.group(2) == "true")
        m = re.fullmatch(r"cdktn\.hashMapperHcl\((.*)\)", expr)
        if m:
            return ("map", self._mapper_fn(m.group(1)))
        m = re.fullmatch(r"(\w+)ToHclTerraform", expr)
        if m:
            return ("struct", m.group(1)[:1].upper() + m.group(1)[1:])
        raise DeriveError(f"{self.root}: unknown value mapper {expr!r}")

    def tree_to_type(self, tree, outer: str | None, path: str, stack: tuple[str, ...]):
        """A Terraform JSON type constraint for a mapper tree; `outer` is list/set from the HCL entry."""
        tag = tree[0]
        if tag == "prim":
            return tree[1]
        if tag == "list":
            kind = outer if outer in ("list", "set") else "list"
            return [kind, self.tree_to_type(tree[1], None, path, stack)]
        if tag == "map":
            if tree[1] == ("any",):
                return "dynamic"
            return ["map", self.tree_to_type(tree[1], None, path, stack)]
        if tag == "struct":
            return self.object_type(tree[1], path, stack)
        if tag == "any":
            self.note("skipped_by_cdk_as_dynamic", path)
            return "dynamic"
        raise DeriveError(f"{path}: cannot type {tree!r}")

    def object_type(self, struct: str, path: str, stack: tuple[str, ...]):
        if stack.count(struct) >= RECURSION_DEPTH:
            return None
        stack = stack + (struct,)
        scope = self.struct_scope(struct)
        attrs = {}
        cut = False
        names = list(scope.flags) or list(scope.hcl)
        for name in names:
            t = self.attr_type(scope, name, f"{path}.{name}", stack)
            if t is None:
                cut = True
                continue
            attrs[name] = t
        if cut and not attrs:
            return None
        return ["object", attrs]

    def attr_type(self, scope: Scope, name: str, path: str, stack: tuple[str, ...]):
        entry = scope.hcl.get(name)
        if entry is not None:
            tree = self.parse_mapper(entry.value)
            if tree[0] == "writeonly":
                tree = tree[1]
            return self.tree_to_type(tree, entry.kind, path, stack)
        return self.computed_type(scope.sections.get(name, ""), name, path, stack)

    def computed_type(self, section: str, name: str, path: str, stack: tuple[str, ...]):
        """Type of an attribute that is not settable, from its getter or stored class."""
        m = STORED_RE.search(section)
        if m and m.group(2) == name:
            cls, is_set = m.group(1), m.group(3)
            simple_maps = {"cdktn.StringMap": "string", "cdktn.NumberMap": "number", "cdktn.BooleanMap": "bool"}
            if cls in simple_maps:
                return ["map", simple_maps[cls]]
            cls = cls.split(".")[-1]
            for suffix, wrap in (("List", "seq"), ("Map", "map"), ("OutputReference", "one")):
                if cls.endswith(suffix):
                    inner = self.object_type(cls[: -len(suffix)], path, stack)
                    if inner is None:
                        return None
                    if wrap == "seq":
                        return ["set" if is_set == "true" else "list", inner]
                    if wrap == "map":
                        return ["map", inner]
                    return inner
            raise DeriveError(f"{path}: unknown stored class {cls}")
        g = GETTER_RE.search(section)
        if not g:
            raise DeriveError(f"{path}: no getter")
        ret = re.sub(r"'[\w-]+'", "'_'", g.group(1))
        getters = {
            "this.getStringAttribute('_')": "string",
            "this.getNumberAttribute('_')": "number",
            "this.getBooleanAttribute('_')": "bool",
            "this.getListAttribute('_')": ["list", "string"],
            "this.getNumberListAttribute('_')": ["list", "number"],
            "cdktn.Fn.tolist(this.getListAttribute('_'))": ["set", "string"],
            "cdktn.Token.asNumberList(cdktn.Fn.tolist(this.getNumberListAttribute('_')))": ["set", "number"],
            "this.getStringMapAttribute('_')": ["map", "string"],
            "this.getNumberMapAttribute('_')": ["map", "number"],
            "this.getBooleanMapAttribute('_')": ["map", "bool"],
            "this.getAnyMapAttribute('_')": "dynamic",
        }
        if ret in getters:
            return getters[ret]
        if "interpolationForAttribute" in ret:
            self.note("computed_type_unknown_as_dynamic", path)
            return "dynamic"
        raise DeriveError(f"{path}: unknown getter {g.group(1)!r}")

    # -- blocks -----------------------------------------------------------------------

    def block(self, scope: Scope, path: str, stack: tuple[str, ...]) -> dict | None:
        """The block for `scope`; None when recursion cuts left nothing in it."""
        attributes: dict = {}
        block_types: dict = {}
        cut = False
        names = list(scope.flags) or list(scope.hcl)
        for name in names:
            fl = scope.flags.get(name) or Flags(False, True, False)
            sub = f"{path}.{name}"
            entry = scope.hcl.get(name)
            is_block_doc = scope.docs.get(name) == f"{name} block"
            if entry is not None:
                tree = self.parse_mapper(entry.value)
                write_only = tree[0] == "writeonly"
                if write_only:
                    tree = tree[1]
                nested = self.nested_block(tree, entry, fl, is_block_doc, sub, stack)
                if nested is not False:
                    if nested is None:
                        cut = True
                        self.note("recursion_cut", self.root)
                    else:
                        block_types[name] = nested
                    continue
                nested_attr = self.nested_attribute(tree, entry.kind, sub, stack) if CDK_NS == "cdktf" else None
                if nested_attr is not None:
                    attr = {"nested_type": nested_attr, "description_kind": "plain"}
                    if scope.docs.get(name):
                        attr["description"] = scope.docs[name]
                    for flag in ("required", "optional", "computed"):
                        if getattr(fl, flag):
                            attr[flag] = True
                    attributes[name] = attr
                    continue
                t = self.tree_to_type(tree, entry.kind, sub, stack)
                self.check_object_children(tree, fl, sub)
            else:
                write_only = False
                t = self.computed_type(scope.sections.get(name, ""), name, sub, stack)
            if t is None:
                cut = True
                self.note("recursion_cut", self.root)
                continue
            attr: dict = {"type": t, "description_kind": "plain"}
            desc = scope.docs.get(name)
            if desc:
                attr["description"] = desc
            if fl.required:
                attr["required"] = True
            if fl.optional:
                attr["optional"] = True
            if fl.computed:
                attr["computed"] = True
            if not (fl.required or fl.optional or fl.computed):
                raise DeriveError(f"{sub}: attribute is neither required, optional nor computed")
            if write_only:
                attr["write_only"] = True
            attributes[name] = attr
        if cut and not attributes and not block_types:
            return None
        out: dict = {"description_kind": "plain"}
        if attributes:
            out["attributes"] = attributes
        if block_types:
            out["block_types"] = block_types
        return out

    def nested_block(self, tree, entry: HclEntry, fl: Flags, is_block_doc: bool, path: str, stack):
        """A block_types entry when the mapper describes a nested block, None if recursion was cut,
        False when it is an attribute."""
        struct = None
        mode = None
        max_items = None
        if tree[0] == "struct":
            struct = tree[1]
            if entry.kind in ("list", "set"):
                # Only blocks become single-item lists in the generator (max_items == 1).
                mode, max_items = entry.kind, 1
            elif entry.kind == "struct" and is_block_doc:
                mode = "single"
            else:
                return False
        elif tree[0] == "list" and tree[2] and tree[1][0] == "struct":
            struct, mode = tree[1][1], entry.kind
        elif tree[0] == "map" and tree[1][0] == "struct" and is_block_doc:
            struct, mode = tree[1][1], "map"
        elif tree[0] == "any" and is_block_doc:
            self.note("skipped_by_cdk_block", path)
            return False
        else:
            return False
        if mode not in ("list", "set", "single", "map"):
            raise DeriveError(f"{path}: unexpected nesting {entry.kind}")
        if stack.count(struct) >= RECURSION_DEPTH:
            return None
        inner = self.block(self.struct_scope(struct), path, stack + (struct,))
        if inner is None:
            return None
        bt: dict = {"nesting_mode": mode, "block": inner}
        if mode in ("list", "set"):
            if fl.required:
                bt["min_items"] = 1
            if max_items:
                bt["max_items"] = max_items
        return bt

    def nested_attribute(self, tree, kind: str, path: str, stack):
        """hashicorp/helm 3 and hashicorp/kubernetes are (partly) plugin framework providers
        serving protocol 6, whose object attributes are nested attributes with flags of their
        own (helm's `kubernetes`, `set`): a `nested_type` when the mapper is a struct, a list
        or set of structs, or a map of structs; None otherwise."""
        if tree[0] == "struct":
            struct, mode = tree[1], "single"
        elif tree[0] == "list" and tree[1][0] == "struct":
            struct, mode = tree[1][1], ("set" if kind == "set" else "list")
        elif tree[0] == "map" and tree[1][0] == "struct":
            struct, mode = tree[1][1], "map"
        else:
            return None
        inner = self.block(self.struct_scope(struct), path, stack + (struct,)) or {}
        if inner.get("block_types"):
            raise DeriveError(f"{path}: a nested attribute with blocks inside")
        self.note("nested_attribute", path)
        return {"nesting_mode": mode, "attributes": inner.get("attributes", {})}

    def check_object_children(self, tree, fl: Flags, path: str) -> None:
        """hashicorp/aws serves protocol 5, which has no nested attribute types: children of an
        object-typed attribute inherit the parent's flags in the generated code. Anything else would
        mean a nested_type we do not model."""
        while tree[0] in ("list", "map"):
            tree = tree[1]
        if tree[0] != "struct":
            return
        scope = self.struct_scope(tree[1])
        for name, child in scope.flags.items():
            if (child.optional, child.required) != (fl.optional, fl.required) or (fl.computed and not child.computed):
                self.note("object_child_flags_differ", f"{path}.{name}")


# --------------------------------------------------------------------------------------
# Whole provider
# --------------------------------------------------------------------------------------

# The CDK generator replaces a few very large nested blocks with an untyped `any` (its
# list of skipped attributes): the statement trees of aws_wafv2_web_acl and
# aws_wafv2_rule_group, and QuickSight `definition`s. The same wafv2 statement tree is in
# the package, typed, under aws_wafv2_web_acl_rule (the same API shape in the same
# provider version), so we graft it in, with the nesting upstream declares for these two
# resources (a required list of at most one). Rule groups cannot hold managed rule group or
# rule group reference statements, at any level. QuickSight stays `dynamic` (see notes).
GRAFTS = [
    {
        "target": ("resource_schemas", "aws_wafv2_web_acl", ("rule",), "statement"),
        "source": ("resource_schemas", "aws_wafv2_web_acl_rule", (), "statement"),
        "min_items": 1,
        "max_items": 1,
        "drop": (),
    },
    {
        "target": ("resource_schemas", "aws_wafv2_rule_group", ("rule",), "statement"),
        "source": ("resource_schemas", "aws_wafv2_web_acl_rule", (), "statement"),
        "min_items": 1,
        "max_items": 1,
        "drop": ("managed_rule_group_statement", "rule_group_reference_statement"),
    },
]


def block_at(schema: dict, kind: str, name: str, path: tuple[str, ...]) -> dict:
    block = schema[kind][name]["block"]
    for step in path:
        block = block["block_types"][step]["block"]
    return block


def drop_nested(block: dict, names: tuple[str, ...]) -> None:
    types = block.get("block_types", {})
    for n in names:
        types.pop(n, None)
    for bt in types.values():
        drop_nested(bt["block"], names)


def apply_grafts(schema: dict, report: dict) -> None:
    for g in GRAFTS:
        kind, name, path, attr = g["target"]
        target = block_at(schema, kind, name, path)
        placeholder = target.get("attributes", {}).get(attr)
        if placeholder is None or placeholder.get("type") != "dynamic":
            raise DeriveError(f"{name}.{'.'.join(path)}.{attr}: no longer an untyped placeholder; drop its graft")
        skind, sname, spath, sattr = g["source"]
        source = block_at(schema, skind, sname, spath)["block_types"][sattr]
        grafted = json.loads(json.dumps(source))
        drop_nested(grafted["block"], g["drop"])
        grafted["min_items"] = g["min_items"]
        grafted["max_items"] = g["max_items"]
        del target["attributes"][attr]
        if not target["attributes"]:
            del target["attributes"]
        target.setdefault("block_types", {})[attr] = grafted
        full = ".".join((name,) + path + (attr,))
        report["grafted"].append(f"{full} <- {sname}.{'.'.join(spath + (sattr,))}")
        for key in ("skipped_by_cdk_as_dynamic", "skipped_by_cdk_block"):
            report[key].remove(full)


FUNCTION_RE = re.compile(
    r"^    /\*\*\n((?:    \*.*\n)+?)    \*/\n    \w+\([^)]*\) \{\n"
    r"        return .*?invoke\(this\.providerLocalName, \"(\w+)\", \[",
    re.M,
)
FUNCTION_TYPES = {"string": "string", "number": "number", "boolean": "bool"}


def snake_case(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def derive_functions(package: Path, report: dict) -> dict:
    """Provider-defined functions, from the JSDoc of lib/provider-functions/index.js."""
    path = package / "lib" / "provider-functions" / "index.js"
    functions: dict = {}
    for m in FUNCTION_RE.finditer(path.read_text()):
        doc = [re.sub(r"^    \* ?", "", line) for line in m.group(1).splitlines()]
        summary = " ".join(line for line in doc if not line.startswith("@")).strip()
        params = []
        ret = None
        for line in doc:
            pm = re.fullmatch(r"@param \{(\w+)\} (\w+) - (.*)", line)
            rm = re.fullmatch(r"@returns \{(\w+)\}", line)
            if pm:
                params.append(
                    {
                        "name": snake_case(pm.group(2)),
                        "type": function_type(pm.group(1), report, m.group(2)),
                        "description": pm.group(3),
                        "description_kind": "plain",
                    }
                )
            elif rm:
                ret = function_type(rm.group(1), report, m.group(2))
        if ret is None:
            raise DeriveError(f"{path}: function {m.group(2)} has no @returns")
        functions[m.group(2)] = {
            "summary": summary,
            "description": summary,
            "description_kind": "plain",
            "parameters": params,
            "return_type": ret,
        }
    if not functions:
        raise DeriveError(f"{path}: no provider functions found")
    return functions


def function_type(js: str, report: dict, fn: str):
    if js in FUNCTION_TYPES:
        return FUNCTION_TYPES[js]
    if js == "object":
        # The JSDoc says only "object"; its attributes are not in the package.
        report.setdefault("function_object_as_dynamic", []).append(f"provider::aws::{fn}")
        return "dynamic"
    raise DeriveError(f"provider function {fn}: unknown JSDoc type {js!r}")


KIND_OF_BASE = {
    "cdktn.TerraformResource": "resource_schemas",
    "cdktn.TerraformDataSource": "data_source_schemas",
    "cdktn.TerraformEphemeralResource": "ephemeral_resource_schemas",
    "cdktn.TerraformProvider": "provider",
}


def derive(package: Path) -> dict:
    meta = json.loads((package / "package.json").read_text())
    if meta.get("version") != NPM_VERSION:
        raise DeriveError(f"{package}: version {meta.get('version')} is not the pinned {NPM_VERSION}")
    provider_meta = meta.get(CDK_NS, {}).get("provider", {})
    if provider_meta != {"name": AWS_PROVIDER_SOURCE, "version": AWS_PROVIDER_VERSION}:
        raise DeriveError(f"{package}: generated from {provider_meta}, expected {AWS_PROVIDER_SOURCE} {AWS_PROVIDER_VERSION}")

    schema: dict = {
        "provider": None,
        "resource_schemas": {},
        "data_source_schemas": {},
        "ephemeral_resource_schemas": {},
    }
    report: dict = {}
    for directory in sorted(p for p in (package / "lib").iterdir() if p.is_dir()):
        mod = load_module(directory)
        for cls_name, (base, body) in mod.classes.items():
            kind = KIND_OF_BASE.get(base)
            if kind is None:
                continue
            tf = TF_TYPE_RE.search(body)
            if not tf:
                raise DeriveError(f"{directory}: class {cls_name} has no tfResourceType")
            tf_name = tf.group(1)
            display = {"data_source_schemas": "data.", "ephemeral_resource_schemas": "ephemeral."}.get(kind, "")
            builder = Builder(mod, display + tf_name, report)
            scope = Scope()
            scope.flags, scope.sections = class_scope(body)
            hcl = re.search(r"^    synthesizeHclAttributes\(\) \{\n(.*?)^    \}$", body, re.M | re.S)
            if not hcl:
                raise DeriveError(f"{directory}: class {cls_name} has no synthesizeHclAttributes")
            scope.hcl = parse_hcl_entries(hcl.group(1))
            config = mod.config_of_class.get(cls_name)
            if config is None:
                raise DeriveError(f"{directory}: no config interface for {cls_name}")
            scope.docs, scope.optional_in_dts = mod.interfaces.get(config, ({}, {}))
            check_scope(scope, tf_name)
            if kind == "provider":
                # The generator adds `alias` to the provider; it is a meta-argument, not schema.
                for d in (scope.flags, scope.sections, scope.hcl, scope.docs):
                    d.pop("alias", None)
                schema["provider"] = {"version": 0, "block": builder.block(scope, "provider", ())}
                continue
            if tf_name in schema[kind]:
                raise DeriveError(f"{tf_name} defined twice in {kind}")
            schema[kind][tf_name] = {"version": 0, "block": builder.block(scope, display + tf_name, ())}
    if schema["provider"] is None:
        raise DeriveError("no provider class found")
    if PROVIDER == "aws":
        report.setdefault("grafted", [])
        apply_grafts(schema, report)
        schema["functions"] = derive_functions(package, report)
    else:
        # hashicorp/helm and hashicorp/kubernetes serve no provider functions the modules use.
        schema["functions"] = {}

    notes = {k: sorted(set(v)) for k, v in sorted(report.items())}
    schema["//"] = {
        "what": f"{AWS_PROVIDER_SOURCE.removeprefix('registry.terraform.io/')} provider schema derived from the "
        + ("CDK Terrain bindings; " if CDK_NS == "cdktn" else "CDK for Terraform bindings; ")
        + "shape of one provider in `terraform providers schema -json`",
        "made_by": "tests/aws-schema/derive_schema.py" + ("" if PROVIDER == "aws" else f" --provider {PROVIDER}") + " (make aws-schema)",
        "npm_package": f"{NPM_PACKAGE}@{NPM_VERSION}",
        "npm_integrity": NPM_INTEGRITY,
        "provider_source": AWS_PROVIDER_SOURCE,
        "provider_version": AWS_PROVIDER_VERSION,
        "recursion_depth": RECURSION_DEPTH,
        "not_in_source": [
            "schema versions (all 0)",
            "sensitive and deprecated flags",
            "min_items/max_items beyond required (min 1) and single-item blocks (max 1)",
            "block descriptions",
            "list vs set for collections nested inside collections (taken as list)",
            "object return types of provider functions (dynamic)",
        ],
        "notes": notes,
    }
    return schema


def dump(schema: dict) -> bytes:
    text = json.dumps(schema, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n"
    return text.encode()


def gzip_bytes(data: bytes) -> bytes:
    buf = io.BytesIO()
    # mtime=0 and no file name, like `gzip -n`: the output depends on the content only.
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as f:
        f.write(data)
    return buf.getvalue()


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--package", type=Path, help="an unpacked package directory (default: fetch the pinned one)")
    ap.add_argument("--provider", choices=["aws", *OTHER_PROVIDERS], default="aws")
    ap.add_argument("--out", type=Path)
    ap.add_argument("--check", action="store_true", help="compare with --out instead of writing it")
    ap.add_argument("--json", type=Path, help="also write the uncompressed JSON here")
    args = ap.parse_args(argv)
    select_provider(args.provider)
    if args.out is None:
        args.out = DEFAULT_OUT
    try:
        package = args.package or fetch_package()
        schema = derive(package)
    except (DeriveError, subprocess.CalledProcessError) as e:
        print(f"derive_schema: {e}", file=sys.stderr)
        return 1
    data = dump(schema)
    counts = {k: len(schema[k]) for k in ("resource_schemas", "data_source_schemas", "ephemeral_resource_schemas")}
    if args.json:
        args.json.write_bytes(data)
    if args.check:
        committed = gzip.decompress(args.out.read_bytes())
        if committed != data:
            print(f"derive_schema: {args.out} differs from a fresh derivation; run `make aws-schema`", file=sys.stderr)
            return 1
        print(f"{args.out}: up to date ({counts})")
        return 0
    packed = gzip_bytes(data)
    tmp = args.out.with_suffix(".tmp")
    tmp.write_bytes(packed)
    os.replace(tmp, args.out)
    print(f"{args.out}: {counts}, {len(data)} bytes JSON, {len(packed)} bytes gzip")
    for key, paths in schema["//"]["notes"].items():
        print(f"  {key}: {len(paths)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
