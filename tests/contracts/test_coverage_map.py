"""The coverage maps that `make coverage` evaluates traces against (tools/coverage_map.py) measure
every branch of the production contracts, every copy of inlined code included."""

import copy
import functools
import json
from pathlib import Path

import brownie
import pytest

from tools.coverage_map import complete, enclosing_function, product_asts, source_id, unmeasured_branches

PRODUCTION = sorted(p.stem for p in Path("contracts").glob("*.sol"))


def _builds():
    return [b for _, b in brownie.project.get_loaded_projects()[0]._build.items()]


@functools.cache
def _asts():
    """The product's ASTs (read, never changed, by `complete`)."""
    return product_asts(_builds())


@functools.cache
def _completed(name):
    """A completed copy of the build (the project's own stays as brownie compiled it); one per
    contract for the module, as completing one takes seconds."""
    (build,) = [copy.deepcopy(b) for b in _builds() if b["contractName"] == name]
    complete(build, _asts())
    return build


def _marks(build, key, index):
    return [pc for pc, entry in build["pcMap"].items() if entry.get(key) == index]


def _conditions(build, source_path):
    """(condition text, enclosing function) of every branch the build measures in a source."""
    path = source_id(build, source_path)
    ast = _asts()[source_path]
    source = Path(source_path).read_bytes()
    return {
        (source[value[0] : value[1]].decode(), enclosing_function(ast, tuple(value[:2])))
        for branches in build["coverageMap"]["branches"].get(path, {}).values()
        for value in branches.values()
    }


@pytest.mark.parametrize("name", [n for n in PRODUCTION if n != "Annotations"])
def test_every_branch_outside_constructors_is_measured(name):
    build = _completed(name)
    unmeasured = [enclosing_function(build["ast"], n.offset) for n in unmeasured_branches(build)]
    assert [fn for fn in unmeasured if not fn.endswith(".constructor")] == []


def test_the_admin_guard_is_measured_in_every_function_the_modifier_is_inlined_into():
    build = _completed("EnterpriseRegistry")
    path = source_id(build, build["sourcePath"])
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
        if enclosing_function(build["ast"], tuple(value[:2])) == "EnterpriseRegistry.onlyAdmin"
    ]
    jumps = [pc for pc in _marks(build, "branch", int(index)) if build["pcMap"][pc]["op"] == "JUMPI"]
    assert len(jumps) == len(guarded) > 1


def test_a_condition_the_optimizer_folds_into_its_jump_is_a_branch():
    """`if (account == address(0)) revert ...` in resignOperator compiles to a jump on the loaded
    value: no opcode carries the condition's range, and brownie's own map leaves it out."""
    build = _completed("EnterpriseRegistry")
    assert ("account == address(0)", "EnterpriseRegistry.resignOperator") in _conditions(
        build, "contracts/EnterpriseRegistry.sol"
    )


@pytest.mark.parametrize("name", ["Evidence", "Copyrights"])
def test_an_inherited_contracts_guards_are_measured_in_the_contract_that_inherits_it(name):
    build = _completed(name)
    assert ("author == address(0)", "Annotations.annotate") in _conditions(build, "contracts/Annotations.sol")
    assert unmeasured_branches(build, _asts()["contracts/Annotations.sol"]) == []


def test_completing_a_map_twice_changes_nothing():
    build = _completed("Receivables")
    again = copy.deepcopy(build)
    complete(again, _asts())
    assert again == build


@pytest.mark.parametrize("name", PRODUCTION)
def test_every_branch_jump_names_its_function(name):
    """brownie's trace evaluation skips an opcode without a function name, so a branch's JUMPI
    without one (onlyAdmin's, as brownie compiles it) would never count, however often it runs."""
    build = _completed(name)
    unnamed = [pc for pc, e in build["pcMap"].items() if e["op"] == "JUMPI" and "branch" in e and "fn" not in e]
    assert unnamed == []


def test_merging_sessions_keeps_every_test_file_and_unites_a_shared_transactions_evaluations(tmp_path):
    from tools.coverage_report import merge_sessions

    sessions = tmp_path / "coverage"
    sessions.mkdir()
    first = {"tests": {"tests/contracts/hall/test_a.py": {"txhash": ["0x01", "0x02"]}}, "contracts": {"Evidence": "aa"},
             "tx": {"0x01": {"Evidence": {"3": [[1, 2], [7], []]}}, "0x02": {"Evidence": {"3": [[5], [], [9]]}}}}
    second = {"tests": {"tests/contracts/registry/test_b.py": {"txhash": ["0x01"]}},
              "contracts": {"EnterpriseRegistry": "bb"},
              "tx": {"0x01": {"Evidence": {"3": [[2, 3], [], [8]]}, "EnterpriseRegistry": {"4": [[1], [], []]}}}}
    (sessions / "hall.json").write_text(json.dumps(first))
    (sessions / "registry.json").write_text(json.dumps(second))
    merge_sessions(sessions, tmp_path / "tests.json")
    merged = json.loads((tmp_path / "tests.json").read_text())
    assert set(merged["tests"]) == {"tests/contracts/hall/test_a.py", "tests/contracts/registry/test_b.py"}
    assert merged["contracts"] == {"Evidence": "aa", "EnterpriseRegistry": "bb"}
    assert merged["tx"]["0x01"] == {"Evidence": {"3": [[1, 2, 3], [7], [8]]}, "EnterpriseRegistry": {"4": [[1], [], []]}}
    assert merged["tx"]["0x02"] == first["tx"]["0x02"]
