"""Fixtures for the brownie contract suites.

They run on brownie's development network (Anvil). Every test is isolated by brownie's
`fn_isolation`; deployments are module-scoped so a module pays for them once.
"""

import gc
import sys
import time
from collections import namedtuple
from contextlib import contextmanager
from types import SimpleNamespace

import brownie
import pytest
from brownie import web3
from brownie.exceptions import VirtualMachineError
import brownie.network.contract as contract_module
from brownie.network.rpc import anvil as anvil_rpc
from eth_abi import decode as abi_decode
from eth_abi import encode as abi_encode
from eth_utils import is_address, keccak, to_checksum_address
from eth_utils.abi import collapse_if_tuple
from hexbytes import HexBytes

from shanglian import uscc
from tools.coverage_map import complete as complete_coverage_map
from tools.coverage_map import product_asts

# Anvil writes the state of every block that leaves its memory under ~/.foundry/anvil/tmp, and a
# node that brownie kills leaves it there (about 60 MB a node per run of these suites). brownie
# passes only the Anvil options it knows, so the launch is given this one here, before the
# session starts the node. Nothing in the suites reads state at old blocks.
#
# Under `--coverage` brownie evaluates every transaction's `debug_traceTransaction` opcode steps,
# and Anvil records them only with `--steps-tracing` (without it the steps come back empty and
# the coverage report is empty). Recording them slows every transaction, so only then.
_launch_anvil = anvil_rpc.launch


# Under `--coverage`, the address space Anvil may take: a transaction's step trace holds the EVM
# memory at every step, so one very long transaction can take tens of GB (see
# `pytest_collection_modifyitems`); past this, Anvil fails the run instead of the machine.
ANVIL_COVERAGE_MEMORY = 8 << 30


def _launch_anvil_for_suites(cmd, **kwargs):
    if brownie._config.CONFIG.argv["coverage"]:
        kwargs["steps_tracing"] = True
        # brownie evaluates a transaction's steps as soon as it is mined (TransactionReceipt
        # _await_confirmation); Anvil would otherwise keep every step of every transaction of the
        # run in memory (tens of GB over the suites), so only the last blocks' are kept.
        cmd = f"prlimit --as={ANVIL_COVERAGE_MEMORY} {cmd} --transaction-block-keeper 64"
    return _launch_anvil(f"{cmd} --max-persisted-states 0", **kwargs)


anvil_rpc.launch = _launch_anvil_for_suites


def pytest_collection_modifyitems(config, items):
    """Under `--coverage` the gas tests (`test_*_gas.py`) are skipped with brownie's
    `skip_coverage` marker: they measure gas, not behaviour (the behaviour suites run the same
    code), and the largest, a 200-row import of about 10M gas, alone had Anvil build a step trace
    that grew past 20 GB within a minute."""
    if config.getoption("coverage"):
        for item in items:
            if item.path.name.endswith("_gas.py"):
                item.add_marker(pytest.mark.skip_coverage)


def pytest_sessionstart(session):
    """Under `--coverage`: brownie's coverage maps are completed for our optimised bytecode before
    any transaction is evaluated against them (see tools/coverage_map.py), a contract with
    immutables keeps its map once deployed (see `_matches_with_immutables`), and the end-of-run
    summary reads brownie's own evaluations (see `_uncompiled_coverage_summary`)."""
    if session.config.getoption("coverage"):
        for project in brownie.project.get_loaded_projects():
            builds = [build for _, build in project._build.items()]
            asts = product_asts(builds)
            for build in builds:
                complete_coverage_map(build, asts)
        contract_module._verify_deployed_code = _matches_with_immutables
        _uncompiled_coverage_summary()


_verify_deployed_code = contract_module._verify_deployed_code


