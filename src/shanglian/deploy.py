"""Deploying the contract suite and finding it again.

Contracts are deployed in dependency order and each address is written to the deployments
manifest (`<state dir>/deployments.json`, keyed by chain id) as soon as its deployment is mined,
with an atomic file replace, so an interrupted deployment resumes where it stopped. A recorded
address is trusted only while code is there: a manifest entry for a chain that was reset is
ignored rather than used.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from web3.contract import Contract

from shanglian import artifacts
from shanglian.errors import ConfigError, DeploymentError
from shanglian.network import Chain
from shanglian.transactions import Transactor

STATE_ENV = "SHANGLIAN_HOME"
ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"


def state_dir() -> Path:
    """Where shanglian keeps per-project state: deployments, node state, job journals."""
    return Path(os.environ.get(STATE_ENV, ".shanglian"))


@dataclass
class DeployOptions:
    admins: list[str]
    threshold: int
    settlement_token: str = ZERO_ADDRESS


# Constructor arguments of each contract, from the options and the addresses deployed before it.
_ARGS: dict[str, Callable[[DeployOptions, dict[str, str]], list[Any]]] = {
    "EnterpriseRegistry": lambda o, d: [o.admins, o.threshold],
    "ProductProvenance": lambda o, d: [d["EnterpriseRegistry"]],
    "Receivables": lambda o, d: [d["EnterpriseRegistry"], o.settlement_token],
    "Evidence": lambda o, d: [d["EnterpriseRegistry"]],
    "Licences": lambda o, d: [d["EnterpriseRegistry"]],
    "Copyrights": lambda o, d: [d["EnterpriseRegistry"]],
}


@dataclass
class Suite:
    """The deployed contracts on one chain, as web3 contract objects."""

    chain: Chain
    addresses: dict[str, str]
    contracts: dict[str, Contract] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name, address in self.addresses.items():
            self.contracts[name] = self.chain.w3.eth.contract(address=address, abi=artifacts.abi(name))

    def __getitem__(self, name: str) -> Contract:
        if name not in self.contracts:
            raise DeploymentError(f"{name} is not deployed on chain {self.chain.chain_id}; run `shanglian deploy`")
        return self.contracts[name]

    @property
    def registry(self) -> Contract:
        return self["EnterpriseRegistry"]


class Manifest:
    """deployments.json: {chain id: {contract name: {address, block, transaction}}}."""

    def __init__(self, path: Path | None) -> None:
        self.path = path  # None: kept in memory (the embedded chain dies with the process)
        self._data: dict[str, dict[str, Any]] = {}
        if path is not None and path.exists():
            self._data = json.loads(path.read_text())

    def entries(self, chain_id: int) -> dict[str, Any]:
        return dict(self._data.get(str(chain_id), {}))

    def record(self, chain_id: int, name: str, entry: dict[str, Any]) -> None:
        self._data.setdefault(str(chain_id), {})[name] = entry
        self._save()

    def keep_only(self, chain_id: int, names: dict[str, str]) -> None:
        entries = self._data.get(str(chain_id), {})
        if set(entries) - set(names):
            self._data[str(chain_id)] = {k: v for k, v in entries.items() if k in names}
            self._save()

    def forget(self, chain_id: int) -> None:
        self._data.pop(str(chain_id), None)
        self._save()

    def _save(self) -> None:
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self._data, indent=2, sort_keys=True) + "\n")
        os.replace(tmp, self.path)


def manifest_for(chain: Chain) -> Manifest:
    return Manifest(None if chain.profile.embedded else state_dir() / "deployments.json")


def live_addresses(chain: Chain, manifest: Manifest) -> dict[str, str]:
    """The recorded addresses that still hold code, in deployment order, stopping at the first gap."""
    found: dict[str, str] = {}
    entries = manifest.entries(chain.chain_id)
    for name in artifacts.CONTRACTS:
        entry = entries.get(name)
        if entry is None or len(chain.w3.eth.get_code(entry["address"])) == 0:
            break
        found[name] = entry["address"]
    return found


def deploy_suite(
    chain: Chain,
    sender: Transactor,
    options: DeployOptions,
    fresh: bool = False,
    manifest: Manifest | None = None,
    progress: Callable[[str, str, bool], None] | None = None,
) -> Suite:
    """Deploys whatever of the suite is not live on `chain` yet (everything when `fresh`). On a
    chain that refuses senders without a balance, the deployer and every admin must hold one first."""
    _require_funded(chain, [sender.address, *options.admins])
    manifest = manifest or manifest_for(chain)
    if fresh:
        manifest.forget(chain.chain_id)
    deployed = live_addresses(chain, manifest)
    # Whatever follows the first gap was built on a contract that is gone: redeploy from there.
    manifest.keep_only(chain.chain_id, deployed)
    for name in artifacts.CONTRACTS:
        if name in deployed:
            if progress:
                progress(name, deployed[name], True)
            continue
        artifact = artifacts.load(name)
        factory = chain.w3.eth.contract(abi=artifact["abi"], bytecode=artifact["bytecode"])
        receipt = sender.deploy(artifact["bytecode"], factory.constructor(*_ARGS[name](options, deployed)))
        address = receipt["contractAddress"]
        deployed[name] = address
        manifest.record(
            chain.chain_id,
            name,
            {
                "address": address,
                "block": receipt["blockNumber"],
                "transaction": receipt["transactionHash"].to_0x_hex(),
                "network": chain.name,
            },
        )
        if progress:
            progress(name, address, False)
    return Suite(chain, deployed)


def _require_funded(chain: Chain, addresses: list[str]) -> None:
    if chain.profile.embedded or not chain.min_balance:
        return
    from shanglian.funding import balances  # the bulk path, only where balances matter

    short = [a for a, held in balances(chain, list(dict.fromkeys(addresses))).items() if held < chain.min_balance]
    if short:
        raise ConfigError(
            f"network {chain.name!r} refuses transactions from accounts holding less than {chain.min_balance} wei, "
            f"and the deployer or admins {', '.join(short)} do: fund them first with `shanglian account fund "
            f"{' '.join(short)} --network {chain.name} --account <a funded account>`"
        )


def load_suite(chain: Chain, manifest: Manifest | None = None) -> Suite:
    manifest = manifest or manifest_for(chain)
    addresses = live_addresses(chain, manifest)
    if "EnterpriseRegistry" not in addresses:
        raise DeploymentError(
            f"no shanglian deployment on {chain.name!r} (chain id {chain.chain_id}); run `shanglian deploy`"
        )
    return Suite(chain, addresses)
