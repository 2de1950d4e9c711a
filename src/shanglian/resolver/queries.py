"""Queries of the resolver's index (written by :mod:`.indexer`, in SQLite or PostgreSQL: :mod:`.store`): a batch's facts joined into
view models (once per batch and index state, see :class:`~.service.Resolver`), whether a serial is
proven, an item's indexed scans, and the index's own state."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from shanglian import regions
from shanglian.provenance import CST, BizStep
from shanglian.resolver.store import Database
from shanglian.resolver.views import (
    STEP_NAMES,
    BatchView,
    CustodyView,
    EventView,
    Party,
    Place,
    ProductView,
    RecallView,
    cst_time,
)

ZERO32 = bytes(32)


@dataclass
class BatchFacts:
    """What every item of a batch shares, cached until the index changes."""

    key: bytes
    number: int  # the batch's key in the items table
    row: Any  # the batches row, by column name
    product: ProductView | None
    batch: BatchView
    seller: Party | None
    certifications: list[dict[str, Any]]
    custody: list[CustodyView]
    events: list[tuple[bytes, EventView]]  # (item hash, event); zero hash: the whole batch
    recalls: list[RecallView]
    serials_status: str
    item_events: frozenset[bytes] = frozenset()  # items with item-level events of their own
    # Item pages pre-rendered for this batch (see pages.ItemPages), keyed by what varies between
    # items: they live and die with these facts, so an index change drops them too.
    pages: dict[tuple[Any, ...], Any] = field(default_factory=dict)


def enterprise_names(conn: Database, accounts: list[str | None]) -> dict[str, str]:
    """Public names of the enterprises among `accounts` ("" for an account the index has no name of)."""
    wanted = sorted({a for a in accounts if a})
    if not wanted:
        return {}
    marks = ",".join("?" * len(wanted))
    found = dict(conn.execute(f"SELECT account, name FROM enterprises WHERE account IN ({marks})", wanted).fetchall())
    return {a: found.get(a, "") for a in wanted}


def enterprise_standing(conn: Database, accounts: list[str]) -> dict[str, tuple[str, int, int]]:
    """(status, roles, licence expiry) of the enterprises among `accounts` the index knows."""
    wanted = sorted(set(accounts))
    if not wanted:
        return {}
    marks = ",".join("?" * len(wanted))
    rows = conn.execute(
        f"SELECT account, status, roles, licence_expiry FROM enterprises WHERE account IN ({marks})", wanted
    ).fetchall()
    return {r[0]: (r[1], int(r[2]), int(r[3])) for r in rows}


def place(name: str, region_code: int, latitude: float, longitude: float) -> Place:
    return Place(place=name, region_code=region_code, region_name=regions.full_name(region_code), latitude=latitude,
                 longitude=longitude)


def batch_facts(conn: Database, key: bytes) -> BatchFacts | None:
    """What every item of batch `key` shares, as view models; None for a batch the index lacks."""
    sql = conn.execute
    row = sql("SELECT * FROM batches WHERE batch_id = ?", (key,)).fetchone()
    if row is None:
        return None
    product = sql("SELECT * FROM products WHERE gtin = ?", (row["gtin"],)).fetchone()
    certs = sql("SELECT * FROM certifications WHERE batch_id = ? ORDER BY block, log_index", (key,)).fetchall()
    custody = sql("SELECT * FROM custody WHERE batch_id = ? ORDER BY block, log_index", (key,)).fetchall()
    events = sql("SELECT * FROM events WHERE batch_id = ? ORDER BY block, log_index", (key,)).fetchall()
    # The batch and everything it was made from: a recall of any of them recalls this one.
    lineage, todo = {key}, [key]
    while todo:
        for (source,) in sql("SELECT input FROM batch_inputs WHERE output = ?", (todo.pop(),)):
            if bytes(source) not in lineage:
                lineage.add(bytes(source))
                todo.append(bytes(source))
    marks = ",".join("?" * len(lineage))
    recalls = sql(
        f"SELECT r.*, b.lot FROM recalls r LEFT JOIN batches b ON b.batch_id = r.batch_id "
        f"WHERE r.batch_id IN ({marks}) ORDER BY r.block",
        list(lineage),
    ).fetchall()
    glns = sorted({e["gln"] for e in events if e["gln"]})
    sites = {
        s["gln"]: place(s["place"], s["region_code"], s["latitude"], s["longitude"])
        for s in sql(f"SELECT * FROM locations WHERE gln IN ({','.join('?' * len(glns))})", glns).fetchall()
    } if glns else {}
    names = enterprise_names(conn, 
        [row["producer"], row["custodian"], row["seller"], product["producer"] if product else None,
         *(c["alliance"] for c in certs), *(c["revoked_by"] for c in certs), *(c["holder"] for c in custody), *(e["enterprise"] for e in events),
         *(r["enterprise"] for r in recalls)]
    )

    def party(account: str) -> Party:
        return Party(account=account, name=names.get(account, ""))

    standing = enterprise_standing(conn, [c["alliance"] for c in certs])

    return BatchFacts(
        key=key,
        number=int(row["batch_no"]),
        row=row,
        product=None if product is None else ProductView(
            gtin=product["gtin"], name=product["name"], features=product["features"], producer=party(product["producer"])
        ),
        batch=BatchView(
            batch_id="0x" + key.hex(),
            lot=row["lot"],
            origin=place(row["place"], row["region_code"], row["latitude"], row["longitude"]),
            production_date=dt.datetime.fromtimestamp(row["production_date"], CST).date().isoformat(),
            quantity=row["quantity"],
            producer=party(row["producer"]),
            custodian=party(row["custodian"]),
            created_at=cst_time(row["created_at"]),
        ),
        seller=party(row["seller"]) if row["seller"] else None,
        certifications=[
            {"alliance": party(c["alliance"]), "certificate_hash": c["certificate_hash"], "certified_at": c["certified_at"],
             "expiry": c["expiry"], "revoked_at": c["revoked_at"],
             "revoked_by": party(c["revoked_by"]) if c["revoked_by"] else None,
             "standing": standing.get(c["alliance"])}
            for c in certs
        ],
        custody=[CustodyView(holder=party(c["holder"]), since=cst_time(c["at"])) for c in custody],
        events=[
            (
                bytes(e["item_hash"]),
                EventView(
                    step=BizStep(e["step"]).label, step_zh=STEP_NAMES[BizStep(e["step"])], when=cst_time(e["at"]),
                    who=party(e["enterprise"]), gln=e["gln"], where=sites.get(e["gln"]) if e["gln"] else None,
                    item_level=bytes(e["item_hash"]) != ZERO32, transaction=e["tx"],
                ),
            )
            for e in events
        ],
        recalls=[
            RecallView(batch_id="0x" + bytes(r["batch_id"]).hex(), lot=r["lot"] or "", by=party(r["enterprise"]),
                       reason=r["reason"], when=cst_time(r["at"]))
            for r in recalls
        ],
        serials_status=row["serials_status"],
        item_events=frozenset(bytes(e["item_hash"]) for e in events if bytes(e["item_hash"]) != ZERO32),
    )


def is_item(conn: Database, facts: BatchFacts, serial: str | None) -> bool:
    """Whether `serial` is proven a member of the batch of `facts` (its published list matched the root)."""
    return conn.execute(
        "SELECT 1 FROM items WHERE batch_no = ? AND serial = ?", (facts.number, serial)).fetchone() is not None


def lots_with_serial(conn: Database, gtin: str, serial: str) -> list[str]:
    """The lots of GTIN-14 `gtin` whose proven serial list holds `serial`, oldest first."""
    return [lot for (lot,) in conn.execute(
        "SELECT b.lot FROM batches b JOIN items i ON i.batch_no = b.batch_no AND i.serial = ? "
        "WHERE b.gtin = ? ORDER BY b.created_block", (serial, gtin))]


def product(conn: Database, gtin: str) -> ProductView | None:
    """The product registered under GTIN-14 `gtin`, or None."""
    row = conn.execute("SELECT * FROM products WHERE gtin = ?", (gtin,)).fetchone()
    if row is None:
        return None
    name = enterprise_names(conn, [row["producer"]]).get(row["producer"], "")
    return ProductView(gtin=row["gtin"], name=row["name"], features=row["features"],
                       producer=Party(account=row["producer"], name=name))


def last_block_time(conn: Database) -> int:
    row = conn.execute("SELECT value FROM meta WHERE key = 'last_block_time'").fetchone()
    return int(row[0]) if row else 0


def index_state(conn: Database) -> tuple[int, int, int]:
    """(last block indexed, or -1; batches; items with a proven serial list)."""
    row = conn.execute("SELECT value FROM meta WHERE key = 'last_block'").fetchone()
    batches, items = conn.execute("SELECT COUNT(*), COALESCE(SUM(serial_count), 0) FROM batches").fetchone()
    return int(row[0]) if row else -1, batches, items
