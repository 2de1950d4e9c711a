"""Item membership: a batch's serials root proves any serial (OpenZeppelin StandardMerkleTree)."""

import pytest
from eth_abi import encode
from eth_utils import keccak

SERIALS = [f"SN{i:06d}" for i in range(1, 12)]  # an odd count exercises the unbalanced layout


@pytest.fixture
def tree(serials_tree):
    return serials_tree(SERIALS)


@pytest.fixture
def batch_id(make_batch, tree):
    return make_batch("MERKLE-1", serials_root=tree.root)


def test_leaf_is_double_keccak_of_abi_encoded_serial(serials_tree):
    assert serials_tree.leaf("SN000001") == keccak(keccak(encode(["string"], ["SN000001"])))


def test_every_serial_proves_into_its_batch(provenance, batch_id, tree):
    assert all(provenance.isItemOf(batch_id, serial, tree.proof(serial)) for serial in SERIALS)


def test_single_serial_batch_proves_with_empty_proof(provenance, make_batch, serials_tree):
    single = serials_tree(["ONLY-ONE"])
    batch_id = make_batch("MERKLE-ONE", serials_root=single.root)
    assert single.proof("ONLY-ONE") == []
    assert provenance.isItemOf(batch_id, "ONLY-ONE", [])


def test_serial_does_not_prove_into_another_batch(provenance, make_batch, batch_id, tree, serials_tree):
    other = make_batch("MERKLE-2", serials_root=serials_tree(["X1", "X2", "X3"]).root)
    assert not provenance.isItemOf(other, "SN000001", tree.proof("SN000001"))


def test_tampered_proof_is_rejected(provenance, batch_id, tree):
    proof = tree.proof("SN000004")
    proof[0] = bytes([proof[0][0] ^ 1]) + proof[0][1:]
    assert not provenance.isItemOf(batch_id, "SN000004", proof)


def test_proof_of_another_serial_is_rejected(provenance, batch_id, tree):
    assert not provenance.isItemOf(batch_id, "SN000004", tree.proof("SN000005"))


def test_serial_outside_the_batch_is_rejected(provenance, batch_id, tree):
    assert not provenance.isItemOf(batch_id, "SN999999", tree.proof("SN000001"))


def test_unknown_batch_proves_nothing(provenance, tree):
    assert not provenance.isItemOf(keccak(b"unknown"), "SN000001", tree.proof("SN000001"))


def test_batch_without_serials_root_proves_nothing(provenance, make_batch, tree):
    batch_id = make_batch("MERKLE-BULK")
    assert not provenance.isItemOf(batch_id, "SN000001", tree.proof("SN000001"))
