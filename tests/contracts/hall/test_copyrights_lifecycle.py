"""Copyright: commit-then-register with priority, two-step transfers through ERC-721, licences to use a
work, annotations, with every refusal's named error."""

import brownie
import pytest
from brownie import chain, web3
from eth_abi import encode
from eth_utils import keccak
from hall_support import SHA256, SM3, YEAR, digest, plain

OFFERED, ACCEPTED, WITHDRAWN = 1, 2, 3
ACCEPT, WRONG_ANSWER, REVERT = 0, 1, 2
ZERO32 = b"\x00" * 32
TITLE, AUTHORS = "赣南脐橙礼盒包装设计", "李明; 王芳"


@pytest.fixture(scope="module")
def register(copyrights, hall):
    """`register(label, by=filer)` commits, then registers digest(label); returns the token id."""

    def _register(label, by=None, registrant=None, algorithm=SHA256):
        sender = by or hall.filer
        content, salt = digest(label), digest(label + " salt")
        copyrights.commit(copyrights.commitmentFor(content, registrant or sender, salt), {"from": sender})
        return copyrights.register(content, algorithm, salt, TITLE, AUTHORS, {"from": sender}).return_value

    return _register


@pytest.fixture(scope="module")
def receiver(ERC3525ReceiverMock, accounts, onboard):
    """A contract that is an active enterprise (onboarded while impersonated) and answers ERC-721's hook."""
    mock = ERC3525ReceiverMock.deploy({"from": accounts[0]})
    web3.provider.make_request("anvil_setBalance", [mock.address, hex(10**19)])
    onboard(accounts.at(mock.address, force=True), "retailer")
    return mock


# ------------------------------------------------------------------ registration


def test_a_registered_work_is_a_token_of_its_registrant(copyrights, hall):
    content, salt = digest("design"), digest("salt")
    copyrights.commit(copyrights.commitmentFor(content, hall.filer, salt), {"from": hall.filer})
    tx = copyrights.register(content, SM3, salt, TITLE, AUTHORS, {"from": hall.filer})
    token = int.from_bytes(content, "big")
    assert tx.return_value == token
    assert plain(copyrights.work(token)) == (hall.filer.address, tx.timestamp, SM3, hall.filer.address, brownie.ZERO_ADDRESS)
    assert copyrights.ownerOf(token) == hall.filer and copyrights.balanceOf(hall.filer) == 1
    assert plain(dict(tx.events["Transfer"])) == {"from": brownie.ZERO_ADDRESS, "to": hall.filer.address, "tokenId": token}
    assert plain(dict(tx.events["WorkRegistered"])) == {
        "tokenId": token, "registrant": hall.filer.address, "algorithm": SM3, "title": TITLE, "authors": AUTHORS}


def test_the_commitment_is_used_up(copyrights, hall, register):
    content, salt = digest("used"), digest("used salt")
    commitment = copyrights.commitmentFor(content, hall.filer, salt)
    register("used")
    assert copyrights.commitmentBlock(hall.filer, commitment) == 0


def test_the_commitment_hashes_digest_registrant_and_salt(copyrights, hall):
    expected = keccak(encode(["bytes32", "address", "bytes32"], [digest("d"), hall.filer.address, digest("s")]))
    assert copyrights.commitmentFor(digest("d"), hall.filer, digest("s")) == "0x" + expected.hex()


def test_an_operator_registers_for_its_enterprise(copyrights, hall, register):
    token = register("by operator", by=hall.filer_operator, registrant=hall.filer)
    assert copyrights.ownerOf(token) == hall.filer


def test_a_second_registration_is_refused_naming_the_first(copyrights, hall, register, reverts_with):
    token = register("priority")
    registered_at = copyrights.work(token)[1]
    with reverts_with("CopyrightAlreadyRegistered", digest("priority"), hall.filer, registered_at):
        register("priority", by=hall.buyer)


def test_registration_needs_the_registrants_own_commitment(copyrights, hall, reverts_with):
    content, salt = digest("uncommitted"), digest("salt")
    copyrights.commit(copyrights.commitmentFor(content, hall.filer, salt), {"from": hall.buyer})
    with reverts_with("CopyrightNotCommitted", content, hall.buyer):
        copyrights.register(content, SHA256, salt, TITLE, AUTHORS, {"from": hall.buyer})
    with reverts_with("CopyrightNotCommitted", content, hall.filer):
        copyrights.register(content, SHA256, digest("other salt"), TITLE, AUTHORS, {"from": hall.filer})


