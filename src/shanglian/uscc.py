"""Unified social credit codes (统一社会信用代码), GB 32100-2015.

Eighteen characters from a 31-character alphabet (digits and capitals without I, O, S, V, Z):
registration authority (1), organisation type (1), administrative division (6, GB/T 2260),
organisation code (9), and a check character computed mod 31 with weights 3^i mod 31.
"""

from __future__ import annotations

import re
from operator import mul
from typing import NoReturn

from shanglian.errors import InputError

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {char: value for value, char in enumerate(ALPHABET)}
_WEIGHTS = [pow(3, i, 31) for i in range(17)]
_WELL_FORMED = re.compile(f"[{ALPHABET}]{{2}}[0-9]{{6}}[{ALPHABET}]{{10}}")


def check_character(body: str) -> str:
    """The check character for the first 17 characters of a credit code."""
    remainder = sum(map(mul, map(_VALUE.__getitem__, body[:17]), _WEIGHTS)) % 31
    return ALPHABET[(31 - remainder) % 31]


def validate(code: str, field: str = "credit_code") -> str:
    """Returns the normalised (upper-case, trimmed) code, or raises InputError naming ``field``."""
    normalised = code.strip().upper()
    if not _WELL_FORMED.fullmatch(normalised):  # one match for the common case (bulk imports check every row)
        _explain(normalised, field)
    expected = check_character(normalised)
    if normalised[17] != expected:
        raise InputError(field, f"check character is {normalised[17]!r}, expected {expected!r}")
    return normalised


def _explain(normalised: str, field: str) -> NoReturn:
    """Raises InputError naming what makes `normalised` (not well formed) no credit code."""
    if len(normalised) != 18:
        raise InputError(field, f"a credit code has 18 characters, got {len(normalised)}")
    for position, char in enumerate(normalised, start=1):
        if char not in _VALUE:
            raise InputError(field, f"character {char!r} at position {position} is not allowed")
    raise InputError(field, "characters 3-8 must be the 6-digit administrative division code")


def with_check_character(body: str) -> str:
    """Completes a 17-character body into a valid credit code (used by demos and tests)."""
    return body + check_character(body)


def to_bytes18(code: str) -> bytes:
    """The on-chain form: the 18 ASCII characters."""
    return validate(code).encode("ascii")


def from_bytes18(raw: bytes) -> str:
    return bytes(raw).rstrip(b"\0").decode("ascii", errors="replace")
