"""The README and every guide in docs/guides/ run as written: each fenced shell and Python block of a
file, in order, as a newcomer runs them, on a chain of the file's own.

pytest-codeblocks (pinned in requirements.lock) reads the blocks and the marks written before them.
Each file runs in one bash, from a fresh folder holding the project's virtualenv and npm packages
(a copy of the brownie project for the tester's guide), in network and process namespaces of its
own: the node a guide starts listens on the default port 8545 as the text says, nothing of brownie's
or of another suite can be in the way, and nothing a guide started outlives it.

- ``shanglian`` (once the reader's PATH has it) forks a process that imported the CLI once per file
  (prefork.py) instead of importing web3 and the rest again for each command: the command still runs
  in a process of its own, with its arguments, folder, environment, streams, signals and status.
- A shell block runs command by command (a line; a trailing backslash continues it). Each must end
  with status 0, or with the status its comment gives (``# exit 2: RegistryNotAdmin``).
- A Python block runs as a script, as the reader saves and runs it: its first line may name the
  file (``# save as: erp_import.py``); it must end with status 0. A test module
  (``# save as: tests/…/test_x.py``) is only saved: the text runs it with its suite.
- A block of another language whose fence names a file (```` ```csv title="erp_export.csv" ````) is
  saved there before the file runs, as the text asks the reader to; any other block is text.
- A block marked ``<!--pytest.mark.skip(reason="…")-->`` cannot run here (a remote network, a
  command that would run the whole suite): it is checked for syntax only (``bash -n``, ``compile``),
  and the mark must say why.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest
from pytest_codeblocks import extract_from_file

ROOT = Path(__file__).resolve().parents[2]
GUIDES = sorted((ROOT / "docs" / "guides").glob("*.md"))
DOCS = [ROOT / "README.md", *GUIDES]
SHELL = {"sh", "bash", "shell"}
PYTHON = {"python", "py"}
# What the tester's guide works in besides the virtualenv: the brownie project, with its build so
# that nothing is compiled again.
PROJECT = ("brownie-config.yaml", "pytest.ini", "contracts", "interfaces", "tests", "tools", "scripts", "build")
IN_PROJECT = {"tester.md"}
PREFORK = Path(__file__).with_name("prefork.py")
SAVE_AS = re.compile(r"#\s*save as:\s*(\S+)")
TITLE = re.compile(r"title=(['\"])(.+?)\1")
EXIT = re.compile(r"#\s*exit (\d+)")


@dataclass
class Block:
    path: Path
    line: int
    language: str  # "sh" or "python"
    code: str
    skip_reason: str | None

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"


def files(path: Path) -> dict[str, str]:
    """The blocks of other languages that the text asks the reader to save: name -> content."""
    return {
        titled.group(2): block.code
        for block in extract_from_file(path)
        if block.syntax
        and block.syntax.split()[0].lower() not in SHELL | PYTHON
        and (titled := TITLE.search(block.syntax))
    }


def blocks(path: Path) -> list[Block]:
    """The shell and Python blocks of a Markdown file, in order."""
    found = []
    for block in extract_from_file(path):
        language = block.syntax.split()[0].lower() if block.syntax else ""
        if language not in SHELL | PYTHON:
            continue
        reason = None
        for mark in block.marks:
            skipped = re.fullmatch(r"pytest\.mark\.skip\(reason=(['\"])(.+)\1\)", mark.strip())
            assert skipped, f"{path.name}:{block.lineno}: only skip(reason=...) marks a block, not {mark!r}"
            reason = skipped.group(2)
        found.append(Block(path, block.lineno, "python" if language in PYTHON else "sh", block.code, reason))
    return found


def commands(block: Block) -> list[tuple[str, int]]:
    """(command, expected exit status) of each command of a shell block."""
    found = []
    for line in block.code.replace("\\\n", " ").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            status = EXIT.search(line)
            found.append((line, int(status.group(1)) if status else 0))
    return found


def script_name(block: Block) -> str:
    first = block.code.lstrip().splitlines()[0] if block.code.strip() else ""
    named = SAVE_AS.search(first)
    return named.group(1) if named else f"guide_block_{block.line}.py"


@dataclass
class Step:
    block: Block
    command: str
    expected: int
    shown: str  # as the report names it


def steps(path: Path) -> list[Step]:
    """What runs for a file, in order: its shell commands and its Python scripts."""
    found = []
    for block in blocks(path):
        if block.skip_reason:
            continue
        if block.language == "sh":
            found += [Step(block, command, status, command) for command, status in commands(block)]
        elif not Path(script_name(block)).name.startswith("test_"):  # a test module is run by its suite
            name = script_name(block)
            found.append(Step(block, f".venv/bin/python {name}", 0, f"python {name}"))
    return found


def prepare(folder: Path, path: Path) -> None:
    """The reader's checkout as far as the file needs it: the virtualenv, the npm packages, the
    example network profiles, the docs; the brownie project for the tester; the Python scripts."""
    (folder / "home").mkdir()
    (folder / ".venv").symlink_to(ROOT / ".venv")
    (folder / "node_modules").symlink_to(ROOT / "node_modules")
    shutil.copy2(ROOT / "shanglian.example.yaml", folder)
    if path.name in IN_PROJECT:
        (folder / ".solcx").symlink_to(ROOT / ".solcx")
        for name in PROJECT:
            source = ROOT / name
            if source.is_dir():
                shutil.copytree(source, folder / name, ignore=shutil.ignore_patterns("__pycache__", "tests*.json"))
            else:
                shutil.copy2(source, folder / name)
    saved = dict(files(path))
    for block in blocks(path):
        if block.language == "python" and not block.skip_reason:
            saved[script_name(block)] = block.code
    for name, content in saved.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")


def cli_server(folder: Path) -> list[str]:
    """Lines that start the file's command server (prefork.py) and make `shanglian` its client, for
    a reader whose PATH has the command (after `source .venv/bin/activate`), as the real one."""
    socket, python = folder / ".guide" / "cli.sock", folder / ".venv" / "bin" / "python"
    return [
        f"( {python} {PREFORK} serve {socket} > .guide/cli-server.log 2>&1 & )",  # not a job the text could name
        "shanglian() {",
        '  type -P shanglian > /dev/null || { echo "bash: shanglian: command not found" >&2; return 127; }',
        # in a background job (`shanglian serve … &`) the client is the job's process, as the real
        # command would be, so that `kill %?serve` reaches it
        f'  if [ "$BASHPID" != "$$" ]; then exec {python} -I -S {PREFORK} run {socket} "$@"; fi',
        f'  {python} -I -S {PREFORK} run {socket} "$@"',
        "}",
    ]


def run(path: Path, folder: Path) -> list[tuple[Step, int, str]]:
    """Runs the file's steps in one bash in `folder`: (step, exit status, output) of each."""
    prepare(folder, path)
    plan = steps(path)
    (folder / ".guide").mkdir()
    lines = ["set +e", "trap '.venv/bin/shanglian node --stop >/dev/null 2>&1; kill $(jobs -p) 2>/dev/null' EXIT"]
    lines += cli_server(folder)
    for n, step in enumerate(plan):
        # sourced: a command's `cd`, `export` or background job stays for the next, and a syntax
        # error fails that step only
        (folder / ".guide" / f"{n}.sh").write_text(step.command + "\n", encoding="utf-8")
        lines += [f"echo '::step-start {n}'", f"source .guide/{n}.sh", f'echo "::step-end {n} $?"']
    (folder / "guide.sh").write_text("\n".join(lines) + "\n", encoding="utf-8")
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SHANGLIAN_", "VIRTUAL_ENV", "PYTHON", "BROWNIE")) and k != "NO_COLOR"
    }
    env["HOME"] = str(folder / "home")
    # Own network (port 8545 free, nothing else reachable) and process namespaces (whatever the
    # guide left running ends with it).
    argv = ["unshare", "--net", "--pid", "--fork", "bash", "-c", "ip link set lo up && exec bash guide.sh 2>&1"]
    done = subprocess.run(argv, cwd=folder, env=env, capture_output=True, text=True, timeout=900)
    results = []
    for n, step in enumerate(plan):
        found = re.search(rf"::step-start {n}\n(.*?)::step-end {n} (\d+)\n", done.stdout, re.S)
        assert found, (
            f"{step.block.where}: the file stopped before {step.shown!r}:\n"
            f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        )
        results.append((step, int(found.group(2)), found.group(1)))
    return results


