"""Copyright (版权) from Python: register a work, offer and accept its rights, grant licences to use it,
and read what the chain says about a file.

Registering is two transactions: a commitment to (digest, enterprise, secret salt), then, in a later
block, the registration that reveals them, so nobody who reads pending transactions can register the
work first. :meth:`Copyrights.register` does both, waiting for the next block between them (on a
local development chain it mines one). A work's token id is its content digest as a number.
"""

from __future__ import annotations

import datetime as dt
import secrets
import time
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

from eth_utils import to_checksum_address
from web3.logs import DISCARD
from web3.types import TxReceipt

from shanglian import chaintime, validate
from shanglian.digests import Algorithm, digest_file
from shanglian.errors import InputError, NetworkError
from shanglian.hall import Annotation, HallClient, DocumentRef, document_digest, iso_time

__all__ = ["Copyrights", "Grant", "GrantStatus", "Work", "token_of"]

MAX_TITLE_BYTES = 128
MAX_AUTHORS_BYTES = 256


class GrantStatus(IntEnum):
    NONE = 0
    OFFERED = 1
    ACCEPTED = 2
    WITHDRAWN = 3


def token_of(work: str | int | bytes) -> int:
    """A work's token id from its id (decimal), its content digest (0x + 64 hex digits) or 32 bytes."""
    if isinstance(work, int):
        return work
    if isinstance(work, bytes):
        return int.from_bytes(validate.bytes32(work, "work"), "big")
    text = str(work).strip()
    if text.isdigit():
        value = int(text)
        if value >= 2**256:
            raise InputError("work", "is larger than a token id can be")
        return value
    return int.from_bytes(validate.bytes32(text, "work"), "big")


@dataclass(frozen=True)
class Grant:
    id: int
    token: int
    grantor: str
    licensee: str
    licensee_name: str
    start: int
    end: int
    status: GrantStatus
    accepted_at: int
    terms_digest: str

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "grantor": self.grantor, "licensee": self.licensee, "licensee_name": self.licensee_name,
                "start": iso_time(self.start), "end": iso_time(self.end), "status": self.status.name.lower(),
                "accepted_at": iso_time(self.accepted_at), "terms_digest": self.terms_digest}


@dataclass(frozen=True)
class Work:
    token: int
    digest: str
    title: str
    authors: str
    registrant: str
    registrant_name: str
    registered_at: int
    algorithm: Algorithm
    holder: str
    holder_name: str
    offeree: str | None
    grants: list[Grant] = field(default_factory=list)
    annotations: list[Annotation] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "token": str(self.token), "digest": self.digest, "title": self.title, "authors": self.authors,
            "registrant": self.registrant, "registrant_name": self.registrant_name,
            "registered_at": iso_time(self.registered_at), "algorithm": self.algorithm.label,
            "holder": self.holder, "holder_name": self.holder_name, "offeree": self.offeree,
            "grants": [g.as_dict() for g in self.grants], "annotations": [a.as_dict() for a in self.annotations],
        }


