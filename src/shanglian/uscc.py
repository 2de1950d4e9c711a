"""Unified social credit codes (统一社会信用代码), GB 32100-2015.

Eighteen characters from a 31-character alphabet (digits and capitals without I, O, S, V, Z):
registration authority (1), organisation type (1, the kinds that authority registers),
administrative division (6, a GB/T 2260 code: :mod:`shanglian.regions`), organisation code (9),
and a check character computed mod 31 with weights 3^i mod 31.
"""

from __future__ import annotations

import re
from operator import mul
from typing import NoReturn

from shanglian import regions
from shanglian.errors import InputError

#: GB 32100-2015 table 1 (登记管理部门代码 → 机构类别代码), with the authorities added since (A: the
#: Central Military Commission's organisation office, N: agriculture and rural affairs).
AUTHORITIES: dict[str, tuple[str, dict[str, str]]] = {
    "1": ("机构编制", {"1": "机关", "2": "事业单位", "3": "中央编办直接管理机构编制的群众团体", "9": "其他"}),
    "2": ("外交", {"1": "外国常驻新闻机构", "9": "其他"}),
    "3": ("司法行政", {"1": "律师执业机构", "2": "公证处", "3": "基层法律服务所", "4": "司法鉴定机构",
                      "5": "仲裁委员会", "9": "其他"}),
    "4": ("文化", {"1": "外国在华文化中心", "9": "其他"}),
    "5": ("民政", {"1": "社会团体", "2": "民办非企业单位", "3": "基金会", "9": "其他"}),
    "6": ("旅游", {"1": "外国旅游部门常驻代表机构", "2": "港澳台地区旅游部门常驻内地（大陆）代表机构", "9": "其他"}),
    "7": ("宗教", {"1": "宗教活动场所", "2": "宗教院校", "9": "其他"}),
    "8": ("工会", {"1": "基层工会", "9": "其他"}),
    "9": ("工商", {"1": "企业", "2": "个体工商户", "3": "农民专业合作社"}),
    "A": ("中央军委改革和编制办公室", {"1": "军队事业单位", "9": "其他"}),
    "N": ("农业", {"1": "组级集体经济组织", "2": "村级集体经济组织", "3": "乡镇级集体经济组织", "9": "其他"}),
    "Y": ("其他", {"1": "其他"}),
}

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
    authority = AUTHORITIES.get(normalised[0])
    if authority is None:
        raise InputError(field, f"character 1 ({normalised[0]!r}) is no registration authority of GB 32100 "
                                f"(one of {', '.join(AUTHORITIES)})")
    if normalised[1] not in authority[1]:
        raise InputError(field, f"character 2 ({normalised[1]!r}) is no organisation type that authority "
                                f"{normalised[0]} ({authority[0]}) registers (one of {', '.join(authority[1])})")
    if not regions.is_division(normalised[2:8]):
        raise InputError(field, f"characters 3-8 ({normalised[2:8]}) are no GB/T 2260 administrative division")
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
