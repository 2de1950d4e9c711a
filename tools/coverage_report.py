"""Per-contract, per-function branch and statement coverage of the production contracts.

Reads what `brownie test tests/contracts --coverage` leaves behind: the evaluation of every
transaction's opcode steps (build/tests.json) and the contracts' builds (build/contracts/), whose
coverage maps it completes as the suites did (tools/coverage_map.py). Writes

- reports/coverage.md: per contract and function, statements and branch outcomes covered, then
  every branch outcome no test reaches and every branch that cannot be measured, with its line;
- reports/coverage-summary.json: {"<Contract>": {"branches": <percent>, "statements": <percent>}}
  for every contract in contracts/*.sol and every library in contracts/libraries/ that holds
  code (an abstract contract or a library is measured in the contracts that include it);

and prints the per-contract table. A branch has two outcomes (its condition true and false); the
branch figure is the share of outcomes reached, as brownie counts it.

`make coverage` runs each folder of suites in a brownie session of its own and keeps each
session's build/tests.json as build/coverage/<folder>.json: a session drops the entries of the
test files it cannot hash as an earlier one did (brownie hashes a test file with the project
modules it imports, and `codes` or `hall_support` resolve only while their folder is collected).
`--merge` joins those files into build/tests.json first (every test file's entry; the evaluations
of a transaction hash seen in more than one session, each on a chain of its own, are united). The
sessions must come from one build: an evaluation names sources by the compiler's source ids, which
another compile of the same contracts may number differently (make coverage compiles once).

    python -m tools.coverage_report [--merge build/coverage] [--build build] [--reports reports]
"""

from __future__ import annotations

import argparse
import bisect
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tools.coverage_map import complete, enclosing_function, product_asts, source_id, unmeasured_branches


@dataclass
class Function:
    statements: list[bool] = field(default_factory=list)
    outcomes: list[bool] = field(default_factory=list)


@dataclass
class Branch:
    function: str
    line: int
    condition: str
    true_seen: bool
    false_seen: bool


@dataclass
class ContractCoverage:
    name: str
    source: str
    functions: dict[str, Function]
    branches: list[Branch]
    unmeasured: list[tuple[str, int, str]]

    def statements_pct(self) -> float:
        return _pct(s for f in self.functions.values() for s in f.statements)

    def branches_pct(self) -> float:
        return _pct(o for f in self.functions.values() for o in f.outcomes)


def _pct(flags) -> float:
    flags = list(flags)
    return round(100.0 * sum(flags) / len(flags), 1) if flags else 100.0


def load_builds(build_dir: Path) -> list[dict[str, Any]]:
    return [json.loads(path.read_text()) for path in sorted((build_dir / "contracts").glob("*.json"))]


def product_sources(root: Path) -> list[str]:
    """The sources reported: every contract in contracts/*.sol (an abstract one through the
    contracts that inherit it) and every library in contracts/libraries/ (through the contracts
    that inline it); contracts/test/ holds test doubles."""
    return [
        f"contracts/{p.relative_to(root / 'contracts').as_posix()}"
        for pattern in ("*.sol", "libraries/*.sol")
        for p in sorted((root / "contracts").glob(pattern))
    ]


def merge_sessions(folder: Path, tests_json: Path) -> None:
    """build/tests.json from the sessions' files in `folder` (see the module doc)."""
    sessions = [json.loads(path.read_text()) for path in sorted(folder.glob("*.json"))]
    if not sessions:
        raise SystemExit(f"no coverage sessions in {folder}: run `make coverage`")
    merged: dict[str, Any] = {"tests": {}, "contracts": {}, "tx": {}}
    for session in sessions:
        merged["tests"].update(session["tests"])
        merged["contracts"].update(session["contracts"])
        for tx, evaluation in session["tx"].items():
            into = merged["tx"].setdefault(tx, {})
            for contract, paths in evaluation.items():
                for path, sets in paths.items():
                    have = into.setdefault(contract, {}).setdefault(path, [[], [], []])
                    into[contract][path] = [sorted(set(a) | set(b)) for a, b in zip(have, sets)]
    tests_json.write_text(json.dumps(merged, indent=2, sort_keys=True))


def merged_evaluations(tests_json: Path) -> dict[str, dict[str, list[set[int]]]]:
    """contract -> source id -> [statements run, branches fallen through, branches jumped]."""
    merged: dict[str, dict[str, list[set[int]]]] = {}
    for evaluation in json.loads(tests_json.read_text())["tx"].values():
        for contract, paths in evaluation.items():
            for path, sets in paths.items():
                target = merged.setdefault(contract, {}).setdefault(path, [set(), set(), set()])
                for i in range(3):
                    target[i].update(int(x) for x in sets[i])
    return merged


