"""The confidential package: shares to exact fen, the salted invoice tree and its disclosures, commitments,
the invoice key, and envelopes sealed to account keys. No chain is needed (the contract side of leaves and
proofs is checked by the brownie suite's revealing settlement)."""

import json
import random

import pytest
from coincurve import PrivateKey
from eth_account import Account

from shanglian import confidential
from shanglian.confidential import (
    TOTAL_SHARES,
    Disclosure,
    InvoiceDocument,
    amount_of,
    commitment,
    invoice_key,
    issuer_secret,
    open_envelope,
    public_key_from_x,
    public_key_of,
    seal,
    shares_to_move,
    verify_disclosure,
)
from shanglian.errors import DisclosureError, InputError

FACE = 100_000_000  # ¥1,000,000.00


def document(number="增值税专用发票 3300241130 No. 08675309", face=FACE, seed=None):
    kwargs = {"seed": seed} if seed is not None else {}
    return InvoiceDocument(number, "2026-01-02", face, "CNY", 1_790_000_000, **kwargs)


# ---------------------------------------------------------------------------------------- shares


def test_split_shares_are_worth_exactly_the_amount_and_the_rest():
    shares = shares_to_move(30_000_000, TOTAL_SHARES, FACE)
    assert amount_of(shares, FACE) == 30_000_000
    assert amount_of(TOTAL_SHARES - shares, FACE) == 70_000_000


def test_a_whole_fragment_moves_all_its_shares():
    assert shares_to_move(FACE, TOTAL_SHARES, FACE) == TOTAL_SHARES


def test_random_splits_and_merges_keep_every_amount_exact_and_the_sum_equal_to_the_face_value():
    draw = random.Random(7)
    refused_merges = 0
    for face in (1, 3, 99_999_989, 100_000_001, 10**14):
        fragments = {0: TOTAL_SHARES}
        amounts = {0: face}
        for step in range(200):
            source = draw.choice([f for f, a in amounts.items() if a > 0])
            amount = draw.randint(1, amounts[source])
            if draw.random() < 0.3 and len(fragments) > 1:
                target = draw.choice([f for f in fragments if f != source])
                try:
                    moved = shares_to_move(amount, fragments[source], face, fragments[target], draw=draw)
                except InputError as refused:  # the one inexact case: nothing moves
                    assert refused.field == "amount"
                    refused_merges += 1
                    continue
                fragments[target] += moved
                amounts[target] += amount
            else:
                target = len(fragments)
                moved = shares_to_move(amount, fragments[source], face, draw=draw)
                fragments[target], amounts[target] = moved, amount
            fragments[source] -= moved
            amounts[source] -= amount
            assert {f: amount_of(s, face) for f, s in fragments.items()} == amounts
        assert sum(fragments.values()) == TOTAL_SHARES
        assert sum(amounts.values()) == face
    assert refused_merges < 20  # of about 300 merges: the window is empty only when the source is emptied


def test_a_split_never_needs_refusing():
    draw = random.Random(11)
    for face in (1, 2, 3, 7, 99_999_989):
        fragments = [TOTAL_SHARES]
        for _ in range(300):
            source = draw.randrange(len(fragments))
            held = amount_of(fragments[source], face)
            if held == 0:
                continue
            moved = shares_to_move(draw.randint(1, held), fragments[source], face, draw=draw)
            fragments[source] -= moved
            fragments.append(moved)
        assert sum(amount_of(s, face) for s in fragments) == face


def test_share_draws_spread_over_the_half_fen_window():
    """A share count must not be the exact fraction (which a continued fraction would turn back into the
    face value): draws for the same amount differ, across at least half a fen's worth of shares."""
    draws = {shares_to_move(30_000_001, TOTAL_SHARES, FACE) for _ in range(50)}
    assert len(draws) == 50
    assert max(draws) - min(draws) > TOTAL_SHARES // FACE // 4


def test_moving_more_than_a_fragment_is_worth_is_refused():
    with pytest.raises(InputError) as refused:
        shares_to_move(FACE + 1, TOTAL_SHARES, FACE)
    assert refused.value.field == "amount"


def test_percent_is_what_everyone_sees():
    assert confidential.percent_of(3 * 10**17) == pytest.approx(30)


# ---------------------------------------------------------------------------------------- documents


def test_the_root_depends_on_every_field_and_the_seed():
    seed = b"\x01" * 32
    base = document(seed=seed)
    assert base.root == document(seed=seed).root
    assert base.root != document(seed=b"\x02" * 32).root
    assert base.root != document(seed=seed, face=FACE + 1).root


def test_payload_round_trip():
    original = document()
    assert InvoiceDocument.from_payload(json.loads(json.dumps(original.to_payload()))) == original


def test_disclosure_round_trip_proves_exactly_the_chosen_fields():
    original = document()
    disclosure = Disclosure.from_json(original.disclose(["face_value", "invoice_number"], token=10000001).to_json())
    assert verify_disclosure(disclosure, original.root) == ["face_value", "invoice_number"]
    assert set(disclosure.fields) == {"face_value", "invoice_number"}
    assert disclosure.context == {"token": 10000001}


def tampered(field, change):
    original = document()
    body = json.loads(original.disclose(["face_value", "invoice_number", "due"]).to_json())
    change(body["fields"])
    return Disclosure.from_json(json.dumps(body)), original.root, field


@pytest.mark.parametrize(
    "case",
    [
        lambda: tampered("face_value", lambda f: f["face_value"].update(value=FACE * 10)),
        lambda: tampered("invoice_number", lambda f: f["invoice_number"].update(salt=f["due"]["salt"])),
        lambda: tampered("due", lambda f: f.update(due=document().disclose(["due"]).fields["due"])),
    ],
    ids=["changed amount", "swapped salt", "field from another receivable"],
)
def test_tampered_disclosure_is_refused_naming_the_field(case):
    disclosure, root, field = case()
    with pytest.raises(DisclosureError) as refused:
        verify_disclosure(disclosure, root)
    assert refused.value.field == field


