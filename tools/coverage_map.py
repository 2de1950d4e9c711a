"""brownie's coverage map of a contract, completed for optimised bytecode.

brownie 1.22 reads, at compile time, the compiler's source map and marks in the build's `pcMap`
one opcode per statement and one (marker, JUMPI) pair per branch condition; `brownie test
--coverage` then replays every transaction's opcode steps against those marks. Our contracts are
compiled with the optimizer (they do not fit the EVM stack without it), and three things escape
brownie's marks there:

- Code the compiler emits more than once: a modifier is inlined into every function that uses it
  (`onlyAdmin` appears 15 times in EnterpriseRegistry), and the optimizer inlines small internal
  functions and duplicates blocks. brownie marks one copy only, so a guard exercised through any
  other function reads as never run.
- A jump brownie cannot attribute to a function: brownie names the function of an opcode from
  the compiler's source map, and the first opcode of a new source range inside a modifier (not a
  function) gets no name; the trace evaluation skips an opcode without one, so when that opcode is
  a branch's JUMPI (`onlyAdmin`'s) the branch is never counted, however often it runs.
- Conditions the optimizer folds into the jump: `if (x == address(0))` loads `x` and jumps on it,
  so no opcode carries the condition's source range and brownie leaves the branch out of the map
  altogether: the report neither counts nor lists it.

`complete(build)` adds the missing marks to a build in place. It is deterministic, so the suites
(which evaluate traces against `pcMap`) and the report (which reads `coverageMap` and the
evaluations the suites stored) agree on every index. Branches that still have no pair of marks
(constructor code, which is not in the deployed bytecode brownie traces) are returned by
`unmeasured_branches` so the report can list them.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import solcast
from brownie.project.compiler import solidity

Offset = tuple[int, int]


def complete(build: dict[str, Any], asts: dict[str, dict] | None = None) -> None:
    """Marks every copy of every statement and branch in the build's `pcMap`, and adds the
    branches brownie left out to its `coverageMap` (idempotent). That is done for the build's own
    source and for every source it inherits or inlines whose AST `asts` gives by source path (an
    abstract contract's modifiers and functions, a library's internal functions)."""
    coverage_map = build.get("coverageMap")
    if not build.get("pcMap") or not build.get("ast") or not coverage_map or coverage_map.get("completed"):
        return
    ops = _ops(build)
    for path, ast in _sources(build, asts or {}):
        _mark_statement_copies(ops, coverage_map["statements"].get(path, {}), path)
        candidates = _branch_candidates(ast)
        pairs = _branch_pairs(ops, candidates, path)
        branch_map = coverage_map["branches"].setdefault(path, {})
        _mark_branch_copies(ops, pairs, branch_map)
        _add_folded_branches(build, ast, ops, candidates, pairs, branch_map, path)
    _name_branch_jumps(ops)
    coverage_map["completed"] = True


def product_asts(builds: list[dict[str, Any]]) -> dict[str, dict]:
    """The ASTs of the product's sources (contracts/, its libraries included, test doubles not),
    by source path: what `complete` marks in every build that includes them."""
    return {
        build["sourcePath"]: build["ast"]
        for build in builds
        if build.get("ast")
        and build.get("sourcePath", "").startswith("contracts/")
        and not build["sourcePath"].startswith("contracts/test/")
    }


def source_id(build: dict[str, Any], source_path: str) -> str | None:
    """The id under which the build's maps name a source file (the compiler's source index)."""
    return next((k for k, v in build["allSourcePaths"].items() if v == source_path), None)


def unmeasured_branches(build: dict[str, Any], ast: dict | None = None) -> list[Any]:
    """AST nodes of the branch conditions of a source (the build's own by default) that have no
    marks in the build (call after `complete`)."""
    ast = ast or build["ast"]
    path = source_id(build, ast["absolutePath"])
    mapped = {
        tuple(value[:2])
        for branches in build["coverageMap"]["branches"].get(path, {}).values()
        for value in branches.values()
    }
    return sorted(
        (node for node in _branch_candidates(ast) if tuple(node.offset) not in mapped),
        key=lambda node: node.offset,
    )


def enclosing_function(ast: dict[str, Any], offset: Offset) -> str:
    """`Contract.function` (or `Contract.modifier`, `Contract.constructor`) holding the source
    range, from the AST of its source: inlined code is attributed to where it is written."""
    unit = _ast(ast)
    for node in _functions(unit):
        start, end = node.offset
        if start <= offset[0] and offset[1] <= end:
            name = node.name or getattr(node, "kind", "") or "fallback"
            return f"{node.parent().name}.{name}"
    contracts = unit.children(depth=1, filters={"nodeType": "ContractDefinition"})
    return contracts[0].name if contracts else ast["absolutePath"]


# ------------------------------------------------------------------------------------------------


def _sources(build: dict[str, Any], asts: dict[str, dict]) -> list[tuple[str, dict]]:
    """(source id, AST) of the build's own source and of each source in `asts` it includes."""
    found = []
    for path, source_path in sorted(build["allSourcePaths"].items()):
        ast = build["ast"] if source_path == build["sourcePath"] else asts.get(source_path)
        if ast is not None:
            found.append((path, ast))
    return found


def _ops(build: dict[str, Any]) -> list[dict[str, Any]]:
    """The build's pcMap entries in bytecode order, each with its pc."""
    ops = []
    for pc, entry in sorted(build["pcMap"].items(), key=lambda item: int(item[0])):
        ops.append(dict(entry, _pc=int(pc), _entry=entry))
    return ops


_ast_cache: dict[int, Any] = {}


def _ast(ast: dict[str, Any]) -> Any:
    key = id(ast)
    if key not in _ast_cache:
        _ast_cache[key] = (ast, solcast.from_ast(ast))  # the dict is kept so its id is not reused
    return _ast_cache[key][1]


def _functions(unit: Any) -> list[Any]:
    return unit.children(filters=({"nodeType": "FunctionDefinition"}, {"nodeType": "ModifierDefinition"}))


def _branch_candidates(ast: dict[str, Any]) -> set[Any]:
    """The condition nodes brownie counts as branches (if, require, ?:, each side of && and ||)."""
    unit = _ast(ast)
    return solidity._get_branch_nodes([unit]).get(str(unit.contract_id), set())


def _inside(inner: Offset, outer: Offset) -> bool:
    return outer[0] <= inner[0] and inner[1] <= outer[1]


def _mark_statement_copies(ops, statements: dict[str, dict], path: str) -> None:
    """brownie marks a statement on the first opcode of its first copy only; every opcode whose
    source range lies in a statement (the innermost one) marks it here."""
    spans = sorted(
        ((tuple(offset), int(index)) for fn in statements.values() for index, offset in fn.items()),
        key=lambda item: item[0][1] - item[0][0],
    )
    for op in ops:
        entry = op["_entry"]
        if entry.get("path") != path or "offset" not in entry or "fn" not in entry:
            continue
        if "statement" in entry:
            continue
        offset = tuple(entry["offset"])
        index = next((i for span, i in spans if _inside(offset, span)), None)
        if index is not None:
            entry["statement"] = index


def _branch_pairs(ops, candidates: set[Any], path: str) -> dict[Offset, list[tuple[int, int]]]:
    """brownie's own rule, keeping every copy: an opcode carrying a condition's source range,
    then the next JUMPI, form a pair (indexes into `ops`)."""
    offsets = {tuple(node.offset) for node in candidates}
    active: dict[Offset, int] = {}
    pairs: dict[Offset, list[tuple[int, int]]] = defaultdict(list)
    for i, op in enumerate(ops):
        if op.get("path") != path or "offset" not in op:
            continue
        offset = tuple(op["offset"])
        if active and op["op"] == "JUMPI":
            for condition, marker in active.items():
                pairs[condition].append((marker, i))
            active.clear()
        elif offset in offsets:
            active[offset] = i
    return pairs


def _span(body: Any) -> Offset:
    """Source range of an `if` body (solcast gives a block as the list of its statements)."""
    if isinstance(body, list):
        return (body[0].offset[0], body[-1].offset[1]) if body else (-1, -1)
    return tuple(body.offset)


def _sequence(ops, pair: tuple[int, int]) -> list[str]:
    return [op["op"] for op in ops[pair[0] : pair[1] + 1]]


def _mark(ops, pair: tuple[int, int], index: int) -> bool:
    marker, jumpi = (ops[i]["_entry"] for i in pair)
    if "fn" not in marker or "branch" in marker or "branch" in jumpi:
        return False
    marker["branch"] = jumpi["branch"] = index
    return True


def _mark_branch_copies(ops, pairs, branch_map: dict[str, dict]) -> None:
    """Marks the copies brownie skipped with the index of the one it marked, when a copy is the
    same instruction sequence (so its jump means the same outcome)."""
    for branches in branch_map.values():
        for index, value in branches.items():
            copies = pairs.get(tuple(value[:2]), [])
            marked = [p for p in copies if ops[p[0]]["_entry"].get("branch") == int(index)]
            if not marked:
                continue
            reference = _sequence(ops, marked[0])
            for pair in copies:
                if pair not in marked and _sequence(ops, pair) == reference:
                    _mark(ops, pair, int(index))


def _name_branch_jumps(ops) -> None:
    """Gives a branch's JUMPI that brownie left without a function name the name of its marker
    (the opcode before it carrying the same branch index): brownie's trace evaluation
    (TransactionReceipt._expand_trace) skips an opcode without "fn", so such a jump's outcomes
    were never recorded. The name is used only for that check and for internal-call jumps, which
    a JUMPI is not ("jump" unset)."""
    marker_fn: dict[int, str] = {}
    for op in ops:
        entry = op["_entry"]
        if "branch" not in entry:
            continue
        if entry["op"] != "JUMPI":
            if "fn" in entry:
                marker_fn[entry["branch"]] = entry["fn"]
        elif "fn" not in entry and "jump" not in entry and entry["branch"] in marker_fn:
            entry["fn"] = marker_fn[entry["branch"]]


def _add_folded_branches(build, ast, ops, candidates, pairs, branch_map, path: str) -> None:
    """An `if` whose single condition left no opcode of its own: its JUMPI carries the `if`
    statement's range, right after the PUSH of the jump target. Each such JUMPI is a copy; the
    jump means "true" when its target lies in the `if`'s body."""
    mapped = {tuple(v[:2]) for branches in branch_map.values() for v in branches.values()}
    used = [
        int(i)
        for section in ("statements", "branches")
        for fns in build["coverageMap"][section].values()
        for fn in fns.values()
        for i in fn
    ]
    next_index = max(used, default=-1) + 1
    by_pc = {op["_pc"]: op for op in ops}
    for node in sorted(candidates, key=lambda n: n.offset):
        offset = tuple(node.offset)
        if offset in mapped or pairs.get(offset):
            continue
        statement = node.parent()
        if statement.nodeType == "UnaryOperation":
            statement = statement.parent()
        if statement.nodeType != "IfStatement":
            continue
        copies = [
            (i - 1, i)
            for i, op in enumerate(ops)
            if op["op"] == "JUMPI"
            and op.get("path") == path
            and tuple(op.get("offset", ())) == tuple(statement.offset)
            and i > 0
            and ops[i - 1]["op"].startswith("PUSH")
        ]
        body = _span(statement.trueBody)
        polarity = {}
        for pair in copies:
            target = by_pc.get(int(ops[pair[0]]["value"], 16), {})
            polarity[pair] = "offset" in target and _inside(tuple(target["offset"]), body)
        agreed = [p for p in copies if copies and polarity[p] == polarity[copies[0]]]
        marked = [p for p in agreed if _mark(ops, p, next_index)]
        if not marked:
            continue
        fn = ops[marked[0][1]]["_entry"].get("fn") or enclosing_function(ast, offset)
        branch_map.setdefault(fn, {})[str(next_index)] = [*offset, polarity[marked[0]]]
        next_index += 1
