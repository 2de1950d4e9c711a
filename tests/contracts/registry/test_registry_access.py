"""EnterpriseRegistry access-control matrix (DESIGN §5).

Every state-changing function x every kind of caller: an enterprise holding each of the 11 roles
(none of them an admin), a consortium admin, an operator, and a stranger. The allowed callers
succeed and emit the function's event; every other caller reverts with the named custom error.
Each call is made with arguments that would succeed for an allowed caller, so a refusal can only
come from who is calling.
"""

from dataclasses import dataclass
from types import SimpleNamespace
from typing import Callable

import pytest
from brownie import ZERO_ADDRESS, chain

from shanglian.registry import ImportPlan, ImportRow
from shanglian.roles import Role, Status

ROLE_CALLERS = [role.name.lower() for role in Role]
CALLERS = [*ROLE_CALLERS, "admin", "operator", "offered", "stranger"]
LICENCE = b"\x11" * 32
YEAR = 365 * 24 * 3600


@dataclass(frozen=True)
class Rule:
    """Who may call a function, with what arguments, and how everybody else is refused."""

    args: Callable  # (world, caller kind) -> call arguments
    allowed: frozenset
    event: str  # emitted by an allowed call
    refusal: Callable  # (world, caller kind, caller) -> (error name, *error arguments)


def not_admin(world, who, caller):
    return ("RegistryNotAdmin", caller)


def admin_only(args, event="ProposalVoted"):
    return Rule(args, frozenset({"admin"}), event, not_admin)


def has_record(world, who, caller):
    return ("RegistryWrongStatus", caller, Status.OPERATOR if who == "operator" else Status.ACTIVE)


def not_their_operator(world, who, caller):
    return ("RegistryNotOperator", caller, world.operator_of["producer"])


def not_active(world, who, caller):
    return ("RegistryNotActive", caller)


def not_an_operator(world, who, caller):
    return ("RegistryNotOperator", ZERO_ADDRESS, caller)


def no_offer(world, who, caller):
    return ("RegistryNoOperatorOffer", world.enterprise["producer"], caller)


RULES = {
    # -- enterprise self-service
    # Anyone without a record may apply (an admin account too, and an account merely offered as an
    # operator); an enterprise already has one, and an operator's record marks it as acting for one.
    "applyToJoin": Rule(
        lambda w, who: ("new member", w.free_code, int(Role.RETAILER), LICENCE, w.expiry, ""),
        frozenset({"admin", "stranger", "offered"}),
        "EnterpriseApplied",
        has_record,
    ),
    # Any active enterprise, whatever its role, offers operators; only the offered account accepts.
    "addOperator": Rule(
        lambda w, who: (w.free_operator,), frozenset(ROLE_CALLERS), "OperatorOffered", not_active
    ),
    "acceptOperator": Rule(
        lambda w, who: (w.enterprise["producer"],), frozenset({"offered"}), "OperatorAdded", no_offer
    ),
    "resignOperator": Rule(lambda w, who: (), frozenset({"operator"}), "OperatorRemoved", not_an_operator),
    "removeOperator": Rule(
        lambda w, who: (w.operator_of.get(who, w.operator_of["producer"]),),
        frozenset(ROLE_CALLERS),
        "OperatorRemoved",
        not_their_operator,
    ),
    # -- governed: an admin's call is a vote
    "approve": admin_only(lambda w, who: (w.applicant, int(Role.PRODUCER))),
    "reject": admin_only(lambda w, who: (w.applicant,)),
    "setRoles": admin_only(lambda w, who: (w.active, int(Role.RETAILER | Role.LOGISTICS))),
    "reinstate": admin_only(lambda w, who: (w.suspended,)),
    "revoke": admin_only(lambda w, who: (w.active,)),
    "renewLicence": admin_only(lambda w, who: (w.active, LICENCE, w.expiry)),
    "addAdmin": admin_only(lambda w, who: (w.candidate,)),
    "removeAdmin": admin_only(lambda w, who: (w.admins[2],)),
    "setThreshold": admin_only(lambda w, who: (3,)),
    "approveImport": admin_only(lambda w, who: (w.unapproved_root, 4)),
    "assignPrefix": admin_only(lambda w, who: (w.active, 6901234, 7)),
    "revokePrefix": admin_only(lambda w, who: (6923456, 7)),
    # -- any single admin
    "suspend": admin_only(lambda w, who: (w.active,), "EnterpriseSuspended"),
    "clearOperator": admin_only(lambda w, who: (w.stale_operator,), "OperatorRemoved"),
    "importChunk": admin_only(
        lambda w, who: (w.plan.root, 0, w.plan.chunks[0], w.plan.proof(0)), "ImportChunkApplied"
    ),
}

