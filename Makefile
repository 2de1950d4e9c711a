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

.PHONY: setup system tools demo test coverage mutation compile lint gas bench clean

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

# Debian's chromium and CJK fonts (the resolver's browser test), wrk (its benchmark) and postgresql
# (the resolver's shared index: the suites and the benchmark start throwaway servers of it);
# Playwright drives /usr/bin/chromium, so no browser is ever downloaded.
system: .shanglian/.system-packages
.shanglian/.system-packages: Makefile
	command -v chromium >/dev/null && command -v wrk >/dev/null && fc-list | grep -q "Noto Sans CJK" && \
	  ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || \
	  { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium fonts-noto-cjk wrk postgresql; }
	mkdir -p .shanglian && touch $@

# schemathesis needs a newer hypothesis than brownie pins, so it lives in a venv of its own.
tools: .venv-tools/.installed
.venv-tools/.installed: requirements-tools.lock
	test -x .venv-tools/bin/python || $(PYTHON) -m venv .venv-tools
	.venv-tools/bin/pip install --quiet --disable-pip-version-check -r requirements-tools.lock
	touch $@

demo: setup
	$(BIN)/shanglian demo

# Lint, the brownie contract suites, then the SDK/CLI/demo suites; two workers each (2 cores).
test: lint tools system
	@# Compile first: brownie's xdist master compares its view of the build with the workers'.
	$(BIN)/brownie compile
	$(BIN)/brownie test tests/contracts -n 2
	@# loadgroup: a module that marks its tests xdist_group keeps its module-wide nodes on one worker.
	$(BIN)/python -m pytest -p no:pytest-brownie -n 2 --dist loadgroup tests/sdk tests/web

# Contract coverage: the brownie suites with `--coverage` (Anvil records every opcode step, so this
# is much slower than `make test`), one folder at a time, each on an Anvil of its own that keeps
# only its last blocks' steps (tests/contracts/conftest.py), then per contract and function the
# statements and branch outcomes reached: reports/coverage.md, reports/coverage-summary.json and a
# table. Each folder's session leaves brownie's record of evaluated transactions (build/tests.json)
# in build/coverage/; the report joins them into build/tests.json (the mutation tool reads it), so
# every figure comes from this run. SUITES=... runs part of them (the figures then count only what
# those tests reach).
SUITES ?= $(sort $(wildcard tests/contracts/*/)) $(wildcard tests/contracts/test_*.py)
coverage: setup
	$(BIN)/brownie compile
	rm -rf build/tests.json build/tests-*.json build/coverage
	mkdir -p build/coverage
	for suite in $(SUITES); do \
	  $(BIN)/brownie test $$suite --coverage || exit 1; \
	  mv build/tests.json build/coverage/$$(echo $$suite | tr / _ | sed 's/_*$$//').json || exit 1; \
	done
	$(BIN)/python -m tools.coverage_report --merge build/coverage

# Mutation testing of the contracts against their suites (hours: every mutant is compiled and
# the tests that reach it run): SuMo (npm) generates the mutants, tools/mutation.py judges them
# into reports/mutation-<Contract>.md and .json. Each test run has a network namespace of its
# own (its Anvil ports to itself). Each mutant runs only the test files whose transactions
# executed the mutated code in the last `make coverage` (run it first). CONTRACTS=... picks
# contracts (default: every contracts/*.sol), OPERATORS=... SuMo's operator ids (`sumo list`).
CONTRACTS ?= $(basename $(notdir $(wildcard contracts/*.sol)))
OPERATORS ?= CSC,BOR,MOD,EED,RSD,DOD,BLR,AOR,UORD,LSC,ILR
mutation: setup
	$(BIN)/brownie compile
	test -f build/tests.json || { echo "run make coverage first: mutants run the tests that reach them"; exit 2; }
	for contract in $(CONTRACTS); do \
	  $(BIN)/python -m tools.mutation --contract $$contract --operators $(OPERATORS) || exit 1; \
	done

# Gas of every business operation into bench/gas-snapshot.json (commit it); `make test` fails
# when a figure rises above the snapshot.
gas: setup
	$(BIN)/python -m bench.gas

# Every benchmark in one run: bench/results.json and a table.
bench: setup system
	$(BIN)/python -m bench.run

lint: setup
	$(BIN)/ruff check src tests bench scripts tools
	solhint --disc --noPoster --max-warnings 0 'contracts/**/*.sol' 'interfaces/**/*.sol'
	@# Every finding fails the build; the ones that do not apply are explained in docs/security.md.
	$(BIN)/slither contracts --config-file slither.config.json --solc .solcx/solc-v$(SOLC_VERSION)

compile: setup
	$(BIN)/shanglian compile
	$(BIN)/brownie compile

clean:
	rm -rf build reports .pytest_cache .hypothesis
