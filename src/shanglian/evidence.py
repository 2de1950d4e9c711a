"""Evidence (存证) and notarisation (公证) from Python: file a document's digest or a batch's Merkle
root, co-sign, ask a notary, attest, annotate, and read what the chain says about a file.

A record is keyed by its filer and digest (``evidenceId``): the same document filed by two
enterprises is two records. Reading a file's records therefore starts from the digest: the
``EvidenceFiled`` logs with that digest name every filer, and each record's state is then read
from the contract. A file may have been filed with SHA-256 or SM3, so :meth:`Evidence.verify_file`
digests it both ways.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

from eth_utils import keccak, to_checksum_address
from web3.logs import DISCARD
from web3.types import TxReceipt

from shanglian import logs, validate
from shanglian.digests import Algorithm, DocumentTree, digest_file, proves_into
from shanglian.errors import InputError
from shanglian.hall import Annotation, HallClient, DocumentRef, document_digest, iso_time

__all__ = ["Cosignature", "Evidence", "EvidenceKind", "EvidenceRecord", "FileVerdict", "Notarisation",
           "evidence_id", "parse_kind"]

MAX_COSIGNERS = 16
MAX_DOCUMENTS = 2**32 - 1
ZERO32 = b"\x00" * 32


class EvidenceKind(IntEnum):
    """What a filed document is (the contract stores the code, the SDK names it)."""

    OTHER = 0
    CONTRACT = 1
    DELIVERY_NOTE = 2
    PHOTO = 3
    INSPECTION_REPORT = 4
    INVOICE = 5
    CERTIFICATE = 6

    @property
    def label(self) -> str:
        return ["其他 other", "合同 contract", "送货单 delivery note", "照片 photo", "检验报告 inspection report",
                "发票 invoice", "证书 certificate"][int(self)]


def parse_kind(value: str | int, field: str = "kind") -> EvidenceKind:
    key = str(value).strip().upper().replace("-", "_").replace(" ", "_")
    if key not in EvidenceKind.__members__:
        names = ", ".join(k.name.lower().replace("_", "-") for k in EvidenceKind)
        raise InputError(field, f"unknown kind {value!r}; kinds are {names}")
    return EvidenceKind[key]


def evidence_id(filer: str, digest: bytes) -> bytes:
    """``keccak256(abi.encode(filer, digest))``, as the contract's ``evidenceId``."""
    return keccak(bytes(12) + bytes.fromhex(filer[2:]) + digest)


@dataclass(frozen=True)
class Cosignature:
    cosigner: str
    name: str
    signed_at: int  # 0: not yet

    def as_dict(self) -> dict[str, Any]:
        return {"cosigner": self.cosigner, "name": self.name, "signed_at": iso_time(self.signed_at)}


@dataclass(frozen=True)
class Notarisation:
    notary: str | None
    name: str
    requested_at: int
    notarised_at: int
    certificate_digest: str | None

    def as_dict(self) -> dict[str, Any]:
        return {"notary": self.notary, "name": self.name, "requested_at": iso_time(self.requested_at),
                "notarised_at": iso_time(self.notarised_at), "certificate_digest": self.certificate_digest}


@dataclass(frozen=True)
class EvidenceRecord:
    id: str
    digest: str
    filer: str
    filer_name: str
    filed_at: int
    algorithm: Algorithm
    kind: EvidenceKind
    documents: int
    metadata_digest: str
    transaction: str
    cosignatures: list[Cosignature] = field(default_factory=list)
    complete: bool = True
    notarisation: Notarisation | None = None
    annotations: list[Annotation] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "digest": self.digest, "filer": self.filer, "filer_name": self.filer_name,
            "filed_at": iso_time(self.filed_at), "algorithm": self.algorithm.label, "kind": self.kind.name.lower(),
            "documents": self.documents, "metadata_digest": self.metadata_digest, "transaction": self.transaction,
            "cosignatures": [c.as_dict() for c in self.cosignatures], "complete": self.complete,
            "notarisation": self.notarisation.as_dict() if self.notarisation else None,
            "annotations": [a.as_dict() for a in self.annotations],
        }


@dataclass(frozen=True)
class FileVerdict:
    """What the chain says about one file: its digests and every record filed for either."""

    digests: dict[str, str]  # algorithm label -> 0x digest
    records: list[EvidenceRecord]

    @property
    def found(self) -> bool:
        return bool(self.records)

    def as_dict(self) -> dict[str, Any]:
        return {"digests": self.digests, "found": self.found, "records": [r.as_dict() for r in self.records]}


