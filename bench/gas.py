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


def measure(observe: Observer | None = None) -> dict[str, float]:
    with LocalNode("anvil", hardfork="london", steps_tracing=observe is not None) as node:
        observe = observe or (lambda *_: None)
        story = demo.prepare(connect(node.profile))
        figures = {**measure_registry(story, observe), **measure_provenance(story, observe),
                   **measure_receivables(story)}
    return dict(sorted(figures.items()))


def write_snapshot(figures: dict[str, float]) -> None:
    SNAPSHOT.write_text(json.dumps(figures, indent=2, sort_keys=True) + "\n")


if __name__ == "__main__":
    figures = measure()
    write_snapshot(figures)
    for key, value in figures.items():
        print(f"{key:34} {value:>12,}")
