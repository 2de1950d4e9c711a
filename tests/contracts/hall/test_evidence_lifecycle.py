"""Evidence: filing, co-signing, notarisation and annotations, with every refusal's named error."""

import brownie
import pytest
from brownie import chain
from eth_utils import keccak
from hall_support import SHA256, SM3, digest, plain

from shanglian.merkle import HashTree

CONTRACT, PHOTOS = 1, 3
DISPUTE, COURT_RULING, RESOLUTION = 0, 1, 2


@pytest.fixture(scope="module")
def file(evidence, hall):
    """`file(label, by=filer, cosigners=())` files digest(label) and returns the record id."""

    def _file(label, by=None, cosigners=(), documents=1, algorithm=SHA256):
        sender = by or hall.filer
        if cosigners:
            tx = evidence.fileWithCosigners(digest(label), algorithm, CONTRACT, documents, digest(label + " meta"),
                                            list(cosigners), {"from": sender})
        else:
            tx = evidence.file(digest(label), algorithm, CONTRACT, documents, digest(label + " meta"), {"from": sender})
        return tx.return_value

    return _file


# ------------------------------------------------------------------ filing


def test_filing_records_filer_time_algorithm_kind_and_count(evidence, hall):
    tx = evidence.file(digest("photos"), SM3, PHOTOS, 240, digest("photos meta"), {"from": hall.filer})
    id_ = tx.return_value
    assert id_ == evidence.evidenceId(hall.filer, digest("photos"))
    assert plain(evidence.record(id_)) == (hall.filer.address, tx.timestamp, SM3, PHOTOS, 0, 240)
    assert plain(dict(tx.events["EvidenceFiled"])) == {
        "digest": digest("photos"), "filer": hall.filer.address, "metadataDigest": digest("photos meta")}


def test_an_operator_files_for_its_enterprise(evidence, hall, file):
    id_ = file("by operator", by=hall.filer_operator)
    assert id_ == evidence.evidenceId(hall.filer, digest("by operator"))
    assert evidence.record(id_)[0] == hall.filer


def test_the_id_is_the_hash_of_filer_and_digest(evidence, hall):
    expected = keccak(bytes(12) + bytes.fromhex(hall.filer.address[2:]) + digest("x"))
    assert evidence.evidenceId(hall.filer, digest("x")) == "0x" + expected.hex()


def test_a_second_filing_of_a_digest_by_the_same_filer_is_refused_naming_the_first(evidence, hall, file, reverts_with):
    id_ = file("twice")
    filed_at = evidence.record(id_)[1]
    chain.sleep(60)
    with reverts_with("EvidenceAlreadyFiled", id_, hall.filer, filed_at):
        file("twice", by=hall.filer_operator)


def test_another_enterprise_files_the_same_digest_as_its_own_record(evidence, hall, file):
    first, second = file("shared"), file("shared", by=hall.buyer)
    assert first != second
    assert evidence.record(first)[0] == hall.filer and evidence.record(second)[0] == hall.buyer


def test_a_zero_digest_is_refused(evidence, hall, reverts_with):
    with reverts_with("EvidenceInvalidDigest", b"\x00" * 32):
        evidence.file(b"\x00" * 32, SHA256, CONTRACT, 1, digest("m"), {"from": hall.filer})


def test_an_unknown_algorithm_is_refused(evidence, hall, reverts_with):
    with reverts_with("EvidenceInvalidAlgorithm", 2):
        evidence.file(digest("a"), 2, CONTRACT, 1, digest("m"), {"from": hall.filer})


def test_a_record_of_no_documents_is_refused(evidence, hall, reverts_with):
    with reverts_with("EvidenceInvalidDocuments", 0):
        evidence.file(digest("a"), SHA256, CONTRACT, 0, digest("m"), {"from": hall.filer})


def test_an_unknown_record_reads_as_zero(evidence):
    assert plain(evidence.record(digest("nothing"))) == (brownie.ZERO_ADDRESS, 0, 0, 0, 0, 0)
    assert evidence.isComplete(digest("nothing")) is False


