"""Connecting to a chain: the embedded py-evm chain, a local node, or a consortium network.

A network is named by a profile: the built-in `embedded`, `development` (Anvil, as brownie uses)
and `ganache`, a profile from a config file, or a bare http(s) URL. Profiles say how the chain
wants transactions priced (zero-gas consortium chains), whether blocks carry POA extraData, how
wide an eth_getLogs range the node accepts, and how many confirmations to wait for; and the limits
a consortium set on its nodes (JSON-RPC batch length, transaction size and gas, the balance a
sender must hold). At connect time the node's software is identified (engines.py), so a limit the
profile leaves out takes that engine's default.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
import yaml
from web3 import Web3
from web3.exceptions import ExtraDataLengthError, Web3RPCError
from web3.middleware import ExtraDataToPOAMiddleware

from shanglian import engines
from shanglian.engines import Engine
from shanglian.errors import ConfigError, NetworkError

CONFIG_ENV = "SHANGLIAN_CONFIG"
DEFAULT_CONFIG = "shanglian.yaml"


@dataclass(frozen=True)
class NetworkProfile:
    name: str
    rpc: str | None = None  # None: the embedded chain, in this process
    chain_id: int | None = None  # checked against the node when given
    gas_price: str | int = "auto"  # "auto" (EIP-1559 or legacy, as the node says), "zero", or wei
    poa: bool = False  # blocks carry POA/QBFT extraData longer than 32 bytes
    logs_range: int = 5_000  # widest eth_getLogs block range the node accepts
    confirmations: int = 0
    block_time: float = 0.0  # seconds between blocks (QBFT's blockperiodseconds); 0: mined as transactions arrive
    timeout: float = 30.0  # seconds for one RPC request and for a receipt
    local: bool = False  # the well-known development keys are accepted only where this is true
    batch_limit: int | None = None  # most calls in one JSON-RPC batch; 1: never batch (None: the engine's)
    max_tx_bytes: int | None = None  # largest signed transaction the nodes accept (None: the engine's)
    max_tx_gas: int | None = None  # per-transaction gas cap, e.g. EIP-7825's 16,777,216 on Osaka chains
    min_balance: int | None = None  # wei every sending account must hold (None: the engine's)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def embedded(self) -> bool:
        return self.rpc is None


BUILTIN = {
    "embedded": NetworkProfile("embedded", local=True, logs_range=1_000_000),
    "development": NetworkProfile(
        "development", rpc="http://127.0.0.1:8545", chain_id=31337, local=True, logs_range=1_000_000
    ),
    "ganache": NetworkProfile(
        "ganache", rpc="http://127.0.0.1:8545", chain_id=1337, local=True, logs_range=1_000_000
    ),
}
_FIELDS = {"rpc", "chain_id", "gas_price", "poa", "logs_range", "confirmations", "block_time", "timeout", "local", "batch_limit",
           "max_tx_bytes", "max_tx_gas", "min_balance"}

# The numeric keys and what each takes (a YAML string or a negative value is refused by name).
_NUMBERS: dict[str, tuple[type, ...]] = {
    **dict.fromkeys(("chain_id", "logs_range", "confirmations", "batch_limit", "max_tx_bytes", "max_tx_gas",
                     "min_balance"), (int,)),
    **dict.fromkeys(("timeout", "block_time"), (int, float)),
}


def config_path(explicit: str | os.PathLike[str] | None = None) -> Path | None:
    """The config file in force: the explicit one, $SHANGLIAN_CONFIG, or ./shanglian.yaml if present."""
    if explicit:
        return Path(explicit)
    if os.environ.get(CONFIG_ENV):
        return Path(os.environ[CONFIG_ENV])
    default = Path(DEFAULT_CONFIG)
    return default if default.exists() else None


def load_profiles(path: str | os.PathLike[str] | None = None) -> dict[str, NetworkProfile]:
    profiles = dict(BUILTIN)
    found = config_path(path)
    if found is None:
        return profiles
    try:
        data = yaml.safe_load(found.read_text()) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read network config {found}: {exc}") from exc
    for name, values in (data.get("networks") or {}).items():
        if not isinstance(values, dict):
            raise ConfigError(f"{found}: network {name!r} must be a mapping")
        unknown = set(values) - _FIELDS
        if unknown:
            raise ConfigError(f"{found}: network {name!r} has unknown keys {sorted(unknown)}")
        for key, value in values.items():
            kinds = _NUMBERS.get(key)
            if kinds and value is not None and (isinstance(value, bool) or not isinstance(value, kinds) or value < 0):
                what = "a whole number" if kinds == (int,) else "a number"
                raise ConfigError(f"{found}: network {name!r}: {key} must be {what} ≥ 0, not {value!r}")
        base = profiles.get(name, NetworkProfile(name))
        profiles[name] = replace(base, **values)
    return profiles


def is_loopback(url: str) -> bool:
    """Whether `url`'s host is this machine (localhost, 127.0.0.0/8, ::1): a node only you reach."""
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def profile(network: str, config: str | os.PathLike[str] | None = None) -> NetworkProfile:
    """The profile `network` names; a bare URL of a node on this machine is a local network (the
    development keys work there, as on `development`)."""
    if network.startswith(("http://", "https://")):
        return NetworkProfile(network, rpc=network, local=is_loopback(network))
    profiles = load_profiles(config)
    if network not in profiles:
        known = ", ".join(sorted(profiles))
        raise ConfigError(f"unknown network {network!r}; known networks: {known}, or give a URL")
    return profiles[network]


