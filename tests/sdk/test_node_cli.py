"""`shanglian node`: one line with the URL once the node answers, its output in a log file, and a
non-zero exit with the reason when it cannot start."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys

from shanglian.localnode import answers, free_port, port_in_use


def shanglian(*args, cwd, timeout=60, env=None):
    base = {k: v for k, v in os.environ.items() if not k.startswith("SHANGLIAN_")}
    return subprocess.run([sys.executable, "-m", "shanglian", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env={**base, **(env or {})})


def test_a_port_in_use_is_refused_before_anything_starts(tmp_path):
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        port = held.getsockname()[1]
        result = shanglian("node", "--port", str(port), "--detach", cwd=tmp_path)
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr == (f"error: port {port} on 127.0.0.1 is in use: stop what holds it (a node started with "
                             "--detach stops with `shanglian node --stop`), or give another --port\n")
    assert not (tmp_path / ".shanglian" / "node.pid").exists()


def test_a_node_that_refuses_its_options_exits_non_zero_with_its_reason(tmp_path):
    result = shanglian("node", "--port", str(free_port()), "--hardfork", "nonsense", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith("error: anvil exited with status 1 at start: Error: Unknown hardfork: nonsense")


def test_detached_node_prints_one_line_logs_to_a_file_and_stops(tmp_path):
    port = free_port()
    started = shanglian("node", "--port", str(port), "--detach", cwd=tmp_path)
    try:
        assert started.returncode == 0, started.stderr
        assert started.stdout.count("\n") == 1 and f"anvil on http://127.0.0.1:{port}" in started.stdout
        assert answers(f"http://127.0.0.1:{port}")
        log = (tmp_path / ".shanglian" / "node.log").read_text()
        assert "Private Keys" in log and "Private Keys" not in started.stdout  # the keys went to the log
        again = shanglian("node", "--port", str(free_port()), "--detach", cwd=tmp_path)
        assert again.returncode == 1 and "runs already" in again.stderr
    finally:
        stopped = shanglian("node", "--stop", cwd=tmp_path)
    assert stopped.returncode == 0 and stopped.stdout == f"stopped the node on http://127.0.0.1:{port}\n"
    assert not port_in_use(port) and (tmp_path / ".shanglian" / "anvil-state.json").exists()


def test_a_node_in_the_foreground_prints_one_line_and_stops_on_sigterm(tmp_path):
    port = free_port()
    node = subprocess.Popen([sys.executable, "-m", "shanglian", "node", "--port", str(port)], cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = node.stdout.readline()
        assert first.startswith(f"anvil on http://127.0.0.1:{port} (chain id 31337)")
        assert answers(f"http://127.0.0.1:{port}")
    finally:
        node.send_signal(signal.SIGTERM)
        out, err = node.communicate(timeout=30)
    assert node.returncode == 0 and out == "" and err == ""
    assert not (tmp_path / ".shanglian" / "node.pid").exists()


def test_a_node_on_another_port_takes_the_development_keys_with_its_url(tmp_path):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    started = shanglian("node", "--port", str(port), "--detach", cwd=tmp_path)
    try:
        assert started.returncode == 0, started.stderr
        deployed = shanglian("deploy", "--account", "dev0", "--network", url, cwd=tmp_path, timeout=120)
        assert deployed.returncode == 0, deployed.stderr
        applied = shanglian("enterprise", "apply", "--account", "dev3", "--name", "砀山县梨都果品专业合作社",
                            "--credit-code", "93341321MA2N7Q8K08", "--roles", "producer", "--licence", "lic-2026-001",
                            "--licence-expiry", "2029-12-31", cwd=tmp_path, env={"SHANGLIAN_NETWORK": url})
        assert applied.returncode == 0, applied.stderr
    finally:
        shanglian("node", "--stop", cwd=tmp_path)
