"""What names things in provenance, checked as the contract checks them: batch ids and the ways to
name a batch (:data:`BatchRef`), item hashes, GTINs and GLNs, serial lists, document hashes, and the
contract's limits."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sha3 import keccak_256

from shanglian import gs1, validate
from shanglian.errors import InputError
from shanglian.merkle import serial_range

# Limits the contract enforces, checked here first so that nothing doomed is ever sent.
MAX_NAME_BYTES = 96
MAX_FEATURES_BYTES = 512
MAX_PLACE_BYTES = 96
MAX_URI_BYTES = 256
MAX_REASON_BYTES = 256
MAX_INPUTS = 64
MAX_SCANS_PER_CALL = 500
MAX_UINT32 = 2**32 - 1
GLN_LENGTH = 13
ZERO32 = bytes(32)

#: China Standard Time: production dates are calendar days in China; times are shown in CST.
CST = dt.timezone(dt.timedelta(hours=8), "CST")

_HEX32 = re.compile(r"^0x[0-9a-fA-F]{64}$")


BatchRef = bytes | str | tuple[str, str] | gs1.DigitalLink
#: Called with a new batch's id and serial list before the batch is sent (see create_batch).
KeepSerials = Callable[[bytes, list[str]], Any]


def batch_id(gtin: str, lot: str) -> bytes:
    """The contract's batch id: ``keccak256(abi.encodePacked(uint64 gtin, string lot))``."""
    return gs1.lot_id(gtin, lot)


def batch_key(ref: BatchRef, field: str = "batch") -> bytes:
    """The 32-byte id of a batch named by a :data:`BatchRef`."""
    if isinstance(ref, gs1.DigitalLink):
        if ref.lot is None:
            raise InputError(field, f"{ref.uri} names no lot (AI 10); a batch is named by /01/<gtin>/10/<lot>")
        return batch_id(ref.gtin, ref.lot)
    if isinstance(ref, (bytes, bytearray)):
        if len(ref) != 32:
            raise InputError(field, f"a batch id must be 32 bytes, got {len(ref)}")
        return bytes(ref)
    if isinstance(ref, tuple):
        if len(ref) != 2:
            raise InputError(field, "give a batch as (gtin, lot)")
        return batch_id(str(ref[0]), str(ref[1]))
    text = str(ref).strip()
    if _HEX32.match(text):
        return bytes.fromhex(text[2:])
    if text.startswith(("http://", "https://", "/")):
        return batch_key(gs1.parse_digital_link(text))
    gtin, sep, lot = text.partition(":")
    if sep and gtin.isdigit():
        return batch_id(gtin, lot)
    raise InputError(
        field,
        f"{text!r} names no batch; give its 0x id (64 hex digits), <gtin>:<lot>, or a Digital Link URI",
    )


def item_hash(serial: str) -> bytes:
    """The contract's item key: ``keccak256(bytes(serial))`` (safe-pysha3 directly: the resolver and
    its scan flusher hash one per page view and per scan)."""
    return keccak_256(gs1.validate_serial(serial).encode("ascii")).digest()


def normalize_gln(value: str | int) -> int:
    """Check a GLN-13 (GS1 Global Location Number with its mod-10 check digit); return it as an int."""
    text = str(value).strip()
    if not text or not all("0" <= c <= "9" for c in text):
        raise InputError("gln", f"must be 13 digits 0-9, got {text!r}")
    if len(text) > GLN_LENGTH:
        raise InputError("gln", f"must be at most {GLN_LENGTH} digits, got {len(text)} ({text!r})")
    text = text.zfill(GLN_LENGTH)
    if int(text) == 0:
        raise InputError("gln", "must not be zero")
    expected = gs1.gtin_check_digit(text[:-1])
    if text[-1] != expected:
        raise InputError("gln", f"wrong check digit in {text}: last digit is {text[-1]}, expected {expected}")
    return int(text)


def gln_text(gln: int) -> str:
    return str(gln).zfill(GLN_LENGTH)


def _gtin_uint(gtin: str | int) -> int:
    return gs1.gtin_to_uint(str(gtin).strip())


def _gtin14(value: int) -> str:
    return str(value).zfill(14)


def _hash_or_zero(value: str | bytes | None, field: str) -> bytes:
    if value is None or value == "":
        return ZERO32
    if isinstance(value, bytes):
        return validate.bytes32(value, field)
    return validate.document_hash(value, field)


def parse_serial_range(text: str) -> list[str]:
    """Serials from ``FIRST..LAST`` (both included), e.g. ``PEAR-000001..PEAR-001000``.

    Both ends share a prefix and end in a number of the same width; every serial in between is
    that prefix followed by the zero-padded number.
    """
    first, sep, last = text.strip().partition("..")
    if not sep:
        raise InputError(
            "serials", f"expected a range FIRST..LAST such as PEAR-000001..PEAR-001000, got {text!r}"
        )
    ends = []
    for end in (first.strip(), last.strip()):
        match = re.fullmatch(r"(.*?)([0-9]+)", end)
        if not match:
            raise InputError("serials", f"range end {end!r} must end in digits, e.g. PEAR-000001")
        ends.append(match)
    (prefix, start), (prefix_last, stop) = ends[0].groups(), ends[1].groups()
    if prefix != prefix_last:
        raise InputError(
            "serials", f"both ends of the range need the same prefix, got {prefix!r} and {prefix_last!r}"
        )
    if len(start) != len(stop):
        raise InputError(
            "serials", f"both ends of the range need numbers of the same width, got {start!r} and {stop!r}"
        )
    if int(stop) < int(start):
        raise InputError("serials", f"the range ends ({last.strip()}) before it starts ({first.strip()})")
    try:
        return serial_range(prefix, int(start), int(stop) + 1, len(start))
    except InputError as exc:
        raise InputError("serials", exc.reason) from None


def read_serial_file(path: str | Path) -> list[str]:
    """Serials from a UTF-8 text file, one per line (blank lines ignored), each checked."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError("serials", f"no file {path}") from None
    except UnicodeDecodeError:
        raise InputError("serials", f"{path} is not UTF-8 text") from None
    serials = []
    for number, line in enumerate(text.splitlines(), start=1):
        serial = line.strip()
        if not serial:
            continue
        try:
            serials.append(gs1.validate_serial(serial))
        except InputError as exc:
            raise InputError("serials", f"line {number} of {path}: {exc.reason}") from None
    if not serials:
        raise InputError("serials", f"{path} holds no serials")
    return serials


# Topics and values as the node returns them


def _topic32(value: bytes) -> str:
    return "0x" + value.hex()


def _uint_topic(value: int) -> str:
    return "0x" + value.to_bytes(32, "big").hex()


def _hex(value: bytes) -> str:
    return "0x" + bytes(value).hex()


def _nonzero(address: str) -> str | None:
    return None if int(address, 16) == 0 else address