def test_copying_a_commitment_blocks_nothing(copyrights, hall, reverts_with):
    content, salt = digest("copied"), digest("salt")
    commitment = copyrights.commitmentFor(content, hall.filer, salt)
    copyrights.commit(commitment, {"from": hall.buyer})  # a competitor commits the same bytes first
    copyrights.commit(commitment, {"from": hall.filer})
    assert copyrights.register(content, SHA256, salt, TITLE, AUTHORS, {"from": hall.filer}).status == 1


def test_registering_in_the_commitments_block_is_refused(copyrights, hall):
    """Commit and register mined in one block: the registration reverts, so nobody who sees a pending
    registration can commit and register ahead of it in the same block."""
    content, salt = digest("same block"), digest("salt")
    commitment = copyrights.commitmentFor(content, hall.filer, salt)
    web3.provider.make_request("evm_setAutomine", [False])
    try:
        committed = copyrights.commit(commitment, {"from": hall.filer, "gas_limit": 200_000, "required_confs": 0})
        registered = copyrights.register(content, SHA256, salt, TITLE, AUTHORS,
                                         {"from": hall.filer, "gas_limit": 300_000, "required_confs": 0})
        web3.provider.make_request("evm_mine", [])
    finally:
        web3.provider.make_request("evm_setAutomine", [True])
    first, second = (web3.eth.get_transaction_receipt(tx.txid) for tx in (committed, registered))
    assert first.status == 1 and second.status == 0 and first.blockNumber == second.blockNumber
    trace = web3.provider.make_request("debug_traceTransaction", [registered.txid, {"tracer": "callTracer"}])
    expected = keccak(text="CopyrightCommitmentTooRecent(bytes32,uint256)")[:4] + encode(
        ["bytes32", "uint256"], [bytes(commitment), first.blockNumber])
    assert trace["result"]["output"] == "0x" + expected.hex()


@pytest.mark.parametrize("commitment", ["zero", "twice"])
def test_a_commitment_is_not_zero_and_made_once(copyrights, hall, reverts_with, commitment):
    value = ZERO32 if commitment == "zero" else digest("twice")
    if commitment == "twice":
        copyrights.commit(value, {"from": hall.filer})
    with reverts_with("CopyrightInvalidCommitment", value):
        copyrights.commit(value, {"from": hall.filer})


@pytest.mark.parametrize(
    "field,value,error",
    [
        ("digest", ZERO32, ("CopyrightInvalidDigest", ZERO32)),
        ("algorithm", 2, ("CopyrightInvalidAlgorithm", 2)),
        ("title", "", ("CopyrightInvalidTitle", 0)),
        ("title", "题" * 43, ("CopyrightInvalidTitle", 129)),
        ("authors", "", ("CopyrightInvalidAuthors", 0)),
        ("authors", "a" * 257, ("CopyrightInvalidAuthors", 257)),
    ],
)
def test_bad_registration_fields_are_refused(copyrights, hall, reverts_with, field, value, error):
    args = {"digest": digest("bad"), "algorithm": SHA256, "title": TITLE, "authors": AUTHORS, field: value}
    with reverts_with(*error):
        copyrights.register(args["digest"], args["algorithm"], digest("salt"), args["title"], args["authors"],
                            {"from": hall.filer})


# ------------------------------------------------------------------ offer and accept


def test_rights_move_when_the_offeree_accepts(copyrights, hall, register):
    token = register("moving")
    offer = copyrights.approve(hall.buyer, token, {"from": hall.filer})
    assert plain(dict(offer.events["Approval"])) == {"owner": hall.filer.address, "approved": hall.buyer.address, "tokenId": token}
    assert copyrights.getApproved(token) == hall.buyer
    tx = copyrights.transferFrom(hall.filer, hall.buyer, token, {"from": hall.buyer})
    assert plain(dict(tx.events["Transfer"])) == {"from": hall.filer.address, "to": hall.buyer.address, "tokenId": token}
    assert copyrights.ownerOf(token) == hall.buyer and copyrights.getApproved(token) == brownie.ZERO_ADDRESS
    assert (copyrights.balanceOf(hall.filer), copyrights.balanceOf(hall.buyer)) == (0, 1)
    assert copyrights.work(token)[0] == hall.filer  # the registrant, and the priority date, stay


