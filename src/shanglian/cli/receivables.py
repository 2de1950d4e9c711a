"""`shanglian receivable …`: supply-chain receivables (应收款链) from the command line.

A confidential receivable (``issue --confidential``) puts no amount, invoice number or payment
reference on chain: the parties' commands read them from facts sealed to their keys (each party runs
``publish-key`` once), everyone else sees shares (%). ``disclose`` hands a bank chosen invoice fields
with their proofs, ``verify-disclosure`` checks such a file against the chain. See docs/privacy.md.

TOKEN is a fragment id (``slot × 10,000,000 + fragment number``: 10000001 is the issued fragment of
receivable 1). Amounts are yuan (``1000000``, ``1,000,000.00``, ``¥300000``; at most two decimals);
due dates are ISO dates, due at the end of that day in China Standard Time. Every value is checked
before anything is sent: bad input ends the command with one line naming the field (exit status 2).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import click
from rich.markup import escape

from shanglian import receivables as rcv
from shanglian import validate
from shanglian.cli.common import ChainGroup, Output, Run, Session, done, enterprise_option, fields, listing
from shanglian.registry import Registry


def register(cli: click.Group) -> None:
    cli.add_command(receivable)


def _sdk(s: Session) -> rcv.Receivables:
    suite = s.suite()
    names = Registry(s.chain, suite.registry, None, s.from_block())
    return rcv.Receivables(s.chain, suite["Receivables"], s.sender, s.from_block("Receivables"), names)


def _who(sdk: rcv.Receivables, account: str) -> str:
    return escape(sdk.name_of(account) or account)


def token_argument(func: Callable[..., Any]) -> Callable[..., Any]:
    """The TOKEN argument, given to the command as `fragment`, its id (checked before connecting)."""

    @click.argument("token")
    @functools.wraps(func)
    def wrapper(*args: Any, token: str, **kwargs: Any) -> Any:
        return func(*args, fragment=rcv.check_token(token), **kwargs)

    return wrapper


def token_or_slot(func: Callable[..., Any]) -> Callable[..., Any]:
    """[TOKEN] or --slot N (freeze, unfreeze, lineage), given to the command as `fragment` and
    `whole` (one of them None), checked before connecting."""

    @click.argument("token", required=False)
    @click.option("--slot", help="A whole receivable (all its fragments) instead of one fragment.")
    @functools.wraps(func)
    def wrapper(*args: Any, token: str | None, slot: str | None, **kwargs: Any) -> Any:
        fragment, whole = _token_or_slot(token, slot)
        return func(*args, fragment=fragment, whole=whole, **kwargs)

    return wrapper


def _token_or_slot(token: str | None, slot: str | None) -> tuple[int | None, int | None]:
    """Checks TOKEN / --slot before connecting: exactly one, each well formed."""
    from shanglian.errors import InputError

    if (token is None) == (slot is None):
        raise InputError("token", "give a fragment id TOKEN or --slot N (one of them)")
    if slot is not None:
        return None, rcv.check_slot(slot)
    return rcv.check_token(token or ""), None


@click.group(cls=ChainGroup)
def receivable() -> None:
    """Issue, split, finance, settle and look up receivables (ERC-3525 fragments)."""


# -- issue and move ---------------------------------------------------------------------------------


@receivable.command("issue", sdk=_sdk, signs=True)
@enterprise_option("--creditor", "the supplier you owe (an active supplier)")
@click.option("--amount", required=True, help="Face value in yuan, e.g. 1,000,000.00.")
@click.option("--due", required=True, help="Due date, ISO (YYYY-MM-DD), in the future.")
@click.option(
    "--invoice",
    required=True,
    help="The invoice: its 32-byte hex hash, or a document reference (hashed); with --confidential, its number.",
)
@click.option("--currency", default="CNY", show_default=True, help="ISO 4217 code.")
@click.option(
    "--confidential",
    is_flag=True,
    help="Keep the amount, the invoice and later prices off the chain: sealed to the parties' keys, "
    "shares for everyone else. The creditor must have run publish-key.",
)
def issue(run: Run[rcv.Receivables], creditor: str, amount: str, due: str, invoice: str,
          currency: str, confidential: bool) -> Output:
    """Issue a receivable as the debtor (core enterprise): confirm you owe CREDITOR AMOUNT on DUE."""
    fen = rcv.to_fen(amount, "amount")
    rcv.check_currency(currency)
    validate.iso_date(due, "due")
    if not confidential:
        validate.document_hash(invoice, "invoice")
    sdk = run.sdk
    token = sdk.issue(creditor, amount, due, invoice, currency, confidential=confidential)
    o = sdk.obligation(rcv.slot_of(token))
    data = {"token": token, "slot": o.slot, **{k: v for k, v in o.as_dict().items() if k != "slot"}}
    kind = "confidential receivable" if confidential else "receivable"
    message = (
        f"issued {kind} {o.slot}: fragment [bold]{token}[/bold], "
        f"{rcv.format_yuan(rcv.to_yuan(fen), currency)} "
        f"owed to {_who(sdk, creditor)}, due {o.due_date.isoformat()}"
    )
    return done(message, data, sdk.last_receipt)


@receivable.command("publish-key", sdk=_sdk, signs=True)
def publish_key(run: Run[rcv.Receivables]) -> Output:
    """Publish your account's public key, so confidential facts can be sealed to you (once per account)."""
    sdk = run.sdk
    receipt = sdk.publish_key()
    return done(
        f"published the encryption key of {sdk.sender.address}",  # type: ignore[union-attr]
        {"account": sdk.sender.address, "published": True},  # type: ignore[union-attr]
        receipt,
    )