def tour(readme: Path = ROOT / "README.md") -> list[tuple[str, int]]:
    """(command, expected status) of the README's five-minute tour: its section up to the first
    subsection, where the pages the consumer sees begin."""
    text = readme.read_text(encoding="utf-8")
    start = text.index("## A five-minute tour")
    end = min(i for i in (text.find("\n### ", start), text.find("\n## ", start + 1)) if i > 0)
    first, last = (text.count("\n", 0, at) + 1 for at in (start, end))
    return [c for block in blocks(readme) if first < block.line < last and not block.skip_reason for c in commands(block)]


def check_readme(outputs: dict[str, str], folder: Path) -> None:
    """What the tour says the reader sees."""
    started = next(o for c, o in outputs.items() if c.startswith("shanglian node --detach"))
    assert started.count("\n") == 1 and "http://127.0.0.1:8545" in started  # one line, no keys, no RPC log
    genuine = next(o for c, o in outputs.items() if "PEAR-000042" in c and c.startswith("shanglian trace"))
    assert "verdict: genuine" in genuine
    forged = next(o for c, o in outputs.items() if "PEAR-010001" in c)
    assert "verdict: unknown serial" in forged and "origin:" not in forged
    assert (folder / "pear.png").read_bytes().startswith(b"\x89PNG")


