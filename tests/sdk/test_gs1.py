"""Tests for shanglian.gs1: GTIN check digits, lot/serial rules, Digital Link and chain keys."""

from __future__ import annotations

import dataclasses
from contextlib import AbstractContextManager

import eth_abi
import pytest
from eth_abi.packed import encode_packed
from eth_utils import keccak

from shanglian.errors import InputError
from shanglian.gs1 import (
    CSET82,
    DEFAULT_BASE,
    DigitalLink,
    format_digital_link,
    gtin_check_digit,
    gtin_to_uint,
    lot_id,
    normalize_gtin,
    parse_digital_link,
    serial_leaf,
    validate_lot,
    validate_serial,
)

# CSet 82 in 20-character chunks, so every character can be tried within the length limit.
CSET82_CHUNKS = ["".join(sorted(CSET82))[i : i + 20] for i in range(0, 82, 20)]


def raises_for(field: str) -> AbstractContextManager[pytest.ExceptionInfo[InputError]]:
    """Expect an InputError for ``field`` (the exception is kept for message checks)."""
    return pytest.raises(InputError, match=rf"^{field}: ")


# --- check digits -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("gtin", "kind"),
    [
        ("4006381333931", "GTIN-13 (retail example)"),
        ("9506000134352", "GTIN-13 (GS1 Digital Link example)"),
        ("614141123452", "GTIN-12 / UPC-A (GS1 US example)"),
        ("96385074", "GTIN-8 (GS1 example)"),
    ],
)
def test_check_digit_of_known_gtins(gtin: str, kind: str) -> None:
    assert gtin_check_digit(gtin[:-1]) == gtin[-1], kind


def test_check_digit_is_unchanged_by_leading_zeros() -> None:
    assert gtin_check_digit("0950600013435") == gtin_check_digit("950600013435") == "2"


def test_check_digit_is_zero_when_weighted_sum_is_a_multiple_of_ten() -> None:
    # "55" weighs 5*1 + 5*3 = 20, so the digit is 0 rather than 10.
    assert gtin_check_digit("55") == "0"


@pytest.mark.parametrize("body", ["", "12a4", "１２３", "12 3"])
def test_check_digit_rejects_non_digit_bodies(body: str) -> None:
    with raises_for("gtin"):
        gtin_check_digit(body)


# --- GTIN normalisation -------------------------------------------------------------------


def test_normalize_pads_gtin13_to_gtin14() -> None:
    assert normalize_gtin("4006381333931") == "04006381333931"


@pytest.mark.parametrize(
    ("gtin", "gtin14"),
    [("614141123452", "00614141123452"), ("96385074", "00000096385074")],
)
def test_normalize_pads_gtin12_and_gtin8(gtin: str, gtin14: str) -> None:
    assert normalize_gtin(gtin) == gtin14


def test_normalize_keeps_gtin14() -> None:
    assert normalize_gtin("09506000134352") == "09506000134352"


def test_normalize_names_expected_check_digit() -> None:
    with raises_for("gtin") as caught:
        normalize_gtin("4006381333932")
    assert "last digit is 2, expected 1" in caught.value.reason


@pytest.mark.parametrize("length", [0, 1, 7, 9, 10, 11, 15, 18])
def test_normalize_rejects_wrong_length(length: int) -> None:
    with raises_for("gtin") as caught:
        normalize_gtin("1" * length)
    assert f"got {length} digits" in caught.value.reason


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("40063813A3931", "'A' at position 9"),
        (" 4006381333931", "' ' at position 1"),
        ("400638133393١", "'١' at position 13"),
        ("-4006381333931", "'-' at position 1"),
    ],
)
def test_normalize_names_non_digit_character(value: str, shown: str) -> None:
    with raises_for("gtin") as caught:
        normalize_gtin(value)
    assert shown in caught.value.reason


# --- lot and serial -----------------------------------------------------------------------


def test_cset82_has_82_characters() -> None:
    assert len(CSET82) == 82


@pytest.mark.parametrize("chunk", CSET82_CHUNKS)
def test_lot_accepts_every_cset82_character(chunk: str) -> None:
    assert validate_lot(chunk) == chunk


@pytest.mark.parametrize("chunk", CSET82_CHUNKS)
def test_serial_accepts_every_cset82_character(chunk: str) -> None:
    assert validate_serial(chunk) == chunk


def test_lot_accepts_twenty_characters() -> None:
    assert validate_lot("L" * 20) == "L" * 20


