"""Certification of batches by quality alliances: the producer asks an alliance (a certificate binds
the producer, so it needs its consent); only that alliance certifies; the certificate is valid only
while its alliance is active, it is unexpired and the batch is not recalled; the alliance or a
regulator revokes it."""

import brownie
import pytest
from brownie import chain

CERTIFICATE = b"\xce" * 32
RENEWED = b"\xcf" * 32
DAY = 24 * 3600
NONE, VALID, EXPIRED, CERTIFIER_INACTIVE, RECALLED = range(5)


@pytest.fixture
def batch_id(make_batch):
    return make_batch("CERT-1")


@pytest.fixture
def requested(provenance, parties, batch_id):
    """CERT-1, whose producer asked quality_alliance to certify it."""
    provenance.requestCertification(batch_id, parties["quality_alliance"], {"from": parties["producer"]})
    return batch_id


@pytest.fixture
def certified(provenance, parties, requested):
    """CERT-1, certified by quality_alliance for 30 days."""
    provenance.certify(requested, CERTIFICATE, chain.time() + 30 * DAY, {"from": parties["quality_alliance"]})
    return requested


def status(provenance, batch_id):
    return int(provenance.certificationStatus(batch_id))


def test_request_names_the_alliance_and_emits(provenance, parties, batch_id):
    tx = provenance.requestCertification(batch_id, parties["quality_alliance"], {"from": parties["producer_operator"]})
    assert dict(tx.events["CertificationRequested"]) == {
        "batchId": "0x" + bytes(batch_id).hex(), "producer": parties["producer"], "alliance": parties["quality_alliance"],
    }
    assert provenance.certificationRequest(batch_id) == parties["quality_alliance"]


def test_only_the_producer_requests(provenance, parties, batch_id, reverts_with):
    with reverts_with("ProvenanceNotProducer", parties["other_producer"], parties["producer"]):
        provenance.requestCertification(batch_id, parties["quality_alliance"], {"from": parties["other_producer"]})


def test_request_must_name_an_active_alliance(provenance, parties, batch_id, reverts_with):
    for account in (parties["inspector"], parties["suspended"], brownie.ZERO_ADDRESS):
        with reverts_with("ProvenanceInvalidCertifier", batch_id, account):
            provenance.requestCertification(batch_id, account, {"from": parties["producer"]})


def test_recalled_batch_cannot_be_put_up_for_certification(provenance, parties, batch_id, reverts_with):
    provenance.recall(batch_id, "召回", {"from": parties["producer"]})
    with reverts_with("ProvenanceBatchRecalled", batch_id):
        provenance.requestCertification(batch_id, parties["quality_alliance"], {"from": parties["producer"]})


def test_certify_stores_and_emits_certification(provenance, parties, requested):
    expiry = chain.time() + 30 * DAY
    tx = provenance.certify(requested, CERTIFICATE, expiry, {"from": parties["quality_alliance"]})
    assert tuple(tx.events["BatchCertified"].values()) == (
        requested, parties["quality_alliance"], "0x" + CERTIFICATE.hex(), expiry
    )
    assert tuple(provenance.certification(requested)) == (parties["quality_alliance"], expiry, "0x" + CERTIFICATE.hex())
    assert status(provenance, requested) == VALID


def test_certifying_uses_up_the_request(provenance, parties, certified):
    assert provenance.certificationRequest(certified) == brownie.ZERO_ADDRESS


def test_alliance_cannot_certify_unasked(provenance, parties, batch_id, reverts_with):
    """A certification nobody asked for used to be first come, first owned: a rogue alliance could
    certify a competitor's batch and lock every other alliance out."""
    with reverts_with("ProvenanceNotRequested", batch_id, parties["quality_alliance"], brownie.ZERO_ADDRESS):
        provenance.certify(batch_id, CERTIFICATE, chain.time() + DAY, {"from": parties["quality_alliance"]})


def test_alliance_that_was_not_asked_cannot_certify(provenance, parties, requested, reverts_with):
    with reverts_with("ProvenanceNotRequested", requested, parties["other_alliance"], parties["quality_alliance"]):
        provenance.certify(requested, CERTIFICATE, chain.time() + DAY, {"from": parties["other_alliance"]})


def test_alliance_renews_its_own_certification_unasked(provenance, parties, certified):
    expiry = chain.time() + 365 * DAY
    provenance.certify(certified, RENEWED, expiry, {"from": parties["quality_alliance"]})
    assert tuple(provenance.certification(certified)) == (parties["quality_alliance"], expiry, "0x" + RENEWED.hex())


def test_producer_may_have_another_alliance_replace_a_certification(provenance, parties, certified):
    provenance.requestCertification(certified, parties["other_alliance"], {"from": parties["producer"]})
    provenance.certify(certified, RENEWED, chain.time() + DAY, {"from": parties["other_alliance"]})
    assert provenance.certification(certified)["alliance"] == parties["other_alliance"]
    assert status(provenance, certified) == VALID


def test_request_of_a_suspended_producer_is_void(provenance, registry, admins, parties, requested, reverts_with):
    registry.suspend(parties["producer"], {"from": admins[0]})
    with reverts_with("ProvenanceInactiveProducer", requested, parties["producer"]):
        provenance.certify(requested, CERTIFICATE, chain.time() + DAY, {"from": parties["quality_alliance"]})