CHECKS = {"README.md": check_readme}


def test_the_readme_tour_has_the_commands_a_newcomer_types():
    commands = [c for c, _ in tour()]
    assert commands[0] == "source .venv/bin/activate" and commands[1].startswith("shanglian node --detach")
    assert commands[-1].startswith("shanglian node --stop") and len(commands) >= 15
    assert dict(tour())[next(c for c in commands if "PEAR-010001" in c and "trace" in c)] == 3


def test_every_guide_is_linked_from_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert GUIDES and [g.name for g in GUIDES if f"docs/guides/{g.name}" not in readme] == []


def test_the_guides_are_the_five_readers():
    assert [g.name for g in GUIDES] == ["enterprise.md", "financier.md", "operator.md", "platform.md", "tester.md"]


@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.name)
def test_a_block_that_does_not_run_is_marked_with_its_reason_and_is_valid(path, tmp_path):
    for block in blocks(path):
        if not block.skip_reason:
            continue
        assert len(block.skip_reason) > 10, f"{block.where}: say why the block cannot run here"
        if block.language == "python":
            ast.parse(textwrap.dedent(block.code), filename=block.where)
        else:
            (tmp_path / "block.sh").write_text(block.code, encoding="utf-8")
            checked = subprocess.run(["bash", "-n", str(tmp_path / "block.sh")], capture_output=True, text=True)
            assert checked.returncode == 0, f"{block.where}: {checked.stderr}"


# The tester's guide runs brownie three times, the longest file by far: first, so that a worker
# takes it early and it does not end the run alone.
@pytest.mark.parametrize("path", sorted(DOCS, key=lambda p: p.name != "tester.md"), ids=lambda p: p.name)
def test_the_file_runs_as_written(path, tmp_path):
    assert shutil.which("unshare") and shutil.which("ip"), "needs unshare and ip (util-linux, iproute2)"
    results = run(path, tmp_path)
    wrong = [
        f"{step.block.where}: {step.shown}\n  exit {got}, expected {step.expected}:\n{output[-2000:]}"
        for step, got, output in results
        if got != step.expected
    ]
    assert not wrong, "\n".join(wrong)
    if path.name in CHECKS:
        CHECKS[path.name]({step.command: output for step, _, output in results}, tmp_path)