def test_lot_rejects_twenty_one_characters() -> None:
    with raises_for("lot") as caught:
        validate_lot("L" * 21)
    assert "at most 20" in caught.value.reason


def test_serial_rejects_twenty_one_characters() -> None:
    with raises_for("serial"):
        validate_serial("S" * 21)


def test_lot_rejects_empty() -> None:
    with raises_for("lot"):
        validate_lot("")


def test_serial_rejects_empty() -> None:
    with raises_for("serial"):
        validate_serial("")


@pytest.mark.parametrize(("lot", "char"), [("AB 12", "' '"), ("AB#1", "'#'"), ("AB~1", "'~'")])
def test_lot_names_offending_character(lot: str, char: str) -> None:
    with raises_for("lot") as caught:
        validate_lot(lot)
    assert f"character {char}" in caught.value.reason


def test_serial_rejects_non_ascii_and_names_it() -> None:
    with raises_for("serial") as caught:
        validate_serial("CAFÉ1")
    assert "'É' at position 4" in caught.value.reason


# --- Digital Link formatting --------------------------------------------------------------


def test_format_with_serial_uses_gtin14_and_default_base() -> None:
    assert (
        format_digital_link("4006381333931", "LOT1", "S1")
        == f"{DEFAULT_BASE}/01/04006381333931/10/LOT1/21/S1"
    )


def test_format_without_serial_stops_at_lot() -> None:
    assert (
        format_digital_link("9506000134352", "ABC123")
        == f"{DEFAULT_BASE}/01/09506000134352/10/ABC123"
    )


def test_format_percent_encodes_slash_and_percent() -> None:
    assert format_digital_link("9506000134352", "A/B%C", "1/2", base="https://x.example").endswith(
        "/10/A%2FB%25C/21/1%2F2"
    )


def test_format_percent_encodes_reserved_cset82_characters() -> None:
    uri = format_digital_link("9506000134352", "!\"&'()*+,", base="https://x.example")
    assert uri.endswith("/10/%21%22%26%27%28%29%2A%2B%2C")


def test_format_leaves_unreserved_characters_alone() -> None:
    assert format_digital_link("9506000134352", "Ab-9._z", base="").endswith("/10/Ab-9._z")


def test_format_strips_trailing_slash_of_base_and_keeps_prefix() -> None:
    uri = format_digital_link("9506000134352", "L", base="https://x.example/products/")
    assert uri == "https://x.example/products/01/09506000134352/10/L"


def test_format_rejects_non_ascii_lot() -> None:
    with raises_for("lot"):
        format_digital_link("9506000134352", "LÖT")


def test_format_rejects_bad_gtin() -> None:
    with raises_for("gtin"):
        format_digital_link("9506000134353", "L")


@pytest.mark.parametrize(
    "base",
    ["ftp://x.example", "x.example", "https://", "https://x.example?q=1", "https://x.example/01"],
)
def test_format_rejects_bad_base(base: str) -> None:
    with raises_for("base"):
        format_digital_link("9506000134352", "L", base=base)


@pytest.mark.parametrize("chunk", CSET82_CHUNKS)
def test_format_then_parse_round_trips_every_cset82_character(chunk: str) -> None:
    link = DigitalLink("9506000134352", lot=chunk, serial=chunk[::-1], base="https://x.example")
    assert parse_digital_link(link.uri) == link


# --- DigitalLink dataclass ----------------------------------------------------------------


def test_digital_link_normalises_gtin_to_14_digits() -> None:
    assert DigitalLink("96385074", "L").gtin == "00000096385074"


def test_digital_link_is_frozen() -> None:
    link = DigitalLink("9506000134352", "L")
    with pytest.raises(dataclasses.FrozenInstanceError):
        link.lot = "M"  # type: ignore[misc]


def test_digital_link_uri_matches_format() -> None:
    link = DigitalLink("9506000134352", "L1", "S1", "https://x.example")
    assert link.uri == format_digital_link("9506000134352", "L1", "S1", "https://x.example")


def test_digital_link_rejects_bad_serial() -> None:
    with raises_for("serial"):
        DigitalLink("9506000134352", "L", serial="S 1")


# --- Digital Link parsing -----------------------------------------------------------------


def test_parse_gs1_example_uri() -> None:
    link = parse_digital_link("https://id.gs1.org/01/09506000134352/10/ABC123/21/XYZ")
    assert link == DigitalLink("09506000134352", "ABC123", "XYZ", "https://id.gs1.org")


