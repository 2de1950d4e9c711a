"""Digital licences (数字证照) from Python: a regulator issues, renews, suspends, reinstates and revokes;
anyone verifies a licence from its document or the id its QR code carries.

A licence's id is the digest of the document it was issued with; a renewal's document leads to the
same licence. The licence number and the history (renewals, suspensions, revocations with the digest
of each decision) come from the contract's events.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

from eth_utils import to_checksum_address
from web3.types import TxReceipt

from shanglian import chaintime, validate
from shanglian.digests import Algorithm, digest_file
from shanglian.errors import InputError
from shanglian.hall import HallClient, DocumentRef, document_digest, iso_time

__all__ = ["Licence", "LicenceKind", "LicenceStatus", "Licences", "parse_licence_kind", "parse_number"]

MAX_NUMBER_BYTES = 32


class LicenceKind(IntEnum):
    BUSINESS = 1
    FOOD_PRODUCTION = 2
    FOOD_BUSINESS = 3
    INDUSTRIAL_PRODUCT = 4
    PRINTING = 5

    @property
    def label(self) -> str:
        return {1: "营业执照 business licence", 2: "食品生产许可证 food production licence",
                3: "食品经营许可证 food business licence", 4: "工业产品生产许可证 industrial product licence",
                5: "印刷经营许可证 printing licence"}[int(self)]


class LicenceStatus(IntEnum):
    NONE = 0
    ACTIVE = 1
    SUSPENDED = 2
    REVOKED = 3


def parse_licence_kind(value: str | int, field: str = "kind") -> LicenceKind:
    key = str(value).strip().upper().replace("-", "_").replace(" ", "_")
    if key.isdigit() and int(key) in LicenceKind._value2member_map_:
        return LicenceKind(int(key))
    if key not in LicenceKind.__members__:
        names = ", ".join(k.name.lower().replace("_", "-") for k in LicenceKind)
        raise InputError(field, f"unknown licence kind {value!r}; kinds are {names}")
    return LicenceKind[key]


def parse_number(value: str, field: str = "number") -> bytes:
    """A licence number as printed: 1 to 32 printable ASCII characters, left-aligned in bytes32."""
    text = value.strip()
    if not text:
        raise InputError(field, "must not be empty")
    if not text.isascii() or not text.isprintable():
        raise InputError(field, "must be printable ASCII (licence numbers are letters and digits)")
    if len(text) > MAX_NUMBER_BYTES:
        raise InputError(field, f"is {len(text)} characters; at most {MAX_NUMBER_BYTES}")
    return text.encode().ljust(32, b"\0")


def _day_start(day: dt.date) -> int:
    return int(dt.datetime.combine(day, dt.time(0, 0), tzinfo=chaintime.CST).timestamp())


def _day_end(day: dt.date) -> int:
    return int(dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=chaintime.CST).timestamp()) + 1


@dataclass(frozen=True)
class Licence:
    id: str
    holder: str
    holder_name: str
    issuer: str
    issuer_name: str
    kind: LicenceKind
    number: str
    algorithm: Algorithm
    status: LicenceStatus
    issued_at: int
    valid_from: int
    valid_until: int
    renewals: int
    current_document: str
    valid: bool  # in force now: active and within its validity
    history: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "holder": self.holder, "holder_name": self.holder_name, "issuer": self.issuer,
            "issuer_name": self.issuer_name, "kind": self.kind.name.lower(), "kind_label": self.kind.label,
            "number": self.number, "algorithm": self.algorithm.label, "status": self.status.name.lower(),
            "issued_at": iso_time(self.issued_at), "valid_from": iso_time(self.valid_from),
            "valid_until": iso_time(self.valid_until), "renewals": self.renewals,
            "current_document": self.current_document, "valid": self.valid, "history": self.history,
        }


class Licences(HallClient):
    """The Licences contract bound to a chain."""

    def issue(
        self,
        holder: str,
        kind: str | int,
        number: str,
        document: DocumentRef,
        valid_from: str | dt.date,
        valid_until: str | dt.date,
        algorithm: Algorithm = Algorithm.SHA256,
    ) -> tuple[bytes, TxReceipt]:
        """Issues a licence valid from the start of `valid_from` to the end of `valid_until` (CST days)."""
        account = validate.address(holder, "holder")
        code = parse_licence_kind(kind)
        encoded = parse_number(number)
        digest = document_digest(document, algorithm, "document")
        start, end = self._validity(valid_from, valid_until)
        receipt = self._send(self.contract.functions.issue(account, int(code), encoded, int(algorithm), digest,
                                                           start, end))
        return digest, receipt

    def renew(self, licence: str | bytes, document: DocumentRef, valid_from: str | dt.date,
              valid_until: str | dt.date) -> TxReceipt:
        key = self._id(licence)
        algorithm = Algorithm(self._call(self.contract.functions.licence(key))[3])
        start, end = self._validity(valid_from, valid_until)
        return self._send(self.contract.functions.renew(key, document_digest(document, algorithm, "document"),
                                                        start, end))

    def suspend(self, licence: str | bytes, decision: DocumentRef) -> TxReceipt:
        return self._send(self.contract.functions.suspend(self._id(licence), document_digest(decision, field="decision")))

    def reinstate(self, licence: str | bytes, decision: DocumentRef) -> TxReceipt:
        return self._send(self.contract.functions.reinstate(self._id(licence),
                                                            document_digest(decision, field="decision")))

    def revoke(self, licence: str | bytes, decision: DocumentRef) -> TxReceipt:
        return self._send(self.contract.functions.revoke(self._id(licence), document_digest(decision, field="decision")))

    # -- reading -----------------------------------------------------------------------------------

    def show(self, licence: str | bytes) -> Licence:
        key = self._id(licence)
        found = self.find(key)
        if found is None:
            raise InputError("licence", f"no licence 0x{key.hex()}")
        return found

    def find(self, key: bytes) -> Licence | None:
        """Licence `key`, or None."""
        state = self._call(self.contract.functions.licence(key))
        if int(state[0], 16) == 0:
            return None
        holder, issuer = to_checksum_address(state[0]), to_checksum_address(state[1])
        names = self._names([holder, issuer])
        issued = self._logs(["LicenceIssued"], "0x" + key.hex())
        number = bytes(issued[0]["args"]["number"]).rstrip(b"\0").decode("ascii", "replace") if issued else ""
        history = [{"event": "issued", "at_block": e["blockNumber"], "transaction": e["transactionHash"].to_0x_hex()}
                   for e in issued]
        for name in ("LicenceRenewed", "LicenceSuspended", "LicenceReinstated", "LicenceRevoked"):
            for e in self._logs([name], "0x" + key.hex()):
                entry = {"event": name.removeprefix("Licence").lower(), "at_block": e["blockNumber"],
                         "transaction": e["transactionHash"].to_0x_hex()}
                if "decisionDigest" in e["args"]:
                    entry["decision_digest"] = "0x" + bytes(e["args"]["decisionDigest"]).hex()
                if "documentDigest" in e["args"]:
                    entry["document_digest"] = "0x" + bytes(e["args"]["documentDigest"]).hex()
                history.append(entry)
        history.sort(key=lambda entry: entry["at_block"])
        return Licence(
            id="0x" + key.hex(), holder=holder, holder_name=names.get(holder, ""), issuer=issuer,
            issuer_name=names.get(issuer, ""), kind=LicenceKind(state[2]) if state[2] in LicenceKind._value2member_map_
            else LicenceKind.BUSINESS, number=number, algorithm=Algorithm(state[3]), status=LicenceStatus(state[4]),
            issued_at=int(state[5]), valid_from=int(state[6]), valid_until=int(state[7]), renewals=int(state[8]),
            current_document="0x" + bytes(state[9]).hex(),
            valid=bool(self._call(self.contract.functions.isValid(key))), history=history,
        )

    def of_document(self, digest: bytes) -> Licence | None:
        """The licence a document (by digest) was issued or renewed with, or None."""
        key = bytes(self._call(self.contract.functions.licenceOfDocument(digest)))
        return self.find(key) if any(key) else None

    def verify_file(self, path: str) -> tuple[dict[str, str], Licence | None]:
        """The file's digests (SHA-256 and SM3) and the licence either leads to, or None."""
        digests = {algorithm: digest_file(path, algorithm) for algorithm in Algorithm}
        for digest in digests.values():
            found = self.of_document(digest)
            if found is not None:
                return {a.label: "0x" + d.hex() for a, d in digests.items()}, found
        return {a.label: "0x" + d.hex() for a, d in digests.items()}, None

    def onboarding_reference(self, licence: str | bytes) -> tuple[str, dt.date]:
        """What an applicant gives the registry for its onboarding licence: this licence's id (as the
        licence hash) and the last day it is valid."""
        found = self.show(licence)
        return found.id, dt.datetime.fromtimestamp(found.valid_until - 1, chaintime.CST).date()

    def _validity(self, valid_from: str | dt.date, valid_until: str | dt.date) -> tuple[int, int]:
        start = _day_start(validate.iso_date(valid_from, "valid_from"))
        end = _day_end(validate.iso_date(valid_until, "valid_until"))
        if end <= start:
            raise InputError("valid_until", "must not be before valid_from")
        if end <= chaintime.now(self.chain):
            raise InputError("valid_until", "is not in the future")
        return start, end

    @staticmethod
    def _id(licence: str | bytes) -> bytes:
        return validate.bytes32(licence, "licence")
