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
from shanglian.cli.common import Session, account_option, emit, network_options, out, session, table, tx_summary
from shanglian.errors import InputError


def register(cli: click.Group) -> None:
    cli.add_command(enterprise)
    cli.add_command(consortium)


def _registry(s: Session) -> reg.Registry:
    return reg.Registry(s.chain, s.suite().registry, s.sender, s.from_block())


def _vote_result(vote: reg.Vote, action: str, as_json: bool) -> None:
    def human() -> None:
        if vote.executed:
            out.print(f"{action}: done ({vote.votes} of {vote.threshold} approvals)")
        else:
            out.print(f"{action}: vote recorded, {vote.votes} of {vote.threshold} approvals so far")

    emit({"action": action, **vote.__dict__}, as_json, human)


def _show(e: reg.Enterprise, as_json: bool) -> None:
    def human() -> None:
        data = e.as_dict()
        data["roles"] = ", ".join(data["roles"])
        data["licence_expiry"] = dt.datetime.fromtimestamp(e.licence_expiry).date().isoformat()
        width = max(len(k) for k in data)
        for key, value in data.items():
            out.print(f"{key.replace('_', ' '):<{width}}  {value}", markup=False)

    emit(e.as_dict(), as_json, human)


def _enterprise_rows(items: list[reg.Enterprise]) -> list[list[Any]]:
    return [[e.name, e.credit_code, ", ".join(e.role_names), e.status.name.lower() + ("" if e.active or e.status.name != "ACTIVE" else " (licence expired)"), e.account] for e in items]


def print_enterprises(items: list[reg.Enterprise], title: str) -> None:
    table(title, ["name", "credit code", "roles", "status", "account"], _enterprise_rows(items))


@click.group()
def enterprise() -> None:
    """Apply, vet and look up enterprises."""


@enterprise.command("apply")
@network_options
@account_option
@click.option("--name", required=True, help="Public display name, as consumers see it.")
@click.option("--credit-code", required=True, help="统一社会信用代码 (18 characters, GB 32100-2015).")
@click.option("--roles", required=True, help="Comma-separated: producer, processor, logistics, retailer, quality_alliance, inspector, core_enterprise, supplier, financier, regulator, platform.")
@click.option("--licence", "licence", required=True, help="Business licence: its 32-byte hex hash, or a reference hashed with keccak256.")
@click.option("--licence-expiry", required=True, help="ISO date the licence expires.")
@click.option("--metadata-uri", default="", help="Where more about the enterprise is published.")
def apply_(network: str, config: str | None, as_json: bool, account: str | None, name: str, credit_code: str,
           roles: str, licence: str, licence_expiry: str, metadata_uri: str) -> None:
    """Apply to join the consortium from the enterprise's own account."""
    s = session(network, config, account)
    receipt = _registry(s).apply(name, credit_code, roles, licence, licence_expiry, metadata_uri)
    emit({"applied": s.sender.address, **tx_summary(receipt)}, as_json,
         lambda: out.print(f"applied: {s.sender.address} waits for the admins' approval"))


def _governed(command: str, help_text: str, with_roles: bool = False) -> None:
    @enterprise.command(command, help=help_text)
    @network_options
    @account_option
    @click.argument("enterprise_account", metavar="ACCOUNT")
    def run(network: str, config: str | None, as_json: bool, account: str | None, enterprise_account: str,
            **kwargs: Any) -> None:
        s = session(network, config, account)
        r = _registry(s)
        if command == "approve":
            vote = r.approve(enterprise_account, kwargs.get("roles"))
        else:
            vote = getattr(r, command.replace("-", "_"))(enterprise_account)
        _vote_result(vote, f"{command} {enterprise_account}", as_json)

    if with_roles:
        click.option("--roles", help="Roles to grant (default: those applied for).")(run)


_governed("approve", "Vote to approve an application (M-of-N admins).", with_roles=True)
_governed("reject", "Vote to reject an application (M-of-N admins).")
_governed("reinstate", "Vote to reinstate a suspended enterprise (M-of-N admins).")
_governed("revoke", "Vote to revoke an enterprise for good (M-of-N admins).")


@enterprise.command("suspend")
@network_options
@account_option
@click.argument("enterprise_account", metavar="ACCOUNT")
def suspend(network: str, config: str | None, as_json: bool, account: str | None, enterprise_account: str) -> None:
    """Suspend an enterprise at once (any single admin; emergency)."""
    s = session(network, config, account)
    receipt = _registry(s).suspend(enterprise_account)
    emit({"suspended": enterprise_account, **tx_summary(receipt)}, as_json, lambda: out.print(f"suspended {enterprise_account}"))


@enterprise.command("set-roles")
@network_options
@account_option
@click.argument("enterprise_account", metavar="ACCOUNT")
@click.option("--roles", required=True)
def set_roles(network: str, config: str | None, as_json: bool, account: str | None, enterprise_account: str, roles: str) -> None:
    """Vote to replace an enterprise's roles (M-of-N admins)."""
    s = session(network, config, account)
    _vote_result(_registry(s).set_roles(enterprise_account, roles), f"set roles of {enterprise_account}", as_json)