def test_parse_bare_path_has_empty_base() -> None:
    link = parse_digital_link("/01/09506000134352/10/ABC123")
    assert (link.base, link.gtin, link.lot, link.serial) == ("", "09506000134352", "ABC123", None)


def test_parse_bare_path_round_trips() -> None:
    assert parse_digital_link("/01/09506000134352/10/ABC123").uri == "/01/09506000134352/10/ABC123"


def test_parse_ignores_query_string() -> None:
    link = parse_digital_link("https://id.gs1.org/01/09506000134352/10/ABC123/21/XYZ?linkType=all")
    assert link.serial == "XYZ"
    assert "?" not in link.uri


def test_parse_ignores_fragment() -> None:
    assert parse_digital_link("/01/09506000134352/10/ABC123#top").lot == "ABC123"


def test_parse_keeps_path_prefix_in_base() -> None:
    link = parse_digital_link("http://brand.example/p/x/01/09506000134352/10/ABC")
    assert link.base == "http://brand.example/p/x"


@pytest.mark.parametrize("gtin", ["9506000134352", "614141123452", "96385074"])
def test_parse_normalises_short_gtin_to_14(gtin: str) -> None:
    assert parse_digital_link(f"/01/{gtin}/10/L").gtin == gtin.zfill(14)


def test_parse_percent_decodes_lot_and_serial() -> None:
    link = parse_digital_link("/01/09506000134352/10/A%2FB%25C/21/1%2f2")
    assert (link.lot, link.serial) == ("A/B%C", "1/2")


def test_parse_accepts_unencoded_sub_delimiters() -> None:
    assert parse_digital_link("/01/09506000134352/10/A!(1)*").lot == "A!(1)*"


def test_parse_accepts_lot_that_looks_like_an_ai() -> None:
    link = parse_digital_link("/01/09506000134352/10/01/21/10")
    assert (link.lot, link.serial) == ("01", "10")


def test_parse_rejects_percent_encoded_non_ascii_lot() -> None:
    with raises_for("lot") as caught:
        parse_digital_link("/01/09506000134352/10/CAF%C3%89")
    assert "'É'" in caught.value.reason


def test_parse_rejects_raw_non_ascii_serial() -> None:
    with raises_for("serial"):
        parse_digital_link("/01/09506000134352/10/L/21/CAFÉ")


def test_parse_rejects_invalid_utf8_escape() -> None:
    with raises_for("serial"):
        parse_digital_link("/01/09506000134352/10/L/21/%FF")


@pytest.mark.parametrize("lot", ["100%", "A%2", "%ZZ"])
def test_parse_rejects_malformed_percent_escape(lot: str) -> None:
    with raises_for("lot") as caught:
        parse_digital_link(f"/01/09506000134352/10/{lot}")
    assert "%25" in caught.value.reason


@pytest.mark.parametrize(
    ("uri", "hint"),
    [
        ("https://id.gs1.org/gtin/09506000134352/10/A", "no /01/"),
        ("https://id.gs1.org/", "no /01/"),
        ("/01/09506000134352/10", "odd number"),
        ("/01/09506000134352/10/A/B/21/S", "a '/' inside a lot or serial is written %2F"),
        ("/01/09506000134352/17/250101/10/A", "unknown or unsupported AI '17'"),
        ("/01/09506000134352/10/L/22/V", "out of order"),
        ("/01/09506000134352/21/S/10/L", "out of order"),
        ("/01/09506000134352/10/L/10/M", "repeated"),
        ("ftp://id.gs1.org/01/09506000134352/10/A", "http(s)"),
        ("id.gs1.org/01/09506000134352/10/A", "path starting with /01/"),
    ],
)
def test_parse_structural_errors_name_uri(uri: str, hint: str) -> None:
    with raises_for("uri") as caught:
        parse_digital_link(uri)
    assert hint in caught.value.reason


def test_parse_ignores_one_trailing_slash() -> None:
    link = parse_digital_link("https://id.gs1.org/01/09506000134352/10/ABC123/21/XYZ/")
    assert (link.lot, link.serial, link.uri) == ("ABC123", "XYZ", "https://id.gs1.org/01/09506000134352/10/ABC123/21/XYZ")


