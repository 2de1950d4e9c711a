"""The trace query on the embedded chain: the facts of an item's story, and each verdict — genuine,
unknown serial, recalled, suspicious scan count.

The module builds one pear story (product, sites, a certified batch of serials that travels from the
cooperative through the carrier to the seller, one consumer scan); each test runs on a snapshot.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from test_provenance_sdk import HARVEST, LATER, LOT, ORCHARD, PEARS, SERIALS, World, deploy_cast

from shanglian import gs1
from shanglian.errors import InputError
from shanglian.network import connect
from shanglian.trace import SerialFolder, Verdict, serial_source, story_lines, trace

JUICE = "06901234567908"
ITEM = "PEAR-000042"
LINK = gs1.format_digital_link(PEARS, LOT, ITEM)
SITE_GLN = "6901234000016"
STORE_GLN = "6901234000030"  # a valid GLN that no one registers


@pytest.fixture(scope="module")
def story_once():
    chain = connect("embedded")
    suite, parties = deploy_cast(chain)
    world = World(chain, suite, parties)
    coop, carrier, seller = world.sdk("cooperative"), world.sdk("carrier"), world.sdk("seller")
    coop.register_product(PEARS, "砀山酥梨", "皮薄多汁，酥脆甘甜")
    coop.register_product(JUICE, "砀山梨汁", "")
    coop.register_location(SITE_GLN, "砀山县良梨镇梨园", 341321, 34.442, 116.367)
    created = coop.create_batch(PEARS, LOT, ORCHARD, HARVEST, None, SERIALS)
    coop.request_certification(created.batch_id, parties["alliance"])
    world.sdk("alliance").certify(created.batch_id, "AQFA-2024-0912", LATER)
    coop.record_event(created.batch_id, "harvesting", SITE_GLN)
    world.sdk("alliance").record_event(created.batch_id, "inspecting", SITE_GLN)
    coop.offer_custody(created.batch_id, parties["carrier"])
    carrier.accept_custody(created.batch_id)
    carrier.record_event(created.batch_id, "shipping", STORE_GLN, data="cold chain 0-4 °C")
    carrier.offer_custody(created.batch_id, parties["seller"])
    seller.accept_custody(created.batch_id)
    seller.record_event(created.batch_id, "retail_selling", serial=ITEM)
    world.sdk("platform").record_scans(created.batch_id, {ITEM: 1}, "scan-1")
    return world, {created.batch_id: SERIALS}


@pytest.fixture
def story(story_once):
    w3 = story_once[0].chain.w3
    snapshot = w3.testing.snapshot()
    yield story_once
    w3.testing.revert(snapshot)


@pytest.fixture(scope="module")
def report(story_once):
    """The consumer's item traced once on the story as built, for the tests that only read it."""
    world, lists = story_once
    return trace(world.chain, world.suite, LINK, lists)


def traced(story, uri=LINK, serials=None, **kwargs):
    world, lists = story
    return trace(world.chain, world.suite, uri, lists if serials is None else serials, **kwargs)


def names(world):
    from shanglian import demo

    return {who: demo.CAST[who].name for who in world.parties}


# -- the facts --------------------------------------------------------------------------------------


def test_genuine_item_is_proven_and_reads_genuine(report):
    assert (report.verdict, report.serial_proven) == (Verdict.GENUINE, True)


def test_report_carries_product_and_batch_origin(report):
    assert (report.product.name, report.product.features, report.product.gtin) == (
        "砀山酥梨",
        "皮薄多汁，酥脆甘甜",
        PEARS,
    )
    b = report.batch
    assert (b.lot, b.place, b.region_code, b.latitude, b.longitude) == (
        LOT,
        "砀山县良梨镇",
        341321,
        34.42,
        116.35,
    )
    assert (b.production_date, b.quantity) == ("2024-09-12", len(SERIALS))


def test_report_names_the_alliance_seller_and_scan_count(story_once, report):
    cast = names(story_once[0])
    assert report.certified_by.alliance.name == cast["alliance"] and report.certified_by.valid
    assert report.certified_by.expiry.startswith(LATER)
    assert report.seller.name == cast["seller"]
    assert report.scan_count == 1


def test_custody_chain_names_each_holder_in_order(story_once, report):
    cast = names(story_once[0])
    assert [c.holder.name for c in report.custody] == [cast["cooperative"], cast["carrier"], cast["seller"]]


def test_events_are_in_order_with_who_and_the_registered_site(story_once, report):
    cast = names(story_once[0])
    assert [(e.step, e.who.name, e.where) for e in report.events] == [
        ("harvesting", cast["cooperative"], "砀山县良梨镇梨园"),
        ("inspecting", cast["alliance"], "砀山县良梨镇梨园"),
        ("shipping", cast["carrier"], None),  # its GLN was never registered: the number stays
        ("retail_selling", cast["seller"], None),
    ]
    assert report.events[2].gln == STORE_GLN and report.events[3].item_level
    assert [e.when for e in report.events] == sorted(e.when for e in report.events)


