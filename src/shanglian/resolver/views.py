"""The resolver's view models: what the JSON API returns and the item page shows, declared so that
/openapi.json says exactly what is returned; and how business steps and times read on the page."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

from shanglian.provenance import CST, BizStep

STEP_NAMES = {
    BizStep.COMMISSIONING: "赋码",
    BizStep.HARVESTING: "采收",
    BizStep.INSPECTING: "检验",
    BizStep.PACKING: "包装",
    BizStep.SHIPPING: "发运",
    BizStep.RECEIVING: "收货",
    BizStep.STORING: "仓储",
    BizStep.TRANSFORMING: "加工",
    BizStep.RETAIL_SELLING: "零售",
    BizStep.RECALLING: "召回",
}


class Party(BaseModel):
    account: str = Field(description="the enterprise's primary account")
    name: str = Field(description="its public name in the registry (empty if none)")


class Place(BaseModel):
    place: str
    region_code: int = Field(description="GB/T 2260 administrative division code")
    region_name: str | None = Field(None, description="the division's full name, e.g. 安徽省宿州市砀山县 (None: not a "
                                    "current GB/T 2260 division)")
    latitude: float
    longitude: float

    @property
    def geo_uri(self) -> str:
        """RFC 5870 geo URI: phones open it in their map app."""
        return f"geo:{self.latitude:.6f},{self.longitude:.6f}"


class ProductView(BaseModel):
    gtin: str
    name: str
    features: str
    producer: Party


class BatchView(BaseModel):
    batch_id: str
    lot: str
    origin: Place
    production_date: str = Field(description="ISO date (CST)")
    quantity: int
    producer: Party
    custodian: Party
    created_at: str


class CertificationView(BaseModel):
    alliance: Party
    certificate_hash: str
    certified_at: str
    expiry: str
    valid: bool = Field(description="in force: status is valid")
    status: str = Field(
        description="valid; expired; certifier_inactive (the alliance is suspended, revoked, expired or no "
        "longer an alliance: a certificate is only as good as its certifier's standing); recalled (the batch); "
        "revoked; replaced (by a later certification)"
    )
    revoked: bool
    revoked_by: Party | None = None


class CustodyView(BaseModel):
    holder: Party
    since: str


class EventView(BaseModel):
    step: str = Field(description="CBV business step, e.g. retail_selling")
    step_zh: str
    when: str
    who: Party
    gln: str | None
    where: Place | None
    item_level: bool
    transaction: str


class RecallView(BaseModel):
    batch_id: str
    lot: str
    by: Party
    reason: str
    when: str


class ItemView(BaseModel):
    """An item's facts and verdict, as the consumer's page shows them. Times are ISO 8601 in CST."""

    uri: str
    gtin: str
    lot: str
    serial: str | None = Field(description="None: a lot's page (its code names no single item)")
    batch_id: str
    verdict: Literal["genuine", "unknown serial", "recalled", "suspicious scan count"]
    verdict_reason: str
    serial_proven: bool | None = Field(description="None: a lot's page, no serial to prove")
    product: ProductView | None
    batch: BatchView | None
    seller: Party | None
    certifications: list[CertificationView]
    custody: list[CustodyView]
    events: list[EventView]
    recalled: bool
    recalls: list[RecallView]
    scan_count: int = Field(
        description="one scan per client per item per window (known bots, link previews, prefetches and HEAD requests "
        "are not scans): the scans recorded on chain by the platforms this resolver trusts, plus its own scans not "
        "indexed yet; 0 on a lot's page"
    )
    scans_on_chain: int
    scans_pending: int
    suspicious_after: int


class Health(BaseModel):
    status: Literal["ok", "degraded"] = Field(description="degraded (HTTP 503): the node cannot be reached; pages are "
                                               "served from the index as it is")
    reason: str | None = Field(None, description="why it is degraded")
    chain_id: int
    last_block: int
    batches: int
    items_indexed: int
    scans_unsent: int
    scan_flushes: dict[str, int]
    flushing: bool = Field(description="whether a platform account flushes scans on chain")
    counted_platforms: list[str] = Field(description="the platforms whose on-chain scans are counted")
    scan_window: float = Field(description="seconds within which one client's views of one item are one scan")


class Problem(BaseModel):
    error: str
    field: str | None = None


def cst_time(stamp: int) -> str:
    """Unix seconds as an ISO 8601 time in China Standard Time."""
    return dt.datetime.fromtimestamp(stamp, CST).isoformat(timespec="seconds")
