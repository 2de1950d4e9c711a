"""Tests for shanglian.merkle: OpenZeppelin-compatible serial trees, proofs and serial ranges."""

from __future__ import annotations

from contextlib import AbstractContextManager

import pytest
from eth_utils import keccak
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from shanglian.errors import InputError
from shanglian.gs1 import CSET82, serial_leaf
from shanglian.merkle import SerialTree, serial_range, verify

# Expected values published by @openzeppelin/merkle-tree in src/standard.test.ts, test
# "renders tree representation", for this tree:
#   StandardMerkleTree.of("abcdef".split("").map(c => [c]), ["string"])
OZ_ABCDEF_ROOT = "6deb52b5da8fd108f79fab00341f38d2587896634c646ee52e49f845680a70c8"
# From the same test with sortLeaves: false, where leaf i sits at tree index 10 - i.
OZ_ABCDEF_LEAVES = {
    "a": "9c15a6a0eaeed500fd9eed4cbeab71f797cefcc67bfd46683e4d2e6ff7f06d1c",
    "b": "19ba6c6333e0e9a15bf67523e0676e2f23eb8e574092552d5e888c64a4bb3681",
    "c": "9cf5a63718145ba968a01c1d557020181c5b252f665cf7386d370eddb176517b",
    "d": "eba909cf4bb90c6922771d7f126ad0fd11dfde93f3937a196274e1ac20fd2f5b",
    "e": "9a4f64e953595df82d1b4f570d34c4f4f0cfaf729a61e9d60e83e579e1aa283e",
    "f": "c62a8cfa41edc0ef6f6ae27a2985b7d39c7fea770787d7e104696c6e81f64848",
}
# Sorted tree: "c" is node 7, so its proof is nodes 8 ("a"), 4 and 2.
OZ_ABCDEF_PROOF_OF_C = [
    "9c15a6a0eaeed500fd9eed4cbeab71f797cefcc67bfd46683e4d2e6ff7f06d1c",
    "965b92c6cf08303cc4feb7f3e0819c436c2cec17c6f0688a6af139c9a368707c",
    "fd3cf45654e88d1cc5d663578c82c76f4b5e3826bacaa1216441443504538f51",
]

serials = st.text(alphabet=sorted(CSET82), min_size=1, max_size=20)
batches = st.lists(serials, min_size=1, max_size=40, unique=True)


def raises_for(field: str) -> AbstractContextManager[pytest.ExceptionInfo[InputError]]:
    """Expect an InputError for ``field`` (the exception is kept for message checks)."""
    return pytest.raises(InputError, match=rf"^{field}: ")


def abi_encode_string(value: str) -> bytes:
    """abi.encode(string) for up to 32 bytes: offset word 0x20, length word, one padded word."""
    data = value.encode()
    return (0x20).to_bytes(32, "big") + len(data).to_bytes(32, "big") + data.ljust(32, b"\0")


def node(a: bytes, b: bytes) -> bytes:
    """OpenZeppelin's commutative node hash: keccak256 of the smaller value, then the larger."""
    return keccak(min(a, b) + max(a, b))


# --- compatibility with OpenZeppelin ------------------------------------------------------


def test_leaves_match_openzeppelin_published_leaf_hashes() -> None:
    assert {c: serial_leaf(c).hex() for c in "abcdef"} == OZ_ABCDEF_LEAVES


def test_root_matches_openzeppelin_published_root() -> None:
    assert SerialTree("abcdef").root.hex() == OZ_ABCDEF_ROOT


def test_proof_matches_openzeppelin_published_tree() -> None:
    assert [p.hex() for p in SerialTree("abcdef").proof("c")] == OZ_ABCDEF_PROOF_OF_C


def test_root_of_abc_matches_hand_derivation_of_openzeppelin_layout() -> None:
    # Leaves are double hashed: keccak256(keccak256(abi.encode(value))).
    leaves = {s: keccak(keccak(abi_encode_string(s))) for s in ["a", "b", "c"]}
    low, mid, high = sorted(leaves.values())
    # makeMerkleTree: 2*3 - 1 = 5 nodes; sorted leaf i goes to index 4 - i:
    #   tree[4] = low, tree[3] = mid, tree[2] = high
    # then internal nodes from index 1 down to 0, children of i at 2i+1 and 2i+2:
    #   tree[1] = node(tree[3], tree[4]) = node(mid, low)
    #   tree[0] = node(tree[1], tree[2]) = node(tree[1], high)
    tree1 = node(mid, low)
    expected_root = node(tree1, high)
    assert SerialTree(["a", "b", "c"]).root == expected_root


def test_proofs_of_abc_follow_openzeppelin_sibling_order() -> None:
    tree = SerialTree(["a", "b", "c"])
    low, mid, high = sorted(tree.leaf(s) for s in "abc")
    by_leaf = {tree.leaf(s): s for s in "abc"}
    # tree[4] (low) climbs via sibling tree[3] (mid), then tree[2] (high); tree[2] only via tree[1].
    assert tree.proof(by_leaf[low]) == [mid, high]
    assert tree.proof(by_leaf[high]) == [node(mid, low)]


def test_five_leaves_put_three_at_depth_two_and_two_at_depth_three() -> None:
    # 9 nodes; leaves at indices 4..8; indices 3..6 are depth 2 and 7..8 depth 3.
    tree = SerialTree(["s1", "s2", "s3", "s4", "s5"])
    assert sorted(len(tree.proof(s)) for s in ["s1", "s2", "s3", "s4", "s5"]) == [2, 2, 2, 3, 3]