class Evidence(HallClient):
    """The Evidence contract bound to a chain."""

    # -- filing ------------------------------------------------------------------------------------

    def file(
        self,
        document: DocumentRef,
        kind: str | int = EvidenceKind.OTHER,
        algorithm: Algorithm = Algorithm.SHA256,
        metadata: DocumentRef | None = None,
        cosigners: Sequence[str] = (),
        documents: int = 1,
    ) -> tuple[bytes, TxReceipt]:
        """Files a document (a file, or its digest) or, with `documents` > 1, a batch root; returns the
        record id and the receipt. `cosigners` are enterprises that must sign the record."""
        digest = document_digest(document, algorithm, "file")
        code = int(parse_kind(kind)) if not isinstance(kind, EvidenceKind) else int(kind)
        meta = document_digest(metadata, algorithm, "metadata") if metadata is not None else ZERO32
        count = validate.positive_int(documents, "documents", MAX_DOCUMENTS)
        named = self._cosigners(cosigners)
        if named:
            call = self.contract.functions.fileWithCosigners(digest, int(algorithm), code, count, meta, named)
        else:
            call = self.contract.functions.file(digest, int(algorithm), code, count, meta)
        receipt = self._send(call)
        return self._filed_id(receipt), receipt

    def file_batch(
        self,
        paths: Iterable[str],
        kind: str | int = EvidenceKind.OTHER,
        algorithm: Algorithm = Algorithm.SHA256,
        metadata: DocumentRef | None = None,
        cosigners: Sequence[str] = (),
    ) -> tuple[bytes, TxReceipt, DocumentTree]:
        """Files many documents by the Merkle root of their digests; the tree gives each one's proof."""
        tree = DocumentTree.of_files(list(paths), algorithm)
        record, receipt = self.file(tree.root, kind, algorithm, metadata, cosigners, documents=len(tree))
        return record, receipt, tree

    def _cosigners(self, cosigners: Sequence[str]) -> list[str]:
        named = [validate.address(c, "cosigner") for c in cosigners]
        if len(named) > MAX_COSIGNERS:
            raise InputError("cosigner", f"a record names at most {MAX_COSIGNERS} co-signers, got {len(named)}")
        if len(set(named)) != len(named):
            raise InputError("cosigner", "a co-signer is named twice")
        return named

    def _filed_id(self, receipt: TxReceipt) -> bytes:
        event = self.contract.events.EvidenceFiled().process_receipt(receipt, errors=DISCARD)[0]["args"]
        return evidence_id(event["filer"], bytes(event["digest"]))

    # -- appended facts ----------------------------------------------------------------------------

    def cosign(self, record: str | bytes) -> TxReceipt:
        return self._send(self.contract.functions.cosign(self._id(record)))

    def request_notarisation(self, record: str | bytes, notary: str) -> TxReceipt:
        return self._send(self.contract.functions.requestNotarisation(
            self._id(record), validate.address(notary, "notary")))

    def notarise(self, record: str | bytes, certificate: DocumentRef) -> TxReceipt:
        return self._send(self.contract.functions.notarise(
            self._id(record), document_digest(certificate, field="certificate")))

    def annotate(self, record: str | bytes, kind: str | int, document: DocumentRef) -> TxReceipt:
        return self._annotate(self._id(record), kind, document)

    # -- reading -----------------------------------------------------------------------------------

    def record(self, record: str | bytes) -> EvidenceRecord:
        """Record `record` (its id) with its co-signatures, notarisation and annotations."""
        key = self._id(record)
        found = self.find(key)
        if found is None:
            raise InputError("record", f"no evidence record 0x{key.hex()}")
        return found

    def find(self, key: bytes) -> EvidenceRecord | None:
        """Record `key`, or None."""
        word = self._call(self.contract.functions.record(key))
        if int(word[0], 16) == 0:
            return None
        filed = [e for e in self._logs(["EvidenceFiled"], None, logs.address_topic(word[0]))
                 if evidence_id(e["args"]["filer"], bytes(e["args"]["digest"])) == key]
        return self._record(key, word, filed[0] if filed else None)

    def records_of(self, digest: bytes) -> list[EvidenceRecord]:
        """Every record filed for `digest`, oldest first."""
        found = []
        for event in self._logs(["EvidenceFiled"], "0x" + digest.hex()):
            key = evidence_id(event["args"]["filer"], digest)
            found.append(self._record(key, self._call(self.contract.functions.record(key)), event))
        return found

    def verify_file(self, path: str) -> FileVerdict:
        """The file's SHA-256 and SM3 digests and every record filed for either."""
        digests = {algorithm: digest_file(path, algorithm) for algorithm in Algorithm}
        records = [r for algorithm, d in digests.items() for r in self.records_of(d) if r.algorithm == algorithm]
        return FileVerdict({a.label: "0x" + d.hex() for a, d in digests.items()}, records)

    def proves_into(self, record: str | bytes, document: DocumentRef, proof: Sequence[bytes]) -> bool:
        """Whether a document proves into a batch record's root (its digest) with `proof`."""
        filed = self.record(record)
        digest = document_digest(document, filed.algorithm, "file")
        return proves_into(bytes.fromhex(filed.digest[2:]), digest, list(proof))

    def _record(self, key: bytes, word: Any, event: Any) -> EvidenceRecord:
        filer = to_checksum_address(word[0])
        accounts, stamps = self._call(self.contract.functions.cosignersOf(key))
        notary = self._call(self.contract.functions.notarisation(key))
        authors = [a[0] for a in self._call(self.contract.functions.annotations(key))]
        names = self._names([filer, *accounts, notary[0], *authors])
        annotations = self._annotations(key, names)
        notarisation = None
        if int(notary[0], 16):
            notarisation = Notarisation(notary[0], names.get(notary[0], ""), int(notary[1]), int(notary[2]),
                                        "0x" + bytes(notary[3]).hex() if int(notary[2]) else None)
        return EvidenceRecord(
            id="0x" + key.hex(),
            digest="0x" + bytes(event["args"]["digest"]).hex() if event else "",
            filer=filer, filer_name=names.get(filer, ""), filed_at=int(word[1]), algorithm=Algorithm(word[2]),
            kind=EvidenceKind(word[3]) if word[3] in EvidenceKind._value2member_map_ else EvidenceKind.OTHER,
            documents=int(word[5]),
            metadata_digest="0x" + bytes(event["args"]["metadataDigest"]).hex() if event else "",
            transaction=event["transactionHash"].to_0x_hex() if event else "",
            cosignatures=[Cosignature(a, names.get(a, ""), int(t)) for a, t in zip(accounts, stamps)],
            complete=all(int(t) for t in stamps),
            notarisation=notarisation,
            annotations=annotations,
        )

    @staticmethod
    def _id(record: str | bytes) -> bytes:
        return validate.bytes32(record, "record")
