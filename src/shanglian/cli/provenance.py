"""`shanglian product|location|batch|custody|event|scan …`, `shanglian trace` and `shanglian qr`:
product provenance (溯源) from the command line.

A BATCH argument is the batch's 0x id (64 hex digits), `<gtin>:<lot>`, or a Digital Link URI.
Serial lists written by `batch create` and `batch transform` go to `<state dir>/serials/0x<batch
id>.txt` ($SHANGLIAN_HOME or ./.shanglian), where `trace` finds them to prove a serial.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from shanglian import gs1, validate
from shanglian import provenance as prov
from shanglian import qr as qrcode
from shanglian import trace as tracing
from shanglian.cli.common import (
    Session,
    account_option,
    emit,
    network_options,
    out,
    session,
    table,
    tx_summary,
)
from shanglian.errors import InputError


def register(cli: click.Group) -> None:
    for command in (product, location, batch, custody, event, scan, trace, qr):
        cli.add_command(command)


def _provenance(s: Session) -> prov.Provenance:
    return prov.Provenance(
        s.chain, s.suite()["ProductProvenance"], s.sender, s.from_block("ProductProvenance")
    )


def _id(ref: str) -> str:
    """The 0x id of a BATCH argument (checked before connecting to anything)."""
    return "0x" + prov.batch_key(ref).hex()


def _done(message: str, data: dict[str, Any], receipt: Any, as_json: bool) -> None:
    emit({**data, **tx_summary(receipt)}, as_json, lambda: out.print(message, markup=False))


def origin_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """--place, --region-code, --latitude, --longitude."""

    @click.option("--place", required=True, help="Place name, e.g. 砀山县良梨镇 (at most 96 bytes).")
    @click.option(
        "--region-code", required=True, help="Six-digit GB/T 2260 administrative division code, e.g. 341321."
    )
    @click.option("--latitude", required=True, help="Degrees north (negative: south), e.g. 34.42.")
    @click.option("--longitude", required=True, help="Degrees east (negative: west), e.g. 116.35.")
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return func(*args, **kwargs)

    return wrapper


def serial_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """--serials FIRST..LAST, --serials-file FILE, --serials-dir DIR."""

    @click.option(
        "--serials",
        "serial_range",
        metavar="FIRST..LAST",
        help="A range of serials, both ends included: PEAR-000001..PEAR-010000.",
    )
    @click.option(
        "--serials-file", type=click.Path(dir_okay=False), help="A UTF-8 file with one serial per line."
    )
    @click.option(
        "--serials-dir",
        type=click.Path(file_okay=False),
        help="Where to keep the serial list (default: <state dir>/serials).",
    )
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return func(*args, **kwargs)

    return wrapper


def _serials(serial_range: str | None, serials_file: str | None) -> list[str] | None:
    if serial_range and serials_file:
        raise InputError("serials", "give either --serials FIRST..LAST or --serials-file, not both")
    if serial_range:
        return prov.parse_serial_range(serial_range)
    if serials_file:
        return prov.read_serial_file(serials_file)
    return None


# ------------------------------------------------------------------------------------------------
# products and locations


@click.group()
def product() -> None:
    """Register and look up products (GTIN)."""


@product.command("register")
@network_options
@account_option
@click.option("--gtin", required=True, help="GTIN-8/12/13/14 with its check digit.")
@click.option("--name", required=True, help="Product name consumers see (at most 96 bytes).")
@click.option("--features", default="", help="What makes the product special (at most 512 bytes).")
@click.option(
    "--metadata-hash", default=None, help="32-byte hex hash of a product sheet, or a reference to hash."
)
def product_register(
    network: str,
    config: str | None,
    as_json: bool,
    account: str | None,
    gtin: str,
    name: str,
    features: str,
    metadata_hash: str | None,
) -> None:
    """Register a product; your enterprise (producer or processor) becomes its producer."""
    gtin14 = gs1.normalize_gtin(gtin)
    s = session(network, config, account)
    receipt = _provenance(s).register_product(gtin14, name, features, metadata_hash)
    _done(f"registered product {gtin14}: {name}", {"gtin": gtin14, "name": name}, receipt, as_json)


@product.command("show")
@network_options
@click.argument("gtin")
def product_show(network: str, config: str | None, as_json: bool, gtin: str) -> None:
    """Show a product: name, features, producer."""
    gtin14 = gs1.normalize_gtin(gtin)
    s = session(network, config, None, need_account=False)
    p = _provenance(s).product(gtin14)
    data = dataclasses.asdict(p)

    def human() -> None:
        for key, value in data.items():
            out.print(f"{key.replace('_', ' '):<13} {value}", markup=False)

    emit(data, as_json, human)


@click.group()
def location() -> None:
    """Register the sites (GLN) your trace events take place at."""


@location.command("register")
@network_options
@account_option
@click.option("--gln", required=True, help="GLN-13 of the site, with its check digit.")
@origin_options
def location_register(
    network: str,
    config: str | None,
    as_json: bool,
    account: str | None,
    gln: str,
    place: str,
    region_code: str,
    latitude: str,
    longitude: str,
) -> None:
    """Register a site of your enterprise: where its GLN is (EPCIS master data)."""
    number = prov.normalize_gln(gln)
    prov.Origin.checked(place, region_code, latitude, longitude)
    s = session(network, config, account)
    receipt = _provenance(s).register_location(number, place, region_code, latitude, longitude)
    _done(
        f"registered location {prov.gln_text(number)}: {place}",
        {"gln": prov.gln_text(number), "place": place},
        receipt,
        as_json,
    )


# ------------------------------------------------------------------------------------------------
# batches


@click.group()
def batch() -> None:
    """Create, certify, transform, recall and show batches (GTIN + lot)."""


@batch.command("create")
@network_options
@account_option
@click.option("--gtin", required=True, help="The product's GTIN.")
@click.option("--lot", required=True, help="Batch/lot number (GS1 AI 10: 1-20 characters of set 82).")
@origin_options
@click.option("--production-date", required=True, help="ISO date the batch was produced (not in the future).")
@click.option("--quantity", help="Units in the batch (default: the number of serials).")
@serial_options
@click.option(
    "--metadata-uri", default="", help="Where the batch's documents (and serial list) are published."
)
@click.option(
    "--metadata-hash", default=None, help="32-byte hex hash of the batch documents, or a reference to hash."
)
def batch_create(
    network: str,
    config: str | None,
    as_json: bool,
    account: str | None,
    gtin: str,
    lot: str,
    place: str,
    region_code: str,
    latitude: str,
    longitude: str,
    production_date: str,
    quantity: str | None,
    serial_range: str | None,
    serials_file: str | None,
    serials_dir: str | None,
    metadata_uri: str,
    metadata_hash: str | None,
) -> None:
    """Create a batch and commit to its serials with one Merkle root (one transaction for any size).

    The serial list is kept in the serials folder, named by the batch id, before the batch is sent:
    `shanglian trace` proves serials from it. Publish it with the batch (e.g. at --metadata-uri).
    """
    gtin14 = gs1.normalize_gtin(gtin)
    gs1.validate_lot(lot)
    origin = prov.Origin.checked(place, region_code, latitude, longitude)
    serials = _serials(serial_range, serials_file)
    folder = tracing.SerialFolder(serials_dir)
    s = session(network, config, account)
    created = _provenance(s).create_batch(
        gtin14,
        lot,
        origin,
        production_date,
        quantity,
        serials,
        metadata_hash,
        metadata_uri,
        keep_serials=folder.save,
    )
    _created(created, gtin14, lot, serials, folder, as_json, "created")


def _created(
    created: prov.CreatedBatch,
    gtin14: str,
    lot: str,
    serials: list[str] | None,
    folder: tracing.SerialFolder,
    as_json: bool,
    verb: str,
) -> None:
    first = gs1.format_digital_link(gtin14, lot, serials[0] if serials else None)
    data = {
        "batch_id": created.id_hex,
        "gtin": gtin14,
        "lot": lot,
        "serials": created.serial_count,
        "serials_root": "0x" + created.serials_root.hex(),
        "serials_file": str(folder.path(created.batch_id)) if serials else None,
        "first_item": first,
        **tx_summary(created.receipt),
    }

    def human() -> None:
        out.print(f"{verb} batch {lot} of {gtin14}: {created.id_hex}", markup=False)
        if serials:
            out.print(
                f"{created.serial_count} serials, root 0x{created.serials_root.hex()}, list in "
                f"{data['serials_file']}",
                markup=False,
            )
        out.print(f"first item: {first}", markup=False)

    emit(data, as_json, human)


@batch.command("show")
@network_options
@click.argument("batch_ref", metavar="BATCH")
def batch_show(network: str, config: str | None, as_json: bool, batch_ref: str) -> None:
    """Show a batch: origin, holder, seller, recall, certification, lineage."""
    key = _id(batch_ref)
    s = session(network, config, None, need_account=False)
    p = _provenance(s)
    r = p.batch(key)
    lineage = p.lineage(key)
    certs = p.certifications(key)
    inputs = ["0x" + n.batch_id.hex() for n in lineage.ancestors()]
    outputs = ["0x" + n.batch_id.hex() for n in lineage.descendants()]
    data: dict[str, Any] = {
        "batch_id": r.id_hex,
        "gtin": r.gtin,
        "lot": r.lot,
        "origin": r.origin.as_dict(),
        "production_date": r.production_date.isoformat(),
        "quantity": r.quantity,
        "producer": r.producer,
        "custodian": r.custodian,
        "pending_custodian": r.pending_custodian,
        "seller": r.seller,
        "recalled": r.recalled,
        "consumed": r.consumed,
        "serials_root": "0x" + r.serials_root.hex(),
        "metadata_uri": r.metadata_uri,
        "certifications": [dataclasses.asdict(c) for c in certs],
        "inputs": inputs,
        "outputs": outputs,
    }

    def human() -> None:
        rows = dict(data)
        rows["origin"] = (
            f"{r.origin.place} ({r.origin.region_code}, {r.origin.latitude}, {r.origin.longitude})"
        )
        rows["certifications"] = (
            "; ".join(f"{c.alliance} {'valid' if c.valid else 'not valid'}" for c in certs) or "none"
        )
        rows["inputs"] = ", ".join(inputs) or "none"
        rows["outputs"] = ", ".join(outputs) or "none"
        for key_, value in rows.items():
            out.print(f"{key_.replace('_', ' '):<17} {value}", markup=False)

    emit(data, as_json, human)


@batch.command("certify")
@network_options
@account_option
@click.argument("batch_ref", metavar="BATCH")
@click.option(
    "--certificate", required=True, help="The certificate: its 32-byte hex hash, or a reference to hash."
)
@click.option("--expiry", required=True, help="ISO date the certificate expires (end of day, CST).")
def batch_certify(
    network: str,
    config: str | None,
    as_json: bool,
    account: str | None,
    batch_ref: str,
    certificate: str,
    expiry: str,
) -> None:
    """Certify a batch (quality alliance)."""
    key = _id(batch_ref)
    s = session(network, config, account)
    receipt = _provenance(s).certify(key, certificate, expiry)
    _done(f"certified batch {key} until {expiry}", {"batch_id": key, "expiry": expiry}, receipt, as_json)


@batch.command("revoke-certification")
@network_options
@account_option
@click.argument("batch_ref", metavar="BATCH")
def batch_revoke(
    network: str, config: str | None, as_json: bool, account: str | None, batch_ref: str
) -> None:
    """Revoke your alliance's certification of a batch."""
    key = _id(batch_ref)
    s = session(network, config, account)
    receipt = _provenance(s).revoke_certification(key)
    _done(f"revoked the certification of batch {key}", {"batch_id": key}, receipt, as_json)


