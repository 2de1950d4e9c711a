"""Demo step 2, the pear story, run once on the embedded chain after step 1's onboarding: what it
prints and the facts it returns."""

from __future__ import annotations

import io

import pytest
from conftest import sender
from rich.console import Console

from shanglian import demo, deploy, gs1
from shanglian.demo_pears import CONSUMER_ITEM, FORGED_ITEM, PEAR_FEATURES, PEAR_GTIN, PEAR_NAME, pear_story
from shanglian.network import connect
from shanglian.trace import Verdict


# The module-wide fixture is built once: keep the tests on one worker (make test: --dist loadgroup).
pytestmark = pytest.mark.xdist_group("demo_pears")


@pytest.fixture(scope="module")
def told(tmp_path_factory):
    """(facts, printed text) of step 2, on a story built like `demo.run` builds it."""
    chain = connect("embedded")
    senders = {f"admin{n}": sender(chain, i) for n, i in enumerate(demo.ADMIN_KEYS)}
    senders.update({who: sender(chain, member.key_index) for who, member in demo.CAST.items()})
    admins = [senders[f"admin{n}"].address for n in range(len(demo.ADMIN_KEYS))]
    suite = deploy.deploy_suite(
        chain, senders["admin0"], deploy.DeployOptions(admins, demo.THRESHOLD), manifest=deploy.Manifest(None)
    )
    for party in senders.values():
        if chain.w3.eth.get_balance(party.address) < 10**18:
            senders["admin0"].transfer(party.address, 10**20)
    story = demo.Story(chain, suite, senders)
    buffer = io.StringIO()
    console = Console(file=buffer, width=200, highlight=False)
    demo.onboard(story, console.print)
    facts = pear_story(story, console.print, tmp_path_factory.mktemp("demo"))
    return facts, buffer.getvalue()


def test_consumer_scan_prints_seller_origin_features_alliance_and_scan_count(told):
    _, printed = told
    for fact in (
        demo.CAST["seller"].name,
        "砀山县良梨镇梨园",
        PEAR_FEATURES[:12],
        demo.CAST["alliance"].name,
        "scanned 1 time",
    ):
        assert fact in printed


def test_consumer_scan_reads_genuine_with_the_story_facts(told):
    report = told[0]["report"]
    assert report.verdict == Verdict.GENUINE and report.serial_proven
    assert (report.product.name, report.seller.name, report.scan_count) == (
        PEAR_NAME,
        demo.CAST["seller"].name,
        1,
    )
    assert report.certified_by.alliance.name == demo.CAST["alliance"].name


def test_custody_goes_from_cooperative_through_carrier_to_seller(told):
    holders = [c.holder.name for c in told[0]["report"].custody]
    assert holders == [demo.CAST[who].name for who in ("cooperative", "carrier", "seller")]


def test_events_run_from_harvest_to_sale_in_order(told):
    steps = [e.step for e in told[0]["report"].events]
    assert steps == ["harvesting", "inspecting", "packing", "shipping", "receiving", "retail_selling"]


def test_digital_link_names_the_consumers_box(told):
    link = gs1.parse_digital_link(told[0]["digital_link"])
    assert (link.gtin, link.serial) == (PEAR_GTIN, CONSUMER_ITEM)


def test_qr_png_is_written(told):
    path = told[0]["qr_path"]
    assert path.suffix == ".png" and path.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_serial_list_is_kept_for_proofs(told):
    lines = told[0]["serials_path"].read_text().split()
    assert len(lines) == 1000 and CONSUMER_ITEM in lines and FORGED_ITEM not in lines


def test_forged_serial_reads_unknown(told):
    facts, printed = told
    assert facts["unknown_verdict"] == "unknown serial" == facts["unknown_report"].verdict.value
    assert f"{FORGED_ITEM}: unknown serial" in printed


def test_next_scan_after_the_recall_reads_recalled(told):
    after = told[0]["recalled_report"]
    assert (after.verdict, after.scan_count) == (Verdict.RECALLED, 2)
    assert after.recalls[0].by.name == demo.CAST["regulator"].name
