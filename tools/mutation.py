"""Mutation testing of a contract against its brownie suites.

The mutants come from SuMo (npm `@morenabarboni/sumo`, pinned in package.json, configured by
sumo-config.js): `sumo mutate` parses each contract with @solidity-parser/parser and writes one
file per mutant with its operator (CSC conditions forced true/false, BOR binary operators, MOD
modifier deleted, EED event emission deleted, RSD return deleted, ILR literals, ...; `sumo list`
names them all). SuMo's own `sumo test` is not used to judge them: it mutates the work tree in
place, runs `brownie test` on Anvil's fixed ports beside whatever else uses them, and runs every
test file for every mutant, which at our suites' length is days. Here each mutant is

- written into a copy of the project (the work tree is never touched) and compiled with the
  project's compiler; a mutant that does not compile is stillborn, one whose runtime bytecode
  (metadata stripped) equals the original's is equivalent (trivial compiler equivalence);
- tested with the test files whose transactions executed a statement the mutant touches, from
  the last `make coverage` (build/tests.json), in a network namespace of its own, stopping at
  the first failing test: a failure
  kills it, a passing run means it survived, no reaching test means it survived unexercised.

The gas-snapshot tests and the suites that do not exercise the brownie build (the scripts, which
deploy the SDK's shipped artifacts, and the coverage-map checks) are left out: a mutant counts
as killed only when a test of behaviour notices it. Timed-out mutants are reported apart and
left out of the score.

    python -m tools.mutation [--contract EnterpriseRegistry] [--suite tests/contracts]
                             [--operators CSC,BOR,...] [--only ID ...] [--sample N --seed S] [--list]

Writes reports/mutation-<Contract>.json and .md (every mutant, its line, change and fate) and
prints the score: killed / (killed + survived).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import solcast

from tools.coverage_map import complete

# SuMo's operators that can change what these contracts do (`sumo list` describes each). Left out:
# TOR/GVR (msg.sender and tx.origin are one account in every test), MOI/MOC/MOR (modifier
# insertion and reordering), SLR (string literals: ours are ids hashed into keys), MCR.
OPERATORS = ("CSC", "BOR", "MOD", "EED", "RSD", "DOD", "BLR", "AOR", "UORD", "LSC", "ILR")
# What the copy of the project needs besides the mutated source (node_modules is linked).
PROJECT_FILES = (
    "brownie-config.yaml",
    "pytest.ini",
    "package.json",
    "package-lock.json",
    "sumo-config.js",
    "contracts",
    "interfaces",
    "tests",
    "tools",
    "bench",
)
NOT_BEHAVIOUR = ("_gas.py", "test_scripts.py", "test_coverage_map.py")


@dataclass
class Mutant:
    id: str
    operator: str
    line: int
    start: int
    end: int
    original: str
    replacement: str
    status: str = "pending"  # killed | survived | equivalent | stillborn | timeout
    killed_by: str = ""
    seconds: float = 0.0

    def describe(self) -> str:
        after = self.replacement.strip() if self.replacement.strip() else "(deleted)"
        return f"{' '.join(self.original.split())} -> {' '.join(after.split())}"


def changed_span(original: bytes, mutated: bytes) -> tuple[int, int]:
    """The byte range of `original` that the mutant replaces (common prefix and suffix cut)."""
    prefix = 0
    limit = min(len(original), len(mutated))
    while prefix < limit and original[prefix] == mutated[prefix]:
        prefix += 1
    suffix = 0
    while (
        suffix < limit - prefix and original[len(original) - 1 - suffix] == mutated[len(mutated) - 1 - suffix]
    ):
        suffix += 1
    return prefix, len(original) - suffix


def sumo_mutants(workspace: "Workspace", source_path: Path) -> dict[str, tuple[Mutant, bytes]]:
    """Runs `sumo mutate` in the workspace: every mutant of `source_path`, by SuMo's id, with
    the mutated source."""
    sumo = workspace.root / "node_modules" / ".bin" / "sumo"
    done = subprocess.run(
        [str(sumo), "mutate"],
        cwd=workspace.dir,
        env={**os.environ, "APP_ROOT_PATH": str(workspace.dir)},
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    results = workspace.dir / ".sumo" / "results"
    if done.returncode != 0 or not (results / "generated.csv").exists():
        raise SystemExit(f"sumo mutate failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    original = workspace.original
    lines = [0] + [i + 1 for i, byte in enumerate(original) if byte == 10]
    target = str(workspace.dir / source_path)
    found = {}
    with (results / "generated.csv").open(newline="") as fh:
        rows = csv.reader(fh, delimiter="$", quoting=csv.QUOTE_NONE)
        next(rows)
        for row in rows:
            mutant_id, file, operator, *_, before, after = row
            if file != target:
                continue
            mutated = (results / "mutants" / f"{source_path.name}-{mutant_id}.sol").read_bytes()
            start, end = changed_span(original, mutated)
            mutant = Mutant(
                id=mutant_id,
                operator=operator,
                line=_line(lines, start),
                start=start,
                end=end,
                original=before,
                replacement=after,
            )
            found[mutant_id] = (mutant, mutated)
    return found


def _line(lines: list[int], offset: int) -> int:
    lo, hi = 0, len(lines)
    while lo < hi:
        mid = (lo + hi) // 2
        if lines[mid] <= offset:
            lo = mid + 1
        else:
            hi = mid
    return lo


class Workspace:
    """A copy of the brownie project in a temporary folder, with its build, so that compiling a
    mutant recompiles only the mutated contract."""

    def __init__(self, root: Path, source: Path):
        self.root = root
        self.dir = Path(tempfile.mkdtemp(prefix="shanglian-mutation-"))
        for name in PROJECT_FILES:
            path = root / name
            if path.is_dir():
                shutil.copytree(path, self.dir / name, ignore=shutil.ignore_patterns("__pycache__"))
            elif path.exists():
                shutil.copy2(path, self.dir / name)
        shutil.copytree(root / "build", self.dir / "build")
        (self.dir / "build" / "tests.json").unlink(missing_ok=True)
        os.symlink(root / "node_modules", self.dir / "node_modules")
        self.source = self.dir / source
        self.original = self.source.read_bytes()
        self.reference = ""

    def write(self, content: bytes) -> None:
        self.source.write_bytes(content)

    def close(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


def _brownie(workspace: Workspace, *args: str, timeout: float, isolated: bool) -> subprocess.CompletedProcess:
    command = [str(workspace.root / ".venv" / "bin" / "brownie"), *args]
    if isolated:
        # A network namespace of its own: brownie's Anvil has ports 8545/8546 to itself, so runs
        # on one machine do not wait for each other.
        command = ["unshare", "-n", "sh", "-c", 'ip link set lo up && exec "$0" "$@"', *command]
    return subprocess.run(
        command, cwd=workspace.dir, capture_output=True, text=True, timeout=timeout, check=False
    )


def runtime_code(deployed_bytecode: str) -> str:
    """The runtime bytecode without the CBOR metadata the compiler appends (its last two bytes
    give its length): the metadata hashes the source, so it differs for every mutant."""
    code = bytes.fromhex(deployed_bytecode.removeprefix("0x"))
    if len(code) < 2:
        return code.hex()
    return code[: len(code) - 2 - int.from_bytes(code[-2:], "big")].hex()


def _runtime_code(workspace: Workspace, contract: str) -> str:
    build = json.loads((workspace.dir / "build" / "contracts" / f"{contract}.json").read_text())
    return runtime_code(build["deployedBytecode"])


def _first_failure(output: str) -> str:
    for line in output.splitlines():
        if line.startswith("FAILED "):
            return line.split(" ", 1)[1].split(" - ", 1)[0]
    return ""


class Selection:
    """Which test files can reach a mutant, from the last coverage run (build/tests.json, written
    by `make coverage`): the files whose transactions ran a statement the mutant touches. Files
    that never run the mutated code cannot kill it, so they are not run."""

    def __init__(self, root: Path, build: dict, files: list[str]):
        self.build = json.loads(json.dumps(build))
        complete(self.build)
        self.path = next(k for k, v in build["allSourcePaths"].items() if v == build["sourcePath"])
        self.files = files
        self.statements = [
            (int(i), tuple(offset))
            for fn in self.build["coverageMap"]["statements"].get(self.path, {}).values()
            for i, offset in fn.items()
        ]
        self.executed: dict[str, set[int]] | None = None
        tests_json = root / "build" / "tests.json"
        if tests_json.exists():
            data = json.loads(tests_json.read_text())
            name = build["contractName"]
            if data["contracts"].get(name) != build["bytecodeSha1"]:
                raise SystemExit(f"build/tests.json predates {name}'s bytecode: run `make coverage` first")
            self.executed = {}
            for file, info in data["tests"].items():
                ran = self.executed.setdefault(file, set())
                for tx in info["txhash"]:
                    ran.update(int(i) for i in data["tx"].get(tx, {}).get(name, {}).get(self.path, [[]])[0])

    def files_for(self, mutant: "Mutant") -> list[str] | None:
        """The files to run (in suite order), [] when no test runs the mutated code, None when
        unknown (no coverage run, or code outside the traced bytecode such as a constructor)."""
        if self.executed is None:
            return None
        span = (mutant.start, max(mutant.end, mutant.start + 1))
        if mutant.operator in ("MOD", "MOI", "MOC", "MOR"):
            # a modifier written in a function's header: what it guards is the function's body
            span = next(
                (
                    tuple(f.offset)
                    for f in solcast.from_ast(self.build["ast"]).children(
                        filters={"nodeType": "FunctionDefinition"}
                    )
                    if f.offset[0] <= mutant.start and mutant.end <= f.offset[1]
                ),
                span,
            )
        touching = {i for i, offset in self.statements if offset[0] < span[1] and span[0] < offset[1]}
        if not touching:
            return None
        return [f for f in self.files if self.executed.get(f, set()) & touching]


def run(
    workspace: Workspace,
    contract: str,
    files: list[str] | None,
    every: list[str],
    mutant: Mutant,
    mutated: bytes,
    timeout: float,
) -> None:
    started = time.monotonic()
    try:
        workspace.write(mutated)
        compiled = _brownie(workspace, "compile", timeout=timeout, isolated=False)
        if compiled.returncode != 0:
            mutant.status = "stillborn"
            return
        if _runtime_code(workspace, contract) == workspace.reference:
            mutant.status = "equivalent"
            return
        if files == []:
            mutant.status = "survived"
            mutant.killed_by = "(no test runs this code)"
            return
        tested = _brownie(
            workspace,
            "test",
            *(every if files is None else files),
            "-x",
            "-q",
            "-p",
            "no:cacheprovider",
            timeout=timeout,
            isolated=True,
        )
        if tested.returncode == 0:
            mutant.status = "survived"
        elif tested.returncode == 1:
            mutant.status = "killed"
            mutant.killed_by = _first_failure(tested.stdout)
        else:
            raise RuntimeError(
                f"the suite did not run for {mutant.id}:\n{tested.stdout[-2000:]}{tested.stderr[-2000:]}"
            )
    except subprocess.TimeoutExpired:
        mutant.status = "timeout"
    finally:
        workspace.write(workspace.original)
        mutant.seconds = round(time.monotonic() - started, 1)


def score(mutants: list[Mutant]) -> tuple[int, int, float]:
    killed = sum(m.status == "killed" for m in mutants)
    survived = sum(m.status == "survived" for m in mutants)
    judged = killed + survived
    return killed, survived, round(100.0 * killed / judged, 1) if judged else 0.0


STATUSES = ("killed", "survived", "timeout", "equivalent", "stillborn", "pending")


def markdown(contract: str, mutants: list[Mutant], command: str) -> str:
    killed, survived, pct = score(mutants)
    counts = {s: sum(m.status == s for m in mutants) for s in STATUSES}
    out = [
        f"# Mutation testing: {contract}",
        "",
        f"`{command}` (mutants from SuMo, see tools/mutation.py)",
        "",
        f"Score {pct}%: {killed} killed of {killed + survived} mutants that compile to new bytecode. "
        + ", ".join(f"{n} {s}" for s, n in counts.items() if n),
        "",
        "| Mutant | Operator | Line | Change | Fate | First failing test |",
        "| --- | --- | ---: | --- | --- | --- |",
    ]
    for m in mutants:
        change = m.describe().replace("|", "\\|")
        out.append(f"| {m.id} | {m.operator} | {m.line} | `{change}` | {m.status} | {m.killed_by} |")
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.mutation", description=__doc__.split("\n")[0])
    parser.add_argument("--contract", default="EnterpriseRegistry")
    parser.add_argument("--suite", nargs="+", default=None, help="test paths (default tests/contracts)")
    parser.add_argument("--operators", default=",".join(OPERATORS), help="SuMo operator ids")
    parser.add_argument("--only", nargs="+", default=None, help="mutant ids to run")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds per mutant")
    parser.add_argument("--list", action="store_true", help="list the mutants and exit")
    parser.add_argument(
        "--sample",
        type=int,
        default=None,
        help="judge a random sample of this many mutants (uniform, seeded)",
    )
    parser.add_argument("--seed", type=int, default=17, help="seed of --sample")
    args = parser.parse_args(argv)

    root = Path.cwd()
    build = json.loads((root / "build" / "contracts" / f"{args.contract}.json").read_text())
    source_path = Path(build["sourcePath"])
    operators = {o.strip().upper() for o in args.operators.split(",") if o.strip()}
    suite = args.suite or ["tests/contracts"]
    files = sorted(
        (
            str(p)
            for s in suite
            for p in (sorted(Path(s).rglob("test_*.py")) if Path(s).is_dir() else [Path(s)])
            if not p.name.endswith(NOT_BEHAVIOUR)
        ),
        key=lambda f: "stateful" in f,  # the slowest last: a failure elsewhere ends the run sooner
    )
    command = "python -m tools.mutation " + " ".join(argv if argv is not None else sys.argv[1:])

    workspace = Workspace(root, source_path)
    try:
        generated = sumo_mutants(workspace, source_path)
        chosen = [
            (m, code)
            for m, code in sorted(generated.values(), key=lambda item: (item[0].start, item[0].id))
            if m.operator in operators and (not args.only or m.id in args.only)
        ]
        if args.sample is not None and args.sample < len(chosen):
            picked = set(random.Random(args.seed).sample(range(len(chosen)), args.sample))
            chosen = [m for i, m in enumerate(chosen) if i in picked]
        if args.list:
            for m, _ in chosen:
                print(f"{m.id:10} {m.operator:5} line {m.line:4}  {m.describe()}")
            return 0
        selection = Selection(root, build, files)
        if _brownie(workspace, "compile", timeout=args.timeout, isolated=False).returncode != 0:
            print("the unmutated project does not compile", file=sys.stderr)
            return 2
        workspace.reference = _runtime_code(workspace, args.contract)
        reports = root / "reports"
        reports.mkdir(exist_ok=True)
        name = f"mutation-{args.contract}"
        previous = {}
        if (reports / f"{name}.json").exists():
            previous = {m["id"]: m for m in json.loads((reports / f"{name}.json").read_text())["mutants"]}
        for i, (mutant, code) in enumerate(chosen, start=1):
            run(workspace, args.contract, selection.files_for(mutant), files, mutant, code, args.timeout)
            print(
                f"[{i}/{len(chosen)}] {mutant.id:10} {mutant.operator:5} line {mutant.line:4} "
                f"{mutant.describe():50.50} {mutant.status} {mutant.killed_by}",
                flush=True,
            )
            previous[mutant.id] = asdict(mutant)
            _write(reports, name, args.contract, previous, command)
    finally:
        workspace.close()

    every = [Mutant(**m) for m in previous.values()]
    killed, survived, pct = score(every)
    print(f"{args.contract}: mutation score {pct}% ({killed} killed, {survived} survived)")
    for m in sorted(every, key=lambda m: m.start):
        if m.status == "survived":
            print(f"  survived {m.id} line {m.line}: {m.describe()} {m.killed_by}")
    return 0


def _write(reports: Path, name: str, contract: str, results: dict[str, dict], command: str) -> None:
    """Results so far (a run can be stopped and resumed with --only): earlier runs' mutants are
    kept, this run's replace theirs."""
    every = [Mutant(**m) for m in sorted(results.values(), key=lambda m: (m["start"], m["id"]))]
    _, _, pct = score(every)
    (reports / f"{name}.json").write_text(
        json.dumps({"contract": contract, "score": pct, "mutants": [asdict(m) for m in every]}, indent=2)
        + "\n"
    )
    (reports / f"{name}.md").write_text(markdown(contract, every, command))


if __name__ == "__main__":
    sys.exit(main())
