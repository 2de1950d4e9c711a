"""Certification of batches by quality alliances."""

import brownie
import pytest
from brownie import chain

CERTIFICATE = b"\xce" * 32
RENEWED = b"\xcf" * 32
DAY = 24 * 3600


@pytest.fixture
def batch_id(make_batch):
    return make_batch("CERT-1")


def test_certify_stores_and_emits_certification(provenance, parties, batch_id):
    expiry = chain.time() + 30 * DAY
    tx = provenance.certify(batch_id, CERTIFICATE, expiry, {"from": parties["quality_alliance"]})
    assert tuple(tx.events["BatchCertified"].values()) == (
        batch_id, parties["quality_alliance"], "0x" + CERTIFICATE.hex(), expiry
    )
    assert tuple(provenance.certification(batch_id)) == (
        parties["quality_alliance"], expiry, "0x" + CERTIFICATE.hex()
    )


def test_alliance_renews_its_own_certification(provenance, parties, batch_id):
    provenance.certify(batch_id, CERTIFICATE, chain.time() + DAY, {"from": parties["quality_alliance"]})
    expiry = chain.time() + 365 * DAY
    provenance.certify(batch_id, RENEWED, expiry, {"from": parties["quality_alliance"]})
    assert tuple(provenance.certification(batch_id)) == (parties["quality_alliance"], expiry, "0x" + RENEWED.hex())


def test_other_alliance_cannot_overwrite_unexpired_certification(provenance, parties, batch_id, custom_error):
    expiry = chain.time() + DAY
    provenance.certify(batch_id, CERTIFICATE, expiry, {"from": parties["quality_alliance"]})
    error = custom_error(provenance, "ProvenanceAlreadyCertified", batch_id, parties["quality_alliance"], expiry)
    with brownie.reverts(error):
        provenance.certify(batch_id, RENEWED, chain.time() + 2 * DAY, {"from": parties["other_alliance"]})


def test_other_alliance_certifies_after_expiry(provenance, parties, batch_id):
    provenance.certify(batch_id, CERTIFICATE, chain.time() + DAY, {"from": parties["quality_alliance"]})
    chain.sleep(2 * DAY)
    expiry = chain.time() + 30 * DAY
    tx = provenance.certify(batch_id, RENEWED, expiry, {"from": parties["other_alliance"]})
    assert tx.events["BatchCertified"]["alliance"] == parties["other_alliance"]
    assert provenance.certification(batch_id)["alliance"] == parties["other_alliance"]


def test_zero_certificate_hash_is_rejected(provenance, parties, batch_id, custom_error):
    expiry = chain.time() + DAY
    with brownie.reverts(custom_error(provenance, "ProvenanceInvalidCertificate", b"\x00" * 32, expiry)):
        provenance.certify(batch_id, b"\x00" * 32, expiry, {"from": parties["quality_alliance"]})


def test_expiry_in_the_past_is_rejected(provenance, parties, batch_id, custom_error):
    expiry = chain.time() - 1
    with brownie.reverts(custom_error(provenance, "ProvenanceInvalidCertificate", CERTIFICATE, expiry)):
        provenance.certify(batch_id, CERTIFICATE, expiry, {"from": parties["quality_alliance"]})


def test_recalled_batch_cannot_be_certified(provenance, parties, batch_id, custom_error):
    provenance.recall(batch_id, "召回", {"from": parties["producer"]})
    with brownie.reverts(custom_error(provenance, "ProvenanceBatchRecalled", batch_id)):
        provenance.certify(batch_id, CERTIFICATE, chain.time() + DAY, {"from": parties["quality_alliance"]})


def test_unknown_batch_cannot_be_certified(provenance, parties, custom_error):
    unknown = b"\x42" * 32
    with brownie.reverts(custom_error(provenance, "ProvenanceUnknownBatch", unknown)):
        provenance.certify(unknown, CERTIFICATE, chain.time() + DAY, {"from": parties["quality_alliance"]})


def test_certifier_revokes_and_certification_is_cleared(provenance, parties, batch_id):
    provenance.certify(batch_id, CERTIFICATE, chain.time() + DAY, {"from": parties["quality_alliance"]})
    tx = provenance.revokeCertification(batch_id, {"from": parties["quality_alliance"]})
    assert tuple(tx.events["CertificationRevoked"].values()) == (batch_id, parties["quality_alliance"])
    assert tuple(provenance.certification(batch_id)) == (brownie.ZERO_ADDRESS, 0, "0x" + "00" * 32)


def test_other_alliance_cannot_revoke(provenance, parties, batch_id, custom_error):
    provenance.certify(batch_id, CERTIFICATE, chain.time() + DAY, {"from": parties["quality_alliance"]})
    error = custom_error(
        provenance, "ProvenanceNotCertifier", batch_id, parties["other_alliance"], parties["quality_alliance"]
    )
    with brownie.reverts(error):
        provenance.revokeCertification(batch_id, {"from": parties["other_alliance"]})


def test_revoking_uncertified_batch_reverts(provenance, parties, batch_id, custom_error):
    with brownie.reverts(custom_error(provenance, "ProvenanceNotCertified", batch_id)):
        provenance.revokeCertification(batch_id, {"from": parties["quality_alliance"]})


def test_suspended_certifier_cannot_revoke(provenance, parties, batch_id, registry, admins, custom_error):
    provenance.certify(batch_id, CERTIFICATE, chain.time() + DAY, {"from": parties["quality_alliance"]})
    registry.suspend(parties["quality_alliance"], {"from": admins[0]})
    error = custom_error(
        provenance, "ProvenanceNotCertifier", batch_id, parties["quality_alliance"], parties["quality_alliance"]
    )
    with brownie.reverts(error):
        provenance.revokeCertification(batch_id, {"from": parties["quality_alliance"]})
