"""Access-control matrix: every state-changing function of Receivables × every party role and a stranger.

Each case starts from one scenario (built once per module) where the function would succeed for an
allowed caller; the allowed callers succeed, every other caller reverts with the named custom error
and its arguments.
"""

from types import SimpleNamespace

import brownie
import pytest

DAY = 24 * 3600
ACTORS = [
    "core",  # the debtor of every scenario receivable
    "core_operator",  # an operator account of the debtor
    "core2",  # another core enterprise
    "supplier",  # the holder of the scenario fragments
    "operator",  # an operator account of the holder
    "supplier2",  # another supplier, holding a fragment of the same slot
    "financier",  # the financier the scenario offer names
    "financier2",  # another financier
    "regulator",
    "producer",  # an active enterprise with no receivables role
    "stranger",  # no enterprise
]


@pytest.fixture(scope="module")
def scenario(receivables, parties, settlement_token, issue, issue_confidential, chain, accounts, key_of):
    """Slot 1 (due in 30 days): fragment `a1` of the supplier, `a2` of supplier2 (split from a1) and
    `a3` of the supplier, offered to the financier. Slot 2 (due in 2 days): fragment `b1` of the
    supplier. Confidential slot 3 (due in 30 days): fragment `c1` of the supplier and `c3` split from it,
    offered confidentially to the financier. Confidential slot 4 (due in 2 days): fragment `d1` of the
    supplier, whose face value `d_face` opens with `d_salt` and `d_proof`. The debtor holds and has
    approved settlement tokens; the suppliers and financiers published their keys, the producer not."""
    from shanglian.confidential import commitment, public_key_of, seal

    p = parties
    a1 = issue(due_in=30 * DAY)
    a2 = receivables.transferFrom["uint256,address,uint256"](a1, p.supplier2, 1_000, {"from": p.supplier}).return_value
    a3 = receivables.transferFrom["uint256,address,uint256"](a1, p.supplier, 2_000, {"from": p.supplier}).return_value
    receivables.offerFinancing(a3, p.financier, 1_900, {"from": p.supplier})
    b1 = issue(due_in=2 * DAY)
    c1, _ = issue_confidential(due_in=30 * DAY)
    c3 = receivables.splitConfidential(c1, p.supplier, 10**17, b"\x01sealed", {"from": p.supplier}).return_value
    price = commitment("price", 90_000, b"\x07" * 32)
    receivables.offerFinancingConfidential(c3, p.financier, price, b"\x01sealed", {"from": p.supplier})
    d1, d_document = issue_confidential(due_in=2 * DAY)
    settlement_token.mint(p.core, 10**12, {"from": accounts[0]})
    settlement_token.approve(receivables, 2**256 - 1, {"from": p.core})
    invoices = {"n": 0}

    def fresh_invoice():
        invoices["n"] += 1
        return (0xAC << 248 | invoices["n"]).to_bytes(32, "big")

    return SimpleNamespace(
        rec=receivables, p=p, chain=chain, a1=a1, a2=a2, a3=a3, b1=b1, slot=a1 // 10**7, fresh_invoice=fresh_invoice,
        admin=accounts[0], c1=c1, c3=c3, price=price, d1=d1, d_face=d_document.face_value,
        d_salt=d_document.salt("face_value"), d_proof=d_document.proof("face_value"),
        producer_key=public_key_of(key_of(p.producer)), envelope=seal({"k": "test"}, [public_key_of(key_of(p.supplier))]),
    )


def mature(s):
    s.chain.sleep(3 * DAY)


def freeze_slot(s):
    s.rec.freezeSlot(s.slot, {"from": s.p.regulator})


def freeze_fragment(s):
    s.rec.freezeFragment(s.a1, {"from": s.p.regulator})


def not_authorized(token):
    return lambda s, who: ("ReceivableNotAuthorized", who, getattr(s, token))


HOLDER = {"supplier", "operator"}
DEBTOR = {"core", "core_operator"}
ENTERPRISES = set(ACTORS) - {"stranger"}