def test_the_new_holder_offers_onwards(copyrights, hall, register):
    token = register("onwards")
    copyrights.approve(hall.buyer, token, {"from": hall.filer})
    copyrights.transferFrom(hall.filer, hall.buyer, token, {"from": hall.buyer})
    copyrights.approve(hall.printer, token, {"from": hall.buyer})
    copyrights.safeTransferFrom(hall.buyer, hall.printer, token, {"from": hall.printer})
    assert copyrights.ownerOf(token) == hall.printer


def test_a_holder_cannot_push_a_work(copyrights, hall, register, reverts_with):
    token = register("pushed")
    copyrights.approve(hall.buyer, token, {"from": hall.filer})
    with reverts_with("CopyrightNotOfferee", token, hall.filer, hall.buyer):
        copyrights.transferFrom(hall.filer, hall.buyer, token, {"from": hall.filer})


def test_the_offeree_accepts_only_for_itself_from_the_holder(copyrights, hall, register, reverts_with):
    token = register("strictly")
    copyrights.approve(hall.buyer, token, {"from": hall.filer})
    with reverts_with("CopyrightInvalidRecipient", hall.printer):
        copyrights.transferFrom(hall.filer, hall.printer, token, {"from": hall.buyer})
    with reverts_with("CopyrightIncorrectOwner", hall.printer, token, hall.filer):
        copyrights.transferFrom(hall.printer, hall.buyer, token, {"from": hall.buyer})


@pytest.mark.parametrize("who", ["filer", "suspended", "stranger", "filer_operator"])
def test_a_work_is_offered_only_to_another_active_enterprise(copyrights, hall, register, reverts_with, who):
    token = register("offer")
    with reverts_with("CopyrightInvalidRecipient", getattr(hall, who)):
        copyrights.approve(getattr(hall, who), token, {"from": hall.filer})


def test_a_later_offer_replaces_the_earlier_and_zero_withdraws(copyrights, hall, register, reverts_with):
    token = register("replaced")
    copyrights.approve(hall.buyer, token, {"from": hall.filer})
    copyrights.approve(hall.printer, token, {"from": hall.filer})
    with reverts_with("CopyrightNotOfferee", token, hall.buyer, hall.printer):
        copyrights.transferFrom(hall.filer, hall.buyer, token, {"from": hall.buyer})
    copyrights.approve(brownie.ZERO_ADDRESS, token, {"from": hall.filer})
    with reverts_with("CopyrightNotOfferee", token, hall.printer, brownie.ZERO_ADDRESS):
        copyrights.transferFrom(hall.filer, hall.printer, token, {"from": hall.printer})


def test_an_offer_is_void_while_the_holder_is_suspended(copyrights, hall, register, registry, admins, govern, reverts_with):
    token = register("void offer")
    copyrights.approve(hall.buyer, token, {"from": hall.filer})
    registry.suspend(hall.filer, {"from": admins[0]})
    with reverts_with("CopyrightHolderInactive", token, hall.filer):
        copyrights.transferFrom(hall.filer, hall.buyer, token, {"from": hall.buyer})
    govern("reinstate", hall.filer)
    assert copyrights.transferFrom(hall.filer, hall.buyer, token, {"from": hall.buyer}).status == 1


def test_a_suspended_offeree_cannot_accept(copyrights, hall, register, registry, admins, reverts_with):
    token = register("suspended offeree")
    copyrights.approve(hall.buyer, token, {"from": hall.filer})
    registry.suspend(hall.buyer, {"from": admins[0]})
    with reverts_with("CopyrightNotOfferee", token, hall.buyer, hall.buyer):
        copyrights.transferFrom(hall.filer, hall.buyer, token, {"from": hall.buyer})


def test_a_contract_enterprise_accepts_with_the_receiver_hook(copyrights, hall, register, receiver, accounts):
    token = register("to a contract")
    copyrights.approve(receiver, token, {"from": hall.filer})
    tx = copyrights.safeTransferFrom["address,address,uint256,bytes"](
        hall.filer, receiver, token, b"memo", {"from": accounts.at(receiver.address, force=True)})
    assert plain(dict(tx.events["Received721"])) == {
        "operator": receiver.address, "from": hall.filer.address, "tokenId": token, "data": b"memo"}


