"""ERC-3525 (and its ERC-721 surface) behaviour, written once and run against two implementations:
`receivables` (contracts/Receivables.sol) and `reference` (Solv's ERC-3525 reference implementation,
contracts/test/ReferenceERC3525.sol).

The `token` fixture adapts what differs: who may hold (our fragments only go to active enterprises, so
the holders are onboarded for `receivables`), how a token is minted (`issue` from a core enterprise
versus the reference's guarded `mint`), and how a revert reads (our named custom error versus the
reference's revert string).
"""

import brownie
import pytest
from brownie import ZERO_ADDRESS

STANDARD_EVENTS = {"Transfer", "Approval", "ApprovalForAll", "TransferValue", "ApprovalValue", "SlotChanged"}
ERC165, ERC721, ERC3525 = "0x01ffc9a7", "0x80ac58cd", "0xd5358140"
ACCEPT, WRONG_ANSWER, REVERT, UNDECLARED = 0, 1, 2, 3


class Implementation:
    def __init__(self, name, contract, alice, bob, carol, operator, receiver, mint, custom_error):
        self.name = name
        self.contract = contract
        self.alice, self.bob, self.carol = alice, bob, carol  # may hold; alice and bob may be minted to
        self.operator = operator  # an outsider to approve
        self.receiver = receiver  # an ERC3525ReceiverMock that may hold
        self._mint = mint
        self._custom_error = custom_error

    def mint(self, to, value):
        """Mints a token of a new slot holding `value` to `to`; returns its id."""
        return self._mint(to, value).return_value

    def mint_tx(self, to, value):
        return self._mint(to, value)

    def reverts(self, ours, reference):
        """Expects our custom error `ours` = (name, *args), or the reference's revert string."""
        if self.name == "receivables":
            return brownie.reverts(self._custom_error(*ours))
        return brownie.reverts(reference)

    def transfer_to_address(self, from_token, to, value, sender):
        return self.contract.transferFrom["uint256,address,uint256"](from_token, to, value, {"from": sender})

    def transfer_to_token(self, from_token, to_token, value, sender):
        return self.contract.transferFrom["uint256,uint256,uint256"](from_token, to_token, value, {"from": sender})

    def transfer_token(self, owner, to, token_id, sender):
        return self.contract.transferFrom["address,address,uint256"](owner, to, token_id, {"from": sender})

    def approve_value(self, token_id, operator, value, sender):
        return self.contract.approve["uint256,address,uint256"](token_id, operator, value, {"from": sender})

    def approve_token(self, operator, token_id, sender):
        return self.contract.approve["address,uint256"](operator, token_id, {"from": sender})

    def value_of(self, token_id):
        return self.contract.balanceOf["uint256"](token_id)

    def tokens_of(self, owner):
        return self.contract.balanceOf["address"](owner)


def standard_events(tx):
    """The standard ERC-721/ERC-3525 events of `tx`, in emission order, as (name, values)."""
    return [(event.name, tuple(event.values())) for event in tx.events if event.name in STANDARD_EVENTS]


@pytest.fixture(scope="module")
def receiver(ERC3525ReceiverMock, accounts):
    return ERC3525ReceiverMock.deploy({"from": accounts[0]})


@pytest.fixture(scope="module", params=["receivables", "reference"])
def token(request, accounts, receiver, custom_error, web3):
    if request.param == "receivables":
        parties = request.getfixturevalue("parties")
        receivables = request.getfixturevalue("receivables")
        onboard = request.getfixturevalue("onboard")
        chain = request.getfixturevalue("chain")
        invoices = {"n": 0}

        def mint(to, value):
            invoices["n"] += 1
            invoice = (0xE5 << 248 | invoices["n"]).to_bytes(32, "big")
            return receivables.issue(to, value, b"CNY", chain.time() + 90 * 86400, invoice, {"from": parties.core})
        # the receiver contract holds fragments only as an active enterprise: onboard it (impersonated)
        web3.provider.make_request("anvil_setBalance", [receiver.address, hex(10**19)])
        onboard(accounts.at(receiver.address, force=True), "supplier")
        return Implementation(
            "receivables",
            receivables,
            parties.supplier,
            parties.supplier2,
            parties.producer,
            parties.stranger,
            receiver,
            mint,
            custom_error,
        )

    ReferenceERC3525 = request.getfixturevalue("ReferenceERC3525")
    reference = ReferenceERC3525.deploy({"from": accounts[0]})
    slots = {"next": 1}

    def mint(to, value):
        slots["next"] += 1
        return reference.mint(to, slots["next"] - 1, value, {"from": accounts[0]})

    return Implementation(
        "reference", reference, accounts[3], accounts[4], accounts[5], accounts[9], receiver, mint, custom_error
    )