@batch.command("transform")
@network_options
@account_option
@click.option(
    "--input",
    "inputs",
    multiple=True,
    required=True,
    metavar="BATCH",
    help="An input batch you hold (repeat for several).",
)
@click.option("--gtin", required=True, help="GTIN of the output product (yours).")
@click.option("--lot", required=True, help="Lot of the output batch.")
@origin_options
@click.option("--production-date", required=True, help="ISO date the output was produced.")
@click.option("--quantity", help="Units in the output batch (default: the number of serials).")
@serial_options
@click.option("--metadata-uri", default="", help="Where the output batch's documents are published.")
@click.option(
    "--metadata-hash", default=None, help="32-byte hex hash of its documents, or a reference to hash."
)
def batch_transform(
    network: str,
    config: str | None,
    as_json: bool,
    account: str | None,
    inputs: tuple[str, ...],
    gtin: str,
    lot: str,
    place: str,
    region_code: str,
    latitude: str,
    longitude: str,
    production_date: str,
    quantity: str | None,
    serial_range: str | None,
    serials_file: str | None,
    serials_dir: str | None,
    metadata_uri: str,
    metadata_hash: str | None,
) -> None:
    """Transform input batches into a new output batch (pears → juice); the inputs are consumed."""
    keys = [prov.batch_key(i, "inputs") for i in inputs]
    gtin14 = gs1.normalize_gtin(gtin)
    gs1.validate_lot(lot)
    origin = prov.Origin.checked(place, region_code, latitude, longitude)
    serials = _serials(serial_range, serials_file)
    folder = tracing.SerialFolder(serials_dir)
    s = session(network, config, account)
    created = _provenance(s).transform(
        keys,
        gtin14,
        lot,
        origin,
        production_date,
        quantity,
        serials,
        metadata_hash,
        metadata_uri,
        keep_serials=folder.save,
    )
    _created(created, gtin14, lot, serials, folder, as_json, f"transformed {len(keys)} batch(es) into")


