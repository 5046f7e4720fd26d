"""What machine a figure was measured on, and how busy it was."""

import os
import platform
import subprocess


def _first(path: str, key: str) -> str:
    try:
        with open(path) as f:
            for line in f:
                k, _, v = line.partition(":")
                if k.strip() == key:
                    return v.strip()
    except OSError:
        pass
    return "unknown"


def _os_name() -> str:
    try:
        with open("/etc/os-release") as f:
            for line in f:
                if line.startswith("PRETTY_NAME="):
                    return line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return platform.system()


def _cmd(args: list[str]) -> str:
    try:
        return subprocess.run(args, capture_output=True, text=True, timeout=60).stdout.strip().splitlines()[0]
    except (OSError, IndexError, subprocess.SubprocessError):
        return "unknown"


def loadavg() -> str:
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "unknown"


def describe(terraform: str | None = None) -> dict:
    mem_kib = _first("/proc/meminfo", "MemTotal").split()[0]
    d = {
        "cpu": _first("/proc/cpuinfo", "model name"),
        "cores": os.cpu_count(),
        "memory_gib": round(int(mem_kib) / (1 << 20), 1) if mem_kib.isdigit() else "unknown",
        "os": _os_name(),
        "kernel": platform.release(),
        "rustc": _cmd(["rustc", "--version"]),
        "python": platform.python_version(),
        "load_at_start": loadavg(),
    }
    if terraform:
        d["terraform"] = _cmd([terraform, "version"])
    return d
