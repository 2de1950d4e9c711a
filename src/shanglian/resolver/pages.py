"""The consumer's item page, rendered from the Jinja2 templates: in full, or for a proven item from
its batch's pre-rendered skeleton with the per-item values filled in; the fragments every item of a
batch shares, rendered once per batch and index state; and the problem page."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape

from shanglian import gs1
from shanglian.resolver.service import Counted, Resolver
from shanglian.resolver.views import ItemView

TEMPLATES = Path(__file__).with_name("templates")
STATIC = Path(__file__).with_name("static")


class VerifyPage:
    """The verification page: the same HTML for every visitor, rendered once; a QR code's page differs
    only in the record it names, filled into one attribute."""

    _SLOT = "\0record\0"

    def __init__(self, templates: Jinja2Templates) -> None:
        html = templates.env.get_template("verify.html").render(record=self._SLOT)
        self._before, self._after = (part.encode() for part in html.split(self._SLOT))
        self._plain = self.render("")

    def render(self, record: str) -> bytes:
        """The page; `record` ("licence/0x…") names the record to show at once, "" none."""
        if not record and hasattr(self, "_plain"):
            return self._plain
        return self._before + str(escape(record)).encode() + self._after


class Skeleton:
    """A rendered item page with slots (``\\0name\\0``, which neither the facts nor escaping can
    produce) where the per-item values go; :meth:`fill` joins it as UTF-8 bytes."""

    FIELDS = {"serial": "serial", "uri": "uri", "scan_count": "count", "scans_on_chain": "on_chain",
              "scans_pending": "pending"}
    _SLOT = re.compile("\0([a-z_]+)\0")

    def __init__(self, html: str) -> None:
        pieces = self._SLOT.split(html)
        self.literals = [p.encode() for p in pieces[0::2]]
        self.slots = pieces[1::2]
        known = {*self.FIELDS.values(), "plural"}
        if not set(self.slots) <= known:
            raise ValueError(f"unknown slots in the item page: {set(self.slots) - known}")

    def fill(self, values: dict[str, bytes]) -> bytes:
        out = [self.literals[0]]
        for slot, literal in zip(self.slots, self.literals[1:]):
            out.append(values[slot])
            out.append(literal)
        return b"".join(out)


class ItemPages:
    """The pages of `resolver`'s items, with the caches that make a proven item's page cheap."""

    def __init__(self, resolver: Resolver) -> None:
        self.resolver = resolver
        self.templates = Jinja2Templates(directory=str(TEMPLATES))
        self.page_template = self.templates.env.get_template("item.html")
        self.fragments: dict[tuple[Any, ...], Markup] = {}

    def fragment(self, name: str, view: ItemView, variant: tuple[Any, ...]) -> Markup:
        fragments, generation = self.fragments, self.resolver.generation
        key = (generation, name, view.batch_id, variant)
        if key not in fragments:
            if len(fragments) > 4096 or any(k[0] != generation for k in list(fragments)[:1]):
                fragments.clear()
            fragments[key] = Markup(self.templates.env.get_template(name).render(item=view))
        return fragments[key]

    def problem(self, request: Request, status: int, message: str) -> Response:
        return self.templates.TemplateResponse(
            request, "problem.html", {"status": status, "message": message}, status_code=status
        )

    def render(self, view: ItemView, plural: str | None = None) -> str:
        facts_html = story_html = Markup("")
        if view.batch is not None and view.serial_proven:
            # The parts every item of a batch shares are rendered once per batch and index state.
            facts_html = self.fragment("item_facts.html", view, tuple(c.status for c in view.certifications))
            story_html = self.fragment("item_story.html", view, tuple(e.transaction for e in view.events if e.item_level))
        if plural is None:
            plural = "" if view.scan_count == 1 else "s"
        return self.page_template.render(item=view, facts_html=facts_html, story_html=story_html, scan_plural=plural)

    @staticmethod
    def page_key(verdict: str, certified: str | None, events: bool, item: bytes, gtin: str, lot: str) -> tuple[Any, ...]:
        return (verdict, certified, item if events else None, gtin, lot)

    def proven(self, counted: Counted) -> bytes:
        """A proven item's page: its batch's page, pre-rendered with slots for what differs from
        item to item (serial, link, counts), filled in. The first view of each variant renders
        the page in full, and that rendering becomes the variant's skeleton."""
        facts = counted.facts
        key = self.page_key(counted.verdict, counted.certified, counted.item in facts.item_events, counted.item,
                            counted.gtin, counted.lot)
        skeleton = facts.pages.get(key)
        if skeleton is not None:
            count = counted.on_chain + counted.pending
            return skeleton.fill({
                "serial": str(escape(counted.serial)).encode(), "uri": counted.uri.encode("ascii"),
                "count": str(count).encode("ascii"), "plural": b"" if count == 1 else b"s",
                "on_chain": str(counted.on_chain).encode("ascii"), "pending": str(counted.pending).encode("ascii"),
            })
        link = gs1.DigitalLink(gtin=counted.gtin, lot=counted.lot, serial=counted.serial, base="")
        view = self.resolver.view(link, counted.key, facts, True)
        if len(facts.pages) > 1024:
            facts.pages.clear()
        certs = view.certifications
        facts.pages[self.page_key(
            view.verdict, certs[-1].status if certs else None, any(e.item_level for e in view.events), counted.item,
            view.gtin, view.lot,
        )] = Skeleton(self.render(view.model_copy(update={f: f"\0{slot}\0" for f, slot in Skeleton.FIELDS.items()}),
                                  plural="\0plural\0"))
        return self.render(view).encode()
