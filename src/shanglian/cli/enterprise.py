"""`shanglian enterprise …` and `shanglian consortium …`: onboarding and governance."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import click

from rich.progress import Progress

from shanglian import registry as reg
from shanglian.deploy import state_dir
from shanglian.pipeline import Journal
from shanglian.cli.common import ChainGroup, Output, Run, Session, done, fields, listing, out
from shanglian.errors import InputError


def register(cli: click.Group) -> None:
    cli.add_command(enterprise)
    cli.add_command(consortium)


def _registry(s: Session) -> reg.Registry:
    return reg.Registry(s.chain, s.suite().registry, s.sender, s.from_block())


def _voted(vote: reg.Vote, action: str) -> Output:
    if vote.executed:
        message = f"{action}: done ({vote.votes} of {vote.threshold} approvals)"
    else:
        message = f"{action}: vote recorded, {vote.votes} of {vote.threshold} approvals so far"
    return Output({"action": action, **vote.__dict__}, message)


def _enterprise_rows(items: list[reg.Enterprise]) -> list[list[Any]]:
    return [[e.name, e.credit_code, ", ".join(e.role_names), e.status.name.lower() + ("" if e.active or e.status.name != "ACTIVE" else " (licence expired)"), e.account] for e in items]


@click.group(cls=ChainGroup)
def enterprise() -> None:
    """Apply, vet and look up enterprises."""


@enterprise.command("apply", sdk=_registry, signs=True)
@click.option("--name", required=True, help="Public display name, as consumers see it.")
@click.option("--credit-code", required=True, help="统一社会信用代码 (18 characters, GB 32100-2015).")
@click.option("--roles", required=True, help="Comma-separated: producer, processor, logistics, retailer, quality_alliance, inspector, core_enterprise, supplier, financier, regulator, platform.")
@click.option("--licence", "licence", required=True, help="Business licence: its 32-byte hex hash, or a reference hashed with keccak256.")
@click.option("--licence-expiry", required=True, help="ISO date the licence expires.")
@click.option("--metadata-uri", default="", help="Where more about the enterprise is published.")
def apply_(run: Run[reg.Registry], name: str, credit_code: str, roles: str, licence: str, licence_expiry: str,
           metadata_uri: str) -> Output:
    """Apply to join the consortium from the enterprise's own account."""
    receipt = run.sdk.apply(name, credit_code, roles, licence, licence_expiry, metadata_uri)
    applicant = run.signer
    return done(f"applied: {applicant} waits for the admins' approval", {"applied": applicant}, receipt)


def _governed(command: str, help_text: str, with_roles: bool = False) -> None:
    @enterprise.command(command, help=help_text, sdk=_registry, signs=True)
    @click.argument("enterprise_account", metavar="ACCOUNT")
    def vote(run: Run[reg.Registry], enterprise_account: str, **kwargs: Any) -> Output:
        if command == "approve":
            cast = run.sdk.approve(enterprise_account, kwargs.get("roles"))
        else:
            cast = getattr(run.sdk, command.replace("-", "_"))(enterprise_account)
        return _voted(cast, f"{command} {enterprise_account}")

    if with_roles:
        click.option("--roles", help="Roles to grant (default: those applied for).")(vote)


_governed("approve", "Vote to approve an application (M-of-N admins).", with_roles=True)
_governed("reject", "Vote to reject an application (M-of-N admins).")
_governed("reinstate", "Vote to reinstate a suspended enterprise (M-of-N admins).")
_governed("revoke", "Vote to revoke an enterprise for good (M-of-N admins).")


@enterprise.command("suspend", sdk=_registry, signs=True)
@click.argument("enterprise_account", metavar="ACCOUNT")
def suspend(run: Run[reg.Registry], enterprise_account: str) -> Output:
    """Suspend an enterprise at once (any single admin; emergency)."""
    receipt = run.sdk.suspend(enterprise_account)
    return done(f"suspended {enterprise_account}", {"suspended": enterprise_account}, receipt)


@enterprise.command("set-roles", sdk=_registry, signs=True)
@click.argument("enterprise_account", metavar="ACCOUNT")
@click.option("--roles", required=True)
def set_roles(run: Run[reg.Registry], enterprise_account: str, roles: str) -> Output:
    """Vote to replace an enterprise's roles (M-of-N admins)."""
    return _voted(run.sdk.set_roles(enterprise_account, roles), f"set roles of {enterprise_account}")