# ------------------------------------------------------------------ batches


def test_a_document_proves_into_its_filed_batch_root(evidence, hall, file):
    documents = [digest(f"delivery note {i}") for i in range(100)]
    tree = HashTree([keccak(keccak(d)) for d in documents])  # abi.encode(bytes32) is the digest itself
    evidence.file(tree.root, SHA256, 2, len(documents), digest("batch meta"), {"from": hall.filer})
    proof = tree.proof(keccak(keccak(documents[42])))
    assert evidence.isInBatch(tree.root, documents[42], proof) is True
    assert evidence.isInBatch(tree.root, digest("not a delivery note"), proof) is False


# ------------------------------------------------------------------ co-signing


def test_a_record_names_its_cosigners_who_sign_it_to_completion(evidence, hall, file):
    id_ = file("contract", cosigners=[hall.buyer, hall.printer])
    assert plain(evidence.cosignersOf(id_)) == ((hall.buyer.address, hall.printer.address), (0, 0))
    assert evidence.isComplete(id_) is False
    first = evidence.cosign(id_, {"from": hall.buyer})
    assert first.events["EvidenceCosigned"] == {"id": id_, "cosigner": hall.buyer}
    assert evidence.isComplete(id_) is False
    second = evidence.cosign(id_, {"from": hall.printer})
    assert plain(evidence.cosignersOf(id_)) == (
        (hall.buyer.address, hall.printer.address), (first.timestamp, second.timestamp))
    assert evidence.isComplete(id_) is True
    assert evidence.record(id_)[4] == 2


def test_filing_with_cosigners_requests_each_signature(evidence, hall):
    tx = evidence.fileWithCosigners(digest("c"), SHA256, CONTRACT, 1, digest("m"), [hall.buyer, hall.other],
                                    {"from": hall.filer})
    assert [dict(e) for e in tx.events["CosignatureRequested"]] == [
        {"id": tx.return_value, "cosigner": hall.buyer}, {"id": tx.return_value, "cosigner": hall.other}]


def test_a_record_without_cosigners_is_complete(evidence, file):
    assert evidence.isComplete(file("alone")) is True


def test_an_operator_cosigns_for_its_enterprise(evidence, hall, file, registry, new_account):
    operator = new_account("buyer's operator")
    registry.addOperator(operator, {"from": hall.buyer})
    registry.acceptOperator(hall.buyer, {"from": operator})
    id_ = file("via operator", cosigners=[hall.buyer])
    assert evidence.cosign(id_, {"from": operator}).events["EvidenceCosigned"]["cosigner"] == hall.buyer


@pytest.mark.parametrize("count", [0, 17])
def test_a_record_names_one_to_sixteen_cosigners(evidence, hall, reverts_with, count, new_account):
    cosigners = [new_account(f"cosigner {i}") for i in range(count)]
    with reverts_with("EvidenceInvalidCosigners", count):
        evidence.fileWithCosigners(digest("c"), SHA256, CONTRACT, 1, digest("m"), cosigners, {"from": hall.filer})


@pytest.mark.parametrize("who", ["filer", "filer_operator", "suspended", "stranger", "zero", "twice"])
def test_a_cosigner_must_be_another_active_enterprise_named_once(evidence, hall, reverts_with, who):
    cosigner = {"zero": brownie.ZERO_ADDRESS, "twice": hall.buyer}.get(who) or getattr(hall, who)
    with reverts_with("EvidenceInvalidCosigner", cosigner):
        evidence.fileWithCosigners(digest("c"), SHA256, CONTRACT, 1, digest("m"), [hall.buyer, cosigner],
                                   {"from": hall.filer})


def test_a_cosigner_signs_once(evidence, hall, file, reverts_with):
    id_ = file("once", cosigners=[hall.buyer])
    evidence.cosign(id_, {"from": hall.buyer})
    with reverts_with("EvidenceAlreadyCosigned", id_, hall.buyer):
        evidence.cosign(id_, {"from": hall.buyer})


