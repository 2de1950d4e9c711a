"""Demo step 4, 赣南脐橙 in Ganzhou's service hall (服务大厅).

The Ganzhou market regulator issues the navel-orange cooperative's food production licence; the
cooperative and a fruit chain file their supply contract, the buyer co-signs it and the notary
office attests it; the cooperative registers the copyright of its gift-box design and licenses it to
a packaging printer; a copy of the contract with one changed byte finds no record; a fruit stall's
food business licence, revoked for selling fake 赣南脐橙, shows revoked. Every document is written to
the demo folder, so the verification page (`shanglian serve`, /verify) can be tried with them, and
the licence's QR code opens that page for the licence.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from eth_account import Account
from rich.markup import escape

from shanglian import chaintime, devkeys
from shanglian.copyrights import Copyrights
from shanglian.deploy import state_dir
from shanglian.evidence import Evidence, EvidenceKind
from shanglian.hall import iso_time
from shanglian.licences import Licences
from shanglian.verification import Verifier, record_url, write_qr

__all__ = ["hall_story"]

LICENCE_NUMBER = "SC10136070200315"
STALL_LICENCE_NUMBER = "JY13607020012345"
STALL_KEY = 18  # a development key no cast member uses
CONTRACT = (
    "赣南脐橙购销合同 Gannan navel-orange supply contract\n"
    "卖方 Seller: 赣州市赣南脐橙专业合作社\n买方 Buyer: 深圳市鲜丰果业连锁有限公司\n"
    "品名 Goods: 赣南脐橙 一级果 80-85 mm, 20,000 kg\n单价 Price: 6.80 元/kg\n"
    "交货 Delivery: 2026-11-20, 赣州市信丰县\n"
)
BOX_DESIGN = '<svg xmlns="http://www.w3.org/2000/svg" width="400" height="300"><text x="20" y="150">赣南脐橙 · 礼盒</text></svg>\n'


def hall_story(story: Any, say: Callable[[str], None], out_dir: str | Path | None = None) -> dict[str, Any]:
    """Runs step 4 on `story` (after steps 1-3) and returns its facts."""
    folder = Path(out_dir) if out_dir is not None else state_dir() / "demo"
    folder.mkdir(parents=True, exist_ok=True)
    registry = story.registry()

    def hall(kind: type, who: str | None = None) -> Any:
        name = {Evidence: "Evidence", Licences: "Licences", Copyrights: "Copyrights"}[kind]
        return kind(story.chain, story.suite[name], story.senders[who] if who else None, registry)

    def name(who: str) -> str:
        return f"[bold]{escape(story.enterprises[who].name)}[/bold]"

    def write(filename: str, text: str) -> Path:
        path = folder / filename
        path.write_text(text, encoding="utf-8")
        return path

    today = chaintime.today(story.chain)
    coop, buyer, printer = (story.address(w) for w in ("orange_coop", "fruit_buyer", "printer"))
    say("[bold]4. The service hall[/bold] — 赣南脐橙 in Ganzhou: licence, contract, notary, copyright")

    licence_doc = write(f"food-production-licence-{LICENCE_NUMBER}.txt",
                        f"食品生产许可证 Food production licence\n编号 No. {LICENCE_NUMBER}\n"
                        f"生产者 Producer: 赣州市赣南脐橙专业合作社\n类别 Category: 水果制品 (鲜果分级包装)\n")
    licence, _ = hall(Licences, "ganzhou_regulator").issue(
        coop, "food-production", LICENCE_NUMBER, licence_doc, today.isoformat(),
        (today + dt.timedelta(days=5 * 365)).isoformat())
    licence_url = record_url("licence", licence)
    qr_path = write_qr(licence_url, folder / f"licence-{LICENCE_NUMBER}.png")
    say(f"  {name('ganzhou_regulator')} issues {name('orange_coop')} food production licence {LICENCE_NUMBER}; "
        f"its QR code ({escape(str(qr_path))}) opens [underline]{escape(licence_url)}[/underline]")

    contract = write("supply-contract.txt", CONTRACT)
    record, _ = hall(Evidence, "orange_coop").file(contract, EvidenceKind.CONTRACT, cosigners=[buyer])
    hall(Evidence, "fruit_buyer").cosign(record)
    hall(Evidence, "orange_coop").request_notarisation(record, story.address("notary"))
    certificate = write("notarial-certificate.txt", f"公证书 (2026) 赣南证字第 1024 号\n证明: 合同存证 0x{record.hex()}\n")
    hall(Evidence, "notary").notarise(record, certificate)
    filed = hall(Evidence).record(record)
    say(f"  {name('orange_coop')} files the supply contract, {name('fruit_buyer')} co-signs it, "
        f"{name('notary')} attests it: record {filed.id[:18]}…, complete={filed.complete}")

    design = write("gift-box-design.svg", BOX_DESIGN)
    token, _ = hall(Copyrights, "orange_coop").register(design, "赣南脐橙礼盒包装设计", "赣州市赣南脐橙专业合作社设计组")
    grant, _ = hall(Copyrights, "orange_coop").offer_grant(
        token, printer, today.isoformat(), (today + dt.timedelta(days=365)).isoformat(),
        write("printing-licence-terms.txt", "印制许可: 礼盒 100,000 只, 一年\n"))
    hall(Copyrights, "printer").accept_grant(grant)
    work = hall(Copyrights).show(token)
    say(f"  {name('orange_coop')} registers its gift-box design (priority {iso_time(work.registered_at)}) and "
        f"licenses it to {name('printer')} for a year")

    verifier = Verifier(story.suite)
    tampered = write("supply-contract-tampered.txt", CONTRACT.replace("6.80", "5.80"))
    tampered_answer = hall(Evidence).verify_file(str(tampered))
    genuine_answer = hall(Evidence).verify_file(str(contract))
    attested = [r.notarisation.name for r in genuine_answer.records if r.notarisation and r.notarisation.notarised_at]
    say(f"  the genuine contract verifies: {len(genuine_answer.records)} record, notarised by {escape(', '.join(attested))}; "
        f"a copy with one byte changed (6.80 → 5.80): {'no record' if not tampered_answer.found else 'a record?!'}")

    # A stall that never joined the consortium: a licence does not need its holder onboarded.
    stall = Account.from_key(devkeys.key(STALL_KEY)).address
    stall_doc = write(f"food-business-licence-{STALL_LICENCE_NUMBER}.txt",
                      f"食品经营许可证 Food business licence\n编号 No. {STALL_LICENCE_NUMBER}\n经营者: 某水果摊\n")
    stall_licence, _ = hall(Licences, "ganzhou_regulator").issue(
        stall, "food-business", STALL_LICENCE_NUMBER, stall_doc, today.isoformat(),
        (today + dt.timedelta(days=3 * 365)).isoformat())
    decision = write("revocation-decision.txt", "行政处罚决定书: 销售假冒赣南脐橙, 吊销食品经营许可证\n")
    hall(Licences, "ganzhou_regulator").revoke(stall_licence, decision)
    _, revoked = hall(Licences).verify_file(str(stall_doc))
    say(f"  a fruit stall sold fake 赣南脐橙: its licence {STALL_LICENCE_NUMBER} now reads "
        f"[bold]{revoked.status.name.lower() if revoked else 'unknown'}[/bold]")
    return {
        "licence": licence, "licence_url": licence_url, "qr_path": qr_path, "record": record, "evidence": filed,
        "token": token, "grant": grant, "genuine": genuine_answer, "tampered": tampered_answer,
        "stall_licence": stall_licence, "revoked": revoked, "work": work,
        "licence_answer": verifier.record("licence", "0x" + licence.hex()), "folder": folder,
    }
