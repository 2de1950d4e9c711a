"""`shanglian evidence …`: evidence (存证) and notarisation (公证) from the command line.

FILE is hashed on this machine (SHA-256, or SM3 with --algorithm sm3); only its digest goes on chain.
RECORD is a record id (64 hex digits, as `evidence file` prints it). Every value is checked before
anything is sent: bad input ends the command with one line naming the field (exit status 2).
"""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.markup import escape

from shanglian import validate
from shanglian.cli.common import ChainGroup, Output, Run, done, fields
from shanglian.cli.hall_options import algorithm_option, bytes32_id, document, evidence_sdk, who
from shanglian.digests import Algorithm, DocumentTree, digest_file, proves_into
from shanglian.errors import InputError
from shanglian.evidence import Evidence, EvidenceRecord, parse_kind
from shanglian.hall import iso_time, parse_annotation_kind


def register(cli: click.Group) -> None:
    cli.add_command(evidence)


@click.group(cls=ChainGroup)
def evidence() -> None:
    """File, co-sign, notarise, annotate and verify evidence (存证, 公证)."""


@evidence.command("file", sdk=evidence_sdk, signs=True)
@click.argument("files", nargs=-1, required=True)
@click.option("--kind", default="other", show_default=True,
              help="contract, delivery-note, photo, inspection-report, invoice, certificate or other.")
@algorithm_option
@click.option("--metadata", help="Metadata document (title, parties …): a file or its digest.")
@click.option("--cosigner", "cosigners", multiple=True, help="Primary account of an enterprise that must co-sign (repeat).")
@click.option("--proofs", help="With several FILES: where to write each document's proof (JSON).")
def file_(run: Run[Evidence], files: tuple[str, ...], kind: str, algorithm: Algorithm, metadata: str | None,
          cosigners: tuple[str, ...], proofs: str | None) -> Output:
    """File FILES as evidence: one file by its digest, several by the Merkle root of their digests."""
    kind_code = parse_kind(kind)
    meta = document(metadata, "metadata", algorithm, required=False)
    named = [validate.address(c, "cosigner") for c in cosigners]
    if len(files) > 1:
        if not proofs:
            raise InputError("proofs", "several files are filed as a batch: say where to write their proofs")
        if Path(proofs).exists():
            raise InputError("proofs", f"{proofs!r} exists; name a new file")
        tree = DocumentTree.of_files(files, algorithm)
        record, receipt = run.sdk.file(tree.root, kind_code, algorithm, meta, named, documents=len(tree))
        names = {digest_file(f, algorithm): f for f in files}
        Path(proofs).write_text(json.dumps({
            "record": "0x" + record.hex(), "root": "0x" + tree.root.hex(), "algorithm": algorithm.label,
            "documents": [{"file": names[d], "digest": "0x" + d.hex(), "proof": ["0x" + p.hex() for p in proof]}
                          for d, proof in tree.proofs().items()],
        }, ensure_ascii=False, indent=2) + "\n")
        return done(f"filed {len(tree)} documents as record [bold]0x{record.hex()}[/bold] (proofs in {escape(proofs)})",
                    {"record": "0x" + record.hex(), "root": "0x" + tree.root.hex(), "documents": len(tree),
                     "proofs": proofs}, receipt)
    digest = document(files[0], "file", algorithm)
    record, receipt = run.sdk.file(digest, kind_code, algorithm, meta, named)
    return done(f"filed {escape(files[0])} ({algorithm.label} 0x{digest.hex()}) as record [bold]0x{record.hex()}[/bold]",
                {"record": "0x" + record.hex(), "digest": "0x" + digest.hex(), "algorithm": algorithm.label,
                 "cosigners": named}, receipt)


@evidence.command("cosign", sdk=evidence_sdk, signs=True)
@click.argument("record")
def cosign(run: Run[Evidence], record: str) -> Output:
    """Sign RECORD for your enterprise, which it names as a co-signer."""
    key = bytes32_id(record, "record")
    receipt = run.sdk.cosign(key)
    return done(f"co-signed record 0x{key.hex()}", {"record": "0x" + key.hex()}, receipt)


@evidence.command("request-notarisation", sdk=evidence_sdk, signs=True)
@click.argument("record")
@click.option("--notary", required=True, help="Primary account of the notary office (公证处) to ask.")
def request_notarisation(run: Run[Evidence], record: str, notary: str) -> Output:
    """Ask a notary to attest RECORD, which your enterprise filed."""
    key = bytes32_id(record, "record")
    account = validate.address(notary, "notary")
    receipt = run.sdk.request_notarisation(key, account)
    return done(f"asked {account} to notarise record 0x{key.hex()}", {"record": "0x" + key.hex(), "notary": account},
                receipt)