def _matches_with_immutables(address, expected_bytecode, language):
    """brownie compares a deployed contract's code with its build byte for byte and, when they
    differ, drops the contract's pcMap, so its transactions get no coverage at all. The code of a
    contract with immutables (ProductProvenance's and Receivables' registry) always differs: the
    constructor writes them into PUSH32 operands that the build leaves zero. Those are the only
    differences accepted here."""
    if _verify_deployed_code(address, expected_bytecode, language):
        return True
    actual = bytes(web3.eth.get_code(address))
    expected = bytes(HexBytes(expected_bytecode))
    if language != "Solidity" or len(actual) != len(expected):
        return False
    code_end = len(expected) - int.from_bytes(expected[-2:], "big") - 2  # CBOR metadata follows
    immutable = set()
    pc = 0
    while pc < code_end:
        op = expected[pc]
        if op == 0x7F and not any(expected[pc + 1 : pc + 33]):
            immutable.update(range(pc + 1, pc + 33))
        pc += 1 + (op - 0x5F if 0x60 <= op <= 0x7F else 0)
    return all(i in immutable for i in range(code_end) if actual[i] != expected[i]) and (
        actual[code_end:] == expected[code_end:]
    )

ROLES = {
    "producer": 1 << 0,
    "processor": 1 << 1,
    "logistics": 1 << 2,
    "retailer": 1 << 3,
    "quality_alliance": 1 << 4,
    "inspector": 1 << 5,
    "core_enterprise": 1 << 6,
    "supplier": 1 << 7,
    "financier": 1 << 8,
    "regulator": 1 << 9,
    "platform": 1 << 10,
    "notary": 1 << 11,
}
YEAR = 365 * 24 * 3600


@pytest.fixture(autouse=True)
def isolation(fn_isolation):
    """Every contract test starts from the module's deployment and leaves no trace."""


# Two speed-ups for brownie 1.22's per-test isolation; neither changes what a test sees.


@pytest.fixture(scope="module", autouse=True)
def frozen_heap():
    """brownie runs a full `gc.collect()` on every snapshot revert and reverted transaction,
    ~0.1 s each over brownie's and solc's heap. Freezing the heap a module starts with (objects
    that live for the whole session anyway) makes that ~10x cheaper."""
    gc.freeze()
    yield
    gc.unfreeze()


@pytest.fixture(scope="session", autouse=True)
def cheap_rpc_caller_check():
    """brownie's Rpc snapshot/revert/sleep/mine warn when not called through `chain`, and find their
    caller with `inspect.stack()`, which reads the source of every frame on pytest's deep stack
    (~10 ms a call, two calls per test). Only the caller's frame is looked at, so give just that."""
    rpc_module = sys.modules["brownie.network.rpc"]
    original = rpc_module.inspect
    rpc_module.inspect = SimpleNamespace(stack=_caller_frames)
    yield
    rpc_module.inspect = original


def _caller_frames(context=1):
    """The first two entries of `inspect.stack()` (the calling function and its caller), frames only."""
    function = sys._getframe(1)
    return [SimpleNamespace(frame=function), SimpleNamespace(frame=function.f_back)]


@pytest.fixture(scope="module")
def admins(accounts):
    return accounts[0:3]


@pytest.fixture(scope="module")
def registry(EnterpriseRegistry, admins):
    """A registry governed 2-of-3 by accounts 0..2."""
    return EnterpriseRegistry.deploy([a.address for a in admins], 2, {"from": admins[0]})


@pytest.fixture(scope="module")
def onboard(registry, admins):
    """Onboards `account` as an active enterprise holding `roles` (names from ROLES)."""
    counter = {"n": 0}

    def _onboard(account, *roles, name=None):
        counter["n"] += 1
        mask = 0
        for role in roles:
            mask |= ROLES[role]
        code = f"91340000TEST{counter['n']:05d}X"[:18].ljust(18, "0").encode()
        expiry = int(time.time()) + 10 * YEAR
        registry.applyToJoin(
            name or f"enterprise {counter['n']}", code, mask, b"\x01" * 32, expiry, "", {"from": account}
        )
        registry.approve(account, mask, {"from": admins[0]})
        registry.approve(account, mask, {"from": admins[1]})
        return account

    return _onboard


# ------------------------------------------------------------------------------------------------
# Shared helpers: exact custom-error assertions, extra accounts, valid credit codes, governance.
#
# How brownie 1.22 reports a custom error on Anvil (found by experiment): the reverted transaction
# is mined (brownie's development settings send it with the block gas limit, no estimate), then
# `VirtualMachineError` is raised with `txid` set and `revert_msg` already decoded to a display
# string such as "RegistryNotAdmin: 0x9965...". That string is lossy (str() of each value), so
# `reverts_with` reads the raw revert data of the mined transaction from Anvil's `callTracer`
# and compares it byte for byte with the error encoded from the compiled ABI.


