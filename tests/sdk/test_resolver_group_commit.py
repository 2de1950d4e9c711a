"""The scans' group commit on a thread of its own (as the resolver runs it on PostgreSQL): one commit
in flight, the views arriving meanwhile gathered into the next, and every waiting request resumed
with its outcome or the commit's error. The queue is a real one (SQLite); the test's queue only
holds a commit at a gate, or fails one, to make the order of events certain."""

from __future__ import annotations

import asyncio
import threading

import pytest

from shanglian.resolver.indexer import connect_db
from shanglian.resolver.scans import GroupCommit, ScanQueue

BATCH = bytes(32)


class GatedQueue(ScanQueue):
    """A scan queue whose commits wait for `gate` and whose commit number `fail` (from 0) raises."""

    def __init__(self, path, fail: int | None = None) -> None:
        super().__init__(connect_db(path))
        self.gate = threading.Event()
        self.started = threading.Event()
        self.groups: list[int] = []
        self.fail = fail

    def record_views(self, views):
        self.started.set()
        self.gate.wait(10)
        self.groups.append(len(views))
        if len(self.groups) - 1 == self.fail:
            raise RuntimeError("the database went away")
        return super().record_views(views)


def views(writer: GroupCommit, clients: range) -> list:
    return [writer.record(BATCH, f"S-{n}", client=f"phone {n}".encode()) for n in clients]


def test_views_arriving_during_a_commit_are_committed_together_in_the_next(tmp_path):
    queue = GatedQueue(tmp_path / "index.sqlite")
    writer = GroupCommit(queue, threaded=True)

    async def scenario():
        first = asyncio.ensure_future(views(writer, range(1))[0])
        await asyncio.get_running_loop().run_in_executor(None, queue.started.wait, 10)
        later = [asyncio.ensure_future(v) for v in views(writer, range(1, 6))]
        await asyncio.sleep(0.05)  # the first commit is still held at the gate: nothing else started
        assert queue.groups == []
        queue.gate.set()
        return await asyncio.gather(first, *later)

    assert asyncio.run(scenario()) == [True] * 6
    assert queue.groups == [1, 5]
    assert queue.conn.execute("SELECT COUNT(*) FROM scan_queue").fetchone()[0] == 6
    writer.close()


def test_every_request_of_a_failed_commit_gets_its_error_and_the_next_group_commits(tmp_path):
    queue = GatedQueue(tmp_path / "index.sqlite", fail=0)
    queue.gate.set()
    writer = GroupCommit(queue, threaded=True)

    async def scenario():
        failed = await asyncio.gather(*views(writer, range(3)), return_exceptions=True)
        return failed, await asyncio.gather(*views(writer, range(3, 5)))

    failed, committed = asyncio.run(scenario())
    assert [str(e) for e in failed] == ["the database went away"] * 3
    assert committed == [True, True]
    assert [s for (s,) in queue.conn.execute("SELECT serial FROM scan_queue ORDER BY id")] == ["S-3", "S-4"]
    writer.close()


def test_close_waits_for_the_commit_in_flight_and_its_requests_get_their_outcome(tmp_path):
    queue = GatedQueue(tmp_path / "index.sqlite")
    writer = GroupCommit(queue, threaded=True)

    async def scenario():
        pending = [asyncio.ensure_future(v) for v in views(writer, range(2))]
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, queue.started.wait, 10)
        threading.Timer(0.05, queue.gate.set).start()
        writer.close()  # as the resolver's stop does, on the event loop: returns once the commit is done
        assert queue.groups == [2]
        return await asyncio.wait_for(asyncio.gather(*pending), 10)

    assert asyncio.run(scenario()) == [True, True]


def test_a_request_cancelled_while_waiting_leaves_the_others_of_its_group_their_outcome(tmp_path):
    queue = GatedQueue(tmp_path / "index.sqlite")
    writer = GroupCommit(queue, threaded=True)

    async def scenario():
        pending = [asyncio.ensure_future(v) for v in views(writer, range(3))]
        await asyncio.get_running_loop().run_in_executor(None, queue.started.wait, 10)
        pending[1].cancel()  # its client went away
        queue.gate.set()
        return await asyncio.wait_for(asyncio.gather(*pending, return_exceptions=True), 10)

    first, cancelled, last = asyncio.run(scenario())
    assert (first, last) == (True, True) and isinstance(cancelled, asyncio.CancelledError)
    writer.close()


@pytest.mark.parametrize("threaded", [False, True])
def test_a_clients_second_view_within_the_window_is_not_a_scan_in_either_mode(tmp_path, threaded):
    queue = ScanQueue(connect_db(tmp_path / "index.sqlite"))
    writer = GroupCommit(queue, threaded=threaded)

    async def scenario():
        same = [writer.record(BATCH, "S-1", client=b"one phone") for _ in range(2)]
        together = await asyncio.gather(*same)
        return together, await writer.record(BATCH, "S-1", client=b"one phone")

    assert asyncio.run(scenario()) == ([True, False], False)
    writer.close()
