"""The consumer's page follows a certifier's standing: a certificate reads valid only while its
alliance is active (as the contract's certificationStatus says), and never under a recall."""

from __future__ import annotations

import pytest
from test_resolver_app import FRESH_LOT, World

from shanglian.demo_pears import PEAR_GTIN
from shanglian.provenance import Provenance
from shanglian.registry import Registry


@pytest.fixture
def world(tmp_path):
    return World(tmp_path)


def certificate(world: World) -> tuple[str, str]:
    world.indexer.run_once()
    latest = world.api(FRESH_LOT, "FRESH-001")["certifications"][-1]
    html = world.page(FRESH_LOT, "FRESH-001").text
    return latest["status"], html


def registry(world: World, who: str) -> Registry:
    return Registry(world.chain, world.story.suite.registry, world.story.senders[who])


def test_certificate_of_a_suspended_alliance_reads_not_valid_until_it_is_reinstated(world):
    assert certificate(world)[0] == "valid"
    alliance = world.story.address("alliance")
    registry(world, "admin0").suspend(alliance)
    status, html = certificate(world)
    assert status == "certifier_inactive"
    assert "认证机构已不具备资格" in html and "no longer in good standing" in html
    assert Provenance(world.chain, world.contract).certification_status((PEAR_GTIN, FRESH_LOT)).name == "CERTIFIER_INACTIVE"
    registry(world, "admin0").reinstate(alliance)
    registry(world, "admin1").reinstate(alliance)
    assert certificate(world)[0] == "valid"


def test_certificate_of_a_revoked_alliance_reads_not_valid(world):
    alliance = world.story.address("alliance")
    registry(world, "admin0").revoke(alliance)
    registry(world, "admin1").revoke(alliance)
    assert certificate(world)[0] == "certifier_inactive"


def test_certificate_of_a_recalled_lot_does_not_read_valid(world):
    Provenance(world.chain, world.contract, world.story.senders["regulator"]).recall(
        (PEAR_GTIN, FRESH_LOT), "抽检不合格")
    status, html = certificate(world)
    assert status == "recalled"
    assert "该批次已召回" in html