def test_single_serial_tree_has_leaf_as_root_and_empty_proof() -> None:
    tree = SerialTree(["ONLY"])
    assert tree.root == serial_leaf("ONLY")
    assert tree.proof("ONLY") == []


def test_root_does_not_depend_on_input_order() -> None:
    assert SerialTree(["x", "y", "z", "w"]).root == SerialTree(["w", "z", "y", "x"]).root


# --- proofs -------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [1, 2, 3, 5, 8])
def test_every_leaf_proves_in_small_trees(size: int) -> None:
    batch = [f"S{i}" for i in range(size)]
    tree = SerialTree(batch)
    assert all(verify(tree.proof(s), tree.root, serial_leaf(s)) for s in batch)


@settings(deadline=None)
@given(batches)
def test_every_member_proves(batch: list[str]) -> None:
    tree = SerialTree(batch)
    for serial in batch:
        assert verify(tree.proof(serial), tree.root, tree.leaf(serial))


@settings(deadline=None)
@given(batches, serials)
def test_non_member_fails_with_any_members_proof(batch: list[str], outsider: str) -> None:
    assume(outsider not in batch)
    tree = SerialTree(batch)
    for serial in batch:
        assert not verify(tree.proof(serial), tree.root, serial_leaf(outsider))


def test_tampered_proof_fails() -> None:
    tree = SerialTree(["a", "b", "c", "d", "e"])
    proof = tree.proof("c")
    proof[0] = bytes([proof[0][0] ^ 1]) + proof[0][1:]
    assert not verify(proof, tree.root, tree.leaf("c"))


def test_truncated_proof_fails() -> None:
    tree = SerialTree(["a", "b", "c", "d", "e"])
    assert not verify(tree.proof("c")[:-1], tree.root, tree.leaf("c"))


def test_proof_fails_against_another_trees_root() -> None:
    tree, other = SerialTree(["a", "b", "c", "d"]), SerialTree(["a", "b", "c"])
    assert not verify(tree.proof("a"), other.root, tree.leaf("a"))


def test_another_trees_proof_fails_against_this_root() -> None:
    tree, other = SerialTree(["a", "b", "c", "d", "e", "f"]), SerialTree(["a", "b", "c"])
    assert not verify(other.proof("a"), tree.root, serial_leaf("a"))


def test_verify_rejects_values_that_are_not_32_bytes() -> None:
    tree = SerialTree(["a", "b"])
    with raises_for("proof"):
        verify([b"\x00" * 31], tree.root, tree.leaf("a"))


def test_ten_thousand_serials_prove() -> None:
    batch = serial_range("PEAR-", 1, 10_001, 6)
    tree = SerialTree(batch)
    assert all(verify(tree.proof(s), tree.root, tree.leaf(s)) for s in batch[::97])


# --- SerialTree API -----------------------------------------------------------------------


def test_leaf_equals_serial_leaf() -> None:
    assert SerialTree(["a", "b"]).leaf("b") == serial_leaf("b")


def test_len_counts_serials() -> None:
    assert len(SerialTree(["a", "b", "c"])) == 3


def test_contains_members_only() -> None:
    tree = SerialTree(["a", "b"])
    assert ("a" in tree, "z" in tree, 1 in tree) == (True, False, False)


def test_accepts_a_generator() -> None:
    assert len(SerialTree(f"S{i}" for i in range(4))) == 4


def test_rejects_duplicate_serials_and_names_them() -> None:
    with raises_for("serials") as caught:
        SerialTree(["a", "b", "a"])
    assert "'a'" in caught.value.reason


def test_rejects_empty_input() -> None:
    with raises_for("serials"):
        SerialTree([])


def test_rejects_serial_outside_cset82() -> None:
    with raises_for("serial"):
        SerialTree(["ok", "not ok"])


def test_proof_of_absent_serial_says_not_in_batch() -> None:
    with raises_for("serial") as caught:
        SerialTree(["a", "b"]).proof("z")
    assert "not in this batch" in caught.value.reason


def test_leaf_of_absent_serial_says_not_in_batch() -> None:
    with raises_for("serial"):
        SerialTree(["a", "b"]).leaf("z")


# --- serial_range -------------------------------------------------------------------------


def test_serial_range_pads_to_width() -> None:
    assert serial_range("PEAR-", 1, 4, 6) == ["PEAR-000001", "PEAR-000002", "PEAR-000003"]


def test_serial_range_without_width_does_not_pad() -> None:
    assert serial_range("S", 9, 12) == ["S9", "S10", "S11"]


def test_serial_range_stop_is_exclusive() -> None:
    assert len(serial_range("S", 0, 100, 3)) == 100


def test_serial_range_rejects_empty_range() -> None:
    with raises_for("stop"):
        serial_range("S", 5, 5)


def test_serial_range_rejects_negative_start() -> None:
    with raises_for("start"):
        serial_range("S", -1, 5)


def test_serial_range_rejects_numbers_wider_than_width() -> None:
    with raises_for("width"):
        serial_range("S", 1, 1001, 3)


def test_serial_range_rejects_prefix_outside_cset82() -> None:
    with raises_for("serial") as caught:
        serial_range("PEAR ", 1, 3)
    assert "' '" in caught.value.reason


def test_serial_range_rejects_serials_longer_than_twenty() -> None:
    with raises_for("serial"):
        serial_range("P" * 15, 1, 3, 6)