def source_coverage(
    source_path: str, ast: dict, builds: list[dict[str, Any]], root: Path, evaluations
) -> ContractCoverage | None:
    """A source's statements and branches, over every deployable build that includes it (its own
    build, or the contracts that inherit or inline it); None when it holds no code."""
    source = (root / source_path).read_bytes()
    lines = [0] + [i + 1 for i, byte in enumerate(source) if byte == 10]
    statements: dict[tuple[int, int], bool] = {}
    outcomes: dict[tuple[int, int], list[bool]] = {}
    including = []
    for build in builds:
        path = source_id(build, source_path)
        if path is None or not build.get("deployedBytecode") or not build.get("pcMap"):
            continue
        including.append(build)
        ran, fell, jumped = evaluations.get(build["contractName"], {}).get(path, [set(), set(), set()])
        for fn_statements in build["coverageMap"]["statements"].get(path, {}).values():
            for index, offset in fn_statements.items():
                key = tuple(offset)
                statements[key] = statements.get(key, False) or int(index) in ran
        for group in build["coverageMap"]["branches"].get(path, {}).values():
            for index, (start, end, jump_means_true) in group.items():
                taken_true, taken_false = (jumped, fell) if jump_means_true else (fell, jumped)
                seen = outcomes.setdefault((start, end), [False, False])
                seen[0] = seen[0] or int(index) in taken_true
                seen[1] = seen[1] or int(index) in taken_false
    if not statements and not outcomes:
        return None

    functions: dict[str, Function] = {}
    for offset, ran_it in sorted(statements.items()):
        functions.setdefault(enclosing_function(ast, offset), Function()).statements.append(ran_it)
    branches = []
    for (start, end), (true_seen, false_seen) in sorted(outcomes.items()):
        branch = Branch(
            function=enclosing_function(ast, (start, end)),
            line=bisect.bisect_right(lines, start),
            condition=source[start:end].decode(),
            true_seen=true_seen,
            false_seen=false_seen,
        )
        branches.append(branch)
        functions.setdefault(branch.function, Function()).outcomes += [true_seen, false_seen]

    unmeasured = {tuple(n.offset): n for n in unmeasured_branches(including[0], ast)}
    for build in including[1:]:
        still = {tuple(n.offset) for n in unmeasured_branches(build, ast)}
        unmeasured = {k: v for k, v in unmeasured.items() if k in still}
    name = next(
        (n["name"] for n in ast["nodes"] if n["nodeType"] == "ContractDefinition"), Path(source_path).stem
    )
    return ContractCoverage(
        name=name,
        source=source_path,
        functions=dict(sorted(functions.items())),
        branches=sorted(branches, key=lambda b: (b.line, b.condition)),
        unmeasured=[
            (
                enclosing_function(ast, offset),
                bisect.bisect_right(lines, offset[0]),
                source[offset[0] : offset[1]].decode(),
            )
            for offset in sorted(unmeasured)
        ],
    )


def _fraction(flags: list[bool]) -> str:
    return f"{sum(flags)}/{len(flags)} ({_pct(flags):.1f}%)" if flags else "-"


def markdown(contracts: list[ContractCoverage]) -> str:
    out = [
        "# Contract coverage",
        "",
        "Written by `make coverage` from the brownie contract suites. Statements: statements whose",
        "code ran. Branches: outcomes reached, each condition counting twice (true and false).",
        "",
        "| Contract | Statements | Branches |",
        "| --- | ---: | ---: |",
    ]
    for c in contracts:
        statements = [s for f in c.functions.values() for s in f.statements]
        outcomes = [o for f in c.functions.values() for o in f.outcomes]
        out.append(f"| {c.name} | {_fraction(statements)} | {_fraction(outcomes)} |")
    for c in contracts:
        out += ["", f"## {c.name} ({c.source})", "", "| Function | Statements | Branches |"]
        out.append("| --- | ---: | ---: |")
        for name, fn in c.functions.items():
            short = name.split(".", 1)[1] if "." in name else name
            out.append(f"| {short} | {_fraction(fn.statements)} | {_fraction(fn.outcomes)} |")
        missed = [b for b in c.branches if not (b.true_seen and b.false_seen)]
        out += ["", "Branch outcomes no test reaches:" if missed else "Every branch outcome is reached."]
        for b in missed:
            never = " and ".join(
                side for side, seen in (("true", b.true_seen), ("false", b.false_seen)) if not seen
            )
            out.append(f"- line {b.line}, `{b.condition}` in {b.function}: never {never}")
        if c.unmeasured:
            out += ["", "Not measurable (constructor code is not in the deployed bytecode brownie traces):"]
            out += [f"- line {line}, `{text}` in {fn}" for fn, line, text in c.unmeasured]
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.coverage_report", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--merge", type=Path, help="join the sessions' files in this folder into build/tests.json first")
    parser.add_argument("--build", type=Path, default=Path("build"))
    parser.add_argument("--reports", type=Path, default=Path("reports"))
    args = parser.parse_args(argv)
    root = Path.cwd()
    tests_json = args.build / "tests.json"
    if args.merge:
        merge_sessions(args.merge, tests_json)
    if not tests_json.exists():
        print(f"no {tests_json}: run the suites with coverage first (`make coverage`)", file=sys.stderr)
        return 2
    evaluations = merged_evaluations(tests_json)
    builds = load_builds(args.build)
    asts = product_asts(builds)
    for build in builds:
        complete(build, asts)
    contracts = [
        coverage
        for source_path in product_sources(root)
        if source_path in asts
        and (coverage := source_coverage(source_path, asts[source_path], builds, root, evaluations))
    ]
    args.reports.mkdir(exist_ok=True)
    summary = {
        c.name: {"branches": c.branches_pct(), "statements": c.statements_pct()}
        for c in contracts
        if not c.source.startswith("contracts/libraries/")
    }
    (args.reports / "coverage-summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    (args.reports / "coverage.md").write_text(markdown(contracts))
    width = max((len(c.name) for c in contracts), default=8)
    print(f"{'contract':<{width}}  branches  statements")
    for c in contracts:
        print(f"{c.name:<{width}}  {c.branches_pct():7.1f}%  {c.statements_pct():9.1f}%")
    print(f"per function and every branch outcome not reached: {args.reports / 'coverage.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
