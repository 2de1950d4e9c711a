"""The service hall in the resolver's index: Evidence, Licences and Copyrights events followed into
the index's database beside the provenance tables (statements in the SQL SQLite and PostgreSQL
both speak, :mod:`.store`), so /verify answers from the index, never from chain calls per
request.

Each event is applied as it says (a co-signature's time, a licence's new status, a work's new
holder). Three facts the events do not carry are read from the contract once, when their record
appears, before the range's transaction opens: an evidence record's algorithm, kind and document
count, and a licence's digest algorithm. Both are written once on chain and never change, so reading
them at any later block gives what was filed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from web3.contract import Contract

from shanglian.evidence import evidence_id

__all__ = ["HALL_CONTRACTS", "HALL_SCHEMA", "HallIndex"]

HALL_CONTRACTS = ("Evidence", "Licences", "Copyrights")
ZERO_ADDRESS = "0x" + "00" * 20

HALL_SCHEMA = """
CREATE TABLE IF NOT EXISTS hall_evidence (
    id BLOB PRIMARY KEY, digest BLOB NOT NULL, filer TEXT NOT NULL, filed_at INTEGER NOT NULL,
    algorithm INTEGER NOT NULL, kind INTEGER NOT NULL, documents INTEGER NOT NULL, metadata BLOB NOT NULL,
    tx TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS hall_evidence_by_digest ON hall_evidence (digest);
CREATE TABLE IF NOT EXISTS hall_cosigners (
    id BLOB NOT NULL, position INTEGER NOT NULL, cosigner TEXT NOT NULL, signed_at INTEGER NOT NULL,
    PRIMARY KEY (id, position)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS hall_notarisations (
    id BLOB PRIMARY KEY, notary TEXT NOT NULL, requested_at INTEGER NOT NULL, notarised_at INTEGER NOT NULL,
    certificate BLOB);
CREATE TABLE IF NOT EXISTS hall_annotations (
    contract TEXT NOT NULL, subject BLOB NOT NULL, position INTEGER NOT NULL, author TEXT NOT NULL,
    kind INTEGER NOT NULL, document BLOB NOT NULL, at INTEGER NOT NULL,
    PRIMARY KEY (contract, subject, position)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS hall_licences (
    id BLOB PRIMARY KEY, holder TEXT NOT NULL, issuer TEXT NOT NULL, kind INTEGER NOT NULL, number TEXT NOT NULL,
    algorithm INTEGER NOT NULL, status INTEGER NOT NULL, valid_from INTEGER NOT NULL, valid_until INTEGER NOT NULL,
    issued_at INTEGER NOT NULL, renewals INTEGER NOT NULL, current_document BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS hall_licence_documents (
    document BLOB PRIMARY KEY, licence BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS hall_works (
    token BLOB PRIMARY KEY, registrant TEXT NOT NULL, registered_at INTEGER NOT NULL, algorithm INTEGER NOT NULL,
    title TEXT NOT NULL, authors TEXT NOT NULL, holder TEXT NOT NULL, offeree TEXT);
CREATE TABLE IF NOT EXISTS hall_grants (
    id INTEGER PRIMARY KEY, token BLOB NOT NULL, grantor TEXT NOT NULL, licensee TEXT NOT NULL, start INTEGER NOT NULL,
    "end" INTEGER NOT NULL, status INTEGER NOT NULL, accepted_at INTEGER NOT NULL, terms BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS hall_grants_by_token ON hall_grants (token);
"""

# Licence statuses as the contract numbers them.
_ACTIVE, _SUSPENDED, _REVOKED = 1, 2, 3
_LICENCE_STATUS = {"LicenceSuspended": _SUSPENDED, "LicenceReinstated": _ACTIVE, "LicenceRevoked": _REVOKED}
# Grant statuses.
_GRANT_ACCEPTED, _GRANT_WITHDRAWN = 2, 3


class HallIndex:
    """Applies the hall contracts' decoded events to the index's hall tables."""

    def __init__(self, contracts: Mapping[str, Contract]) -> None:
        self.contracts = dict(contracts)
        self._by_address = {c.address.lower(): name for name, c in self.contracts.items()}
        self._facts: dict[tuple[str, bytes], Any] = {}

    def name_of(self, address: str) -> str | None:
        """Which hall contract a log's address is, or None."""
        return self._by_address.get(str(address).lower())

    def prefetch(self, event: Any) -> None:
        """Reads from the chain the written-once facts an event's record needs (outside the write
        transaction)."""
        name, args = event["event"], event["args"]
        if name == "EvidenceFiled":
            key = evidence_id(args["filer"], bytes(args["digest"]))
            self._facts[("evidence", key)] = self.contracts["Evidence"].functions.record(key).call()
        elif name == "LicenceIssued":
            key = bytes(args["id"])
            self._facts[("licence", key)] = self.contracts["Licences"].functions.licence(key).call()

    def apply(self, sql: Any, contract: str, event: Any, at: int) -> None:
        """Writes one decoded event of hall contract `contract` (its name), at block time `at`."""
        name, args = event["event"], event["args"]
        if name == "Annotated":
            subject = bytes(args["subject"])
            sql("INSERT INTO hall_annotations VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (contract, subject, int(args["index"]), args["author"], int(args["kind"]), bytes(args["documentDigest"]), at))
        elif contract == "Evidence":
            self._evidence(sql, name, args, event, at)
        elif contract == "Licences":
            self._licence(sql, name, args, at)
        elif contract == "Copyrights":
            self._copyright(sql, name, args, at)

    def _evidence(self, sql: Any, name: str, args: Any, event: Any, at: int) -> None:
        if name == "EvidenceFiled":
            digest = bytes(args["digest"])
            key = evidence_id(args["filer"], digest)
            record = self._facts.pop(("evidence", key))
            sql("INSERT INTO hall_evidence VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (key, digest, args["filer"], at, int(record[2]), int(record[3]), int(record[5]),
                 bytes(args["metadataDigest"]), "0x" + bytes(event["transactionHash"]).hex()))
        elif name == "CosignatureRequested":
            key = bytes(args["id"])
            known = sql("SELECT 1 FROM hall_cosigners WHERE id = ? AND cosigner = ?", (key, args["cosigner"])).fetchone()
            if known is None:  # positions follow the order the filing named them in
                position = sql("SELECT COUNT(*) FROM hall_cosigners WHERE id = ?", (key,)).fetchone()[0]
                sql("INSERT INTO hall_cosigners VALUES (?, ?, ?, 0)", (key, position, args["cosigner"]))
        elif name == "EvidenceCosigned":
            sql("UPDATE hall_cosigners SET signed_at = ? WHERE id = ? AND cosigner = ?",
                (at, bytes(args["id"]), args["cosigner"]))
        elif name == "NotarisationRequested":
            sql("INSERT INTO hall_notarisations VALUES (?, ?, ?, 0, NULL) ON CONFLICT (id) DO UPDATE SET "
                "notary = excluded.notary, requested_at = excluded.requested_at, notarised_at = 0, certificate = NULL",
                (bytes(args["id"]), args["notary"], at))
        elif name == "EvidenceNotarised":
            sql("UPDATE hall_notarisations SET notarised_at = ?, certificate = ? WHERE id = ?",
                (at, bytes(args["certificateDigest"]), bytes(args["id"])))

    def _licence(self, sql: Any, name: str, args: Any, at: int) -> None:
        key = bytes(args["id"])
        if name == "LicenceIssued":
            state = self._facts.pop(("licence", key))
            number = bytes(args["number"]).rstrip(b"\0").decode("ascii", "replace")
            sql("INSERT INTO hall_licences VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?) ON CONFLICT DO NOTHING",
                (key, args["holder"], args["issuer"], int(args["kind"]), number, int(state[3]), _ACTIVE,
                 int(args["validFrom"]), int(args["validUntil"]), at, key))
            sql("INSERT INTO hall_licence_documents VALUES (?, ?) ON CONFLICT DO NOTHING", (key, key))
        elif name == "LicenceRenewed":
            document = bytes(args["documentDigest"])
            added = sql("INSERT INTO hall_licence_documents VALUES (?, ?) ON CONFLICT DO NOTHING", (document, key))
            if added.rowcount:  # a replayed renewal is not counted twice
                sql("UPDATE hall_licences SET valid_from = ?, valid_until = ?, renewals = renewals + 1, "
                    "current_document = ? WHERE id = ?", (int(args["validFrom"]), int(args["validUntil"]), document, key))
        elif name in _LICENCE_STATUS:
            sql("UPDATE hall_licences SET status = ? WHERE id = ?", (_LICENCE_STATUS[name], key))

    def _copyright(self, sql: Any, name: str, args: Any, at: int) -> None:
        if name == "WorkRegistered":
            token = int(args["tokenId"]).to_bytes(32, "big")
            sql("INSERT INTO hall_works VALUES (?, ?, ?, ?, ?, ?, ?, NULL) ON CONFLICT DO NOTHING",
                (token, args["registrant"], at, int(args["algorithm"]), args["title"], args["authors"], args["registrant"]))
        elif name == "Transfer" and args["from"] != ZERO_ADDRESS:
            sql("UPDATE hall_works SET holder = ?, offeree = NULL WHERE token = ?",
                (args["to"], int(args["tokenId"]).to_bytes(32, "big")))
        elif name == "Approval":
            offeree = None if args["approved"] == ZERO_ADDRESS else args["approved"]
            sql("UPDATE hall_works SET offeree = ? WHERE token = ?", (offeree, int(args["tokenId"]).to_bytes(32, "big")))
        elif name == "GrantOffered":
            sql("INSERT INTO hall_grants VALUES (?, ?, ?, ?, ?, ?, 1, 0, ?) ON CONFLICT DO NOTHING",
                (int(args["grantId"]), int(args["tokenId"]).to_bytes(32, "big"), args["grantor"], args["licensee"],
                 int(args["start"]), int(args["end"]), bytes(args["termsDigest"])))
        elif name == "GrantAccepted":
            sql("UPDATE hall_grants SET status = ?, accepted_at = ? WHERE id = ?", (_GRANT_ACCEPTED, at, int(args["grantId"])))
        elif name == "GrantWithdrawn":
            sql("UPDATE hall_grants SET status = ? WHERE id = ?", (_GRANT_WITHDRAWN, int(args["grantId"])))
