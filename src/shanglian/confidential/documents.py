"""An invoice as salted leaves of a Merkle tree, commitments, the invoice key, and disclosures.

The leaves (Centrifuge's precise proofs, in OpenZeppelin's tree layout so that the contract's
``MerkleProof`` verifies them):

    leaf(field, value, salt) = keccak256(keccak256(abi.encode(string field, bytes value, bytes32 salt)))

where `value` is 32 big-endian bytes for a whole number (fen, unix seconds) and UTF-8 for text. Each
field's salt is ``HMAC-SHA256(seed, "shanglian/salt/" + field)`` from the document's random 32-byte
seed: whoever holds the seed (the parties the document is sealed to) can rebuild every leaf; a
disclosure hands out single salts, which say nothing about the seed or the other fields. The root is all
the chain keeps of the invoice.

A commitment to one value (a financing price, a payment reference) is the same leaf over a fresh random
salt. The invoice key, the debtor's one-receivable check, is ``HMAC-SHA256(secret, invoice number)``
with a secret derived from the debtor's account key: the same invoice always gives the same key for its
debtor, and nobody without the secret can test a guessed invoice number against the chain.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from eth_abi import encode as abi_encode
from eth_hash.auto import keccak

from shanglian import merkle
from shanglian.errors import DisclosureError, InputError

__all__ = [
    "FIELDS",
    "DISCLOSURE_FORMAT",
    "Disclosure",
    "InvoiceDocument",
    "commitment",
    "field_leaf",
    "invoice_key",
    "issuer_secret",
    "new_salt",
    "verify_disclosure",
]

# The invoice's fields, in the order they are listed; whole numbers are fen or unix seconds.
FIELDS = ("invoice_number", "invoice_date", "face_value", "currency", "due")
_WHOLE = {"face_value", "due", "price"}
DISCLOSURE_FORMAT = "shanglian-disclosure/1"
_CURRENCY = re.compile(r"^[A-Z]{3}$")
# Sealed copies pay gas per byte (calldata and log), so the payload names fields with one letter.
_SHORT = {"invoice_number": "n", "invoice_date": "i", "face_value": "f", "currency": "c", "due": "u"}


def new_salt() -> bytes:
    return secrets.token_bytes(32)


def _encode(name: str, value: Any) -> bytes:
    if name in _WHOLE:
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**256:
            raise DisclosureError(name, f"{value!r} is not a whole number")
        return value.to_bytes(32, "big")
    if not isinstance(value, str):
        raise DisclosureError(name, f"{value!r} is not text")
    return value.encode("utf-8")


def field_leaf(name: str, value: Any, salt: bytes) -> bytes:
    """The leaf of one field (see the module docstring)."""
    inner = keccak(abi_encode(["string", "bytes", "bytes32"], [name, _encode(name, value), salt]))
    return keccak(inner)


def commitment(name: str, value: Any, salt: bytes) -> bytes:
    """A commitment to one value: its leaf under a fresh salt (``new_salt()``), e.g. ``("price", fen)``."""
    return field_leaf(name, value, salt)


def issuer_secret(private_key: bytes) -> bytes:
    """The debtor's invoice-key secret, derived from its account key (HMAC-SHA256 as a key derivation)."""
    return hmac.new(bytes(private_key), b"shanglian/invoice-key-secret", hashlib.sha256).digest()


def invoice_key(secret: bytes, invoice_number: str) -> bytes:
    """The debtor's key of an invoice: the same number always gives the same key (spaces and case do not
    matter), and no one without `secret` can compute it."""
    normal = " ".join(invoice_number.split()).upper()
    return hmac.new(secret, b"shanglian/invoice-key/" + normal.encode("utf-8"), hashlib.sha256).digest()