def test_item_level_events_of_other_items_are_left_out(story):
    world, _ = story
    world.sdk("seller").record_event((PEARS, LOT), "retail_selling", serial="PEAR-000043")
    assert [e.step for e in traced(story).events].count("retail_selling") == 1


def test_report_is_plain_json(report):
    data = json.loads(json.dumps(report.as_dict(), ensure_ascii=False))
    assert (
        data["verdict"] == "genuine" and data["seller"]["name"] and data["events"][0]["step"] == "harvesting"
    )


def test_story_lines_show_the_consumers_facts(story_once, report):
    text = "\n".join(story_lines(report))
    cast = names(story_once[0])
    for fact in (
        "genuine",
        "砀山酥梨",
        "皮薄多汁",
        "砀山县良梨镇",
        cast["alliance"],
        cast["seller"],
        "scanned 1 time",
    ):
        assert fact in text


def test_story_lines_name_the_region_and_the_certificate(report):
    text = "\n".join(story_lines(report))
    code = f"{report.batch.region_code:06d}"
    from shanglian import regions

    assert f"({regions.full_name(code)} {code}," in text
    assert f"certificate {report.certifications[-1].certificate_hash}" in text


def test_revoked_certification_shows_revoked_and_none_in_force(story):
    story[0].sdk("alliance").revoke_certification((PEARS, LOT))
    report = traced(story)
    assert report.certified_by is None
    assert [(c.revoked, c.valid) for c in report.certifications] == [(True, False)]


# -- unknown serial ---------------------------------------------------------------------------------


def test_serial_outside_the_batch_is_unknown(story):
    report = traced(story, gs1.format_digital_link(PEARS, LOT, "PEAR-009999"))
    assert (report.verdict, report.serial_proven) == (Verdict.UNKNOWN_SERIAL, False)
    assert "not one of the 100 serials" in report.verdict_reason


def test_serial_without_any_serial_list_is_unknown(story):
    report = traced(story, serials={})
    assert report.verdict == Verdict.UNKNOWN_SERIAL and "no serial list" in report.verdict_reason


def test_serial_list_that_does_not_match_the_root_is_unknown(story):
    report = traced(story, serials=lambda batch_id: SERIALS + ["PEAR-999999"])
    assert report.verdict == Verdict.UNKNOWN_SERIAL and "does not match" in report.verdict_reason


def test_lot_that_was_never_created_is_unknown_with_no_batch_and_its_registered_product(story):
    report = traced(story, gs1.format_digital_link(PEARS, "FAKE-LOT", ITEM))
    assert (report.verdict, report.batch, report.product.name) == (Verdict.UNKNOWN_SERIAL, None, "砀山酥梨")
    lines = story_lines(report)
    assert lines[0].startswith("[bold]砀山酥梨[/bold]") and "(unknown product)" not in "".join(lines)
    assert "this lot is not" in lines[-1]


def test_a_forged_serial_borrows_nothing_from_its_lots_story(story):
    report = traced(story, gs1.format_digital_link(PEARS, LOT, "PEAR-009999"))
    text = "\n".join(story_lines(report))
    assert "not one of its items: nothing the lot records describes this item" in text
    assert "origin:" not in text and "features:" not in text and "certified by" not in text
    assert "皮薄多汁" not in text


def test_each_verdict_has_its_own_exit_code():
    codes = {verdict: verdict.exit_code for verdict in Verdict}
    assert codes[Verdict.GENUINE] == 0 and len(set(codes.values())) == len(codes)
    assert not {1, 2} & set(codes.values())  # the CLI's own: node or config problem, bad input


def test_a_link_without_lot_is_refused_naming_the_uri(story):
    with pytest.raises(InputError) as caught:
        traced(story, gs1.format_digital_link(PEARS, None, ITEM))
    assert caught.value.field == "uri" and "names no lot" in caught.value.reason


def test_serial_of_a_batch_without_serials_is_unknown(story):
    story[0].sdk("cooperative").create_batch(PEARS, "BULK", ORCHARD, HARVEST, 50, None)
    report = traced(story, gs1.format_digital_link(PEARS, "BULK", ITEM))
    assert report.verdict == Verdict.UNKNOWN_SERIAL and "registers no serials" in report.verdict_reason


def test_lot_level_code_has_nothing_to_prove_and_reads_genuine(story):
    report = traced(story, gs1.format_digital_link(PEARS, LOT))
    assert (report.verdict, report.serial_proven) == (Verdict.GENUINE, None)


# -- recalled ----------------------------------------------------------------------------------------


