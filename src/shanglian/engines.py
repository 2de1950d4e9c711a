"""What the SDK knows about each node software, from the version string the node reports.

A consortium profile says how the consortium configured its nodes; this module says what a given
release does when nothing was configured. Each fact names the file or page it was read from, so it
can be checked against the release a consortium runs (docs/consortium.md gathers them). A profile
key always wins over an engine default: an operator who raised FISCO's `batch_request_size_limit`
sets `batch_limit` in the profile. A limit no release sets by default — EIP-7825's 16,777,216 gas
per transaction on Osaka chains (besu .../mainnet/OsakaTargetingGasLimitCalculator.java) — is the
profile's `max_tx_gas` alone.

`web3_clientVersion` answers, as each engine builds them:
- Besu: ``besu/v25.6.0/linux-x86_64/openjdk-java-21`` (besu util/BesuVersionUtils.java, version());
- GoQuorum: ``Geth/v1.10.3-stable-<commit>(quorum-v24.4.1)/linux-amd64/go1.x``
  (quorum params/version.go, VersionWithCommit);
- FISCO BCOS: ``FISCO-BCOS-Web3RPC/3.16.4-Release/Linux/<commit>``
  (FISCO-BCOS bcos-rpc/bcos-rpc/web3jsonrpc/endpoints/Web3Endpoint.cpp, clientVersion).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

@dataclass(frozen=True)
class Engine:
    name: str  # besu, goquorum, fisco, anvil, ganache, or unknown
    version: tuple[int, ...] = ()
    client: str = ""  # web3_clientVersion as the node answered it

    def at_least(self, *version: int) -> bool:
        return self.version >= version


UNKNOWN = Engine("unknown")

_PATTERNS = [
    ("fisco", re.compile(r"^FISCO-BCOS-Web3RPC/v?(\d+(?:\.\d+)*)", re.I)),
    ("goquorum", re.compile(r"\(quorum-v(\d+(?:\.\d+)*)\)", re.I)),
    ("besu", re.compile(r"^besu/v?(\d+(?:\.\d+)*)", re.I)),
    ("anvil", re.compile(r"^anvil/v?(\d+(?:\.\d+)*)", re.I)),
    ("ganache", re.compile(r"^ganache/v?(\d+(?:\.\d+)*)", re.I)),
]


def identify(client_version: str) -> Engine:
    """The engine behind a `web3_clientVersion` answer."""
    for name, pattern in _PATTERNS:
        found = pattern.search(client_version or "")
        if found:
            return Engine(name, tuple(int(part) for part in found.group(1).split(".")), client_version)
    return Engine("unknown", (), client_version or "")


def batch_limit(engine: Engine) -> int | None:
    """Most JSON-RPC calls one batch may carry by default; 1: the node does not batch; None: no limit.

    - FISCO before 3.16 parses a batch as its first element and answers that one call with one
      object (FISCO-BCOS v3.15.0 bcos-rpc/.../Web3JsonRpcImpl.cpp, parseRequestAndValidate:
      "adapt to the jsonrpc standard blockscout", root = temp[0]).
    - FISCO 3.16.0+ answers batches, refusing one longer than `[web3_rpc] batch_request_size_limit`,
      default 8 (bcos-tool/bcos-tool/NodeConfig.cpp; Web3JsonRpcImpl.cpp onRPCRequest: "The
      requested array size exceeds the limit size").
    - Besu: `--rpc-http-max-batch-size`, default 1024 (besu ethereum/api/.../JsonRpcConfiguration.java,
      DEFAULT_MAX_BATCH_SIZE).
    - GoQuorum (geth 1.10.3) has no batch limit, only a 5 MB request body (quorum rpc/http.go,
      maxRequestContentLength).
    """
    if engine.name == "fisco":
        return 8 if engine.at_least(3, 16) else 1
    if engine.name == "besu":
        return 1024
    return None


def max_tx_bytes(engine: Engine) -> int | None:
    """Largest signed transaction the node's pool accepts by default, in bytes.

    GoQuorum refuses a transaction larger than the genesis `txnSizeLimit` KB ("oversized data"),
    64 unless set, configurable from 32 to 128 (quorum core/tx_pool.go validateTx;
    params/config.go GetTransactionSizeLimit and the 32–128 check; core/genesis.go sets 64).
    """
    if engine.name == "goquorum":
        return 64 * 1024
    return None


def min_balance(engine: Engine) -> int:
    """Wei a sender must hold before the node accepts its transaction, whatever the gas price.

    FISCO 3.16.4's web3 eth_sendRawTransaction refuses a sender whose balance is 0 with
    "InsufficientFunds" (FISCO-BCOS bcos-rpc/bcos-rpc/validator/TxValidator.cpp,
    checkSenderBalance, called from web3jsonrpc/endpoints/EthEndpoint.cpp sendRawTransaction;
    absent from v3.16.3).
    """
    if engine.name == "fisco" and engine.at_least(3, 16, 4):
        return 1
    return 0