@evidence.command("notarise", sdk=evidence_sdk, signs=True)
@click.argument("record")
@click.option("--certificate", required=True, help="The notarial certificate (公证书): a file or its digest.")
def notarise(run: Run[Evidence], record: str, certificate: str) -> Output:
    """Attest RECORD as the notary its filer asked, with your certificate's digest."""
    key = bytes32_id(record, "record")
    digest = document(certificate, "certificate")
    receipt = run.sdk.notarise(key, digest)
    return done(f"notarised record 0x{key.hex()}", {"record": "0x" + key.hex(), "certificate": "0x" + digest.hex()},
                receipt)


@evidence.command("annotate", sdk=evidence_sdk, signs=True)
@click.argument("record")
@click.option("--kind", required=True, help="dispute, court-ruling or resolution.")
@click.option("--document", "document_", required=True, help="The document it rests on: a file or its digest.")
def annotate(run: Run[Evidence], record: str, kind: str, document_: str) -> Output:
    """Append a dispute or court annotation to RECORD (regulators and notaries)."""
    key = bytes32_id(record, "record")
    parsed = parse_annotation_kind(kind)
    digest = document(document_, "document")
    receipt = run.sdk.annotate(key, parsed, digest)
    return done(f"annotated record 0x{key.hex()}: {parsed.label}",
                {"record": "0x" + key.hex(), "kind": parsed.name.lower(), "document": "0x" + digest.hex()}, receipt)


def _rows(r: EvidenceRecord) -> list[tuple[str, str]]:
    rows = [("record", r.id), ("digest", f"{r.digest}  ({r.algorithm.label})"), ("filed by", who(r.filer_name, r.filer)),
            ("filed at", iso_time(r.filed_at) or ""), ("kind", r.kind.label),
            ("documents", str(r.documents) + ("  (Merkle root)" if r.documents > 1 else ""))]
    for c in r.cosignatures:
        rows.append(("co-signer", f"{who(c.name, c.cosigner)}  " + (f"signed {iso_time(c.signed_at)}" if c.signed_at
                                                                   else "[bold]not signed yet[/bold]")))
    rows.append(("complete", "yes" if r.complete else "no"))
    n = r.notarisation
    if n is not None:
        state = f"attested {iso_time(n.notarised_at)}, certificate {n.certificate_digest}" if n.notarised_at else "asked"
        rows.append(("notary", f"{who(n.name, n.notary)}  {state}"))
    for a in r.annotations:
        rows.append(("annotation", f"{a.kind.label} by {who(a.author_name, a.author)} {iso_time(a.annotated_at)}"))
    return rows


@evidence.command("show", sdk=evidence_sdk)
@click.argument("record")
def show(run: Run[Evidence], record: str) -> Output:
    """Show RECORD: filer, time, co-signers, notarisation, annotations."""
    key = bytes32_id(record, "record")
    r = run.sdk.record(key)
    return fields(r.as_dict(), _rows(r))


@evidence.command("verify", sdk=evidence_sdk)
@click.argument("file", type=click.Path())
@click.option("--proofs", help="A batch's proofs file (from `evidence file` with several files).")
def verify(run: Run[Evidence], file: str, proofs: str | None) -> Output:
    """Say what the chain holds for FILE: every record filed for its SHA-256 or SM3 digest."""
    batch = _proof_of(file, proofs) if proofs else None
    verdict = run.sdk.verify_file(file)
    data = verdict.as_dict()
    lines = [f"SHA-256 {verdict.digests['SHA-256']}", f"SM3     {verdict.digests['SM3']}"]
    for r in verdict.records:
        lines += ["", *(f"{k:<11}{v}" for k, v in _rows(r))]
    if batch is not None:
        record_id, root, proof, algorithm = batch
        filed = run.sdk.record(record_id)
        proven = filed.digest == root and proves_into(bytes.fromhex(root[2:]), digest_file(file, algorithm), proof)
        data["batch"] = {"record": filed.id, "proven": proven}
        lines += ["", f"in batch record {filed.id}: " + ("proven" if proven else "[bold]does not prove[/bold]")]
        if proven:
            lines += [f"{k:<11}{v}" for k, v in _rows(filed)]
    if not verdict.found and not (batch and data["batch"]["proven"]):
        lines.append("[bold]no record[/bold] of this file on chain")
    return Output(data, lines)


def _proof_of(file: str, proofs: str) -> tuple[bytes, str, list[bytes], Algorithm]:
    try:
        batch = json.loads(Path(proofs).read_text())
        algorithm = Algorithm.SM3 if batch["algorithm"] == "SM3" else Algorithm.SHA256
        digest = "0x" + digest_file(file, algorithm).hex()
        entry = next((d for d in batch["documents"] if d["digest"] == digest), None)
        if entry is None:
            raise InputError("proofs", f"{proofs!r} has no proof for this file")
        return bytes32_id(batch["record"], "proofs"), batch["root"], [bytes.fromhex(p[2:]) for p in entry["proof"]], algorithm
    except (OSError, ValueError, KeyError, TypeError) as exc:
        if isinstance(exc, InputError):
            raise
        raise InputError("proofs", f"{proofs!r} is not a proofs file written by `evidence file` ({exc.__class__.__name__})") from None
