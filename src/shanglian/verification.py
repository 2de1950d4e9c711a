"""What the chain says about a document, in one answer: the service hall's verification.

A person (or the resolver's /verify page, or ``shanglian evidence verify``) has a document's digest,
computed on their own device with SHA-256 or SM3. This module asks the three hall contracts about it:
the evidence records filed for it (filer, time, co-signers, notarisation, annotations), the licence it
was issued or renewed with (holder, issuer, validity, status), and the work registered under it
(registrant, priority date, holder). A QR code printed on a licence or a certificate names the record
instead, by kind and id.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shanglian import gs1, qr
from shanglian.copyrights import Copyrights, Work
from shanglian.deploy import Suite
from shanglian.digests import Algorithm, parse_digest
from shanglian.errors import InputError
from shanglian.evidence import Evidence, EvidenceRecord
from shanglian.licences import Licence, Licences
from shanglian.registry import Registry

__all__ = ["Answer", "Verifier", "RECORD_KINDS", "record_url", "write_qr"]

RECORD_KINDS = ("evidence", "licence", "work")


def record_url(kind: str, record_id: bytes | int, base: str = gs1.DEFAULT_BASE) -> str:
    """The verification page of one record, which a QR code on the printed licence or certificate opens."""
    if kind not in RECORD_KINDS:
        raise InputError("kind", f"unknown record kind {kind!r}; kinds are {', '.join(RECORD_KINDS)}")
    value = record_id.to_bytes(32, "big") if isinstance(record_id, int) else record_id
    return f"{base.rstrip('/')}/verify/{kind}/0x{value.hex()}"


def write_qr(url: str, path: str | Path) -> Path:
    """A QR code of `url` (a record's verification page) as PNG or SVG, by the path's suffix."""
    return qr.write_url(url, path)


@dataclass(frozen=True)
class Answer:
    """Everything the chain says about one digest (or one record named by a QR code)."""

    digest: str
    algorithm: str | None  # the algorithm the digest was given as, when known
    evidence: list[EvidenceRecord] = field(default_factory=list)
    licence: Licence | None = None
    work: Work | None = None

    @property
    def found(self) -> bool:
        return bool(self.evidence) or self.licence is not None or self.work is not None

    def as_dict(self) -> dict[str, Any]:
        return {
            "digest": self.digest,
            "algorithm": self.algorithm,
            "found": self.found,
            "evidence": [record.as_dict() for record in self.evidence],
            "licence": self.licence.as_dict() if self.licence else None,
            "work": self.work.as_dict() if self.work else None,
        }


class Verifier:
    """Read-only access to the hall's contracts of a deployed suite."""

    def __init__(self, suite: Suite, from_block: int = 0):
        registry = Registry(suite.chain, suite.registry, from_block=from_block)
        self.evidence = Evidence(suite.chain, suite["Evidence"], None, registry, from_block)
        self.licences = Licences(suite.chain, suite["Licences"], None, registry, from_block)
        self.copyrights = Copyrights(suite.chain, suite["Copyrights"], None, registry, from_block)

    def digest(self, text: str, algorithm: str | None = None) -> Answer:
        """What the chain says about the document whose digest is `text` (64 hex digits)."""
        value = parse_digest(text, "digest")
        label = None
        if algorithm is not None:
            key = algorithm.strip().upper().replace("-", "")
            if key not in Algorithm.__members__:
                raise InputError("algorithm", f"unknown digest algorithm {algorithm!r}; use sha256 or sm3")
            label = Algorithm[key].label
        records = [r for r in self.evidence.records_of(value) if label is None or r.algorithm.label == label]
        work = self.copyrights.find(int.from_bytes(value, "big"))
        if work is not None and label is not None and work.algorithm.label != label:
            work = None
        return Answer("0x" + value.hex(), label, records, self.licences.of_document(value), work)

    def record(self, kind: str, record_id: str) -> Answer:
        """The record a QR code names: an evidence record, a licence, or a work, by id."""
        if kind not in RECORD_KINDS:
            raise InputError("kind", f"unknown record kind {kind!r}; kinds are {', '.join(RECORD_KINDS)}")
        value = parse_digest(record_id, "id")
        if kind == "evidence":
            found = self.evidence.find(value)
            return Answer(found.digest if found else "0x" + value.hex(), None, [found] if found else [])
        if kind == "licence":
            return Answer("0x" + value.hex(), None, licence=self.licences.find(value))
        return Answer("0x" + value.hex(), None, work=self.copyrights.find(int.from_bytes(value, "big")))
