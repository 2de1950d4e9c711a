"""Tests for shanglian.digests: SHA-256 and SM3 against their standards' vectors, files, and the
Merkle tree that files many documents by one root."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from eth_utils import keccak
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from shanglian.digests import (
    Algorithm,
    DocumentTree,
    digest_bytes,
    digest_file,
    document_leaf,
    parse_algorithm,
    parse_digest,
    proves_into,
)
from shanglian.errors import InputError

# GB/T 32905-2016 (SM3), Appendix A: example 1 ("abc") and example 2 ("abcd" × 16, 512 bits).
SM3_ABC = "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
SM3_ABCD_16 = "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"
# FIPS 180-4 examples (NIST CSRC "SHA256.pdf"): one block and two blocks.
SHA256_ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
SHA256_TWO_BLOCKS = "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"

digests = st.binary(min_size=32, max_size=32).filter(any)


def test_sm3_matches_the_standards_first_example():
    assert digest_bytes(b"abc", Algorithm.SM3).hex() == SM3_ABC


def test_sm3_matches_the_standards_second_example():
    assert digest_bytes(b"abcd" * 16, Algorithm.SM3).hex() == SM3_ABCD_16


def test_sha256_is_the_default_and_matches_fips_180_4():
    assert digest_bytes(b"abc").hex() == SHA256_ABC
    assert digest_bytes(b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq").hex() == SHA256_TWO_BLOCKS


@pytest.mark.parametrize("algorithm", list(Algorithm))
def test_a_file_is_digested_in_chunks_as_its_bytes_are(tmp_path, algorithm):
    data = bytes(range(256)) * 5000  # 1.2 MiB: more than one chunk, not a whole number of them
    path = tmp_path / "delivery-note.pdf"
    path.write_bytes(data)
    assert digest_file(path, algorithm) == digest_bytes(data, algorithm)


def test_one_changed_byte_changes_the_digest(tmp_path):
    genuine, tampered = tmp_path / "genuine", tmp_path / "tampered"
    genuine.write_bytes(b"supply contract, 1,000 boxes")
    tampered.write_bytes(b"supply contract, 9,000 boxes")
    for algorithm in Algorithm:
        assert digest_file(genuine, algorithm) != digest_file(tampered, algorithm)


@pytest.mark.parametrize("case", ["missing", "folder"])
def test_an_unreadable_file_is_an_input_error_naming_the_field(tmp_path, case):
    path = tmp_path / "nothing" if case == "missing" else tmp_path
    with pytest.raises(InputError) as raised:
        digest_file(path, field="file")
    assert raised.value.field == "file"


@pytest.mark.parametrize("text,expected", [("sha256", Algorithm.SHA256), ("SHA-256", Algorithm.SHA256),
                                           ("sm3", Algorithm.SM3), (" SM3 ", Algorithm.SM3)])
def test_algorithm_names_are_parsed(text, expected):
    assert parse_algorithm(text) is expected


def test_an_unknown_algorithm_names_the_field():
    with pytest.raises(InputError, match="^algorithm: unknown digest algorithm 'md5'"):
        parse_algorithm("md5")


def test_algorithm_codes_mirror_the_contract_library():
    source = (Path(__file__).parents[2] / "contracts/libraries/Digests.sol").read_text()
    codes = dict(re.findall(r"uint8 internal constant (SHA256|SM3) = (\d+);", source))
    assert {name: int(code) for name, code in codes.items()} == {a.name: a.value for a in Algorithm}


def test_a_digest_is_parsed_from_hex_with_or_without_0x():
    assert parse_digest("0x" + SM3_ABC) == parse_digest(SM3_ABC.upper()) == bytes.fromhex(SM3_ABC)


@pytest.mark.parametrize("text,message", [("0x1234", "64 hexadecimal digits, got 4"), ("zz" * 32, "0-9, a-f"),
                                          ("00" * 32, "zero digest")])
def test_a_malformed_digest_names_the_field(text, message):
    with pytest.raises(InputError, match=message) as raised:
        parse_digest(text, field="certificate")
    assert raised.value.field == "certificate"


def test_a_document_leaf_is_the_double_keccak_of_its_digest():
    digest = bytes.fromhex(SHA256_ABC)
    assert document_leaf(digest) == keccak(keccak(digest))


def test_a_tree_of_three_documents_has_openzeppelins_layout():
    """Rebuilt by hand: leaves sorted, the two smallest paired first (OZ stores sorted leaf i at index
    2n - 2 - i, and node 1 pairs indices 3 and 4), pairs hashed smaller-first."""
    docs = [digest_bytes(name) for name in (b"note 1", b"note 2", b"note 3")]
    a, b, c = sorted(document_leaf(d) for d in docs)
    pair = keccak(min(a, b) + max(a, b))
    assert DocumentTree(docs).root == keccak(min(pair, c) + max(pair, c))


def test_one_document_is_its_own_root():
    doc = digest_bytes(b"only")
    tree = DocumentTree([doc])
    assert tree.root == document_leaf(doc) and tree.proof(doc) == []


@settings(max_examples=40, deadline=None)
@given(st.lists(digests, min_size=1, max_size=60, unique=True))
def test_every_document_proves_into_the_root(docs):
    tree = DocumentTree(docs, Algorithm.SM3)
    assert len(tree) == len(docs) and tree.algorithm is Algorithm.SM3
    for doc, proof in tree.proofs().items():
        assert proves_into(tree.root, doc, proof)


@settings(max_examples=40, deadline=None)
@given(st.lists(digests, min_size=2, max_size=60, unique=True), digests)
def test_a_document_outside_the_batch_does_not_prove(docs, stranger):
    assume(stranger not in docs[1:])
    tree = DocumentTree(docs[1:])
    assert not proves_into(tree.root, stranger, tree.proof(docs[1]))
    assert stranger not in tree


def test_a_batch_is_built_from_files(tmp_path):
    paths = []
    for i in range(3):
        paths.append(tmp_path / f"photo-{i}.jpg")
        paths[-1].write_bytes(f"photo {i}".encode())
    tree = DocumentTree.of_files(paths, Algorithm.SM3)
    assert tree.root == DocumentTree([digest_bytes(p.read_bytes(), Algorithm.SM3) for p in paths]).root


@pytest.mark.parametrize("docs,message", [([], "at least one document"), ([b"\x01" * 32] * 2, "listed twice")])
def test_a_batch_needs_distinct_documents(docs, message):
    with pytest.raises(InputError, match=message):
        DocumentTree(docs)


def test_a_proof_is_asked_only_for_a_document_in_the_batch():
    tree = DocumentTree([b"\x01" * 32, b"\x02" * 32])
    with pytest.raises(InputError, match="not in this batch"):
        tree.proof(b"\x03" * 32)