@enterprise.command("renew-licence", sdk=_registry, signs=True)
@click.argument("enterprise_account", metavar="ACCOUNT")
@click.option("--licence", required=True, help="The renewed licence: 32-byte hex hash or a reference to hash.")
@click.option("--licence-expiry", required=True, help="ISO date the renewed licence expires.")
def renew_licence(run: Run[reg.Registry], enterprise_account: str, licence: str, licence_expiry: str) -> Output:
    """Vote to record a renewed licence (M-of-N admins)."""
    vote = run.sdk.renew_licence(enterprise_account, licence, licence_expiry)
    return _voted(vote, f"renew licence of {enterprise_account}")


@enterprise.command("add-operator", sdk=_registry, signs=True)
@click.argument("operator")
def add_operator(run: Run[reg.Registry], operator: str) -> Output:
    """Offer OPERATOR to act for your enterprise (run from the enterprise's primary account).

    Nothing binds OPERATOR until it accepts: `shanglian enterprise accept-operator ENTERPRISE
    --account OPERATOR`.
    """
    receipt = run.sdk.add_operator(operator)
    return done(f"offered {operator} to act for {run.signer}; it acts once it accepts "
                f"(enterprise accept-operator {run.signer})", {"offered": operator}, receipt)


@enterprise.command("accept-operator", sdk=_registry, signs=True)
@click.argument("enterprise_account", metavar="ENTERPRISE")
def accept_operator(run: Run[reg.Registry], enterprise_account: str) -> Output:
    """Accept ENTERPRISE's offer: from now on your account acts for it."""
    receipt = run.sdk.accept_operator(enterprise_account)
    return done(f"{run.signer} now acts for {enterprise_account}", {"operator": run.signer, "enterprise": enterprise_account},
                receipt)


def _unbinding(command: str, key: str, help_text: str) -> None:
    """`shanglian enterprise <command> OPERATOR`: one call that ends an operator's binding."""

    @enterprise.command(command, help=help_text, sdk=_registry, signs=True)
    @click.argument("operator")
    def unbind(run: Run[reg.Registry], operator: str) -> Output:
        receipt = getattr(run.sdk, command.replace("-", "_"))(operator)
        return done(f"{operator} no longer acts for an enterprise", {key: operator}, receipt)


_unbinding("remove-operator", "removed", "Stop OPERATOR acting for your enterprise, or withdraw your offer to it.")
_unbinding("clear-operator", "cleared", "End OPERATOR's binding to an enterprise that is not active (any single admin).")


@enterprise.command("resign-operator", sdk=_registry, signs=True)
def resign_operator(run: Run[reg.Registry]) -> Output:
    """Stop acting for the enterprise your account is an operator of."""
    receipt = run.sdk.resign_operator()
    return done(f"{run.signer} no longer acts for an enterprise", {"resigned": run.signer}, receipt)


@enterprise.command("assign-prefix", sdk=_registry, signs=True)
@click.argument("enterprise_account", metavar="ACCOUNT")
@click.option("--prefix", required=True, help="GS1 Company Prefix, 4 to 12 digits (leading zeros count), e.g. 6901234.")
def assign_prefix(run: Run[reg.Registry], enterprise_account: str, prefix: str) -> Output:
    """Vote to give a GS1 Company Prefix to ACCOUNT (M-of-N admins): its GTINs and GLNs are ACCOUNT's
    to register. A prefix whose holder is no longer active may be given to another enterprise."""
    return _voted(run.sdk.assign_prefix(enterprise_account, prefix), f"assign prefix {prefix} to {enterprise_account}")


@enterprise.command("revoke-prefix", sdk=_registry, signs=True)
@click.argument("prefix")
def revoke_prefix(run: Run[reg.Registry], prefix: str) -> Output:
    """Vote to take PREFIX from its holder (M-of-N admins)."""
    return _voted(run.sdk.revoke_prefix(prefix), f"revoke prefix {prefix}")


@enterprise.command("prefixes", sdk=_registry)
def prefixes(run: Run[reg.Registry]) -> Output:
    """List the GS1 Company Prefixes the admins assigned, with their holders."""
    held = run.sdk.prefixes()
    return listing(held, f"{len(held)} prefixes", ["prefix", "holder"], [[p, a] for p, a in sorted(held.items())])