@batch.command("recall")
@network_options
@account_option
@click.argument("batch_ref", metavar="BATCH")
@click.option("--reason", required=True, help="Why (at most 256 bytes); consumers see it.")
def batch_recall(
    network: str, config: str | None, as_json: bool, account: str | None, batch_ref: str, reason: str
) -> None:
    """Recall a batch (its producer or a regulator); everything made from it reads as recalled."""
    key = _id(batch_ref)
    s = session(network, config, account)
    receipt = _provenance(s).recall(key, reason)
    _done(f"recalled batch {key}: {reason}", {"batch_id": key, "reason": reason}, receipt, as_json)


# ------------------------------------------------------------------------------------------------
# custody, events, scans


@click.group()
def custody() -> None:
    """Hand a batch over in two signed steps: offer, then accept."""


@custody.command("offer")
@network_options
@account_option
@click.argument("batch_ref", metavar="BATCH")
@click.option("--to", "to", required=True, help="Primary account of the receiving enterprise.")
def custody_offer(
    network: str, config: str | None, as_json: bool, account: str | None, batch_ref: str, to: str
) -> None:
    """Offer custody of a batch you hold to another enterprise."""
    key = _id(batch_ref)
    receiver = validate.address(to, "to")
    s = session(network, config, account)
    receipt = _provenance(s).offer_custody(key, receiver)
    _done(
        f"offered batch {key} to {receiver}; it becomes theirs when they accept",
        {"batch_id": key, "to": receiver},
        receipt,
        as_json,
    )


@custody.command("accept")
@network_options
@account_option
@click.argument("batch_ref", metavar="BATCH")
def custody_accept(
    network: str, config: str | None, as_json: bool, account: str | None, batch_ref: str
) -> None:
    """Accept custody offered to your enterprise."""
    key = _id(batch_ref)
    s = session(network, config, account)
    receipt = _provenance(s).accept_custody(key)
    _done(f"accepted custody of batch {key}", {"batch_id": key}, receipt, as_json)


@custody.command("withdraw")
@network_options
@account_option
@click.argument("batch_ref", metavar="BATCH")
def custody_withdraw(
    network: str, config: str | None, as_json: bool, account: str | None, batch_ref: str
) -> None:
    """Withdraw a pending custody offer."""
    key = _id(batch_ref)
    s = session(network, config, account)
    receipt = _provenance(s).withdraw_offer(key)
    _done(f"withdrew the custody offer of batch {key}", {"batch_id": key}, receipt, as_json)


STEPS = ", ".join(step.label for step in prov.BizStep)


@click.group()
def event() -> None:
    """Record and list EPCIS-shaped trace events."""


@event.command("record")
@network_options
@account_option
@click.argument("batch_ref", metavar="BATCH")
@click.option("--step", required=True, help=f"Business step: {STEPS}.")
@click.option(
    "--gln", default=None, help="GLN-13 of the site where it happened (register it with `location register`)."
)
@click.option("--serial", default=None, help="One item of the batch (default: the whole batch).")
@click.option(
    "--data", default=None, help="The full off-chain record: its 32-byte hex hash, or text to hash."
)
def event_record(
    network: str,
    config: str | None,
    as_json: bool,
    account: str | None,
    batch_ref: str,
    step: str,
    gln: str | None,
    serial: str | None,
    data: str | None,
) -> None:
    """Record a trace event (custodian, producer, regulator; inspectors for `inspecting`)."""
    key = _id(batch_ref)
    biz = prov.parse_step(step)
    number = None if gln is None else prov.normalize_gln(gln)
    if serial is not None:
        gs1.validate_serial(serial)
    s = session(network, config, account)
    receipt = _provenance(s).record_event(key, biz, number, serial, data)
    _done(
        f"recorded {biz.label} for batch {key}" + (f" item {serial}" if serial else ""),
        {
            "batch_id": key,
            "step": biz.label,
            "gln": None if number is None else prov.gln_text(number),
            "serial": serial,
        },
        receipt,
        as_json,
    )