@pytest.mark.parametrize("mode,error", [(WRONG_ANSWER, "CopyrightInvalidReceiver"), (REVERT, "ReceiverMockRejected")])
def test_a_contract_that_refuses_the_hook_does_not_receive(copyrights, hall, register, receiver, accounts, reverts_with,
                                                          mode, error):
    token = register("refused by a contract")
    copyrights.approve(receiver, token, {"from": hall.filer})
    receiver.setMode(mode, {"from": accounts[0]})
    with reverts_with(error, *([receiver] if mode == WRONG_ANSWER else [])):
        copyrights.safeTransferFrom(hall.filer, receiver, token, {"from": accounts.at(receiver.address, force=True)})


def test_a_contract_without_the_hook_does_not_receive(copyrights, hall, register, accounts, onboard, SettlementTokenMock,
                                                    reverts_with):
    holder = SettlementTokenMock.deploy({"from": accounts[0]})  # an active enterprise, but no onERC721Received
    web3.provider.make_request("anvil_setBalance", [holder.address, hex(10**19)])
    onboard(accounts.at(holder.address, force=True), "retailer")
    token = register("offered to a contract without the hook")
    copyrights.approve(holder, token, {"from": hall.filer})
    with reverts_with("CopyrightInvalidReceiver", holder):
        copyrights.safeTransferFrom(hall.filer, holder, token, {"from": accounts.at(holder.address, force=True)})


def test_an_unregistered_work_reads_as_empty(copyrights):
    assert plain(copyrights.work(int.from_bytes(digest("never registered"), "big"))) == (
        brownie.ZERO_ADDRESS, 0, 0, brownie.ZERO_ADDRESS, brownie.ZERO_ADDRESS)


# ------------------------------------------------------------------ licences to use a work


@pytest.fixture
def granted(copyrights, hall, register):
    """A work of the filer with a grant offered to the printer for a year."""
    token = register("licensed")
    now = chain.time()
    tx = copyrights.offerGrant(token, hall.printer, now, now + YEAR, digest("terms"), {"from": hall.filer})
    return token, tx.return_value, now


def test_a_grant_is_offered_and_accepted(copyrights, hall, granted):
    token, grant, now = granted
    assert plain(copyrights.grant(grant)) == (token, hall.filer.address, now, now + YEAR, OFFERED, hall.printer.address, 0,
                                              digest("terms"))
    tx = copyrights.acceptGrant(grant, {"from": hall.printer})
    assert plain(dict(tx.events["GrantAccepted"])) == {"grantId": grant, "licensee": hall.printer.address}
    assert plain(copyrights.grant(grant))[4:7] == (ACCEPTED, hall.printer.address, tx.timestamp)
    assert copyrights.grantCount() == grant


def test_an_accepted_grant_outlives_a_change_of_holder(copyrights, hall, granted):
    token, grant, _ = granted
    copyrights.acceptGrant(grant, {"from": hall.printer})
    copyrights.approve(hall.buyer, token, {"from": hall.filer})
    copyrights.transferFrom(hall.filer, hall.buyer, token, {"from": hall.buyer})
    assert copyrights.grant(grant)[4] == ACCEPTED


def test_a_pending_grant_is_void_once_its_grantor_no_longer_holds_the_work(copyrights, hall, granted, reverts_with):
    token, grant, _ = granted
    copyrights.approve(hall.buyer, token, {"from": hall.filer})
    copyrights.transferFrom(hall.filer, hall.buyer, token, {"from": hall.buyer})
    with reverts_with("CopyrightGrantVoid", grant, hall.filer):
        copyrights.acceptGrant(grant, {"from": hall.printer})


def test_a_pending_grant_is_void_while_its_grantor_is_suspended(copyrights, hall, granted, registry, admins, reverts_with):
    _, grant, _ = granted
    registry.suspend(hall.filer, {"from": admins[0]})
    with reverts_with("CopyrightGrantVoid", grant, hall.filer):
        copyrights.acceptGrant(grant, {"from": hall.printer})


