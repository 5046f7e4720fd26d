#!/usr/bin/env bash
# Builds the provider for every platform a release ships and packages them (tools/release.py).
#
#   tools/release_build.sh VERSION [GPG_KEY]
#
# Registry zips (what `terraform init` installs): static musl builds for linux_amd64 and
# linux_arm64, so they run on any Linux (Alpine, distroless, old glibc). Beside them, under
# glibc/, builds against glibc 2.17 for those who want the system's libc. darwin_amd64 and
# darwin_arm64 when RELEASE_DARWIN=1 and SDKROOT names a macOS SDK (README "Platforms": the link
# needs its Security and CoreFoundation frameworks, which no registry this project reaches ships).
#
# Cross builds use cargo-zigbuild (crates.io) with Zig from PyPI (`ziglang`) as the C compiler
# and linker, and the Rust standard library of each target from rustup; everything is
# installed inside the clone (.tmp/). Each binary's architecture and linkage is checked by
# release.py; the arm64 build's --version runs under qemu-user (Debian qemu-user-static,
# unpacked into .tmp/qemu) when apt-get can fetch it.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
VERSION=${1:?usage: tools/release_build.sh VERSION [GPG_KEY]}
GPG_KEY=${2:-}
CARGO=${CARGO:-cargo}
ZIGBUILD_VERSION=0.24.1
ZIG_VERSION=0.17.1
TMP=$ROOT/.tmp

# Toolchain, inside the clone.
if [[ ! -x $TMP/cargo-zigbuild/bin/cargo-zigbuild ]]; then
  $CARGO install --quiet --locked cargo-zigbuild --version "$ZIGBUILD_VERSION" --root "$TMP/cargo-zigbuild"
fi
if ! "$TMP/zig/bin/python3" -m ziglang version 2>/dev/null | grep -qx "${ZIG_VERSION%%.post*}"; then
  python3 -m venv "$TMP/zig"
  "$TMP/zig/bin/pip" install --quiet --disable-pip-version-check "ziglang==$ZIG_VERSION"
fi
# cargo-zigbuild runs Zig as `python3 -m ziglang` when no `zig` is on PATH: the venv's python3.
export PATH="$TMP/cargo-zigbuild/bin:$TMP/zig/bin:$PATH"

targets=(x86_64-unknown-linux-musl aarch64-unknown-linux-musl aarch64-unknown-linux-gnu)
if [[ ${RELEASE_DARWIN:-0} == 1 ]]; then targets+=(x86_64-apple-darwin aarch64-apple-darwin); fi
rustup target add "${targets[@]}" >/dev/null

commit=$(git rev-parse --short=12 HEAD)$(git diff --quiet HEAD -- . 2>/dev/null || echo -dirty)
export TRUSTCHAIN_GIT_COMMIT=$commit TRUSTCHAIN_RELEASE_VERSION=$VERSION
bin=terraform-provider-trustchain
out=${CARGO_TARGET_DIR:-target}

# glibc linux_amd64: the host toolchain. The rest: cargo-zigbuild (glibc 2.17 for arm64 gnu).
$CARGO build --release -p "$bin"
for t in "${targets[@]}"; do
  zt=$t
  [[ $t == aarch64-unknown-linux-gnu ]] && zt=$t.2.17
  cargo-zigbuild zigbuild --release -p "$bin" --target "$zt"
done

registry=(
  "linux_amd64=$out/x86_64-unknown-linux-musl/release/$bin"
  "linux_arm64=$out/aarch64-unknown-linux-musl/release/$bin"
)
if [[ ${RELEASE_DARWIN:-0} == 1 ]]; then
  registry+=("darwin_amd64=$out/x86_64-apple-darwin/release/$bin" "darwin_arm64=$out/aarch64-apple-darwin/release/$bin")
fi
glibc=(
  "--glibc" "linux_amd64=$out/release/$bin"
  "--glibc" "linux_arm64=$out/aarch64-unknown-linux-gnu/release/$bin"
)

# qemu-user for the arm64 smoke run, from Debian, unpacked (no root needed).
qemu=$TMP/qemu/usr/bin/qemu-aarch64-static
if [[ ! -x $qemu ]] && command -v apt-get >/dev/null; then
  (mkdir -p "$TMP/qemu-deb" && cd "$TMP/qemu-deb" && apt-get download qemu-user-static >/dev/null 2>&1 \
    && dpkg-deb -x qemu-user-static_*.deb "$TMP/qemu") || echo "qemu-user-static not available: the arm64 build is checked by its header only"
fi
run_args=()
[[ -x $qemu ]] && run_args=(--run "linux_arm64=$qemu")

python3 tools/release.py --version "$VERSION" --out "dist/$VERSION" ${GPG_KEY:+--gpg-key "$GPG_KEY"} \
  --expect-commit "$commit" "${run_args[@]}" "${glibc[@]}" "${registry[@]}"

# The registry's linux_amd64 zip, as a user gets it: installed by `terraform init` from a
# filesystem mirror, hashes locked, a provider function applied; the unpacked binary is
# static and names this version and commit (tests/tests/release.rs; needs `make tools build`,
# which `make release` runs first).
TRUSTCHAIN_RELEASE_DIST=$ROOT/dist/$VERSION TRUSTCHAIN_GIT_COMMIT=$commit \
  $CARGO test --quiet -p acceptance --test release -- --ignored --exact \
  the_released_static_linux_amd64_zip_installs_from_a_mirror_and_runs
