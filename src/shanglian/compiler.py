"""Compiles the contract suite with py-solc-x standard JSON into the artifacts shipped in the package.

Only `shanglian compile` (and the test that proves the committed artifacts are fresh) needs a
compiler; everything else loads the artifacts, so an enterprise can `pip install` the SDK and drive
a deployed consortium without node or solc.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import yaml

from shanglian.artifacts import ARTIFACT_DIR, CONTRACTS
from shanglian.errors import ConfigError


def project_root() -> Path:
    """The checkout holding brownie-config.yaml: the compiler reads its pinned settings."""
    here = Path(__file__).resolve()
    for folder in here.parents:
        if (folder / "brownie-config.yaml").exists() and (folder / "contracts").is_dir():
            return folder
    raise ConfigError("compiling needs a source checkout of shanglian (brownie-config.yaml not found)")


def compiler_settings(root: Path) -> dict[str, Any]:
    """Version, EVM version, optimizer and remappings, read from brownie-config.yaml: one source of truth."""
    config = yaml.safe_load((root / "brownie-config.yaml").read_text())["compiler"]
    solc = config["solc"]
    return {
        "version": str(solc["version"]),
        "evm_version": config["evm_version"],
        "optimizer": solc["optimizer"],
        "remappings": list(solc.get("remappings", [])),
    }


def standard_input(root: Path, settings: dict[str, Any], paths: list[str]) -> dict[str, Any]:
    sources = {path: {"content": (root / path).read_text()} for path in paths}
    return {
        "language": "Solidity",
        "sources": sources,
        "settings": {
            "evmVersion": settings["evm_version"],
            "optimizer": settings["optimizer"],
            "remappings": settings["remappings"],
            "outputSelection": {
                "*": {"*": ["abi", "userdoc", "evm.bytecode.object", "evm.deployedBytecode.object"]}
            },
        },
    }


def compile_contracts(sources: dict[str, str], root: Path | None = None) -> dict[str, dict[str, Any]]:
    """Compiles `sources` ({path relative to the checkout: contract name}) with the pinned settings."""
    import solcx  # imported here: only compiling needs it

    root = root or project_root()
    settings = compiler_settings(root)
    os.environ.setdefault("SOLCX_BINARY_PATH", str(root / ".solcx"))
    binary = solcx.install.get_executable(settings["version"])
    output = solcx.compile_standard(
        standard_input(root, settings, list(sources)),
        solc_binary=binary,
        base_path=str(root),
        allow_paths=str(root),
    )
    artifacts: dict[str, dict[str, Any]] = {}
    for path, name in sources.items():
        compiled = output["contracts"][path][name]
        artifacts[name] = {
            "contractName": name,
            "compiler": {"solc": settings["version"], "evmVersion": settings["evm_version"]},
            "abi": compiled["abi"],
            "userdoc": compiled["userdoc"],
            "bytecode": "0x" + compiled["evm"]["bytecode"]["object"],
            "deployedBytecode": "0x" + compiled["evm"]["deployedBytecode"]["object"],
        }
    return artifacts


def compile_suite(root: Path | None = None) -> dict[str, dict[str, Any]]:
    """Compiles every contract of the suite (the artifacts shipped in the package)."""
    return compile_contracts({f"contracts/{name}.sol": name for name in CONTRACTS}, root)


def render(artifact: dict[str, Any]) -> str:
    return json.dumps(artifact, indent=1, sort_keys=True) + "\n"


def write_artifacts(artifacts: dict[str, dict[str, Any]], folder: Path = ARTIFACT_DIR) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, artifact in artifacts.items():
        path = folder / f"{name}.json"
        path.write_text(render(artifact))
        written.append(path)
    return written