@dataclass
class Chain:
    """A connected chain: the Web3 instance, what the profile says about it, and what was learnt
    from the node itself (its engine; and, once asked, how wide a log query it really answers and
    whether its contracts' clock counts seconds)."""

    w3: Web3
    profile: NetworkProfile
    chain_id: int
    engine: Engine = engines.UNKNOWN
    logs_window: int | None = None  # eth_getLogs blocks per query, once probed (logs.py)
    clock_checked: bool = False  # the contracts' clock was found to count seconds (chaintime.py)
    batch_cap: int | None = None  # the longest JSON-RPC batch the node was found to take (pipeline.py)
    embedded_logs: Any = None  # the embedded chain's logs, read once per block (logs.py)

    @property
    def name(self) -> str:
        return self.profile.name

    @property
    def batch_limit(self) -> int | None:
        """Most calls per JSON-RPC batch: the profile's, else the engine's default (None: no limit),
        and never more than the node was found to take."""
        configured = self.profile.batch_limit if self.profile.batch_limit is not None else engines.batch_limit(self.engine)
        if self.batch_cap is not None:
            return min(self.batch_cap, configured or self.batch_cap)
        return configured

    @property
    def max_tx_bytes(self) -> int | None:
        return self.profile.max_tx_bytes if self.profile.max_tx_bytes is not None else engines.max_tx_bytes(self.engine)

    @property
    def min_balance(self) -> int:
        return self.profile.min_balance if self.profile.min_balance is not None else engines.min_balance(self.engine)


def connect(network: str | NetworkProfile = "embedded", config: str | None = None) -> Chain:
    prof = network if isinstance(network, NetworkProfile) else profile(network, config)
    if prof.embedded:
        w3 = _embedded_web3()
    else:
        w3 = Web3(Web3.HTTPProvider(prof.rpc, request_kwargs={"timeout": prof.timeout}))
        if prof.poa:
            w3.middleware_onion.inject(ExtraDataToPOAMiddleware, layer=0)
    engine = engines.UNKNOWN if prof.embedded else _engine(w3, prof)
    chain_id = _chain_id(w3, prof)
    if not prof.embedded and not prof.poa and _needs_poa(w3):
        w3.middleware_onion.inject(ExtraDataToPOAMiddleware, layer=0)
    if prof.chain_id is not None and chain_id != prof.chain_id:
        raise ConfigError(
            f"network {prof.name!r} expects chain id {prof.chain_id} but the node at {prof.rpc} "
            f"reports {chain_id}; check the URL or the profile"
        )
    return Chain(w3, prof, chain_id, engine)


def _needs_poa(w3: Web3) -> bool:
    """Whether blocks carry more than 32 bytes of extraData (Clique, IBFT, QBFT) though the profile
    did not say so: web3 refuses such blocks unless the POA middleware is installed."""
    try:
        w3.eth.get_block("latest")
    except ExtraDataLengthError:
        return True
    return False


def _engine(w3: Web3, prof: NetworkProfile) -> Engine:
    """The node's software from web3_clientVersion; unknown when the node does not say."""
    try:
        return engines.identify(str(w3.client_version))
    except Web3RPCError:
        return engines.UNKNOWN
    except (requests.exceptions.RequestException, OSError) as exc:
        raise _unreachable(prof, exc) from None


def _chain_id(w3: Web3, prof: NetworkProfile) -> int:
    try:
        return int(w3.eth.chain_id)
    except Web3RPCError as exc:
        # GoQuorum answers eth_chainId with an error until the chain reaches the genesis's
        # eip155Block, and for ever when the genesis has none (quorum internal/ethapi/api.go,
        # ChainId: "chain not synced beyond EIP-155 replay-protection fork block").
        message = exc.rpc_response.get("error", {}).get("message") if exc.rpc_response else str(exc)
        hint = (" — the genesis must list every fork block up to berlinBlock, eip155Block included "
                "(docs/consortium.md, GoQuorum)") if "eip-155" in str(message).lower() else ""
        raise NetworkError(f"the node at {prof.rpc} refused eth_chainId: {message}{hint}") from None
    except (requests.exceptions.RequestException, OSError) as exc:
        raise _unreachable(prof, exc) from None


def _unreachable(prof: NetworkProfile, exc: Exception) -> NetworkError:
    if isinstance(exc, requests.exceptions.Timeout):
        return NetworkError(f"the node at {prof.rpc} did not answer within {prof.timeout:g} s")
    hint = " — start one with `shanglian node`" if prof.local else ""
    return NetworkError(f"no node at {prof.rpc}{hint}")


def _embedded_web3() -> Web3:
    from eth_tester import EthereumTester, PyEVMBackend  # imported here: only the embedded chain needs py-evm

    from shanglian import devkeys

    backend = PyEVMBackend.from_mnemonic(
        devkeys.MNEMONIC,
        num_accounts=devkeys.COUNT,
        hd_path="m/44'/60'/0'/0",  # the path Anvil and Hardhat derive from the same mnemonic
        genesis_state_overrides={"balance": 10**24},
        genesis_parameters=PyEVMBackend.generate_genesis_params({"gas_limit": 30_000_000}),
    )
    return Web3(Web3.EthereumTesterProvider(EthereumTester(backend)))
