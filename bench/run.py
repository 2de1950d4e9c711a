"""`make bench`: every benchmark in one run; writes bench/results.json and prints a table.

Figures are gas (exact), throughput ratios measured side by side in the same run, and wall-clock
seconds where a target is stated in seconds. Keys whose feature does not exist yet are absent.

    python -m bench.run              # everything (make bench)
    python -m bench.run scale        # only the named parts; the file's other sections are kept
    python -m bench.run scale-pg     # only the PostgreSQL pair of `scale`, on 100 lots of 10,000
                                     # (its scale.pg_* keys replace those in the file)
"""

from __future__ import annotations

import json
import os
import platform
import sys
from pathlib import Path
from typing import Callable

from rich.console import Console
from rich.table import Table

from bench import confidential, gas, onboard, pipeline, remote, resolver, scale

RESULTS = Path(__file__).with_name("results.json")
TARGETS = {
    ("gas", "trace_event"): ("≤", 30_000),
    ("gas", "batch_create_10000_per_item"): ("≤", 100),
    ("gas", "scan_record_per_scan_batch100"): ("≤", 2_500),
    ("gas", "onboard_bulk_per_enterprise"): ("≤", 45_000),
    ("gas", "receivable_issue_ratio"): ("≤", 0.8),
    ("gas", "receivable_split_ratio"): ("≤", 0.5),
    ("gas", "receivable_issue_confidential_ratio"): ("≤", 1.2),
    ("gas", "receivable_split_confidential_ratio"): ("≤", 1.1),
    ("confidential", "ms_per_receivable_median"): ("≤", 5),
    ("gas", "evidence_file_one_document"): ("≤", 50_000),
    ("gas", "evidence_file_batch1000_per_document"): ("≤", 60),
    ("gas", "evidence_cosign"): ("≤", 35_000),
    ("gas", "licence_issue"): ("≤", 80_000),
    ("gas", "copyright_register"): ("≤", 100_000),
    ("pipeline", "ratio"): ("≥", 0.7),
    ("remote", "ratio"): ("≥", 0.7),
    ("remote", "sdk_over_naive"): ("≥", 20),
    ("remote", "reset_mined_once"): ("=", True),
    ("bulk_onboard_30k_seconds", None): ("≤", 60),
    ("bulk_onboard_300k_seconds", None): ("≤", 120),
    ("index_300k_seconds", None): ("≤", 60),
    ("resolver", "ratio"): ("≥", 0.5),
    ("resolver", "p99_ms"): ("≤", 50),
    ("resolver", "verify_page_ratio"): ("≥", 0.5),
    ("resolver", "verify_page_p99_ms"): ("≤", 50),
    ("resolver", "verify_api_ratio"): ("≥", 0.5),
    ("resolver", "verify_api_p99_ms"): ("≤", 50),
    ("scale", "resolver_items"): ("≥", 10_000_000),
    ("scale", "resolver_p99_ms"): ("≤", 20),
    ("scale", "resolver_ratio"): ("≥", 0.6),
    ("scale", "resolver_rss_mib"): ("≤", 1024),
    ("scale", "index_build_seconds"): ("≤", 600),
    ("scale", "scans_per_s"): ("≥", 2_000),
    ("scale", "scans_lost"): ("≤", 0),
    ("scale", "scans_doubled"): ("≤", 0),
    ("scale", "pg_scans_lost"): ("≤", 0),
    ("scale", "pg_scans_doubled"): ("≤", 0),
}


def _scale_pg(results: dict) -> dict:
    """The pair alone: its scale.pg_* keys replace those of the file's scale section."""
    pair = scale.measure(PG_LOTS, scale.PER_LOT, scale.SCAN_SECONDS, sqlite=False)
    pair.pop("lots_made_seconds")  # the section's is the full run's
    section = {k: v for k, v in results.get("scale", {}).items() if not k.startswith("pg_")}
    return {"scale": {**section, **pair}}


PG_LOTS = 100
# Each part: what it prints while it runs, and what it measures as {key of results.json: figures}.
PARTS: dict[str, tuple[str, Callable[[dict], dict]]] = {
    "gas": ("gas", lambda _: {"gas": gas.measure()}),
    "confidential": ("confidential SDK", lambda _: {"confidential": confidential.measure()}),
    "pipeline": ("pipeline, then its batch limits", lambda _: {
        "pipeline": pipeline.measure(), "pipeline_batching": pipeline.measure_batching()}),
    "remote": ("a remote node (50 ms round trips, then 1% of requests reset)", lambda _: {"remote": remote.measure()}),
    "onboard": ("bulk onboarding, 30,000 then 300,000 enterprises", lambda _: {
        **onboard.measure(), **onboard.measure(300_000, index=True)}),
    "resolver": ("resolver", lambda _: {"resolver": resolver.measure()}),
    "scale": ("province scale: 10,000,000 serials, scans with a kill -9; the PostgreSQL pair",
              lambda _: {"scale": scale.measure()}),
    "scale-pg": (f"the PostgreSQL pair on {PG_LOTS * scale.PER_LOT:,} serials, scans with a kill -9", _scale_pg),
}
NAMED_ONLY = ("scale-pg",)  # run when named, never by default


def main(parts: list[str]) -> None:
    unknown = sorted(set(parts) - set(PARTS))
    if unknown:
        raise SystemExit(f"no bench part {', '.join(unknown)}: give some of {', '.join(PARTS)}, or none for all")
    wanted = parts or [name for name in PARTS if name not in NAMED_ONLY]
    console = Console(highlight=False)
    results: dict = json.loads(RESULTS.read_text()) if parts and RESULTS.exists() else {}
    for name in PARTS:  # in this order, whatever the order asked
        if name in wanted:
            message, measure = PARTS[name]
            console.print(f"{message} …")
            results.update(measure(results))
    results["machine"] = {"cpus": os.cpu_count(), "python": platform.python_version()}
    RESULTS.write_text(json.dumps(results, indent=2, sort_keys=True, ensure_ascii=False) + "\n")

    grid = Table(title="bench/results.json", title_justify="left")
    for column in ("figure", "value", "target", ""):
        grid.add_column(column)
    for section, values in results.items():
        if section == "machine":
            continue
        items = values.items() if isinstance(values, dict) else [(None, values)]
        for key, value in items:
            if isinstance(value, dict):  # a run's details (scale.scan_run): in the JSON, not the table
                continue
            target = TARGETS.get((section, key))
            verdict = ""
            if target:
                op, bound = target
                met = value == bound if op == "=" else value <= bound if op == "≤" else value >= bound
                verdict = "ok" if met else "MISSED"
            grid.add_row(f"{section}.{key}" if key else section, _shown(value), f"{op} {_shown(bound)}" if target else "", verdict)
    console.print(grid)


def _shown(value: object) -> str:
    """Numbers with thousands separators; flags and counts by kind as they are."""
    return f"{value:,}" if isinstance(value, (int, float)) and not isinstance(value, bool) else str(value)


if __name__ == "__main__":
    main(sys.argv[1:])
