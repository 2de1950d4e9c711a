"""Fixtures of the Receivables suites: the parties, a settlement token, the contract, and an issue
helper."""

import pytest


@pytest.fixture(scope="session")
def custom_error():
    """`custom_error(name, *args)` is the revert string brownie 1.22 reports for the custom error
    `name(args)`, to assert with `brownie.reverts(custom_error(...))`.

    Brownie decodes a custom error whose ABI it has seen (the errors of every project contract are
    registered when the project loads) into "Name: arg1, arg2", each argument as eth-abi decodes it
    (addresses in lower-case hex, bytesN as Python bytes, integers in decimal; "Name: " when there are
    none); an unknown selector comes out as "Unknown typed error: 0x<data>". The expected arguments
    are encoded with the error's ABI from this project and decoded back, so a wrong name, arity or type
    fails loudly here instead of silently comparing unequal strings.
    """
    import brownie
    from brownie.convert.utils import get_type_strings
    from faster_eth_abi import decode, encode  # what brownie decodes revert data with

    def error_abis(name):
        found = {}
        for project in brownie.project.get_loaded_projects():
            for container in project:
                for item in container.abi:
                    if item.get("type") == "error" and item["name"] == name:
                        found[tuple(get_type_strings(item["inputs"]))] = item
        return list(found.values())

    def plain(value):
        address = getattr(value, "address", None)  # brownie accounts and contracts
        return str(address) if address is not None else value

    def _custom_error(name, *args):
        abis = [abi for abi in error_abis(name) if len(abi["inputs"]) == len(args)]
        if len(abis) != 1:
            raise LookupError(f"{len(abis)} errors named {name} with {len(args)} arguments in the project")
        types = get_type_strings(abis[0]["inputs"])
        values = decode(types, encode(types, [plain(a) for a in args]))
        return f"{name}: {', '.join(str(v) for v in values)}"

    return _custom_error


DAY = 24 * 3600
FACE = 1_000_000  # 10,000.00 CNY in fen


@pytest.fixture(scope="module")
def parties(accounts, onboard, registry):
    """The enterprises of the receivables suites, onboarded once per module.

    core/core2: core enterprises (debtors); supplier/supplier2: suppliers (creditors, holders);
    financier/financier2: banks; regulator; producer: an active enterprise with no receivables role;
    operator: an operator account of `supplier`; core_operator: an operator account of `core`;
    stranger: no enterprise at all.
    """
    from types import SimpleNamespace

    extra = [accounts.add() for _ in range(4)]
    for account in extra:
        accounts[0].transfer(account, "10 ether")
    p = SimpleNamespace(
        core=onboard(accounts[3], "core_enterprise"),
        supplier=onboard(accounts[4], "supplier"),
        supplier2=onboard(accounts[5], "supplier"),
        financier=onboard(accounts[6], "financier"),
        regulator=onboard(accounts[7], "regulator"),
        core2=onboard(extra[0], "core_enterprise"),
        financier2=onboard(extra[1], "financier"),
        producer=onboard(extra[2], "producer"),
        operator=accounts[8],
        core_operator=extra[3],
        stranger=accounts[9],
    )
    for enterprise, operator in ((p.supplier, p.operator), (p.core, p.core_operator)):
        registry.addOperator(operator, {"from": enterprise})
        registry.acceptOperator(enterprise, {"from": operator})
    return p


@pytest.fixture(scope="module")
def settlement_token(SettlementTokenMock, accounts):
    return SettlementTokenMock.deploy({"from": accounts[0]})


@pytest.fixture(scope="module")
def receivables(Receivables, registry, settlement_token, accounts):
    """Receivables settling in `settlement_token`."""
    return Receivables.deploy(registry, settlement_token, {"from": accounts[0]})


@pytest.fixture(scope="module")
def issue(receivables, parties, chain):
    """`issue(creditor=supplier, face=FACE, due_in=90 days, invoice=<fresh>, sender=core)` issues a
    receivable and returns its first fragment's id."""
    counter = {"n": 0}

    def _issue(creditor=None, face=FACE, due_in=90 * DAY, invoice=None, sender=None, currency=b"CNY"):
        counter["n"] += 1
        if invoice is None:
            invoice = counter["n"].to_bytes(4, "big") * 8
        tx = receivables.issue(
            creditor or parties.supplier, face, currency, chain.time() + due_in, invoice, {"from": sender or parties.core}
        )
        return tx.return_value

    return _issue


@pytest.fixture(scope="session")
def key_of():
    """`key_of(account)`: the private key (bytes) of a test account. Accounts added by brownie carry it;
    Anvil's ten funded accounts are the public development keys."""
    from shanglian import devkeys

    def _key_of(account):
        key = getattr(account, "private_key", None)
        if key is None:
            key = devkeys.key(devkeys.addresses().index(account.address))
        return bytes.fromhex(str(key).removeprefix("0x"))

    return _key_of


@pytest.fixture(scope="module")
def publish_key(receivables, key_of):
    """`publish_key(account)`: the account publishes its own encryption key."""
    from shanglian.confidential import public_key_of

    def _publish_key(account):
        return receivables.publishEncryptionKey(public_key_of(key_of(account)), {"from": account})

    return _publish_key


@pytest.fixture(scope="module")
def keyed(parties, publish_key):
    """The suppliers and financiers published their encryption keys (they may hold confidential fragments)."""
    for account in (parties.supplier, parties.supplier2, parties.financier, parties.financier2):
        publish_key(account)
    return parties


@pytest.fixture(scope="module")
def issue_confidential(receivables, keyed, chain, key_of):
    """`issue_confidential(creditor=supplier, face=FACE, due_in=90 days, number=<fresh>, sender=core)` issues a
    confidential receivable sealed to the creditor; returns (first fragment id, its InvoiceDocument)."""
    from shanglian.confidential import InvoiceDocument, invoice_key, public_key_of, seal

    counter = {"n": 0}

    def _issue_confidential(creditor=None, face=FACE, due_in=90 * DAY, number=None, sender=None):
        counter["n"] += 1
        creditor = creditor or keyed.supplier
        document = InvoiceDocument(
            number or f"INV-{counter['n']:06d}", "2026-01-02", face, "CNY", chain.time() + due_in
        )
        envelope = seal({"k": "i", "d": document.to_payload()}, [public_key_of(key_of(creditor))])
        tx = receivables.issueConfidential(
            creditor,
            document.due,
            invoice_key(b"test issuer secret", document.invoice_number),
            document.root,
            envelope,
            {"from": sender or keyed.core},
        )
        return tx.return_value, document

    return _issue_confidential