def test_a_request_is_void_while_its_filer_is_suspended_and_counts_again_once_reinstated(
    evidence, hall, file, registry, admins, govern, reverts_with
):
    id_ = file("void", cosigners=[hall.buyer])
    registry.suspend(hall.filer, {"from": admins[0]})
    with reverts_with("EvidenceFilerInactive", id_, hall.filer):
        evidence.cosign(id_, {"from": hall.buyer})
    govern("reinstate", hall.filer)
    assert evidence.cosign(id_, {"from": hall.buyer}).status == 1


def test_a_suspended_cosigner_cannot_sign(evidence, hall, file, registry, admins, reverts_with):
    id_ = file("suspended cosigner", cosigners=[hall.buyer])
    registry.suspend(hall.buyer, {"from": admins[0]})
    with reverts_with("EvidenceNotEnterprise", hall.buyer):
        evidence.cosign(id_, {"from": hall.buyer})


def test_nobody_cosigns_an_unknown_record(evidence, hall, reverts_with):
    with reverts_with("EvidenceNotCosigner", digest("nothing"), hall.buyer):
        evidence.cosign(digest("nothing"), {"from": hall.buyer})


# ------------------------------------------------------------------ notarisation


def test_a_notary_attests_a_complete_record_the_filer_asked_it_to(evidence, hall, file):
    id_ = file("notarised", cosigners=[hall.buyer])
    evidence.cosign(id_, {"from": hall.buyer})
    asked = evidence.requestNotarisation(id_, hall.notary, {"from": hall.filer})
    assert asked.events["NotarisationRequested"] == {"id": id_, "notary": hall.notary}
    done = evidence.notarise(id_, digest("certificate"), {"from": hall.notary})
    assert plain(dict(done.events["EvidenceNotarised"])) == {
        "id": bytes(id_), "notary": hall.notary.address, "certificateDigest": digest("certificate")}
    assert plain(evidence.notarisation(id_)) == (hall.notary.address, asked.timestamp, done.timestamp, digest("certificate"))


def test_a_notary_does_not_attest_an_incomplete_record(evidence, hall, file, reverts_with):
    id_ = file("incomplete", cosigners=[hall.buyer, hall.printer])
    evidence.cosign(id_, {"from": hall.printer})
    evidence.requestNotarisation(id_, hall.notary, {"from": hall.filer})
    with reverts_with("EvidenceIncomplete", id_, 1, 2):
        evidence.notarise(id_, digest("certificate"), {"from": hall.notary})


def test_a_record_is_notarised_once(evidence, hall, file, reverts_with):
    id_ = file("once notarised")
    evidence.requestNotarisation(id_, hall.notary, {"from": hall.filer})
    evidence.notarise(id_, digest("certificate"), {"from": hall.notary})
    with reverts_with("EvidenceAlreadyNotarised", id_, hall.notary):
        evidence.notarise(id_, digest("second certificate"), {"from": hall.notary})
    with reverts_with("EvidenceAlreadyNotarised", id_, hall.notary):
        evidence.requestNotarisation(id_, hall.notary2, {"from": hall.filer})


def test_a_new_request_replaces_an_unanswered_one(evidence, hall, file, reverts_with):
    id_ = file("replaced")
    evidence.requestNotarisation(id_, hall.notary, {"from": hall.filer})
    evidence.requestNotarisation(id_, hall.notary2, {"from": hall.filer})
    with reverts_with("EvidenceNotRequestedNotary", id_, hall.notary, hall.notary2):
        evidence.notarise(id_, digest("certificate"), {"from": hall.notary})
    assert evidence.notarise(id_, digest("certificate"), {"from": hall.notary2}).status == 1


def test_no_notary_attests_a_record_nobody_asked_to_notarise(evidence, hall, file, reverts_with):
    id_ = file("never sent to a notary")
    with reverts_with("EvidenceNotRequestedNotary", id_, hall.notary, brownie.ZERO_ADDRESS):
        evidence.notarise(id_, digest("certificate"), {"from": hall.notary})


