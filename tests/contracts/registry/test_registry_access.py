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
from brownie import chain

from shanglian.registry import ImportPlan, ImportRow
from shanglian.roles import Role, Status

ROLE_CALLERS = [role.name.lower() for role in Role]
CALLERS = [*ROLE_CALLERS, "admin", "operator", "stranger"]
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


def no_record(world, who, caller):
    """Only an enterprise's primary account has a record; an operator's says so; others are None."""
    return ("RegistryWrongStatus", caller, Status.OPERATOR if who == "operator" else Status.NONE)


def has_record(world, who, caller):
    return ("RegistryWrongStatus", caller, Status.OPERATOR if who == "operator" else Status.ACTIVE)


def not_their_operator(world, who, caller):
    return ("RegistryNotOperator", caller, world.operator_of["producer"])


RULES = {
    # -- enterprise self-service
    # Anyone without a record may apply (an admin account too); an enterprise already has one,
    # and an operator's record marks it as acting for an enterprise.
    "applyToJoin": Rule(
        lambda w, who: ("new member", w.free_code, int(Role.RETAILER), LICENCE, w.expiry, ""),
        frozenset({"admin", "stranger"}),
        "EnterpriseApplied",
        has_record,
    ),
    # Any enterprise, whatever its role, manages its own operators.
    "addOperator": Rule(
        lambda w, who: (w.free_operator,), frozenset(ROLE_CALLERS), "OperatorAdded", no_record
    ),
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
    # -- any single admin
    "suspend": admin_only(lambda w, who: (w.active,), "EnterpriseSuspended"),
    "importChunk": admin_only(
        lambda w, who: (w.plan.root, 0, w.plan.chunks[0], w.plan.proof(0)), "ImportChunkApplied"
    ),
}

CASES = [(function, who) for function in RULES for who in CALLERS]
ALLOWED = [case for case in CASES if case[1] in RULES[case[0]].allowed]
REFUSED = [case for case in CASES if case[1] not in RULES[case[0]].allowed]


@pytest.fixture(scope="module")
def world(registry, admins, onboard, new_account, credit_code, govern):
    w = SimpleNamespace(admins=admins, expiry=chain.time() + 5 * YEAR)
    w.enterprise = {role: onboard(new_account(f"matrix {role}"), role) for role in ROLE_CALLERS}
    w.operator_of = {}
    for role, account in w.enterprise.items():
        w.operator_of[role] = new_account(f"matrix operator of {role}")
        registry.addOperator(w.operator_of[role], {"from": account})
    w.caller = {
        **w.enterprise,
        "admin": admins[0],
        "operator": w.operator_of["producer"],
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
