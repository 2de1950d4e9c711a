"""The resolver's worker while its node is unreachable: degraded with the reason, one log line when
that starts and one when it ends, and tries spaced by a doubling backoff up to a ceiling instead of
one every interval."""

from __future__ import annotations

import logging

import requests

from shanglian.resolver.service import MAX_BACKOFF, Resolver


class FlakyIndexer:
    """An indexer whose node is unreachable for its first `failures` passes."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.passes = 0
        self.on_change = None

    def run_once(self) -> None:
        self.passes += 1
        if self.passes <= self.failures:
            raise requests.exceptions.ConnectionError("Connection refused")


class Clock:
    """Stands for the worker's stop event: records each wait, and stops the worker after `waits`."""

    def __init__(self, waits: int, resolver: Resolver) -> None:
        self.waits: list[float] = []
        self.left = waits
        self.resolver = resolver
        self.health: list[tuple[str, str | None]] = []

    def is_set(self) -> bool:
        return self.left == 0

    def wait(self, seconds: float) -> bool:
        health = self.resolver.health()
        self.health.append((health.status, health.reason))
        self.waits.append(seconds)
        self.left -= 1
        return self.left == 0


def worker(tmp_path, failures: int, waits: int) -> tuple[Resolver, Clock, FlakyIndexer]:
    indexer = FlakyIndexer(failures)
    resolver = Resolver(tmp_path / "index.sqlite", 31337, indexer, interval=1.0)  # type: ignore[arg-type]
    clock = Clock(waits, resolver)
    resolver._stop = clock  # type: ignore[assignment]
    resolver._work()
    return resolver, clock, indexer


def test_an_unreachable_node_is_retried_with_a_doubling_backoff_up_to_its_ceiling(tmp_path):
    _, clock, indexer = worker(tmp_path, failures=7, waits=9)
    assert clock.waits == [2.0, 4.0, 8.0, 16.0, MAX_BACKOFF, MAX_BACKOFF, MAX_BACKOFF, 1.0, 1.0]
    assert indexer.passes == 9


def test_the_resolver_is_degraded_with_the_reason_until_the_node_answers(tmp_path):
    resolver, clock, _ = worker(tmp_path, failures=2, waits=3)
    reason = "the node is unreachable (ConnectionError)"
    assert clock.health == [("degraded", reason), ("degraded", reason), ("ok", None)]
    assert resolver.degraded is None


def test_one_log_line_when_degraded_and_one_when_recovered(tmp_path, caplog):
    with caplog.at_level(logging.INFO, logger="shanglian.resolver"):
        worker(tmp_path, failures=5, waits=7)
    assert [(r.levelname, r.getMessage().split(":")[0]) for r in caplog.records] == [
        ("WARNING", "degraded"), ("WARNING", "recovered")]
    assert all(r.exc_info is None for r in caplog.records)  # no traceback
