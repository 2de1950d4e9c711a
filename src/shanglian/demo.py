"""The seed story, run end to end on a chain (the embedded one by default): `make demo`.

Step 1: three consortium admins, two of whom must agree, onboard the enterprises of the story.
Step 2 (demo_pears): a box of Dangshan pears from the orchard to a consumer's scan, a copied code
caught, a recall shown.
Step 3 (demo_receivables): a core enterprise's receivable issued, split, financed the same day,
settled once at maturity; the lineage as a tree.
Step 4 (demo_hall): 赣南脐橙 in Ganzhou's service hall: a licence issued, a supply contract filed,
co-signed and notarised, a box design registered and licensed, a tampered copy and a revoked licence
caught.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from eth_account import Account
from rich.console import Console

from shanglian import deploy, devkeys, uscc
from shanglian.network import Chain, NetworkProfile, connect
from shanglian.registry import Enterprise, Registry
from shanglian.roles import Role
from shanglian.transactions import Transactor

ADMIN_KEYS = (0, 1, 2)
THRESHOLD = 2


@dataclass(frozen=True)
class Member:
    key_index: int  # index of the well-known development key it signs with
    name: str
    english: str
    credit_body: str  # 17 characters; the check character is computed
    roles: Role
    prefix: str | None = None  # GS1 Company Prefix the admins assign it (for its GTINs and GLNs)


CAST: dict[str, Member] = {
    "cooperative": Member(3, "砀山县梨都果品专业合作社", "Dangshan pear cooperative", "93341321MA2N7Q8K0",
                          Role.PRODUCER, "6901234"),
    "carrier": Member(4, "皖北冷链物流有限公司", "cold-chain carrier", "91341300MA2P3L5D1", Role.LOGISTICS, "6923456"),
    "seller": Member(5, "皖美优选电子商务有限公司", "e-commerce seller", "91340100MA2T9H6W2", Role.RETAILER, "6934567"),
    "alliance": Member(6, "安徽省优质水果品质联盟", "fruit quality alliance", "51340000MJB123456", Role.QUALITY_ALLIANCE),
    "core": Member(7, "浙江吉利汽车零部件集团有限公司", "core enterprise", "91330000MA28F3K2X", Role.CORE_ENTERPRISE),
    "supplier": Member(8, "宁波精密冲压件有限公司", "supplier", "91330200MA2H7C4L5", Role.SUPPLIER),
    "bank": Member(9, "浙商银行杭州分行", "bank", "91330100MA27Y6B8P", Role.FINANCIER),
    "sub_supplier": Member(10, "慈溪市恒力五金厂", "sub-supplier", "91330282MA2J8R3N1", Role.SUPPLIER),
    "platform": Member(11, "上链溯源扫码平台", "scan platform", "91340100MA2W4E7R6", Role.PLATFORM),
    "regulator": Member(12, "安徽省市场监督管理局", "market regulator", "11340000MB1953297", Role.REGULATOR),
    # Step 4, Ganzhou's service hall.
    "orange_coop": Member(13, "赣州市赣南脐橙专业合作社", "navel-orange cooperative", "93360700MA3A1B2C0", Role.PRODUCER),
    "fruit_buyer": Member(14, "深圳市鲜丰果业连锁有限公司", "fruit chain (buyer)", "91440300MA5F6G7H1", Role.RETAILER),
    "printer": Member(15, "赣州市彩印包装有限公司", "packaging printer", "91360700MA3D4E5F2", Role.PROCESSOR),
    "ganzhou_regulator": Member(16, "赣州市市场监督管理局", "Ganzhou market regulator", "11360700MB1234563",
                                Role.REGULATOR),
    "notary": Member(17, "江西省赣州市赣南公证处", "Gannan notary office", "12360700MC1234564", Role.NOTARY),
}


@dataclass
class Story:
    """What a run of the demo built, for the next steps and for tests."""

    chain: Chain
    suite: deploy.Suite
    senders: dict[str, Transactor] = field(default_factory=dict)
    enterprises: dict[str, Enterprise] = field(default_factory=dict)
    pears: dict[str, Any] = field(default_factory=dict)
    receivables: dict[str, Any] = field(default_factory=dict)
    hall: dict[str, Any] = field(default_factory=dict)

    def address(self, who: str) -> str:
        return self.senders[who].address

    def registry(self, who: str | None = None) -> Registry:
        return Registry(self.chain, self.suite.registry, self.senders[who] if who else None)


def credit_code(member: Member) -> str:
    return uscc.with_check_character(member.credit_body)


def _sender(chain: Chain, index: int) -> Transactor:
    return Transactor(chain, Account.from_key(devkeys.key(index)))


def _fund(story: Story) -> None:
    """Development keys past the first ten hold nothing at genesis: give them gas money."""
    w3 = story.chain.w3
    for who, sender in story.senders.items():
        if w3.eth.get_balance(sender.address) < 10**18:
            story.senders["admin0"].transfer(sender.address, 100 * 10**18)


def admit(chain: Chain, registry: Any, member: Member, signer: Transactor, admins: list[Transactor],
          licence_expiry: str) -> None:
    """`member` applies from `signer`'s account; the first THRESHOLD of `admins` approve it and give
    it its GS1 Company Prefix, if it has one."""
    Registry(chain, registry, signer).apply(
        member.name, credit_code(member), int(member.roles), f"licence:{credit_code(member)}", licence_expiry
    )
    for admin in admins[:THRESHOLD]:
        Registry(chain, registry, admin).approve(signer.address)
    for admin in admins[:THRESHOLD] if member.prefix else ():
        Registry(chain, registry, admin).assign_prefix(signer.address, member.prefix)


def onboard(story: Story, say: Callable[[str], None]) -> None:
    admins = [story.senders[f"admin{i}"] for i in range(len(ADMIN_KEYS))]
    say(f"[bold]1. Onboarding[/bold] — {len(admins)} consortium admins, {THRESHOLD} must approve each enterprise")
    expiry = (dt.date.today() + dt.timedelta(days=3 * 365)).isoformat()
    for who, member in CAST.items():
        admit(story.chain, story.suite.registry, member, story.senders[who], admins, expiry)
        story.enterprises[who] = story.registry().show(story.address(who))
    say("  the admins also assign GS1 Company Prefixes: "
        + ", ".join(f"{m.prefix} to the {m.english}" for m in CAST.values() if m.prefix))


def prepare(chain: Chain, say: Callable[[str], None] = lambda _: None) -> Story:
    """A fresh suite on `chain` with the cast onboarded: step 1, and the start of every benchmark."""
    if not chain.profile.local:
        raise SystemExit("the demo signs with the public development keys; run it on a local network")
    senders = {f"admin{n}": _sender(chain, i) for n, i in enumerate(ADMIN_KEYS)}
    senders.update({who: _sender(chain, m.key_index) for who, m in CAST.items()})
    suite = deploy.deploy_suite(
        chain,
        senders["admin0"],
        deploy.DeployOptions([senders[f"admin{n}"].address for n in range(len(ADMIN_KEYS))], THRESHOLD),
        fresh=True,
        manifest=deploy.Manifest(None),
    )
    story = Story(chain, suite, senders)
    _fund(story)
    onboard(story, say)
    return story


def run(network: str | NetworkProfile = "embedded", console: Console | None = None, out_dir: Path | None = None) -> Story:
    """The whole story; files it writes (the QR code) go to `out_dir` (default: the state dir)."""
    from shanglian.demo_hall import hall_story
    from shanglian.demo_pears import pear_story
    from shanglian.demo_receivables import receivables_story

    console = console or Console(highlight=False)
    chain = connect(network)
    console.print(f"shanglian demo on [bold]{chain.name}[/bold] (chain id {chain.chain_id})")
    story = prepare(chain, console.print)
    print_enterprises(console, story)
    story.pears = pear_story(story, console.print, out_dir)
    # It moves the chain's clock past the receivable's maturity; step 4 reads the clock it leaves.
    story.receivables = receivables_story(story, console.print)
    story.hall = hall_story(story, console.print, out_dir)
    return story


def print_enterprises(console: Console, story: Story) -> None:
    from rich.table import Table

    grid = Table(title_justify="left")
    for column in ("enterprise", "role", "credit code", "status", "account"):
        grid.add_column(column)
    for who, e in story.enterprises.items():
        grid.add_row(f"{e.name}\n[dim]{CAST[who].english}[/dim]", ", ".join(e.role_names), e.credit_code,
                     e.status.name.lower(), e.account)
    console.print(grid)
