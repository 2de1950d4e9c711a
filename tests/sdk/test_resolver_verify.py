"""The resolver's verification page and API in process: the service hall's story on the embedded
chain, indexed into SQLite, served by the FastAPI app through its test client. What the index says
is checked against what the SDK reads from the chain."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from shanglian import demo
from shanglian.demo_hall import hall_story
from shanglian.digests import Algorithm, digest_file
from shanglian.network import connect
from shanglian.resolver.app import Resolver, create_app
from shanglian.resolver.hall_index import HALL_CONTRACTS
from shanglian.resolver.indexer import Indexer, connect_db
from shanglian.resolver.pages import STATIC
from shanglian.verification import Verifier


class World:
    def __init__(self, tmp):
        self.chain = connect("embedded")
        self.story = demo.prepare(self.chain)
        self.facts = hall_story(self.story, lambda _: None, tmp / "hall")
        suite = self.story.suite
        self.db = tmp / "index.sqlite"
        hall = {name: suite[name] for name in HALL_CONTRACTS}
        self.indexer = Indexer(self.chain, suite["ProductProvenance"], suite.registry, connect_db(self.db), tmp / "serials",
                               0, range_blocks=9, hall=hall)
        self.indexer.run_once()
        self.resolver = Resolver(self.db, self.chain.chain_id, self.indexer, None)
        self.client = TestClient(create_app(self.resolver, run_worker=False))
        self.verifier = Verifier(suite)

    def api(self, path: str) -> dict:
        response = self.client.get(path)
        assert response.status_code == 200, response.text
        return response.json()


# The module-wide fixture is built once: keep the tests on one worker (make test: --dist loadgroup).
pytestmark = pytest.mark.xdist_group("resolver_verify")


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    return World(tmp_path_factory.mktemp("verify"))


def test_the_page_is_chinese_with_english_and_loads_its_hash_library_from_this_server(world):
    response = world.client.get("/verify")
    assert response.status_code == 200 and response.headers["content-type"] == "text/html; charset=utf-8"
    html = response.text
    assert "验证文件" in html and "Verify a document" in html and "never uploaded" in html
    assert '<script src="/static/hash-wasm/sha256.umd.min.js">' in html
    assert '<script src="/static/hash-wasm/sm3.umd.min.js">' in html
    assert "https://" not in html.split("<main>")[1]  # nothing from a CDN
    for name in ("sha256", "sm3"):
        script = world.client.get(f"/static/hash-wasm/{name}.umd.min.js")
        assert script.status_code == 200 and script.content == (STATIC / "hash-wasm" / f"{name}.umd.min.js").read_bytes()


def test_the_vendored_hash_library_is_the_npm_package(world):
    from pathlib import Path

    installed = Path(__file__).resolve().parents[2] / "node_modules" / "hash-wasm" / "dist"
    if not installed.exists():
        pytest.skip("node_modules not installed (make setup)")
    for name in ("sha256", "sm3"):
        assert (STATIC / "hash-wasm" / f"{name}.umd.min.js").read_bytes() == (installed / f"{name}.umd.min.js").read_bytes()


def test_the_genuine_contract_reads_as_filed_co_signed_and_notarised(world):
    contract = world.facts["folder"] / "supply-contract.txt"
    digest = digest_file(contract).hex()
    answer = world.api(f"/api/v1/verify/0x{digest}?algorithm=sha256")
    assert answer["found"] and len(answer["evidence"]) == 1
    record = answer["evidence"][0]
    assert record["filer"]["name"] == "赣州市赣南脐橙专业合作社" and record["kind"] == "contract"
    assert [c["cosigner"]["name"] for c in record["cosignatures"]] == ["深圳市鲜丰果业连锁有限公司"]
    assert record["complete"] and record["notarisation"]["notary"]["name"] == "江西省赣州市赣南公证处"
    assert record["notarisation"]["notarised_at"] is not None


def test_the_index_says_what_the_chain_says(world):
    contract = world.facts["folder"] / "supply-contract.txt"
    digest = digest_file(contract)
    indexed = world.api(f"/api/v1/verify/0x{digest.hex()}")["evidence"][0]
    chain = world.verifier.digest(digest.hex()).evidence[0]
    assert indexed["id"] == chain.id and indexed["filer"]["account"] == chain.filer
    assert indexed["metadata_digest"] == chain.metadata_digest and indexed["transaction"] == chain.transaction
    assert indexed["notarisation"]["certificate_digest"] == chain.notarisation.certificate_digest


def test_a_copy_with_one_byte_changed_finds_no_record(world):
    tampered = world.facts["folder"] / "supply-contract-tampered.txt"
    for algorithm in Algorithm:
        answer = world.api(f"/api/v1/verify/0x{digest_file(tampered, algorithm).hex()}")
        assert answer["found"] is False and answer["evidence"] == [] and answer["licence"] is None


def test_a_digest_under_the_other_algorithm_is_not_a_match(world):
    contract = world.facts["folder"] / "supply-contract.txt"
    assert world.api(f"/api/v1/verify/0x{digest_file(contract).hex()}?algorithm=sm3")["found"] is False


def test_a_revoked_licence_reads_revoked_from_its_document_and_its_qr_code(world):
    document = next(world.facts["folder"].glob("food-business-licence-*.txt"))
    by_document = world.api(f"/api/v1/verify/0x{digest_file(document).hex()}")
    assert by_document["licence"]["status"] == "revoked" and by_document["licence"]["in_force"] is False
    stall = "0x" + world.facts["stall_licence"].hex()
    assert world.api(f"/api/v1/verify/licence/{stall}")["licence"]["number"] == by_document["licence"]["number"]


def test_a_licence_in_force_names_holder_issuer_and_validity(world):
    answer = world.api(f"/api/v1/verify/licence/0x{world.facts['licence'].hex()}")["licence"]
    assert answer["status"] == "active" and answer["in_force"] is True
    assert answer["holder"]["name"] == "赣州市赣南脐橙专业合作社" and answer["issuer"]["name"] == "赣州市市场监督管理局"
    assert answer["kind"] == "food_production" and answer["number"] == "SC10136070200315"


def test_the_registered_design_names_its_holder_and_licensee(world):
    design = world.facts["folder"] / "gift-box-design.svg"
    work = world.api(f"/api/v1/verify/0x{digest_file(design).hex()}")["work"]
    assert work["title"] == "赣南脐橙礼盒包装设计" and work["holder"]["name"] == "赣州市赣南脐橙专业合作社"
    assert [(g["licensee"]["name"], g["status"]) for g in work["grants"]] == [("赣州市彩印包装有限公司", "accepted")]


def test_a_qr_code_opens_the_page_for_its_record(world):
    path = f"licence/0x{world.facts['licence'].hex()}"
    page = world.client.get(f"/verify/{path}")
    assert page.status_code == 200 and f'data-record="{path}"' in page.text
    code = world.client.get(f"/qr/verify/{path}")
    assert code.status_code == 200 and code.content[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("path", ["/api/v1/verify/0x1234", "/api/v1/verify/" + "zz" * 32, "/api/v1/verify/invoice/0x" + "ab" * 32])
def test_a_malformed_request_names_its_field(world, path):
    response = world.client.get(path)
    assert response.status_code in (400, 404) and "error" in response.json()


def test_the_api_is_described_in_openapi(world):
    schema = world.client.get("/openapi.json").json()
    assert "/api/v1/verify/{digest}" in schema["paths"] and "/api/v1/verify/{kind}/{record_id}" in schema["paths"]
    assert {"VerifyView", "EvidenceView", "LicenceView", "WorkView"} <= set(schema["components"]["schemas"])


def test_a_kept_answer_is_not_served_past_the_licences_validity(world, monkeypatch):
    import datetime as dt
    import json

    path = f"/api/v1/verify/licence/0x{world.facts['licence'].hex()}"
    answer = world.api(path)["licence"]
    assert answer["in_force"] is True
    lapsed = int(dt.datetime.fromisoformat(answer["valid_until"]).timestamp())
    monkeypatch.setattr(world.resolver, "_now", lambda: lapsed)
    assert json.loads(world.resolver.verify_record("licence", world.facts["licence"]))["licence"]["in_force"] is False
