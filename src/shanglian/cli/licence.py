"""`shanglian licence …`: digital licences (数字证照) from the command line.

A regulator issues, renews, suspends, reinstates and revokes; anyone shows a licence or verifies a
document. LICENCE is a licence id (64 hex digits: the digest of the document it was issued with).
Documents and decisions are files (hashed here) or their digests. Validity is in whole days, China
Standard Time. Every value is checked before anything is sent: bad input ends the command with one
line naming the field (exit status 2).
"""

from __future__ import annotations

import click
from rich.markup import escape

from shanglian import validate
from shanglian.cli.common import ChainGroup, Output, Run, done, fields
from shanglian.cli.hall_options import algorithm_option, bytes32_id, document, licences_sdk, who
from shanglian.digests import Algorithm
from shanglian.errors import InputError
from shanglian.hall import iso_time
from shanglian.licences import Licence, Licences, parse_licence_kind, parse_number
from shanglian.verification import record_url, write_qr


def register(cli: click.Group) -> None:
    cli.add_command(licence)


@click.group(cls=ChainGroup)
def licence() -> None:
    """Issue, renew, suspend, reinstate, revoke, show and verify digital licences (数字证照)."""


def _validity(valid_from: str, valid_until: str) -> None:
    start, end = validate.iso_date(valid_from, "valid_from"), validate.iso_date(valid_until, "valid_until")
    if end < start:
        raise InputError("valid_until", "must not be before valid_from")


@licence.command("issue", sdk=licences_sdk, signs=True)
@click.option("--holder", required=True, help="Primary account of the enterprise licensed (it need not be onboarded yet).")
@click.option("--kind", required=True, help="business, food-production, food-business, industrial-product or printing.")
@click.option("--number", required=True, help="The licence number as printed, e.g. SC11136072100123.")
@click.option("--document", "document_", required=True, help="The licence document: a file or its digest.")
@click.option("--valid-from", required=True, help="First day of validity, ISO (YYYY-MM-DD).")
@click.option("--valid-until", required=True, help="Last day of validity, ISO (YYYY-MM-DD), in the future.")
@algorithm_option
@click.option("--qr", help="Write the QR code of the licence's verification page here (.png or .svg).")
@click.option("--base", default="https://id.shanglian.example", show_default=True, help="The resolver's public address, for the QR code.")
def issue(run: Run[Licences], holder: str, kind: str, number: str, document_: str, valid_from: str, valid_until: str,
          algorithm: Algorithm, qr: str | None, base: str) -> Output:
    """Issue a licence to HOLDER, as a regulator."""
    account = validate.address(holder, "holder")
    parsed = parse_licence_kind(kind)
    parse_number(number)
    digest = document(document_, "document", algorithm)
    _validity(valid_from, valid_until)
    if qr is not None and not qr.lower().endswith((".png", ".svg")):
        raise InputError("qr", "write .png or .svg")
    validate.uri(base, "base", required=True)
    licence_id, receipt = run.sdk.issue(account, parsed, number, digest, valid_from, valid_until, algorithm)
    url = record_url("licence", licence_id, base)
    data = {"licence": "0x" + licence_id.hex(), "holder": account, "kind": parsed.name.lower(), "number": number,
            "url": url}
    if qr is not None:
        data["qr"] = str(write_qr(url, qr))
    return done(f"issued {parsed.label} {escape(number)} to {account}: licence [bold]0x{licence_id.hex()}[/bold]",
                data, receipt)


@licence.command("renew", sdk=licences_sdk, signs=True)
@click.argument("licence_id", metavar="LICENCE")
@click.option("--document", "document_", required=True, help="The renewed licence document: a file or its digest.")
@click.option("--valid-from", required=True, help="First day of the new validity, ISO.")
@click.option("--valid-until", required=True, help="Last day of the new validity, ISO, in the future.")
@algorithm_option
def renew(run: Run[Licences], licence_id: str, document_: str, valid_from: str, valid_until: str,
          algorithm: Algorithm) -> Output:
    """Renew LICENCE with a new document and validity, as its issuer."""
    key = bytes32_id(licence_id, "licence")
    digest = document(document_, "document", algorithm)
    _validity(valid_from, valid_until)
    receipt = run.sdk.renew(key, digest, valid_from, valid_until)
    return done(f"renewed licence 0x{key.hex()} until {valid_until}",
                {"licence": "0x" + key.hex(), "document": "0x" + digest.hex(), "valid_until": valid_until}, receipt)


_PAST = {"suspend": "suspended", "reinstate": "reinstated", "revoke": "revoked"}


def _change(action: str) -> click.Command:
    @licence.command(action, sdk=licences_sdk, signs=True,
                     help=f"{action.capitalize()} LICENCE, as its issuer, citing the decision behind it.")
    @click.argument("licence_id", metavar="LICENCE")
    @click.option("--decision", required=True, help="The decision behind it (决定书): a file or its digest.")
    def command(run: Run[Licences], licence_id: str, decision: str) -> Output:
        key = bytes32_id(licence_id, "licence")
        digest = document(decision, "decision")
        receipt = getattr(run.sdk, action)(key, digest)
        return done(f"{_PAST[action]} licence 0x{key.hex()}",
                    {"licence": "0x" + key.hex(), "action": action, "decision": "0x" + digest.hex()}, receipt)

    return command


for _action in ("suspend", "reinstate", "revoke"):
    _change(_action)


def _rows(found: Licence) -> list[tuple[str, str]]:
    state = found.status.name.lower()
    verdict = "[bold green]in force[/bold green]" if found.valid else f"[bold red]not in force ({state})[/bold red]"
    return [("licence", found.id), ("kind", found.kind.label), ("number", escape(found.number)),
            ("holder", who(found.holder_name, found.holder)), ("issuer", who(found.issuer_name, found.issuer)),
            ("valid", f"{iso_time(found.valid_from)} — {iso_time(found.valid_until)}"), ("status", verdict),
            ("renewals", str(found.renewals)), ("document", found.current_document)]


@licence.command("show", sdk=licences_sdk)
@click.argument("licence_id", metavar="LICENCE")
def show(run: Run[Licences], licence_id: str) -> Output:
    """Show LICENCE: holder, issuer, validity, status."""
    found = run.sdk.show(bytes32_id(licence_id, "licence"))
    return fields(found.as_dict(), _rows(found))


@licence.command("verify", sdk=licences_sdk)
@click.argument("file", type=click.Path())
def verify(run: Run[Licences], file: str) -> Output:
    """Say which licence the document FILE was issued or renewed with, and whether it is in force."""
    digests, found = run.sdk.verify_file(file)
    data = {"digests": digests, "found": found is not None, "licence": found.as_dict() if found else None}
    if found is None:
        return Output(data, ["[bold]no licence[/bold] was issued with this document"])
    return fields(data, _rows(found))
