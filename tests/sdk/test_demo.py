"""`make demo`'s story, checked rather than only printed."""

import io

from rich.console import Console

from shanglian import demo
from shanglian.roles import Status


def test_demo_onboards_the_cast_on_the_embedded_chain(tmp_path):
    buffer = io.StringIO()
    story = demo.run("embedded", Console(file=buffer, width=200), out_dir=tmp_path)
    assert set(story.enterprises) == set(demo.CAST)
    assert all(e.status == Status.ACTIVE and e.active for e in story.enterprises.values())
    printed = buffer.getvalue()
    for member in demo.CAST.values():
        assert member.name in printed


def test_demo_follows_the_pears_to_a_recall(tmp_path):
    story = demo.run("embedded", Console(file=io.StringIO(), width=200), out_dir=tmp_path)
    assert story.pears["report"].verdict == "genuine"
    assert story.pears["unknown_verdict"] == "unknown serial"
    assert story.pears["recalled_report"].verdict == "recalled"
    assert story.pears["qr_path"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
