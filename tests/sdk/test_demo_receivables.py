"""Demo step 3, the receivables story, run on the embedded chain after step 1's onboarding: what it
prints and the facts it returns — once as `make demo` runs it (confidential; holders confirm payment),
once transparent on a suite deployed with a settlement token the debtor holds (the debtor pays
through it)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from conftest import sender
from rich.console import Console
from test_receivables_sdk import deploy_contract, settlement_token_artifact

from shanglian import chaintime, demo, deploy, logs
from shanglian.demo_receivables import (
    FACE_VALUE,
    FINANCING_PRICE,
    INVOICE,
    SPLIT_VALUE,
    TERM_DAYS,
    receivables_story,
)
from shanglian.network import connect
from shanglian.receivables import Receivables, to_fen


def tell(with_settlement_token: bool = False, confidential: bool = True):
    """(story, facts, printed text, chain day before step 3) on a story built like `demo.run` builds it."""
    chain = connect("embedded")
    senders = {f"admin{n}": sender(chain, i) for n, i in enumerate(demo.ADMIN_KEYS)}
    senders.update({who: sender(chain, member.key_index) for who, member in demo.CAST.items()})
    admins = [senders[f"admin{n}"].address for n in range(len(demo.ADMIN_KEYS))]
    token = None
    options = deploy.DeployOptions(admins, demo.THRESHOLD)
    if with_settlement_token:
        mock = settlement_token_artifact()
        token = deploy_contract(chain, senders["admin0"], mock["abi"], mock["bytecode"])
        options.settlement_token = token.address
    suite = deploy.deploy_suite(chain, senders["admin0"], options, manifest=deploy.Manifest(None))
    for party in senders.values():
        if chain.w3.eth.get_balance(party.address) < 10**18:
            senders["admin0"].transfer(party.address, 10**20)
    story = demo.Story(chain, suite, senders)
    buffer = io.StringIO()
    console = Console(file=buffer, width=200, highlight=False)
    demo.onboard(story, console.print)
    if token is not None:
        senders["admin0"].send(token.functions.mint(story.address("core"), to_fen(FACE_VALUE)))
    day = chaintime.today(chain)
    facts = receivables_story(story, console.print, confidential=confidential)
    return story, facts, buffer.getvalue(), day, token


# The module-wide fixture is built once: keep the tests on one worker (make test: --dist loadgroup).
pytestmark = pytest.mark.xdist_group("demo_receivables")


@pytest.fixture(scope="module")
def told():
    return tell()


def settled_events(story, token: int) -> list:
    contract = story.suite["Receivables"]
    topic = logs.topic(contract, "ReceivableSettled")
    raw = logs.fetch(story.chain, contract.address, [topic, "0x" + token.to_bytes(32, "big").hex()])
    return logs.decode(contract, raw)


def test_core_enterprise_issues_a_million_due_in_ninety_days_to_its_supplier(told):
    story, facts, _, day, _ = told
    o = Receivables(story.chain, story.suite["Receivables"], story.senders["supplier"]).obligation(facts["slot"])
    assert (o.debtor, o.creditor, o.face_value, o.confidential) == (
        story.address("core"),
        story.address("supplier"),
        FACE_VALUE,
        True,
    )
    assert (o.due_date - day).days == TERM_DAYS == 90


def test_a_reader_without_a_partys_key_sees_no_amount(told):
    story, facts, *_ = told
    o = Receivables(story.chain, story.suite["Receivables"]).obligation(facts["slot"])
    assert (o.face_value, o.settled_value, o.invoice_number, o.currency) == (None, None, None, "")


def test_sub_supplier_piece_is_three_hundred_thousand_split_from_the_issued_fragment(told):
    facts = told[1]
    piece = facts["lineage"].root.children[0].fragment
    assert (piece.token, piece.parent, piece.value) == (facts["split"], facts["issued"], SPLIT_VALUE)


def test_bank_bought_the_sub_suppliers_piece_the_same_day_with_a_payment_reference(told):
    story, facts, _, day, _ = told
    piece = Receivables(story.chain, story.suite["Receivables"], story.senders["bank"]).show(facts["split"]).fragment
    assert facts["financed_by"] == piece.holder == story.address("bank")
    assert piece.financing is not None
    assert (piece.financing.seller, piece.financing.price) == (story.address("sub_supplier"), FINANCING_PRICE)
    assert piece.financing.payment_reference == facts["payment_reference"]
    financed_at = story.chain.w3.eth.get_block(piece.financing.block)["timestamp"]
    assert dt.datetime.fromtimestamp(financed_at, chaintime.CST).date() == day


def test_issuing_the_same_invoice_again_is_refused_with_receivable_invoice_used(told):
    facts, printed = told[1], told[2]
    assert facts["double_issue_error"].name == "ReceivableInvoiceUsed"
    assert facts["double_issue_error"].args_by_name["slot"] == facts["slot"]
    assert "ReceivableInvoiceUsed" in printed


def test_both_fragments_are_overdue_once_the_clock_passes_maturity(told):
    facts = told[1]
    assert facts["overdue_before_settlement"] == [facts["issued"], facts["split"]]


def test_every_fragment_is_settled_exactly_once_by_its_holder(told):
    story, facts, _, _, _ = told
    assert facts["settled"] == {facts["issued"]: "confirmed", facts["split"]: "confirmed"}
    for token in facts["settled"]:
        assert len(settled_events(story, token)) == 1
    assert facts["settled_value"] == FACE_VALUE


def test_a_second_settlement_is_refused_with_receivable_already_settled(told):
    facts, printed = told[1], told[2]
    assert facts["double_settle_error"].name == "ReceivableAlreadySettled"
    assert facts["double_settle_error"].args_by_name == {"tokenId": facts["split"]}
    assert "ReceivableAlreadySettled" in printed


def test_lineage_prints_as_a_tree_with_names_and_amounts(told):
    facts, printed = told[1], told[2]
    lines = facts["lineage_lines"]
    supplier, bank, sub = (demo.CAST[who].name for who in ("supplier", "bank", "sub_supplier"))
    assert lines[1].startswith(f"└── {facts['issued']}  {supplier}  ¥700,000.00")
    assert lines[2].startswith(f"    └── {facts['split']}  {bank}  ¥300,000.00") and sub in lines[2]
    assert all(line in printed for line in lines)


def test_lineage_values_add_up_to_the_face_value(told):
    tree = told[1]["lineage"].root
    assert sum((node.fragment.value for node in tree.walk()), Decimal(0)) == FACE_VALUE


def test_the_bank_verifies_the_disclosed_fields_before_it_buys(told):
    story, facts, printed, _, _ = told
    assert facts["disclosed"]["face_value"] == to_fen(FACE_VALUE)
    assert facts["disclosed"]["invoice_number"] == INVOICE
    assert facts["disclosed"]["due"] == Receivables(story.chain, story.suite["Receivables"]).obligation(facts["slot"]).due
    assert "what 浙商银行杭州分行 knows" in printed and "¥300,000.00" in printed


def test_a_competitor_sees_shares_and_ciphertext_only(told):
    facts, printed = told[1], told[2]
    lines = facts["competitor_lines"]
    assert "owes a confidential amount" in lines[0]
    assert "70.0000% of the receivable" in lines[1] and "30.0000% of the receivable" in lines[2]
    assert not any("¥" in line for line in lines)
    assert facts["ciphertext"].startswith("0x01") and facts["ciphertext"] in printed


def test_with_a_settlement_token_the_debtor_pays_every_fragment_through_it():
    story, facts, printed, _, token = tell(with_settlement_token=True, confidential=False)
    assert facts["settled"] == {facts["issued"]: "paid", facts["split"]: "paid"}
    balance = token.functions.balanceOf
    assert (balance(story.address("supplier")).call(), balance(story.address("bank")).call()) == (
        to_fen(FACE_VALUE - SPLIT_VALUE),
        to_fen(SPLIT_VALUE),
    )
    assert balance(story.address("core")).call() == 0
    assert all(e["args"]["onChain"] for t in facts["settled"] for e in settled_events(story, t))
    assert facts["double_settle_error"].name == "ReceivableAlreadySettled" and "pays" in printed
