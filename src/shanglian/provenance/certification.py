"""Certification of batches by quality alliances: the producer's request, certifying, revoking, and
the certifications a batch has had with what each is worth now.

A certificate is only as good as its certifier's standing: the contract's ``certificationStatus``
reads it invalid while the alliance is suspended, revoked, expired or no longer an alliance, once
the certificate expires, and when the batch (or a batch it was made from) is recalled."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from web3.types import TxReceipt

from enum import IntEnum

from shanglian import validate
from shanglian.client import ContractClient
from shanglian.provenance.identifiers import BatchRef, _hex, _topic32, batch_key


class CertificationStatus(IntEnum):
    """IProductProvenance.CertificationStatus: what the batch's current certification is worth now."""

    NONE = 0
    VALID = 1
    EXPIRED = 2
    CERTIFIER_INACTIVE = 3
    RECALLED = 4


@dataclass(frozen=True)
class Certification:
    """One certification of a batch, as its events tell it."""

    alliance: str
    certificate_hash: str
    expiry: int
    certified_at: int
    revoked_at: int | None
    revoked_by: str | None  # the alliance itself or a regulator
    current: bool  # what the contract's certification() holds now
    status: str  # for the current one: valid, expired, certifier_inactive or recalled; else revoked/replaced

    @property
    def valid(self) -> bool:
        return self.status == "valid"


class Certifications(ContractClient):
    """Certifying batches and reading their certifications."""

    def request_certification(self, batch: BatchRef, alliance: str) -> TxReceipt:
        """The batch's producer (signer) asks `alliance` to certify the batch; only it then may."""
        return self._send(self.contract.functions.requestCertification(
            batch_key(batch), validate.address(alliance, "alliance")))

    def certification_request(self, batch: BatchRef) -> str | None:
        found = self._call(self.contract.functions.certificationRequest(batch_key(batch)))
        return None if int(found, 16) == 0 else found

    def certification_status(self, batch: BatchRef) -> CertificationStatus:
        return CertificationStatus(self._call(self.contract.functions.certificationStatus(batch_key(batch))))

    def certify(self, batch: BatchRef, certificate: str | bytes, expiry: str | dt.date) -> TxReceipt:
        """Certifies a batch (signer: the quality alliance its producer asked, or the current
        certifier renewing) with a certificate hash (or a reference to hash) valid through the end
        of `expiry` (CST)."""
        key = batch_key(batch)
        hash_ = (
            validate.bytes32(certificate, "certificate")
            if isinstance(certificate, bytes)
            else validate.document_hash(certificate, "certificate")
        )
        stamp = validate.future_timestamp(expiry, "expiry", self._now())
        return self._send(self.contract.functions.certify(key, hash_, stamp))

    def revoke_certification(self, batch: BatchRef) -> TxReceipt:
        return self._send(self.contract.functions.revokeCertification(batch_key(batch)))

    def certifications(self, ref: BatchRef, history: list[Any] | None = None) -> list[Certification]:
        """Every certification of the batch, oldest first, with revocations and current validity."""
        key = batch_key(ref)
        events = (
            history
            if history is not None
            else self._logs(["BatchCertified", "CertificationRevoked"], _topic32(key))
        )
        current = self._call(self.contract.functions.certification(key))
        status = self.certification_status(key)
        found: list[dict[str, Any]] = []
        for event in events:
            name, args = event["event"], event["args"]
            if name == "BatchCertified":
                # A renewal by the same alliance replaces its earlier certification.
                found = [c for c in found if c["alliance"] != args["alliance"] or c["revoked_at"] is not None]
                found.append(
                    {
                        "alliance": args["alliance"],
                        "certificate_hash": _hex(args["certificateHash"]),
                        "expiry": int(args["expiry"]),
                        "certified_at": self._block_time(event["blockNumber"]),
                        "revoked_at": None,
                        "revoked_by": None,
                    }
                )
            elif name == "CertificationRevoked":
                for c in found:
                    if c["alliance"] == args["alliance"] and c["revoked_at"] is None:
                        c["revoked_at"] = self._block_time(event["blockNumber"])
                        c["revoked_by"] = args["revokedBy"]
        result = []
        for c in found:
            is_current = (
                c["revoked_at"] is None
                and c["alliance"] == current[0]
                and c["expiry"] == int(current[1])
                and c["certificate_hash"] == _hex(current[2])
            )
            if is_current:
                state = status.name.lower()
            else:
                state = "revoked" if c["revoked_at"] is not None else "replaced"
            result.append(Certification(**c, current=is_current, status=state))
        return result
