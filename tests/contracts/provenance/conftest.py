"""Fixtures of the ProductProvenance suites: the parties, the contract with two products, batches,
and an independent OpenZeppelin-layout serial tree."""

import pytest
from eth_abi import encode as _abi_encode
from eth_utils import keccak as _keccak

from shanglian.roles import Role

ROLES = tuple(role.name.lower() for role in Role)


def custom_error(contract, name, *args):
    """The revert message brownie 1.22 reports for `contract`'s custom error `name(*args)`.

    Brownie decodes revert data whose selector it has seen in a loaded ABI into
    ``"<Name>: <arg>, <arg>"`` (addresses lower-case, bytes as Python ``b'...'`` reprs) and reports
    any other selector as ``"Unknown typed error: 0x<data>"``. Encoding the expected error and passing
    it through brownie's own decoder yields exactly what ``brownie.reverts(...)`` compares with, so
    ``with brownie.reverts(custom_error(c, "X", a, b)):`` checks the error's name and every argument.
    """
    # Imported here, not at the top: brownie hashes the modules a conftest imports at top level by
    # reading their source, and these two are compiled extensions inside the project's .venv.
    from brownie.convert.normalize import format_input
    from brownie.exceptions import decode_typed_error

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