def _error_abis():
    """name -> {signature: ABI entry} for the errors of every contract of the loaded project
    (a contract's ABI includes the errors of the interfaces it implements)."""
    found = {}
    for project in brownie.project.get_loaded_projects():
        for container in project:
            for item in container.abi:
                if item["type"] == "error":
                    types = ",".join(collapse_if_tuple(i) for i in item["inputs"])
                    found.setdefault(item["name"], {})[f"{item['name']}({types})"] = item
    return found


def _encode_error(entry, args):
    types = [collapse_if_tuple(i) for i in entry["inputs"]]
    signature = f"{entry['name']}({','.join(types)})"
    values = [getattr(a, "address", a) for a in args]  # accounts and contracts by address
    return keccak(text=signature)[:4] + abi_encode(types, values)


def _describe(data, abis):
    """Revert data as `Name(arg, ...)` when the selector is a known custom error."""
    for entries in abis.values():
        for signature, entry in entries.items():
            if data[:4] == keccak(text=signature)[:4]:
                values = abi_decode([collapse_if_tuple(i) for i in entry["inputs"]], data[4:])
                return f"{entry['name']}({', '.join(_show(v) for v in values)})"
    return "0x" + data.hex() if data else "no revert data"


def _show(value):
    if isinstance(value, bytes):
        printable = value.isascii() and value.decode().isprintable()
        return repr(value) if printable else "0x" + value.hex()
    if isinstance(value, str) and is_address(value):
        return to_checksum_address(value)
    return repr(value)


def _revert_data(exc):
    """The raw revert data: of the mined transaction (from Anvil's callTracer), or, for a call
    (`eth_call`, e.g. a view), of the node's error that brownie wrapped."""
    if exc.txid:
        trace = web3.provider.make_request("debug_traceTransaction", [exc.txid, {"tracer": "callTracer"}])
        return bytes(HexBytes(trace["result"].get("output") or "0x"))
    from brownie.exceptions import _normalize_rpc_error_payload, _normalize_tx_error_data

    payload = _normalize_rpc_error_payload(exc.__context__)
    data = _normalize_tx_error_data(payload.get("data")) if isinstance(payload, dict) else None
    if not (isinstance(data, str) and data.startswith("0x")):
        raise AssertionError(f"no revert data in the node's answer: {exc}")
    return bytes(HexBytes(data))


@pytest.fixture(scope="session")
def reverts_with():
    """`with reverts_with("RegistryNotAdmin", stranger): registry.approve(...)` asserts that the
    transaction sent inside the block reverts with exactly that custom error and those arguments
    (accounts may stand for addresses, ints for enums, bytes for fixed bytes). On a mismatch it
    names both errors with their arguments."""
    abis = _error_abis()

    @contextmanager
    def _reverts_with(name, *args):
        entries = [e for e in abis.get(name, {}).values() if len(e["inputs"]) == len(args)]
        assert len(entries) == 1, f"no single custom error {name} with {len(args)} argument(s) in the ABIs"
        expected = _encode_error(entries[0], args)
        try:
            yield
        except VirtualMachineError as exc:
            actual = _revert_data(exc)
        else:
            raise AssertionError(f"did not revert; expected {_describe(expected, abis)}")
        if actual != expected:
            raise AssertionError(
                f"reverted with {_describe(actual, abis)}, expected {_describe(expected, abis)}"
            ) from None

    return _reverts_with


@pytest.fixture(scope="session")
def new_account():
    """A deterministic local account per label, without ether: the local Anvil networks run with a
    zero base fee and brownie sends gas price 0, so it can transact."""

    def _new_account(label):
        return brownie.accounts.add(keccak(text=f"shanglian test account {label}"))

    return _new_account