def test_a_withdrawn_grant_cannot_be_accepted_nor_an_accepted_one_withdrawn(copyrights, hall, granted, register,
                                                                           reverts_with):
    token, grant, now = granted
    assert "GrantWithdrawn" in copyrights.withdrawGrant(grant, {"from": hall.filer}).events
    with reverts_with("CopyrightGrantNotPending", grant, WITHDRAWN):
        copyrights.acceptGrant(grant, {"from": hall.printer})
    second = copyrights.offerGrant(token, hall.printer, now, now + YEAR, digest("terms"), {"from": hall.filer}).return_value
    copyrights.acceptGrant(second, {"from": hall.printer})
    with reverts_with("CopyrightGrantNotPending", second, ACCEPTED):
        copyrights.withdrawGrant(second, {"from": hall.filer})


def test_a_grant_whose_term_ended_cannot_be_accepted(copyrights, hall, granted, reverts_with):
    _, grant, now = granted
    chain.sleep(YEAR + 60)
    with reverts_with("CopyrightInvalidTerm", now, now + YEAR):
        copyrights.acceptGrant(grant, {"from": hall.printer})


@pytest.mark.parametrize("who", ["filer", "suspended", "stranger", "filer_operator"])
def test_a_licensee_is_another_active_enterprise(copyrights, hall, register, reverts_with, who):
    token, now = register("licensee"), chain.time()
    with reverts_with("CopyrightInvalidLicensee", getattr(hall, who)):
        copyrights.offerGrant(token, getattr(hall, who), now, now + YEAR, digest("terms"), {"from": hall.filer})


@pytest.mark.parametrize("offsets", [(0, 0), (-2 * YEAR, -YEAR), (YEAR, YEAR // 2)])
def test_a_term_ends_after_it_starts_and_in_the_future(copyrights, hall, register, reverts_with, offsets):
    token, now = register("term"), chain.time() + 100
    start, end = now + offsets[0], now + offsets[1]
    with reverts_with("CopyrightInvalidTerm", start, end):
        copyrights.offerGrant(token, hall.printer, start, end, digest("terms"), {"from": hall.filer})


def test_a_grant_names_its_terms(copyrights, hall, register, reverts_with):
    token, now = register("no terms"), chain.time()
    with reverts_with("CopyrightInvalidDigest", ZERO32):
        copyrights.offerGrant(token, hall.printer, now, now + YEAR, ZERO32, {"from": hall.filer})


def test_an_unknown_grant_is_refused(copyrights, hall, reverts_with):
    with reverts_with("CopyrightUnknownGrant", 99):
        copyrights.acceptGrant(99, {"from": hall.printer})


# ------------------------------------------------------------------ ERC-721 surface and annotations


def test_erc721_introspection_and_metadata(copyrights, hall, register):
    assert [copyrights.supportsInterface(i) for i in ("0x01ffc9a7", "0x80ac58cd", "0x5b5e139f", "0xffffffff")] == [
        True, True, True, False]
    assert (copyrights.name(), copyrights.symbol()) == ("Shanglian Copyright", "SLCR")
    assert copyrights.tokenURI(register("uri")) == ""
    assert copyrights.isApprovedForAll(hall.filer, hall.buyer) is False


def test_unknown_works_and_the_zero_owner_are_refused(copyrights, reverts_with):
    for read in (copyrights.ownerOf, copyrights.getApproved, copyrights.tokenURI):
        with brownie.reverts():
            read(7)
    with reverts_with("CopyrightInvalidOwner", brownie.ZERO_ADDRESS):
        copyrights.balanceOf.transact(brownie.ZERO_ADDRESS, {"from": brownie.accounts[0]})
    with reverts_with("CopyrightNonexistentToken", 7):
        copyrights.ownerOf.transact(7, {"from": brownie.accounts[0]})


def test_a_dispute_over_a_work_is_annotated(copyrights, hall, register, reverts_with):
    token = register("disputed")
    subject = token.to_bytes(32, "big")
    tx = copyrights.annotate(subject, 0, digest("complaint"), {"from": hall.regulator})
    assert plain(copyrights.annotations(subject)) == ((hall.regulator.address, tx.timestamp, 0, digest("complaint")),)
    with reverts_with("CopyrightNonexistentToken", 7):
        copyrights.annotate((7).to_bytes(32, "big"), 0, digest("complaint"), {"from": hall.regulator})
