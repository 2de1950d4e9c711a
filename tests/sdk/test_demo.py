"""`make demo`'s story, checked rather than only printed."""

import io

from rich.console import Console

from shanglian import demo
from shanglian.roles import Status


def test_demo_onboards_the_cast_on_the_embedded_chain():
    buffer = io.StringIO()
    story = demo.run("embedded", Console(file=buffer, width=200))
    assert set(story.enterprises) == set(demo.CAST)
    assert all(e.status == Status.ACTIVE and e.active for e in story.enterprises.values())
    printed = buffer.getvalue()
    for member in demo.CAST.values():
        assert member.name in printed