class Copyrights(HallClient):
    """The Copyrights contract bound to a chain."""

    def register(self, document: DocumentRef, title: str, authors: str,
                 algorithm: Algorithm = Algorithm.SHA256) -> tuple[int, TxReceipt]:
        """Commits, waits for a later block, and registers the work; returns its token id."""
        digest = document_digest(document, algorithm, "file")
        validate.text(title, "title", MAX_TITLE_BYTES)
        validate.text(authors, "authors", MAX_AUTHORS_BYTES)
        if self.sender is None:
            raise InputError("account", "this action needs a signing account (--account)")
        enterprise = self.registry.acting_for(self.sender.address) if self.registry else self.sender.address
        if enterprise is None:
            raise InputError("account", f"{self.sender.address} does not act for an active enterprise")
        first = self._call(self.contract.functions.work(int.from_bytes(digest, "big")))
        if int(first[0], 16):
            raise InputError("file", f"already registered by {first[0]} at {iso_time(first[1])}")
        salt = secrets.token_bytes(32)
        commitment = self._call(self.contract.functions.commitmentFor(digest, enterprise, salt))
        committed = self._send(self.contract.functions.commit(commitment))
        self._after_block(committed["blockNumber"])
        receipt = self._send(self.contract.functions.register(digest, int(algorithm), salt, title, authors))
        return int.from_bytes(digest, "big"), receipt

    def offer(self, work: str | int, to: str) -> TxReceipt:
        """Offers the work's rights to `to` (an active enterprise); the zero address withdraws the offer."""
        return self._send(self.contract.functions.approve(validate.address(to, "to"), token_of(work)))

    def accept(self, work: str | int) -> TxReceipt:
        """Accepts the work offered to the signer's enterprise."""
        token = token_of(work)
        state = self._call(self.contract.functions.work(token))
        if int(state[0], 16) == 0:
            raise InputError("work", f"no registered work {token}")
        if int(state[4], 16) == 0:
            raise InputError("work", "the work is offered to nobody")
        return self._send(self.contract.functions.safeTransferFrom(state[3], state[4], token))

    def offer_grant(self, work: str | int, licensee: str, start: str | dt.date, end: str | dt.date,
                    terms: DocumentRef) -> tuple[int, TxReceipt]:
        """Offers a licence to use the work, from the start of `start` to the end of `end` (CST days)."""
        token = token_of(work)
        account = validate.address(licensee, "licensee")
        first = validate.iso_date(start, "start")
        last = validate.iso_date(end, "end")
        begin = int(dt.datetime.combine(first, dt.time(0, 0), tzinfo=chaintime.CST).timestamp())
        finish = int(dt.datetime.combine(last, dt.time(23, 59, 59), tzinfo=chaintime.CST).timestamp()) + 1
        if finish <= begin:
            raise InputError("end", "must not be before start")
        if finish <= chaintime.now(self.chain):
            raise InputError("end", "is not in the future")
        receipt = self._send(self.contract.functions.offerGrant(token, account, begin, finish,
                                                                document_digest(terms, field="terms")))
        grant = self.contract.events.GrantOffered().process_receipt(receipt, errors=DISCARD)[0]["args"]["grantId"]
        return int(grant), receipt

    def withdraw_grant(self, grant: str | int) -> TxReceipt:
        return self._send(self.contract.functions.withdrawGrant(validate.positive_int(grant, "grant")))

    def accept_grant(self, grant: str | int) -> TxReceipt:
        return self._send(self.contract.functions.acceptGrant(validate.positive_int(grant, "grant")))

    def annotate(self, work: str | int, kind: str | int, document: DocumentRef) -> TxReceipt:
        return self._annotate(token_of(work).to_bytes(32, "big"), kind, document)

    # -- reading -----------------------------------------------------------------------------------

    def show(self, work: str | int) -> Work:
        found = self.find(token_of(work))
        if found is None:
            raise InputError("work", "no registered work with this id")
        return found

    def find(self, token: int) -> Work | None:
        state = self._call(self.contract.functions.work(token))
        if int(state[0], 16) == 0:
            return None
        registered = self._logs(["WorkRegistered"], "0x" + token.to_bytes(32, "big").hex())
        title = registered[0]["args"]["title"] if registered else ""
        authors = registered[0]["args"]["authors"] if registered else ""
        grants = [self._grant(int(e["args"]["grantId"]))
                  for e in self._logs(["GrantOffered"], None, "0x" + token.to_bytes(32, "big").hex())]
        accounts = [state[0], state[3], state[4], *(g.licensee for g in grants)]
        names = self._names(accounts)
        grants = [Grant(g.id, g.token, g.grantor, g.licensee, names.get(g.licensee, ""), g.start, g.end, g.status,
                        g.accepted_at, g.terms_digest) for g in grants]
        subject = token.to_bytes(32, "big")
        names.update(self._names([a[0] for a in self._call(self.contract.functions.annotations(subject))]))
        annotations = self._annotations(subject, names)
        registrant, holder = to_checksum_address(state[0]), to_checksum_address(state[3])
        return Work(
            token=token, digest="0x" + token.to_bytes(32, "big").hex(), title=title, authors=authors,
            registrant=registrant, registrant_name=names.get(registrant, ""), registered_at=int(state[1]),
            algorithm=Algorithm(state[2]), holder=holder, holder_name=names.get(holder, ""),
            offeree=None if int(state[4], 16) == 0 else to_checksum_address(state[4]), grants=grants,
            annotations=annotations,
        )

    def verify_file(self, path: str) -> tuple[dict[str, str], Work | None]:
        """The file's digests (SHA-256 and SM3) and the work registered under either, or None."""
        digests = {algorithm: digest_file(path, algorithm) for algorithm in Algorithm}
        shown = {a.label: "0x" + d.hex() for a, d in digests.items()}
        for algorithm, digest in digests.items():
            found = self.find(int.from_bytes(digest, "big"))
            if found is not None and found.algorithm == algorithm:
                return shown, found
        return shown, None

    def _grant(self, grant_id: int) -> Grant:
        g = self._call(self.contract.functions.grant(grant_id))
        return Grant(grant_id, int(g[0]), to_checksum_address(g[1]), to_checksum_address(g[5]), "", int(g[2]),
                     int(g[3]), GrantStatus(g[4]), int(g[6]), "0x" + bytes(g[7]).hex())

    def _after_block(self, block: int) -> None:
        """Returns once the chain is past `block`: a local chain mines one; others are waited for."""
        w3 = self.chain.w3
        if w3.eth.block_number > block:
            return
        if self.chain.profile.local:
            if self.chain.profile.embedded:
                w3.provider.ethereum_tester.mine_blocks(1)  # type: ignore[attr-defined]
            else:
                w3.manager.request_blocking("evm_mine", [])  # type: ignore[arg-type]
            return
        deadline = time.monotonic() + max(30.0, float(self.chain.profile.timeout))
        while w3.eth.block_number <= block:
            if time.monotonic() > deadline:
                raise NetworkError(f"no block after {block} on {self.chain.name!r}; the registration was not sent")
            time.sleep(1)