@pytest.fixture(scope="session")
def credit_code():
    """`credit_code(n)`: the n-th valid (GB 32100-2015) credit code of the tests, as bytes18."""

    def _credit_code(n):
        return uscc.with_check_character(f"91430100MA{n:07d}").encode("ascii")

    return _credit_code


@pytest.fixture(scope="module")
def govern(registry, admins):
    """`govern("approve", account, roles)`: the first `threshold()` admins vote; returns the
    executing (last) transaction."""

    def _govern(function, *args):
        tx = None
        for admin in admins[: registry.threshold()]:
            tx = getattr(registry, function)(*args, {"from": admin})
        return tx

    return _govern


@pytest.fixture(scope="module")
def bind_operator(registry):
    """`bind_operator(enterprise, operator)`: the enterprise offers and the operator accepts (an
    operator is bound only with its own consent)."""

    def _bind_operator(enterprise, operator):
        registry.addOperator(operator, {"from": enterprise})
        return registry.acceptOperator(enterprise, {"from": operator})

    return _bind_operator


@pytest.fixture(scope="module")
def assign_prefix(govern):
    """`assign_prefix(account, "6901234")`: the admins give the GS1 Company Prefix (a digit string;
    leading zeros count) to the enterprise; returns the executing transaction."""

    def _assign_prefix(account, digits):
        return govern("assignPrefix", account, int(digits), len(digits))

    return _assign_prefix


Record = namedtuple("Record", "credit_code roles licence_expiry status version")


@pytest.fixture(scope="module")
def record(registry):
    """`record(account)`: the enterprise's one-slot record as plain Python values (brownie's
    return values compare strictly by type)."""

    def _record(account):
        code, roles, expiry, status, version = registry.enterprise(account)
        return Record(bytes(HexBytes(code)), int(roles), int(expiry), int(status), int(version))

    return _record


def _brownie_source(name):
    """brownie's module `brownie.test.<name>`, loaded from the Python source installed beside
    its compiled one.

    eth-brownie 1.22.2 ships some modules compiled by mypyc, which turns their type annotations
    into runtime checks, and a few annotations do not match the values brownie itself passes:
    the same code run from its .py source works as documented (see the two uses below)."""
    import importlib.util
    from pathlib import Path

    import brownie.test

    path = Path(brownie.test.__file__).with_name(f"{name}.py")
    # A name inside the package, so that the module's relative imports resolve.
    spec = importlib.util.spec_from_file_location(f"brownie.test._{name}_source", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _uncompiled_coverage_summary():
    """brownie's end-of-run coverage summary and reports/coverage.json, from the .py sources.

    brownie keeps a transaction's evaluation as `{contract: {source id: [statements run,
    branches fallen through, branches jumped]}}` (network/transaction.py builds the lists;
    build/tests.json stores them), but the compiled coverage.py and output.py declare that inner
    value `dict[int, set]`, so merging the evaluations of more than one transaction fails with
    "TypeError: dict object expected; got list" and stops the run after the tests passed. The
    manager (brownie/test/managers/base.py, not compiled) looks the three functions up on their
    modules when the run ends, so they are replaced there; the merge reads the compiled module's
    own evaluations."""
    from functools import partial

    from brownie.test import coverage, output

    coverage_source = _brownie_source("coverage")
    output_source = _brownie_source("output")
    coverage.get_merged_coverage_eval = partial(
        coverage_source.get_merged_coverage_eval, coverage._coverage_eval
    )
    output._build_coverage_output = output_source._build_coverage_output
    output._save_coverage_report = output_source._save_coverage_report


def _uncompiled_state_machine():
    """brownie's `state_machine`, from the Python source: the compiled `_BrownieStateMachine`
    rejects the very subclass its `state_machine()` builds ("TypeError:
    brownie.test.stateful._BrownieStateMachine object expected; got ...BrownieStateMachine").
    The source's works: chain snapshot, revert before every example, `setup`/`rule_*`/
    `invariant_*` methods and strategies by argument name, as documented."""
    return _brownie_source("stateful").state_machine


@pytest.fixture
def state_machine():
    """Overrides brownie's broken compiled fixture (see `_uncompiled_state_machine`); same name, so
    `brownie test --stateful true/false` still selects these tests."""
    return _uncompiled_state_machine()
