"""The service hall through the SDK on the embedded chain: evidence, licences and copyright, read back
from the chain; the contracts' refusals arrive as named errors and bad input is refused before
anything is sent, naming the field.

The module deploys the suite and onboards the parties once; each test runs on a snapshot reverted
after it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import sender

from shanglian import chaintime, demo, deploy, uscc
from shanglian.copyrights import Copyrights, GrantStatus
from shanglian.digests import Algorithm, digest_bytes
from shanglian.errors import ContractError, InputError
from shanglian.evidence import Evidence, EvidenceKind
from shanglian.licences import Licences, LicenceStatus
from shanglian.network import Chain, connect
from shanglian.registry import Registry
from shanglian.roles import Role

LATER = (dt.date.today() + dt.timedelta(days=1000)).isoformat()
# name -> (development key, credit code body, roles)
PARTIES = {
    "coop": (3, "93360700MA3A1B2C0", Role.PRODUCER),
    "buyer": (5, "91440300MA5F6G7H1", Role.RETAILER),
    "printer": (4, "91360700MA3D4E5F2", Role.PROCESSOR),
    "regulator": (12, "11360700MB1234563", Role.REGULATOR),
    "notary": (13, "12360700MC1234564", Role.NOTARY),
}


@dataclass
class World:
    chain: Chain
    suite: deploy.Suite
    parties: dict[str, str]
    tmp: Path

    def _signer(self, who):
        return None if who is None else sender(self.chain, PARTIES[who][0])

    def registry(self) -> Registry:
        return Registry(self.chain, self.suite.registry)

    def evidence(self, who=None) -> Evidence:
        return Evidence(self.chain, self.suite["Evidence"], self._signer(who), self.registry())

    def licences(self, who=None) -> Licences:
        return Licences(self.chain, self.suite["Licences"], self._signer(who), self.registry())

    def copyrights(self, who=None) -> Copyrights:
        return Copyrights(self.chain, self.suite["Copyrights"], self._signer(who), self.registry())

    def document(self, name: str, content: bytes) -> Path:
        path = self.tmp / name
        path.write_bytes(content)
        return path


@pytest.fixture(scope="module")
def world_once(tmp_path_factory):
    chain = connect("embedded")
    admins = [sender(chain, i) for i in demo.ADMIN_KEYS]
    suite = deploy.deploy_suite(chain, admins[0], deploy.DeployOptions([a.address for a in admins], demo.THRESHOLD),
                                manifest=deploy.Manifest(None))
    parties = {}
    for who, (key, body, roles) in PARTIES.items():
        party = sender(chain, key)
        if chain.w3.eth.get_balance(party.address) < 10**18:
            admins[0].transfer(party.address, 10**20)
        Registry(chain, suite.registry, party).apply(who, uscc.with_check_character(body), int(roles), "licence", LATER)
        for admin in admins[: demo.THRESHOLD]:
            Registry(chain, suite.registry, admin).approve(party.address)
        parties[who] = party.address
    return World(chain, suite, parties, tmp_path_factory.mktemp("hall"))


@pytest.fixture
def world(world_once):
    w3 = world_once.chain.w3
    snapshot = w3.testing.snapshot()
    yield world_once
    w3.testing.revert(snapshot)


# -- evidence -----------------------------------------------------------------------------------------


def test_a_filed_file_is_found_with_its_filer_kind_and_metadata(world):
    contract = world.document("contract.pdf", b"supply contract: 10,000 boxes of navel oranges")
    record, _ = world.evidence("coop").file(contract, EvidenceKind.CONTRACT, metadata=b"\x07" * 32)
    verdict = world.evidence().verify_file(str(contract))
    assert verdict.found and [r.id for r in verdict.records] == ["0x" + record.hex()]
    found = verdict.records[0]
    assert (found.filer, found.filer_name, found.kind, found.algorithm, found.documents) == (
        world.parties["coop"], "coop", EvidenceKind.CONTRACT, Algorithm.SHA256, 1)
    assert found.metadata_digest == "0x" + "07" * 32 and found.digest == verdict.digests["SHA-256"]


def test_a_file_filed_with_sm3_is_found_by_its_sm3_digest(world):
    photo = world.document("photo.jpg", b"orchard photo")
    world.evidence("coop").file(photo, "photo", Algorithm.SM3)
    verdict = world.evidence().verify_file(str(photo))
    assert [r.algorithm for r in verdict.records] == [Algorithm.SM3]
    assert verdict.records[0].digest == "0x" + digest_bytes(b"orchard photo", Algorithm.SM3).hex()


def test_a_copy_with_one_byte_changed_has_no_record(world):
    world.evidence("coop").file(world.document("genuine.pdf", b"price: 5.00 yuan/kg"), "contract")
    verdict = world.evidence().verify_file(str(world.document("tampered.pdf", b"price: 3.00 yuan/kg")))
    assert not verdict.found and verdict.records == []


def test_every_document_of_a_filed_batch_proves_into_it(world):
    notes = [world.document(f"note-{i}.pdf", f"delivery note {i}".encode()) for i in range(20)]
    record, _, tree = world.evidence("coop").file_batch([str(p) for p in notes], "delivery-note")
    reader = world.evidence()
    assert reader.record(record).documents == 20
    for path in notes[:3]:
        digest = digest_bytes(path.read_bytes())
        assert reader.proves_into(record, str(path), tree.proof(digest))
    assert not reader.proves_into(record, str(world.document("x.pdf", b"not a note")), tree.proof(digest))


def test_cosigned_notarised_and_annotated_record_reads_back(world):
    record, _ = world.evidence("coop").file(b"\x11" * 32, "contract", cosigners=[world.parties["buyer"]])
    assert world.evidence().record(record).complete is False
    world.evidence("buyer").cosign(record)
    world.evidence("coop").request_notarisation(record, world.parties["notary"])
    world.evidence("notary").notarise(record, b"\x22" * 32)
    world.evidence("regulator").annotate(record, "dispute", b"\x33" * 32)
    shown = world.evidence().record(record)
    assert shown.complete and [c.name for c in shown.cosignatures] == ["buyer"]
    assert shown.notarisation.name == "notary" and shown.notarisation.certificate_digest == "0x" + "22" * 32
    assert [(a.author_name, a.kind.name) for a in shown.annotations] == [("regulator", "DISPUTE")]


def test_a_refusal_is_the_contracts_named_error(world):
    record, _ = world.evidence("coop").file(b"\x44" * 32, "contract", cosigners=[world.parties["buyer"]])
    with pytest.raises(ContractError) as raised:
        world.evidence("printer").cosign(record)
    assert raised.value.name == "EvidenceNotCosigner"


@pytest.mark.parametrize("kwargs,field", [({"kind": "poem"}, "kind"), ({"cosigners": ["0x12"]}, "cosigner"),
                                          ({"documents": 0}, "documents"), ({"document": "no-such-file.pdf"}, "file")])
def test_bad_filing_input_names_the_field_and_sends_nothing(world, kwargs, field):
    nonce = world.chain.w3.eth.get_transaction_count(world.parties["coop"])
    arguments = {"document": b"\x55" * 32, **kwargs}
    with pytest.raises(InputError) as raised:
        world.evidence("coop").file(arguments.pop("document"), **arguments)
    assert raised.value.field == field
    assert world.chain.w3.eth.get_transaction_count(world.parties["coop"]) == nonce


# -- licences -----------------------------------------------------------------------------------------


def _issue(world, content=b"food production licence SC11136072100123"):
    document = world.document("licence.pdf", content)
    today = chaintime.today(world.chain)
    licence, _ = world.licences("regulator").issue(world.parties["coop"], "food-production", "SC11136072100123",
                                                   document, today.isoformat(), (today + dt.timedelta(days=1825)).isoformat())
    return licence, document


def test_a_licence_is_verified_from_its_document(world):
    licence, document = _issue(world)
    digests, found = world.licences().verify_file(str(document))
    assert found is not None and found.id == "0x" + licence.hex() == digests["SHA-256"]
    assert (found.holder_name, found.issuer_name, found.number, found.status, found.valid) == (
        "coop", "regulator", "SC11136072100123", LicenceStatus.ACTIVE, True)


def test_a_renewed_document_leads_to_the_licence_and_a_revoked_one_reads_revoked(world):
    licence, _ = _issue(world)
    renewed = world.document("renewed.pdf", b"renewed licence")
    today = chaintime.today(world.chain)
    world.licences("regulator").renew(licence, renewed, today.isoformat(), (today + dt.timedelta(days=3650)).isoformat())
    world.licences("regulator").revoke(licence, b"\x66" * 32)
    _, found = world.licences().verify_file(str(renewed))
    assert found.id == "0x" + licence.hex() and found.status == LicenceStatus.REVOKED and not found.valid
    assert [h["event"] for h in found.history] == ["issued", "renewed", "revoked"]


def test_the_onboarding_reference_is_the_licence_id_and_last_day(world):
    licence, _ = _issue(world)
    reference, last_day = world.licences().onboarding_reference(licence)
    assert reference == "0x" + licence.hex()
    assert last_day == chaintime.today(world.chain) + dt.timedelta(days=1825)


@pytest.mark.parametrize("number", ["", "证照号码", "S" * 33])
def test_a_bad_licence_number_names_the_field(world, number):
    with pytest.raises(InputError) as raised:
        world.licences("regulator").issue(world.parties["coop"], "business", number, b"\x77" * 32, "2026-01-01", LATER)
    assert raised.value.field == "number"


# -- copyright ----------------------------------------------------------------------------------------


def test_a_registered_work_is_shown_with_title_authors_and_holder(world):
    design = world.document("box.svg", b"<svg>navel orange box</svg>")
    token, _ = world.copyrights("coop").register(str(design), "赣南脐橙礼盒", "李明")
    _, found = world.copyrights().verify_file(str(design))
    assert found.token == token and (found.title, found.authors, found.holder_name) == ("赣南脐橙礼盒", "李明", "coop")


def test_a_second_registration_names_the_first(world):
    design = world.document("box2.svg", b"<svg>copied</svg>")
    world.copyrights("coop").register(str(design), "礼盒", "李明")
    with pytest.raises(InputError, match="already registered by " + world.parties["coop"]):
        world.copyrights("buyer").register(str(design), "礼盒", "王芳")


def test_rights_move_on_acceptance_and_a_grant_on_the_licensees(world):
    token, _ = world.copyrights("coop").register(b"\x88" * 32, "包装设计", "李明")
    today = chaintime.today(world.chain)
    grant, _ = world.copyrights("coop").offer_grant(token, world.parties["printer"], today.isoformat(),
                                                    (today + dt.timedelta(days=365)).isoformat(), b"\x99" * 32)
    world.copyrights("printer").accept_grant(grant)
    world.copyrights("coop").offer(token, world.parties["buyer"])
    world.copyrights("buyer").accept(token)
    shown = world.copyrights().show(token)
    assert shown.holder_name == "buyer" and shown.registrant_name == "coop"
    assert [(g.licensee_name, g.status) for g in shown.grants] == [("printer", GrantStatus.ACCEPTED)]


# -- one answer for a digest ---------------------------------------------------------------------------


def test_the_verifier_answers_for_evidence_licence_and_work_by_digest(world):
    from shanglian.verification import Verifier

    contract = world.document("v-contract.pdf", b"contract for the verifier")
    world.evidence("coop").file(contract, "contract")
    licence, licence_doc = _issue(world, b"licence for the verifier")
    token, _ = world.copyrights("coop").register(b"\xab" * 32, "设计", "李明")
    verifier = Verifier(world.suite)
    by_contract = verifier.digest(digest_bytes(contract.read_bytes()).hex(), "sha256")
    assert by_contract.found and [r.filer_name for r in by_contract.evidence] == ["coop"]
    assert by_contract.licence is None and by_contract.work is None
    assert verifier.digest(licence.hex()).licence.number == "SC11136072100123"
    assert verifier.digest("ab" * 32).work.token == token
    assert verifier.record("licence", "0x" + licence.hex()).licence.holder_name == "coop"
    assert not verifier.digest("cd" * 32).found


@pytest.mark.parametrize("call,field", [(lambda v: v.digest("12"), "digest"), (lambda v: v.digest("ab" * 32, "md5"), "algorithm"),
                                        (lambda v: v.record("invoice", "ab" * 32), "kind")])
def test_the_verifier_names_a_bad_field(world, call, field):
    from shanglian.verification import Verifier

    with pytest.raises(InputError) as raised:
        call(Verifier(world.suite))
    assert raised.value.field == field