# ---------------------------------------------------------------------------------------- metadata


def test_value_decimals_are_two(token):
    assert token.contract.valueDecimals() == 2


@pytest.mark.parametrize("interface_id", [ERC165, ERC721, ERC3525])
def test_supports_required_interfaces(token, interface_id):
    assert token.contract.supportsInterface(interface_id)


def test_does_not_support_invalid_interface(token):
    assert not token.contract.supportsInterface("0xffffffff")


# ---------------------------------------------------------------------------------------- minting


def test_mint_gives_token_with_value_and_slot(token):
    tx = token.mint_tx(token.alice, 5_000)
    token_id = tx.return_value
    slot = token.contract.slotOf(token_id)
    assert token.contract.ownerOf(token_id) == token.alice
    assert token.value_of(token_id) == 5_000
    assert token.tokens_of(token.alice) == 1
    assert standard_events(tx) == [
        ("Transfer", (ZERO_ADDRESS, token.alice, token_id)),
        ("SlotChanged", (token_id, 0, slot)),
        ("TransferValue", (0, token_id, 5_000)),
    ]


def test_each_mint_is_a_new_token(token):
    first = token.mint(token.alice, 1)
    second = token.mint(token.alice, 1)
    assert first != second
    assert token.tokens_of(token.alice) == 2


# ---------------------------------------------------------------------------------------- value transfers


def test_transfer_value_to_address_creates_token_of_same_slot(token):
    source = token.mint(token.alice, 5_000)
    tx = token.transfer_to_address(source, token.carol, 1_200, token.alice)
    new = tx.return_value
    slot = token.contract.slotOf(source)
    assert new not in (0, source)
    assert token.contract.ownerOf(new) == token.carol
    assert token.contract.slotOf(new) == slot
    assert token.value_of(source) == 3_800
    assert token.value_of(new) == 1_200
    assert token.tokens_of(token.carol) == 1
    assert standard_events(tx) == [
        ("Transfer", (ZERO_ADDRESS, token.carol, new)),
        ("SlotChanged", (new, 0, slot)),
        ("TransferValue", (0, new, 0)),  # the token is created empty ...
        ("TransferValue", (source, new, 1_200)),  # ... then receives the value
    ]


def test_transfer_value_to_token_of_same_slot(token):
    source = token.mint(token.alice, 5_000)
    target = token.transfer_to_address(source, token.bob, 1_000, token.alice).return_value
    tx = token.transfer_to_token(source, target, 700, token.alice)
    assert token.value_of(source) == 3_300
    assert token.value_of(target) == 1_700
    assert token.contract.ownerOf(target) == token.bob
    assert standard_events(tx) == [("TransferValue", (source, target, 700))]


def test_transfer_of_whole_value_leaves_empty_token(token):
    source = token.mint(token.alice, 5_000)
    token.transfer_to_address(source, token.bob, 5_000, token.alice)
    assert token.value_of(source) == 0
    assert token.contract.ownerOf(source) == token.alice


def test_cannot_transfer_more_value_than_token_holds(token):
    source = token.mint(token.alice, 5_000)
    with token.reverts(
        ("ReceivableInsufficientValue", source, 5_000, 5_001), "ERC3525: insufficient balance for transfer"
    ):
        token.transfer_to_address(source, token.bob, 5_001, token.alice)


