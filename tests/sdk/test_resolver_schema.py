"""Schema-driven fuzzing of the live resolver: schemathesis (run from its own tool venv, since it
needs a newer hypothesis than brownie pins) generates requests from /openapi.json; no answer may be
a server error, and every answer must match the status codes, content types and bodies declared."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from shanglian.resolver.process import ServerProcess

ROOT = Path(__file__).resolve().parents[2]
SCHEMATHESIS = Path(os.environ.get("SHANGLIAN_SCHEMATHESIS", ROOT / ".venv-tools" / "bin" / "schemathesis"))
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("schema")
    env = {**os.environ, "SHANGLIAN_HOME": str(tmp)}
    with ServerProcess(["--network", "embedded"], env, log=tmp / "serve.log") as running:
        yield running


def test_no_request_generated_from_the_schema_breaks_the_resolver(server, tmp_path):
    assert SCHEMATHESIS.exists(), f"{SCHEMATHESIS} is missing: run `make tools` (schemathesis in .venv-tools)"
    result = subprocess.run(
        [str(SCHEMATHESIS), "run", f"{server.url}/openapi.json", "--checks", CHECKS, "--max-examples", "60",
         "--generation-deterministic", "--request-timeout", "10", "--workers", "2"],
        capture_output=True, text=True, timeout=300, cwd=tmp_path,
        env={k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))},
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout
