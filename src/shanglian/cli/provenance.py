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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from shanglian import gs1, validate
from shanglian import provenance as prov
from shanglian import qr as qrcode
from shanglian import trace as tracing
from shanglian.cli.common import (
    ChainCommand,
    ChainGroup,
    Output,
    Run,
    Session,
    done,
    emit,
    enterprise_option,
    fields,
    json_option,
    listing,
    out,
)
from shanglian.errors import InputError
from shanglian.trace import CERTIFICATE_STATES


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


def batch_argument(func: Callable[..., Any]) -> Callable[..., Any]:
    """The BATCH argument, given to the command as `key`, its 0x id (checked before connecting)."""

    @click.argument("batch_ref", metavar="BATCH")
    @functools.wraps(func)
    def wrapper(*args: Any, batch_ref: str, **kwargs: Any) -> Any:
        return func(*args, key=_id(batch_ref), **kwargs)

    return wrapper


def _batch_step(group: click.Group, name: str, step: Callable[[prov.Provenance, str], Any], message: str,
                help_text: str) -> None:
    """`shanglian <group> <name> BATCH`: one `step` on the batch; `message` names it as {key}."""

    @group.command(name, help=help_text, sdk=_provenance, signs=True)
    @batch_argument
    def command(run: Run[prov.Provenance], key: str) -> Output:
        return _done(message.format(key=key), {"batch_id": key}, step(run.sdk, key))


def _done(message: str, data: dict[str, Any], receipt: Any) -> Output:
    """A sent transaction; the message holds names and places, printed as they are."""
    return done(message, data, receipt, markup=False)


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


@dataclass(frozen=True)
class NewBatch:
    """The options of a new batch (`batch create`, `batch transform`), as given."""

    gtin: str
    lot: str
    place: str
    region_code: str
    latitude: str
    longitude: str
    production_date: str
    quantity: str | None
    serial_range: str | None
    serials_file: str | None
    serials_dir: str | None
    metadata_uri: str
    metadata_hash: str | None

    def checked(self) -> CheckedBatch:
        """Every option checked, before anything connects; the serial list read."""
        gtin14 = gs1.normalize_gtin(self.gtin)
        gs1.validate_lot(self.lot)
        origin = prov.Origin.checked(self.place, self.region_code, self.latitude, self.longitude)
        serials = _serials(self.serial_range, self.serials_file)
        folder = tracing.SerialFolder(self.serials_dir)
        return CheckedBatch(gtin14, self.lot, origin, serials, folder, (
            gtin14, self.lot, origin, self.production_date, self.quantity, serials, self.metadata_hash,
            self.metadata_uri,
        ))


@dataclass(frozen=True)
class CheckedBatch:
    gtin14: str
    lot: str
    origin: prov.Origin
    serials: list[str] | None
    folder: tracing.SerialFolder
    # Provenance.create_batch's and .transform's arguments after the inputs: gtin, lot, origin,
    # production date, quantity, serials, metadata hash and URI.
    args: tuple[str, str, prov.Origin, str, str | None, list[str] | None, str | None, str]

    def created(self, created: prov.CreatedBatch, verb: str) -> Output:
        first = gs1.format_digital_link(self.gtin14, self.lot, self.serials[0] if self.serials else None)
        data = {
            "batch_id": created.id_hex,
            "gtin": self.gtin14,
            "lot": self.lot,
            "serials": created.serial_count,
            "serials_root": "0x" + created.serials_root.hex(),
            "serials_file": str(self.folder.path(created.batch_id)) if self.serials else None,
            "first_item": first,
        }
        lines = [f"{verb} batch {self.lot} of {self.gtin14}: {created.id_hex}"]
        if self.serials:
            lines.append(
                f"{created.serial_count} serials, root 0x{created.serials_root.hex()}, list in "
                f"{data['serials_file']}"
            )
        lines.append(f"first item: {first}")
        return done(lines, data, created.receipt, markup=False)


