"""Fixtures for the brownie contract suites.

They run on brownie's development network (Anvil). Every test is isolated by brownie's
`fn_isolation`; deployments are module-scoped so a module pays for them once.
"""

import time

import pytest

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
}
YEAR = 365 * 24 * 3600


@pytest.fixture(autouse=True)
def isolation(fn_isolation):
    """Every contract test starts from the module's deployment and leaves no trace."""


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


# ---------------------------------------------------------------------------------------------
# ProductProvenance: custom-error helper, parties and fixtures (added for the provenance suites)

from brownie.convert.normalize import format_input  # noqa: E402
from brownie.exceptions import decode_typed_error  # noqa: E402
from eth_abi import encode as _abi_encode  # noqa: E402
from eth_utils import keccak as _keccak  # noqa: E402


def custom_error(contract, name, *args):
    """The revert message brownie 1.22 reports for `contract`'s custom error `name(*args)`.

    Brownie decodes revert data whose selector it has seen in a loaded ABI into
    ``"<Name>: <arg>, <arg>"`` (addresses lower-case, bytes as Python ``b'...'`` reprs) and reports
    any other selector as ``"Unknown typed error: 0x<data>"``. Encoding the expected error and passing
    it through brownie's own decoder yields exactly what ``brownie.reverts(...)`` compares with, so
    ``with brownie.reverts(custom_error(c, "X", a, b)):`` checks the error's name and every argument.
    """
    abi = next((e for e in contract.abi if e["type"] == "error" and e["name"] == name), None)
    if abi is None:
        raise KeyError(f"{contract._name} has no custom error {name}")
    types = [i["type"] for i in abi["inputs"]]
    selector = _keccak(text=f"{name}({','.join(types)})")[:4]
    data = selector + _abi_encode(types, format_input(abi, args))
    return decode_typed_error("0x" + data.hex())


@pytest.fixture(name="custom_error", scope="session")
def _custom_error_fixture():
    return custom_error


ZERO32 = b"\x00" * 32
GTIN_PEARS = 6901234567892  # GTIN-14 06901234567892
GTIN_JUICE = 6901234567908
GTIN_SPARE = 6901234567915  # valid and never registered by the fixtures
PEAR_ORIGIN = ("砀山县良梨镇", 341321, 34_420_000, 116_350_000)

# Every party of the provenance suites: name -> roles (None: never onboarded). "producer_operator"
# is an operator of "producer"; "suspended" holds every role but is suspended.
PROVENANCE_PARTIES = {
    "producer": ("producer",),
    "producer_operator": None,
    "other_producer": ("producer",),
    "processor": ("processor",),
    "logistics": ("logistics",),
    "retailer": ("retailer",),
    "quality_alliance": ("quality_alliance",),
    "other_alliance": ("quality_alliance",),
    "inspector": ("inspector",),
    "regulator": ("regulator",),
    "platform": ("platform",),
    "core_enterprise": ("core_enterprise",),
    "supplier": ("supplier",),
    "financier": ("financier",),
    "suspended": tuple(ROLES),
    "stranger": None,
}


@pytest.fixture(scope="module")
def parties(accounts, registry, admins, onboard):
    """One account per provenance party (deterministic keys), onboarded with its roles."""
    result = {}
    for name, roles in PROVENANCE_PARTIES.items():
        account = accounts.add(_keccak(text=f"shanglian provenance party {name}"))
        accounts[0].transfer(account, "10 ether")
        if roles:
            onboard(account, *roles, name=name)
        result[name] = account
    registry.addOperator(result["producer_operator"], {"from": result["producer"]})
    registry.suspend(result["suspended"], {"from": admins[0]})
    return result


@pytest.fixture(scope="module")
def provenance(ProductProvenance, registry, admins, parties):
    """ProductProvenance on the module's registry, with pears (producer) and juice (processor)."""
    contract = ProductProvenance.deploy(registry, {"from": admins[0]})
    contract.registerProduct(GTIN_PEARS, "砀山酥梨", "crisp, 250-350 g", ZERO32, {"from": parties["producer"]})
    contract.registerProduct(GTIN_JUICE, "梨汁", "NFC pear juice, 1 L", ZERO32, {"from": parties["processor"]})
    return contract


@pytest.fixture(scope="module")
def make_batch(provenance, parties, chain):
    """Creates a batch and returns its id; defaults: pears by the producer, no serials root."""

    def _make_batch(lot, gtin=GTIN_PEARS, sender=None, serials_root=ZERO32, quantity=1000):
        tx = provenance.createBatch(
            gtin,
            lot,
            PEAR_ORIGIN,
            chain.time() - 86400,
            quantity,
            serials_root,
            ZERO32,
            "ipfs://batch-metadata",
            {"from": sender or parties["producer"]},
        )
        return tx.events["BatchCreated"]["batchId"]

    return _make_batch


class SerialsTree:
    """An OpenZeppelin ``StandardMerkleTree.of([[serial], ...], ["string"])``, rebuilt in a few lines.

    Same layout as @openzeppelin/merkle-tree: leaves ``keccak(keccak(abi.encode(serial)))`` sorted,
    stored at the end of a flat array in reverse order, parents ``keccak(sorted(left, right))``.
    Independent of the SDK's own builder on purpose, so each checks the other.
    """

    def __init__(self, serials):
        leaves = sorted(self.leaf(serial) for serial in serials)
        size = 2 * len(leaves) - 1
        tree = [b""] * size
        for i, leaf in enumerate(leaves):
            tree[size - 1 - i] = leaf
        for i in range(size - 1 - len(leaves), -1, -1):
            tree[i] = _keccak(b"".join(sorted((tree[2 * i + 1], tree[2 * i + 2]))))
        self._tree = tree
        self._position = {leaf: size - 1 - i for i, leaf in enumerate(leaves)}
        self.root = tree[0]

    @staticmethod
    def leaf(serial):
        return _keccak(_keccak(_abi_encode(["string"], [serial])))

    def proof(self, serial):
        index = self._position[self.leaf(serial)]
        proof = []
        while index > 0:
            proof.append(self._tree[index + 1 if index % 2 else index - 1])
            index = (index - 1) // 2
        return proof


@pytest.fixture(name="serials_tree", scope="session")
def _serials_tree_fixture():
    return SerialsTree


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
