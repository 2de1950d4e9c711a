"""Receivables as people read them: the lineage tree (rich), shared by the CLI and the demo."""

from __future__ import annotations

import io
from typing import Any

from shanglian.receivables.records import Fragment, Lineage, LineageNode
from shanglian.receivables.units import format_yuan


def _label(fragment: Fragment, currency: str) -> str:
    from rich.markup import escape

    name = escape(fragment.holder_name or fragment.holder)
    status = fragment.status
    if fragment.financing is not None:
        seller = escape(fragment.financing.seller_name or fragment.financing.seller)
        status = status.replace(
            "financed",
            f"financed: bought from {seller} for {format_yuan(fragment.financing.price, currency)}",
        )
    flags = f"  [dim]{status}[/dim]" if fragment.flags else ""
    if fragment.overdue:
        flags = flags.replace("overdue", "[red]overdue[/red]")
    return f"[bold]{fragment.token}[/bold]  {name}  {format_yuan(fragment.value, currency)}{flags}"


def lineage_tree(lineage: Lineage) -> Any:
    """The lineage as a :class:`rich.tree.Tree`: the obligation, then fragment → fragments split from it."""
    from rich.markup import escape
    from rich.tree import Tree

    o = lineage.obligation
    debtor = escape(o.debtor_name or o.debtor)
    title = (
        f"receivable {o.slot}: {debtor} owes {format_yuan(o.face_value, o.currency)}, "
        f"due {o.due_date.isoformat()}, settled {format_yuan(o.settled_value, o.currency)}"
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