@pytest.mark.parametrize("who", ["regulator", "suspended", "stranger", "filer", "buyer"])
def test_the_notary_asked_must_be_an_active_notary_and_no_party(evidence, hall, file, reverts_with, who):
    """The regulator and the stranger hold no notary role; the suspended party does but is suspended;
    the filer and the co-signer (buyer) are parties to the record."""
    id_ = file("bad notary", cosigners=[hall.buyer])
    with reverts_with("EvidenceInvalidNotary", getattr(hall, who)):
        evidence.requestNotarisation(id_, getattr(hall, who), {"from": hall.filer})


def test_a_notarisation_request_is_void_while_its_filer_is_suspended(evidence, hall, file, registry, admins, reverts_with):
    id_ = file("void request")
    evidence.requestNotarisation(id_, hall.notary, {"from": hall.filer})
    registry.suspend(hall.filer, {"from": admins[0]})
    with reverts_with("EvidenceFilerInactive", id_, hall.filer):
        evidence.notarise(id_, digest("certificate"), {"from": hall.notary})


def test_a_suspended_notary_cannot_attest(evidence, hall, file, registry, admins, reverts_with):
    id_ = file("suspended notary")
    evidence.requestNotarisation(id_, hall.notary, {"from": hall.filer})
    registry.suspend(hall.notary, {"from": admins[0]})
    with reverts_with("EvidenceNotRequestedNotary", id_, hall.notary, hall.notary):
        evidence.notarise(id_, digest("certificate"), {"from": hall.notary})


def test_a_certificate_digest_is_required(evidence, hall, file, reverts_with):
    id_ = file("no certificate")
    evidence.requestNotarisation(id_, hall.notary, {"from": hall.filer})
    with reverts_with("EvidenceInvalidCertificate", b"\x00" * 32):
        evidence.notarise(id_, b"\x00" * 32, {"from": hall.notary})


def test_notarisation_of_an_unknown_record_cannot_be_requested(evidence, hall, reverts_with):
    with reverts_with("EvidenceUnknown", digest("nothing")):
        evidence.requestNotarisation(digest("nothing"), hall.notary, {"from": hall.filer})


# ------------------------------------------------------------------ annotations


def test_annotations_are_appended_in_order(evidence, hall, file):
    id_ = file("disputed")
    first = evidence.annotate(id_, DISPUTE, digest("complaint"), {"from": hall.regulator})
    second = evidence.annotate(id_, COURT_RULING, digest("ruling"), {"from": hall.notary})
    assert plain(dict(first.events["Annotated"])) == {
        "subject": bytes(id_), "author": hall.regulator.address, "index": 0, "kind": DISPUTE,
        "documentDigest": digest("complaint")}
    assert plain(evidence.annotations(id_)) == (
        (hall.regulator.address, first.timestamp, DISPUTE, digest("complaint")),
        (hall.notary.address, second.timestamp, COURT_RULING, digest("ruling")),
    )


def test_an_unknown_record_cannot_be_annotated(evidence, hall, reverts_with):
    with reverts_with("EvidenceUnknown", digest("nothing")):
        evidence.annotate(digest("nothing"), DISPUTE, digest("complaint"), {"from": hall.regulator})


def test_an_unknown_annotation_kind_is_refused(evidence, hall, file, reverts_with):
    with reverts_with("AnnotationInvalidKind", 3):
        evidence.annotate(file("k"), 3, digest("complaint"), {"from": hall.regulator})


def test_an_annotation_names_its_document(evidence, hall, file, reverts_with):
    with reverts_with("AnnotationInvalidDigest", b"\x00" * 32):
        evidence.annotate(file("d"), RESOLUTION, b"\x00" * 32, {"from": hall.regulator})


def test_a_record_holds_at_most_64_annotations(evidence, hall, file, reverts_with):
    id_ = file("busy")
    for i in range(64):
        evidence.annotate(id_, DISPUTE, digest(f"complaint {i}"), {"from": hall.regulator})
    with reverts_with("AnnotationTooMany", id_, 64):
        evidence.annotate(id_, DISPUTE, digest("one too many"), {"from": hall.regulator})
