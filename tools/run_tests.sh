#!/usr/bin/env bash
# The one place that chooses the test runner: cargo-nextest when installed (parallel,
# per-test timeouts, the summary make test prints), else plain `cargo test`. Every make
# target that runs tests goes through here.
#
#   tools/run_tests.sh build                      every test binary and the provider binaries
#   tools/run_tests.sh run [--no-capture] ARGS... ARGS are cargo's: -p, --test, --workspace,
#                                                 --no-fail-fast
set -euo pipefail
CARGO=${CARGO:-cargo}
nextest=0
$CARGO nextest --version >/dev/null 2>&1 && nextest=1
cmd=${1:?usage: tools/run_tests.sh build | run [--no-capture] ARGS...}
shift
case $cmd in
  build)
    if ((nextest)); then exec $CARGO nextest run --workspace --no-run; fi
    exec $CARGO test --workspace --no-run
    ;;
  run)
    capture=0
    if [[ ${1:-} == --no-capture ]]; then capture=1; shift; fi
    if ((nextest)); then
      if ((capture)); then exec $CARGO nextest run "$@" --no-capture; fi
      exec $CARGO nextest run "$@"
    fi
    if ((capture)); then exec $CARGO test "$@" -- --nocapture; fi
    exec $CARGO test "$@"
    ;;
  *)
    echo "tools/run_tests.sh: unknown command $cmd (build | run)" >&2
    exit 2
    ;;
esac
