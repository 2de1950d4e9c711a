"""GS1 identifiers for batch-level traceability: GTINs, lots, serials and Digital Link URIs.

Everything a label carries passes through here before it reaches the chain, so each check
fails with an :class:`~shanglian.errors.InputError` whose ``field`` names the value at fault
(``gtin``, ``lot``, ``serial``, ``uri`` or ``base``) and whose message says what to fix.

The module also derives the on-chain keys the contracts use for a GTIN, a lot and a serial,
so that the SDK and Solidity agree byte for byte.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, unquote_to_bytes, urlsplit

from eth_hash.auto import keccak
from sha3 import keccak_256

from shanglian.errors import InputError

__all__ = [
    "CSET82",
    "DEFAULT_BASE",
    "MAX_LOT_LENGTH",
    "MAX_SERIAL_LENGTH",
    "CompanyPrefix",
    "DigitalLink",
    "format_digital_link",
    "gtin_check_digit",
    "gtin_to_uint",
    "key12",
    "parse_company_prefix",
    "lot_id",
    "normalize_gtin",
    "parse_digital_link",
    "serial_leaf",
    "validate_lot",
    "validate_serial",
]

#: GS1 General Specifications, "GS1 AI encodable character set 82": what AI 10 and AI 21 may hold.
CSET82 = frozenset(
    "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
)
MAX_LOT_LENGTH = 20
MAX_SERIAL_LENGTH = 20
DEFAULT_BASE = "https://id.shanglian.example"

_GTIN_LENGTHS = (8, 12, 13, 14)
# Fast path for the common valid case; the slow path only runs to explain a failure.
_CSET82_RE = re.compile(r"[!\"%&'()*+,\-./0-9:;<=>?A-Z_a-z]+")
# A '%' not followed by two hex digits cannot be decoded unambiguously.
_BAD_PERCENT_RE = re.compile(r"%(?![0-9A-Fa-f]{2})")
# Digital Link path order for a GTIN: the primary key, then its qualifiers, each optional, in this
# order: consumer product variant (AI 22), lot (AI 10), serial (AI 21) (GS1 Digital Link URI syntax
# 1.2, section 4.5).
_PATH_AI_RANK = {"01": 0, "22": 1, "10": 2, "21": 3}
MAX_CPV_LENGTH = 20
_ABI_STRING_OFFSET = (32).to_bytes(32, "big")


def gtin_check_digit(body: str) -> str:
    """Return the GS1 mod-10 check digit for ``body`` (a GTIN without its last digit)."""
    if not body or not body.isascii() or not body.isdigit():
        raise InputError("gtin", f"check digit needs a non-empty string of digits, got {body!r}")
    # Weights alternate 3, 1, 3, ... starting from the digit nearest the check digit.
    total = sum(int(digit) * (3 if i % 2 == 0 else 1) for i, digit in enumerate(reversed(body)))
    return str(-total % 10)


def normalize_gtin(value: str) -> str:
    """Check a GTIN-8/12/13/14 and return it as GTIN-14 (left-padded with zeros)."""
    for position, char in enumerate(value, start=1):
        # isdigit() alone would accept non-ASCII digits such as U+0663 or superscript two.
        if not ("0" <= char <= "9"):
            raise InputError(
                "gtin", f"must contain only digits 0-9; found {char!r} at position {position}"
            )
    if len(value) not in _GTIN_LENGTHS:
        raise InputError(
            "gtin", f"must be 8, 12, 13 or 14 digits long, got {len(value)} digits ({value!r})"
        )
    expected = gtin_check_digit(value[:-1])
    if value[-1] != expected:
        raise InputError(
            "gtin",
            f"wrong check digit in {value}: last digit is {value[-1]}, expected {expected}",
        )
    return value.zfill(14)


def validate_lot(lot: str) -> str:
    """Check a batch/lot number (AI 10) and return it unchanged."""
    _validate_cset82("lot", lot, MAX_LOT_LENGTH)
    return lot


def validate_serial(serial: str) -> str:
    """Check a serial number (AI 21) and return it unchanged."""
    _validate_cset82("serial", serial, MAX_SERIAL_LENGTH)
    return serial


def _validate_cset82(field: str, value: str, max_length: int) -> None:
    if not value:
        raise InputError(field, "must not be empty")
    if len(value) > max_length:
        raise InputError(
            field, f"must be at most {max_length} characters, got {len(value)} ({value!r})"
        )
    if _CSET82_RE.fullmatch(value):
        return
    position, char = next((i, c) for i, c in enumerate(value, start=1) if c not in CSET82)
    raise InputError(
        field,
        f"character {char!r} at position {position} of {value!r} is not in the "
        "GS1 AI encodable character set 82",
    )


@dataclass(frozen=True)
class DigitalLink:
    """A GS1 Digital Link of a product (GTIN), one of its lots, an item by lot and serial, or an item
    by serial alone (GTIN + serial is the item's GS1 key, the SGTIN), optionally qualified by a
    consumer product variant (AI 22).

    ``gtin`` is stored as GTIN-14 whatever form it was given in. ``base`` is everything before
    ``/01/``: scheme, host and optional path prefix, or ``""`` for a bare path. Construction
    validates every field, so an instance always renders a well-formed URI.
    """

    gtin: str
    lot: str | None
    serial: str | None = None
    base: str = DEFAULT_BASE
    cpv: str | None = None

    def __post_init__(self) -> None:
        # Frozen dataclass: normalised values have to be written past __setattr__.
        object.__setattr__(self, "gtin", normalize_gtin(self.gtin))
        if self.lot is not None:
            validate_lot(self.lot)
        if self.serial is not None:
            validate_serial(self.serial)
        if self.cpv is not None:
            _validate_cset82("cpv", self.cpv, MAX_CPV_LENGTH)
        object.__setattr__(self, "base", _check_base(self.base))

    @property
    def uri(self) -> str:
        """The link as ``<base>/01/<gtin14>[/22/<cpv>][/10/<lot>][/21/<serial>]``, values
        percent-encoded (a "/" in a value as %2F)."""
        path = f"/01/{self.gtin}"
        for ai, value in (("22", self.cpv), ("10", self.lot), ("21", self.serial)):
            if value is not None:
                path += f"/{ai}/{_encode(value)}"
        return self.base + path

    @property
    def level(self) -> str:
        """What the link names: ``item`` (lot and serial), ``serial`` (serial without lot), ``lot``
        or ``product``."""
        if self.serial is not None:
            return "item" if self.lot is not None else "serial"
        return "lot" if self.lot is not None else "product"


def _encode(value: str) -> str:
    # GS1 DL 1.2: everything outside the RFC 3986 unreserved set is percent-encoded,
    # which quote() does when no character is declared safe.
    return quote(value, safe="")


def _check_base(base: str) -> str:
    if base == "":
        return base
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InputError("base", f"must be an http(s) URL with a host, got {base!r}")
    if "?" in base or "#" in base:
        raise InputError("base", f"must not carry a query or fragment, got {base!r}")
    # The parser takes the first '01' segment as the GTIN key, so the prefix must not hold one.
    if "01" in parts.path.split("/"):
        raise InputError("base", f"path must not contain a '01' segment, got {base!r}")
    return base.rstrip("/")


def format_digital_link(
    gtin: str, lot: str | None, serial: str | None = None, base: str = DEFAULT_BASE
) -> str:
    """Render ``<base>/01/<gtin14>[/10/<lot>][/21/<serial>]`` after validating every part."""
    return DigitalLink(gtin=gtin, lot=lot, serial=serial, base=base).uri


def parse_digital_link(uri: str) -> DigitalLink:
    """Parse a GS1 Digital Link URI (any http(s) host and path prefix) or a bare ``/01/`` path.

    The GTIN may be in 8/12/13/14-digit form, followed by the qualifiers the GS1 Digital Link URI
    syntax allows for it, each optional and in this order: AI 22 (consumer product variant), AI 10
    (lot), AI 21 (serial). Values are percent-decoded after the path is split, so a "/" inside a
    value is written %2F. One trailing "/" is ignored, as are a query string and a fragment.
    """
    parts = urlsplit(uri.strip())
    if parts.scheme or parts.netloc:
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise InputError("uri", f"must be an http(s) URI with a host, got {uri!r}")
        origin = f"{parts.scheme}://{parts.netloc}"
    elif parts.path.startswith("/"):
        origin = ""
    else:
        raise InputError(
            "uri", f"expected an http(s) URI or a path starting with /01/, got {uri!r}"
        )

    path = parts.path
    if path.endswith("/") and not path.endswith("//"):
        path = path[:-1]
    segments = path.split("/")
    if "01" not in segments:
        raise InputError("uri", f"no /01/ (GTIN) segment in the path of {uri!r}")
    start = segments.index("01")
    pairs = segments[start:]
    if len(pairs) % 2:
        raise InputError(
            "uri",
            f"odd number of path segments from /01/ on ({len(pairs)}): expected AI/value pairs such as "
            "/01/<gtin>/10/<lot>/21/<serial>; a '/' inside a lot or serial is written %2F",
        )

    values: dict[str, str] = {}
    last_rank = -1
    for ai, raw in zip(pairs[0::2], pairs[1::2]):
        rank = _PATH_AI_RANK.get(ai)
        if rank is None:
            raise InputError(
                "uri",
                f"unknown or unsupported AI {ai!r} in path; "
                "only 22 (variant), 10 (lot) and 21 (serial) may follow 01, in that order",
            )
        if rank <= last_rank:
            raise InputError("uri", f"AI {ai} repeated or out of order; expected /01/../22/../10/../21/..")
        last_rank = rank
        values[ai] = raw

    def decoded(ai: str, field: str) -> str | None:
        return None if ai not in values else _decode(field, values[ai])

    return DigitalLink(
        gtin=_decode("gtin", values["01"]),
        lot=decoded("10", "lot"),
        serial=decoded("21", "serial"),
        base=origin + "/".join(segments[:start]),
        cpv=decoded("22", "cpv"),
    )


def _decode(field: str, raw: str) -> str:
    bad = _BAD_PERCENT_RE.search(raw)
    if bad:
        raise InputError(
            field,
            f"malformed percent-escape at position {bad.start() + 1} of {raw!r}; "
            "write '%' as %25",
        )
    try:
        return unquote_to_bytes(raw).decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(field, f"percent-encoded bytes in {raw!r} are not valid UTF-8") from None


@dataclass(frozen=True)
class CompanyPrefix:
    """A GS1 Company Prefix as the registry keys it: its value and its length in digits (leading
    zeros count: ``0690123`` and ``690123`` are different prefixes)."""

    value: int
    digits: int

    def __str__(self) -> str:
        return str(self.value).zfill(self.digits)


def parse_company_prefix(text: str | int) -> CompanyPrefix:
    """A GS1 Company Prefix of 4 to 12 digits, written as its digits (e.g. ``6901234``)."""
    raw = str(text).strip()
    if not raw.isascii() or not raw.isdigit() or not 4 <= len(raw) <= 12:
        raise InputError("prefix", f"a GS1 Company Prefix is 4 to 12 digits, got {text!r}")
    return CompanyPrefix(int(raw), len(raw))


def key12(code: str, kind: str = "gtin") -> int:
    """The twelve digits of a GTIN (after its indicator) or GLN-13 that carry its company prefix,
    as the registry's ``prefixOf`` takes them."""
    if kind == "gtin":
        return int(normalize_gtin(code)[1:13])
    digits = str(code).strip()
    if len(digits) != 13 or not digits.isdigit():
        raise InputError("gln", f"a GLN has 13 digits, got {code!r}")
    return int(digits[:12])


def gtin_to_uint(gtin14: str) -> int:
    """The GTIN as the ``uint64`` the contracts key products by (any valid GTIN form)."""
    # Leading zeros carry no value, so GTIN-13 and its GTIN-14 form map to the same integer.
    return int(normalize_gtin(gtin14))


def lot_id(gtin14: str, lot: str) -> bytes:
    """``keccak256(abi.encodePacked(uint64 gtin, string lot))``: the contracts' bytes32 lot key."""
    validate_lot(lot)
    return keccak(gtin_to_uint(gtin14).to_bytes(8, "big") + lot.encode("ascii"))


def serial_leaf(serial: str) -> bytes:
    """Merkle leaf of a serial, as OpenZeppelin's ``StandardMerkleTree.of([[serial]], ["string"])``.

    That is ``keccak256(bytes.concat(keccak256(abi.encode(serial))))``; hashing twice keeps a
    leaf from ever being mistaken for an internal node (second-preimage protection).
    """
    validate_serial(serial)
    data = serial.encode("ascii")
    # abi.encode(string) by hand (eth_abi is ~20x slower and this runs once per serial):
    # head word = offset 0x20, then the length word, then the bytes right-padded to 32.
    encoded = (
        _ABI_STRING_OFFSET + len(data).to_bytes(32, "big") + data + bytes(-len(data) % 32)
    )
    # safe-pysha3 directly: this runs twice per serial of every batch (see shanglian.merkle)
    return keccak_256(keccak_256(encoded).digest()).digest()