CASES = [(function, who) for function in RULES for who in CALLERS]
ALLOWED = [case for case in CASES if case[1] in RULES[case[0]].allowed]
REFUSED = [case for case in CASES if case[1] not in RULES[case[0]].allowed]


@pytest.fixture(scope="module")
def world(registry, admins, onboard, new_account, credit_code, govern, bind_operator, assign_prefix):
    w = SimpleNamespace(admins=admins, expiry=chain.time() + 5 * YEAR)
    w.enterprise = {role: onboard(new_account(f"matrix {role}"), role) for role in ROLE_CALLERS}
    w.operator_of = {}
    for role, account in w.enterprise.items():
        w.operator_of[role] = new_account(f"matrix operator of {role}")
        bind_operator(account, w.operator_of[role])
    w.offered = new_account("matrix offered operator")
    registry.addOperator(w.offered, {"from": w.enterprise["producer"]})
    w.caller = {
        **w.enterprise,
        "admin": admins[0],
        "operator": w.operator_of["producer"],
        "offered": w.offered,
        "stranger": new_account("matrix stranger"),
    }
    w.free_code = credit_code(1)
    w.free_operator = new_account("matrix free operator")
    w.applicant = new_account("matrix applicant")
    registry.applyToJoin(
        "applicant", credit_code(2), int(Role.PRODUCER), LICENCE, w.expiry, "", {"from": w.applicant}
    )
    w.active = onboard(new_account("matrix active target"), "retailer")
    w.suspended = onboard(new_account("matrix suspended target"), "retailer")
    w.stale_operator = new_account("matrix stale operator")
    bind_operator(w.suspended, w.stale_operator)
    assign_prefix(w.suspended, "6923456")
    registry.suspend(w.suspended, {"from": admins[0]})
    w.candidate = new_account("matrix admin candidate")
    rows = [
        ImportRow(
            new_account(f"matrix imported {i}").address,
            f"imported {i}",
            credit_code(10 + i).decode(),
            int(Role.SUPPLIER),
            LICENCE,
            w.expiry,
        )
        for i in range(2)
    ]
    w.plan = ImportPlan(rows)
    govern("approveImport", w.plan.root, len(w.plan.chunks))
    w.unapproved_root = b"\x5a" * 32
    return w


def test_matrix_covers_every_state_changing_function(registry):
    mutators = {
        f["name"]
        for f in registry.abi
        if f["type"] == "function" and f["stateMutability"] not in ("view", "pure")
    }
    assert mutators == set(RULES)


@pytest.mark.parametrize("function,who", ALLOWED, ids=[f"{f}-by-{w}" for f, w in ALLOWED])
def test_allowed_caller_succeeds(registry, world, function, who):
    rule = RULES[function]
    tx = getattr(registry, function)(*rule.args(world, who), {"from": world.caller[who]})
    assert rule.event in tx.events


@pytest.mark.parametrize("function,who", REFUSED, ids=[f"{f}-by-{w}" for f, w in REFUSED])
def test_other_callers_are_refused(registry, world, reverts_with, function, who):
    rule = RULES[function]
    caller = world.caller[who]
    with reverts_with(*rule.refusal(world, who, caller)):
        getattr(registry, function)(*rule.args(world, who), {"from": caller})
