"""`make demo`'s story, checked rather than only printed: one run, several facts."""

import io

import pytest
from rich.console import Console

from shanglian import demo
from shanglian.roles import Status


# The module-wide fixture is built once: keep the tests on one worker (make test: --dist loadgroup).
pytestmark = pytest.mark.xdist_group("demo")


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    buffer = io.StringIO()
    story = demo.run("embedded", Console(file=buffer, width=200), out_dir=tmp_path_factory.mktemp("demo"))
    return story, buffer.getvalue()


def test_demo_onboards_the_cast(run):
    story, printed = run
    assert set(story.enterprises) == set(demo.CAST)
    assert all(e.status == Status.ACTIVE and e.active for e in story.enterprises.values())
    for member in demo.CAST.values():
        assert member.name in printed


def test_demo_follows_the_pears_to_a_recall(run):
    story, printed = run
    assert story.pears["report"].verdict == "genuine"
    assert story.pears["unknown_verdict"] == "unknown serial"
    assert story.pears["recalled_report"].verdict == "recalled"
    assert story.pears["qr_path"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "this code has been scanned 1 time" in printed


def test_demo_settles_every_receivable_fragment_once(run):
    story, printed = run
    facts = story.receivables
    assert facts["double_issue_error"].name == "ReceivableInvoiceUsed"
    assert facts["double_settle_error"].name == "ReceivableAlreadySettled"
    assert facts["settled"] == {facts["issued"]: "confirmed", facts["split"]: "confirmed"}
    assert str(facts["settled_value"]) == "1000000.00"
    assert "└── " in printed  # the lineage tree


def test_demo_tells_the_service_hall(run):
    story, printed = run
    facts = story.hall
    assert facts["evidence"].complete and facts["evidence"].notarisation.notarised_at > 0
    assert facts["genuine"].found and not facts["tampered"].found
    assert facts["revoked"].status.name == "REVOKED" and not facts["revoked"].valid
    assert facts["licence_answer"].licence.valid and facts["licence_answer"].licence.holder_name == "赣州市赣南脐橙专业合作社"
    assert [g.status.name for g in facts["work"].grants] == ["ACCEPTED"]
    assert facts["qr_path"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "no record" in printed and "now reads revoked" in printed
