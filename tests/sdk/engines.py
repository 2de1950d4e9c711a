"""Anvil answering as Besu, GoQuorum or FISCO BCOS would: behaviours for bench/rpcproxy.py.

No engine installs on these machines, so the suites put a proxy in front of Anvil that answers the
way each engine's source says it does. Every behaviour names the file (or doc page) it imitates,
read at besu 26.3 (main, March 2026), quorum v24.4.1, FISCO-BCOS v3.16.4 (and the tags named),
so it can be checked against a real node later. `Imitation.start()` starts the Anvil node and the
proxy; `.profile(**keys)` is a local network profile pointing at the proxy.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Any

import rlp
from eth_account import Account

from shanglian.localnode import LocalNode
from shanglian.network import NetworkProfile

from bench.rpcproxy import Call, RpcProxy, error, result

_BLOCK_METHODS = ("eth_getBlockByNumber", "eth_getBlockByHash")


def _number(tag: Any, latest: int) -> int:
    if tag in (None, "latest", "pending", "safe", "finalized"):
        return latest
    if tag == "earliest":
        return 0
    return int(tag, 16) if isinstance(tag, str) else int(tag)


def _raw(call: Call) -> bytes:
    return bytes.fromhex(call["params"][0][2:])


def _fields(raw: bytes) -> dict[str, int]:
    """gas, gas price (legacy) and value of a signed legacy or EIP-1559 transaction."""
    if raw[0] >= 0xC0:  # legacy: [nonce, gasPrice, gas, to, value, data, v, r, s]
        items = rlp.decode(raw)
        return {"type": 0, "gas_price": _int(items[1]), "gas": _int(items[2]), "value": _int(items[4])}
    items = rlp.decode(raw[1:])  # type 1: [chainId, nonce, gasPrice, gas, to, value, ...]; 2: [.., tip, maxFee, gas, to, value]
    if raw[0] == 1:
        return {"type": 1, "gas_price": _int(items[2]), "gas": _int(items[3]), "value": _int(items[5])}
    return {"type": raw[0], "gas_price": _int(items[3]), "gas": _int(items[4]), "value": _int(items[6])}


def _int(value: bytes) -> int:
    return int.from_bytes(value, "big")


def _sender(call: Call) -> str:
    return Account.recover_transaction(call["params"][0])


def _is(call: Call, *methods: str) -> bool:
    return call.get("method") in methods


# ------------------------------------------------------------------------------------------ common


@dataclass
class ClientVersion:
    """web3_clientVersion as the engine builds it (see shanglian/engines.py for each source)."""

    version: str

    def intercept(self, proxy: RpcProxy, call: Call) -> Call | None:
        return result(call, self.version) if _is(call, "web3_clientVersion") else None


# ------------------------------------------------------------------------------------------- FISCO


@dataclass
class FiscoBatches:
    """How FISCO's web3 RPC takes a JSON-RPC array.

    Before 3.16 it parses the array as its first element and answers that call with one object
    (FISCO-BCOS v3.15.0 bcos-rpc/bcos-rpc/web3jsonrpc/Web3JsonRpcImpl.cpp, parseRequestAndValidate).
    From 3.16.0 it refuses an empty array and one longer than `batch_request_size_limit` (default 8,
    bcos-tool/bcos-tool/NodeConfig.cpp) with an InvalidRequest error whose id is null, and answers a
    one-element array as a plain call (v3.16.4 Web3JsonRpcImpl.cpp onRPCRequest; jsonrpc/Common.h
    InvalidRequest = -32600; web3jsonrpc/utils/util.cpp buildJsonError).
    """

    version: tuple[int, ...]
    limit: int = 8

    def request(self, proxy: RpcProxy, body: Any) -> Any:
        if not isinstance(body, list):
            return None
        if self.version < (3, 16):
            return proxy.handle(body[0])
        if not body:
            return error(None, -32600, "The request array is empty")
        if len(body) > self.limit:
            return error(None, -32600, f"The requested array size exceeds the limit size: {self.limit}")
        return proxy.handle(body[0]) if len(body) == 1 else None


@dataclass
class FiscoLogs:
    """eth_getLogs scans `filter_max_process_block` blocks (default 10) from fromBlock and answers
    for those only, without an error (FISCO-BCOS v3.12.4+ bcos-rpc/bcos-rpc/filter/FilterSystem.cpp
    getLogsImpl: processBlockNum = min(toBlock - fromBlock + 1, m_maxBlockProcessPerReq))."""

    max_process_block: int = 10

    def rewrite(self, proxy: RpcProxy, call: Call) -> Call:
        if not _is(call, "eth_getLogs") or "blockHash" in call["params"][0]:
            return call
        query = call["params"][0]
        latest = int(proxy.upstream("eth_blockNumber", []), 16)
        start = _number(query.get("fromBlock"), latest)
        end = min(_number(query.get("toBlock"), latest), latest)
        if start > latest or end < start:
            return call
        end = start + min(end - start + 1, self.max_process_block) - 1
        return {**call, "params": [{**query, "fromBlock": hex(start), "toBlock": hex(end)}]}


@dataclass
class FiscoBlocks:
    """Blocks as FISCO's web3 RPC shows them: baseFeePerGas always 0x0 (FISCO-BCOS
    bcos-rpc/bcos-rpc/web3jsonrpc/model/BlockResponse.cpp), and from 3.12.0 the header's
    milliseconds divided by 1000 ("to seconds"; v3.11.0 BlockResponse.h passed them as they are).
    `divisor` is 1000 when the node under the proxy runs a millisecond clock and the version shows
    seconds."""

    divisor: int = 1

    def answer(self, proxy: RpcProxy, call: Call, answer: Call) -> Call:
        block = answer.get("result")
        if _is(call, *_BLOCK_METHODS) and isinstance(block, dict):
            block = {**block, "baseFeePerGas": "0x0", "timestamp": hex(int(block["timestamp"], 16) // self.divisor)}
            return {**answer, "result": block}
        return answer


@dataclass
class FiscoGas:
    """eth_gasPrice is the chain's `tx_gas_price` system setting (0 unless set), and
    eth_maxPriorityFeePerGas is always 0 (EthEndpoint.cpp gasPrice, maxPriorityFeePerGas)."""

    price: int = 0

    def intercept(self, proxy: RpcProxy, call: Call) -> Call | None:
        if _is(call, "eth_gasPrice"):
            return result(call, hex(self.price))
        if _is(call, "eth_maxPriorityFeePerGas"):
            return result(call, "0x0")
        return None


class FiscoLegacyScheduler:
    """The default scheduler (build_chain.sh writes baseline_scheduler=false) refuses a call or a
    gas estimate without a recipient: "Call address is empty" (bcos-scheduler/src/SchedulerImpl.cpp
    call(), reached from web3jsonrpc/endpoints/EthEndpoint.cpp call and estimateGas; the error
    becomes InternalError -32603 in Web3JsonRpcImpl.cpp)."""

    def intercept(self, proxy: RpcProxy, call: Call) -> Call | None:
        if _is(call, "eth_call", "eth_estimateGas") and not call["params"][0].get("to"):
            return error(call, -32603, "Call address is empty")
        return None


class FiscoBalanceCheck:
    """3.16.4's web3 eth_sendRawTransaction refuses a sender whose balance is 0 (or below the value
    sent) with InvalidParams "InsufficientFunds", whatever the gas price (FISCO-BCOS
    bcos-rpc/bcos-rpc/validator/TxValidator.cpp checkSenderBalance; EthEndpoint.cpp
    sendRawTransaction; bcos-protocol TransactionStatus.h)."""

    def intercept(self, proxy: RpcProxy, call: Call) -> Call | None:
        if not _is(call, "eth_sendRawTransaction"):
            return None
        balance = int(proxy.upstream("eth_getBalance", [_sender(call), "pending"]), 16)
        if balance == 0 or balance < _fields(_raw(call))["value"]:
            return error(call, -32602, "InsufficientFunds")
        return None


# -------------------------------------------------------------------------------------------- Besu


@dataclass
class BesuLogsRange:
    """eth_getLogs over more than `--rpc-max-logs-range` blocks (default 5000) is refused (besu
    ethereum/api/.../jsonrpc/internal/methods/EthGetLogs.java: toBlock - fromBlock > maxLogRange;
    RpcErrorType.java EXCEEDS_RPC_MAX_BLOCK_RANGE -32005)."""

    max_range: int = 5000

    def intercept(self, proxy: RpcProxy, call: Call) -> Call | None:
        if not _is(call, "eth_getLogs") or "blockHash" in call["params"][0]:
            return None
        latest = int(proxy.upstream("eth_blockNumber", []), 16)
        query = call["params"][0]
        if _number(query.get("toBlock"), latest) - _number(query.get("fromBlock"), latest) > self.max_range:
            return error(call, -32005, "Requested range exceeds maximum RPC range limit")
        return None


@dataclass
class BesuQbftBlocks:
    """QBFT blocks carry RLP([32-byte vanity, [validators], vote, round, [seals]]) as extraData
    (besu consensus/qbft/.../QbftExtraDataCodec.java), far longer than the 32 bytes web3 accepts
    without its POA middleware; and a zeroBaseFee chain's blocks say baseFeePerGas 0x0
    (besu-docs private-networks/how-to/configure/free-gas.md)."""

    validators: tuple[bytes, ...] = (b"\x11" * 20, b"\x22" * 20, b"\x33" * 20, b"\x44" * 20)

    def answer(self, proxy: RpcProxy, call: Call, answer: Call) -> Call:
        block = answer.get("result")
        if _is(call, *_BLOCK_METHODS) and isinstance(block, dict):
            extra = rlp.encode([b"\0" * 32, list(self.validators), [], (0).to_bytes(4, "big"), [b"\x55" * 65] * 3])
            return {**answer, "result": {**block, "extraData": "0x" + extra.hex(), "baseFeePerGas": "0x0"}}
        return answer


@dataclass
class BesuAllowlist:
    """With `--permissions-accounts-config-file-enabled`, a node takes transactions only from the
    accounts in its `accounts-allowlist` (besu-docs private-networks/how-to/use-local-permissioning.md;
    besu RpcErrorType.java TX_SENDER_NOT_AUTHORIZED -32007)."""

    accounts: set[str] = field(default_factory=set)

    def intercept(self, proxy: RpcProxy, call: Call) -> Call | None:
        if _is(call, "eth_sendRawTransaction") and _sender(call).lower() not in {a.lower() for a in self.accounts}:
            return error(call, -32007, "Sender account not authorized to send transactions")
        return None


@dataclass
class BesuTransactionGasCap:
    """From Osaka, EIP-7825: no transaction may ask for more than 16,777,216 gas (besu
    ethereum/core/.../mainnet/OsakaTargetingGasLimitCalculator.java; MainnetTransactionValidator.java;
    RpcErrorType.java EXCEEDS_TRANSACTION_GAS_LIMIT -32005)."""

    cap: int = 16_777_216

    def intercept(self, proxy: RpcProxy, call: Call) -> Call | None:
        if _is(call, "eth_sendRawTransaction") and _fields(_raw(call))["gas"] > self.cap:
            return error(call, -32005, "Transaction gas limit cap exceeded")
        return None


@dataclass
class BesuBatchSize:
    """`--rpc-http-max-batch-size`, default 1024 (besu ethereum/api/.../JsonRpcConfiguration.java;
    RpcErrorType.java EXCEEDS_RPC_MAX_BATCH_SIZE -32005)."""

    limit: int = 1024

    def request(self, proxy: RpcProxy, body: Any) -> Any:
        if isinstance(body, list) and len(body) > self.limit:
            return error(None, -32005, "Number of requests exceeds max batch size")
        return None


# ---------------------------------------------------------------------------------------- GoQuorum


@dataclass
class GoQuorumPool:
    """GoQuorum 24.4.1 is geth 1.10.3 (quorum params/version.go): no London, so no type-2
    transactions ("transaction type not supported", core/types/transaction.go decodeTyped) and no
    eth_maxPriorityFeePerGas; its pool refuses a transaction over `txnSizeLimit` KB, 64 by default
    ("oversized data", core/tx_pool.go validateTx; params/config.go GetTransactionSizeLimit), and a
    non-zero gas price on a free-gas chain ("Gas price not 0", ErrInvalidGasPrice). The node under
    the proxy runs Anvil's berlin rules, so blocks carry no baseFeePerGas (core/types/block.go
    Header has none)."""

    txn_size_limit_kb: int = 64

    def intercept(self, proxy: RpcProxy, call: Call) -> Call | None:
        if _is(call, "eth_maxPriorityFeePerGas", "eth_feeHistory"):
            return error(call, -32601, f"the method {call['method']} does not exist/is not available")
        if not _is(call, "eth_sendRawTransaction"):
            return None
        raw = _raw(call)
        if raw[0] < 0xC0 and raw[0] != 1:
            return error(call, -32000, "transaction type not supported")
        if len(raw) > self.txn_size_limit_kb * 1024:
            return error(call, -32000, "oversized data")
        if _fields(raw)["gas_price"] != 0:
            return error(call, -32000, "Gas price not 0")
        return None


class GoQuorumWithoutEip155:
    """A genesis without eip155Block: eth_chainId fails for ever (quorum internal/ethapi/api.go
    ChainId: "chain not synced beyond EIP-155 replay-protection fork block")."""

    def intercept(self, proxy: RpcProxy, call: Call) -> Call | None:
        if _is(call, "eth_chainId"):
            return error(call, -32000, "chain not synced beyond EIP-155 replay-protection fork block")
        return None


# ------------------------------------------------------------------------------------ imitations


def fisco(version: tuple[int, ...] = (3, 16, 4), evm_timestamp: bool = True, max_process_block: int = 10,
          batch_limit: int = 8, gas_price: int = 0) -> list[Any]:
    """FISCO BCOS Air's web3 RPC at `version`, with the defaults of its build_chain.sh."""
    behaviours: list[Any] = [
        ClientVersion(f"FISCO-BCOS-Web3RPC/{'.'.join(map(str, version))}-Release/Linux/0000000"),
        FiscoBatches(version, batch_limit),
        FiscoBlocks(1000 if not evm_timestamp and version >= (3, 12) else 1),
        FiscoGas(gas_price),
        FiscoLegacyScheduler(),
    ]
    if version >= (3, 12, 4):
        behaviours.append(FiscoLogs(max_process_block))
    if version >= (3, 16, 4):
        behaviours.append(FiscoBalanceCheck())
    return behaviours


