"""Receivables through the SDK on the embedded chain: the story's moves read back from the chain,
amounts are yuan at the edges and fen inside, the contract's refusals arrive as named errors, and bad
input is refused before anything is sent, naming the field.

The module deploys the suite and onboards the parties once; each test runs on a snapshot that is
reverted after it (the chain's clock included).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import sender
from eth_hash.auto import keccak

from shanglian import artifacts, chaintime, demo, deploy
from shanglian.errors import ContractError, InputError
from shanglian.network import Chain, connect
from shanglian.receivables import (
    Receivables,
    check_token,
    format_yuan,
    lineage_lines,
    to_fen,
    to_yuan,
    token_id,
)
from shanglian.registry import Registry
from shanglian.transactions import Transactor

LATER = (dt.date.today() + dt.timedelta(days=1000)).isoformat()  # licences outlive any time travel here
# Who signs with which development key (the demo's cast and keys).
PARTIES = {"core": 7, "supplier": 8, "bank": 9, "sub_supplier": 10, "regulator": 12}
INVOICE = "INV-2024-0001"
ROOT = Path(__file__).resolve().parents[2]


def onboard(chain: Chain, suite: deploy.Suite, parties: dict[str, int]) -> dict[str, str]:
    """Onboards demo cast members signing with the given development keys; their addresses."""
    admins = [sender(chain, i) for i in demo.ADMIN_KEYS]
    addresses = {}
    for who, key in parties.items():
        member = demo.CAST[who]
        party = sender(chain, key)
        if chain.w3.eth.get_balance(party.address) < 10**18:
            admins[0].transfer(party.address, 10**20)
        Registry(chain, suite.registry, party).apply(
            member.name, demo.credit_code(member), int(member.roles), "licence", LATER
        )
        for admin in admins[: demo.THRESHOLD]:
            Registry(chain, suite.registry, admin).approve(party.address)
        addresses[who] = party.address
    return addresses


def settlement_token_artifact() -> dict:
    """The test-only ERC-20 (contracts/test/SettlementTokenMock.sol): brownie's build if present,
    otherwise compiled with the pinned compiler."""
    built = ROOT / "build" / "contracts" / "SettlementTokenMock.json"
    if built.exists():
        data = json.loads(built.read_text())
        return {"abi": data["abi"], "bytecode": "0x" + data["bytecode"].removeprefix("0x")}
    from shanglian import compiler

    compiled = compiler.compile_contracts({"contracts/test/SettlementTokenMock.sol": "SettlementTokenMock"})
    return compiled["SettlementTokenMock"]


def deploy_contract(chain: Chain, by: Transactor, abi: list, bytecode: str, *args):
    factory = chain.w3.eth.contract(abi=abi, bytecode=bytecode)
    receipt = by.deploy(bytecode, factory.constructor(*args))
    return chain.w3.eth.contract(address=receipt["contractAddress"], abi=abi)


@dataclass
class World:
    chain: Chain
    suite: deploy.Suite
    parties: dict[str, str]
    token: object  # the settlement ERC-20
    paying: object  # a second Receivables contract on the same registry that settles through `token`

    def sdk(self, who: str | None = None, contract=None) -> Receivables:
        """The SDK signing as `who` (None: read only), with a fresh nonce count."""
        signer = None if who is None else sender(self.chain, PARTIES[who])
        return Receivables(self.chain, contract or self.suite["Receivables"], signer)

    def nonce(self, who: str) -> int:
        return self.chain.w3.eth.get_transaction_count(self.parties[who])

    def due(self, days: int = 90) -> str:
        return (chaintime.today(self.chain) + dt.timedelta(days=days)).isoformat()

    def mature(self, token: int, contract=None) -> None:
        chaintime.travel_to(self.chain, self.sdk(None, contract).obligation(token // 10**7).due + 1)

    def issue(self, amount="1000000", invoice=INVOICE, contract=None) -> int:
        return self.sdk("core", contract).issue(self.parties["supplier"], amount, self.due(), invoice)


@pytest.fixture(scope="module")
def world_once():
    chain = connect("embedded")
    admins = [sender(chain, i).address for i in demo.ADMIN_KEYS]
    suite = deploy.deploy_suite(
        chain, sender(chain, 0), deploy.DeployOptions(admins, demo.THRESHOLD), manifest=deploy.Manifest(None)
    )
    parties = onboard(chain, suite, PARTIES)
    minter = sender(chain, 0)
    mock = settlement_token_artifact()
    token = deploy_contract(chain, minter, mock["abi"], mock["bytecode"])
    receivables = artifacts.load("Receivables")
    paying = deploy_contract(
        chain, minter, receivables["abi"], receivables["bytecode"], suite.registry.address, token.address
    )
    minter.send(token.functions.mint(parties["core"], to_fen("2000000")))
    return World(chain, suite, parties, token, paying)


@pytest.fixture
def world(world_once):
    w3 = world_once.chain.w3
    snapshot = w3.testing.snapshot()
    yield world_once
    w3.testing.revert(snapshot)


# -- units ------------------------------------------------------------------------------------------


def test_yuan_with_thousands_separators_becomes_fen():
    assert to_fen("1,000,000.00") == 100_000_000
    assert to_fen("¥300,000") == to_fen(Decimal("300000")) == 30_000_000


def test_a_thousandth_of_a_yuan_is_refused_naming_the_amount():
    with pytest.raises(InputError) as err:
        to_fen("0.001")
    assert err.value.field == "amount" and "two decimals" in err.value.reason


def test_a_float_amount_is_refused_so_no_fen_is_lost_to_binary_fractions():
    with pytest.raises(InputError) as err:
        to_fen(0.1, "price")  # type: ignore[arg-type]
    assert err.value.field == "price"


def test_fen_read_back_as_yuan_with_two_decimals_and_formatted_with_separators():
    assert to_yuan(100_000_000) == Decimal("1000000.00")
    assert format_yuan(to_yuan(100_000_000)) == "¥1,000,000.00"
    assert format_yuan(30_000_001) == "¥300,000.01"


@pytest.mark.parametrize("value", ["0", "5", "10000000", "-10000001", "abc", "1.5"])
def test_a_token_id_must_be_slot_times_ten_million_plus_a_fragment_number(value):
    with pytest.raises(InputError) as err:
        check_token(value)
    assert err.value.field == "token"


# -- issue ------------------------------------------------------------------------------------------


def test_issue_returns_the_first_fragment_of_a_new_receivable_with_its_obligation(world):
    due = world.due(90)
    token = world.sdk("core").issue(world.parties["supplier"], "1,000,000.00", due, INVOICE)
    assert token == token_id(1, 1) == 10_000_001
    o = world.sdk().obligation(1)
    assert (o.debtor, o.creditor, o.currency) == (world.parties["core"], world.parties["supplier"], "CNY")
    assert (o.face_value, o.due_date.isoformat(), o.fragments) == (Decimal("1000000.00"), due, 1)
    assert o.invoice_hash == "0x" + keccak(INVOICE.encode()).hex()
    assert (o.debtor_name, o.creditor_name) == (demo.CAST["core"].name, demo.CAST["supplier"].name)


def test_issued_value_is_stored_in_fen(world):
    token = world.issue("1,000,000.00")
    assert world.suite["Receivables"].functions.balanceOf(token).call() == 100_000_000


def test_issuing_the_same_invoice_again_is_receivable_invoice_used(world):
    world.issue()
    with pytest.raises(ContractError) as err:
        world.issue("5")
    assert err.value.name == "ReceivableInvoiceUsed"
    assert err.value.args_by_name["slot"] == 1


def test_issue_to_a_financier_is_the_contracts_invalid_creditor(world):
    with pytest.raises(ContractError) as err:
        world.sdk("core").issue(world.parties["bank"], "100", world.due(), "INV-X")
    assert err.value.name == "ReceivableInvalidCreditor"


# -- split and financing ----------------------------------------------------------------------------


def test_split_creates_a_child_fragment_and_keeps_the_total(world):
    token = world.issue()
    child = world.sdk("supplier").split(token, world.parties["sub_supplier"], "300,000")
    parent, piece = world.sdk().show(token).fragment, world.sdk().show(child).fragment
    assert child == 10_000_002 and piece.parent == token
    assert (parent.value, piece.value) == (Decimal("700000.00"), Decimal("300000.00"))
    assert piece.holder == world.parties["sub_supplier"]
    assert piece.holder_name == demo.CAST["sub_supplier"].name


def test_offer_then_accept_makes_the_financier_the_holder_with_the_financing_facts(world):
    token = world.issue()
    child = world.sdk("supplier").split(token, world.parties["sub_supplier"], "300000")
    world.sdk("sub_supplier").offer(child, world.parties["bank"], "291,000")
    offered = world.sdk().show(child).fragment
    assert (offered.offered, offered.financier, offered.offer_price) == (
        True,
        world.parties["bank"],
        Decimal("291000.00"),
    )
    world.sdk("bank").accept(child, "ZSB-PAY-0001", "291,000")
    financed = world.sdk().show(child).fragment
    assert (financed.holder, financed.financed, financed.offered) == (world.parties["bank"], True, False)
    assert financed.financing is not None
    assert (financed.financing.seller, financed.financing.price) == (
        world.parties["sub_supplier"],
        Decimal("291000.00"),
    )
    assert financed.financing.payment_reference == "0x" + keccak("ZSB-PAY-0001".encode()).hex()


def test_a_withdrawn_offer_can_no_longer_be_accepted(world):
    token = world.issue()
    world.sdk("supplier").offer(token, world.parties["bank"], "990000")
    world.sdk("supplier").withdraw(token)
    assert world.sdk().show(token).fragment.offered is False
    with pytest.raises(ContractError) as err:
        world.sdk("bank").accept(token, "ZSB-PAY-0002", "990000")
    assert err.value.name == "ReceivableNotOffered"


def test_an_offer_changed_after_the_financier_read_it_is_not_accepted(world):
    token = world.issue()
    world.sdk("supplier").offer(token, world.parties["bank"], "990000")
    world.sdk("supplier").withdraw(token)
    world.sdk("supplier").offer(token, world.parties["bank"], "999000")
    with pytest.raises(ContractError) as err:
        world.sdk("bank").accept(token, "ZSB-PAY-0004", "990000")
    assert err.value.name == "ReceivablePriceChanged"
    assert world.sdk().show(token).fragment.holder == world.parties["supplier"]


# -- settlement and overdue -------------------------------------------------------------------------


def test_confirming_payment_before_maturity_is_receivable_not_matured(world):
    token = world.issue()
    with pytest.raises(ContractError) as err:
        world.sdk("supplier").confirm_payment(token)
    assert err.value.name == "ReceivableNotMatured"


def test_holder_confirms_payment_after_maturity_and_the_fragment_is_settled(world):
    token = world.issue()
    world.mature(token)
    world.sdk("supplier").confirm_payment(token)
    shown = world.sdk().show(token)
    assert shown.fragment.settled and shown.obligation.settled_value == Decimal("1000000.00")


def test_settling_a_fragment_twice_is_receivable_already_settled(world):
    token = world.issue()
    world.mature(token)
    world.sdk("supplier").confirm_payment(token)
    with pytest.raises(ContractError) as err:
        world.sdk("supplier").confirm_payment(token)
    assert err.value.name == "ReceivableAlreadySettled"
    assert err.value.args_by_name == {"tokenId": token}


def test_unsettled_fragment_reads_overdue_after_its_due_date(world):
    token = world.issue()
    assert world.sdk().show(token).overdue is False
    chaintime.travel_to(world.chain, world.sdk().obligation(1).due + 3 * chaintime.DAY)
    shown = world.sdk().show(token)
    assert shown.overdue and shown.fragment.overdue and shown.days_overdue == 3
    assert world.suite["Receivables"].functions.overdue(token).call() is True


def test_settled_fragment_is_no_longer_overdue(world):
    token = world.issue()
    world.mature(token)
    world.sdk("supplier").confirm_payment(token)
    assert world.sdk().show(token).overdue is False
    assert world.sdk().show(token).fragment.flags == ["settled"]


def test_debtor_settles_through_the_token_and_the_shortfall_is_approved_first(world):
    token = world.issue("1000", contract=world.paying)
    world.mature(token, world.paying)
    before = world.token.functions.balanceOf(world.parties["supplier"]).call()
    world.sdk("core", world.paying).settle(token)
    assert world.token.functions.balanceOf(world.parties["supplier"]).call() - before == 100_000
    assert world.token.functions.allowance(world.parties["core"], world.paying.address).call() == 0
    assert world.sdk(contract=world.paying).show(token).fragment.settled


def test_settle_without_approving_refuses_a_short_allowance_and_sends_nothing(world):
    token = world.issue("1000", contract=world.paying)
    world.mature(token, world.paying)
    nonce = world.nonce("core")
    with pytest.raises(ContractError) as err:
        world.sdk("core", world.paying).settle(token, approve=False)
    assert err.value.name == "ERC20InsufficientAllowance"
    assert world.nonce("core") == nonce


def test_approve_settlement_covers_several_fragments_with_one_approval(world):
    token = world.issue("1000", contract=world.paying)
    child = world.sdk("supplier", world.paying).split(token, world.parties["sub_supplier"], "400")
    world.mature(token, world.paying)
    core = world.sdk("core", world.paying)
    core.approve_settlement("1000")
    nonce = world.nonce("core")
    core.settle(token, approve=False)
    core.settle(child, approve=False)
    assert world.nonce("core") == nonce + 2  # no approval in between
    assert world.token.functions.balanceOf(world.parties["sub_supplier"]).call() == 40_000


def test_settle_beyond_the_debtors_balance_is_refused_before_sending(world):
    token = world.issue("3,000,000", contract=world.paying)  # the debtor holds ¥2,000,000
    world.mature(token, world.paying)
    nonce = world.nonce("core")
    with pytest.raises(ContractError) as err:
        world.sdk("core", world.paying).settle(token)
    assert err.value.name == "ERC20InsufficientBalance"
    assert world.nonce("core") == nonce


def test_settle_without_a_settlement_token_is_receivable_no_settlement_token(world):
    token = world.issue()
    world.mature(token)
    with pytest.raises(ContractError) as err:
        world.sdk("core").settle(token)
    assert err.value.name == "ReceivableNoSettlementToken"


# -- regulator --------------------------------------------------------------------------------------


def test_frozen_receivable_cannot_be_split_until_unfrozen(world):
    token = world.issue()
    world.sdk("regulator").freeze(slot=1)
    assert world.sdk().obligation(1).frozen
    with pytest.raises(ContractError) as err:
        world.sdk("supplier").split(token, world.parties["sub_supplier"], "1")
    assert err.value.name == "ReceivableSlotFrozen"
    world.sdk("regulator").unfreeze(slot=1)
    assert world.sdk("supplier").split(token, world.parties["sub_supplier"], "1") == 10_000_002


def test_regulator_freezes_one_fragment(world):
    token = world.issue()
    world.sdk("regulator").freeze(token)
    assert world.sdk().show(token).fragment.frozen
    with pytest.raises(ContractError) as err:
        world.sdk("supplier").offer(token, world.parties["bank"], "1")
    assert err.value.name == "ReceivableFrozen"


def test_only_a_regulator_freezes(world):
    world.issue()
    with pytest.raises(ContractError) as err:
        world.sdk("core").freeze(slot=1)
    assert err.value.name == "ReceivableNotRegulator"


# -- lineage and listings ---------------------------------------------------------------------------


def _three_level_tree(world) -> tuple[int, int, int, int]:
    """10000001 → (10000002 → 10000004, 10000003)."""
    root = world.issue()
    a = world.sdk("supplier").split(root, world.parties["sub_supplier"], "300000")
    b = world.sdk("supplier").split(root, world.parties["sub_supplier"], "100000")
    c = world.sdk("sub_supplier").split(a, world.parties["supplier"], "50000")
    return root, a, b, c


def test_lineage_of_a_receivable_is_its_split_tree(world):
    root, a, b, c = _three_level_tree(world)
    tree = world.sdk().lineage(slot=1).root
    assert tree.fragment.token == root
    assert [child.fragment.token for child in tree.children] == [a, b]
    assert [grandchild.fragment.token for grandchild in tree.children[0].children] == [c]
    assert sum(node.fragment.value for node in tree.walk()) == Decimal("1000000.00")


def test_lineage_of_a_fragment_is_its_subtree_with_the_path_above_it(world):
    root, a, _, c = _three_level_tree(world)
    lineage = world.sdk().lineage(c)
    assert lineage.root.tokens == [c]
    assert [f.token for f in lineage.ancestors] == [root, a]


def test_lineage_prints_as_a_tree_with_names_and_amounts(world):
    root, a, _, _ = _three_level_tree(world)
    lines = lineage_lines(world.sdk().lineage(slot=1))
    assert lines[0].startswith("receivable 1: " + demo.CAST["core"].name)
    assert any(line.startswith("└── ") and str(root) in line and "¥600,000.00" in line for line in lines)
    assert any("├── " in line and str(a) in line and demo.CAST["sub_supplier"].name in line for line in lines)


def test_holder_listing_shows_what_it_holds_now(world):
    root, a, _, _ = _three_level_tree(world)
    world.sdk("sub_supplier").offer(a, world.parties["bank"], "240000")
    world.sdk("bank").accept(a, "ZSB-PAY-0003", "240000")
    assert [f.token for f in world.sdk().list(world.parties["bank"])] == [a]
    assert [f.token for f in world.sdk().list(world.parties["sub_supplier"])] == [10_000_003]


def test_listing_without_a_holder_shows_every_fragment_and_can_leave_out_settled_ones(world):
    root, a, b, c = _three_level_tree(world)
    world.mature(root)
    world.sdk("supplier").confirm_payment(root)
    assert [f.token for f in world.sdk().list()] == [root, a, b, c]
    assert [f.token for f in world.sdk().list(include_settled=False)] == [a, b, c]


# -- bad input: the field is named, nothing is sent -------------------------------------------------

BAD_INPUT = [
    ("creditor", "core", lambda w: w.sdk("core").issue("0x1234", "1", w.due(), "INV-B")),
    ("amount", "core", lambda w: w.sdk("core").issue(w.parties["supplier"], "0", w.due(), "INV-B")),
    ("amount", "core", lambda w: w.sdk("core").issue(w.parties["supplier"], "-5", w.due(), "INV-B")),
    ("amount", "core", lambda w: w.sdk("core").issue(w.parties["supplier"], "0.001", w.due(), "INV-B")),
    ("amount", "core", lambda w: w.sdk("core").issue(w.parties["supplier"], "十万", w.due(), "INV-B")),
    ("amount", "core", lambda w: w.sdk("core").issue(w.parties["supplier"], str(2**64), w.due(), "INV-B")),
    ("due", "core", lambda w: w.sdk("core").issue(w.parties["supplier"], "1", "2020-01-01", "INV-B")),
    ("due", "core", lambda w: w.sdk("core").issue(w.parties["supplier"], "1", "31/12/2030", "INV-B")),
    ("invoice", "core", lambda w: w.sdk("core").issue(w.parties["supplier"], "1", w.due(), "  ")),
    ("currency", "core", lambda w: w.sdk("core").issue(w.parties["supplier"], "1", w.due(), "INV-B", "cny")),
    ("token", "supplier", lambda w: w.sdk("supplier").split("abc", w.parties["sub_supplier"], "1")),
    ("token", "supplier", lambda w: w.sdk("supplier").split(990_000_001, w.parties["sub_supplier"], "1")),
    ("to", "supplier", lambda w: w.sdk("supplier").split(10_000_001, "bank", "1")),
    (
        "amount",
        "supplier",
        lambda w: w.sdk("supplier").split(10_000_001, w.parties["sub_supplier"], "2,000,000"),
    ),
    ("financier", "supplier", lambda w: w.sdk("supplier").offer(10_000_001, "0xZZ", "1")),
    ("price", "supplier", lambda w: w.sdk("supplier").offer(10_000_001, w.parties["bank"], "0")),
    ("price", "supplier", lambda w: w.sdk("supplier").offer(10_000_001, w.parties["bank"], "1000000.01")),
    ("token", "supplier", lambda w: w.sdk("supplier").withdraw(10_000_009)),
    ("payment_reference", "bank", lambda w: w.sdk("bank").accept(10_000_001, "", "1")),
    ("price", "bank", lambda w: w.sdk("bank").accept(10_000_001, "ref", "0")),
    ("token", "supplier", lambda w: w.sdk("supplier").confirm_payment(20_000_001)),
    ("token", "core", lambda w: w.sdk("core").settle(0)),
    ("token", "regulator", lambda w: w.sdk("regulator").freeze()),
    ("slot", "regulator", lambda w: w.sdk("regulator").freeze(slot=7)),
    ("slot", "regulator", lambda w: w.sdk("regulator").unfreeze(10_000_001, slot=1)),
]


@pytest.mark.parametrize(
    "field,who,action", BAD_INPUT, ids=[f"{field}-{n}" for n, (field, _, _) in enumerate(BAD_INPUT)]
)
def test_bad_input_names_its_field_and_sends_nothing(world, field, who, action):
    world.issue()
    nonce, block = world.nonce(who), world.chain.w3.eth.block_number
    with pytest.raises(InputError) as err:
        action(world)
    assert err.value.field == field
    assert (world.nonce(who), world.chain.w3.eth.block_number) == (nonce, block)


@pytest.mark.parametrize("read", ["show", "lineage"])
def test_reading_an_unknown_fragment_names_the_token(world, read):
    with pytest.raises(InputError) as err:
        getattr(world.sdk(), read)(10_000_001)
    assert err.value.field == "token" and "10000001" in err.value.reason


def test_a_read_only_sdk_refuses_to_send_naming_the_account(world):
    with pytest.raises(InputError) as err:
        world.sdk().issue(world.parties["supplier"], "1", world.due(), "INV-R")
    assert err.value.field == "account"
