"""Signing, sending and waiting for transactions, and turning reverts into named errors.

Transactions are signed locally (eth-account, coincurve-backed) and sent raw, so the same code
drives the embedded chain, Anvil, Ganache and consortium nodes that hold no keys. The nonce is
tracked per account in process, so a sequence of sends never waits on the node to count.
"""

from __future__ import annotations

import ast
import sys
import time
from dataclasses import dataclass
from functools import cache
from typing import Any

import requests
from eth_abi import decode as abi_decode
from eth_account.signers.local import LocalAccount
from eth_utils import keccak, to_checksum_address
from hexbytes import HexBytes
from web3.contract.contract import ContractFunction
from web3.exceptions import ContractCustomError, ContractLogicError, ContractPanicError, TimeExhausted, Web3RPCError
from web3.types import TxReceipt

from shanglian import artifacts, chaintime, revert_messages
from shanglian.errors import ConfigError, ContractError, NetworkError
from shanglian.network import Chain

_PANIC = {
    0x01: "assertion failed",
    0x11: "arithmetic overflow or underflow",
    0x12: "division by zero",
    0x21: "invalid enum value",
    0x31: "pop from an empty array",
    0x32: "array index out of bounds",
    0x41: "out of memory",
}


@dataclass(frozen=True)
class _ErrorSpec:
    name: str
    contract: str
    names: tuple[str, ...]
    types: tuple[str, ...]
    notice: str


def abi_type(item: dict[str, Any]) -> str:
    if item["type"].startswith("tuple"):
        inner = ",".join(abi_type(component) for component in item["components"])
        return f"({inner}){item['type'][5:]}"
    return item["type"]


@cache
def _error_specs() -> dict[bytes, _ErrorSpec]:
    """Every custom error of the suite, by selector."""
    specs: dict[bytes, _ErrorSpec] = {}
    for contract in artifacts.CONTRACTS:
        notices = artifacts.load(contract).get("userdoc", {}).get("errors", {})
        for item in artifacts.abi(contract):
            if item["type"] != "error":
                continue
            types = tuple(abi_type(i) for i in item["inputs"])
            signature = f"{item['name']}({','.join(types)})"
            names = tuple(i["name"] or f"arg{n}" for n, i in enumerate(item["inputs"]))
            notice = (notices.get(signature) or [{}])[0].get("notice", "")
            specs.setdefault(keccak(text=signature)[:4], _ErrorSpec(item["name"], contract, names, types, notice))
    return specs


def decode_revert(data: bytes | str | None) -> ContractError:
    """The named error behind revert data: a custom error, Error(string), Panic(uint256) or none."""
    raw = HexBytes(data or b"")
    if len(raw) < 4:
        return ContractError("Reverted", {"reason": "no revert data"})
    selector, body = bytes(raw[:4]), bytes(raw[4:])
    if selector == keccak(text="Error(string)")[:4]:
        return ContractError("Error", {"reason": abi_decode(["string"], body)[0]})
    if selector == keccak(text="Panic(uint256)")[:4]:
        code = abi_decode(["uint256"], body)[0]
        return ContractError("Panic", {"code": hex(code), "reason": _PANIC.get(code, "panic")})
    spec = _error_specs().get(selector)
    if spec is None:
        return ContractError("UnknownError", {"data": raw.to_0x_hex()})
    values = abi_decode(list(spec.types), body)
    args = {name: _plain(value) for name, value in zip(spec.names, values)}
    return ContractError(spec.name, args, spec.contract, spec.notice, revert_messages.render(spec.name, args))


def _plain(value: Any) -> Any:
    if isinstance(value, str) and value.startswith("0x") and len(value) == 42:
        return to_checksum_address(value)
    return value