def new_batch_options(
    gtin: str, lot: str, production_date: str, quantity: str, metadata_uri: str, metadata_hash: str
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The options of a new batch, with these help texts, given to the command as one `new`
    (:class:`NewBatch`): --gtin, --lot, the origin, --production-date, --quantity, the serials
    (--serials FIRST..LAST, --serials-file FILE, --serials-dir DIR) and the metadata."""

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        @click.option("--gtin", required=True, help=gtin)
        @click.option("--lot", required=True, help=lot)
        @origin_options
        @click.option("--production-date", required=True, help=production_date)
        @click.option("--quantity", help=quantity)
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
        @click.option("--metadata-uri", default="", help=metadata_uri)
        @click.option("--metadata-hash", default=None, help=metadata_hash)
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            new = NewBatch(**{f.name: kwargs.pop(f.name) for f in dataclasses.fields(NewBatch)})
            return func(*args, new=new, **kwargs)

        return wrapper

    return decorate


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


@click.group(cls=ChainGroup)
def product() -> None:
    """Register and look up products (GTIN)."""


@product.command("register", sdk=_provenance, signs=True)
@click.option("--gtin", required=True, help="GTIN-8/12/13/14 with its check digit.")
@click.option("--name", required=True, help="Product name consumers see (at most 96 bytes).")
@click.option("--features", default="", help="What makes the product special (at most 512 bytes).")
@click.option(
    "--metadata-hash", default=None, help="32-byte hex hash of a product sheet, or a reference to hash."
)
def product_register(run: Run[prov.Provenance], gtin: str, name: str, features: str,
                     metadata_hash: str | None) -> Output:
    """Register a product; your enterprise (producer or processor) becomes its producer."""
    gtin14 = gs1.normalize_gtin(gtin)
    receipt = run.sdk.register_product(gtin14, name, features, metadata_hash)
    return _done(f"registered product {gtin14}: {name}", {"gtin": gtin14, "name": name}, receipt)


@product.command("claim", sdk=_provenance, signs=True)
@click.argument("gtin")
def product_claim(run: Run[prov.Provenance], gtin: str) -> Output:
    """Take over a product registered by another enterprise, whose GTIN lies under a GS1 Company
    Prefix the admins have since given to your enterprise."""
    gtin14 = gs1.normalize_gtin(gtin)
    receipt = run.sdk.claim_product(gtin14)
    return _done(f"product {gtin14} is now {run.signer}'s", {"gtin": gtin14}, receipt)


@product.command("show", sdk=_provenance)
@click.argument("gtin")
def product_show(run: Run[prov.Provenance], gtin: str) -> Output:
    """Show a product: name, features, producer."""
    gtin14 = gs1.normalize_gtin(gtin)
    data = dataclasses.asdict(run.sdk.product(gtin14))
    return fields(data, data, gap=" ", markup=False)


@click.group(cls=ChainGroup)
def location() -> None:
    """Register the sites (GLN) your trace events take place at."""


@location.command("register", sdk=_provenance, signs=True)
@click.option("--gln", required=True, help="GLN-13 of the site, with its check digit.")
@origin_options
def location_register(run: Run[prov.Provenance], gln: str, place: str, region_code: str, latitude: str,
                      longitude: str) -> Output:
    """Register a site of your enterprise: where its GLN is (EPCIS master data)."""
    number = prov.normalize_gln(gln)
    prov.Origin.checked(place, region_code, latitude, longitude)
    receipt = run.sdk.register_location(number, place, region_code, latitude, longitude)
    return _done(
        f"registered location {prov.gln_text(number)}: {place}",
        {"gln": prov.gln_text(number), "place": place},
        receipt,
    )


@location.command("claim", sdk=_provenance, signs=True)
@click.argument("gln")
def location_claim(run: Run[prov.Provenance], gln: str) -> Output:
    """Take over a site registered by another enterprise, whose GLN lies under a prefix the admins
    have since given to your enterprise."""
    number = prov.normalize_gln(gln)
    receipt = run.sdk.claim_location(number)
    return _done(f"location {prov.gln_text(number)} is now {run.signer}'s", {"gln": prov.gln_text(number)}, receipt)


# ------------------------------------------------------------------------------------------------
# batches


@click.group(cls=ChainGroup)
def batch() -> None:
    """Create, certify, transform, recall and show batches (GTIN + lot)."""


@batch.command("create", sdk=_provenance, signs=True)
@new_batch_options(  # the help of --gtin, --lot, --production-date, --quantity, --metadata-uri, --metadata-hash
    "The product's GTIN.",
    "Batch/lot number (GS1 AI 10: 1-20 characters of set 82).",
    "ISO date the batch was produced (not in the future).",
    "Units in the batch (default: the number of serials).",
    "Where the batch's documents (and serial list) are published.",
    "32-byte hex hash of the batch documents, or a reference to hash.",
)
def batch_create(run: Run[prov.Provenance], new: NewBatch) -> Output:
    """Create a batch and commit to its serials with one Merkle root (one transaction for any size).

    The serial list is kept in the serials folder, named by the batch id, before the batch is sent:
    `shanglian trace` proves serials from it. Publish it with the batch (e.g. at --metadata-uri).
    """
    checked = new.checked()
    created = run.sdk.create_batch(*checked.args, keep_serials=checked.folder.save)
    return checked.created(created, "created")


@batch.command("show", sdk=_provenance)
@batch_argument
def batch_show(run: Run[prov.Provenance], key: str) -> Output:
    """Show a batch: origin, holder, seller, recall, certification, lineage."""
    p = run.sdk
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
        "certifications": [{**dataclasses.asdict(c), "valid": c.valid} for c in certs],
        "inputs": inputs,
        "outputs": outputs,
    }

    rows = dict(data)
    rows["origin"] = f"{r.origin.place} ({r.origin.region_code}, {r.origin.latitude}, {r.origin.longitude})"
    rows["certifications"] = "; ".join(f"{c.alliance} {CERTIFICATE_STATES[c.status]}" for c in certs) or "none"
    rows["inputs"] = ", ".join(inputs) or "none"
    rows["outputs"] = ", ".join(outputs) or "none"
    return fields(data, rows, gap=" ", markup=False)


@batch.command("request-certification", sdk=_provenance, signs=True)
@batch_argument
@enterprise_option("--alliance", "the quality alliance you ask")
def batch_request_certification(run: Run[prov.Provenance], key: str, alliance: str) -> Output:
    """Ask a quality alliance to certify your batch (producer): only the alliance you ask may."""
    receipt = run.sdk.request_certification(key, alliance)
    return _done(f"asked {alliance} to certify batch {key}", {"batch_id": key, "alliance": alliance}, receipt)


@batch.command("certify", sdk=_provenance, signs=True)
@batch_argument
@click.option(
    "--certificate", required=True, help="The certificate: its 32-byte hex hash, or a reference to hash."
)
@click.option("--expiry", required=True, help="ISO date the certificate expires (end of day, CST).")
def batch_certify(run: Run[prov.Provenance], key: str, certificate: str, expiry: str) -> Output:
    """Certify a batch its producer asked you to certify, or renew your certification (quality
    alliance)."""
    receipt = run.sdk.certify(key, certificate, expiry)
    return _done(f"certified batch {key} until {expiry}", {"batch_id": key, "expiry": expiry}, receipt)


_batch_step(batch, "revoke-certification", prov.Provenance.revoke_certification,
            "revoked the certification of batch {key}",
            "Revoke a batch's certification (the alliance that certified it, or a regulator).")


@batch.command("transform", sdk=_provenance, signs=True)
@click.option(
    "--input",
    "inputs",
    multiple=True,
    required=True,
    metavar="BATCH",
    help="An input batch you hold (repeat for several).",
)
@new_batch_options(  # the help of --gtin, --lot, --production-date, --quantity, --metadata-uri, --metadata-hash
    "GTIN of the output product (yours).",
    "Lot of the output batch.",
    "ISO date the output was produced.",
    "Units in the output batch (default: the number of serials).",
    "Where the output batch's documents are published.",
    "32-byte hex hash of its documents, or a reference to hash.",
)
def batch_transform(run: Run[prov.Provenance], inputs: tuple[str, ...], new: NewBatch) -> Output:
    """Transform input batches into a new output batch (pears → juice); the inputs are consumed."""
    keys = [prov.batch_key(i, "inputs") for i in inputs]
    checked = new.checked()
    created = run.sdk.transform(keys, *checked.args, keep_serials=checked.folder.save)
    return checked.created(created, f"transformed {len(keys)} batch(es) into")


@batch.command("recall", sdk=_provenance, signs=True)
@batch_argument
@click.option("--reason", required=True, help="Why (at most 256 bytes); consumers see it.")
def batch_recall(run: Run[prov.Provenance], key: str, reason: str) -> Output:
    """Recall a batch (its producer or a regulator); everything made from it reads as recalled."""
    receipt = run.sdk.recall(key, reason)
    return _done(f"recalled batch {key}: {reason}", {"batch_id": key, "reason": reason}, receipt)


# ------------------------------------------------------------------------------------------------
# custody, events, scans


@click.group(cls=ChainGroup)
def custody() -> None:
    """Hand a batch over in two signed steps: offer, then accept."""


@custody.command("offer", sdk=_provenance, signs=True)
@batch_argument
@enterprise_option("--to", "the receiving enterprise")
def custody_offer(run: Run[prov.Provenance], key: str, to: str) -> Output:
    """Offer custody of a batch you hold to another enterprise."""
    receipt = run.sdk.offer_custody(key, to)
    return _done(
        f"offered batch {key} to {to}; it becomes theirs when they accept",
        {"batch_id": key, "to": to},
        receipt,
    )


_batch_step(custody, "accept", prov.Provenance.accept_custody, "accepted custody of batch {key}",
            "Accept custody offered to your enterprise.")
_batch_step(custody, "withdraw", prov.Provenance.withdraw_offer, "withdrew the custody offer of batch {key}",
            "Withdraw a pending custody offer.")


STEPS = ", ".join(step.label for step in prov.BizStep)


@click.group(cls=ChainGroup)
def event() -> None:
    """Record and list EPCIS-shaped trace events."""


@event.command("record", sdk=_provenance, signs=True)
@batch_argument
@click.option("--step", required=True, help=f"Business step: {STEPS}.")
@click.option(
    "--gln", default=None, help="GLN-13 of the site where it happened (register it with `location register`)."
)
@click.option("--serial", default=None, help="One item of the batch (default: the whole batch).")
@click.option(
    "--data", default=None, help="The full off-chain record: its 32-byte hex hash, or text to hash."
)
def event_record(run: Run[prov.Provenance], key: str, step: str, gln: str | None, serial: str | None,
                 data: str | None) -> Output:
    """Record a trace event (custodian, producer, regulator; inspectors for `inspecting`)."""
    biz = prov.parse_step(step)
    number = None if gln is None else prov.normalize_gln(gln)
    if serial is not None:
        gs1.validate_serial(serial)
    receipt = run.sdk.record_event(key, biz, number, serial, data)
    return _done(
        f"recorded {biz.label} for batch {key}" + (f" item {serial}" if serial else ""),
        {
            "batch_id": key,
            "step": biz.label,
            "gln": None if number is None else prov.gln_text(number),
            "serial": serial,
        },
        receipt,
    )


@event.command("list", sdk=_provenance)
@batch_argument
@click.option("--serial", default=None, help="Only batch-level events and this item's.")
def event_list(run: Run[prov.Provenance], key: str, serial: str | None) -> Output:
    """List a batch's trace events in order."""
    if serial is not None:
        gs1.validate_serial(serial)
    events = run.sdk.events(key, serial)
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
    return listing(
        rows,
        f"{len(rows)} events of batch {key[:10]}…",
        ["when", "step", "enterprise", "gln"],
        [[r["when"], r["step"], r["enterprise"], r["gln"] or ""] for r in rows],
    )


@click.group(cls=ChainGroup)
def scan() -> None:
    """Record consumer scans (platform accounts)."""


@scan.command("record", sdk=_provenance, signs=True)
@batch_argument
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
def scan_record(run: Run[prov.Provenance], key: str, items: tuple[str, ...], scan_key: str) -> Output:
    """Record one batch of consumer scans of a batch's items."""
    counts: dict[str | None, int] = {}
    for item in items:
        serial, _, count = item.partition("=")
        name = None if serial == "-" else gs1.validate_serial(serial)
        if name in counts:
            raise InputError("item", f"{serial} is listed twice")
        counts[name] = validate.positive_int(count or "1", "count", prov.MAX_UINT32)
    if not scan_key.strip():
        raise InputError("key", "must not be empty: it makes a resubmission harmless")
    receipt = run.sdk.record_scans(key, counts, scan_key)
    return _done(
        f"recorded {sum(counts.values())} scans of {len(counts)} item(s) of batch {key}",
        {"batch_id": key, "items": len(counts), "scans": sum(counts.values())},
        receipt,
    )


# ------------------------------------------------------------------------------------------------
# trace and QR


@click.command(cls=ChainCommand)
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
def trace(run: Run[None], uri: str, serials_dir: str | None, suspicious_after: int) -> Output:
    """Trace the item a GS1 Digital Link URI names: its story and a verdict.

    The verdict is genuine, unknown serial, recalled, or suspicious scan count; the exit status says
    which, for scripts: 0 genuine, 3 unknown serial, 4 recalled, 5 suspicious scan count (1 and 2 are
    a node or configuration problem and bad input, as for every command).
    """
    link = gs1.parse_digital_link(uri)
    s = run.session
    report = tracing.trace(
        s.chain,
        s.suite(),
        link,
        tracing.SerialFolder(serials_dir),
        suspicious_after=suspicious_after,
        from_block=s.from_block(),
    )
    return Output(report.as_dict(), lambda: tracing.story_lines(report), exit_code=report.verdict.exit_code)


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
@json_option()
def qr(uri: str, output: str, scale: int, as_json: bool) -> None:
    """Write the QR code of a GS1 Digital Link URI (error correction M, 4-module quiet zone)."""
    link = gs1.parse_digital_link(uri)
    path = qrcode.write(link.uri, Path(output), scale=scale)
    emit(
        {"uri": link.uri, "output": str(path)},
        as_json,
        lambda: out.print(f"wrote {path} for {link.uri}", markup=False),
    )
