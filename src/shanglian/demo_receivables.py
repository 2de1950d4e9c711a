"""Demo step 3, the receivables story (应收款链): a small supplier gets cash the same day.

The core enterprise issues ¥1,000,000 due in 90 days to its supplier (the debtor's confirmation,
确权); the supplier splits ¥300,000 off to its own supplier (多级流转); that sub-supplier offers its
piece to the bank, which accepts the same day with a payment reference (保理). Issuing the same
invoice again is refused. The chain's clock then moves past maturity (local chains only) and every
fragment is settled exactly once — by its holder confirming receipt, or, when the suite was deployed
with a settlement token and the debtor holds enough of it, by the debtor paying through it. A second
settlement is refused, and the lineage prints as a tree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from rich.markup import escape

from shanglian import chaintime
from shanglian.errors import ContractError
from shanglian.receivables import Receivables, format_yuan, lineage_lines

__all__ = ["FACE_VALUE", "SPLIT_VALUE", "FINANCING_PRICE", "TERM_DAYS", "INVOICE", "receivables_story"]

FACE_VALUE = Decimal("1000000.00")
SPLIT_VALUE = Decimal("300000.00")
FINANCING_PRICE = Decimal("291000.00")  # the bank buys ¥300,000 due in 90 days at a 3% discount
TERM_DAYS = 90
INVOICE = "增值税专用发票 3300241130 No. 08675309"  # the invoice reference; its keccak256 goes on chain
PAYMENT_REFERENCE = "浙商银行 转账流水 ZSB-PAY-0001"


def receivables_story(story: Any, say: Callable[[str], None]) -> dict[str, Any]:
    """Runs step 3 on `story` (a :class:`shanglian.demo.Story` after step 1) and returns its facts.

    Facts: ``issued`` (the issued fragment's id), ``slot``, ``due_date``, ``split`` (the
    sub-supplier's fragment), ``financed_by`` (its holder after financing), ``payment_reference``,
    ``double_issue_error`` and ``double_settle_error`` (the refusals, as ContractErrors),
    ``settled`` ({token: how: "confirmed" or "paid"}), ``lineage`` (the final
    :class:`~shanglian.receivables.Lineage`), ``lineage_lines`` (as printed), and ``settled_value``.
    """
    contract = story.suite["Receivables"]
    sdk: dict[str, Receivables] = {}

    def by(who: str | None) -> Receivables:
        key = who or ""
        if key not in sdk:
            sender = story.senders[who] if who else None
            sdk[key] = Receivables(story.chain, contract, sender, registry=story.registry())
        return sdk[key]

    def name(who: str) -> str:
        return escape(story.enterprises[who].name) if who in story.enterprises else who

    say("[bold]3. Receivables[/bold] — a core enterprise's payable becomes cash for its suppliers' suppliers")
    today = chaintime.today(story.chain)
    due = today + dt.timedelta(days=TERM_DAYS)
    issued = by("core").issue(story.address("supplier"), FACE_VALUE, due, INVOICE)
    slot = issued // 10**7
    say(
        f"  {name('core')} confirms it owes {name('supplier')} {format_yuan(FACE_VALUE)}, "
        f"due {due.isoformat()} "
        f"(receivable {slot}, fragment {issued})"
    )

    piece = by("supplier").split(issued, story.address("sub_supplier"), SPLIT_VALUE)
    say(
        f"  {name('supplier')} passes {format_yuan(SPLIT_VALUE)} of it to its supplier "
        f"{name('sub_supplier')} (fragment {piece})"
    )

    by("sub_supplier").offer(piece, story.address("bank"), FINANCING_PRICE)
    by("bank").accept(piece, PAYMENT_REFERENCE)
    financed = by(None).show(piece).fragment
    say(
        f"  {name('sub_supplier')} sells fragment {piece} to {name('bank')} "
        f"for {format_yuan(FINANCING_PRICE)}; the bank accepts the same day ({today.isoformat()}) "
        f"and pays under reference “{escape(PAYMENT_REFERENCE)}”"
    )

    try:
        by("core").issue(story.address("supplier"), FACE_VALUE, due, INVOICE)
    except ContractError as refused:
        double_issue: ContractError | None = refused
        say(f"  issuing the same invoice again is refused: [bold red]{escape(refused.name)}[/bold red]")
    else:  # pragma: no cover - the contract guarantees the refusal
        double_issue = None
        say("  [bold red]issuing the same invoice twice was NOT refused[/bold red]")

    obligation = by(None).obligation(slot)
    reached = chaintime.travel_to(story.chain, obligation.due + 1)
    say(
        f"  the chain's clock moves past maturity, to "
        f"{dt.datetime.fromtimestamp(reached, chaintime.CST).date().isoformat()} (local chain)"
    )
    overdue = [f.token for f in by(None).fragments(slot) if f.overdue]
    say(f"  overdue now: fragments {', '.join(map(str, overdue))}")

    settled = _settle_all(story, by, slot, say, name)

    holder_of_piece = _who_holds(story, by(None).show(piece).fragment.holder)
    try:
        by(holder_of_piece).confirm_payment(piece)
    except ContractError as refused:
        double_settle: ContractError | None = refused
        say(
            f"  settling fragment {piece} a second time is refused: "
            f"[bold red]{escape(refused.name)}[/bold red]"
        )
    else:  # pragma: no cover - the contract guarantees the refusal
        double_settle = None
        say("  [bold red]settling a fragment twice was NOT refused[/bold red]")

    tree = by(None).lineage(slot=slot)
    lines = lineage_lines(tree)
    say("  lineage:")
    for line in lines:
        say("    " + escape(line))

    return {
        "issued": issued,
        "slot": slot,
        "due_date": due,
        "split": piece,
        "financed_by": financed.holder,
        "payment_reference": PAYMENT_REFERENCE,
        "double_issue_error": double_issue,
        "double_settle_error": double_settle,
        "overdue_before_settlement": overdue,
        "settled": settled,
        "settled_value": tree.obligation.settled_value,
        "lineage": tree,
        "lineage_lines": lines,
    }


def _who_holds(story: Any, account: str) -> str:
    for who, sender in story.senders.items():
        if sender.address == account:
            return str(who)
    raise LookupError(f"no one in the story holds {account}")


def _settle_all(
    story: Any,
    by: Callable[[str | None], Receivables],
    slot: int,
    say: Callable[[str], None],
    name: Callable[[str], str],
) -> dict[int, str]:
    """Settles every unsettled fragment of `slot` once: the debtor pays through the settlement token
    when one is configured and the debtor holds enough of it; otherwise each holder confirms."""
    core = by("core")
    open_fragments = [f for f in core.fragments(slot) if not f.settled]
    total = sum((f.value for f in open_fragments), Decimal(0))
    token = core.settlement_token()
    pays_on_chain = False
    if token is not None:
        from shanglian.receivables import ERC20_ABI

        erc20 = story.chain.w3.eth.contract(address=token, abi=ERC20_ABI)
        pays_on_chain = int(erc20.functions.balanceOf(story.address("core")).call()) >= int(total * 100)
    settled: dict[int, str] = {}
    if pays_on_chain:
        core.approve_settlement(total)
        for f in open_fragments:
            core.settle(f.token)
            settled[f.token] = "paid"
        say(
            f"  {name('core')} pays {format_yuan(total)} through the settlement token: "
            f"{len(open_fragments)} fragments settled, each once"
        )
    else:
        for f in open_fragments:
            who = _who_holds(story, f.holder)
            by(who).confirm_payment(f.token)
            settled[f.token] = "confirmed"
            say(f"  {name(who)} confirms {name('core')} paid fragment {f.token}: {format_yuan(f.value)}")
    return settled