@receivable.command("split", sdk=_sdk, signs=True)
@token_argument
@enterprise_option("--to", "the enterprise receiving the new fragment")
@click.option("--amount", required=True, help="Yuan to move into the new fragment.")
def split(run: Run[rcv.Receivables], fragment: int, to: str, amount: str) -> Output:
    """Move AMOUNT of fragment TOKEN to another enterprise as a new fragment (多级流转)."""
    fen = rcv.to_fen(amount, "amount")
    sdk = run.sdk
    new = sdk.split(fragment, to, amount)
    return done(
        f"split {rcv.format_yuan(rcv.to_yuan(fen))} of {fragment} to {_who(sdk, to)}: "
        f"new fragment [bold]{new}[/bold]",
        {"token": new, "parent": fragment, "holder": to, "value": str(rcv.to_yuan(fen))},
        sdk.last_receipt,
    )


# -- financing --------------------------------------------------------------------------------------


@receivable.command("offer", sdk=_sdk, signs=True)
@token_argument
@enterprise_option("--financier", "the financier (an active bank or factor)")
@click.option("--price", required=True, help="Yuan the financier pays you, at most the fragment's value.")
def offer(run: Run[rcv.Receivables], fragment: int, financier: str, price: str) -> Output:
    """Offer fragment TOKEN to a financier for PRICE (保理)."""
    fen = rcv.to_fen(price, "price")
    sdk = run.sdk
    receipt = sdk.offer(fragment, financier, price)
    return done(
        f"offered {fragment} to {_who(sdk, financier)} for {rcv.format_yuan(rcv.to_yuan(fen))}",
        {"token": fragment, "financier": financier, "price": str(rcv.to_yuan(fen))},
        receipt,
    )


@receivable.command("withdraw", sdk=_sdk, signs=True)
@token_argument
def withdraw(run: Run[rcv.Receivables], fragment: int) -> Output:
    """Withdraw the pending financing offer of fragment TOKEN."""
    receipt = run.sdk.withdraw(fragment)
    return done(f"withdrew the offer of {fragment}", {"token": fragment, "withdrawn": True}, receipt)


@receivable.command("accept", sdk=_sdk, signs=True)
@token_argument
@click.option("--price", required=True, help="The price you agree to pay, in yuan: the offer must still be at it.")
@click.option(
    "--payment-reference",
    required=True,
    help="Reference of your payment to the seller (32-byte hex, or e.g. a transfer number, hashed).",
)
def accept(run: Run[rcv.Receivables], fragment: int, price: str, payment_reference: str) -> Output:
    """Accept the financing offer of fragment TOKEN at --price as the financier: it becomes yours.

    The price is your consent: if the holder withdrew and offered again at another price, the
    acceptance is refused (ReceivablePriceChanged)."""
    reference = validate.document_hash(payment_reference, "payment_reference")
    rcv.to_fen(price, "price")
    sdk = run.sdk
    receipt = sdk.accept(fragment, payment_reference, price)
    return done(
        f"financed {fragment}: it is now held by {_who(sdk, sdk.show(fragment).fragment.holder)}",
        {"token": fragment, "payment_reference": "0x" + reference.hex()},
        receipt,
    )


# -- settlement -------------------------------------------------------------------------------------


