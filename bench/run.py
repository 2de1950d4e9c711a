"""`make bench`: every benchmark in one run; writes bench/results.json and prints a table.

Figures are gas (exact), throughput ratios measured side by side in the same run, and wall-clock
seconds where a target is stated in seconds. Keys whose feature does not exist yet are absent.
"""

from __future__ import annotations

import json
import platform
from pathlib import Path

from rich.console import Console
from rich.table import Table

from bench import gas, onboard, pipeline, resolver, scale

RESULTS = Path(__file__).with_name("results.json")
TARGETS = {
    ("gas", "trace_event"): ("≤", 35_000),
    ("gas", "batch_create_10000_per_item"): ("≤", 100),
    ("gas", "scan_record_per_scan_batch100"): ("≤", 6_000),
    ("gas", "onboard_bulk_per_enterprise"): ("≤", 50_000),
    ("gas", "receivable_issue_ratio"): ("≤", 0.8),
    ("gas", "receivable_split_ratio"): ("≤", 0.5),
    ("pipeline", "ratio"): ("≥", 0.7),
    ("bulk_onboard_30k_seconds", None): ("≤", 60),
    ("resolver", "ratio"): ("≥", 0.5),
    ("resolver", "p99_ms"): ("≤", 50),
    ("scale", "resolver_items"): ("≥", 10_000_000),
    ("scale", "resolver_p99_ms"): ("≤", 20),
    ("scale", "resolver_ratio"): ("≥", 0.6),
    ("scale", "resolver_rss_mib"): ("≤", 1024),
    ("scale", "index_build_seconds"): ("≤", 600),
    ("scale", "scans_per_s"): ("≥", 2_000),
    ("scale", "scans_lost"): ("≤", 0),
    ("scale", "scans_doubled"): ("≤", 0),
}


def main() -> None:
    console = Console(highlight=False)
    results: dict = {}
    console.print("gas …")
    results["gas"] = gas.measure()
    console.print("pipeline …")
    results["pipeline"] = pipeline.measure()
    console.print("pipeline batch limits …")
    results["pipeline_batching"] = pipeline.measure_batching()
    console.print("bulk onboarding …")
    results.update(onboard.measure())
    console.print("resolver …")
    results["resolver"] = resolver.measure()
    console.print("province scale: 10,000,000 serials, scans with a kill -9 …")
    results["scale"] = scale.measure()
    results["machine"] = {"cpus": __import__("os").cpu_count(), "python": platform.python_version()}
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
                verdict = "ok" if (value <= bound if op == "≤" else value >= bound) else "MISSED"
            grid.add_row(f"{section}.{key}" if key else section, f"{value:,}", f"{target[0]} {target[1]:,}" if target else "", verdict)
    console.print(grid)


if __name__ == "__main__":
    main()
