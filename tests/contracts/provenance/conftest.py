"""Fixtures of the ProductProvenance suites: the parties, the contract with two products, batches,
and an independent OpenZeppelin-layout serial tree."""

import pytest
from eth_abi import encode as _abi_encode
from codes import GTIN_JUICE, GTIN_PEARS, PEAR_ORIGIN, PREFIXES, PROVENANCE_PARTIES, ZERO32
from eth_utils import keccak as _keccak


@pytest.fixture(scope="module")
def parties(accounts, registry, admins, onboard, bind_operator, assign_prefix):
    """One account per provenance party (deterministic keys), onboarded with its roles and prefix."""
    result = {}
    for name, roles in PROVENANCE_PARTIES.items():
        account = accounts.add(_keccak(text=f"shanglian provenance party {name}"))
        accounts[0].transfer(account, "10 ether")
        if roles:
            onboard(account, *roles, name=name)
            assign_prefix(account, PREFIXES[name])
        result[name] = account
    bind_operator(result["producer"], result["producer_operator"])
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
            chain[-1].timestamp - 86400,
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


