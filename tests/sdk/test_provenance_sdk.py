"""ProductProvenance through the SDK on the embedded chain: every action reads back from the chain,
reverts arrive as named errors, and bad input is refused before anything is sent, naming the field.

The module deploys and onboards the cast once; each test runs on a snapshot that is reverted after it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from conftest import sender
from eth_hash.auto import keccak

from shanglian import demo, deploy, gs1
from shanglian.errors import ContractError, InputError
from shanglian.merkle import serial_range
from shanglian.network import Chain, connect
from shanglian.provenance import (
    BizStep,
    Origin,
    Provenance,
    batch_key,
    item_hash,
    normalize_gln,
    parse_serial_range,
    parse_step,
    read_serial_file,
)
from shanglian.registry import Registry

PEARS = "06901234567892"
JUICE = "06901234567908"
LOT = "DS2024-09"
ORCHARD = Origin("砀山县良梨镇", 341321, 34.42, 116.35)
ORCHARD_GLN = "6901234000016"
HARVEST = "2024-09-12"
SERIALS = serial_range("PEAR-", 1, 101, 6)  # PEAR-000001 … PEAR-000100
PARTIES = ("cooperative", "carrier", "seller", "alliance", "platform", "regulator")
LATER = (dt.date.today() + dt.timedelta(days=400)).isoformat()


def onboard(chain: Chain, suite: deploy.Suite, parties=PARTIES) -> dict[str, str]:
    """Onboards members of the demo cast (2 of the 3 development admins approve); their addresses."""
    admins = [sender(chain, i) for i in demo.ADMIN_KEYS]
    addresses = {}
    for who in parties:
        member = demo.CAST[who]
        party = sender(chain, member.key_index)
        if chain.w3.eth.get_balance(party.address) < 10**18:
            admins[0].transfer(party.address, 10**20)
        demo.admit(chain, suite.registry, member, party, admins, LATER)
        addresses[who] = party.address
    return addresses


def deploy_cast(chain: Chain, parties=PARTIES) -> tuple[deploy.Suite, dict[str, str]]:
    admins = [sender(chain, i).address for i in demo.ADMIN_KEYS]
    suite = deploy.deploy_suite(
        chain, sender(chain, 0), deploy.DeployOptions(admins, demo.THRESHOLD), manifest=deploy.Manifest(None)
    )
    return suite, onboard(chain, suite, parties)


@dataclass
class World:
    chain: Chain
    suite: deploy.Suite
    parties: dict[str, str]

    def sdk(self, who: str | None = None) -> Provenance:
        """The SDK signing as `who` (None: read only), with a fresh nonce count."""
        signer = None if who is None else sender(self.chain, demo.CAST[who].key_index)
        return Provenance(self.chain, self.suite["ProductProvenance"], signer)

    def nonce(self, who: str) -> int:
        return self.chain.w3.eth.get_transaction_count(self.parties[who])


@pytest.fixture(scope="module")
def world_once():
    chain = connect("embedded")
    suite, parties = deploy_cast(chain)
    world = World(chain, suite, parties)
    coop = world.sdk("cooperative")
    coop.register_product(PEARS, "砀山酥梨", "皮薄多汁")
    coop.register_product(JUICE, "砀山梨汁", "")
    coop.register_location(ORCHARD_GLN, "砀山县良梨镇梨园", 341321, 34.442, 116.367)
    coop.create_batch(PEARS, LOT, ORCHARD, HARVEST, None, SERIALS)
    return world


@pytest.fixture
def world(world_once):
    w3 = world_once.chain.w3
    snapshot = w3.testing.snapshot()
    yield world_once
    w3.testing.revert(snapshot)


# -- products, locations, batches -------------------------------------------------------------------


def test_product_reads_back_name_features_and_producer(world):
    product = world.sdk().product("6901234567892")  # the GTIN-13 form names the same product
    assert (product.gtin, product.name, product.features) == (PEARS, "砀山酥梨", "皮薄多汁")
    assert product.producer == world.parties["cooperative"]


def test_created_batch_reads_back_origin_date_quantity_and_root(world):
    record = world.sdk().batch((PEARS, LOT))
    assert (record.gtin, record.lot, record.quantity) == (PEARS, LOT, len(SERIALS))
    assert record.origin == ORCHARD
    assert record.production_date == dt.date(2024, 9, 12)
    assert record.producer == record.custodian == world.parties["cooperative"]
    assert (record.seller, record.pending_custodian, record.recalled, record.consumed) == (
        None,
        None,
        False,
        False,
    )


def test_create_batch_returns_the_contracts_batch_id_and_the_tree_root(world):
    created = world.sdk("cooperative").create_batch(
        PEARS, "DS2024-10", ORCHARD, HARVEST, 7, ["A1", "A2", "A3"]
    )
    contract = world.suite["ProductProvenance"]
    assert created.batch_id == contract.functions.batchIdOf(int(PEARS), "DS2024-10").call()
    assert world.sdk().batch(created.batch_id).serials_root == created.serials_root
    assert (created.serial_count, world.sdk().batch(created.batch_id).quantity) == (3, 7)


def test_batch_without_serials_needs_a_quantity_and_has_a_zero_root(world):
    created = world.sdk("cooperative").create_batch(PEARS, "BULK-1", ORCHARD, HARVEST, 500, None)
    assert world.sdk().batch(created.batch_id).serials_root == bytes(32)
    assert created.serial_count == 0


def test_keep_serials_receives_the_list_before_the_batch_is_sent(world):
    kept = []

    def keep(batch_id, serials):
        kept.append((batch_id, serials, world.chain.w3.eth.block_number))

    block = world.chain.w3.eth.block_number
    created = world.sdk("cooperative").create_batch(
        PEARS, "DS2024-11", ORCHARD, HARVEST, None, ["B1", "B2"], keep_serials=keep
    )
    assert kept == [(created.batch_id, ["B1", "B2"], block)]


def test_keep_serials_is_not_called_for_a_batch_the_contract_refuses(world):
    kept = []
    with pytest.raises(ContractError) as err:
        world.sdk("cooperative").create_batch(
            PEARS, LOT, ORCHARD, HARVEST, None, ["X1"], keep_serials=lambda *args: kept.append(args)
        )
    assert err.value.name == "ProvenanceBatchExists"
    assert kept == []


def test_location_reads_back_its_site_and_enterprise(world):
    site = world.sdk().location(ORCHARD_GLN)
    assert site is not None and site.enterprise == world.parties["cooperative"]
    assert site.site == Origin("砀山县良梨镇梨园", 341321, 34.442, 116.367)


def test_unknown_batch_is_the_contracts_named_error(world):
    with pytest.raises(ContractError) as err:
        world.sdk().batch((PEARS, "NO-SUCH-LOT"))
    assert err.value.name == "ProvenanceUnknownBatch"


def test_every_batch_reference_form_names_the_same_batch():
    expected = gs1.lot_id(PEARS, LOT)
    forms = [
        expected,
        "0x" + expected.hex(),
        (PEARS, LOT),
        f"{PEARS}:{LOT}",
        gs1.format_digital_link(PEARS, LOT, "PEAR-000001"),
        gs1.parse_digital_link(gs1.format_digital_link(PEARS, LOT)),
    ]
    assert {batch_key(form) for form in forms} == {expected}


# -- events, custody, certification --------------------------------------------------------------


def test_events_come_back_in_order_with_step_site_actor_and_item(world):
    coop, alliance = world.sdk("cooperative"), world.sdk("alliance")
    coop.record_event((PEARS, LOT), "harvesting", ORCHARD_GLN)
    alliance.record_event((PEARS, LOT), "Inspecting", ORCHARD_GLN, data="sugar 13.5 Brix")
    coop.record_event((PEARS, LOT), "packing", serial="PEAR-000007")
    events = world.sdk().events((PEARS, LOT))
    assert [(e.step, e.enterprise) for e in events] == [
        (BizStep.HARVESTING, world.parties["cooperative"]),
        (BizStep.INSPECTING, world.parties["alliance"]),
        (BizStep.PACKING, world.parties["cooperative"]),
    ]
    assert [e.gln for e in events] == [int(ORCHARD_GLN), int(ORCHARD_GLN), 0]
    assert events[1].data_hash == keccak(b"sugar 13.5 Brix")
    assert events[2].item_hash == keccak(b"PEAR-000007")
    assert events[0].timestamp <= events[1].timestamp <= events[2].timestamp


def test_events_of_a_serial_are_the_batch_level_ones_and_its_own(world):
    coop = world.sdk("cooperative")
    coop.record_event((PEARS, LOT), "harvesting")
    coop.record_event((PEARS, LOT), "packing", serial="PEAR-000001")
    coop.record_event((PEARS, LOT), "packing", serial="PEAR-000002")
    mine = world.sdk().events((PEARS, LOT), serial="PEAR-000002")
    assert [(e.step, e.item_hash) for e in mine] == [
        (BizStep.HARVESTING, bytes(32)),
        (BizStep.PACKING, item_hash("PEAR-000002")),
    ]


def test_offer_and_accept_move_custody_and_a_retailer_becomes_the_seller(world):
    world.sdk("cooperative").offer_custody((PEARS, LOT), world.parties["carrier"])
    world.sdk("carrier").accept_custody((PEARS, LOT))
    world.sdk("carrier").offer_custody((PEARS, LOT), world.parties["seller"])
    world.sdk("seller").accept_custody((PEARS, LOT))
    moves = world.sdk().custody((PEARS, LOT))
    assert [m.enterprise for m in moves] == [world.parties[w] for w in ("cooperative", "carrier", "seller")]
    assert [m.handed_over_by for m in moves] == [None, world.parties["cooperative"], world.parties["carrier"]]
    assert world.sdk().seller((PEARS, LOT)) == world.parties["seller"]
    assert world.sdk().batch((PEARS, LOT)).custodian == world.parties["seller"]


def test_withdrawn_offer_leaves_the_batch_with_its_custodian(world):
    world.sdk("cooperative").offer_custody((PEARS, LOT), world.parties["carrier"])
    world.sdk("cooperative").withdraw_offer((PEARS, LOT))
    record = world.sdk().batch((PEARS, LOT))
    assert (record.custodian, record.pending_custodian) == (world.parties["cooperative"], None)
    with pytest.raises(ContractError) as err:
        world.sdk("carrier").accept_custody((PEARS, LOT))
    assert err.value.name == "ProvenanceNoOffer"


def test_accept_by_an_enterprise_not_offered_is_refused_with_the_offeree(world):
    world.sdk("cooperative").offer_custody((PEARS, LOT), world.parties["carrier"])
    with pytest.raises(ContractError) as err:
        world.sdk("seller").accept_custody((PEARS, LOT))
    assert err.value.name == "ProvenanceNotOfferee"
    assert err.value.args_by_name["offeree"] == world.parties["carrier"]


def test_certification_reads_back_valid_then_revoked(world):
    world.sdk("cooperative").request_certification((PEARS, LOT), world.parties["alliance"])
    world.sdk("alliance").certify((PEARS, LOT), "AQFA-2024-0912", LATER)
    (certified,) = world.sdk().certifications((PEARS, LOT))
    assert (certified.alliance, certified.valid, certified.revoked_at) == (
        world.parties["alliance"],
        True,
        None,
    )
    assert certified.certificate_hash == "0x" + keccak(b"AQFA-2024-0912").hex()
    world.sdk("alliance").revoke_certification((PEARS, LOT))
    (revoked,) = world.sdk().certifications((PEARS, LOT))
    assert (revoked.valid, revoked.current, revoked.revoked_at is not None) == (False, False, True)


def test_certificate_of_a_suspended_alliance_reads_not_valid(world):
    world.sdk("cooperative").request_certification((PEARS, LOT), world.parties["alliance"])
    world.sdk("alliance").certify((PEARS, LOT), "AQFA-2024-0912", LATER)
    Registry(world.chain, world.suite.registry, sender(world.chain, demo.ADMIN_KEYS[0])).suspend(world.parties["alliance"])
    (certified,) = world.sdk().certifications((PEARS, LOT))
    assert (certified.current, certified.status, certified.valid) == (True, "certifier_inactive", False)


def test_certification_unasked_is_refused_by_name(world):
    with pytest.raises(ContractError) as err:
        world.sdk("alliance").certify((PEARS, LOT), "AQFA-2024-0912", LATER)
    assert err.value.name == "ProvenanceNotRequested"


def test_certification_by_a_non_alliance_is_refused_by_name(world):
    with pytest.raises(ContractError) as err:
        world.sdk("carrier").certify((PEARS, LOT), "c", LATER)
    assert err.value.name == "ProvenanceNotAuthorized"


# -- transformation, recall, scans, proofs --------------------------------------------------------


def test_transformation_lineage_reads_both_ways(world):
    juice = world.sdk("cooperative").transform([(PEARS, LOT)], JUICE, "J-01", ORCHARD, HARVEST, 300)
    up = world.sdk().lineage(juice.batch_id)
    assert [(n.gtin, n.lot) for n in up.inputs] == [(PEARS, LOT)]
    down = world.sdk().lineage((PEARS, LOT))
    assert [(n.gtin, n.lot) for n in down.outputs] == [(JUICE, "J-01")]
    assert world.sdk().batch((PEARS, LOT)).consumed


def test_recalling_an_input_recalls_the_transformation_output(world):
    juice = world.sdk("cooperative").transform([(PEARS, LOT)], JUICE, "J-02", ORCHARD, HARVEST, 300)
    world.sdk("regulator").recall((PEARS, LOT), "pesticide residue")
    output = world.sdk().batch(juice.batch_id)
    assert (output.recalled, output.recalled_itself) == (True, False)
    (recall,) = world.sdk().recalls([(PEARS, LOT)])
    assert (recall.enterprise, recall.reason) == (world.parties["regulator"], "pesticide residue")


def test_recall_by_a_carrier_is_refused_by_name(world):
    with pytest.raises(ContractError) as err:
        world.sdk("carrier").recall((PEARS, LOT), "no reason")
    assert err.value.name == "ProvenanceCannotRecall"


def test_scan_count_is_the_sum_of_every_recorded_scan_batch(world):
    platform = world.sdk("platform")
    platform.record_scans((PEARS, LOT), {"PEAR-000001": 2, "PEAR-000002": 1}, "scans-1")
    platform.record_scans((PEARS, LOT), {"PEAR-000001": 3, None: 4}, "scans-2")
    reader = world.sdk()
    counts = [reader.scan_count((PEARS, LOT), s) for s in ("PEAR-000001", "PEAR-000002", "PEAR-000003", None)]
    assert counts == [5, 1, 0, 4]


def test_resubmitted_scan_batch_is_refused_not_counted_twice(world):
    platform = world.sdk("platform")
    platform.record_scans((PEARS, LOT), {"PEAR-000001": 1}, "scans-1")
    with pytest.raises(ContractError) as err:
        world.sdk("platform").record_scans((PEARS, LOT), {"PEAR-000001": 1}, "scans-1")
    assert err.value.name == "ProvenanceScanBatchRecorded"
    assert world.sdk().scan_count((PEARS, LOT), "PEAR-000001") == 1


def test_contract_accepts_the_sdk_proof_and_rejects_a_tampered_one(world):
    from shanglian.merkle import SerialTree

    proof = SerialTree(SERIALS).proof("PEAR-000042")
    reader = world.sdk()
    tampered = [proof[0][:-1] + bytes([proof[0][-1] ^ 1]), *proof[1:]]
    assert reader.is_item_of((PEARS, LOT), "PEAR-000042", proof)
    assert not reader.is_item_of((PEARS, LOT), "PEAR-000043", proof)
    assert not reader.is_item_of((PEARS, LOT), "PEAR-000042", tampered)


def test_read_only_sdk_refuses_to_send_naming_the_account(world):
    with pytest.raises(InputError) as err:
        world.sdk(None).recall((PEARS, LOT), "reason")
    assert err.value.field == "account"


# -- bad input: named, and nothing sent ----------------------------------------------------------

BAD_GLN = ORCHARD_GLN[:-1] + "7"
BAD_INPUT = [
    ("gtin", "cooperative", lambda p: p.register_product("06901234567893", "梨", "")),
    ("name", "cooperative", lambda p: p.register_product("06901234567915", "梨" * 33, "")),
    ("features", "cooperative", lambda p: p.register_product("06901234567915", "梨", "x" * 513)),
    ("gln", "cooperative", lambda p: p.register_location(BAD_GLN, "园", 341321, 34, 116)),
    ("gln", "cooperative", lambda p: p.register_location("12345678901234", "园", 341321, 34, 116)),
    ("place", "cooperative", lambda p: p.register_location(ORCHARD_GLN, "", 341321, 34, 116)),
    (
        "place",
        "cooperative",
        lambda p: p.create_batch(PEARS, "L2", Origin("梨" * 33, 341321, 34, 116), HARVEST, 1, None),
    ),
    ("region_code", "cooperative", lambda p: p.register_location(ORCHARD_GLN, "园", 34132, 34, 116)),
    ("latitude", "cooperative", lambda p: p.register_location(ORCHARD_GLN, "园", 341321, 91, 116)),
    ("longitude", "cooperative", lambda p: p.register_location(ORCHARD_GLN, "园", 341321, 34, "east")),
    ("lot", "cooperative", lambda p: p.create_batch(PEARS, "批次1", ORCHARD, HARVEST, 1, None)),
    ("lot", "cooperative", lambda p: p.create_batch(PEARS, "L" * 21, ORCHARD, HARVEST, 1, None)),
    (
        "serial",
        "cooperative",
        lambda p: p.create_batch(PEARS, "L2", ORCHARD, HARVEST, None, ["OK-1", "bad serial"]),
    ),
    ("serials", "cooperative", lambda p: p.create_batch(PEARS, "L2", ORCHARD, HARVEST, None, ["S1", "S1"])),
    ("quantity", "cooperative", lambda p: p.create_batch(PEARS, "L2", ORCHARD, HARVEST, 0, ["S1"])),
    ("quantity", "cooperative", lambda p: p.create_batch(PEARS, "L2", ORCHARD, HARVEST, 2**32, ["S1"])),
    ("quantity", "cooperative", lambda p: p.create_batch(PEARS, "L2", ORCHARD, HARVEST, None, None)),
    ("production_date", "cooperative", lambda p: p.create_batch(PEARS, "L2", ORCHARD, "2999-01-01", 1, None)),
    ("production_date", "cooperative", lambda p: p.create_batch(PEARS, "L2", ORCHARD, "12/09/2024", 1, None)),
    (
        "metadata_uri",
        "cooperative",
        lambda p: p.create_batch(PEARS, "L2", ORCHARD, HARVEST, 1, None, metadata_uri="u" * 257),
    ),
    ("step", "cooperative", lambda p: p.record_event((PEARS, LOT), "picking")),
    ("serial", "cooperative", lambda p: p.record_event((PEARS, LOT), "packing", serial="")),
    ("gln", "cooperative", lambda p: p.record_event((PEARS, LOT), "packing", gln=BAD_GLN)),
    ("batch", "cooperative", lambda p: p.record_event("not-a-batch", "packing")),
    ("to", "cooperative", lambda p: p.offer_custody((PEARS, LOT), "0x1234")),
    ("reason", "cooperative", lambda p: p.recall((PEARS, LOT), "")),
    ("reason", "cooperative", lambda p: p.recall((PEARS, LOT), "r" * 257)),
    (
        "inputs",
        "cooperative",
        lambda p: p.transform([(PEARS, LOT), (PEARS, LOT)], JUICE, "J", ORCHARD, HARVEST, 1),
    ),
    ("inputs", "cooperative", lambda p: p.transform([], JUICE, "J", ORCHARD, HARVEST, 1)),
    ("expiry", "alliance", lambda p: p.certify((PEARS, LOT), "cert", "2001-01-01")),
    ("certificate", "alliance", lambda p: p.certify((PEARS, LOT), " ", LATER)),
    ("count", "platform", lambda p: p.record_scans((PEARS, LOT), {"PEAR-000001": 0}, "k")),
    ("scans", "platform", lambda p: p.record_scans((PEARS, LOT), {}, "k")),
    ("scans", "platform", lambda p: p.record_scans((PEARS, LOT), {f"S{i}": 1 for i in range(501)}, "k")),
]


@pytest.mark.parametrize(
    "field, who, action", BAD_INPUT, ids=[f"{f}-{i}" for i, (f, _, _) in enumerate(BAD_INPUT)]
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_sent(world, field, who, action):
    before = world.nonce(who)
    with pytest.raises(InputError) as err:
        action(world.sdk(who))
    assert err.value.field == field
    assert world.nonce(who) == before


# -- helpers that need no chain --------------------------------------------------------------------


def test_serial_range_includes_both_ends():
    assert parse_serial_range("PEAR-000001..PEAR-000003") == ["PEAR-000001", "PEAR-000002", "PEAR-000003"]


@pytest.mark.parametrize(
    "text",
    ["PEAR-1..PEAR-0003", "PEAR-0003..PEAR-0001", "PEAR-0001..BOX-0003", "PEAR-0001", "PEAR-A..PEAR-B"],
)
def test_malformed_serial_range_names_the_serials(text):
    with pytest.raises(InputError) as err:
        parse_serial_range(text)
    assert err.value.field == "serials"


def test_serial_file_error_names_the_line(tmp_path):
    path = tmp_path / "serials.txt"
    path.write_text("A1\n\nA2\nA 3\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_serial_file(path)
    assert err.value.field == "serials" and "line 4" in err.value.reason


def test_serial_file_skips_blank_lines(tmp_path):
    path = tmp_path / "serials.txt"
    path.write_text("A1\n\n  A2  \n", encoding="utf-8")
    assert read_serial_file(path) == ["A1", "A2"]


def test_gln_check_digit_is_verified():
    assert normalize_gln(ORCHARD_GLN) == int(ORCHARD_GLN)
    with pytest.raises(InputError) as err:
        normalize_gln(BAD_GLN)
    assert err.value.field == "gln" and "expected 6" in err.value.reason


def test_business_steps_parse_by_cbv_name_in_the_contracts_order():
    assert [parse_step(name) for name in ("commissioning", "retail-selling", "RECALLING")] == [
        BizStep.COMMISSIONING,
        BizStep.RETAIL_SELLING,
        BizStep.RECALLING,
    ]
    assert [int(s) for s in BizStep] == list(range(10))