@event.command("list")
@network_options
@click.argument("batch_ref", metavar="BATCH")
@click.option("--serial", default=None, help="Only batch-level events and this item's.")
def event_list(network: str, config: str | None, as_json: bool, batch_ref: str, serial: str | None) -> None:
    """List a batch's trace events in order."""
    key = _id(batch_ref)
    if serial is not None:
        gs1.validate_serial(serial)
    s = session(network, config, None, need_account=False)
    events = _provenance(s).events(key, serial)
    rows = [
        {
            "step": e.step.label,
            "when": tracing.format_time(e.timestamp),
            "enterprise": e.enterprise,
            "gln": prov.gln_text(e.gln) if e.gln else None,
            "item_level": any(e.item_hash),
            "data_hash": "0x" + e.data_hash.hex(),
            "transaction": e.transaction,
        }
        for e in events
    ]
    emit(
        rows,
        as_json,
        lambda: table(
            f"{len(rows)} events of batch {key[:10]}…",
            ["when", "step", "enterprise", "gln"],
            [[r["when"], r["step"], r["enterprise"], r["gln"] or ""] for r in rows],
        ),
    )


@click.group()
def scan() -> None:
    """Record consumer scans (platform accounts)."""


@scan.command("record")
@network_options
@account_option
@click.argument("batch_ref", metavar="BATCH")
@click.option(
    "--item",
    "items",
    multiple=True,
    required=True,
    metavar="SERIAL[=COUNT]",
    help="A scanned serial and its new scans (default 1); repeat for several; `-` is the lot-level code.",
)
@click.option(
    "--key",
    "scan_key",
    required=True,
    help="This submission's unique key (hex or text): a resubmission is refused, not counted twice.",
)
def scan_record(
    network: str,
    config: str | None,
    as_json: bool,
    account: str | None,
    batch_ref: str,
    items: tuple[str, ...],
    scan_key: str,
) -> None:
    """Record one batch of consumer scans of a batch's items."""
    key = _id(batch_ref)
    counts: dict[str | None, int] = {}
    for item in items:
        serial, _, count = item.partition("=")
        name = None if serial == "-" else gs1.validate_serial(serial)
        if name in counts:
            raise InputError("item", f"{serial} is listed twice")
        counts[name] = validate.positive_int(count or "1", "count", prov.MAX_UINT32)
    if not scan_key.strip():
        raise InputError("key", "must not be empty: it makes a resubmission harmless")
    s = session(network, config, account)
    receipt = _provenance(s).record_scans(key, counts, scan_key)
    _done(
        f"recorded {sum(counts.values())} scans of {len(counts)} item(s) of batch {key}",
        {"batch_id": key, "items": len(counts), "scans": sum(counts.values())},
        receipt,
        as_json,
    )


# ------------------------------------------------------------------------------------------------
# trace and QR


@click.command()
@network_options
@click.argument("uri")
@click.option(
    "--serials-dir",
    type=click.Path(file_okay=False),
    help="Folder of serial lists (0x<batch id>.txt) to prove the serial (default: <state dir>/serials).",
)
@click.option(
    "--suspicious-after",
    type=click.IntRange(0),
    default=tracing.DEFAULT_SUSPICIOUS_AFTER,
    show_default=True,
    help="More scans than this of one item is flagged as a copied code.",
)
def trace(
    network: str, config: str | None, as_json: bool, uri: str, serials_dir: str | None, suspicious_after: int
) -> None:
    """Trace the item a GS1 Digital Link URI names: its story and a verdict.

    The verdict is genuine, unknown serial, recalled, or suspicious scan count.
    """
    link = gs1.parse_digital_link(uri)
    s = session(network, config, None, need_account=False)
    report = tracing.trace(
        s.chain,
        s.suite(),
        link,
        tracing.SerialFolder(serials_dir),
        suspicious_after=suspicious_after,
        from_block=s.from_block(),
    )

    def human() -> None:
        for line in tracing.story_lines(report):
            out.print(line)

    emit(report.as_dict(), as_json, human)


@click.command()
@click.argument("uri")
@click.option(
    "-o", "--output", required=True, type=click.Path(dir_okay=False), help="File to write: .png or .svg."
)
@click.option(
    "--scale",
    type=click.IntRange(1, 100),
    default=qrcode.DEFAULT_SCALE,
    show_default=True,
    help="Pixels (PNG) or units (SVG) per module.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
def qr(uri: str, output: str, scale: int, as_json: bool) -> None:
    """Write the QR code of a GS1 Digital Link URI (error correction M, 4-module quiet zone)."""
    link = gs1.parse_digital_link(uri)
    path = qrcode.write(link.uri, Path(output), scale=scale)
    emit(
        {"uri": link.uri, "output": str(path)},
        as_json,
        lambda: out.print(f"wrote {path} for {link.uri}", markup=False),
    )