@enterprise.command("show", sdk=_registry)
@click.argument("enterprise_account", metavar="ACCOUNT")
def show(run: Run[reg.Registry], enterprise_account: str) -> Output:
    """Show one enterprise: name, credit code, roles, status, licence."""
    e = run.sdk.show(enterprise_account)
    rows = e.as_dict()
    rows["roles"] = ", ".join(rows["roles"])
    rows["licence_expiry"] = dt.datetime.fromtimestamp(e.licence_expiry).date().isoformat()
    return fields(e.as_dict(), rows, markup=False)


@enterprise.command("list", sdk=_registry)
def list_(run: Run[reg.Registry]) -> Output:
    """List every enterprise that applied or was imported."""
    items = run.sdk.list()
    columns = ["name", "credit code", "roles", "status", "account"]
    return listing([e.as_dict() for e in items], f"{len(items)} enterprises", columns, _enterprise_rows(items))


@enterprise.command("import", sdk=_registry, signs=True)
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False))
@click.option("--chunk-rows", default=reg.IMPORT_CHUNK_ROWS, show_default=True, type=click.IntRange(1, 400))
def import_(run: Run[reg.Registry], csv_file: str, chunk_rows: int) -> Output:
    """Bulk-import vetted enterprises from CSV, governed by the admins' threshold and resumable.

    Columns: account,name,credit_code,roles,licence_hash,licence_expiry (roles separated by ';').
    Each admin runs the same command: the votes approve the import's Merkle root; once the
    threshold is reached, the command applies every chunk not applied yet. Re-run it after any
    interruption; applied chunks are skipped.
    """
    r = run.sdk
    try:
        text = Path(csv_file).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InputError("csv", "is not UTF-8 text") from None
    plan = r.plan_import(reg.parse_import_csv(text, r._now()), chunk_rows)
    journal = None if run.session.chain.profile.embedded else Journal(state_dir() / "journal.sqlite")
    with Progress(transient=True, console=out) as bar:
        task = bar.add_task(f"importing {len(plan.rows)} enterprises", total=len(plan.chunks))
        result = r.run_import(plan, journal, progress=lambda done, sent: bar.update(task, completed=done))

    root = result["root"][:10] + "…"
    if not result["approved"]:
        message = (f"import {root} of {result['rows']} rows: vote recorded, {result['votes']} of "
                   f"{result['threshold']} approvals; the admin who casts the last one applies it")
    else:
        message = (f"import {root}: {result['rows']} rows in {result['chunks']} chunks; "
                   f"{result['applied_now']} applied now, {result['applied_before']} before")
        if result["skipped"]:
            message += (f"; {len(result['skipped'])} row(s) skipped (the account already had a record, or a "
                        f"vetted enterprise holds the credit code): see --json")
    return Output(result, message)


@click.group(cls=ChainGroup)
def consortium() -> None:
    """The admin set and threshold that govern the registry."""


@consortium.command("show", sdk=_registry)
def consortium_show(run: Run[reg.Registry]) -> Output:
    """Admins and threshold."""
    admins, threshold = run.sdk.admins(), run.sdk.threshold()
    return listing({"admins": admins, "threshold": threshold}, f"{threshold} of {len(admins)} admins must approve",
                   ["admin"], [[a] for a in admins])


@consortium.command("add-admin", sdk=_registry, signs=True)
@click.argument("admin")
def add_admin(run: Run[reg.Registry], admin: str) -> Output:
    """Vote to add ADMIN (M-of-N admins)."""
    return _voted(run.sdk.add_admin(admin), f"add admin {admin}")


@consortium.command("remove-admin", sdk=_registry, signs=True)
@click.argument("admin")
def remove_admin(run: Run[reg.Registry], admin: str) -> Output:
    """Vote to remove ADMIN (M-of-N admins)."""
    return _voted(run.sdk.remove_admin(admin), f"remove admin {admin}")


@consortium.command("set-threshold", sdk=_registry, signs=True)
@click.argument("threshold")
def set_threshold(run: Run[reg.Registry], threshold: str) -> Output:
    """Vote to change the number of approvals needed (M-of-N admins)."""
    return _voted(run.sdk.set_threshold(threshold), f"set threshold to {threshold}")
