"""Signing, sending and waiting for transactions, and turning reverts into named errors.

Transactions are signed locally (eth-account, coincurve-backed) and sent raw, so the same code
drives the embedded chain, Anvil, Ganache and consortium nodes that hold no keys. The nonce is
tracked per account in process, so a sequence of sends never waits on the node to count.
"""

from __future__ import annotations

import ast
import time
from dataclasses import dataclass
from functools import cache
from typing import Any

import requests
from eth_abi import decode as abi_decode
from eth_account.signers.local import LocalAccount
from eth_tester.exceptions import TransactionFailed
from eth_utils import keccak, to_checksum_address
from hexbytes import HexBytes
from web3.contract.contract import ContractFunction
from web3.exceptions import ContractCustomError, ContractLogicError, ContractPanicError, TimeExhausted
from web3.types import TxReceipt

from shanglian import artifacts
from shanglian.errors import ContractError, NetworkError
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
    return ContractError(spec.name, args, spec.contract, spec.notice)


def _plain(value: Any) -> Any:
    if isinstance(value, str) and value.startswith("0x") and len(value) == 42:
        return to_checksum_address(value)
    return value


def revert_data(exc: Exception) -> str | None:
    """The revert data web3 attached to an exception, whichever provider raised it."""
    if isinstance(exc, TransactionFailed):
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


REVERTS = (ContractCustomError, ContractPanicError, ContractLogicError, TransactionFailed)


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
        tx: dict[str, Any] = {
            "from": self.address,
            "chainId": self.chain.chain_id,
            "value": value,
            **self.fees(),
        }
        if gas is None:
            try:
                gas = int(call.estimate_gas(tx) * 1.2) + 10_000
            except REVERTS as exc:
                raise as_contract_error(exc) from None
            except (requests.exceptions.RequestException, OSError) as exc:
                raise _network_error(self.chain, exc) from None
        tx["gas"] = gas
        tx = call.build_transaction(tx)
        tx["nonce"] = self.next_nonce()
        return tx

    def sign(self, tx: dict[str, Any]) -> bytes:
        return bytes(self.account.sign_transaction(tx).raw_transaction)

    # -- sending --------------------------------------------------------------------------------

    def send(self, call: ContractFunction, gas: int | None = None, value: int = 0) -> TxReceipt:
        """Sends `call` and waits for it; a revert raises the contract's named ContractError."""
        tx = self.build(call, gas, value)
        receipt = wait(self.chain, self._broadcast(tx))
        if receipt["status"] != 1:
            raise self._replay(tx, receipt)
        return receipt

    def transfer(self, to: str, value: int) -> TxReceipt:
        """Sends native currency (funding local development accounts)."""
        tx = {"to": to, "value": value, "gas": 21_000, "chainId": self.chain.chain_id, "nonce": self.next_nonce(), **self.fees()}
        return wait(self.chain, self._broadcast(tx))

    def deploy(self, bytecode: str, constructor_call: Any) -> TxReceipt:
        """Deploys a contract whose constructor call was built by web3's `constructor(...)`."""
        try:
            tx = constructor_call.build_transaction({"from": self.address, "chainId": self.chain.chain_id, **self.fees()})
        except (requests.exceptions.RequestException, OSError) as exc:
            raise _network_error(self.chain, exc) from None
        tx["nonce"] = self.next_nonce()
        tx_hash = self._broadcast(tx)
        receipt = wait(self.chain, tx_hash)
        if receipt["status"] != 1:
            raise ContractError("DeploymentReverted", {"transaction": HexBytes(tx_hash).to_0x_hex()})
        return receipt

    def _broadcast(self, tx: dict[str, Any]) -> bytes:
        """Signs and sends `tx`; a refusal becomes a named error and the nonce is counted anew."""
        try:
            return bytes(self.chain.w3.eth.send_raw_transaction(self.sign(tx)))
        except REVERTS as exc:
            self.resync_nonce()
            raise as_contract_error(exc) from None
        except (requests.exceptions.RequestException, OSError) as exc:
            self.resync_nonce()
            raise _network_error(self.chain, exc) from None

    def _replay(self, tx: dict[str, Any], receipt: TxReceipt) -> ContractError:
        """A mined revert carries no data in its receipt: replay it as a call at its block to get it."""
        call = {k: tx[k] for k in ("from", "to", "data", "value", "gas") if k in tx}
        try:
            self.chain.w3.eth.call(call, receipt["blockNumber"] - 1)
        except REVERTS as exc:
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