def test_recalled_batch_reads_recalled_with_who_and_why(story):
    story[0].sdk("regulator").recall((PEARS, LOT), "农药残留超标")
    report = traced(story)
    assert (report.verdict, report.recalled) == (Verdict.RECALLED, True)
    assert [(r.by.name, r.reason, r.lot) for r in report.recalls] == [
        (names(story[0])["regulator"], "农药残留超标", LOT)
    ]


def test_unknown_serial_outranks_a_recall(story):
    story[0].sdk("regulator").recall((PEARS, LOT), "农药残留超标")
    assert traced(story, gs1.format_digital_link(PEARS, LOT, "PEAR-009999")).verdict == Verdict.UNKNOWN_SERIAL


def test_output_of_a_recalled_input_reads_recalled_through_its_lineage(story):
    world, lists = story
    world.sdk("seller").offer_custody((PEARS, LOT), world.parties["cooperative"])
    world.sdk("cooperative").accept_custody((PEARS, LOT))
    juice = world.sdk("cooperative").transform(
        [(PEARS, LOT)], JUICE, "J-01", ORCHARD, HARVEST, None, ["JUICE-1"]
    )
    world.sdk("cooperative").recall((PEARS, LOT), "农药残留超标")
    report = traced(
        story, gs1.format_digital_link(JUICE, "J-01", "JUICE-1"), {**lists, juice.batch_id: ["JUICE-1"]}
    )
    assert report.verdict == Verdict.RECALLED and f"through lot {LOT}" in report.verdict_reason
    assert [(m.product, m.lot) for m in report.made_from] == [("砀山酥梨", LOT)]


def test_input_batch_report_shows_what_it_was_used_in(story):
    world, _ = story
    world.sdk("seller").offer_custody((PEARS, LOT), world.parties["cooperative"])
    world.sdk("cooperative").accept_custody((PEARS, LOT))
    world.sdk("cooperative").transform([(PEARS, LOT)], JUICE, "J-02", ORCHARD, HARVEST, 10)
    assert [(u.product, u.lot) for u in traced(story).used_in] == [("砀山梨汁", "J-02")]


# -- suspicious scan count ---------------------------------------------------------------------------


def test_more_scans_than_the_default_threshold_is_suspicious(story):
    story[0].sdk("platform").record_scans((PEARS, LOT), {ITEM: 20}, "scan-2")
    report = traced(story)
    assert (report.scan_count, report.verdict) == (21, Verdict.SUSPICIOUS)


def test_scans_up_to_the_threshold_stay_genuine(story):
    story[0].sdk("platform").record_scans((PEARS, LOT), {ITEM: 2}, "scan-2")
    assert traced(story, suspicious_after=3).verdict == Verdict.GENUINE


def test_threshold_is_configurable(story):
    story[0].sdk("platform").record_scans((PEARS, LOT), {ITEM: 3}, "scan-2")
    assert traced(story, suspicious_after=3).verdict == Verdict.SUSPICIOUS


def test_recall_outranks_a_suspicious_count(story):
    story[0].sdk("platform").record_scans((PEARS, LOT), {ITEM: 50}, "scan-2")
    story[0].sdk("regulator").recall((PEARS, LOT), "召回")
    assert traced(story).verdict == Verdict.RECALLED


# -- serial sources and input -------------------------------------------------------------------------


def test_trace_proves_from_a_serial_folder(story, tmp_path):
    folder = SerialFolder(tmp_path)
    path = folder.save((PEARS, LOT), SERIALS)
    assert path.name == f"0x{gs1.lot_id(PEARS, LOT).hex()}.txt"
    assert traced(story, serials=tmp_path).verdict == Verdict.GENUINE


def test_serial_folder_reads_back_what_it_saved(tmp_path):
    folder = SerialFolder(tmp_path)
    folder.save((PEARS, LOT), ["A1", "A2"])
    assert (folder.load((PEARS, LOT)), folder.load((PEARS, "OTHER"))) == (["A1", "A2"], None)


def test_default_serial_folder_is_under_the_state_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("SHANGLIAN_HOME", str(tmp_path))
    assert serial_source(None).path((PEARS, LOT)).parent == tmp_path / "serials"


def test_bad_gtin_check_digit_is_refused_naming_gtin(story):
    with pytest.raises(InputError) as err:
        traced(story, LINK.replace("06901234567892", "06901234567893"))
    assert err.value.field == "gtin"


def test_negative_threshold_is_refused(story):
    with pytest.raises(InputError) as err:
        traced(story, suspicious_after=-1)
    assert err.value.field == "suspicious_after"


def test_times_are_in_china_standard_time(report):
    when = dt.datetime.fromisoformat(report.events[0].when)
    assert when.utcoffset() == dt.timedelta(hours=8)
