#!/usr/bin/env python3
"""Packages provider binaries in the Terraform Registry's release layout.

    release.py --version 0.1.0 --out dist/0.1.0 linux_amd64=target/release/terraform-provider-trustchain

writes, for each OS_ARCH=BINARY given:
    terraform-provider-trustchain_0.1.0_OS_ARCH.zip   (holding terraform-provider-trustchain_v0.1.0)
and once:
    terraform-provider-trustchain_0.1.0_manifest.json  ({"version":1,"metadata":{"protocol_versions":["6.0"]}})
    terraform-provider-trustchain_0.1.0_SHA256SUMS     (sha256 of every zip and the manifest)
    terraform-provider-trustchain_0.1.0_SHA256SUMS.sig (binary detached GPG signature, when
                                                        --gpg-key KEY is given)

Zips are byte-identical for the same binary: fixed timestamps, fixed permissions, sorted order.
Only the Python standard library (and gpg for signing) is needed.
"""

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile

NAME = "terraform-provider-trustchain"
# A fixed timestamp keeps zips reproducible (zip cannot store times before 1980).
ZIP_TIME = (2020, 1, 1, 0, 0, 0)


def sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def package(version: str, platform: str, binary: str, out: str) -> str:
    zip_name = f"{NAME}_{version}_{platform}.zip"
    info = zipfile.ZipInfo(f"{NAME}_v{version}", date_time=ZIP_TIME)
    info.external_attr = (0o100755 & 0xFFFF) << 16  # regular file, rwxr-xr-x
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3  # unix, so the mode bits are honoured
    with open(binary, "rb") as f:
        data = f.read()
    with zipfile.ZipFile(os.path.join(out, zip_name), "w") as z:
        z.writestr(info, data, compresslevel=9)
    return zip_name


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--version", required=True, help="release version, e.g. 0.1.0 (no leading v)")
    p.add_argument("--out", required=True, help="directory for the artifacts (created; emptied first)")
    p.add_argument("--gpg-key", help="GPG key id or fingerprint to sign SHA256SUMS with")
    p.add_argument("binaries", nargs="+", metavar="OS_ARCH=BINARY")
    a = p.parse_args()
    if not re.fullmatch(r"\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?", a.version):
        print(f"release.py: {a.version!r} is not a version like 0.1.0 (no leading v)", file=sys.stderr)
        return 2
    platforms = {}
    for spec in a.binaries:
        platform, sep, binary = spec.partition("=")
        if not sep or not re.fullmatch(r"[a-z0-9]+_[a-z0-9]+", platform):
            print(f"release.py: {spec!r} is not OS_ARCH=BINARY (e.g. linux_amd64=target/release/{NAME})", file=sys.stderr)
            return 2
        if not os.path.isfile(binary):
            print(f"release.py: {binary}: no such binary (build it first)", file=sys.stderr)
            return 2
        platforms[platform] = binary
    shutil.rmtree(a.out, ignore_errors=True)
    os.makedirs(a.out)
    files = [package(a.version, plat, platforms[plat], a.out) for plat in sorted(platforms)]
    manifest = f"{NAME}_{a.version}_manifest.json"
    with open(os.path.join(a.out, manifest), "w") as f:
        json.dump({"version": 1, "metadata": {"protocol_versions": ["6.0"]}}, f, indent=2)
        f.write("\n")
    files.append(manifest)
    sums = f"{NAME}_{a.version}_SHA256SUMS"
    with open(os.path.join(a.out, sums), "w") as f:
        for name in sorted(files):
            f.write(f"{sha256(os.path.join(a.out, name))}  {name}\n")
    if a.gpg_key:
        if shutil.which("gpg") is None:
            print("release.py: --gpg-key given but gpg is not installed", file=sys.stderr)
            return 2
        subprocess.run(
            ["gpg", "--batch", "--yes", "--local-user", a.gpg_key, "--output",
             os.path.join(a.out, sums + ".sig"), "--detach-sign", os.path.join(a.out, sums)],
            check=True,
        )
    for name in sorted(os.listdir(a.out)):
        print(f"{os.path.join(a.out, name)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
