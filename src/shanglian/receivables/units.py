"""Money and ids of receivables: yuan and fen, fragment (token) and receivable (slot) ids, currency
codes; each checked without the chain."""

from __future__ import annotations

import re
from decimal import Decimal

from shanglian import validate
from shanglian.errors import InputError

ID_BASE = 10**7  # token id = slot * ID_BASE + index
MAX_INDEX = ID_BASE - 1
MAX_SLOT = 2**32 - 1
MAX_VALUE_FEN = 2**64 - 1  # the contract stores values in 64 bits
_CURRENCY = re.compile(r"^[A-Z]{3}$")


def to_fen(value: str | int | Decimal, field: str = "amount") -> int:
    """Yuan (``"1,000,000.00"``, ``"¥300000"``, ``Decimal("0.01")``) into fen; positive, at most two
    decimals, at most the contract's 64-bit maximum. Raises InputError naming `field`."""
    if isinstance(value, float):
        raise InputError(field, "give yuan as a string or Decimal, not a float (binary fractions lose fen)")
    return validate.amount(value, field, MAX_VALUE_FEN)


def to_yuan(fen: int) -> Decimal:
    """Fen into yuan with two decimals."""
    return (Decimal(int(fen)) / 100).quantize(Decimal("0.01"))


def format_yuan(value: Decimal | int, currency: str = "CNY") -> str:
    """``¥1,000,000.00`` (an int is taken as fen); other currencies as ``1,000.00 USD``."""
    yuan = to_yuan(value) if isinstance(value, int) else value
    return f"¥{yuan:,.2f}" if currency == "CNY" else f"{yuan:,.2f} {currency}"


def slot_of(token: int) -> int:
    return int(token) // ID_BASE


def index_of(token: int) -> int:
    return int(token) % ID_BASE


def token_id(slot: int, index: int = 1) -> int:
    return int(slot) * ID_BASE + int(index)


def check_token(value: str | int, field: str = "token") -> int:
    """A fragment id's shape (``slot * 10**7 + index``, both positive), checked without the chain."""
    if isinstance(value, bool):
        raise InputError(field, "is not a whole number")
    token = validate.positive_int(value, field, MAX_SLOT * ID_BASE + MAX_INDEX)
    if slot_of(token) == 0 or index_of(token) == 0:
        raise InputError(
            field, f"{token} is not a receivable fragment id (slot × 10,000,000 + fragment number)"
        )
    return token


def check_slot(value: str | int, field: str = "slot") -> int:
    if isinstance(value, bool):
        raise InputError(field, "is not a whole number")
    return validate.positive_int(value, field, MAX_SLOT)


def check_currency(value: str) -> bytes:
    text = str(value).strip()
    if not _CURRENCY.match(text):
        raise InputError(
            "currency", f"{value!r} is not an ISO 4217 code (three upper-case letters, e.g. CNY)"
        )
    return text.encode("ascii")