# function -> (allowed actors, setup, call, expected error for the others, event the allowed call emits)
MATRIX = {
    "issue": (
        {"core", "core_operator", "core2"},
        None,
        lambda s, who: s.rec.issue(
            s.p.supplier2, 1_000, b"CNY", s.chain.time() + 30 * DAY, s.fresh_invoice(), {"from": who}
        ),
        lambda s, who: ("ReceivableNotCoreEnterprise", who),
        "ReceivableIssued",
    ),
    "split": (
        HOLDER,
        None,
        lambda s, who: s.rec.transferFrom["uint256,address,uint256"](s.a1, s.p.supplier2, 100, {"from": who}),
        not_authorized("a1"),
        "ReceivableSplit",
    ),
    "transferValueToToken": (
        HOLDER,
        None,
        lambda s, who: s.rec.transferFrom["uint256,uint256,uint256"](s.a1, s.a2, 100, {"from": who}),
        not_authorized("a1"),
        "TransferValue",
    ),
    "transferToken": (
        HOLDER,
        None,
        lambda s, who: s.rec.transferFrom["address,address,uint256"](s.p.supplier, s.p.supplier2, s.a1, {"from": who}),
        not_authorized("a1"),
        "Transfer",
    ),
    "safeTransferToken": (
        HOLDER,
        None,
        lambda s, who: s.rec.safeTransferFrom["address,address,uint256"](
            s.p.supplier, s.p.supplier2, s.a1, {"from": who}
        ),
        not_authorized("a1"),
        "Transfer",
    ),
    "safeTransferTokenWithData": (
        HOLDER,
        None,
        lambda s, who: s.rec.safeTransferFrom["address,address,uint256,bytes"](
            s.p.supplier, s.p.supplier2, s.a1, b"memo", {"from": who}
        ),
        not_authorized("a1"),
        "Transfer",
    ),
    "approveValue": (
        HOLDER,
        None,
        lambda s, who: s.rec.approve["uint256,address,uint256"](s.a1, s.admin, 100, {"from": who}),
        not_authorized("a1"),
        "ApprovalValue",
    ),
    "approveToken": (
        HOLDER,
        None,
        lambda s, who: s.rec.approve["address,uint256"](s.admin, s.a1, {"from": who}),
        not_authorized("a1"),
        "Approval",
    ),
    "setApprovalForAll": (
        ENTERPRISES,
        None,
        lambda s, who: s.rec.setApprovalForAll(s.admin, True, {"from": who}),
        lambda s, who: ("ReceivableNotEnterprise", who),
        "ApprovalForAll",
    ),
    "offerFinancing": (
        HOLDER,
        None,
        lambda s, who: s.rec.offerFinancing(s.a1, s.p.financier2, 500, {"from": who}),
        not_authorized("a1"),
        "FinancingOffered",
    ),
    "withdrawOffer": (
        HOLDER,
        None,
        lambda s, who: s.rec.withdrawOffer(s.a3, {"from": who}),
        not_authorized("a3"),
        "FinancingOfferWithdrawn",
    ),
    "acceptFinancing": (
        {"financier"},
        None,
        lambda s, who: s.rec.acceptFinancing(s.a3, 1_900, b"\x42" * 32, {"from": who}),
        not_authorized("a3"),
        "ReceivableFinanced",
    ),
    "confirmSettlement": (
        HOLDER,
        mature,
        lambda s, who: s.rec.confirmSettlement(s.b1, {"from": who}),
        not_authorized("b1"),
        "ReceivableSettled",
    ),
    "settle": (
        DEBTOR,
        mature,
        lambda s, who: s.rec.settle(s.b1, {"from": who}),
        not_authorized("b1"),
        "ReceivableSettled",
    ),
    "issueConfidential": (
        {"core", "core_operator", "core2"},
        None,
        lambda s, who: s.rec.issueConfidential(
            s.p.supplier2, s.chain.time() + 30 * DAY, s.fresh_invoice(), b"\x0d" * 32, s.envelope, {"from": who}
        ),
        lambda s, who: ("ReceivableNotCoreEnterprise", who),
        "ReceivableIssuedConfidentially",
    ),
    "splitConfidential": (
        HOLDER,
        None,
        lambda s, who: s.rec.splitConfidential(s.c1, s.p.supplier2, 10**15, s.envelope, {"from": who}),
        not_authorized("c1"),
        "FactsSealed",
    ),
    "sealFacts": (
        HOLDER,
        None,
        lambda s, who: s.rec.sealFacts(s.c1, s.envelope, {"from": who}),
        not_authorized("c1"),
        "FactsSealed",
    ),
    "publishEncryptionKey": (
        {"producer"},
        None,
        lambda s, who: s.rec.publishEncryptionKey(s.producer_key, {"from": who}),
        lambda s, who: ("ReceivableInvalidEncryptionKey", who, s.p.producer),
        "EncryptionKeyPublished",
    ),
    "offerFinancingConfidential": (
        HOLDER,
        None,
        lambda s, who: s.rec.offerFinancingConfidential(s.c1, s.p.financier2, b"\x0c" * 32, s.envelope, {"from": who}),
        not_authorized("c1"),
        "ConfidentialFinancingOffered",
    ),
    "acceptFinancingConfidential": (
        {"financier"},
        None,
        lambda s, who: s.rec.acceptFinancingConfidential(s.c3, s.price, b"\x0e" * 32, s.envelope, {"from": who}),
        not_authorized("c3"),
        "ConfidentialReceivableFinanced",
    ),
    "settleRevealing": (
        DEBTOR,
        mature,
        lambda s, who: s.rec.settleRevealing(s.d1, s.d_face, s.d_salt, s.d_proof, {"from": who}),
        not_authorized("d1"),
        "ReceivableSettled",
    ),
    "freezeSlot": (
        {"regulator"},
        None,
        lambda s, who: s.rec.freezeSlot(s.slot, {"from": who}),
        lambda s, who: ("ReceivableNotRegulator", who),
        "SlotFrozen",
    ),
    "unfreezeSlot": (
        {"regulator"},
        freeze_slot,
        lambda s, who: s.rec.unfreezeSlot(s.slot, {"from": who}),
        lambda s, who: ("ReceivableNotRegulator", who),
        "SlotUnfrozen",
    ),
    "freezeFragment": (
        {"regulator"},
        None,
        lambda s, who: s.rec.freezeFragment(s.a1, {"from": who}),
        lambda s, who: ("ReceivableNotRegulator", who),
        "FragmentFrozen",
    ),
    "unfreezeFragment": (
        {"regulator"},
        freeze_fragment,
        lambda s, who: s.rec.unfreezeFragment(s.a1, {"from": who}),
        lambda s, who: ("ReceivableNotRegulator", who),
        "FragmentUnfrozen",
    ),
}


def test_matrix_covers_every_state_changing_function(Receivables):
    """Every non-view function of the ABI has a row (the two safeTransferFrom overloads and the three
    transferFrom overloads each have their own)."""
    mutating = [item for item in Receivables.abi if item["type"] == "function" and item["stateMutability"] not in ("view", "pure")]
    names = sorted(item["name"] for item in mutating)
    rows = sorted(
        {
            "split": "transferFrom",
            "transferValueToToken": "transferFrom",
            "transferToken": "transferFrom",
            "safeTransferToken": "safeTransferFrom",
            "safeTransferTokenWithData": "safeTransferFrom",
            "approveValue": "approve",
            "approveToken": "approve",
        }.get(row, row)
        for row in MATRIX
    )
    assert names == rows


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("function", list(MATRIX))
def test_access(scenario, custom_error, function, actor):
    allowed, setup, call, error, event = MATRIX[function]
    who = getattr(scenario.p, actor)
    if setup:
        setup(scenario)
    if actor in allowed:
        tx = call(scenario, who)
        assert tx.status == 1
        assert event in tx.events
    else:
        with brownie.reverts(custom_error(*error(scenario, who))):
            call(scenario, who)