def test_cannot_transfer_value_between_slots(token):
    source = token.mint(token.alice, 5_000)
    other = token.mint(token.bob, 5_000)
    with token.reverts(("ReceivableSlotMismatch", source, other), "ERC3525: transfer to token with different slot"):
        token.transfer_to_token(source, other, 1, token.alice)


def test_cannot_transfer_value_from_missing_token(token):
    with token.reverts(("ReceivableNonexistentToken", 999), "ERC3525: invalid token ID"):
        token.transfer_to_address(999, token.bob, 1, token.alice)


def test_cannot_transfer_value_to_missing_token(token):
    source = token.mint(token.alice, 5_000)
    missing = source + 1
    with token.reverts(("ReceivableNonexistentToken", missing), "ERC3525: transfer to invalid token ID"):
        token.transfer_to_token(source, missing, 1, token.alice)


def test_outsider_cannot_transfer_value(token):
    source = token.mint(token.alice, 5_000)
    with token.reverts(("ReceivableNotAuthorized", token.operator, source), "ERC3525: insufficient allowance"):
        token.transfer_to_address(source, token.bob, 1, token.operator)


# ---------------------------------------------------------------------------------------- value approvals


def test_approve_value_sets_allowance(token):
    source = token.mint(token.alice, 5_000)
    tx = token.approve_value(source, token.operator, 2_000, token.alice)
    assert token.contract.allowance(source, token.operator) == 2_000
    assert standard_events(tx) == [("ApprovalValue", (source, token.operator, 2_000))]


def test_outsider_cannot_approve_value(token):
    source = token.mint(token.alice, 5_000)
    with token.reverts(
        ("ReceivableNotAuthorized", token.operator, source), "ERC3525: approve caller is not owner nor approved"
    ):
        token.approve_value(source, token.bob, 1, token.operator)


def test_operator_spends_value_allowance(token):
    source = token.mint(token.alice, 5_000)
    token.approve_value(source, token.operator, 2_000, token.alice)
    tx = token.transfer_to_address(source, token.bob, 1_500, token.operator)
    new = tx.return_value
    assert token.contract.allowance(source, token.operator) == 500
    assert token.value_of(new) == 1_500
    assert token.contract.ownerOf(new) == token.bob
    assert ("ApprovalValue", (source, token.operator, 500)) in standard_events(tx)


def test_operator_cannot_exceed_value_allowance(token):
    source = token.mint(token.alice, 5_000)
    token.approve_value(source, token.operator, 2_000, token.alice)
    with token.reverts(
        ("ReceivableInsufficientAllowance", source, token.operator, 2_000, 2_001), "ERC3525: insufficient allowance"
    ):
        token.transfer_to_address(source, token.bob, 2_001, token.operator)


def test_value_allowance_does_not_allow_token_transfer(token):
    source = token.mint(token.alice, 5_000)
    token.approve_value(source, token.operator, 5_000, token.alice)
    with token.reverts(
        ("ReceivableNotAuthorized", token.operator, source), "ERC3525: transfer caller is not owner nor approved"
    ):
        token.transfer_token(token.alice, token.bob, source, token.operator)


def test_token_approval_allows_value_transfer(token):
    source = token.mint(token.alice, 5_000)
    token.approve_token(token.operator, source, token.alice)
    new = token.transfer_to_address(source, token.bob, 4_000, token.operator).return_value
    assert token.value_of(new) == 4_000
    assert token.contract.allowance(source, token.operator) == 0


def test_approval_for_all_allows_value_and_token_transfers(token):
    source = token.mint(token.alice, 5_000)
    tx = token.contract.setApprovalForAll(token.operator, True, {"from": token.alice})
    assert standard_events(tx) == [("ApprovalForAll", (token.alice, token.operator, True))]
    assert token.contract.isApprovedForAll(token.alice, token.operator)
    token.transfer_to_address(source, token.bob, 1_000, token.operator)
    token.transfer_token(token.alice, token.carol, source, token.operator)
    assert token.contract.ownerOf(source) == token.carol


