"""Merkle trees over a batch's serial numbers, byte-compatible with OpenZeppelin.

A batch anchors one root on chain; anyone can then prove that a serial belongs to the batch
with a proof that OpenZeppelin Contracts 5 ``MerkleProof.verify`` accepts. The tree is built
exactly like ``StandardMerkleTree.of(serials.map(s => [s]), ["string"])`` from the JS library
``@openzeppelin/merkle-tree`` (default ``sortLeaves: true``), so roots and proofs match the JS
tooling:

- leaf = ``keccak256(bytes.concat(keccak256(abi.encode(serial))))``, see
  :func:`shanglian.gs1.serial_leaf`;
- leaf hashes are sorted ascending and stored in reverse order at the end of a flat array of
  ``2n - 1`` nodes, so sorted leaf ``i`` sits at index ``2n - 2 - i``;
- node ``i`` hashes its children ``2i + 1`` and ``2i + 2`` smaller-first, like
  ``Hashes.commutativeKeccak256``; node 0 is the root.

Hashing goes through safe-pysha3's keccak directly: a tree is three hashes per serial, and a
province's ten million serials are hashed by the producer and again by every resolver that checks
the published lists (eth_hash's default pycryptodome backend measured about three times slower).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sha3 import keccak_256

from shanglian.errors import InputError
from shanglian.gs1 import serial_leaf, validate_serial

__all__ = ["HashTree", "SerialTree", "serial_range", "verify"]


class HashTree:
    """An OpenZeppelin-layout tree over given 32-byte leaf hashes (already double hashed)."""

    __slots__ = ("_nodes", "_position")

    def __init__(self, leaves: Sequence[bytes]) -> None:
        if not leaves:
            raise InputError("leaves", "a tree needs at least one leaf")
        count = len(leaves)
        # Internal slots first, then the leaves in descending hash order (OZ's reversed layout).
        nodes = [b""] * (count - 1) + sorted(leaves, reverse=True)
        hash_ = keccak_256  # local name: this loop runs once per internal node
        for i in range(count - 2, -1, -1):
            left, right = nodes[2 * i + 1], nodes[2 * i + 2]
            # Bytes order equals uint256 order for 32-byte values, so this is the sorted pair.
            nodes[i] = hash_(left + right if left <= right else right + left).digest()
        self._nodes = nodes
        self._position = {nodes[i]: i for i in range(count - 1, len(nodes))}

    @property
    def root(self) -> bytes:
        return self._nodes[0]

    def position(self, leaf: bytes) -> int | None:
        return self._position.get(leaf)

    def node(self, position: int) -> bytes:
        return self._nodes[position]

    def proof_of(self, position: int) -> list[bytes]:
        """Sibling hashes from the node at `position` up to the root, as ``MerkleProof.verify`` wants."""
        proof = []
        while position > 0:
            # Odd indices are left children, so their sibling is to the right.
            proof.append(self._nodes[position + 1 if position % 2 else position - 1])
            position = (position - 1) // 2
        return proof

    def proof(self, leaf: bytes) -> list[bytes]:
        position = self._position.get(leaf)
        if position is None:
            raise InputError("leaf", f"0x{leaf.hex()} is not in this tree")
        return self.proof_of(position)


class SerialTree:
    """The Merkle tree of one batch's serials; ``root`` is what goes on chain."""

    __slots__ = ("_tree", "_index")

    def __init__(self, serials: Iterable[str]) -> None:
        leaves: dict[str, bytes] = {}
        for serial in serials:
            if serial in leaves:
                raise InputError("serials", f"duplicate serial {serial!r}")
            leaves[serial] = serial_leaf(serial)
        if not leaves:
            raise InputError("serials", "a batch needs at least one serial")
        self._tree = HashTree(list(leaves.values()))
        self._index = {serial: self._tree.position(leaf) for serial, leaf in leaves.items()}

    @property
    def root(self) -> bytes:
        """The 32-byte root to anchor on chain."""
        return self._tree.root

    def leaf(self, serial: str) -> bytes:
        """The leaf hash of a serial in this batch."""
        return self._tree.node(self._position(serial))

    def proof(self, serial: str) -> list[bytes]:
        """Sibling hashes from the serial's leaf up to the root, as ``MerkleProof.verify`` wants."""
        return self._tree.proof_of(self._position(serial))

    def _position(self, serial: str) -> int:
        index = self._index.get(serial)
        if index is None:
            raise InputError("serial", f"{serial!r} is not in this batch")
        return index

    def __len__(self) -> int:
        return len(self._index)

    def __contains__(self, serial: object) -> bool:
        return isinstance(serial, str) and serial in self._index

    def __repr__(self) -> str:
        return f"SerialTree({len(self)} serials, root=0x{self.root.hex()})"


def verify(proof: Sequence[bytes], root: bytes, leaf: bytes) -> bool:
    """Mirror of OpenZeppelin ``MerkleProof.verify``: fold the proof into ``leaf``, compare."""
    for name, value in (("root", root), ("leaf", leaf), *(("proof", node) for node in proof)):
        if len(value) != 32:
            raise InputError(name, f"must be 32 bytes, got {len(value)}")
    computed = leaf
    for sibling in proof:
        computed = keccak_256(computed + sibling if computed <= sibling else sibling + computed).digest()
    return computed == root


def serial_range(prefix: str, start: int, stop: int, width: int = 0) -> list[str]:
    """Serials ``prefix + number`` for numbers in ``range(start, stop)`` (stop is exclusive).

    Numbers are zero-padded to ``width`` digits, e.g. ``serial_range("PEAR-", 1, 3, 6)`` gives
    ``["PEAR-000001", "PEAR-000002"]``.
    """
    if start < 0:
        raise InputError("start", f"must not be negative, got {start}")
    if stop <= start:
        raise InputError("stop", f"must be greater than start ({start}), got {stop}")
    if width < 0:
        raise InputError("width", f"must not be negative, got {width}")
    if width and len(str(stop - 1)) > width:
        # Wider numbers would make serials of uneven length within one batch.
        raise InputError("width", f"{stop - 1} has more than {width} digits")
    serials = [f"{prefix}{number:0{width}d}" for number in range(start, stop)]
    # The last serial is the longest, so checking it covers both length and prefix characters.
    validate_serial(serials[-1])
    return serials
