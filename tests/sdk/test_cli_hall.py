"""`shanglian evidence`, `licence` and `copyright` as a user runs them against a real Anvil node with the
suite deployed: the service hall's story through the CLI, read back with --json (notarisation is in
tests/sdk/test_hall_sdk.py and the demo: this node has no notary other than the filer).

The node, its deployment and the signer (dev3, an active enterprise holding every role, notary and
regulator included) come from the bad-input suite's fixture; dev4 is an active supplier.
"""

from __future__ import annotations

import datetime as dt
import json

from test_bad_input import LATER, SIGNER, SUPPLIER, cli, node  # noqa: F401 - `node` is the fixture

from shanglian import devkeys

ME = devkeys.addresses()[3]


def run(node, *args):  # noqa: F811 - the fixture's value
    started, tmp = node
    result = cli(started, tmp, *args, "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_evidence_filed_co_signed_and_verified(node):  # noqa: F811
    started, tmp = node
    contract = tmp / "cli-contract.txt"
    contract.write_text("赣南脐橙购销合同 CLI\n")
    filed = run(node, "evidence", "file", str(contract), "--kind", "contract", "--cosigner", SUPPLIER, "--account", SIGNER)
    record = filed["record"]
    run(node, "evidence", "cosign", record, "--account", "dev4")
    # dev3 holds the notary role, but it filed the record: it cannot be asked to attest it.
    refused = cli(started, tmp, "evidence", "request-notarisation", record, "--notary", ME, "--account", SIGNER)
    assert refused.returncode == 2 and refused.stderr.startswith("error: refused by the contract: EvidenceInvalidNotary")
    shown = run(node, "evidence", "show", record)
    assert shown["complete"] and shown["cosignatures"][0]["cosigner"] == SUPPLIER and shown["kind"] == "contract"
    verdict = run(node, "evidence", "verify", str(contract))
    assert verdict["found"] and [r["id"] for r in verdict["records"]] == [record]
    tampered = tmp / "cli-contract-tampered.txt"
    tampered.write_text("赣南脐橙购销合同 CLl\n")
    assert run(node, "evidence", "verify", str(tampered))["found"] is False


def test_a_batch_is_filed_with_its_proofs_and_one_document_verifies_against_them(node):  # noqa: F811
    started, tmp = node
    notes = []
    for i in range(5):
        notes.append(tmp / f"cli-note-{i}.txt")
        notes[-1].write_text(f"delivery note {i}\n")
    proofs = tmp / "cli-proofs.json"
    filed = run(node, "evidence", "file", *map(str, notes), "--kind", "delivery-note", "--proofs", str(proofs),
                "--account", SIGNER)
    assert filed["documents"] == 5 and json.loads(proofs.read_text())["root"] == filed["root"]
    checked = run(node, "evidence", "verify", str(notes[2]), "--proofs", str(proofs))
    assert checked["batch"] == {"record": filed["record"], "proven": True}


def test_a_licence_issued_verified_and_revoked(node):  # noqa: F811
    started, tmp = node
    document = tmp / "cli-licence.txt"
    document.write_text("食品生产许可证 SC10136070299999\n")
    today = dt.date.today().isoformat()
    issued = run(node, "licence", "issue", "--holder", SUPPLIER, "--kind", "food-production", "--number",
                 "SC10136070299999", "--document", str(document), "--valid-from", today, "--valid-until", LATER,
                 "--qr", str(tmp / "cli-licence.png"), "--account", SIGNER)
    assert (tmp / "cli-licence.png").read_bytes()[:4] == b"\x89PNG" and issued["url"].endswith(issued["licence"])
    verified = run(node, "licence", "verify", str(document))
    assert verified["licence"]["status"] == "active" and verified["licence"]["valid"] is True
    run(node, "licence", "revoke", issued["licence"], "--decision", "0x" + "de" * 32, "--account", SIGNER)
    assert run(node, "licence", "show", issued["licence"])["status"] == "revoked"


def test_a_work_registered_offered_and_accepted(node):  # noqa: F811
    started, tmp = node
    design = tmp / "cli-design.svg"
    design.write_text("<svg>礼盒</svg>\n")
    work = run(node, "copyright", "register", str(design), "--title", "礼盒设计", "--authors", "李明", "--account", SIGNER)["work"]
    run(node, "copyright", "offer", work, "--to", SUPPLIER, "--account", SIGNER)
    run(node, "copyright", "accept", work, "--account", "dev4")
    shown = run(node, "copyright", "show", work)
    assert shown["holder"] == SUPPLIER and shown["registrant"] == ME and shown["title"] == "礼盒设计"
