"""What the service hall's SDK modules share (evidence, licences, copyrights): documents given as a
file or a digest, the dispute and court annotations, and one binding of a contract to a chain."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path
from typing import Any

from web3.contract import Contract
from web3.types import TxReceipt

from shanglian import chaintime
from shanglian.client import ContractClient
from shanglian.digests import Algorithm, digest_file, parse_digest
from shanglian.errors import InputError
from shanglian.network import Chain
from shanglian.registry import Registry
from shanglian.transactions import Transactor

__all__ = ["Annotation", "AnnotationKind", "HallClient", "DocumentRef", "document_digest", "iso_time", "parse_annotation_kind"]

_HEX_DIGEST = re.compile(r"^(0x)?[0-9a-fA-F]{64}$")

DocumentRef = str | Path | bytes


def document_digest(value: DocumentRef, algorithm: Algorithm = Algorithm.SHA256, field: str = "document") -> bytes:
    """A document's digest: 32 bytes as they are, 64 hex digits as written, or a file's contents hashed."""
    if isinstance(value, bytes):
        if len(value) != 32 or not any(value):
            raise InputError(field, "a digest is 32 bytes, not all zero")
        return value
    text = str(value).strip()
    if not text:
        raise InputError(field, "name a file or give its 64-hex-digit digest")
    if _HEX_DIGEST.match(text) and not Path(text).exists():
        return parse_digest(text, field)
    return digest_file(text, algorithm, field)


class AnnotationKind(IntEnum):
    """IAnnotations.AnnotationKind."""

    DISPUTE = 0
    COURT_RULING = 1
    RESOLUTION = 2

    @property
    def label(self) -> str:
        return {0: "争议 dispute", 1: "裁判 court ruling", 2: "和解 resolution"}[int(self)]


def parse_annotation_kind(value: str | int, field: str = "kind") -> AnnotationKind:
    key = str(value).strip().upper().replace("-", "_").replace(" ", "_")
    if key.isdigit() and int(key) in AnnotationKind._value2member_map_:
        return AnnotationKind(int(key))
    if key not in AnnotationKind.__members__:
        raise InputError(field, f"unknown annotation {value!r}; use dispute, court-ruling or resolution")
    return AnnotationKind[key]


@dataclass(frozen=True)
class Annotation:
    author: str
    author_name: str
    annotated_at: int
    kind: AnnotationKind
    document_digest: str

    def as_dict(self) -> dict[str, Any]:
        return {"author": self.author, "author_name": self.author_name, "annotated_at": iso_time(self.annotated_at),
                "kind": self.kind.name.lower(), "document_digest": self.document_digest}


def iso_time(stamp: int) -> str | None:
    """Unix seconds as an ISO time in China Standard Time; None for 0 (never)."""
    if not stamp:
        return None
    return dt.datetime.fromtimestamp(int(stamp), chaintime.CST).isoformat()


class HallClient(ContractClient):
    """One hall contract bound to a chain (see :class:`ContractClient`); `registry` names the
    enterprises it reads."""

    def __init__(self, chain: Chain, contract: Contract, sender: Transactor | None = None,
                 registry: Registry | None = None, from_block: int = 0):
        super().__init__(chain, contract, sender, from_block)
        self.registry = registry

    def _names(self, accounts: list[str]) -> dict[str, str]:
        wanted = [a for a in accounts if a and int(a, 16)]
        return self.registry.names(wanted) if self.registry and wanted else {}

    def _annotations(self, subject: bytes, names: dict[str, str]) -> list[Annotation]:
        return [Annotation(a[0], names.get(a[0], ""), int(a[1]), AnnotationKind(a[2]), "0x" + bytes(a[3]).hex())
                for a in self._call(self.contract.functions.annotations(subject))]

    def _annotate(self, subject: bytes, kind: str | int, document: DocumentRef) -> TxReceipt:
        return self._send(self.contract.functions.annotate(
            subject, int(parse_annotation_kind(kind)), document_digest(document, field="document")))
