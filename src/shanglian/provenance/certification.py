"""Certification of batches by quality alliances: certifying, revoking, and the certifications a
batch has had."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from web3.types import TxReceipt

from shanglian import validate
from shanglian.client import ContractClient
from shanglian.provenance.identifiers import BatchRef, _hex, _topic32, batch_key


@dataclass(frozen=True)
class Certification:
    """One certification of a batch, as its events tell it."""

    alliance: str
    certificate_hash: str
    expiry: int
    certified_at: int
    revoked_at: int | None
    current: bool  # what the contract's certification() holds now
    valid: bool  # current and not expired


class Certifications(ContractClient):
    """Certifying batches and reading their certifications."""

    def certify(self, batch: BatchRef, certificate: str | bytes, expiry: str | dt.date) -> TxReceipt:
        """Certifies a batch (signer: a quality alliance) with a certificate hash (or a reference to
        hash) valid through the end of `expiry` (CST)."""
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
        now = self._now()
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
                    }
                )
            elif name == "CertificationRevoked":
                for c in found:
                    if c["alliance"] == args["alliance"] and c["revoked_at"] is None:
                        c["revoked_at"] = self._block_time(event["blockNumber"])
        result = []
        for c in found:
            is_current = (
                c["revoked_at"] is None
                and c["alliance"] == current[0]
                and c["expiry"] == int(current[1])
                and c["certificate_hash"] == _hex(current[2])
            )
            result.append(Certification(**c, current=is_current, valid=is_current and c["expiry"] > now))
        return result
