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

and, for each --glibc OS_ARCH=BINARY, glibc/terraform-provider-trustchain_0.1.0_OS_ARCH.zip (listed in
SHA256SUMS as glibc/...; not a registry artifact: the registry zips are the static builds).

Every binary is checked before it is packaged: its header must be for the platform's OS and
architecture (ELF e_machine, Mach-O cputype), a registry linux binary must be static (no ELF
interpreter), and with --run OS_ARCH=RUNNER (qemu-user) or on the host's own platform its
`--version` must name the version (and --expect-commit). A binary built for the wrong platform
never reaches a zip.

Zips are byte-identical for the same binary: fixed timestamps, fixed permissions, sorted order.
Only the Python standard library (and gpg for signing) is needed.
"""

import argparse
import hashlib
import json
import os
import re
import platform as host
import shutil
import struct
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


# ELF e_machine and Mach-O cputype of each architecture the release names.
ELF_MACHINE = {"amd64": 62, "arm64": 183}
MACHO_CPU = {"amd64": 0x01000007, "arm64": 0x0100000C}


def describe(binary: str) -> tuple[str, str, bool]:
    """(os, arch, static) read from the binary's header; raises ValueError if unknown."""
    with open(binary, "rb") as f:
        head = f.read(64)
        if head[:4] == b"\x7fELF":
            if head[4] != 2 or head[5] != 1:
                raise ValueError("not a 64-bit little-endian ELF file")
            (machine,) = struct.unpack_from("<H", head, 18)
            (phoff,) = struct.unpack_from("<Q", head, 32)
            phentsize, phnum = struct.unpack_from("<HH", head, 54)
            arch = next((a for a, m in ELF_MACHINE.items() if m == machine), f"e_machine {machine}")
            interp = False
            for i in range(phnum):
                f.seek(phoff + i * phentsize)
                (p_type,) = struct.unpack("<I", f.read(4))
                interp |= p_type == 3  # PT_INTERP: needs a dynamic loader (glibc)
            return "linux", arch, not interp
        if head[:4] == b"\xcf\xfa\xed\xfe":
            (cpu,) = struct.unpack_from("<I", head, 4)
            arch = next((a for a, c in MACHO_CPU.items() if c == cpu), f"cputype {cpu:#x}")
            return "darwin", arch, False
    raise ValueError("neither an ELF nor a 64-bit Mach-O executable")


def host_platform() -> str:
    arch = {"x86_64": "amd64", "aarch64": "arm64", "arm64": "arm64"}.get(host.machine(), host.machine())
    return f"{sys.platform}_{arch}"


def check(platform: str, binary: str, static: bool, version: str, runner: str | None, commit: str | None) -> str | None:
    """An error message when `binary` is not a `platform` build of `version`, else None."""
    want_os, want_arch = platform.split("_", 1)
    try:
        os_, arch, is_static = describe(binary)
    except ValueError as e:
        return f"{binary}: {e}"
    if (os_, arch) != (want_os, want_arch):
        return f"{binary} is a {os_}_{arch} binary, not {platform}: it was built for the wrong target"
    if static and os_ == "linux" and not is_static:
        return f"{binary} is dynamically linked (it names an ELF interpreter): a registry linux build must be static (musl)"
    cmd = [runner, binary] if runner else ([binary] if platform == host_platform() else None)
    if cmd is None:
        return None
    out = subprocess.run(cmd + ["--version"], capture_output=True, text=True, timeout=60)
    line = out.stdout.strip()
    if out.returncode != 0 or f" {version} " not in f"{line} ":
        return f"{binary} --version printed {line!r} (exit {out.returncode}), not version {version}"
    if commit and f"commit {commit}" not in line:
        return f"{binary} --version printed {line!r}, not commit {commit}"
    print(f"{platform}: {line}")
    return None


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
    p.add_argument("--glibc", action="append", default=[], metavar="OS_ARCH=BINARY",
                   help="a dynamically linked (glibc) build, packaged under glibc/")
    p.add_argument("--run", action="append", default=[], metavar="OS_ARCH=RUNNER",
                   help="run that platform's --version through RUNNER (e.g. qemu-aarch64-static)")
    p.add_argument("--expect-commit", help="the commit --version must name")
    p.add_argument("--dynamic-ok", action="store_true",
                   help="accept dynamically linked registry binaries (tests packaging a debug build)")
    p.add_argument("binaries", nargs="+", metavar="OS_ARCH=BINARY")
    a = p.parse_args()
    if not re.fullmatch(r"\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?", a.version):
        print(f"release.py: {a.version!r} is not a version like 0.1.0 (no leading v)", file=sys.stderr)
        return 2
    def pairs(specs: list[str], what: str) -> dict[str, str] | None:
        found = {}
        for spec in specs:
            platform, sep, path = spec.partition("=")
            if not sep or not re.fullmatch(r"(linux|darwin)_(amd64|arm64)", platform):
                print(f"release.py: {spec!r} is not OS_ARCH={what} with OS linux|darwin and ARCH amd64|arm64 "
                      f"(e.g. linux_amd64=target/release/{NAME})", file=sys.stderr)
                return None
            if not os.path.isfile(path):
                print(f"release.py: {path}: no such file (build it first)", file=sys.stderr)
                return None
            found[platform] = path
        return found

    platforms = pairs(a.binaries, "BINARY")
    glibc = pairs(a.glibc, "BINARY")
    runners = pairs(a.run, "RUNNER")
    if platforms is None or glibc is None or runners is None:
        return 2
    errors = [e for plat, b in sorted(platforms.items())
              if (e := check(plat, b, not a.dynamic_ok, a.version, runners.get(plat), a.expect_commit))]
    errors += [e for plat, b in sorted(glibc.items())
               if (e := check(plat, b, False, a.version, runners.get(plat), a.expect_commit))]
    if errors:
        for e in errors:
            print(f"release.py: {e}", file=sys.stderr)
        return 1
    shutil.rmtree(a.out, ignore_errors=True)
    os.makedirs(a.out)
    files = [package(a.version, plat, platforms[plat], a.out) for plat in sorted(platforms)]
    if glibc:
        os.makedirs(os.path.join(a.out, "glibc"))
        files += [os.path.join("glibc", package(a.version, plat, glibc[plat], os.path.join(a.out, "glibc")))
                  for plat in sorted(glibc)]
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
    for name in sorted(files + [sums] + ([sums + ".sig"] if a.gpg_key else [])):
        print(f"{os.path.join(a.out, name)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
