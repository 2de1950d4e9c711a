"""README's five-minute tour, run as a newcomer runs it: the shell blocks of its section, command by
command in one shell, from a fresh folder holding only the project's virtualenv. Each command must
end with status 0, or with the status its comment gives (``# exit 2: …``).

It runs twice: as written (Anvil on its default port 8545, in a network namespace of its own so
that brownie's node or another developer's cannot be in the way; nothing outside it is reachable,
nor needed), and on another port the way the README says (``--port`` for the node, ``--network
http://127.0.0.1:<port>`` for every command that talks to the chain)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from shanglian.localnode import free_port

ROOT = Path(__file__).resolve().parents[2]
CHAIN_COMMANDS = ("deploy", "enterprise", "product", "batch", "trace")  # those that take --network


def tour() -> list[tuple[str, int]]:
    """(command, expected exit status) of each command of the tour's shell blocks, in order."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## A five-minute tour"):]
    section = section[: section.index("\n## ", 1)]
    section = section[: section.index("\n### ")]  # the tour ends where the sections on the page begin
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", section, re.S):
        for line in block.replace("\\\n", " ").splitlines():
            if line.strip():
                status = re.search(r"#\s*exit (\d+)", line)
                commands.append((line, int(status.group(1)) if status else 0))
    return commands


def on_port(command: str, port: int) -> str:
    """`command` with the README's flags for a node on `port`."""
    code, hash_, comment = command.partition(" #")
    words = code.split()
    if words[:2] == ["shanglian", "node"] and "--stop" not in words:
        code = code.rstrip() + f" --port {port}"
    elif words[:1] == ["shanglian"] and words[1] in CHAIN_COMMANDS:
        code = code.rstrip() + f" --network http://127.0.0.1:{port}"
    return code + (" " + hash_ + comment if hash_ else "")


def run_tour(commands: list[tuple[str, int]], folder: Path, isolated: bool) -> list[tuple[str, int, int, str]]:
    """Runs the commands in one bash in `folder`; (command, expected, got, output) of each."""
    (folder / ".venv").symlink_to(ROOT / ".venv")
    lines = ["set +e", "trap '.venv/bin/shanglian node --stop >/dev/null 2>&1' EXIT"]
    for n, (command, _) in enumerate(commands):
        lines += [f"echo '::tour-start {n}'", command, f"echo \"::tour-end {n} $?\""]
    (folder / "tour.sh").write_text("\n".join(lines) + "\n")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SHANGLIAN_", "VIRTUAL_ENV", "PYTHON")) and k != "NO_COLOR"}
    env["HOME"] = str(folder / "home")
    argv = ["bash", "tour.sh"]
    if isolated:
        argv = ["unshare", "--net", "bash", "-c", "ip link set lo up && exec bash tour.sh"]
    done = subprocess.run(argv, cwd=folder, env=env, capture_output=True, text=True, timeout=600)
    results = []
    for n, (command, expected) in enumerate(commands):
        found = re.search(rf"::tour-start {n}\n(.*?)::tour-end {n} (\d+)\n", done.stdout, re.S)
        assert found, f"the tour stopped before {command!r}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        results.append((command, expected, int(found.group(2)), found.group(1)))
    return results


def assert_ran(results: list[tuple[str, int, int, str]]) -> None:
    wrong = [f"{command}\n  exit {got}, expected {expected}:\n{output[-1500:]}"
             for command, expected, got, output in results if got != expected]
    assert not wrong, "\n".join(wrong)


def test_the_tour_has_the_commands_a_newcomer_types():
    commands = [c for c, _ in tour()]
    assert commands[0] == "source .venv/bin/activate" and commands[1].startswith("shanglian node --detach")
    assert commands[-1].startswith("shanglian node --stop") and len(commands) >= 15
    assert dict(tour())[next(c for c in commands if "PEAR-010001" in c and "trace" in c)] == 3


def test_the_tour_runs_as_written(tmp_path):
    assert shutil.which("unshare") and shutil.which("ip"), "needs unshare and ip (util-linux, iproute2)"
    results = run_tour(tour(), tmp_path, isolated=True)
    assert_ran(results)
    outputs = {command: output for command, _, _, output in results}
    genuine = next(o for c, o in outputs.items() if "PEAR-000042" in c and "trace" in c)
    assert "verdict: genuine" in genuine
    forged = next(o for c, o in outputs.items() if "PEAR-010001" in c)
    assert "verdict: unknown serial" in forged and "origin:" not in forged
    assert (tmp_path / "pear.png").read_bytes().startswith(b"\x89PNG")
    first = next(o for c, o in outputs.items() if c.startswith("shanglian node --detach"))
    assert first.count("\n") == 1 and "http://127.0.0.1:8545" in first  # one line, no keys, no RPC log


def test_the_tour_runs_on_another_port_with_the_documented_flags(tmp_path):
    port = free_port()
    results = run_tour([(on_port(command, port), status) for command, status in tour()], tmp_path, isolated=False)
    assert_ran(results)
    assert f"http://127.0.0.1:{port}" in results[1][3]