def revert_data(exc: Exception) -> str | None:
    """The revert data web3 attached to an exception, whichever provider raised it."""
    if isinstance(exc, _embedded_failures()):
        # The embedded chain reports `execution reverted: b'...'`, the data as a bytes literal.
        message = str(exc.args[0]) if exc.args else ""
        prefix = "execution reverted: "
        if message.startswith(prefix + "b'") or message.startswith(prefix + 'b"'):
            return HexBytes(ast.literal_eval(message[len(prefix) :])).to_0x_hex()
        return None
    data = getattr(exc, "data", None)
    if isinstance(data, dict):
        data = data.get("data") or data.get("result")  # Ganache puts it under "result"
    if isinstance(data, (bytes, bytearray)):
        return HexBytes(data).to_0x_hex()
    if isinstance(data, str) and data.startswith("0x"):
        return data
    return None


def as_contract_error(exc: Exception) -> ContractError:
    return decode_revert(revert_data(exc))


def _embedded_failures() -> tuple[type[Exception], ...]:
    """eth-tester's TransactionFailed once the embedded chain has loaded eth-tester (only it raises
    it). Not imported here: eth-tester brings py-evm, over a second at every start of the CLI,
    which most commands spend talking to a node."""
    loaded = sys.modules.get("eth_tester.exceptions")
    return (loaded.TransactionFailed,) if loaded else ()


def reverts() -> tuple[type[Exception], ...]:
    """What a call that reverts raises, for `except reverts() as exc`, on any chain."""
    return (ContractCustomError, ContractPanicError, ContractLogicError, *_embedded_failures())

# What to do when a node refuses a transaction outright, by a phrase of its answer.
_REFUSALS = (
    # FISCO 3.16.4 web3 RPC (bcos-rpc/bcos-rpc/validator/TxValidator.cpp) and geth's pool.
    (("insufficientfunds", "insufficient funds"),
     "this network needs every sending account to hold at least {min_balance} wei: fund it with "
     "`shanglian account fund {address} --network {network} --account <a funded account>`"),
    # Besu local account allowlists (ethereum/api/.../RpcErrorType.java TX_SENDER_NOT_AUTHORIZED).
    (("not authorized to send",),
     "{address} is not on the node's accounts allowlist: add it on every node (accounts-allowlist in "
     "permissions_config.toml, or perm_addAccountsToAllowlist)"),
    # GoQuorum (geth 1.10.3, no London: quorum core/types/transaction.go decodeTyped).
    (("transaction type not supported",),
     "the node takes legacy transactions only: set gas_price to zero or a wei price in the profile"),
    # GoQuorum txnSizeLimit (quorum core/tx_pool.go ErrOversizedData).
    (("oversized data",),
     "the transaction is larger than the genesis txnSizeLimit: set max_tx_bytes in the profile"),
    # EIP-7825 on Besu (RpcErrorType.java EXCEEDS_TRANSACTION_GAS_LIMIT).
    (("gas limit cap", "gas limit must be at most"),
     "the chain caps the gas of one transaction: set max_tx_gas in the profile (16777216 on Osaka)"),
)


def refusal(chain: Chain, address: str, message: str) -> str:
    """The node's refusal of `address`'s transaction, with what to do about it where we know."""
    lowered = message.lower()
    for phrases, advice in _REFUSALS:
        if any(phrase in lowered for phrase in phrases):
            hint = advice.format(address=address, network=chain.name, min_balance=max(1, chain.min_balance))
            return f"the node refused the transaction from {address}: {message} — {hint}"
    return f"the node refused the transaction from {address}: {message}"


def _rpc_message(exc: Web3RPCError) -> str:
    error = (exc.rpc_response or {}).get("error") if isinstance(exc.rpc_response, dict) else None
    return str(error.get("message")) if isinstance(error, dict) else str(exc)


