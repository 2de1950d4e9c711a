"""Demo step 3, the receivables story (应收款链): a small supplier gets cash the same day.

The core enterprise issues ¥1,000,000 due in 90 days to its supplier (the debtor's confirmation,
确权); the supplier splits ¥300,000 off to its own supplier (多级流转); that sub-supplier offers its
piece to the bank, which accepts the same day with a payment reference (保理). Issuing the same
invoice again is refused. The chain's clock then moves past maturity (local chains only) and every
fragment is settled exactly once — by its holder confirming receipt, or, when the suite was deployed
with a settlement token and the debtor holds enough of it, by the debtor paying through it. A second
settlement is refused, and the lineage prints as a tree.

By default the receivable is confidential: the parties publish their keys, no amount, invoice number
or payment reference reaches the chain in the clear, the sub-supplier discloses three invoice fields
to the bank (which verifies them against the chain before it buys), and the story prints what the
bank then knows beside what a competitor reading the same chain sees: shares and ciphertext. Paying
a confidential fragment through the settlement token would publish its amount, so the holders confirm
payment instead.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from rich.markup import escape

from shanglian import chaintime
from shanglian.confidential import amount_of
from shanglian.errors import ContractError
from shanglian.receivables import Receivables, format_yuan, lineage_lines, slot_of

__all__ = ["FACE_VALUE", "SPLIT_VALUE", "FINANCING_PRICE", "TERM_DAYS", "INVOICE", "receivables_story"]

FACE_VALUE = Decimal("1000000.00")
SPLIT_VALUE = Decimal("300000.00")
FINANCING_PRICE = Decimal("291000.00")  # the bank buys ¥300,000 due in 90 days at a 3% discount
TERM_DAYS = 90
INVOICE = "增值税专用发票 3300241130 No. 08675309"  # the invoice (transparent: its keccak256 goes on chain)
DISCLOSED = ["face_value", "invoice_number", "due"]  # what the sub-supplier shows the bank
PAYMENT_REFERENCE = "浙商银行 转账流水 ZSB-PAY-0001"


def receivables_story(story: Any, say: Callable[[str], None], confidential: bool = True) -> dict[str, Any]:
    """Runs step 3 on `story` (a :class:`shanglian.demo.Story` after step 1) and returns its facts.

    Facts: ``issued`` (the issued fragment's id), ``slot``, ``due_date``, ``split`` (the
    sub-supplier's fragment), ``financed_by`` (its holder after financing), ``payment_reference``,
    ``double_issue_error`` and ``double_settle_error`` (the refusals, as ContractErrors),
    ``settled`` ({token: how: "confirmed" or "paid"}), ``lineage`` (the final
    :class:`~shanglian.receivables.Lineage`, as the supplier reads it), ``lineage_lines`` (as printed),
    and ``settled_value``; when confidential also ``disclosed`` (the fields the bank verified, with
    their values), ``competitor_lines`` (the lineage as a member with no party's key reads it) and
    ``ciphertext`` (the start of the sealed facts of the issue, as anyone reads them).
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

    kind = "confidential " if confidential else ""
    say("[bold]3. Receivables[/bold] — a core enterprise's payable becomes cash for its suppliers' suppliers"
        + (" (confidential: competitors on the chain see shares, not yuan)" if confidential else ""))
    if confidential:
        for who in PARTIES:
            if not by(who).has_key(story.address(who)):
                by(who).publish_key()
        say(f"  {', '.join(name(w) for w in PARTIES)} publish their encryption keys (consent to hold confidential facts)")
    today = chaintime.today(story.chain)
    due = today + dt.timedelta(days=TERM_DAYS)
    issued = by("core").issue(story.address("supplier"), FACE_VALUE, due, INVOICE, confidential=confidential)
    slot = slot_of(issued)
    say(
        f"  {name('core')} confirms it owes {name('supplier')} {format_yuan(FACE_VALUE)}, "
        f"due {due.isoformat()} "
        f"({kind}receivable {slot}, fragment {issued})"
    )

    piece = by("supplier").split(issued, story.address("sub_supplier"), SPLIT_VALUE)
    say(
        f"  {name('supplier')} passes {format_yuan(SPLIT_VALUE)} of it to its supplier "
        f"{name('sub_supplier')} (fragment {piece})"
    )

    disclosed: dict[str, Any] = {}
    if confidential:
        disclosure = by("sub_supplier").disclose(piece, DISCLOSED, to=story.address("bank"))
        proven = by("bank").verify_disclosure(disclosure)
        disclosed = {field: disclosure.fields[field]["value"] for field in proven}
        say(f"  {name('sub_supplier')} discloses {', '.join(DISCLOSED)} of its piece to {name('bank')}; "
            f"the bank verifies them against the chain's document root:")
        say(f"    what {name('bank')} knows: invoice “{escape(disclosed['invoice_number'])}”, face value "
            f"{format_yuan(disclosed['face_value'])}, due {_day(disclosed['due'])}; the piece's "
            f"{by(None).show(piece).fragment.percent}% of it is worth "
            f"{format_yuan(amount_of(int(by(None).show(piece).fragment.shares or 0), disclosed['face_value']))}")
    by("sub_supplier").offer(piece, story.address("bank"), FINANCING_PRICE)
    by("bank").accept(piece, PAYMENT_REFERENCE, FINANCING_PRICE)
    financed = by(None).show(piece).fragment
    say(
        f"  {name('sub_supplier')} sells fragment {piece} to {name('bank')} "
        f"for {format_yuan(FINANCING_PRICE)}; the bank accepts the same day ({today.isoformat()}) "
        f"and pays under reference “{escape(PAYMENT_REFERENCE)}”"
    )

    competitor: list[str] = []
    ciphertext = ""
    if confidential:
        seen = by(None).lineage(slot=slot)
        competitor = lineage_lines(seen)
        ciphertext = "0x" + by(None).sealed_facts(issued)[0][:24].hex() + "…"
        say(f"  what a competitor reading the same chain sees (no party's key): shares, and sealed facts {ciphertext}")
        for line in competitor:
            say("    " + escape(line))

    try:
        by("core").issue(story.address("supplier"), FACE_VALUE, due, INVOICE, confidential=confidential)
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

    settled = _settle_all(story, by, slot, say, name, pay_through_token=not confidential)

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

    tree = by("supplier" if confidential else None).lineage(slot=slot)
    lines = lineage_lines(tree)
    say(f"  lineage{' (as ' + name('supplier') + ' reads it)' if confidential else ''}:")
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
        "confidential": confidential,
        "disclosed": disclosed,
        "competitor_lines": competitor,
        "ciphertext": ciphertext,
    }


PARTIES = ("core", "supplier", "sub_supplier", "bank", "regulator")


def _day(timestamp: int) -> str:
    return dt.datetime.fromtimestamp(int(timestamp), chaintime.CST).date().isoformat()


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
    pay_through_token: bool = True,
) -> dict[int, str]:
    """Settles every unsettled fragment of `slot` once: the debtor pays through the settlement token
    when one is configured, the debtor holds enough of it and `pay_through_token`; otherwise each
    holder confirms."""
    core = by("core")
    open_fragments = [f for f in core.fragments(slot) if not f.settled]
    total = sum((f.value or Decimal(0) for f in open_fragments), Decimal(0))
    token = core.settlement_token()
    pays_on_chain = False
    if token is not None and pay_through_token:
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
            say(f"  {name(who)} confirms {name('core')} paid fragment {f.token}: {format_yuan(f.value or 0)}")
    return settled