def besu(max_logs_range: int = 5000, allowlist: set[str] | None = None, tx_gas_cap: int | None = None) -> list[Any]:
    behaviours: list[Any] = [ClientVersion("besu/v25.6.0/linux-x86_64/openjdk-java-21"), BesuBatchSize(),
                             BesuLogsRange(max_logs_range), BesuQbftBlocks()]
    if allowlist is not None:
        behaviours.append(BesuAllowlist(allowlist))
    if tx_gas_cap is not None:
        behaviours.append(BesuTransactionGasCap(tx_gas_cap))
    return behaviours


def goquorum(txn_size_limit_kb: int = 64, eip155: bool = True) -> list[Any]:
    behaviours: list[Any] = [ClientVersion("Geth/v1.10.3-stable-7a4f2f9e(quorum-v24.4.1)/linux-amd64/go1.21.11"),
                             GoQuorumPool(txn_size_limit_kb)]
    if not eip155:
        behaviours.insert(0, GoQuorumWithoutEip155())
    return behaviours


@dataclass
class Imitation:
    """An Anvil node and a proxy in front of it that answers as an engine."""

    name: str
    chain_id: int
    hardfork: str = "london"
    millisecond_clock: bool = False  # FISCO without feature_evm_timestamp: block.timestamp counts ms
    node: LocalNode | None = None
    proxies: list[RpcProxy] = field(default_factory=list)

    def start(self) -> "Imitation":
        genesis = int(time.time() * 1000) if self.millisecond_clock else None
        # No state file: nothing restarts these nodes, and dumping a chain of thousands of
        # enterprises every second would cost more than the tests.
        self.node = LocalNode("anvil", hardfork=self.hardfork, chain_id=self.chain_id,
                              genesis_timestamp=genesis).start(timeout=60)
        return self

    def proxy(self, behaviours: list[Any], record: bool = False) -> RpcProxy:
        """Another proxy over the same node (a second configuration of the same engine)."""
        assert self.node is not None
        started = RpcProxy(self.node.url, behaviours, record=record).start()
        self.proxies.append(started)
        return started

    def profile(self, proxy: RpcProxy, **keys: Any) -> NetworkProfile:
        """A local profile (the development keys sign) for `proxy`, as a consortium would write it."""
        base = NetworkProfile(f"{self.name}-imitation", rpc=proxy.url, chain_id=self.chain_id, local=True,
                              timeout=30)
        return replace(base, **keys)

    def stop(self) -> None:
        for proxy in self.proxies:
            proxy.stop()
        if self.node is not None:
            self.node.stop(kill=True)  # nothing of its state is kept