class Transactor:
    """Sends transactions from one account: builds, signs locally, sends raw, waits, decodes reverts."""

    def __init__(self, chain: Chain, account: LocalAccount) -> None:
        self.chain = chain
        self.account = account
        self.address = account.address
        self._nonce: int | None = None
        self._fees: dict[str, int] | None = None

    # -- building -------------------------------------------------------------------------------

    def next_nonce(self) -> int:
        if self._nonce is None:
            self._nonce = self.chain.w3.eth.get_transaction_count(self.address, "pending")
        nonce = self._nonce
        self._nonce += 1
        return nonce

    def resync_nonce(self) -> None:
        """Forget the local count, e.g. after a failed send; the node's pending count is the truth."""
        self._nonce = None

    def fees(self) -> dict[str, int]:
        """Fee fields for a transaction, following the network profile's gas price policy."""
        policy = self.chain.profile.gas_price
        if policy == "zero":
            return {"gasPrice": 0}
        if isinstance(policy, int):
            return {"gasPrice": policy}
        if self._fees is None and self.chain.engine.name == "fisco":
            # FISCO reports a base fee of 0 and no tip (bcos-rpc/.../model/BlockResponse.cpp,
            # EthEndpoint.cpp maxPriorityFeePerGas), so "auto" would offer nothing on a chain that
            # charges its tx_gas_price (what eth_gasPrice answers): ask for the price instead.
            price = int(self.chain.w3.eth.gas_price)
            if price:
                raise ConfigError(
                    f"network {self.chain.name!r} charges gas (eth_gasPrice is {price} wei) and FISCO BCOS "
                    "reports no base fee: set gas_price in the profile to the price in wei"
                )
            self._fees = {"gasPrice": 0}
        if self._fees is None:
            block = self.chain.w3.eth.get_block("latest")
            base = block.get("baseFeePerGas")
            if base is None:
                self._fees = {"gasPrice": int(self.chain.w3.eth.gas_price)}
            else:
                tip = 10**9 if base else 0
                self._fees = {"maxFeePerGas": 2 * int(base) + tip, "maxPriorityFeePerGas": tip}
        return self._fees

    def build(self, call: ContractFunction, gas: int | None = None, value: int = 0) -> dict[str, Any]:
        """A complete transaction for `call`. Gas is estimated unless given; a call that would revert
        raises its named ContractError here, before anything is signed or sent."""
        chaintime.require_seconds(self.chain)  # before the estimate: a wrong clock reverts it
        tx: dict[str, Any] = {
            "from": self.address,
            "chainId": self.chain.chain_id,
            "value": value,
            **self.fees(),
        }
        if gas is None:
            try:
                gas = int(call.estimate_gas(tx) * 1.2) + 10_000
            except reverts() as exc:
                raise as_contract_error(exc) from None
            except (requests.exceptions.RequestException, OSError) as exc:
                raise _network_error(self.chain, exc) from None
        tx["gas"] = min(gas, self.chain.profile.max_tx_gas or gas)  # the margin must not break a cap
        tx = call.build_transaction(tx)
        tx["nonce"] = self.next_nonce()
        return tx

    def sign(self, tx: dict[str, Any]) -> bytes:
        return bytes(self.account.sign_transaction(tx).raw_transaction)

    # -- sending --------------------------------------------------------------------------------

    def send(self, call: ContractFunction, gas: int | None = None, value: int = 0) -> TxReceipt:
        """Sends `call` and waits for it; a revert raises the contract's named ContractError."""
        tx = self.build(call, gas, value)
        receipt = wait(self.chain, self.send_signed(tx))
        if receipt["status"] != 1:
            raise self._replay(tx, receipt)
        return receipt

    def transfer(self, to: str, value: int) -> TxReceipt:
        """Sends native currency (funding accounts on chains that want a balance)."""
        chaintime.require_seconds(self.chain)
        tx = {"to": to, "value": value, "gas": 21_000, "chainId": self.chain.chain_id, "nonce": self.next_nonce(), **self.fees()}
        return wait(self.chain, self.send_signed(tx))

    def deploy(self, bytecode: str, constructor_call: Any) -> TxReceipt:
        """Deploys a contract whose constructor call was built by web3's `constructor(...)`."""
        chaintime.require_seconds(self.chain, self)
        fields = {"from": self.address, "chainId": self.chain.chain_id, **self.fees()}
        try:
            try:
                tx = constructor_call.build_transaction(fields)
            except Web3RPCError:
                # FISCO's default scheduler estimates nothing without a recipient ("Call address is
                # empty", bcos-scheduler/src/SchedulerImpl.cpp call(), reached from the web3
                # eth_estimateGas): offer what a block holds instead.
                tx = constructor_call.build_transaction({**fields, "gas": self._creation_gas()})
        except (requests.exceptions.RequestException, OSError) as exc:
            raise _network_error(self.chain, exc) from None
        tx["nonce"] = self.next_nonce()
        tx_hash = self.send_signed(tx)
        receipt = wait(self.chain, tx_hash)
        if receipt["status"] != 1:
            raise ContractError("DeploymentReverted", {"transaction": HexBytes(tx_hash).to_0x_hex()})
        return receipt

    def _creation_gas(self) -> int:
        limit = int(self.chain.w3.eth.get_block("latest")["gasLimit"])
        return min(limit, self.chain.profile.max_tx_gas or limit)

    def send_signed(self, tx: dict[str, Any]) -> bytes:
        """Signs and sends `tx`; a refusal becomes a named error and the nonce is counted anew."""
        try:
            return bytes(self.chain.w3.eth.send_raw_transaction(self.sign(tx)))
        except reverts() as exc:
            self.resync_nonce()
            raise as_contract_error(exc) from None
        except Web3RPCError as exc:
            self.resync_nonce()
            raise NetworkError(refusal(self.chain, self.address, _rpc_message(exc))) from None
        except (requests.exceptions.RequestException, OSError) as exc:
            self.resync_nonce()
            raise _network_error(self.chain, exc) from None

    def _replay(self, tx: dict[str, Any], receipt: TxReceipt) -> ContractError:
        """A mined revert carries no data in its receipt: replay it as a call at its block to get it."""
        call = {k: tx[k] for k in ("from", "to", "data", "value", "gas") if k in tx}
        try:
            self.chain.w3.eth.call(call, receipt["blockNumber"] - 1)
        except reverts() as exc:
            return as_contract_error(exc)
        return ContractError("Reverted", {"transaction": HexBytes(receipt["transactionHash"]).to_0x_hex()})


