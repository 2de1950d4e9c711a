"""The compiled contract suite shipped inside the package (ABI and bytecode per contract)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

ARTIFACT_DIR = Path(__file__).parent / "artifacts"

# Deployment order: each contract's constructor takes the addresses of those before it.
CONTRACTS = ("EnterpriseRegistry", "ProductProvenance", "Receivables", "Evidence", "Licences", "Copyrights")


@cache
def load(name: str) -> dict[str, Any]:
    return json.loads((ARTIFACT_DIR / f"{name}.json").read_text())


def abi(name: str) -> list[dict[str, Any]]:
    return load(name)["abi"]
