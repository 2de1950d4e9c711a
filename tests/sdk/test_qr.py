"""QR codes of Digital Link URIs: PNG and SVG files whose modules are exactly the symbol segno
encodes for the URI (checked pixel by pixel without a QR decoder), level M, four-module quiet zone."""

from __future__ import annotations

import struct
import xml.etree.ElementTree as ET
import zlib

import pytest
import segno

from shanglian import gs1, qr
from shanglian.errors import InputError

URI = gs1.format_digital_link("06901234567892", "DS2024-09", "PEAR-000042")
SVG_NS = "{http://www.w3.org/2000/svg}"


def png_chunks(data: bytes) -> dict[bytes, bytes]:
    chunks: dict[bytes, bytes] = {}
    offset = 8
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        chunks[kind] = chunks.get(kind, b"") + data[offset + 8 : offset + 8 + length]
        offset += 12 + length
    return chunks


def png_dark_pixels(data: bytes) -> list[list[bool]]:
    """Rows of dark pixels of a 1-bit greyscale PNG without filtering, as segno writes it."""
    chunks = png_chunks(data)
    width, height, depth, colour = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    assert (depth, colour) == (1, 0), "expected 1-bit greyscale"
    raw = zlib.decompress(chunks[b"IDAT"])
    stride = (width + 7) // 8
    rows = []
    for y in range(height):
        line = raw[y * (stride + 1) : (y + 1) * (stride + 1)]
        assert line[0] == 0, "expected filter type None"
        bits = [(line[1 + x // 8] >> (7 - x % 8)) & 1 for x in range(width)]
        rows.append([bit == 0 for bit in bits])  # 0 is black in greyscale
    return rows


def expected_modules(uri: str) -> list[list[bool]]:
    return [[bool(module) for module in row] for row in segno.make(uri, error="m", boost_error=False).matrix]


def test_png_starts_with_the_png_signature():
    assert qr.png(URI).startswith(b"\x89PNG\r\n\x1a\n")


def test_png_size_is_the_symbol_plus_a_four_module_quiet_zone():
    data = qr.png(URI, scale=3)
    width, height = struct.unpack(">II", png_chunks(data)[b"IHDR"][:8])
    modules = len(expected_modules(URI))
    assert width == height == (modules + 2 * 4) * 3


def test_png_pixels_are_the_symbol_of_the_uri_with_a_light_quiet_zone():
    pixels = png_dark_pixels(qr.png(URI, scale=1))
    modules = expected_modules(URI)
    size = len(modules)
    assert [row[4 : 4 + size] for row in pixels[4 : 4 + size]] == modules
    border = pixels[:4] + pixels[-4:] + [row[:4] + row[-4:] for row in pixels]
    assert not any(any(row) for row in border)


def test_symbol_uses_error_correction_m_without_boost():
    symbol = qr.make(URI)
    assert symbol.error == "M" and not symbol.is_micro


def test_symbol_encodes_the_canonical_gtin14_form():
    short = URI.replace("/01/06901234567892/", "/01/6901234567892/")  # the GTIN-13 form
    assert qr.make(short).matrix == qr.make(URI).matrix


def test_svg_is_a_standalone_svg_document_titled_with_the_uri():
    root = ET.fromstring(qr.svg(URI, scale=5))
    modules = len(expected_modules(URI))
    assert root.tag == f"{SVG_NS}svg"
    assert root.get("width") == root.get("height") == str((modules + 8) * 5)
    assert root.find(f"{SVG_NS}title").text == URI
    assert root.find(f"{SVG_NS}path") is not None


def test_write_picks_png_or_svg_from_the_suffix(tmp_path):
    png_path = qr.write(URI, tmp_path / "pear.PNG")
    svg_path = qr.write(URI, tmp_path / "pear.svg")
    assert png_path.read_bytes().startswith(b"\x89PNG")
    assert ET.fromstring(svg_path.read_bytes()).tag == f"{SVG_NS}svg"


def test_write_refuses_other_suffixes_naming_the_output(tmp_path):
    with pytest.raises(InputError) as err:
        qr.write(URI, tmp_path / "pear.jpg")
    assert err.value.field == "output"
    assert list(tmp_path.iterdir()) == []


def test_uri_with_a_bad_gtin_check_digit_writes_nothing(tmp_path):
    with pytest.raises(InputError) as err:
        qr.write(URI.replace("06901234567892", "06901234567893"), tmp_path / "pear.png")
    assert err.value.field == "gtin"
    assert list(tmp_path.iterdir()) == []


def test_quiet_zone_narrower_than_four_modules_is_refused():
    with pytest.raises(InputError) as err:
        qr.png(URI, border=2)
    assert err.value.field == "border"