@enterprise.command("renew-licence")
@network_options
@account_option
@click.argument("enterprise_account", metavar="ACCOUNT")
@click.option("--licence", required=True, help="The renewed licence: 32-byte hex hash or a reference to hash.")
@click.option("--licence-expiry", required=True, help="ISO date the renewed licence expires.")
def renew_licence(network: str, config: str | None, as_json: bool, account: str | None, enterprise_account: str,
                  licence: str, licence_expiry: str) -> None:
    """Vote to record a renewed licence (M-of-N admins)."""
    s = session(network, config, account)
    vote = _registry(s).renew_licence(enterprise_account, licence, licence_expiry)
    _vote_result(vote, f"renew licence of {enterprise_account}", as_json)


@enterprise.command("add-operator")
@network_options
@account_option
@click.argument("operator")
def add_operator(network: str, config: str | None, as_json: bool, account: str | None, operator: str) -> None:
    """Let OPERATOR act for your enterprise (run from the enterprise's primary account)."""
    s = session(network, config, account)
    receipt = _registry(s).add_operator(operator)
    emit({"operator": operator, **tx_summary(receipt)}, as_json, lambda: out.print(f"{operator} now acts for {s.sender.address}"))


@enterprise.command("remove-operator")
@network_options
@account_option
@click.argument("operator")
def remove_operator(network: str, config: str | None, as_json: bool, account: str | None, operator: str) -> None:
    """Stop OPERATOR acting for your enterprise."""
    s = session(network, config, account)
    receipt = _registry(s).remove_operator(operator)
    emit({"removed": operator, **tx_summary(receipt)}, as_json, lambda: out.print(f"{operator} no longer acts for {s.sender.address}"))


@enterprise.command("show")
@network_options
@click.argument("enterprise_account", metavar="ACCOUNT")
def show(network: str, config: str | None, as_json: bool, enterprise_account: str) -> None:
    """Show one enterprise: name, credit code, roles, status, licence."""
    s = session(network, config, None, need_account=False)
    _show(_registry(s).show(enterprise_account), as_json)


@enterprise.command("list")
@network_options
def list_(network: str, config: str | None, as_json: bool) -> None:
    """List every enterprise that applied or was imported."""
    s = session(network, config, None, need_account=False)
    items = _registry(s).list()
    emit([e.as_dict() for e in items], as_json, lambda: print_enterprises(items, f"{len(items)} enterprises"))


@enterprise.command("import")
@network_options
@account_option
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False))
@click.option("--chunk-rows", default=reg.IMPORT_CHUNK_ROWS, show_default=True, type=click.IntRange(1, 400))
def import_(network: str, config: str | None, as_json: bool, account: str | None, csv_file: str, chunk_rows: int) -> None:
    """Bulk-import vetted enterprises from CSV, governed by the admins' threshold and resumable.

    Columns: account,name,credit_code,roles,licence_hash,licence_expiry (roles separated by ';').
    Each admin runs the same command: the votes approve the import's Merkle root; once the
    threshold is reached, the command applies every chunk not applied yet. Re-run it after any
    interruption; applied chunks are skipped.
    """
    s = session(network, config, account)
    r = _registry(s)
    try:
        text = Path(csv_file).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InputError("csv", "is not UTF-8 text") from None
    plan = r.plan_import(reg.parse_import_csv(text, r._now()), chunk_rows)
    journal = None if s.chain.profile.embedded else Journal(state_dir() / "journal.sqlite")
    with Progress(transient=True, console=out) as bar:
        task = bar.add_task(f"importing {len(plan.rows)} enterprises", total=len(plan.chunks))
        result = r.run_import(plan, journal, progress=lambda done, sent: bar.update(task, completed=done))

    def human() -> None:
        root = result["root"][:10] + "…"
        if not result["approved"]:
            out.print(f"import {root} of {result['rows']} rows: vote recorded, {result['votes']} of "
                      f"{result['threshold']} approvals; the admin who casts the last one applies it")
        else:
            out.print(f"import {root}: {result['rows']} rows in {result['chunks']} chunks; "
                      f"{result['applied_now']} applied now, {result['applied_before']} before")

    emit(result, as_json, human)


@click.group()
def consortium() -> None:
    """The admin set and threshold that govern the registry."""


@consortium.command("show")
@network_options
def consortium_show(network: str, config: str | None, as_json: bool) -> None:
    """Admins and threshold."""
    s = session(network, config, None, need_account=False)
    r = _registry(s)
    admins, threshold = r.admins(), r.threshold()
    emit({"admins": admins, "threshold": threshold}, as_json,
         lambda: table(f"{threshold} of {len(admins)} admins must approve", ["admin"], [[a] for a in admins]))


@consortium.command("add-admin")
@network_options
@account_option
@click.argument("admin")
def add_admin(network: str, config: str | None, as_json: bool, account: str | None, admin: str) -> None:
    """Vote to add ADMIN (M-of-N admins)."""
    s = session(network, config, account)
    _vote_result(_registry(s).add_admin(admin), f"add admin {admin}", as_json)


@consortium.command("remove-admin")
@network_options
@account_option
@click.argument("admin")
def remove_admin(network: str, config: str | None, as_json: bool, account: str | None, admin: str) -> None:
    """Vote to remove ADMIN (M-of-N admins)."""
    s = session(network, config, account)
    _vote_result(_registry(s).remove_admin(admin), f"remove admin {admin}", as_json)


@consortium.command("set-threshold")
@network_options
@account_option
@click.argument("threshold")
def set_threshold(network: str, config: str | None, as_json: bool, account: str | None, threshold: str) -> None:
    """Vote to change the number of approvals needed (M-of-N admins)."""
    s = session(network, config, account)
    _vote_result(_registry(s).set_threshold(threshold), f"set threshold to {threshold}", as_json)
