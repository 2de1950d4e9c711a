"""QR codes of GS1 Digital Link URIs, as PNG or SVG, with segno.

The URI is parsed as a Digital Link first, so a label is never printed for a bad GTIN, lot or
serial. Codes use error correction level M (GS1's recommendation for Digital Link on packaging:
about 15% of the symbol can be damaged) without segno's automatic boost, so the level printed is the
level asked for, and keep a quiet zone of at least the four modules ISO/IEC 18004 requires.
"""

from __future__ import annotations

import io
from pathlib import Path

import segno

from shanglian import gs1
from shanglian.errors import InputError

__all__ = ["ERROR_LEVEL", "FORMATS", "QUIET_ZONE", "make", "make_url", "png", "svg", "url_png", "write", "write_url"]

ERROR_LEVEL = "M"
QUIET_ZONE = 4  # modules; ISO/IEC 18004's minimum
DEFAULT_SCALE = 8  # pixels (PNG) or user units (SVG) per module
FORMATS = {".png": "png", ".svg": "svg"}


def make(uri: str) -> segno.QRCode:
    """The QR symbol of a Digital Link URI (checked first; InputError names the bad part)."""
    link = gs1.parse_digital_link(uri)
    # Encode the canonical form: GTIN-14, values percent-encoded exactly as GS1 DL 1.2 says.
    return segno.make(link.uri, error=ERROR_LEVEL.lower(), boost_error=False, micro=False)


def _check(scale: int, border: int) -> None:
    if not isinstance(scale, int) or scale < 1:
        raise InputError("scale", f"must be a whole number of at least 1, got {scale!r}")
    if not isinstance(border, int) or border < QUIET_ZONE:
        raise InputError("border", f"the quiet zone must be at least {QUIET_ZONE} modules, got {border!r}")


def png(uri: str, scale: int = DEFAULT_SCALE, border: int = QUIET_ZONE) -> bytes:
    """The code as PNG bytes."""
    _check(scale, border)
    buffer = io.BytesIO()
    make(uri).save(buffer, kind="png", scale=scale, border=border)
    return buffer.getvalue()


def svg(uri: str, scale: int = DEFAULT_SCALE, border: int = QUIET_ZONE) -> bytes:
    """The code as a standalone SVG document (UTF-8), titled with the URI."""
    _check(scale, border)
    link = gs1.parse_digital_link(uri)
    buffer = io.BytesIO()
    make(uri).save(
        buffer, kind="svg", scale=scale, border=border, xmldecl=True, svgns=True, title=link.uri, unit=None
    )
    return buffer.getvalue()


def write(uri: str, path: str | Path, scale: int = DEFAULT_SCALE, border: int = QUIET_ZONE) -> Path:
    """Writes the code to `path`, PNG or SVG by its suffix; returns the path."""
    target = Path(path)
    kind = FORMATS.get(target.suffix.lower())
    if kind is None:
        raise InputError("output", f"{target.name!r} must end in .png or .svg")
    data = png(uri, scale, border) if kind == "png" else svg(uri, scale, border)
    if target.parent and not target.parent.exists():
        raise InputError("output", f"folder {target.parent} does not exist")
    target.write_bytes(data)
    return target


# -- codes of any page of the resolver (a licence's or certificate's verification page) -------------


def make_url(url: str) -> segno.QRCode:
    """The QR symbol of an http(s) URL, at the same error level as product labels."""
    if not url.startswith(("https://", "http://")) or any(c.isspace() for c in url):
        raise InputError("url", f"{url!r} is not an http(s) URL")
    return segno.make(url, error=ERROR_LEVEL.lower(), boost_error=False, micro=False)


def url_png(url: str, scale: int = DEFAULT_SCALE, border: int = QUIET_ZONE) -> bytes:
    """The code of `url` as PNG bytes."""
    _check(scale, border)
    buffer = io.BytesIO()
    make_url(url).save(buffer, kind="png", scale=scale, border=border)
    return buffer.getvalue()


def write_url(url: str, path: str | Path, scale: int = DEFAULT_SCALE, border: int = QUIET_ZONE) -> Path:
    """Writes the code of `url` to `path`, PNG or SVG by its suffix; returns the path."""
    target = Path(path)
    kind = FORMATS.get(target.suffix.lower())
    if kind is None:
        raise InputError("output", f"{target.name!r} must end in .png or .svg")
    target.parent.mkdir(parents=True, exist_ok=True)
    make_url(url).save(str(target), kind=kind, scale=scale, border=border)
    return target
