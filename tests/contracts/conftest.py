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
from brownie.network.rpc import anvil as anvil_rpc
from eth_abi import decode as abi_decode
from eth_abi import encode as abi_encode
from eth_utils import is_address, keccak, to_checksum_address
from eth_utils.abi import collapse_if_tuple
from hexbytes import HexBytes

from shanglian import uscc

# Anvil writes the state of every block that leaves its memory under ~/.foundry/anvil/tmp, and a
# node that brownie kills leaves it there (about 60 MB a node per run of these suites). brownie
# passes only the Anvil options it knows, so the launch is given this one here, before the
# session starts the node. Nothing in the suites reads state at old blocks.
_launch_anvil = anvil_rpc.launch
anvil_rpc.launch = lambda cmd, **kwargs: _launch_anvil(f"{cmd} --max-persisted-states 0", **kwargs)

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


def _uncompiled_state_machine():
    """brownie's `state_machine`, loaded from the Python source installed beside its compiled module.

    eth-brownie 1.22.2 ships brownie/test/stateful.py compiled by mypyc, and the compiled
    `_BrownieStateMachine` rejects the very subclass its `state_machine()` builds ("TypeError:
    brownie.test.stateful._BrownieStateMachine object expected; got ...BrownieStateMachine").
    The same code run from its .py source works: chain snapshot, revert before every example,
    `setup`/`rule_*`/`invariant_*` methods and strategies by argument name, as documented.
    """
    import importlib.util
    from pathlib import Path

    import brownie.test

    path = Path(brownie.test.__file__).with_name("stateful.py")
    spec = importlib.util.spec_from_file_location("brownie_test_stateful_source", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.state_machine


@pytest.fixture
def state_machine():
    """Overrides brownie's broken compiled fixture (see `_uncompiled_state_machine`); same name, so
    `brownie test --stateful true/false` still selects these tests."""
    return _uncompiled_state_machine()
