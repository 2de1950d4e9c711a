"""Demo step 2, the pear story: a box of Dangshan pears from the orchard to a consumer's phone.

The cooperative registers its pears and a batch of 1,000 serialised boxes (one transaction, one
Merkle root); the fruit quality alliance certifies the batch; harvesting, inspecting and packing are
recorded at registered sites; the cold-chain carrier takes custody (offer, accept) and ships; the
e-commerce seller receives and sells; the platform records a consumer's scan, and the trace shows the
seller, origin, features, alliance and scan count. A QR code of the box's GS1 Digital Link is
written; a serial that is not in the batch (a forged label) reads as unknown; after the regulator
recalls the batch, the next scan reads as recalled.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.markup import escape

from shanglian import gs1, qr
from shanglian.deploy import state_dir
from shanglian.merkle import serial_range
from shanglian.provenance import CST, Origin, Provenance
from shanglian.trace import SerialFolder, TraceReport, story_lines, trace

__all__ = ["PEAR_GTIN", "PEAR_NAME", "PEAR_FEATURES", "pear_story"]

PEAR_GTIN = "06901234567892"
PEAR_NAME = "砀山酥梨"
PEAR_FEATURES = (
    "皮薄多汁、酥脆甘甜、果核小，黄河故道沙土地种植 — "
    "thin-skinned, juicy, crisp and sweet, grown on the sandy soil of the old Yellow River course"
)
SERIAL_COUNT = 1000
CONSUMER_ITEM = "PEAR-000042"
FORGED_ITEM = "PEAR-009999"  # a copied label with a serial the cooperative never issued
ORCHARD = Origin("砀山县良梨镇梨园", 341321, 34.442, 116.367)


def _gln(body: str) -> str:
    """A GLN-13 from its first twelve digits (the check digit computed)."""
    return body + gs1.gtin_check_digit(body)


# Sites (EPCIS master data), registered once by the enterprise that runs each, under its own GS1
# Company Prefix (see demo.CAST).
SITES: dict[str, tuple[str, str, Origin]] = {
    "orchard": ("cooperative", _gln("690123400001"), ORCHARD),
    "packing": (
        "cooperative",
        _gln("690123400002"),
        Origin("砀山县梨都合作社包装车间", 341321, 34.426, 116.351),
    ),
    "cold_store": ("carrier", _gln("692345600001"), Origin("宿州市埇桥区冷链中心", 341302, 33.646, 116.964)),
    "warehouse": ("seller", _gln("693456700001"), Origin("合肥市蜀山区电商仓", 340104, 31.851, 117.260)),
}


def pear_story(story: Any, say: Callable[[str], None], out_dir: str | Path | None = None) -> dict[str, Any]:
    """Runs step 2 on `story` (a :class:`shanglian.demo.Story` after step 1) and returns its facts.

    The QR code and the batch's serial list are written under `out_dir` (default
    ``<state dir>/demo``). Returns ``digital_link``, ``batch_id``, ``report`` (the consumer's trace),
    ``unknown_link`` and ``unknown_report`` (the forged serial), ``recalled_report`` (the scan after
    the recall), ``qr_path`` and ``serials_path``.
    """
    folder = Path(out_dir) if out_dir is not None else state_dir() / "demo"
    folder.mkdir(parents=True, exist_ok=True)
    serials = SerialFolder(folder / "serials")
    contract = story.suite["ProductProvenance"]
    block = int(story.chain.w3.eth.get_block("latest")["timestamp"])
    sdk: dict[str, Provenance] = {}

    def by(who: str) -> Provenance:
        if who not in sdk:
            sdk[who] = Provenance(story.chain, contract, story.senders[who])
        return sdk[who]

    def name(who: str) -> str:
        return escape(story.enterprises[who].name) if who in story.enterprises else who

    today = dt.datetime.fromtimestamp(block, CST).date()
    harvest = today - dt.timedelta(days=3)
    lot = f"DS{harvest:%Y%m%d}"
    say(f"[bold]2. Provenance[/bold] — a box of {PEAR_NAME} from the orchard to a consumer's phone")

    coop = by("cooperative")
    coop.register_product(PEAR_GTIN, PEAR_NAME, PEAR_FEATURES)
    for who, gln, where in SITES.values():
        by(who).register_location(gln, where.place, where.region_code, where.latitude, where.longitude)
    created = coop.create_batch(
        PEAR_GTIN,
        lot,
        ORCHARD,
        harvest,
        None,
        serial_range("PEAR-", 1, SERIAL_COUNT + 1, 6),
        metadata_uri="",
        keep_serials=serials.save,
    )
    gas = int(created.receipt["gasUsed"])
    say(
        f"  {name('cooperative')} registers {PEAR_NAME} (GTIN {PEAR_GTIN}) and lot {lot}: "
        f"{created.serial_count} serialised boxes in one transaction "
        f"({gas:,} gas, {gas / created.serial_count:.0f} per box)"
    )

    coop.request_certification(created.batch_id, story.address("alliance"))
    by("alliance").certify(created.batch_id, f"AQFA-{lot}", today + dt.timedelta(days=365))
    say(f"  at the cooperative's request, {name('alliance')} certifies the lot until "
        f"{today + dt.timedelta(days=365)}")
    coop.record_event(created.batch_id, "harvesting", SITES["orchard"][1])
    by("alliance").record_event(
        created.batch_id, "inspecting", SITES["orchard"][1], data="sugar 13.5 °Brix, no residue found"
    )
    coop.record_event(created.batch_id, "packing", SITES["packing"][1])
    say("  harvesting, inspecting and packing are recorded at the orchard and the packing house")

    coop.offer_custody(created.batch_id, story.address("carrier"))
    by("carrier").accept_custody(created.batch_id)
    by("carrier").record_event(
        created.batch_id, "shipping", SITES["cold_store"][1], data="cold chain 0-4 °C, truck 皖L·C2046"
    )
    say(f"  {name('carrier')} accepts custody and ships the lot cold-chain")
    by("carrier").offer_custody(created.batch_id, story.address("seller"))
    by("seller").accept_custody(created.batch_id)
    by("seller").record_event(created.batch_id, "receiving", SITES["warehouse"][1])
    by("seller").record_event(created.batch_id, "retail_selling", SITES["warehouse"][1], serial=CONSUMER_ITEM)
    say(f"  {name('seller')} receives the lot and sells box {CONSUMER_ITEM} online")

    link = gs1.format_digital_link(PEAR_GTIN, lot, CONSUMER_ITEM)
    by("platform").record_scans(created.batch_id, {CONSUMER_ITEM: 1}, f"demo:{lot}:scan-1")
    report = trace(story.chain, story.suite, link, serials)
    say(f"  a consumer scans [underline]{escape(link)}[/underline]; {name('platform')} records the scan:")
    _show(say, report)

    qr_path = qr.write(link, folder / f"pear-{CONSUMER_ITEM}.png")
    say(f"  the QR code on the box: {escape(str(qr_path))}")

    forged = gs1.format_digital_link(PEAR_GTIN, lot, FORGED_ITEM)
    unknown = trace(story.chain, story.suite, forged, serials)
    say(
        f"  a forged label with serial {FORGED_ITEM}: [bold red]{unknown.verdict.value}[/bold red] — "
        f"{escape(unknown.verdict_reason)}"
    )

    reason = "抽检发现农药残留超标 — pesticide residue above the limit in a spot check"
    by("regulator").recall(created.batch_id, reason)
    by("platform").record_scans(created.batch_id, {CONSUMER_ITEM: 1}, f"demo:{lot}:scan-2")
    recalled = trace(story.chain, story.suite, link, serials)
    say(f"  {name('regulator')} recalls the lot; the next scan of box {CONSUMER_ITEM} shows:")
    _show(say, recalled, brief=True)

    return {
        "digital_link": link,
        "batch_id": created.id_hex,
        "lot": lot,
        "report": report,
        "unknown_link": forged,
        "unknown_report": unknown,
        "unknown_verdict": unknown.verdict.value,
        "recalled_report": recalled,
        "qr_path": qr_path,
        "serials_path": serials.path(created.batch_id),
    }


def _show(say: Callable[[str], None], report: TraceReport, brief: bool = False) -> None:
    lines = story_lines(report)
    if brief:
        lines = lines[:2] + [line for line in lines if "scanned" in line or "recalled" in line][-2:]
    for line in lines:
        say("    " + line)
