"""Queries of the hall tables of the resolver's index (written by :mod:`.hall_index`): what the chain
says about one digest, or about the record a QR code names, as :class:`~.hall_views.VerifyView`."""

from __future__ import annotations

from typing import Any

from shanglian.evidence import EvidenceKind
from shanglian.licences import LicenceKind
from shanglian.resolver.store import Database
from shanglian.resolver.hall_views import (
    AnnotationView,
    CosignatureView,
    EvidenceView,
    GrantView,
    LicenceView,
    NotarisationView,
    VerifyView,
    WorkView,
)
from shanglian.resolver.queries import enterprise_names
from shanglian.resolver.views import Party, cst_time

__all__ = ["by_digest", "by_record"]

_ALGORITHMS = {0: "SHA-256", 1: "SM3"}
_ANNOTATIONS = {0: "dispute", 1: "court_ruling", 2: "resolution"}
_LICENCE_STATUS = {1: "active", 2: "suspended", 3: "revoked"}
_GRANT_STATUS = {1: "offered", 2: "accepted", 3: "withdrawn"}


def _hex(value: bytes | None) -> str | None:
    return None if value is None else "0x" + bytes(value).hex()


def _time(stamp: int) -> str | None:
    return cst_time(stamp) if stamp else None


class _Reader:
    """One answer's reads, with the names of every party it mentions fetched once at the end."""

    def __init__(self, conn: Database, now: int) -> None:
        self.sql = conn.execute
        self.conn = conn
        self.now = now
        self.accounts: set[str] = set()
        # The next moment the answer changes by itself (a licence coming into or going out of force).
        self.changes_at = 2**63

    def party(self, account: str) -> dict[str, str]:
        self.accounts.add(account)
        return {"account": account, "name": ""}

    def annotations(self, contract: str, subject: bytes) -> list[dict[str, Any]]:
        rows = self.sql("SELECT author, kind, document, at FROM hall_annotations WHERE contract = ? AND subject = ? "
                        "ORDER BY position", (contract, subject)).fetchall()
        return [{"author": self.party(a), "kind": _ANNOTATIONS[k], "document_digest": _hex(d), "annotated_at": cst_time(t)}
                for a, k, d, t in rows]

    def evidence(self, row: Any) -> dict[str, Any]:
        key = bytes(row["id"])
        cosigners = self.sql("SELECT cosigner, signed_at FROM hall_cosigners WHERE id = ? ORDER BY position",
                             (key,)).fetchall()
        notarised = self.sql("SELECT notary, requested_at, notarised_at, certificate FROM hall_notarisations WHERE id = ?",
                             (key,)).fetchone()
        kind = EvidenceKind(row["kind"]).name.lower() if row["kind"] in EvidenceKind._value2member_map_ else "other"
        return {
            "id": _hex(key), "digest": _hex(row["digest"]), "algorithm": _ALGORITHMS[row["algorithm"]], "kind": kind,
            "documents": row["documents"], "filer": self.party(row["filer"]), "filed_at": cst_time(row["filed_at"]),
            "metadata_digest": _hex(row["metadata"]), "transaction": row["tx"],
            "cosignatures": [{"cosigner": self.party(c), "signed_at": _time(t)} for c, t in cosigners],
            "complete": all(t for _, t in cosigners),
            "notarisation": None if notarised is None else {
                "notary": self.party(notarised[0]), "requested_at": cst_time(notarised[1]),
                "notarised_at": _time(notarised[2]), "certificate_digest": _hex(notarised[3])},
            "annotations": self.annotations("Evidence", key),
        }

    def licence(self, key: bytes) -> dict[str, Any] | None:
        row = self.sql("SELECT * FROM hall_licences WHERE id = ?", (key,)).fetchone()
        if row is None:
            return None
        kind = LicenceKind(row["kind"]) if row["kind"] in LicenceKind._value2member_map_ else None
        status = _LICENCE_STATUS[row["status"]]
        for moment in (row["valid_from"], row["valid_until"]):
            if moment > self.now:
                self.changes_at = min(self.changes_at, moment)
        return {
            "id": _hex(key), "kind": kind.name.lower() if kind else str(row["kind"]),
            "kind_label": kind.label if kind else "", "number": row["number"], "holder": self.party(row["holder"]),
            "issuer": self.party(row["issuer"]), "algorithm": _ALGORITHMS[row["algorithm"]], "status": status,
            "valid_from": cst_time(row["valid_from"]), "valid_until": cst_time(row["valid_until"]),
            "issued_at": cst_time(row["issued_at"]), "renewals": row["renewals"],
            "current_document": _hex(row["current_document"]),
            "in_force": status == "active" and row["valid_from"] <= self.now < row["valid_until"],
        }

    def work(self, token: bytes) -> dict[str, Any] | None:
        row = self.sql("SELECT * FROM hall_works WHERE token = ?", (token,)).fetchone()
        if row is None:
            return None
        grants = self.sql("SELECT id, licensee, start, \"end\", status, accepted_at FROM hall_grants WHERE token = ? "
                          "ORDER BY id", (token,)).fetchall()
        return {
            "id": _hex(token), "title": row["title"], "authors": row["authors"], "algorithm": _ALGORITHMS[row["algorithm"]],
            "registrant": self.party(row["registrant"]), "registered_at": cst_time(row["registered_at"]),
            "holder": self.party(row["holder"]), "offered_to": self.party(row["offeree"]) if row["offeree"] else None,
            "grants": [{"id": g, "licensee": self.party(lic), "start": cst_time(s), "end": cst_time(e),
                        "status": _GRANT_STATUS[st], "accepted_at": _time(at)} for g, lic, s, e, st, at in grants],
            "annotations": self.annotations("Copyrights", token),
        }

    def answer(self, digest: str, evidence: list[dict[str, Any]], licence: dict[str, Any] | None,
               work: dict[str, Any] | None, indexed_to: int) -> VerifyView:
        names = enterprise_names(self.conn, list(self.accounts))
        found = bool(evidence) or licence is not None or work is not None
        data = {"digest": digest, "found": found, "evidence": evidence, "licence": licence, "work": work,
                "indexed_to": indexed_to}
        _name(data, names)
        return VerifyView(
            digest=digest, found=found, evidence=[_evidence_view(e) for e in evidence],
            licence=LicenceView(**licence) if licence else None, work=_work_view(work) if work else None,
            indexed_to=indexed_to,
        )