@receivable.command("settle", sdk=_sdk, signs=True)
@token_argument
@click.option(
    "--no-approve",
    is_flag=True,
    help="Do not set the settlement-token allowance when it falls short; fail instead.",
)
@click.option(
    "--reveal",
    is_flag=True,
    help="Confidential receivable: pay through the token anyway, publishing the amount and face value.",
)
def settle(run: Run[rcv.Receivables], fragment: int, no_approve: bool, reveal: bool) -> Output:
    """Pay fragment TOKEN as the debtor through the settlement token (at or after the due date).

    If the debtor's allowance for the Receivables contract is short, it is first set to exactly
    the fragment's value (one more transaction), unless --no-approve. For a confidential
    receivable this publishes the fragment's amount and the receivable's face value to every
    member, so it is refused unless --reveal; the holder's confirm-payment reveals nothing.
    """
    sdk = run.sdk
    receipt = sdk.settle(fragment, approve=not no_approve, reveal=reveal)
    f = sdk.show(fragment).fragment
    return done(
        f"settled {fragment}: paid {rcv.fragment_amount(f)} to {_who(sdk, f.holder)} "
        "through the settlement token",
        {"token": fragment, "settled": True, "on_chain": True, "value": str(f.value), "holder": f.holder},
        receipt,
    )


@receivable.command("confirm-payment", sdk=_sdk, signs=True)
@token_argument
def confirm_payment(run: Run[rcv.Receivables], fragment: int) -> Output:
    """Confirm, as the holder, that the debtor paid fragment TOKEN off-chain; settles it."""
    sdk = run.sdk
    receipt = sdk.confirm_payment(fragment)
    f = sdk.show(fragment).fragment
    return done(
        f"settled {fragment}: {_who(sdk, f.holder)} confirmed receipt of {rcv.fragment_amount(f)}",
        {"token": fragment, "settled": True, "on_chain": False, "value": str(f.value), "holder": f.holder},
        receipt,
    )


# -- disclosure -------------------------------------------------------------------------------------


def _field_list(text: str) -> list[str]:
    from shanglian.confidential import FIELDS
    from shanglian.errors import InputError

    names = [name.strip() for name in text.split(",") if name.strip()]
    for name in names:
        if name not in FIELDS:
            raise InputError("fields", f"{name!r} is not a field of an invoice ({', '.join(FIELDS)})")
    if not names:
        raise InputError("fields", f"name at least one of {', '.join(FIELDS)}")
    return names


@receivable.command("disclose", sdk=_sdk, signs=True)
@token_argument
@enterprise_option("--to", "the enterprise the fields are disclosed to (e.g. a bank)")
@click.option("--fields", "names", required=True, help="Comma-separated: invoice_number, invoice_date, "
              "face_value, currency, due.")
@click.option("--out", type=click.Path(dir_okay=False, writable=True), help="Write the disclosure here "
              "(default: disclosure-TOKEN.json).")
@click.option("--on-chain", is_flag=True, help="Also seal it to the recipient's key on chain (as the holder).")
def disclose(run: Run[rcv.Receivables], fragment: int, to: str, names: str, out: str | None,
             on_chain: bool) -> Output:
    """Disclose chosen invoice fields of confidential fragment TOKEN to an enterprise, with their proofs."""
    from pathlib import Path

    chosen = _field_list(names)
    path = Path(out or f"disclosure-{fragment}.json")
    sdk = run.sdk
    disclosure = sdk.disclose(fragment, chosen, to=to, on_chain=on_chain)
    path.write_text(disclosure.to_json(), encoding="utf-8")
    message = (
        f"disclosed {', '.join(chosen)} of {fragment} to {_who(sdk, to)}: {escape(str(path))}"
        + (" (and sealed on chain)" if on_chain else "")
    )
    data = {"token": fragment, "to": to, "fields": chosen, "file": str(path), "on_chain": on_chain}
    return Output(data, message) if not on_chain else done(message, data, sdk.last_receipt)


