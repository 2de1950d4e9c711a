"""ProductProvenance (溯源) from Python: products, locations, batches, certification, trace events,
custody, transformation, recall and consumer scans, and the reads that put an item's story together.

Every value a user gives is checked here, with the same limits as the contract, before anything is
sent; a bad one raises :class:`~shanglian.errors.InputError` naming the field (``gtin``, ``lot``,
``serial``, ``gln``, ``place``, ``region_code``, ``latitude``, ``longitude``, ``quantity``,
``production_date``, ``step`` …). Reverts arrive as the contract's named custom error
(:class:`~shanglian.errors.ContractError`).

The contract keeps in storage only what contracts read back; names, origins, lots, trace events,
the custody chain and scan counts live in its events, so the reads here join one view call with the
batch's logs, fetched in bounded block ranges (:mod:`shanglian.logs`).

A batch is named by a :data:`BatchRef`: its 32-byte id (bytes or 0x hex), a ``(gtin, lot)`` pair,
``"<gtin>:<lot>"``, or a GS1 Digital Link URI (whose serial, if any, is ignored).

The SDK is one class, :class:`Provenance`, joined from one part per concept, each a module of this
package with the records its reads return:

- :mod:`.identifiers` — batch ids and references, item hashes, GTINs, GLNs, serial lists, limits;
- :mod:`.products` — products (GTIN) and locations (GLN), with :class:`Origin`;
- :mod:`.batches` — creating, transforming (lineage) and recalling batches, and reading them;
- :mod:`.certification` — certification by quality alliances;
- :mod:`.custody` — custody in two signed steps, the chain of custody, the seller;
- :mod:`.events` — trace events (:class:`BizStep`) and consumer scans.

Each part is a :class:`~shanglian.client.ContractClient`: sending, calls, the clock and log reads
come from there.
"""

from __future__ import annotations

from shanglian.provenance.batches import (
    BatchRecord,
    Batches,
    CreatedBatch,
    Lineage,
    Recall,
    production_timestamp,
)
from shanglian.provenance.certification import Certification, Certifications
from shanglian.provenance.custody import Custody, CustodyMove
from shanglian.provenance.events import BizStep, Events, TraceEvent, pack_scans, parse_step, unpack_scans
from shanglian.provenance.identifiers import (
    CST,
    GLN_LENGTH,
    MAX_FEATURES_BYTES,
    MAX_INPUTS,
    MAX_NAME_BYTES,
    MAX_PLACE_BYTES,
    MAX_REASON_BYTES,
    MAX_SCANS_PER_CALL,
    MAX_UINT32,
    MAX_URI_BYTES,
    ZERO32,
    BatchRef,
    KeepSerials,
    batch_id,
    batch_key,
    gln_text,
    item_hash,
    normalize_gln,
    parse_serial_range,
    read_serial_file,
)
from shanglian.provenance.products import Location, Origin, Product, Products

__all__ = [
    "CST",
    "BatchRecord",
    "BatchRef",
    "BizStep",
    "Certification",
    "CreatedBatch",
    "KeepSerials",
    "CustodyMove",
    "Lineage",
    "Location",
    "Origin",
    "Product",
    "Provenance",
    "Recall",
    "TraceEvent",
    "batch_id",
    "batch_key",
    "item_hash",
    "normalize_gln",
    "parse_serial_range",
    "pack_scans",
    "parse_step",
    "unpack_scans",
    "production_timestamp",
    "read_serial_file",
    # the parts Provenance is joined from, and the limits the contract enforces
    "Batches",
    "Certifications",
    "Custody",
    "Events",
    "Products",
    "GLN_LENGTH",
    "MAX_FEATURES_BYTES",
    "MAX_INPUTS",
    "MAX_NAME_BYTES",
    "MAX_PLACE_BYTES",
    "MAX_REASON_BYTES",
    "MAX_SCANS_PER_CALL",
    "MAX_UINT32",
    "MAX_URI_BYTES",
    "ZERO32",
    "gln_text",
]


class Provenance(Products, Batches, Certifications, Custody, Events):
    """ProductProvenance bound to a chain; `sender` signs state changes (None: read only)."""