def test_zero_certificate_hash_is_rejected(provenance, parties, requested, reverts_with):
    expiry = chain.time() + DAY
    with reverts_with("ProvenanceInvalidCertificate", b"\x00" * 32, expiry):
        provenance.certify(requested, b"\x00" * 32, expiry, {"from": parties["quality_alliance"]})


def test_expiry_in_the_past_is_rejected(provenance, parties, requested, reverts_with):
    expiry = chain[-1].timestamp - 1
    with reverts_with("ProvenanceInvalidCertificate", CERTIFICATE, expiry):
        provenance.certify(requested, CERTIFICATE, expiry, {"from": parties["quality_alliance"]})


def test_recalled_batch_cannot_be_certified(provenance, parties, requested, reverts_with):
    provenance.recall(requested, "召回", {"from": parties["producer"]})
    with reverts_with("ProvenanceBatchRecalled", requested):
        provenance.certify(requested, CERTIFICATE, chain.time() + DAY, {"from": parties["quality_alliance"]})


def test_unknown_batch_cannot_be_certified(provenance, parties, reverts_with):
    unknown = b"\x42" * 32
    with reverts_with("ProvenanceUnknownBatch", unknown):
        provenance.certify(unknown, CERTIFICATE, chain.time() + DAY, {"from": parties["quality_alliance"]})


# ---------------------------------------------------------------- validity follows standing


def test_uncertified_batch_has_no_certification(provenance, batch_id):
    assert status(provenance, batch_id) == NONE


def test_certificate_of_a_suspended_alliance_reads_invalid(provenance, registry, admins, parties, certified):
    registry.suspend(parties["quality_alliance"], {"from": admins[0]})
    assert status(provenance, certified) == CERTIFIER_INACTIVE


def test_certificate_of_a_revoked_alliance_reads_invalid(provenance, parties, certified, govern):
    """The review's finding: a revoked alliance's certificates stayed valid until their expiry."""
    govern("revoke", parties["quality_alliance"])
    assert status(provenance, certified) == CERTIFIER_INACTIVE


def test_certificate_of_an_alliance_that_lost_its_role_reads_invalid(provenance, parties, certified, govern):
    govern("setRoles", parties["quality_alliance"], 32)  # inspector only
    assert status(provenance, certified) == CERTIFIER_INACTIVE


def test_certificate_of_a_reinstated_alliance_reads_valid_again(provenance, registry, admins, parties, certified, govern):
    registry.suspend(parties["quality_alliance"], {"from": admins[0]})
    govern("reinstate", parties["quality_alliance"])
    assert status(provenance, certified) == VALID


def test_expired_certificate_reads_expired(provenance, certified):
    chain.sleep(31 * DAY)
    chain.mine()
    assert status(provenance, certified) == EXPIRED


def test_certificate_of_a_recalled_batch_reads_recalled(provenance, parties, certified):
    provenance.recall(certified, "农残超标", {"from": parties["regulator"]})
    assert status(provenance, certified) == RECALLED


def test_another_alliance_replaces_a_revoked_alliances_certificate(provenance, parties, certified, govern):
    govern("revoke", parties["quality_alliance"])
    provenance.requestCertification(certified, parties["other_alliance"], {"from": parties["producer"]})
    provenance.certify(certified, RENEWED, chain.time() + DAY, {"from": parties["other_alliance"]})
    assert status(provenance, certified) == VALID


# ---------------------------------------------------------------- revocation


def test_certifier_revokes_and_certification_is_cleared(provenance, parties, certified):
    tx = provenance.revokeCertification(certified, {"from": parties["quality_alliance"]})
    assert tuple(tx.events["CertificationRevoked"].values()) == (
        certified, parties["quality_alliance"], parties["quality_alliance"]
    )
    assert tuple(provenance.certification(certified)) == (brownie.ZERO_ADDRESS, 0, "0x" + "00" * 32)
    assert status(provenance, certified) == NONE


def test_regulator_revokes_a_certification(provenance, parties, certified):
    tx = provenance.revokeCertification(certified, {"from": parties["regulator"]})
    assert tuple(tx.events["CertificationRevoked"].values()) == (
        certified, parties["quality_alliance"], parties["regulator"]
    )
    assert status(provenance, certified) == NONE


def test_regulator_revokes_the_certificate_of_a_revoked_alliance(provenance, parties, certified, govern):
    govern("revoke", parties["quality_alliance"])
    provenance.revokeCertification(certified, {"from": parties["regulator"]})
    assert status(provenance, certified) == NONE


def test_other_alliance_cannot_revoke(provenance, parties, certified, reverts_with):
    with reverts_with("ProvenanceNotCertifier", certified, parties["other_alliance"], parties["quality_alliance"]):
        provenance.revokeCertification(certified, {"from": parties["other_alliance"]})


def test_revoking_uncertified_batch_reverts(provenance, parties, batch_id, reverts_with):
    with reverts_with("ProvenanceNotCertified", batch_id):
        provenance.revokeCertification(batch_id, {"from": parties["quality_alliance"]})


def test_suspended_certifier_cannot_revoke(provenance, parties, certified, registry, admins, reverts_with):
    registry.suspend(parties["quality_alliance"], {"from": admins[0]})
    with reverts_with("ProvenanceNotCertifier", certified, parties["quality_alliance"], parties["quality_alliance"]):
        provenance.revokeCertification(certified, {"from": parties["quality_alliance"]})
