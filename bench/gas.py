"""Gas of every business operation, measured on Anvil with the london hardfork (the rules our
consortium chains run). `make gas` writes bench/gas-snapshot.json; `make test` fails when a figure
rises above it (tests/sdk/test_gas_snapshot.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

from eth_utils import keccak
from web3.logs import DISCARD

from shanglian import demo, gs1
from shanglian.localnode import LocalNode
from shanglian.merkle import SerialTree, serial_range
from shanglian.network import connect
from shanglian.provenance import pack_scans
from shanglian.registry import ImportPlan, ImportRow
from shanglian.roles import Role

SNAPSHOT = Path(__file__).with_name("gas-snapshot.json")
PEARS = 6901234567892
GLN = 6901234500017
# Fixed dates, so calldata bytes, and with them gas, are the same on every run.
FIXED_FUTURE = 4_102_444_800  # 2100-01-01
PRODUCED = 1_767_225_600  # 2026-01-01


# Called with (operation, chain, receipt) for each measured transaction while its node runs (see
# bench/gastrace.py, which breaks them down).
Observer = Callable[[str, Any, Any], None]


def _gas(receipt: Any) -> int:
    return int(receipt["gasUsed"])


def bulk_rows(count: int) -> list[ImportRow]:
    """`count` import rows as a provincial list has them: distinct accounts, Chinese names, valid
    credit codes, licence hashes."""
    from shanglian import uscc

    return [ImportRow("0x" + keccak(text=f"bulk:{i}")[:20].hex(), f"湖南省第{i}号企业有限公司",
                      uscc.with_check_character(f"91430200MA{i:07d}"), int(Role.SUPPLIER | Role.PRODUCER),
                      keccak(text=f"licence:{i}"), FIXED_FUTURE) for i in range(count)]


def measure_registry(story: demo.Story, observe: Observer) -> dict[str, float]:
    from eth_account import Account

    from shanglian import devkeys, uscc
    from shanglian.transactions import Transactor

    applicant = Transactor(story.chain, Account.from_key(devkeys.key(30)))
    story.senders["admin0"].transfer(applicant.address, 10**18)
    registry = story.registry()
    registry.sender = applicant
    apply_gas = _gas(registry.apply("湖南测试企业有限公司", uscc.with_check_character("91430100MA4L1X2Y3"),
                                    "supplier", "licence", "2099-01-01"))
    story.registry("admin0").approve(applicant.address)
    approve_gas = story.registry("admin1").approve(applicant.address).gas_used

    plan = ImportPlan(bulk_rows(200), chunk_rows=200)
    story.registry("admin0").approve_import(plan)
    story.registry("admin1").approve_import(plan)
    chunk = story.registry("admin0").import_chunk(plan, 0)
    observe("import chunk of 200 rows", story.chain, chunk)
    chunk_gas = _gas(chunk)
    return {"enterprise_apply": apply_gas, "enterprise_approve": approve_gas,
            "onboard_bulk_per_enterprise": round(chunk_gas / 200, 1)}


def measure_provenance(story: demo.Story, observe: Observer) -> dict[str, float]:
    contract = story.suite["ProductProvenance"]
    f = contract.functions
    coop, carrier, seller, platform = (story.senders[w] for w in ("cooperative", "carrier", "seller", "platform"))
    coop.send(f.registerProduct(PEARS, "砀山酥梨", "crisp, 250-350 g", keccak(text="features")))
    tree = SerialTree(serial_range("PEAR-", 1, 10_001, 6))
    origin = ("安徽省宿州市砀山县良梨镇", 341321, 34_420_000, 116_350_000)
    created = coop.send(f.createBatch(PEARS, "DS2026-001", origin, PRODUCED, 10_000, tree.root,
                                      keccak(text="metadata"), "https://id.shanglian.example/batches/DS2026-001"))
    batch = gs1.lot_id(str(PEARS), "DS2026-001")
    event = coop.send(f.recordEvent(batch, keccak(b"PEAR-000001"), 1, GLN, keccak(text="harvest record")))
    offer = coop.send(f.offerCustody(batch, carrier.address))
    accept = carrier.send(f.acceptCustody(batch))
    items = [keccak(s.encode()) for s in serial_range("PEAR-", 1, 101, 6)]
    scans = platform.send(f.recordScans(keccak(text="scan-batch-1"), batch, pack_scans((item, 1) for item in items)))
    del seller
    observe("trace event", story.chain, event)
    observe("100 scans", story.chain, scans)
    return {"trace_event": _gas(event), "batch_create_10000_per_item": round(_gas(created) / 10_000, 1),
            "custody_offer": _gas(offer), "custody_accept": _gas(accept),
            "scan_record_per_scan_batch100": round(_gas(scans) / 100, 1)}


def measure_receivables(story: demo.Story) -> dict[str, float]:
    """Our issue and split beside the ERC-3525 reference's mint and transfer of value to an address,
    same chain, same holders, each the holder's first token (the dearer case for both)."""
    from shanglian import compiler

    core, supplier, sub = (story.senders[w] for w in ("core", "supplier", "sub_supplier"))
    ours = story.suite["Receivables"]
    due = FIXED_FUTURE
    issued = core.send(ours.functions.issue(supplier.address, 100_000_000, b"CNY", due, keccak(text="invoice 1")))
    token = ours.events.TransferValue().process_receipt(issued, errors=DISCARD)[-1]["args"]["_toTokenId"]
    split = supplier.send(ours.functions.transferFrom(token, sub.address, 30_000_000))

    reference = compiler.compile_contracts({"contracts/test/ReferenceERC3525.sol": "ReferenceERC3525"})["ReferenceERC3525"]
    factory = story.chain.w3.eth.contract(abi=reference["abi"], bytecode=reference["bytecode"])
    address = core.deploy(reference["bytecode"], factory.constructor())["contractAddress"]
    ref = story.chain.w3.eth.contract(address=address, abi=reference["abi"])
    minted = core.send(ref.functions.mint(supplier.address, 1, 100_000_000))
    ref_token = ref.events.TransferValue().process_receipt(minted, errors=DISCARD)[-1]["args"]["_toTokenId"]
    ref_split = supplier.send(ref.functions.transferFrom(ref_token, sub.address, 30_000_000))
    figures = {"receivable_issue": _gas(issued), "receivable_split": _gas(split),
               "reference_erc3525_mint": _gas(minted), "reference_erc3525_split": _gas(ref_split)}
    figures["receivable_issue_ratio"] = round(figures["receivable_issue"] / figures["reference_erc3525_mint"], 3)
    figures["receivable_split_ratio"] = round(figures["receivable_split"] / figures["reference_erc3525_split"], 3)
    return figures


