# shanglian — `make demo` and `make test` bootstrap whatever is missing (.venv, node_modules, the
# offline solc registration) and then do their job. Nothing here downloads a binary: Python
# packages come from PyPI, the compiler and local nodes from npm.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
SOLC_VERSION := $(shell sed -n 's/^ *version: *\([0-9.]*\)$$/\1/p' brownie-config.yaml)
SITE := $(VENV)/lib/python3.11/site-packages

export SOLCX_BINARY_PATH := $(CURDIR)/.solcx
export PATH := $(BIN):$(CURDIR)/node_modules/.bin:$(PATH)

.PHONY: setup demo test compile lint gas bench clean

setup: $(VENV)/.installed node_modules/.installed .solcx/solc-v$(SOLC_VERSION)

$(VENV)/.installed: requirements.lock pyproject.toml
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(VENV)/bin/pip install --quiet --disable-pip-version-check --no-deps -e .
	@# Any Python started from the venv (brownie included) finds the offline compiler and the
	@# npm-installed anvil without the Makefile's environment.
	printf 'import os; os.environ.setdefault("SOLCX_BINARY_PATH", "%s"); os.environ["PATH"] = "%s:" + os.environ.get("PATH", "")\n' \
		"$(CURDIR)/.solcx" "$(CURDIR)/node_modules/.bin" > $(SITE)/shanglian-toolchain.pth
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# py-solc-x and brownie look for `solc-v<version>` in $SOLCX_BINARY_PATH; tools/solc answers
# like native solc but compiles with the npm package.
.solcx/solc-v$(SOLC_VERSION): tools/solc node_modules/.installed
	mkdir -p .solcx
	ln -sf ../tools/solc $@

demo: setup
	$(BIN)/shanglian demo

# Lint, the brownie contract suites, then the SDK/CLI/demo suites; two workers each (2 cores).
test: lint
	$(BIN)/brownie test tests/contracts -n 2
	$(BIN)/python -m pytest -p no:pytest-brownie -n 2 tests/sdk

# Gas of every business operation into bench/gas-snapshot.json (commit it); `make test` fails
# when a figure rises above the snapshot.
gas: setup
	$(BIN)/python -m bench.gas

# Every benchmark in one run: bench/results.json and a table.
bench: setup
	$(BIN)/python -m bench.run

lint: setup
	$(BIN)/ruff check src tests bench scripts
	solhint --disc --noPoster --max-warnings 0 'contracts/**/*.sol' 'interfaces/**/*.sol'

compile: setup
	$(BIN)/shanglian compile
	$(BIN)/brownie compile

clean:
	rm -rf build reports .pytest_cache .hypothesis