def test_operator_approved_for_all_approves_value(token):
    source = token.mint(token.alice, 5_000)
    token.contract.setApprovalForAll(token.operator, True, {"from": token.alice})
    tx = token.approve_value(source, token.bob, 700, token.operator)
    assert token.contract.allowance(source, token.bob) == 700
    assert standard_events(tx) == [("ApprovalValue", (source, token.bob, 700))]


def test_token_approved_operator_approves_value(token):
    source = token.mint(token.alice, 5_000)
    token.approve_token(token.operator, source, token.alice)
    token.approve_value(source, token.bob, 300, token.operator)
    assert token.contract.allowance(source, token.bob) == 300


def test_a_second_value_approval_replaces_the_first(token):
    source = token.mint(token.alice, 5_000)
    token.approve_value(source, token.operator, 100, token.alice)
    token.approve_value(source, token.operator, 40, token.alice)
    assert token.contract.allowance(source, token.operator) == 40


def test_value_cannot_be_approved_to_the_holder(token):
    source = token.mint(token.alice, 5_000)
    with token.reverts(("ReceivableInvalidOperator", token.alice), "ERC3525: approval to current owner"):
        token.approve_value(source, token.alice, 1, token.alice)


def test_value_cannot_be_approved_to_the_zero_address(token):
    source = token.mint(token.alice, 5_000)
    with token.reverts(("ReceivableInvalidOperator", ZERO_ADDRESS), "ERC3525: approve value to the zero address"):
        token.approve_value(source, ZERO_ADDRESS, 1, token.alice)


# ---------------------------------------------------------------------------------------- ERC-721 surface


def test_approve_token_sets_approved_address(token):
    source = token.mint(token.alice, 5_000)
    tx = token.approve_token(token.operator, source, token.alice)
    assert token.contract.getApproved(source) == token.operator
    assert standard_events(tx) == [("Approval", (token.alice, token.operator, source))]


def test_token_transfer_moves_token_and_clears_approvals(token):
    source = token.mint(token.alice, 5_000)
    token.approve_token(token.operator, source, token.alice)
    token.approve_value(source, token.bob, 100, token.alice)
    tx = token.transfer_token(token.alice, token.carol, source, token.alice)
    assert token.contract.ownerOf(source) == token.carol
    assert token.value_of(source) == 5_000
    assert token.tokens_of(token.alice) == 0
    assert token.tokens_of(token.carol) == 1
    assert token.contract.getApproved(source) == ZERO_ADDRESS
    assert token.contract.allowance(source, token.bob) == 0
    assert ("Transfer", (token.alice, token.carol, source)) in standard_events(tx)


def test_operator_approved_for_all_approves_a_token(token):
    source = token.mint(token.alice, 5_000)
    token.contract.setApprovalForAll(token.operator, True, {"from": token.alice})
    tx = token.approve_token(token.bob, source, token.operator)
    assert token.contract.getApproved(source) == token.bob
    assert standard_events(tx) == [("Approval", (token.alice, token.bob, source))]


def test_a_token_cannot_be_approved_to_its_holder(token):
    source = token.mint(token.alice, 5_000)
    with token.reverts(("ReceivableInvalidOperator", token.alice), "ERC3525: approval to current owner"):
        token.approve_token(token.alice, source, token.alice)


def test_holder_cannot_approve_itself_for_all(token):
    with token.reverts(("ReceivableInvalidOperator", token.alice), "ERC3525: approve to caller"):
        token.contract.setApprovalForAll(token.alice, True, {"from": token.alice})


def test_token_approved_operator_transfers_the_token(token):
    source = token.mint(token.alice, 5_000)
    token.approve_token(token.operator, source, token.alice)
    token.transfer_token(token.alice, token.carol, source, token.operator)
    assert token.contract.ownerOf(source) == token.carol


def test_token_transfer_from_wrong_owner_reverts(token):
    source = token.mint(token.alice, 5_000)
    with token.reverts(
        ("ReceivableIncorrectOwner", token.bob, source, token.alice), "ERC3525: transfer from invalid owner"
    ):
        token.transfer_token(token.bob, token.carol, source, token.alice)