def _priced_as_dearest(envelope: bytes) -> bytes:
    """Bytes as long as `envelope` with no zero byte. Ciphertext is random (a fresh ephemeral key each
    time), so its zero bytes, which calldata prices at 4 gas instead of 16, vary from run to run; the
    snapshot must not. This prices an envelope at its dearest, about 12 gas above a real one per 256
    bytes."""
    stream = b"".join(keccak(envelope[:1] + i.to_bytes(4, "big")) for i in range(len(envelope) // 32 + 1))
    return bytes(b or 1 for b in stream[: len(envelope)])


def _new_supplier(story: demo.Story, index: int) -> Any:
    """A freshly onboarded supplier (development key `index`), holding nothing yet."""
    from eth_account import Account

    from shanglian import devkeys, uscc
    from shanglian.transactions import Transactor

    sender = Transactor(story.chain, Account.from_key(devkeys.key(index)))
    story.senders["admin0"].transfer(sender.address, 10**18)
    registry = story.registry()
    registry.sender = sender
    registry.apply(f"湖南测试供应商{index}有限公司", uscc.with_check_character(f"91430100MA4L1X{index:03d}"),
                   "supplier", "licence", "2099-01-01")
    story.registry("admin0").approve(sender.address)
    story.registry("admin1").approve(sender.address)
    return sender


def measure_confidential_receivables(story: demo.Story) -> dict[str, float]:
    """A confidential issue sealed to the debtor, the creditor and the regulator, and a confidential split
    sealed to its new holder: as in :func:`measure_receivables`, each the holder's first token. The ratios
    compare them with the transparent issue and split; the targets are <= 1.2 and <= 1.1."""
    from shanglian import confidential

    ours = story.suite["Receivables"]
    core = story.senders["core"]
    supplier, sub = _new_supplier(story, 31), _new_supplier(story, 32)
    story.senders["regulator"].send(ours.functions.publishEncryptionKey(
        confidential.public_key_of(story.senders["regulator"].account.key)))
    published = [sender.send(ours.functions.publishEncryptionKey(confidential.public_key_of(sender.account.key)))
                 for sender in (supplier, sub)]
    keys = {"core": core.account.key, "supplier": supplier.account.key, "sub_supplier": sub.account.key,
            "regulator": story.senders["regulator"].account.key}
    document = confidential.InvoiceDocument(
        "增值税专用发票 3300241130 No. 08675309", "2026-01-02", 100_000_000, "CNY", FIXED_FUTURE,
        seed=keccak(text="gas seed"),
    )
    parties = [confidential.public_key_of(keys[who]) for who in ("core", "supplier", "regulator")]
    envelope = _priced_as_dearest(confidential.seal(confidential.invoice_payload(document), parties))
    key = confidential.invoice_key(confidential.issuer_secret(keys["core"]), document.invoice_number)
    issued = core.send(ours.functions.issueConfidential(supplier.address, FIXED_FUTURE, key, document.root, envelope))
    token = ours.events.TransferValue().process_receipt(issued, errors=DISCARD)[-1]["args"]["_toTokenId"]
    shares = 300_000_003_692_613_038  # a draw for ¥300,000 of ¥1,000,000, fixed so calldata is the same
    to_sub = _priced_as_dearest(
        confidential.seal(confidential.invoice_payload(document), [confidential.public_key_of(keys["sub_supplier"])]))
    split = supplier.send(ours.functions.splitConfidential(token, sub.address, shares, to_sub))
    # Publishing a key (once per account) also makes the account's fragment-count word non-zero, which
    # is why a keyed holder's first confidential fragment costs less than a transparent first fragment.
    return {"receivable_issue_confidential": _gas(issued), "receivable_split_confidential": _gas(split),
            "encryption_key_publish": _gas(published[0])}


def measure_hall(story: demo.Story) -> dict[str, float]:
    """The service hall: evidence filed for one document and for a batch of 1,000 by its Merkle root,
    a co-signature, a licence issued, a work's commitment and registration (the holder's first work)."""
    coop, seller, carrier, regulator = (story.senders[w] for w in ("cooperative", "seller", "carrier", "regulator"))
    evidence, licences, copyrights = (story.suite[name] for name in ("Evidence", "Licences", "Copyrights"))
    sha256, contract_kind, delivery_notes, food_production = 0, 1, 2, 2
    one = coop.send(evidence.functions.file(keccak(text="supply contract"), sha256, contract_kind, 1,
                                            keccak(text="supply contract metadata")))
    batch = coop.send(evidence.functions.file(keccak(text="delivery notes root"), sha256, delivery_notes, 1000,
                                              keccak(text="delivery notes metadata")))
    coop.send(evidence.functions.fileWithCosigners(keccak(text="co-signed contract"), sha256, contract_kind, 1,
                                                   keccak(text="co-signed metadata"), [seller.address, carrier.address]))
    record = evidence.functions.evidenceId(coop.address, keccak(text="co-signed contract")).call()
    cosign = seller.send(evidence.functions.cosign(record))
    content, salt = keccak(text="box design"), keccak(text="box design salt")
    commit = coop.send(copyrights.functions.commit(copyrights.functions.commitmentFor(content, coop.address, salt).call()))
    # Issued between commitment and registration, which must come in a later block than its commitment.
    issue = regulator.send(licences.functions.issue(coop.address, food_production, b"SC11136072100123".ljust(32, b"\0"),
                                                    sha256, keccak(text="licence document"), PRODUCED, FIXED_FUTURE))
    register = coop.send(copyrights.functions.register(content, sha256, salt, "赣南脐橙礼盒包装设计", "李明; 王芳"))
    return {"evidence_file_one_document": _gas(one), "evidence_file_batch1000_per_document": round(_gas(batch) / 1000, 1),
            "evidence_cosign": _gas(cosign), "licence_issue": _gas(issue), "copyright_commit": _gas(commit),
            "copyright_register": _gas(register)}


def measure(observe: Observer | None = None) -> dict[str, float]:
    with LocalNode("anvil", hardfork="london", steps_tracing=observe is not None) as node:
        observe = observe or (lambda *_: None)
        story = demo.prepare(connect(node.profile))
        figures = {**measure_registry(story, observe), **measure_provenance(story, observe),
                   **measure_receivables(story), **measure_confidential_receivables(story), **measure_hall(story)}
        figures["receivable_issue_confidential_ratio"] = round(
            figures["receivable_issue_confidential"] / figures["receivable_issue"], 3)
        figures["receivable_split_confidential_ratio"] = round(
            figures["receivable_split_confidential"] / figures["receivable_split"], 3)
    return dict(sorted(figures.items()))


def write_snapshot(figures: dict[str, float]) -> None:
    SNAPSHOT.write_text(json.dumps(figures, indent=2, sort_keys=True) + "\n")


if __name__ == "__main__":
    figures = measure()
    write_snapshot(figures)
    for key, value in figures.items():
        print(f"{key:34} {value:>12,}")
