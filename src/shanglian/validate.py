"""Checks of user-supplied values, shared by the SDK and the CLI. Each failure is an InputError
naming the field, raised before any transaction is built."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from cchecksum import to_checksum_address  # eth_utils' own, with its hashing in C: bulk imports check every row
from sha3 import keccak_256  # safe-pysha3, the fastest keccak here (see signing.py)

from shanglian.errors import InputError

_HEX32 = re.compile(r"^(0x)?[0-9a-fA-F]{64}$")
_HEX_ADDRESS = re.compile(r"(0[xX])?[0-9a-fA-F]{40}")  # what eth_utils.is_hex_address takes


def address(value: str, field: str = "address") -> str:
    text = str(value).strip()
    if not _HEX_ADDRESS.fullmatch(text):
        raise InputError(field, f"{text!r} is not a 0x-prefixed 20-byte hex address")
    if text != text.lower() and text[2:] != text[2:].upper() and to_checksum_address(text) != text:
        raise InputError(field, f"{text!r} has a wrong checksum (mixed case must be EIP-55)")
    return to_checksum_address(text)


def text(value: str, field: str, max_bytes: int, min_bytes: int = 1) -> str:
    size = len(value.encode("utf-8"))
    if size < min_bytes:
        raise InputError(field, "must not be empty" if min_bytes == 1 else f"needs at least {min_bytes} bytes")
    if size > max_bytes:
        raise InputError(field, f"is {size} bytes of UTF-8; at most {max_bytes} allowed")
    return value


URI_SCHEMES = ("https", "http", "ipfs", "ar")


def uri(value: str, field: str, max_bytes: int = 256, required: bool = False) -> str:
    """A metadata URI: empty when optional, else scheme://… or ipfs://… without spaces."""
    from urllib.parse import urlparse

    if not value and not required:
        return value
    text(value, field, max_bytes)
    parsed = urlparse(value)
    if parsed.scheme not in URI_SCHEMES or not (parsed.netloc or parsed.path) or any(c.isspace() for c in value):
        raise InputError(field, f"{value!r} is not a URI ({', '.join(s + '://…' for s in URI_SCHEMES)})")
    return value


def bytes32(value: str | bytes, field: str) -> bytes:
    """A 32-byte hash given as hex; anything else is hashed only when the caller asks (see document_hash)."""
    if isinstance(value, bytes):
        if len(value) != 32:
            raise InputError(field, f"must be 32 bytes, got {len(value)}")
        return value
    if not _HEX32.match(value.strip()):
        raise InputError(field, "must be 32 bytes of hex (64 hex digits)")
    return bytes.fromhex(value.strip().removeprefix("0x"))


def document_hash(value: str, field: str) -> bytes:
    """A document reference: a 32-byte hex hash as is, or any other text hashed with keccak256."""
    if _HEX32.match(value.strip()):
        return bytes.fromhex(value.strip().removeprefix("0x"))
    if not value.strip():
        raise InputError(field, "must not be empty")
    return keccak_256(value.encode("utf-8")).digest()


def iso_date(value: str | dt.date, field: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise InputError(field, f"{value!r} is not an ISO date (YYYY-MM-DD)") from None


def future_timestamp(value: str | dt.date, field: str, now: int) -> int:
    """End of the given day in China Standard Time (UTC+8), which must lie after `now`."""
    day = iso_date(value, field)
    moment = dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=dt.timezone(dt.timedelta(hours=8)))
    stamp = int(moment.timestamp())
    if stamp <= now:
        raise InputError(field, f"{day.isoformat()} is not in the future")
    return stamp


def amount(value: str | Decimal, field: str = "amount", max_minor: int = 2**128 - 1) -> int:
    """Yuan with at most two decimals into fen (minor units); must be positive."""
    try:
        number = Decimal(str(value).replace(",", "").replace("¥", "").strip())
    except InvalidOperation:
        raise InputError(field, f"{value!r} is not a number of yuan") from None
    if not number.is_finite() or number <= 0:
        raise InputError(field, "must be a positive amount")
    minor = number * 100
    if minor != minor.to_integral_value():
        raise InputError(field, "has more than two decimals (fen are the smallest unit)")
    if int(minor) > max_minor:
        raise InputError(field, "is too large")
    return int(minor)


def positive_int(value: str | int, field: str, maximum: int = 2**256 - 1) -> int:
    try:
        number = int(str(value).strip())
    except ValueError:
        raise InputError(field, f"{value!r} is not a whole number") from None
    if number <= 0 or number > maximum:
        raise InputError(field, f"must be between 1 and {maximum}")
    return number
