"""The observer test: the whole confidential receivables story on Anvil, as `make demo` tells it through
the SDK (issue ¥1,000,000, split ¥300,000, finance it at ¥291,000, settle every fragment), then a member with no party's key reads every transaction
input, every log and every storage word the story wrote, and finds no amount in fen or yuan in any width
or encoding, no invoice number and no payment reference. The same search over a transparent receivable
finds them (the search can fail), and the parties' keys open what the observer cannot."""

from __future__ import annotations

import datetime as dt

import pytest
from eth_utils import keccak
from web3.logs import DISCARD

from observer import Seen, find, observe
from shanglian import chaintime, confidential, demo
from shanglian.demo_receivables import INVOICE, PAYMENT_REFERENCE, receivables_story
from shanglian.localnode import LocalNode
from shanglian.network import connect
from shanglian.receivables import Receivables

FACE, SPLIT, PRICE = 100_000_000, 30_000_000, 29_100_000  # fen
REFERENCE = PAYMENT_REFERENCE
SECRETS = {
    "face value (fen)": FACE, "face value (yuan)": FACE // 100,
    "split (fen)": SPLIT, "split (yuan)": SPLIT // 100,
    "remainder (fen)": FACE - SPLIT, "remainder (yuan)": (FACE - SPLIT) // 100,
    "price (fen)": PRICE, "price (yuan)": PRICE // 100,
    "discount (fen)": SPLIT - PRICE, "discount (yuan)": (SPLIT - PRICE) // 100,
    "invoice": INVOICE, "invoice number": "08675309", "invoice code": "3300241130",
    "payment reference": REFERENCE, "payment reference number": "ZSB-PAY-0001",
}


def first_id(contract, receipt):
    return contract.events.TransferValue().process_receipt(receipt, errors=DISCARD)[-1]["args"]["_toTokenId"]


@pytest.fixture(scope="module")
def node():
    with LocalNode("anvil", hardfork="london") as running:
        yield running


@pytest.fixture(scope="module")
def confidential_story(node):
    """`make demo`'s receivables step (confidential: issue, split, disclosure to the bank, offer,
    acceptance, settlement by the holders), driven by the SDK, then read by the observer."""
    chain = connect(node.profile)
    story = demo.prepare(chain)
    first_block = chain.w3.eth.block_number + 1
    facts = receivables_story(story, lambda _: None)
    assert facts["confidential"] and len(facts["settled"]) == 2
    keys = {name: story.senders[name].account.key for name in ("core", "supplier", "sub_supplier", "bank", "regulator")}
    document = Receivables(chain, story.suite["Receivables"], story.senders["supplier"]).facts(facts["slot"]).document
    shares = int(story.suite["Receivables"].functions.balanceOf(facts["split"]).call())
    seen = observe(chain, first_block, keccak(text="FactsSealed(uint256,address,bytes)"))
    return seen, keys, document, (facts["issued"], facts["split"], shares)


def test_an_observer_finds_no_amount_invoice_or_payment_reference(confidential_story):
    seen, *_ = confidential_story
    assert seen.size > 5_000 and len(seen.ciphertext) == 4  # it did read the story: issue, split, offer, acceptance
    assert find(SECRETS, seen) == []


def test_the_same_search_finds_a_transparent_receivables_amounts(node):
    chain = connect(node.profile)
    story = demo.prepare(chain)
    first_block = chain.w3.eth.block_number + 1
    f = story.suite["Receivables"].functions
    due = chaintime.now(chain) + 90 * 86400
    issued = story.senders["core"].send(f.issue(story.address("supplier"), FACE, b"CNY", due, keccak(text=INVOICE)))
    token = first_id(story.suite["Receivables"], issued)
    story.senders["supplier"].send(f.transferFrom(token, story.address("sub_supplier"), SPLIT))
    hits = find(SECRETS, observe(chain, first_block, b"\x00" * 32))
    assert any(hit.startswith("face value (fen) (uint64 big-endian) in storage") for hit in hits)
    assert any(hit.startswith("split (fen) (uint256 big-endian) in input") for hit in hits)
    assert any(hit.startswith("invoice (keccak256) in log") for hit in hits)


def test_each_party_opens_its_copy_and_the_observer_none(confidential_story):
    seen, keys, document, (root, piece, shares) = confidential_story
    opened = {name: [confidential.open_envelope(c, key) for c in seen.ciphertext] for name, key in keys.items()}
    kinds = {name: [payload and payload["k"] for payload in payloads] for name, payloads in opened.items()}
    assert kinds["regulator"] == ["i", None, "o", "a"]
    assert kinds["sub_supplier"] == [None, "i", "o", "a"]
    assert kinds["bank"] == [None, None, "o", "a"]
    assert kinds["supplier"] == ["i", None, None, None]
    observer = keccak(text="a competitor's account key")
    assert [confidential.open_envelope(c, observer) for c in seen.ciphertext] == [None] * 4
    # what the bank reads checks out against the chain's commitments and shares
    bank_offer = opened["bank"][2]
    assert confidential.InvoiceDocument.from_payload(bank_offer["d"]).root == document.root
    assert confidential.amount_of(shares, document.face_value) == SPLIT
    assert bank_offer["p"] == PRICE and opened["bank"][3]["r"] == REFERENCE


def test_search_skips_only_short_forms_inside_ciphertext():
    seen = Seen(chunks=[("log", b"\x01" + (291_000).to_bytes(3, "big") + b"\x02")], ciphertext=[b"\x01\x04\x70\xb8\x02"])
    assert find({"price (yuan)": 291_000}, seen) == []
    seen.ciphertext = []
    assert find({"price (yuan)": 291_000}, seen) == ["price (yuan) (3-byte big-endian) in log"]
    assert find({"day": dt.date(2026, 1, 2).isoformat()}, Seen(chunks=[("input", b"..2026-01-02..")]))