@receivable.command("verify-disclosure", sdk=_sdk, reads_as=True)
@click.argument("file", type=click.Path(dir_okay=False))
def verify_disclosure(run: Run[rcv.Receivables], file: str) -> Output:
    """Check every field of a disclosure FILE against the chain; say which fields are proven."""
    from pathlib import Path

    from shanglian.confidential import Disclosure
    from shanglian.errors import InputError

    try:
        text = Path(file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError("file", f"cannot read {file}: {exc.strerror if isinstance(exc, OSError) else exc}") from None
    disclosure = Disclosure.from_json(text)
    proven = run.sdk.verify_disclosure(disclosure)
    values = {name: disclosure.fields[name]["value"] for name in proven}
    token = disclosure.context["token"]
    lines = [f"fragment {token}: {len(proven)} field{'s' if len(proven) != 1 else ''} proven against the chain"]
    for name in proven:
        value = values[name]
        shown = rcv.format_yuan(value) if name == "face_value" else value
        lines.append(f"  {name}: {escape(str(shown))}")
    return Output({"token": token, "proven": proven, "values": values}, lines)


# -- regulator --------------------------------------------------------------------------------------


def _regulate(action: str, help_text: str) -> None:
    @receivable.command(action, help=help_text, sdk=_sdk, signs=True)
    @token_or_slot
    def regulate(run: Run[rcv.Receivables], fragment: int | None, whole: int | None) -> Output:
        sdk = run.sdk
        method = sdk.freeze if action == "freeze" else sdk.unfreeze
        receipt = method(fragment, slot=whole)
        what = f"receivable {whole} (all its fragments)" if whole is not None else f"fragment {fragment}"
        key = "slot" if whole is not None else "token"
        past = {"freeze": "froze", "unfreeze": "unfroze"}[action]
        return done(
            f"{past} {what}",
            {key: whole if whole is not None else fragment, "frozen": action == "freeze"},
            receipt,
        )


_regulate("freeze", "Freeze fragment TOKEN, or a whole receivable with --slot, as a regulator (disputes).")
_regulate("unfreeze", "Unfreeze fragment TOKEN, or a whole receivable with --slot, as a regulator.")


# -- reads ------------------------------------------------------------------------------------------


def _due_text(r: rcv.Receivable) -> str:
    due = r.obligation.due_date.isoformat()
    if r.fragment.settled:
        return f"{due} (settled)"
    if r.overdue:
        days = r.days_overdue
        count = f" {days} day{'s' if days != 1 else ''}" if days else ""
        return f"{due} [bold red](overdue{count})[/bold red]"
    if r.days_to_due == 0:
        return f"{due} (due today)"
    return f"{due} (in {r.days_to_due} day{'s' if r.days_to_due != 1 else ''})"


@receivable.command("show", sdk=_sdk, reads_as=True)
@token_argument
def show(run: Run[rcv.Receivables], fragment: int) -> Output:
    """Show fragment TOKEN: holder, value, status, and the receivable it is part of."""
    r = run.sdk.show(fragment)

    f, o = r.fragment, r.obligation
    rows = [
        (
            "fragment",
            f"{f.token}  (receivable {o.slot}, fragment {f.index}"
            + (f", split from {f.parent})" if f.parent else ", as issued)"),
        ),
        ("holder", f"{escape(f.holder_name)}  {f.holder}" if f.holder_name else f.holder),
        ("value", rcv.fragment_amount(f, o.currency)),
        ("status", f.status.replace("overdue", "[bold red]overdue[/bold red]")),
        ("due", _due_text(r)),
        ("debtor", f"{escape(o.debtor_name)}  {o.debtor}"),
        ("creditor", f"{escape(o.creditor_name)}  {o.creditor}  (issued to)"),
        (
            "face value",
            rcv.amount_text(o.face_value, o.currency)
            + f"  ({rcv.amount_text(o.settled_value, o.currency)} settled)"
            if not o.confidential or o.readable
            else "confidential (not sealed to this account)",
        ),
        ("invoice", o.invoice_number or o.invoice_hash),
    ]
    if o.confidential:
        rows.append(("document root", o.invoice_hash))
    if f.offered and f.offer_price is not None:
        rows.append(
            (
                "offer",
                f"{rcv.format_yuan(f.offer_price, o.currency)} to "
                f"{escape(f.financier_name or str(f.financier))}, waiting for acceptance",
            )
        )
    if o.frozen:
        rows.append(("receivable", "[red]frozen[/red] by a regulator"))
    return fields(r.as_dict(), rows)


@receivable.command("lineage", sdk=_sdk, reads_as=True)
@token_or_slot
def lineage(run: Run[rcv.Receivables], fragment: int | None, whole: int | None) -> Output:
    """Print the tree of fragments split from TOKEN, or of a whole receivable with --slot."""
    tree = run.sdk.lineage(fragment, slot=whole)
    return Output(tree.as_dict(), lambda: rcv.lineage_tree(tree))


@receivable.command("list", sdk=_sdk, reads_as=True)
@click.option("--holder", help="Only fragments this enterprise (primary account) holds now.")
@click.option("--open", "open_only", is_flag=True, help="Leave out settled fragments.")
def list_(run: Run[rcv.Receivables], holder: str | None, open_only: bool) -> Output:
    """List receivable fragments: all of them, or those a holder holds now."""
    if holder is not None:
        holder = validate.address(holder, "holder")
    items = run.sdk.list(holder, include_settled=not open_only)

    rows = [
        [
            f.token,
            escape(f.holder_name or f.holder),
            rcv.fragment_amount(f),
            f.status.replace("overdue", "[red]overdue[/red]"),
            f.parent or "",
        ]
        for f in items
    ]
    return listing(
        [f.as_dict() for f in items],
        f"{len(items)} fragment{'s' if len(items) != 1 else ''}",
        ["token", "holder", "value", "status", "split from"],
        rows,
    )
