"""The coverage maps that `make coverage` evaluates traces against (tools/coverage_map.py) measure
every branch of the production contracts, every copy of inlined code included."""

import copy
from pathlib import Path

import brownie
import pytest

from tools.coverage_map import complete, enclosing_function, unmeasured_branches

PRODUCTION = sorted(p.stem for p in Path("contracts").glob("*.sol"))


def _completed(name):
    build = copy.deepcopy(brownie.project.get_loaded_projects()[0]._build.get(name))
    complete(build)
    return build


def _marks(build, key, index):
    return [pc for pc, entry in build["pcMap"].items() if entry.get(key) == index]


@pytest.mark.parametrize("name", PRODUCTION)
def test_every_branch_outside_constructors_is_measured(name):
    build = _completed(name)
    unmeasured = [(enclosing_function(build, n.offset), n.offset) for n in unmeasured_branches(build)]
    assert [fn for fn, _ in unmeasured if not fn.endswith(".constructor")] == []


def test_the_admin_guard_is_measured_in_every_function_the_modifier_is_inlined_into():
    build = _completed("EnterpriseRegistry")
    path = next(k for k, v in build["allSourcePaths"].items() if v == build["sourcePath"])
    (contract,) = [n for n in build["ast"]["nodes"] if n["nodeType"] == "ContractDefinition"]
    guarded = [
        f
        for f in contract["nodes"]
        if f["nodeType"] == "FunctionDefinition"
        and any(m["modifierName"]["name"] == "onlyAdmin" for m in f.get("modifiers", []))
    ]
    (index,) = [
        i
        for branches in build["coverageMap"]["branches"][path].values()
        for i, value in branches.items()
        if enclosing_function(build, tuple(value[:2])) == "EnterpriseRegistry.onlyAdmin"
    ]
    jumps = [pc for pc in _marks(build, "branch", int(index)) if build["pcMap"][pc]["op"] == "JUMPI"]
    assert len(jumps) == len(guarded) > 1


def test_a_condition_the_optimizer_folds_into_its_jump_is_a_branch():
    """`if (account == address(0)) revert ...` in resignOperator compiles to a jump on the loaded
    value: no opcode carries the condition's range, and brownie's own map leaves it out."""
    build = _completed("EnterpriseRegistry")
    source = Path(build["sourcePath"]).read_bytes()
    path = next(k for k, v in build["allSourcePaths"].items() if v == build["sourcePath"])
    conditions = {
        (source[value[0] : value[1]].decode(), enclosing_function(build, tuple(value[:2])))
        for branches in build["coverageMap"]["branches"][path].values()
        for value in branches.values()
    }
    assert ("account == address(0)", "EnterpriseRegistry.resignOperator") in conditions


def test_completing_a_map_twice_changes_nothing():
    build = _completed("Receivables")
    again = copy.deepcopy(build)
    complete(again)
    assert again == build
