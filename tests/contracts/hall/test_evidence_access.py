"""Evidence access-control matrix: every state-changing function × every hall party.

Each call is made with arguments that would succeed for an allowed party, on records built once per
module, so a refusal can only come from who is calling.
"""

from types import SimpleNamespace

import pytest
from hall_support import ANNOTATORS, ENTERPRISES, HALL_PARTIES, SHA256, Case, digest, mutators, run_case

CONTRACT = 1
INACTIVE = {"suspended", "stranger"}


def _cosigner_for(hall, who):
    """A valid co-signer for a filing by `who`: never the filer itself."""
    return hall.printer if who == "buyer" else hall.buyer


def _not_enterprise(w, hall, who):
    return ("EvidenceNotEnterprise", getattr(hall, who))


CASES = {
    "file": Case(
        lambda ev, w, hall, who: ev.file(digest("new"), SHA256, CONTRACT, 1, digest("meta"), {"from": getattr(hall, who)}),
        ENTERPRISES,
        _not_enterprise,
        ("EvidenceFiled", "filer"),
    ),
    "fileWithCosigners": Case(
        lambda ev, w, hall, who: ev.fileWithCosigners(
            digest("new"), SHA256, CONTRACT, 1, digest("meta"), [_cosigner_for(hall, who)], {"from": getattr(hall, who)}
        ),
        ENTERPRISES,
        _not_enterprise,
        ("EvidenceFiled", "filer"),
    ),
    "cosign": Case(
        lambda ev, w, hall, who: ev.cosign(w.cosigned, {"from": getattr(hall, who)}),
        frozenset({"buyer"}),
        lambda w, hall, who: _not_enterprise(w, hall, who) if who in INACTIVE
        else ("EvidenceNotCosigner", w.cosigned, getattr(hall, who)),
        ("EvidenceCosigned", "cosigner"),
    ),
    "requestNotarisation": Case(
        lambda ev, w, hall, who: ev.requestNotarisation(w.plain, hall.notary, {"from": getattr(hall, who)}),
        frozenset({"filer", "filer_operator"}),
        lambda w, hall, who: ("EvidenceNotFiler", w.plain, getattr(hall, who), hall.filer),
        ("NotarisationRequested", None),
    ),
    "notarise": Case(
        lambda ev, w, hall, who: ev.notarise(w.requested, digest("certificate"), {"from": getattr(hall, who)}),
        frozenset({"notary"}),
        lambda w, hall, who: ("EvidenceNotRequestedNotary", w.requested, getattr(hall, who), hall.notary),
        ("EvidenceNotarised", "notary"),
    ),
    "annotate": Case(
        lambda ev, w, hall, who: ev.annotate(w.plain, 0, digest("complaint"), {"from": getattr(hall, who)}),
        ANNOTATORS,
        lambda w, hall, who: ("AnnotationNotAuthorized", getattr(hall, who)),
        ("Annotated", "author"),
    ),
}


@pytest.fixture(scope="module")
def world(evidence, hall):
    """plain: filed by the filer; cosigned: filed naming the buyer; requested: the filer asked the notary."""
    def filed(label, cosigners=()):
        if cosigners:
            tx = evidence.fileWithCosigners(digest(label), SHA256, CONTRACT, 1, digest(label + " meta"), list(cosigners),
                                            {"from": hall.filer})
        else:
            tx = evidence.file(digest(label), SHA256, CONTRACT, 1, digest(label + " meta"), {"from": hall.filer})
        return tx.return_value

    w = SimpleNamespace(plain=filed("plain"), cosigned=filed("cosigned", [hall.buyer]), requested=filed("requested"))
    evidence.requestNotarisation(w.requested, hall.notary, {"from": hall.filer})
    return w


def test_matrix_rows_are_every_party(hall):
    assert sorted(vars(hall)) == sorted(HALL_PARTIES)


def test_matrix_columns_are_every_state_changing_function(Evidence):
    assert mutators(Evidence.abi) == set(CASES)


@pytest.mark.parametrize("who", list(HALL_PARTIES))
@pytest.mark.parametrize("function", list(CASES))
def test_only_allowed_parties_can_call(evidence, world, hall, reverts_with, function, who):
    run_case(CASES[function], evidence, world, hall, who, reverts_with)