def wait(chain: Chain, tx_hash: bytes, timeout: float | None = None) -> TxReceipt:
    """Waits for a receipt (and the profile's confirmations) or raises NetworkError on time-out."""
    limit = chain.profile.timeout if timeout is None else timeout
    try:
        receipt = chain.w3.eth.wait_for_transaction_receipt(tx_hash, timeout=limit, poll_latency=0.05)
    except TimeExhausted:
        raise NetworkError(
            f"transaction {HexBytes(tx_hash).to_0x_hex()} was not mined within {limit:g} s"
        ) from None
    except (requests.exceptions.RequestException, OSError) as exc:
        raise _network_error(chain, exc) from None
    wanted = receipt["blockNumber"] + chain.profile.confirmations
    deadline = time.monotonic() + limit
    while chain.profile.confirmations and chain.w3.eth.block_number < wanted:
        if time.monotonic() > deadline:
            raise NetworkError(f"no {chain.profile.confirmations} confirmations within {limit:g} s")
        time.sleep(0.2)
    return receipt


def _network_error(chain: Chain, exc: Exception) -> NetworkError:
    if isinstance(exc, requests.exceptions.Timeout):
        return NetworkError(f"the node at {chain.profile.rpc} did not answer within {chain.profile.timeout:g} s")
    return NetworkError(f"lost the node at {chain.profile.rpc}: {exc.__class__.__name__}")