def test_balance_of_zero_address_reverts(token):
    with token.reverts(("ReceivableInvalidOwner", ZERO_ADDRESS), "ERC3525: balance query for the zero address"):
        token.tokens_of(ZERO_ADDRESS)


def test_owner_of_missing_token_reverts(token):
    with token.reverts(("ReceivableNonexistentToken", 999), "ERC3525: invalid token ID"):
        token.contract.ownerOf(999)


# ---------------------------------------------------------------------------------------- receivers


def test_safe_transfer_calls_erc721_receiver(token):
    source = token.mint(token.alice, 5_000)
    tx = token.contract.safeTransferFrom["address,address,uint256,bytes"](
        token.alice, token.receiver, source, b"memo", {"from": token.alice}
    )
    assert token.contract.ownerOf(source) == token.receiver
    assert tuple(tx.events["Received721"].values()) == (token.alice, token.alice, source, "0x" + b"memo".hex())


def test_safe_transfer_without_data_calls_erc721_receiver(token):
    source = token.mint(token.alice, 5_000)
    tx = token.contract.safeTransferFrom["address,address,uint256"](
        token.alice, token.receiver, source, {"from": token.alice}
    )
    assert tuple(tx.events["Received721"].values()) == (token.alice, token.alice, source, "0x")


def test_safe_transfer_rejected_by_receiver_reverts(token):
    source = token.mint(token.alice, 5_000)
    token.receiver.setMode(WRONG_ANSWER, {"from": brownie.accounts[0]})
    with token.reverts(("ReceivableInvalidReceiver", token.receiver), "ERC3525: transfer to non ERC721Receiver"):
        token.contract.safeTransferFrom["address,address,uint256"](
            token.alice, token.receiver, source, {"from": token.alice}
        )


def test_safe_transfer_passes_on_receiver_revert(token, custom_error):
    source = token.mint(token.alice, 5_000)
    token.receiver.setMode(REVERT, {"from": brownie.accounts[0]})
    with brownie.reverts(custom_error("ReceiverMockRejected")):
        token.contract.safeTransferFrom["address,address,uint256"](
            token.alice, token.receiver, source, {"from": token.alice}
        )


def test_value_transfer_to_contract_calls_erc3525_receiver(token):
    source = token.mint(token.alice, 5_000)
    tx = token.transfer_to_address(source, token.receiver, 1_000, token.alice)
    new = tx.return_value
    assert token.contract.ownerOf(new) == token.receiver
    assert tuple(tx.events["Received3525"].values()) == (token.alice, source, new, 1_000, "0x")


def test_value_transfer_to_contract_token_calls_erc3525_receiver(token):
    source = token.mint(token.alice, 5_000)
    target = token.transfer_to_address(source, token.receiver, 1_000, token.alice).return_value
    tx = token.transfer_to_token(source, target, 300, token.alice)
    assert tuple(tx.events["Received3525"].values()) == (token.alice, source, target, 300, "0x")
    assert token.value_of(target) == 1_300


def test_value_transfer_rejected_by_receiver_reverts(token):
    source = token.mint(token.alice, 5_000)
    token.receiver.setMode(WRONG_ANSWER, {"from": brownie.accounts[0]})
    with token.reverts(
        ("ReceivableInvalidReceiver", token.receiver), "ERC3525: transfer rejected by ERC3525Receiver"
    ):
        token.transfer_to_address(source, token.receiver, 1_000, token.alice)


def test_value_transfer_passes_on_receiver_revert(token, custom_error):
    source = token.mint(token.alice, 5_000)
    token.receiver.setMode(REVERT, {"from": brownie.accounts[0]})
    with brownie.reverts(custom_error("ReceiverMockRejected")):
        token.transfer_to_address(source, token.receiver, 1_000, token.alice)


def test_receiver_that_does_not_declare_the_interface_is_not_called(token):
    source = token.mint(token.alice, 5_000)
    token.receiver.setMode(UNDECLARED, {"from": brownie.accounts[0]})
    tx = token.transfer_to_address(source, token.receiver, 1_000, token.alice)
    assert "Received3525" not in tx.events
    assert token.value_of(tx.return_value) == 1_000
