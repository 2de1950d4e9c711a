"""`shanglian copyright …`: copyright registration (版权登记) from the command line.

WORK is a work's id: its content digest (64 hex digits, as `copyright register` prints it). FILE is
hashed on this machine. Registering sends two transactions (a commitment, then the registration in a
later block), so nobody reading pending transactions can register the work first. Every value is
checked before anything is sent: bad input ends the command with one line naming the field (exit 2).
"""

from __future__ import annotations

import click
from rich.markup import escape

from shanglian import validate
from shanglian.cli.common import ChainGroup, Output, Run, done, fields
from shanglian.cli.hall_options import algorithm_option, copyrights_sdk, document, who
from shanglian.copyrights import MAX_AUTHORS_BYTES, MAX_TITLE_BYTES, Copyrights, Work, token_of
from shanglian.digests import Algorithm
from shanglian.errors import InputError
from shanglian.hall import iso_time, parse_annotation_kind


def register(cli: click.Group) -> None:
    cli.add_command(copyright_)


@click.group("copyright", cls=ChainGroup)
def copyright_() -> None:
    """Register works, move their rights in two steps, license their use (版权)."""


def _work(value: str) -> int:
    return token_of(value)


@copyright_.command("register", sdk=copyrights_sdk, signs=True)
@click.argument("file")
@click.option("--title", required=True, help="The work's title (1-128 bytes of UTF-8).")
@click.option("--authors", required=True, help="Its authors, e.g. '李明; 王芳' (1-256 bytes).")
@algorithm_option
def register_(run: Run[Copyrights], file: str, title: str, authors: str, algorithm: Algorithm) -> Output:
    """Register the work in FILE for your enterprise, which becomes its rights holder."""
    validate.text(title, "title", MAX_TITLE_BYTES)
    validate.text(authors, "authors", MAX_AUTHORS_BYTES)
    digest = document(file, "file", algorithm)
    token, receipt = run.sdk.register(digest, title, authors, algorithm)
    work = "0x" + digest.hex()
    return done(f"registered {escape(title)}: work [bold]{work}[/bold]", {"work": work, "token": str(token),
                "title": title, "authors": authors, "algorithm": algorithm.label}, receipt, markup=True)


@copyright_.command("offer", sdk=copyrights_sdk, signs=True)
@click.argument("work")
@click.option("--to", "to", required=True, help="Primary account of the enterprise offered the rights (0x0…0 withdraws).")
def offer(run: Run[Copyrights], work: str, to: str) -> Output:
    """Offer WORK's rights to another enterprise, which must accept (`copyright accept`)."""
    token = _work(work)
    account = validate.address(to, "to")
    receipt = run.sdk.offer(token, account)
    return done(f"offered work {token:#066x} to {account}", {"work": f"{token:#066x}", "to": account}, receipt)


@copyright_.command("accept", sdk=copyrights_sdk, signs=True)
@click.argument("work")
def accept(run: Run[Copyrights], work: str) -> Output:
    """Accept WORK, offered to your enterprise: its rights become yours."""
    token = _work(work)
    receipt = run.sdk.accept(token)
    return done(f"accepted work {token:#066x}", {"work": f"{token:#066x}"}, receipt)


@copyright_.command("license", sdk=copyrights_sdk, signs=True)
@click.argument("work")
@click.option("--licensee", required=True, help="Primary account of the enterprise licensed to use the work.")
@click.option("--start", required=True, help="First day of the term, ISO (YYYY-MM-DD).")
@click.option("--end", required=True, help="Last day of the term, ISO, in the future.")
@click.option("--terms", required=True, help="The licence contract: a file or its digest.")
def license_(run: Run[Copyrights], work: str, licensee: str, start: str, end: str, terms: str) -> Output:
    """Offer a licence to use WORK for a term; the licensee accepts it (`copyright accept-licence`)."""
    token = _work(work)
    account = validate.address(licensee, "licensee")
    if validate.iso_date(end, "end") < validate.iso_date(start, "start"):
        raise InputError("end", "must not be before start")
    digest = document(terms, "terms")
    grant, receipt = run.sdk.offer_grant(token, account, start, end, digest)
    return done(f"offered licence [bold]{grant}[/bold] to use work {token:#066x} to {account}, {start} to {end}",
                {"grant": grant, "work": f"{token:#066x}", "licensee": account, "start": start, "end": end}, receipt)


@copyright_.command("accept-licence", sdk=copyrights_sdk, signs=True)
@click.argument("grant")
def accept_licence(run: Run[Copyrights], grant: str) -> Output:
    """Accept licence GRANT, offered to your enterprise."""
    number = validate.positive_int(grant, "grant")
    receipt = run.sdk.accept_grant(number)
    return done(f"accepted licence {number}", {"grant": number}, receipt)


@copyright_.command("withdraw-licence", sdk=copyrights_sdk, signs=True)
@click.argument("grant")
def withdraw_licence(run: Run[Copyrights], grant: str) -> Output:
    """Withdraw licence GRANT before it is accepted."""
    number = validate.positive_int(grant, "grant")
    receipt = run.sdk.withdraw_grant(number)
    return done(f"withdrew licence {number}", {"grant": number}, receipt)


@copyright_.command("annotate", sdk=copyrights_sdk, signs=True)
@click.argument("work")
@click.option("--kind", required=True, help="dispute, court-ruling or resolution.")
@click.option("--document", "document_", required=True, help="The document it rests on: a file or its digest.")
def annotate(run: Run[Copyrights], work: str, kind: str, document_: str) -> Output:
    """Append a dispute or court annotation to WORK (regulators and notaries)."""
    token = _work(work)
    parsed = parse_annotation_kind(kind)
    digest = document(document_, "document")
    receipt = run.sdk.annotate(token, parsed, digest)
    return done(f"annotated work {token:#066x}: {parsed.label}",
                {"work": f"{token:#066x}", "kind": parsed.name.lower(), "document": "0x" + digest.hex()}, receipt)


def _rows(w: Work) -> list[tuple[str, str]]:
    rows = [("work", w.digest), ("title", escape(w.title)), ("authors", escape(w.authors)),
            ("registered by", who(w.registrant_name, w.registrant)), ("priority", iso_time(w.registered_at) or ""),
            ("holder", who(w.holder_name, w.holder))]
    if w.offeree:
        rows.append(("offered to", w.offeree))
    for g in w.grants:
        rows.append(("licence", f"{g.id}: {who(g.licensee_name, g.licensee)} {iso_time(g.start)} — {iso_time(g.end)}, "
                                f"{g.status.name.lower()}"))
    for a in w.annotations:
        rows.append(("annotation", f"{a.kind.label} by {who(a.author_name, a.author)} {iso_time(a.annotated_at)}"))
    return rows


@copyright_.command("show", sdk=copyrights_sdk)
@click.argument("work")
def show(run: Run[Copyrights], work: str) -> Output:
    """Show WORK: title, authors, registrant and priority date, holder, licences."""
    found = run.sdk.show(_work(work))
    return fields(found.as_dict(), _rows(found))


@copyright_.command("verify", sdk=copyrights_sdk)
@click.argument("file", type=click.Path())
def verify(run: Run[Copyrights], file: str) -> Output:
    """Say whether the work in FILE is registered, by whom and when, and who holds it."""
    digests, found = run.sdk.verify_file(file)
    data = {"digests": digests, "found": found is not None, "work": found.as_dict() if found else None}
    if found is None:
        return Output(data, ["[bold]no registration[/bold] of this work"])
    return fields(data, _rows(found))
