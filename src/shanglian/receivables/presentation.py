"""Receivables as people read them: the lineage tree (rich), shared by the CLI and the demo."""

from __future__ import annotations

import io
from typing import Any

from decimal import Decimal

from shanglian.receivables.records import Fragment, Lineage, LineageNode
from shanglian.receivables.units import format_yuan


def amount_text(value: Decimal | None, currency: str = "CNY", percent: Decimal | None = None) -> str:
    """Yuan when the reader knows them; a confidential amount it cannot read as its share of the
    receivable ("30.0000% of the receivable")."""
    if value is not None:
        return format_yuan(value, currency or "CNY")
    if percent is not None:
        return f"{percent}% of the receivable"
    return "confidential"


def fragment_amount(fragment: Fragment, currency: str = "CNY") -> str:
    text = amount_text(fragment.value, currency, fragment.percent)
    return f"{text} ({fragment.percent}%)" if fragment.value is not None and fragment.percent is not None else text


def _label(fragment: Fragment, currency: str) -> str:
    from rich.markup import escape

    name = escape(fragment.holder_name or fragment.holder)
    status = fragment.status
    if fragment.financing is not None:
        seller = escape(fragment.financing.seller_name or fragment.financing.seller)
        price = fragment.financing.price
        bought = f" for {format_yuan(price, currency or 'CNY')}" if price is not None else ""
        status = status.replace("financed", f"financed: bought from {seller}{bought}")
    flags = f"  [dim]{status}[/dim]" if fragment.flags else ""
    if fragment.overdue:
        flags = flags.replace("overdue", "[red]overdue[/red]")
    return f"[bold]{fragment.token}[/bold]  {name}  {fragment_amount(fragment, currency)}{flags}"


def lineage_tree(lineage: Lineage) -> Any:
    """The lineage as a :class:`rich.tree.Tree`: the obligation, then fragment → fragments split from it."""
    from rich.markup import escape
    from rich.tree import Tree

    o = lineage.obligation
    debtor = escape(o.debtor_name or o.debtor)
    if o.confidential and not o.readable:
        owed = "a confidential amount"
        settled = f"{Decimal(o.settled_shares or 0) * 100 / 10**18:.4f}% settled"
    else:
        owed = format_yuan(o.face_value or 0, o.currency or "CNY")
        settled = f"settled {format_yuan(o.settled_value or 0, o.currency or 'CNY')}"
    title = (
        f"receivable {o.slot}{' (confidential)' if o.confidential else ''}: {debtor} owes {owed}, "
        f"due {o.due_date.isoformat()}, {settled}"
        + ("  [red]frozen[/red]" if o.frozen else "")
    )
    tree = Tree(title)
    branch = tree
    for ancestor in lineage.ancestors:
        branch = branch.add(_label(ancestor, o.currency) + "  [dim](ancestor)[/dim]")

    def add(parent: Any, node: LineageNode) -> None:
        here = parent.add(_label(node.fragment, o.currency))
        for child in node.children:
            add(here, child)

    add(branch, lineage.root)
    return tree


def lineage_lines(lineage: Lineage, width: int = 160) -> list[str]:
    """The lineage tree rendered as plain text lines (for logs and for `say` callbacks)."""
    from rich.console import Console

    buffer = io.StringIO()
    Console(file=buffer, width=width, color_system=None, highlight=False, soft_wrap=True).print(
        lineage_tree(lineage)
    )
    return buffer.getvalue().rstrip("\n").splitlines()