def test_parse_serial_without_lot_names_the_item_by_gtin_and_serial() -> None:
    link = parse_digital_link("/01/09506000134352/21/S%2F2")
    assert (link.lot, link.serial, link.level, link.uri) == (None, "S/2", "serial", "/01/09506000134352/21/S%2F2")


def test_parse_lot_without_serial_is_a_lot_level_link() -> None:
    assert parse_digital_link("/01/09506000134352/10/AB%2F12").level == "lot"


def test_parse_product_level_link() -> None:
    link = parse_digital_link("https://id.gs1.org/01/09506000134352")
    assert (link.lot, link.serial, link.level) == (None, None, "product")


def test_parse_consumer_product_variant_qualifier() -> None:
    link = parse_digital_link("/01/09506000134352/22/2A/10/ABC/21/S1")
    assert (link.cpv, link.lot, link.serial, link.uri) == ("2A", "ABC", "S1", "/01/09506000134352/22/2A/10/ABC/21/S1")


# The GS1 Digital Link URI syntax read by an independent, well-kept parser (biip): every link this
# module writes parses there to the same element strings, "/" in values included.
REFERENCE_LINKS = [
    ("9506000134352", "AB/12", "X1", None),
    ("9506000134352", "DS2026-09", "S/2", None),
    ("9506000134352", None, "S/2", None),
    ("9506000134352", "L%1", None, None),
    ("9506000134352", "A!(1)*", "1/2", "V/1"),
    ("96385074", "L", "S", None),
]


@pytest.mark.parametrize(("gtin", "lot", "serial", "cpv"), REFERENCE_LINKS)
def test_links_parse_alike_in_the_reference_parser(gtin, lot, serial, cpv) -> None:
    from biip.gs1_digital_link_uris import GS1DigitalLinkURI

    link = DigitalLink(gtin, lot, serial, base="https://id.example", cpv=cpv)
    reference = {e.ai.ai: e.value for e in GS1DigitalLinkURI.parse(link.uri).element_strings}
    expected = {"01": link.gtin, "22": cpv, "10": lot, "21": serial}
    assert reference == {ai: value for ai, value in expected.items() if value is not None}
    assert parse_digital_link(link.uri) == link
    assert parse_digital_link(link.uri + "/") == link


def test_parse_bad_check_digit_names_gtin() -> None:
    with raises_for("gtin") as caught:
        parse_digital_link("https://id.gs1.org/01/09506000134353/10/ABC123")
    assert "expected 2" in caught.value.reason


def test_parse_too_long_lot_names_lot() -> None:
    with raises_for("lot"):
        parse_digital_link("/01/09506000134352/10/" + "L" * 21)


def test_parse_empty_lot_names_lot() -> None:
    with raises_for("lot"):
        parse_digital_link("/01/09506000134352/10//21/S")


def test_parse_bad_serial_character_names_serial() -> None:
    with raises_for("serial") as caught:
        parse_digital_link("/01/09506000134352/10/L/21/A~B")
    assert "'~'" in caught.value.reason


# --- keys the contracts use ---------------------------------------------------------------


def test_gtin_to_uint_is_the_integer_value() -> None:
    assert gtin_to_uint("09506000134352") == 9506000134352


def test_gtin_to_uint_is_the_same_for_gtin13_and_gtin14() -> None:
    assert gtin_to_uint("9506000134352") == gtin_to_uint("09506000134352")


def test_gtin_to_uint_rejects_bad_gtin() -> None:
    with raises_for("gtin"):
        gtin_to_uint("09506000134353")


def test_lot_id_is_keccak_of_packed_uint64_and_string() -> None:
    expected = keccak(encode_packed(["uint64", "string"], [9506000134352, "ABC123"]))
    assert lot_id("09506000134352", "ABC123") == expected


def test_lot_id_is_the_same_for_gtin13_and_gtin14() -> None:
    assert lot_id("9506000134352", "L") == lot_id("09506000134352", "L")


def test_lot_id_rejects_bad_lot() -> None:
    with raises_for("lot"):
        lot_id("09506000134352", "L 1")


@pytest.mark.parametrize("serial", ["a", "PEAR-000001", "S" * 20])
def test_serial_leaf_matches_eth_abi_double_hash(serial: str) -> None:
    assert serial_leaf(serial) == keccak(keccak(eth_abi.encode(["string"], [serial])))


def test_serial_leaf_rejects_bad_serial() -> None:
    with raises_for("serial"):
        serial_leaf("S/N 1")