def test_disclosure_of_another_document_is_refused():
    disclosure = document().disclose(["face_value"])
    with pytest.raises(DisclosureError) as refused:
        verify_disclosure(disclosure, document().root)
    assert refused.value.field == "root"


def test_a_field_that_does_not_exist_is_named():
    with pytest.raises(InputError) as refused:
        document().disclose(["face_value", "discount"])
    assert refused.value.field == "fields"
    assert "'discount' is not a field" in str(refused.value)


def test_a_disclosure_file_that_is_not_json_is_named():
    with pytest.raises(InputError) as refused:
        Disclosure.from_json("face_value: 1000000")
    assert refused.value.field == "disclosure"
    assert "is not JSON" in str(refused.value)


def test_bad_document_fields_are_named():
    for kwargs, field in [
        (dict(invoice_number=" "), "invoice_number"),
        (dict(invoice_date="02/01/2026"), "invoice_date"),
        (dict(face_value=0), "face_value"),
        (dict(currency="cny"), "currency"),
    ]:
        values = dict(invoice_number="INV-1", invoice_date="2026-01-02", face_value=1, currency="CNY", due=1)
        with pytest.raises(InputError) as refused:
            InvoiceDocument(**{**values, **kwargs})
        assert refused.value.field == field


# ---------------------------------------------------------------------------------------- commitments and keys


def test_a_commitment_binds_its_value_and_salt():
    salt = b"\x03" * 32
    assert commitment("price", 29_100_000, salt) == commitment("price", 29_100_000, salt)
    assert commitment("price", 29_100_000, salt) != commitment("price", 29_100_001, salt)
    assert commitment("price", 29_100_000, salt) != commitment("price", 29_100_000, b"\x04" * 32)


def test_the_invoice_key_is_the_debtors_own_and_ignores_spacing_and_case():
    secret = issuer_secret(b"\x11" * 32)
    assert invoice_key(secret, "No. 08675309") == invoice_key(secret, "  no.   08675309 ")
    assert invoice_key(secret, "No. 08675309") != invoice_key(secret, "No. 08675310")
    assert invoice_key(secret, "No. 08675309") != invoice_key(issuer_secret(b"\x12" * 32), "No. 08675309")


# ---------------------------------------------------------------------------------------- envelopes


def test_a_party_opens_the_envelope_and_a_non_party_does_not():
    debtor, holder, stranger = (PrivateKey().secret for _ in range(3))
    envelope = seal({"k": "i", "d": document().to_payload()}, [public_key_of(debtor), public_key_of(holder)])
    for party in (debtor, holder):
        assert InvoiceDocument.from_payload(open_envelope(envelope, party)["d"]) is not None
    assert open_envelope(envelope, stranger) is None


def test_an_envelope_has_one_copy_per_distinct_recipient():
    key = public_key_of(PrivateKey().secret)
    once, twice = seal({"a": 1}, [key]), seal({"a": 1}, [key, key])
    assert len(once) == len(twice)


def test_the_published_x_coordinate_gives_back_the_accounts_key():
    for _ in range(8):  # both parities of y
        account = Account.create()
        public_key = public_key_of(bytes(account.key))
        assert public_key_from_x(public_key[:32], account.address) == public_key
    with pytest.raises(InputError):
        public_key_from_x(public_key[:32], Account.create().address)


def test_a_truncated_envelope_is_named():
    envelope = seal({"a": 1}, [public_key_of(PrivateKey().secret)])
    with pytest.raises(InputError) as refused:
        open_envelope(envelope[:-5], PrivateKey().secret)
    assert refused.value.field == "envelope"


# ---------------------------------------------------------------------------------------- a party's reading


def test_a_party_reads_what_the_chain_vouches_for_and_nothing_else():
    from shanglian.confidential import Sealed, acceptance_payload, invoice_payload, offer_payload, open_facts

    bank, seller = PrivateKey().secret, PrivateKey().secret
    keys = [public_key_of(bank), public_key_of(seller)]
    original = document()
    price_salt, reference_salt = b"\x01" * 32, b"\x02" * 32
    forged = document(seed=b"\x09" * 32)  # the same fields, another root: not the chain's
    sealed = [
        Sealed(10000002, seal(offer_payload(10000002, 29_100_000, price_salt, original), keys)),
        Sealed(10000002, seal(offer_payload(10000002, 1, b"\x03" * 32, original), keys)),  # no commitment on chain
        Sealed(10000002, seal(acceptance_payload(10000002, "ZSB-PAY-0001", reference_salt), keys)),
        Sealed(10000003, seal(invoice_payload(forged), keys)),
    ]
    vouched = [commitment("price", 29_100_000, price_salt), commitment("reference", "ZSB-PAY-0001", reference_salt)]
    facts = open_facts(original.root, sealed, bank, vouched)
    assert facts.document == original
    assert facts.offers[10000002].price == 29_100_000
    assert facts.acceptances[10000002].reference == "ZSB-PAY-0001"


def test_a_key_that_opens_nothing_is_not_a_party():
    from shanglian.confidential import Sealed, invoice_payload, open_facts
    from shanglian.errors import NotAPartyError

    original = document()
    sealed = [Sealed(10000001, seal(invoice_payload(original), [public_key_of(PrivateKey().secret)]))]
    with pytest.raises(NotAPartyError, match="not a party"):
        open_facts(original.root, sealed, PrivateKey().secret)