def _name(value: Any, names: dict[str, str]) -> None:
    """Fills in every party's name, in place."""
    if isinstance(value, dict):
        if set(value) == {"account", "name"}:
            value["name"] = names.get(value["account"], "")
            return
        for item in value.values():
            _name(item, names)
    elif isinstance(value, list):
        for item in value:
            _name(item, names)


def _annotation_views(items: list[dict[str, Any]]) -> list[AnnotationView]:
    return [AnnotationView(author=Party(**a["author"]), kind=a["kind"], document_digest=a["document_digest"],
                           annotated_at=a["annotated_at"]) for a in items]


def _evidence_view(e: dict[str, Any]) -> EvidenceView:
    n = e["notarisation"]
    return EvidenceView(
        **{k: v for k, v in e.items() if k not in ("filer", "cosignatures", "notarisation", "annotations")},
        filer=Party(**e["filer"]),
        cosignatures=[CosignatureView(cosigner=Party(**c["cosigner"]), signed_at=c["signed_at"]) for c in e["cosignatures"]],
        notarisation=None if n is None else NotarisationView(notary=Party(**n["notary"]), requested_at=n["requested_at"],
                                                             notarised_at=n["notarised_at"],
                                                             certificate_digest=n["certificate_digest"]),
        annotations=_annotation_views(e["annotations"]),
    )


def _work_view(w: dict[str, Any]) -> WorkView:
    return WorkView(
        **{k: v for k, v in w.items() if k not in ("registrant", "holder", "offered_to", "grants", "annotations")},
        registrant=Party(**w["registrant"]), holder=Party(**w["holder"]),
        offered_to=Party(**w["offered_to"]) if w["offered_to"] else None,
        grants=[GrantView(**{**g, "licensee": Party(**g["licensee"])}) for g in w["grants"]],
        annotations=_annotation_views(w["annotations"]),
    )


def _indexed_to(conn: Database) -> int:
    row = conn.execute("SELECT value FROM meta WHERE key = 'last_block'").fetchone()
    return -1 if row is None else int(row[0])


def by_digest(conn: Database, digest: bytes, now: int) -> tuple[VerifyView, int]:
    """What the index holds for a document's digest: its evidence records, the licence it was issued or
    renewed with, the work registered under it; and the moment this answer would change by itself."""
    reader = _Reader(conn, now)
    rows = conn.execute("SELECT * FROM hall_evidence WHERE digest = ? ORDER BY filed_at", (digest,)).fetchall()
    licence_row = conn.execute("SELECT licence FROM hall_licence_documents WHERE document = ?", (digest,)).fetchone()
    view = reader.answer(
        _hex(digest) or "", [reader.evidence(row) for row in rows],
        reader.licence(bytes(licence_row[0])) if licence_row else None, reader.work(digest), _indexed_to(conn))
    return view, reader.changes_at


def by_record(conn: Database, kind: str, key: bytes, now: int) -> tuple[VerifyView, int]:
    """The record a QR code names: an evidence record, a licence or a work, by id; and the moment this
    answer would change by itself."""
    reader = _Reader(conn, now)
    evidence: list[dict[str, Any]] = []
    licence = work = None
    digest = key
    if kind == "evidence":
        row = conn.execute("SELECT * FROM hall_evidence WHERE id = ?", (key,)).fetchone()
        if row is not None:
            evidence, digest = [reader.evidence(row)], bytes(row["digest"])
    elif kind == "licence":
        licence = reader.licence(key)
    else:
        work = reader.work(key)
    return reader.answer(_hex(digest) or "", evidence, licence, work, _indexed_to(conn)), reader.changes_at
