"""Facts sealed to the parties' own account keys (ECIES over secp256k1, from eciespy).

An envelope is what the contract's ``FactsSealed`` event carries: a version byte, then for each recipient
a two-byte length and an eciespy ciphertext (compressed ephemeral key, AES-256-GCM) of the same JSON
payload. Recipients are not named: a party finds its copy by trying its key on each (the GCM tag fails
for every other key), so an observer learns only how many copies there are.

Public keys come from the chain: an account publishes its own key once (``publishEncryptionKey``; the
contract checks it hashes to the caller) and the contract keeps its x coordinate; :func:`public_key_from_x`
finds the y coordinate whose key hashes to the account.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import ecies
from coincurve import PrivateKey, PublicKey
from ecies.config import Config
from eth_hash.auto import keccak
from eth_utils import to_checksum_address

from shanglian.errors import InputError

__all__ = ["ECIES", "VERSION", "address_of", "open_envelope", "public_key_from_x", "public_key_of", "seal"]

# secp256k1, HKDF-SHA256, AES-256-GCM with a 96-bit nonce; the ephemeral key compressed (33 bytes).
ECIES = Config(is_ephemeral_key_compressed=True, symmetric_nonce_length=12)
VERSION = 1


def public_key_of(private_key: bytes) -> bytes:
    """The 64-byte public key (x then y) of an account key, as ``publishEncryptionKey`` takes it."""
    return PrivateKey(bytes(private_key)).public_key.format(compressed=False)[1:]


def address_of(public_key: bytes) -> str:
    return to_checksum_address(keccak(bytes(public_key))[12:])


def public_key_from_x(x: bytes, account: str) -> bytes:
    """The 64-byte key of `account` from the x coordinate the contract keeps."""
    for prefix in (b"\x02", b"\x03"):
        try:
            key = PublicKey(prefix + bytes(x)).format(compressed=False)[1:]
        except ValueError:
            break
        if address_of(key) == to_checksum_address(account):
            return key
    raise InputError("key", f"the key published for {account} is not a point of its account key")


def seal(payload: dict[str, Any], recipients: Sequence[bytes]) -> bytes:
    """`payload` (JSON) encrypted to each 64-byte public key of `recipients`, duplicates dropped."""
    if not recipients:
        raise InputError("recipients", "an envelope needs at least one recipient")
    data = json.dumps(payload, separators=(",", ":"), ensure_ascii=False, sort_keys=True).encode("utf-8")
    out = bytearray([VERSION])
    for key in dict.fromkeys(bytes(k) for k in recipients):
        ciphertext = ecies.encrypt(b"\x04" + key, data, ECIES)
        out += len(ciphertext).to_bytes(2, "big") + ciphertext
    return bytes(out)


def _copies(envelope: bytes) -> list[bytes]:
    if not envelope or envelope[0] != VERSION:
        raise InputError("envelope", "is not a version-1 envelope of sealed facts")
    copies, at = [], 1
    while at < len(envelope):
        size = int.from_bytes(envelope[at : at + 2], "big")
        copy = envelope[at + 2 : at + 2 + size]
        if size == 0 or len(copy) != size:
            raise InputError("envelope", "is truncated")
        copies.append(copy)
        at += 2 + size
    return copies


def open_envelope(envelope: bytes, private_key: bytes) -> dict[str, Any] | None:
    """The payload of `envelope` if one of its copies is sealed to `private_key`, else None."""
    for copy in _copies(bytes(envelope)):
        try:
            data = ecies.decrypt(bytes(private_key), copy, ECIES)
        except ValueError:  # wrong key: the GCM tag does not verify
            continue
        return dict(json.loads(data))
    return None
