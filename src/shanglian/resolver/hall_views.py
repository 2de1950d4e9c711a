"""The /verify API's view models: what the chain says about a document (evidence records, the licence
it belongs to, the work registered under it), declared so /openapi.json says exactly what is returned."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from shanglian.resolver.views import Party

Algorithm = Literal["SHA-256", "SM3"]


class CosignatureView(BaseModel):
    cosigner: Party
    signed_at: str | None = Field(description="ISO time (CST); null while the co-signer has not signed")


class NotarisationView(BaseModel):
    notary: Party = Field(description="the notary office (公证处) the filer asked")
    requested_at: str
    notarised_at: str | None = Field(description="null while asked but not attested")
    certificate_digest: str | None = Field(description="digest of the notarial certificate (公证书)")


class AnnotationView(BaseModel):
    author: Party = Field(description="the regulator or notary that appended it")
    kind: Literal["dispute", "court_ruling", "resolution"]
    document_digest: str
    annotated_at: str


class EvidenceView(BaseModel):
    id: str = Field(description="the record's id: keccak256(filer, digest)")
    digest: str
    algorithm: Algorithm
    kind: str = Field(description="contract, delivery_note, photo, inspection_report, invoice, certificate, other")
    documents: int = Field(description="1: the digest of one document; more: the Merkle root over that many")
    filer: Party
    filed_at: str
    metadata_digest: str
    transaction: str
    cosignatures: list[CosignatureView]
    complete: bool = Field(description="every co-signer named has signed")
    notarisation: NotarisationView | None
    annotations: list[AnnotationView]


class LicenceView(BaseModel):
    id: str = Field(description="digest of the document the licence was issued with")
    kind: str
    kind_label: str
    number: str
    holder: Party
    issuer: Party
    algorithm: Algorithm
    status: Literal["active", "suspended", "revoked"]
    valid_from: str
    valid_until: str
    issued_at: str
    renewals: int
    current_document: str = Field(description="digest of the latest document (a renewal's, once renewed)")
    in_force: bool = Field(description="active, and now within its validity")


class GrantView(BaseModel):
    id: int
    licensee: Party
    start: str
    end: str
    status: Literal["offered", "accepted", "withdrawn"]
    accepted_at: str | None


class WorkView(BaseModel):
    id: str = Field(description="the work's content digest (its ERC-721 token id, as 32 bytes)")
    title: str
    authors: str
    algorithm: Algorithm
    registrant: Party
    registered_at: str = Field(description="the priority date: the earliest registration of this digest")
    holder: Party = Field(description="the rights holder now")
    offered_to: Party | None
    grants: list[GrantView]
    annotations: list[AnnotationView]


class VerifyView(BaseModel):
    digest: str = Field(description="the digest looked up (or the record the QR code names)")
    found: bool = Field(description="false: the chain holds no record of this document")
    evidence: list[EvidenceView]
    licence: LicenceView | None
    work: WorkView | None
    indexed_to: int = Field(description="the last block the resolver's index has read")
