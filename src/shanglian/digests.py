"""Document digests for the service hall, and the Merkle tree that files many documents at once.

A document is anchored on chain by its digest: SHA-256 (FIPS 180-4) by default, or SM3 (GB/T
32905-2016, the 国密 hash Chinese electronic-evidence practice files alongside SHA-256). Both come
from maintained C implementations: SHA-256 from the standard library, SM3 from pyca/cryptography
(OpenSSL). Files are read in chunks, so their size does not matter.

Many documents (thousands of delivery notes, photos or inspection reports) are filed in one
transaction by the root of an OpenZeppelin StandardMerkleTree over their digests:
``StandardMerkleTree.of(digests.map(d => [d]), ["bytes32"])``, leaf
``keccak256(bytes.concat(keccak256(abi.encode(digest))))``. The contract's ``isInBatch`` and
:func:`shanglian.merkle.verify` check a document's proof against the filed root.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from enum import IntEnum
from pathlib import Path
from typing import BinaryIO

from cryptography.hazmat.primitives import hashes
from eth_hash.auto import keccak

from shanglian.errors import InputError
from shanglian.merkle import HashTree, verify

__all__ = [
    "Algorithm",
    "DocumentTree",
    "digest_bytes",
    "digest_file",
    "digest_stream",
    "document_leaf",
    "parse_algorithm",
    "parse_digest",
    "proves_into",
]

_CHUNK = 1 << 20


class Algorithm(IntEnum):
    """Digest algorithms, numbered as contracts/libraries/Digests.sol numbers them on chain."""

    SHA256 = 0
    SM3 = 1

    @property
    def label(self) -> str:
        return {Algorithm.SHA256: "SHA-256", Algorithm.SM3: "SM3"}[self]


def parse_algorithm(text: str, field: str = "algorithm") -> Algorithm:
    """'sha256', 'SHA-256' or 'sm3' into an :class:`Algorithm`."""
    key = text.strip().upper().replace("-", "").replace("_", "")
    if key not in Algorithm.__members__:
        raise InputError(field, f"unknown digest algorithm {text!r}; use sha256 or sm3")
    return Algorithm[key]


def parse_digest(text: str, field: str = "digest") -> bytes:
    """A 32-byte digest written as 64 hexadecimal digits, with or without 0x."""
    body = text.strip()
    body = body[2:] if body[:2].lower() == "0x" else body
    if len(body) != 64:
        raise InputError(field, f"a digest is 64 hexadecimal digits, got {len(body)} characters")
    try:
        value = bytes.fromhex(body)
    except ValueError:
        raise InputError(field, "a digest is 64 hexadecimal digits (0-9, a-f)") from None
    if not any(value):
        raise InputError(field, "the zero digest names no document")
    return value


class _Hasher:
    """One incremental digest computation: hashlib's SHA-256, or pyca/cryptography's SM3."""

    def __init__(self, algorithm: Algorithm) -> None:
        if algorithm is Algorithm.SHA256:
            sha256 = hashlib.sha256()
            self.update, self.finalize = sha256.update, sha256.digest
        else:
            sm3 = hashes.Hash(hashes.SM3())
            self.update, self.finalize = sm3.update, sm3.finalize


def digest_bytes(data: bytes, algorithm: Algorithm = Algorithm.SHA256) -> bytes:
    """The 32-byte digest of `data`."""
    hasher = _Hasher(Algorithm(algorithm))
    hasher.update(data)
    return hasher.finalize()


def digest_stream(stream: BinaryIO, algorithm: Algorithm = Algorithm.SHA256) -> bytes:
    """The 32-byte digest of everything left in a binary stream, read in 1 MiB chunks."""
    hasher = _Hasher(Algorithm(algorithm))
    while chunk := stream.read(_CHUNK):
        hasher.update(chunk)
    return hasher.finalize()


def digest_file(path: str | Path, algorithm: Algorithm = Algorithm.SHA256, field: str = "file") -> bytes:
    """The 32-byte digest of a file's bytes."""
    file = Path(path)
    try:
        with file.open("rb") as stream:
            return digest_stream(stream, algorithm)
    except FileNotFoundError:
        raise InputError(field, f"no file {str(file)!r}") from None
    except IsADirectoryError:
        raise InputError(field, f"{str(file)!r} is a folder; name a file") from None
    except PermissionError:
        raise InputError(field, f"{str(file)!r} cannot be read (permission denied)") from None


def document_leaf(digest: bytes) -> bytes:
    """The Merkle leaf of a document digest: ``keccak256(bytes.concat(keccak256(abi.encode(digest))))``
    (the ABI encoding of a bytes32 is the 32 bytes themselves)."""
    if len(digest) != 32:
        raise InputError("digest", f"must be 32 bytes, got {len(digest)}")
    return keccak(keccak(digest))


class DocumentTree:
    """The Merkle tree over many documents' digests; ``root`` is what is filed on chain."""

    __slots__ = ("_tree", "_positions", "algorithm")

    def __init__(self, digests: Iterable[bytes], algorithm: Algorithm = Algorithm.SHA256) -> None:
        leaves: dict[bytes, bytes] = {}
        for digest in digests:
            if digest in leaves:
                raise InputError("documents", f"document 0x{digest.hex()} is listed twice")
            leaves[digest] = document_leaf(digest)
        if not leaves:
            raise InputError("documents", "a batch needs at least one document")
        self.algorithm = Algorithm(algorithm)
        self._tree = HashTree(list(leaves.values()))
        self._positions = {digest: self._tree.position(leaf) for digest, leaf in leaves.items()}

    @classmethod
    def of_files(cls, paths: Iterable[str | Path], algorithm: Algorithm = Algorithm.SHA256) -> DocumentTree:
        """The tree over the digests of `paths`' contents."""
        return cls((digest_file(path, algorithm) for path in paths), algorithm)

    @property
    def root(self) -> bytes:
        return self._tree.root

    def proof(self, digest: bytes) -> list[bytes]:
        """Sibling hashes from the document's leaf up to the root, as ``MerkleProof.verify`` wants."""
        position = self._positions.get(digest)
        if position is None:
            raise InputError("document", f"0x{digest.hex()} is not in this batch")
        return self._tree.proof_of(position)

    def proofs(self) -> Mapping[bytes, list[bytes]]:
        """Every document's proof, by digest: what a filer hands to whoever must verify one document."""
        return {digest: self._tree.proof_of(position) for digest, position in self._positions.items()}

    def __len__(self) -> int:
        return len(self._positions)

    def __contains__(self, digest: object) -> bool:
        return digest in self._positions

    def __repr__(self) -> str:
        return f"DocumentTree({len(self)} documents, {self.algorithm.label}, root=0x{self.root.hex()})"


def proves_into(root: bytes, digest: bytes, proof: Iterable[bytes]) -> bool:
    """Whether `proof` proves the document with `digest` into the batch `root`."""
    return verify(list(proof), root, document_leaf(digest))