@dataclass(frozen=True)
class InvoiceDocument:
    """The facts of a confidential receivable and the seed of its salts."""

    invoice_number: str
    invoice_date: str  # ISO date
    face_value: int  # fen
    currency: str
    due: int  # unix seconds, as the contract stores the due date
    seed: bytes = field(default_factory=new_salt, repr=False)

    def __post_init__(self) -> None:
        if not self.invoice_number.strip() or len(self.invoice_number.encode("utf-8")) > 128:
            raise InputError("invoice_number", "must be 1 .. 128 bytes of text")
        try:
            dt.date.fromisoformat(self.invoice_date)
        except (TypeError, ValueError):
            raise InputError("invoice_date", f"{self.invoice_date!r} is not an ISO date (YYYY-MM-DD)") from None
        if isinstance(self.face_value, bool) or not isinstance(self.face_value, int) or self.face_value <= 0:
            raise InputError("face_value", "must be a positive number of fen")
        if not _CURRENCY.match(self.currency):
            raise InputError("currency", f"{self.currency!r} is not an ISO 4217 code")
        if len(self.seed) != 32:
            raise InputError("seed", "must be 32 bytes")

    def values(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in FIELDS}

    def salt(self, name: str) -> bytes:
        self._known(name)
        return hmac.new(self.seed, b"shanglian/salt/" + name.encode(), hashlib.sha256).digest()

    def leaf(self, name: str) -> bytes:
        return field_leaf(name, getattr(self, self._known(name)), self.salt(name))

    def tree(self) -> merkle.HashTree:
        return merkle.HashTree([self.leaf(name) for name in FIELDS])

    @property
    def root(self) -> bytes:
        return self.tree().root

    def proof(self, name: str) -> list[bytes]:
        return self.tree().proof(self.leaf(name))

    def to_payload(self) -> dict[str, Any]:
        """What is sealed to the parties: every field (one-letter keys) and the seed ("s", base64)."""
        payload: dict[str, Any] = {_SHORT[name]: value for name, value in self.values().items()}
        payload["s"] = base64.b64encode(self.seed).decode("ascii")
        return payload

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> InvoiceDocument:
        try:
            values = {name: payload[short] for name, short in _SHORT.items()}
            return cls(**values, seed=base64.b64decode(payload["s"], validate=True))
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError("envelope", f"the sealed invoice is incomplete or malformed ({exc})") from None

    def disclose(self, names: Iterable[str], **context: Any) -> Disclosure:
        """A disclosure of exactly the fields `names` (each with its salt and proof); `context` names the
        receivable (chain_id, contract, token, slot) and the recipient."""
        chosen = list(dict.fromkeys(names))
        if not chosen:
            raise InputError("fields", f"name at least one of {', '.join(FIELDS)}")
        tree = self.tree()
        entries = {
            name: {
                "value": getattr(self, self._known(name)),
                "salt": "0x" + self.salt(name).hex(),
                "proof": ["0x" + node.hex() for node in tree.proof(self.leaf(name))],
            }
            for name in chosen
        }
        return Disclosure(root="0x" + tree.root.hex(), fields=entries, context=dict(context))

    @staticmethod
    def _known(name: str) -> str:
        if name not in FIELDS:
            raise InputError("fields", f"{name!r} is not a field of an invoice ({', '.join(FIELDS)})")
        return name


@dataclass(frozen=True)
class Disclosure:
    """Some fields of one receivable's document with their salts and proofs, as written to a file."""

    root: str  # 0x hex of the document root the fields prove into
    fields: dict[str, dict[str, Any]]
    context: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> str:
        body = {"format": DISCLOSURE_FORMAT, **self.context, "root": self.root, "fields": self.fields}
        return json.dumps(body, indent=2, ensure_ascii=False, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Disclosure:
        try:
            body = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError("disclosure", f"is not JSON ({exc.msg} at line {exc.lineno})") from None
        if not isinstance(body, dict) or body.get("format") != DISCLOSURE_FORMAT:
            raise InputError("disclosure", f"is not a {DISCLOSURE_FORMAT} file")
        fields, root = body.pop("fields", None), body.pop("root", None)
        body.pop("format")
        if not isinstance(fields, dict) or not fields or not isinstance(root, str):
            raise InputError("disclosure", "has no root or no fields")
        return cls(root=root, fields=fields, context=body)


def _hex32(name: str, text: Any, what: str) -> bytes:
    try:
        raw = bytes.fromhex(str(text).removeprefix("0x"))
    except ValueError:
        raw = b""
    if len(raw) != 32:
        raise DisclosureError(name, f"its {what} is not 32 bytes of hex")
    return raw


def verify_disclosure(disclosure: Disclosure, root: bytes) -> list[str]:
    """Checks every field of `disclosure` against `root` (the document root the chain holds for the
    receivable); returns the proven field names. The first field that does not prove raises
    DisclosureError naming it (a changed value, a swapped salt, a field of another receivable)."""
    if _hex32("root", disclosure.root, "root") != root:
        raise DisclosureError("root", "the disclosure is of another document than the chain's receivable")
    proven = []
    for name, entry in disclosure.fields.items():
        if name not in FIELDS:
            raise DisclosureError(name, f"is not a field of an invoice ({', '.join(FIELDS)})")
        if not isinstance(entry, dict) or not {"value", "salt", "proof"} <= entry.keys():
            raise DisclosureError(name, "needs a value, a salt and a proof")
        proof = entry["proof"]
        if not isinstance(proof, list):
            raise DisclosureError(name, "its proof is not a list")
        leaf = field_leaf(name, entry["value"], _hex32(name, entry["salt"], "salt"))
        nodes = [_hex32(name, node, "proof") for node in proof]
        if not merkle.verify(nodes, root, leaf):
            raise DisclosureError(name, "does not prove into the receivable's document root (changed value or salt, "
                                  "or a field of another receivable)")
        proven.append(name)
    return proven
