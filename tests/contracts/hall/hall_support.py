"""What the service-hall suites share: the parties, test digests, and the access-matrix runner."""

from dataclasses import dataclass
from typing import Callable

from eth_utils import keccak

# Every party of the hall suites: name -> roles (None: never onboarded). "filer_operator" is an
# operator account of "filer"; "suspended" holds every role the hall checks but is suspended;
# "stranger" is nobody.
HALL_PARTIES = {
    "filer": ("producer",),
    "filer_operator": None,
    "buyer": ("retailer",),
    "printer": ("processor",),
    "other": ("supplier",),
    "notary": ("notary",),
    "notary2": ("notary",),
    "regulator": ("regulator",),
    "regulator2": ("regulator",),
    "suspended": ("producer", "retailer", "regulator", "notary"),
    "stranger": None,
}
ENTERPRISES = frozenset(HALL_PARTIES) - {"suspended", "stranger"}  # filer_operator acts for filer
ANNOTATORS = frozenset({"notary", "notary2", "regulator", "regulator2"})
SHA256, SM3 = 0, 1
YEAR = 365 * 24 * 3600


def digest(label):
    """A document digest for the tests: 32 bytes, as costly in calldata as a real digest's."""
    return keccak(text=f"shanglian hall document {label}")


def enterprise_of(hall, who):
    """The enterprise a party acts for."""
    return hall.filer if who == "filer_operator" else getattr(hall, who)


@dataclass(frozen=True)
class Case:
    """One column of an access matrix."""

    act: Callable  # (contract, world, hall, who) -> tx
    allowed: frozenset
    refusal: Callable  # (world, hall, who) -> (error name, *arguments)
    event: tuple  # (event name, field naming the acting enterprise, or None)


def run_case(case, contract, world, hall, who, reverts_with):
    """Allowed parties succeed and the event names the enterprise they act for; everyone else is
    refused with the case's custom error and its arguments."""
    if who in case.allowed:
        tx = case.act(contract, world, hall, who)
        event, field = case.event
        assert event in tx.events
        if field is not None:
            assert tx.events[event][field] == enterprise_of(hall, who)
    else:
        with reverts_with(*case.refusal(world, hall, who)):
            case.act(contract, world, hall, who)


def mutators(abi):
    """Names of the state-changing functions of an ABI."""
    return {item["name"] for item in abi if item["type"] == "function" and item["stateMutability"] not in ("view", "pure")}


def plain(value):
    """A contract's return value or event data as plain Python (brownie's own types compare strictly):
    tuples for structs and arrays, str for addresses, bytes for fixed bytes, int and bool."""
    if isinstance(value, (list, tuple)):
        return tuple(plain(item) for item in value)
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, bytes):
        return bytes(value)
    if isinstance(value, str):
        return str(value)
    return value


def choose(pick, likely, anyone):
    """For the state machines: three picks in four from `likely` (the parties or records a call is
    meant for, when there are any), else from `anyone`, so runs reach the successful paths as often
    as the refusals."""
    if likely and pick % 4:
        return likely[pick // 4 % len(likely)]
    return anyone[pick % len(anyone)] if anyone else None


def expect(reverts_with, error, call):
    """Runs `call`; with an expected error, asserts it reverts with exactly that error (and returns None)."""
    if error is None:
        return call()
    with reverts_with(*error):
        call()
    return None
