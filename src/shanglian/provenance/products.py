"""Products (GTIN) and locations (GLN): registering them, and reading them back from their events."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from web3.types import TxReceipt

from shanglian import validate
from shanglian.client import ContractClient
from shanglian.errors import InputError
from shanglian.provenance.identifiers import (
    MAX_FEATURES_BYTES,
    MAX_NAME_BYTES,
    MAX_PLACE_BYTES,
    ZERO32,
    _gtin14,
    _gtin_uint,
    _hash_or_zero,
    _hex,
    _uint_topic,
    gln_text,
    normalize_gln,
)


def _coordinate(value: str | float | int | Decimal, field: str, limit: int) -> int:
    """Degrees into the contract's micro-degrees (degrees × 10^6), within ±limit degrees."""
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise InputError(field, f"{value!r} is not a number of degrees") from None
    if not number.is_finite() or abs(number) > limit:
        raise InputError(field, f"must be between -{limit} and {limit} degrees, got {value}")
    return int((number * 1_000_000).to_integral_value())


def _region(value: str | int) -> int:
    text = str(value).strip()
    if len(text) != 6 or not all("0" <= c <= "9" for c in text) or text[0] == "0":
        raise InputError("region_code", f"must be a six-digit GB/T 2260 code such as 341321, got {value!r}")
    return int(text)


def _origin_fields(value: Any) -> tuple[Any, Any, Any, Any]:
    if isinstance(value, Mapping):
        return value["place"], value["regionCode"], value["latitude"], value["longitude"]
    return tuple(value)


@dataclass(frozen=True)
class Origin:
    """Where a batch was produced or a site lies. Coordinates in degrees (WGS-84)."""

    place: str
    region_code: int
    latitude: float
    longitude: float

    @classmethod
    def checked(cls, place: str, region_code: str | int, latitude: Any, longitude: Any) -> Origin:
        """Validates every field (as the contract would) and returns the origin."""
        validate.text(place, "place", MAX_PLACE_BYTES)
        return cls(
            place,
            _region(region_code),
            _coordinate(latitude, "latitude", 90) / 1_000_000,
            _coordinate(longitude, "longitude", 180) / 1_000_000,
        )

    def encoded(self) -> tuple[str, int, int, int]:
        """The contract's ``Origin`` tuple (micro-degrees), after the same checks as :meth:`checked`."""
        checked = Origin.checked(self.place, self.region_code, self.latitude, self.longitude)
        return (
            checked.place,
            checked.region_code,
            _coordinate(self.latitude, "latitude", 90),
            _coordinate(self.longitude, "longitude", 180),
        )

    @classmethod
    def decoded(cls, value: Any) -> Origin:
        place, region, latitude, longitude = _origin_fields(value)
        return cls(place, int(region), int(latitude) / 1_000_000, int(longitude) / 1_000_000)

    def as_dict(self) -> dict[str, Any]:
        return {
            "place": self.place,
            "region_code": self.region_code,
            "latitude": self.latitude,
            "longitude": self.longitude,
        }


@dataclass(frozen=True)
class Product:
    """A registered product: its producer from storage, what it is from its registration event."""

    gtin: str
    producer: str
    name: str
    features: str
    metadata_hash: str


@dataclass(frozen=True)
class Location:
    """A registered site (GLN) of an enterprise."""

    gln: str
    enterprise: str
    site: Origin


class Products(ContractClient):
    """Registering products and sites, and reading them back."""

    def register_product(
        self, gtin: str, name: str, features: str = "", metadata_hash: str | bytes | None = None
    ) -> TxReceipt:
        """Registers a product under its GTIN (8/12/13/14 digits); the signer's enterprise produces it."""
        code = _gtin_uint(gtin)
        validate.text(name, "name", MAX_NAME_BYTES)
        validate.text(features, "features", MAX_FEATURES_BYTES, min_bytes=0)
        hash_ = _hash_or_zero(metadata_hash, "metadata_hash")
        return self._send(self.contract.functions.registerProduct(code, name, features, hash_))

    def register_location(
        self, gln: str | int, place: str, region_code: str | int, latitude: Any, longitude: Any
    ) -> TxReceipt:
        """Registers a site (GLN-13) of the signer's enterprise: its place, region and coordinates."""
        number = normalize_gln(gln)
        site = Origin.checked(place, region_code, latitude, longitude).encoded()
        return self._send(self.contract.functions.registerLocation(number, site))

    def claim_product(self, gtin: str) -> TxReceipt:
        """Takes over a product whose GTIN lies under a GS1 Company Prefix the signer's enterprise
        now holds (the admins reassigned the prefix from an enterprise that lost its standing)."""
        return self._send(self.contract.functions.claimProduct(_gtin_uint(gtin)))

    def claim_location(self, gln: str | int) -> TxReceipt:
        """Takes over a site whose GLN lies under a prefix the signer's enterprise now holds."""
        return self._send(self.contract.functions.claimLocation(normalize_gln(gln)))

    def product(self, gtin: str, history: list[Any] | None = None) -> Product:
        """A registered product: producer (from storage), name and features (from its event, looked
        for in `history` first when given, see :meth:`history`)."""
        code = _gtin_uint(gtin)
        producer = self._call(self.contract.functions.product(code))
        found = [
            e for e in history or () if e["event"] == "ProductRegistered" and int(e["args"]["gtin"]) == code
        ]
        if not found:
            found = self._logs(["ProductRegistered"], _uint_topic(code))
        args = found[-1]["args"] if found else {}
        return Product(
            gtin=_gtin14(code),
            producer=producer,
            name=args.get("name", ""),
            features=args.get("features", ""),
            metadata_hash=_hex(args.get("metadataHash", ZERO32)),
        )

    def locations(self, glns: Iterable[int]) -> dict[int, Location]:
        """The registered sites among `glns` (unregistered ones are left out)."""
        wanted = sorted({int(g) for g in glns if int(g)})
        if not wanted:
            return {}
        found: dict[int, Location] = {}
        for event in self._logs(["LocationRegistered"], [_uint_topic(g) for g in wanted]):
            args = event["args"]
            found[int(args["gln"])] = Location(
                gln_text(int(args["gln"])), args["enterprise"], Origin.decoded(args["site"])
            )
        return found

    def location(self, gln: str | int) -> Location | None:
        return self.locations([normalize_gln(gln)]).get(normalize_gln(gln))
